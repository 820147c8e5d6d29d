package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// scenes reads every scene, by id.
func (h *harness) scenes() map[bot.SceneID]bot.Scene {
	h.t.Helper()
	out := map[bot.SceneID]bot.Scene{}
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		all, err := tx.Scenes()
		for _, sc := range all {
			out[sc.ID] = sc
		}
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func TestSceneImportDrafts(t *testing.T) {
	h := newHarness(t).seedPeople()
	r := h.must("ines", "/scene import draft1.fountain")
	if len(r.out.Replies) != 1 || r.out.Replies[0].Class != bot.ClassBreakdown {
		t.Fatalf("replies %+v, want one of class script breakdown", r.out.Replies)
	}
	for _, want := range []string{"3 scenes (3 new drafts, 0 already here), 1 flagged for intimacy, 1 proposal waiting", `1. [kiss → contact] "ANNA kisses BEN."`, "/scene beat confirm ID N"} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("reply lacks %q:\n%s", want, r.reply)
		}
	}
	if len(r.sent) != 0 {
		t.Errorf("a first import told people: %+v", r.sent)
	}
	scenes := h.scenes()
	if len(scenes) != 3 {
		t.Fatalf("%d scenes, want 3", len(scenes))
	}
	sc := scenes["30"]
	if sc.Status != bot.StatusDraft || sc.Title != "INT. LAKE HOUSE - NIGHT" || sc.Script == nil || sc.Script.Heading != "INT. LAKE HOUSE - NIGHT" ||
		!slices.Equal(sc.Script.Characters, []string{"ANNA", "BEN"}) || sc.Script.Number != "30" || sc.Script.Order != 1 || sc.Script.Page != 1 {
		t.Errorf("scene 30 = %+v, script %+v", sc, sc.Script)
	}
	if len(sc.Beats) != 0 || len(sc.Script.Proposals) != 1 || sc.Script.Proposals[0].Kind != bot.KindContact || sc.Script.Proposals[0].Flag != "kiss" ||
		sc.Script.Proposals[0].State != bot.ProposalOpen {
		t.Errorf("scene 30: beats %+v, proposals %+v; want no beat and one open kiss proposal", sc.Beats, sc.Script.Proposals)
	}
	if len(scenes["31"].Script.Proposals) != 0 {
		t.Errorf("a negated kiss was proposed: %+v", scenes["31"].Script.Proposals)
	}
	// A proposal is not a beat: the AD, who reads the scene, sees none.
	if show := h.must("adam", "/scene show 30").reply; strings.Contains(show, "kisses") || !strings.Contains(show, "Beats: none yet") {
		t.Errorf("/scene show shows a proposal:\n%s", show)
	}
}

func TestSceneImportTwiceChangesNothing(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	before := h.scenes()
	r := h.must("ines", "/scene import draft1.fountain")
	after := h.scenes()
	if len(after) != len(before) {
		t.Fatalf("%d scenes after a second import, %d before", len(after), len(before))
	}
	for id, sc := range before {
		if got := after[id]; got.Version != sc.Version || len(got.Script.Proposals) != len(sc.Script.Proposals) {
			t.Errorf("scene %s changed: version %d -> %d, proposals %d -> %d", id, sc.Version, got.Version, len(sc.Script.Proposals), len(got.Script.Proposals))
		}
	}
	if !strings.Contains(r.reply, "0 new drafts, 3 already here") {
		t.Errorf("reply:\n%s", r.reply)
	}
	if len(r.sent) != 0 {
		t.Errorf("an import that changes nothing sent %+v", r.sent)
	}
}

func TestSceneImportRefusals(t *testing.T) {
	tests := []struct {
		name, caller, cmd string
		upload            *bot.Upload
		code              string
		want              string
	}{
		{"no file", "ines", "/scene import", nil, bot.EINVALID, "no script came with the command"},
		{"not a screenplay", "ines", "/scene import notes.txt", &bot.Upload{Name: "notes.txt", Data: []byte("hello")}, bot.EINVALID, "could not read notes.txt as a screenplay"},
		{"no scenes", "ines", "/scene import empty.fountain", &bot.Upload{Name: "empty.fountain", Data: []byte("Title: Nothing\n")}, bot.EINVALID, "has no scene headings"},
		{"the AD", "adam", "/scene import draft1.fountain", uploadOf("/scene import draft1.fountain"), bot.EFORBIDDEN, "Only the intimacy coordinator"},
		{"a performer", "paula", "/scene import draft1.fountain", uploadOf("/scene import draft1.fountain"), bot.EFORBIDDEN, "Only the intimacy coordinator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t).seedPeople()
			before := h.auditLen()
			out := h.bot.Handle(context.Background(), bot.Command{Caller: bot.UserID(tt.caller), Channel: "set", Text: tt.cmd, Upload: tt.upload})
			if got := bot.ErrorCode(out.Err); got != tt.code || !strings.Contains(out.ReplyText(), tt.want) {
				t.Errorf("code %q, reply:\n%s\nwant %q containing %q", got, out.ReplyText(), tt.code, tt.want)
			}
			if len(h.scenes()) != 0 || h.auditLen() != before {
				t.Errorf("a refused import changed something")
			}
		})
	}
}

func TestSceneImportMatchesExistingScenes(t *testing.T) {
	h := newHarness(t).seed()
	// Scene 12 exists, ready, typed by hand as "Lake house"; 14 is a draft.
	h.must("ines", `/scene set 14 title="INT. KITCHEN - DAY"`)
	script := "INT. LAKE HOUSE - NIGHT #12#\n\nANNA kisses BEN.\n\nINT. KITCHEN - DAY\n\nBEN cooks.\n\nEXT. ROOF - NIGHT #bad id!#\n\nBEN waits.\n"
	out := h.bot.Handle(context.Background(), bot.Command{Caller: "ines", Channel: "set", Text: "/scene import s.fountain", Upload: &bot.Upload{Name: "s.fountain", Data: []byte(script)}})
	if out.Err != nil {
		t.Fatal(out.Err, out.ReplyText())
	}
	scenes := h.scenes()
	if len(scenes) != 5 { // 12, 14, 15, 16 and the roof
		t.Errorf("%d scenes, want 5 (two linked, one new)", len(scenes))
	}
	if sc := scenes["12"]; sc.Title != "Lake house" || sc.Status != bot.StatusReady || sc.Script == nil || len(sc.Beats) != 1 {
		t.Errorf("scene 12, past draft, was overwritten or not linked: %+v", sc)
	}
	if sc := scenes["14"]; sc.Script == nil || sc.Script.Heading != "INT. KITCHEN - DAY" {
		t.Errorf("scene 14 was not linked by its heading: %+v", sc.Script)
	}
	// The roof's number is not an id: it takes its order, 3.
	if sc, ok := scenes["3"]; !ok || sc.Script.Heading != "EXT. ROOF - NIGHT" {
		t.Errorf("the roof is not scene 3: %+v", scenes)
	}
	if !strings.Contains(out.ReplyText(), `its scene number "bad id!" is not a scene id`) {
		t.Errorf("the answer does not say why the roof is scene 3:\n%s", out.ReplyText())
	}
}

func TestSceneCast(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	if r := h.must("adam", "/scene cast"); !strings.Contains(r.reply, "No character is cast yet") || !strings.Contains(r.reply, "Not cast yet: ANNA, BEN.") {
		t.Errorf("/scene cast:\n%s", r.reply)
	}
	for _, tt := range []struct{ cmd, code, want string }{
		{"/scene cast ANNA @gary", bot.EINVALID, "@gary is not a performer: give them the role first with /icbot role add @gary performer"},
		{"/scene cast ANNA @someone", bot.ENOTFOUND, "someone"},
		{"/scene cast ANNA", bot.EINVALID, "missing @person"},
		{"/scene cast ANNA @paula extra", bot.EINVALID, `unexpected "extra"`},
	} {
		before := h.auditLen()
		if r := h.do("ines", tt.cmd); r.code() != tt.code || !strings.Contains(r.reply, tt.want) || h.auditLen() != before {
			t.Errorf("%s: code %q, reply %q; want %q with %q and nothing changed", tt.cmd, r.code(), r.reply, tt.code, tt.want)
		}
	}
	h.must("adam", "/scene cast anna @paula")
	if r := h.must("ines", "/scene cast"); !strings.Contains(r.reply, "ANNA: @paula") || !strings.Contains(r.reply, "Not cast yet: BEN.") {
		t.Errorf("/scene cast:\n%s", r.reply)
	}
}

func TestBeatConfirm(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	// Not cast: refused, with the commands to type.
	r := h.do("ines", "/scene beat confirm 30 1")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "/scene cast ANNA @person\n/scene cast BEN @person") {
		t.Errorf("confirm without a cast: %q, %s", r.code(), r.reply)
	}
	if sc := h.scene("30"); len(sc.Beats) != 0 || sc.Script.Proposals[0].State != bot.ProposalOpen {
		t.Errorf("a refused confirm changed the scene")
	}
	for _, tt := range []struct{ cmd, code, want string }{
		{"/scene beat confirm 30", bot.EINVALID, "missing the proposal's number"},
		{"/scene beat confirm 30 x", bot.EINVALID, `"x" is not a proposal's number`},
		{"/scene beat confirm 30 9", bot.ENOTFOUND, "Scene 30 has no proposal 9"},
		{"/scene beat confirm 99 1", bot.ENOTFOUND, "There is no scene 99"},
		{"/scene beat confirm 30 1 kind=hug", bot.EINVALID, `kind="hug" is not a choice`},
	} {
		if r := h.do("ines", tt.cmd); r.code() != tt.code || !strings.Contains(r.reply, tt.want) {
			t.Errorf("%s: code %q, reply %q; want %q with %q", tt.cmd, r.code(), r.reply, tt.code, tt.want)
		}
	}
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene cast BEN @pete")
	r = h.must("ines", "/scene beat confirm 30 1")
	if !strings.Contains(r.reply, "Proposal 1 of scene 30 is now beat b1") {
		t.Errorf("reply: %s", r.reply)
	}
	sc := h.scene("30")
	if len(sc.Beats) != 1 || sc.Beats[0].Description != "ANNA kisses BEN." || sc.Beats[0].Kind != bot.KindContact ||
		!slices.Equal(sc.Beats[0].Performers, []bot.UserID{"paula", "pete"}) || !slices.Equal(sc.Performers, []bot.UserID{"paula", "pete"}) {
		t.Errorf("scene 30: beats %+v, performers %v", sc.Beats, sc.Performers)
	}
	if p := sc.Script.Proposals[0]; p.State != bot.ProposalConfirmed || p.Beat != "b1" {
		t.Errorf("proposal %+v", p)
	}
	if r := h.do("ines", "/scene beat confirm 30 1"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "already beat b1") {
		t.Errorf("second confirm: %q %s", r.code(), r.reply)
	}
	if r := h.do("ines", "/scene beat decline 30 1"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "/scene beat remove 30 b1") {
		t.Errorf("decline of a beat: %q %s", r.code(), r.reply)
	}
}

func TestBeatConfirmNudityNeedsAreas(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft2.fountain")
	h.must("ines", "/scene cast ANNA @paula")
	r := h.do("ines", "/scene beat confirm 33 1")
	if r.code() != bot.EINVALID || !strings.Contains(r.reply, "areas=") || len(h.scene("33").Beats) != 0 {
		t.Errorf("nudity without areas: %q %s", r.code(), r.reply)
	}
	h.must("ines", "/scene beat confirm 33 1 areas=back")
	if b := h.scene("33").Beats; len(b) != 1 || b[0].Kind != bot.KindNudity || !slices.Equal(b[0].Areas, []string{"back"}) {
		t.Errorf("beats %+v", b)
	}
}

func TestBeatDeclineIsNotProposedAgain(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	h.must("ines", "/scene beat decline 30 1")
	h.must("ines", "/scene import draft1.fountain")
	sc := h.scene("30")
	if len(sc.Script.Proposals) != 1 || sc.Script.Proposals[0].State != bot.ProposalDeclined {
		t.Errorf("proposals after a re-import: %+v", sc.Script.Proposals)
	}
	if r := h.must("ines", "/scene breakdown 30"); !strings.Contains(r.reply, `"ANNA kisses BEN."`) || !strings.Contains(r.reply, "declined") {
		t.Errorf("/scene breakdown:\n%s", r.reply)
	}
}

func TestBeatReviewRefusals(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene cast BEN @pete")
	h.must("ines", "/scene beat confirm 30 1")
	for _, tt := range []struct{ cmd, code, want string }{
		{"/scene beat review 30 b1 same", bot.ECONFLICT, "has nothing to review"},
		{"/scene beat review 30 b1 maybe", bot.EINVALID, `"maybe" is not a verdict`},
		{"/scene beat review 30 b9 widens", bot.ENOTFOUND, "Scene 30 has no beat b9"},
		{"/scene beat review 30 b1", bot.EINVALID, "missing widens or same"},
	} {
		before := h.scene("30").Version
		if r := h.do("ines", tt.cmd); r.code() != tt.code || !strings.Contains(r.reply, tt.want) || h.scene("30").Version != before {
			t.Errorf("%s: code %q, reply %q; want %q with %q and nothing changed", tt.cmd, r.code(), r.reply, tt.code, tt.want)
		}
	}
}

// TestRevision imports a second draft that widens a kiss into undressing,
// adds a nude scene and removes one: the IC hears of each, in one
// summary; no performer hears of anything until the IC says the change
// widens the beat, which voids its answers and asks for the rider's
// amendment.
func TestRevision(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene cast BEN @pete")
	h.must("ines", "/scene beat confirm 30 1")
	h.must("ines", `/scene set 30 call="2026-12-20 09:00"`)
	h.must("ines", "/boundaries request 30")
	h.must("paula", "/boundaries answer 30 b1=yes")
	h.must("pete", "/boundaries answer 30 b1=yes")
	h.must("ines", "/rider signed 30 @paula")

	r := h.must("ines", "/scene import draft2.fountain")
	dms := to(r.sent, "dm", "ines")
	if len(dms) != 1 || dms[0].Class != bot.ClassBreakdown {
		t.Fatalf("the IC got %d messages, want one summary: %+v", len(dms), r.sent)
	}
	summary := dms[0].Text
	for _, want := range []string{
		"Scene 30 (INT. LAKE HOUSE - NIGHT):",
		`line changed: "ANNA kisses BEN and slowly undresses him.", was "ANNA kisses BEN."`,
		"beat b1 to review: /scene beat review 30 b1 widens|same",
		"1 proposal waiting for you: /scene breakdown 30",
		"Scene 33 (EXT. LAKE - DAWN): new in the script, added as a draft, 1 proposal.",
		"Scene 32 (INT. KITCHEN - DAY): no longer in the script: marked removed, not deleted",
		"By performer:",
		"@paula: beat b1 of scene 30 to review (its line changed)",
		"@pete: beat b1 of scene 30 to review (its line changed)",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if got := len(r.sent) - len(dms); got != 0 {
		t.Errorf("others were told of the revision: %+v", r.sent)
	}
	scenes := h.scenes()
	if sc, ok := scenes["32"]; !ok || !sc.Script.Removed {
		t.Errorf("scene 32 was deleted or not marked removed: %+v", sc.Script)
	}
	if sc := scenes["30"]; sc.Beats[0].Rev != 1 || !sc.Script.Proposals[0].Review || len(sc.Script.Proposals) != 2 {
		t.Errorf("scene 30: beat %+v, proposals %+v", sc.Beats[0], sc.Script.Proposals)
	}
	scope := scenes["30"].Scope

	r = h.must("ines", "/scene beat review 30 b1 widens")
	if !strings.Contains(r.reply, "Earlier answers to it no longer count") {
		t.Errorf("reply: %s", r.reply)
	}
	sc := h.scene("30")
	if sc.Beats[0].Rev != 2 || sc.Scope != scope+1 || sc.Beats[0].Description != "ANNA kisses BEN and slowly undresses him." || sc.Script.Proposals[0].Review {
		t.Errorf("after widens: beat %+v, scope %d (was %d), proposal %+v", sc.Beats[0], sc.Scope, scope, sc.Script.Proposals[0])
	}
	if amend := joined(to(r.sent, "dm", "ines")); !strings.Contains(amend, "the signed riders of @paula need amendment") {
		t.Errorf("the IC was not told the rider needs amendment: %+v", r.sent)
	}
	if st := h.must("ines", "/rider status 30").reply; !strings.Contains(st, "@paula: needs amendment") {
		t.Errorf("/rider status after widening:\n%s", st)
	}
	if st := h.must("ines", "/boundaries show 30").reply; strings.Count(st, "not answered since the beat changed") != 2 {
		t.Errorf("an answer to the narrower beat still counts:\n%s", st)
	}
	// Within the window the performers hear of the widened beat.
	h.now = h.now.Add(10 * time.Minute)
	if _, err := h.bot.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	news := joined(to(h.rec.take(), "dm", "paula"))
	if !strings.Contains(news, "b1 changed") {
		t.Errorf("paula was not told of the widened beat: %q", news)
	}
}

// TestBeatReviewSame: the IC says a revised line does not widen the beat:
// answers to it still count, its revision and the riders stand, and
// nobody is told.
func TestBeatReviewSame(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import draft1.fountain")
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene cast BEN @pete")
	h.must("ines", "/scene beat confirm 30 1")
	h.must("ines", "/boundaries request 30")
	h.must("paula", "/boundaries answer 30 b1=yes")
	h.must("ines", "/scene import draft2.fountain")
	before := h.scene("30")
	r := h.must("ines", "/scene beat review 30 b1 same")
	sc := h.scene("30")
	if sc.Beats[0].Rev != before.Beats[0].Rev || sc.Scope != before.Scope || sc.Beats[0].Description != "ANNA kisses BEN." || sc.Script.Proposals[0].Review {
		t.Errorf("after same: beat %+v, scope %d (was %d), proposal %+v", sc.Beats[0], sc.Scope, before.Scope, sc.Script.Proposals[0])
	}
	if len(r.sent) != 0 || !strings.Contains(r.reply, "answers to it still count") {
		t.Errorf("reply %q, sent %+v", r.reply, r.sent)
	}
	if st := h.must("ines", "/boundaries show 30").reply; !strings.Contains(st, "b1  ANNA kisses BEN. [contact]: yes") {
		t.Errorf("paula's answer no longer counts:\n%s", st)
	}
}

// TestRemovedSceneBeatToReview: a scene cut from the script keeps its
// confirmed beat, which waits for the IC's review like a changed line.
func TestRemovedSceneBeatToReview(t *testing.T) {
	h := newHarness(t).seedPeople()
	imp := func(text string) result {
		out := h.bot.Handle(context.Background(), bot.Command{Caller: "ines", Channel: "set", Text: "/scene import s.fountain", Upload: &bot.Upload{Name: "s.fountain", Data: []byte(text)}})
		h.bot.FollowUp(context.Background(), out)
		if out.Err != nil {
			t.Fatal(out.Err, out.ReplyText())
		}
		return result{out: out, reply: out.ReplyText(), sent: h.rec.take()}
	}
	imp("INT. CAR - NIGHT #5#\n\nANNA kisses BEN.\n\nINT. ROOM - DAY #6#\n\nBEN reads.\n")
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene cast BEN @pete")
	h.must("ines", "/scene beat confirm 5 1")
	r := imp("INT. ROOM - DAY #6#\n\nBEN reads.\n")
	summary := joined(to(r.sent, "dm", "ines"))
	for _, want := range []string{"Scene 5 (INT. CAR - NIGHT): no longer in the script", "beat b1 to review: /scene beat review 5 b1 widens|same",
		"@paula: beat b1 of scene 5 to review (its line is no longer in the script); scene 5 is no longer in the script"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if sc := h.scene("5"); !sc.Script.Removed || len(sc.Beats) != 1 {
		t.Errorf("scene 5: %+v", sc.Script)
	}
	if bd := h.must("ines", "/scene breakdown 5").reply; !strings.Contains(bd, `(its line is no longer in the script) (ANNA, BEN) — beat b1, to review: it read "ANNA kisses BEN."`) {
		t.Errorf("/scene breakdown 5:\n%s", bd)
	}
	h.must("ines", "/scene beat review 5 b1 same")
}

// TestBeatConfirmFindsTheCastInTheLine: a proposal whose line names no
// character the breakdown could tell is refused until the cast names one
// in it; then its performer is the one cast, never nobody.
func TestBeatConfirmFindsTheCastInTheLine(t *testing.T) {
	h := newHarness(t).seedPeople()
	h.must("ines", "/scene import nameless.fountain")
	if sc := h.scene("50"); len(sc.Script.Proposals) != 1 || len(sc.Script.Proposals[0].Characters) != 0 {
		t.Fatalf("the test wants one proposal with no characters: %+v", sc.Script.Proposals)
	}
	r := h.do("ines", "/scene beat confirm 50 1 areas=back")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "names no character icbot can tell") {
		t.Errorf("confirm with no character: %q, %s", r.code(), r.reply)
	}
	if sc := h.scene("50"); len(sc.Beats) != 0 {
		t.Errorf("a refused confirm made a beat: %+v", sc.Beats)
	}
	h.must("ines", "/scene cast ANNA @paula")
	h.must("ines", "/scene beat confirm 50 1 areas=back")
	if sc := h.scene("50"); len(sc.Beats) != 1 || !slices.Equal(sc.Beats[0].Performers, []bot.UserID{"paula"}) || !slices.Equal(sc.Performers, []bot.UserID{"paula"}) {
		t.Errorf("the beat's performers: %+v, the scene's %v", sc.Beats, sc.Performers)
	}
}
