package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

func (h *harness) pending() []bot.Delivery {
	h.t.Helper()
	var ds []bot.Delivery
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		ds, err = tx.Deliveries()
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return ds
}

// TestTransientFailureIsRetried: a DM that fails for a passing reason stays
// queued and goes out on a later attempt; nothing is lost.
func TestTransientFailureIsRetried(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("ines", bot.RetryLater(30*time.Second, errors.New("rate limited")))
	r := h.must("paula", "/hold 12 cold water")
	if got := to(r.sent, "dm", "ines"); len(got) != 0 {
		t.Fatalf("DM sent while failing: %+v", got)
	}
	if got := to(r.sent, "dm", "adam"); len(got) != 1 {
		t.Errorf("the AD's notice should not wait for the IC's: %+v", r.sent)
	}
	ds := h.pending()
	if len(ds) != 1 || ds[0].Message.To.User != "ines" || ds[0].Attempts != 1 || !ds[0].NextAttempt.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("pending after failure: %+v", ds)
	}
	// Not yet due: nothing happens.
	next, err := h.bot.DeliverDue(context.Background())
	if err != nil || !next.Equal(t0.Add(30*time.Second)) || len(h.rec.take()) != 0 {
		t.Fatalf("DeliverDue before due: next %v, err %v", next, err)
	}
	h.rec.setFailDM("ines", nil)
	h.now = h.now.Add(31 * time.Second)
	// Nothing is left but the regular check of channels, minutes away.
	if next, err := h.bot.DeliverDue(context.Background()); err != nil || next.Before(h.now.Add(5*time.Minute)) {
		t.Fatalf("DeliverDue: next %v, err %v", next, err)
	}
	if got := joined(to(h.rec.take(), "dm", "ines")); !strings.Contains(got, "@paula") || !strings.Contains(got, "cold water") {
		t.Errorf("IC's notice after retry: %q", got)
	}
	if ds := h.pending(); len(ds) != 0 {
		t.Errorf("still pending: %+v", ds)
	}
}

// TestPermanentFailureTellsCaller: a refusal by the platform is not
// retried; the caller is told which delivery failed and why.
func TestPermanentFailureTellsCaller(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("paula", bot.Errorf(bot.EUNAVAILABLE, "the bot may not message this person (cannot_dm_bot)"))
	r := h.must("adam", "/closedset start 12")
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "Could not deliver a message (DM to paula)") || !strings.Contains(late, "cannot_dm_bot") {
		t.Errorf("the AD was not told: %q", late)
	}
	if ds := h.pending(); len(ds) != 0 {
		t.Errorf("a permanent failure stays queued: %+v", ds)
	}
}

// TestNoticesSurviveARestart: a command whose follow-up never ran (icbot
// stopped right after answering) has its notices sent by the next bot on
// the same store.
func TestNoticesSurviveARestart(t *testing.T) {
	h := newHarness(t).seed()
	out := h.bot.Handle(context.Background(), bot.Command{Caller: "paula", Text: "/hold 12 dizzy"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	// No FollowUp: the process "stops" here.
	if n := len(h.pending()); n != 2 {
		t.Fatalf("%d notices queued, want 2 (IC and AD)", n)
	}
	again := bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }))
	if _, err := again.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := h.rec.take()
	if ic := joined(to(got, "dm", "ines")); !strings.Contains(ic, "dizzy") {
		t.Errorf("IC's notice after restart: %q", ic)
	}
	if ad := joined(to(got, "dm", "adam")); ad != "Scene 12 is on hold: talk to the IC." {
		t.Errorf("AD's notice after restart: %q", ad)
	}
	if len(h.pending()) != 0 {
		t.Errorf("notices still pending after delivery")
	}
}

// TestRunDeliveriesRetriesOnItsOwn runs the retry loop under a real (short)
// clock: a failure is retried without anyone calling DeliverDue.
func TestRunDeliveriesRetriesOnItsOwn(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("ines", bot.RetryLater(10*time.Millisecond, errors.New("busy")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live := bot.New(h.store, h.chat) // wall clock
	done := make(chan error, 1)
	go func() { done <- live.RunDeliveries(ctx) }()
	out := live.Handle(ctx, bot.Command{Caller: "paula", Text: "/hold 12"})
	live.FollowUp(ctx, out)
	h.rec.setFailDM("ines", nil)
	deadline := time.After(10 * time.Second)
	for {
		if len(h.pending()) == 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("not delivered by the loop: %+v", h.pending())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunDeliveries: %v", err)
	}
	if got := to(h.rec.take(), "dm", "ines"); len(got) != 1 {
		t.Errorf("IC got %d notices, want exactly 1", len(got))
	}
}

// TestRecoverFinishesAnInterruptedLock: icbot stopped after a closed set
// started but before the channel was locked; on start it locks it.
func TestRecoverFinishesAnInterruptedLock(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	out := h.bot.Handle(context.Background(), bot.Command{Caller: "adam", Text: "/closedset start 12"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockPending {
		t.Fatalf("lock state %q, want pending", s.Lock.State)
	}
	if err := h.bot.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockEnforced {
		t.Errorf("after Recover: lock state %q", s.Lock.State)
	}
	if got := joined(to(h.rec.take(), "dm", "adam")); !strings.Contains(got, "Lock enforced") {
		t.Errorf("the AD was not told about the recovered lock: %q", got)
	}
	// And an end whose unlock was interrupted is restored.
	out = h.bot.Handle(context.Background(), bot.Command{Caller: "adam", Text: "/closedset end 12"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if err := h.bot.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockReleased {
		t.Errorf("after Recover: lock state %q, want released", s.Lock.State)
	}
	if last := lc.calls[len(lc.calls)-1]; !strings.HasPrefix(last, "unlock scene-12") {
		t.Errorf("last lock call %q", last)
	}
}

// TestQueuedMessageScreenedAgainWhenSent: a private notice still queued
// when its recipient loses the role that let them read it is dropped, not
// sent; one queued to a channel whose members changed is refused.
func TestQueuedMessageScreenedAgainWhenSent(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("ines", bot.RetryLater(time.Second, errors.New("rate limited")))
	h.must("paula", "/hold 12 cold water")
	if ds := h.pending(); len(ds) != 1 || ds[0].Message.To.User != "ines" {
		t.Fatalf("pending: %+v", ds)
	}
	// The IC is replaced before the notice goes out.
	h.must("root", "/icbot role remove @ines ic")
	h.rec.take()
	h.rec.setFailDM("ines", nil)
	h.now = h.now.Add(time.Minute)
	if _, err := h.bot.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := to(h.rec.take(), "dm", "ines"); len(got) != 0 {
		t.Errorf("a former IC received who called a hold: %+v", got)
	}
	if ds := h.pending(); len(ds) != 0 {
		t.Errorf("the dropped notice is still queued: %+v", ds)
	}
}

// TestDueButClaimedIsLookedAtAgain: a delivery that falls due while a
// command's follow-up is sending it is skipped by the retry loop, which
// looks at it again soon: should the follow-up's attempt fail without
// waking the loop, the message is not left for a day.
func TestDueButClaimedIsLookedAtAgain(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("ines", bot.RetryLater(time.Second, errors.New("busy")))
	h.must("paula", "/hold 12")
	pending := h.pending()
	if len(pending) == 0 {
		t.Fatal("nothing pending")
	}
	h.now = h.now.Add(time.Minute)
	for _, d := range pending {
		h.bot.Claim(d.ID)
	}
	next, err := h.bot.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if next.IsZero() || next.After(h.now.Add(time.Minute)) {
		t.Errorf("next look at %v, want within a minute of %v", next, h.now)
	}
}

// hookStore runs a hook after each read-only transaction, to put another
// goroutine's work between two steps of the bot's.
type hookStore struct {
	bot.Store
	afterView func()
}

func (s *hookStore) View(ctx context.Context, fn func(bot.Tx) error) error {
	err := s.Store.View(ctx, fn)
	if s.afterView != nil {
		s.afterView()
	}
	return err
}

// TestDeliveryReadAgainUnderClaim: the retry loop lists what is due, and
// a command's follow-up sends one of them (and removes it) before the loop
// claims it: the loop reads it again under its claim, finds it gone, and
// sends nothing. No message goes twice without a stop.
func TestDeliveryReadAgainUnderClaim(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("ines", bot.RetryLater(time.Second, errors.New("busy")))
	h.must("paula", "/hold 12")
	pending := h.pending()
	if len(pending) == 0 {
		t.Fatal("nothing pending")
	}
	h.rec.setFailDM("ines", nil)
	h.now = h.now.Add(time.Minute)
	hs := &hookStore{Store: h.store}
	hs.afterView = func() {
		hs.afterView = nil
		// The follow-up of a command sends them all and removes them.
		if err := h.store.Update(context.Background(), func(tx bot.Tx) error {
			for _, d := range pending {
				if err := tx.DeleteDelivery(d.ID); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	loop := bot.New(hs, h.chat, bot.WithClock(func() time.Time { return h.now }))
	if _, err := loop.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sent := h.rec.take(); len(sent) != 0 {
		t.Errorf("the loop sent %d messages a follow-up had already sent: %+v", len(sent), sent)
	}
}

// TestStopIsNotAnError: a stop while follow-ups and the loops run logs no
// error, and what could not be sent stays queued for the next start.
func TestStopIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t).seed()
	b := bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }),
		bot.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), bot.WithSetChannel("set"))
	out := b.Handle(context.Background(), bot.Command{Caller: "paula", Text: "/hold 12"})
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	b.FollowUp(stopped, out)
	if err := b.RunReminders(stopped); err != nil {
		t.Errorf("RunReminders after a stop: %v", err)
	}
	if err := b.RunDeliveries(stopped); err != nil {
		t.Errorf("RunDeliveries after a stop: %v", err)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a stop logged errors:\n%s", logs.String())
	}
	if len(h.pending()) == 0 {
		t.Errorf("the notices of a command cut short by the stop were not kept")
	}
}

// TestFollowUpWaitsForTheLoop: when the retry loop claims a command's
// message between the commit and the follow-up, the follow-up does not
// return before the loop has sent it, so what a command says reaches its
// caller before its follow-up ends (the console's transcript in order).
func TestFollowUpWaitsForTheLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 30 title="Pool" call="2000-01-11 09:00" performers=@paula`)
		out := b.bot.Handle(context.Background(), bot.Command{Caller: "paula", CallerName: "paula", Channel: "set", Text: "/hold 30 tired"})
		ids := out.Deliveries()
		if len(ids) == 0 {
			t.Fatal("the hold queued nothing")
		}
		if got := b.bot.Claim(ids[0]); len(got) != 1 {
			t.Fatal("could not claim as the loop would")
		}
		done := make(chan struct{})
		go func() {
			b.bot.FollowUp(context.Background(), out)
			close(done)
		}()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("the follow-up returned while the loop was still sending its message")
		default:
		}
		b.bot.Release(ids[0])
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("the follow-up did not return once the loop had sent it")
		}
	})
}
