package discord

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

// maxUsers is how many user options stand for a list of people
// (performers, performers2, ...): Discord has no option for several users.
const maxUsers = 4

// callSub names the sub-command that stands for a command whose path is
// its group's name, when the group has other sub-commands too (/hold and
// /hold lift become /hold call and /hold lift): Discord allows a command
// options or sub-commands, not both.
const callSub = "call"

// short fits a description into Discord's 100 characters.
func short(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:99]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// options turns a command's parameters into typed options, required
// ones first as Discord demands.
func options(c bot.CommandInfo) []*discordgo.ApplicationCommandOption {
	var opts []*discordgo.ApplicationCommandOption
	for _, p := range c.Params {
		o := &discordgo.ApplicationCommandOption{Name: p.Name, Description: short(p.Help), Required: p.Required, Type: discordgo.ApplicationCommandOptionString}
		switch p.Kind {
		case bot.ParamScene:
			o.Autocomplete = true
		case bot.ParamUser:
			o.Type = discordgo.ApplicationCommandOptionUser
		case bot.ParamUsers:
			o.Type = discordgo.ApplicationCommandOptionUser
			for i := 2; i <= maxUsers; i++ {
				opts = append(opts, &discordgo.ApplicationCommandOption{Name: p.Name + strconv.Itoa(i), Description: short(p.Help + " (another)"), Type: discordgo.ApplicationCommandOptionUser})
			}
		case bot.ParamChannel:
			// Text channels only: a category's overwrites would not keep
			// its channels closed, and a voice channel holds no posts.
			o.Type = discordgo.ApplicationCommandOptionChannel
			o.ChannelTypes = []discordgo.ChannelType{discordgo.ChannelTypeGuildText}
		case bot.ParamRole:
			for _, r := range bot.Roles {
				o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: r.Title(), Value: string(r)})
			}
		case bot.ParamChoice:
			for _, ch := range p.Choices {
				o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: ch, Value: ch})
			}
		case bot.ParamFile:
			// The file itself, attached: its id is no part of the line.
			o.Type = discordgo.ApplicationCommandOptionAttachment
		}
		opts = append(opts, o)
	}
	slices.SortStableFunc(opts, func(a, b *discordgo.ApplicationCommandOption) int {
		switch {
		case a.Required && !b.Required:
			return -1
		case b.Required && !a.Required:
			return 1
		}
		return 0
	})
	return opts
}

// applicationCommands builds Discord's command set from the bot's
// command table's groups: one command per top-level word, described by
// the group's summary, with sub-commands and sub-command groups for the
// rest of each path.
func applicationCommands(groups []bot.GroupInfo) []*discordgo.ApplicationCommand {
	var out []*discordgo.ApplicationCommand
	for _, g := range groups {
		name, cs := g.Name, g.Commands
		cmd := &discordgo.ApplicationCommand{Name: name, Type: discordgo.ChatApplicationCommand}
		if len(cs) == 1 && cs[0].Path == name {
			cmd.Description, cmd.Options = short(cs[0].Summary), options(cs[0])
			out = append(out, cmd)
			continue
		}
		cmd.Description = short(g.Summary)
		for _, c := range cs {
			words := strings.Fields(c.Path)[1:]
			sub := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Description: short(c.Summary), Options: options(c)}
			switch len(words) {
			case 0:
				sub.Name = callSub
				cmd.Options = append(cmd.Options, sub)
			case 1:
				sub.Name = words[0]
				cmd.Options = append(cmd.Options, sub)
			default:
				sub.Name = words[1]
				i := slices.IndexFunc(cmd.Options, func(o *discordgo.ApplicationCommandOption) bool {
					return o.Name == words[0] && o.Type == discordgo.ApplicationCommandOptionSubCommandGroup
				})
				if i < 0 {
					cmd.Options = append(cmd.Options, &discordgo.ApplicationCommandOption{Name: words[0], Type: discordgo.ApplicationCommandOptionSubCommandGroup,
						Description: short("/" + name + " " + words[0] + " commands")})
					i = len(cmd.Options) - 1
				}
				cmd.Options[i].Options = append(cmd.Options[i].Options, sub)
			}
		}
		out = append(out, cmd)
	}
	return out
}

// commandLine turns an application-command interaction into the command
// line it stands for, through the bot's catalogue, and the id of the file
// attached to it ("" for none): a file is no part of the line, but comes
// with the command (see attachment).
func commandLine(cat []bot.CommandInfo, data discordgo.ApplicationCommandInteractionData) (line, file string, err error) {
	path := []string{data.Name}
	opts := data.Options
	for len(opts) == 1 && opts[0] != nil && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup || opts[0].Type == discordgo.ApplicationCommandOptionSubCommand) {
		if opts[0].Name != callSub {
			path = append(path, opts[0].Name)
		}
		opts = opts[0].Options
	}
	p := strings.Join(path, " ")
	i := slices.IndexFunc(cat, func(c bot.CommandInfo) bool { return c.Path == p })
	if i < 0 {
		return "", "", fmt.Errorf("no command /%s", p)
	}
	c := cat[i]
	values := map[string]string{}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Type == discordgo.ApplicationCommandOptionAttachment {
			if file == "" {
				file = optionValue(o)
			}
			continue
		}
		// performers2 ... join performers: the list they stand for.
		name := strings.TrimRight(o.Name, "0123456789")
		v := optionValue(o)
		if o.Type == discordgo.ApplicationCommandOptionUser {
			v = userRef(data.Resolved, v)
		}
		if values[name] == "" {
			values[name] = v
		} else {
			values[name] += "," + v
		}
	}
	return c.Line(values), file, nil
}

// userRef is a user option's value as the bot reads it: the id, and the
// name Discord resolved for it (nickname, display name, user name), so
// that a person new to icbot is known by name ("123|Ines").
func userRef(r *discordgo.ApplicationCommandInteractionDataResolved, id string) string {
	if r == nil {
		return id
	}
	name := ""
	if u := r.Users[id]; u != nil {
		name = u.Username
		if u.GlobalName != "" {
			name = u.GlobalName
		}
	}
	if m := r.Members[id]; m != nil && m.Nick != "" {
		name = m.Nick
	}
	name = strings.ReplaceAll(clean(name), ",", " ")
	if name == "" {
		return id
	}
	return id + "|" + name
}

// optionValue is an option's value as text: ids for users and channels.
func optionValue(o *discordgo.ApplicationCommandInteractionDataOption) string {
	switch v := o.Value.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	return fmt.Sprint(o.Value)
}
