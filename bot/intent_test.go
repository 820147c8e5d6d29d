package bot_test

import (
	"context"
	"strings"
	"testing"

	"icbot/bot"
)

// addPrivate makes ch a private channel read by ids.
func (c *fakeChat) addPrivate(ch bot.ChannelID, ids ...bot.UserID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.private[ch] = true
	c.members[ch] = ids
}

// sceneOf reads a scene from the store.
func (h *harness) sceneOf(id bot.SceneID) bot.Scene {
	h.t.Helper()
	var sc bot.Scene
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		sc, err = tx.Scene(id)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return sc
}

// TestSceneIntent: the director or the IC writes the director's intent;
// the scene's performers, the AD, director and producer read it with
// /scene show, and nobody else.
func TestSceneIntent(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("dana", `/scene intent 12 "The moment they stop pretending."`)
	if len(r.out.Replies) != 1 || r.out.Replies[0].Class != bot.ClassIntent || !strings.Contains(r.reply, "The moment they stop pretending.") {
		t.Errorf("director's reply: %+v", r.out.Replies)
	}
	sc := h.sceneOf("12")
	if sc.Intent.Text != "The moment they stop pretending." || sc.Intent.By != "dana" {
		t.Errorf("intent stored as %+v", sc.Intent)
	}
	for _, who := range []string{"paula", "ines", "adam", "dana", "priya"} {
		if r := h.must(who, "/scene show 12"); !strings.Contains(r.reply, "Director's intent for scene 12:\n  The moment they stop pretending.") {
			t.Errorf("%s does not read the intent:\n%s", who, r.reply)
		}
	}
	// The IC writes it in her own words; the producer and the AD do not.
	h.must("ines", `/scene intent 12 "They stop pretending; the kiss is a decision."`)
	for _, who := range []string{"priya", "adam", "paula"} {
		if r := h.do(who, `/scene intent 12 "x"`); r.code() != bot.EFORBIDDEN {
			t.Errorf("%s wrote the intent: %s %q", who, r.code(), r.reply)
		}
	}
	// Bounded like every text; an empty one is refused; neither changes it.
	before := h.auditLen()
	for line, want := range map[string]string{
		`/scene intent 12 "` + strings.Repeat("a", 2001) + `"`: "at most 2000",
		`/scene intent 12 ""`: "cannot be empty",
		`/scene intent 12`:    "missing the director's intent",
	} {
		if r := h.do("dana", line); r.code() != bot.EINVALID || !strings.Contains(r.reply, want) {
			t.Errorf("%.40s: %s %q, want %q", line, r.code(), r.reply, want)
		}
	}
	if h.auditLen() != before || h.sceneOf("12").Intent.Text != "They stop pretending; the kiss is a decision." {
		t.Errorf("a refused intent changed something")
	}
	// The audit says that it was written, never what it says.
	h.store.AuditLog(context.Background(), func(a bot.AuditRecord) error {
		if strings.Contains(a.Summary, "pretending") {
			t.Errorf("audit record %d holds the intent: %q", a.Seq, a.Summary)
		}
		return nil
	})
}

// TestBeatNotes: camera, conditions, props and stunts given with a beat
// are kept and shown, each to its own readers.
func TestBeatNotes(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene beat add 12 "hug" kind=contact camera="wide, over his shoulder" conditions="closed monitors" props="blanket" stunts="fall onto the mat"`)
	b, _ := func() (bot.Beat, bool) { sc := h.sceneOf("12"); return sc.Beat("b2") }()
	if b.Camera != "wide, over his shoulder" || b.Conditions != "closed monitors" || b.Props != "blanket" || b.Stunts != "fall onto the mat" {
		t.Fatalf("beat stored as %+v", b)
	}
	for who, want := range map[string][2]bool{ // reads [coverage, props and stunts]
		"ines": {true, true}, "adam": {true, true}, "dana": {true, false}, "priya": {true, false}, "paula": {true, false},
	} {
		r := h.must(who, "/scene show 12")
		if got := strings.Contains(r.reply, "camera: wide, over his shoulder") && strings.Contains(r.reply, "conditions: closed monitors"); got != want[0] {
			t.Errorf("%s reads the coverage: %v, want %v\n%s", who, got, want[0], r.reply)
		}
		if got := strings.Contains(r.reply, "props: blanket") && strings.Contains(r.reply, "stunts: fall onto the mat"); got != want[1] {
			t.Errorf("%s reads the props and stunts notes: %v, want %v\n%s", who, got, want[1], r.reply)
		}
	}
	if r := h.do("ines", `/scene beat add 12 "hug" kind=contact camera="`+strings.Repeat("c", 1001)+`"`); r.code() != bot.EINVALID || !strings.Contains(r.reply, "camera= is too long") {
		t.Errorf("a long camera=: %s %q", r.code(), r.reply)
	}
}

// paulaAgreed reports whether paula's answer to scene 12 still counts,
// and her rider stands, as the IC's counts say.
func paulaAgreed(t *testing.T, h *harness) (answer, rider bool) {
	t.Helper()
	st := h.must("ines", "/boundaries status 12").reply
	return strings.Contains(st, "boundaries confirmed 1 of 1"), strings.Contains(st, "Riders signed and in time 1 of 1")
}

// TestCameraEditAsksWhetherItWidens: a camera or conditions edit the IC
// does not say widens or not is refused with the question, and changes
// nothing; widens=yes voids the answers and sends signed riders back for
// amendment; widens=no keeps both.
func TestCameraEditAsksWhetherItWidens(t *testing.T) {
	h := newHarness(t).seed()
	if answer, rider := paulaAgreed(t, h); !answer || !rider {
		t.Fatalf("the seed's answer and rider do not count")
	}
	before, auditBefore := h.sceneOf("12"), h.auditLen()
	r := h.do("ines", `/scene beat set 12 b1 camera="close-up, faces and shoulders"`)
	if r.code() != bot.EINVALID || !strings.Contains(r.reply, "widens=yes") || !strings.Contains(r.reply, "widens=no") || !strings.Contains(r.reply, "Nothing was changed") {
		t.Fatalf("unsaid widening: %s %q", r.code(), r.reply)
	}
	if after := h.sceneOf("12"); after.Version != before.Version || after.Beats[0].Camera != "" || h.auditLen() != auditBefore || len(r.sent) > 0 {
		t.Fatalf("the question changed something: %+v", after.Beats[0])
	}
	// A change of what happens always widens: widens=no is refused.
	if r := h.do("ines", `/scene beat set 12 b1 "a longer kiss" widens=no`); r.code() != bot.EINVALID || !strings.Contains(r.reply, "always widens") {
		t.Errorf("widens=no with a description: %s %q", r.code(), r.reply)
	}
	if r := h.do("ines", `/scene beat set 12 b1 widens=yes`); r.code() != bot.EINVALID || !strings.Contains(r.reply, "nothing to change") {
		t.Errorf("widens alone: %s %q", r.code(), r.reply)
	}

	// widens=no: the revision stays, the answer and the rider stand.
	r = h.must("ines", `/scene beat set 12 b1 conditions="closed monitors" widens=no`)
	sc := h.sceneOf("12")
	if sc.Beats[0].Rev != before.Beats[0].Rev || sc.Scope != before.Scope || sc.Beats[0].Conditions != "closed monitors" {
		t.Errorf("a change said not to widen widened: rev %d scope %d, %+v", sc.Beats[0].Rev, sc.Scope, sc.Beats[0])
	}
	if !strings.Contains(r.reply, "without widening") || len(to(r.sent, "dm", "paula")) > 0 {
		t.Errorf("reply %q; sent %+v", r.reply, r.sent)
	}
	if answer, rider := paulaAgreed(t, h); !answer || !rider {
		t.Errorf("after a change that does not widen: answer counts %v, rider stands %v", answer, rider)
	}

	// widens=yes: the beat moves on, paula is asked again, the IC hears
	// her signed rider needs amendment.
	r = h.must("ines", `/scene beat set 12 b1 camera="close-up, faces and shoulders" widens=yes`)
	sc = h.sceneOf("12")
	if sc.Beats[0].Rev != before.Beats[0].Rev+1 || sc.Scope != before.Scope+1 {
		t.Errorf("a widening camera edit: rev %d scope %d", sc.Beats[0].Rev, sc.Scope)
	}
	if !strings.Contains(r.reply, "Earlier answers to it no longer count") {
		t.Errorf("reply %q", r.reply)
	}
	if dm := joined(to(r.sent, "dm", "ines")); !strings.Contains(dm, "the signed riders of @paula need amendment") {
		t.Errorf("IC not told of the rider: %q", dm)
	}
	if answer, rider := paulaAgreed(t, h); answer || rider {
		t.Errorf("after a widening change: answer counts %v, rider stands %v", answer, rider)
	}
	if rd := h.must("ines", "/rider status 12").reply; !strings.Contains(rd, "@paula: needs amendment") {
		t.Errorf("rider status:\n%s", rd)
	}
}

// TestPropsAndStuntsNotices: /dept notify ID props|stunts carries the
// beats' notes for that department, to its channel only.
func TestPropsAndStuntsNotices(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.addPrivate("props-room", "pat", "ines")
	h.rec.addPrivate("stunts-room", "sid", "ines")
	h.must("ines", "/dept channel props #props-room")
	h.must("ines", "/dept channel stunts #stunts-room")
	h.must("ines", `/scene beat set 12 b1 props="breakaway glass on the table" stunts="fall onto the crash mat"`)
	if sc := h.sceneOf("12"); sc.Beats[0].Rev != 1 || sc.Scope != 1 {
		t.Errorf("props and stunts notes widened the beat: rev %d, scope %d", sc.Beats[0].Rev, sc.Scope)
	}
	// The same notes again change nothing.
	before := h.auditLen()
	if r := h.must("ines", `/scene beat set 12 b1 props="breakaway glass on the table"`); !strings.Contains(r.reply, "nothing changed") || h.auditLen() != before {
		t.Errorf("the same notes again: %q", r.reply)
	}
	r := h.must("ines", "/dept notify 12 props")
	posts := to(r.sent, "post", "props-room")
	if len(posts) != 1 || posts[0].Class != bot.ClassPropsNotes || !strings.Contains(posts[0].Text, "b1: breakaway glass on the table") || strings.Contains(posts[0].Text, "kiss") {
		t.Errorf("props notice: %+v", posts)
	}
	if strings.Contains(joined(posts), "crash mat") {
		t.Errorf("props notice carries the stunts notes: %q", joined(posts))
	}
	r = h.must("ines", "/dept notify 12 stunts")
	posts = to(r.sent, "post", "stunts-room")
	if len(posts) != 1 || posts[0].Class != bot.ClassStuntsNotes || !strings.Contains(posts[0].Text, "b1: fall onto the crash mat") || strings.Contains(posts[0].Text, "kiss") || strings.Contains(posts[0].Text, "breakaway") {
		t.Errorf("stunts notice: %+v", posts)
	}
	// A beat set without notes, and a notice with none to carry.
	h.must("ines", `/scene beat set 12 b1 props="" stunts=""`)
	r = h.must("ines", "/dept notify 12 props")
	if p := joined(to(r.sent, "post", "props-room")); !strings.Contains(p, "Props notes: none yet") {
		t.Errorf("empty props notice: %q", p)
	}
}

// TestToplineNamesConditions: the top-line summary lists the conditions
// that must hold, and not the camera.
func TestToplineNamesConditions(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", `/scene beat set 12 b1 conditions="barrier between performers" camera="two-shot" widens=no`)
	r := h.must("ines", "/topline 12")
	p := joined(to(r.sent, "post", "scene-12"))
	if !strings.Contains(p, "Conditions to hold: b1: barrier between performers") || strings.Contains(p, "two-shot") {
		t.Errorf("top-line summary:\n%s", p)
	}
}

// TestPropsNoticeGoesWithTheScene: a props notice of a scene removed is
// taken down, as garment and body notices are.
func TestPropsNoticeGoesWithTheScene(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.addPrivate("props-room", "pat", "ines")
	h.must("ines", "/dept channel props #props-room")
	h.must("ines", `/scene beat add 14 "a hug" kind=contact props="breakaway glass"`)
	h.must("ines", "/dept notify 14 props")
	if len(h.rec.visiblePosts("props-room")) != 1 {
		t.Fatal("the props notice was not posted")
	}
	h.must("ines", "/scene remove 14")
	if got := h.rec.visiblePosts("props-room"); len(got) != 0 {
		t.Errorf("a removed scene's props notice stays: %+v", got)
	}
}

// TestRequestShowsTheCamera: a performer asked for their boundaries, or
// told of a widening camera edit, reads the camera and conditions the
// beat is agreed with.
func TestRequestShowsTheCamera(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene beat add 14 "a hug" kind=contact camera="wide, from behind" conditions="closed monitors"`)
	r := h.must("ines", "/boundaries request 14")
	dm := joined(to(r.sent, "dm", "pete"))
	if !strings.Contains(dm, "camera: wide, from behind") || !strings.Contains(dm, "conditions: closed monitors") {
		t.Errorf("pete's request: %q", dm)
	}
	h.must("ines", `/scene beat set 14 b1 camera="close on the faces" widens=yes`)
	news := joined(to(h.afterBeatNewsWindow(), "dm", "pete"))
	if !strings.Contains(news, "camera: close on the faces") {
		t.Errorf("pete's news of the widening edit: %q", news)
	}
}

// TestWidensTakesYesOrNo: widens= with anything but yes or no (any
// case) is refused and changes nothing; widens typed alone is not read
// as the beat's new description.
func TestWidensTakesYesOrNo(t *testing.T) {
	h := newHarness(t).seed()
	before := h.sceneOf("12")
	for _, line := range []string{
		`/scene beat set 12 b1 camera="V1" widens=true`,
		`/scene beat set 12 b1 camera="V1" widens=maybe`,
		`/scene beat set 12 b1 camera="V1" widens=`,
		`/scene beat set 12 b1 camera="V1" widens`,
	} {
		r := h.do("ines", line)
		if r.code() != bot.EINVALID || (!strings.Contains(r.reply, "widens= takes yes or no") && !strings.Contains(r.reply, "widens needs a value: write widens=yes|no")) {
			t.Errorf("%s: %s %q", line, r.code(), r.reply)
		}
	}
	if after := h.sceneOf("12"); after.Version != before.Version || after.Beats[0].Description != before.Beats[0].Description {
		t.Error("a refused widens= changed the scene")
	}
	if r := h.must("ines", `/scene beat set 12 b1 camera="V1" widens=YES`); !strings.Contains(r.reply, "no longer count") && !strings.Contains(r.reply, "widen") {
		t.Errorf("widens=YES: %q", r.reply)
	}
	if sc := h.sceneOf("12"); sc.Beats[0].Rev == before.Beats[0].Rev {
		t.Error("widens=YES did not widen the beat")
	}
}

// TestCameraNotice: the camera department's notice carries each beat's
// camera and conditions, by beat id, to the camera channel only.
func TestCameraNotice(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.addPrivate("camera-room", "cam", "ines")
	h.must("ines", "/dept channel camera #camera-room")
	h.must("ines", `/scene beat set 12 b1 camera="wide, from behind" conditions="closed monitors" widens=no`)
	r := h.must("ines", "/dept notify 12 camera")
	posts := to(r.sent, "post", "camera-room")
	if len(posts) != 1 || posts[0].Class != bot.ClassCoverage || !strings.Contains(posts[0].Text, "b1: wide, from behind; conditions: closed monitors") || strings.Contains(posts[0].Text, "kiss") {
		t.Errorf("camera notice: %+v", posts)
	}
	if r := h.do("adam", "/dept notify 12 camera"); r.code() != bot.EFORBIDDEN {
		t.Errorf("the AD posted the camera notice: %s", r.reply)
	}
}
