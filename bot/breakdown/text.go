package breakdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a sentence.
type token struct {
	low  string // lower case, curly apostrophes made straight
	text string // as written
	// brk is set when punctuation that ends a clause (a comma, a colon, a
	// dash, a bracket) stands between this token and the one before.
	brk bool
}

// tokenize splits a sentence into words. Hyphens split words without
// ending the clause, so "bare-chested" reads as "bare chested" and
// "15-year-old" as "15 year old". Apostrophes inside a word stay in it
// ("doesn't", "jonah's").
func tokenize(s string) []token {
	var toks []token
	brk := false
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			start := i
			var low strings.Builder
			for i < len(s) {
				r, w = utf8.DecodeRuneInString(s[i:])
				if isWordRune(r) {
					low.WriteRune(unicode.ToLower(r))
					i += w
					continue
				}
				if isApostrophe(r) && i+w < len(s) {
					if r2, _ := utf8.DecodeRuneInString(s[i+w:]); isWordRune(r2) {
						low.WriteByte('\'')
						i += w
						continue
					}
				}
				break
			}
			toks = append(toks, token{low: low.String(), text: s[start:i], brk: brk})
			brk = false
			continue
		}
		switch {
		case r == '-' || isApostrophe(r) || r == '*' || r == '_':
			// Within a word group: no clause break.
			if r == '-' && strings.HasPrefix(s[i:], "--") {
				brk = true
			}
		case unicode.IsSpace(r):
		default:
			// Commas, colons, semicolons, dashes, brackets, quotes, full stops.
			brk = true
		}
		i += w
	}
	return toks
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == '‘' }

// sentence is a piece of an element's text with the line it starts on.
type sentence struct {
	text string
	line int
}

// abbreviations end with a full stop that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "det": true,
	"sgt": true, "lt": true, "capt": true, "prof": true, "vs": true, "jr": true,
	"sr": true, "no": true, "mt": true, "ft": true, "rev": true, "insp": true,
	"supt": true, "gen": true, "col": true, "cpl": true, "pvt": true, "etc": true,
}

// splitSentences cuts an action paragraph into sentences at ".", "!", "?"
// and "…" followed by a space, keeping titles ("Dr.", "Det.") and initials
// ("M. Arden") whole. A line break alone does not end a sentence.
func splitSentences(text string, line int) []sentence {
	var out []sentence
	start := 0
	emit := func(end int) {
		raw := text[start:end]
		trimmed := strings.TrimSpace(raw)
		if trimmed != "" {
			lead := strings.Index(raw, trimmed)
			out = append(out, sentence{text: trimmed, line: line + strings.Count(text[:start+lead], "\n")})
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		if r == '.' || r == '!' || r == '?' || r == '…' {
			j := i + w
			// Take closing quotes, brackets and repeated stops with it.
			for j < len(text) {
				r2, w2 := utf8.DecodeRuneInString(text[j:])
				if strings.ContainsRune(".!?…\"')”’]", r2) {
					j += w2
					continue
				}
				break
			}
			if j == len(text) {
				i = j
				continue
			}
			r2, _ := utf8.DecodeRuneInString(text[j:])
			if unicode.IsSpace(r2) && !(r == '.' && j == i+w && isAbbreviation(text[:i])) {
				emit(j)
			}
			i = j
			continue
		}
		i += w
	}
	emit(len(text))
	return out
}

// isAbbreviation reports whether the word ending text is a title or an
// initial, so that a full stop after it does not end the sentence.
func isAbbreviation(text string) bool {
	k := len(text)
	for k > 0 {
		r, w := utf8.DecodeLastRuneInString(text[:k])
		if !unicode.IsLetter(r) {
			break
		}
		k -= w
	}
	word := text[k:]
	if word == "" {
		return false
	}
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsUpper(r)
	}
	return abbreviations[strings.ToLower(word)]
}
