package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// precondition is one thing that must hold before a closed set starts.
type precondition struct {
	name string
	// overridable ones may be overridden by the IC with a written reason;
	// a hold or a scene without performers never.
	overridable bool
	// gaps says what is not yet so, with what to do.
	gaps func(in *input, tx Tx, sc *Scene) ([]gap, error)
}

// plain is a gap that reads the same for everyone.
func plain(format string, args ...any) []gap {
	s := fmt.Sprintf(format, args...)
	return []gap{{detail: s, summary: s}}
}

var startPreconditions = []precondition{
	{name: "no hold", gaps: func(in *input, tx Tx, sc *Scene) ([]gap, error) {
		if _, ok := sc.ActiveHold(); ok {
			return plain("the scene is on hold: talk to the IC, who lifts it with /hold lift %s", sc.ID), nil
		}
		return nil, nil
	}},
	{name: "performers", gaps: func(in *input, tx Tx, sc *Scene) ([]gap, error) {
		if len(sc.Performers) == 0 {
			return plain("the scene has no performers: /scene set %s performers=@a,@b", sc.ID), nil
		}
		return nil, nil
	}},
	{name: "consent and riders", overridable: true, gaps: func(in *input, tx Tx, sc *Scene) ([]gap, error) {
		rd, err := in.b.readinessOf(tx, sc, in.now)
		if err != nil {
			return nil, err
		}
		return in.b.consentGaps(tx, sc, rd)
	}},
}

// gapList writes gaps for the caller: in full for the IC, without private
// detail for everyone else.
func gapList(in *input, gaps []gap) string {
	lines := summaries(gaps)
	if in.caller.Has(RoleIC) {
		lines = details(gaps)
	}
	return "  - " + strings.Join(lines, "\n  - ")
}

// closedSetRules is the part of the announcement everyone may read.
func closedSetRules(id SceneID) string {
	return fmt.Sprintf("Essential personnel only, on set and at the monitors; "+
		"no personal recording devices (phones away); robes are available. Anyone on the roster may call a hold privately with /hold %s.", id)
}

// runClosedSetStart starts a scene's closed set: read the options, check
// that it may start, open the session, record it and say so.
func runClosedSetStart(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	force, reason, err := startOptions(in, sc.ID)
	if err != nil {
		return err
	}
	if err := refuseIfRunning(in, tx, &sc); err != nil {
		return err
	}
	soft, err := startGaps(in, tx, &sc, force)
	if err != nil {
		return err
	}
	override := ""
	if force && len(soft) > 0 {
		override = reason
	}
	sess, err := openSession(in, tx, &sc, override)
	if err != nil {
		return err
	}
	if err := recordStart(in, tx, &sc, &sess, soft); err != nil {
		return err
	}
	return sayStarted(in, tx, &sc, &sess, soft)
}

// startOptions reads "[force reason=...]": only the IC forces, and only
// with a written reason.
func startOptions(in *input, id SceneID) (force bool, reason string, err error) {
	if a, ok := in.optional(); ok {
		if !strings.EqualFold(a.Value, "force") {
			return false, "", Errorf(EINVALID, "unexpected %q: the only word after the scene id is force", a.Value)
		}
		force = true
	}
	if err := in.done(); err != nil {
		return false, "", err
	}
	reason, hasReason := in.key("reason")
	reason = strings.TrimSpace(reason)
	switch {
	case hasReason && !force:
		return false, "", Errorf(EINVALID, "reason= goes with force: /closedset start %s force reason=\"...\"", id)
	case force && !in.caller.Has(RoleIC):
		return false, "", Errorf(EFORBIDDEN, "Only the IC may start a closed set over missing consent or riders.")
	case force && reason == "":
		return false, "", Errorf(EINVALID, "force needs the IC's written reason, which the AD will read: reason=\"...\"")
	}
	return force, reason, nil
}

// refuseIfRunning says who started the closed set already running.
func refuseIfRunning(in *input, tx Tx, sc *Scene) error {
	if !sc.Filming() {
		return nil
	}
	cur, err := tx.Session(sc.ID, sc.Session)
	if err != nil {
		return err
	}
	by, _ := personOf(tx, cur.StartedBy)
	return Errorf(ECONFLICT, "The closed set for scene %s is already running: %s started it at %s.", sc.ID, by.Handle(), in.b.fmtTime(cur.StartedAt))
}

// startGaps checks startPreconditions and refuses what is missing, unless
// all of it may be and is overridden; it returns the overridden gaps.
func startGaps(in *input, tx Tx, sc *Scene, force bool) (soft []gap, err error) {
	var hard []gap
	for _, p := range startPreconditions {
		g, err := p.gaps(in, tx, sc)
		if err != nil {
			return nil, err
		}
		if p.overridable {
			soft = append(soft, g...)
		} else {
			hard = append(hard, g...)
		}
	}
	if len(hard) == 0 && (len(soft) == 0 || force) {
		return soft, nil
	}
	msg := fmt.Sprintf("Cannot start the closed set for scene %s. Missing:\n%s", sc.ID, gapList(in, append(hard, soft...)))
	if len(hard) == 0 {
		msg += fmt.Sprintf("\nOnly the IC may start it anyway, with a written reason the AD will read: /closedset start %s force reason=\"...\"", sc.ID)
	}
	return nil, Errorf(ECONFLICT, "%s", msg)
}

// openSession stores a new running session for the scene, with its
// roster and what can be done about the channel lock.
func openSession(in *input, tx Tx, sc *Scene, override string) (Session, error) {
	sess := Session{Scene: sc.ID, Seq: sc.Sessions + 1, StartedBy: in.caller.ID, StartedAt: in.now, Override: override}
	var err error
	if sess.Roster, err = sessionRoster(in, tx, sc); err != nil {
		return Session{}, err
	}
	sess.Lock = in.b.startLock(sc)
	sc.Sessions, sc.Session = sess.Seq, sess.Seq
	sc.Status = StatusFilming
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutSession(sess); err != nil {
		return Session{}, err
	}
	return sess, tx.PutScene(*sc)
}

// startLock is the lock a new session begins with: pending when the
// platform can lock the scene's channel, else why it is not enforced.
func (b *Bot) startLock(sc *Scene) LockRecord {
	_, canLock := b.chat.(Locker)
	switch {
	case sc.Channel == "":
		return LockRecord{State: LockNotEnforced, Problem: fmt.Sprintf("scene %s has no channel to lock (set one with /scene set %s channel=#name)", sc.ID, sc.ID)}
	case !canLock:
		return LockRecord{State: LockNotEnforced, Problem: "this chat adapter cannot restrict channel access"}
	}
	return LockRecord{State: LockPending}
}

// recordStart audits the start and, when the IC overrode missing items,
// tells the ADs what was missing (without private detail) and why.
func recordStart(in *input, tx Tx, sc *Scene, sess *Session, soft []gap) error {
	summary := fmt.Sprintf("closed set session %d started for scene %s, roster of %d", sess.Seq, sc.ID, len(sess.Roster))
	if sess.Override != "" {
		// The reason is the IC's words about private gaps: it stays in
		// the session's record, out of the audit trail, which is read by
		// the production's lawyers and insurers.
		summary += fmt.Sprintf("; the IC overrode %d missing item(s), with a written reason", len(details(soft)))
	}
	if err := in.audit(tx, "closedset.start", sc.ID, "%s", summary); err != nil {
		return err
	}
	if sess.Override == "" {
		return nil
	}
	ads, err := holders(tx, RoleAD)
	if err != nil {
		return err
	}
	lines := summaries(soft)
	for _, ad := range ads {
		in.out.dm(ad.ID, ClassReadiness, sc.ID, "", fmt.Sprintf("The IC started the closed set for scene %s although:\n  - %s\nThe IC's reason: %s",
			sc.ID, strings.Join(lines, "\n  - "), sess.Override))
	}
	return nil
}

// sayStarted answers the caller, announces the closed set, asks the
// roster to confirm the device policy and starts the lock.
func sayStarted(in *input, tx Tx, sc *Scene, sess *Session, soft []gap) error {
	reply, err := startReply(in, tx, sc, sess, soft)
	if err != nil {
		return err
	}
	in.out.reply(ClassRoster, sc.ID, "%s", reply)
	in.b.announce(&in.out, sc.ID, fmt.Sprintf("Closed set in effect for scene %s from %s. %s", sc.ID, in.b.fmtClock(in.now), closedSetRules(sc.ID)))
	// The roster is posted to the scene channel only once the lock has
	// made the channel's members the roster (lockEffect).
	for _, m := range sess.Roster {
		if m.User == in.caller.ID {
			continue
		}
		in.out.dm(m.User, ClassRoster, sc.ID, m.User, fmt.Sprintf("You are on the closed-set roster for scene %s, which started at %s. "+
			"Please confirm that you have no personal recording device with you: /closedset ack %s. "+
			"You can pause the scene privately at any time with /hold %s.", sc.ID, in.b.fmtClock(in.now), sc.ID, sc.ID))
		in.out.withActions(setActions(sc.ID)...)
	}
	if sess.Lock.State == LockPending {
		in.out.then(lockEffect(sc.ID, sess.Seq))
	}
	refreshTopline(in, sc)
	return nil
}

// startReply is what the person starting the closed set reads: the
// roster, any override, the lock, and a call time long past.
func startReply(in *input, tx Tx, sc *Scene, sess *Session, soft []gap) (string, error) {
	roster, err := rosterText(tx, sess.Roster)
	if err != nil {
		return "", err
	}
	reply := fmt.Sprintf("Closed set started for scene %s at %s (session %d).\nRoster (%d): %s",
		sc.ID, in.b.fmtClock(in.now), sess.Seq, len(sess.Roster), roster)
	if sess.Override != "" {
		reply += fmt.Sprintf("\nStarted over %d missing item(s) on your written reason; the AD has been told.", len(details(soft)))
	}
	switch sess.Lock.State {
	case LockPending:
		reply += fmt.Sprintf("\nLocking #%s to the roster…", sc.Channel)
	case LockNotEnforced:
		reply += fmt.Sprintf("\nLock not enforced: %s. The closed set is announced and logged, but the chat platform does not keep others out of the channel.", sess.Lock.Problem)
	}
	return reply + in.b.staleCall(sc, in.now), nil
}

// staleCall warns, when a closed set starts more than a day after the
// scene's call, that the call may be wrong: riders' deadlines and
// check-ins are counted from it. "" otherwise.
func (b *Bot) staleCall(sc *Scene, now time.Time) string {
	late := now.Sub(sc.Call)
	if late <= 24*time.Hour {
		return ""
	}
	days := int(late / (24 * time.Hour))
	ago := "1 day ago"
	if days != 1 {
		ago = fmt.Sprintf("%d days ago", days)
	}
	return fmt.Sprintf("\nNote: the call time of scene %s was %s, %s. Check that it is right: riders' deadlines and check-ins are counted from it. "+
		"To move it, /scene set %s call=\"YYYY-MM-DD HH:MM\" once the closed set has ended.", sc.ID, b.fmtTime(sc.Call), ago, sc.ID)
}

// sessionRoster is who is essential for a session: the performers, the
// planned roster, the production's ICs (whose work is on that set) and the
// person starting it, each once.
func sessionRoster(in *input, tx Tx, sc *Scene) ([]RosterMember, error) {
	var roster []RosterMember
	add := func(m RosterMember) {
		if !slices.ContainsFunc(roster, func(r RosterMember) bool { return r.User == m.User }) {
			m.AckedAt = time.Time{}
			roster = append(roster, m)
		}
	}
	for _, u := range sc.Performers {
		add(RosterMember{User: u, Role: RolePerformer, AddedBy: in.caller.ID, AddedAt: in.now})
	}
	for _, m := range sc.Roster {
		add(m)
	}
	ics, err := holders(tx, RoleIC)
	if err != nil {
		return nil, err
	}
	for _, ic := range ics {
		add(RosterMember{User: ic.ID, Role: RoleIC, AddedBy: in.caller.ID, AddedAt: in.now})
	}
	if in.caller.Known() {
		add(RosterMember{User: in.caller.ID, Role: in.caller.Roles[0], AddedBy: in.caller.ID, AddedAt: in.now})
	}
	return roster, nil
}

// announce posts public text to the set channel, when one is configured.
func (b *Bot) announce(o *out, scene SceneID, text string) {
	if b.setChannel != "" {
		o.post(b.setChannel, ClassPublic, scene, text)
	}
}

// runningSession loads the scene's running session or says there is none.
func runningSession(tx Tx, sc *Scene) (Session, error) {
	if !sc.Filming() {
		return Session{}, Errorf(ECONFLICT, "No closed set is running for scene %s.", sc.ID)
	}
	return tx.Session(sc.ID, sc.Session)
}

// rosterRole is the role someone is on the roster as: one of their own
// roles, their first unless role= names another.
func rosterRole(in *input, p Person) (Role, error) {
	v, ok := in.key("role")
	if !ok {
		return p.Roles[0], nil
	}
	role, err := ParseRole(v)
	if err != nil {
		return "", err
	}
	if !p.Has(role) {
		return "", Errorf(EINVALID, "%s does not have the role %s (roles: %s): role= names why they are essential, from their own roles", p.Handle(), role, rolesText(p.Roles))
	}
	return role, nil
}

// relockIfLocked re-applies the channel lock after a roster change during
// a session whose lock is (or is about to be) in force.
func relockIfLocked(in *input, sess *Session) {
	if sess.Lock.Held() || sess.Lock.State == LockPending {
		in.out.then(lockEffect(sess.Scene, sess.Seq))
	}
}

func runRosterAdd(in *input, tx Tx) error {
	sc, p, err := in.sceneAndPerson(tx)
	if err != nil {
		return err
	}
	if !p.Known() {
		return unknownPerson(p.Handle())
	}
	role, err := rosterRole(in, p)
	if err != nil {
		return err
	}
	if sc.IsPerformer(p.ID) {
		in.out.reply(ClassRoster, sc.ID, "%s performs in scene %s and is always on its roster.", p.Handle(), sc.ID)
		return nil
	}
	roster, err := rosterOf(tx, &sc)
	if err != nil {
		return err
	}
	if onRoster(roster, p.ID) {
		in.out.reply(ClassRoster, sc.ID, "%s is already on the roster for scene %s.", p.Handle(), sc.ID)
		return nil
	}
	m := RosterMember{User: p.ID, Role: role, AddedBy: in.caller.ID, AddedAt: in.now}
	if !sc.Planned(p.ID) {
		sc.Roster = append(sc.Roster, m)
	}
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	running := sc.Filming()
	if running {
		sess, err := tx.Session(sc.ID, sc.Session)
		if err != nil {
			return err
		}
		sess.Roster = append(sess.Roster, m)
		if err := tx.PutSession(sess); err != nil {
			return err
		}
		relockIfLocked(in, &sess)
	}
	if err := in.audit(tx, "roster.add", sc.ID, "%s (%s) added to the roster of scene %s", personRef(p.ID), role, sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassRoster, sc.ID, "%s (%s) is on the roster for scene %s.", p.Handle(), role, sc.ID)
	refreshTopline(in, &sc)
	text := fmt.Sprintf("You are on the closed-set roster for scene %s (as %s).", sc.ID, role.Title())
	if !running {
		text += fmt.Sprintf(" When the closed set starts, confirm you have no personal recording device with you: /closedset ack %s.", sc.ID)
	} else {
		text += fmt.Sprintf(" The closed set is running: please confirm you have no personal recording device with you: /closedset ack %s.", sc.ID)
	}
	in.out.dm(p.ID, ClassRoster, sc.ID, p.ID, text)
	if running {
		in.out.withActions(setActions(sc.ID)...)
	}
	return nil
}

// setActions are the buttons offered to roster members of a running set.
func setActions(id SceneID) []Action {
	return []Action{
		{Label: "No recording device with me", Command: "/closedset ack " + string(id)},
		{Label: "Call a hold", Command: "/hold " + string(id)},
	}
}

func runRosterRemove(in *input, tx Tx) error {
	sc, p, err := in.sceneAndPerson(tx)
	if err != nil {
		return err
	}
	if sc.IsPerformer(p.ID) {
		return Errorf(ECONFLICT, "%s performs in scene %s and stays on its roster; change the performers with /scene set %s performers=...", p.Handle(), sc.ID, sc.ID)
	}
	roster, err := rosterOf(tx, &sc)
	if err != nil {
		return err
	}
	if !onRoster(roster, p.ID) {
		return Errorf(ENOTFOUND, "%s is not on the roster for scene %s.", p.Handle(), sc.ID)
	}
	sc.Roster = slices.DeleteFunc(sc.Roster, func(m RosterMember) bool { return m.User == p.ID })
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if sc.Filming() {
		sess, err := tx.Session(sc.ID, sc.Session)
		if err != nil {
			return err
		}
		sess.Roster = slices.DeleteFunc(sess.Roster, func(m RosterMember) bool { return m.User == p.ID })
		if err := tx.PutSession(sess); err != nil {
			return err
		}
		relockIfLocked(in, &sess)
	}
	if err := in.audit(tx, "roster.remove", sc.ID, "%s removed from the roster of scene %s", personRef(p.ID), sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassRoster, sc.ID, "%s is no longer on the roster for scene %s.", p.Handle(), sc.ID)
	refreshTopline(in, &sc)
	in.out.dm(p.ID, ClassPersonal, sc.ID, p.ID, fmt.Sprintf("You are no longer on the closed-set roster for scene %s.", sc.ID))
	return nil
}

func runClosedSetAck(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	sess, err := runningSession(tx, &sc)
	if err != nil {
		return err
	}
	m, ok := sess.Member(in.caller.ID)
	if !ok {
		return Errorf(EFORBIDDEN, "You are not on the roster of the running closed set for scene %s.", sc.ID)
	}
	if !m.AckedAt.IsZero() {
		in.out.reply(ClassRoster, sc.ID, "You already confirmed the device policy for scene %s at %s.", sc.ID, in.b.fmtClock(m.AckedAt))
		return nil
	}
	m.AckedAt = in.now
	if err := tx.PutSession(sess); err != nil {
		return err
	}
	if err := in.audit(tx, "closedset.ack", sc.ID, "device policy acknowledged for scene %s session %d", sc.ID, sess.Seq); err != nil {
		return err
	}
	acked := 0
	for _, m := range sess.Roster {
		if !m.AckedAt.IsZero() {
			acked++
		}
	}
	in.out.reply(ClassRoster, sc.ID, "Thank you: you confirmed the device policy for scene %s (%d of %d on the roster have).", sc.ID, acked, len(sess.Roster))
	return nil
}

func runClosedSetEnd(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	sess, err := runningSession(tx, &sc)
	if err != nil {
		return err
	}
	sess.EndedBy, sess.EndedAt = in.caller.ID, in.now
	sc.Session = 0
	sc.Status = StatusWrapped
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutSession(sess); err != nil {
		return err
	}
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	took := sess.EndedAt.Sub(sess.StartedAt)
	if err := in.audit(tx, "closedset.end", sc.ID, "closed set session %d for scene %s ended after %s", sess.Seq, sc.ID, fmtDuration(took)); err != nil {
		return err
	}
	report, err := endReport(in, tx, &sc, &sess)
	if err != nil {
		return err
	}
	if sess.Lock.State == LockEnforced || sess.Lock.State == LockIncomplete {
		in.out.then(unlockEffect(sc.ID, sess.Seq))
	}
	in.out.reply(ClassRoster, sc.ID, "%s", report)
	ended := fmt.Sprintf("The closed set for scene %s ended at %s: nothing more to do.", sc.ID, in.b.fmtClock(in.now))
	if _, held := sc.ActiveHold(); held {
		ended = fmt.Sprintf("The closed set for scene %s ended at %s. The scene is still on hold: talk to the IC.", sc.ID, in.b.fmtClock(in.now))
	}
	in.b.announce(&in.out, sc.ID, ended)
	if sc.Channel != "" {
		// Public: the channel is about to be opened to its usual members.
		in.out.post(sc.Channel, ClassPublic, sc.ID, ended+" Thank you all.")
	}
	refreshTopline(in, &sc)
	return nil
}

// endReport is what the person ending a closed set reads: how long it
// ran, who did not confirm the device policy, the holds, and the lock.
func endReport(in *input, tx Tx, sc *Scene, sess *Session) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Closed set for scene %s ended at %s after %s (session %d).", sc.ID, in.b.fmtClock(in.now), fmtDuration(sess.EndedAt.Sub(sess.StartedAt)), sess.Seq)
	var unacked []UserID
	for _, m := range sess.Roster {
		if m.AckedAt.IsZero() {
			unacked = append(unacked, m.User)
		}
	}
	if len(unacked) > 0 {
		ps, err := peopleOf(tx, unacked)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\nDid not confirm the device policy: %s.", handles(ps))
	}
	holds := 0
	for _, h := range sc.Holds {
		if h.Session == sess.Seq {
			holds++
		}
	}
	if holds > 0 {
		fmt.Fprintf(&b, "\nHolds during the session: %d.", holds)
	}
	if _, ok := sc.ActiveHold(); ok {
		b.WriteString("\nThe scene is still on hold: talk to the IC.")
	}
	switch sess.Lock.State {
	case LockEnforced, LockIncomplete:
		fmt.Fprintf(&b, "\nRestoring #%s…", sc.Channel)
	case LockNotEnforced:
		b.WriteString("\nThe channel lock was not enforced during this session.")
	}
	return b.String(), nil
}

func runClosedSetStatus(in *input, tx Tx) error {
	if len(in.args) == 0 {
		return closedSetOverview(in, tx)
	}
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	if sc.Sessions == sc.PastSessions {
		in.out.reply(ClassRoster, sc.ID, "No closed set has run for scene %s yet. Planned roster: %s.", sc.ID, plannedRoster(tx, &sc))
		return nil
	}
	seq := sc.Session
	if seq == 0 {
		seq = sc.Sessions
	}
	sess, err := tx.Session(sc.ID, seq)
	if err != nil {
		return err
	}
	text, err := in.b.sessionCard(tx, &sc, &sess)
	if err != nil {
		return err
	}
	in.out.reply(ClassRoster, sc.ID, "%s", text)
	return nil
}

func plannedRoster(tx Tx, sc *Scene) string {
	ids := slices.Clone(sc.Performers)
	for _, m := range sc.Roster {
		ids = append(ids, m.User)
	}
	ps, err := peopleOf(tx, ids)
	if err != nil {
		return "unknown"
	}
	return handles(ps)
}

// closedSetOverview lists the running closed sets the caller may see.
func closedSetOverview(in *input, tx Tx) error {
	if !in.caller.Known() {
		return in.forbidden()
	}
	in.authorized = true
	scenes, err := tx.Scenes()
	if err != nil {
		return err
	}
	var b strings.Builder
	n := 0
	for _, sc := range scenes {
		if !sc.Filming() {
			continue
		}
		a, err := loadAbout(tx, sc.ID)
		if err != nil {
			return err
		}
		if !in.b.gate.mayRead(in.caller, ClassRoster, a, "") {
			continue
		}
		sess, err := tx.Session(sc.ID, sc.Session)
		if err != nil {
			return err
		}
		by, _ := personOf(tx, sess.StartedBy)
		n++
		fmt.Fprintf(&b, "\n  scene %s: since %s (started by %s), roster of %d, lock %s", sc.ID, in.b.fmtClock(sess.StartedAt), by.Handle(), len(sess.Roster), sess.Lock.State)
		if _, ok := sc.ActiveHold(); ok {
			b.WriteString(", ON HOLD")
		}
	}
	if n == 0 {
		in.out.reply(ClassCrew, "", "No closed set that you may see is running.")
		return nil
	}
	in.out.reply(ClassCrew, "", "Running closed sets:%s", b.String())
	return nil
}

// sessionCard shows a session to those who may see the roster and state.
// It never says who called a hold.
func (b *Bot) sessionCard(tx Tx, sc *Scene, sess *Session) (string, error) {
	var s strings.Builder
	state := "running"
	if !sess.Running() {
		state = "ended " + b.fmtTime(sess.EndedAt)
	}
	by, err := personOf(tx, sess.StartedBy)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&s, "Closed set for scene %s, session %d: %s.\n  Started %s by %s.\n", sc.ID, sess.Seq, state, b.fmtTime(sess.StartedAt), by.Handle())
	if !sess.Running() {
		end, err := personOf(tx, sess.EndedBy)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&s, "  Ended by %s.\n", end.Handle())
	}
	fmt.Fprintf(&s, "  Roster (%d):", len(sess.Roster))
	for _, m := range sess.Roster {
		p, err := personOf(tx, m.User)
		if err != nil {
			return "", err
		}
		ack := "device policy not confirmed"
		if !m.AckedAt.IsZero() {
			ack = "confirmed " + b.fmtClock(m.AckedAt)
		}
		fmt.Fprintf(&s, "\n    %s (%s): %s", p.Handle(), m.Role, ack)
	}
	fmt.Fprintf(&s, "\n  Lock: %s", sess.Lock.State)
	if sess.Lock.Problem != "" {
		fmt.Fprintf(&s, " (%s)", sess.Lock.Problem)
	}
	if _, ok := sc.ActiveHold(); ok {
		s.WriteString("\n  The scene is ON HOLD: talk to the IC.")
	}
	return s.String(), nil
}
