package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// FollowUp does what a command leaves for after the caller's answer: it
// sends the notices the command enqueued, then runs effects such as a
// channel lock, whose results reach the caller as late replies. Adapters
// call it after acknowledging the platform; the console calls it at once.
// Notices that cannot be sent now stay queued for RunDeliveries.
func (b *Bot) FollowUp(ctx context.Context, o *Outcome) {
	b.outbox.deliver(ctx, o.deliveries)
	for _, e := range o.effects {
		if err := e(ctx, b, o.cmd); err != nil {
			if ctx.Err() != nil {
				// Stopping: a lock or unlock left half done is finished
				// by Recover at the next start.
				b.log.Info("follow-up cut short by the stop", "err", err)
				return
			}
			b.log.Error("follow-up failed", "err", err)
			msg := ErrorMessage(err)
			if ErrorCode(err) == EINTERNAL {
				// The command itself was committed: only what came after failed.
				msg = "Your command was recorded, but a step after it failed; the error has been logged for the operator."
			}
			b.lateReply(ctx, o.cmd, ClassPublic, "", msg)
		}
	}
}

// lateReply tells the caller of cmd something after the answer.
func (b *Bot) lateReply(ctx context.Context, cmd Command, c Class, scene SceneID, text string) {
	b.outbox.notify(ctx, cmd, Message{To: Destination{Kind: ToCaller, User: cmd.Caller}, Class: c, Scene: scene, Text: text})
}

// Recover finishes closed-set locks that a stop interrupted: a running
// session whose lock was never applied is locked, and an ended one whose
// lock was never released is restored. The AD who started the session is
// told how it went. Then, as members may have changed while icbot was
// down, every lock in force is applied again where someone off the roster
// reads its channel (the AD and the IC are told), and every channel icbot
// posted to is checked against its readers. Pending
// messages are RunDeliveries' work.
func (b *Bot) Recover(ctx context.Context) error {
	type todo struct {
		scene SceneID
		seq   uint64
		by    UserID
		lock  bool
	}
	var work []todo
	err := b.store.View(ctx, func(tx Tx) error {
		current, err := currentSessions(tx, func(sess Session) bool {
			return sess.Running() && sess.Lock.State == LockPending || !sess.Running() && sess.Lock.Held()
		})
		for _, c := range current {
			w := todo{scene: c.session.Scene, seq: c.session.Seq, by: c.session.EndedBy}
			if c.session.Running() {
				w.by, w.lock = c.session.StartedBy, true
			}
			work = append(work, w)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, w := range work {
		cmd := Command{Caller: w.by}
		e := unlockEffect(w.scene, w.seq)
		if w.lock {
			e = lockEffect(w.scene, w.seq)
		}
		b.log.Info("finishing an interrupted closed-set lock", "scene", string(w.scene), "session", w.seq, "lock", w.lock)
		if err := e(ctx, b, cmd); err != nil {
			return err
		}
	}
	// Members may have changed while icbot was down, where no event
	// reached it: every running closed set's lock is applied again where
	// someone off its roster reads the channel, then every channel icbot
	// posted to is checked.
	if err := b.keepLocked(ctx, "", "checked at icbot's start"); err != nil && ctx.Err() == nil {
		b.log.Warn("could not check every closed-set lock at start; they are checked again at the next change", "err", err)
	}
	if err := b.sweep(ctx, "checked at icbot's start"); err != nil && ctx.Err() == nil {
		b.log.Warn("could not check every channel's readers at start; they are checked again at the next change", "err", err)
	}
	return nil
}

// lockEffect locks (or re-locks after a roster change) the scene channel
// for a session, and records the result. Lock effects run one at a time,
// each from the session as it is when it runs, so that concurrent roster
// changes all end up applied.
func lockEffect(scene SceneID, seq uint64) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		locker, ok := b.chat.(Locker)
		if !ok {
			return nil
		}
		b.lockMu.Lock()
		defer b.lockMu.Unlock()
		sc, sess, err := b.sceneSession(ctx, scene, seq)
		if err != nil {
			return err
		}
		if !sess.Running() || sess.Lock.State == LockNotEnforced {
			return nil // ended before the lock was made, or nothing to keep up
		}
		// An incomplete lock is re-tried whole, keeping what to undo.
		first := sess.Lock.State == LockPending
		// Only roster members who may read everything icbot posted there
		// are let in; the channel's history is checked and the lock made
		// with no post in between.
		unlockCh := b.audience.locks.lock(sc.Channel)
		allowed, keptOut, err := b.admit(ctx, sc.Channel, sess.Users())
		if err != nil {
			unlockCh()
			return err
		}
		res, lockErr := locker.Lock(ctx, sc.Channel, allowed, sess.Lock.Changes)
		if lockErr == nil {
			// The platform's events about icbot's own change find it
			// known, and report nothing.
			b.noteReaders(ctx, sc.Channel)
		}
		unlockCh()
		after, err := b.recordLock(ctx, cmd, scene, seq, first, res, lockErr, len(keptOut))
		if err != nil {
			return err
		}
		if lockErr != nil {
			b.log.Warn("closed-set lock not applied", "scene", string(scene), "err", lockErr)
			b.lateReply(ctx, cmd, ClassRoster, scene, lockFailedText(&sc, after, first, lockErr))
			return nil
		}
		if !after.Running() {
			return b.unlock(ctx, locker, cmd, scene, seq) // ended while locking
		}
		return b.lockMade(ctx, cmd, &sc, after, first, res, keptOut)
	}
}

// recordLock stores what a lock attempt did to the session, with its
// audit record, and returns the session as stored.
func (b *Bot) recordLock(ctx context.Context, cmd Command, scene SceneID, seq uint64, first bool, res LockResult, lockErr error, keptOut int) (Session, error) {
	var after Session
	err := b.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Session(scene, seq)
		if err != nil {
			return err
		}
		switch {
		case lockErr == nil:
			cur.Lock.State, cur.Lock.Problem, cur.Lock.Changes = LockEnforced, "", res
		case first && res.Restore == nil:
			cur.Lock.State, cur.Lock.Problem = LockNotEnforced, lockProblem(lockErr)
		case first:
			// Part of the lock was made: keep what to undo.
			cur.Lock.State, cur.Lock.Problem, cur.Lock.Changes = LockIncomplete, lockProblem(lockErr), res
		default:
			// The earlier lock is still in force and must be undone at
			// the end; only this roster change did not take.
			cur.Lock.Problem = "the last roster change was not applied to the channel: " + lockProblem(lockErr)
			if res.Restore != nil {
				cur.Lock.Changes = res
			}
		}
		if err := tx.PutSession(cur); err != nil {
			return err
		}
		after = cur
		return tx.Audit(AuditRecord{Time: b.now(), Actor: cmd.Caller, Action: "closedset.lock", Scene: scene,
			Summary: fmt.Sprintf("channel lock %s for scene %s session %d (%d taken out, %d of the roster not let in)", cur.Lock.State, scene, seq, len(cur.Lock.Changes.Removed), keptOut)})
	})
	return after, err
}

// lockFailedText tells the AD that the lock, or a roster change to it,
// did not take, and what to do until it does.
func lockFailedText(sc *Scene, after Session, first bool, lockErr error) string {
	text := fmt.Sprintf("Lock not enforced on #%s: %s. The closed set for %s still runs, announced and logged, but the chat platform does not keep others out, so the roster was not posted there.",
		sc.Channel, lockProblem(lockErr), sceneNamed(sc))
	if after.Lock.State == LockIncomplete {
		text = fmt.Sprintf("Lock incomplete on #%s: %s. What was changed will be undone at the end. The closed set for %s still runs, announced and logged; the roster was not posted there.",
			sc.Channel, lockProblem(lockErr), sceneNamed(sc))
	}
	if !first {
		text = fmt.Sprintf("The roster change was not applied to #%s: %s. The channel is still locked to the earlier roster of %s.", sc.Channel, lockProblem(lockErr), sceneNamed(sc))
	}
	return text + fmt.Sprintf(" Until that is fixed, keep #%s to the roster by hand: /closedset status %s lists it.", sc.Channel, sc.ID)
}

// lockMade tells the AD the channel is locked (or, for a roster change,
// who was kept out) and, on the first lock, posts the roster to the
// channel now that only the roster reads it.
func (b *Bot) lockMade(ctx context.Context, cmd Command, sc *Scene, after Session, first bool, res LockResult, keptOut map[UserID][]Post) error {
	scene := sc.ID
	var names []Person
	var roster string
	_ = b.store.View(ctx, func(tx Tx) error {
		var err error
		names, err = peopleOf(tx, res.Removed)
		if err == nil {
			roster, err = rosterText(tx, after.Roster)
		}
		return err
	})
	kept := ""
	if len(keptOut) > 0 {
		kept = b.keptOutText(ctx, sc.Channel, keptOut)
	}
	if !first {
		if kept != "" {
			b.lateReply(ctx, cmd, ClassRoster, scene, kept)
		}
		return nil
	}
	text := fmt.Sprintf("Lock enforced: #%s is restricted to the roster for scene %s.", sc.Channel, scene)
	if len(res.Removed) > 0 {
		text += fmt.Sprintf(" Taken out until the end: %s.", handles(names))
	}
	if kept != "" {
		text += "\n" + kept
	}
	b.lateReply(ctx, cmd, ClassRoster, scene, text)
	// Only now, with the channel's members the roster, the roster goes there.
	b.outbox.notify(ctx, cmd, Message{To: Destination{Kind: ToChannel, Channel: sc.Channel}, Class: ClassRoster, Scene: scene,
		Text: fmt.Sprintf("Closed set for scene %s started at %s. This channel is locked to the roster: %s\n%s\nEach of you: confirm the device policy with /closedset ack %s.",
			scene, b.fmtClock(after.StartedAt), roster, closedSetRules(scene), scene)})
	return nil
}

// sceneSession is a scene's current session, with the scene.
type sceneSession struct {
	scene   Scene
	session Session
}

// currentSessions lists the latest session of each scene that keep
// accepts, with its scene, when it is still that scene's current
// session: a removed scene's sessions stay on record, and a scene added
// again under the same id starts afresh. Only the scenes that had a
// closed set have sessions, so a start reads these, not every scene.
func currentSessions(tx Tx, keep func(Session) bool) ([]sceneSession, error) {
	latest, err := tx.LatestSessions()
	if err != nil {
		return nil, err
	}
	var out []sceneSession
	for _, sess := range latest {
		if !keep(sess) {
			continue
		}
		switch sc, err := tx.Scene(sess.Scene); {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		case sc.Sessions == sess.Seq:
			out = append(out, sceneSession{scene: sc, session: sess})
		}
	}
	return out, nil
}

// unlockEffect restores the scene channel after a session.
func unlockEffect(scene SceneID, seq uint64) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		locker, ok := b.chat.(Locker)
		if !ok {
			return nil
		}
		b.lockMu.Lock()
		defer b.lockMu.Unlock()
		return b.unlock(ctx, locker, cmd, scene, seq)
	}
}

// unlock undoes a session's lock; b.lockMu is held.
func (b *Bot) unlock(ctx context.Context, locker Locker, cmd Command, scene SceneID, seq uint64) error {
	sc, sess, err := b.sceneSession(ctx, scene, seq)
	if err != nil {
		return err
	}
	if !sess.Lock.Held() || sess.Running() {
		return nil
	}
	// Those the lock took out come back to the channel: what icbot posted
	// there during the session that they may not read is taken down first.
	unlockCh := b.audience.locks.lock(sc.Channel)
	if why := b.clearForReturn(ctx, sc.Channel, sess.Lock.Changes.Removed); why != "" {
		unlockCh()
		b.lateReply(ctx, cmd, ClassRoster, scene, fmt.Sprintf("#%s stays locked after the closed set: %s", sc.Channel, why))
		return nil
	}
	err = locker.Unlock(ctx, sc.Channel, sess.Lock.Changes)
	var report string
	if err == nil {
		// A platform may give the channel back to more than those it
		// names (a role's access): its readers are checked again, before
		// anything else reaches it.
		var cerr error
		report, cerr = b.checkReaders(ctx, sc.Channel, "the closed set for scene "+string(scene)+" ended", true)
		if cerr != nil {
			b.log.Warn("could not check a channel's readers after a closed set", "channel", string(sc.Channel), "err", cerr)
		}
	}
	unlockCh()
	if report != "" {
		b.tellRole(ctx, RoleIC, "", ClassChannelReport, report)
	}
	if err != nil {
		b.log.Error("closed-set unlock failed", "scene", string(scene), "err", err)
		b.lateReply(ctx, cmd, ClassRoster, scene, fmt.Sprintf("Could not restore #%s after the closed set: %s. icbot will try again at its next start; or restore the members by hand.", sc.Channel, lockProblem(err)))
		return nil
	}
	err = b.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Session(scene, seq)
		if err != nil {
			return err
		}
		cur.Lock.State = LockReleased
		if err := tx.PutSession(cur); err != nil {
			return err
		}
		return tx.Audit(AuditRecord{Time: b.now(), Actor: cmd.Caller, Action: "closedset.unlock", Scene: scene,
			Summary: fmt.Sprintf("channel restored for scene %s session %d (%d restored)", scene, seq, len(cur.Lock.Changes.Removed))})
	})
	if err != nil {
		return err
	}
	b.lateReply(ctx, cmd, ClassRoster, scene, fmt.Sprintf("#%s is restored: everyone the lock took out is back.", sc.Channel))
	return nil
}

// clearForReturn takes down what people coming back to ch may not read,
// and says why they cannot come back yet ("" when they can); the caller
// holds ch's lock.
func (b *Bot) clearForReturn(ctx context.Context, ch ChannelID, returning []UserID) string {
	_, blocked, err := b.admit(ctx, ch, returning)
	if err != nil {
		b.log.Error("checking a channel's history before restoring it", "channel", string(ch), "err", err)
		return "icbot could not check what was posted there (the error is logged); it will try again at its next start."
	}
	if len(blocked) == 0 {
		return ""
	}
	var down []Post
	var who []UserID
	for u, ps := range blocked {
		who = append(who, u)
		for _, p := range ps {
			if !slices.ContainsFunc(down, func(d Post) bool { return d.Seq == p.Seq }) {
				down = append(down, p)
			}
		}
	}
	slices.Sort(who)
	slices.SortFunc(down, func(a, b Post) int { return int(a.Seq) - int(b.Seq) })
	var names string
	_ = b.store.View(ctx, func(tx Tx) error {
		ps, err := peopleOf(tx, who)
		names = handles(ps)
		return err
	})
	failed, err := b.retract(ctx, ch, down, "the closed set ended and "+names+", who may not read it, came back to the channel")
	if len(failed) == 0 {
		return ""
	}
	return fmt.Sprintf("it holds the %s, which %s may not read, and icbot could not take it down (%s). Delete it by hand; icbot tries again at its next start.",
		postsText(failed), names, ErrorMessage(err))
}

// sceneSession reads a scene and one of its sessions.
func (b *Bot) sceneSession(ctx context.Context, scene SceneID, seq uint64) (sc Scene, sess Session, err error) {
	err = b.store.View(ctx, func(tx Tx) error {
		if sc, err = tx.Scene(scene); err != nil {
			return err
		}
		sess, err = tx.Session(scene, seq)
		return err
	})
	return sc, sess, err
}

// lockProblem is what the AD reads about a failed lock.
func lockProblem(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "the chat platform refused the change (see the log)"
}
