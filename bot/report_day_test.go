package bot_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// dayCanaries are private texts the end-of-day report carries to the IC
// alone: a performer's boundary notes, a hold's reason, an override's
// reason, a rehearsal's changes and a performer's dispute of it, a
// take's note. The choreography is in no version.
var dayCanaries = []string{"CANARY-DAY-NOTE", "CANARY-DAY-HOLD", "CANARY-DAY-OVERRIDE", "CANARY-DAY-REHEARSAL", "CANARY-DAY-DISPUTE", "CANARY-DAY-TAKE"}

const dayChoreoCanary = "CANARY-DAY-CHOREO"

// seedDay records a day's work on the seeded production, on t0's day
// (Thu 26 Nov 2026): paula's new boundaries for scene 12 with a note,
// a rehearsal of scene 12 that paula disputes and a take, the reason for
// the hold on 16, and an override reason on the closed set of 15.
func seedDay(t *testing.T, h *harness) {
	t.Helper()
	h.must("paula", `/boundaries answer 12 b1=yes notes="CANARY-DAY-NOTE"`)
	err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		sc.Beats[0].Choreo = []bot.ChoreoVersion{{Version: 1, Text: dayChoreoCanary, By: "ines", At: t0, Changed: []string{"text"}}}
		sc.Rehearsals = []bot.Rehearsal{{Seq: 1, At: t0.Add(time.Hour), By: "ines", Present: []bot.UserID{"paula", "ines"}, Beats: []string{"b1"},
			Changes: "CANARY-DAY-REHEARSAL", Confirmations: []bot.RehearsalConfirmation{{Performer: "paula", At: t0.Add(2 * time.Hour), Note: "CANARY-DAY-DISPUTE"}}}}
		sc.Takes = []bot.Take{{Seq: 1, Session: 1, Beat: "b1", Choreo: 1, Note: "CANARY-DAY-TAKE", Drifted: true, By: "ines", At: t0.Add(3 * time.Hour)}}
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		held, err := tx.Scene("16")
		if err != nil {
			return err
		}
		held.Holds[0].Reason = "CANARY-DAY-HOLD"
		if err := tx.PutScene(held); err != nil {
			return err
		}
		sess, err := tx.Session("15", 1)
		if err != nil {
			return err
		}
		sess.Override = "CANARY-DAY-OVERRIDE"
		return tx.PutSession(sess)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReportDayVersions: /report day sends each of the IC, the AD and
// the producer their version by direct message, and nothing to a
// channel. The IC's holds every canary; the AD's and the producer's hold
// none, but the same counts and the scenes shot.
func TestReportDayVersions(t *testing.T) {
	h := newHarness(t).seed()
	seedDay(t, h)
	for _, tt := range []struct {
		caller, version string
		full            bool
	}{{"ines", "intimacy coordinator", true}, {"adam", "AD", false}, {"priya", "producer", false}} {
		t.Run(tt.caller, func(t *testing.T) {
			r := h.must(tt.caller, "/report day")
			if !strings.Contains(r.reply, "Thu 26 Nov 2026") || !strings.Contains(r.reply, "direct message") {
				t.Errorf("reply %q", r.reply)
			}
			if len(r.sent) != 1 || r.sent[0].Kind != "dm" || r.sent[0].To != tt.caller {
				t.Fatalf("sent %+v, want one DM to %s", r.sent, tt.caller)
			}
			text := r.sent[0].Text
			for _, want := range []string{"end-of-day report, Thu 26 Nov 2026", "Scenes shot: 1; closed sets: 1 (1 started over missing items); holds: 1",
				"Consent changes: 1 (withdrawals: 0)", "Rehearsals: 1; takes: 1", "Scene 15: Bedroom", "Carried into Fri 27 Nov 2026", "Scene 16 is on hold since"} {
				if !strings.Contains(text, want) {
					t.Errorf("report lacks %q:\n%s", want, text)
				}
			}
			for _, c := range dayCanaries {
				if got := strings.Contains(text, c); got != tt.full {
					t.Errorf("%s in %s's version: %v, want %v", c, tt.caller, got, tt.full)
				}
			}
			if strings.Contains(text, dayChoreoCanary) {
				t.Errorf("the choreography is in %s's version", tt.caller)
			}
			if !tt.full && !strings.Contains(text, "Left out for this audience: who called each hold and why, closed-set override reasons") {
				t.Errorf("%s's version does not say what it leaves out:\n%s", tt.caller, text)
			}
		})
	}
}

// TestDayReportStructure: the structured report, for each audience,
// holds the private fields for the IC alone, and the counts for all.
func TestDayReportStructure(t *testing.T) {
	h := newHarness(t).seed()
	seedDay(t, h)
	ctx := context.Background()
	day, err := h.bot.ParseDay("2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	reports := map[bot.Role]bot.DayReport{}
	for _, role := range []bot.Role{bot.RoleIC, bot.RoleAD, bot.RoleProducer} {
		rep, err := h.bot.DayReport(ctx, day, bot.Audience{Role: role})
		if err != nil {
			t.Fatal(err)
		}
		reports[role] = rep
		raw, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range dayCanaries {
			if got := strings.Contains(string(raw), c); got != (role == bot.RoleIC) {
				t.Errorf("%s in the %s JSON: %v", c, role, got)
			}
		}
	}
	ic, ad := reports[bot.RoleIC], reports[bot.RoleAD]
	if ic.Counts != ad.Counts || ad.Counts != reports[bot.RoleProducer].Counts {
		t.Errorf("counts differ: IC %+v, AD %+v", ic.Counts, ad.Counts)
	}
	if ic.Schema != bot.DaySchema || ic.Date != "2026-11-26" || ic.Tomorrow.Date != "2026-11-27" {
		t.Errorf("head %q %q %q", ic.Schema, ic.Date, ic.Tomorrow.Date)
	}
	if len(ic.Consent) != 1 || ic.Consent[0].Performer != "@paula" || ic.Consent[0].Version != 2 || len(ad.Consent) != 0 {
		t.Errorf("consent: IC %+v, AD %+v", ic.Consent, ad.Consent)
	}
	if len(ic.Rehearsals) != 1 || len(ic.Rehearsals[0].Disputed) != 1 || len(ad.Rehearsals) != 0 || len(ad.Takes) != 0 || len(ic.Takes) != 1 {
		t.Errorf("rehearsals and takes: IC %+v %+v, AD %+v %+v", ic.Rehearsals, ic.Takes, ad.Rehearsals, ad.Takes)
	}
	if ic.Tomorrow.OpenRehearsals != 1 || ad.Tomorrow.OpenRehearsals != 1 || len(ad.Tomorrow.Rehearsals) != 0 {
		t.Errorf("open rehearsals: IC %+v, AD %+v", ic.Tomorrow, ad.Tomorrow)
	}
	i := slices.IndexFunc(ad.Scenes, func(s bot.DayScene) bool { return s.ID == "15" })
	if i < 0 || len(ad.Scenes[i].Sessions) != 1 {
		t.Fatalf("AD's scenes: %+v", ad.Scenes)
	}
	if s := ad.Scenes[i].Sessions[0]; !s.Overridden || s.Override != "" || s.StartedBy != "@adam" || len(s.Roster) == 0 {
		t.Errorf("AD's closed set: %+v", s)
	}
	for _, sc := range ad.Scenes {
		for _, hd := range sc.Holds {
			if hd.CalledBy != "" || hd.Reason != "" {
				t.Errorf("AD reads who called hold %d on %s, or why: %+v", hd.Seq, sc.ID, hd)
			}
		}
	}
	if !slices.Contains(ad.Withheld, "take log") || slices.Contains(ic.Withheld, "take log") || len(ic.Withheld) != 0 {
		t.Errorf("withheld: IC %v, AD %v", ic.Withheld, ad.Withheld)
	}
	if _, err := h.bot.DayReport(ctx, day, bot.Audience{Role: bot.RoleDirector}); bot.ErrorCode(err) != bot.EINVALID {
		t.Errorf("a director's version: %v", err)
	}
	// The day before holds nothing of the day's work.
	prev, err := h.bot.ParseDay("yesterday")
	if err != nil {
		t.Fatal(err)
	}
	before, err := h.bot.DayReport(ctx, prev, bot.Audience{Role: bot.RoleIC})
	if err != nil {
		t.Fatal(err)
	}
	if before.Date != "2026-11-25" || before.Counts.Sessions != 0 || before.Counts.ConsentChanges != 0 || len(before.Takes) != 0 {
		t.Errorf("yesterday: %+v", before)
	}
}

// TestReportDayDates: DATE takes the forms other commands take, in the
// production's zone; a bad one is refused with the usage line, sends
// nothing and changes nothing; the command is the IC's, AD's and
// producer's alone.
func TestReportDayDates(t *testing.T) {
	h := newHarness(t).seed()
	for _, tt := range []struct{ arg, day string }{
		{"", "Thu 26 Nov 2026"}, {"today", "Thu 26 Nov 2026"}, {"yesterday", "Wed 25 Nov 2026"},
		{"-2d", "Tue 24 Nov 2026"}, {"2026-11-20", "Fri 20 Nov 2026"},
	} {
		if r := h.must("ines", strings.TrimSpace("/report day "+tt.arg)); !strings.Contains(r.reply, tt.day) || !strings.Contains(r.sent[0].Text, tt.day) {
			t.Errorf("/report day %s: %q", tt.arg, r.reply)
		}
	}
	for _, tt := range []struct{ arg, say string }{
		{"fri", `"fri" could be last or next Friday: give the date`},
		{"2026-13-01", `bad date "2026-13-01"`},
		{"someday", `bad date "someday": write today (when left out), yesterday`},
		{"1999-12-31", "out of range"},
		{"today extra", `unexpected "extra"`},
		{"tomorrow", "Fri 27 Nov 2026 is still to come"},
		{"2026-11-30", "Mon 30 Nov 2026 is still to come"},
		{"+400d", "is still to come"},
	} {
		before := h.auditLen()
		r := h.do("ines", "/report day "+tt.arg)
		if r.code() != bot.EINVALID || !strings.Contains(r.reply, tt.say) || !strings.Contains(r.reply, "Usage: /report day [DATE]") {
			t.Errorf("/report day %s: %s %q", tt.arg, r.code(), r.reply)
		}
		if len(r.sent) != 0 || h.auditLen() != before {
			t.Errorf("/report day %s: sent %+v, audit %d -> %d", tt.arg, r.sent, before, h.auditLen())
		}
	}
	for _, caller := range []string{"dana", "paula", "cam", "root", "nobody"} {
		if r := h.do(caller, "/report day"); r.code() != bot.EFORBIDDEN || len(r.sent) != 0 {
			t.Errorf("%s: %s %q, sent %+v", caller, r.code(), r.reply, r.sent)
		}
	}
}

// TestParseDayAudience: the command line's report is for ic, ad or
// producer.
func TestParseDayAudience(t *testing.T) {
	for _, s := range []string{"ic", "ad", "producer"} {
		if _, err := bot.ParseDayAudience(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "director", "performer:@paula", "costume", "boss"} {
		if _, err := bot.ParseDayAudience(s); bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), "ic, ad or producer") {
			t.Errorf("%q: %v", s, err)
		}
	}
}

// TestDayReportAtWrapTime: at the wrap time the IC, the AD and the
// producer each get their version by DM, once: a restart the same
// evening sends it again to nobody. A day with nothing recorded and
// nothing carried sends nothing; a report icbot was down for is sent
// late on start, within the grace period.
func TestDayReportAtWrapTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts := []bot.Option{bot.WithWrapTime(19, 0), bot.WithDayReport()}
		b := newBubble(t, "Europe/London", opts...)
		b.do("ines", `/scene add 90 title="Barn" call="2000-01-01 10:00" performers=@paula`)
		b.start()
		b.until("2000-01-01 11:00")
		b.do("ines", "/hold 90 CANARY-DAY-HOLD")
		if got := b.until("2000-01-01 18:59"); len(got) != 0 {
			t.Errorf("sent before the wrap time: %+v", got)
		}
		got := b.until("2000-01-01 19:00")
		for _, who := range []string{"ines", "adam", "priya"} {
			dm := to(got, "dm", who)
			if len(dm) != 1 || !strings.Contains(dm[0].Text, "end-of-day report, Sat 1 Jan 2000") || !strings.Contains(dm[0].Text, "/report day 2000-01-01 shows it again") {
				t.Fatalf("%s got %+v", who, dm)
			}
			// The reminder loop reads the trail as a command does (it
			// counted none, through the loop's own transaction).
			if !strings.Contains(dm[0].Text, "Audit records: 2") {
				t.Errorf("%s's report does not count the day's audit records:\n%s", who, dm[0].Text)
			}
			if got := strings.Contains(dm[0].Text, "CANARY-DAY-HOLD"); got != (who == "ines") {
				t.Errorf("hold reason in %s's report: %v", who, got)
			}
		}
		if len(got) != 3 {
			t.Errorf("sent %d messages, want 3: %+v", len(got), got)
		}

		// A restart the same evening sends nothing again.
		b.stop()
		restart := func() {
			again := bot.New(b.store, b.chat, append([]bot.Option{bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root")}, opts...)...)
			b.bot, b.harness.bot = again, again
			b.start()
		}
		restart()
		if got := b.until("2000-01-01 23:00"); len(got) != 0 {
			t.Errorf("sent again after a restart: %+v", got)
		}
		b.do("ines", "/hold lift 90")

		// 2 Jan: nothing recorded, nothing carried: nothing sent.
		if got := b.until("2000-01-02 19:30"); len(got) != 0 {
			t.Errorf("a day with nothing recorded sent %+v", got)
		}
		if list := b.do("ines", "/reminders list").reply; !strings.Contains(list, "day-report, due Mon 3 Jan 2000 19:00 GMT, pending") {
			t.Errorf("the next report is not scheduled:\n%s", list)
		}

		// 3 Jan: icbot is down at the wrap time and back at 21:00.
		b.until("2000-01-03 12:00")
		b.do("ines", "/hold 90")
		b.stop()
		b.until("2000-01-03 21:00")
		restart()
		defer b.stop()
		late := b.rec.take()
		if dm := to(late, "dm", "adam"); len(dm) != 1 || !strings.Contains(dm[0].Text, "Mon 3 Jan 2000") {
			t.Errorf("after the restart: %+v", late)
		}
		if got := b.until("2000-01-04 18:00"); len(got) != 0 {
			t.Errorf("sent again: %+v", got)
		}
	})
}

// TestDayReportTwoAnswersInOneSecond: two answers of one performer in the
// same second are two consent changes, each with its own version; the
// first was listed twice and the second left out.
func TestDayReportTwoAnswersInOneSecond(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes notes="FIRST-NOTE"`)
	h.must("paula", `/boundaries answer 12 b1=no notes="SECOND-NOTE"`)
	r := h.must("ines", "/report day")
	text := joined(to(r.sent, "dm", "ines"))
	if strings.Count(text, "FIRST-NOTE") != 1 || strings.Count(text, "SECOND-NOTE") != 1 {
		t.Errorf("each answer once:\n%s", text)
	}
}
