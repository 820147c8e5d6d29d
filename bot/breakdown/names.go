package breakdown

import (
	"strings"

	"icbot/bot/fountain"
)

// titles are words of a character's name that do not name them alone.
var titles = wordSet("dr mr mrs ms miss det detective officer sgt sergeant lt capt captain prof " +
	"professor the young old little big mother father sister brother aunt uncle sir lady lord st")

// placeWords before a capitalised word make it a place rather than a person.
var placeWords = wordSet("the a an in at to from on of into onto toward towards near by across past " +
	"outside inside behind through")

// pronouns that stand for characters.
var pronouns = wordSet("he she they him her them his hers their theirs himself herself themselves each")
var objects = wordSet("him her them")

// cast knows the names of the characters: a word of a character's name
// leads to the name as the script writes it.
type cast struct {
	names map[string]string
	scene []string
	// isTerm reports whether a word opens a rule of the lexicon.
	isTerm func(string) bool
}

func newCast(scenes []fountain.Scene) *cast {
	c := &cast{names: map[string]string{}}
	for _, sc := range scenes {
		for _, ch := range sc.Characters {
			c.learn(ch)
		}
	}
	return c
}

func (c *cast) learn(name string) {
	for _, lw := range nameWords(name) {
		if _, ok := c.names[lw]; !ok {
			c.names[lw] = name
		}
	}
}

// withScene is the cast with the scene's own characters learned first.
func (c *cast) withScene(sc fountain.Scene) *cast {
	out := &cast{names: map[string]string{}, scene: sc.Characters, isTerm: c.isTerm}
	for _, ch := range sc.Characters {
		out.learn(ch)
	}
	for k, v := range c.names {
		if _, ok := out.names[k]; !ok {
			out.names[k] = v
		}
	}
	return out
}

// guess names the characters a sentence seems to involve: the speaker of
// a parenthetical, the characters it names (a word of a known name), and,
// when it names none but speaks of "he", "she" or "they", the characters
// present in the scene. One name and an object pronoun in a two-hander
// gives both. A capitalised word inside the sentence counts as a name
// only when no character is known at all (a scene built by hand), and not
// after "in", "at", "the" and such, where it is more likely a place.
func (c *cast) guess(u unit, present []string) []string {
	var out []string
	covered := map[string]bool{}
	add := func(n string) {
		ws := nameWords(n)
		for _, w := range ws {
			if covered[w] {
				return
			}
		}
		for _, w := range ws {
			covered[w] = true
		}
		out = append(out, n)
	}
	if u.speaker != "" {
		if n, ok := c.names[strings.ToLower(firstWord(u.speaker))]; ok {
			add(n)
		} else {
			add(u.speaker)
		}
	}
	hasPronoun, hasObject := false, false
	for i, t := range u.toks {
		w := strings.TrimSuffix(t.low, "'s")
		if pronouns[w] {
			hasPronoun = true
			hasObject = hasObject || objects[w]
			continue
		}
		if n, ok := c.names[w]; ok {
			add(n)
			continue
		}
		if len(c.names) > 0 || !isCapitalised(t.text) || commonCapitals[w] || len(w) < 2 ||
			strings.ToUpper(t.text) == t.text {
			continue
		}
		if i == 0 {
			// A sentence opens with a capital: take it for a name only
			// when it is no word the lexicon reads ("Nude, she...").
			if c.isTerm != nil && c.isTerm(w) {
				continue
			}
		} else if placeWords[u.toks[i-1].low] {
			continue
		}
		add(strings.TrimSuffix(strings.TrimSuffix(t.text, "'s"), "’s"))
	}
	switch {
	case len(out) == 0 && hasPronoun:
		for _, ch := range present {
			add(ch)
		}
	case len(out) == 1 && hasObject && len(present) == 2:
		for _, ch := range present {
			add(ch)
		}
	}
	return out
}

// nameWords are the words of a name that identify the character.
func nameWords(n string) []string {
	var out []string
	for _, w := range strings.Fields(n) {
		lw := strings.ToLower(strings.Trim(w, ".,'"))
		if len(lw) >= 2 && !titles[lw] {
			out = append(out, lw)
		}
	}
	if len(out) == 0 {
		out = []string{strings.ToLower(n)}
	}
	return out
}

// present lists the characters of a scene: its own list, then the known
// characters its action and parentheticals name, in order.
func (c *cast) present(sc fountain.Scene, us []unit) []string {
	var out []string
	covered := map[string]bool{}
	add := func(n string) {
		ws := nameWords(n)
		for _, w := range ws {
			if covered[w] {
				return
			}
		}
		for _, w := range ws {
			covered[w] = true
		}
		out = append(out, n)
	}
	for _, ch := range sc.Characters {
		add(ch)
	}
	for _, u := range us {
		for _, t := range u.toks {
			if n, ok := c.names[strings.TrimSuffix(t.low, "'s")]; ok {
				add(n)
			}
		}
	}
	return out
}
