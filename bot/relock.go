package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Keeping a closed-set lock in force.
//
// While a closed set runs, its scene channel is locked to the roster. The
// lock is a state of the platform, which others can change: an admin adds
// someone by hand, a permission is changed, a member is invited while
// icbot is down. Whenever a locked channel's readers may have changed (a
// platform event, icbot's start, the regular check), icbot looks at who
// reads it; when someone off the roster does, it applies the lock again
// and tells the AD who started the set, and the IC, who was taken out, or
// that the lock no longer holds and what to do.
//
// icbot's own changes do not start this again: after a lock, the channel
// holds only whom the lock lets in, so the events the change causes find
// nobody to take out, and a lock the platform keeps refusing is reported
// once, not at every event.

// lockedSession names a running session whose lock is in force.
type lockedSession struct {
	scene SceneID
	seq   uint64
}

// keepLocked applies again the lock of every running closed set whose
// channel is ch (every channel: "") when someone off its roster reads it.
// cause says what prompted the look ("changed outside icbot"). It returns
// the first failure that may pass, to try again.
func (b *Bot) keepLocked(ctx context.Context, ch ChannelID, cause string) error {
	locker, ok := b.chat.(Locker)
	if !ok {
		return nil
	}
	locked, err := b.lockedSessions(ctx, ch)
	if err != nil {
		return err
	}
	var first error
	for _, s := range locked {
		if err := b.relock(ctx, locker, s.scene, s.seq, cause); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// lockedSessions lists the running sessions whose lock is in force, or
// incomplete, on ch (on any channel: "").
func (b *Bot) lockedSessions(ctx context.Context, ch ChannelID) ([]lockedSession, error) {
	var out []lockedSession
	err := b.store.View(ctx, func(tx Tx) error {
		current, err := currentSessions(tx, func(sess Session) bool { return sess.Running() && sess.Lock.Held() })
		for _, c := range current {
			if c.scene.Channel != "" && (ch == "" || c.scene.Channel == ch) {
				out = append(out, lockedSession{scene: c.session.Scene, seq: c.session.Seq})
			}
		}
		return err
	})
	return out, err
}

// relock looks at who reads a locked session's channel and, when someone
// off the roster may, makes the same Lock call as lockEffect, under the
// same locks, with the session's record of what the lock changed (so
// that the end restores the members from before the set, not those let
// in during it). What it did is recorded and told.
func (b *Bot) relock(ctx context.Context, locker Locker, scene SceneID, seq uint64, cause string) error {
	b.lockMu.Lock()
	defer b.lockMu.Unlock()
	sc, sess, err := b.sceneSession(ctx, scene, seq)
	if err != nil {
		return err
	}
	if !sess.Running() || !sess.Lock.Held() {
		return nil
	}
	unlockCh := b.audience.locks.lock(sc.Channel)
	rl, res, err := b.reapply(ctx, locker, &sc, sess, cause)
	unlockCh()
	if err != nil || rl == nil || !rl.worthTelling() {
		return err
	}
	stored, err := b.recordRelock(ctx, rl, res)
	if err != nil {
		return err
	}
	if rl.lockErr != nil {
		b.log.Warn("closed-set lock could not be applied again", "scene", string(scene), "err", rl.lockErr)
	}
	if stored.Running() && stored.Lock.Held() {
		b.tellRelock(ctx, stored, b.relockText(ctx, rl, stored.Lock.Changes.Removed))
	}
	return nil
}

// reapply does relock's work on the platform, under the channel's lock:
// it returns nil when the lock holds, else what it found and did, with
// the Lock's result.
func (b *Bot) reapply(ctx context.Context, locker Locker, sc *Scene, sess Session, cause string) (*relockOutcome, LockResult, error) {
	roster := sess.Users()
	allowed, _, err := b.admit(ctx, sc.Channel, roster)
	if err != nil {
		return nil, LockResult{}, err
	}
	before, beforeErr := b.lockReaders(ctx, sc.Channel)
	if _, retry := transient(beforeErr, 1); beforeErr != nil && retry {
		return nil, LockResult{}, beforeErr
	}
	extra := outside(before, roster)
	if beforeErr == nil && len(extra) == 0 && (sess.Lock.State == LockEnforced || !lapsed(sess.Lock)) {
		// The lock holds; an incomplete first lock is lockEffect's to
		// finish, at the next roster change.
		return nil, LockResult{}, nil
	}
	// Roster members the lock kept out for the channel's history and
	// someone let in by hand stay: the check of the channel's readers
	// that follows takes down what they may not read, as for any reader
	// let in outside icbot.
	keep := slices.Clone(allowed)
	for _, u := range before {
		if slices.Contains(roster, u) && !slices.Contains(keep, u) {
			keep = append(keep, u)
		}
	}
	rl := &relockOutcome{sc: sc, before: sess, cause: cause, extra: extra, beforeErr: beforeErr}
	// What those let in could read while there, for the report.
	if _, rl.saw, err = b.admit(ctx, sc.Channel, extra); err != nil {
		return nil, LockResult{}, err
	}
	if err := b.store.View(ctx, func(tx Tx) error {
		ps, err := peopleOf(tx, extra)
		rl.extraNames = handles(ps)
		return err
	}); err != nil {
		return nil, LockResult{}, err
	}
	res, lockErr := locker.Lock(ctx, sc.Channel, keep, sess.Lock.Changes)
	rl.lockErr = lockErr
	if lockErr != nil {
		return rl, res, nil
	}
	after, afterErr := b.lockReaders(ctx, sc.Channel)
	switch {
	case afterErr == nil:
		b.ownLockReaders(sc.Channel, before, after)
		rl.gone = slices.DeleteFunc(slices.Clone(extra), func(u UserID) bool { return slices.Contains(after, u) })
	case fromPlatform(afterErr):
		if _, retry := transient(afterErr, 1); !retry {
			rl.lockErr = Errorf(EUNAVAILABLE, "after the lock, icbot cannot tell who reads the channel: %s", ErrorMessage(afterErr))
		}
	}
	return rl, res, nil
}

// lockReaders asks the platform who reads ch. A chat without the ability
// says so as an error that does not pass.
func (b *Bot) lockReaders(ctx context.Context, ch ChannelID) ([]UserID, error) {
	lister, ok := b.chat.(MemberLister)
	if !ok {
		return nil, errNoLister
	}
	return lister.Members(ctx, ch)
}

// ownLockReaders records who reads ch after a relock, so that the
// platform's events about icbot's own change find it known and report
// nothing; those let in by hand who stay (roster members) are left new
// for the check of the channel's readers to report.
func (b *Bot) ownLockReaders(ch ChannelID, before, after []UserID) {
	known, wasKnown := b.audience.readersWere(ch, after)
	if !wasKnown {
		return
	}
	own := slices.DeleteFunc(slices.Clone(after), func(u UserID) bool {
		return slices.Contains(before, u) && !slices.Contains(known, u)
	})
	if own == nil {
		own = []UserID{}
	}
	b.audience.readersWere(ch, own)
}

// outside lists the readers who are not in allowed.
func outside(readers, allowed []UserID) []UserID {
	var out []UserID
	for _, u := range readers {
		if !slices.Contains(allowed, u) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// relockOutcome is what one relock found and did.
type relockOutcome struct {
	sc         *Scene
	before     Session
	cause      string
	extra      []UserID          // readers off the roster before the lock
	extraNames string            // their handles
	beforeErr  error             // why icbot could not tell who read it
	lockErr    error             // the platform's refusal
	gone       []UserID          // those the lock took out again
	saw        map[UserID][]Post // what of the channel's history each may not read
	problem    string            // recorded when the lock no longer holds
}

// worthTelling reports whether the relock changed something or found the
// lock lapsed in a way not already recorded: a lock that keeps being
// refused is told once, and a relock that changed nothing not at all.
func (rl *relockOutcome) worthTelling() bool {
	if rl.lockErr != nil {
		// An incomplete lock that nobody off the roster reads stays as
		// recorded: its retry failing is no news.
		if len(rl.extra) == 0 && !fromPlatform(rl.beforeErr) {
			return false
		}
		rl.problem = rl.lapsedProblem()
		return rl.problem != rl.before.Lock.Problem
	}
	return len(rl.gone) > 0 || rl.before.Lock.State != LockEnforced || fromPlatform(rl.beforeErr)
}

// errNoLister: the chat cannot say who reads a channel.
var errNoLister = Errorf(EUNAVAILABLE, "this chat adapter cannot list a channel's members")

// fromPlatform reports whether err is the platform's answer about who
// reads a channel (not the absence of a way to ask).
func fromPlatform(err error) bool {
	return err != nil && !errors.Is(err, errNoLister)
}

// The recorded problem of a lock that no longer holds starts with one of
// these.
const (
	lapsedPrefix = "the lock no longer holds: "
	lapsedMaybe  = "the lock may no longer hold: "
)

// lapsed reports whether a relock found the lock no longer holding.
func lapsed(l LockRecord) bool {
	return strings.HasPrefix(l.Problem, lapsedPrefix) || strings.HasPrefix(l.Problem, lapsedMaybe)
}

// lapsedProblem is the recorded reason a lock no longer holds; a change of
// it (someone else let in) is told again.
func (rl *relockOutcome) lapsedProblem() string {
	if len(rl.extra) == 0 {
		return lapsedMaybe + "icbot could not tell who reads the channel, nor apply the lock again (" + lockProblem(rl.lockErr) + "); keep the channel to the roster by hand"
	}
	return lapsedPrefix + rl.extraNames + ", off the roster, can read the channel, and icbot could not take them out (" + lockProblem(rl.lockErr) + "); keep the channel to the roster by hand"
}

// recordRelock stores the relock's outcome in the session, with an audit
// record, and returns the session as stored.
func (b *Bot) recordRelock(ctx context.Context, rl *relockOutcome, res LockResult) (Session, error) {
	var after Session
	err := b.store.Update(ctx, func(tx Tx) error {
		cur, err := tx.Session(rl.before.Scene, rl.before.Seq)
		if err != nil {
			return err
		}
		if !cur.Running() || !cur.Lock.Held() {
			after = cur
			return nil // ended meanwhile: the end's unlock has the record
		}
		if rl.lockErr == nil {
			cur.Lock.State, cur.Lock.Problem, cur.Lock.Changes = LockEnforced, "", res
		} else {
			// Still undone at the end, with what the lock changed.
			cur.Lock.State, cur.Lock.Problem = LockIncomplete, rl.problem
			if res.Restore != nil {
				cur.Lock.Changes = res
			}
		}
		if err := tx.PutSession(cur); err != nil {
			return err
		}
		after = cur
		return tx.Audit(AuditRecord{Time: b.now(), Actor: "icbot", Action: "closedset.relock", Scene: cur.Scene,
			Summary: fmt.Sprintf("channel lock applied again for scene %s session %d (%s): %s, %d taken out again, %d off the roster seen reading",
				cur.Scene, cur.Seq, rl.cause, cur.Lock.State, len(rl.gone), len(rl.extra))})
	})
	return after, err
}

// relockText is what the AD and the IC read about a relock; removed are
// those the session's lock brings back at the end.
func (b *Bot) relockText(ctx context.Context, rl *relockOutcome, removed []UserID) string {
	sc := rl.sc
	var gone, saw string
	var seen []Post
	var sawIDs []UserID
	for _, u := range rl.gone {
		if len(rl.saw[u]) > 0 {
			sawIDs = append(sawIDs, u)
			seen = append(seen, rl.saw[u]...)
		}
	}
	_ = b.store.View(ctx, func(tx Tx) error {
		for _, l := range []struct {
			ids []UserID
			to  *string
		}{{rl.gone, &gone}, {sawIDs, &saw}} {
			ps, err := peopleOf(tx, l.ids)
			if err != nil {
				return err
			}
			*l.to = handles(ps)
		}
		return nil
	})
	if len(seen) > 0 {
		slices.SortFunc(seen, func(a, b Post) int { return int(a.Seq) - int(b.Seq) })
		seen = slices.CompactFunc(seen, func(a, b Post) bool { return a.Seq == b.Seq })
		saw = fmt.Sprintf(" While in, %s could read the %s, which they may not read.", saw, postsText(seen))
	} else {
		saw = ""
	}
	lockedTo := fmt.Sprintf("#%s is locked to the roster of the closed set for %s", sc.Channel, sceneNamed(sc))
	switch {
	case rl.lockErr != nil && len(rl.extra) > 0:
		return fmt.Sprintf("The lock on #%s no longer holds: %s, off the roster, can read it (%s), and icbot could not take them out: %s. The closed set for %s still runs. Until that is fixed, keep #%s to the roster by hand: /closedset status %s lists it.",
			sc.Channel, rl.extraNames, rl.cause, lockProblem(rl.lockErr), sceneNamed(sc), sc.Channel, sc.ID)
	case rl.lockErr != nil:
		return fmt.Sprintf("The lock on #%s may no longer hold: it was changed outside icbot (%s), and icbot could not apply the lock again: %s. The closed set for %s still runs. Until that is fixed, keep #%s to the roster by hand: /closedset status %s lists it.",
			sc.Channel, rl.cause, lockProblem(rl.lockErr), sceneNamed(sc), sc.Channel, sc.ID)
	case len(rl.gone) > 0:
		return fmt.Sprintf("%s, but %s had been let in by hand (%s). icbot took them out again.%s%s",
			lockedTo, gone, rl.cause, saw, b.atTheEnd(ctx, rl.gone, removed))
	case fromPlatform(rl.beforeErr):
		return fmt.Sprintf("%s, but it was changed outside icbot (%s) and icbot could not tell who could read it: %s. icbot applied the lock again.",
			lockedTo, rl.cause, ErrorMessage(rl.beforeErr))
	default:
		return fmt.Sprintf("Lock enforced again: #%s is restricted to the roster for scene %s.", sc.Channel, sc.ID)
	}
}

// atTheEnd says which of those taken out again come back at the end of
// the set: the members from before it, whom the lock restores.
func (b *Bot) atTheEnd(ctx context.Context, gone, removed []UserID) string {
	var back, notBack []UserID
	for _, u := range gone {
		if slices.Contains(removed, u) {
			back = append(back, u)
		} else {
			notBack = append(notBack, u)
		}
	}
	var s string
	_ = b.store.View(ctx, func(tx Tx) error {
		if len(back) > 0 {
			ps, err := peopleOf(tx, back)
			if err != nil {
				return err
			}
			s += fmt.Sprintf(" %s, %s before the set, come%s back at /closedset end.", handles(ps), members(len(ps)), verbS(len(ps)))
		}
		if len(notBack) > 0 {
			ps, err := peopleOf(tx, notBack)
			if err != nil {
				return err
			}
			s += fmt.Sprintf(" %s, not %s before the set, do%s not come back at the end.", handles(ps), members(len(ps)), verbES(len(ps)))
		}
		return nil
	})
	return s
}

// members, verbS and verbES agree with n people: a member comes, does;
// members come, do.
func members(n int) string {
	if n == 1 {
		return "a member"
	}
	return "members"
}

func verbS(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func verbES(n int) string {
	if n == 1 {
		return "es"
	}
	return ""
}

// tellRelock tells the AD who started the set, and the IC, about a
// relock.
func (b *Bot) tellRelock(ctx context.Context, sess Session, text string) {
	b.lateReply(ctx, Command{Caller: sess.StartedBy}, ClassRoster, sess.Scene, text)
	var ics []Person
	if err := b.store.View(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		ics, err = holders(tx, RoleIC)
		return err
	}); err != nil {
		b.log.Error("finding the IC to tell of a closed-set lock", "err", err)
		return
	}
	for _, p := range ics {
		if p.ID != sess.StartedBy {
			b.notify(ctx, Command{Caller: p.ID}, Message{To: Destination{Kind: ToUser, User: p.ID}, Class: ClassRoster, Scene: sess.Scene, Text: text})
		}
	}
}
