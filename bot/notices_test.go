package bot_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"icbot/bot"
	"icbot/config"
)

// reminderKinds lists every ReminderKind constant declared in the
// package's source, so that a kind added there and missing from a test's
// table fails it.
func reminderKinds(t *testing.T) []bot.ReminderKind {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []bot.ReminderKind
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				v := s.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "ReminderKind" {
					continue
				}
				for _, val := range v.Values {
					if lit, ok := val.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						kinds = append(kinds, bot.ReminderKind(strings.Trim(lit.Value, `"`)))
					}
				}
			}
		}
	}
	if len(kinds) == 0 {
		t.Fatal("found no ReminderKind constants")
	}
	return kinds
}

// notice is a message icbot sent of its own accord, and the scene it
// must name ("" for one about no single scene).
type notice struct {
	sent  sent
	scene string
}

// checkNotice fails unless n names its scene, as scene 12 "Title", and
// says what to do next: a command of the catalogue, typed out, or one of
// the few instructions that need none.
func checkNotice(t *testing.T, b *bot.Bot, n notice) {
	t.Helper()
	text := n.sent.Text
	if n.scene != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(n.scene)) {
		t.Errorf("the %s to %s does not name %s: %q", n.sent.Kind, n.sent.To, n.scene, text)
	}
	for _, c := range b.Catalogue() {
		if strings.Contains(text, "/"+c.Path+" ") {
			return
		}
	}
	for _, step := range []string{"pass it on another way", "Make the channel private", "post it to a channel that holds only them"} {
		if strings.Contains(text, step) {
			return
		}
	}
	t.Errorf("the %s to %s says nothing to do next: %q", n.sent.Kind, n.sent.To, text)
}

// TestEveryReminderNamesItsSceneAndNextStep: each kind of reminder,
// made to fall due, sends messages that name their scene and say what to
// do next. A kind without a case here fails the test.
func TestEveryReminderNamesItsSceneAndNextStep(t *testing.T) {
	digest, err := config.ParseCron("0 8 * * *")
	if err != nil {
		t.Fatal(err)
	}
	const pool = `scene 50 "Pool"`
	cases := map[bot.ReminderKind]func(t *testing.T, b *bubble) []notice{
		bot.RemindRiderWarning: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-12 09:00" performers=@paula`)
			b.start()
			got := b.until("2000-01-03 09:00") // 7 days before the deadline
			return every(t, got, pool, "ines", "priya")
		},
		bot.RemindRiderOverdue: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-12 09:00" performers=@paula`)
			b.do("ines", `/rider sent 50 @paula`)
			b.start()
			b.until("2000-01-10 08:59")
			got := b.until("2000-01-10 09:00") // the deadline
			return every(t, got, pool, "ines", "priya", "adam")
		},
		bot.RemindCheckIn: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", "/rider signed 50 @paula")
			b.start()
			got := b.until("2000-01-04 07:30")
			return every(t, got, pool, "paula")
		},
		bot.RemindAftercare: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", `/closedset start 50 force reason="notice test"`)
			b.do("ines", "/closedset end 50")
			b.start()
			got := b.until("2000-01-02 00:00")
			return every(t, got, pool, "paula")
		},
		bot.RemindWrap: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", `/closedset start 50 force reason="notice test"`)
			b.start()
			got := b.until("2000-01-01 19:00")
			return every(t, got, pool, "adam", "ines")
		},
		bot.RemindDigest: func(t *testing.T, b *bubble) []notice {
			// Beyond the digest's week: it lists no scene, and no command
			// of its lines can stand for the next step.
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-20 07:30" performers=@paula`)
			b.start()
			got := b.until("2000-01-01 08:00")
			return every(t, digests(got), "", "ines")
		},
		bot.RemindEraseRest: func(t *testing.T, b *bubble) []notice {
			// The rest of an erasure, done when the retention of a
			// signed rider runs out: about no scene.
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-01 10:00" performers=@paula`)
			b.do("ines", "/rider signed 50 @paula")
			b.do("ines", "/scene set 50 status=wrapped")
			code := eraseCode(t, b.do("paula", "/icbot erase me").reply)
			b.do("paula", "/icbot erase me confirm "+code)
			b.start()
			got := notRetention(b.until("2000-01-04 19:00"))
			return every(t, got, "", "paula", "ines", "priya")
		},
		bot.RemindTakedown: func(t *testing.T, b *bubble) []notice {
			// An erasure made with the chat stopped: the next start takes
			// the scene's department notices down and tells the IC.
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", "/dept channel costume #costume-room")
			b.do("paula", `/boundaries answer 50 garments="robe"`)
			b.do("ines", "/dept notify 50 costume")
			if _, _, err := b.h().bot.Erase(context.Background(), "paula", "root", true); err != nil {
				t.Fatal(err)
			}
			b.start()
			got := b.until("2000-01-01 00:01")
			return every(t, got, pool, "ines")
		},
		bot.RemindDayReport: func(t *testing.T, b *bubble) []notice {
			// The report names its scenes as headings; its next step is
			// /report day.
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-01 10:00" performers=@paula`)
			b.do("ines", "/hold 50")
			b.start()
			got := b.until("2000-01-01 19:00")
			return every(t, got, "", "ines", "adam", "priya")
		},
		bot.RemindRetentionWarning: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", "/rider sent 50 @paula")
			b.start()
			got := b.until("2000-01-03 19:00") // a week before the shredding
			return every(t, retentionTold(got), pool, "ines")
		},
		bot.RemindRetentionShred: func(t *testing.T, b *bubble) []notice {
			b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
			b.do("ines", "/rider sent 50 @paula")
			b.start()
			b.until("2000-01-10 18:59")
			got := b.until("2000-01-10 19:00") // 10 days after wrap, at the wrap time
			return every(t, retentionTold(got), pool, "ines")
		},
	}
	for _, kind := range reminderKinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			run, ok := cases[kind]
			if !ok {
				t.Fatalf("no case for reminders of kind %q: add one that makes it fall due", kind)
			}
			synctest.Test(t, func(t *testing.T) {
				opts := []bot.Option{bot.WithWrapTime(19, 0)}
				if kind == bot.RemindDigest {
					opts = append(opts, bot.WithDigest(digest))
				}
				if kind == bot.RemindEraseRest {
					opts = append(opts, bot.WithRetention(bot.Retention{Days: 2}, "2000-01-02"))
				}
				if kind == bot.RemindDayReport {
					opts = append(opts, bot.WithDayReport())
				}
				if kind == bot.RemindRetentionWarning || kind == bot.RemindRetentionShred {
					opts = append(opts, bot.WithRetention(bot.Retention{Days: 10}, "1999-12-31"))
				}
				b := newBubble(t, "Europe/London", opts...)
				notices := run(t, b)
				b.stop()
				for _, n := range notices {
					checkNotice(t, b.bot, n)
				}
			})
		})
	}
}

// every is what got sent to each of who, each of whom must have been sent
// something, as notices that must name scene.
func every(t *testing.T, got []sent, scene string, who ...string) []notice {
	t.Helper()
	var out []notice
	for _, w := range who {
		m := slices.DeleteFunc(slices.Clone(got), func(s sent) bool { return s.To != w })
		if len(m) == 0 {
			t.Errorf("nothing was sent to %s: %+v", w, got)
		}
		for _, s := range m {
			if privacyNotice(s) {
				out = append(out, notice{sent: s}) // about no single scene
				continue
			}
			out = append(out, notice{sent: s, scene: scene})
		}
	}
	return out
}

// TestOutboxNoticesNameTheSceneAndNextStep: what the outbox tells the
// caller of a command after the answer (a notice given up, one refused at
// a channel, a channel lock that failed) names the scene and says what to
// do next.
func TestOutboxNoticesNameTheSceneAndNextStep(t *testing.T) {
	const lake = `scene 12 "Lake house"`
	cases := []struct {
		name string
		run  func(t *testing.T) (*harness, result)
		want string
	}{
		{"given up", func(t *testing.T) (*harness, result) {
			h := newHarness(t).seed()
			h.rec.setFailDM("paula", bot.Errorf(bot.EUNAVAILABLE, "the bot may not message this person (cannot_dm_bot)"))
			return h, h.must("adam", "/closedset start 12")
		}, "Could not deliver a message (DM to paula)"},
		{"refused at a channel", func(t *testing.T) (*harness, result) {
			h := newHarness(t, withLocker(&lockingChat{})).seed()
			h.must("adam", "/scene set 12 channel=#general")
			return h, h.must("adam", "/closedset start 12")
		}, "Not posted to #general"},
		{"lock not enforced", func(t *testing.T) (*harness, result) {
			lc := &lockingChat{lockErr: bot.Errorf(bot.EUNAVAILABLE, "the bot lacks the groups:write scope")}
			h := newHarness(t, withLocker(lc)).seed()
			return h, h.must("adam", "/closedset start 12")
		}, "Lock not enforced on #scene-12"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, r := tc.run(t)
			late := slices.DeleteFunc(to(r.sent, "late", "adam"), func(s sent) bool { return !strings.Contains(s.Text, tc.want) })
			if len(late) != 1 {
				t.Fatalf("the AD was not told %q: %+v", tc.want, r.sent)
			}
			checkNotice(t, h.bot, notice{sent: late[0], scene: lake})
		})
	}
}

// TestRiderWarningPointsToTheNextOne: a rider warning names the warning
// still to come, and the snooze it suggests works, since that one is
// pending; the last warning says what happens at the deadline instead.
func TestRiderWarningPointsToTheNextOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 50 title="Pool" call="2000-01-12 09:00" performers=@paula`)
		b.start()
		defer b.stop()
		ic := to(b.until("2000-01-03 09:00"), "dm", "ines") // 7 days before the deadline
		if len(ic) != 1 {
			t.Fatalf("the IC's first warning: %+v", ic)
		}
		_, rest, ok := strings.Cut(ic[0].Text, "Next warning: #")
		id, _, _ := strings.Cut(rest, ",")
		if !ok || !strings.Contains(ic[0].Text, "/reminders snooze "+id+" 2h") {
			t.Fatalf("the warning names no next warning to snooze: %q", ic[0].Text)
		}
		if r := b.do("ines", "/reminders snooze "+id+" 2h"); !strings.Contains(r.reply, "now falls due Fri 7 Jan 2000 11:00 GMT") {
			t.Errorf("the snooze the warning suggests: %q", r.reply)
		}
		b.until("2000-01-09 08:59")
		ic = to(b.until("2000-01-09 09:00"), "dm", "ines") // the last, 24 hours before
		if len(ic) != 1 || strings.Contains(ic[0].Text, "Next warning") || !strings.Contains(ic[0].Text, "At the deadline, unless it is recorded as signed, the scene is marked not ready") {
			t.Errorf("the last warning: %+v", ic)
		}
	})
}
