package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Retention: how long the production keeps consent records after it
// wraps, and their shredding when that has passed.
//
// The consent records are every field sealed under a person's own data
// key (see Tx.ShredPersonKeys): their boundary answers and notes, the
// terms of their riders, the reasons of the holds they called, their
// answers to check-ins and aftercare questions, and their notes on
// rehearsal records. Shredding destroys those keys, so that the fields
// read as "[erased]" everywhere. People keep their names and roles, and
// scenes, the dates and states of records and the audit trail are kept:
// the production keeps who worked on it. The audit trail keeps what was
// done and when; who did it, and whom it named, were sealed under those
// keys, and read as "[erased]".
//
// The wrap date is production.wrap_date when configured, and otherwise
// the one `icbot wrap` recorded in the store. The shredding falls due at
// the production's wrap time on the day the retention ends (the wrap
// date moved on by the retention's years and days), in the production's
// zone; the IC is warned a week before. Both are reminders keyed by that
// day, so each is done once, across restarts, and a shredding that fell
// due while icbot was down is done at the next start, before icbot
// answers. A change of retention or wrap date gives another day: the
// reminders of the old one are cancelled when they fall due.

// Retention is how long consent records are kept after wrap: whole
// years and days. The zero value keeps them until the production
// deletes them, and nothing is shredded.
type Retention struct {
	Years, Days int
}

// IsZero reports whether no retention is set.
func (r Retention) IsZero() bool { return r.Years == 0 && r.Days == 0 }

// String says r as a reader would: "7 years", "1 day", "1 year and 30 days".
func (r Retention) String() string {
	var parts []string
	if r.Years > 0 {
		parts = append(parts, plural(r.Years, "year"))
	}
	if r.Days > 0 {
		parts = append(parts, plural(r.Days, "day"))
	}
	return strings.Join(parts, " and ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func peopleCount(n int) string {
	if n == 1 {
		return "1 person"
	}
	return fmt.Sprintf("%d people", n)
}

// WithRetention sets how long consent records are kept after wrap, and
// the wrap date from configuration (YYYY-MM-DD); an empty wrapDate
// leaves it to the one recorded in the store (ProductionInfo.WrapDate).
func WithRetention(r Retention, wrapDate string) Option {
	return func(b *Bot) { b.reminders.retention, b.reminders.wrapDate = r, wrapDate }
}

// retentionWarningDays is how many days before the shredding the IC is
// warned.
const retentionWarningDays = 7

// retentionPlan is when the consent records are shredded.
type retentionPlan struct {
	wrap, end string // the wrap date and the day the retention ends, YYYY-MM-DD
	from      string // where the wrap date comes from
	shredAt   time.Time
	warnAt    time.Time
	warnKey   string
	shredKey  string
}

// retentionPlan works out the plan; ok is false when no retention is set
// or no wrap date is known.
func (s *scheduler) retentionPlan(tx Tx) (p retentionPlan, ok bool, err error) {
	if s.retention.IsZero() {
		return p, false, nil
	}
	p.wrap, p.from = s.wrapDate, "production.wrap_date"
	if p.wrap == "" {
		info, err := tx.Production()
		if err != nil {
			return p, false, err
		}
		p.wrap, p.from = info.WrapDate, "icbot wrap"
	}
	if p.wrap == "" {
		return p, false, nil
	}
	d, err := time.Parse(time.DateOnly, p.wrap)
	if err != nil {
		return p, false, Internal(fmt.Errorf("the wrap date %q (from %s) is not a date YYYY-MM-DD", p.wrap, p.from))
	}
	end := d.AddDate(s.retention.Years, 0, s.retention.Days)
	p.end = end.Format(time.DateOnly)
	wall := time.Date(end.Year(), end.Month(), end.Day(), s.wrapHour, s.wrapMinute, 0, 0, time.UTC)
	p.shredAt = placeWall(wall, s.zone)
	p.warnAt = placeWall(wall.AddDate(0, 0, -retentionWarningDays), s.zone)
	p.warnKey = reminderKey(RemindRetentionWarning, p.end)
	p.shredKey = reminderKey(RemindRetentionShred, p.end)
	return p, true, nil
}

// RetentionEnds says when the consent records are shredded, as the
// privacy notice and an erasure tell it: ok is false when no retention
// is set or no wrap date is known.
func (b *Bot) RetentionEnds(tx Tx) (at time.Time, ok bool, err error) {
	p, ok, err := b.reminders.retentionPlan(tx)
	return p.shredAt, ok, err
}

// retentionSentence says, for the privacy notice, how long icbot keeps
// what it holds about a person: the configured retention after wrap,
// and the day it ends when the wrap date is known.
func (b *Bot) retentionSentence(tx Tx) (string, error) {
	s := b.reminders
	if s.retention.IsZero() {
		return "icbot keeps all of it until the production deletes it, or until you have it erased.", nil
	}
	p, ok, err := s.retentionPlan(tx)
	if err != nil {
		return "", err
	}
	when := "; the production has not wrapped yet"
	if ok {
		when = fmt.Sprintf(" (the production wraps on %s, so until %s)", p.wrap, b.fmtTime(p.shredAt))
	}
	return fmt.Sprintf("icbot keeps all of it until you have it erased, or at most %s after the production wraps%s; then it destroys your answers, notes, rider terms and hold reasons, and keeps your name and roles, and the dates and states of your records (when you called a hold, a check-in answered ok or talk), on the production's record. It does so once: what you give after that day is kept until you have it erased.", s.retention, when), nil
}

// missingRetention is the retention reminders the plan calls for that
// are not stored yet. The warning is left out once the shredding is due:
// there is nothing left to warn of.
func (s *scheduler) missingRetention(tx Tx, now time.Time) ([]Reminder, error) {
	p, ok, err := s.retentionPlan(tx)
	if err != nil || !ok {
		return nil, err
	}
	want := []Reminder{{Kind: RemindRetentionShred, Key: p.shredKey, Due: p.shredAt, Limit: p.shredAt}}
	if p.shredAt.After(now) {
		want = append(want, Reminder{Kind: RemindRetentionWarning, Key: p.warnKey, Due: maxTime(p.warnAt, now), Limit: p.shredAt})
	}
	var out []Reminder
	for _, w := range want {
		switch _, err := tx.ReminderByKey(w.Key); {
		case ErrorCode(err) == ENOTFOUND:
			w.State, w.Created = ReminderPending, now
			out = append(out, w)
		case err != nil:
			return nil, err
		}
	}
	return out, nil
}

// syncRetention makes sure the warning and the shredding are scheduled.
func (s *scheduler) syncRetention(tx Tx, now time.Time) (bool, error) {
	missing, err := s.missingRetention(tx, now)
	for _, r := range missing {
		if err != nil {
			break
		}
		_, err = tx.PutReminder(r)
	}
	return len(missing) > 0 && err == nil, err
}

// shredOverdue does, before icbot answers, a shredding that fell due
// while it was down, so that no command shows what the retention no
// longer allows. The reminders due before it are sent with it.
func (s *scheduler) shredOverdue(ctx context.Context) error {
	if s.retention.IsZero() {
		return nil
	}
	for {
		due := false
		err := s.store.View(ctx, func(tx Tx) error {
			p, ok, err := s.retentionPlan(tx)
			if err != nil || !ok {
				return err
			}
			r, err := tx.ReminderByKey(p.shredKey)
			if ErrorCode(err) == ENOTFOUND {
				return nil
			}
			due = err == nil && r.State == ReminderPending && !maxTime(r.Due, r.NextAttempt).After(s.clock())
			return err
		})
		if err != nil || !due {
			return err
		}
		if err := s.fireDue(ctx); err != nil {
			return err
		}
	}
}

// consentCount is what the consent records of one scene hold, counted.
type consentCount struct {
	scene      *Scene
	boundaries int // versions of boundary answers
	riders     int
	holds      int // holds with a reason
	notes      int // check-in and aftercare answers with a note
	rehearsal  int // notes on rehearsal records
	people     map[UserID]bool
}

func (c consentCount) empty() bool {
	return c.boundaries+c.riders+c.holds+c.notes+c.rehearsal == 0
}

func (c consentCount) String() string {
	var parts []string
	for _, p := range []struct {
		n         int
		one, many string
	}{
		{c.boundaries, "version of boundary answers", "versions of boundary answers"},
		{c.riders, "rider", "riders"},
		{c.holds, "hold reason", "hold reasons"},
		{c.notes, "check-in note", "check-in notes"},
		{c.rehearsal, "note on a rehearsal's record", "notes on rehearsal records"},
	} {
		switch {
		case p.n == 1:
			parts = append(parts, "1 "+p.one)
		case p.n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.many))
		}
	}
	return strings.Join(parts, ", ")
}

// consentCounts counts the consent records of every scene that has
// some, by scene id, and the people they are about: counts and scenes
// only, never what they say.
func consentCounts(tx Tx) ([]consentCount, int, error) {
	scenes, err := tx.Scenes()
	if err != nil {
		return nil, 0, err
	}
	var out []consentCount
	people := map[UserID]bool{}
	for i := range scenes {
		sc := &scenes[i]
		c := consentCount{scene: sc, people: map[UserID]bool{}}
		for _, p := range sc.Performers {
			hist, err := tx.BoundariesHistory(sc.ID, p)
			if err != nil {
				return nil, 0, err
			}
			c.boundaries += len(hist)
			if len(hist) > 0 {
				c.people[p] = true
			}
		}
		riders, err := tx.Riders(sc.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range riders {
			c.riders++
			c.people[r.Performer] = true
		}
		for _, h := range sc.Holds {
			if h.Reason != "" && h.Reason != erasedText {
				c.holds++
				c.people[h.CalledBy] = true
			}
		}
		for _, r := range sc.Rehearsals {
			for _, cf := range r.Confirmations {
				if cf.Note != "" && cf.Note != erasedText {
					c.rehearsal++
					c.people[cf.Performer] = true
				}
			}
		}
		rems, err := tx.SceneReminders(sc.ID)
		if err != nil {
			return nil, 0, err
		}
		for _, r := range rems {
			if r.Note != "" && r.Note != erasedText {
				c.notes++
				c.people[r.Performer] = true
			}
		}
		if !c.empty() {
			out = append(out, c)
			for p := range c.people {
				people[p] = true
			}
		}
	}
	return out, len(people), nil
}

// erasedText is what a field whose key was destroyed reads as.
const erasedText = "[erased]"

// maxScenesListed is how many scenes a retention message lists by name.
const maxScenesListed = 20

// consentSummary says what consent records there are, scene by scene.
func consentSummary(tx Tx) (string, error) {
	counts, people, err := consentCounts(tx)
	if err != nil || len(counts) == 0 {
		return "no consent records are held", err
	}
	lines := make([]string, 0, min(len(counts), maxScenesListed)+1)
	for i, c := range counts {
		if i == maxScenesListed {
			lines = append(lines, fmt.Sprintf("and %d more scenes", len(counts)-maxScenesListed))
			break
		}
		lines = append(lines, fmt.Sprintf("%s: %s", sceneNamed(c.scene), c))
	}
	return fmt.Sprintf("the consent records of %s on %s:\n  %s", peopleCount(people), plural(len(counts), "scene"), strings.Join(lines, "\n  ")), nil
}

// retentionWarning tells the IC a week ahead what will be shredded and
// when. A warning for a plan that changed since, or sent when the
// shredding is due already, is cancelled.
func (s *scheduler) retentionWarning(tx Tx, r *Reminder, now time.Time) ([]Message, error) {
	p, ok, err := s.retentionPlan(tx)
	if err != nil {
		return nil, err
	}
	if !ok || r.Key != p.warnKey || !p.shredAt.After(now) {
		r.State = ReminderCancelled
		return nil, nil
	}
	summary, err := consentSummary(tx)
	if err != nil {
		return nil, err
	}
	shred, err := tx.ReminderByKey(p.shredKey)
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("Retention: on %s icbot shreds the production's consent records, %s after wrap (%s, from %s). Now held: %s.\n"+
		"Shredded, they read as %s in every command, report and export, and cannot be brought back: boundary answers and notes, rider terms, hold reasons, check-in notes and notes on rehearsal records. Kept: people and their roles, scenes, the dates and states of records, and the audit trail, which then says what was done and when, no longer who.\n"+
		"Next: a performer who wants a copy first can ask for one with /icbot mydata. To keep the records longer (a claim, a legal hold), the production changes production.retention or production.wrap_date in the configuration and restarts icbot before then. /reminders list shows the shredding as #%d.",
		s.views.fmtTime(p.shredAt), s.retention, p.wrap, p.from, summary, erasedText, shred.ID)
	return s.toRoles(tx, ClassBoundaries, "", text, RoleIC)
}

// retentionShred destroys every person's data key when the retention
// has passed, records it in the audit trail, and tells the IC. A
// shredding for a plan that changed since is cancelled.
func (s *scheduler) retentionShred(tx Tx, r *Reminder, now time.Time) ([]Message, error) {
	p, ok, err := s.retentionPlan(tx)
	if err != nil {
		return nil, err
	}
	if !ok || r.Key != p.shredKey {
		r.State = ReminderCancelled
		return nil, nil
	}
	summary, err := consentSummary(tx)
	if err != nil {
		return nil, err
	}
	n, err := tx.ShredPersonKeys(now)
	if ErrorCode(err) == EUNAVAILABLE {
		s.log.Error("the retention has passed, but the consent records cannot be shredded", "err", err)
		text := fmt.Sprintf("Retention: the consent records were due to be shredded on %s, %s after wrap (%s), but icbot cannot: %s. Next: ask whoever runs icbot to fix it; /reminders list shows what else falls due.",
			s.views.fmtTime(p.shredAt), s.retention, p.wrap, err)
		return s.toRoles(tx, ClassBoundaries, "", text, RoleIC)
	}
	if err != nil {
		return nil, err
	}
	if err := tx.Audit(AuditRecord{Time: now.UTC().Truncate(time.Second), Actor: "icbot", Action: "retention.shred",
		Summary: fmt.Sprintf("shredded the consent records (the data keys of %d people): %s after wrap %s (%s)", n, s.retention, p.wrap, p.from)}); err != nil {
		return nil, err
	}
	s.log.Info("shredded the consent records: the retention after wrap has passed", "keys", n, "wrap", p.wrap, "retention", s.retention.String())
	late := ""
	if now.Sub(p.shredAt) > time.Minute {
		late = fmt.Sprintf(" (late: icbot was not running at %s)", s.views.fmtTime(p.shredAt))
	}
	text := fmt.Sprintf("Retention: icbot shredded the production's consent records%s, %s after wrap (%s, from %s): %s. The data keys of %s were destroyed; what they sealed now reads as %s everywhere, and names, roles, scenes and the audit trail are kept (the trail says what was done and when, no longer who).\n"+
		"Next: /scene show ID shows what is left of a scene. Backups taken before now still hold the records, readable with the storage key: delete them, or have whoever runs icbot run icbot rekey and destroy the old key.",
		late, s.retention, p.wrap, p.from, summary, peopleCount(n), erasedText)
	return s.toRoles(tx, ClassBoundaries, "", text, RoleIC)
}

// retentionKind reports whether k is one of the retention reminders,
// which are sent however late: a shredding is owed, not news.
func retentionKind(k ReminderKind) bool {
	return slices.Contains([]ReminderKind{RemindRetentionWarning, RemindRetentionShred}, k)
}
