// Package textsplit cuts a long message into parts a chat platform takes,
// each within its limit, measured as the platform measures it.
package textsplit

import (
	"unicode"
	"unicode/utf8"
)

// Split cuts text into parts of at most limit, each rune counted by width
// (how many of the platform's units it takes; a width of at least one).
// A part ends after the last newline that fits, which it keeps; failing
// that, after the last space that fits, which it keeps too; failing both
// (one word longer than the limit), at the limit, between runes. A cut
// at a newline or a space is made only where the part then holds
// something other than white space, so that no part is blank when it
// need not be. Joined with nothing between them, the parts are exactly
// text: nothing is lost or added at a cut. Empty text has no parts. A
// limit narrower than one rune gives that rune a part of its own.
//
// Neither platform's adapter sends code blocks or quotes that span
// lines, so a cut keeps no markup open across parts.
func Split(text string, limit int, width func(rune) int) []string {
	var parts []string
	for text != "" {
		n := first(text, limit, width)
		parts = append(parts, text[:n])
		text = text[n:]
	}
	return parts
}

// first is the length, in bytes, of text's first part (see Split).
func first(text string, limit int, width func(rune) int) int {
	lineEnd, wordEnd, units, seen := 0, 0, 0, false
	for i, r := range text {
		units += width(r)
		if units > limit {
			switch {
			case lineEnd > 0:
				return lineEnd
			case wordEnd > 0:
				return wordEnd
			case i > 0:
				return i
			}
			_, size := utf8.DecodeRuneInString(text)
			return size
		}
		switch {
		case r == '\n':
			if seen {
				lineEnd = i + 1
			}
		case unicode.IsSpace(r):
			if seen {
				wordEnd = i + 1
			}
		default:
			seen = true
		}
	}
	return len(text)
}

// Runes counts every rune as one: Discord's measure.
func Runes(rune) int { return 1 }
