package bot

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Texts people type are bounded where they enter: every platform must be
// able to show them whole (a Slack modal's label holds 2,000 characters, a
// Discord message 2,000, a Slack section 3,000), and what is shown must be
// what was typed. A control character could redraw a terminal or hide a
// line; a bidirectional override makes text read differently from the
// characters it holds ("‮lanif" shows as "final"). Both are refused, not
// silently removed, so that the person who typed them knows.

// textRule bounds one kind of typed text.
type textRule struct {
	what  string // "the title", for the error
	max   int    // in characters (runes)
	lines bool   // may span lines
}

// textRules are the named values with bounds of their own; the key is the
// key= name (the beat's description and free-text reasons are checked by
// their commands with the rules named here too).
var textRules = map[string]textRule{
	"title":       {what: "the title", max: 120},
	"description": {what: "the beat's description", max: 300},
	"notes":       {what: "notes=", max: 2000, lines: true},
	"garments":    {what: "garments=", max: 500, lines: true},
	"body":        {what: "body=", max: 500, lines: true},
	"terms":       {what: "terms=", max: 2000, lines: true},
	"reason":      {what: "the reason", max: 500, lines: true},
	"note":        {what: "the note", max: 1000, lines: true},
	"intent":      {what: "the director's intent", max: 2000, lines: true},
	"camera":      {what: "camera=", max: 1000, lines: true},
	"conditions":  {what: "conditions=", max: 1000, lines: true},
	"props":       {what: "props=", max: 1000, lines: true},
	"stunts":      {what: "stunts=", max: 1000, lines: true},
	"character":   {what: "the character's name", max: 60},
}

// subject names the text at the start of a sentence: "The title", "The
// value of notes=".
func (r textRule) subject() string {
	if strings.HasSuffix(r.what, "=") {
		return "The value of " + r.what
	}
	return capitalFirst(r.what)
}

// anyValue bounds every other word or value: mentions, lists of them, ids.
var anyValue = textRule{what: "a value", max: 2000}

// maxLine bounds a whole command line.
const maxLine = 8000

// checkText refuses text that breaks rule: too long, a control character
// where it has no place, or a bidirectional control anywhere.
func checkText(rule textRule, s string) error {
	if n := utf8.RuneCountInString(s); n > rule.max {
		return Errorf(EINVALID, "%s is too long: %d characters, at most %d. Shorten it; the IC can keep longer notes elsewhere.", rule.subject(), n, rule.max)
	}
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid text (it holds bytes that are not UTF-8).", rule.subject())
	}
	i := 0
	for at, r := range s {
		i++
		switch {
		case r == '\r' && rule.lines && !strings.HasPrefix(s[at+1:], "\n"):
			// A carriage return alone moves a terminal's cursor back
			// over what was written: only as part of a CRLF line break.
			return Errorf(EINVALID, "%s holds a carriage return (U+000D) at character %d that does not end a line: type a plain line break.", rule.subject(), i)
		case bidiControl(r):
			return Errorf(EINVALID, "%s holds an invisible direction control (U+%04X) at character %d, which can make text read differently from what it says: remove it.", rule.subject(), r, i)
		case invisible(r):
			return Errorf(EINVALID, "%s holds an invisible character (U+%04X) at character %d, which can hide what the text says: remove it.", rule.subject(), r, i)
		case r == 0x2028 || r == 0x2029:
			return Errorf(EINVALID, "%s holds a line or paragraph separator (U+%04X) at character %d: type a plain line break, where one is allowed.", rule.subject(), r, i)
		case rule.lines && (r == '\n' || r == '\t' || r == '\r'):
		case unicode.IsControl(r):
			if r == '\n' || r == '\r' {
				return Errorf(EINVALID, "%s must be one line: remove the line break at character %d.", rule.subject(), i)
			}
			return Errorf(EINVALID, "%s holds a control character (U+%04X) at character %d: type plain text.", rule.subject(), r, i)
		}
	}
	return nil
}

// bidiControl reports the characters that change the direction of the
// text around them without being seen: embeddings, overrides, isolates and
// marks.
func bidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}

// invisible reports the characters that show nothing, or nearly nothing,
// and so can hide or fake what a text says: the format characters (zero
// width space, soft hyphen, byte order mark, tags...) and the Hangul
// fillers. The zero width joiner and non-joiner stay allowed: emoji and
// several scripts need them.
func invisible(r rune) bool {
	switch r {
	case 0x200C, 0x200D:
		return false
	case 0x115F, 0x1160, 0x3164, 0xFFA0:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// checkLine bounds a command line and each of its values at entry, before
// any command runs: the named values by their rules, the rest as anyValue.
func checkLine(text string, args []Arg) error {
	if n := utf8.RuneCountInString(text); n > maxLine {
		return Errorf(EINVALID, "the command is too long: %d characters, at most %d.", n, maxLine)
	}
	if !utf8.ValidString(text) {
		return Errorf(EINVALID, "the command holds bytes that are not text (not UTF-8): type it again.")
	}
	for _, a := range args {
		rule := anyValue
		if r, ok := textRules[a.Key]; ok && a.Key != "" {
			rule = r
		} else if a.Key != "" {
			rule.what = a.Key + "="
		}
		if err := checkText(rule, markupNames.ReplaceAllString(a.Value, "<$1$2>")); err != nil {
			return err
		}
	}
	return nil
}

// markupNames finds the names in mention markup (<@U1|name>, <#C1|name>):
// they are the platform's, not typed, and are cleaned where they are kept
// or shown (cleanName), never refused.
var markupNames = regexp.MustCompile(`<([@#])([A-Za-z0-9]+)\|[^>]*>`)

// cleanName makes a display name from a platform safe to show: a
// direction control, control or invisible character shows as �, so that a
// look-alike of another name ("pa\u200bula") does not pass for it, and it
// is cut to 80 characters. Names come from the platform, not from the
// person typing, so they are marked rather than refused.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if bidiControl(r) || unicode.IsControl(r) || invisible(r) {
			return '\uFFFD'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	return s
}

// mixedScripts names the scripts a name's letters come from, when there
// is more than one: "@pаula" with a Cyrillic а passes for "@paula".
func mixedScripts(name string) []string {
	var seen []string
	for _, r := range name {
		if !unicode.IsLetter(r) {
			continue
		}
		script := "other"
		for _, s := range []string{"Latin", "Cyrillic", "Greek", "Armenian", "Georgian", "Cherokee", "Arabic", "Hebrew", "Han", "Hiragana", "Katakana", "Hangul", "Thai", "Devanagari"} {
			if unicode.Is(unicode.Scripts[s], r) {
				script = s
				break
			}
		}
		if !slices.Contains(seen, script) {
			seen = append(seen, script)
		}
	}
	// Japanese mixes Han and kana by nature.
	if len(seen) > 1 && !slices.ContainsFunc(seen, func(s string) bool { return s != "Han" && s != "Hiragana" && s != "Katakana" }) {
		return nil
	}
	if len(seen) < 2 {
		return nil
	}
	return seen
}

// capitalFirst writes s with its first letter upper-case.
func capitalFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
