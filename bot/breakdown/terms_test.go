package breakdown

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadTerms(t *testing.T) {
	data := []byte(`# production.breakdown_terms
add:
  kiss: ["lip =lock"]
  power-imbalance: [landlady]
exceptions:
  - kissing =gate
off:
  - embraces
  - "kiss =of =death"
`)
	got, err := LoadTerms(data)
	if err != nil {
		t.Fatal(err)
	}
	want := Terms{
		Add:        map[Kind][]string{Kiss: {"lip =lock"}, PowerImbalance: {"landlady"}},
		Exceptions: []string{"kissing =gate"},
		Off:        []string{"embraces", "kiss =of =death"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
}

func TestLoadTermsEmpty(t *testing.T) {
	for _, data := range []string{"", "# nothing yet\n"} {
		got, err := LoadTerms([]byte(data))
		if err != nil {
			t.Errorf("%q: %v", data, err)
		}
		if diff := cmp.Diff(Terms{}, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", data, diff)
		}
	}
}

// TestLoadTermsRefuses: bad YAML, an unknown key or kind, a term that does
// not compile and an unknown rule to turn off are refused with the line.
func TestLoadTermsRefuses(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{"bad yaml", "add:\n  kiss: [snog\n", []string{"not valid YAML", "line"}},
		{"unknown kind", "add:\n  kiss: [snog]\n  kissing: [smack]\n", []string{"line 3", `unknown kind "kissing"`, "sexual-content"}},
		{"unknown key", "add:\n  kiss: [snog]\nremove: [kiss]\n", []string{"line 3", `unknown key "remove"`}},
		{"not a mapping", "- kiss\n", []string{"line 1", "expected a mapping"}},
		{"add not by kind", "add: [snog]\n", []string{"line 1", "add holds kinds"}},
		{"terms not a list", "add:\n  kiss: snog\n", []string{"line 2", "must be a list"}},
		{"empty term", "add:\n  kiss:\n    - snog\n    - \"  \"\n", []string{"line 4", "a term in words"}},
		{"unknown class", "add:\n  nudity:\n    - \"in {costume}\"\n", []string{"line 3", "unknown class {costume}"}},
		{"gap first", "exceptions:\n  - \"... kiss\"\n", []string{"line 2", `"..." must stand between two words`}},
		{"not a word", "add:\n  kiss:\n    - \"lip lock!\"\n", []string{"line 3", "is not a word"}},
		{"unknown off", "off:\n  - embraces\n  - hugs\n", []string{"line 3", `no built-in rule or exception is named "hugs"`}},
		{"exceptions not a list", "exceptions: kiss =of =death\n", []string{"line 1", "exceptions must be a list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadTerms([]byte(tt.data))
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestTermsChangeTheLexicon: a production's terms add to a kind, add a
// cue of power, make a phrase an exception and turn a built-in rule or
// exception off.
func TestTermsChangeTheLexicon(t *testing.T) {
	terms, err := LoadTerms([]byte(`
add:
  kiss: ["lip =lock"]
  power-imbalance: [landlady]
exceptions: [kissing =gate]
off: [embraces, "kiss =of =death"]
`))
	if err != nil {
		t.Fatal(err)
	}
	base := newAnalyzer(t, Terms{})
	prod := newAnalyzer(t, terms)
	tests := []struct {
		text       string
		base, prod []string
	}{
		{"They lip-lock by the bins.", nil, kinds(Kiss)},
		{"His landlady kisses him.", kinds(Kiss), kinds(Kiss, PowerImbalance)},
		{"His landlady waves.", nil, nil},
		{"She climbs the kissing gate.", kinds(Kiss), nil},
		{"They embrace.", kinds(IntimateContact), nil},
		{"It is the kiss of death.", nil, kinds(Kiss)},
		{"She kisses him.", kinds(Kiss), kinds(Kiss)},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			sc := actionScene(tt.text)
			if diff := cmp.Diff(tt.base, kindsOf(base.Scene(sc))); diff != "" {
				t.Errorf("built-in (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.prod, kindsOf(prod.Scene(sc))); diff != "" {
				t.Errorf("with the production's terms (-want +got):\n%s", diff)
			}
		})
	}
	for _, p := range prod.Scene(actionScene("They lip-lock by the bins.")) {
		if p.Rule != "lip =lock" {
			t.Errorf("rule %q, want the production's term", p.Rule)
		}
	}
}

// TestNewRefuses: terms built by hand go through the same checks.
func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name  string
		terms Terms
		want  string
	}{
		{"unknown off", Terms{Off: []string{"hugs"}}, `no built-in rule or exception is named "hugs"`},
		{"bad term", Terms{Add: map[Kind][]string{Nudity: {"{costume}"}}}, "unknown class"},
		{"bad exception", Terms{Exceptions: []string{"$"}}, `"$" must follow a word`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.terms)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

// TestBuiltInNamesUnique: a production turns a rule off by its name, so
// no two rules share one.
func TestBuiltInNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range lexicon {
		if seen[r.name] {
			t.Errorf("two rules are named %q", r.name)
		}
		seen[r.name] = true
	}
}
