package bot

import (
	"fmt"
	"slices"
	"strings"
)

// Each beat's choreography: contact points, timing, breath and eyelines,
// in the IC's words, with optional steps in order. The IC writes it; the
// IC, the director who stages the scene and the scene's performers read
// it (ClassChoreography), never a channel. Every version is kept with who
// wrote it and what it changed, so that takes can be held against the
// version rehearsed. Choreography says how a beat is done, not what the
// performers agree to: a change to what happens is /scene beat set.

// Bounds of the choreography's texts, as textRules bounds other notes.
var (
	choreoRule = textRule{what: "the choreography", max: 2000, lines: true}
	stepsRule  = textRule{what: "steps=", max: 2000, lines: true}
	stepRule   = textRule{what: "each step", max: 300}
)

// maxSteps bounds the steps of one version.
const maxSteps = 40

// sceneBeat reads the next word as a beat of sc and returns its index.
func (in *input) sceneBeat(sc *Scene) (int, error) {
	word, err := in.next("beat id")
	if err != nil {
		return 0, err
	}
	id, err := ParseBeatID(word.Value)
	if err != nil {
		return 0, err
	}
	i := slices.IndexFunc(sc.Beats, func(b Beat) bool { return b.ID == id })
	if i < 0 {
		return 0, Errorf(ENOTFOUND, "Scene %s has no beat %s (it was removed, or never added): /scene show %s lists its beats.", sc.ID, id, sc.ID)
	}
	return i, nil
}

// parseSteps reads steps="one; two" into the steps in order; empty when
// the value is empty.
func parseSteps(v string) ([]string, error) {
	if err := checkText(stepsRule, v); err != nil {
		return nil, err
	}
	var steps []string
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if err := checkText(stepRule, s); err != nil {
			return nil, Errorf(EINVALID, "step %d is too long or not plain text: %s", len(steps)+1, ErrorMessage(err))
		}
		steps = append(steps, s)
	}
	if len(steps) > maxSteps {
		return nil, Errorf(EINVALID, "steps= holds %d steps, at most %d: keep the finer detail in the text.", len(steps), maxSteps)
	}
	return steps, nil
}

// choreoArgs reads /choreo set's scene, beat, text and steps=, and
// refuses them, changing nothing, when they are not what it takes.
func choreoArgs(in *input, tx Tx) (Scene, int, ChoreoVersion, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return sc, 0, ChoreoVersion{}, err
	}
	i, err := in.sceneBeat(&sc)
	if err != nil {
		return sc, 0, ChoreoVersion{}, err
	}
	a, err := in.next(`the choreography, in quotes`)
	if err != nil {
		return sc, 0, ChoreoVersion{}, err
	}
	if err := in.done(); err != nil {
		return sc, 0, ChoreoVersion{}, err
	}
	v := ChoreoVersion{Text: strings.TrimSpace(a.Value)}
	if v.Text == "" {
		return sc, 0, v, Errorf(EINVALID, "the choreography cannot be empty: /choreo set %s %s \"contact points, timing, breath, eyelines\"", sc.ID, sc.Beats[i].ID)
	}
	if err := checkText(choreoRule, v.Text); err != nil {
		return sc, 0, v, err
	}
	cur, had := sc.Beats[i].Choreography()
	v.Steps = cur.Steps
	if raw, ok := in.key("steps"); ok {
		if v.Steps, err = parseSteps(raw); err != nil {
			return sc, 0, v, err
		}
	}
	if !had {
		v.Changed = []string{"text"}
		if len(v.Steps) > 0 {
			v.Changed = append(v.Changed, "steps")
		}
		return sc, i, v, nil
	}
	if v.Text != cur.Text {
		v.Changed = append(v.Changed, "text")
	}
	if !slices.Equal(v.Steps, cur.Steps) {
		v.Changed = append(v.Changed, "steps")
	}
	return sc, i, v, nil
}

// runChoreoSet writes a new version of a beat's choreography. The IC
// writes it, at any time: it widens nothing, so it may change during a
// closed set too, and takes name the version they were held against.
func runChoreoSet(in *input, tx Tx) error {
	sc, i, v, err := choreoArgs(in, tx)
	if err != nil {
		return err
	}
	b := &sc.Beats[i]
	if len(v.Changed) == 0 {
		in.out.reply(ClassCrew, sc.ID, "The choreography of beat %s of scene %s already reads so: nothing changed.", b.ID, sc.ID)
		return nil
	}
	v.Version, v.By, v.At = len(b.Choreo)+1, in.caller.ID, in.now
	b.Choreo = append(b.Choreo, v)
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	// The audit says who changed which part, never what it says.
	if err := in.audit(tx, "choreo.set", sc.ID, "choreography of beat %s of scene %s: version %d (%s)", b.ID, sc.ID, v.Version, strings.Join(v.Changed, ", ")); err != nil {
		return err
	}
	in.out.reply(ClassChoreography, sc.ID, "Choreography of beat %s of scene %s: version %d (changed: %s).\n%s\nThe scene's performers and the director read it with /choreo show %s %s.",
		b.ID, sc.ID, v.Version, strings.Join(v.Changed, ", "), choreoText(v), sc.ID, b.ID)
	return nil
}

// runChoreoShow shows a beat's choreography, or every version of it with
// all, to those who may read it.
func runChoreoShow(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	if !in.mayRead(ClassChoreography, &sc) {
		return Errorf(EFORBIDDEN, "Only the IC, the director and the performers of scene %s read its choreography.", sc.ID)
	}
	i, err := in.sceneBeat(&sc)
	if err != nil {
		return err
	}
	all := false
	if a, ok := in.optional(); ok {
		if a.Quoted || !strings.EqualFold(a.Value, "all") {
			return Errorf(EINVALID, "unexpected %q: add all to see every version", a.Value)
		}
		all = true
	}
	if err := in.done(); err != nil {
		return err
	}
	b := sc.Beats[i]
	cur, ok := b.Choreography()
	if !ok {
		in.out.reply(ClassChoreography, sc.ID, "Beat %s of scene %s (%s) has no choreography yet. The IC writes it with /choreo set %s %s \"...\".", b.ID, sc.ID, b.Description, sc.ID, b.ID)
		return nil
	}
	if !all {
		by, err := personOf(tx, cur.By)
		if err != nil {
			return err
		}
		in.out.reply(ClassChoreography, sc.ID, "Choreography of beat %s of scene %s (%s), version %d, by %s, %s:\n%s",
			b.ID, sc.ID, b.Description, cur.Version, by.Handle(), in.b.fmtTime(cur.At), choreoText(cur))
		return nil
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Choreography of beat %s of scene %s (%s), every version, oldest first:", b.ID, sc.ID, b.Description)
	for _, v := range b.Choreo {
		by, err := personOf(tx, v.By)
		if err != nil {
			return err
		}
		fmt.Fprintf(&s, "\nVersion %d, %s, %s changed %s:\n%s", v.Version, in.b.fmtTime(v.At), by.Handle(), strings.Join(v.Changed, " and "), choreoText(v))
	}
	in.out.reply(ClassChoreography, sc.ID, "%s", s.String())
	return nil
}

// choreoText is a version's text and its steps, indented.
func choreoText(v ChoreoVersion) string {
	s := "  " + indentLines(v.Text)
	for n, st := range v.Steps {
		s += fmt.Sprintf("\n    %d. %s", n+1, st)
	}
	return s
}
