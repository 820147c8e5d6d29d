package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// sent is one message the fake chat delivered.
type sent struct {
	Kind    string // "dm", "post", "late" (a late reply to the caller)
	To      string // user or channel id
	Class   bot.Class
	Text    string
	Actions []bot.Action
	At      time.Time // when it was sent, by the clock (fake under synctest)
	// Readers are who could read a post when it was made; "*" for a
	// public channel.
	Readers []string
	// Ref is the platform reference of a post, or of a retracted one.
	Ref bot.PostRef
}

// fakeChat records everything; channels are private when listed so.
type fakeChat struct {
	mu      sync.Mutex
	sent    []sent
	private map[bot.ChannelID]bool
	// failDM makes DMs to a person fail with the error, while set.
	failDM map[bot.UserID]error
	// members are who reads each private channel.
	members map[bot.ChannelID][]bot.UserID
	// failAsk makes IsPrivate fail with the error, while set.
	failAsk error
	// history is what each channel shows: posts not retracted.
	history map[bot.ChannelID][]posted
	posts   int
	// failRetract makes Retract fail with the error, while set.
	failRetract error
	// failPost makes Post fail with the error, while set.
	failPost error
	// failMembers makes Members fail with the error, while set.
	failMembers error
}

// posted is one post a channel shows.
type posted struct {
	ref   bot.PostRef
	class bot.Class
	text  string
}

// harnessChannels are the test production's private channels and their
// members: each holds only people who may read what goes there.
func harnessChannels() (map[bot.ChannelID]bool, map[bot.ChannelID][]bot.UserID) {
	members := map[bot.ChannelID][]bot.UserID{
		"scene-12":     {"ines", "adam", "dana", "priya", "paula", "pete"},
		"scene-20":     {"ines", "adam", "dana", "priya", "paula", "pete"},
		"ic-office":    {"ines"},
		"costume-room": {"cora", "ines"},
		"hmu-room":     {"hana", "ines"},
	}
	private := map[bot.ChannelID]bool{}
	for ch := range members {
		private[ch] = true
	}
	return private, members
}

// setFailAsk makes IsPrivate fail with err (nil: answer again).
func (c *fakeChat) setFailAsk(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failAsk = err
}

// setMembers replaces who reads a channel.
func (c *fakeChat) setMembers(ch bot.ChannelID, ids ...bot.UserID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.members[ch] = ids
}

func (c *fakeChat) Members(ctx context.Context, ch bot.ChannelID) ([]bot.UserID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failMembers != nil {
		return nil, c.failMembers
	}
	if !c.private[ch] {
		return nil, bot.Errorf(bot.EUNAVAILABLE, "#%s is public", ch)
	}
	return slices.Clone(c.members[ch]), nil
}

// setFailRetract makes Retract fail with err (nil: work again).
func (c *fakeChat) setFailRetract(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failRetract = err
}

func (c *fakeChat) setFailDM(u bot.UserID, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failDM == nil {
		c.failDM = map[bot.UserID]error{}
	}
	if err == nil {
		delete(c.failDM, u)
	} else {
		c.failDM[u] = err
	}
}

func (c *fakeChat) record(s sent) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s.At = time.Now()
	c.sent = append(c.sent, s)
}

func (c *fakeChat) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	c.mu.Lock()
	if err := c.failPost; err != nil {
		c.mu.Unlock()
		return "", err
	}
	readers := []string{"*"}
	if c.private[ch] {
		readers = nil
		for _, u := range c.members[ch] {
			readers = append(readers, string(u))
		}
	}
	c.posts++
	ref := bot.PostRef(fmt.Sprintf("%s/%d", ch, c.posts))
	if c.history == nil {
		c.history = map[bot.ChannelID][]posted{}
	}
	c.history[ch] = append(c.history[ch], posted{ref: ref, class: m.Class, text: m.Text})
	c.mu.Unlock()
	c.record(sent{Kind: "post", To: string(ch), Class: m.Class, Text: m.Text, Actions: m.Actions, Readers: readers, Ref: ref})
	return ref, nil
}

// Retract deletes a post from the channel's history.
func (c *fakeChat) Retract(ctx context.Context, ch bot.ChannelID, ref bot.PostRef) error {
	c.mu.Lock()
	err := c.failRetract
	if err == nil {
		c.history[ch] = slices.DeleteFunc(c.history[ch], func(p posted) bool { return p.ref == ref })
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.record(sent{Kind: "retract", To: string(ch), Ref: ref})
	return nil
}

// visiblePosts is what a new reader of ch would see: the posts not deleted.
func (c *fakeChat) visiblePosts(ch bot.ChannelID) []posted {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.history[ch])
}

func (c *fakeChat) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	c.mu.Lock()
	err := c.failDM[to]
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.record(sent{Kind: "dm", To: string(to), Class: m.Class, Text: m.Text, Actions: m.Actions})
	return nil
}

// Reply records a late reply; its handle must be the caller's.
func (c *fakeChat) Reply(ctx context.Context, handle string, to bot.UserID, m bot.Message) error {
	if handle == "" {
		return bot.ErrReplyExpired
	}
	if handle != "reply-to-"+string(to) {
		return fmt.Errorf("reply handle %q used for %s", handle, to)
	}
	c.record(sent{Kind: "late", To: string(to), Class: m.Class, Text: m.Text})
	return nil
}

func (c *fakeChat) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failAsk != nil {
		return false, c.failAsk
	}
	return c.private[ch], nil
}

func (c *fakeChat) take() []sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sent
	c.sent = nil
	return s
}

// lockingChat adds a channel lock whose calls are recorded, and which can
// be told to fail as a platform without the permission would.
type lockingChat struct {
	fakeChat
	lockErr error
	calls   []string
	saved   map[bot.ChannelID][]bot.UserID // members before the lock
}

func (c *lockingChat) Lock(ctx context.Context, ch bot.ChannelID, roster []bot.UserID, prev bot.LockResult) (bot.LockResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, len(roster))
	for i, u := range roster {
		ids[i] = string(u)
	}
	c.calls = append(c.calls, fmt.Sprintf("lock %s to %s", ch, strings.Join(ids, ",")))
	if c.lockErr != nil {
		return prev, c.lockErr
	}
	if c.saved == nil {
		c.saved = map[bot.ChannelID][]bot.UserID{}
	}
	if _, ok := c.saved[ch]; !ok {
		c.saved[ch] = c.members[ch]
	}
	c.members[ch] = slices.Clone(roster)
	res := bot.LockResult{Removed: slices.Clone(prev.Removed), Restore: []byte("saved")}
	if !slices.Contains(res.Removed, "gary") && !slices.Contains(roster, "gary") {
		res.Removed = append(res.Removed, "gary")
	}
	return res, nil
}

func (c *lockingChat) Unlock(ctx context.Context, ch bot.ChannelID, lock bot.LockResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, len(lock.Removed))
	for i, u := range lock.Removed {
		ids[i] = string(u)
	}
	c.calls = append(c.calls, fmt.Sprintf("unlock %s restore %s (%s)", ch, strings.Join(ids, ","), lock.Restore))
	if m, ok := c.saved[ch]; ok {
		c.members[ch] = m
		delete(c.saved, ch)
	}
	return nil
}

// cast is the test production: every role, a performer in two scenes and
// one in a third, a camera operator on two rosters.
var cast = []bot.Person{
	{ID: "paula", Name: "paula", Roles: []bot.Role{bot.RolePerformer}},
	{ID: "pete", Name: "pete", Roles: []bot.Role{bot.RolePerformer}},
	{ID: "ines", Name: "ines", Roles: []bot.Role{bot.RoleIC}},
	{ID: "adam", Name: "adam", Roles: []bot.Role{bot.RoleAD}},
	{ID: "dana", Name: "dana", Roles: []bot.Role{bot.RoleDirector}},
	{ID: "priya", Name: "priya", Roles: []bot.Role{bot.RoleProducer}},
	{ID: "cam", Name: "cam", Roles: []bot.Role{bot.RoleCamera}},
	{ID: "cora", Name: "cora", Roles: []bot.Role{bot.RoleCostume}},
	{ID: "hana", Name: "hana", Roles: []bot.Role{bot.RoleHMU}},
	{ID: "pat", Name: "pat", Roles: []bot.Role{bot.RoleProps}},
	{ID: "sid", Name: "sid", Roles: []bot.Role{bot.RoleStunts}},
	{ID: "gary", Name: "gary", Roles: []bot.Role{bot.RoleCrew}},
}

// callers are the cast plus an admin without a role and a stranger.
var callers = []string{"paula", "pete", "ines", "adam", "dana", "priya", "cam", "cora", "hana", "pat", "sid", "gary", "root", "nobody"}

var t0 = time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC)

// testKey seals the private fields of every test store, as icbot does.
var testKey = []byte("0123456789abcdef0123456789abcdef")

type harness struct {
	t     *testing.T
	store *storage.Store
	chat  bot.Chat
	rec   *fakeChat
	bot   *bot.Bot
	now   time.Time
}

type harnessOpt struct {
	chat bot.Chat
	rec  *fakeChat
}

func newHarness(t *testing.T, opts ...func(*harnessOpt)) *harness {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fc := &fakeChat{}
	fc.private, fc.members = harnessChannels()
	o := harnessOpt{chat: fc, rec: fc}
	for _, f := range opts {
		f(&o)
	}
	h := &harness{t: t, store: st, chat: o.chat, rec: o.rec, now: t0}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	h.bot = bot.New(st, o.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithZone(london),
		bot.WithAdmins("root"), bot.WithSetChannel("set"), bot.WithBoard("https://icbot.test"))
	return h
}

func withLocker(lc *lockingChat) func(*harnessOpt) {
	return func(o *harnessOpt) {
		lc.private, lc.members = harnessChannels()
		o.chat, o.rec = lc, &lc.fakeChat
	}
}

// seed writes the cast and four scenes straight into the store:
// 12 (paula, roster cam, channel scene-12), 14 (pete), 15 (paula, roster
// cam, closed set started by the AD) and 16 (pete, on hold).
// seedPeople writes the cast alone.
func (h *harness) seedPeople() *harness {
	h.t.Helper()
	err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		for _, p := range cast {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return h
}

func (h *harness) seed() *harness {
	h.t.Helper()
	call := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	sent := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		for _, p := range cast {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		if err := tx.PutProduction(bot.ProductionInfo{Name: "Test", DeptChannels: map[bot.Role]bot.ChannelID{
			bot.RoleCostume: "costume-room", bot.RoleHMU: "hmu-room"}}); err != nil {
			return err
		}
		cam := bot.RosterMember{User: "cam", Role: bot.RoleCamera, AddedBy: "adam", AddedAt: t0}
		scenes := []bot.Scene{
			{ID: "12", Title: "Lake house", Call: call, Performers: []bot.UserID{"paula"}, Channel: "scene-12", Status: bot.StatusReady,
				Beats: []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindContact, Rev: 1}}, NextBeat: 1, Scope: 1, Roster: []bot.RosterMember{cam}},
			{ID: "14", Title: "Kitchen", Call: call, Performers: []bot.UserID{"pete"}, Status: bot.StatusDraft},
			{ID: "15", Title: "Bedroom", Call: call, Performers: []bot.UserID{"paula"}, Status: bot.StatusReady,
				Roster: []bot.RosterMember{cam}},
			{ID: "16", Title: "Car", Call: call, Performers: []bot.UserID{"pete"}, Status: bot.StatusReady,
				Holds: []bot.Hold{{Seq: 1, CalledBy: "pete", At: t0, Reason: "needs a break"}}},
		}
		for _, sc := range scenes {
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			// Consent given and riders signed in good time, so that
			// closed sets may start; tests about consent undo this.
			for _, p := range sc.Performers {
				bd := bot.Boundaries{Scene: sc.ID, Performer: p, Version: 1, At: sent}
				for _, b := range sc.Beats {
					bd.Answers = append(bd.Answers, bot.BeatAnswer{Beat: b.ID, Rev: b.Rev, Answer: bot.AnswerYes})
				}
				if err := tx.AddBoundaries(bd); err != nil {
					return err
				}
				if err := tx.PutRider(bot.Rider{Scene: sc.ID, Performer: p, State: bot.RiderSigned, DraftedAt: sent, SentAt: sent, SignedAt: sent, Scope: sc.Scope, Version: 1}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.bot.StartReminders(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	// Reminder 1, paula's check-in for scene 12, counts as asked.
	if err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		r, err := tx.Reminder(1)
		if err != nil {
			return err
		}
		r.State, r.SentAt = bot.ReminderSent, t0
		_, err = tx.PutReminder(r)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	h.must("adam", "/closedset start 15")
	return h
}

// result is what one command did.
type result struct {
	out   *bot.Outcome
	reply string
	sent  []sent
}

func (r result) code() string { return bot.ErrorCode(r.out.Err) }

// do runs a command as caller, with its follow-up, and returns the reply
// and everything delivered.
func (h *harness) do(caller, text string) result {
	h.t.Helper()
	cmd := bot.Command{Caller: bot.UserID(caller), CallerName: caller, Channel: "set", Text: text, ReplyHandle: "reply-to-" + caller}
	out := h.bot.Handle(context.Background(), cmd)
	h.bot.FollowUp(context.Background(), out)
	return result{out: out, reply: out.ReplyText(), sent: h.rec.take()}
}

// must runs a command that has to succeed.
func (h *harness) must(caller, text string) result {
	h.t.Helper()
	r := h.do(caller, text)
	if r.out.Err != nil {
		h.t.Fatalf("%s: %s\n  failed: %v\n  reply: %s", caller, text, r.out.Err, r.reply)
	}
	return r
}

func (h *harness) auditLen() uint64 {
	h.t.Helper()
	n, err := h.store.AuditLen(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func (h *harness) scene(id bot.SceneID) *bot.Scene {
	h.t.Helper()
	var sc bot.Scene
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		sc, err = tx.Scene(id)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return &sc
}

func (h *harness) session(id bot.SceneID, seq uint64) bot.Session {
	h.t.Helper()
	var s bot.Session
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		s, err = tx.Session(id, seq)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// to filters delivered messages by kind and recipient.
// to lists what went to who as kind, leaving out the privacy notice,
// which goes before a person's first private question: notice_test.go
// shows it, with noticesTo; the other tests read past it.
func to(ss []sent, kind, who string) []sent {
	var out []sent
	for _, s := range ss {
		if s.Kind == kind && s.To == who && !privacyNotice(s) {
			out = append(out, s)
		}
	}
	return out
}

// privacyNotice reports whether s is the privacy notice.
func privacyNotice(s sent) bool {
	return slices.ContainsFunc(s.Actions, func(a bot.Action) bool { return strings.HasPrefix(a.Command, "/icbot notice ack") })
}

// noticesTo lists the privacy notices sent to who.
func noticesTo(ss []sent, who string) []sent {
	var out []sent
	for _, s := range ss {
		if s.Kind == "dm" && s.To == who && privacyNotice(s) {
			out = append(out, s)
		}
	}
	return out
}

func joined(ss []sent) string {
	var parts []string
	for _, s := range ss {
		parts = append(parts, s.Text)
	}
	return strings.Join(parts, "\n")
}
