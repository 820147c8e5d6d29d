package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// ParamKind is what a command parameter holds, for adapters that offer
// typed options (Discord) rather than a line of text.
type ParamKind string

// Parameter kinds.
const (
	ParamScene    ParamKind = "scene"    // a scene id
	ParamUser     ParamKind = "user"     // one person
	ParamUsers    ParamKind = "users"    // several people, joined with commas
	ParamChannel  ParamKind = "channel"  // a channel
	ParamRole     ParamKind = "role"     // one of Roles
	ParamChoice   ParamKind = "choice"   // one of Choices
	ParamText     ParamKind = "text"     // free text
	ParamBeat     ParamKind = "beat"     // a beat id
	ParamBeats    ParamKind = "beats"    // several beat ids, space-separated
	ParamAnswers  ParamKind = "answers"  // beat answers: "b1=yes b2=no"
	ParamReminder ParamKind = "reminder" // a reminder id
	ParamDuration ParamKind = "duration" // 2h, 30m
	ParamWhen     ParamKind = "when"     // "YYYY-MM-DD HH:MM" in the production's zone
	// ParamFile is a file the person sends with the command: a Slack
	// file or a Discord attachment, which the adapter puts in
	// Command.Upload; in the console, a path the console reads. The bot
	// reads only Command.Upload, never a path.
	ParamFile ParamKind = "file"
)

// Param is one parameter of a command. Positional parameters come in
// order after the command's words; Key ones are written key="value".
type Param struct {
	Name     string
	Kind     ParamKind
	Key      bool // written as Name=value
	Required bool
	Choices  []string
	Help     string
	// Meta is how the usage line shows the value, when the kind's own
	// way does not say enough: "a,b" for a list of body areas.
	Meta string
	// Rest: the parameter is the rest of the line, taken exactly as
	// typed (a hold's reason), bounded by the text rule of its name. Only
	// the last positional parameter may be Rest.
	Rest bool
}

// meta is how the usage line shows the parameter's value.
func (p Param) meta() string {
	if p.Meta != "" {
		return p.Meta
	}
	switch p.Kind {
	case ParamScene:
		return "ID"
	case ParamUser:
		return "@" + p.Name
	case ParamUsers:
		if p.Key {
			return "@a,@b"
		}
		return "@" + strings.TrimSuffix(p.Name, "s") + " ..."
	case ParamChannel:
		return "#channel"
	case ParamRole:
		return "ROLE"
	case ParamChoice:
		return strings.Join(p.Choices, "|")
	case ParamText:
		if p.Rest {
			return p.Name
		}
		if p.Key {
			return `"..."`
		}
		return `"` + p.Name + `"`
	case ParamBeat:
		return "BEAT"
	case ParamBeats:
		return "BEAT ..."
	case ParamAnswers:
		return "BEAT=yes|no|discuss ..."
	case ParamReminder:
		return "REMINDER"
	case ParamDuration:
		return "DURATION"
	case ParamWhen:
		return `"YYYY-MM-DD HH:MM"`
	case ParamFile:
		return "FILE"
	}
	return strings.ToUpper(p.Name)
}

// usage is how the usage line shows the parameter: ID, [#channel],
// kind=nudity|contact, [areas=a,b].
func (p Param) usage() string {
	u := p.meta()
	if p.Key {
		u = p.Name + "=" + u
	}
	if !p.Required {
		u = "[" + u + "]"
	}
	return u
}

// derive fills in what a spec's parameters say: its usage line, the keys
// the router accepts, and where its free text starts. It reports a
// parameter list that the router could not read back.
func (s *spec) derive() error {
	var usage []string
	s.keys, s.keyOK, s.freeText, s.freeRule = nil, nil, 0, ""
	positional := 0
	seen := map[string]bool{}
	for i, p := range s.params {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("parameter %d has no name, or one used twice", i+1)
		}
		seen[p.Name] = true
		if !validKind[p.Kind] {
			return fmt.Errorf("parameter %s has no known kind (%q)", p.Name, p.Kind)
		}
		if (p.Kind == ParamChoice) != (len(p.Choices) > 0) {
			return fmt.Errorf("parameter %s: only a choice has choices, and it needs them", p.Name)
		}
		usage = append(usage, p.usage())
		switch {
		case p.Key:
			if p.Rest || p.Kind == ParamAnswers {
				return fmt.Errorf("parameter %s: a key=value cannot be free text or answers", p.Name)
			}
			s.keys = append(s.keys, p.Name)
		case p.Rest:
			if p.Kind != ParamText || s.freeText > 0 || positional == 0 {
				return fmt.Errorf("parameter %s: only one text after at least one word may take the rest of the line", p.Name)
			}
			s.freeText, s.freeRule = positional, p.Name
		default:
			if s.freeText > 0 {
				return fmt.Errorf("parameter %s comes after the rest of the line", p.Name)
			}
			if p.Kind == ParamAnswers {
				s.keyOK = beatKey.MatchString
			}
			positional++
		}
	}
	if s.freeText > 0 && len(s.keys) > 0 {
		return fmt.Errorf("the rest of the line is taken as typed, so it cannot also take key=value options")
	}
	s.usage = strings.Join(usage, " ")
	return nil
}

var validKind = map[ParamKind]bool{
	ParamScene: true, ParamUser: true, ParamUsers: true, ParamChannel: true, ParamRole: true,
	ParamChoice: true, ParamText: true, ParamBeat: true, ParamBeats: true, ParamAnswers: true,
	ParamReminder: true, ParamDuration: true, ParamWhen: true, ParamFile: true,
}

// CommandInfo describes a command for adapters that register commands
// with the platform.
type CommandInfo struct {
	Path    string // "scene beat add"
	Usage   string // "/scene beat add ID ..."
	Summary string
	Params  []Param
}

// GroupInfo describes a top-level command and the commands under it.
type GroupInfo struct {
	Name     string // "scene"
	Summary  string
	Commands []CommandInfo
}

// Catalogue lists every command with its parameters, in the order of the
// command table.
func (b *Bot) Catalogue() []CommandInfo { return b.commands.catalogue() }

// Groups lists the top-level commands, what each is for, and the
// commands under each, in the order of the command table.
func (b *Bot) Groups() []GroupInfo { return b.commands.groupInfo() }

// Commands lists every command of icbot, as Catalogue does, for tools
// that have no Bot (the Slack manifest).
func Commands() []GroupInfo { return commandTable().groupInfo() }

func (r *registry) catalogue() []CommandInfo {
	out := make([]CommandInfo, 0, len(r.specs))
	for _, s := range r.specs {
		out = append(out, CommandInfo{Path: s.path, Usage: s.usageLine(), Summary: s.summary, Params: slices.Clone(s.params)})
	}
	return out
}

// groupInfo lists the top-level commands in table order.
func (r *registry) groupInfo() []GroupInfo {
	var out []GroupInfo
	cat := r.catalogue()
	for _, name := range r.order {
		g := GroupInfo{Name: name, Summary: r.summaries[name]}
		for _, c := range cat {
			if c.Path == name || strings.HasPrefix(c.Path, name+" ") {
				g.Commands = append(g.Commands, c)
			}
		}
		if g.Summary == "" {
			g.Summary = g.Commands[0].Summary
		}
		out = append(out, g)
	}
	return out
}

// Line writes the command line that typed options stand for: positional
// parameters in order, then key="value" ones; empty values are left out.
// Values are quoted, so that any text survives the parser; users and
// channels are written as mentions (<@id>, <#id>).
func (c CommandInfo) Line(values map[string]string) string {
	var b strings.Builder
	b.WriteString("/" + c.Path)
	for _, p := range c.Params {
		v := strings.TrimSpace(values[p.Name])
		if v == "" || p.Kind == ParamFile {
			continue // a file comes as Command.Upload, not in the line
		}
		switch p.Kind {
		case ParamUser:
			v = "<@" + v + ">"
		case ParamUsers:
			ids := splitList(v)
			for i, id := range ids {
				ids[i] = "<@" + id + ">"
			}
			v = strings.Join(ids, ",")
		case ParamChannel:
			v = "<#" + v + ">"
		case ParamText, ParamWhen:
			v = quoteIfNeeded(v)
		}
		if p.Key {
			fmt.Fprintf(&b, " %s=%s", p.Name, v)
		} else {
			b.WriteString(" " + v)
		}
	}
	return b.String()
}

// SceneChoice is a scene offered while someone types a scene id.
type SceneChoice struct {
	ID    SceneID
	Title string
}

// SceneChoices lists up to 25 scenes whose id starts with prefix, for
// typing aids such as Discord's autocomplete: only to people with a role,
// and performers see only their own scenes, as /scene list does.
func (b *Bot) SceneChoices(ctx context.Context, caller UserID, prefix string) ([]SceneChoice, error) {
	var out []SceneChoice
	err := b.store.View(ctx, func(tx Tx) error {
		p, err := tx.Person(caller)
		if err != nil {
			if ErrorCode(err) == ENOTFOUND {
				return nil
			}
			return err
		}
		if !p.Known() {
			return nil
		}
		ownOnly := !p.HasAny(leadership...) && p.Has(RolePerformer)
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		prefix = strings.ToUpper(prefix)
		for _, sc := range scenes {
			if len(out) == 25 {
				break
			}
			if strings.HasPrefix(string(sc.ID), prefix) && (!ownOnly || sc.IsPerformer(caller)) && sc.Status != StatusWrapped {
				out = append(out, SceneChoice{ID: sc.ID, Title: sc.Title})
			}
		}
		return nil
	})
	return out, err
}

// quoteIfNeeded quotes a value that would not read as one word: a single
// word is left bare, since words before a command's free text are taken
// as typed (a quoted rehearsal number before a dispute's note would keep
// its quotes).
func quoteIfNeeded(v string) string {
	if v != "" && !strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("\"\u201c\u201d\\=", r) || !unicode.IsPrint(r)
	}) {
		return v
	}
	return quote(v)
}
