package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// spec is one command: its words, its typed parameters, who may run it and
// its handler. Everything else about a command (the usage line, the keys
// the router accepts, the free text it takes as typed, the help text, the
// catalogue that adapters turn into Discord options and the Slack
// manifest) is derived from it by newRegistry, so a new command is one
// spec and one handler.
type spec struct {
	path    string // "scene beat add"
	summary string // one line for /icbot help
	help    string // more lines for /scene help add, may be empty
	params  []Param
	// anonymous: the caller is not logged: who called a hold, withdrew,
	// or answered about their boundaries or a check-in is for the IC.
	anonymous bool
	// keepsWithoutText: a free text that breaks its rule (too long, a
	// control character) is left out and the command runs without it,
	// rather than refused: a hold must be taken whatever its reason says.
	keepsWithoutText bool
	access           access
	write            bool // runs in a read-write transaction
	run              func(in *input, tx Tx) error

	// Derived from params by derive.
	usage string   // what follows the path: `ID "description" kind=KIND [areas=a,b]`
	keys  []string // the key=value names it accepts, in order
	// keyOK accepts further keys by their shape (beat ids: b1=yes).
	keyOK func(string) bool
	// freeText, when set, is how many words come before the rest of the
	// line, which is one text taken as typed (a hold's reason), bounded by
	// textRules[freeRule].
	freeText int
	freeRule string
}

func (s *spec) usageLine() string {
	u := "/" + s.path
	if s.usage != "" {
		u += " " + s.usage
	}
	return u
}

// access is who may run a command. Roles and admins are checked by the
// router before the handler runs; the scene relations (performer of the
// scene, on its roster) are checked by the handler once it has loaded the
// scene, through input.authorizeScene. A handler that returns without the
// caller being authorized one way or the other fails closed.
type access struct {
	everyone bool // anyone, even people without a role
	crew     bool // anyone with at least one role
	admins   bool
	roles    []Role
	// Scene relations.
	performerOf bool
	rosterOf    bool
}

func (a access) byRole(p Person, admin bool) bool {
	return a.everyone || (a.crew && p.Known()) || (a.admins && admin) || slices.ContainsFunc(a.roles, p.Has)
}

func (a access) byScene(p Person, sc *Scene, roster []RosterMember) bool {
	return (a.performerOf && sc.IsPerformer(p.ID)) || (a.rosterOf && onRoster(roster, p.ID))
}

func (a access) relational() bool { return a.performerOf || a.rosterOf }

// who describes in words who may run the command.
func (a access) who() string {
	if a.everyone {
		return "anyone"
	}
	if a.crew {
		return "anyone with a role on the production"
	}
	var parts []string
	for _, r := range a.roles {
		parts = append(parts, "the "+r.Title())
	}
	if a.admins {
		parts = append(parts, "an admin")
	}
	if a.performerOf {
		parts = append(parts, "the scene's performers")
	}
	if a.rosterOf {
		parts = append(parts, "the closed-set roster")
	}
	switch len(parts) {
	case 0:
		return "nobody"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// registry holds the command table, indexed by path.
type registry struct {
	specs  []*spec
	byPath map[string]*spec
	groups map[string][]*spec // "scene" -> its sub-commands
	order  []string           // the groups in table order
	// summaries say what each group is for, in the Slack manifest and
	// the short help; a group without one is described by its first
	// command.
	summaries map[string]string
}

func newRegistry(specs []*spec) *registry {
	r := &registry{specs: specs, byPath: map[string]*spec{}, groups: map[string][]*spec{}}
	for _, s := range specs {
		if _, dup := r.byPath[s.path]; dup {
			panic("duplicate command " + s.path)
		}
		if err := s.derive(); err != nil {
			panic("bot: /" + s.path + ": " + err.Error())
		}
		r.byPath[s.path] = s
		name, _, _ := strings.Cut(s.path, " ")
		if _, ok := r.groups[name]; !ok {
			r.order = append(r.order, name)
		}
		r.groups[name] = append(r.groups[name], s)
	}
	return r
}

// match finds the longest command path that the line's leading words
// spell, and returns the spec and how many positional words it used. When
// no spec matches, prefix is the longest group of commands the words
// reached ("scene beat"), for help.
func (r *registry) match(line Line) (s *spec, used int, prefix string, prefixUsed int) {
	path := line.Name
	s, prefix = r.byPath[path], path
	for i, a := range line.Args {
		if !a.Positional() || a.Quoted {
			break
		}
		path += " " + strings.ToLower(a.Value)
		if found, ok := r.byPath[path]; ok {
			s, used = found, i+1
		}
		if !r.isPrefix(path) {
			break
		}
		prefix, prefixUsed = path, i+1
	}
	return s, used, prefix, prefixUsed
}

func (r *registry) isPrefix(path string) bool {
	for p := range r.byPath {
		if strings.HasPrefix(p, path+" ") {
			return true
		}
	}
	return false
}

// under lists the commands whose path starts with prefix.
func (r *registry) under(prefix string) []*spec {
	var out []*spec
	for _, s := range r.specs {
		if s.path == prefix || strings.HasPrefix(s.path, prefix+" ") {
			out = append(out, s)
		}
	}
	return out
}

// input is one command being run: the caller, the words left to read, and
// what the handler says.
type input struct {
	ctx    context.Context
	b      *Bot
	spec   *spec
	cmd    Command
	caller Person
	admin  bool
	now    time.Time
	args   []Arg          // positional words after the command path
	named  map[string]Arg // key=value arguments
	free   string         // the free text of a freeText command
	// freeDropped says why the free text was not kept, for a command
	// that must never be refused for its words (a hold): it runs
	// without them.
	freeDropped string
	out         out
	// remindersChanged wakes the reminder loop after the commit.
	remindersChanged bool
	// authorized is set when the caller passed the role check, or the
	// handler's scene check.
	authorized bool
}

// Handle runs one command and returns what to answer the caller at once and
// what to do afterwards (Bot.FollowUp). It never panics on bad input: every
// failure becomes a reply.
func (b *Bot) Handle(ctx context.Context, cmd Command) *Outcome {
	start := time.Now()
	o := &Outcome{cmd: cmd}
	in, err := b.prepare(ctx, cmd, o)
	if err == nil && in != nil {
		err = b.run(ctx, in, o)
		if err == nil && in.remindersChanged {
			b.wakeReminders()
		}
	}
	if err != nil {
		b.fail(o, in, err)
	}
	level := slog.LevelInfo
	if ErrorCode(err) == EINTERNAL {
		level = slog.LevelError
	}
	// Never the command text: it may hold notes or reasons. Nor who called
	// a hold or gave a consent answer: the IC alone may know that.
	caller := string(cmd.Caller)
	if in != nil && in.spec != nil && in.spec.anonymous {
		caller = "(withheld)"
	}
	took := time.Since(start)
	b.log.LogAttrs(ctx, level, "command",
		slog.String("command", specPath(in)),
		slog.String("caller", caller),
		slog.String("outcome", outcomeName(err)),
		slog.Duration("took", took))
	if b.observe != nil {
		b.observe(specPath(in), outcomeName(err), took)
	}
	return o
}

// renamed maps a command's former name to its name now. Buttons sent
// before a rename (a check-in's "/remind answer 3 ok") still work; Slack
// reserves /remind for itself, so it became /reminders.
var renamed = map[string]string{"remind": "reminders"}

// prepare parses the line and finds its spec. It returns a nil input when
// the line asked for help, which it puts in o.
func (b *Bot) prepare(ctx context.Context, cmd Command, o *Outcome) (*input, error) {
	if in, ok := b.prepareFreeText(ctx, cmd); ok {
		return in, in.checkFree()
	}
	line, err := Parse(cmd.Text)
	if err != nil {
		return nil, err
	}
	if err := checkLine(cmd.Text, line.Args); err != nil {
		return nil, err
	}
	if to, ok := renamed[line.Name]; ok {
		line.Name = to
	}
	if _, ok := b.commands.groups[line.Name]; !ok {
		return nil, Errorf(EINVALID, "unknown command /%s: icbot has %s. Type /icbot help.", line.Name, b.commands.names())
	}
	s, used, prefix, prefixUsed := b.commands.match(line)
	rest := line.Args[used:]
	if s == nil {
		rest = line.Args[prefixUsed:]
	}
	if len(rest) > 0 && rest[0].Positional() && !rest[0].Quoted && strings.EqualFold(rest[0].Value, "help") {
		// "/scene add help" or "/scene help [add]": help, not a command.
		topic := prefix
		if s != nil {
			topic = s.path
		} else if len(rest) > 1 {
			topic = prefix + " " + strings.ToLower(rest[1].Value)
		}
		o.Replies = []Message{{To: Destination{Kind: ToCaller, User: cmd.Caller}, Class: ClassPublic, Text: b.commands.help(topic)}}
		return nil, nil
	}
	if s == nil {
		if len(rest) == 0 || !rest[0].Positional() {
			return nil, Errorf(EINVALID, "/%s needs a sub-command: %s. Type /%s help for their usage.", prefix, b.commands.subCommands(prefix), prefix)
		}
		return nil, Errorf(EINVALID, "/%s has no sub-command %q. Its sub-commands: %s. Type /%s help for their usage.", prefix, rest[0].Value, b.commands.subCommands(prefix), prefix)
	}
	in := &input{ctx: ctx, b: b, spec: s, cmd: cmd, now: b.now(), named: map[string]Arg{}}
	for _, a := range rest {
		if a.Positional() {
			in.args = append(in.args, a)
			continue
		}
		if !slices.Contains(s.keys, a.Key) && (s.keyOK == nil || !s.keyOK(a.Key)) {
			if len(s.keys) == 0 {
				return in, Errorf(EINVALID, "/%s takes no key=value options, but got %s=", s.path, a.Key)
			}
			return in, Errorf(EINVALID, "unknown key %s= for /%s (it takes %s)", a.Key, s.path, keyList(s.keys))
		}
		if _, dup := in.named[a.Key]; dup {
			return in, Errorf(EINVALID, "%s= is given twice", a.Key)
		}
		in.named[a.Key] = a
	}
	return in, in.checkChoices()
}

// checkChoices holds key=value options with fixed choices to them, as
// the command's parameters list them (any case, written back as listed),
// and refuses a key's name typed alone as a word: "widens" for
// "widens=yes" would otherwise be read as a positional value.
func (in *input) checkChoices() error {
	for _, p := range in.spec.params {
		if !p.Key {
			continue
		}
		for _, a := range in.args {
			if !a.Quoted && strings.EqualFold(a.Value, p.Name) {
				return Errorf(EINVALID, "%s needs a value: write %s=%s", p.Name, p.Name, p.meta())
			}
		}
		a, ok := in.named[p.Name]
		if !ok || p.Kind != ParamChoice {
			continue
		}
		i := slices.IndexFunc(p.Choices, func(c string) bool { return strings.EqualFold(c, strings.TrimSpace(a.Value)) })
		if i < 0 {
			return Errorf(EINVALID, "%s=%s is not a choice: %s= takes %s", p.Name, quote(a.Value), p.Name, orList(p.Choices))
		}
		a.Value = p.Choices[i]
		in.named[p.Name] = a
	}
	return nil
}

// prepareFreeText handles commands whose last argument is free text taken
// exactly as typed (/hold ID reason): a reason is never refused for holding
// an '=' or a stray quote. It reports false for every other line.
func (b *Bot) prepareFreeText(ctx context.Context, cmd Command) (*input, bool) {
	words, rest := fields(cmd.Text)
	if len(words) == 0 {
		return nil, false
	}
	name := strings.ToLower(strings.TrimPrefix(words[0], "/"))
	if to, ok := renamed[name]; ok {
		name = to
	}
	var s *spec
	path, used := name, 0
	for i := 0; ; i++ {
		if found, ok := b.commands.byPath[path]; ok {
			s, used = found, i
		}
		if i+1 >= len(words) || !b.commands.isPrefix(path) {
			break
		}
		path += " " + strings.ToLower(words[i+1])
	}
	if s == nil || s.freeText == 0 || used+s.freeText >= len(words) || strings.EqualFold(words[used+1], "help") {
		return nil, false
	}
	in := &input{ctx: ctx, b: b, spec: s, cmd: cmd, now: b.now(), named: map[string]Arg{}}
	for _, w := range words[used+1 : used+1+s.freeText] {
		in.args = append(in.args, Arg{Value: w})
	}
	in.free = freeText(rest[used+s.freeText])
	return in, true
}

// checkFree bounds a free-text command's words and its text.
func (in *input) checkFree() error {
	if err := checkLine(in.cmd.Text, in.args); err != nil {
		return err
	}
	rule, ok := textRules[in.spec.freeRule]
	if !ok {
		rule = anyValue
	}
	err := checkText(rule, in.free)
	if err != nil && in.spec.keepsWithoutText {
		// A hold is taken whatever its reason says: calling one must
		// meet no step. The reason is left out, and the caller told.
		in.freeDropped, in.free = ErrorMessage(err), ""
		return nil
	}
	return err
}

// fields splits text at white space and also returns, for each word, the
// text after it.
func fields(text string) (words, after []string) {
	i := 0
	for {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r') {
			i++
		}
		if i >= len(text) {
			return words, after
		}
		j := i
		for j < len(text) && !(text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r') {
			j++
		}
		words = append(words, text[i:j])
		after = append(after, text[j:])
		i = j
	}
}

// freeText tidies a free-text argument: surrounding space, an optional
// reason= prefix and one pair of enclosing quotes go; the rest stays as typed.
func freeText(s string) string {
	s = strings.TrimSpace(s)
	if v, ok := strings.CutPrefix(s, "reason="); ok {
		s = strings.TrimSpace(v)
	}
	r := []rune(s)
	if len(r) >= 2 && isQuote(r[0]) && isQuote(r[len(r)-1]) {
		s = strings.TrimSpace(string(r[1 : len(r)-1]))
	}
	return s
}

func keyList(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "="
	}
	return strings.Join(parts, ", ")
}

func (b *Bot) fail(o *Outcome, in *input, err error) {
	msg := ErrorMessage(err)
	if code := ErrorCode(err); (code == EINVALID || code == ENOTFOUND) && in != nil && in.spec != nil {
		msg += "\nUsage: " + in.spec.usageLine()
	}
	o.Err = err
	o.Replies = append(o.Replies[:0], Message{
		To:    Destination{Kind: ToCaller, User: o.cmd.Caller},
		Class: ClassPublic,
		Text:  msg,
	})
	if ErrorCode(err) == EINTERNAL {
		detail := err.Error()
		if in != nil && in.spec != nil && in.spec.anonymous {
			// The cause may name a record by its key, the caller's id in
			// it (boundaries/12/U1/2): who withdrew or answered is the
			// IC's to know, not the log's.
			detail = strings.ReplaceAll(detail, string(o.cmd.Caller), "(withheld)")
		}
		b.log.Error("command failed", "command", specPath(in), "err", detail)
	}
}

// outcomeName is the outcome label for logs and metrics.
func outcomeName(err error) string {
	if err == nil {
		return "ok"
	}
	return ErrorCode(err)
}

func specPath(in *input) string {
	if in == nil || in.spec == nil {
		return ""
	}
	return in.spec.path
}

var errNotAuthorized = errors.New("handler returned without authorizing the caller")

// errRepeated answers a request the platform delivered before (a replay,
// or a retry of one that took effect).
var errRepeated = Errorf(ECONFLICT, "This request was already handled, so it was not run again.")

// run executes the handler in one transaction and screens what it says.
func (b *Bot) run(ctx context.Context, in *input, o *Outcome) error {
	txn := b.store.View
	if in.spec.write {
		txn = b.store.Update
	}
	return txn(ctx, func(btx Tx) error {
		// Every scene the command writes to, or to whose consent,
		// riders or sessions, has its reminders brought in line.
		tx := &touching{Tx: btx}
		in.out = out{caller: in.cmd.Caller}
		in.authorized = false
		if in.spec.write && in.cmd.Once != "" {
			first, err := tx.FirstSeen(in.cmd.Once, in.now)
			if err != nil {
				return err
			}
			if !first {
				return errRepeated
			}
		}
		caller, err := tx.Person(in.cmd.Caller)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			caller = Person{ID: in.cmd.Caller, Name: cleanName(in.cmd.CallerName)}
		case err != nil:
			return err
		}
		in.caller = caller
		in.admin = b.isAdmin(caller.ID)
		if in.spec.access.byRole(caller, in.admin) {
			in.authorized = true
		} else if !in.spec.access.relational() {
			return in.forbidden()
		}
		if err := in.spec.run(in, tx); err != nil {
			return err
		}
		if !in.authorized {
			return Internal(fmt.Errorf("%s: %w", in.spec.path, errNotAuthorized))
		}
		if in.spec.write {
			touched, err := tx.changed()
			if err != nil {
				return err
			}
			for _, id := range touched {
				changed, err := b.syncReminders(tx, id, b.clock())
				if err != nil {
					return err
				}
				in.remindersChanged = in.remindersChanged || changed
			}
		}
		replies, refusedReplies, err := b.gate.screen(tx, in.out.replies)
		if err != nil {
			return err
		}
		notices, refused, err := b.gate.screen(tx, in.out.notices)
		if err != nil {
			return err
		}
		for _, m := range append(refusedReplies, refused...) {
			// A handler addressed information to someone the table does
			// not allow: a bug, caught here. Log where, never what.
			b.log.Error("need-to-know gate refused a message", "command", in.spec.path,
				"class", m.Class.String(), "to", logDest(m), "scene", string(m.Scene))
		}
		// The privacy notice goes before a person's first private question.
		if notices, err = b.withNotice(tx, in.now, notices); err != nil {
			return err
		}
		// Notices are stored with the change that caused them, so that
		// nothing acknowledged is lost if icbot stops before sending.
		ids, err := enqueue(tx, in.cmd, in.now, notices)
		if err != nil {
			return err
		}
		o.Replies, o.deliveries, o.effects = replies, ids, in.out.effects
		return nil
	})
}

// touching is a command's transaction that notes the scenes whose
// reminders it may change: a scene whose reminder inputs it writes (see
// reminderInputs), or whose riders or sessions, or which it removes.
// Writing a scene's title alone derives nothing again.
type touching struct {
	Tx
	// before holds, for each scene written, its reminder inputs as they
	// were before the command wrote it ("" when it did not exist).
	before map[SceneID]string
	// forced are the scenes whose riders or sessions were written, or
	// which were removed.
	forced map[SceneID]bool
}

func (t *touching) note(id SceneID) {
	if t.before == nil {
		t.before = map[SceneID]string{}
	}
	if _, seen := t.before[id]; seen {
		return
	}
	if sc, err := t.Tx.Scene(id); err == nil {
		t.before[id] = reminderInputs(&sc)
	} else {
		t.before[id] = ""
	}
}

func (t *touching) force(id SceneID) {
	if t.forced == nil {
		t.forced = map[SceneID]bool{}
	}
	t.forced[id] = true
}

func (t *touching) PutScene(s Scene) error       { t.note(s.ID); return t.Tx.PutScene(s) }
func (t *touching) DeleteScene(id SceneID) error { t.force(id); return t.Tx.DeleteScene(id) }
func (t *touching) PutSession(s Session) error   { t.force(s.Scene); return t.Tx.PutSession(s) }
func (t *touching) PutRider(r Rider) error       { t.force(r.Scene); return t.Tx.PutRider(r) }

// changed lists the scenes whose reminders must be derived again.
func (t *touching) changed() ([]SceneID, error) {
	var out []SceneID
	for id := range t.forced {
		out = append(out, id)
	}
	for id, was := range t.before {
		if t.forced[id] {
			continue
		}
		now := ""
		sc, err := t.Tx.Scene(id)
		switch {
		case err == nil:
			now = reminderInputs(&sc)
		case ErrorCode(err) != ENOTFOUND:
			return nil, err
		}
		if now != was {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// reminderInputs is what of a scene its reminders are derived from (with
// its riders and sessions, which commands write apart): its call, status,
// performers, scope (which riders it voids) and sessions.
func reminderInputs(sc *Scene) string {
	return fmt.Sprintf("%d|%s|%v|%d|%d/%d/%d", sc.Call.UnixNano(), sc.Status, sc.Performers, sc.Scope, sc.Sessions, sc.PastSessions, sc.Session)
}

// forbidden is the refusal for a caller whose roles do not allow the command.
func (in *input) forbidden() error {
	have := rolesText(in.caller.Roles)
	if !in.caller.Known() {
		return Errorf(EFORBIDDEN, "You have no role on this production yet, so you cannot run /%s. Ask an admin, the IC or an AD to add you with /icbot role add @you ROLE.", in.spec.path)
	}
	return Errorf(EFORBIDDEN, "Only %s can run /%s (you are: %s).", in.spec.access.who(), in.spec.path, have)
}

// authorizeScene completes the access check for commands open to a scene's
// performers or its current roster.
func (in *input) authorizeScene(tx Tx, sc *Scene) error {
	if in.authorized {
		return nil
	}
	roster, err := rosterOf(tx, sc)
	if err != nil {
		return err
	}
	if in.spec.access.byScene(in.caller, sc, roster) {
		in.authorized = true
		return nil
	}
	return in.forbidden()
}

// orList writes "a, b or c".
func orList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
