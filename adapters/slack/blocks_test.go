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
