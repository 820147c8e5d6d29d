package bot_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
	"icbot/config"
)

// countingStore counts, by scene, how often a scene's reminders are read:
// deriving a scene's reminders reads them once (to cancel those it no
// longer calls for), so at a start this counts derivations.
type countingStore struct {
	bot.Store
	mu      sync.Mutex
	derived map[bot.SceneID]int
}

func newCountingStore(s bot.Store) *countingStore {
	return &countingStore{Store: s, derived: map[bot.SceneID]int{}}
}

func (s *countingStore) View(ctx context.Context, fn func(bot.Tx) error) error {
	return s.Store.View(ctx, func(tx bot.Tx) error { return fn(&countingTx{Tx: tx, s: s}) })
}

func (s *countingStore) Update(ctx context.Context, fn func(bot.Tx) error) error {
	return s.Store.Update(ctx, func(tx bot.Tx) error { return fn(&countingTx{Tx: tx, s: s}) })
}

// counts returns the counts so far and starts again from none.
func (s *countingStore) counts() map[bot.SceneID]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.derived
	s.derived = map[bot.SceneID]int{}
	return n
}

type countingTx struct {
	bot.Tx
	s *countingStore
}

func (t *countingTx) SceneReminders(id bot.SceneID) ([]bot.Reminder, error) {
	t.s.mu.Lock()
	t.s.derived[id]++
	t.s.mu.Unlock()
	return t.Tx.SceneReminders(id)
}

// stoppingStore fails every write transaction after the first ok ones,
// as a stop would.
type stoppingStore struct {
	bot.Store
	ok int
}

var errStopped = errors.New("stopped")

func (s *stoppingStore) Update(ctx context.Context, fn func(bot.Tx) error) error {
	if s.ok == 0 {
		return errStopped
	}
	s.ok--
	return s.Store.Update(ctx, fn)
}

// TestStartDerivesOnlyWhatChanged: a start with the settings the stored
// reminders were derived with derives no scene's reminders. One after the
// time zone, the rider notice, the rider warnings or the wrap time
// changed derives every scene's, once each, and leaves them what the new
// settings call for; the start after it derives none again. The cases
// run in order, each changing one more setting.
func TestStartDerivesOnlyWhatChanged(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 30 title="Dock" call="2026-12-20 09:00" performers=@paula,@pete`)
	scenes := []bot.SceneID{"12", "14", "15", "16", "30"}
	ctx := context.Background()
	london, ny := h.bot.Zone(), mustZone(t, "America/New_York")
	start := func(opts ...bot.Option) (*bot.Bot, *countingStore) {
		t.Helper()
		cs := newCountingStore(h.store)
		opts = append([]bot.Option{bot.WithClock(func() time.Time { return h.now }), bot.WithAdmins("root"), bot.WithSetChannel("set")}, opts...)
		b := bot.New(cs, h.chat, opts...)
		if err := b.StartReminders(ctx); err != nil {
			t.Fatalf("StartReminders: %v", err)
		}
		return b, cs
	}
	if _, cs := start(bot.WithZone(london)); len(cs.derived) != 0 {
		t.Errorf("a start with the settings of the last derived %v", cs.derived)
	}
	settings := []bot.Option{bot.WithZone(london)}
	for _, tc := range []struct {
		name string
		opt  bot.Option
	}{
		{"zone", bot.WithZone(ny)},
		{"rider notice", bot.WithRiderNotice(72 * time.Hour)},
		{"rider warnings", bot.WithRiderWarnings(96*time.Hour, 24*time.Hour)},
		{"wrap time", bot.WithWrapTime(18, 30)},
		{"zone back", bot.WithZone(london)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			settings = append(settings, tc.opt)
			b, cs := start(settings...)
			derived := cs.counts()
			for _, id := range scenes {
				if derived[id] != 1 {
					t.Errorf("scene %s derived %d times, want once", id, derived[id])
				}
				ok, err := b.RemindersInStep(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					t.Errorf("scene %s's reminders are not what the new settings call for", id)
				}
			}
			if _, cs := start(settings...); len(cs.derived) != 0 {
				t.Errorf("the next start derived again: %v", cs.derived)
			}
		})
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// TestDerivationStoppedHalfWayIsDoneAgain: 250 scenes written straight
// into the store, as the console's demo or an older icbot leaves them. A
// start that stops after its first batch of derivations leaves the stamp
// unwritten, so the next start derives every scene, and they are all in
// step after it.
func TestDerivationStoppedHalfWayIsDoneAgain(t *testing.T) {
	h := newHarness(t).seedPeople()
	ctx := context.Background()
	var scenes []bot.SceneID
	if err := h.store.Update(ctx, func(tx bot.Tx) error {
		for i := range 250 {
			id := bot.SceneID(fmt.Sprint(100 + i))
			scenes = append(scenes, id)
			sc := bot.Scene{ID: id, Title: "Take", Call: t0.Add(time.Duration(10+i) * 24 * time.Hour), Performers: []bot.UserID{"pete"}, Status: bot.StatusDraft}
			if err := tx.PutScene(sc); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	clock := bot.WithClock(func() time.Time { return h.now })
	// The stamp is checked in a read; the first batch of scenes is
	// written, and the second fails (a batch holds 100 scenes at most).
	stopped := bot.New(&stoppingStore{Store: h.store, ok: 1}, h.chat, clock)
	if err := stopped.StartReminders(ctx); !errors.Is(err, errStopped) {
		t.Fatalf("StartReminders: %v, want it stopped", err)
	}
	cs := newCountingStore(h.store)
	b := bot.New(cs, h.chat, clock)
	if err := b.StartReminders(ctx); err != nil {
		t.Fatal(err)
	}
	derived := cs.counts()
	for _, id := range scenes {
		if derived[id] != 1 {
			t.Fatalf("scene %s derived %d times by the start after, want once", id, derived[id])
		}
		if ok, err := b.RemindersInStep(ctx, id); err != nil || !ok {
			t.Fatalf("scene %s in step: %v %v", id, ok, err)
		}
	}
	cs.counts()
	if err := b.StartReminders(ctx); err != nil {
		t.Fatal(err)
	}
	if n := cs.counts(); len(n) != 0 {
		t.Errorf("a third start derived %d scenes", len(n))
	}
}

// localTimes are the wall times, in zone, at which messages were sent.
func localTimes(ss []sent, z *time.Location) []string {
	var out []string
	for _, s := range ss {
		out = append(out, local(s.At, z))
	}
	return out
}

// TestRemindersAcrossRestartWithNewNotice: icbot is down while the rider
// notice goes from 48 to 72 hours. The start derives the scene's
// reminders again: the warnings and the escalation come at the new
// deadline's times, none at the old ones, and the check-in is kept.
func TestRemindersAcrossRestartWithNewNotice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 60 title="Dock" call="2000-01-20 09:00" performers=@pete`)
		b.start()
		b.until("2000-01-02 00:00")
		b.stop()
		b.until("2000-01-03 00:00")
		cs := newCountingStore(b.store)
		again := bot.New(cs, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), bot.WithRiderNotice(72*time.Hour))
		b.bot, b.harness.bot = again, again
		b.start()
		defer b.stop()
		if n := cs.counts(); n["60"] != 1 {
			t.Errorf("derivations at the start: %v, want scene 60 once", n)
		}
		got := b.until("2000-01-19 10:00")
		want := []string{"2000-01-10 09:00", "2000-01-14 09:00", "2000-01-16 09:00", "2000-01-17 09:00"}
		if ic := localTimes(to(got, "dm", "ines"), b.zone); !slices.Equal(ic, want) {
			t.Errorf("the IC heard at %v, want %v", ic, want)
		}
		if ic := to(got, "dm", "ines"); len(ic) == 4 && !strings.Contains(ic[3].Text, "OVERDUE") {
			t.Errorf("last message to the IC is not the escalation: %q", ic[3].Text)
		}
		if pete := localTimes(to(got, "dm", "pete"), b.zone); !slices.Equal(pete, []string{"2000-01-19 09:00"}) {
			t.Errorf("pete's check-in at %v", pete)
		}
	})
}

// TestLeadUpCancelledWhenCallPassedWhileDown: icbot is down from before a
// rider's 24-hour warning until after the scene's call, with a grace
// period long enough to send the check-in late. The warning, the
// escalation and the check-in all lead up to a call that has passed: none
// is sent, and each is cancelled rather than listed as missed, as a start
// that derived every scene left them.
func TestLeadUpCancelledWhenCallPassedWhileDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		grace := bot.WithReminderGrace(72 * time.Hour)
		b := newBubble(t, "Europe/London", grace)
		b.do("ines", `/scene add 61 title="Quay" call="2000-01-05 09:00" performers=@pete`)
		b.start()
		b.until("2000-01-01 12:00")
		b.stop()
		b.until("2000-01-05 12:00")
		b.rec.take()
		again := bot.New(b.store, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), grace)
		b.bot, b.harness.bot = again, again
		b.start()
		defer b.stop()
		if got := b.rec.take(); len(got) != 0 {
			t.Errorf("sent after the call: %+v", got)
		}
		list := b.do("ines", "/reminders list 61").reply
		for _, want := range []string{
			"rider-warning scene 61 for @pete, due Sun 2 Jan 2000 09:00 GMT, cancelled",
			"rider-overdue scene 61 for @pete, due Mon 3 Jan 2000 09:00 GMT, cancelled",
			"check-in scene 61 for @pete, due Tue 4 Jan 2000 09:00 GMT, cancelled",
		} {
			if !strings.Contains(list, want) {
				t.Errorf("list lacks %q:\n%s", want, list)
			}
		}
	})
}

// TestWrapReminderAcrossRestart: icbot is down at wrap time with a closed
// set open, and back half an hour later. The wrap reminder is sent at
// once, late, not passed over for the next day's; the next day's comes at
// its time, once.
func TestWrapReminderAcrossRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wrap := bot.WithWrapTime(19, 0)
		b := newBubble(t, "Europe/London", wrap)
		b.do("ines", `/scene add 62 title="Car" call="2000-01-03 09:00" performers=@pete`)
		b.start()
		b.until("2000-01-03 09:00")
		b.do("ines", `/closedset start 62 force reason="restart test"`)
		b.until("2000-01-03 18:00")
		b.stop()
		b.until("2000-01-03 19:30")
		b.rec.take()
		again := bot.New(b.store, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), bot.WithSetChannel("set"), wrap)
		b.bot, b.harness.bot = again, again
		b.start()
		defer b.stop()
		got := b.rec.take()
		got = append(got, b.until("2000-01-04 19:00")...)
		for _, who := range []string{"adam", "ines"} {
			m := to(got, "dm", who)
			if at := localTimes(m, b.zone); !slices.Equal(at, []string{"2000-01-03 19:30", "2000-01-04 19:00"}) {
				t.Errorf("wrap reminders to %s at %v, want at the restart and the next day's wrap time", who, at)
				continue
			}
			if !strings.Contains(m[0].Text, `closed set for scene 62 "Car" is still open`) {
				t.Errorf("late wrap reminder to %s: %q", who, m[0].Text)
			}
		}
	})
}

// TestRemindersFollowRoleChanges: the loop keeps what it read of people
// between reminders, and reads them again when they change. A second IC
// named between two warnings gets the next one; the first, once her role
// is taken away, does not; a person written straight into the store, not
// by a command, is seen as well.
func TestRemindersFollowRoleChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 63 title="Loft" call="2000-01-20 09:00" performers=@pete`)
		b.start()
		defer b.stop()
		heard := func(at string) []string {
			t.Helper()
			var who []string
			for _, m := range b.until(at) {
				if m.Kind == "dm" && strings.Contains(m.Text, "Rider deadline in") {
					who = append(who, m.To)
				}
			}
			slices.Sort(who)
			return who
		}
		if got := heard("2000-01-11 09:00"); !slices.Equal(got, []string{"ines"}) {
			t.Errorf("first warning to %v", got)
		}
		b.do("root", "/icbot role add @gary ic")
		if got := heard("2000-01-15 09:00"); !slices.Equal(got, []string{"gary", "ines"}) {
			t.Errorf("after a second IC was named, the warning went to %v", got)
		}
		b.do("root", "/icbot role remove @ines ic")
		if err := b.store.Update(context.Background(), func(tx bot.Tx) error {
			return tx.PutPerson(bot.Person{ID: "ivy", Name: "ivy", Roles: []bot.Role{bot.RoleIC}})
		}); err != nil {
			t.Fatal(err)
		}
		if got := heard("2000-01-17 09:00"); !slices.Equal(got, []string{"gary", "ivy"}) {
			t.Errorf("after the first IC's role was taken away and a third written, the warning went to %v", got)
		}
	})
}

// TestDeriveReminders: a scene written straight into the store has no
// reminders until DeriveReminders derives them, in step with the scene;
// a scene removed the same way has what is left of its reminders
// cancelled.
func TestDeriveReminders(t *testing.T) {
	h := newHarness(t).seedPeople()
	ctx := context.Background()
	sc := bot.Scene{ID: "70", Title: "Pier", Call: t0.Add(20 * 24 * time.Hour), Performers: []bot.UserID{"pete"}, Status: bot.StatusDraft}
	if err := h.store.Update(ctx, func(tx bot.Tx) error { return tx.PutScene(sc) }); err != nil {
		t.Fatal(err)
	}
	if got := h.reminders("70"); len(got) != 0 {
		t.Fatalf("reminders before deriving: %+v", got)
	}
	if err := h.bot.DeriveReminders(ctx, "70"); err != nil {
		t.Fatal(err)
	}
	if got := len(h.reminders("70")); got != 5 {
		t.Errorf("%d reminders derived, want 5: three warnings, the escalation and the check-in", got)
	}
	if ok, err := h.bot.RemindersInStep(ctx, "70"); err != nil || !ok {
		t.Errorf("in step: %v %v", ok, err)
	}
	if err := h.store.Update(ctx, func(tx bot.Tx) error { return tx.DeleteScene("70") }); err != nil {
		t.Fatal(err)
	}
	if err := h.bot.DeriveReminders(ctx, "70"); err != nil {
		t.Fatal(err)
	}
	for _, r := range h.reminders("70") {
		if r.State != bot.ReminderCancelled {
			t.Errorf("reminder %d of the removed scene is %s", r.ID, r.State)
		}
	}
}

// TestStartInStepWritesNothing: once the next digest is scheduled and the
// reminders are derived with the settings of now, a start writes nothing
// (each write would wait for a sync to disk), nor does the loop waking
// with nothing due: both succeed on a store that refuses every write.
func TestStartInStepWritesNothing(t *testing.T) {
	h := newHarness(t).seed()
	digest, err := config.ParseCron("0 8 * * *")
	if err != nil {
		t.Fatal(err)
	}
	opts := []bot.Option{bot.WithClock(func() time.Time { return h.now }), bot.WithZone(h.bot.Zone()), bot.WithDigest(digest)}
	if err := bot.New(h.store, h.chat, opts...).StartReminders(context.Background()); err != nil {
		t.Fatal(err)
	}
	readOnly := bot.New(&stoppingStore{Store: h.store}, h.chat, opts...)
	if err := readOnly.StartReminders(context.Background()); err != nil {
		t.Errorf("a start with nothing to do wrote: %v", err)
	}
	next, err := readOnly.FireReminders(context.Background())
	if err != nil {
		t.Errorf("the loop, with nothing due, wrote: %v", err)
	}
	if !next.After(h.now) {
		t.Errorf("next reminder due %v, want after %v", next, h.now)
	}
}
