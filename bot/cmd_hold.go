package bot

import "fmt"

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
	in.out.reply(ClassCrew, sc.ID, "Hold lifted on scene %s; it is %s again.", sc.ID, sc.EffectiveStatus())
	refreshTopline(in, &sc)
	notice := fmt.Sprintf("The hold on scene %s has been lifted by the IC.", sc.ID)
	ads, err := holders(tx, RoleAD)
	if err != nil {
		return err
	}
	for _, ad := range ads {
		if ad.ID != in.caller.ID {
			in.out.dm(ad.ID, ClassPublic, sc.ID, "", notice)
		}
	}
	told := map[UserID]bool{in.caller.ID: true}
	for _, h := range lifted {
		if !told[h.CalledBy] {
			told[h.CalledBy] = true
			in.out.dm(h.CalledBy, ClassHoldCaller, sc.ID, h.CalledBy, fmt.Sprintf("The hold you called on scene %s has been lifted by %s.", sc.ID, in.caller.Handle()))
		}
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
