package bot

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"icbot/bot/breakdown"
)

// Importing a script: every scene of the screenplay becomes a draft scene,
// or is linked to the scene the production already has for it, and the
// lines that suggest intimacy become proposals the IC confirms or
// declines. A revised script is compared with the last import, scene by
// scene and line by line.

// Scene matches: how a scene of the script found its scene.
const (
	MatchNew     = "new"     // a new draft scene
	MatchSame    = "same"    // the scene with its number and heading
	MatchHeading = "heading" // the scene with its heading, under another number
	MatchNumber  = "number"  // the scene with its number, under another heading
)

// PlannedScene is one scene of a script and where it goes.
type PlannedScene struct {
	Break breakdown.SceneBreakdown
	// ID is the scene it becomes or is linked to.
	ID    SceneID
	Match string
	// Note says why the id is not the script's number, when it is not.
	Note string
	// Existing is the scene it is linked to; nil for a new one.
	Existing *Scene
}

// ImportPlan is what importing a script does to a production's scenes.
type ImportPlan struct {
	Scenes []PlannedScene
	// Gone are the scenes an earlier import made whose heading the script
	// no longer has.
	Gone []Scene
}

// PlanImport matches the scenes of a script with a production's scenes:
// by number and heading, then by heading, then by number; the others are
// new. A new scene's id is the script's scene number when it is a valid
// id, and its order in the script otherwise, with a letter after it when
// another scene holds that id.
func PlanImport(existing []Scene, sbs []breakdown.SceneBreakdown) ImportPlan {
	plan := ImportPlan{Scenes: make([]PlannedScene, len(sbs))}
	byID := map[SceneID]*Scene{}
	for i := range existing {
		byID[existing[i].ID] = &existing[i]
	}
	taken := map[SceneID]bool{}
	wanted := make([]SceneID, len(sbs))
	for i, sb := range sbs {
		plan.Scenes[i].Break = sb
		wanted[i], plan.Scenes[i].Note = wantedID(sb)
	}
	link := func(i int, sc *Scene, how string) {
		plan.Scenes[i].ID, plan.Scenes[i].Match, plan.Scenes[i].Existing = sc.ID, how, sc
		taken[sc.ID] = true
	}
	// The same number and heading.
	for i, sb := range sbs {
		if sc, ok := byID[wanted[i]]; ok && normHeading(headingOf(sc)) == normHeading(sb.Scene.Heading) {
			link(i, sc, MatchSame)
		}
	}
	// The same heading, in order: the second BEDROOM of the script is the
	// second BEDROOM already here.
	byOrder := slices.Clone(existing)
	slices.SortStableFunc(byOrder, func(a, b Scene) int { return scriptOrder(&a) - scriptOrder(&b) })
	for i, sb := range sbs {
		if plan.Scenes[i].Match != "" {
			continue
		}
		for j := range byOrder {
			sc := byID[byOrder[j].ID]
			if !taken[sc.ID] && normHeading(headingOf(sc)) == normHeading(sb.Scene.Heading) {
				link(i, sc, MatchHeading)
				break
			}
		}
	}
	// The same number, under another heading.
	for i, sb := range sbs {
		if plan.Scenes[i].Match != "" || sb.Scene.Number == "" || plan.Scenes[i].Note != "" {
			continue
		}
		if sc, ok := byID[wanted[i]]; ok && !taken[sc.ID] {
			link(i, sc, MatchNumber)
		}
	}
	for i := range sbs {
		if plan.Scenes[i].Match != "" {
			continue
		}
		id := freeID(wanted[i], func(id SceneID) bool { return taken[id] || byID[id] != nil })
		if id != wanted[i] && plan.Scenes[i].Note == "" {
			plan.Scenes[i].Note = fmt.Sprintf("scene %s is taken by another scene, so this one is %s", wanted[i], id)
		}
		plan.Scenes[i].ID, plan.Scenes[i].Match = id, MatchNew
		taken[id] = true
	}
	for _, sc := range existing {
		if sc.Script != nil && !sc.Script.Removed && !taken[sc.ID] {
			plan.Gone = append(plan.Gone, sc)
		}
	}
	return plan
}

// wantedID is the id a scene of the script asks for, and why it is not
// its number when it is not.
func wantedID(sb breakdown.SceneBreakdown) (SceneID, string) {
	order := SceneID(strconv.Itoa(sb.Scene.Index))
	if sb.Scene.Number == "" {
		return order, ""
	}
	id, err := ParseSceneID(sb.Scene.Number)
	if err != nil {
		return order, fmt.Sprintf("its scene number %q is not a scene id (%s), so it takes its order in the script, %s", sb.Scene.Number, ErrorMessage(err), order)
	}
	return id, ""
}

// freeID is id, or id with the first letter after it that is not taken
// (12A, 12B...), as a script numbers a scene put in later.
func freeID(id SceneID, taken func(SceneID) bool) SceneID {
	if !taken(id) {
		return id
	}
	for _, suffix := range []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z"} {
		if c, err := ParseSceneID(string(id) + suffix); err == nil && !taken(c) {
			return c
		}
	}
	for n := 2; ; n++ {
		if c, err := ParseSceneID(fmt.Sprintf("%s-%d", id, n)); err == nil && !taken(c) {
			return c
		}
	}
}

// headingOf is a scene's heading: the script's, or its title for a scene
// typed by hand.
func headingOf(sc *Scene) string {
	if sc.Script != nil {
		return sc.Script.Heading
	}
	return sc.Title
}

func scriptOrder(sc *Scene) int {
	if sc.Script != nil {
		return sc.Script.Order
	}
	return 1 << 30
}

// titleOf is the title a scene of the script gets: its heading, within
// the title's rule.
func titleOf(heading string, index int) string {
	t := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || bidiControl(r) || invisible(r) {
			return ' '
		}
		return r
	}, heading)
	t = strings.Join(strings.Fields(t), " ")
	if r := []rune(t); len(r) > textRules["title"].max {
		t = string(r[:textRules["title"].max-1]) + "…"
	}
	if t == "" {
		t = fmt.Sprintf("Scene %d of the script", index)
	}
	return t
}

// SceneRevision is what an import changed of one scene.
type SceneRevision struct {
	ID      SceneID
	Heading string
	// What happened to the scene: new, linked, removed, back (in the
	// script again), or "" for none of these.
	What string
	// Status is the scene's stored status.
	Status Status
	// Renumbered is the number the script gave it before, when it gave
	// another.
	Renumbered string
	Note       string
	// Lines added, changed (as they read now, with Was) and removed.
	Added   []string
	Changed []LineChange
	Removed []string
	// Review are the confirmed beats whose line changed or went.
	Review []Proposal
	// Performers are the scene's performers, for the summary by performer.
	Performers []UserID
	// Beats are the scene's beats, to tell whom a beat to review involves.
	Beats []Beat
	// Open are the proposals waiting for the IC.
	Open int
}

// LineChange is a line of the script that reads otherwise now.
type LineChange struct{ Was, Now string }

// quiet reports whether the import changed nothing of the scene.
func (r SceneRevision) quiet() bool {
	return r.What == "" && r.Renumbered == "" && len(r.Added)+len(r.Changed)+len(r.Removed)+len(r.Review) == 0
}

// ImportResult is what an import did.
type ImportResult struct {
	Plan ImportPlan
	// Scenes are the scenes as stored after the import, in the script's
	// order; Gone those it marked removed.
	Scenes    []Scene
	Revisions []SceneRevision
	// Revision is set when the production had scenes from an earlier
	// import: the IC is told what this one changes.
	Revision bool
}

// ApplyImport imports a script's breakdown into the production in tx:
// new draft scenes, scenes linked, proposals merged, scenes no longer in
// the script marked removed; with one audit record. A scene past draft
// keeps its title and status: it is only linked to the script. actor is
// who imports (the IC, or "icbot" from the command line).
func ApplyImport(tx Tx, sbs []breakdown.SceneBreakdown, actor UserID, now time.Time) (ImportResult, error) {
	existing, err := tx.Scenes()
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Plan: PlanImport(existing, sbs)}
	for _, sc := range existing {
		if sc.Script != nil {
			res.Revision = true
		}
	}
	added, linked := 0, 0
	for _, ps := range res.Plan.Scenes {
		sc, rev, err := importScene(tx, ps, now)
		if err != nil {
			return ImportResult{}, err
		}
		if ps.Existing == nil {
			added++
		} else {
			linked++
		}
		res.Scenes = append(res.Scenes, sc)
		res.Revisions = append(res.Revisions, rev)
	}
	for _, sc := range res.Plan.Gone {
		sc.Script.Removed = true
		sc.Version++
		sc.Updated = now
		if err := tx.PutScene(sc); err != nil {
			return ImportResult{}, err
		}
		rev := SceneRevision{ID: sc.ID, Heading: sc.Script.Heading, What: "removed", Status: sc.Status, Performers: sc.Performers, Beats: sc.Beats}
		for _, p := range sc.Script.Proposals {
			if p.State == ProposalConfirmed {
				rev.Review = append(rev.Review, p)
			}
		}
		res.Revisions = append(res.Revisions, rev)
	}
	summary := fmt.Sprintf("script imported: %d scenes (%d new, %d linked), %d no longer in the script", len(sbs), added, linked, len(res.Plan.Gone))
	return res, tx.Audit(AuditRecord{Time: now, Actor: actor, Action: "script.import", Summary: summary})
}

// importScene makes or updates the scene of ps, and says what changed.
func importScene(tx Tx, ps PlannedScene, now time.Time) (Scene, SceneRevision, error) {
	sb := ps.Break
	var sc Scene
	rev := SceneRevision{ID: ps.ID, Heading: sb.Scene.Heading, Note: ps.Note}
	if ps.Existing == nil {
		// Sessions of an earlier scene with this id stay on record; number on.
		past, err := tx.Sessions(ps.ID)
		if err != nil {
			return Scene{}, rev, err
		}
		sc = Scene{ID: ps.ID, Title: titleOf(sb.Scene.Heading, sb.Scene.Index), Status: StatusDraft, Sessions: uint64(len(past)), PastSessions: uint64(len(past)),
			Created: now}
		rev.What = "new"
	} else {
		sc = *ps.Existing
		switch {
		case sc.Script == nil:
			rev.What = "linked"
		case sc.Script.Removed:
			rev.What = "back"
		case sc.Script.Number != sb.Scene.Number:
			rev.Renumbered = cmpOr(sc.Script.Number, "(none)")
		}
		// A draft's title follows its heading, unless someone gave it
		// another; a scene past draft is only linked.
		if sc.Status == StatusDraft && (sc.Script != nil && sc.Title == titleOf(sc.Script.Heading, sc.Script.Order)) {
			sc.Title = titleOf(sb.Scene.Heading, sb.Scene.Index)
		}
	}
	before := sc.Script
	script := &SceneScript{Heading: sb.Scene.Heading, Number: sb.Scene.Number, Order: sb.Scene.Index, Page: sb.Scene.Page,
		Characters: slices.Clone(sb.Scene.Characters), Imported: now}
	if before != nil {
		script.Proposals, script.NextProposal = cloneProposals(before.Proposals), before.NextProposal
		script.Imported = before.Imported
	}
	mergeProposals(script, sb.Proposals, &rev)
	rev.Status, rev.Performers, rev.Beats = sc.Status, sc.Performers, sc.Beats
	rev.Open = script.openProposals()
	if before != nil && sameScript(before, script) && ps.Existing.Title == sc.Title {
		return sc, rev, nil // nothing changed
	}
	script.Imported = now
	sc.Script = script
	sc.Version++
	sc.Updated = now
	return sc, rev, tx.PutScene(sc)
}

func cmpOr(s, or string) string {
	if s == "" {
		return or
	}
	return s
}

// sameScript reports whether two imports say the same of a scene.
func sameScript(a, b *SceneScript) bool {
	x, y := *a, *b
	x.Imported, y.Imported = time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

func cloneProposals(ps []Proposal) []Proposal {
	out := slices.Clone(ps)
	for i := range out {
		out[i].Characters = slices.Clone(out[i].Characters)
	}
	return out
}

// mergeProposals brings a scene's proposals in line with what the script
// proposes now. A line that reads the same keeps its proposals as they
// stand (a declined one is not proposed again); a line that changed
// carries its proposals with it (a confirmed beat's is marked for the
// IC's review, a declined one is proposed again); a line gone takes its
// open proposals with it and marks a confirmed beat's for review. What
// is new is proposed.
func mergeProposals(s *SceneScript, now []breakdown.Proposal, rev *SceneRevision) {
	var oldLines, newLines []string
	for _, p := range s.Proposals {
		if p.State != ProposalGone && p.Quote != "" && !slices.Contains(oldLines, p.Quote) {
			oldLines = append(oldLines, p.Quote)
		}
	}
	lineOf := map[string]int{}
	for _, p := range now {
		if !slices.Contains(newLines, p.Quote) {
			newLines = append(newLines, p.Quote)
			lineOf[p.Quote] = p.Line
		}
	}
	moved := matchLines(oldLines, newLines)
	for i := range s.Proposals {
		p := &s.Proposals[i]
		if p.State == ProposalGone || p.Quote == "" {
			continue
		}
		to, ok := moved[p.Quote]
		switch {
		case ok && to == p.Quote:
			p.Line = lineOf[to]
		case ok:
			if p.State == ProposalConfirmed && !p.Review {
				p.Review, p.Was = true, p.Quote
			}
			if p.State == ProposalDeclined {
				p.State = ProposalOpen
			}
			p.Quote, p.Line = to, lineOf[to]
		case p.State == ProposalConfirmed:
			if !p.Review {
				p.Review, p.Was = true, p.Quote
			}
			p.Quote, p.Line = "", 0
		default:
			p.State = ProposalGone
		}
	}
	for _, was := range oldLines {
		switch to := moved[was]; {
		case to == "":
			rev.Removed = append(rev.Removed, was)
		case to != was:
			rev.Changed = append(rev.Changed, LineChange{Was: was, Now: to})
		}
	}
	for _, p := range now {
		i := slices.IndexFunc(s.Proposals, func(q Proposal) bool { return q.Quote == p.Quote && q.Flag == string(p.Kind) })
		if i >= 0 && s.Proposals[i].State == ProposalGone {
			s.Proposals[i].State, s.Proposals[i].Line = ProposalOpen, p.Line // the line is back
		}
		if i >= 0 {
			continue
		}
		s.NextProposal++
		s.Proposals = append(s.Proposals, Proposal{N: s.NextProposal, Quote: p.Quote, Line: p.Line, Flag: string(p.Kind), Kind: kindOf(p.Kind),
			Characters: slices.Clone(p.Characters), Rule: p.Rule, State: ProposalOpen})
	}
	for _, line := range newLines {
		if !slices.ContainsFunc(oldLines, func(o string) bool { return moved[o] == line }) {
			rev.Added = append(rev.Added, line)
		}
	}
	for _, p := range s.Proposals {
		if p.Review {
			rev.Review = append(rev.Review, p)
		}
	}
}

// matchLines pairs the old lines with the new: a line that reads the same
// with itself, then each old line with the new one that shares the most
// of its words (at least two, and most of the shorter line's), taken in
// order. An old line without a pair is gone.
func matchLines(old, now []string) map[string]string {
	out := map[string]string{}
	used := map[string]bool{}
	for _, o := range old {
		if slices.Contains(now, o) {
			out[o], used[o] = o, true
		}
	}
	for _, o := range old {
		if _, ok := out[o]; ok {
			continue
		}
		best, bestScore := "", 0.0
		for _, n := range now {
			if used[n] {
				continue
			}
			if s := overlap(o, n); s > bestScore {
				best, bestScore = n, s
			}
		}
		if best != "" && bestScore >= 0.6 {
			out[o], used[best] = best, true
		}
	}
	return out
}

// overlap is how much of the shorter line's words the longer shares, 0
// when they share fewer than two.
func overlap(a, b string) float64 {
	wa, wb := words(a), words(b)
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	if common < 2 {
		return 0
	}
	return float64(common) / float64(min(len(wa), len(wb)))
}

func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[w] = true
	}
	return out
}
