package bot_test

import (
	"context"
	"strings"
	"testing"

	"icbot/bot"
)

// TestShowOtherPerformerRefused: a performer who names another performer
// to /boundaries show is refused as not theirs to see, not as a usage
// problem, and learns nothing of the other's answers; naming themselves
// shows their own, and the IC sees anyone's.
func TestShowOtherPerformerRefused(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", `/boundaries answer 20 b1=no notes="CANARY-paula"`)
	want := "Only the IC sees another performer's answers; you can see your own with /boundaries show 20."
	for _, line := range []string{"/boundaries show 20 @paula", "/boundaries show 20 @pete @paula", "/boundaries show 20 @cam", "/boundaries show 20 @stranger"} {
		r := h.do("pete", line)
		if r.code() != bot.EFORBIDDEN || r.reply != want {
			t.Errorf("pete: %s: %s %q, want forbidden %q", line, r.code(), r.reply, want)
		}
		if strings.Contains(r.reply, "CANARY") || len(r.sent) != 0 {
			t.Errorf("pete: %s: something of paula's reached him: %q %+v", line, r.reply, r.sent)
		}
	}
	if r := h.must("paula", "/boundaries show 20 @paula"); !strings.Contains(r.reply, "@paula, scene 20, version 1") {
		t.Errorf("paula naming herself: %q", r.reply)
	}
	if r := h.must("ines", "/boundaries show 20 @paula"); !strings.Contains(r.reply, "CANARY-paula") {
		t.Errorf("the IC: %q", r.reply)
	}
	// A word that is no mention is still a usage problem.
	if r := h.do("pete", "/boundaries show 20 #scene-20"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "Usage: /boundaries show") {
		t.Errorf("a channel for a person: %s %q", r.code(), r.reply)
	}
}

// TestAnswerToAChangeNotYetTold: a beat changed after the performer was
// asked, the news of it still waiting, is not answered by a yes typed
// from the older text: refused with the beat as it now reads, and taken
// with seen= naming its revision; a seen= of an older revision is refused
// too.
func TestAnswerToAChangeNotYetTold(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", "/boundaries request 12")
	h.must("ines", `/scene beat set 12 b1 "Kiss, longer, with hands in hair"`)
	before := len(h.history("12", "paula"))
	r := h.do("paula", "/boundaries answer 12 b1=yes")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, `it now reads "Kiss, longer, with hands in hair"`) || !strings.Contains(r.reply, "b1=yes seen=b1:2") {
		t.Errorf("an answer to a change not yet told: %s %q", r.code(), r.reply)
	}
	if r := h.do("paula", "/boundaries answer 12 b1=yes seen=b1:1"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "is at revision 2, not 1") {
		t.Errorf("seen= of an older revision: %s %q", r.code(), r.reply)
	}
	if got := len(h.history("12", "paula")); got != before {
		t.Fatalf("a refused answer was saved: %d versions, were %d", got, before)
	}
	h.must("paula", "/boundaries answer 12 b1=yes seen=b1:2")
	if got := len(h.history("12", "paula")); got != before+1 {
		t.Errorf("the answer with seen= was not saved: %d versions", got)
	}
}

// history is a performer's boundaries versions for a scene.
func (h *harness) history(id bot.SceneID, p bot.UserID) []bot.Boundaries {
	h.t.Helper()
	var out []bot.Boundaries
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		out, err = tx.BoundariesHistory(id, p)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			err = nil
		}
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return out
}
