package bot

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// next takes the next positional word; what names it in the error when
// it is missing ("scene id", "@person").
func (in *input) next(what string) (Arg, error) {
	if len(in.args) == 0 {
		return Arg{}, Errorf(EINVALID, "missing %s", what)
	}
	a := in.args[0]
	in.args = in.args[1:]
	return a, nil
}

// optional takes the next positional word if there is one.
func (in *input) optional() (Arg, bool) {
	if len(in.args) == 0 {
		return Arg{}, false
	}
	a := in.args[0]
	in.args = in.args[1:]
	return a, true
}

// rest takes every positional word left, joined by spaces.
func (in *input) rest() string {
	parts := make([]string, len(in.args))
	for i, a := range in.args {
		parts[i] = a.Value
	}
	in.args = nil
	return strings.Join(parts, " ")
}

// done fails when positional words are left over.
func (in *input) done() error {
	if len(in.args) > 0 {
		return Errorf(EINVALID, "unexpected %q (put quotes around a value with spaces, as in title=\"Night swim\")", in.args[0].Value)
	}
	return nil
}

// confirmed takes word (such as "past") from the end of the positional
// words, where a command takes the word that confirms something unusual,
// and reports whether it was there. With a single word left, which is
// then the scene id whatever it says, it takes nothing.
func (in *input) confirmed(word string) bool {
	n := len(in.args)
	if n < 2 || in.args[n-1].Quoted || !strings.EqualFold(in.args[n-1].Value, word) {
		return false
	}
	in.args = in.args[:n-1]
	return true
}

// refusePastCall refuses a call time before now unless the caller
// confirmed it with the word past: a call in the past is most often a
// mistyped year or day, and it makes every rider late at once.
func (in *input) refusePastCall(call time.Time, past bool) error {
	if past || !call.Before(in.now) {
		return nil
	}
	return Errorf(ECONFLICT, "The call time, %s, is in the past (it is now %s). Nothing was changed. "+
		"If that is the call you mean, confirm it with the word past at the end:\n%s past",
		in.b.fmtTime(call), in.b.fmtTime(in.now), strings.TrimSpace(in.cmd.Text))
}

// key returns a key=value argument.
func (in *input) key(k string) (string, bool) {
	a, ok := in.named[k]
	return a.Value, ok
}

// sceneID reads the next word as a scene id.
func (in *input) sceneID() (SceneID, error) {
	a, err := in.next("scene id")
	if err != nil {
		return "", err
	}
	return ParseSceneID(a.Value)
}

// scene reads the next word as the id of an existing scene and loads it.
// Someone who may only see scenes they belong to is refused alike for a
// scene that does not exist, so that they cannot learn which ones do.
func (in *input) scene(tx Tx) (Scene, error) {
	id, err := in.sceneID()
	if err != nil {
		return Scene{}, err
	}
	sc, err := loadScene(tx, id)
	if ErrorCode(err) == ENOTFOUND && !in.authorized {
		return Scene{}, in.forbidden()
	}
	return sc, err
}

// onlyScene reads the scene id as the command's only word and loads it.
func (in *input) onlyScene(tx Tx) (Scene, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return Scene{}, err
	}
	return sc, in.done()
}

// sceneAndPerson reads "ID @person", the whole command, and loads both;
// the person must be known to icbot.
func (in *input) sceneAndPerson(tx Tx) (Scene, Person, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return Scene{}, Person{}, err
	}
	who, err := in.next("@person")
	if err != nil {
		return Scene{}, Person{}, err
	}
	if err := in.done(); err != nil {
		return Scene{}, Person{}, err
	}
	p, err := in.person(tx, who.Value, false)
	return sc, p, err
}

func loadScene(tx Tx, id SceneID) (Scene, error) {
	sc, err := tx.Scene(id)
	if ErrorCode(err) == ENOTFOUND {
		return Scene{}, Errorf(ENOTFOUND, "There is no scene %s. /scene list shows the scenes.", id)
	}
	return sc, err
}

// person resolves a mention to someone icbot knows. With allowNew, someone
// not yet known is returned as a new Person (for granting a first role).
func (in *input) person(tx Tx, word string, allowNew bool) (Person, error) {
	m, err := ParseUserMention(word)
	if err != nil {
		return Person{}, err
	}
	if m.ID != "" {
		p, err := tx.Person(UserID(m.ID))
		switch {
		case err == nil:
			return p, nil
		case ErrorCode(err) != ENOTFOUND:
			return Person{}, err
		case allowNew:
			return Person{ID: UserID(m.ID), Name: cleanName(m.Name)}, nil
		}
		return Person{}, unknownPerson(word)
	}
	p, found, err := findByName(tx, m.Name)
	if err != nil || found {
		return p, err
	}
	if r, ok := in.b.chat.(UserResolver); ok {
		p, err := r.ResolveUser(in.ctx, m.Name)
		if err != nil {
			return Person{}, err
		}
		if known, err := tx.Person(p.ID); err == nil {
			return known, nil
		}
		if allowNew {
			return p, nil
		}
		return Person{}, unknownPerson(word)
	}
	if allowNew {
		return Person{}, Errorf(EINVALID, "icbot cannot tell who %s is: mention them so that the chat links the name", word)
	}
	return Person{}, unknownPerson(word)
}

func unknownPerson(word string) error {
	return Errorf(ENOTFOUND, "%s is not known to icbot: give them a role first with /icbot role add %s ROLE", word, word)
}

// findByName looks someone up by id or display name, case-insensitively.
func findByName(tx Tx, name string) (Person, bool, error) {
	people, err := tx.People()
	if err != nil {
		return Person{}, false, err
	}
	var hits []Person
	for _, p := range people {
		if strings.EqualFold(string(p.ID), name) {
			return p, true, nil
		}
		if strings.EqualFold(p.Name, name) {
			hits = append(hits, p)
		}
	}
	switch len(hits) {
	case 0:
		return Person{}, false, nil
	case 1:
		return hits[0], true, nil
	}
	return Person{}, false, Errorf(EINVALID, "%d people are called @%s: mention the one you mean so that the chat links the name", len(hits), name)
}

// people resolves a list of mentions ("@a,@b").
func (in *input) people(tx Tx, list string) ([]Person, error) {
	var out []Person
	seen := map[UserID]bool{}
	for _, w := range splitList(list) {
		p, err := in.person(tx, w, false)
		if err != nil {
			return nil, err
		}
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// channel reads a channel mention.
func channelArg(word string) (ChannelID, error) {
	m, err := ParseChannelMention(word)
	if err != nil {
		return "", err
	}
	if m.ID != "" {
		return ChannelID(m.ID), nil
	}
	return ChannelID(m.Name), nil
}

// callLayout is how a date and time are typed.
const callLayout = "2006-01-02 15:04"

// The years a call may fall in: far enough for any production, near
// enough that every reminder derived from it is a time icbot can store.
const (
	minCallYear = 2000
	maxCallYear = 2199
)

// Times (call=, on=) are typed in the production's zone, as a date and a
// time of day, or as a day counted from today there and a time of day:
//
//	2026-12-02 10:30   that day
//	today 18:00        today; tomorrow 10:30 and yesterday 14:00 likewise
//	+3d 09:00          three days from today; -2d 09:00 two days ago
//	fri 10:30          the next Friday after today, never today: on a
//	                   Friday, fri is a week on (say today for today)
//
// Weekdays are their first three letters or their full English names. A
// UTC offset may follow any of them, for a time that happens twice.

// parseCall reads a call time typed now, as parseWhen does.
func (b *Bot) parseCall(s string) (time.Time, error) {
	return b.parseWhen("call", s, b.now())
}

// parseWhen reads a time typed as the value of key= at now, in the
// production's zone. A time that does not exist on that day (skipped
// when the clocks go forward) is refused rather than moved; a time that
// happens twice (when they go back) needs its UTC offset, as in
// "2026-10-25 01:30 +01:00".
func (b *Bot) parseWhen(key, s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	wallText, offText := s, ""
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.ContainsAny(s[i+1:i+2], "+-") {
		wallText, offText = strings.TrimSpace(s[:i]), s[i+1:]
	}
	wall, err := b.wallClock(key, wallText, now)
	if err != nil {
		return time.Time{}, err
	}
	if wall.Year() < minCallYear || wall.Year() > maxCallYear {
		what := "a call"
		if key != "call" {
			what = "a date"
		}
		return time.Time{}, Errorf(EINVALID, "%s time %q is out of range: %s is between %d and %d", key, s, what, minCallYear, maxCallYear)
	}
	cands := wallInstants(wall, b.zone)
	typed := wall.Format(callLayout)
	if offText != "" {
		return b.byOffset(cands, typed, offText)
	}
	switch len(cands) {
	case 0:
		return time.Time{}, Errorf(EINVALID, "%s does not exist%s: the clocks go forward that night; choose another time", typed, b.inZone())
	case 1:
		return cands[0].UTC(), nil
	}
	opts := make([]string, len(cands))
	for i, c := range cands {
		opts[i] = fmt.Sprintf("%s=\"%s %s\" (%s)", key, typed, c.Format("-07:00"), c.Format("MST"))
	}
	return time.Time{}, Errorf(EINVALID, "%s happens twice%s: the clocks go back that night. Say which: %s", typed, b.inZone(), strings.Join(opts, " or "))
}

// byOffset picks, of the instants showing the wall time typed, the one
// at the UTC offset typed.
func (b *Bot) byOffset(cands []time.Time, typed, offText string) (time.Time, error) {
	off, err := time.Parse("-07:00", offText)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "bad UTC offset %q in the time: write it as +01:00 or -08:00", offText)
	}
	_, want := off.Zone()
	for _, c := range cands {
		if _, o := c.Zone(); o == want {
			return c.UTC(), nil
		}
	}
	zone := b.zone.String()
	if b.inZone() == "" {
		zone = "the production's time zone"
	}
	return time.Time{}, Errorf(EINVALID, "%s is not a UTC offset that %s uses at %s", offText, zone, typed)
}

// relativeDay is "+3d" or "-2d".
var relativeDay = regexp.MustCompile(`^([+-])([0-9]{1,5})d$`)

// dayWords are the days named relative to today.
var dayWords = map[string]int{"today": 0, "tomorrow": 1, "yesterday": -1}

// weekdays are the names of the days of the week, short and long.
var weekdays = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		m[name], m[name[:3]] = d, d
	}
	return m
}()

// wallClock reads the date and time of day typed (with no offset): the
// wall clock in the production's zone, as a time whose fields are it.
func (b *Bot) wallClock(key, text string, now time.Time) (time.Time, error) {
	if wall, err := time.Parse(callLayout, text); err == nil {
		return wall, nil
	}
	day, clock, ok := strings.Cut(strings.ToLower(text), " ")
	shift, named := b.daysFromToday(day, now)
	if !named {
		return time.Time{}, b.badTime(key, text, now)
	}
	tod, err := time.Parse("15:04", strings.TrimSpace(clock))
	if !ok || err != nil {
		return time.Time{}, Errorf(EINVALID, "%s=\"%s\" needs a time of day, on the 24-hour clock: %s=\"%s 10:30\"", key, text, key, day)
	}
	today := now.In(b.zone)
	return time.Date(today.Year(), today.Month(), today.Day()+shift, tod.Hour(), tod.Minute(), 0, 0, time.UTC), nil
}

// daysFromToday reads a day typed relative to today: how many days from
// today it is, and whether it is such a day at all.
func (b *Bot) daysFromToday(word string, now time.Time) (int, bool) {
	if n, ok := dayWords[word]; ok {
		return n, true
	}
	if m := relativeDay.FindStringSubmatch(word); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "-" {
			n = -n
		}
		return n, true
	}
	if d, ok := weekdays[word]; ok {
		shift := (int(d) - int(now.In(b.zone).Weekday()) + 7) % 7
		if shift == 0 {
			shift = 7
		}
		return shift, true
	}
	return 0, false
}

// badTime says how times are typed, with examples around now.
func (b *Bot) badTime(key, text string, now time.Time) error {
	next := now.In(b.zone).AddDate(0, 0, 7)
	example := time.Date(next.Year(), next.Month(), next.Day(), 9, 0, 0, 0, time.UTC).Format(callLayout)
	zone := ""
	if z := b.inZone(); z != "" {
		zone = fmt.Sprintf(" (%s time)", strings.TrimPrefix(z, " in "))
	}
	rel := fmt.Sprintf(`%[1]s="today 18:00", %[1]s="tomorrow 10:30", %[1]s="+3d 09:00" (3 days from today) or %[1]s="fri 10:30" (the next Friday, never today)`, key)
	if key == "on" {
		rel = `on="today 09:15", on="yesterday 14:00", on="-2d 11:00" (2 days ago) or on="mon 10:00" (the next Monday, never today)`
		prev := now.In(b.zone).AddDate(0, 0, -2)
		example = time.Date(prev.Year(), prev.Month(), prev.Day(), 14, 0, 0, 0, time.UTC).Format(callLayout)
	}
	return Errorf(EINVALID, "bad %s time %q: write %s=\"YYYY-MM-DD HH:MM\"%s, such as %s=\"%s\", or a day counted from today: %s",
		key, text, key, zone, key, example, rel)
}

// inZone names the production's zone for messages, " in Europe/London";
// "" when it is the machine's own, which Go calls Local, a name that
// would tell nobody anything.
func (b *Bot) inZone() string {
	if b.zone == nil || b.zone == time.Local || b.zone.String() == "Local" || b.zone.String() == "" {
		return ""
	}
	return " in " + b.zone.String()
}

// wallInstants lists the instants at which the clocks in zone show wall's
// date and time: none in a gap, two in an overlap, usually one.
func wallInstants(wall time.Time, zone *time.Location) []time.Time {
	base := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, zone)
	var out []time.Time
	for _, d := range []time.Duration{-2 * time.Hour, -time.Hour, -30 * time.Minute, 0, 30 * time.Minute, time.Hour, 2 * time.Hour} {
		c := base.Add(d)
		y, mo, day := c.Date()
		if y == wall.Year() && mo == wall.Month() && day == wall.Day() && c.Hour() == wall.Hour() && c.Minute() == wall.Minute() &&
			!slices.ContainsFunc(out, c.Equal) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// fmtTime shows an instant in the production's zone.
func (b *Bot) fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(b.zone).Format("Mon 2 Jan 2006 15:04 MST")
}

// fmtClock shows just the time of day, for times on the current day.
func (b *Bot) fmtClock(t time.Time) string {
	return t.In(b.zone).Format("15:04")
}

// fmtDuration writes a duration as people do: "2h35m", "40m", "15s".
func fmtDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return d.String()
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	if m := int(d.Minutes()) % 60; m != 0 {
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), m)
	}
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", int(d.Hours())/24)
	}
	return fmt.Sprintf("%dh", int(d.Hours()))
}

// audit appends an audit record for the command being run.
func (in *input) audit(tx Tx, action string, scene SceneID, format string, args ...any) error {
	return tx.Audit(AuditRecord{
		Time: in.now, Actor: in.caller.ID, Action: action, Scene: scene,
		Summary: fmt.Sprintf(format, args...),
	})
}
