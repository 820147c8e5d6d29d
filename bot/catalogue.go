package bot

import (
	"context"
	"fmt"
	"strings"
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
}

// CommandInfo describes a command for adapters that register commands
// with the platform.
type CommandInfo struct {
	Path    string // "scene beat add"
	Summary string
	Params  []Param
}

// Catalogue lists every command with its parameters, in the order of the
// command table.
func (b *Bot) Catalogue() []CommandInfo {
	out := make([]CommandInfo, 0, len(b.commands.specs))
	for _, s := range b.commands.specs {
		out = append(out, CommandInfo{Path: s.path, Summary: s.summary, Params: params[s.path]})
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
		if v == "" {
			continue
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
			v = quote(v)
		}
		if p.Key {
			fmt.Fprintf(&b, " %s=%s", p.Name, v)
		} else {
			b.WriteString(" " + v)
		}
	}
	return b.String()
}

func scene(required bool) Param {
	return Param{Name: "id", Kind: ParamScene, Required: required, Help: "the scene id, such as 12 or 12A"}
}

var (
	user      = func(name, help string) Param { return Param{Name: name, Kind: ParamUser, Required: true, Help: help} }
	keyText   = func(name, help string) Param { return Param{Name: name, Kind: ParamText, Key: true, Help: help} }
	deptParam = Param{Name: "department", Kind: ParamChoice, Required: true, Choices: []string{"costume", "hmu", "props", "stunts"}, Help: "the department"}
	riderMark = []Param{scene(true), user("performer", "the performer"),
		{Name: "on", Kind: ParamWhen, Key: true, Help: `when, "YYYY-MM-DD HH:MM"; now when left out`},
		keyText("terms", "the rider's terms, for the IC and the performer only")}
)

// params are the commands' parameters, by path; the command table's usage
// lines say the same in words (TestCatalogueMatchesUsage).
var params = map[string][]Param{
	"icbot help":        {{Name: "topic", Kind: ParamText, Help: "a command, such as scene add"}},
	"icbot whoami":      nil,
	"icbot role add":    {user("person", "who"), {Name: "role", Kind: ParamRole, Required: true, Help: "the role"}},
	"icbot role remove": {user("person", "who"), {Name: "role", Kind: ParamRole, Required: true, Help: "the role"}},
	"icbot role list":   nil,
	"scene add": {scene(true),
		{Name: "title", Kind: ParamText, Key: true, Required: true, Help: "the scene's title"},
		{Name: "call", Kind: ParamWhen, Key: true, Required: true, Help: `call time, "YYYY-MM-DD HH:MM"`},
		{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers"},
		{Name: "channel", Kind: ParamChannel, Key: true, Help: "the scene's private channel"}},
	"scene list": {{Name: "all", Kind: ParamChoice, Choices: []string{"all"}, Help: "include wrapped scenes"}},
	"scene show": {scene(true)},
	"scene set": {scene(true), keyText("title", "a new title"),
		{Name: "call", Kind: ParamWhen, Key: true, Help: `a new call time, "YYYY-MM-DD HH:MM"`},
		{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers, all of them"},
		{Name: "channel", Kind: ParamChannel, Key: true, Help: "the scene's private channel"},
		{Name: "status", Kind: ParamChoice, Key: true, Choices: []string{"draft", "ready", "wrapped"}, Help: "the status"}},
	"scene beat add": {scene(true),
		{Name: "description", Kind: ParamText, Required: true, Help: "what happens"},
		{Name: "kind", Kind: ParamChoice, Key: true, Required: true, Choices: []string{"nudity", "contact", "simulated-sex", "other"}, Help: "the kind of beat"},
		keyText("areas", "body areas visible to camera, for nudity: back,buttocks"),
		{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers it involves (all when left out)"}},
	"scene beat set": {scene(true), {Name: "beat", Kind: ParamBeat, Required: true, Help: "the beat, such as b2"},
		{Name: "description", Kind: ParamText, Help: "what happens now"},
		{Name: "kind", Kind: ParamChoice, Key: true, Choices: []string{"nudity", "contact", "simulated-sex", "other"}, Help: "the kind of beat"},
		keyText("areas", "body areas visible to camera"),
		{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers it involves"}},
	"scene beat remove": {scene(true), {Name: "beat", Kind: ParamBeat, Required: true, Help: "the beat, such as b2"}},
	"scene remove":      {scene(true)},
	"closedset start": {scene(true), {Name: "force", Kind: ParamChoice, Choices: []string{"force"}, Help: "start despite missing consent (IC)"},
		keyText("reason", "the IC's written reason for force, shown to the AD")},
	"closedset add":       {scene(true), user("person", "who"), {Name: "role", Kind: ParamRole, Key: true, Help: "why they are essential"}},
	"closedset remove":    {scene(true), user("person", "who")},
	"closedset ack":       {scene(true)},
	"closedset end":       {scene(true)},
	"closedset status":    {scene(false)},
	"boundaries request":  {scene(true), {Name: "performers", Kind: ParamUsers, Help: "only these performers"}},
	"boundaries form":     {scene(true)},
	"boundaries answer":   {scene(true), {Name: "answers", Kind: ParamAnswers, Help: "b1=yes b2=no b3=discuss"}, keyText("notes", "for the IC alone"), keyText("garments", "garments and barriers, for costume"), keyText("body", "body notes, for hair and makeup")},
	"boundaries show":     {scene(true), {Name: "performers", Kind: ParamUsers, Help: "only these performers"}},
	"boundaries status":   {scene(true)},
	"boundaries withdraw": {scene(true), {Name: "beats", Kind: ParamBeats, Help: "only these beats, such as b2 b3"}},
	"rider status":        {scene(true)},
	"rider drafted":       riderMark,
	"rider sent":          riderMark,
	"rider signed":        riderMark,
	"topline":             {scene(true), {Name: "channel", Kind: ParamChannel, Help: "a private channel; the scene's when left out"}},
	"dept channel":        {deptParam, {Name: "channel", Kind: ParamChannel, Required: true, Help: "the department's private channel"}},
	"dept notify":         {scene(true), deptParam},
	"reminders list":      {scene(false)},
	"reminders snooze": {{Name: "reminder", Kind: ParamReminder, Required: true, Help: "the reminder's number"},
		{Name: "by", Kind: ParamDuration, Required: true, Help: "how long, such as 2h"}},
	"reminders cancel": {{Name: "reminder", Kind: ParamReminder, Required: true, Help: "the reminder's number"}},
	"reminders answer": {{Name: "reminder", Kind: ParamReminder, Required: true, Help: "the reminder's number"},
		{Name: "answer", Kind: ParamChoice, Required: true, Choices: []string{"ok", "talk"}, Help: "ok, or talk to the IC"},
		{Name: "note", Kind: ParamText, Help: "anything for the IC"}},
	"hold":      {scene(true), {Name: "reason", Kind: ParamText, Help: "why, for the IC only; may be left out"}},
	"hold lift": {scene(true)},
}

func init() {
	for _, s := range commandTable().specs {
		if _, ok := params[s.path]; !ok {
			panic("bot: no parameters declared for /" + s.path)
		}
	}
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
