package bot_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// TestOverdueRiderSentLateAfterDowntime: icbot is down from before a
// rider's 24-hour warning until more than the grace period after its
// deadline. On start the warning is missed, as before, but the overdue
// escalation goes out: to the IC saying when it was due (in the
// production's zone), to the producer and AD saying it is late without
// any date; and the scene is marked not ready.
func TestOverdueRiderSentLateAfterDowntime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 80 title="Sauna" call="2000-01-11 09:00" performers=@paula`)
		b.do("ines", `/scene beat add 80 "kiss" kind=contact`)
		b.do("ines", "/scene set 80 status=ready")
		b.start()
		b.until("2000-01-07 00:00") // the 7-day and 72-hour warnings went out
		b.stop()
		// Down until 27 hours after the deadline (9 Jan 09:00), past the
		// 24-hour grace; the 24-hour warning (8 Jan 09:00) is 51 hours late.
		b.until("2000-01-10 12:00")
		b.rec.take()
		again := bot.New(b.store, b.chat, bot.WithClock(time.Now), bot.WithZone(b.zone), bot.WithAdmins("root"))
		b.bot, b.harness.bot = again, again
		b.start()
		defer b.stop()
		got := b.rec.take()

		ic := to(got, "dm", "ines")
		if len(ic) != 1 {
			t.Fatalf("the IC got %d messages, want the escalation alone: %+v", len(ic), ic)
		}
		for _, want := range []string{"Sent late: icbot was offline when this fell due, Sun 9 Jan 2000 09:00 GMT.", `OVERDUE: the rider deadline for scene 80 "Sauna" has passed`, "The scene is marked not ready."} {
			if !strings.Contains(ic[0].Text, want) {
				t.Errorf("IC's escalation lacks %q: %q", want, ic[0].Text)
			}
		}
		if local(ic[0].At, b.zone) != "2000-01-10 12:00" {
			t.Errorf("sent at %s, want on start", local(ic[0].At, b.zone))
		}
		for _, who := range []string{"priya", "adam"} {
			m := to(got, "dm", who)
			if len(m) != 1 || !strings.Contains(m[0].Text, `Scene 80 "Sauna" is not ready`) || !strings.Contains(m[0].Text, "Sent late") || strings.Contains(m[0].Text, "Jan") {
				t.Errorf("%s's escalation: %+v", who, m)
			}
		}
		if st := b.scene("80").Status; st != bot.StatusDraft {
			t.Errorf("status %s, want draft (not ready)", st)
		}
		list := b.do("ines", "/reminders list 80").reply
		for _, want := range []string{
			"rider-overdue scene 80 for @paula, due Sun 9 Jan 2000 09:00 GMT, sent",
			"rider-warning scene 80 for @paula, due Sat 8 Jan 2000 09:00 GMT, missed",
		} {
			if !strings.Contains(list, want) {
				t.Errorf("list lacks %q:\n%s", want, list)
			}
		}
		if got := b.until("2000-01-10 13:00"); len(to(got, "dm", "ines")) != 0 {
			t.Errorf("sent again: %+v", got)
		}
	})
}
