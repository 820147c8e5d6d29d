package bot_test

import (
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// TestChoreoVersions: each /choreo set adds a version with who wrote it,
// when and what it changed; the same again changes nothing and says so;
// steps left out stay as they were.
func TestChoreoVersions(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("ines", `/choreo set 12 b1 "Her hand to his jaw on the count of four; breathe out together" steps="eyes meet; hand to jaw; lean in on four"`)
	if len(r.out.Replies) != 1 || r.out.Replies[0].Class != bot.ClassChoreography || !strings.Contains(r.reply, "version 1 (changed: text, steps)") {
		t.Fatalf("first set: %+v", r.out.Replies)
	}
	b, _ := func() (bot.Beat, bool) { sc := h.sceneOf("12"); return sc.Beat("b1") }()
	if len(b.Choreo) != 1 {
		t.Fatalf("versions: %+v", b.Choreo)
	}
	v := b.Choreo[0]
	if v.Version != 1 || v.By != "ines" || !v.At.Equal(t0) || !slices.Equal(v.Steps, []string{"eyes meet", "hand to jaw", "lean in on four"}) ||
		!slices.Equal(v.Changed, []string{"text", "steps"}) {
		t.Errorf("version 1: %+v", v)
	}
	// The same again: nothing changes, and the reply says so.
	before := h.auditLen()
	r = h.must("ines", `/choreo set 12 b1 "Her hand to his jaw on the count of four; breathe out together"`)
	if !strings.Contains(r.reply, "nothing changed") || h.auditLen() != before || len(h.sceneOf("12").Beats[0].Choreo) != 1 {
		t.Errorf("the same again: %q", r.reply)
	}
	// A new text alone: the steps stay, and the version says text.
	h.now = t0.Add(3600e9)
	h.must("ines", `/choreo set 12 b1 "Her hand to his jaw on the count of six"`)
	// New steps alone.
	h.must("ines", `/choreo set 12 b1 "Her hand to his jaw on the count of six" steps="eyes meet; lean in on six"`)
	// Steps cleared.
	h.must("ines", `/choreo set 12 b1 "Her hand to his jaw on the count of six" steps=""`)
	got := h.sceneOf("12").Beats[0].Choreo
	if len(got) != 4 {
		t.Fatalf("%d versions, want 4: %+v", len(got), got)
	}
	for i, want := range []struct {
		changed []string
		steps   int
	}{{[]string{"text", "steps"}, 3}, {[]string{"text"}, 3}, {[]string{"steps"}, 2}, {[]string{"steps"}, 0}} {
		if v := got[i]; v.Version != i+1 || !slices.Equal(v.Changed, want.changed) || len(v.Steps) != want.steps {
			t.Errorf("version %d: %+v, want changed %v and %d steps", i+1, v, want.changed, want.steps)
		}
	}
	// The audit names the version and what changed, never the text.
	r = h.must("ines", "/audit show 12")
	if strings.Contains(r.reply, "jaw") || !strings.Contains(r.reply, "choreography of beat b1 of scene 12: version 2 (text)") {
		t.Errorf("audit:\n%s", r.reply)
	}
}

// TestChoreoShow: the current version, or every version with who changed
// what and when, to the IC, the director and the scene's performers;
// everyone else is refused with a plain message.
func TestChoreoShow(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.must("paula", "/choreo show 12 b1"); !strings.Contains(r.reply, "has no choreography yet") {
		t.Errorf("before any: %q", r.reply)
	}
	h.must("ines", `/choreo set 12 b1 "slow, on the breath" steps="eyes; hands"`)
	h.now = t0.Add(7200e9)
	h.must("ines", `/choreo set 12 b1 "slow, on the out-breath"`)
	for _, who := range []string{"ines", "dana", "paula"} {
		r := h.must(who, "/choreo show 12 b1")
		if !strings.Contains(r.reply, "version 2, by @ines") || !strings.Contains(r.reply, "slow, on the out-breath") ||
			!strings.Contains(r.reply, "1. eyes") || strings.Contains(r.reply, "slow, on the breath\n") {
			t.Errorf("%s reads:\n%s", who, r.reply)
		}
		r = h.must(who, "/choreo show 12 b1 all")
		if !strings.Contains(r.reply, "Version 1, Thu 26 Nov 2026 08:30 GMT, @ines changed text and steps:\n  slow, on the breath") ||
			!strings.Contains(r.reply, "Version 2, Thu 26 Nov 2026 10:30 GMT, @ines changed text:\n  slow, on the out-breath") {
			t.Errorf("%s reads every version:\n%s", who, r.reply)
		}
	}
	for _, who := range []string{"adam", "priya", "pete", "cam", "cora", "gary", "root", "nobody"} {
		r := h.do(who, "/choreo show 12 b1 all")
		if r.code() != bot.EFORBIDDEN || strings.Contains(r.reply, "breath") || !strings.Contains(r.reply, "/choreo show") {
			t.Errorf("%s: %s %q", who, r.code(), r.reply)
		}
	}
}

// TestChoreoBadInput: a bad or missing value, an unknown or removed beat,
// gives a clear message with the usage, and changes nothing.
func TestChoreoBadInput(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene beat add 12 "hug" kind=contact`)
	h.must("ines", "/scene beat remove 12 b2")
	before, auditBefore := h.sceneOf("12"), h.auditLen()
	for line, want := range map[string]struct {
		code, text string
	}{
		`/choreo set 12 b2 "slow"`:                              {bot.ENOTFOUND, "Scene 12 has no beat b2 (it was removed, or never added)"},
		`/choreo set 12 b9 "slow"`:                              {bot.ENOTFOUND, "has no beat b9"},
		`/choreo set 12 b1`:                                     {bot.EINVALID, "missing the choreography"},
		`/choreo set 12 b1 ""`:                                  {bot.EINVALID, "cannot be empty"},
		`/choreo set 12`:                                        {bot.EINVALID, "missing beat id"},
		`/choreo set 12 x1 "slow"`:                              {bot.EINVALID, "not a beat id"},
		`/choreo set 12 b1 "slow" "and more"`:                   {bot.EINVALID, "unexpected"},
		`/choreo set 12 b1 "` + strings.Repeat("a", 2001) + `"`: {bot.EINVALID, "at most 2000"},
		`/choreo set 12 b1 "slow" steps="` + strings.Repeat("s", 301) + `"`: {bot.EINVALID, "step 1"},
		`/choreo set 12 b1 "slow" steps="` + strings.Repeat("a;", 41) + `"`: {bot.EINVALID, "at most 40"},
		`/choreo set 12 b1 "slow" tempo=3`:                                  {bot.EINVALID, "unknown key tempo="},
		`/choreo show 12 b2`:                                                {bot.ENOTFOUND, "has no beat b2"},
		`/choreo show 12 b1 every`:                                          {bot.EINVALID, "add all"},
	} {
		r := h.do("ines", line)
		// A value too long for any command is refused as the line is read,
		// before it is known as /choreo's.
		usage := strings.Contains(r.reply, "Usage: /choreo") || strings.Contains(r.reply, "A value is too long")
		if r.code() != want.code || !strings.Contains(r.reply, want.text) || !usage {
			t.Errorf("%.60s: %s %q, want %s %q", line, r.code(), r.reply, want.code, want.text)
		}
	}
	if after := h.sceneOf("12"); after.Version != before.Version || len(after.Beats[0].Choreo) != 0 || h.auditLen() != auditBefore {
		t.Errorf("a refused /choreo changed something")
	}
	// Only the IC writes it.
	for _, who := range []string{"dana", "paula", "adam"} {
		if r := h.do(who, `/choreo set 12 b1 "slow"`); r.code() != bot.EFORBIDDEN {
			t.Errorf("%s wrote the choreography: %s", who, r.reply)
		}
	}
}
