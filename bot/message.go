package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Command is one command typed by a person, as an adapter hands it over.
type Command struct {
	Caller UserID
	// CallerName is the caller's display name on the platform, when the
	// adapter knows it; used for people icbot does not know yet.
	CallerName string
	// Channel is where the command was typed.
	Channel ChannelID
	// Text is the whole command line: "/closedset start 12".
	Text string
	// ReplyHandle is the adapter's way back to the caller for late replies
	// (see Replier); kept with pending deliveries, so it must be plain data.
	ReplyHandle string
	// Once, when set, names this one request on the platform (a Slack
	// request's signature or event id, a Discord interaction id). A
	// command that changes anything takes effect once per key: the key is
	// recorded in the command's own transaction, so a replayed or retried
	// request changes nothing, across restarts too, while one that failed
	// may be sent again.
	Once string
	// Upload is a file the person sent with the command (a screenplay for
	// /scene import): a file shared in the DM with icbot on Slack, an
	// attachment on Discord. Nil when none.
	Upload *Upload
}

// Upload is a file a person handed icbot.
type Upload struct {
	Name string
	Data []byte
}

// DestKind says where a message goes.
type DestKind int

// Destinations.
const (
	// ToCaller is seen by the person who typed the command only (Slack
	// ephemeral, Discord ephemeral, the console's "visible only to").
	ToCaller DestKind = iota + 1
	// ToUser is a direct message to one person.
	ToUser
	// ToChannel is a post that every member of a channel can read.
	ToChannel
)

// Destination is where a message goes.
type Destination struct {
	Kind    DestKind
	User    UserID    // for ToCaller and ToUser
	Channel ChannelID // for ToChannel
}

func (d Destination) String() string {
	switch d.Kind {
	case ToCaller:
		return "reply to " + string(d.User)
	case ToUser:
		return "DM to " + string(d.User)
	case ToChannel:
		return "channel " + string(d.Channel)
	}
	return "nowhere"
}

// Message is one thing icbot says, addressed in domain terms. Every message
// carries the class of information it holds, and the need-to-know gate
// decides from it whether the destination may receive it.
type Message struct {
	To    Destination
	Class Class
	// Scene is the scene the message is about, if any; the gate uses it to
	// decide who counts as "own scene" or "on the roster".
	Scene SceneID
	// Subject is the person whose private data the message holds, if any;
	// the gate lets it reach them ("own").
	Subject UserID
	Text    string
	// Actions are buttons offered with the message; pressing one runs its
	// command as the person who pressed it, with every usual check.
	Actions []Action
	// Form, on a reply only, asks for several answers at once (a Slack
	// modal); adapters without forms show Text, which says what to type.
	Form *Form
}

// Form asks for several answers at once. On submission the adapter runs
// Command followed by each field as key=value, as the person who
// submitted it, so a form is only another way of typing a command.
type Form struct {
	Title   string
	Command string // "/boundaries answer 12"
	Choices []FormChoice
	Texts   []FormText
}

// FormChoice is one question with fixed options, such as a beat's yes, no
// or discuss.
type FormChoice struct {
	Key     string // "b3"
	Label   string
	Options []string
	Value   string // the current answer, if any
}

// FormText is a free-text field.
type FormText struct {
	Key   string // "notes"
	Label string
	Value string
}

// Submit turns submitted values (key -> value) into the command the form
// stands for. Values are quoted, so that any text survives the parser.
func (f *Form) Submit(values map[string]string) string {
	var b strings.Builder
	b.WriteString(f.Command)
	keys := make([]string, 0, len(f.Choices)+len(f.Texts))
	for _, c := range f.Choices {
		keys = append(keys, c.Key)
	}
	for _, t := range f.Texts {
		keys = append(keys, t.Key)
	}
	for _, k := range keys {
		v, ok := values[k]
		if !ok || (v == "" && !slices.ContainsFunc(f.Texts, func(t FormText) bool { return t.Key == k })) {
			continue
		}
		fmt.Fprintf(&b, " %s=%s", k, quote(v))
	}
	return b.String()
}

// quote writes v as a double-quoted value the parser reads back exactly.
func quote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "“", `\“`, "”", `\”`)
	return `"` + r.Replace(v) + `"`
}

// Action is a button: a label, and the command it runs for whoever presses
// it ("/closedset ack 12"). Adapters without buttons show the command.
type Action struct {
	Label   string
	Command string
}

// Outcome is the result of one command: replies for the caller, ready to
// show at once, and the follow-up work (notices, channel locks) that
// Bot.FollowUp does after the adapter has answered the platform.
type Outcome struct {
	// Replies are for the caller only, already screened.
	Replies []Message
	// Err is the failure shown in Replies, if the command failed.
	Err error

	cmd Command
	// deliveries are the ids of the notices the command enqueued.
	deliveries []uint64
	effects    []effect
}

// ReplyText joins the replies' texts, for adapters that answer once.
func (o *Outcome) ReplyText() string {
	parts := make([]string, len(o.Replies))
	for i, m := range o.Replies {
		parts[i] = m.Text
	}
	return strings.Join(parts, "\n\n")
}

// HasFollowUp reports whether FollowUp has anything to do.
func (o *Outcome) HasFollowUp() bool { return len(o.deliveries) > 0 || len(o.effects) > 0 }

// Repeated reports whether the command was not run because its request
// key (Command.Once) had been seen before: a replay, or a platform's
// retry of a request that took effect. Adapters need not answer it again
// where the first answer already went.
func (o *Outcome) Repeated() bool { return o.Err == errRepeated }

// effect is follow-up work with side effects on the platform, such as a
// channel lock, done after the command's transaction has committed.
type effect func(ctx context.Context, b *Bot, cmd Command) error

// out collects what a handler says while it runs.
type out struct {
	caller  UserID
	replies []Message
	notices []Message
	effects []effect
}

func (o *out) reply(c Class, scene SceneID, format string, args ...any) {
	o.replies = append(o.replies, Message{
		To: Destination{Kind: ToCaller, User: o.caller}, Class: c, Scene: scene,
		Text: fmt.Sprintf(format, args...),
	})
}

// replyOwn is a reply holding the caller's own private data (their roles,
// the hold they called): the gate lets it reach them as its subject.
func (o *out) replyOwn(c Class, scene SceneID, format string, args ...any) {
	o.reply(c, scene, format, args...)
	o.replies[len(o.replies)-1].Subject = o.caller
}

func (o *out) dm(to UserID, c Class, scene SceneID, subject UserID, text string) {
	o.notices = append(o.notices, Message{
		To: Destination{Kind: ToUser, User: to}, Class: c, Scene: scene, Subject: subject, Text: text,
	})
}

func (o *out) post(ch ChannelID, c Class, scene SceneID, text string) {
	o.notices = append(o.notices, Message{
		To: Destination{Kind: ToChannel, Channel: ch}, Class: c, Scene: scene, Text: text,
	})
}

func (o *out) then(e effect) { o.effects = append(o.effects, e) }

// withActions adds buttons to the notice just added.
func (o *out) withActions(as ...Action) {
	o.notices[len(o.notices)-1].Actions = as
}
