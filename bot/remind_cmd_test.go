package bot_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/config"
)

// reminders reads a scene's reminders straight from the store.
func (h *harness) reminders(scene bot.SceneID) []bot.Reminder {
	h.t.Helper()
	var rs []bot.Reminder
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		rs, err = tx.SceneReminders(scene)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return rs
}

// reminderID finds the id of the reminder whose /reminders list line holds
// every one of parts.
func (b *bubble) reminderID(scene string, parts ...string) string {
	b.t.Helper()
	list := b.do("ines", "/reminders list "+scene).reply
	for _, l := range strings.Split(list, "\n") {
		match := true
		for _, p := range parts {
			match = match && strings.Contains(l, p)
		}
		if match {
			return strings.TrimPrefix(strings.Fields(l)[0], "#")
		}
	}
	b.t.Fatalf("no reminder with %q in:\n%s", parts, list)
	return ""
}

// lineWith is the first line of s that holds part.
func lineWith(s, part string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, part) {
			return l
		}
	}
	return ""
}

var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// TestRemindCancelStandsAcrossSyncs: a check-in the IC cancels records who
// did it, shows it in /reminders list, and stays cancelled through scene
// changes that derive the reminders again, even when the call moves away
// and back; its time comes and nothing is sent. A check-in icbot
// cancelled when the call moved comes back with the call. Bad input and
// the wrong people change nothing.
func TestRemindCancelStandsAcrossSyncs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 70 title="Attic" call="2000-01-10 09:00" performers=@paula,@pete`)
		b.start()
		defer b.stop()
		id := b.reminderID("70", "check-in scene 70 for @paula", "pending")

		before, audit := b.reminders("70"), b.auditLen()
		for _, tt := range []struct{ name, caller, line, code string }{
			{"the AD", "adam", "/reminders cancel " + id, bot.EFORBIDDEN},
			{"the performer", "paula", "/reminders cancel " + id, bot.EFORBIDDEN},
			{"a stranger", "nobody", "/reminders cancel " + id, bot.EFORBIDDEN},
			{"no id", "ines", "/reminders cancel", bot.EINVALID},
			{"not an id", "ines", "/reminders cancel x" + id, bot.EINVALID},
			{"id zero", "ines", "/reminders cancel 0", bot.EINVALID},
			{"no such reminder", "ines", "/reminders cancel 9999", bot.ENOTFOUND},
			{"more than the id", "ines", "/reminders cancel " + id + " now", bot.EINVALID},
		} {
			r := b.h().do(tt.caller, tt.line)
			if r.code() != tt.code {
				t.Errorf("%s: %s: %s %q, want %s", tt.name, tt.line, r.code(), r.reply, tt.code)
			}
			if len(r.sent) != 0 {
				t.Errorf("%s: sent %+v", tt.name, r.sent)
			}
			if diff := cmp.Diff(before, b.reminders("70"), timeEqual); diff != "" {
				t.Errorf("%s: reminders changed (-before +after):\n%s", tt.name, diff)
			}
			if got := b.auditLen(); got != audit {
				t.Errorf("%s: audit grew from %d to %d", tt.name, audit, got)
			}
		}

		if r := b.do("ines", "/reminders cancel "+id); r.reply != "Reminder #"+id+" cancelled." {
			t.Fatalf("cancel: %q", r.reply)
		}
		if got := b.auditLen(); got != audit+1 {
			t.Errorf("audit records for the cancel: %d, want 1", got-audit)
		}
		if r := b.h().do("ines", "/reminders cancel "+id); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "is cancelled, not pending") {
			t.Errorf("cancelling twice: %s %q", r.code(), r.reply)
		}
		cancelled := "check-in scene 70 for @paula, due Sun 9 Jan 2000 09:00 GMT, cancelled by @ines"
		if list := b.do("ines", "/reminders list 70").reply; !strings.Contains(list, cancelled) {
			t.Fatalf("list after the cancel:\n%s", list)
		}

		// Scene changes derive the reminders again.
		b.do("ines", `/scene beat add 70 "kiss" kind=contact`)
		b.do("ines", `/scene set 70 title="Attic, night"`)
		b.do("adam", `/scene set 70 call="2000-01-12 09:00"`)
		moved := b.do("ines", "/reminders list 70").reply
		if l := lineWith(moved, "check-in scene 70 for @pete, due Sun 9 Jan 2000 09:00 GMT"); !strings.HasSuffix(l, ", cancelled") {
			t.Errorf("pete's first check-in, cancelled by icbot when the call moved: %q in\n%s", l, moved)
		}
		b.do("adam", `/scene set 70 call="2000-01-10 09:00"`)
		list := b.do("ines", "/reminders list 70").reply
		if !strings.Contains(list, cancelled) {
			t.Errorf("paula's cancelled check-in came back:\n%s", list)
		}
		if !strings.Contains(list, "check-in scene 70 for @pete, due Sun 9 Jan 2000 09:00 GMT, pending") {
			t.Errorf("pete's check-in did not come back with the call:\n%s", list)
		}

		got := b.until("2000-01-09 09:01")
		if m := to(got, "dm", "paula"); len(m) != 0 {
			t.Errorf("a cancelled check-in was sent: %+v", m)
		}
		if m := to(got, "dm", "pete"); len(m) != 1 || !strings.Contains(m[0].Text, "Your scene 70") {
			t.Errorf("pete's check-in: %+v", m)
		}
	})
}

// reminder reads one reminder straight from the store.
func (h *harness) reminder(id string) bot.Reminder {
	h.t.Helper()
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		h.t.Fatal(err)
	}
	var r bot.Reminder
	if err := h.store.View(context.Background(), func(tx bot.Tx) error {
		r, err = tx.Reminder(n)
		return err
	}); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// TestSnoozeLimits: a check-in may be snoozed up to the call of the scene
// it asks about, and a digest by a day; asking for more is refused with
// the limit named and changes nothing. A check-in stored before it had a
// limit gets one when the scene's reminders are derived again.
func TestSnoozeLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := config.ParseCron("0 8 * * *")
		if err != nil {
			t.Fatal(err)
		}
		b := newBubble(t, "Europe/London", bot.WithDigest(s))
		b.do("ines", `/scene add 90 title="Barn" call="2000-01-10 09:00" performers=@paula,@pete`)
		b.start()
		defer b.stop()
		call := b.scene("90").Call

		checkIn := b.reminderID("90", "check-in scene 90 for @paula", "pending")
		if got := b.reminder(checkIn).Limit; !got.Equal(call) {
			t.Errorf("check-in limit %v, want the call %v", got, call)
		}
		var digest string
		for _, l := range strings.Split(b.do("ines", "/reminders list").reply, "\n") {
			if strings.Contains(l, "digest, due Sat 1 Jan 2000 08:00 GMT, pending") {
				digest = strings.TrimPrefix(strings.Fields(l)[0], "#")
			}
		}
		if digest == "" {
			t.Fatal("no digest listed")
		}
		if got, want := b.reminder(digest).Limit, b.reminder(digest).Due.Add(24*time.Hour); !got.Equal(want) {
			t.Errorf("digest limit %v, want %v", got, want)
		}

		for _, tt := range []struct{ name, id, by, say string }{
			{"check-in past the call", checkIn, "25h", "cannot be snoozed to Mon 10 Jan 2000 10:00 GMT: that is past the scene's call time, Mon 10 Jan 2000 09:00 GMT; a check-in must come before the shoot. Nothing was changed."},
			{"digest by more than a day", digest, "24h1m", "cannot be snoozed to Sun 2 Jan 2000 08:01 GMT: a digest may be put off by a day at most, to Sun 2 Jan 2000 08:00 GMT. Nothing was changed."},
		} {
			before, audit := b.reminder(tt.id), b.auditLen()
			r := b.h().do("ines", "/reminders snooze "+tt.id+" "+tt.by)
			if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, tt.say) {
				t.Errorf("%s: %s %q, want a refusal saying %q", tt.name, r.code(), r.reply, tt.say)
			}
			if diff := cmp.Diff(before, b.reminder(tt.id), timeEqual); diff != "" {
				t.Errorf("%s: the reminder changed (-before +after):\n%s", tt.name, diff)
			}
			if got := b.auditLen(); got != audit {
				t.Errorf("%s: audit grew from %d to %d", tt.name, audit, got)
			}
		}
		if r := b.do("ines", "/reminders snooze "+checkIn+" 24h"); !strings.Contains(r.reply, "now falls due Mon 10 Jan 2000 09:00 GMT") {
			t.Errorf("snooze to the call itself: %s %q", r.code(), r.reply)
		}
		if r := b.do("ines", "/reminders snooze "+digest+" 23h"); !strings.Contains(r.reply, "now falls due Sun 2 Jan 2000 07:00 GMT") {
			t.Errorf("snooze a digest within the day: %s %q", r.code(), r.reply)
		}

		// A check-in from before check-ins had a limit.
		old := b.reminderID("90", "check-in scene 90 for @pete", "pending")
		stale := b.reminder(old)
		stale.Limit = time.Time{}
		if err := b.store.Update(context.Background(), func(tx bot.Tx) error {
			_, err := tx.PutReminder(stale)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		b.do("ines", "/scene set 90 status=ready") // a change its reminders are derived from
		if got := b.reminder(old).Limit; !got.Equal(call) {
			t.Errorf("old check-in's limit after a sync: %v, want the call %v", got, call)
		}
	})
}
