package discord

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/internal/reply"
	"icbot/adapters/internal/textsplit"
	"icbot/bot"
)

// maxContent is Discord's limit on a message's content.
const maxContent = 2000

// parts splits text into pieces Discord accepts, cut as textsplit.Split
// cuts (at line ends, then words); joined, they are exactly text. Empty
// text is one empty piece, which still carries a message's buttons.
func parts(text string) []string {
	if ps := textsplit.Split(text, maxContent, textsplit.Runes); len(ps) > 0 {
		return ps
	}
	return []string{""}
}

// fit is the first part of text; overflow the rest.
func fit(text string) string        { return parts(text)[0] }
func overflow(text string) []string { return parts(text)[1:] }

// buttons renders a message's actions: each button's id is its command.
func buttons(as []bot.Action) []discordgo.MessageComponent {
	if len(as) == 0 {
		return nil
	}
	var row []discordgo.MessageComponent
	for _, ac := range as {
		row = append(row, discordgo.Button{Label: ac.Label, Style: discordgo.PrimaryButton, CustomID: idCommand + ac.Command})
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// noMentions keeps any text (a hold reason that says @everyone) from
// pinging anyone.
var noMentions = &discordgo.MessageAllowedMentions{}

// Post sends a message to a channel, long ones in parts; buttons go with
// the last. It returns the parts' message ids, separated by commas. When a
// part fails, those already posted are deleted again, so that a retry
// does not leave half a message behind.
func (a *Adapter) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	ps := parts(m.Text)
	var ids []string
	for n, p := range ps {
		send := &discordgo.MessageSend{Content: p, AllowedMentions: noMentions}
		if n == len(ps)-1 {
			send.Components = buttons(m.Actions)
		}
		msg, err := a.api.ChannelMessageSendComplex(string(ch), send, discordgo.WithContext(ctx))
		if err != nil {
			if rerr := a.Retract(context.WithoutCancel(ctx), ch, bot.PostRef(strings.Join(ids, ","))); rerr != nil {
				a.log.Warn("could not delete the first parts of a message that failed", "err", redact(rerr))
				return "", failure("post in that channel", err)
			}
			if refusedCall(err) {
				// Nothing of the message is on Discord.
				return "", bot.NotPosted(failure("post in that channel", err))
			}
			return "", failure("post in that channel", err)
		}
		if msg != nil {
			ids = append(ids, msg.ID)
		}
	}
	return bot.PostRef(strings.Join(ids, ",")), nil
}

// Retract deletes icbot's own message(s) from a channel; ref holds their
// ids, separated by commas. One already deleted is not an error.
func (a *Adapter) Retract(ctx context.Context, ch bot.ChannelID, ref bot.PostRef) error {
	for id := range strings.SplitSeq(string(ref), ",") {
		if id == "" {
			continue
		}
		if err := a.api.ChannelMessageDelete(string(ch), id, discordgo.WithContext(ctx)); err != nil && restCode(err) != codeUnknownMessage {
			return failure("delete icbot's message in that channel", err)
		}
	}
	return nil
}

// DM sends a message to a person in their DM channel with icbot.
func (a *Adapter) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	ch, err := a.dmChannel(ctx, to)
	if err != nil {
		return err
	}
	_, err = a.Post(ctx, bot.ChannelID(ch), m)
	return err
}

// dmChannel opens (once) the DM channel with a person.
func (a *Adapter) dmChannel(ctx context.Context, to bot.UserID) (string, error) {
	if ch, ok := a.dms.Get(to); ok {
		return ch, nil
	}
	c, err := a.api.UserChannelCreate(string(to), discordgo.WithContext(ctx))
	if err != nil {
		return "", failure("open a DM", err)
	}
	a.dms.Put(to, c.ID)
	return c.ID, nil
}

var _ bot.FileSender = (*Adapter)(nil)

// SendFile sends a person a file in their DM channel with icbot, as an
// attachment of a message that says what it is (the message's text
// beyond Discord's limit goes before it, in parts).
func (a *Adapter) SendFile(ctx context.Context, to bot.UserID, f bot.File, m bot.Message) error {
	ch, err := a.dmChannel(ctx, to)
	if err != nil {
		return err
	}
	ps := parts(m.Text)
	if len(ps) > 1 {
		if _, err := a.Post(ctx, bot.ChannelID(ch), bot.Message{Text: strings.Join(ps[:len(ps)-1], "")}); err != nil {
			return err
		}
	}
	send := &discordgo.MessageSend{Content: ps[len(ps)-1], AllowedMentions: noMentions,
		Files: []*discordgo.File{{Name: f.Name, ContentType: f.Type, Reader: bytes.NewReader(f.Data)}}}
	if _, err := a.api.ChannelMessageSendComplex(ch, send, discordgo.WithContext(ctx)); err != nil {
		return failure("send a file to that person", err)
	}
	return nil
}

// IsPrivate asks Discord, every time, whether the channel is a DM or one
// that @everyone may not view: its overwrite for the @everyone role (whose
// id is the server's) denies View Channel.
func (a *Adapter) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	c, err := a.api.Channel(string(ch), discordgo.WithContext(ctx))
	if err != nil {
		return false, failure("look at that channel", err)
	}
	return private(c), nil
}

func private(c *discordgo.Channel) bool {
	if c.Type == discordgo.ChannelTypeDM || c.Type == discordgo.ChannelTypeGroupDM {
		return true
	}
	for _, o := range c.PermissionOverwrites {
		if o.ID == c.GuildID && o.Type == discordgo.PermissionOverwriteTypeRole {
			return o.Deny&discordgo.PermissionViewChannel != 0
		}
	}
	return false
}

// Members lists who can read a channel, from its permission overwrites:
// with @everyone denied View Channel, the members whose own overwrite
// allows it, and the server's owner, who sees every channel. A role
// overwrite that allows View Channel lets in people icbot cannot list
// without Discord's privileged members intent, so the answer is then
// "cannot tell", and posts that need to know are refused. Members of a
// role with Administrator also see every channel and cannot be listed
// either; the README asks that only people who may read scene material
// hold such a role.
func (a *Adapter) Members(ctx context.Context, ch bot.ChannelID) ([]bot.UserID, error) {
	c, err := a.api.Channel(string(ch), discordgo.WithContext(ctx))
	if err != nil {
		return nil, failure("look at that channel", err)
	}
	var out []bot.UserID
	me := a.botUserID()
	if c.Type == discordgo.ChannelTypeDM || c.Type == discordgo.ChannelTypeGroupDM {
		for _, u := range c.Recipients {
			if u.ID != me {
				out = append(out, bot.UserID(u.ID))
			}
		}
		return out, nil
	}
	if !private(c) {
		return nil, bot.Errorf(bot.EUNAVAILABLE, "everyone in the server can view that channel")
	}
	for _, o := range c.PermissionOverwrites {
		if o.Type == discordgo.PermissionOverwriteTypeRole && o.ID != c.GuildID && o.Allow&view != 0 {
			return nil, bot.Errorf(bot.EUNAVAILABLE, "a role (id %s) may view that channel, and icbot cannot list a role's members: give each reader their own permission overwrite instead", o.ID)
		}
	}
	for _, o := range c.PermissionOverwrites {
		if o.Type == discordgo.PermissionOverwriteTypeMember && o.Allow&view != 0 && o.Deny&view == 0 && o.ID != me {
			out = append(out, bot.UserID(o.ID))
		}
	}
	g, err := a.api.Guild(c.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, failure("look at the server", err)
	}
	if g.OwnerID != "" && g.OwnerID != me && !slices.Contains(out, bot.UserID(g.OwnerID)) {
		out = append(out, bot.UserID(g.OwnerID))
	}
	return out, nil
}

// Reply handles: an interaction's token, usable for follow-up messages
// for 15 minutes.
const tokenLife = 14 * time.Minute

func tokenHandle(i *discordgo.Interaction, now time.Time) string {
	if i.Token == "" {
		return ""
	}
	return "tok|" + strconv.FormatInt(now.Unix(), 10) + "|" + i.AppID + "|" + i.Token
}

// Reply sends a late reply only its recipient sees, as an ephemeral
// follow-up to their interaction while its token lasts; after that the bot
// sends it by DM. The follow-up goes to Discord's API base, or the
// configured api_url, whatever the handle says (see followUpHandle).
func (a *Adapter) Reply(ctx context.Context, handle string, to bot.UserID, m bot.Message) error {
	fields := strings.SplitN(handle, "|", 4)
	if len(fields) != 4 || fields[0] != "tok" {
		return bot.ErrReplyExpired
	}
	secs, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || a.clock().Sub(time.Unix(secs, 0)) > tokenLife {
		return bot.ErrReplyExpired
	}
	if !a.followUpHandle(fields[2], fields[3]) {
		// Kept in the database with a pending message, a handle changed
		// there could point the follow-up elsewhere: it is refused.
		a.log.Warn("refused a reply handle that is not icbot's; replying by DM")
		return fmt.Errorf("%w: not a follow-up to icbot's interaction", bot.ErrReplyExpired)
	}
	i := &discordgo.Interaction{AppID: fields[2], Token: fields[3]}
	ps := parts(m.Text)
	msgs := make([]bot.Message, len(ps))
	for n, p := range ps {
		msgs[n] = bot.Message{Text: p}
	}
	msgs[len(msgs)-1].Actions = m.Actions
	return reply.InParts(ctx, m, msgs, func(ctx context.Context, p bot.Message) error {
		params := &discordgo.WebhookParams{Content: p.Text, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions,
			Components: buttons(p.Actions)}
		err := retryUnknown(ctx, func() error {
			_, err := a.api.FollowupMessageCreate(i, false, params, discordgo.WithContext(ctx))
			return err
		})
		if err != nil {
			a.log.Warn("follow-up failed; replying by DM", "err", redact(err))
			return bot.ErrReplyExpired // the bot sends it by DM
		}
		return nil
	}, func(ctx context.Context, left bot.Message) error {
		return a.DM(ctx, to, left)
	})
}

// maxToken bounds an interaction token; Discord's are a few hundred
// characters.
const maxToken = 1000

// followUpHandle reports whether a reply handle's application id and
// token make a follow-up to icbot's own interaction: the id is icbot's
// application's (a number, when none is configured), the token holds only
// the characters Discord's tokens are made of. Both go into the path of
// the follow-up's URL, so anything else (a slash, "..", a "?") could turn
// it into another request of icbot's, with its bot token, such as a post
// to a channel.
func (a *Adapter) followUpHandle(app, token string) bool {
	switch {
	case a.cfg.ApplicationID != "" && app != a.cfg.ApplicationID:
		return false
	case a.cfg.ApplicationID == "" && !digits(app):
		return false
	case token == "" || len(token) > maxToken || strings.Trim(token, ".") == "":
		return false
	}
	for _, r := range token {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// digits reports whether s is a Discord id: digits, at least one.
func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
