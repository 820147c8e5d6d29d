package bot

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
)

// What a start does with reminders.
//
// Reminders are kept as data. A command derives the reminders of every
// scene it writes in its own transaction (Bot.run), and the loop derives
// a scene's next wrap time when it sends the last. So at a start the
// stored reminders are what each scene calls for, except where the
// derivation's inputs from outside the scenes changed: the rules
// themselves (a new icbot) and the production's settings (time zone,
// rider notice and warnings, wrap time). Those are stamped in the store
// beside the reminders; a start compares the stamp, and derives every
// scene again only when it differs or is missing (a file from before the
// stamp, or scenes written other than by commands, such as the console's
// demo).
//
// When it differs, every scene has its reminders, derived with the
// settings before: they are derived again in the background, a batch at a
// time, while icbot answers. When it is missing and no reminder is
// pending at all, the scenes' reminders may never have been derived (the
// demo, a file written by a tool): a command answered then would say
// there are none. Those are derived before icbot answers (Bot.Start).
//
// What changes with time alone only takes reminders away: once a scene's
// call has passed, the reminders that lead up to it are no longer wanted.
// Those fall due before the call, so they matter only when sent late, and
// fire checks them then (leadsUp). Nothing is added by time alone that a
// start would have to find.

// derivationRules is the version of the rules in wantedReminders and
// syncReminders. Raise it with any change to them, so that every scene's
// reminders are derived again at the next start.
//
// 2: one aftercare question per performer per day of closed sets, not
// one per session.
const derivationRules = 2

// deriveBatch is the most scenes, and deriveSlice about the longest time,
// one transaction spends deriving when a start must derive them all:
// little enough that a command, or a reminder falling due, waits little
// for it, and that its memory stays small.
const (
	deriveBatch = 100
	deriveSlice = 10 * time.Millisecond
)

// reminderInputs is the stamp of everything a scene's reminders are
// derived from besides the scene's own data.
func (s *scheduler) reminderInputs() string {
	ws := make([]string, len(s.riderWarnings))
	for i, w := range s.riderWarnings {
		ws[i] = w.String()
	}
	return fmt.Sprintf("rules=%d zone=%s notice=%s warnings=%s wrap=%02d:%02d",
		derivationRules, zoneStamp(s.zone), s.riderNotice, strings.Join(ws, ","), s.wrapHour, s.wrapMinute)
}

// zoneStamp names a zone by its name and its offsets from UTC at the
// start of each month from 2020 to 2040: the machine's zone is called
// "Local" whatever it is, and a zone's rules can change with the zone
// database, so the name alone does not say the times are the same.
func zoneStamp(z *time.Location) string {
	h := fnv.New32a()
	for y := 2020; y <= 2040; y++ {
		for m := time.January; m <= time.December; m++ {
			_, off := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).In(z).Zone()
			fmt.Fprintf(h, "%d,", off)
		}
	}
	return fmt.Sprintf("%s#%08x", z.String(), h.Sum32())
}

// StartReminders is what a start does before the reminder loop sleeps:
// it schedules the next digest and, when the inputs the stored reminders
// were derived with are not this icbot's (see reminderInputs), derives
// every scene's reminders again. Otherwise it reads no scene. It is
// RunReminders' first step, and tests call it on its own.
func (b *Bot) StartReminders(ctx context.Context) error {
	s := b.reminders
	owed, err := s.start(ctx)
	if err != nil || owed == owesNothing {
		return err
	}
	return s.deriveAll(ctx, s.clock(), nil)
}

// DeriveReminders brings the reminders of scenes ids in line with their
// data, in one transaction, as a command does for the scenes it writes:
// for tools that write scenes straight into the store.
func (b *Bot) DeriveReminders(ctx context.Context, ids ...SceneID) error {
	s := b.reminders
	changed := false
	err := s.store.Update(ctx, func(tx Tx) error {
		now := s.clock()
		for _, id := range ids {
			c, err := s.syncReminders(tx, id, now)
			if err != nil {
				return err
			}
			changed = changed || c
		}
		return nil
	})
	if changed {
		s.wake()
	}
	return err
}

// owed is what a start owes the stored reminders.
type owed int

const (
	owesNothing owed = iota
	// owesStale: the rules or the production's settings changed since
	// the reminders were derived. Every scene has them, derived with the
	// old ones; they are derived again in the background.
	owesStale
	// owesMissing: no stamp and no reminder pending. The scenes were
	// written other than by commands, and their reminders may never have
	// been derived; they are, before icbot answers.
	owesMissing
)

// ready derives, before icbot answers, the reminders a start owes and
// that a command would otherwise miss (owesMissing); stale ones are the
// loop's work. It schedules the next digest and the retention's
// reminders as well, and does a shredding that fell due while icbot was
// down (shredOverdue).
func (s *scheduler) ready(ctx context.Context) error {
	owed, err := s.start(ctx)
	if err == nil && owed == owesMissing {
		s.log.Info("deriving the scenes' reminders before answering: none were derived yet")
		err = s.deriveAll(ctx, s.clock(), nil)
	}
	if err != nil {
		return err
	}
	return s.shredOverdue(ctx)
}

// start schedules the next digest (and the retention's warning and
// shredding) and says what the stored reminders are owed. It looks in a read first, so that a start with the digest already
// scheduled writes nothing and waits for no sync to disk.
func (s *scheduler) start(ctx context.Context) (owed owed, err error) {
	digestDue := false
	err = s.store.View(ctx, func(tx Tx) error {
		// Whether a reminder is pending is looked at before the digest
		// is scheduled: on a store never derived, none is yet.
		if owed, err = s.owed(tx); err != nil {
			return err
		}
		if digestDue, err = s.dailyOwed(tx, s.clock()); err != nil || digestDue {
			return err
		}
		missing, err := s.missingRetention(tx, s.clock())
		digestDue = len(missing) > 0
		return err
	})
	if err != nil || !digestDue {
		return owed, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		if _, err := s.syncDaily(tx, s.clock()); err != nil {
			return err
		}
		_, err := s.syncRetention(tx, s.clock())
		return err
	})
	return owed, err
}

// owed compares the stamp of the stored reminders with this icbot's.
func (s *scheduler) owed(tx Tx) (owed, error) {
	stamp, err := tx.ReminderInputs()
	if err != nil || stamp == s.reminderInputs() {
		return owesNothing, err
	}
	if stamp != "" {
		return owesStale, nil
	}
	_, pending, err := tx.NextReminder()
	if err != nil || pending {
		return owesStale, err
	}
	return owesMissing, nil
}

// deriveAll derives every scene's reminders again, a few scenes a
// transaction (deriveBatch, deriveSlice), as of since: when the start
// began, so that a reminder falling due while the derivation runs is
// scheduled and sent late rather than passed over. It records the stamp
// with the last transaction, so a start stopped half way derives them all
// again next time. A scene a command writes meanwhile is derived by the
// command as well; deriving it twice changes nothing. between, when set,
// runs after each transaction but the last.
func (s *scheduler) deriveAll(ctx context.Context, since time.Time, between func()) error {
	var ids []SceneID
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		ids, err = tx.SceneIDs()
		return err
	}); err != nil {
		return err
	}
	stamp := s.reminderInputs()
	s.log.Info("deriving every scene's reminders again: the rules or the production's settings changed", "scenes", len(ids))
	began := time.Now()
	for {
		taken, changed := 0, false
		err := s.store.Update(ctx, func(tx Tx) error {
			taken, changed = 0, false
			sliced := time.Now()
			for taken < len(ids) && taken < deriveBatch && (taken == 0 || time.Since(sliced) < deriveSlice) {
				c, err := s.syncReminders(tx, ids[taken], since)
				if err != nil {
					return err
				}
				taken, changed = taken+1, changed || c
			}
			if taken < len(ids) {
				return nil
			}
			return tx.PutReminderInputs(stamp)
		})
		if err != nil {
			return err
		}
		ids = ids[taken:]
		if changed {
			s.wake()
		}
		if len(ids) == 0 {
			s.log.Info("derived every scene's reminders again", "took", time.Since(began).Round(time.Millisecond))
			return nil
		}
		if between != nil {
			between()
		}
	}
}
