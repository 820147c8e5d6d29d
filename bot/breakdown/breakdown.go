// Package breakdown reads a parsed screenplay for intimacy: kisses,
// undressing, nudity, sexual content, intimate contact and scenes of power
// imbalance. It proposes beats with the line each came from; the IC
// confirms or turns down every one.
//
// The lexicon and its rules are described in docs/breakdown.md.
package breakdown

import (
	"fmt"
	"sort"
	"strings"

	"icbot/bot/fountain"
)

// Kind is what a proposed beat seems to hold.
type Kind string

// Kinds of proposals.
const (
	Kiss            Kind = "kiss"
	Undressing      Kind = "undressing"
	Nudity          Kind = "nudity"
	SexualContent   Kind = "sexual-content"
	IntimateContact Kind = "intimate-contact"
	PowerImbalance  Kind = "power-imbalance"
)

// Kinds lists every kind, in the order proposals of one line are given.
var Kinds = []Kind{Kiss, Undressing, Nudity, SexualContent, IntimateContact, PowerImbalance}

func kindOrder(k Kind) int {
	for i, x := range Kinds {
		if x == k {
			return i
		}
	}
	return len(Kinds)
}

// Proposal is one proposed beat.
type Proposal struct {
	Kind Kind
	// Quote is the line it came from, as written (an action paragraph's
	// sentence or a parenthetical).
	Quote string
	// Line is the quote's 1-based line in the source.
	Line int
	// Characters are the characters it seems to involve, as the script
	// names them.
	Characters []string
	// Rule names the rule or term that matched, for the IC and the tests.
	Rule string
}

// SceneBreakdown is one scene and what it proposes.
type SceneBreakdown struct {
	Scene     fountain.Scene
	Proposals []Proposal
}

// Analyzer applies the lexicon and rules. It holds no state between calls
// and may be used from several goroutines.
type Analyzer struct {
	rules   []*compiled
	index   map[string][]*compiled // by the words a rule can start with
	loose   []*compiled            // rules the index cannot list
	figures []*compiled
	figIdx  map[string][]*compiled
	figLoos []*compiled
}

type compiled struct {
	rule
	pat                             pattern
	next, notNext, notPrev, notNear map[string]bool
	avoid                           map[string]bool
	nextEnd                         bool
}

func wordSet(s string) map[string]bool {
	if s == "" {
		return nil
	}
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func compileRule(r rule) (*compiled, error) {
	p, err := compileTerm(r.term)
	if err != nil {
		return nil, err
	}
	c := &compiled{rule: r, pat: p, next: wordSet(r.next), notNext: wordSet(r.notNext),
		notPrev: wordSet(r.notPrev), notNear: wordSet(r.notNear), avoid: wordSet(r.avoid)}
	if c.next["$"] {
		c.nextEnd = true
		delete(c.next, "$")
	}
	return c, nil
}

// New builds an analyzer from the built-in lexicon and a production's terms.
// It refuses terms that turn off a rule the lexicon does not have, or that
// do not compile.
func New(t Terms) (*Analyzer, error) {
	off := map[string]bool{}
	for _, n := range t.Off {
		off[strings.ToLower(strings.Join(strings.Fields(n), " "))] = true
	}
	known := map[string]bool{}
	a := &Analyzer{index: map[string][]*compiled{}, figIdx: map[string][]*compiled{}}
	for _, r := range lexicon {
		known[r.name] = true
		if off[r.name] {
			continue
		}
		c, err := compileRule(r)
		if err != nil {
			return nil, fmt.Errorf("breakdown: built-in rule %q: %v", r.name, err)
		}
		a.add(c)
	}
	for _, k := range Kinds {
		for _, term := range t.Add[k] {
			r := rule{name: strings.Join(strings.Fields(strings.ToLower(term)), " "), kind: k, term: term}
			if k == PowerImbalance {
				r.cue, r.plain = true, true
			}
			c, err := compileRule(r)
			if err != nil {
				return nil, fmt.Errorf("breakdown: %s: %v", k, err)
			}
			a.add(c)
		}
	}
	for _, f := range figures {
		c, err := compileRule(rule{name: f, term: f})
		if err != nil {
			return nil, fmt.Errorf("breakdown: built-in exception %q: %v", f, err)
		}
		known[c.pat.src] = true
		if off[c.pat.src] {
			continue
		}
		a.addFigure(c)
	}
	for _, f := range t.Exceptions {
		c, err := compileRule(rule{name: f, term: f})
		if err != nil {
			return nil, fmt.Errorf("breakdown: exception: %v", err)
		}
		a.addFigure(c)
	}
	for _, n := range t.Off {
		if k := strings.ToLower(strings.Join(strings.Fields(n), " ")); !known[k] {
			return nil, fmt.Errorf("breakdown: off: no built-in rule or exception is named %q (see docs/breakdown.md for the names)", n)
		}
	}
	return a, nil
}

func (a *Analyzer) add(c *compiled) {
	a.rules = append(a.rules, c)
	if forms, ok := c.pat.firstForms(); ok {
		for _, f := range forms {
			a.index[f] = append(a.index[f], c)
		}
		return
	}
	a.loose = append(a.loose, c)
}

func (a *Analyzer) addFigure(c *compiled) {
	a.figures = append(a.figures, c)
	if forms, ok := c.pat.firstForms(); ok {
		for _, f := range forms {
			a.figIdx[f] = append(a.figIdx[f], c)
		}
		return
	}
	a.figLoos = append(a.figLoos, c)
}

// hit is one match of a rule in a sentence.
type hit struct {
	r          *compiled
	start, end int
}

// spans returns every match of the rules in toks, starting anywhere.
func spans(toks []token, index map[string][]*compiled, loose []*compiled) []hit {
	var out []hit
	for i := range toks {
		for _, c := range index[toks[i].low] {
			if end := c.matchAt(toks, i); end > i {
				out = append(out, hit{c, i, end})
			}
		}
		for _, c := range loose {
			if end := c.matchAt(toks, i); end > i {
				out = append(out, hit{c, i, end})
			}
		}
	}
	return out
}

// matchAt matches the rule at toks[i]. A rule that needs another's body
// skips a match on the subject's own ("he presses his mouth") for a
// longer one ("he presses his mouth to her neck").
func (c *compiled) matchAt(toks []token, i int) int {
	if !c.other {
		return c.pat.match(toks, i, c.avoid)
	}
	return c.pat.matchWhere(toks, i, c.avoid, func(end int) bool { return !ownBody(toks, i, end) })
}

// contextOK checks a hit against its rule's conditions on the words around it.
func (h hit) contextOK(toks []token) bool {
	c := h.r
	atEnd := h.end == len(toks) || toks[h.end].brk
	if c.next != nil || c.nextEnd {
		ok := (c.nextEnd && atEnd) || (!atEnd && c.next[toks[h.end].low])
		if !ok {
			return false
		}
	}
	if c.notNext != nil && !atEnd && c.notNext[toks[h.end].low] {
		return false
	}
	if c.notPrev != nil && h.start > 0 && !toks[h.start].brk && c.notPrev[toks[h.start-1].low] {
		return false
	}
	if c.notNear != nil {
		for k := h.end; k < len(toks) && k < h.end+4; k++ {
			if c.notNear[toks[k].low] {
				return false
			}
		}
	}
	return true
}

// negators turn the verb after them around ("does not kiss"). "Almost"
// and "nearly" are not among them: a near kiss is staged like a kiss.
var negators = wordSet("not never no nobody neither nor without cannot dont doesnt didnt wont cant " +
	"refuses refuse refused refusing fails fail failed failing instead")

// scopeEnds end the reach of a negation backwards.
var scopeEnds = wordSet("and but then yet so while as until before after when because or finally")

// undoers between a negation and the match turn it back ("can't stop kissing").
var undoers = wordSet("stop stops stopped stopping quit help resist resisting wait")

// negated reports whether a negation within four words before toks[start],
// in the same clause, applies to it.
func negated(toks []token, start int) bool {
	if toks[start].brk {
		return false
	}
	for k := start - 1; k >= 0 && k >= start-4; k-- {
		w := toks[k].low
		if scopeEnds[w] {
			return false
		}
		if undoers[w] {
			return false
		}
		if negators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
		if toks[k].brk {
			return false
		}
	}
	return false
}

// ownerOf maps a possessive to the subject pronoun it belongs to.
var ownerOf = map[string]string{"his": "he", "her": "she", "their": "they", "my": "i", "our": "we", "your": "you"}

// ownBody reports whether the match toks[start:end] touches the body of
// its own subject: every possessive in it, and the one just before it, is
// the same word, and the nearest subject pronoun before the match owns it.
// "She puts her hand on her chest" and "he runs a hand through his hair"
// are gestures; "she runs her fingers through his hair" and "Nora touches
// his face" are not.
func ownBody(toks []token, start, end int) bool {
	owner := ""
	from := start
	if from > 0 && !toks[start].brk {
		from--
	}
	for k := from; k < end; k++ {
		w := toks[k].low
		if _, ok := ownerOf[w]; !ok {
			continue
		}
		if owner != "" && owner != w {
			return false
		}
		owner = w
	}
	if owner == "" {
		return false
	}
	for k := start - 1; k >= 0; k-- {
		switch w := toks[k].low; w {
		case "he", "she", "they", "i", "we", "you":
			return ownerOf[owner] == w
		}
	}
	return false
}

// unit is a sentence of action or a parenthetical.
type unit struct {
	text    string
	line    int
	speaker string
	toks    []token
}

func sceneUnits(sc fountain.Scene) []unit {
	var us []unit
	for _, el := range sc.Elements {
		switch el.Kind {
		case fountain.Action:
			for _, s := range splitSentences(el.Text, el.Line) {
				us = append(us, unit{text: s.text, line: s.line, toks: tokenize(s.text)})
			}
		case fountain.Parenthetical:
			t := strings.TrimSpace(el.Text)
			if t != "" {
				us = append(us, unit{text: t, line: el.Line, speaker: el.Speaker, toks: tokenize(t)})
			}
		}
	}
	return us
}

// found is what one unit matched: per kind (in the order of Kinds), the
// rule names.
type found struct {
	kinds [6][]string
	cues  []string
}

func (a *Analyzer) unitHits(toks []token) found {
	var f found
	hits := spans(toks, a.index, a.loose)
	if len(hits) == 0 {
		return f
	}
	figs := spans(toks, a.figIdx, a.figLoos)
	for _, h := range hits {
		if !h.contextOK(toks) {
			continue
		}
		covered := false
		for _, g := range figs {
			if g.start < h.end && h.start < g.end && g.contextOK(toks) {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		if !h.r.plain && negated(toks, h.start) {
			continue
		}
		if h.r.cue {
			f.cues = appendOnce(f.cues, h.r.name)
			continue
		}
		k := kindOrder(h.r.kind)
		f.kinds[k] = appendOnce(f.kinds[k], h.r.name)
		if h.r.also != "" {
			k = kindOrder(h.r.also)
			f.kinds[k] = appendOnce(f.kinds[k], h.r.name)
		}
	}
	return f
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// Scene proposes the beats of one scene. A minor is recognised only from
// what the scene itself says (an age under 18 after a name, "a
// 15-year-old", "teenager"); Script also carries minors introduced in
// earlier scenes.
func (a *Analyzer) Scene(sc fountain.Scene) []Proposal {
	return a.scene(sc, a.newCast(nil), nil)
}

// Script proposes the beats of every scene, in order. A character
// introduced as a minor anywhere in the script is a minor in every scene
// that names them or where they speak.
func (a *Analyzer) Script(s *fountain.Script) []SceneBreakdown {
	units := make([][]unit, len(s.Scenes))
	minors := map[string]string{}
	for i, sc := range s.Scenes {
		units[i] = sceneUnits(sc)
		for _, u := range units[i] {
			for _, n := range minorNames(u.toks) {
				if n != "" {
					minors[strings.ToLower(n)] = n
				}
			}
		}
	}
	c := a.newCast(s.Scenes)
	out := make([]SceneBreakdown, 0, len(s.Scenes))
	for i, sc := range s.Scenes {
		out = append(out, SceneBreakdown{Scene: sc, Proposals: a.propose(sc, units[i], c, minors)})
	}
	return out
}

func (a *Analyzer) newCast(scenes []fountain.Scene) *cast {
	c := newCast(scenes)
	c.isTerm = func(w string) bool { return len(a.index[w]) > 0 }
	return c
}

func (a *Analyzer) scene(sc fountain.Scene, c *cast, minors map[string]string) []Proposal {
	return a.propose(sc, sceneUnits(sc), c, minors)
}

// entry is one proposal being built: a unit of the scene and a kind.
type entry struct {
	u    int
	kind Kind
}

// builder gathers the rules that matched per unit and kind, in order.
type builder struct {
	rules map[entry][]string
	order []entry
}

func (b *builder) put(e entry, names ...string) {
	if _, ok := b.rules[e]; !ok {
		b.order = append(b.order, e)
	}
	for _, n := range names {
		b.rules[e] = appendOnce(b.rules[e], n)
	}
}

func (b *builder) proposals(us []unit, c *cast, present []string) []Proposal {
	sort.SliceStable(b.order, func(i, j int) bool {
		if b.order[i].u != b.order[j].u {
			return b.order[i].u < b.order[j].u
		}
		return kindOrder(b.order[i].kind) < kindOrder(b.order[j].kind)
	})
	out := make([]Proposal, 0, len(b.order))
	for _, e := range b.order {
		u := us[e.u]
		out = append(out, Proposal{Kind: e.kind, Quote: u.text, Line: u.line,
			Characters: c.guess(u, present), Rule: strings.Join(b.rules[e], "; ")})
	}
	return out
}

// propose matches every unit of a scene, then adds the power-imbalance
// cues and a minor's presence when the scene holds intimacy.
func (a *Analyzer) propose(sc fountain.Scene, us []unit, c *cast, minors map[string]string) []Proposal {
	c = c.withScene(sc)
	b := &builder{rules: map[entry][]string{}}
	intimate := false
	cues := map[int][]string{}
	for i, u := range us {
		f := a.unitHits(u.toks)
		for ki, k := range Kinds {
			if names := f.kinds[ki]; len(names) > 0 {
				b.put(entry{i, k}, names...)
				intimate = intimate || k != PowerImbalance
			}
		}
		if len(f.cues) > 0 {
			cues[i] = f.cues
		}
	}
	if intimate {
		for i := range us {
			if len(cues[i]) > 0 {
				b.put(entry{i, PowerImbalance}, cues[i]...)
			}
		}
		if u, name, ok := minorIn(sc, us, minors); ok {
			if u < 0 {
				// The minor speaks but no line names them: quote the
				// scene's first intimate line.
				u = b.order[0].u
			}
			rule := "minor present"
			if name != "" {
				rule += ": " + name
			}
			b.put(entry{u, PowerImbalance}, rule)
		}
	}
	return b.proposals(us, c, c.present(sc, us))
}

// minorIn finds a minor in the scene: the first unit that introduces one
// or names one of the script's minors, or -1 when a minor is only among
// the scene's characters.
func minorIn(sc fountain.Scene, us []unit, minors map[string]string) (unit int, name string, ok bool) {
	for i, u := range us {
		if names := minorNames(u.toks); len(names) > 0 {
			return i, names[0], true
		}
		if n := mentions(u.toks, minors); n != "" {
			return i, n, true
		}
	}
	for _, ch := range sc.Characters {
		if n, ok := minors[strings.ToLower(firstWord(ch))]; ok {
			return -1, n, true
		}
	}
	return 0, "", false
}

// numbers are the ages written in words that make a minor.
var numbers = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
	"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17}

func ageOf(w string) int {
	if n, ok := numbers[w]; ok {
		return n
	}
	if len(w) == 0 || len(w) > 2 {
		return 0
	}
	n := 0
	for _, r := range w {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// minorNames finds the minors a sentence introduces: "MAISIE (12)",
// "Maisie, twelve,", "a 15-year-old", "aged 12". A minor without a name
// gives "".
func minorNames(toks []token) []string {
	var out []string
	for i, t := range toks {
		n := ageOf(t.low)
		if n <= 0 || n >= 18 {
			continue
		}
		if i+2 < len(toks) && (toks[i+1].low == "year" || toks[i+1].low == "years") && toks[i+2].low == "old" {
			out = append(out, "")
			continue
		}
		if i > 0 && toks[i-1].low == "aged" {
			out = append(out, "")
			continue
		}
		if i > 0 && t.brk && (i+1 == len(toks) || toks[i+1].brk) && isCapitalised(toks[i-1].text) &&
			!commonCapitals[toks[i-1].low] {
			out = append(out, toks[i-1].text)
		}
	}
	return out
}

// mentions returns the first minor the sentence names.
func mentions(toks []token, minors map[string]string) string {
	for _, t := range toks {
		if n, ok := minors[strings.TrimSuffix(t.low, "'s")]; ok {
			return n
		}
	}
	return ""
}

func isCapitalised(s string) bool {
	for _, r := range s {
		return r >= 'A' && r <= 'Z' || (r > 127 && strings.ToUpper(string(r)) == string(r) && strings.ToLower(string(r)) != string(r))
	}
	return false
}

func firstWord(name string) string {
	for _, w := range strings.Fields(name) {
		lw := strings.ToLower(strings.Trim(w, "."))
		if !titles[lw] {
			return strings.Trim(w, ".")
		}
	}
	return name
}
