package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"icbot/bot/breakdown"
	"icbot/bot/fountain"
)

// SceneScript is what the production's screenplay says of a scene, as the
// last import read it: its heading, page and characters, and the lines
// that suggest intimacy, proposed as beats. It is the IC's alone: a quote
// may describe a performer's body, and is not a beat until the IC
// confirms it. It is kept sealed with the scene's other private parts.
type SceneScript struct {
	// Heading is the scene heading as written, without its number.
	Heading string
	// Number is the scene number the script gives, "" when none.
	Number string
	// Order is the scene's place in the script, from 1.
	Order int
	Page  int
	// Characters are the characters present.
	Characters []string
	// Removed is set when the last import no longer had the scene.
	Removed bool
	// Imported is when the script was last imported.
	Imported time.Time
	// Proposals are the beats the script suggests, every one ever
	// proposed: the IC confirms or declines each; a declined one stays
	// on record so that the same line is not proposed again.
	Proposals []Proposal
	// NextProposal numbers proposals; a number is never reused.
	NextProposal int
}

// ProposalState is where a proposed beat stands.
type ProposalState string

// Proposal states.
const (
	ProposalOpen      ProposalState = "proposed"
	ProposalConfirmed ProposalState = "confirmed"
	ProposalDeclined  ProposalState = "declined"
	// ProposalGone: its line is no longer in the script.
	ProposalGone ProposalState = "gone"
)

// Proposal is one line of the script that suggests an intimacy beat.
type Proposal struct {
	N int
	// Quote is the line as the script writes it; Line its place in the
	// source.
	Quote string
	Line  int
	// Flag is what the breakdown saw (kiss, undressing, nudity, ...);
	// Kind the beat kind it suggests.
	Flag       string
	Kind       BeatKind
	Characters []string
	Rule       string
	State      ProposalState
	// Beat is the beat it became, once confirmed.
	Beat string
	// Review is set when the line of a confirmed beat changed or went
	// from the script: the IC says whether it widens the beat. Was is the
	// line as it was when the beat was confirmed.
	Review bool
	Was    string
}

// kindOf maps what the breakdown flags to the beat kind it suggests.
func kindOf(k breakdown.Kind) BeatKind {
	switch k {
	case breakdown.Kiss, breakdown.IntimateContact:
		return KindContact
	case breakdown.Nudity, breakdown.Undressing:
		return KindNudity
	case breakdown.SexualContent:
		return KindSimulatedSex
	}
	return KindOther
}

// ScriptReader reads a screenplay file into its scenes and what each
// proposes. name is the file's name, which may say its format.
type ScriptReader func(name string, data []byte) ([]breakdown.SceneBreakdown, error)

// NewScriptReader reads Fountain and Final Draft with the breakdown's
// analyzer a.
func NewScriptReader(a *breakdown.Analyzer) ScriptReader {
	return func(name string, data []byte) ([]breakdown.SceneBreakdown, error) {
		if len(data) > fountain.MaxSize {
			return nil, Errorf(EINVALID, "The script is %d bytes: icbot reads scripts up to %d MB.", len(data), fountain.MaxSize>>20)
		}
		s, err := fountain.ParseFile(name, data)
		if err != nil {
			return nil, Errorf(EINVALID, "icbot could not read %s as a screenplay: %v. It reads Fountain (.fountain) and Final Draft (.fdx).", name, err)
		}
		return a.Script(s), nil
	}
}

// WithScriptReader sets how /scene import reads a screenplay; the
// default reads Fountain and Final Draft with the built-in lexicon.
func WithScriptReader(r ScriptReader) Option { return func(b *Bot) { b.readScript = r } }

// normHeading compares headings without case, spacing or a final period.
func normHeading(h string) string {
	return strings.TrimSuffix(strings.ToUpper(strings.Join(strings.Fields(h), " ")), ".")
}

// proposalLine is one proposal as the IC reads it.
func proposalLine(p Proposal) string {
	s := fmt.Sprintf("  %d. [%s → %s] %q", p.N, p.Flag, p.Kind, p.Quote)
	if len(p.Characters) > 0 {
		s += " (" + strings.Join(p.Characters, ", ") + ")"
	}
	if p.Line > 0 {
		s += fmt.Sprintf(" line %d", p.Line)
	}
	switch {
	case p.Review:
		s += fmt.Sprintf(" — beat %s, to review: it read %q", p.Beat, p.Was)
	case p.State == ProposalConfirmed:
		s += " — confirmed as beat " + p.Beat
	case p.State != ProposalOpen:
		s += " — " + string(p.State)
	}
	return s
}

// openProposals counts the proposals waiting for the IC.
func (s *SceneScript) openProposals() int {
	n := 0
	for _, p := range s.Proposals {
		if p.State == ProposalOpen || p.Review {
			n++
		}
	}
	return n
}

// proposal finds proposal n.
func (s *SceneScript) proposal(n int) (int, bool) {
	i := slices.IndexFunc(s.Proposals, func(p Proposal) bool { return p.N == n })
	return i, i >= 0
}
