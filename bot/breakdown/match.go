package breakdown

import (
	"fmt"
	"strings"
	"unicode"
)

// A term is written as words separated by spaces:
//
//	kiss            the word and its inflections (kiss, kisses, kissed, kissing)
//	=out            exactly this word
//	take|pull|peel  any of these, each with its inflections
//	strip*          any word that starts with "strip"
//	...             up to three other words of the same clause (...5: up to five)
//	{garment}       a word of a built-in class (see classes)
//	=the?           an optional word
//	$               the end of a clause or sentence
//
// Hyphenated words are read as separate words: "bare chested" matches
// "bare-chested".

// slot is one position of a compiled term.
type slot struct {
	forms    map[string]bool
	prefixes []string
	poss     bool // also any word ending in 's (Jonah's)
	name     bool // also a capitalised word not opening the sentence
	optional bool
	gap      int  // a gap of up to gap words, instead of a word
	end      bool // the end of a clause
}

func (s *slot) accepts(t token, first bool) bool {
	if s.forms[t.low] {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(t.low, p) {
			return true
		}
	}
	if s.poss && strings.HasSuffix(t.low, "'s") {
		return true
	}
	if s.name && !first {
		r := []rune(t.text)
		if len(r) > 1 && unicode.IsUpper(r[0]) && !commonCapitals[t.low] {
			return true
		}
	}
	return false
}

// pattern is a compiled term.
type pattern struct {
	src   string
	slots []slot
}

// classes are the word classes a term may name in braces.
var classes = map[string][]string{
	"pos": {"his", "her", "their", "my", "your", "its", "our", "one's"},
	"obj": {"him", "her", "them", "me", "us", "you", "himself", "herself", "themselves", "each"},
	"garment": {"shirt", "shirts", "blouse", "dress", "bra", "panties", "underwear", "boxers", "briefs",
		"knickers", "jeans", "trousers", "skirt", "nightgown", "nightie", "camisole", "lingerie",
		"gown", "corset", "belt", "zipper", "bodice", "stockings", "tights", "undershirt", "robe",
		"towel", "clothes", "clothing", "pyjamas", "pajamas", "bikini", "swimsuit", "trunks",
		"leggings", "thong", "chemise", "negligee", "blouses", "dresses", "bras", "singlet",
		"jumpsuit", "jumpsuits", "overalls", "nightdress", "nightshirt", "petticoat", "breeches",
		"kimono", "sarong", "shorts", "uniform", "tunic", "stays", "girdle", "suspenders", "garter",
		"pants", "sweater", "jumper", "hoodie", "sweatshirt", "tshirt", "scrubs", "bathrobe",
		"robes", "towels", "wetsuit", "leotard", "sundress", "undies", "jockstrap", "doublet",
		"waistband", "bralette", "cami", "skirts", "nightgowns", "gowns"},
	"underwear": {"underwear", "bra", "boxers", "briefs", "knickers", "lingerie", "panties",
		"nightie", "thong", "negligee", "slip", "bikini", "undershirt", "y-fronts", "camisole",
		"undies", "bralette", "jockstrap", "boxer", "fronts", "bras", "swimsuit", "trunks"},
	"body": {"thigh", "thighs", "breast", "breasts", "chest", "nipple", "nipples", "neck", "throat",
		"collarbone", "waist", "hip", "hips", "buttock", "buttocks", "ass", "arse", "bum", "bottom",
		"crotch", "groin", "lap", "belly", "stomach", "navel", "knee", "knees", "skin", "lips",
		"mouth", "earlobe", "torso", "body", "cleavage", "nape", "ribs", "hipbone", "hipbones",
		"midriff", "abdomen", "pelvis", "leg", "legs", "flesh", "curves", "sternum",
		"collarbones", "waistline", "backside"},
	"back": {"back", "spine", "shoulder", "shoulders", "shoulderblade", "shoulderblades"},
	"tender": {"face", "cheek", "cheeks", "hair", "jaw", "jawline", "ear", "eyelids", "wrist",
		"forehead", "temple", "temples", "brow", "chin", "curls", "ears", "wrists", "palm", "neckline", "lip"},
	// hands are the words for what touches.
	"hands": {"hand", "hands", "fingers", "finger", "fingertips", "fingertip", "palm", "palms",
		"thumb", "thumbs", "knuckles", "fingernails", "nails"},
	"bare": {"back", "chest", "breast", "breasts", "bottom", "buttocks", "ass", "bum", "skin",
		"body", "torso", "shoulders", "stomach", "belly", "hips", "thighs", "flesh", "legs",
		"nipple", "nipples", "shoulder", "thigh", "cleavage", "midriff", "groin", "crotch", "arse"},
}

// irregular inflections of the verbs the lexicon uses.
var irregular = map[string][]string{
	"make": {"made"}, "have": {"has", "had"}, "sleep": {"slept"}, "take": {"took", "taken"},
	"lie": {"lay", "lying", "lain"}, "get": {"got", "gotten"}, "fall": {"fell", "fallen"},
	"hold": {"held"}, "slide": {"slid"}, "run": {"ran"}, "tear": {"tore", "torn"},
	"go": {"went", "gone"}, "come": {"came"}, "bite": {"bit", "bitten"}, "grind": {"ground"},
	"find": {"found"}, "draw": {"drew", "drawn"}, "shed": {"shed"}, "lift": {}, "spread": {},
	"slip": {}, "step": {}, "say": {"said"}, "freeze": {"froze", "frozen"}, "lead": {"led"},
	"feel": {"felt"}, "sit": {"sat"}, "cling": {"clung"}, "strike": {"struck"}, "meet": {"met"},
	"lock": {}, "force": {}, "undo": {"undid", "undone", "undoes"}, "lean": {"leant"},
	"fit": {"fitted"}, "wind": {"wound"}, "bury": {}, "catch": {"caught"}, "swing": {"swung"},
	"throw": {"threw", "thrown"}, "lay": {"laid"}, "sink": {"sank", "sunk"}, "creep": {"crept"},
	"stray": {}, "mould": {}, "drape": {}, "breathe": {}, "seek": {"sought"}, "join": {},
}

// inflect returns a word with its regular and irregular inflections. It
// over-generates ("kisssed") on purpose: a spelling no one writes costs
// nothing, a missing one misses a beat.
func inflect(w string) []string {
	out := []string{w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
	if n := len(w); n > 1 {
		last := w[n-1]
		out = append(out, w+string(last)+"ed", w+string(last)+"ing")
		if last == 'e' {
			out = append(out, w[:n-1]+"ing")
		}
		if last == 'y' {
			out = append(out, w[:n-1]+"ies", w[:n-1]+"ied")
		}
	}
	out = append(out, irregular[w]...)
	return out
}

// compileTerm turns a term into a pattern. It refuses an empty term, one
// that starts with a gap, names an unknown class or holds no word.
func compileTerm(src string) (pattern, error) {
	fields := strings.Fields(strings.ToLower(src))
	if len(fields) == 0 {
		return pattern{}, fmt.Errorf("empty term")
	}
	p := pattern{src: strings.Join(fields, " ")}
	words := 0
	for i, f := range fields {
		var s slot
		switch {
		case strings.HasPrefix(f, "..."):
			if i == 0 || i == len(fields)-1 {
				return pattern{}, fmt.Errorf("term %q: \"...\" must stand between two words", src)
			}
			s.gap = 3
			if n := f[3:]; n != "" {
				if len(n) != 1 || n[0] < '1' || n[0] > '6' {
					return pattern{}, fmt.Errorf("term %q: a gap is \"...\" or \"...N\" with N from 1 to 6", src)
				}
				s.gap = int(n[0] - '0')
			}
			p.slots = append(p.slots, s)
			continue
		case f == "$":
			if i == 0 {
				return pattern{}, fmt.Errorf("term %q: \"$\" must follow a word", src)
			}
			s.end = true
			p.slots = append(p.slots, s)
			continue
		}
		if strings.HasSuffix(f, "?") {
			s.optional = true
			f = strings.TrimSuffix(f, "?")
			if i == 0 {
				return pattern{}, fmt.Errorf("term %q: the first word cannot be optional", src)
			}
		}
		s.forms = map[string]bool{}
		for _, alt := range strings.Split(f, "|") {
			if err := addAlternative(&s, alt, src); err != nil {
				return pattern{}, err
			}
		}
		words++
		p.slots = append(p.slots, s)
	}
	if words == 0 {
		return pattern{}, fmt.Errorf("term %q holds no word", src)
	}
	return p, nil
}

func addAlternative(s *slot, alt, src string) error {
	switch {
	case alt == "":
		return fmt.Errorf("term %q: an empty alternative (two \"|\" together)", src)
	case strings.HasPrefix(alt, "{") && strings.HasSuffix(alt, "}"):
		name := alt[1 : len(alt)-1]
		switch name {
		case "name":
			s.name = true
			return nil
		case "pos":
			s.poss = true
		}
		words, ok := classes[name]
		if !ok {
			return fmt.Errorf("term %q: unknown class %s (known: %s)", src, alt, classNames())
		}
		for _, w := range words {
			s.forms[w] = true
		}
	case strings.HasPrefix(alt, "="):
		w := normalizeWord(alt[1:])
		if w == "" {
			return fmt.Errorf("term %q: \"=\" must be followed by a word", src)
		}
		s.forms[w] = true
	case strings.HasSuffix(alt, "*"):
		w := normalizeWord(strings.TrimSuffix(alt, "*"))
		if len(w) < 3 {
			return fmt.Errorf("term %q: a prefix needs at least three letters", src)
		}
		s.prefixes = append(s.prefixes, w)
	default:
		w := normalizeWord(alt)
		if w == "" || strings.ContainsAny(alt, "{}=*") {
			return fmt.Errorf("term %q: %q is not a word", src, alt)
		}
		for _, f := range inflect(w) {
			s.forms[f] = true
		}
	}
	return nil
}

func normalizeWord(w string) string {
	w = strings.NewReplacer("’", "'", "‘", "'").Replace(w)
	for _, r := range w {
		if !isWordRune(r) && r != '\'' {
			return ""
		}
	}
	return w
}

func classNames() string {
	names := []string{"{name}"}
	for _, n := range []string{"pos", "obj", "garment", "underwear", "body", "back", "tender", "bare", "hands"} {
		names = append(names, "{"+n+"}")
	}
	return strings.Join(names, ", ")
}

// match reports the end (exclusive) of a match of p starting at token i,
// or -1. A gap does not cross a clause break, and never takes a word
// listed in avoid.
func (p *pattern) match(toks []token, i int, avoid map[string]bool) int {
	return matchFrom(p.slots, toks, i, i, avoid, nil)
}

// matchWhere is match, keeping only an end that ok accepts: when a short
// match is refused, a longer one is tried.
func (p *pattern) matchWhere(toks []token, i int, avoid map[string]bool, ok func(end int) bool) int {
	return matchFrom(p.slots, toks, i, i, avoid, ok)
}

func matchFrom(slots []slot, toks []token, i, start int, avoid map[string]bool, ok func(int) bool) int {
	if len(slots) == 0 {
		if ok != nil && !ok(i) {
			return -1
		}
		return i
	}
	s := &slots[0]
	switch {
	case s.end:
		if i == len(toks) || toks[i].brk {
			return matchFrom(slots[1:], toks, i, start, avoid, ok)
		}
		return -1
	case s.gap > 0:
		for n := 0; n <= s.gap; n++ {
			if n > 0 {
				k := i + n - 1
				if k >= len(toks) || (k > start && toks[k].brk) || avoid[toks[k].low] {
					break
				}
			}
			if end := matchFrom(slots[1:], toks, i+n, start, avoid, ok); end >= 0 {
				return end
			}
		}
		return -1
	}
	if i < len(toks) && s.accepts(toks[i], i == 0) && (i == start || !toks[i].brk) {
		if end := matchFrom(slots[1:], toks, i+1, start, avoid, ok); end >= 0 {
			return end
		}
	}
	if s.optional {
		return matchFrom(slots[1:], toks, i, start, avoid, ok)
	}
	return -1
}

// firstForms are the words a pattern can start with, for the index; nil
// when it starts with a prefix or a class the index cannot list.
func (p *pattern) firstForms() (forms []string, indexed bool) {
	s := &p.slots[0]
	if len(s.prefixes) > 0 || s.poss || s.name {
		return nil, false
	}
	for f := range s.forms {
		forms = append(forms, f)
	}
	return forms, true
}

// commonCapitals are capitalised words that are not names.
var commonCapitals = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the he she they we i it you his her their its our my your
		him them us me this that these those there here then now later suddenly slowly quickly
		outside inside in on at as when while after before and but or so yet if with without from
		to into onto of off over under up down for by nobody someone somebody everyone everybody
		nothing something everything both one two three four five six seven eight nine ten
		another each every all some no not never just only still finally again meanwhile close
		int ext est cont'd v.o o.s o.c ok okay tv god mom mum dad father mother sir madam
		monday tuesday wednesday thursday friday saturday sunday january february march april
		may june july august september october november december christmas
		what who why how where which whose yes hey oh beat silence pause cut fade smash`) {
		commonCapitals[w] = true
	}
}
