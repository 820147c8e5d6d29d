package fountain

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Page layout of a typeset screenplay, in lines and characters.
const (
	linesPerPage     = 55
	actionWidth      = 61
	dialogueWidth    = 35
	parentheticWidth = 25
	maxFilePage      = 10000 // a page number from a file past this is ignored
)

// finish estimates the pages and gathers the scenes of a script whose
// elements are read. An element whose Page is already set (from the file)
// moves the estimate forward to that page.
func finish(s *Script) {
	paginate(s)
	s.Scenes = scenes(s.Elements)
}

func paginate(s *Script) {
	page, used := 1, 0
	breakNext := false
	for i := range s.Elements {
		e := &s.Elements[i]
		if e.Page > page && e.Page <= maxFilePage {
			page, used, breakNext = e.Page, 0, false
		}
		if e.Kind == PageBreak {
			e.Page = page
			breakNext = true
			continue
		}
		before, h := height(s.Elements, i)
		if h == 0 {
			e.Page = page
			continue
		}
		if breakNext && used > 0 {
			page, used = page+1, 0
		}
		breakNext = false
		// A heading keeps two lines of its scene with it, and a cue a line
		// of its dialogue, as typesetting does.
		keep := 0
		switch e.Kind {
		case SceneHeading:
			keep = 2
		case Character:
			keep = 1
		}
		if used > 0 && used+before+h+keep > linesPerPage {
			page, used = page+1, 0
		}
		if used > 0 {
			used += before
		}
		e.Page = page
		used += h
		for used > linesPerPage {
			page++
			used -= linesPerPage
		}
	}
	if len(s.Elements) > 0 {
		s.Pages = page
	}
}

// height returns the blank lines before element i and the lines it takes.
func height(els []Element, i int) (before, h int) {
	e := els[i]
	switch e.Kind {
	case Section, Synopsis, PageBreak:
		return 0, 0
	case Dialogue:
		return 0, wrapped(e.Text, dialogueWidth)
	case Parenthetical:
		return 0, wrapped(e.Text, parentheticWidth)
	case Lyric:
		if e.Speaker != "" {
			return 0, wrapped(e.Text, dialogueWidth)
		}
		return 1, wrapped(e.Text, actionWidth)
	case SceneHeading:
		return 2, wrapped(e.Text, actionWidth)
	case Character:
		return 1, 1
	default:
		return 1, wrapped(e.Text, actionWidth)
	}
}

// wrapped counts the lines text takes at width characters a line.
func wrapped(text string, width int) int {
	n := 0
	for l := range strings.SplitSeq(text, "\n") {
		c := utf8.RuneCountInString(l)
		n += max(1, (c+width-1)/width)
	}
	return n
}

// scenes cuts the elements at each scene heading.
func scenes(els []Element) []Scene {
	var out []Scene
	var speakers map[string]string // upper case → as written
	for i := 0; i < len(els); i++ {
		if els[i].Kind != SceneHeading {
			continue
		}
		end := i + 1
		for end < len(els) && els[end].Kind != SceneHeading {
			end++
		}
		if speakers == nil {
			speakers = allSpeakers(els)
		}
		h := els[i]
		sc := Scene{
			Index:    len(out) + 1,
			Number:   h.SceneNumber,
			Heading:  h.Text,
			Line:     h.Line,
			Page:     h.Page,
			Elements: els[i+1 : end : end],
		}
		sc.Characters = present(sc.Elements, speakers)
		out = append(out, sc)
		i = end - 1
	}
	return out
}

func allSpeakers(els []Element) map[string]string {
	m := map[string]string{}
	for _, e := range els {
		if e.Kind == Character && e.Speaker != "" {
			k := strings.ToUpper(e.Speaker)
			if _, ok := m[k]; !ok {
				m[k] = e.Speaker
			}
		}
	}
	return m
}

// present lists a scene's characters: its speakers in the order they first
// speak, then the names in capitals in its action (see the package doc).
func present(els []Element, speakers map[string]string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		k := strings.ToUpper(name)
		if name == "" || seen[k] {
			return
		}
		seen[k] = true
		if s, ok := speakers[k]; ok {
			name = s
		}
		out = append(out, name)
	}
	for _, e := range els {
		if e.Kind == Character {
			add(e.Speaker)
		}
	}
	for _, e := range els {
		if e.Kind == Action {
			for _, name := range capsNames(e.Text, speakers) {
				add(name)
			}
		}
	}
	return out
}

// notNames are capitalised words of headings, transitions and camera
// directions, and short words that join names ("MARA AND THEO"). They end a
// run of capitals and are never a name.
var notNames = map[string]bool{
	"INT": true, "EXT": true, "EST": true, "I/E": true, "INT/EXT": true,
	"DAY": true, "NIGHT": true, "MORNING": true, "EVENING": true, "DAWN": true,
	"DUSK": true, "LATER": true, "CONTINUOUS": true, "MOMENTS": true,
	"V.O": true, "O.S": true, "O.C": true, "CONT'D": true, "CONT’D": true,
	"POV": true, "ANGLE": true, "INSERT": true, "CLOSE": true, "CLOSE-UP": true,
	"WIDE": true, "SHOT": true, "SUPER": true, "TITLE": true, "BACK": true,
	"CUT": true, "FADE": true, "DISSOLVE": true, "SMASH": true, "MATCH": true,
	"FLASHBACK": true, "MONTAGE": true, "INTERCUT": true, "SERIES": true,
	"SHOTS": true, "END": true, "SFX": true, "VFX": true, "OK": true, "TV": true,
	"THE": true, "AND": true, "OF": true, "TO": true, "IN": true, "ON": true,
	"AT": true, "WITH": true, "AN": true, "OR": true, "BUT": true, "FOR": true,
}

// honorifics may end in "." inside a name ("DR. OKAFOR").
var honorifics = map[string]bool{"DR.": true, "MR.": true, "MRS.": true, "MS.": true, "ST.": true, "SGT.": true, "LT.": true, "CPT.": true}

// capsNames returns the character names written in capitals in action text.
func capsNames(text string, speakers map[string]string) []string {
	if !hasUpperRun(text) {
		return nil
	}
	var out []string
	words := strings.Fields(text)
	var run []string
	flush := func(next string, comma bool) {
		if len(run) == 0 {
			return
		}
		name := strings.Join(run, " ")
		intro := strings.HasPrefix(next, "(") || comma && next != "" && next[0] >= '0' && next[0] <= '9'
		if _, ok := speakers[name]; ok || intro {
			out = append(out, name)
		} else if len(run) > 1 {
			for _, w := range run {
				if _, ok := speakers[w]; ok {
					out = append(out, w)
				}
			}
		}
		run = run[:0]
	}
	for i, w := range words {
		next := ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		word, end, comma := capsWord(w)
		if word == "" {
			flush(w, false)
			continue
		}
		if len(run) == 3 {
			flush(word, false)
		}
		run = append(run, word)
		if end {
			flush(next, comma)
		}
	}
	flush("", false)
	return out
}

// capsWord returns w as a word of a name in capitals, without quotes,
// trailing punctuation or a possessive "'S"; end says punctuation ends the
// name there, comma that it was a comma. A word that is not in capitals,
// or is in notNames, gives "".
func capsWord(w string) (word string, end, comma bool) {
	w = strings.TrimLeft(w, `"'“‘(`)
	if honorifics[w] {
		return w, false, false
	}
	trimmed := strings.TrimRight(w, `.,;:!?"”’)…-`)
	if trimmed != w {
		end = true
		comma = strings.HasPrefix(w[len(trimmed):], ",")
	}
	w = trimmed
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'S"), "’S")
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsLetter(r):
			return "", false, false
		case unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-' || r == '.':
		default:
			return "", false, false
		}
	}
	if letters < 2 || notNames[w] {
		return "", false, false
	}
	return w, end, comma
}

// hasUpperRun reports two capital letters in a row, without which there is
// no name in capitals to look for.
func hasUpperRun(s string) bool {
	prev := false
	for _, r := range s {
		up := unicode.IsUpper(r)
		if up && prev {
			return true
		}
		prev = up
	}
	return false
}
