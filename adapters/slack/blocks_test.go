package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"icbot/bot"
)

// longText is n characters or more of numbered lines of varying length,
// with accents and an emoji (two UTF-16 code units) in them.
func longText(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%04d café 🎬 %s\n", i, strings.Repeat("x", i%97))
	}
	return b.String()
}

// TestLongMessageInSections: a 7000-character message with a button is
// posted with its text in sections of at most 3000 characters, each
// ending at a line's end, that joined together are the text exactly; the
// plain-text fallback is the whole text.
func TestLongMessageInSections(t *testing.T) {
	r := newRig(t)
	text := longText(7000)
	m := bot.Message{Text: text, Actions: []bot.Action{{Label: "Acknowledge", Command: "/closedset ack 12"}}}
	if _, err := r.ad.Post(context.Background(), "GSCENE12", m); err != nil {
		t.Fatal(err)
	}
	var post call
	for _, c := range r.fake.took() {
		if c.Method == "chat.postMessage" {
			post = c
		}
	}
	if got := post.Form.Get("text"); got != text {
		t.Errorf("the fallback text is not the whole message (%d bytes of %d)", len(got), len(text))
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(post.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks %q: %v", post.Form.Get("blocks"), err)
	}
	var parts []string
	for i, b := range blocks {
		if b.Type != "section" {
			if b.Type != "actions" || i != len(blocks)-1 {
				t.Errorf("block %d is %s; want sections, then the actions last", i, b.Type)
			}
			continue
		}
		if n := len(utf16.Encode([]rune(b.Text.Text))); n > 3000 {
			t.Errorf("section %d has %d characters", i, n)
		}
		if !strings.HasSuffix(b.Text.Text, "\n") {
			t.Errorf("section %d does not end at a line's end: ...%q", i, b.Text.Text[max(0, len(b.Text.Text)-20):])
		}
		parts = append(parts, b.Text.Text)
	}
	if len(parts) < 3 {
		t.Errorf("%d sections for %d characters", len(parts), len(utf16.Encode([]rune(text))))
	}
	if strings.Join(parts, "") != text {
		t.Errorf("the sections joined are not the message")
	}
}

// TestLongMessageInParts: a message of 100,000 characters, text only or
// with a button, is posted as several messages, none longer than Slack
// keeps, each cut at a line's end, that shown one after the other are the
// whole text; a button comes with the last, whose blocks Slack takes. The
// reference names them all, and retracting it deletes them all.
func TestLongMessageInParts(t *testing.T) {
	for _, button := range []bool{false, true} {
		t.Run(fmt.Sprintf("button=%v", button), func(t *testing.T) {
			r := newRig(t)
			text := longText(100000)
			m := bot.Message{Text: text}
			if button {
				m.Actions = []bot.Action{{Label: "Acknowledge", Command: "/closedset ack 12"}}
			}
			ref, err := r.ad.Post(context.Background(), "GSCENE12", m)
			if err != nil {
				t.Fatal(err)
			}
			shown := r.fake.shows("GSCENE12")
			if len(shown) < 3 {
				t.Fatalf("%d messages for %d characters", len(shown), len(text))
			}
			var all strings.Builder
			var ts []string
			for i, s := range shown {
				all.WriteString(s.Text)
				ts = append(ts, s.TS)
				if n := len(utf16.Encode([]rune(s.Text))); n > 40000 {
					t.Errorf("message %d has %d characters", i, n)
				}
				if !strings.HasSuffix(s.Text, "\n") {
					t.Errorf("message %d does not end at a line's end", i)
				}
				if withButton := button && i == len(shown)-1; withButton != strings.Contains(s.Blocks, `"value":"/closedset ack 12"`) {
					t.Errorf("message %d of %d has blocks %.200s", i+1, len(shown), s.Blocks)
				}
			}
			if all.String() != text {
				t.Errorf("the messages shown are not the text (%d characters of %d)", all.Len(), len(text))
			}
			if got, want := string(ref), strings.Join(ts, ","); got != want {
				t.Errorf("reference %q, want every part's timestamp %q", got, want)
			}
			if err := r.ad.Retract(context.Background(), "GSCENE12", ref); err != nil {
				t.Fatal(err)
			}
			if got := r.fake.shows("GSCENE12"); len(got) != 0 {
				t.Errorf("%d messages left after the retraction", len(got))
			}
		})
	}
}

// TestDMWithThirtyLongBeats: a DM listing 30 beats of 1,960 characters,
// with an answer button, reaches the performer whole: Slack refuses no
// part of it (its blocks hold at most 50 and about 13,000 characters) and
// cuts none.
func TestDMWithThirtyLongBeats(t *testing.T) {
	r := newRig(t)
	var b strings.Builder
	b.WriteString("The IC asks for your boundaries for scene 12. Beats:\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "b%d  %s [contact]\n", i, strings.Repeat(fmt.Sprintf("beat %d ", i), 1960/8))
	}
	text := b.String()
	m := bot.Message{Text: text, Actions: []bot.Action{{Label: "Answer privately", Command: "/boundaries form 12"}}}
	if err := r.ad.DM(context.Background(), "UPAULA", m); err != nil {
		t.Fatalf("DM: %v", err)
	}
	for _, c := range r.fake.took() {
		if c.Refused {
			t.Errorf("Slack refused %s: %.100s", c.Method, c.Form.Get("blocks"))
		}
	}
	var all strings.Builder
	shown := r.fake.shows("DUPAULA")
	for _, s := range shown {
		all.WriteString(s.Text)
	}
	if all.String() != text {
		t.Errorf("the DM shows %d characters of %d", all.Len(), len(text))
	}
	if len(shown) == 0 || !strings.Contains(shown[len(shown)-1].Blocks, `"value":"/boundaries form 12"`) {
		t.Errorf("the answer button is not on the last message")
	}
}
