// Package audiencetest is a property test of icbot's promise about
// channels over time, run against any adapter with a model of its
// platform: random sequences of role changes, channel assignments,
// top-line posts, department notices, closed-set starts, ends and roster
// changes, and changes made outside icbot (a member added by hand, a
// channel made public). After every step, every reader of every channel
// may read everything icbot posted there that is still visible: a new
// member reads a channel's whole history.
//
// Who may read a post is decided here from PRODUCT.md's need-to-know
// table and the post's first words, not by asking icbot's gate, so that
// the test checks icbot against the product rather than against itself.
package audiencetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// Platform is an adapter driven as its platform would drive it, with a
// model of what each channel shows.
type Platform interface {
	// Do runs a command line as the named person and returns once its
	// follow-up (notices, locks, posts) is done.
	Do(t testing.TB, who, line string)
	// Join adds the named person to ch outside icbot, and returns once
	// icbot has heard of it as the platform would tell it.
	Join(t testing.TB, ch, who string)
	// MakePublic opens ch to everyone outside icbot, as Join does; false
	// when the platform model cannot.
	MakePublic(t testing.TB, ch string) bool
	// Channels lists the channels as a reader finds them now.
	Channels(t testing.TB) []Channel
	// User is how a person is written in a command ("@paula",
	// "<@UPAULA|paula>"); Channel likewise ("#ch1", "<#GCH1|ch1>").
	User(name string) string
	Channel(name string) string
	// UserID is the person's id on the platform, as icbot stores it.
	UserID(name string) bot.UserID
}

// Channel is one channel as its readers find it.
type Channel struct {
	Name    string
	Private bool
	// Readers are the names of the people who can read it (private ones).
	Readers []string
	// Posts are the texts of icbot's messages still visible there.
	Posts []string
}

// Cast is the production the sequences run in: names, their roles at the
// start, and the admin (who has no role).
var Cast = map[string][]bot.Role{
	"ines":  {bot.RoleIC},
	"adam":  {bot.RoleAD},
	"dana":  {bot.RoleDirector},
	"priya": {bot.RoleProducer},
	"paula": {bot.RolePerformer},
	"pete":  {bot.RolePerformer},
	"perry": {bot.RolePerformer},
	"cora":  {bot.RoleCostume},
	"hana":  {bot.RoleHMU},
	"cam":   {bot.RoleCamera},
	"gary":  {bot.RoleCrew},
}

// Admin gives the roles; Channels are the private channels the sequences
// use; the set channel is public.
const Admin = "root"

// Channels are the channels a sequence moves things between.
var Channels = []string{"ch1", "ch2", "ch3", "ch4"}

// Scenes are the scenes of the production.
var Scenes = []string{"1", "2"}

// movable are the people whose roles change, and the roles they take.
var (
	movable      = []string{"gary", "cam", "cora", "hana", "dana", "priya"}
	movableRoles = []bot.Role{bot.RoleCostume, bot.RoleHMU, bot.RoleCamera, bot.RoleCrew, bot.RoleDirector, bot.RoleProducer}
	performers   = []string{"paula", "pete", "perry"}
)

// Setup gives the cast their roles, as the admin, and adds the scenes
// with their performers and a beat, as the IC.
func Setup(t testing.TB, p Platform) {
	names := make([]string, 0, len(Cast))
	for n := range Cast {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		for _, r := range Cast[n] {
			p.Do(t, Admin, fmt.Sprintf("/icbot role add %s %s", p.User(n), r))
		}
	}
	for i, s := range Scenes {
		p.Do(t, "ines", fmt.Sprintf("/scene add %s title=\"Scene %s\" call=\"2031-06-0%d 09:00\" performers=%s,%s channel=%s",
			s, s, i+1, p.User(performers[i]), p.User(performers[i+1]), p.Channel(SceneChannels[i])))
		p.Do(t, "ines", fmt.Sprintf("/scene beat add %s \"kiss\" kind=contact", s))
		p.Do(t, "ines", "/topline "+s)
	}
	p.Do(t, "ines", "/dept channel costume "+p.Channel(DeptChannels[0]))
	p.Do(t, "ines", "/dept channel hmu "+p.Channel(DeptChannels[1]))
}

// The channels' first purposes and readers: each holds only people who
// may read what Setup posts there. Platforms create them so.
var (
	SceneChannels = []string{"ch1", "ch4"}
	DeptChannels  = []string{"ch2", "ch3"}
	Readers       = map[string][]string{
		"ch1": {"ines", "adam", "dana", "priya", "paula", "pete"},
		"ch2": {"ines", "cora"},
		"ch3": {"ines", "hana"},
		"ch4": {"ines", "adam", "dana", "pete", "perry"},
	}
)

// step is one thing that happens.
type step struct {
	who, line string // a command, or
	join      [2]string
	public    string
}

func (s step) String() string {
	switch {
	case s.line != "":
		return s.who + ": " + s.line
	case s.public != "":
		return "outside icbot: #" + s.public + " made public"
	}
	return fmt.Sprintf("outside icbot: %s added to #%s", s.join[1], s.join[0])
}

// next draws a random step.
func next(rng *rand.Rand, p Platform) step {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	everyone := make([]string, 0, len(Cast))
	for n := range Cast {
		everyone = append(everyone, n)
	}
	slices.Sort(everyone)
	sc := pick(Scenes)
	ch := p.Channel(pick(Channels))
	switch rng.IntN(18) {
	case 0:
		return step{who: Admin, line: fmt.Sprintf("/icbot role add %s %s", p.User(pick(movable)), movableRoles[rng.IntN(len(movableRoles))])}
	case 1:
		return step{who: Admin, line: fmt.Sprintf("/icbot role remove %s %s", p.User(pick(movable)), movableRoles[rng.IntN(len(movableRoles))])}
	case 2:
		return step{who: "adam", line: fmt.Sprintf("/scene set %s channel=%s", sc, ch)}
	case 3:
		return step{who: "ines", line: fmt.Sprintf("/dept channel %s %s", pick([]string{"costume", "hmu"}), ch)}
	case 4:
		if rng.IntN(2) == 0 {
			return step{who: "ines", line: "/topline " + sc}
		}
		return step{who: "ines", line: fmt.Sprintf("/topline %s %s", sc, ch)}
	case 5:
		return step{who: "ines", line: fmt.Sprintf("/dept notify %s %s", sc, pick([]string{"costume", "hmu", "props"}))}
	case 6:
		return step{who: "ines", line: fmt.Sprintf("/closedset start %s force reason=\"test\"", sc)}
	case 7:
		return step{who: "adam", line: "/closedset end " + sc}
	case 8:
		return step{who: "adam", line: fmt.Sprintf("/closedset add %s %s", sc, p.User(pick(everyone)))}
	case 9:
		return step{who: "adam", line: fmt.Sprintf("/closedset remove %s %s", sc, p.User(pick(everyone)))}
	case 10:
		a, b := pick(performers), pick(performers)
		return step{who: "adam", line: fmt.Sprintf("/scene set %s performers=%s,%s", sc, p.User(a), p.User(b))}
	case 11:
		return step{who: pick(performers), line: fmt.Sprintf("/boundaries answer %s b1=%s garments=\"robe\" body=\"tattoo\"", sc, pick([]string{"yes", "no", "discuss"}))}
	case 12:
		if rng.IntN(4) == 0 {
			return step{public: pick(Channels)}
		}
		return step{join: [2]string{pick(Channels), pick(everyone)}}
	case 13, 14:
		return step{who: "ines", line: "/topline " + sc}
	case 15:
		return step{who: "ines", line: fmt.Sprintf("/closedset start %s force reason=\"test\"", sc)}
	default:
		return step{join: [2]string{pick(Channels), pick(everyone)}}
	}
}

// Stats is what a Run did.
type Stats struct {
	Sequences, Steps int
	// Pairs counts the (reader, sensitive post) pairs checked, over all
	// the checks: how much the invariant was put to the test.
	Pairs int
}

// Run runs sequences random sequences of steps each, from seed, checking
// the invariant after every step; fresh starts a platform for each
// sequence, on which Run does Setup. It returns the steps run.
func Run(t *testing.T, seed uint64, sequences, steps int, fresh func(t testing.TB) (Platform, bot.Store)) Stats {
	t.Helper()
	st := Stats{Sequences: sequences}
	for n := range sequences {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		p, store := fresh(t)
		Setup(t, p)
		var trail []string
		for range steps {
			s := next(rng, p)
			trail = append(trail, s.String())
			switch {
			case s.line != "":
				p.Do(t, s.who, s.line)
			case s.public != "":
				if !p.MakePublic(t, s.public) {
					continue
				}
			default:
				p.Join(t, s.join[0], s.join[1])
			}
			st.Steps++
			problems, pairs := Check(t, p, store)
			st.Pairs += pairs
			if len(problems) > 0 {
				t.Fatalf("sequence %d (seed %d), after step %d:\n  %s\nsteps:\n  %s", n, seed, len(trail), strings.Join(problems, "\n  "), strings.Join(trail, "\n  "))
			}
		}
	}
	return st
}

// Check returns every post a reader of its channel may not read, and how
// many (reader, sensitive post) pairs it checked.
func Check(t testing.TB, p Platform, store bot.Store) (problems []string, pairs int) {
	err := store.View(context.Background(), func(tx bot.Tx) error {
		for _, ch := range p.Channels(t) {
			for _, text := range ch.Posts {
				aud, err := audienceOf(tx, p, text)
				if err != nil {
					return err
				}
				if !ch.Private {
					if !aud.anyone {
						problems = append(problems, fmt.Sprintf("#%s is public and shows %q", ch.Name, first(text)))
					}
					continue
				}
				for _, r := range ch.Readers {
					if !aud.anyone {
						pairs++
					}
					if !aud.allows(r) {
						problems = append(problems, fmt.Sprintf("%s reads #%s, which shows %q", r, ch.Name, first(text)))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return problems, pairs
}

func first(text string) string {
	l, _, _ := strings.Cut(text, "\n")
	if len(l) > 70 {
		l = l[:70] + "…"
	}
	return l
}

// MayRead is the product's need-to-know table (PRODUCT.md) for what
// icbot posts to channels, written out here as the tests' own oracle: who
// may read a post of class c about scene sc (nil: none, or removed), whose
// closed-set roster is roster, holding subject's private data.
func MayRead(p bot.Person, c bot.Class, sc *bot.Scene, roster []bot.UserID, subject bot.UserID) bool {
	has := func(rs ...bot.Role) bool { return slices.ContainsFunc(rs, p.Has) }
	performer := sc != nil && sc.IsPerformer(p.ID)
	switch c {
	case bot.ClassPublic:
		return true
	case bot.ClassCrew:
		return p.Known()
	case bot.ClassTopline, bot.ClassSceneDetail, bot.ClassReadiness:
		return has(bot.RoleIC, bot.RoleAD, bot.RoleDirector, bot.RoleProducer) || performer
	case bot.ClassRoster:
		return has(bot.RoleIC, bot.RoleAD, bot.RoleDirector, bot.RoleProducer) || performer || slices.Contains(roster, p.ID)
	case bot.ClassGarments:
		return has(bot.RoleIC, bot.RoleCostume) || p.ID == subject
	case bot.ClassBodyNotes:
		return has(bot.RoleIC, bot.RoleHMU) || p.ID == subject
	}
	return false
}

// RosterNow is who is on a scene's closed-set roster now: the running
// session's, or the performers and those added for the next one.
func RosterNow(tx bot.Tx, sc bot.Scene) ([]bot.UserID, error) {
	if sc.Filming() {
		sess, err := tx.Session(sc.ID, sc.Session)
		return sess.Users(), err
	}
	out := slices.Clone(sc.Performers)
	for _, m := range sc.Roster {
		out = append(out, m.User)
	}
	return out, nil
}

// audience is who may read one post, by name.
type audience struct {
	anyone bool
	names  map[string]bool
}

func (a audience) allows(name string) bool { return a.anyone || a.names[name] }

var (
	toplineRe = regexp.MustCompile(`^TOP-LINE SUMMARY, scene (\S+):`)
	noticeRe  = regexp.MustCompile(`^(Costume|Hair and makeup|Props|Stunts) notice, scene (\S+) `)
	rosterRe  = regexp.MustCompile(`^Closed set for scene (\S+) started at .* locked to the roster`)
	publicRe  = regexp.MustCompile(`^(Closed set in effect for scene|Scene \S+ is on hold|The closed set for scene \S+ ended|Closed set for scene \S+ ended|The hold on scene)`)
)

// classOf reads a post's class and scene from its first words.
func classOf(text string) (bot.Class, string, error) {
	switch {
	case publicRe.MatchString(text):
		return bot.ClassPublic, "", nil
	case toplineRe.MatchString(text):
		return bot.ClassTopline, toplineRe.FindStringSubmatch(text)[1], nil
	case rosterRe.MatchString(text):
		return bot.ClassRoster, rosterRe.FindStringSubmatch(text)[1], nil
	case noticeRe.MatchString(text):
		m := noticeRe.FindStringSubmatch(text)
		switch m[1] {
		case "Costume":
			return bot.ClassGarments, m[2], nil
		case "Hair and makeup":
			return bot.ClassBodyNotes, m[2], nil
		}
		return bot.ClassCrew, m[2], nil // props and stunts notices carry nothing private yet
	}
	return 0, "", fmt.Errorf("audiencetest: a post of a kind this test does not know: %q", first(text))
}

// audienceOf works out who may read a post, from its first words and the
// production as it is now, by MayRead.
func audienceOf(tx bot.Tx, p Platform, text string) (audience, error) {
	a := audience{names: map[string]bool{}}
	class, scene, err := classOf(text)
	if err != nil {
		return a, err
	}
	if class == bot.ClassPublic {
		a.anyone = true
		return a, nil
	}
	var sc *bot.Scene
	var roster []bot.UserID
	if scene != "" {
		s, err := tx.Scene(bot.SceneID(scene))
		switch {
		case err == nil:
			sc = &s
			if roster, err = RosterNow(tx, s); err != nil {
				return a, err
			}
		case bot.ErrorCode(err) != bot.ENOTFOUND: // removed: only the roles may read about it
			return a, err
		}
	}
	for n := range Cast {
		pr, err := tx.Person(p.UserID(n))
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			pr, err = bot.Person{ID: p.UserID(n)}, nil
		}
		if err != nil {
			return a, err
		}
		if MayRead(pr, class, sc, roster, "") {
			a.names[n] = true
		}
	}
	return a, nil
}

// Shown is one message a platform's model shows in a channel: its id (a
// Slack timestamp, a Discord message id: what the ledger's references
// hold) and its text.
type Shown struct {
	ID, Text string
}

// Sensitive marks the texts of posts that only some may read; one shown
// in a private channel must be in the ledger.
var Sensitive = []string{"TOP-LINE SUMMARY", "locked to the roster", "Garments", "Body notes"}

// CheckLedger checks what a channel shows against icbot's audience
// ledger: every sensitive message shown is one the ledger knows and has not
// retracted, and every reader may read it (MayRead). anyone says that
// people nobody can list read the channel: then no recorded post may be
// shown at all. It returns the problems, in words.
func CheckLedger(tx bot.Tx, ch string, shown []Shown, readers []bot.UserID, anyone bool) ([]string, error) {
	posts, err := tx.Posts(bot.ChannelID(ch))
	if err != nil {
		return nil, err
	}
	byID := map[string]bot.Post{}
	for _, p := range posts {
		for id := range strings.SplitSeq(string(p.Ref), ",") {
			byID[id] = p
		}
	}
	var problems []string
	for _, m := range shown {
		post, ok := byID[m.ID]
		if !ok {
			if slices.ContainsFunc(Sensitive, func(s string) bool { return strings.Contains(m.Text, s) }) {
				problems = append(problems, fmt.Sprintf("#%s shows a message icbot's ledger does not know: %.80q", ch, m.Text))
			}
			continue
		}
		if !post.Visible() {
			problems = append(problems, fmt.Sprintf("#%s still shows the %s, retracted", ch, post.What))
		}
		if anyone {
			problems = append(problems, fmt.Sprintf("#%s shows the %s where people nobody listed may read it", ch, post.What))
			continue
		}
		var sc *bot.Scene
		var roster []bot.UserID
		if post.Scene != "" {
			s, err := tx.Scene(post.Scene)
			if err != nil {
				return nil, err
			}
			sc = &s
			if roster, err = RosterNow(tx, s); err != nil {
				return nil, err
			}
		}
		for _, u := range readers {
			p, err := tx.Person(u)
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				p, err = bot.Person{ID: u}, nil
			}
			if err != nil {
				return nil, err
			}
			if !MayRead(p, post.Class, sc, roster, post.Subject) {
				problems = append(problems, fmt.Sprintf("%s reads #%s, which shows the %s", u, ch, post.What))
			}
		}
	}
	return problems, nil
}
