// Package console is icbot's embedded default adapter: a chat in the
// terminal, where one person plays everyone. Typing "/as ines" switches who
// you are; "@paula /hold 12" runs one line as someone else. Every message
// is printed with where it went (a reply only you see, a DM to whom, a
// channel and whether it is private), so the need-to-know rules can be
// watched at work. When standard input is not a terminal it reads a script
// and echoes each line, so a demo can be piped in and its transcript kept.
package console

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"icbot/bot"
)

// Handler runs commands; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, cmd bot.Command) *bot.Outcome
	FollowUp(ctx context.Context, o *bot.Outcome)
	// ChannelChanged is told when /channel changes who reads a channel,
	// as a platform's events would tell it.
	ChannelChanged(ctx context.Context, ch bot.ChannelID)
}

// Adapter is the console chat: channels with members and privacy, the
// current identity, and the terminal.
type Adapter struct {
	mu       sync.Mutex
	out      io.Writer
	me       bot.UserID
	here     bot.ChannelID
	echo     bool // print each input line, for scripts
	channels map[bot.ChannelID]*channel
	posts    int // numbers posts, for their references
	// reports is the folder where files sent to people are written.
	reports string
}

type channel struct {
	private bool
	members map[bot.UserID]bool
	// history is what the channel shows a reader, a new member included:
	// every post not taken down, oldest first.
	history []post
}

// post is one message a channel shows.
type post struct {
	ref  bot.PostRef
	text string
}

var (
	_ bot.Chat         = (*Adapter)(nil)
	_ bot.Locker       = (*Adapter)(nil)
	_ bot.UserResolver = (*Adapter)(nil)
	_ bot.Replier      = (*Adapter)(nil)
	_ bot.MemberLister = (*Adapter)(nil)
	_ bot.Retracter    = (*Adapter)(nil)
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithIdentity sets who you are at start.
func WithIdentity(u bot.UserID) Option { return func(a *Adapter) { a.me = u } }

// WithChannel declares a channel, its privacy and members.
func WithChannel(id bot.ChannelID, private bool, members ...bot.UserID) Option {
	return func(a *Adapter) { a.addChannel(id, private, members...) }
}

// WithEcho prints every input line with its prompt, as a script is read.
func WithEcho(on bool) Option { return func(a *Adapter) { a.echo = on } }

// SetChannel is the console's shared announcement channel.
const SetChannel bot.ChannelID = "set"

// New returns a console adapter writing to out. It always has the public
// #set channel, where closed sets are announced.
func New(out io.Writer, opts ...Option) *Adapter {
	a := &Adapter{out: out, me: "admin", here: SetChannel, channels: map[bot.ChannelID]*channel{}}
	a.addChannel(SetChannel, false)
	for _, o := range opts {
		o(a)
	}
	return a
}

func (a *Adapter) addChannel(id bot.ChannelID, private bool, members ...bot.UserID) {
	c := &channel{private: private, members: map[bot.UserID]bool{}}
	for _, m := range members {
		c.members[m] = true
	}
	a.channels[id] = c
}

// Post prints a channel message and keeps it in the channel's history.
func (a *Adapter) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return "", bot.NotPosted(bot.Errorf(bot.ENOTFOUND, "the console has no channel #%s (declare it with /channel #%s private)", ch, ch))
	}
	a.print(a.where(ch, c), m.Text+buttons(m.Actions))
	a.posts++
	ref := bot.PostRef(strconv.Itoa(a.posts))
	c.history = append(c.history, post{ref: ref, text: m.Text})
	return ref, nil
}

// Retract takes a post out of the channel's history, and says so.
func (a *Adapter) Retract(ctx context.Context, ch bot.ChannelID, ref bot.PostRef) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return nil
	}
	i := slices.IndexFunc(c.history, func(p post) bool { return p.ref == ref })
	if i < 0 {
		return nil
	}
	first, _, _ := strings.Cut(c.history[i].text, "\n")
	if r := []rune(first); len(r) > 60 {
		first = string(r[:60]) + "…"
	}
	c.history = slices.Delete(c.history, i, i+1)
	a.print(a.where(ch, c), fmt.Sprintf("(icbot took down its earlier message %q)", first))
	return nil
}

// where names a channel and its privacy; a.mu is held.
func (a *Adapter) where(ch bot.ChannelID, c *channel) string {
	if c.private {
		return fmt.Sprintf("#%s, private", ch)
	}
	return fmt.Sprintf("#%s, public", ch)
}

// DM prints a direct message.
func (a *Adapter) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print("DM to @"+string(to), m.Text+buttons(m.Actions))
	return nil
}

// buttons shows a message's actions as the commands a person could type.
func buttons(as []bot.Action) string {
	if len(as) == 0 {
		return ""
	}
	parts := make([]string, len(as))
	for i, ac := range as {
		parts[i] = fmt.Sprintf("[%s: %s]", ac.Label, ac.Command)
	}
	return "\nbuttons: " + strings.Join(parts, " ")
}

// Reply prints a late reply that only its recipient sees. The console
// needs no reply handle.
func (a *Adapter) Reply(ctx context.Context, handle string, to bot.UserID, m bot.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print("only @"+string(to)+" sees", m.Text)
	return nil
}

// IsPrivate reports the channel's privacy; a channel the console does not
// know counts as public, so nothing sensitive goes to it.
func (a *Adapter) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return false, bot.Errorf(bot.ENOTFOUND, "the console has no channel #%s", ch)
	}
	return c.private, nil
}

// ResolveUser: on the console, a name is an id.
func (a *Adapter) ResolveUser(ctx context.Context, name string) (bot.Person, error) {
	id := strings.ToLower(name)
	return bot.Person{ID: bot.UserID(id), Name: id}, nil
}

// Lock restricts a private channel to the roster: its members become
// exactly the roster. The first Lock of a session saves the members it
// found, which Unlock puts back exactly; Removed lists those of them the
// roster leaves out.
func (a *Adapter) Lock(ctx context.Context, ch bot.ChannelID, roster []bot.UserID, prev bot.LockResult) (bot.LockResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return prev, bot.Errorf(bot.EUNAVAILABLE, "the console has no channel #%s", ch)
	}
	if !c.private {
		return prev, bot.Errorf(bot.EUNAVAILABLE, "#%s is a public channel: make it private (/channel #%s private) so that it can be locked", ch, ch)
	}
	res := bot.LockResult{Restore: prev.Restore}
	if res.Restore == nil {
		saved, err := json.Marshal(sortedMembers(c))
		if err != nil {
			return prev, err
		}
		res.Restore = saved
	}
	var original []bot.UserID
	if err := json.Unmarshal(res.Restore, &original); err != nil {
		return prev, fmt.Errorf("console: reading the saved members of #%s: %w", ch, err)
	}
	c.members = map[bot.UserID]bool{}
	for _, u := range roster {
		c.members[u] = true
	}
	for _, u := range original {
		if !c.members[u] {
			res.Removed = append(res.Removed, u)
		}
	}
	return res, nil
}

// Unlock puts back exactly the members the channel had before the first
// Lock: those taken out return, and roster members who were not members
// before leave again.
func (a *Adapter) Unlock(ctx context.Context, ch bot.ChannelID, lock bot.LockResult) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return bot.Errorf(bot.EUNAVAILABLE, "the console has no channel #%s", ch)
	}
	var original []bot.UserID
	if err := json.Unmarshal(lock.Restore, &original); err != nil {
		return fmt.Errorf("console: reading the saved members of #%s: %w", ch, err)
	}
	c.members = map[bot.UserID]bool{}
	for _, u := range original {
		c.members[u] = true
	}
	return nil
}

// Members lists who can read a channel: a private channel's members,
// sorted. Everyone can read a public one, which it says as an error.
func (a *Adapter) Members(ctx context.Context, ch bot.ChannelID) ([]bot.UserID, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.channels[ch]
	if !ok {
		return nil, bot.Errorf(bot.ENOTFOUND, "the console has no channel #%s", ch)
	}
	if !c.private {
		return nil, bot.Errorf(bot.EUNAVAILABLE, "#%s is public: everyone can read it", ch)
	}
	return sortedMembers(c), nil
}

func handlesOf(ids []bot.UserID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = "@" + string(id)
	}
	return out
}

func sortedMembers(c *channel) []bot.UserID {
	ms := make([]bot.UserID, 0, len(c.members))
	for m := range c.members {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	return ms
}

// print writes one message with its destination; a.mu is held. Every
// line is made visible: a message may quote what someone typed.
func (a *Adapter) print(where, text string) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	fmt.Fprintf(a.out, "  [%s] %s\n", visible(where), visible(lines[0]))
	for _, l := range lines[1:] {
		fmt.Fprintf(a.out, "      %s\n", visible(l))
	}
}

// Run reads lines from in until it ends or ctx is done, running each as a
// command of the current identity.
func (a *Adapter) Run(ctx context.Context, in io.Reader, h Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		err := readLines(in, maxLine, func(line string) bool {
			select {
			case lines <- line:
				return true
			case <-ctx.Done():
				return false
			}
		})
		errc <- err
		close(lines)
	}()
	for {
		if !a.echo {
			a.prompt()
		}
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				return <-errc
			}
			if quit := a.line(ctx, line, h); quit {
				return nil
			}
		}
	}
}

// maxLine is the longest line the console reads; a longer one is refused
// whole, and the next line is read as usual.
const maxLine = 64 * 1024

// tooLong stands for a line over maxLine: line says so instead of running
// the part that fitted.
const tooLong = "\x00too long"

// readLines hands each line of in to each, without its line ending, until
// in ends or each returns false. A line longer than max is handed over as
// tooLong, and the rest of it skipped.
func readLines(in io.Reader, max int, each func(string) bool) error {
	r := bufio.NewReaderSize(in, 4096)
	var buf []byte
	over := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !over {
			if len(buf)+len(chunk) > max+2 { // room for "\r\n"
				over, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return err
		}
		if len(chunk) > 0 || len(buf) > 0 || over {
			line := strings.TrimRight(string(buf), "\r\n")
			if over || len(line) > max {
				line = tooLong
			}
			if !each(line) {
				return nil
			}
		}
		buf, over = buf[:0], false
		if err == io.EOF {
			return nil
		}
	}
}

func (a *Adapter) prompt() {
	a.mu.Lock()
	defer a.mu.Unlock()
	fmt.Fprintf(a.out, "%s@#%s> ", visible(string(a.me)), visible(string(a.here)))
}

// line runs one input line; it reports whether the user asked to quit.
func (a *Adapter) line(ctx context.Context, line string, h Handler) bool {
	if line == tooLong {
		a.say("That line is longer than %d characters, so nothing of it was run. Type a shorter one.", maxLine)
		return false
	}
	text := strings.TrimSpace(line)
	if a.echo {
		a.mu.Lock()
		if text == "" || strings.HasPrefix(text, "# ") || text == "#" {
			fmt.Fprintln(a.out, visible(text))
		} else {
			fmt.Fprintf(a.out, "%s@#%s> %s\n", visible(string(a.me)), visible(string(a.here)), visible(text))
		}
		a.mu.Unlock()
	}
	if text == "" || strings.HasPrefix(text, "# ") || text == "#" {
		return false
	}
	who := a.me
	if rest, ok := strings.CutPrefix(text, "@"); ok {
		name, cmd, _ := strings.Cut(rest, " ")
		who, text = bot.UserID(strings.ToLower(name)), strings.TrimSpace(cmd)
		if !plainName(name) {
			a.say("@%s is not a name: %s Nothing was run.", name, nameRule)
			return false
		}
		if text == "" {
			a.say("Type a command after the name, as in @paula /hold 12.")
			return false
		}
	}
	if done, quit := a.meta(ctx, text, h); done {
		return quit
	}
	text, up, ok := a.upload(text)
	if !ok {
		return false
	}
	cmd := bot.Command{Caller: who, CallerName: string(who), Channel: a.here, Text: text, Upload: up}
	o := h.Handle(ctx, cmd)
	a.mu.Lock()
	for _, m := range o.Replies {
		a.print("only @"+string(who)+" sees", m.Text)
	}
	a.mu.Unlock()
	h.FollowUp(ctx, o)
	return false
}

func (a *Adapter) say(format string, args ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.print("console", fmt.Sprintf(format, args...))
}

// nameRule says what a name typed in the console may hold.
const nameRule = "a name has no control or invisible characters."

const consoleHelp = `Console commands (the rest go to icbot: /icbot help):
  /as NAME                  act as someone else from now on
  @NAME /command ...        run one command as someone else
  /in #CHANNEL              type your commands in another channel
  /channel #NAME private|public [@member ...]
                            create or change a console channel (and its members)
  /channels                 list the console's channels and their members
  /quit                     leave (so does Ctrl-D)
Every message shows where it went: [only @x sees], [DM to @x], [#channel, private|public].`

// meta handles the console's own commands. It reports whether the line was
// one, and whether it asked to quit.
func (a *Adapter) meta(ctx context.Context, text string, h Handler) (done, quit bool) {
	fields := strings.Fields(text)
	switch strings.ToLower(fields[0]) {
	case "/quit", "/exit":
		return true, true
	case "/help":
		a.say(consoleHelp)
	case "/as":
		a.switchUser(fields)
	case "/in":
		a.switchChannel(fields)
	case "/channel":
		a.setChannel(ctx, fields, h)
	case "/channels":
		a.listChannels()
	default:
		return false, false
	}
	return true, false
}

// switchUser is /as NAME: who the console speaks as.
func (a *Adapter) switchUser(fields []string) {
	if len(fields) != 2 {
		a.say("Usage: /as NAME")
		return
	}
	name := strings.ToLower(strings.TrimPrefix(fields[1], "@"))
	if !plainName(name) {
		a.say("%s is not a name: %s Usage: /as NAME", fields[1], nameRule)
		return
	}
	a.mu.Lock()
	a.me = bot.UserID(name)
	a.mu.Unlock()
	a.say("You are now @%s.", name)
}

// switchChannel is /in #CHANNEL: where the console speaks.
func (a *Adapter) switchChannel(fields []string) {
	if len(fields) != 2 || !strings.HasPrefix(fields[1], "#") {
		a.say("Usage: /in #CHANNEL")
		return
	}
	id := bot.ChannelID(strings.TrimPrefix(fields[1], "#"))
	if !plainName(string(id)) {
		a.say("%s is not a channel name: %s Usage: /in #CHANNEL", fields[1], nameRule)
		return
	}
	a.mu.Lock()
	_, ok := a.channels[id]
	if ok {
		a.here = id
	}
	a.mu.Unlock()
	if !ok {
		a.say("There is no channel #%s: /channels lists them, /channel #%s private creates it.", id, id)
	}
}

// setChannel is /channel #NAME private|public [@member ...]: a channel
// made or changed outside icbot, as on a platform.
func (a *Adapter) setChannel(ctx context.Context, fields []string, h Handler) {
	if len(fields) < 3 || !strings.HasPrefix(fields[1], "#") || len(fields[1]) < 2 || (fields[2] != "private" && fields[2] != "public") {
		a.say("Usage: /channel #NAME private|public [@member ...]  (members: of a private channel; you, when none are named)")
		return
	}
	if !plainName(fields[1][1:]) {
		a.say("%s is not a channel name: %s Usage: /channel #NAME private|public [@member ...]", fields[1], nameRule)
		return
	}
	var members []bot.UserID
	for _, f := range fields[3:] {
		if !strings.HasPrefix(f, "@") || len(f) < 2 {
			a.say("%q is not a member: write members as @name. Usage: /channel #NAME private|public [@member ...]", f)
			return
		}
		if !plainName(f[1:]) {
			a.say("%s is not a name: %s Usage: /channel #NAME private|public [@member ...]", f, nameRule)
			return
		}
		members = append(members, bot.UserID(strings.ToLower(strings.TrimPrefix(f, "@"))))
	}
	id := bot.ChannelID(strings.TrimPrefix(fields[1], "#"))
	private := fields[2] == "private"
	a.mu.Lock()
	c, ok := a.channels[id]
	switch {
	case !ok && len(members) == 0:
		a.addChannel(id, private, a.me)
	case !ok:
		a.addChannel(id, private, members...)
	default:
		c.private = private
		if len(members) > 0 {
			c.members = map[bot.UserID]bool{}
			for _, m := range members {
				c.members[m] = true
			}
		}
	}
	c = a.channels[id]
	who := "everyone"
	if private {
		who = "members: " + strings.Join(handlesOf(sortedMembers(c)), " ")
	}
	a.mu.Unlock()
	a.say("#%s is %s (%s).", id, fields[2], who)
	// A change made outside icbot, as on a platform: icbot checks
	// what it posted there against the new readers.
	h.ChannelChanged(ctx, id)
}

// listChannels is /channels.
func (a *Adapter) listChannels() {
	a.mu.Lock()
	ids := make([]string, 0, len(a.channels))
	for id := range a.channels {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	var b strings.Builder
	b.WriteString("Channels:")
	for _, id := range ids {
		c := a.channels[bot.ChannelID(id)]
		vis := "public, everyone"
		if c.private {
			vis = "private: " + strings.Join(handlesOf(sortedMembers(c)), " ")
		}
		fmt.Fprintf(&b, "\n  #%s (%s)", id, vis)
	}
	a.print("console", b.String())
	a.mu.Unlock()
}
