package bot_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// retentionCanaries are written by retentionScene: a boundary note of
// each performer, a rider's terms and a hold's reason.
var retentionCanaries = []string{"CANARY-notes-paula", "CANARY-notes-pete", "CANARY-terms-paula", "CANARY-hold-pete"}

// retentionScene writes scene 50 with a canary in every consent record.
func retentionScene(b *bubble) {
	b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula,@pete`)
	b.do("ines", `/scene beat add 50 "kiss" kind=contact`)
	b.do("paula", `/boundaries answer 50 b1=yes notes="CANARY-notes-paula"`)
	b.do("pete", `/boundaries answer 50 b1=yes notes="CANARY-notes-pete"`)
	b.do("ines", `/rider sent 50 @paula terms="CANARY-terms-paula"`)
	b.do("pete", "/hold 50 CANARY-hold-pete")
}

// readConsent is what the commands that show consent records show of
// scene 50: to the IC, and each performer's own export.
func readConsent(b *bubble) string {
	var out strings.Builder
	for _, c := range []struct{ who, line string }{
		{"ines", "/boundaries show 50"}, {"ines", "/rider status 50"}, {"ines", "/scene show 50"},
		{"ines", "/audit show 50"}, {"paula", "/icbot mydata"}, {"pete", "/icbot mydata"},
	} {
		r := b.do(c.who, c.line)
		out.WriteString(r.reply + "\n")
		for _, s := range r.sent {
			out.WriteString(s.Text + "\n")
		}
	}
	return out.String()
}

// retentionTold is what was sent about retention, to anyone.
func retentionTold(got []sent) []sent {
	return slices.DeleteFunc(slices.Clone(got), func(s sent) bool { return !strings.HasPrefix(s.Text, "Retention:") })
}

// TestRetentionShredsOnTime: with a retention of 10 days after a wrap on
// 1999-12-31, the IC is warned a week before the shredding (2000-01-03
// 19:00, the wrap time) of what will be shredded, by counts and scenes,
// and at 2000-01-10 19:00, not a minute before, the consent records are
// shredded: every canary reads as [erased] through every command and
// export, the IC is told, the audit trail records it and verifies, and a
// restart does neither again.
func TestRetentionShredsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		opts := []bot.Option{bot.WithWrapTime(19, 0), bot.WithRetention(bot.Retention{Days: 10}, "1999-12-31")}
		b := newBubble(t, "Europe/London", opts...)
		retentionScene(b)
		before := readConsent(b)
		for _, c := range retentionCanaries {
			if !strings.Contains(before, c) {
				t.Fatalf("before shredding, %s reads nowhere:\n%s", c, before)
			}
		}
		b.start()
		if got := retentionTold(b.until("2000-01-03 18:59")); len(got) != 0 {
			t.Errorf("warned early: %+v", got)
		}
		warned := retentionTold(b.until("2000-01-03 19:00"))
		if len(warned) != 1 || warned[0].To != "ines" || warned[0].Kind != "dm" {
			t.Fatalf("the warning, to the IC alone: %+v", warned)
		}
		w := warned[0].Text
		for _, want := range []string{"Mon 10 Jan 2000 19:00", "10 days after wrap (1999-12-31, from production.wrap_date)",
			"the consent records of 2 people on 1 scene", `scene 50 "Pool": 2 versions of boundary answers, 1 rider, 1 hold reason`, "/reminders list shows the shredding as #"} {
			if !strings.Contains(w, want) {
				t.Errorf("the warning lacks %q:\n%s", want, w)
			}
		}
		for _, c := range retentionCanaries {
			if strings.Contains(w, c) {
				t.Errorf("the warning tells %s", c)
			}
		}
		if got := retentionTold(b.until("2000-01-10 18:59")); len(got) != 0 {
			t.Errorf("shredded early: %+v", got)
		}
		if still := readConsent(b); !strings.Contains(still, retentionCanaries[0]) {
			t.Fatal("a minute before the shredding, the records are gone already")
		}
		auditBefore := b.h().auditLen()
		done := retentionTold(b.until("2000-01-10 19:00"))
		if len(done) != 1 || done[0].To != "ines" || !strings.Contains(done[0].Text, "icbot shredded the production's consent records, 10 days after wrap") ||
			!strings.Contains(done[0].Text, "The data keys of 3 people were destroyed") || !strings.Contains(done[0].Text, "Backups taken before now") {
			t.Fatalf("the IC is told of the shredding: %+v", done)
		}
		if at := done[0].At; !at.Equal(time.Date(2000, 1, 10, 19, 0, 0, 0, time.UTC)) {
			t.Errorf("shredded at %s", at)
		}
		after := readConsent(b)
		for _, c := range retentionCanaries {
			if strings.Contains(after, c) {
				t.Errorf("after shredding, %s still reads", c)
			}
		}
		if !strings.Contains(after, "[erased]") || !strings.Contains(after, "paula") || !strings.Contains(after, "pete") {
			t.Errorf("after shredding, the records should read [erased], the names kept:\n%s", after)
		}
		if b.h().auditLen() <= auditBefore {
			t.Error("no audit record of the shredding")
		}
		if did, err := b.h().store.CompactPending(); err != nil || did {
			t.Errorf("after the shredding the file was still marked for compaction (compacted now: %v, %v): the destroyed keys stayed in its free pages", did, err)
		}
		found := false
		for r, err := range b.h().store.AuditRecords(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if r.Action == "retention.shred" {
				found = strings.Contains(r.Summary, "the data keys of 3 people") && r.Actor == "icbot"
			}
		}
		if !found {
			t.Error("the audit trail has no retention.shred record")
		}
		if _, err := b.h().store.VerifyAudit(context.Background()); err != nil {
			t.Errorf("VerifyAudit: %v", err)
		}
		b.stop()

		// A restart sends and shreds nothing again.
		b.bot = bot.New(b.h().store, b.h().chat, append([]bot.Option{bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"), bot.WithSetChannel("set")}, opts...)...)
		b.h().bot = b.bot
		b.start()
		defer b.stop()
		if got := retentionTold(b.until("2000-01-20 19:00")); len(got) != 0 {
			t.Errorf("after a restart: %+v", got)
		}
	})
}

// TestRetentionShredsAtStartWhenDown: icbot was not running when the
// retention passed; the shredding is done as it starts, before it
// answers, and says it is late; the warning, overtaken, is not sent.
// The wrap date comes from the store (icbot wrap) when none is
// configured.
func TestRetentionShredsAtStartWhenDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London", bot.WithWrapTime(19, 0), bot.WithRetention(bot.Retention{Days: 1}, ""))
		retentionScene(b)
		if err := b.h().store.Update(context.Background(), func(tx bot.Tx) error {
			p, err := tx.Production()
			if err != nil {
				return err
			}
			p.WrapDate = "1999-12-29"
			return tx.PutProduction(p)
		}); err != nil {
			t.Fatal(err)
		}
		stop, err := b.bot.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer stop()
		synctest.Wait()
		told := retentionTold(b.rec.take())
		if len(told) != 1 || !strings.Contains(told[0].Text, "(late: icbot was not running at Thu 30 Dec 1999 19:00 GMT)") || !strings.Contains(told[0].Text, "from icbot wrap") {
			t.Fatalf("told at the start: %+v", told)
		}
		after := readConsent(b)
		for _, c := range retentionCanaries {
			if strings.Contains(after, c) {
				t.Errorf("after the start, %s still reads", c)
			}
		}
	})
}

// TestNoRetentionNoShredding: without a retention, or without a wrap
// date, nothing is scheduled and nothing is shredded.
func TestNoRetentionNoShredding(t *testing.T) {
	for name, opts := range map[string][]bot.Option{
		"no retention": {bot.WithRetention(bot.Retention{}, "1999-12-01")},
		"no wrap date": {bot.WithRetention(bot.Retention{Days: 1}, "")},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBubble(t, "Europe/London", opts...)
				retentionScene(b)
				b.start()
				defer b.stop()
				if got := retentionTold(b.until("2001-01-01 00:00")); len(got) != 0 {
					t.Errorf("told: %+v", got)
				}
				if after := readConsent(b); !strings.Contains(after, retentionCanaries[0]) {
					t.Error("the records were shredded")
				}
			})
		})
	}
}

// TestRetentionShreddingCannotBePutOff: the IC may not cancel or snooze
// the shredding from the chat; the configuration sets it. Nothing changes.
func TestRetentionShreddingCannotBePutOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London", bot.WithWrapTime(19, 0), bot.WithRetention(bot.Retention{Days: 10}, "1999-12-31"))
		retentionScene(b)
		b.start()
		defer b.stop()
		var id string
		for _, line := range strings.Split(b.do("ines", "/reminders list").reply, "\n") {
			if strings.Contains(line, "retention-shred") {
				id, _, _ = strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "#"), " ")
			}
		}
		if id == "" {
			t.Fatal("/reminders list does not list the shredding")
		}
		for _, c := range []struct{ line, want string }{
			{"/reminders cancel " + id, "is the shredding production.retention sets, and cannot be cancelled here"},
			{"/reminders snooze " + id + " 2h", "production.retention shreds the consent records at Mon 10 Jan 2000 19:00"},
		} {
			r := b.h().do("ines", c.line)
			if bot.ErrorCode(r.out.Err) != bot.ECONFLICT || !strings.Contains(r.reply, c.want) || !strings.Contains(r.reply, "Nothing was changed") {
				t.Errorf("%s: %v %q", c.line, r.out.Err, r.reply)
			}
		}
		if done := retentionTold(b.until("2000-01-10 19:00")); len(done) != 2 {
			t.Errorf("warning and shredding: %+v", done)
		}
	})
}

// TestNoticeStatesTheRetention: the privacy notice says how long icbot
// keeps what it holds: until deleted when no retention is set, and the
// retention after wrap, with its end once the wrap date is known.
func TestNoticeStatesTheRetention(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  bot.Option
		want string
	}{
		{"none", bot.WithRetention(bot.Retention{}, ""), "For how long: icbot keeps all of it until the production deletes it, or until you have it erased."},
		{"not wrapped", bot.WithRetention(bot.Retention{Years: 7}, ""), "For how long: icbot keeps all of it until you have it erased, or at most 7 years after the production wraps; the production has not wrapped yet; then it destroys"},
		{"wrapped", bot.WithRetention(bot.Retention{Days: 10}, "1999-12-31"), "or at most 10 days after the production wraps (the production wraps on 1999-12-31, so until Mon 10 Jan 2000 19:00 GMT); then it destroys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := newBubble(t, "Europe/London", bot.WithWrapTime(19, 0), tc.opt)
				if r := b.do("paula", "/icbot notice show"); !strings.Contains(r.reply, tc.want) {
					t.Errorf("the notice lacks %q:\n%s", tc.want, r.reply)
				}
			})
		})
	}
}
