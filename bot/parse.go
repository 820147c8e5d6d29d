package bot

import (
	"regexp"
	"strings"
	"unicode"
)

// Line is a command line split into its words, before any command knows
// what they mean.
type Line struct {
	// Name is the command without its slash: "closedset".
	Name string
	// Args are the words after the name, in order.
	Args []Arg
}

// Arg is one word of a command line: a bare or quoted word, or key=value.
type Arg struct {
	Key    string // lower-case key of key=value; "" for a positional word
	Value  string // the word, or the value after '=', unquoted
	Quoted bool   // the word (or value) was in double quotes
}

// Positional reports whether a is a plain word rather than key=value.
func (a Arg) Positional() bool { return a.Key == "" }

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)

// Parse splits a command line. Double quotes group words ("a b"), with \"
// and \\ as escapes; typographic quotes (“ ”) count as double quotes, since
// chat clients substitute them. Mention markup such as <@U123|name> stays
// one word. key=value makes a named argument; its value may be quoted.
func Parse(text string) (Line, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Line{}, Errorf(EINVALID, "empty command: type /icbot help")
	}
	words, err := split(text)
	if err != nil {
		return Line{}, err
	}
	name := words[0]
	if name.quoted {
		return Line{}, Errorf(EINVALID, "a command starts with its name, such as /scene: type /icbot help")
	}
	n := strings.ToLower(strings.TrimPrefix(name.text, "/"))
	if n == "" || !keyPattern.MatchString(n) {
		return Line{}, Errorf(EINVALID, "%q is not a command: type /icbot help", name.text)
	}
	line := Line{Name: n}
	for _, w := range words[1:] {
		line.Args = append(line.Args, w.arg())
	}
	return line, nil
}

type word struct {
	text   string
	quoted bool // the whole word, or the part after '=', was quoted
	keyEnd int  // index just past "key=" when the word is key=value
}

func (w word) arg() Arg {
	if w.keyEnd > 0 {
		return Arg{Key: strings.ToLower(w.text[:w.keyEnd-1]), Value: w.text[w.keyEnd:], Quoted: w.quoted}
	}
	return Arg{Value: w.text, Quoted: w.quoted}
}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' }

// split is a small state machine over runes: outside a word, in a bare
// word, in quotes, or inside <...> mention markup.
func split(text string) ([]word, error) {
	var (
		words                    []word
		cur                      strings.Builder
		w                        word
		inWord, inQuote, inAngle bool
		quoteStart               int
	)
	flush := func() {
		if inWord {
			w.text = cur.String()
			words = append(words, w)
		}
		cur.Reset()
		w = word{}
		inWord = false
	}
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case inQuote:
			switch {
			case r == '\\' && i+1 < len(rs) && (rs[i+1] == '\\' || isQuote(rs[i+1])):
				i++
				cur.WriteRune(rs[i])
			case isQuote(r):
				inQuote = false
			default:
				cur.WriteRune(r)
			}
		case inAngle:
			cur.WriteRune(r)
			if r == '>' {
				inAngle = false
			}
		case unicode.IsSpace(r):
			flush()
		case isQuote(r):
			// A quote opens a quoted word, or the quoted value of key=.
			if inWord && !(w.keyEnd == cur.Len() && w.keyEnd > 0) {
				return nil, Errorf(EINVALID, "unexpected quote inside %q: put quotes around the whole value, as in title=\"Night swim\"", cur.String())
			}
			inWord, inQuote, w.quoted = true, true, true
			quoteStart = i
		case r == '<' && i+1 < len(rs) && strings.ContainsRune("@#!", rs[i+1]):
			inWord, inAngle = true, true
			cur.WriteRune(r)
		default:
			if r == '=' && inWord && w.keyEnd == 0 && !w.quoted && keyPattern.MatchString(strings.ToLower(cur.String())) {
				cur.WriteRune(r)
				w.keyEnd = cur.Len()
				continue
			}
			if inWord && w.quoted && !inQuote {
				return nil, afterQuote(cur.String()[:w.keyEnd], cur.String()[w.keyEnd:], string(rs[i:]))
			}
			inWord = true
			cur.WriteRune(r)
		}
	}
	if inQuote {
		return nil, Errorf(EINVALID, "unbalanced quote: the quote opened at %q is never closed; close it with \"", truncate(string(rs[quoteStart:]), 24))
	}
	if inAngle {
		return nil, Errorf(EINVALID, "unclosed mention %q: it should end with >", truncate(cur.String(), 24))
	}
	flush()
	return words, nil
}

// keyAtEnd finds a key= at the end of a quoted text: the sign that the
// quote before it was never closed.
var keyAtEnd = regexp.MustCompile(`(^|\s)([a-z][a-z0-9_.-]*)=$`)

// afterQuote explains a closing quote followed by more of the word. When
// the quoted text ends in key=, as in title="Night call="2027-01-01 09:00",
// the quote that opened it was left open, and the quote taken as closing
// it opens the next value: name the quote left open. Otherwise a space is
// missing after a closing quote.
func afterQuote(key, quoted, rest string) error {
	if m := keyAtEnd.FindStringSubmatchIndex(quoted); m != nil {
		next := quoted[m[4]:m[5]]
		opened := truncate(key+`"`+strings.TrimSpace(quoted[:m[0]]), 30)
		return Errorf(EINVALID, "the quote opened at %s is never closed, so %s= became part of it. Close it before %s=, as in %s\" %s=\"...\"",
			opened, next, next, opened, next)
	}
	return Errorf(EINVALID, "put a space after the closing quote before %q", rest)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Mention is a reference to a user or channel as typed.
type Mention struct {
	// ID is the platform id when the markup carries one (<@U123>); empty for
	// a bare @name, which needs resolving.
	ID   string
	Name string // the name shown in the markup or typed after @ or #
}

var (
	slackUser      = regexp.MustCompile(`^<@([A-Za-z0-9]+)(?:\|([^>]*))?>$`)
	discordUser    = regexp.MustCompile(`^<@!?([0-9]+)>$`)
	slackChannel   = regexp.MustCompile(`^<#([A-Za-z0-9]+)(?:\|([^>]*))?>$`)
	bareName       = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._'-]*$`)
	channelNameRaw = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._-]*$`)
)

// ParseUserMention reads a user mention in any platform's form: Slack
// <@U123|name>, Discord <@123> or <@!123>, or a bare @name.
func ParseUserMention(s string) (Mention, error) {
	if m := slackUser.FindStringSubmatch(s); m != nil {
		return Mention{ID: m[1], Name: m[2]}, nil
	}
	if m := discordUser.FindStringSubmatch(s); m != nil {
		return Mention{ID: m[1]}, nil
	}
	if name, ok := strings.CutPrefix(s, "@"); ok && bareName.MatchString(name) {
		return Mention{Name: name}, nil
	}
	return Mention{}, Errorf(EINVALID, "%q is not a person: mention them, as in @name", s)
}

// ParseChannelMention reads a channel mention: Slack <#C123|name>, Discord
// <#123>, or a bare #name.
func ParseChannelMention(s string) (Mention, error) {
	if m := slackChannel.FindStringSubmatch(s); m != nil {
		return Mention{ID: m[1], Name: m[2]}, nil
	}
	if name, ok := strings.CutPrefix(s, "#"); ok && channelNameRaw.MatchString(name) {
		return Mention{Name: name}, nil
	}
	return Mention{}, Errorf(EINVALID, "%q is not a channel: mention it, as in #name", s)
}

// splitList splits a comma- or space-separated list value, dropping empties.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
