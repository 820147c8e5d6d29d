package bot_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// eraseCode takes the confirmation code from the first answer of
// /icbot erase me.
func eraseCode(t *testing.T, reply string) string {
	t.Helper()
	m := regexp.MustCompile(`/icbot erase me confirm ([0-9a-f]+)`).FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no confirmation code in %q", reply)
	}
	return m[1]
}

// erasedCanaries are Paula's canaries that an erasure takes at once
// (canaryProduction): what she wrote, bar the rider she signed for scene
// 30, which the production keeps.
var erasedCanaries = []string{
	"boundaries v1 notes", "boundaries v1 garments", "boundaries v1 body",
	"boundaries v2 notes", "boundaries v2 garments", "boundaries v2 body",
	"a second rider's terms", "rehearsal dispute note", "hold reason", "check-in note", "aftercare note", "a second hold's reason",
}

// TestEraseMe: the first /icbot erase me changes nothing and says what
// would be erased, what kept, why and until when; confirmed with its
// code, every erasable canary of Paula's is unreadable through the
// commands and her export, her signed rider for scene 30 still reads,
// she is told what remains and until when, and the IC and the producer
// are told that a request exists, never its content.
func TestEraseMe(t *testing.T) {
	h := newHarness(t)
	wrap := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	h.seed()
	canaryProduction(t, h)
	h.restartWith(bot.WithRetention(bot.Retention{Days: 90}, wrap.Format(time.DateOnly)))
	h.must("ines", "/rider sent 30 @paula")
	h.must("ines", "/rider signed 30 @paula")
	h.must("ines", "/hold lift 12")
	h.must("ines", "/scene set 30 status=wrapped")
	h.must("ines", "/scene set 12 status=wrapped")

	audits := h.auditLen()
	first := h.must("paula", "/icbot erase me")
	if h.auditLen() != audits || len(first.sent) != 0 {
		t.Errorf("the first /icbot erase me changed something: %d audit records, sent %+v", h.auditLen()-audits, first.sent)
	}
	for _, want := range []string{
		"Nothing has changed yet",
		"your signed rider for scene 30: a signed rider is a contract the production may have to keep; kept until Wed 31 Mar 2027 (90 days after the production's wrap date, Thu 31 Dec 2026).",
		"your boundaries for scene 15 (the version in force): you perform in scene 15, which has not wrapped",
		"kept until scene 15 wraps",
	} {
		if !strings.Contains(first.reply, want) {
			t.Errorf("the first answer lacks %q:\n%s", want, first.reply)
		}
	}
	code := eraseCode(t, first.reply)
	if r := h.do("paula", "/icbot erase me confirm 000000"); r.code() != bot.ECONFLICT || h.auditLen() != audits {
		t.Errorf("a wrong code: %v, %q", r.out.Err, r.reply)
	}
	js, _ := myData(t, h, "paula")
	if !strings.Contains(js, paulaCanaries["hold reason"]) {
		t.Error("before the confirmation her data no longer reads")
	}
	audits = h.auditLen()

	done := h.must("paula", "/icbot erase me confirm "+code)
	for _, want := range []string{
		"you are now erased-1",
		"What remains, and until when:",
		"your signed rider for scene 30, kept until Wed 31 Mar 2027",
		"your signed rider for scene 15, kept until scene 15 wraps (erased within the hour after) or until Wed 31 Mar 2027 (90 days after the production's wrap date, Thu 31 Dec 2026), whichever is later",
	} {
		if !strings.Contains(done.reply, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, done.reply)
		}
	}
	for _, who := range []string{"ines", "priya"} {
		var dms []sent
		for _, m := range to(done.sent, "dm", who) {
			if m.Class != bot.ClassChannelReport { // the departments' notices taken down, to the IC
				dms = append(dms, m)
			}
		}
		if len(dms) != 1 || !strings.Contains(dms[0].Text, "@erased-1 asked icbot to erase their data") {
			t.Errorf("%s was told %+v", who, dms)
			continue
		}
		for _, c := range paulaCanaries {
			if strings.Contains(dms[0].Text, c) {
				t.Errorf("%s was told %s", who, c)
			}
		}
		if strings.Contains(dms[0].Text, "rider") || strings.Contains(dms[0].Text, "30") || strings.Contains(dms[0].Text, "2027") {
			t.Errorf("%s was told what is kept: %q", who, dms[0].Text)
		}
	}
	for _, who := range []string{"adam", "dana", "pete"} {
		if len(to(done.sent, "dm", who)) != 0 {
			t.Errorf("%s was told of the erasure", who)
		}
	}

	js, md := myData(t, h, "paula")
	var seen []string
	for _, line := range []string{"/boundaries show 30 @paula", "/boundaries show 15 @paula", "/rider status 30", "/rider status 12", "/hold status", "/audit log"} {
		if r := h.do("ines", line); r.out.Err == nil {
			seen = append(seen, r.reply)
		}
	}
	seen = append(seen, h.must("paula", "/rider status 30").reply, h.must("paula", "/boundaries show 30").reply)
	all := js + md + strings.Join(seen, "\n")
	for _, field := range erasedCanaries {
		if strings.Contains(all, paulaCanaries[field]) {
			t.Errorf("Paula's %s (%s) still reads after her erasure", field, paulaCanaries[field])
		}
	}
	if r := h.must("ines", "/rider status 30"); !strings.Contains(r.reply, paulaCanaries["rider terms"]) {
		t.Errorf("her signed rider's terms no longer read:\n%s", r.reply)
	}
	if r := h.must("paula", "/rider status 30"); !strings.Contains(r.reply, paulaCanaries["rider terms"]) {
		t.Errorf("she no longer reads her signed rider:\n%s", r.reply)
	}
	if !strings.Contains(h.lastAudit("person.erase"), "erased the data key of the person now named erased-1; 3 records the production must keep") {
		t.Errorf("audit: %q", h.lastAudit("person.erase"))
	}
	if _, err := h.store.VerifyAudit(context.Background()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	// The rest is scheduled, and nobody may put it off.
	var rest bot.Reminder
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		rest, err = tx.ReminderByKey("erase-rest/paula")
		return err
	}); err != nil || rest.State != bot.ReminderPending || rest.Kind != bot.RemindEraseRest {
		t.Fatalf("the erase-rest reminder: %+v %v", rest, err)
	}
	if r := h.must("ines", "/reminders list"); strings.Contains(r.reply, "erase-rest") {
		t.Errorf("/reminders list shows the IC the rest of an erasure:\n%s", r.reply)
	}
	for _, line := range []string{"/reminders cancel %d", "/reminders snooze %d 2d"} {
		if r := h.do("ines", fmt.Sprintf(line, rest.ID)); r.code() != bot.EFORBIDDEN {
			t.Errorf("%s: %v %q", line, r.out.Err, r.reply)
		}
	}
	if r := h.must("paula", "/icbot help icbot erase me"); !strings.Contains(r.reply, "whichever") && !strings.Contains(r.reply, "signed rider") {
		t.Errorf("help: %q", r.reply)
	}
}

// TestEraseMeStranger: someone icbot knows nothing about gets a plain
// answer, and nothing changes; bad input is refused with the usage.
func TestEraseMeStranger(t *testing.T) {
	h := newHarness(t).seed()
	audits := h.auditLen()
	r := h.must("nobody", "/icbot erase me")
	if r.reply != "icbot holds nothing about you: nobody has given you a role on this production, so there is nothing to erase." {
		t.Errorf("a stranger was answered %q", r.reply)
	}
	if r := h.do("nobody", "/icbot erase me confirm abc"); r.out.Err != nil || !strings.Contains(r.reply, "holds nothing about you") {
		t.Errorf("a stranger's confirmation: %v %q", r.out.Err, r.reply)
	}
	for _, line := range []string{"/icbot erase me yes abc", "/icbot erase me confirm"} {
		if r := h.do("paula", line); r.code() != bot.EINVALID || !strings.Contains(r.reply, "usage: /icbot erase me") {
			t.Errorf("%s: %v %q", line, r.out.Err, r.reply)
		}
	}
	if h.auditLen() != audits {
		t.Error("a refused erasure changed something")
	}
}

// TestEraseRestOnTime: a signed rider kept from an erasure still reads
// until the production's wrap date plus its retention, and is erased
// then by the reminder loop, which tells Paula, the IC and the producer
// (never what it erased); the loop does not look at it again.
func TestEraseRestOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London", bot.WithRetention(bot.Retention{Days: 2}, "2000-01-02"))
		b.do("ines", `/scene add 50 title="Pool" call="2000-01-01 10:00" performers=@paula`)
		b.do("ines", `/rider signed 50 @paula terms="CNYKEPT"`)
		b.do("ines", `/scene beat add 50 "kiss" kind=contact`)
		b.do("ines", `/boundaries request 50`)
		b.do("paula", `/boundaries answer 50 b1=yes notes="CNYGONE"`)
		b.do("ines", "/scene set 50 status=wrapped")
		first := b.do("paula", "/icbot erase me")
		if !strings.Contains(first.reply, "your signed rider for scene 50: a signed rider is a contract the production may have to keep; kept until Tue 4 Jan 2000 (2 days after the production's wrap date, Sun 2 Jan 2000).") {
			t.Errorf("first answer:\n%s", first.reply)
		}
		done := b.do("paula", "/icbot erase me confirm "+eraseCode(t, first.reply))
		if !strings.Contains(done.reply, "What remains, and until when:\n  - your signed rider for scene 50, kept until Tue 4 Jan 2000") {
			t.Errorf("confirmation:\n%s", done.reply)
		}
		b.start()
		defer b.stop()
		terms := func() string { return b.do("ines", "/rider status 50").reply }
		if got := notRetention(b.until("2000-01-04 18:59")); len(got) != 0 {
			t.Errorf("sent before the retention ran out: %+v", got)
		}
		if s := terms(); !strings.Contains(s, "CNYKEPT") {
			t.Errorf("the kept rider no longer reads before its date:\n%s", s)
		}
		if s := b.do("ines", "/boundaries show 50 @paula").reply; strings.Contains(s, "CNYGONE") {
			t.Errorf("her boundaries were kept:\n%s", s)
		}
		got := notRetention(b.until("2000-01-04 19:00"))
		if s := terms(); strings.Contains(s, "CNYKEPT") {
			t.Errorf("the kept rider still reads after its date:\n%s", s)
		}
		if p := to(got, "dm", "paula"); len(p) != 1 || !strings.Contains(p[0].Text, "erased the rest of what it held about you") {
			t.Errorf("Paula was told %+v", p)
		}
		for _, who := range []string{"ines", "priya"} {
			dm := to(got, "dm", who)
			if len(dm) != 1 || !strings.Contains(dm[0].Text, "The erasure that @erased-1 asked for is complete") || strings.Contains(dm[0].Text, "rider") {
				t.Errorf("%s was told %+v", who, dm)
			}
		}
		if got := notRetention(b.until("2000-01-09 00:00")); len(got) != 0 {
			t.Errorf("sent after the erasure was complete: %+v", got)
		}
	})
}

// notRetention leaves out the retention shredding's own messages, which
// the same settings bring (retention_test.go tests them).
func notRetention(ss []sent) []sent {
	var out []sent
	for _, s := range ss {
		if !strings.HasPrefix(s.Text, "Retention:") {
			out = append(out, s)
		}
	}
	return out
}

// TestAuditNamesTheErasedAsErased: an audit record names a person by a
// reference to their id, which the store seals under their data key:
// once their data is erased, the records they wrote or were named in
// read as [erased], neither their name nor their pseudonym, and the
// trail holds no name to erase.
func TestAuditNamesTheErasedAsErased(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes`)
	h.must("ines", "/icbot role add @gary props")
	var raw []string
	read := func() {
		raw = nil
		h.store.AuditLog(t.Context(), func(r bot.AuditRecord) error {
			raw = append(raw, r.Summary)
			return nil
		})
	}
	read()
	if all := strings.Join(raw, "\n"); !strings.Contains(all, "boundaries of {person:paula} for scene 12") || !strings.Contains(all, "{person:gary} given role props") {
		t.Fatalf("the trail does not name people by reference:\n%s", all)
	}
	if log := h.must("ines", "/audit show 12").reply; !strings.Contains(log, "boundaries of @paula for scene 12") {
		t.Errorf("/audit show does not write the reference as the handle:\n%s", log)
	}
	code := eraseCode(t, h.must("paula", "/icbot erase me").reply)
	h.must("paula", "/icbot erase me confirm "+code)
	log := h.must("ines", "/audit show 12").reply
	if !strings.Contains(log, "[erased]  boundaries.answer  scene 12  boundaries of [erased] for scene 12") || strings.Contains(log, "paula") || strings.Contains(log, "erased-1") {
		t.Errorf("after the erasure, the record names her, or links her pseudonym to it:\n%s", log)
	}
}

// TestErasureTakesOffConsentsToExplore: a performer's consent to explore
// a beat is kept on the beat, not sealed under their key: an erasure
// takes it off, so that nothing says what they consented to.
func TestErasureTakesOffConsentsToExplore(t *testing.T) {
	h := twoPerformers(newHarness(t).seed())
	h.must("ines", "/rehearsal explore 20 b1 on")
	h.must("pete", "/rehearsal consent 20 b1")
	h.must("paula", "/rehearsal consent 20 b1")
	code := eraseCode(t, h.must("pete", "/icbot erase me").reply)
	h.must("pete", "/icbot erase me confirm "+code)
	b := h.sceneOf("20").Beats[0]
	if b.MayExplore("pete") || !b.MayExplore("paula") {
		t.Errorf("consents to explore after pete's erasure: %+v", b.Explore)
	}
}

// TestEraseMeConfirmedTwice: the confirmation replayed erases nothing
// again: the code was of the person as they were, and is refused.
func TestEraseMeConfirmedTwice(t *testing.T) {
	h := newHarness(t).seed()
	code := eraseCode(t, h.must("gary", "/icbot erase me").reply)
	h.must("gary", "/icbot erase me confirm "+code)
	audits := h.auditLen()
	r := h.do("gary", "/icbot erase me confirm "+code)
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "an erasure already done") || h.auditLen() != audits || len(r.sent) != 0 {
		t.Errorf("the confirmation replayed: %s %q, %d audit records, sent %+v", r.code(), r.reply, h.auditLen()-audits, r.sent)
	}
}

// TestErasureTakesDownDepartmentNotices: a department's notice posted
// before an erasure holds the person's garments in the department's
// channel: the erasure takes it down.
func TestErasureTakesDownDepartmentNotices(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 30 title="Orchard" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-20`)
	h.must("paula", `/boundaries answer 30 garments="CANARY-GARMENTS-ERASED"`)
	h.must("ines", "/dept notify 30 costume")
	costume := func() string { return postsIn(h, "costume-room") }
	if !strings.Contains(costume(), "CANARY-GARMENTS-ERASED") {
		t.Fatalf("the notice was not posted:\n%s", costume())
	}
	code := eraseCode(t, h.must("paula", "/icbot erase me").reply)
	h.must("paula", "/icbot erase me confirm "+code)
	if strings.Contains(costume(), "CANARY-GARMENTS-ERASED") {
		t.Errorf("her garments stay in costume-room after her erasure:\n%s", costume())
	}
}

// TestEraseMeCompactsTheFile: an erasure while icbot runs rewrites the
// database's file once it has committed, so that the destroyed key is
// not left in its free pages until the next start (storage's TestErase
// shows that a compaction leaves none of the key's bytes in the file).
func TestEraseMeCompactsTheFile(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes notes="compact-canary"`)
	code := eraseCode(t, h.must("paula", "/icbot erase me").reply)
	h.must("paula", "/icbot erase me confirm "+code)
	if did, err := h.store.CompactPending(); err != nil || did {
		t.Errorf("after the erasure the file was still marked for compaction (compacted now: %v, %v)", did, err)
	}
}

// TestOperatorErasureTakesDownNoticesAtStart: `icbot erase` runs with the
// chat stopped, so it cannot take down the departments' notices that hold
// the person's garments and body notes; the next start does, and tells
// the IC.
func TestOperatorErasureTakesDownNoticesAtStart(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 30 title="Orchard" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-20`)
	h.must("paula", `/boundaries answer 30 garments="CANARY-GARMENTS-OPERATOR"`)
	h.must("ines", "/dept notify 30 costume")
	costume := func() string { return postsIn(h, "costume-room") }
	if !strings.Contains(costume(), "CANARY-GARMENTS-OPERATOR") {
		t.Fatalf("the notice was not posted:\n%s", costume())
	}
	if _, _, err := h.bot.Erase(t.Context(), "paula", "root", true); err != nil {
		t.Fatal(err)
	}
	if list := h.must("ines", "/reminders list").reply; strings.Contains(list, "takedown") {
		t.Errorf("the takedown is listed to the IC:\n%s", list)
	}
	sentBefore := len(h.rec.sent)
	if _, err := h.bot.FireReminders(t.Context()); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(costume(), "CANARY-GARMENTS-OPERATOR") {
		t.Errorf("her garments stay in costume-room after the start that followed her erasure:\n%s", costume())
	}
	told := false
	for _, m := range h.rec.sent[sentBefore:] {
		told = told || (m.To == "ines" && strings.Contains(m.Text, "30"))
	}
	if !told {
		t.Errorf("the IC is not told of the takedown: %+v", h.rec.sent[sentBefore:])
	}
	if _, err := h.bot.FireReminders(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// postsIn is the text of the posts a channel shows now.
func postsIn(h *harness, channel bot.ChannelID) string {
	var out []string
	for _, p := range h.rec.visiblePosts(channel) {
		out = append(out, p.text)
	}
	return strings.Join(out, "\n")
}
