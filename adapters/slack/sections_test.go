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
// line's end that fits, hard when one line is too long, never inside a
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
