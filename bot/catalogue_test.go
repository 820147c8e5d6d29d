package bot

import (
	"context"
	"slices"
	"strings"
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

// TestCatalogueMatchesUsage: the usage line names every key parameter.
func TestCatalogueMatchesUsage(t *testing.T) {
	for _, s := range commandTable().specs {
		for _, p := range params[s.path] {
			if p.Key && !strings.Contains(s.usage, p.Name+"=") && !strings.Contains(s.usage, "key=value") {
				t.Errorf("/%s: parameter %s= is not in the usage %q", s.path, p.Name, s.usage)
			}
			if p.Key && !slices.Contains(s.keys, p.Name) {
				t.Errorf("/%s: parameter %s= is not a key the command takes", s.path, p.Name)
			}
		}
	}
}
