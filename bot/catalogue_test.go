package bot

import (
	"context"
	"slices"
	"testing"
)

// sample is a value of each kind that the parser and handlers accept.
var sample = map[ParamKind]string{
	ParamScene: "12", ParamUser: "U1", ParamUsers: "U1,U2", ParamChannel: "C9", ParamRole: "camera",
	ParamText: `say "hi", \ and go`, ParamBeat: "b2", ParamBeats: "b2 b3", ParamAnswers: "b1=yes b2=no",
	ParamReminder: "7", ParamDuration: "2h", ParamWhen: "2026-12-03 09:00",
}

// TestCatalogueLines: every command's typed options, all filled in, make
// a line that the router takes for that same command, with no unknown key
// and no unbalanced quote.
func TestCatalogueLines(t *testing.T) {
	b := New(nil, nil)
	for _, c := range b.Catalogue() {
		for _, all := range []bool{false, true} {
			values := map[string]string{}
			for _, p := range c.Params {
				if !p.Required && !all {
					continue
				}
				v := sample[p.Kind]
				if p.Kind == ParamChoice {
					v = p.Choices[0]
				}
				values[p.Name] = v
			}
			line := c.Line(values)
			in, err := b.prepare(context.Background(), Command{Caller: "U1", Text: line}, &Outcome{})
			if err != nil {
				t.Errorf("%s: %q: %v", c.Path, line, err)
				continue
			}
			if in == nil || in.spec.path != c.Path {
				t.Errorf("%s: %q was taken for another command", c.Path, line)
			}
		}
	}
}

// TestUsageDerived: a spec's usage line and keys come from its
// parameters alone.
func TestUsageDerived(t *testing.T) {
	s := &spec{path: "scene rate", params: []Param{scene(true),
		{Name: "stars", Kind: ParamChoice, Required: true, Choices: []string{"1", "2", "3"}},
		{Name: "performers", Kind: ParamUsers},
		keyText("note", "a note"),
		{Name: "when", Kind: ParamWhen, Key: true, Required: true}}}
	if err := s.derive(); err != nil {
		t.Fatal(err)
	}
	if want := `/scene rate ID 1|2|3 [@performer ...] [note="..."] when="YYYY-MM-DD HH:MM"`; s.usageLine() != want {
		t.Errorf("usage = %q, want %q", s.usageLine(), want)
	}
	if !slices.Equal(s.keys, []string{"note", "when"}) {
		t.Errorf("keys %v", s.keys)
	}
	free := &spec{path: "hold", params: []Param{scene(true), beat(), {Name: "reason", Kind: ParamText, Rest: true}}}
	if err := free.derive(); err != nil || free.freeText != 2 || free.freeRule != "reason" || free.usage != "ID BEAT [reason]" {
		t.Errorf("free text after %d words, rule %q, usage %q, %v", free.freeText, free.freeRule, free.usage, err)
	}
}

// TestSpecsDeriveCleanly: every parameter list the table could hold that
// the router could not read back is refused when the table is built.
func TestSpecsDeriveCleanly(t *testing.T) {
	for name, ps := range map[string][]Param{
		"unnamed":            {{Kind: ParamText}},
		"twice":              {scene(true), scene(true)},
		"no kind":            {{Name: "x"}},
		"choice without any": {{Name: "x", Kind: ParamChoice}},
		"choices on text":    {{Name: "x", Kind: ParamText, Choices: []string{"a"}}},
		"rest first":         {{Name: "reason", Kind: ParamText, Rest: true}},
		"after the rest":     {scene(true), {Name: "reason", Kind: ParamText, Rest: true}, beat()},
		"rest as a key":      {scene(true), {Name: "reason", Kind: ParamText, Rest: true, Key: true}},
		"rest and keys":      {scene(true), keyText("note", ""), {Name: "reason", Kind: ParamText, Rest: true}},
	} {
		s := &spec{path: "x", params: ps}
		if err := s.derive(); err == nil {
			t.Errorf("%s: derived %q without complaint", name, s.usage)
		}
	}
}
