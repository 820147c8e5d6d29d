package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// pendingAftercare counts the pending aftercare questions /reminders list
// shows for a performer of a scene.
func pendingAftercare(t *testing.T, h *harness, scene, performer string) int {
	t.Helper()
	n := 0
	for _, l := range strings.Split(h.must("ines", "/reminders list "+scene).reply, "\n") {
		if strings.Contains(l, "aftercare") && strings.Contains(l, "@"+performer) && strings.Contains(l, "pending") {
			n++
		}
	}
	return n
}

// TestOneAftercarePerPerformerPerDay: a scene shot in three closed sets
// on one day asks each performer once how they are, a day after the last
// set; a set on the next day asks again.
func TestOneAftercarePerPerformerPerDay(t *testing.T) {
	h := newHarness(t).seed() // scene 15's closed set was started at 08:30
	for _, line := range []string{"/closedset end 15", "/closedset start 15", "/closedset end 15", "/closedset start 15", "/closedset end 15"} {
		h.now = h.now.Add(30 * time.Minute) // the last ends at 11:00
		h.must("adam", line)
	}
	if got := pendingAftercare(t, h, "15", "paula"); got != 1 {
		t.Fatalf("%d pending aftercare questions for paula after three closed sets in a day, want 1:\n%s", got, h.must("ines", "/reminders list 15").reply)
	}
	// A day after the last set of the day, not the first.
	list := h.must("ines", "/reminders list 15").reply
	if !strings.Contains(list, "Fri 27 Nov 2026 11:00") {
		t.Errorf("the aftercare question is not due a day after the last set (11:00):\n%s", list)
	}
	h.now = h.now.Add(24 * time.Hour)
	h.must("adam", "/closedset start 15")
	h.now = h.now.Add(time.Hour)
	h.must("adam", "/closedset end 15")
	if got := pendingAftercare(t, h, "15", "paula"); got != 2 {
		t.Errorf("%d pending aftercare questions after a closed set the next day, want 2", got)
	}
}

// TestAftercareDuplicatesCleanedUp: a store holding a question per closed
// set of one day, as icbot wrote before asking once a day, keeps one
// after the next start, which derives every scene's reminders again.
func TestAftercareDuplicatesCleanedUp(t *testing.T) {
	h := newHarness(t).seed()
	for _, line := range []string{"/closedset end 15", "/closedset start 15", "/closedset end 15", "/closedset start 15", "/closedset end 15"} {
		h.now = h.now.Add(30 * time.Minute)
		h.must("adam", line)
	}
	ctx := context.Background()
	due := h.session("15", 3).EndedAt.Add(24 * time.Hour)
	err := h.store.Update(ctx, func(tx bot.Tx) error {
		for _, seq := range []uint64{1, 2} {
			// Derived when its set ended, and cancelled when the next
			// one ended; before, it stayed pending.
			r, err := tx.ReminderByKey(fmt.Sprintf("aftercare/15/%d/paula", seq))
			if err != nil {
				return err
			}
			r.State, r.Due = bot.ReminderPending, due
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
		}
		// The stamp of the rules that wrote them.
		stamp, err := tx.ReminderInputs()
		if err != nil {
			return err
		}
		old, n := strings.CutPrefix(stamp, "rules=")
		if !n {
			t.Fatalf("stamp %q", stamp)
		}
		_, rest, _ := strings.Cut(old, " ")
		return tx.PutReminderInputs("rules=1 " + rest)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingAftercare(t, h, "15", "paula"); got != 3 {
		t.Fatalf("set up %d pending aftercare questions, want 3", got)
	}
	if err := h.bot.StartReminders(ctx); err != nil {
		t.Fatal(err)
	}
	if got := pendingAftercare(t, h, "15", "paula"); got != 1 {
		t.Errorf("%d pending aftercare questions after a start, want 1:\n%s", got, h.must("ines", "/reminders list 15").reply)
	}
}
