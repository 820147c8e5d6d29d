package bot

import (
	"fmt"
	"slices"
	"strings"
)

// onHoldNotice is all that the AD, director and shared channels learn.
func onHoldNotice(id SceneID) string {
	return fmt.Sprintf("Scene %s is on hold: talk to the IC.", id)
}

func runHold(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	reasonText := "no reason given"
	if in.free != "" {
		reasonText = "reason: " + in.free
	}
	if err := callHold(in, tx, &sc, in.free, fmt.Sprintf("HOLD on scene %s, called by %s at %s (%s). Talk with them; lift it with /hold lift %s when the scene may go on.",
		sc.ID, in.caller.Handle(), in.b.fmtClock(in.now), reasonText, sc.ID), RoleAD); err != nil {
		return err
	}
	reply := fmt.Sprintf("Your hold on scene %s is recorded (%s). The IC and the AD have been told the scene is on hold; only the IC knows it was you.", sc.ID, in.b.fmtClock(in.now))
	if ics, err := holders(tx, RoleIC); err != nil {
		return err
	} else if len(ics) == 0 {
		reply += " There is no IC registered in icbot: please find the AD or a producer in person."
	}
	if in.freeDropped != "" {
		reply += fmt.Sprintf(" Your reason was not kept: %s Tell the IC in person, or by a direct message.", in.freeDropped)
	}
	in.out.replyOwn(ClassHoldCaller, sc.ID, "%s", reply)
	return nil
}

// callHold puts a scene on hold for the caller: the IC gets icText (who
// and why), the people holding the roles in tell get only that the scene
// is on hold, and, during a closed set, so does the scene channel. The
// reason is kept for the IC and sealed at rest; the audit record names
// neither it nor, beyond its actor, the caller.
func callHold(in *input, tx Tx, sc *Scene, reason, icText string, tell ...Role) error {
	_, already := sc.ActiveHold()
	h := Hold{Seq: len(sc.Holds) + 1, CalledBy: in.caller.ID, At: in.now, Reason: reason, Session: sc.Session}
	sc.Holds = append(sc.Holds, h)
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(*sc); err != nil {
		return err
	}
	if err := in.audit(tx, "hold.call", sc.ID, "hold %d called on scene %s", h.Seq, sc.ID); err != nil {
		return err
	}
	ics, err := holders(tx, RoleIC)
	if err != nil {
		return err
	}
	for _, ic := range ics {
		if ic.ID != in.caller.ID {
			in.out.dm(ic.ID, ClassHoldCaller, sc.ID, in.caller.ID, icText)
		}
	}
	refreshTopline(in, sc)
	if already {
		return nil // those who hear "on hold" heard it already
	}
	told := map[UserID]bool{in.caller.ID: true}
	for _, r := range tell {
		ps, err := holders(tx, r)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !told[p.ID] {
				told[p.ID] = true
				in.out.dm(p.ID, ClassPublic, sc.ID, "", onHoldNotice(sc.ID))
			}
		}
	}
	if sc.Filming() {
		if sc.Channel != "" {
			in.out.post(sc.Channel, ClassPublic, sc.ID, onHoldNotice(sc.ID))
		} else {
			in.b.announce(&in.out, sc.ID, onHoldNotice(sc.ID))
		}
	}
	return nil
}

func runHoldLift(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	var lifted []Hold
	for i := range sc.Holds {
		if sc.Holds[i].Active() {
			sc.Holds[i].LiftedBy, sc.Holds[i].LiftedAt = in.caller.ID, in.now
			lifted = append(lifted, sc.Holds[i])
		}
	}
	if len(lifted) == 0 {
		return Errorf(ECONFLICT, "Scene %s is not on hold.", sc.ID)
	}
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "hold.lift", sc.ID, "%d hold(s) lifted on scene %s", len(lifted), sc.ID); err != nil {
		return err
	}
	rd, err := in.b.readinessOf(tx, &sc, in.now)
	if err != nil {
		return err
	}
	in.out.reply(ClassCrew, sc.ID, "Hold lifted on scene %s; it is %s again.", sc.ID, sc.EffectiveStatus())
	if standing, err := standingRefusals(tx, &sc, rd); err != nil {
		return err
	} else if standing != "" {
		in.out.reply(ClassBoundaries, sc.ID, "%s", standing)
	}
	refreshTopline(in, &sc)
	return tellLifted(in, tx, &sc, lifted, rd)
}

// tellLifted tells the ADs, whoever called the holds lifted and, during a
// closed set, the scene channel that the scene may go on.
func tellLifted(in *input, tx Tx, sc *Scene, lifted []Hold, rd readiness) error {
	// One text for every lift, whatever caused the hold: a different one
	// after a consent change would tell its readers that it was one.
	notice := fmt.Sprintf("The hold on scene %s has been lifted by the IC: go on with what is agreed. Questions go to the IC.", sc.ID)
	ads, err := holders(tx, RoleAD)
	if err != nil {
		return err
	}
	for _, ad := range ads {
		// An AD who called one of the holds hears of it as its caller.
		if ad.ID != in.caller.ID && !slices.ContainsFunc(lifted, func(h Hold) bool { return h.CalledBy == ad.ID }) {
			in.out.dm(ad.ID, ClassPublic, sc.ID, "", notice)
		}
	}
	told := map[UserID]bool{in.caller.ID: true}
	for _, h := range lifted {
		if told[h.CalledBy] {
			continue
		}
		told[h.CalledBy] = true
		cause, byConsent, err := consentCause(tx, sc, h)
		if err != nil {
			return err
		}
		if byConsent {
			in.out.dm(h.CalledBy, ClassBoundaries, sc.ID, h.CalledBy, liftedAfterConsent(in, sc, cause, consentFor(rd, h.CalledBy)))
			continue
		}
		in.out.dm(h.CalledBy, ClassHoldCaller, sc.ID, h.CalledBy, fmt.Sprintf("The hold you called on scene %s has been lifted by %s. If anything is still not right, talk to the IC, or call a hold again at any moment with /hold %s.", sc.ID, in.caller.Handle(), sc.ID))
	}
	if sc.Filming() {
		if sc.Channel != "" {
			in.out.post(sc.Channel, ClassPublic, sc.ID, notice)
		} else {
			in.b.announce(&in.out, sc.ID, notice)
		}
	}
	return nil
}

// consentHoldReasons are the reasons of the holds icbot calls itself when
// a performer withdraws consent or, during a closed set, takes back a yes
// (see runBoundariesWithdraw and runBoundariesAnswer), and how to name
// that cause to the performer.
var consentHoldReasons = []struct{ prefix, cause string }{
	{"consent withdrawn: ", "your withdrawal of consent"},
	{"boundaries changed during the closed set: ", "your change of answers during the closed set"},
}

// consentCause says whether h was put on the scene by a performer's
// change of consent rather than called with /hold, and names the cause:
// its reason is one icbot writes, and the performer's boundaries changed
// in the same command (a reason typed with /hold could read the same).
func consentCause(tx Tx, sc *Scene, h Hold) (string, bool, error) {
	i := slices.IndexFunc(consentHoldReasons, func(r struct{ prefix, cause string }) bool { return strings.HasPrefix(h.Reason, r.prefix) })
	if i < 0 || !sc.IsPerformer(h.CalledBy) {
		return "", false, nil
	}
	history, err := tx.BoundariesHistory(sc.ID, h.CalledBy)
	if err != nil {
		return "", false, err
	}
	changed := slices.ContainsFunc(history, func(bd Boundaries) bool { return bd.At.Equal(h.At) })
	return consentHoldReasons[i].cause, changed, nil
}

// consentFor is a performer's consent in rd.
func consentFor(rd readiness, p UserID) consentState {
	for _, c := range rd.consent {
		if c.Performer == p {
			return c
		}
	}
	return consentState{Performer: p}
}

// liftedAfterConsent tells a performer whose withdrawal (or changed
// answer) put the scene on hold that the IC lifted the hold, and what of
// theirs still stands: lifting a hold changes none of their answers.
func liftedAfterConsent(in *input, sc *Scene, cause string, c consentState) string {
	text := fmt.Sprintf("The IC (%s) has lifted the hold on scene %s that followed %s. Lifting the hold changes none of your answers.", in.caller.Handle(), sc.ID, cause)
	switch {
	case len(c.Withdrawn) > 0:
		text += fmt.Sprintf(" Your withdrawal of consent to %s still stands: %s cannot be filmed as written", strings.Join(c.Withdrawn, ", "), beatsWord(c.Withdrawn))
		if !sc.Filming() {
			text += ", and a closed set cannot start while it stands, unless the IC decides to start one anyway with a written reason, which is recorded"
		}
		text += fmt.Sprintf(". To consent again, answer with /boundaries answer %s %s=yes (or no, or discuss).", sc.ID, c.Withdrawn[0])
	case len(c.Refused) > 0 || len(c.Discuss) > 0:
		text += " You have answered since: " + answersText(c) + ". Those beats will not be filmed as written."
	default:
		text += " You have answered again since, and your answers stand as you gave them."
	}
	return text + fmt.Sprintf(" /boundaries show %s shows them; the IC is there to talk.", sc.ID)
}

// answersText writes a performer's no and discuss answers: "no to b1;
// to discuss: b2".
func answersText(c consentState) string {
	var parts []string
	if len(c.Refused) > 0 {
		parts = append(parts, "no to "+strings.Join(c.Refused, ", "))
	}
	if len(c.Discuss) > 0 {
		parts = append(parts, "to discuss: "+strings.Join(c.Discuss, ", "))
	}
	return strings.Join(parts, "; ")
}

// beatsWord is "beat b1" or "beats b1, b2".
func beatsWord(ids []string) string {
	if len(ids) == 1 {
		return "beat " + ids[0]
	}
	return "beats " + strings.Join(ids, ", ")
}

// standingRefusals tells the IC lifting a hold which withdrawals and
// answers of no or discuss still stand, and what they mean: lifting the
// hold answers none of them. "" when none stand.
func standingRefusals(tx Tx, sc *Scene, rd readiness) (string, error) {
	var lines []string
	blocks := false
	for _, c := range rd.consent {
		if len(c.Withdrawn)+len(c.Refused)+len(c.Discuss) == 0 {
			continue
		}
		p, err := personOf(tx, c.Performer)
		if err != nil {
			return "", err
		}
		var parts []string
		if len(c.Withdrawn) > 0 {
			parts = append(parts, "withdrew consent to "+strings.Join(c.Withdrawn, ", ")+", which still stands")
		}
		if a := answersText(c); a != "" {
			parts = append(parts, "answered "+a)
		}
		lines = append(lines, p.Handle()+" "+strings.Join(parts, "; "))
		blocks = blocks || len(c.Withdrawn) > 0 || len(c.Discuss) > 0
	}
	if len(lines) == 0 {
		return "", nil
	}
	text := fmt.Sprintf("Lifting the hold answers none of this, on scene %s:\n  - %s\nThose beats cannot be filmed as written.", sc.ID, strings.Join(lines, "\n  - "))
	if blocks && !sc.Filming() {
		text += fmt.Sprintf(" /closedset start %s stays refused until the performers answer again (a withdrawal, or a beat to discuss), unless you start it with force reason=\"...\".", sc.ID)
	}
	return text, nil
}
