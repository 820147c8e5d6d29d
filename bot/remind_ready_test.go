package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/bot"
)

// heldStore holds every write transaction, once hold is called, until
// release: work the bot does in the background after Start has returned
// cannot finish before the test has looked.
type heldStore struct {
	bot.Store
	mu   sync.Mutex
	held chan struct{} // nil: writes go through
}

func (s *heldStore) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = make(chan struct{})
}

func (s *heldStore) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held != nil {
		close(s.held)
		s.held = nil
	}
}

func (s *heldStore) Update(ctx context.Context, fn func(bot.Tx) error) error {
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Store.Update(ctx, fn)
}

// TestStartDerivesMissingRemindersBeforeAnswering: on a file whose scenes
// were written other than by commands and whose reminders were never
// derived (the console's demo), the first command after Start lists the
// reminders. They are derived before Start returns, not in the
// background: every write after it is held until the command has
// answered.
func TestStartDerivesMissingRemindersBeforeAnswering(t *testing.T) {
	h := newHarness(t).seedPeople()
	ctx := context.Background()
	call := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	err := h.store.Update(ctx, func(tx bot.Tx) error {
		sc := bot.Scene{ID: "40", Title: "Orchard", Call: call, Performers: []bot.UserID{"paula", "pete"}, Status: bot.StatusDraft, Version: 1}
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		return tx.PutReminderInputs("")
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := &heldStore{Store: h.store}
	b := bot.New(hs, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithAdmins("root"))
	stop, err := b.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	hs.hold()
	defer stop()
	defer hs.release()
	out := b.Handle(ctx, bot.Command{Caller: "ines", Channel: "set", Text: "/reminders list"})
	got := out.ReplyText()
	if out.Err != nil || strings.Contains(got, "No reminders") {
		t.Fatalf("the first command after a start on a fresh file: %v\n%s", out.Err, got)
	}
	for _, want := range []string{"check-in scene 40 for @paula", "check-in scene 40 for @pete", "rider-overdue scene 40 for @paula"} {
		if !strings.Contains(got, want) {
			t.Errorf("the first /reminders list lacks %q:\n%s", want, got)
		}
	}
}

// TestReadyLeavesStaleRemindersToTheLoop: what a start does before it
// answers derives every scene's reminders when none was ever derived,
// and none when they were derived with other settings: those are the
// loop's work, in the background, so that a large production answers at
// once. The loop then derives each scene once.
func TestReadyLeavesStaleRemindersToTheLoop(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	cs := newCountingStore(h.store)
	b := bot.New(cs, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithZone(mustZone(t, "America/New_York")), bot.WithAdmins("root"))
	if err := b.ReadyReminders(ctx); err != nil {
		t.Fatal(err)
	}
	if n := cs.counts(); len(n) != 0 {
		t.Errorf("a start derived %v before answering; reminders derived with other settings are the loop's work", n)
	}
	if err := b.StartReminders(ctx); err != nil {
		t.Fatal(err)
	}
	if n := cs.counts(); len(n) != 4 {
		t.Errorf("the loop's start derived %v, want the four scenes once each", n)
	}

	// A file never derived: the demo's, or a tool's.
	if err := h.store.Update(ctx, func(tx bot.Tx) error { return tx.PutReminderInputs("") }); err != nil {
		t.Fatal(err)
	}
	if err := b.ReadyReminders(ctx); err != nil {
		t.Fatal(err)
	}
	if n := cs.counts(); len(n) != 0 {
		t.Errorf("with reminders pending but no stamp (a file from before it), a start derived %v before answering", n)
	}
}
