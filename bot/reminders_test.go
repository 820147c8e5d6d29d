package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
	"icbot/config"
)

// bubble is a bot whose clock is a synctest bubble's: time.Sleep moves it
// on, with the reminder loop running. The bubble's clock starts at
// midnight UTC on 1 January 2000.
type bubble struct {
	*harness
	zone   *time.Location
	cancel context.CancelFunc
	done   chan struct{}
}

// newBubble must be called inside synctest.Test.
func newBubble(t *testing.T, zone string, opts ...bot.Option) *bubble {
	h := newHarness(t).seedPeople()
	z, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	b := &bubble{harness: h, zone: z}
	b.bot = bot.New(h.store, h.chat, append([]bot.Option{bot.WithClock(time.Now), bot.WithZone(z), bot.WithAdmins("root"), bot.WithSetChannel("set")}, opts...)...)
	h.bot = b.bot
	h.now = time.Now()
	return b
}

// start runs the reminder loop until the test ends.
func (b *bubble) start() {
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done = cancel, make(chan struct{})
	go func() {
		defer close(b.done)
		if err := b.bot.RunReminders(ctx); err != nil {
			b.t.Errorf("RunReminders: %v", err)
		}
	}()
	synctest.Wait()
}

func (b *bubble) stop() {
	b.cancel()
	<-b.done
}

// until moves the bubble's clock to the wall time s in the zone and lets
// the loop do what falls due; it returns what was sent meanwhile.
func (b *bubble) until(s string) []sent {
	b.t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, b.zone)
	if err != nil {
		b.t.Fatal(err)
	}
	time.Sleep(time.Until(at))
	synctest.Wait()
	b.h().now = time.Now()
	return b.rec.take()
}

func (b *bubble) h() *harness { return b.harness }

// do runs a command at the bubble's time.
func (b *bubble) do(caller, line string) result {
	b.harness.now = time.Now()
	r := b.harness.must(caller, line)
	synctest.Wait()
	r.sent = append(r.sent, b.rec.take()...)
	return r
}

func local(t time.Time, z *time.Location) string { return t.In(z).Format("2006-01-02 15:04") }

// TestRiderRemindersOnTime: warnings 7 days, 72 and 24 hours before the
// deadline to the IC (in full) and the producer (no dates), the overdue
// escalation at the deadline to the IC, producer and AD, with the scene
// marked not ready; each at its instant.
func TestRiderRemindersOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 30 title="Pool" call="2000-01-11 09:00" performers=@paula`)
		b.do("ines", `/scene beat add 30 "kiss" kind=contact`)
		b.do("ines", "/scene set 30 status=ready")
		b.start()
		defer b.stop()
		if got := b.until("2000-01-02 08:59"); len(got) != 0 {
			t.Errorf("sent early: %+v", got)
		}
		for _, step := range []struct{ at, left string }{
			{"2000-01-02 09:00", "7 days"}, {"2000-01-06 09:00", "3 days"}, {"2000-01-08 09:00", "24 hours"},
		} {
			got := b.until(step.at)
			ic, prod := to(got, "dm", "ines"), to(got, "dm", "priya")
			if len(ic) != 1 || len(prod) != 1 || len(got) != 2 {
				t.Fatalf("%s: sent %+v", step.at, got)
			}
			if local(ic[0].At, b.zone) != step.at || !strings.Contains(ic[0].Text, "Rider deadline in "+step.left) || !strings.Contains(ic[0].Text, "deadline Sun 9 Jan 2000 09:00 GMT") {
				t.Errorf("%s: IC's warning at %s: %q", step.at, local(ic[0].At, b.zone), ic[0].Text)
			}
			if strings.Contains(prod[0].Text, "Jan") || !strings.Contains(prod[0].Text, "deadline is near") {
				t.Errorf("%s: producer's warning has dates or lacks the point: %q", step.at, prod[0].Text)
			}
		}
		got := b.until("2000-01-09 09:00")
		for _, who := range []string{"ines", "priya", "adam"} {
			if m := to(got, "dm", who); len(m) != 1 || local(m[0].At, b.zone) != "2000-01-09 09:00" {
				t.Errorf("overdue escalation to %s: %+v", who, m)
			}
		}
		if ad := joined(to(got, "dm", "adam")); !strings.Contains(ad, `Scene 30 "Pool" is not ready`) || strings.Contains(ad, "Jan") {
			t.Errorf("AD's escalation: %q", ad)
		}
		if st := b.scene("30").Status; st != bot.StatusDraft {
			t.Errorf("status %s after the deadline, want draft (not ready)", st)
		}
	})
}

// TestCheckInAndAftercare: the performer is asked the day before the call
// at the call's wall time; "talk" reaches the IC alone. A day after a
// closed set ends, aftercare asks again, and the answer goes to the IC.
func TestCheckInAndAftercare(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 31 title="Bedroom" call="2000-01-05 07:30" performers=@paula,@pete channel=#scene-12`)
		b.do("ines", `/scene beat add 31 "kiss" kind=contact`)
		for _, p := range []string{"paula", "pete"} {
			b.do(p, "/boundaries answer 31 b1=yes")
			b.do("ines", "/rider signed 31 @"+p)
		}
		b.start()
		defer b.stop()
		got := b.until("2000-01-04 07:30")
		for _, p := range []string{"paula", "pete"} {
			m := to(got, "dm", p)
			if len(m) != 1 || local(m[0].At, b.zone) != "2000-01-04 07:30" || !strings.Contains(m[0].Text, `Your scene 31 "Bedroom" is tomorrow at 07:30. Are your boundaries unchanged?`) || len(m[0].Actions) != 2 {
				t.Fatalf("%s's check-in: %+v", p, m)
			}
		}
		id := strings.TrimPrefix(strings.Fields(to(got, "dm", "paula")[0].Actions[1].Command)[2], "#")
		r := b.do("paula", "/reminders answer "+id+" talk I'm not sure about the kiss any more")
		if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "@paula answered the check-in before scene 31: WANTS TO TALK TO YOU") || !strings.Contains(ic, "not sure about the kiss") {
			t.Errorf("IC's notice: %q", ic)
		}
		for _, s := range r.sent {
			if s.To != "ines" && strings.Contains(s.Text, "kiss any more") {
				t.Errorf("the check-in answer reached %s", s.To)
			}
		}
		// Taken back: the IC, told she wants to talk, is told it is fine now.
		r = b.do("paula", "/reminders answer "+id+" ok")
		if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "@paula answered the check-in before scene 31: fine, boundaries unchanged") {
			t.Errorf("IC not told the talk was taken back: %q", ic)
		}
		b.until("2000-01-05 07:30")
		b.do("adam", "/closedset start 31")
		b.until("2000-01-05 12:00")
		b.do("adam", "/closedset end 31")
		got = b.until("2000-01-06 12:00")
		m := to(got, "dm", "pete")
		if len(m) != 1 || local(m[0].At, b.zone) != "2000-01-06 12:00" || !strings.Contains(m[0].Text, "How are you after yesterday's closed set for scene 31") {
			t.Fatalf("pete's aftercare: %+v", m)
		}
		id = strings.Fields(m[0].Actions[0].Command)[2]
		r = b.do("pete", "/reminders answer "+id+" ok")
		if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "@pete answered the aftercare check-in after scene 31: fine") {
			t.Errorf("IC's aftercare notice: %q", ic)
		}
	})
}

// TestWrapReminder: at wrap time, an open closed set is brought to the AD's
// and IC's attention, each day it stays open.
func TestWrapReminder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London", bot.WithWrapTime(19, 0))
		b.do("ines", `/scene add 32 title="Car" call="2000-01-03 09:00" performers=@pete`)
		b.start()
		defer b.stop()
		b.until("2000-01-03 09:00")
		b.do("ines", `/closedset start 32 force reason="wrap test"`)
		for _, day := range []string{"2000-01-03 19:00", "2000-01-04 19:00"} {
			got := b.until(day)
			for _, who := range []string{"adam", "ines"} {
				if m := to(got, "dm", who); len(m) != 1 || local(m[0].At, b.zone) != day || !strings.Contains(m[0].Text, `wrap time (19:00) and the closed set for scene 32 "Car" is still open`) {
					t.Errorf("%s on %s: %+v", who, day, m)
				}
			}
		}
		b.do("adam", "/closedset end 32")
		if got := b.until("2000-01-05 19:01"); len(to(got, "dm", "adam")) != 0 {
			t.Errorf("a wrap reminder after the end: %+v", got)
		}
	})
}

// TestDigest: at 08:00 local each day the IC (and only the IC) gets the
// next seven days of scenes, what is missing first.
func TestDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := config.ParseCron("0 8 * * *")
		if err != nil {
			t.Fatal(err)
		}
		b := newBubble(t, "Europe/London", bot.WithDigest(s))
		b.do("ines", `/scene add 40 title="Lake" call="2000-01-04 09:00" performers=@paula,@pete`)
		b.do("ines", `/scene beat add 40 "kiss" kind=contact`)
		b.do("paula", `/boundaries answer 40 b1=yes garments="robe"`)
		b.do("ines", "/rider signed 40 @paula")
		b.do("ines", `/scene add 41 title="Far away" call="2000-01-20 09:00" performers=@paula`)
		b.start()
		defer b.stop()
		got := b.until("2000-01-01 08:00")
		m := digests(to(got, "dm", "ines"))
		if len(m) != 1 || len(to(got, "dm", "priya")) != 0 || local(m[0].At, b.zone) != "2000-01-01 08:00" {
			t.Fatalf("digest: %+v", got)
		}
		for _, want := range []string{
			"Prep digest, Sat 1 Jan 2000",
			"Scene 40, Lake: call Tue 4 Jan 2000 09:00 GMT",
			"MISSING: @pete has not answered b1",
			"MISSING: @pete: no rider",
			"Boundaries confirmed 1/2, riders signed 1/2, garments noted 1/2, no roster beyond the performers, top-line not posted.",
		} {
			if !strings.Contains(m[0].Text, want) {
				t.Errorf("digest lacks %q:\n%s", want, m[0].Text)
			}
		}
		if strings.Contains(m[0].Text, "Far away") {
			t.Errorf("the digest lists a scene beyond seven days")
		}
		if strings.Index(m[0].Text, "MISSING") > strings.Index(m[0].Text, "Boundaries confirmed") {
			t.Errorf("what is missing does not come first")
		}
		if got := b.until("2000-01-02 08:00"); len(digests(to(got, "dm", "ines"))) != 1 {
			t.Errorf("second day's digest: %+v", got)
		}
	})
}

// TestRescheduleCancelSnooze: moving the call moves the reminders; removing
// the scene cancels them; a rider warning cannot be snoozed past the
// deadline.
func TestRescheduleCancelSnooze(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 50 title="Roof" call="2000-01-20 09:00" performers=@pete`)
		b.start()
		defer b.stop()
		before := b.do("ines", "/reminders list 50").reply
		if !strings.Contains(before, "rider-warning scene 50 for @pete, due Tue 11 Jan 2000 09:00 GMT, pending") {
			t.Fatalf("reminders: %s", before)
		}
		b.do("adam", `/scene set 50 call="2000-01-25 09:00"`)
		after := b.do("ines", "/reminders list 50").reply
		if !strings.Contains(after, "due Tue 11 Jan 2000 09:00 GMT, cancelled") || !strings.Contains(after, "due Sun 16 Jan 2000 09:00 GMT, pending") {
			t.Errorf("after moving the call:\n%s", after)
		}
		if got := b.until("2000-01-11 09:01"); len(got) != 0 {
			t.Errorf("a cancelled reminder fired: %+v", got)
		}
		// Snooze: the 24-hour warning is due 22 Jan 09:00, the deadline 23 Jan 09:00.
		var id string
		for _, l := range strings.Split(b.do("ines", "/reminders list 50").reply, "\n") {
			if strings.Contains(l, "due Sat 22 Jan 2000 09:00 GMT, pending") {
				id = strings.TrimPrefix(strings.Fields(l)[0], "#")
			}
		}
		if r := b.h().do("ines", "/reminders snooze "+id+" 25h"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "past the rider's legal deadline") {
			t.Errorf("snooze past the deadline: %v %q", r.out.Err, r.reply)
		}
		if r := b.do("ines", "/reminders snooze "+id+" 12h"); !strings.Contains(r.reply, "now falls due Sat 22 Jan 2000 21:00 GMT") {
			t.Errorf("snooze: %q", r.reply)
		}
		b.do("adam", "/scene remove 50")
		if rest := b.do("ines", "/reminders list").reply; strings.Contains(rest, "scene 50") {
			t.Errorf("reminders of a removed scene still pending:\n%s", rest)
		}
		if got := b.until("2000-01-26 00:00"); len(got) != 0 {
			t.Errorf("a removed scene's reminder fired: %+v", got)
		}
	})
}

// TestRemindersAcrossRestart: icbot is down when reminders fall due. On
// start, one due within the grace period is sent once, at once; one older
// than that is listed as missed in the next digest, and nothing is lost,
// although with the same settings a start derives no scene's reminders.
func TestRemindersAcrossRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := config.ParseCron("0 8 * * *")
		if err != nil {
			t.Fatal(err)
		}
		b := newBubble(t, "Europe/London", bot.WithDigest(s))
		b.do("ines", `/scene add 60 title="Dock" call="2000-01-12 09:00" performers=@pete`)
		b.start()
		b.until("2000-01-01 08:00") // a digest; then icbot stops
		b.stop()
		// Down from 1 Jan to 5 Jan 10:00: the 7-day warning (3 Jan 09:00)
		// is more than 24 hours late; four digests were due.
		b.until("2000-01-05 10:00")
		cs := newCountingStore(b.store)
		again := bot.New(cs, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), bot.WithDigest(s))
		b.bot, b.harness.bot = again, again
		b.start()
		defer b.stop()
		if n := cs.counts(); len(n) != 0 {
			t.Errorf("the start derived %v, with the settings of the last", n)
		}
		got := b.rec.take()
		if len(got) != 0 {
			t.Errorf("sent on start although everything was over a day late: %+v", got)
		}
		digest := digests(to(b.until("2000-01-06 08:00"), "dm", "ines"))
		if len(digest) != 1 || !strings.Contains(digest[0].Text, "Missed while icbot was offline:") || !strings.Contains(digest[0].Text, "rider-warning scene 60 for @pete, due Mon 3 Jan 2000 09:00 GMT, missed") {
			t.Fatalf("digest after the restart: %+v", digest)
		}
		if strings.Count(digest[0].Text, "Missed while") != 1 {
			t.Errorf("missed listed twice")
		}
		if next := digests(to(b.until("2000-01-07 08:00"), "dm", "ines")); len(next) != 1 || strings.Contains(next[0].Text, "Missed while") {
			t.Errorf("missed reminders listed again: %+v", next)
		}
		// Within the grace: stop before the 24-hour warning (9 Jan 09:00),
		// start 2 hours after it: sent once, at once.
		b.stop()
		b.until("2000-01-09 11:00")
		b.rec.take()
		third := bot.New(cs, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"))
		b.bot, b.harness.bot = third, third
		cs.counts()
		b.start()
		if n := cs.counts(); len(n) != 0 {
			t.Errorf("the third start derived %v", n)
		}
		got = b.rec.take()
		if ic := to(got, "dm", "ines"); len(ic) != 1 || !strings.Contains(ic[0].Text, "Rider deadline in 22 hours") || local(ic[0].At, b.zone) != "2000-01-09 11:00" {
			t.Errorf("late warning on start: %+v", got)
		}
		if again := b.until("2000-01-09 12:00"); len(to(again, "dm", "ines")) != 0 {
			t.Errorf("sent twice: %+v", again)
		}
	})
}

// TestDigestAcrossClockChanges runs the loop over the 2000 clock changes of
// Los Angeles and London: one digest per local day, at 08:00 local.
func TestDigestAcrossClockChanges(t *testing.T) {
	for _, tc := range []struct {
		zone       string
		from, till string
	}{
		{"America/Los_Angeles", "2000-03-30 00:00", "2000-04-05 00:00"}, // 2 April
		{"America/Los_Angeles", "2000-10-26 00:00", "2000-11-01 00:00"}, // 29 October
		{"Europe/London", "2000-03-23 00:00", "2000-03-29 00:00"},       // 26 March
		{"Europe/London", "2000-10-26 00:00", "2000-11-01 00:00"},       // 29 October
	} {
		t.Run(tc.zone+" "+tc.from, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, err := config.ParseCron("30 1 * * *") // in the repeated hour in the autumn
				if err != nil {
					t.Fatal(err)
				}
				b := newBubble(t, tc.zone, bot.WithDigest(s))
				b.until(tc.from)
				b.start()
				defer b.stop()
				got := digests(to(b.until(tc.till), "dm", "ines"))
				days := map[string]int{}
				for _, m := range got {
					l := m.At.In(b.zone)
					days[l.Format("2006-01-02")]++
					if hm := l.Format("15:04"); hm != "01:30" && hm != "02:30" {
						t.Errorf("digest at %s local", l.Format("2006-01-02 15:04 MST"))
					}
				}
				if len(days) != 6 {
					t.Errorf("digests on %d days, want 6: %v", len(days), days)
				}
				for d, n := range days {
					if n != 1 {
						t.Errorf("%d digests on %s", n, d)
					}
				}
				t.Log(fmt.Sprint(len(got), " digests: ", days))
			})
		})
	}
}

// digests keeps the prep digests among messages.
func digests(ss []sent) []sent {
	var out []sent
	for _, s := range ss {
		if strings.HasPrefix(s.Text, "Prep digest") {
			out = append(out, s)
		}
	}
	return out
}

// brokenStore fails its transactions while broken is set, as a damaged
// record would until it is mended.
type brokenStore struct {
	bot.Store
	mu     sync.Mutex
	broken bool
}

func (s *brokenStore) fail() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken {
		return bot.Internal(errors.New("storage: a record does not open"))
	}
	return nil
}

func (s *brokenStore) View(ctx context.Context, fn func(bot.Tx) error) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.View(ctx, fn)
}

func (s *brokenStore) Update(ctx context.Context, fn func(bot.Tx) error) error {
	if err := s.fail(); err != nil {
		return err
	}
	return s.Store.Update(ctx, fn)
}

// TestRemindersOutliveAFailedStart: the reminder loop cannot start (a
// record it reads is damaged); it does not stop for good, but tries again
// every minute, and once the record is mended the check-ins go out.
func TestRemindersOutliveAFailedStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 31 title="Bedroom" call="2000-01-05 07:30" performers=@paula,@pete channel=#scene-12`)
		bs := &brokenStore{Store: b.store, broken: true}
		b.bot = bot.New(bs, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), bot.WithSetChannel("set"))
		b.harness.bot = b.bot
		b.start()
		defer b.stop()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		bs.mu.Lock()
		bs.broken = false
		bs.mu.Unlock()
		got := b.until("2000-01-04 07:30")
		for _, p := range []string{"paula", "pete"} {
			if m := to(got, "dm", p); len(m) != 1 {
				t.Errorf("%s's check-in after the record was mended: %+v", p, m)
			}
		}
	})
}
