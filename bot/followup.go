package bot

import (
	"context"
	"errors"
	"fmt"
)

// FollowUp does what a command leaves for after the caller's answer:
// notices to other people and channels, then effects such as a channel
// lock, whose results are reported to the caller by a late reply. Adapters
// call it after acknowledging the platform; the console calls it at once.
func (b *Bot) FollowUp(ctx context.Context, o *Outcome) {
	for _, m := range o.notices {
		b.deliver(ctx, o, m)
	}
	for _, e := range o.effects {
		if err := e(ctx, b, o); err != nil {
			b.log.Error("follow-up failed", "err", err)
			b.lateReply(ctx, o, ClassPublic, "", ErrorMessage(err))
		}
	}
}

// deliver sends one screened message, making the channel half of the
// need-to-know check first. A message that cannot go is reported to the
// caller, without its content.
func (b *Bot) deliver(ctx context.Context, o *Outcome, m Message) {
	var err error
	switch m.To.Kind {
	case ToUser:
		err = b.chat.DM(ctx, m.To.User, m)
	case ToCaller:
		err = b.reply(ctx, o, m)
	case ToChannel:
		var ok bool
		ok, err = channelAllows(ctx, b.chat, m)
		if err == nil && !ok {
			b.log.Warn("refused to post to a channel that is not private", "class", m.Class.String(), "channel", string(m.To.Channel), "scene", string(m.Scene))
			b.lateReply(ctx, o, ClassPublic, m.Scene, fmt.Sprintf("Not posted to #%s: it is not a private channel, and this message is for its audience only. Make the channel private (or use another) and try again.", m.To.Channel))
			return
		}
		if err == nil {
			err = b.chat.Post(ctx, m.To.Channel, m)
		}
	}
	if err != nil {
		b.log.Error("delivery failed", "to", m.To.String(), "class", m.Class.String(), "err", err)
		if m.To.Kind != ToCaller {
			b.lateReply(ctx, o, ClassPublic, m.Scene, fmt.Sprintf("Could not deliver a message (%s): %s", m.To, ErrorMessage(err)))
		}
	}
}

// reply sends a late reply to the caller through the command's reply
// handle, or by DM when the adapter gave none.
func (b *Bot) reply(ctx context.Context, o *Outcome, m Message) error {
	if o.cmd.Respond != nil {
		return o.cmd.Respond(ctx, m)
	}
	return b.chat.DM(ctx, o.cmd.Caller, m)
}

// lateReply screens a new message for the caller and sends it.
func (b *Bot) lateReply(ctx context.Context, o *Outcome, c Class, scene SceneID, text string) {
	m := Message{To: Destination{Kind: ToCaller, User: o.cmd.Caller}, Class: c, Scene: scene, Subject: o.cmd.Caller, Text: text}
	var pass []Message
	err := b.store.View(ctx, func(tx Tx) error {
		var err error
		pass, _, err = b.gate.screen(tx, []Message{m})
		return err
	})
	if err != nil {
		b.log.Error("screening a late reply", "err", err)
		return
	}
	for _, m := range pass {
		if err := b.reply(ctx, o, m); err != nil {
			b.log.Error("late reply failed", "err", err)
		}
	}
}

// lockEffect locks (or re-locks after a roster change) the scene channel
// for a session, and records the result.
func lockEffect(scene SceneID, seq uint64) effect {
	return func(ctx context.Context, b *Bot, o *Outcome) error {
		locker, ok := b.chat.(Locker)
		if !ok {
			return nil
		}
		var sc Scene
		var sess Session
		err := b.store.View(ctx, func(tx Tx) error {
			var err error
			if sc, err = tx.Scene(scene); err != nil {
				return err
			}
			sess, err = tx.Session(scene, seq)
			return err
		})
		if err != nil {
			return err
		}
		if !sess.Running() {
			return nil // ended before the lock was made; nothing to do
		}
		res, lockErr := locker.Lock(ctx, sc.Channel, sess.Users(), sess.Lock.Changes)
		ended := false
		err = b.store.Update(ctx, func(tx Tx) error {
			cur, err := tx.Session(scene, seq)
			if err != nil {
				return err
			}
			ended = !cur.Running()
			if lockErr != nil {
				cur.Lock.State, cur.Lock.Problem = LockNotEnforced, lockProblem(lockErr)
				b.log.Warn("closed-set lock not enforced", "scene", string(scene), "err", lockErr)
			} else {
				cur.Lock.State, cur.Lock.Problem, cur.Lock.Changes = LockEnforced, "", res
			}
			if err := tx.PutSession(cur); err != nil {
				return err
			}
			return tx.Audit(AuditRecord{Time: b.now(), Actor: o.cmd.Caller, Action: "closedset.lock", Scene: scene,
				Summary: fmt.Sprintf("channel lock %s for scene %s session %d (%d removed)", cur.Lock.State, scene, seq, len(res.Removed))})
		})
		if err != nil {
			return err
		}
		if lockErr != nil {
			b.lateReply(ctx, o, ClassRoster, scene, fmt.Sprintf("Lock not enforced on #%s: %s. The closed set for scene %s still runs, announced and logged, but the chat platform does not keep others out.",
				sc.Channel, lockProblem(lockErr), scene))
			return nil
		}
		if ended {
			return unlockEffect(scene, seq)(ctx, b, o)
		}
		var removed []Person
		_ = b.store.View(ctx, func(tx Tx) error {
			removed, err = peopleOf(tx, res.Removed)
			return err
		})
		text := fmt.Sprintf("Lock enforced: #%s is restricted to the roster for scene %s.", sc.Channel, scene)
		if len(res.Removed) > 0 {
			text += fmt.Sprintf(" Taken out until the end: %s.", handles(removed))
		}
		b.lateReply(ctx, o, ClassRoster, scene, text)
		return nil
	}
}

// unlockEffect restores the scene channel after a session.
func unlockEffect(scene SceneID, seq uint64) effect {
	return func(ctx context.Context, b *Bot, o *Outcome) error {
		locker, ok := b.chat.(Locker)
		if !ok {
			return nil
		}
		var sc Scene
		var sess Session
		err := b.store.View(ctx, func(tx Tx) error {
			var err error
			if sc, err = tx.Scene(scene); err != nil {
				return err
			}
			sess, err = tx.Session(scene, seq)
			return err
		})
		if err != nil {
			return err
		}
		if sess.Lock.State != LockEnforced {
			return nil
		}
		if err := locker.Unlock(ctx, sc.Channel, sess.Lock.Changes); err != nil {
			b.log.Error("closed-set unlock failed", "scene", string(scene), "err", err)
			b.lateReply(ctx, o, ClassRoster, scene, fmt.Sprintf("Could not restore #%s after the closed set: %s. Restore its members by hand.", sc.Channel, lockProblem(err)))
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
			return tx.Audit(AuditRecord{Time: b.now(), Actor: o.cmd.Caller, Action: "closedset.unlock", Scene: scene,
				Summary: fmt.Sprintf("channel restored for scene %s session %d (%d restored)", scene, seq, len(cur.Lock.Changes.Removed))})
		})
		if err != nil {
			return err
		}
		b.lateReply(ctx, o, ClassRoster, scene, fmt.Sprintf("#%s is restored: everyone the lock took out is back.", sc.Channel))
		return nil
	}
}

// lockProblem is what the AD reads about a failed lock.
func lockProblem(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "the chat platform refused the change (see the log)"
}
