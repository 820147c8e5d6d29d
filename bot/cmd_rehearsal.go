package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Rehearsals and exploratory beats. A beat is rehearsed only with the
// performers present who have agreed to it (a yes to its current
// revision, not withdrawn), or, when the IC has marked it exploratory,
// who gave their own consent to explore it at that revision. A rehearsal
// is recorded (ClassRehearsal: the IC, the director and the scene's
// performers) and each performer present is asked to confirm the record
// or say what is wrong with it. A performer's consent to explore, and
// their note of what is wrong, are theirs and the IC's (ClassBoundaries).

// changesRule bounds what a rehearsal changed, as other notes are.
var changesRule = textRule{what: "changes=", max: 2000, lines: true}

// stance is where a performer stands on a beat, for rehearsing it.
type stance int

const (
	undecided stance = iota // not answered, or wants to discuss
	agreed                  // a yes to the beat as it stands
	declined                // a no to it as it stands, or consent withdrawn
)

// stanceOn is where performer p stands on beat b, from their latest
// answers. A no or a withdrawal is theirs to change: consent to explore
// does not outweigh it.
func stanceOn(tx Tx, sc *Scene, p UserID, b Beat) (stance, error) {
	bd, err := latestBoundaries(tx, sc.ID, p)
	if err != nil || bd == nil {
		return undecided, err
	}
	if bd.withdrew(b.ID) {
		return declined, nil
	}
	switch a, ok := bd.answerTo(b); {
	case !ok || a == AnswerDiscuss:
		return undecided, nil
	case a == AnswerYes:
		return agreed, nil
	}
	return declined, nil
}

// runRehearsalExplore marks a beat exploratory, or unmarks it. Unmarking
// drops the performers' consents to explore it: marked again, it needs
// them given again.
func runRehearsalExplore(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	i, err := in.sceneBeat(&sc)
	if err != nil {
		return err
	}
	a, err := in.next("on or off")
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	on := strings.EqualFold(a.Value, "on")
	if !on && !strings.EqualFold(a.Value, "off") {
		return Errorf(EINVALID, "%s is not on or off: /rehearsal explore %s %s on|off", quote(a.Value), sc.ID, sc.Beats[i].ID)
	}
	b := &sc.Beats[i]
	if b.Exploratory == on {
		in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s is already %s: nothing changed.", b.ID, sc.ID, exploratoryWord(on))
		return nil
	}
	b.Exploratory = on
	b.Explore = nil
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "rehearsal.explore", sc.ID, "beat %s of scene %s marked %s", b.ID, sc.ID, exploratoryWord(on)); err != nil {
		return err
	}
	if !on {
		in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s is no longer exploratory: it is rehearsed only with the performers who agreed to it. Consents to explore it were dropped.", b.ID, sc.ID)
		return nil
	}
	for _, p := range involvedPerformers(&sc, *b) {
		in.out.dm(p, ClassSceneDetail, sc.ID, p, fmt.Sprintf(
			"The IC marked beat %s of scene %s (%s) exploratory: it may be rehearsed before you agree to it, but only with your own consent to explore it. "+
				"Give it, if you wish, with /rehearsal consent %s %s rev=%d; take it back at any time with /rehearsal consent %s %s withdraw. Only you and the IC see it.\n  %s",
			b.ID, sc.ID, sc.Title, sc.ID, b.ID, b.Rev, sc.ID, b.ID, askLines(*b, "")))
		in.out.withActions(Action{Label: "Consent to explore", Command: fmt.Sprintf("/rehearsal consent %s %s rev=%d", sc.ID, b.ID, b.Rev)})
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s is exploratory: a performer who has not agreed to it may rehearse it with their own consent to explore it (/rehearsal consent %s %s). Its performers were told.", b.ID, sc.ID, sc.ID, b.ID)
	return nil
}

func exploratoryWord(on bool) string {
	if on {
		return "exploratory"
	}
	return "not exploratory"
}

// runRehearsalConsent records, or takes back, a performer's own consent
// to explore a beat at its current revision. Nobody gives it for them.
func runRehearsalConsent(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	i, err := in.sceneBeat(&sc)
	if err != nil {
		return err
	}
	withdraw := false
	if a, ok := in.optional(); ok {
		if a.Quoted || !strings.EqualFold(a.Value, "withdraw") {
			return Errorf(EINVALID, "unexpected %q: add withdraw to take your consent back", a.Value)
		}
		withdraw = true
	}
	if err := in.done(); err != nil {
		return err
	}
	b := &sc.Beats[i]
	if !b.Involves(in.caller.ID) {
		return Errorf(EFORBIDDEN, "Beat %s of scene %s does not involve you: only its own performers consent to explore it.", b.ID, sc.ID)
	}
	had := b.MayExplore(in.caller.ID)
	b.Explore = slices.DeleteFunc(b.Explore, func(c ExploreConsent) bool { return c.Performer == in.caller.ID })
	if withdraw {
		return exploreWithdrawn(in, tx, &sc, *b, had)
	}
	if !b.Exploratory {
		return Errorf(ECONFLICT, "Beat %s of scene %s is not exploratory: it is rehearsed only once you agree to it (/boundaries form %s). Ask the IC if you would like to explore it first.", b.ID, sc.ID, sc.ID)
	}
	if rev, ok := in.key("rev"); ok {
		if n, err := strconv.Atoi(rev); err != nil || n < 1 || n > b.Rev {
			return Errorf(EINVALID, "rev=%s is not a revision of beat %s of scene %s, which is at revision %d: leave rev= out, or use the one its button names.", rev, b.ID, sc.ID, b.Rev)
		}
	}
	if _, ok := in.key("rev"); !ok && changeNotYetTold(&sc, in.caller.ID, b.ID, in.now) {
		// Typed from the message that asked, before the news of an edit
		// reached them: they consent to what they read, not to this.
		return Errorf(ECONFLICT, "Beat %s of scene %s changed, and the news of it has not reached you yet: it now reads %q. Nothing was recorded. "+
			"If you consent to explore it as it stands, run /rehearsal consent %s %s rev=%d.", b.ID, sc.ID, beatText(*b), sc.ID, b.ID, b.Rev)
	}
	if rev, ok := in.key("rev"); ok && rev != strconv.Itoa(b.Rev) {
		// A button, or a line typed from a message, shows the beat as it
		// was: consent is to the beat as it stands, which they may not
		// have seen.
		return Errorf(ECONFLICT, "Beat %s of scene %s has changed since you were shown it: it now reads %q. Nothing was recorded. "+
			"If you consent to explore it as it stands, run /rehearsal consent %s %s rev=%d.", b.ID, sc.ID, beatText(*b), sc.ID, b.ID, b.Rev)
	}
	if had {
		in.out.replyOwn(ClassBoundaries, sc.ID, "You already consented to explore beat %s of scene %s as it stands: nothing changed.", b.ID, sc.ID)
		return nil
	}
	b.Explore = append(b.Explore, ExploreConsent{Performer: in.caller.ID, Rev: b.Rev, At: in.now})
	if err := putExplore(in, tx, &sc, *b, "given"); err != nil {
		return err
	}
	st, err := stanceOn(tx, &sc, in.caller.ID, *b)
	if err != nil {
		return err
	}
	stands := ""
	if st == declined {
		stands = fmt.Sprintf("\nYour no to beat %s, or your withdrawal, still stands over it: while it does, the beat is not rehearsed with you, whatever this consent says.", b.ID)
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "Your consent to explore beat %s of scene %s in rehearsal is recorded, for the beat as it stands now: %q. Only you and the IC see it. "+
		"It ends if the beat changes. Take it back at any time with /rehearsal consent %s %s withdraw.%s", b.ID, sc.ID, beatText(*b), sc.ID, b.ID, stands)
	return tellIC(in, tx, &sc, fmt.Sprintf("%s consents to explore beat %s of scene %s (%s) in rehearsal, before agreeing to it.", in.caller.Handle(), b.ID, sc.ID, b.Description))
}

// exploreWithdrawn takes back a performer's consent to explore a beat.
func exploreWithdrawn(in *input, tx Tx, sc *Scene, b Beat, had bool) error {
	if !had {
		in.out.replyOwn(ClassBoundaries, sc.ID, "You have no consent to explore beat %s of scene %s to take back: nothing changed.", b.ID, sc.ID)
		return nil
	}
	if err := putExplore(in, tx, sc, b, "withdrawn"); err != nil {
		return err
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "Your consent to explore beat %s of scene %s is taken back: it is not rehearsed with you until you agree to it, or consent again.", b.ID, sc.ID)
	return tellIC(in, tx, sc, fmt.Sprintf("%s took back their consent to explore beat %s of scene %s (%s): do not rehearse it with them.", in.caller.Handle(), b.ID, sc.ID, b.Description))
}

// putExplore stores beat b's consents to explore it.
func putExplore(in *input, tx Tx, sc *Scene, b Beat, what string) error {
	i := slices.IndexFunc(sc.Beats, func(x Beat) bool { return x.ID == b.ID })
	sc.Beats[i] = b
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(*sc); err != nil {
		return err
	}
	return in.audit(tx, "rehearsal.consent", sc.ID, "consent of %s to explore beat %s of scene %s %s", personRef(in.caller.ID), b.ID, sc.ID, what)
}

// rehearsalArgs are what /rehearsal log was given.
type rehearsalArgs struct {
	beats   []Beat
	present []Person
	changes string
}

// logArgs reads /rehearsal log's beats, present= and changes=.
func logArgs(in *input, tx Tx, sc *Scene) (rehearsalArgs, error) {
	var r rehearsalArgs
	for len(in.args) > 0 {
		if a := in.args[0]; !a.Quoted && strings.HasPrefix(a.Value, "@") {
			// "present=@paula, @pete": the space ended present=.
			return r, Errorf(EINVALID, "%s is not a beat id: present= takes names joined by commas, without spaces, as in present=@paula,@pete", quote(a.Value))
		}
		i, err := in.sceneBeat(sc)
		if err != nil {
			return r, err
		}
		if !slices.ContainsFunc(r.beats, func(b Beat) bool { return b.ID == sc.Beats[i].ID }) {
			r.beats = append(r.beats, sc.Beats[i])
		}
	}
	if len(r.beats) == 0 {
		return r, Errorf(EINVALID, "missing the beats rehearsed: /rehearsal log %s b1 b2 present=@a,@b", sc.ID)
	}
	list, ok := in.key("present")
	if !ok || strings.TrimSpace(list) == "" {
		return r, Errorf(EINVALID, "missing present=: name who was there, as in present=@a,@b")
	}
	var err error
	if r.present, err = in.people(tx, list); err != nil {
		return r, err
	}
	for _, p := range r.present {
		// A performer who is not in the scene has answered nothing about
		// its beats: rehearsing them with the scene would skip the check.
		if p.Has(RolePerformer) && !sc.IsPerformer(p.ID) {
			return r, Errorf(ECONFLICT, "%s is not a performer of scene %s, so has agreed to none of its beats: a rehearsal of them is with the scene's own performers. "+
				"Add them to the scene first (/scene set %s performers=...) and ask for their boundaries. Nothing was changed.", p.Handle(), sc.ID, sc.ID)
		}
	}
	if !slices.ContainsFunc(r.present, func(p Person) bool { return sc.IsPerformer(p.ID) }) {
		return r, Errorf(EINVALID, "present= names no performer of scene %s: a rehearsal's record is the performers' to confirm.", sc.ID)
	}
	r.changes, _ = in.key("changes")
	r.changes = strings.TrimSpace(r.changes)
	return r, checkText(changesRule, r.changes)
}

// unagreed is a present performer who has not agreed to a beat.
type unagreed struct {
	beat      Beat
	performer Person
	declined  bool // said no, or withdrew
}

// rehearsable checks each beat against the performers present who are
// in it: every one must have agreed to it, or consented to explore it
// when it is exploratory. It returns the beats each performer explored,
// and those that may not be rehearsed.
func rehearsable(tx Tx, sc *Scene, r rehearsalArgs) (explored map[UserID][]string, refused []unagreed, err error) {
	explored = map[UserID][]string{}
	for _, b := range r.beats {
		for _, p := range r.present {
			if !sc.IsPerformer(p.ID) || !b.Involves(p.ID) {
				continue
			}
			st, err := stanceOn(tx, sc, p.ID, b)
			switch {
			case err != nil:
				return nil, nil, err
			case st == agreed:
			case st == undecided && b.MayExplore(p.ID):
				explored[p.ID] = append(explored[p.ID], b.ID)
			default:
				refused = append(refused, unagreed{beat: b, performer: p, declined: st == declined})
			}
		}
	}
	return explored, refused, nil
}

// refusal says why a rehearsal may not be recorded, and what to do. Who
// has not agreed is named to the IC alone: to anyone else, a performer's
// consent is theirs and the IC's.
func (in *input) refusal(sc *Scene, refused []unagreed) error {
	var beats []string
	for _, u := range refused {
		if !slices.Contains(beats, u.beat.ID) {
			beats = append(beats, u.beat.ID)
		}
	}
	if !in.caller.Has(RoleIC) {
		return Errorf(ECONFLICT, "Not recorded: beat %s of scene %s may not be rehearsed with these performers present, as not everyone present who is in it has agreed to it. Talk to the IC. Nothing was changed.",
			orList(beats), sc.ID)
	}
	var lines []string
	for _, u := range refused {
		line := fmt.Sprintf("%s has not agreed to beat %s (%s) as it stands now", u.performer.Handle(), u.beat.ID, u.beat.Description)
		switch {
		case u.declined:
			line += " and said no or withdrew, which consent to explore does not outweigh: talk with them"
		case u.beat.Exploratory:
			line += fmt.Sprintf(", nor consented to explore it: they give it themselves, if they wish, with /rehearsal consent %s %s", sc.ID, u.beat.ID)
		default:
			line += fmt.Sprintf(": ask them with /boundaries request %s, or, if they wish to explore it first, mark it exploratory with /rehearsal explore %s %s on and let them give their own consent", sc.ID, sc.ID, u.beat.ID)
		}
		lines = append(lines, line)
	}
	return Errorf(ECONFLICT, "Not recorded: %s. A beat is rehearsed only with the performers who agreed to it. Nothing was changed.", strings.Join(lines, "; "))
}

// runRehearsalLog records a rehearsal, refused when a performer present
// has not agreed to a beat rehearsed, and asks each performer present to
// confirm the record.
func runRehearsalLog(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	args, err := logArgs(in, tx, &sc)
	if err != nil {
		return err
	}
	explored, refused, err := rehearsable(tx, &sc, args)
	if err != nil {
		return err
	}
	if len(refused) > 0 {
		return in.refusal(&sc, refused)
	}
	r := Rehearsal{Seq: nextRehearsal(&sc), At: in.now, By: in.caller.ID, Changes: args.changes}
	for _, b := range args.beats {
		r.Beats = append(r.Beats, b.ID)
		if slices.ContainsFunc(args.present, func(p Person) bool { return slices.Contains(explored[p.ID], b.ID) }) {
			r.Explored = append(r.Explored, b.ID)
		}
	}
	for _, p := range args.present {
		r.Present = append(r.Present, p.ID)
	}
	sc.Rehearsals = append(sc.Rehearsals, r)
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "rehearsal.log", sc.ID, "rehearsal %d of scene %s: beats %s, %d present", r.Seq, sc.ID, strings.Join(r.Beats, ", "), len(r.Present)); err != nil {
		return err
	}
	record, err := in.rehearsalText(tx, &sc, r)
	if err != nil {
		return err
	}
	for _, p := range args.present {
		if !sc.IsPerformer(p.ID) {
			continue
		}
		own := ""
		if ids := explored[p.ID]; len(ids) > 0 {
			own = fmt.Sprintf("\n  You explored beat %s on your own consent to explore it, before agreeing to it.", orList(ids))
		}
		in.out.dm(p.ID, ClassRehearsal, sc.ID, p.ID, fmt.Sprintf("The record of a rehearsal you were at. Is it right?\n%s%s\n"+
			"Confirm it with /rehearsal confirm %s %d, or say what is wrong with /rehearsal dispute %s %d \"what is wrong\": only you and the IC read what you write.",
			record, own, sc.ID, r.Seq, sc.ID, r.Seq))
		in.out.withActions(Action{Label: "Confirm", Command: fmt.Sprintf("/rehearsal confirm %s %d", sc.ID, r.Seq)},
			Action{Label: "Something is wrong", Command: fmt.Sprintf("/rehearsal dispute %s %d", sc.ID, r.Seq)})
	}
	if len(r.Explored) > 0 && in.caller.Has(RoleIC) {
		record += "\n  Explored on the performers' own consent: " + strings.Join(r.Explored, ", ")
	}
	in.out.reply(ClassRehearsal, sc.ID, "Recorded.\n%s\nThe performers present were asked to confirm it.", record)
	return nil
}

func nextRehearsal(sc *Scene) int {
	n := 0
	for _, r := range sc.Rehearsals {
		n = max(n, r.Seq)
	}
	return n + 1
}

// rehearsalText is a rehearsal's record, without its confirmations.
func (in *input) rehearsalText(tx Tx, sc *Scene, r Rehearsal) (string, error) {
	by, err := personOf(tx, r.By)
	if err != nil {
		return "", err
	}
	present, err := peopleOf(tx, r.Present)
	if err != nil {
		return "", err
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Rehearsal %d of scene %s (%s), %s, logged by %s.\n  Present: %s", r.Seq, sc.ID, sc.Title, in.b.fmtTime(r.At), by.Handle(), handles(present))
	for _, id := range r.Beats {
		desc := "(removed since)"
		if b, ok := sc.Beat(id); ok {
			desc = b.Description
		}
		fmt.Fprintf(&s, "\n  Beat %s: %s", id, desc)
	}
	if r.Changes != "" {
		fmt.Fprintf(&s, "\n  What changed: %s", indentLines(r.Changes))
	}
	return s.String(), nil
}

// rehearsalOf reads the rehearsal number and finds it in sc.
func (in *input) rehearsalOf(sc *Scene) (int, error) {
	a, err := in.next("the rehearsal's number")
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(a.Value))
	if err != nil || n <= 0 {
		return 0, Errorf(EINVALID, "%s is not a rehearsal's number: /rehearsal show %s lists them", quote(a.Value), sc.ID)
	}
	i := slices.IndexFunc(sc.Rehearsals, func(r Rehearsal) bool { return r.Seq == n })
	if i < 0 {
		return 0, Errorf(ENOTFOUND, "Scene %s has no rehearsal %d: /rehearsal show %s lists them.", sc.ID, n, sc.ID)
	}
	return i, nil
}

// ownRehearsal loads the scene and rehearsal a performer answers for:
// only the performers present at it answer.
func ownRehearsal(in *input, tx Tx) (Scene, int, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return sc, 0, err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return sc, 0, err
	}
	i, err := in.rehearsalOf(&sc)
	if err != nil {
		return sc, 0, err
	}
	if !slices.Contains(sc.Rehearsals[i].Present, in.caller.ID) {
		return sc, 0, Errorf(EFORBIDDEN, "You were not recorded as present at rehearsal %d of scene %s: only those who were answer for its record. Talk to the IC if you were there.", sc.Rehearsals[i].Seq, sc.ID)
	}
	return sc, i, nil
}

// answerRehearsal stores a performer's answer to a rehearsal's record,
// in place of any earlier one.
func answerRehearsal(in *input, tx Tx, sc *Scene, i int, c RehearsalConfirmation) error {
	r := &sc.Rehearsals[i]
	r.Confirmations = slices.DeleteFunc(r.Confirmations, func(x RehearsalConfirmation) bool { return x.Performer == c.Performer })
	r.Confirmations = append(r.Confirmations, c)
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(*sc); err != nil {
		return err
	}
	action, what := "rehearsal.confirm", "confirmed"
	if !c.Confirmed {
		action, what = "rehearsal.dispute", "disputed"
	}
	return in.audit(tx, action, sc.ID, "rehearsal %d of scene %s %s by %s", r.Seq, sc.ID, what, personRef(in.caller.ID))
}

func runRehearsalConfirm(in *input, tx Tx) error {
	sc, i, err := ownRehearsal(in, tx)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	seq := sc.Rehearsals[i].Seq
	prev, answered := sc.Rehearsals[i].Confirmation(in.caller.ID)
	if answered && prev.Confirmed {
		in.out.replyOwn(ClassRehearsal, sc.ID, "You already confirmed the record of rehearsal %d of scene %s: nothing changed.", seq, sc.ID)
		return nil
	}
	if err := answerRehearsal(in, tx, &sc, i, RehearsalConfirmation{Performer: in.caller.ID, At: in.now, Confirmed: true}); err != nil {
		return err
	}
	in.out.replyOwn(ClassRehearsal, sc.ID, "Thank you: you confirmed the record of rehearsal %d of scene %s. If you find something wrong later, /rehearsal dispute %s %d \"what is wrong\" replaces it.", seq, sc.ID, sc.ID, seq)
	if answered {
		// They had said it was wrong: the IC, who was told so, is told
		// that it no longer stands.
		return tellIC(in, tx, &sc, fmt.Sprintf("%s now confirms the record of rehearsal %d of scene %s, which they had said was not right.", in.caller.Handle(), seq, sc.ID))
	}
	return nil
}

func runRehearsalDispute(in *input, tx Tx) error {
	sc, i, err := ownRehearsal(in, tx)
	if err != nil {
		return err
	}
	note := in.free
	if note == "" {
		note = strings.TrimSpace(in.rest())
	}
	if err := checkText(textRules["note"], note); err != nil {
		return err
	}
	seq := sc.Rehearsals[i].Seq
	if err := answerRehearsal(in, tx, &sc, i, RehearsalConfirmation{Performer: in.caller.ID, At: in.now, Note: note}); err != nil {
		return err
	}
	said, told := "You did not say what; the IC will ask you.", "They did not say what."
	if note != "" {
		said, told = "You wrote: "+indentLines(note), "They wrote: "+indentLines(note)
	}
	in.out.replyOwn(ClassBoundaries, sc.ID, "The IC is told that the record of rehearsal %d of scene %s is not right. %s\nOnly you and the IC read this.", seq, sc.ID, said)
	return tellIC(in, tx, &sc, fmt.Sprintf("%s says the record of rehearsal %d of scene %s is not right. %s\nTalk with them; /rehearsal show %s %d shows the record.", in.caller.Handle(), seq, sc.ID, told, sc.ID, seq))
}

// runRehearsalShow lists a scene's rehearsals, or one of them. The IC
// reads each performer's answer with its note; a performer their own;
// everyone else how many of those present confirmed.
func runRehearsalShow(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	list := sc.Rehearsals
	if len(in.args) > 0 {
		i, err := in.rehearsalOf(&sc)
		if err != nil {
			return err
		}
		list = sc.Rehearsals[i : i+1]
	}
	if err := in.done(); err != nil {
		return err
	}
	if len(list) == 0 {
		in.out.reply(ClassRehearsal, sc.ID, "No rehearsal of scene %s is recorded yet.", sc.ID)
		return nil
	}
	var parts []string
	for _, r := range list {
		text, err := in.rehearsalText(tx, &sc, r)
		if err != nil {
			return err
		}
		answers, err := in.answersText(tx, &sc, r)
		if err != nil {
			return err
		}
		parts = append(parts, text+answers)
	}
	in.out.reply(ClassRehearsal, sc.ID, "%s", strings.Join(parts, "\n\n"))
	return nil
}

// answersText is what the caller may read of a rehearsal's answers.
func (in *input) answersText(tx Tx, sc *Scene, r Rehearsal) (string, error) {
	var performers []UserID
	confirmed := 0
	for _, u := range r.Present {
		if sc.IsPerformer(u) {
			performers = append(performers, u)
			if c, ok := r.Confirmation(u); ok && c.Confirmed {
				confirmed++
			}
		}
	}
	count := fmt.Sprintf("\n  Confirmed by %d of the %d performers present.", confirmed, len(performers))
	if !in.caller.Has(RoleIC) {
		if c, ok := r.Confirmation(in.caller.ID); ok {
			return count + "\n  You: " + answerWord(c), nil
		}
		if slices.Contains(performers, in.caller.ID) {
			return count + "\n  You: not answered yet", nil
		}
		return count, nil
	}
	var s strings.Builder
	if len(r.Explored) > 0 {
		fmt.Fprintf(&s, "\n  Explored on the performers' consent: %s", strings.Join(r.Explored, ", "))
	}
	// Everyone present who answered, a performer taken off the scene
	// since among them: their answer stays on the record.
	for _, u := range r.Present {
		c, answered := r.Confirmation(u)
		if !sc.IsPerformer(u) && !answered {
			continue
		}
		p, err := personOf(tx, u)
		if err != nil {
			return "", err
		}
		w := "not answered yet"
		if answered {
			w = answerWord(c)
		}
		if !sc.IsPerformer(u) {
			w += " (no longer a performer of the scene)"
		}
		fmt.Fprintf(&s, "\n  %s: %s", p.Handle(), w)
	}
	return s.String(), nil
}

func answerWord(c RehearsalConfirmation) string {
	if c.Confirmed {
		return "confirmed"
	}
	if c.Note == "" {
		return "says it is not right"
	}
	return "says it is not right: " + indentLines(c.Note)
}

// endExploreOnNo ends a performer's consents to explore the beats they
// have now said no to, or withdrawn from: a no stands over that consent,
// and it does not come back when the no is changed later. It reports
// the beats whose consent ended, and tells the performer.
func endExploreOnNo(in *input, sc *Scene, bd *Boundaries) []string {
	var ended []string
	for i := range sc.Beats {
		b := &sc.Beats[i]
		if !slices.ContainsFunc(b.Explore, func(c ExploreConsent) bool { return c.Performer == bd.Performer }) {
			continue
		}
		a, ok := bd.answerTo(*b)
		if !bd.withdrew(b.ID) && (!ok || a != AnswerNo) {
			continue
		}
		b.Explore = slices.DeleteFunc(b.Explore, func(c ExploreConsent) bool { return c.Performer == bd.Performer })
		ended = append(ended, b.ID)
	}
	if len(ended) > 0 {
		in.out.replyOwn(ClassBoundaries, sc.ID, "Your consent to explore %s of scene %s in rehearsal ends with your answer: it does not come back if you change it. Give it again with /rehearsal consent if you wish.",
			strings.Join(ended, ", "), sc.ID)
	}
	return ended
}

// beatText is a beat as a performer is asked about it: its description,
// and its camera and conditions when it has them.
func beatText(b Beat) string {
	t := b.Description
	if b.Camera != "" {
		t += "; camera: " + b.Camera
	}
	if b.Conditions != "" {
		t += "; conditions: " + b.Conditions
	}
	return t
}
