package textsplit

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// bytesWidth counts a rune by its UTF-8 bytes: a measure under which a
// cut inside a rune would be tempting.
func bytesWidth(r rune) int { return utf8.RuneLen(r) }

// TestSplit: where text is cut: at the last line's end that fits, else
// after the last word that fits, else at the limit between runes; the
// newline or space at a cut stays with the part before it.
func TestSplit(t *testing.T) {
	line := strings.Repeat
	tests := []struct {
		name  string
		text  string
		limit int
		width func(rune) int
		want  []string
	}{
		{"empty", "", 10, Runes, nil},
		{"fits", "abc\ndef", 10, Runes, []string{"abc\ndef"}},
		{"exactly the limit", line("a", 10), 10, Runes, []string{line("a", 10)}},
		{"at the last newline that fits", "aaa\nbbb\ncccc", 10, Runes, []string{"aaa\nbbb\n", "cccc"}},
		{"a blank line at the cut keeps both newlines", "aaa\n\nbbbbbbbb", 10, Runes, []string{"aaa\n\n", "bbbbbbbb"}},
		{"a line end before a word end", "aa\nbb cc dd ee", 10, Runes, []string{"aa\n", "bb cc dd ", "ee"}},
		{"no line end: after the last word", "one two three four five", 10, Runes, []string{"one two ", "three ", "four five"}},
		{"one word too long: cut hard", line("a", 25), 10, Runes, []string{line("a", 10), line("a", 10), line("a", 5)}},
		{"long word after a short line", "ab\n" + line("c", 12), 10, Runes, []string{"ab\n", line("c", 10), "cc"}},
		{"leading newlines stay with the text", "\n\n" + line("c", 12), 10, Runes, []string{"\n\n" + line("c", 8), "cccc"}},
		{"leading spaces stay with the text", "   " + line("c", 12), 10, Runes, []string{"   " + line("c", 7), "ccccc"}},
		{"never inside a rune", line("é", 7), 5, bytesWidth, []string{"éé", "éé", "éé", "é"}},
		{"a rune wider than the limit gets its own part", "🎬🎬", 3, bytesWidth, []string{"🎬", "🎬"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.text, tt.limit, tt.width)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("Split(%q, %d)\n got %q\nwant %q", tt.text, tt.limit, got, tt.want)
			}
			if strings.Join(got, "") != tt.text {
				t.Errorf("the parts joined are not the text")
			}
		})
	}
}

// TestSplitProperties: on random text of newlines, spaces, words and runes
// of one to four bytes, every part is valid UTF-8, within the limit (or a
// single rune), not empty, and the parts joined are the text.
func TestSplitProperties(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\n", "é", "…", "🎬", "\t", "&"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		var b strings.Builder
		for range rng.IntN(200) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		text, limit := b.String(), 1+rng.IntN(30)
		parts := Split(text, limit, bytesWidth)
		if strings.Join(parts, "") != text {
			t.Fatalf("case %d: the parts of %q joined are not the text: %q", i, text, parts)
		}
		for _, p := range parts {
			width := 0
			for _, r := range p {
				width += bytesWidth(r)
			}
			if p == "" || !utf8.ValidString(p) || (width > limit && utf8.RuneCountInString(p) > 1) {
				t.Fatalf("case %d: Split(%q, %d): part %q (%d wide)", i, text, limit, p, width)
			}
		}
	}
}
