package bot_test

import (
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
