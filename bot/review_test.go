package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

func TestCallTimesAcrossClockChanges(t *testing.T) {
	h := newHarness(t).seed()
	tests := []struct {
		name, call string
		want       time.Time // zero: refused
		say        []string
	}{
		{"ordinary", "2026-12-03 09:00", time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), nil},
		{"summer", "2027-06-01 07:00", time.Date(2027, 6, 1, 6, 0, 0, 0, time.UTC), nil},
		{"skipped when the clocks go forward", "2027-03-28 01:30", time.Time{}, []string{"does not exist in Europe/London"}},
		{"twice when the clocks go back", "2026-10-25 01:30", time.Time{}, []string{"happens twice", `call="2026-10-25 01:30 +01:00" (BST)`, `call="2026-10-25 01:30 +00:00" (GMT)`}},
		{"first of the two, by offset", "2026-10-25 01:30 +01:00", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), nil},
		{"second of the two, by offset", "2026-10-25 01:30 +00:00", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), nil},
		{"an offset the zone does not use", "2026-10-25 01:30 +05:00", time.Time{}, []string{"+05:00 is not a UTC offset that Europe/London uses"}},
		{"a malformed offset", "2026-12-03 09:00 +1", time.Time{}, []string{"bad UTC offset"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.do("ines", `/scene set 12 call="`+tt.call+`" past`) // some are past: confirmed
			if tt.want.IsZero() {
				if r.code() != bot.EINVALID {
					t.Fatalf("accepted: %s", r.reply)
				}
				for _, w := range tt.say {
					if !strings.Contains(r.reply, w) {
						t.Errorf("refusal lacks %q:\n%s", w, r.reply)
					}
				}
				return
			}
			if r.out.Err != nil {
				t.Fatalf("refused: %s", r.reply)
			}
			if got := h.scene("12").Call; !got.Equal(tt.want) {
				t.Errorf("stored %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRemovingAHeldSceneIsRefused(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/hold 12 dizzy")
	if r := h.do("adam", "/scene remove 12"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "the IC must lift the hold") {
		t.Fatalf("remove of a held scene: %v %q", r.out.Err, r.reply)
	}
	if _, held := h.scene("12").ActiveHold(); !held {
		t.Errorf("the hold is gone")
	}
}

func TestReaddedSceneHasNoOldSessions(t *testing.T) {
	h := newHarness(t).seed()
	h.must("adam", "/closedset end 15")
	h.must("adam", "/scene remove 15")
	h.must("ines", `/scene add 15 title="New bedroom" call="2026-12-09 09:00" performers=@pete`)
	r := h.must("pete", "/closedset status 15")
	if !strings.Contains(r.reply, "No closed set has run for scene 15 yet") || strings.Contains(r.reply, "@paula") {
		t.Errorf("the new scene shows the old session:\n%s", r.reply)
	}
}

func TestStrangersCannotProbeScenes(t *testing.T) {
	h := newHarness(t).seed()
	exists, missing := h.do("gary", "/scene show 12"), h.do("gary", "/scene show 99")
	if exists.code() != bot.EFORBIDDEN || missing.code() != bot.EFORBIDDEN || exists.reply != missing.reply {
		t.Errorf("an existing and a missing scene answer differently:\n%q\n%q", exists.reply, missing.reply)
	}
	// Those who may see every scene still learn that one is missing.
	if r := h.do("adam", "/scene show 99"); r.code() != bot.ENOTFOUND {
		t.Errorf("AD: %v", r.out.Err)
	}
}

func TestRosterRoleMustBeTheirs(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.do("adam", "/closedset add 12 @gary role=ic"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "@gary does not have the role ic") {
		t.Errorf("role=ic for crew: %v %q", r.out.Err, r.reply)
	}
	h.must("root", "/icbot role add @gary camera")
	if r := h.must("adam", "/closedset add 12 @gary role=camera"); !strings.Contains(r.reply, "@gary (camera)") {
		t.Errorf("reply %q", r.reply)
	}
}

// TestOneRosterDuringASession: the session's roster (with the ICs and the
// AD who started it) is the one that decides who may acknowledge, who is
// already on it and who can be taken off.
func TestOneRosterDuringASession(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	h.must("adam", "/closedset start 12")
	if r := h.must("ines", "/closedset ack 12"); !strings.Contains(r.reply, "you confirmed") {
		t.Errorf("IC ack: %q", r.reply)
	}
	if r := h.must("adam", "/closedset add 12 @ines"); !strings.Contains(r.reply, "already on the roster") {
		t.Errorf("adding the IC again: %q", r.reply)
	}
	h.must("ines", "/closedset remove 12 @adam")
	if got := lc.calls[len(lc.calls)-1]; got != "lock scene-12 to paula,cam,ines" {
		t.Errorf("relock after taking the AD off = %q", got)
	}
	if n := len(h.session("12", 1).Roster); n != 3 {
		t.Errorf("roster has %d entries, want 3", n)
	}
}

// TestFailedRelockStillRestores: when a re-lock after a roster change
// fails, the lock already in force is still undone at the end.
func TestFailedRelockStillRestores(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	h.must("adam", "/closedset start 12")
	lc.lockErr = bot.Errorf(bot.EUNAVAILABLE, "the bot lost the groups:write scope")
	r := h.must("adam", "/closedset add 12 @hana")
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "roster change was not applied") || !strings.Contains(late, "still locked") {
		t.Errorf("the AD was not told: %q", late)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockEnforced {
		t.Errorf("lock state %q, want still enforced", s.Lock.State)
	}
	h.must("adam", "/closedset end 12")
	if got := lc.calls[len(lc.calls)-1]; got != "unlock scene-12 restore gary (saved)" {
		t.Errorf("last call %q: the removed members were not restored", got)
	}
}

// TestHoldCallerNotLogged: the log says a hold was called, never by whom,
// nor why.
func TestHoldCallerNotLogged(t *testing.T) {
	h := newHarness(t).seed()
	var logs bytes.Buffer
	logged := bot.New(h.store, h.chat, bot.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		bot.WithClock(func() time.Time { return h.now }))
	out := logged.Handle(context.Background(), bot.Command{Caller: "paula", Text: "/hold 12 CANARY-reason"})
	logged.FollowUp(context.Background(), out)
	if out.Err != nil {
		t.Fatal(out.Err)
	}
	if !strings.Contains(logs.String(), "command=hold") {
		t.Fatalf("no command log:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "paula") || strings.Contains(logs.String(), "CANARY") {
		t.Errorf("the log names the hold's caller or reason:\n%s", logs.String())
	}
}
