// Package breakdown reads a parsed screenplay for intimacy: kisses,
// undressing, nudity, sexual content, intimate contact and scenes of power
// imbalance. It proposes beats with the line each came from; the IC
// confirms or turns down every one.
package breakdown

import (
	"errors"

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

// Terms are a production's changes to the built-in lexicon
// (production.breakdown_terms).
type Terms struct{}

// LoadTerms reads a production's terms file.
func LoadTerms(data []byte) (Terms, error) { return Terms{}, errors.New("breakdown: not implemented") }

// Analyzer applies the lexicon and rules.
type Analyzer struct{}

// New builds an analyzer from the built-in lexicon and a production's terms.
func New(t Terms) (*Analyzer, error) { return &Analyzer{}, nil }

// Scene proposes the beats of one scene.
func (a *Analyzer) Scene(sc fountain.Scene) []Proposal { return nil }

// Script proposes the beats of every scene, in order.
func (a *Analyzer) Script(s *fountain.Script) []SceneBreakdown {
	out := make([]SceneBreakdown, 0, len(s.Scenes))
	for _, sc := range s.Scenes {
		out = append(out, SceneBreakdown{Scene: sc, Proposals: a.Scene(sc)})
	}
	return out
}
