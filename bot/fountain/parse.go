package fountain

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lineKind says what a source line is once the boneyard and notes are gone.
type lineKind uint8

const (
	lineText      lineKind = iota
	lineBlank              // nothing but white space: ends the element
	lineConnector          // exactly two spaces: an empty line inside the element
	lineSkip               // held only boneyard or notes: neither text nor blank
)

// srcLine is one line of the source after the boneyard and notes are cut.
type srcLine struct {
	text  string
	no    int // 1-based line in the source
	kind  lineKind
	notes []string
}

func parseFountain(data []byte) (*Script, error) {
	data = bytes.TrimPrefix(data, bom)
	lines := splitLines(string(data))
	p := &parser{}
	rest := p.titlePage(lines)
	p.body(rest)
	s := &Script{Title: p.title, Elements: p.out}
	finish(s)
	return s, nil
}

// splitLines cuts the source into lines, removes the boneyard and notes,
// and classifies each line.
func splitLines(src string) []srcLine {
	raw := strings.Split(src, "\n")
	for i, l := range raw {
		raw[i] = strings.TrimSuffix(l, "\r")
	}
	touched := make([]bool, len(raw))
	notes := make([][]string, len(raw))
	if strings.Contains(src, "/*") {
		cutBoneyard(raw, touched)
	}
	if strings.Contains(src, "[[") {
		cutNotes(raw, touched, notes)
	}
	out := make([]srcLine, len(raw))
	for i, l := range raw {
		sl := srcLine{text: l, no: i + 1, notes: notes[i]}
		switch {
		case strings.TrimSpace(l) != "":
			sl.kind = lineText
		case touched[i]:
			sl.kind = lineSkip
		case l == "  ":
			sl.kind = lineConnector
		default:
			sl.kind = lineBlank
		}
		out[i] = sl
	}
	return out
}

// cutBoneyard removes every /* ... */ span, which may cross lines and blank
// lines. An unclosed "/*" is left as text.
func cutBoneyard(raw []string, touched []bool) {
	for i := 0; i < len(raw); i++ {
		from := 0
		for {
			start := strings.Index(raw[i][from:], "/*")
			if start < 0 {
				break
			}
			start += from
			// Find the closing "*/", on this line or a later one.
			j, end := i, strings.Index(raw[i][start+2:], "*/")
			if end >= 0 {
				end += start + 2
			} else {
				for j = i + 1; j < len(raw); j++ {
					if end = strings.Index(raw[j], "*/"); end >= 0 {
						break
					}
				}
			}
			if end < 0 {
				break
			}
			if j == i {
				raw[i] = raw[i][:start] + raw[i][end+2:]
				touched[i] = true
				from = start
				continue
			}
			// What follows the span on its last line is not indented.
			head, tail := raw[i][:start], strings.TrimLeft(raw[j][end+2:], " \t")
			for k := i; k <= j; k++ {
				raw[k] = ""
				touched[k] = true
			}
			raw[i] = head
			raw[j] = tail
			// Go on looking on the closing line, after the span.
			i, from = j, 0
		}
	}
}

// cutNotes removes every [[ ... ]] span and keeps its text on the line where
// it starts. A note may cross lines but not a blank line (a line of two
// spaces joins it); otherwise its "[[" is left as text.
func cutNotes(raw []string, touched []bool, notes [][]string) {
	for i := 0; i < len(raw); i++ {
		from := 0
		for from <= len(raw[i]) {
			start := strings.Index(raw[i][from:], "[[")
			if start < 0 {
				break
			}
			start += from
			j, end := i, strings.Index(raw[i][start+2:], "]]")
			if end >= 0 {
				end += start + 2
			} else {
				for j = i + 1; j < len(raw); j++ {
					if strings.TrimSpace(raw[j]) == "" && raw[j] != "  " {
						break
					}
					if end = strings.Index(raw[j], "]]"); end >= 0 {
						break
					}
				}
			}
			if end < 0 {
				// Not a note: look for another "[[" after this one.
				from = start + 2
				continue
			}
			var text string
			if j == i {
				text = raw[i][start+2 : end]
				raw[i] = raw[i][:start] + raw[i][end+2:]
				touched[i] = true
				notes[i] = append(notes[i], cleanNote(text))
				from = start
				continue
			}
			parts := make([]string, 0, j-i+1)
			parts = append(parts, raw[i][start+2:])
			for k := i + 1; k < j; k++ {
				parts = append(parts, raw[k])
			}
			parts = append(parts, raw[j][:end])
			notes[i] = append(notes[i], cleanNote(strings.Join(parts, "\n")))
			// What follows the span on its last line is not indented.
			head, tail := raw[i][:start], strings.TrimLeft(raw[j][end+2:], " \t")
			for k := i; k <= j; k++ {
				raw[k] = ""
				touched[k] = true
			}
			raw[i] = head
			raw[j] = tail
			i, from = j, 0
		}
	}
}

// cleanNote trims each line of a note and drops its empty lines.
func cleanNote(s string) string {
	if !strings.Contains(s, "\n") {
		return strings.TrimSpace(s)
	}
	var keep []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// parser turns classified lines into elements.
type parser struct {
	title   []TitleField
	out     []Element
	pending []string // notes waiting for the next element
}

// emit appends an element, giving it the notes that were waiting for it.
func (p *parser) emit(e Element) *Element {
	if len(p.pending) > 0 {
		e.Notes = append(p.pending, e.Notes...)
		p.pending = nil
	}
	p.out = append(p.out, e)
	return &p.out[len(p.out)-1]
}

// knownTitleKeys are the title page keys written in capitals as often as not.
var knownTitleKeys = map[string]bool{
	"title": true, "credit": true, "author": true, "authors": true, "source": true,
	"draft date": true, "date": true, "contact": true, "copyright": true,
	"notes": true, "revision": true,
}

// titleKey returns the key and value of a "Key: value" line.
func titleKey(line string) (key, value string, ok bool) {
	colon := strings.IndexByte(line, ':')
	if colon <= 0 || colon > 40 {
		return "", "", false
	}
	key = line[:colon]
	lower := false
	for i, r := range key {
		switch {
		case unicode.IsLetter(r):
			lower = lower || unicode.IsLower(r)
		case i > 0 && (unicode.IsDigit(r) || r == ' ' || r == '-' || r == '_'):
		default:
			return "", "", false
		}
	}
	if !lower && !knownTitleKeys[strings.ToLower(key)] {
		return "", "", false
	}
	return key, strings.TrimSpace(line[colon+1:]), true
}

// titlePage reads the title page, if the script starts with one, and
// returns the lines after it.
func (p *parser) titlePage(lines []srcLine) []srcLine {
	first := 0
	for first < len(lines) && lines[first].kind != lineText {
		first++
	}
	if first == len(lines) {
		return lines
	}
	l := lines[first].text
	if l[0] == ' ' || l[0] == '\t' || isSceneHeading(l) {
		return lines
	}
	if _, _, ok := titleKey(l); !ok {
		return lines
	}
	var values [][]string
	end := first
	for ; end < len(lines) && lines[end].kind != lineBlank; end++ {
		sl := lines[end]
		if sl.kind != lineText {
			continue
		}
		indented := sl.text[0] == ' ' || sl.text[0] == '\t'
		if k, v, ok := titleKey(sl.text); ok && !indented {
			p.title = append(p.title, TitleField{Key: k})
			values = append(values, nil)
			if v != "" {
				values[len(values)-1] = append(values[len(values)-1], plain(v))
			}
			continue
		}
		if v := strings.TrimSpace(sl.text); v != "" {
			values[len(values)-1] = append(values[len(values)-1], plain(v))
		}
	}
	for i := range p.title {
		p.title[i].Value = strings.Join(values[i], "\n")
	}
	return lines[end:]
}

// body reads the script after the title page, paragraph by paragraph.
func (p *parser) body(lines []srcLine) {
	var block []srcLine
	var skipped []string // notes of skipped lines not yet given to a line
	for i := 0; i <= len(lines); i++ {
		if i == len(lines) || lines[i].kind == lineBlank {
			if len(block) > 0 {
				if len(skipped) > 0 {
					last := &block[len(block)-1]
					last.notes = append(append([]string(nil), last.notes...), skipped...)
				}
				p.block(block)
			} else if len(skipped) > 0 {
				p.pending = append(p.pending, skipped...)
			}
			block, skipped = block[:0], nil
			continue
		}
		sl := lines[i]
		if sl.kind == lineSkip {
			skipped = append(skipped, sl.notes...)
			continue
		}
		if len(skipped) > 0 {
			sl.notes = append(skipped, sl.notes...)
			skipped = nil
		}
		block = append(block, sl)
	}
	if len(p.pending) > 0 && len(p.out) > 0 {
		last := &p.out[len(p.out)-1]
		last.Notes = append(last.Notes, p.pending...)
		p.pending = nil
	}
}

// block reads one paragraph: lines between blank lines.
func (p *parser) block(bl []srcLine) {
	for i := 0; i < len(bl); {
		sl := bl[i]
		t := strings.TrimSpace(sl.text)
		if sl.kind == lineConnector {
			p.pending = append(p.pending, sl.notes...)
			i++
			continue
		}
		hasNext := i+1 < len(bl)
		switch {
		case isPageBreak(t):
			p.emit(Element{Kind: PageBreak, Line: sl.no, Notes: sl.notes})
			i++
		case t[0] == '!':
			p.action(bl[i:], true)
			return
		case t[0] == '@':
			p.character(bl[i:], t[1:])
			return
		case isForcedHeading(t):
			p.heading(sl, t[1:])
			i++
		case t[0] == '#':
			depth := len(t) - len(strings.TrimLeft(t, "#"))
			p.emit(Element{Kind: Section, Text: plain(strings.TrimSpace(t[depth:])), Line: sl.no, Depth: depth, Notes: sl.notes})
			i++
		case t[0] == '=':
			p.emit(Element{Kind: Synopsis, Text: plain(strings.TrimSpace(t[1:])), Line: sl.no, Notes: sl.notes})
			i++
		case t[0] == '~':
			i += p.run(bl[i:], Lyric, "")
		case isCentered(t):
			i += p.run(bl[i:], Centered, "")
		case t[0] == '>':
			p.emit(Element{Kind: Transition, Text: plain(strings.TrimSpace(t[1:])), Line: sl.no, Notes: sl.notes})
			i++
		case isSceneHeading(t):
			p.heading(sl, t)
			i++
		case isTransition(t):
			p.emit(Element{Kind: Transition, Text: plain(t), Line: sl.no, Notes: sl.notes})
			i++
		case hasNext && isCharacterName(t):
			p.character(bl[i:], t)
			return
		default:
			p.action(bl[i:], false)
			return
		}
	}
}

// heading emits a scene heading, taking its scene number off the end.
func (p *parser) heading(sl srcLine, t string) {
	text, num := sceneNumber(strings.TrimSpace(t))
	p.emit(Element{Kind: SceneHeading, Text: plain(text), Line: sl.no, SceneNumber: num, Notes: sl.notes})
}

// run emits consecutive lyric or centered lines as one element and returns
// how many lines it took.
func (p *parser) run(bl []srcLine, kind Kind, speaker string) int {
	var text []string
	var notes []string
	n := 0
	for ; n < len(bl); n++ {
		t := strings.TrimSpace(bl[n].text)
		if bl[n].kind == lineConnector {
			break
		}
		switch {
		case kind == Lyric && t[0] == '~':
			t = t[1:]
		case kind == Centered && isCentered(t):
			t = t[1 : len(t)-1]
		default:
			goto done
		}
		text = append(text, plain(strings.TrimSpace(t)))
		notes = append(notes, bl[n].notes...)
	}
done:
	p.emit(Element{Kind: kind, Text: strings.Join(text, "\n"), Line: bl[0].no, Speaker: speaker, Notes: notes})
	return n
}

// action emits the rest of the paragraph as one action element, keeping
// its indentation.
func (p *parser) action(bl []srcLine, forced bool) {
	text := make([]string, 0, len(bl))
	var notes []string
	for i, sl := range bl {
		notes = append(notes, sl.notes...)
		if sl.kind == lineConnector {
			text = append(text, "")
			continue
		}
		l := sl.text
		if i == 0 && forced {
			l = strings.TrimLeft(l, " \t")[1:]
		}
		l = strings.TrimRight(strings.ReplaceAll(l, "\t", "    "), " ")
		text = append(text, plain(l))
	}
	p.emit(Element{Kind: Action, Text: strings.Join(text, "\n"), Line: bl[0].no, Notes: notes})
}

// character emits a character cue and the dialogue, parentheticals and
// lyrics that follow it in the paragraph. name is the cue without "@".
func (p *parser) character(bl []srcLine, name string) {
	name = strings.TrimSpace(name)
	dual := strings.HasSuffix(name, "^")
	if dual {
		name = strings.TrimSpace(strings.TrimSuffix(name, "^"))
	}
	name = plain(name)
	speaker := name
	if i := strings.IndexByte(speaker, '('); i >= 0 {
		speaker = strings.TrimSpace(speaker[:i])
	}
	p.emit(Element{Kind: Character, Text: name, Line: bl[0].no, Speaker: speaker, Dual: dual, Notes: bl[0].notes})
	var open *Element // the dialogue element lines are added to
	for i := 1; i < len(bl); i++ {
		sl := bl[i]
		if sl.kind == lineConnector {
			if open != nil {
				open.Text += "\n"
			}
			continue
		}
		t := strings.TrimSpace(sl.text)
		if t[0] == '(' {
			if n := parenLines(bl[i:]); n > 0 {
				parts := make([]string, n)
				var notes []string
				for k := range n {
					parts[k] = plain(strings.TrimSpace(bl[i+k].text))
					notes = append(notes, bl[i+k].notes...)
				}
				p.emit(Element{Kind: Parenthetical, Text: strings.Join(parts, " "), Line: sl.no, Speaker: speaker, Dual: dual, Notes: notes})
				open = nil
				i += n - 1
				continue
			}
		}
		if t[0] == '~' {
			n := p.run(bl[i:], Lyric, speaker)
			p.out[len(p.out)-1].Dual = dual
			open = nil
			i += n - 1
			continue
		}
		if open != nil {
			open.Text += "\n" + plain(t)
			open.Notes = append(open.Notes, sl.notes...)
			continue
		}
		open = p.emit(Element{Kind: Dialogue, Text: plain(t), Line: sl.no, Speaker: speaker, Dual: dual, Notes: sl.notes})
	}
}

// parenLines returns how many lines the parenthetical starting bl[0] takes,
// or 0 when it is not closed within the paragraph.
func parenLines(bl []srcLine) int {
	for n, sl := range bl {
		if sl.kind == lineConnector {
			return 0
		}
		t := strings.TrimSpace(sl.text)
		if n > 0 && strings.IndexByte(t, '(') >= 0 {
			return 0
		}
		if strings.HasSuffix(t, ")") {
			return n + 1
		}
	}
	return 0
}

// isPageBreak reports a line of three or more "=" and nothing else.
func isPageBreak(t string) bool {
	if len(t) < 3 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '=' {
			return false
		}
	}
	return true
}

// isForcedHeading reports a "." followed by a letter or digit.
func isForcedHeading(t string) bool {
	if len(t) < 2 || t[0] != '.' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[1:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

var headingPrefixes = []string{"INT./EXT", "INT/EXT", "I/E", "INT", "EXT", "EST"}

// isSceneHeading reports a line starting, in any case, with INT, EXT, EST,
// INT./EXT, INT/EXT or I/E followed by a dot or a space.
func isSceneHeading(t string) bool {
	if len(t) < 4 {
		return false
	}
	for _, pre := range headingPrefixes {
		if len(t) > len(pre) && strings.EqualFold(t[:len(pre)], pre) {
			if c := t[len(pre)]; c == '.' || c == ' ' {
				return true
			}
		}
	}
	return false
}

// isCentered reports ">text<".
func isCentered(t string) bool {
	return len(t) >= 2 && t[0] == '>' && t[len(t)-1] == '<'
}

// isTransition reports a line in capitals ending in "TO:".
func isTransition(t string) bool {
	return strings.HasSuffix(t, "TO:") && isCaps(t)
}

// isCaps reports text with a letter and no lower-case letter.
func isCaps(t string) bool {
	letter := false
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		letter = letter || unicode.IsLetter(r)
	}
	return letter
}

// isCharacterName reports a character cue: the name before any
// parenthetical extension in capitals, with at least one letter. A trailing
// "^" marks dual dialogue.
func isCharacterName(t string) bool {
	t = strings.TrimSpace(strings.TrimSuffix(t, "^"))
	name := t
	if i := strings.IndexByte(t, '('); i >= 0 {
		name = t[:i]
	}
	if strings.HasSuffix(strings.TrimSpace(name), ":") {
		return false
	}
	return isCaps(name)
}

// sceneNumber takes a "#12A#" scene number off the end of a heading. A
// scene number is letters, digits, "-" and ".".
func sceneNumber(t string) (heading, number string) {
	if len(t) < 3 || t[len(t)-1] != '#' {
		return t, ""
	}
	open := strings.LastIndexByte(t[:len(t)-1], '#')
	if open < 0 {
		return t, ""
	}
	num := t[open+1 : len(t)-1]
	if num == "" {
		return t, ""
	}
	for _, r := range num {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '.' {
			return t, ""
		}
	}
	return strings.TrimSpace(t[:open]), num
}
