package bot

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// beatKey matches the beat keys of /boundaries answer (b1=yes).
var beatKey = regexp.MustCompile(`^b[0-9]+$`)

// latestBoundaries returns a performer's latest boundaries, or nil.
func latestBoundaries(tx Tx, sc SceneID, p UserID) (*Boundaries, error) {
	bd, err := tx.Boundaries(sc, p)
	switch {
	case err == nil:
		return &bd, nil
	case ErrorCode(err) == ENOTFOUND:
		return nil, nil
	}
	return nil, err
}

// performerArgs reads optional "@a @b" naming performers of the scene;
// none means all of them.
func performerArgs(in *input, tx Tx, sc *Scene) ([]Person, error) {
	var out []Person
	for len(in.args) > 0 {
		a, _ := in.optional()
		p, err := in.person(tx, a.Value, false)
		if err != nil {
			return nil, err
		}
		if !sc.IsPerformer(p.ID) {
			return nil, Errorf(EINVALID, "%s does not perform in scene %s", p.Handle(), sc.ID)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return peopleOf(tx, sc.Performers)
	}
	return out, nil
}

func runBoundariesRequest(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	ps, err := performerArgs(in, tx, &sc)
	if err != nil {
		return err
	}
	if len(sc.Beats) == 0 {
		return Errorf(ECONFLICT, "Scene %s has no intimacy beats yet: add them with /scene beat add %s \"description\" kind=KIND.", sc.ID, sc.ID)
	}
	var asked []Person
	for _, p := range ps {
		if beats := beatsOf(&sc, p.ID); len(beats) > 0 {
			if err := requestBoundaries(in, tx, &sc, p.ID, beats); err != nil {
				return err
			}
			asked = append(asked, p)
		}
	}
	if len(asked) == 0 {
		return Errorf(ECONFLICT, "No beat of scene %s involves %s.", sc.ID, handles(ps))
	}
	// From now on the IC's beat edits reach the performers.
	if sc.Asking.Since.IsZero() {
		sc.Asking.Since = in.now
	}
	sc.Version++
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "boundaries.request", sc.ID, "boundaries requested from %d performer(s) for scene %s", len(asked), sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Asked %s, privately, for their boundaries for scene %s.", handles(asked), sc.ID)
	return nil
}

// ownBoundaries loads the scene a performer answers for and their latest
// boundaries for it (nil before their first answer).
func ownBoundaries(in *input, tx Tx) (Scene, *Boundaries, error) {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return sc, nil, err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return sc, nil, err
	}
	if !sc.IsPerformer(in.caller.ID) {
		return sc, nil, Errorf(EFORBIDDEN, "Only the performers of scene %s answer for it.", sc.ID)
	}
	bd, err := latestBoundaries(tx, sc.ID, in.caller.ID)
	return sc, bd, err
}

func runBoundariesForm(in *input, tx Tx) error {
	sc, bd, err := ownBoundaries(in, tx)
	if err != nil {
		return err
	}
	f := &Form{Title: "Boundaries, scene " + string(sc.ID), Command: "/boundaries answer " + string(sc.ID)}
	var usage strings.Builder
	fmt.Fprintf(&usage, "Your boundaries for scene %s; type: /boundaries answer %s", sc.ID, sc.ID)
	for _, b := range sc.Beats {
		if !b.Involves(in.caller.ID) {
			continue
		}
		c := FormChoice{Key: b.ID, Label: beatLine(b), Options: []string{string(AnswerYes), string(AnswerNo), string(AnswerDiscuss)}}
		if bd != nil {
			if a, ok := bd.answerTo(b); ok && !bd.withdrew(b.ID) {
				c.Value = string(a)
			} else if bd.withdrew(b.ID) {
				// Shown as such, so that the form does not read as if
				// never answered: a new answer replaces the withdrawal.
				c.Label += " (you withdrew your consent; answer again to give it)"
			}
		}
		f.Choices = append(f.Choices, c)
		fmt.Fprintf(&usage, " %s=yes|no|discuss", b.ID)
	}
	if len(f.Choices) == 0 {
		return Errorf(ECONFLICT, "No beat of scene %s involves you.", sc.ID)
	}
	usage.WriteString(` notes="..." garments="..." body="..."`)
	f.Texts = []FormText{
		{Key: "notes", Label: "Notes for the IC (only the IC reads them)"},
		{Key: "garments", Label: "Garments and barriers you want (costume sees these)"},
		{Key: "body", Label: "Body notes for hair and makeup (tattoos, body makeup)"},
	}
	if bd != nil {
		f.Texts[0].Value, f.Texts[1].Value, f.Texts[2].Value = bd.Notes, bd.Garments, bd.Body
	}
	for _, c := range f.Choices {
		usage.WriteString("\n  " + c.Label)
		if c.Value != "" {
			usage.WriteString(" (now: " + c.Value + ")")
		}
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "%s", usage.String())
	in.out.replies[len(in.out.replies)-1].Form = f
	return nil
}

func runBoundariesAnswer(in *input, tx Tx) error {
	sc, prev, err := ownBoundaries(in, tx)
	if err != nil {
		return err
	}
	next := nextBoundaries(&sc, in.caller.ID, prev, in.now)
	answered, err := readAnswers(in, &sc, &next)
	if err != nil {
		return err
	}
	next.Withdrawn = stillWithdrawn(&sc, in.caller.ID, next.Withdrawn, answered)
	narrowed := narrowedDuringSet(&sc, prev, &next, answered)
	if err := recordAnswers(in, tx, &sc, next); err != nil {
		return err
	}
	c := consentOf(&sc, in.caller.ID, &next)
	summary := boundariesText(&sc, &next)
	reply := fmt.Sprintf("Thank you. Your boundaries for scene %s are saved (version %d); only you and the IC can see them.\n%s", sc.ID, next.Version, summary)
	if !c.Confirmed() {
		reply += "\n" + stillOpen(c)
	}
	if len(narrowed) > 0 {
		what := strings.Join(narrowed, ", ")
		icText := fmt.Sprintf("HOLD: %s changed their answer to %s of scene %s at %s, during the closed set. The scene is on hold. Talk with them; lift the hold with /hold lift %s only when the scene may go on as agreed.\n%s",
			in.caller.Handle(), what, sc.ID, in.b.fmtClock(in.now), sc.ID, summary)
		if err := callHold(in, tx, &sc, "boundaries changed during the closed set: "+what, icText, RoleAD); err != nil {
			return err
		}
		reply += "\nThe closed set is running, so the scene is now on hold. The IC has been told and will talk with you; the AD knows only that the scene is on hold, and the top-line summary waits until the IC lifts the hold."
		in.out.replyOwn(ClassBoundaries, sc.ID, "%s", reply)
		return nil // the hold told the IC, with these answers
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "%s", reply)
	if err := tellIC(in, tx, &sc, fmt.Sprintf("%s updated their boundaries for scene %s (version %d).\n%s\nTalk with them about any no or discuss before the closed set; /boundaries status %s shows where every performer stands.", in.caller.Handle(), sc.ID, next.Version, summary, sc.ID)); err != nil {
		return err
	}
	refreshTopline(in, &sc)
	return nil
}

// nextBoundaries is the next version of a performer's boundaries for sc,
// starting from what they gave before (prev, nil for none).
func nextBoundaries(sc *Scene, performer UserID, prev *Boundaries, now time.Time) Boundaries {
	next := Boundaries{Scene: sc.ID, Performer: performer, Version: 1, At: now}
	if prev != nil {
		next.Version = prev.Version + 1
		next.Answers = slices.Clone(prev.Answers)
		next.Notes, next.Garments, next.Body = prev.Notes, prev.Garments, prev.Body
		next.Withdrawn = slices.Clone(prev.Withdrawn)
	}
	return next
}

// readAnswers puts the command's beat answers (b1=yes) and texts
// (notes=, garments=, body=) into next, and returns the beats answered.
func readAnswers(in *input, sc *Scene, next *Boundaries) ([]string, error) {
	var answered []string
	for _, key := range slices.Sorted(maps.Keys(in.named)) {
		if !beatKey.MatchString(key) {
			continue
		}
		b, ok := sc.Beat(key)
		if !ok {
			return nil, Errorf(EINVALID, "scene %s has no beat %s: /boundaries form %s lists yours", sc.ID, key, sc.ID)
		}
		if !b.Involves(in.caller.ID) {
			return nil, Errorf(EINVALID, "beat %s does not involve you", key)
		}
		a, err := ParseAnswer(in.named[key].Value)
		if err != nil {
			return nil, err
		}
		if err := in.answersSeen(sc, b); err != nil {
			return nil, err
		}
		next.Answers = slices.DeleteFunc(next.Answers, func(x BeatAnswer) bool { return x.Beat == key })
		next.Answers = append(next.Answers, BeatAnswer{Beat: key, Rev: b.Rev, Answer: a})
		answered = append(answered, key)
	}
	texts := map[string]*string{"notes": &next.Notes, "garments": &next.Garments, "body": &next.Body}
	given := 0
	for k, field := range texts {
		if v, ok := in.key(k); ok {
			given++
			*field = strings.TrimSpace(v)
		}
	}
	if len(answered) == 0 && given == 0 {
		return nil, Errorf(EINVALID, "nothing to record: give at least one beat, as in b1=yes, or notes=, garments= or body=")
	}
	slices.SortFunc(next.Answers, func(a, b BeatAnswer) int { return beatOrder(sc, a.Beat) - beatOrder(sc, b.Beat) })
	return answered, nil
}

// narrowedDuringSet lists the yes answers taken back (now no or discuss)
// while the closed set runs, which stop the scene as a withdrawal does:
// "b1 (now no)".
func narrowedDuringSet(sc *Scene, prev, next *Boundaries, answered []string) []string {
	if prev == nil || !sc.Filming() {
		return nil
	}
	var narrowed []string
	for _, id := range answered {
		b, _ := sc.Beat(id)
		was, ok := prev.answerTo(b)
		now, _ := next.answerTo(b)
		if ok && was == AnswerYes && now != AnswerYes {
			narrowed = append(narrowed, fmt.Sprintf("%s (now %s)", id, now))
		}
	}
	return narrowed
}

// recordAnswers stores next with its audit record; news of the scene's
// beats still waiting for the performer is written again to ask only
// what is still open.
func recordAnswers(in *input, tx Tx, sc *Scene, next Boundaries) error {
	if err := tx.AddBoundaries(next); err != nil {
		return err
	}
	changed, err := answeredMeanwhile(in, tx, sc, in.caller.ID)
	if err != nil {
		return err
	}
	if len(endExploreOnNo(in, sc, &next)) > 0 {
		changed = true
	}
	if changed {
		sc.Version++
		if err := tx.PutScene(*sc); err != nil {
			return err
		}
	}
	return in.audit(tx, "boundaries.answer", sc.ID, "boundaries of %s for scene %s: version %d", personRef(in.caller.ID), sc.ID, next.Version)
}

// beatOrder is a beat's position in the scene, for sorting answers.
func beatOrder(sc *Scene, id string) int {
	return slices.IndexFunc(sc.Beats, func(b Beat) bool { return b.ID == id })
}

// stillWithdrawn is what stays withdrawn once the performer has answered
// some beats again: a withdrawal of everything becomes the list of the
// beats not answered anew.
func stillWithdrawn(sc *Scene, performer UserID, withdrawn, answered []string) []string {
	if slices.Contains(withdrawn, "*") {
		withdrawn = nil
		for _, b := range sc.Beats {
			if b.Involves(performer) {
				withdrawn = append(withdrawn, b.ID)
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(withdrawn), func(id string) bool { return slices.Contains(answered, id) })
}

// stillOpen says what a performer has left to do.
func stillOpen(c consentState) string {
	var parts []string
	if len(c.Missing) > 0 {
		parts = append(parts, "not yet answered: "+strings.Join(c.Missing, ", "))
	}
	if len(c.Discuss) > 0 {
		parts = append(parts, "to discuss with the IC: "+strings.Join(c.Discuss, ", "))
	}
	if len(c.Withdrawn) > 0 {
		parts = append(parts, "withdrawn: "+strings.Join(c.Withdrawn, ", "))
	}
	return "Still open: " + strings.Join(parts, "; ") + "."
}

// boundariesText shows one version of a performer's boundaries, for the
// performer and the IC only.
func boundariesText(sc *Scene, bd *Boundaries) string {
	var b strings.Builder
	for _, bt := range sc.Beats {
		if !bt.Involves(bd.Performer) {
			continue
		}
		ans := "not answered"
		if a, ok := bd.answerTo(bt); ok {
			ans = string(a)
		} else if slices.ContainsFunc(bd.Answers, func(x BeatAnswer) bool { return x.Beat == bt.ID }) {
			ans = "not answered since the beat changed"
		}
		if bd.withdrew(bt.ID) {
			ans = "WITHDRAWN"
		}
		fmt.Fprintf(&b, "  %s  %s [%s]: %s\n", bt.ID, bt.Description, bt.Kind, ans)
	}
	for _, f := range []struct{ label, v string }{{"Notes", bd.Notes}, {"Garments and barriers", bd.Garments}, {"Body notes", bd.Body}} {
		if f.v != "" {
			fmt.Fprintf(&b, "  %s: %s\n", f.label, f.v)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// tellIC sends every IC a notice about a performer's private data.
func tellIC(in *input, tx Tx, sc *Scene, text string) error {
	ics, err := holders(tx, RoleIC)
	if err != nil {
		return err
	}
	for _, ic := range ics {
		if ic.ID != in.caller.ID {
			in.out.dm(ic.ID, ClassBoundaries, sc.ID, in.caller.ID, text)
		}
	}
	return nil
}

func runBoundariesShow(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	var ps []Person
	if in.caller.Has(RoleIC) {
		if ps, err = performerArgs(in, tx, &sc); err != nil {
			return err
		}
	} else {
		if err := onlyOwn(in, tx, &sc); err != nil {
			return err
		}
		ps = []Person{in.caller}
	}
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		bd, err := latestBoundaries(tx, sc.ID, p.ID)
		if err != nil {
			return err
		}
		if bd == nil {
			fmt.Fprintf(&b, "%s: no answers yet for scene %s.", p.Handle(), sc.ID)
			continue
		}
		fmt.Fprintf(&b, "%s, scene %s, version %d of %s:\n%s", p.Handle(), sc.ID, bd.Version, in.b.fmtTime(bd.At), boundariesText(&sc, bd))
	}
	if in.caller.Has(RoleIC) {
		in.out.reply(ClassBoundaries, sc.ID, "%s", b.String())
	} else {
		in.out.replyOwn(ClassBoundaries, sc.ID, "%s", b.String())
	}
	return nil
}

// onlyOwn reads the performers named to /boundaries show by someone who
// is not the IC: they may name themselves, and nobody else. Anyone else
// named, known to icbot or not, is refused alike.
func onlyOwn(in *input, tx Tx, sc *Scene) error {
	for len(in.args) > 0 {
		a, _ := in.optional()
		p, err := in.person(tx, a.Value, false)
		switch {
		case err == nil && p.ID == in.caller.ID:
			continue
		case err == nil, ErrorCode(err) == ENOTFOUND:
			return Errorf(EFORBIDDEN, "Only the IC sees another performer's answers; you can see your own with /boundaries show %s.", sc.ID)
		}
		return err
	}
	return nil
}

func runBoundariesStatus(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	rd, err := in.b.readinessOf(tx, &sc, in.now)
	if err != nil {
		return err
	}
	in.out.reply(ClassReadiness, sc.ID, "%s", countsText(&sc, rd))
	return nil
}

func runBoundariesWithdraw(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	if !sc.IsPerformer(in.caller.ID) {
		return Errorf(EFORBIDDEN, "Only the performers of scene %s withdraw consent for it; to pause the scene, use /hold %s.", sc.ID, sc.ID)
	}
	// A withdrawal is taken for every beat named that it can be: a typo
	// beside it must not keep a performer's no from counting. The words
	// it cannot take are told back; only when none can be taken is
	// nothing done, since withdrawing from every beat is more than asked.
	var beats, skipped []string
	for len(in.args) > 0 {
		a, _ := in.optional()
		id, err := ParseBeatID(a.Value)
		if err != nil {
			skipped = append(skipped, ErrorMessage(err))
			continue
		}
		switch b, ok := sc.Beat(id); {
		case !ok:
			skipped = append(skipped, fmt.Sprintf("scene %s has no beat %s", sc.ID, id))
		case !b.Involves(in.caller.ID):
			skipped = append(skipped, fmt.Sprintf("beat %s of scene %s does not involve you", id, sc.ID))
		default:
			beats = append(beats, id)
		}
	}
	if len(beats) == 0 && len(skipped) > 0 {
		return Errorf(EINVALID, "%s. Nothing was withdrawn: /boundaries form %s lists your beats, and /boundaries withdraw %s withdraws from all of them.",
			capitalFirst(strings.Join(skipped, "; ")), sc.ID, sc.ID)
	}
	prev, err := latestBoundaries(tx, sc.ID, in.caller.ID)
	if err != nil {
		return err
	}
	next := Boundaries{Scene: sc.ID, Performer: in.caller.ID, Version: 1, At: in.now, Withdrawn: []string{"*"}}
	if prev != nil {
		next.Version = prev.Version + 1
		next.Answers = slices.Clone(prev.Answers)
		next.Notes, next.Garments, next.Body = prev.Notes, prev.Garments, prev.Body
	}
	what := "all beats"
	if len(beats) > 0 {
		next.Withdrawn = beats
		if prev != nil {
			next.Withdrawn = append(stillWithdrawn(&sc, in.caller.ID, prev.Withdrawn, nil), beats...)
			slices.Sort(next.Withdrawn)
			next.Withdrawn = slices.Compact(next.Withdrawn)
		}
		what = strings.Join(beats, ", ")
	}
	if err := tx.AddBoundaries(next); err != nil {
		return err
	}
	if len(endExploreOnNo(in, &sc, &next)) > 0 {
		sc.Version++
		sc.Updated = in.now
		if err := tx.PutScene(sc); err != nil {
			return err
		}
	}
	if err := in.audit(tx, "boundaries.withdraw", sc.ID, "consent withdrawn for scene %s (boundaries version %d)", sc.ID, next.Version); err != nil {
		return err
	}
	icText := fmt.Sprintf("CONSENT WITHDRAWN: %s withdrew consent to %s of scene %s at %s. The scene is on hold. Talk with them; lift the hold with /hold lift %s only when the scene may go on as agreed.\n%s",
		in.caller.Handle(), what, sc.ID, in.b.fmtClock(in.now), sc.ID, boundariesText(&sc, &next))
	if err := callHold(in, tx, &sc, "consent withdrawn: "+what, icText, RoleAD); err != nil {
		return err
	}
	reply := fmt.Sprintf("Your withdrawal of consent to %s of scene %s is recorded, and the scene is on hold. The IC has been told and will talk with you; the AD knows only that the scene is on hold, and the top-line summary waits until the IC lifts the hold.", what, sc.ID)
	if len(skipped) > 0 {
		reply += fmt.Sprintf(" Not taken: %s.", strings.Join(skipped, "; "))
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "%s", reply)
	return nil
}

// answersSeen refuses an answer to a beat that changed after the
// performer was last told of it: the news of the change is still
// waiting (it goes within five minutes), so a yes typed from an older
// form or message would be a yes to what they have not read. seen=b1:2
// says they have read revision 2, as the refusal shows it.
func (in *input) answersSeen(sc *Scene, b Beat) error {
	if seen, ok := in.key("seen"); ok {
		for _, part := range strings.Split(seen, ",") {
			id, rev, _ := strings.Cut(strings.TrimSpace(part), ":")
			if strings.EqualFold(id, b.ID) {
				if rev != strconv.Itoa(b.Rev) {
					return Errorf(ECONFLICT, "Beat %s of scene %s is at revision %d, not %s: it now reads %q. Nothing was saved. "+
						"If you agree to it as it stands, answer with /boundaries answer %s %s=yes seen=%s:%d (or no, or discuss).", b.ID, sc.ID, b.Rev, rev, beatText(b), sc.ID, b.ID, b.ID, b.Rev)
				}
				return nil
			}
		}
	}
	if changeNotYetTold(sc, in.caller.ID, b.ID, in.now) {
		return Errorf(ECONFLICT, "Beat %s of scene %s changed, and the news of it has not reached you yet: it now reads %q. Nothing was saved. "+
			"If you agree to it as it stands, answer with /boundaries answer %s %s=yes seen=%s:%d (or no, or discuss).", b.ID, sc.ID, beatText(b), sc.ID, b.ID, b.ID, b.Rev)
	}
	return nil
}

// changeNotYetTold reports whether beat id of sc changed after performer
// p was asked about it, and the news of the change is still waiting to
// reach them: what they saw of the beat is not what it now says.
func changeNotYetTold(sc *Scene, p UserID, id string, now time.Time) bool {
	return slices.ContainsFunc(sc.Asking.News, func(n BeatNews) bool {
		return n.Performer == p && n.Due.After(now) &&
			slices.ContainsFunc(n.Changes, func(c BeatChange) bool { return c.Beat == id && c.What == BeatChanged })
	})
}
