package breakdown

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Terms are a production's changes to the built-in lexicon
// (production.breakdown_terms). The file reads:
//
//	add:
//	  kiss: [snog, "lip =lock"]
//	  power-imbalance: [apprentice]
//	exceptions:
//	  - kiss =the =ring
//	off:
//	  - embraces
//
// Terms added to power-imbalance are cues: they propose a beat only in a
// scene that holds intimacy. Exceptions are phrases never flagged. Off
// names built-in rules or exceptions to turn off.
type Terms struct {
	// Add are the production's own terms, by kind.
	Add map[Kind][]string
	// Exceptions are phrases in which no term proposes a beat.
	Exceptions []string
	// Off names built-in rules or exceptions that do not apply.
	Off []string
}

// LoadTerms reads a production's terms file. It refuses YAML that does not
// parse, a key or a kind it does not know, a term that does not compile
// and an unknown rule to turn off, naming the line.
func LoadTerms(data []byte) (Terms, error) {
	var t Terms
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Terms{}, fmt.Errorf("breakdown terms: not valid YAML: %v", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return t, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Terms{}, fmt.Errorf("breakdown terms: line %d: expected a mapping with add, exceptions and off", root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "add":
			if val.Kind != yaml.MappingNode {
				return Terms{}, fmt.Errorf("breakdown terms: line %d: add holds kinds, each with a list of terms", val.Line)
			}
			t.Add = map[Kind][]string{}
			for j := 0; j+1 < len(val.Content); j += 2 {
				kn, list := val.Content[j], val.Content[j+1]
				k := Kind(kn.Value)
				if kindOrder(k) == len(Kinds) {
					return Terms{}, fmt.Errorf("breakdown terms: line %d: unknown kind %q (known: %s)", kn.Line, kn.Value, kindNames())
				}
				terms, err := stringList(list, "add: "+kn.Value)
				if err != nil {
					return Terms{}, err
				}
				for n, term := range terms {
					if _, err := compileTerm(term); err != nil {
						return Terms{}, fmt.Errorf("breakdown terms: line %d: %v", list.Content[n].Line, err)
					}
				}
				t.Add[k] = append(t.Add[k], terms...)
			}
		case "exceptions":
			terms, err := stringList(val, "exceptions")
			if err != nil {
				return Terms{}, err
			}
			for n, term := range terms {
				if _, err := compileTerm(term); err != nil {
					return Terms{}, fmt.Errorf("breakdown terms: line %d: %v", val.Content[n].Line, err)
				}
			}
			t.Exceptions = terms
		case "off":
			names, err := stringList(val, "off")
			if err != nil {
				return Terms{}, err
			}
			builtIn := builtInNames()
			for n, name := range names {
				if !builtIn[normalName(name)] {
					return Terms{}, fmt.Errorf("breakdown terms: line %d: off: no built-in rule or exception is named %q (see docs/breakdown.md for the names)", val.Content[n].Line, name)
				}
			}
			t.Off = names
		default:
			return Terms{}, fmt.Errorf("breakdown terms: line %d: unknown key %q (known: add, exceptions, off)", key.Line, key.Value)
		}
	}
	return t, nil
}

func stringList(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("breakdown terms: line %d: %s must be a list of terms", n.Line, what)
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode || strings.TrimSpace(item.Value) == "" {
			return nil, fmt.Errorf("breakdown terms: line %d: %s: each entry must be a term in words", item.Line, what)
		}
		out = append(out, item.Value)
	}
	return out, nil
}

func kindNames() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func normalName(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

// builtInNames are the names of the built-in rules and exceptions.
func builtInNames() map[string]bool {
	m := map[string]bool{}
	for _, r := range lexicon {
		m[r.name] = true
	}
	for _, f := range figures {
		m[normalName(f)] = true
	}
	return m
}
