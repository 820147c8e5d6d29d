package slack

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"icbot/bot"
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

// TestSections: how text is cut for Slack's section limit: at the last
// line's end that fits, else after the last word that fits, hard when one
// word is too long, never inside a
// rune or between an emoji's two UTF-16 units, and always so that the
// parts joined are the text.
func TestSections(t *testing.T) {
	line := func(c string, n int) string { return strings.Repeat(c, n) }
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"empty", "", 10, nil},
		{"fits", "abc\ndef", 10, []string{"abc\ndef"}},
		{"exactly the limit", line("a", 10), 10, []string{line("a", 10)}},
		{"at the last newline that fits", "aaa\nbbb\ncccc", 10, []string{"aaa\nbbb\n", "cccc"}},
		{"no line end: after the last word that fits", "one two three", 10, []string{"one two ", "three"}},
		{"one line too long: cut hard", line("a", 25), 10, []string{line("a", 10), line("a", 10), line("a", 5)}},
		{"long line after a short one", "ab\n" + line("c", 12), 10, []string{"ab\n", line("c", 10), "cc"}},
		{"leading newlines stay with the text", "\n\n" + line("c", 12), 10, []string{"\n\n" + line("c", 8), "cccc"}},
		{"accents count once", line("é", 12), 10, []string{line("é", 10), "éé"}},
		{"an emoji is two units, never split", line("a", 9) + "🎬b", 10, []string{line("a", 9), "🎬b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sections(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("sections(%q, %d)\n got %q\nwant %q", tt.text, tt.limit, got, tt.want)
			}
			for _, p := range got {
				if units(p) > tt.limit || !utf8.ValidString(p) || p == "" {
					t.Errorf("part %q: %d units, valid %v", p, units(p), utf8.ValidString(p))
				}
			}
			if strings.Join(got, "") != tt.text {
				t.Errorf("parts joined are not the text")
			}
		})
	}
}

// TestSectionsOneLongLine: 7000 characters without a newline, in
// three-byte runes, are cut hard into 3000, 3000 and 1000, between runes.
func TestSectionsOneLongLine(t *testing.T) {
	text := strings.Repeat("…", 7000)
	got := sections(text, sectionLimit)
	var sizes []int
	for _, p := range got {
		sizes = append(sizes, units(p))
	}
	if !slices.Equal(sizes, []int{3000, 3000, 1000}) {
		t.Fatalf("parts of %v characters, want [3000 3000 1000]", sizes)
	}
	for _, p := range got {
		if !utf8.ValidString(p) {
			t.Errorf("a part is cut inside a rune")
		}
	}
	if strings.Join(got, "") != text {
		t.Errorf("parts joined are not the text")
	}
}

// TestBlankPartsNotShown: a part that is only whitespace (here the
// newlines after a hard cut) gets no section; the buttons still follow.
func TestBlankPartsNotShown(t *testing.T) {
	m := bot.Message{Text: strings.Repeat("a", sectionLimit) + "\n\n", Actions: []bot.Action{{Label: "OK", Command: "/x"}}}
	b := blocks(m)
	if len(b) != 2 {
		t.Fatalf("%d blocks, want one section and the actions", len(b))
	}
}

// TestMessagePartsCountEscapes: a message's parts are measured as Slack
// receives them, escaped: a text of ampersands, five characters each once
// escaped, is cut so that no part passes 40,000 escaped, and the parts
// joined are the text.
func TestMessagePartsCountEscapes(t *testing.T) {
	text := strings.Repeat("a & b <c>\n", 6000)
	parts := messageParts(text)
	if len(parts) < 2 {
		t.Fatalf("%d parts for %d escaped characters", len(parts), units(escape(text)))
	}
	for i, p := range parts {
		if n := units(escape(p)); n > messageLimit {
			t.Errorf("part %d has %d characters escaped", i, n)
		}
	}
	if strings.Join(parts, "") != text {
		t.Errorf("the parts joined are not the text")
	}
}

// TestSplitMessageButtonsLast: a long message with buttons is split so
// that the buttons ride on the last part, which holds few enough
// characters for Slack to take its blocks; a short one stays whole.
func TestSplitMessageButtonsLast(t *testing.T) {
	acts := []bot.Action{{Label: "Hold", Command: "/hold 12"}}
	if got := splitMessage(bot.Message{Text: "short", Actions: acts}); len(got) != 1 || got[0].Text != "short" || len(got[0].Actions) != 1 {
		t.Errorf("a short message: %+v", got)
	}
	if got := splitMessage(bot.Message{}); len(got) != 1 || got[0].Text != "" {
		t.Errorf("an empty message: %+v", got)
	}
	text := strings.Repeat(strings.Repeat("x", 99)+"\n", 1000) // 100,000 characters
	got := splitMessage(bot.Message{Text: text, Actions: acts})
	var joined strings.Builder
	for i, m := range got {
		joined.WriteString(m.Text)
		if last := i == len(got)-1; last != (len(m.Actions) == 1) {
			t.Errorf("part %d of %d has %d buttons", i+1, len(got), len(m.Actions))
		}
	}
	if last := got[len(got)-1]; units(last.Text) > blockTextLimit || len(blocks(last)) > 50 {
		t.Errorf("the part with the buttons has %d characters in %d blocks", units(last.Text), len(blocks(last)))
	}
	if joined.String() != text {
		t.Errorf("the parts joined are not the text")
	}
}
