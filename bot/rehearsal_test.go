package bot_test

import (
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// twoPerformers adds scene 20 with paula and pete and one beat, b1,
// involving both; paula agrees to it, pete has not answered.
func twoPerformers(h *harness) *harness {
	h.t.Helper()
	h.must("ines", `/scene add 20 title="Pier" call="2026-12-01 09:00" performers=@paula,@pete channel=#scene-20`)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("paula", "/boundaries answer 20 b1=yes")
	return h
}

// unchanged fails when a refused command changed the scene, the audit
// trail, or sent anything.
func unchanged(t *testing.T, h *harness, r result, before bot.Scene, audit uint64) {
	t.Helper()
	after := h.sceneOf(before.ID)
	if after.Version != before.Version || len(after.Rehearsals) != len(before.Rehearsals) || h.auditLen() != audit || len(r.sent) > 0 {
		t.Errorf("a refused command changed something: version %d -> %d, %d rehearsals, audit %d -> %d, sent %+v",
			before.Version, after.Version, len(after.Rehearsals), audit, h.auditLen(), r.sent)
	}
}

// TestRehearsalRefusesUnagreedBeat: a rehearsal of a beat a performer
// present has not agreed to (no answer, no, discuss, withdrawn, or a yes
// to an earlier revision) is refused and changes nothing; the IC reads who
// and what to do, the director only the beat and to talk to the IC.
func TestRehearsalRefusesUnagreedBeat(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	line := `/rehearsal log 20 b1 present=@paula,@pete changes="slower on the approach"`
	check := func(why string) {
		t.Helper()
		before, audit := h.sceneOf("20"), h.auditLen()
		r := h.do("ines", line)
		next := "/rehearsal explore 20 b1 on"
		if why == "answered no" || why == "withdrew" {
			next = "talk with them"
		}
		if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "@pete has not agreed to beat b1 (") ||
			!strings.Contains(r.reply, next) || !strings.Contains(r.reply, "Nothing was changed") {
			t.Errorf("%s, the IC's refusal: %s %q", why, r.code(), r.reply)
		}
		if strings.Contains(r.reply, "@paula") {
			t.Errorf("%s: the refusal names paula, who agreed: %q", why, r.reply)
		}
		unchanged(t, h, r, before, audit)
		// Only the IC logs rehearsals: whether a log with one performer
		// present is refused would tell anyone else that performer's answer.
		r = h.do("dana", line)
		if r.code() != bot.EFORBIDDEN || strings.Contains(r.reply, "pete") {
			t.Errorf("%s, the director's refusal: %s %q", why, r.code(), r.reply)
		}
		unchanged(t, h, r, before, audit)
	}
	check("not answered")
	h.must("pete", "/boundaries answer 20 b1=no")
	check("answered no")
	h.must("pete", "/boundaries answer 20 b1=discuss")
	check("wants to discuss")
	h.must("pete", "/boundaries answer 20 b1=yes")
	h.must("pete", "/boundaries withdraw 20 b1")
	check("withdrew")
	h.must("ines", "/hold lift 20")
	h.must("pete", "/boundaries answer 20 b1=yes")
	// Both agreed: recorded.
	r := h.must("ines", line)
	if !strings.Contains(r.reply, "Recorded.") || !strings.Contains(r.reply, "Rehearsal 1 of scene 20") {
		t.Fatalf("agreed: %q", r.reply)
	}
	// The beat changes: both yeses are to the earlier revision.
	h.must("ines", `/scene beat set 20 b1 "a longer kiss"`)
	h.must("paula", "/boundaries answer 20 b1=yes seen=b1:2")
	check("agreed to an earlier revision")
	// Someone absent does not stop it: pete was not there.
	r = h.must("ines", `/rehearsal log 20 b1 present=@paula`)
	if sc := h.sceneOf("20"); len(sc.Rehearsals) != 2 || !slices.Equal(sc.Rehearsals[1].Present, []bot.UserID{"paula"}) {
		t.Errorf("rehearsals: %+v", sc.Rehearsals)
	}
}

// TestRehearsalRecord: a rehearsal logged keeps who logged it, who was
// there, the beats and what changed; each performer present is asked,
// privately, to confirm it, and nobody else is.
func TestRehearsalRecord(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene beat add 12 "hug" kind=contact`)
	h.must("paula", "/boundaries answer 12 b2=yes")
	r := h.must("ines", `/rehearsal log 12 b1 b2 b1 present=@paula,@dana changes="the hug comes first"`)
	sc := h.sceneOf("12")
	if len(sc.Rehearsals) != 1 {
		t.Fatalf("rehearsals: %+v", sc.Rehearsals)
	}
	got := sc.Rehearsals[0]
	if got.Seq != 1 || got.By != "ines" || !got.At.Equal(t0) || !slices.Equal(got.Beats, []string{"b1", "b2"}) ||
		!slices.Equal(got.Present, []bot.UserID{"paula", "dana"}) || got.Changes != "the hug comes first" || len(got.Explored) != 0 {
		t.Errorf("record: %+v", got)
	}
	dms := to(r.sent, "dm", "paula")
	if len(dms) != 1 || dms[0].Class != bot.ClassRehearsal || !strings.Contains(dms[0].Text, "What changed: the hug comes first") ||
		!strings.Contains(dms[0].Text, "Present: @paula, @dana") || !strings.Contains(dms[0].Text, "Beat b2: hug") {
		t.Fatalf("paula's DM: %+v", dms)
	}
	if cmds := []string{dms[0].Actions[0].Command, dms[0].Actions[1].Command}; !slices.Equal(cmds, []string{"/rehearsal confirm 12 1", "/rehearsal dispute 12 1"}) {
		t.Errorf("buttons: %v", cmds)
	}
	if len(r.sent) != 1 {
		t.Errorf("only paula, the performer present, is asked: %+v", r.sent)
	}
	// The audit names the rehearsal, never what changed.
	if a := h.must("ines", "/audit show 12").reply; strings.Contains(a, "hug comes") || !strings.Contains(a, "rehearsal 1 of scene 12: beats b1, b2, 2 present") {
		t.Errorf("audit:\n%s", a)
	}
	if r := h.must("ines", `/rehearsal log 12 b1 present=@paula`); !strings.Contains(r.reply, "Rehearsal 2 of scene 12") {
		t.Errorf("second: %q", r.reply)
	}
}

// TestExploratoryBeat: a beat marked exploratory may be rehearsed with a
// performer who has not agreed to it once they, and only they, consent
// to explore it; the consent ends when the beat changes, when they take
// it back, and when the beat is no longer exploratory.
func TestExploratoryBeat(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	line := `/rehearsal log 20 b1 present=@paula,@pete`
	refused := func(why string) {
		t.Helper()
		before, audit := h.sceneOf("20"), h.auditLen()
		r := h.do("ines", line)
		if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "@pete has not agreed to beat b1") {
			t.Errorf("%s: %s %q", why, r.code(), r.reply)
		}
		unchanged(t, h, r, before, audit)
	}
	// Not exploratory: consent to explore is refused.
	if r := h.do("pete", "/rehearsal consent 20 b1"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "not exploratory") {
		t.Errorf("consent to a beat not exploratory: %s %q", r.code(), r.reply)
	}
	r := h.must("ines", "/rehearsal explore 20 b1 on")
	if dm := to(r.sent, "dm", "pete"); len(dm) != 1 || !strings.Contains(dm[0].Text, "/rehearsal consent 20 b1") || dm[0].Actions[0].Command != "/rehearsal consent 20 b1 rev=1" {
		t.Errorf("pete not told: %+v", r.sent)
	}
	refused("exploratory, without pete's consent")
	// Another performer's consent is not enough, nor the IC's.
	h.must("paula", "/rehearsal consent 20 b1")
	refused("with paula's consent alone")
	if r := h.do("ines", "/rehearsal consent 20 b1"); r.code() != bot.EFORBIDDEN {
		t.Errorf("the IC consented for a performer: %s %q", r.code(), r.reply)
	}
	if r := h.do("ines", "/rehearsal consent 20 b1 @pete"); r.code() != bot.EFORBIDDEN {
		t.Errorf("the IC consented for pete: %s %q", r.code(), r.reply)
	}
	refused("after the IC tried")

	// pete's own consent: recorded, the IC told, only pete and the IC.
	r = h.must("pete", "/rehearsal consent 20 b1")
	if r.out.Replies[0].Class != bot.ClassBoundaries || !strings.Contains(r.reply, "Your consent to explore beat b1 of scene 20") {
		t.Errorf("pete's reply: %+v", r.out.Replies)
	}
	if ic := to(r.sent, "dm", "ines"); len(ic) != 1 || ic[0].Class != bot.ClassBoundaries || !strings.Contains(ic[0].Text, "@pete consents to explore beat b1") {
		t.Errorf("the IC not told: %+v", r.sent)
	}
	if len(r.sent) != 1 {
		t.Errorf("someone besides the IC was told: %+v", r.sent)
	}
	if sc := h.sceneOf("20"); !sc.Beats[0].MayExplore("pete") {
		t.Errorf("consent not stored: %+v", sc.Beats[0].Explore)
	}
	r = h.must("ines", line)
	sc := h.sceneOf("20")
	if len(sc.Rehearsals) != 1 || !slices.Equal(sc.Rehearsals[0].Explored, []string{"b1"}) || !strings.Contains(r.reply, "Explored on the performers' own consent: b1") {
		t.Fatalf("explored rehearsal: %+v\n%s", sc.Rehearsals, r.reply)
	}
	if dm := joined(to(r.sent, "dm", "pete")); !strings.Contains(dm, "You explored beat b1 on your own consent") {
		t.Errorf("pete's record: %q", dm)
	}
	if dm := joined(to(r.sent, "dm", "paula")); strings.Contains(dm, "explored") {
		t.Errorf("paula learns that pete explored: %q", dm)
	}
	// The director is not told it was explored.
	if r := h.must("dana", "/rehearsal show 20"); strings.Contains(r.reply, "xplored") {
		t.Errorf("the director reads what was explored: %q", r.reply)
	}

	// Taken back as easily: the IC is told, and it is refused again.
	r = h.must("pete", "/rehearsal consent 20 b1 withdraw")
	if !strings.Contains(r.reply, "taken back") || !strings.Contains(joined(to(r.sent, "dm", "ines")), "@pete took back their consent to explore beat b1") {
		t.Errorf("withdraw: %q %+v", r.reply, r.sent)
	}
	refused("consent taken back")
	if r := h.must("pete", "/rehearsal consent 20 b1 withdraw"); !strings.Contains(r.reply, "nothing changed") {
		t.Errorf("withdraw twice: %q", r.reply)
	}

	// Given again, then voided by an edit of the beat.
	h.must("pete", "/rehearsal consent 20 b1")
	h.must("ines", `/scene beat set 20 b1 "a longer kiss"`)
	h.must("paula", "/boundaries answer 20 b1=yes seen=b1:2")
	if sc := h.sceneOf("20"); sc.Beats[0].MayExplore("pete") {
		t.Errorf("consent outlived the edit")
	}
	refused("consent voided by an edit")
	// The button pete was sent names the beat as it was: pressed after
	// the edit, it records nothing and shows the beat as it stands.
	before, audit := h.sceneOf("20"), h.auditLen()
	r = h.do("pete", "/rehearsal consent 20 b1 rev=1")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, `it now reads "a longer kiss"`) || !strings.Contains(r.reply, "/rehearsal consent 20 b1 rev=2") {
		t.Errorf("a stale button: %s %q", r.code(), r.reply)
	}
	unchanged(t, h, r, before, audit)
	for _, bad := range []string{"rev=99", "rev=abc", "rev=0"} {
		if r := h.do("pete", "/rehearsal consent 20 b1 "+bad); r.code() != bot.EINVALID || !strings.Contains(r.reply, "is not a revision of beat b1 of scene 20, which is at revision 2") {
			t.Errorf("%s: %s %q", bad, r.code(), r.reply)
		}
	}
	if r := h.must("pete", "/rehearsal consent 20 b1 rev=2"); !strings.Contains(r.reply, `as it stands now: "a longer kiss"`) {
		t.Errorf("consent does not repeat the beat: %q", r.reply)
	}
	h.must("ines", line)

	// Not exploratory any more: consents dropped, refused.
	h.must("ines", "/rehearsal explore 20 b1 off")
	if sc := h.sceneOf("20"); sc.Beats[0].Exploratory || len(sc.Beats[0].Explore) != 0 {
		t.Errorf("off kept %+v", sc.Beats[0])
	}
	refused("not exploratory any more")
	h.must("ines", "/rehearsal explore 20 b1 on")
	refused("exploratory again, the old consent dropped")

	// A beat that does not involve a performer is not theirs to explore.
	h.must("ines", `/scene beat add 20 "her solo" kind=contact performers=@paula`)
	h.must("ines", "/rehearsal explore 20 b2 on")
	if r := h.do("pete", "/rehearsal consent 20 b2"); r.code() != bot.EFORBIDDEN || !strings.Contains(r.reply, "does not involve you") {
		t.Errorf("pete consented to a beat not his: %s %q", r.code(), r.reply)
	}
}

// TestRehearsalConfirmations: only performers present answer the record,
// once each, a later answer replacing theirs; the IC is told of a dispute
// and reads its note, which nobody else but its writer does.
func TestRehearsalConfirmations(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	h.must("ines", `/rehearsal log 20 b1 present=@paula,@dana changes="closer"`)
	for who, code := range map[string]string{"pete": bot.EFORBIDDEN, "dana": bot.EFORBIDDEN, "ines": bot.EFORBIDDEN, "cam": bot.EFORBIDDEN} {
		if r := h.do(who, "/rehearsal confirm 20 1"); r.code() != code {
			t.Errorf("%s confirmed: %s %q", who, r.code(), r.reply)
		}
	}
	if r := h.do("pete", "/rehearsal confirm 20 1"); !strings.Contains(r.reply, "not recorded as present") {
		t.Errorf("pete, absent: %q", r.reply)
	}
	r := h.must("paula", "/rehearsal confirm 20 1")
	if len(r.sent) != 0 || !strings.Contains(r.reply, "you confirmed") {
		t.Errorf("confirm: %q %+v", r.reply, r.sent)
	}
	if r := h.must("paula", "/rehearsal confirm 20 1"); !strings.Contains(r.reply, "nothing changed") {
		t.Errorf("confirm twice: %q", r.reply)
	}
	r = h.must("paula", `/rehearsal dispute 20 1 the approach was from the left, not the right`)
	if ic := to(r.sent, "dm", "ines"); len(ic) != 1 || ic[0].Class != bot.ClassBoundaries || !strings.Contains(ic[0].Text, "They wrote: the approach was from the left, not the right") {
		t.Errorf("the IC not told of the dispute: %+v", r.sent)
	}
	if len(r.sent) != 1 || r.out.Replies[0].Class != bot.ClassBoundaries {
		t.Errorf("the dispute went beyond the IC: %+v %+v", r.sent, r.out.Replies)
	}
	sc := h.sceneOf("20")
	if cs := sc.Rehearsals[0].Confirmations; len(cs) != 1 || cs[0].Confirmed || cs[0].Note != "the approach was from the left, not the right" {
		t.Errorf("confirmations: %+v", cs)
	}
	if r := h.must("ines", "/rehearsal show 20 1").reply; !strings.Contains(r, "@paula: says it is not right: the approach was from the left") ||
		!strings.Contains(r, "What changed: closer") {
		t.Errorf("the IC reads:\n%s", r)
	}
	if r := h.must("paula", "/rehearsal show 20").reply; !strings.Contains(r, "You: says it is not right: the approach") {
		t.Errorf("paula reads:\n%s", r)
	}
	for _, who := range []string{"dana", "pete"} {
		if r := h.must(who, "/rehearsal show 20").reply; strings.Contains(r, "approach") || !strings.Contains(r, "Confirmed by 0 of the 1 performers present") {
			t.Errorf("%s reads:\n%s", who, r)
		}
	}
	// A dispute without a note, from the button; then confirmed after all.
	if r := h.must("paula", "/rehearsal dispute 20 1"); !strings.Contains(joined(to(r.sent, "dm", "ines")), "They did not say what") {
		t.Errorf("a dispute without a note: %+v", r.sent)
	}
	r = h.must("paula", "/rehearsal confirm 20 1")
	if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "@paula now confirms the record of rehearsal 1 of scene 20") {
		t.Errorf("the IC, told of the dispute, is not told it no longer stands: %+v", r.sent)
	}
	if cs := h.sceneOf("20").Rehearsals[0].Confirmations; len(cs) != 1 || !cs[0].Confirmed || cs[0].Note != "" {
		t.Errorf("a later answer did not replace the dispute: %+v", cs)
	}
	if r := h.must("dana", "/rehearsal show 20").reply; !strings.Contains(r, "Confirmed by 1 of the 1") {
		t.Errorf("dana reads:\n%s", r)
	}
	for _, who := range []string{"adam", "priya", "cam", "gary"} {
		if r := h.do(who, "/rehearsal show 20"); r.code() != bot.EFORBIDDEN {
			t.Errorf("%s read the rehearsals: %q", who, r.reply)
		}
	}
}

// TestRehearsalBadInput: bad input gives a clear message with the usage
// line and changes nothing.
func TestRehearsalBadInput(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	h.must("ines", `/rehearsal log 20 b1 present=@paula`)
	h.must("ines", `/scene beat add 20 "hug" kind=contact`)
	h.must("ines", "/scene beat remove 20 b2")
	before, audit := h.sceneOf("20"), h.auditLen()
	for _, c := range []struct{ who, line, code, want string }{
		{"ines", `/rehearsal log 20 present=@paula`, bot.EINVALID, "missing the beats rehearsed"},
		{"ines", `/rehearsal log 20 b1`, bot.EINVALID, "missing present="},
		{"ines", `/rehearsal log 20 b1 present=`, bot.EINVALID, "missing present="},
		{"ines", `/rehearsal log 20 b2 present=@paula`, bot.ENOTFOUND, "has no beat b2"},
		{"ines", `/rehearsal log 20 b1 present=@paula,@zed`, bot.ENOTFOUND, "@zed is not known"},
		{"ines", `/rehearsal log 20 b1 present=@dana`, bot.EINVALID, "names no performer"},
		{"ines", `/rehearsal log 20 b1 present=@paula, @pete`, bot.EINVALID, "without spaces, as in present=@paula,@pete"},
		{"ines", `/rehearsal log 20 b1 present=@paula when=today`, bot.EINVALID, "unknown key when="},
		{"ines", `/rehearsal explore 20 b1 maybe`, bot.EINVALID, "is not on or off"},
		{"ines", `/rehearsal explore 20 b1`, bot.EINVALID, "missing on or off"},
		{"ines", `/rehearsal explore 20 b2 on`, bot.ENOTFOUND, "has no beat b2"},
		{"pete", `/rehearsal consent 20 b1 please`, bot.EINVALID, "add withdraw"},
		{"pete", `/rehearsal consent 20`, bot.EINVALID, "missing beat id"},
		{"paula", `/rehearsal confirm 20 7`, bot.ENOTFOUND, "no rehearsal 7"},
		{"paula", `/rehearsal confirm 20 one`, bot.EINVALID, "not a rehearsal's number"},
		{"paula", `/rehearsal confirm 20`, bot.EINVALID, "missing the rehearsal's number"},
		{"paula", `/rehearsal dispute 20 7 wrong`, bot.ENOTFOUND, "no rehearsal 7"},
		{"paula", `/rehearsal dispute 20 1 ` + strings.Repeat("w", 1001), bot.EINVALID, "at most 1000"},
		{"ines", `/rehearsal show 20 0`, bot.EINVALID, "not a rehearsal's number"},
	} {
		r := h.do(c.who, c.line)
		if r.code() != c.code || !strings.Contains(r.reply, c.want) || !strings.Contains(r.reply, "Usage: /rehearsal") {
			t.Errorf("%s %.60s: %s %q, want %s %q", c.who, c.line, r.code(), r.reply, c.code, c.want)
		}
		unchanged(t, h, r, before, audit)
	}
	if r := h.do("ines", `/rehearsal log 20 b1 present=@paula changes="`+strings.Repeat("c", 2001)+`"`); r.code() != bot.EINVALID || !strings.Contains(r.reply, "too long") {
		t.Errorf("long changes=: %s %q", r.code(), r.reply)
	}
	// A performer present who is not in the scene answered none of its
	// beats: refused, not left out of the check.
	before12, audit := h.sceneOf("12"), h.auditLen()
	r := h.do("ines", `/rehearsal log 12 b1 present=@pete,@paula`)
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "@pete is not a performer of scene 12, so has agreed to none of its beats") {
		t.Errorf("a performer from another scene: %s %q", r.code(), r.reply)
	}
	unchanged(t, h, r, before12, audit)
}

// TestExploreDoesNotOutweighNo: a performer's no to a beat, or their
// withdrawal, stands over their consent to explore it; wanting to
// discuss it does not, so they may explore it.
func TestExploreDoesNotOutweighNo(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	h.must("ines", "/rehearsal explore 20 b1 on")
	h.must("pete", "/boundaries answer 20 b1=no")
	r := h.must("pete", "/rehearsal consent 20 b1")
	if !strings.Contains(r.reply, "still stands over it") {
		t.Errorf("pete not told his no stands: %q", r.reply)
	}
	line := `/rehearsal log 20 b1 present=@paula,@pete`
	refused := func(why string) {
		t.Helper()
		before, audit := h.sceneOf("20"), h.auditLen()
		r := h.do("ines", line)
		if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "said no or withdrew") {
			t.Errorf("%s: %s %q", why, r.code(), r.reply)
		}
		unchanged(t, h, r, before, audit)
	}
	refused("a no with consent to explore")
	h.must("pete", "/boundaries answer 20 b1=discuss")
	if r := h.must("ines", line); !strings.Contains(r.reply, "Explored on the performers' own consent: b1") {
		t.Errorf("discuss with consent to explore: %q", r.reply)
	}
	h.must("pete", "/boundaries withdraw 20 b1")
	refused("a withdrawal with consent to explore")
	// A consent given before a no ends with it: it does not come back
	// when the no is changed to discuss.
	h.must("pete", "/boundaries answer 20 b1=discuss")
	h.must("pete", "/rehearsal consent 20 b1")
	if r := h.must("pete", "/boundaries answer 20 b1=no"); !strings.Contains(r.reply, "Your consent to explore b1 of scene 20 in rehearsal ends") {
		t.Errorf("pete not told his consent ended: %q", r.reply)
	}
	h.must("pete", "/boundaries answer 20 b1=discuss")
	if r := h.do("ines", line); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "nor consented to explore it") {
		t.Errorf("a consent to explore given before a no, the no changed to discuss: %s %q", r.code(), r.reply)
	}
}

// TestTypedConsentToAChangeNotYetTold: a consent to explore typed from
// the message that asked, after the IC changed the beat and before the
// news of it reached the performer, records nothing and shows the beat
// as it now reads; with rev= naming the revision it is taken.
func TestTypedConsentToAChangeNotYetTold(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	h.must("ines", "/boundaries request 20")
	h.must("ines", "/rehearsal explore 20 b1 on")
	h.must("ines", `/scene beat set 20 b1 "a kiss, shirtless"`)
	before, audit := h.sceneOf("20"), h.auditLen()
	r := h.do("pete", "/rehearsal consent 20 b1")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, `it now reads "a kiss, shirtless"`) || !strings.Contains(r.reply, "rev=2") {
		t.Errorf("a typed consent to a change not yet told: %s %q", r.code(), r.reply)
	}
	unchanged(t, h, r, before, audit)
	h.must("pete", "/rehearsal consent 20 b1 rev=2")
	if !h.sceneOf("20").Beats[0].MayExplore("pete") {
		t.Errorf("the consent with rev= was not recorded")
	}
}
