package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// consentHarness is the seeded production with scene 20 freshly planned:
// paula and pete, two beats, no answers and no riders yet; call a week on.
func consentHarness(t *testing.T, opts ...func(*harnessOpt)) *harness {
	h := newHarness(t, opts...).seed()
	h.must("ines", `/scene add 20 title="Pool" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-20`)
	h.must("ines", `/scene beat add 20 "Kiss in the water" kind=contact`)
	h.must("ines", `/scene beat add 20 "Paula leaves the pool, back to camera" kind=nudity areas=back,buttocks performers=@paula`)
	return h
}

func TestWithdrawal(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes")
	h.must("ines", "/topline 20")
	r := h.must("paula", "/boundaries withdraw 20 b2")
	if !strings.Contains(r.reply, "scene 20 is recorded, and the scene is on hold") {
		t.Errorf("performer's reply: %q", r.reply)
	}
	if got := h.scene("20").EffectiveStatus(); got != bot.StatusOnHold {
		t.Errorf("status %s, want on-hold", got)
	}
	ic := joined(to(r.sent, "dm", "ines"))
	if !strings.Contains(ic, "CONSENT WITHDRAWN: @paula withdrew consent to b2 of scene 20") || !strings.Contains(ic, "WITHDRAWN") {
		t.Errorf("IC's notice lacks the details: %q", ic)
	}
	// The AD hears that the scene is on hold, as for any hold; the
	// director, who hears of no other hold, hears nothing, so that who is
	// told does not tell that a performer caused it.
	if got := joined(to(r.sent, "dm", "adam")); got != "Scene 20 is on hold: talk to the IC." {
		t.Errorf("adam was told %q, want only that the scene is on hold", got)
	}
	if got := to(r.sent, "dm", "dana"); len(got) != 0 {
		t.Errorf("the director was told of a withdrawal's hold: %+v", got)
	}
	// The top-line summary is not re-posted at the moment of the hold: it
	// would show b2 restricted, and so who withdrew (TestSummaryWaitsForTheLift).
	if posts := to(r.sent, "post", "scene-20"); len(posts) != 0 {
		t.Fatalf("top-line re-posted at the withdrawal: %+v", posts)
	}
	// Nothing about the withdrawal reaches anyone else.
	for _, s := range r.sent {
		if s.To != "ines" && s.To != "paula" && strings.Contains(s.Text, "withdr") {
			t.Errorf("withdrawal detail reached %s %s: %q", s.Kind, s.To, s.Text)
		}
	}
	// The closed set cannot start; the AD sees no detail, the IC all of it.
	ad := h.do("adam", "/closedset start 20")
	if ad.code() != bot.ECONFLICT || !strings.Contains(ad.reply, "boundaries not confirmed by 2 of 2 performers, consent withdrawn by 1 (talk to the IC)") || strings.Contains(ad.reply, "b2") {
		t.Errorf("AD's refusal: %q", ad.reply)
	}
	// Who withdrew is paula's and the IC's: no line of the AD's names her
	// beside consent or boundaries.
	for _, l := range strings.Split(ad.reply, "\n") {
		if strings.Contains(l, "paula") && (strings.Contains(l, "consent") || strings.Contains(l, "boundaries")) {
			t.Errorf("the AD's refusal says who withdrew: %q", l)
		}
	}
	icr := h.do("ines", "/closedset start 20")
	if !strings.Contains(icr.reply, "@paula withdrew consent to b2") {
		t.Errorf("IC's refusal: %q", icr.reply)
	}
	// Answering again clears the withdrawal of the beats answered.
	h.must("paula", "/boundaries answer 20 b2=yes")
	show := h.must("paula", "/boundaries show 20").reply
	if strings.Contains(show, "WITHDRAWN") || !strings.Contains(show, "version 3") {
		t.Errorf("after answering again: %q", show)
	}
}

func TestClosedSetRefusedWithWhatIsMissing(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", `/boundaries answer 20 b1=yes b2=discuss notes="CANARY-note"`)
	h.must("ines", `/rider sent 20 @paula on="2026-11-25 10:00"`)
	h.must("ines", `/rider signed 20 @paula`)
	h.must("ines", `/rider drafted 20 @pete`)
	before := h.auditLen()
	ad := h.do("adam", "/closedset start 20")
	wantAD := "Cannot start the closed set for scene 20. Missing:\n" +
		"  - boundaries not confirmed by 2 of 2 performers (talk to the IC)\n" +
		"  - @pete: rider not signed\n" +
		"Only the IC may start it anyway, with a written reason the AD will read: /closedset start 20 force reason=\"...\""
	if ad.reply != wantAD {
		t.Errorf("AD's refusal:\n%s\nwant\n%s", ad.reply, wantAD)
	}
	ic := h.do("ines", "/closedset start 20")
	for _, want := range []string{"@paula wants to discuss b2", "@pete has not answered b1", "@pete: rider drafted, not signed"} {
		if !strings.Contains(ic.reply, want) {
			t.Errorf("IC's refusal lacks %q:\n%s", want, ic.reply)
		}
	}
	if strings.Contains(ad.reply+ic.reply, "CANARY") {
		t.Errorf("a note reached a refusal")
	}
	if h.auditLen() != before {
		t.Errorf("a refused start was audited")
	}
	// Force: only the IC, only with a reason; audited; the AD reads it.
	if r := h.do("adam", `/closedset start 20 force reason="x"`); r.code() != bot.EFORBIDDEN {
		t.Errorf("AD forced: %v", r.out.Err)
	}
	if r := h.do("ines", "/closedset start 20 force"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "reason=") {
		t.Errorf("force without reason: %v %q", r.out.Err, r.reply)
	}
	r := h.must("ines", `/closedset start 20 force reason="Pete confirmed in person; rider signed on paper this morning"`)
	if !strings.Contains(r.reply, "Started over 3 missing item(s)") {
		t.Errorf("IC's reply: %q", r.reply)
	}
	adMsg := joined(to(r.sent, "dm", "adam"))
	if !strings.Contains(adMsg, "The IC's reason: Pete confirmed in person") || !strings.Contains(adMsg, "@pete: rider not signed") || strings.Contains(adMsg, "b2") {
		t.Errorf("AD's notice of the override: %q", adMsg)
	}
	if s := h.session("20", 1); !strings.Contains(s.Override, "Pete confirmed in person") {
		t.Errorf("session override %q", s.Override)
	}
	var summary string
	h.store.AuditLog(t.Context(), func(r bot.AuditRecord) error {
		if r.Action == "closedset.start" && r.Scene == "20" {
			summary = r.Summary
		}
		return nil
	})
	// The audit trail says the IC wrote a reason, not what it says: the
	// audit export goes to the production's lawyers and insurers.
	if !strings.Contains(summary, "the IC overrode 3 missing item(s), with a written reason") || strings.Contains(summary, "Pete confirmed") {
		t.Errorf("audit summary %q", summary)
	}
}

func TestLateRiderAndAmendment(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes")
	h.must("pete", "/boundaries answer 20 b1=yes")
	h.must("ines", "/rider signed 20 @paula")
	// Sent 24 hours before the call: under the 48-hour notice.
	h.now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	r := h.must("ines", "/rider sent 20 @pete")
	if !strings.Contains(r.reply, "LATE") || !strings.Contains(r.reply, "move the call to after") {
		t.Errorf("late rider reply: %q", r.reply)
	}
	h.must("ines", "/rider signed 20 @pete")
	if r := h.do("adam", "/closedset start 20"); !strings.Contains(r.reply, "@pete: rider late") {
		t.Errorf("late rider not refused: %q", r.reply)
	}
	// A new beat widens the scene: signed riders need amendment, answers are asked for again.
	h.now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	r = h.must("ines", `/scene beat add 20 "Hug on the steps" kind=contact`)
	if got := joined(to(r.sent, "dm", "ines")); !strings.Contains(got, "signed riders of @paula, @pete need amendment") {
		t.Errorf("IC not told of amendments: %q", got)
	}
	news := h.afterBeatNewsWindow()
	for _, p := range []string{"paula", "pete"} {
		if got := joined(to(news, "dm", p)); !strings.Contains(got, "b3 added") || !strings.Contains(got, "Hug on the steps") {
			t.Errorf("%s not asked about the new beat: %q", p, got)
		}
	}
	st := h.must("ines", "/rider status 20").reply
	if !strings.Contains(st, "@paula: needs amendment") {
		t.Errorf("rider status after the new beat: %q", st)
	}
	// Changing a beat voids earlier answers to it.
	h.must("paula", "/boundaries answer 20 b3=yes")
	h.must("ines", `/scene beat set 20 b3 "Hug and kiss on the steps"`)
	if show := h.must("paula", "/boundaries show 20").reply; !strings.Contains(show, "b3  Hug and kiss on the steps [contact]: not answered since the beat changed") {
		t.Errorf("answer to a changed beat still counts: %q", show)
	}
}

func TestToplineToPublicChannelRefused(t *testing.T) {
	h := consentHarness(t)
	before := h.scene("20").Topline
	r := h.must("ines", "/topline 20 #general")
	if got := to(r.sent, "post", "general"); len(got) != 0 {
		t.Fatalf("posted to a public channel: %+v", got)
	}
	if late := joined(to(r.sent, "late", "ines")); !strings.Contains(late, "not posted to #general: it is not a private channel") {
		t.Errorf("IC not told: %q", late)
	}
	if after := h.scene("20").Topline; after != before {
		t.Errorf("a refused post changed the top-line state: %+v", after)
	}
}

func TestToplineContent(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", `/boundaries answer 20 b1=yes b2=no notes="CANARY-note" garments="CANARY-garment" body="CANARY-body"`)
	h.must("ines", `/rider sent 20 @paula terms="CANARY-terms"`)
	r := h.must("ines", "/topline 20")
	post := joined(to(r.sent, "post", "scene-20"))
	for _, want := range []string{
		"TOP-LINE SUMMARY, scene 20: Pool (version 1",
		"Call: Thu 3 Dec 2026 09:00 GMT",
		"Performers: @paula, @pete",
		"Restricted beats (not to be filmed as planned):\n  b2  Paula leaves the pool",
		"Not yet agreed:\n  b1  Kiss in the water",
		"Nudity as agreed: none",
		"Garments and barriers: with costume for @paula; not yet given by @pete",
		"Riders: @paula: sent, not signed; @pete: no rider yet",
	} {
		if !strings.Contains(post, want) {
			t.Errorf("top-line lacks %q:\n%s", want, post)
		}
	}
	if strings.Contains(post, "CANARY") {
		t.Errorf("the top-line carries private text:\n%s", post)
	}
}

func TestDepartmentNotices(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", `/boundaries answer 20 b1=yes b2=yes notes="CANARY-note" garments="nude thong" body="cover the hip tattoo"`)
	r := h.must("ines", "/dept notify 20 costume")
	costume := joined(to(r.sent, "post", "costume-room"))
	if !strings.Contains(costume, "@paula: nude thong") || strings.Contains(costume, "tattoo") || strings.Contains(costume, "CANARY") || strings.Contains(costume, "yes") {
		t.Errorf("costume notice: %q", costume)
	}
	r = h.must("ines", "/dept notify 20 hmu")
	hmu := joined(to(r.sent, "post", "hmu-room"))
	if !strings.Contains(hmu, "@paula: cover the hip tattoo") || strings.Contains(hmu, "thong") || strings.Contains(hmu, "CANARY") {
		t.Errorf("hmu notice: %q", hmu)
	}
	if r := h.do("ines", "/dept notify 20 props"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "/dept channel props") {
		t.Errorf("props without a channel: %v %q", r.out.Err, r.reply)
	}
	// A public channel is refused when set, and so no notice can go there.
	r = h.must("ines", "/dept channel props #general")
	if late := joined(to(r.sent, "late", "ines")); !strings.Contains(late, "#general was not made the props channel: #general is public") {
		t.Errorf("a public channel given to props: %q", late)
	}
	r = h.do("ines", "/dept notify 20 props")
	if got := to(r.sent, "post", "general"); len(got) != 0 || r.code() != bot.EINVALID {
		t.Errorf("a notice went to a public channel: %+v, %v", got, r.out.Err)
	}
}

// TestPrivateChannelWithOutsidersRefused: a private channel is not enough;
// everyone in it must be allowed to see what is posted. A department
// notice or a top-line summary for a channel with someone else in it is
// refused, nothing is posted, and the caller hears who is in the way.
func TestPrivateChannelWithOutsidersRefused(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", `/boundaries answer 20 b1=yes b2=yes garments="nude thong"`)
	h.rec.setMembers("costume-room", "cora", "gary")
	before := h.scene("20").Topline
	r := h.must("ines", "/dept notify 20 costume")
	if got := to(r.sent, "post", "costume-room"); len(got) != 0 {
		t.Errorf("the costume notice went to a channel gary is in: %+v", got)
	}
	if late := joined(to(r.sent, "late", "ines")); !strings.Contains(late, "@gary is in it and may not see it") || strings.Contains(late, "thong") {
		t.Errorf("the IC was not told who is in the way (or was told the content): %q", late)
	}

	h.rec.setMembers("scene-20", "ines", "adam", "paula", "pete", "cam", "cora")
	r = h.must("ines", "/topline 20")
	if got := to(r.sent, "post", "scene-20"); len(got) != 0 {
		t.Errorf("the top-line went to a channel with camera and costume in it: %+v", got)
	}
	if late := joined(to(r.sent, "late", "ines")); !strings.Contains(late, "@cam, @cora are in it and may not see it") {
		t.Errorf("the IC was not told who is in the way: %q", late)
	}
	if after := h.scene("20").Topline; after != before {
		t.Errorf("a refused post changed the top-line state: %+v", after)
	}

	// With the channel back to its audience, the same commands post.
	h.rec.setMembers("scene-20", "ines", "adam", "dana", "paula", "pete")
	h.rec.setMembers("costume-room", "cora")
	if got := to(h.must("ines", "/topline 20").sent, "post", "scene-20"); len(got) != 1 {
		t.Errorf("top-line posts: %+v", got)
	}
	if got := to(h.must("ines", "/dept notify 20 costume").sent, "post", "costume-room"); len(got) != 1 {
		t.Errorf("costume posts: %+v", got)
	}
}

// TestConsentCallersNotLogged: the log names no one who answered about
// their boundaries, withdrew, answered a check-in or called a hold; other
// commands are logged with their caller.
func TestConsentCallersNotLogged(t *testing.T) {
	var logs bytes.Buffer
	h := consentHarness(t)
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }),
		bot.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), bot.WithAdmins("root"), bot.WithSetChannel("set"))
	h.must("paula", "/boundaries form 20")
	h.must("paula", "/boundaries answer 20 b1=yes")
	h.must("paula", "/boundaries withdraw 20 b1")
	h.do("paula", "/reminders answer 1 ok")
	h.must("pete", "/hold 20")
	h.must("ines", "/scene show 20")
	lines := 0
	for _, l := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(l, "msg=command") {
			continue
		}
		lines++
		withheld := strings.Contains(l, "caller=(withheld)")
		switch {
		case strings.Contains(l, "command=\"scene show\""):
			if !strings.Contains(l, "caller=ines") {
				t.Errorf("an ordinary command is logged without its caller: %s", l)
			}
		case !withheld:
			t.Errorf("a consent command's caller is logged: %s", l)
		}
	}
	if lines != 6 {
		t.Errorf("%d commands logged, want 6:\n%s", lines, logs.String())
	}
}

// TestAmendedRiderCountsFromItsSigning: a rider signed again after the
// scene widened counts as received when signed, so its notice is judged
// afresh.
func TestAmendedRiderCountsFromItsSigning(t *testing.T) {
	h := consentHarness(t) // call 3 Dec 09:00, deadline 1 Dec 09:00
	for _, p := range []string{"paula", "pete"} {
		h.must(p, "/boundaries answer 20 b1=yes")
		h.must("ines", "/rider sent 20 @"+p)
		h.must("ines", "/rider signed 20 @"+p)
	}
	h.must("paula", "/boundaries answer 20 b2=yes")
	h.now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h.must("ines", `/scene beat add 20 "Hug on the steps" kind=contact`)
	for _, p := range []string{"paula", "pete"} {
		h.must(p, "/boundaries answer 20 b3=yes")
	}
	// In time: the amended rider reaches paula five days before the call.
	h.now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	if r := h.must("ines", "/rider signed 20 @paula"); strings.Contains(r.reply, "LATE") || !strings.Contains(r.reply, "counts as received when signed") {
		t.Errorf("paula's amended rider: %q", r.reply)
	}
	// Too late: pete's amended rider, signed a day before the call, does
	// not meet the notice, although his first rider did.
	h.now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	if r := h.must("ines", "/rider signed 20 @pete"); !strings.Contains(r.reply, "LATE: it reached them on Wed 2 Dec 2026 09:00 GMT") {
		t.Errorf("pete's late amended rider: %q", r.reply)
	}
	r := h.do("adam", "/closedset start 20")
	if !strings.Contains(r.reply, "@pete: rider late") || strings.Contains(r.reply, "@paula: rider") {
		t.Errorf("AD's refusal: %q", r.reply)
	}
	// Signing again without a change keeps the date it was received.
	if r := h.must("ines", "/rider signed 20 @paula"); strings.Contains(r.reply, "counts as received when signed") || !strings.Contains(r.reply, "sent Sat 28 Nov 2026 09:00 GMT") {
		t.Errorf("paula signed again: %q", r.reply)
	}
}

// TestYesTakenBackDuringClosedSetHolds: a performer who changes a yes to
// no or discuss while the closed set runs stops the scene, as a
// withdrawal does; the AD hears only that it is on hold. The same change
// outside a closed set, or a change towards yes, holds nothing.
func TestYesTakenBackDuringClosedSetHolds(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/boundaries answer 12 b1=discuss")
	if sc := h.scene("12"); len(sc.Holds) > 0 {
		t.Fatalf("a change before the closed set called a hold: %+v", sc.Holds)
	}
	h.must("paula", "/boundaries answer 12 b1=yes")
	h.must("adam", "/closedset start 12")
	r := h.must("paula", "/boundaries answer 12 b1=no")
	if !strings.Contains(r.reply, "the scene is now on hold") {
		t.Errorf("paula's reply: %q", r.reply)
	}
	if _, held := func() (bot.Hold, bool) { sc := h.scene("12"); return sc.ActiveHold() }(); !held {
		t.Fatal("no hold after a yes was taken back during the closed set")
	}
	if got := joined(to(r.sent, "dm", "ines")); !strings.Contains(got, "HOLD: @paula changed their answer to b1 (now no) of scene 12") {
		t.Errorf("the IC's DM: %q", got)
	}
	if got := joined(to(r.sent, "dm", "adam")); got != "Scene 12 is on hold: talk to the IC." {
		t.Errorf("adam's DM: %q", got)
	}
	if got := to(r.sent, "dm", "dana"); len(got) != 0 {
		t.Errorf("the director was told: %+v", got)
	}
	for _, s := range r.sent {
		if s.To != "ines" && s.To != "paula" && (strings.Contains(s.Text, "paula") || strings.Contains(s.Text, "b1")) {
			t.Errorf("the change reached %s %s: %q", s.Kind, s.To, s.Text)
		}
	}
	// Back to yes: no further hold.
	holds := len(h.scene("12").Holds)
	h.must("paula", "/boundaries answer 12 b1=yes")
	if n := len(h.scene("12").Holds); n != holds {
		t.Errorf("a change towards yes called a hold (%d -> %d)", holds, n)
	}
}

// TestNewPerformerAsksAgain: a performer added to a scene joins its
// shared beats, which makes them different beats for everyone in them:
// answers given before stop counting, all of their performers are asked
// again, and signed riders need amendment. A beat that names its
// performers is left alone.
func TestNewPerformerAsksAgain(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene beat add 12 "solo swim" kind=other performers=@paula`)
	h.must("paula", "/boundaries answer 12 b1=yes b2=yes")

	r := h.must("ines", "/scene set 12 performers=@paula,@pete")
	if !strings.Contains(r.reply, "Beats b1 now involve @pete: earlier answers to them no longer count") {
		t.Errorf("IC's reply: %q", r.reply)
	}
	news := h.afterBeatNewsWindow()
	for p, with := range map[string]string{"paula": "@pete", "pete": "@paula"} {
		got := joined(to(news, "dm", p))
		if !strings.Contains(got, "b1 changed") || !strings.Contains(got, "b1  kiss [contact], with "+with) || !strings.Contains(got, "whether you agree to b1:") {
			t.Errorf("%s's request: %q", p, got)
		}
	}
	if got := joined(to(news, "dm", "pete")); strings.Contains(got, "solo swim") {
		t.Errorf("pete heard of a beat that is not his: %q", got)
	}
	if got := joined(to(r.sent, "dm", "ines")); !strings.Contains(got, "the signed riders of @paula need amendment") {
		t.Errorf("the IC was not told of the rider: %q", got)
	}
	show := h.must("paula", "/boundaries show 12").reply
	if !strings.Contains(show, "b1  kiss [contact]: not answered since the beat changed") || !strings.Contains(show, "b2  solo swim [other]: yes") {
		t.Errorf("paula's answers after the change: %q", show)
	}
	if r := h.do("adam", "/closedset start 12"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "boundaries not confirmed by 2 of 2 performers") {
		t.Errorf("the set started on stale answers: %v %q", r.out.Err, r.reply)
	}
	// Removing a performer asks nobody.
	if r := h.must("ines", "/scene set 12 performers=@paula"); len(to(r.sent, "dm", "paula")) != 0 {
		t.Errorf("a removal asked again: %+v", r.sent)
	}
}

// TestToplineRefreshSurvivesAndReportsToIC: a refresh the platform cannot
// be asked about now is queued and posted once it answers; one refused is
// reported to the IC, not to the performer whose change prompted it, who
// hears nothing about channels or errors.
func TestToplineRefreshSurvivesAndReportsToIC(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes")
	h.must("ines", "/topline 20")
	h.rec.setFailAsk(bot.RetryLater(time.Second, errors.New("platform unreachable")))
	r := h.must("paula", "/boundaries answer 20 b1=no")
	for _, s := range to(r.sent, "late", "paula") {
		t.Errorf("paula was told: %q", s.Text)
	}
	if got := to(r.sent, "post", "scene-20"); len(got) != 0 {
		t.Fatalf("posted while the platform could not say the channel is private: %+v", got)
	}
	h.rec.setFailAsk(nil)
	h.now = h.now.Add(time.Minute)
	if _, err := h.bot.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	post := joined(to(h.rec.take(), "post", "scene-20"))
	if !strings.Contains(post, "version 2, supersedes version 1") {
		t.Errorf("the refresh after the platform came back: %q", post)
	}

	h.rec.setMembers("scene-20", "ines", "adam", "paula", "pete", "cam")
	r = h.must("paula", "/boundaries answer 20 b1=yes")
	if got := to(r.sent, "post", "scene-20"); len(got) != 0 {
		t.Errorf("posted where cam can read: %+v", got)
	}
	if got := joined(to(r.sent, "dm", "ines")); !strings.Contains(got, "@cam is in it and may not see it") {
		t.Errorf("the IC was not told: %q", got)
	}
	for _, s := range r.sent {
		if s.To == "paula" && strings.Contains(s.Text, "cam") {
			t.Errorf("paula was told about the channel: %q", s.Text)
		}
	}
}

// TestFailedConsentDeliveriesNameNobody: whatever fails, no log line names
// a person next to a consent class. Every DM to the performer and to the
// IC fails for good, and then for a while, through a hold, its lifting, a
// withdrawal and answers: the log names neither.
func TestFailedConsentDeliveriesNameNobody(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"refused", bot.Errorf(bot.EUNAVAILABLE, "cannot DM")},
		{"passing", errors.New("connection reset")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := consentHarness(t)
			h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }),
				bot.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))), bot.WithAdmins("root"), bot.WithSetChannel("set"))
			h.rec.setFailDM("paula", tt.err)
			h.rec.setFailDM("ines", tt.err)
			h.must("paula", "/hold 20 cold")
			h.must("ines", "/hold lift 20")
			h.must("paula", "/boundaries answer 20 b1=yes")
			h.must("paula", "/boundaries withdraw 20 b1")
			h.must("ines", "/boundaries request 20 @paula")
			if !strings.Contains(logs.String(), "delivery") {
				t.Fatalf("no delivery failed, so the test shows nothing:\n%s", logs.String())
			}
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, "paula") || strings.Contains(l, "to=\"DM to ines\"") {
					t.Errorf("a log line names a person next to a consent message: %s", l)
				}
			}
		})
	}
}

// failingStore fails every write with err, as a damaged record would.
type failingStore struct {
	bot.Store
	err error
}

func (s failingStore) Update(ctx context.Context, fn func(bot.Tx) error) error { return s.err }

// TestInternalErrorOfAConsentCommandNamesNobody: when a consent command
// fails inside, on a record named by its key (the performer's id in it),
// the log keeps the cause but not who it was.
func TestInternalErrorOfAConsentCommandNamesNobody(t *testing.T) {
	var logs bytes.Buffer
	h := consentHarness(t)
	broken := failingStore{h.store, bot.Internal(errors.New("storage: sealed value boundaries/20/paula/2/private does not open"))}
	b := bot.New(broken, h.chat, bot.WithClock(func() time.Time { return h.now }),
		bot.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	for _, line := range []string{"/boundaries withdraw 20", "/boundaries answer 20 b1=yes", "/hold 20 cold"} {
		out := b.Handle(context.Background(), bot.Command{Caller: "paula", Text: line})
		if bot.ErrorCode(out.Err) != bot.EINTERNAL {
			t.Fatalf("%s: %v", line, out.Err)
		}
	}
	if !strings.Contains(logs.String(), "sealed value boundaries/20/(withheld)/2/private") {
		t.Errorf("the cause is not logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "paula") {
		t.Errorf("the log names the performer:\n%s", logs.String())
	}
}

// TestSummaryWaitsForTheLift: while a hold that a withdrawal caused
// stands, the top-line summary is not re-posted, not even after another
// change; the IC's /hold lift posts it, with the beat restricted and
// without naming who.
func TestSummaryWaitsForTheLift(t *testing.T) {
	h := consentHarness(t)
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes")
	h.must("pete", "/boundaries answer 20 b1=yes")
	h.must("ines", "/topline 20")
	if got := to(h.must("paula", "/boundaries withdraw 20 b2").sent, "post", "scene-20"); len(got) != 0 {
		t.Fatalf("re-posted at the withdrawal: %+v", got)
	}
	if got := to(h.must("ines", `/scene set 20 title="Pool, night"`).sent, "post", "scene-20"); len(got) != 0 {
		t.Errorf("re-posted during the hold: %+v", got)
	}
	r := h.must("ines", "/hold lift 20")
	posts := to(r.sent, "post", "scene-20")
	if len(posts) != 1 || !strings.Contains(posts[0].Text, "supersedes") || strings.Contains(posts[0].Text, "ON HOLD") {
		t.Fatalf("the lift's summary: %+v", posts)
	}
	if !strings.Contains(posts[0].Text, "b2") || strings.Contains(posts[0].Text, "paula withdrew") || strings.Contains(posts[0].Text, "WITHDRAWN") {
		t.Errorf("the lift's summary: %q", posts[0].Text)
	}
	// The AD reads what every lift says: another text after a consent
	// change would tell them it was one.
	if got := joined(to(r.sent, "dm", "adam")); got != "The hold on scene 20 has been lifted by the IC: go on with what is agreed. Questions go to the IC." {
		t.Errorf("the AD was told: %q", got)
	}
}
