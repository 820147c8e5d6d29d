package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// syncLines runs every command that changes state, each touching scenes
// whose reminders it may change; one line (or more) per write command.
var syncLines = []struct{ caller, line string }{
	{"root", "/icbot role add @gary props"},
	{"root", "/icbot role remove @gary crew"},
	{"paula", "/icbot mydata"},
	{"gary", "/icbot erase me"},
	{"paula", "/icbot notice ack"},
	{"ines", `/scene add 30 title="Dock" call="2026-12-20 09:00" performers=@paula,@pete channel=#scene-20`},
	{"ines", `/scene set 30 call="2026-12-21 10:00"`},
	{"dana", `/scene intent 30 "the first touch, unhurried"`},
	{"adam", `/scene rename 30 "Orchard at dusk"`},
	{"ines", `/scene beat add 30 "kiss" kind=contact`},
	{"ines", `/scene beat set 30 b1 "a longer kiss"`},
	{"ines", `/scene beat set 30 b1 camera="two-shot, waist up" widens=no`},
	{"ines", "/boundaries request 30"},
	{"paula", "/boundaries answer 30 b1=yes"},
	{"pete", "/boundaries answer 30 b1=yes"},
	{"ines", `/choreo set 30 b1 "slow, on the out-breath"`},
	{"ines", "/rehearsal explore 30 b1 on"},
	{"pete", "/rehearsal consent 30 b1"},
	{"ines", "/rehearsal log 30 b1 present=@paula,@pete"},
	{"paula", "/rehearsal confirm 30 1"},
	{"pete", "/rehearsal dispute 30 1 the count was six"},
	{"ines", "/rider drafted 30 @paula"},
	{"ines", "/rider sent 30 @paula"},
	{"ines", "/rider signed 30 @paula"},
	{"ines", "/rider sent 30 @pete"},
	{"ines", "/rider signed 30 @pete"},
	{"ines", "/topline 30"},
	{"ines", "/dept channel costume #costume-room"},
	{"ines", "/dept notify 30 costume"},
	{"adam", "/closedset add 30 @cam"},
	{"adam", "/closedset remove 30 @cam"},
	{"ines", "/closedset start 30"},
	{"paula", "/closedset ack 30"},
	{"paula", "/hold 30 cold"},
	{"ines", "/hold lift 30"},
	{"ines", `/take 30 b1 note="held"`},
	{"ines", "/closedset end 30"},
	{"paula", "/boundaries withdraw 30 b1"},
	{"ines", "/scene beat remove 30 b1"},
	{"ines", "/reminders snooze 2 1h"},
	{"ines", "/reminders cancel 2"},
	{"paula", "/reminders answer 1 ok"},
	{"adam", "/report scene 30"},
	{"ines", "/scene remove 14"},
	{"adam", "/report day"},
	{"ines", "/scene import draft1.fountain"},
	{"ines", "/scene cast ANNA @paula"},
	{"adam", "/scene cast BEN @pete"},
	{"ines", "/scene beat confirm 30 1"},
	{"ines", "/scene import draft2.fountain"},
	{"ines", "/scene beat review 30 b2 widens"},
	{"ines", "/scene beat decline 30 2"},
}

// TestEveryWriteCommandSyncsReminders walks the command table: every
// command that changes state is run, and after each every scene's stored
// reminders are what its state derives, a new scene's included. A command
// missing from the walk fails the test.
func TestEveryWriteCommandSyncsReminders(t *testing.T) {
	h := newHarness(t).seed()
	writes := h.bot.WriteCommands()
	ran := map[string]bool{}
	for _, l := range syncLines {
		r := h.do(l.caller, l.line)
		if r.out.Err != nil {
			t.Fatalf("%s: %s: %v\n%s", l.caller, l.line, r.out.Err, r.reply)
		}
		path := ""
		for _, w := range writes {
			if strings.HasPrefix(l.line+" ", "/"+w+" ") && len(w) > len(path) {
				path = w
			}
		}
		ran[path] = true
		for _, id := range []bot.SceneID{"12", "14", "15", "16", "30"} {
			ok, err := h.bot.RemindersInStep(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Errorf("after %s: scene %s's reminders are not what it derives", l.line, id)
			}
		}
	}
	for _, w := range writes {
		if !ran[w] {
			t.Errorf("/%s changes state but is not in the walk: add a line for it", w)
		}
	}
}

// TestOnlyReminderInputsDeriveAgain: a command that changes nothing a
// scene's reminders come from (its title, a hold, an answer) derives none
// again; one that does (its call) derives that scene's, and only that one.
func TestOnlyReminderInputsDeriveAgain(t *testing.T) {
	h := newHarness(t).seed()
	cs := newCountingStore(h.store)
	h.bot = bot.New(cs, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithAdmins("root"), bot.WithSetChannel("set"))
	for _, l := range []struct{ caller, line string }{
		{"ines", `/scene set 12 title="Lake house, night"`},
		{"paula", "/hold 12 cold"},
		{"ines", "/hold lift 12"},
		{"paula", "/boundaries answer 12 b1=yes"},
	} {
		cs.counts()
		h.must(l.caller, l.line)
		if got := cs.counts(); len(got) != 0 {
			t.Errorf("%s derived reminders again: %v", l.line, got)
		}
	}
	h.must("ines", `/scene set 12 call="2026-12-04 09:00"`)
	if got := cs.counts(); len(got) != 1 || got["12"] == 0 {
		t.Errorf("a new call derived %v, want scene 12's", got)
	}
}
