package console

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// visible makes one line safe to print on a terminal: everything the
// console prints passes through it, what came from input (an echoed line, a
// name, a title quoted in an error) included. A control character (ESC,
// which starts the sequences that clear or redraw a screen, BEL, backspace,
// carriage return, DEL, the C1 controls) shows as \xNN; a direction
// control, a line separator or an invisible format character shows as
// U+XXXX, so that text cannot read differently from what it holds; a byte
// that is not UTF-8 shows as \xNN. Tabs stay; the zero width joiner and
// non-joiner stay, as emoji and several scripts need them.
func visible(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x80 && unicode.IsControl(r) && r != '\t':
			fmt.Fprintf(&b, `\x%02x`, r)
		case hidden(r):
			fmt.Fprintf(&b, "U+%04X", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsEscape reports whether visible would change s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || (r < 0x80 && unicode.IsControl(r) && r != '\t') || hidden(r) {
			return true
		}
		i += size
	}
	return false
}

// hidden reports the characters beyond ASCII that a terminal would act on
// or not show: the C1 controls, direction controls and marks, line and
// paragraph separators, and the other format characters but the joiners.
func hidden(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case r == 0x200C, r == 0x200D:
		return false
	case unicode.IsControl(r), r == 0x2028, r == 0x2029:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// plainName reports whether a name typed in a console command (/as, /in,
// /channel) can be a name: not empty, and without spaces, control or
// format characters.
func plainName(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || hidden(r) {
			return false
		}
	}
	return true
}
