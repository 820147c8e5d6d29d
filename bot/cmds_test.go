package bot_test

import (
	"strings"
	"testing"
	"time"
)

// TestClosedSetLongAfterTheCallWarns: a closed set started more than a
// day after the scene's call tells whoever started it how long ago the
// call was, and to check it; one started before its call says nothing.
func TestClosedSetLongAfterTheCallWarns(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.must("adam", "/closedset start 12"); strings.Contains(r.reply, "call time") {
		t.Errorf("a closed set before its call warned:\n%s", r.reply)
	}
	h.now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) // scene 14's call was Fri 27 Nov 09:00
	r := h.must("adam", "/closedset start 14")
	for _, want := range []string{
		"the call time of scene 14 was Fri 27 Nov 2026 09:00 GMT, 3 days ago",
		"Check that it is right",
		`/scene set 14 call="YYYY-MM-DD HH:MM" once the closed set has ended`,
	} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("start reply lacks %q:\n%s", want, r.reply)
		}
	}
}
