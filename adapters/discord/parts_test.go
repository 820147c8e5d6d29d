package discord

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPartsKeepEveryCharacter: a message longer than Discord's 2000
// characters is cut at a line's end (here at a blank line between two
// paragraphs), or between words when a paragraph is longer than a
// message, and the parts joined are the message: no newline or space at
// a cut is lost.
func TestPartsKeepEveryCharacter(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		first string
	}{
		{"at a blank line", strings.Repeat("a", 1990) + "\n\n" + strings.Repeat("b", 100), strings.Repeat("a", 1990) + "\n\n"},
		{"between words", strings.Repeat("word ", 500), strings.Repeat("word ", 400)},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := parts(tt.text)
			if got := strings.Join(ps, ""); got != tt.text {
				t.Errorf("the parts joined have %d characters, the text %d", len(got), len(tt.text))
			}
			if ps[0] != tt.first {
				t.Errorf("the first part ends %q, want it to end %q", tail(ps[0]), tail(tt.first))
			}
			for _, p := range ps {
				if utf8.RuneCountInString(p) > maxContent {
					t.Errorf("a part of %d characters", utf8.RuneCountInString(p))
				}
			}
		})
	}
}

func tail(s string) string { return s[max(0, len(s)-8):] }
