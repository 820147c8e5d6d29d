package bot_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"icbot/bot"
)

// TestReminderDeliveryFailureTellsTheIC: a check-in DM the platform
// refuses for good is not retried, and the production's IC (the first by
// id, of two) hears which delivery failed, about which scene, why and what
// to do, and nothing of what the check-in said.
func TestReminderDeliveryFailureTellsTheIC(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		if err := b.store.Update(context.Background(), func(tx bot.Tx) error {
			return tx.PutPerson(bot.Person{ID: "ian", Name: "ian", Roles: []bot.Role{bot.RoleIC}})
		}); err != nil {
			t.Fatal(err)
		}
		b.do("ines", `/scene add 81 title="Greenhouse" call="2000-01-05 07:30" performers=@paula`)
		b.rec.setFailDM("paula", bot.Errorf(bot.EUNAVAILABLE, "the bot may not message this person (cannot_dm_bot)"))
		b.start()
		defer b.stop()
		b.until("2000-01-04 07:29") // the rider's warnings, to the ICs and the producer
		got := b.until("2000-01-04 07:30")
		if m := to(got, "dm", "paula"); len(m) != 0 {
			t.Fatalf("sent to paula although failing: %+v", m)
		}
		told := to(got, "dm", "ian")
		if len(told) != 1 || !strings.Contains(told[0].Text, "Could not deliver a message (DM to paula)") || !strings.Contains(told[0].Text, "cannot_dm_bot") {
			t.Fatalf("the first IC was not told: %+v", got)
		}
		for _, want := range []string{`about scene 81 "Greenhouse"`, "pass it on another way"} {
			if !strings.Contains(told[0].Text, want) {
				t.Errorf("the failure notice lacks %q: %q", want, told[0].Text)
			}
		}
		for _, secret := range []string{"tomorrow", "boundaries", "/reminders answer", "07:30"} {
			if strings.Contains(told[0].Text, secret) {
				t.Errorf("the failure notice carries %q from the check-in: %q", secret, told[0].Text)
			}
		}
		if m := to(got, "dm", "ines"); len(m) != 0 {
			t.Errorf("the second IC was told too: %+v", m)
		}
		if ds := b.pending(); len(ds) != 0 {
			t.Errorf("a permanent failure stays queued: %+v", ds)
		}
	})
}
