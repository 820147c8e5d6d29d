package bot_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/bot"
)

// noticeChat records every message icbot sends on its own, as the
// platform would receive it, with the scene it is about.
type noticeChat struct {
	*fakeChat
	mu   sync.Mutex
	msgs []bot.Message
}

func (c *noticeChat) keep(m bot.Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *noticeChat) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	c.keep(m)
	return c.fakeChat.Post(ctx, ch, m)
}

func (c *noticeChat) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	c.keep(m)
	return c.fakeChat.DM(ctx, to, m)
}

// nextStep is a slash command of icbot's, a plain instruction, or
// buttons that run one.
var nextStep = regexp.MustCompile(`(?i)(/(icbot|scene|closedset|boundaries|rider|topline|dept|reminders|hold)\b|(talk|tell|go|goes) to the IC|nothing (more )?(for you )?to do)`)

// TestEveryNoticeNamesItsSceneAndNextStep: every message icbot sends on
// its own (DMs, channel posts, reminders, notices to the IC and the AD)
// about a scene names that scene and says what to do next. The day below
// makes every kind happen: beats, requests, answers, a withdrawal, holds,
// riders and their deadlines, check-ins, the digest, a closed set,
// department notices and the top-line summary.
func TestEveryNoticeNamesItsSceneAndNextStep(t *testing.T) {
	fc := &fakeChat{}
	fc.private, fc.members = harnessChannels()
	nc := &noticeChat{fakeChat: fc}
	h := newHarness(t, func(o *harnessOpt) { o.chat, o.rec = nc, fc }).seed()
	ctx := context.Background()
	step := func(d time.Duration) {
		h.now = h.now.Add(d)
		if _, err := h.bot.FireReminders(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := h.bot.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	call := h.now.Add(72 * time.Hour).In(time.UTC).Format("2006-01-02 15:04")
	for _, c := range []struct{ who, line string }{
		{"ines", `/scene add 30 title="Orchard" call="` + call + `" performers=@paula,@pete channel=#scene-30`},
		{"ines", `/scene beat add 30 "a kiss" kind=contact`},
		{"ines", `/boundaries request 30`},
		{"ines", `/scene beat add 30 "leaves the water" kind=nudity areas=back performers=@paula`},
		{"paula", `/boundaries answer 30 b1=yes b2=no notes="only from behind" garments="robe" body="tattoo"`},
		{"pete", `/boundaries answer 30 b1=yes`},
		{"ines", `/rider drafted 30 @paula`},
		{"ines", `/rider sent 30 @paula`},
		{"pete", `/boundaries withdraw 30`},
		{"ines", `/hold lift 30`},
		{"cam", `/hold 12 light`},
		{"ines", `/hold lift 12`},
		{"ines", `/topline 12`},
		{"ines", `/dept notify 30 costume`},
		{"ines", `/dept notify 30 hmu`},
		{"adam", `/closedset start 12`},
		{"cam", `/closedset ack 12`},
		{"adam", `/closedset end 12`},
		{"adam", `/closedset add 30 @cam role=camera`},
		{"ines", `/icbot role remove @cam camera`},
	} {
		if r := h.do(c.who, c.line); r.out.Err != nil {
			t.Errorf("%s: %s: %s", c.who, c.line, r.reply)
		}
		step(time.Minute)
	}
	for i := 0; i < 4*24; i++ { // four days of reminders, an hour at a time
		step(time.Hour)
	}
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if len(nc.msgs) < 20 {
		t.Fatalf("only %d notices: the day did not happen", len(nc.msgs))
	}
	seen := map[string]bool{}
	for _, m := range nc.msgs {
		key := m.Class.String() + ": " + firstLine(m.Text)
		if seen[key] {
			continue
		}
		seen[key] = true
		if m.Scene != "" && !regexp.MustCompile(`(?i)\bscene `+regexp.QuoteMeta(string(m.Scene))+`\b`).MatchString(m.Text) {
			t.Errorf("a notice about scene %s does not name it (%s):\n%s", m.Scene, m.Class, m.Text)
		}
		if len(m.Actions) == 0 && !nextStep.MatchString(m.Text) {
			t.Errorf("a notice says nothing of what to do next (%s):\n%s", m.Class, m.Text)
		}
	}
	t.Logf("%d notices, %d kinds", len(nc.msgs), len(seen))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return regexp.MustCompile(`[0-9]+`).ReplaceAllString(l, "N")
}
