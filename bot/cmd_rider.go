package bot

import (
	"fmt"
	"strings"
	"time"
)

// riderLine is one performer's rider: in full for the IC and the
// performer, status only for everyone else.
func (b *Bot) riderLine(p Person, r riderView, full bool) string {
	state := string(r.State)
	switch r.State {
	case RiderNone:
		state = "no rider yet"
	case RiderSent, RiderDrafted:
		state += ", not signed"
	}
	if !full {
		if r.Late != "" {
			state += ", late"
		}
		return fmt.Sprintf("%s: %s", p.Handle(), state)
	}
	line := fmt.Sprintf("%s: %s; deadline %s", p.Handle(), state, b.fmtTime(r.Deadline))
	if rd := r.Rider; rd != nil {
		for _, d := range []struct {
			label string
			at    time.Time
		}{{"drafted", rd.DraftedAt}, {"sent", rd.SentAt}, {"signed", rd.SignedAt}} {
			if !d.at.IsZero() {
				line += fmt.Sprintf("; %s %s", d.label, b.fmtTime(d.at))
			}
		}
		if rd.Terms != "" {
			line += "; terms: " + rd.Terms
		}
	}
	if r.Late != "" {
		line += "; LATE: " + r.Late
	}
	return line
}

func runRiderStatus(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	rd, err := in.b.readinessOf(tx, &sc, in.now)
	if err != nil {
		return err
	}
	ic := in.caller.Has(RoleIC)
	var lines []string
	for _, r := range rd.riders {
		own := r.Performer == in.caller.ID
		if !ic && !own && !in.caller.HasAny(RoleAD, RoleDirector, RoleProducer) {
			continue // a performer sees their own rider only
		}
		p, err := personOf(tx, r.Performer)
		if err != nil {
			return err
		}
		lines = append(lines, in.b.riderLine(p, r, ic || own))
	}
	text := fmt.Sprintf("Riders for scene %s (call %s, notice %s):\n  %s", sc.ID, in.b.fmtTime(sc.Call), noticeLength(in.b.riderNotice), strings.Join(lines, "\n  "))
	switch {
	case ic:
		in.out.reply(ClassRiderDetail, sc.ID, "%s", text)
	case sc.IsPerformer(in.caller.ID) && !in.caller.HasAny(RoleAD, RoleDirector, RoleProducer):
		in.out.replyOwn(ClassRiderDetail, sc.ID, "%s", text)
	default:
		in.out.reply(ClassReadiness, sc.ID, "%s", text)
	}
	return nil
}

// runRiderMark records a rider as drafted, sent or signed.
func runRiderMark(state RiderState) func(in *input, tx Tx) error {
	return func(in *input, tx Tx) error {
		sc, p, err := in.sceneAndPerson(tx)
		if err != nil {
			return err
		}
		if !sc.IsPerformer(p.ID) {
			return Errorf(EINVALID, "%s does not perform in scene %s", p.Handle(), sc.ID)
		}
		at, err := riderDate(in)
		if err != nil {
			return err
		}
		r, err := tx.Rider(sc.ID, p.ID)
		if ErrorCode(err) == ENOTFOUND {
			r, err = Rider{Scene: sc.ID, Performer: p.ID}, nil
		}
		if err != nil {
			return err
		}
		r.State, r.Scope, r.Version, r.Updated = state, sc.Scope, r.Version+1, in.now
		resent := markDates(&r, state, at, sc.Scope)
		if v, ok := in.key("terms"); ok {
			r.Terms = strings.TrimSpace(v)
		}
		if err := tx.PutRider(r); err != nil {
			return err
		}
		if err := in.audit(tx, "rider."+string(state), sc.ID, "rider of %s for scene %s marked %s", personRef(p.ID), sc.ID, state); err != nil {
			return err
		}
		in.out.reply(ClassRiderDetail, sc.ID, "%s", riderMarked(in, &sc, p, &r, at, resent))
		in.out.dm(p.ID, ClassRiderDetail, sc.ID, p.ID, fmt.Sprintf("Your nudity rider for scene %s is recorded as %s (%s). Questions about it go to the IC.", sc.ID, state, in.b.fmtTime(at)))
		refreshTopline(in, &sc)
		return nil
	}
}

// riderDate is when the rider changed: on= or now. A rider is recorded
// once it has happened, never ahead.
func riderDate(in *input) (time.Time, error) {
	v, ok := in.key("on")
	if !ok {
		return in.now, nil
	}
	at, err := in.b.parseWhen("on", v, in.now)
	if err != nil {
		return time.Time{}, err
	}
	if at.After(in.now) {
		return time.Time{}, Errorf(EINVALID, "on=\"%s\" is %s, later than now (%s): a rider is recorded once it has happened, "+
			"since the %s notice counts from when the performer received it. Record it then, or give the time it happened, as in on=\"today %s\" or on=\"yesterday 14:00\".",
			v, in.b.fmtTime(at), in.b.fmtTime(in.now), noticeAdjective(in.b.riderNotice), in.b.fmtClock(in.now))
	}
	return at, nil
}

// markDates sets the dates of a rider now drafted, sent or signed at at, for
// the scene's scope. It reports whether a signed rider counts as sent
// again: the scene widened since it was sent.
func markDates(r *Rider, state RiderState, at time.Time, scope int) (resent bool) {
	switch state {
	case RiderDrafted:
		r.DraftedAt, r.SentAt, r.SignedAt, r.SentScope = at, time.Time{}, time.Time{}, 0
	case RiderSent:
		r.SentAt, r.SignedAt, r.SentScope = at, time.Time{}, scope
	case RiderSigned:
		r.SignedAt = at
		if r.SentAt.IsZero() || r.SentScope < scope {
			// Signed without being sent, or the scene widened since it
			// was: the performer had these terms from now, and the
			// notice counts from now.
			resent = !r.SentAt.IsZero()
			r.SentAt, r.SentScope = at, scope
		}
	}
	return resent
}

// riderMarked is the IC's answer to a rider marked: the rider now, and
// what to do when it misses the notice.
func riderMarked(in *input, sc *Scene, p Person, r *Rider, at time.Time, resent bool) string {
	view := in.b.riderOf(sc, p.ID, r, in.now)
	reply := fmt.Sprintf("Rider of %s for scene %s: %s.", p.Handle(), sc.ID, in.b.riderLine(p, view, true))
	if resent {
		reply += "\nThe scene changed after this rider was sent: the amended rider counts as received when signed, and the notice from then."
	}
	if view.Late != "" {
		reply += fmt.Sprintf("\nThe union notice is not met: move the call to after %s, or start the closed set only with /closedset start %s force reason=\"...\".",
			in.b.fmtTime(at.Add(in.b.riderNotice)), sc.ID)
	}
	return reply
}
