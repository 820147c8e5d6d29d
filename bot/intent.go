package bot

import (
	"fmt"
	"strings"
)

// The director's intent for a scene, and each beat's camera and coverage,
// conditions, and props and stunts notes. Each has its own class in the
// need-to-know table: the intent and the coverage are for those who read
// the top-line summary (the scene's performers among them) and the
// coverage for the camera department too; the props and stunts notes for
// their department and the AD. The IC reads them all.

// runSceneIntent writes down the director's intent for a scene. The
// director and the IC write it: it is the director's, in their own words
// or in the IC's after their conversation; nobody else speaks for the
// director. It may change at any time, during a closed set too: it is
// not something performers answer, so it widens nothing.
func runSceneIntent(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	a, err := in.next(`the director's intent, in quotes`)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	text := strings.TrimSpace(a.Value)
	if text == "" {
		return Errorf(EINVALID, "the director's intent cannot be empty: /scene intent %s \"what the scene is for\"", sc.ID)
	}
	if err := checkText(textRules["intent"], text); err != nil {
		return err
	}
	if text == sc.Intent.Text {
		in.out.reply(ClassCrew, sc.ID, "The director's intent for scene %s already reads so: nothing changed.", sc.ID)
		return nil
	}
	sc.Intent = Intent{Text: text, By: in.caller.ID, At: in.now}
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	// The audit names who wrote it, never what it says.
	if err := in.audit(tx, "scene.intent", sc.ID, "director's intent for scene %s written", sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassIntent, sc.ID, "Director's intent for scene %s recorded:\n  %s\nThe scene's performers, the AD, director and producer read it with /scene show %s.", sc.ID, text, sc.ID)
	return nil
}

// mayRead reports whether the caller may read a class of information
// about sc: the gate's own rule, asked before a reply is written so that
// a reply holds only what its reader may have.
func (in *input) mayRead(c Class, sc *Scene) bool {
	return in.b.gate.mayRead(in.caller, c, about{scene: sc}, "")
}

// sceneExtras are the parts of /scene show beyond the card, each with its
// own class, for a caller who may read them.
func (in *input) sceneExtras(sc *Scene) {
	if sc.Intent.Text != "" && in.mayRead(ClassIntent, sc) {
		in.out.reply(ClassIntent, sc.ID, "Director's intent for scene %s:\n  %s", sc.ID, sc.Intent.Text)
	}
	sections := []struct {
		class Class
		head  string
		lines func(Beat) []string
	}{
		{ClassCoverage, "Camera, coverage and conditions", coverageLines},
		{ClassPropsNotes, "Props notes", func(b Beat) []string { return noteLine("props", b.Props) }},
		{ClassStuntsNotes, "Stunts notes", func(b Beat) []string { return noteLine("stunts", b.Stunts) }},
	}
	for _, s := range sections {
		if !in.mayRead(s.class, sc) {
			continue
		}
		if text := beatNotes(sc, s.head, s.lines); text != "" {
			in.out.reply(s.class, sc.ID, "%s", text)
		}
	}
}

// beatNotes lists what lines says of each beat under head; "" when it
// says nothing of any.
func beatNotes(sc *Scene, head string, lines func(Beat) []string) string {
	var s strings.Builder
	for _, b := range sc.Beats {
		ls := lines(b)
		if len(ls) == 0 {
			continue
		}
		fmt.Fprintf(&s, "\n  %s  %s", b.ID, b.Description)
		for _, l := range ls {
			fmt.Fprintf(&s, "\n    %s", l)
		}
	}
	if s.Len() == 0 {
		return ""
	}
	return fmt.Sprintf("%s, scene %s:%s", head, sc.ID, s.String())
}

func coverageLines(b Beat) []string {
	return append(noteLine("camera", b.Camera), noteLine("conditions", b.Conditions)...)
}

func noteLine(name, v string) []string {
	if v == "" {
		return nil
	}
	return []string{name + ": " + indentLines(v)}
}

// indentLines keeps a note of several lines under its label.
func indentLines(s string) string {
	return strings.ReplaceAll(s, "\n", "\n      ")
}

// beatEdit is what /scene beat set changes, for deciding whether the
// edit widens the beat.
type beatEdit struct {
	// scope: description, kind, areas or performers, which always widen.
	scope []string
	// coverage: camera or conditions that changed, which widen when they
	// show more, as the IC says.
	coverage []string
	// notes: props or stunts, which never widen by themselves.
	notes []string
}

// editOf compares the beat before and after an edit.
func (in *input) editOf(desc string, before, after Beat) beatEdit {
	var e beatEdit
	if desc != "" {
		e.scope = append(e.scope, "description")
	}
	for _, k := range []string{"kind", "areas", "performers"} {
		if _, ok := in.key(k); ok {
			e.scope = append(e.scope, k)
		}
	}
	if before.Camera != after.Camera {
		e.coverage = append(e.coverage, "camera")
	}
	if before.Conditions != after.Conditions {
		e.coverage = append(e.coverage, "conditions")
	}
	if before.Props != after.Props {
		e.notes = append(e.notes, "props")
	}
	if before.Stunts != after.Stunts {
		e.notes = append(e.notes, "stunts")
	}
	return e
}

func (e beatEdit) fields() []string {
	return append(append(append([]string(nil), e.scope...), e.coverage...), e.notes...)
}

// widens decides whether an edit widens its beat: a change of what
// happens always does; a change of the camera or the conditions does
// when the IC says so (widens=yes), and icbot asks when the IC has not
// said; notes alone do not, unless the IC says so.
func (in *input) widens(sc *Scene, id string, e beatEdit) (bool, error) {
	said, told := in.key("widens")
	switch {
	case len(e.scope) > 0 && told && said == "no":
		return false, Errorf(EINVALID, "A change to the %s of beat %s always widens it: leave out widens=no. Nothing was changed.", strings.Join(e.scope, ", "), id)
	case len(e.scope) > 0:
		return true, nil
	case told:
		return said == "yes", nil
	case len(e.coverage) > 0:
		return false, Errorf(EINVALID, "Does the new %s of beat %s of scene %s show more than its performers agreed to? "+
			"icbot cannot tell. Run the command again with widens=yes (their answers to it stop counting and signed riders need amendment) "+
			"or widens=no (their answers still count). Nothing was changed.", strings.Join(e.coverage, " and "), id, sc.ID)
	}
	return false, nil
}
