package bot_test

import (
	"strings"
	"testing"
)

// TestSceneRename: /scene rename gives a scene a new title, during its
// closed set too, audited; bad input changes nothing.
func TestSceneRename(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("adam", `/scene rename 15 "Bedroom, morning"`) // scene 15's closed set is running
	if r.reply != `Scene 15 is now called "Bedroom, morning" (was "Bedroom").` {
		t.Errorf("reply %q", r.reply)
	}
	if sc := h.scene("15"); sc.Title != "Bedroom, morning" {
		t.Errorf("title %q", sc.Title)
	}
	if r := h.must("adam", `/scene rename 15 "Bedroom, morning"`); !strings.Contains(r.reply, "nothing changed") {
		t.Errorf("the same title again: %q", r.reply)
	}
	before := h.auditLen()
	for line, want := range map[string]string{
		`/scene rename 15`:                                    "missing the new title",
		`/scene rename 15 ""`:                                 "cannot be empty",
		`/scene rename 15 "A" "B"`:                            `unexpected "B"`,
		`/scene rename 15 "` + strings.Repeat("x", 121) + `"`: "too long",
		`/scene rename 99 "X"`:                                "There is no scene 99",
	} {
		r := h.do("adam", line)
		if r.out.Err == nil || !strings.Contains(r.reply, want) {
			t.Errorf("%s: %q, want %q", line, r.reply, want)
		}
	}
	if h.auditLen() != before {
		t.Error("a refused rename was audited")
	}
	if r := h.do("paula", `/scene rename 12 "Mine"`); r.code() != "forbidden" {
		t.Errorf("a performer renamed a scene: %s", r.reply)
	}
}

// TestSceneListInScriptOrder: scene ids sort by number, then letters.
func TestSceneListInScriptOrder(t *testing.T) {
	h := newHarness(t).seed()
	for _, id := range []string{"120", "9", "12A", "EP2-3"} {
		h.must("ines", `/scene add `+id+` title="x" call="2026-12-03 09:00"`)
	}
	r := h.must("ines", "/scene list")
	var ids []string
	for _, line := range strings.Split(r.reply, "\n")[1:] {
		ids = append(ids, strings.Fields(line)[0])
	}
	if got := strings.Join(ids, " "); got != "EP2-3 9 12 12A 14 15 16 120" {
		t.Errorf("order %s", got)
	}
}

// TestWhoamiForAnAdminWithoutRole: an admin without a role is not told to
// ask an admin.
func TestWhoamiForAnAdminWithoutRole(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.must("root", "/icbot whoami"); strings.Contains(r.reply, "ask an admin") || !strings.Contains(r.reply, "as an admin you may give yourself one") {
		t.Errorf("reply %q", r.reply)
	}
}
