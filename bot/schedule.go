package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reminder timing, in the production's zone. Everything here is pure
// arithmetic on instants and the zone, so that daylight-saving days can
// be tested directly.

// placeWall is the instant at which the clocks in zone show wall (a
// wall-clock time carried in a UTC time.Time). When the clocks show it
// twice it is the first; when they skip it, it is the instant the wall
// time would have been had they not changed, which the clocks show as the
// same time plus the jump (02:30 becomes 03:30). time.Date leaves the
// choice open, so it is made here.
func placeWall(wall time.Time, zone *time.Location) time.Time {
	if cands := wallInstants(wall, zone); len(cands) > 0 {
		return cands[0]
	}
	naive := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC)
	_, before := naive.Add(-24 * time.Hour).In(zone).Zone()
	return naive.Add(-time.Duration(before) * time.Second)
}

// wallOf is the wall-clock reading of t in zone, carried in UTC.
func wallOf(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// dayBefore is the same wall-clock time on the previous calendar day in
// zone (not 24 hours earlier, which is an hour off on a clock-change day).
func dayBefore(t time.Time, zone *time.Location) time.Time {
	return placeWall(wallOf(t, zone).AddDate(0, 0, -1), zone)
}

// atWallTime is the instant at which the clocks in zone show hh:mm on the
// calendar day of t (in zone).
func atWallTime(t time.Time, hh, mm int, zone *time.Location) time.Time {
	w := wallOf(t, zone)
	return placeWall(time.Date(w.Year(), w.Month(), w.Day(), hh, mm, 0, 0, time.UTC), zone)
}

// wallNext is s's next time after t, with s read as wall-clock times in
// zone: once per wall-clock time, whatever the clocks do. robfig/cron's
// own Next skips a wall time the clocks jump over and fires twice at one
// they repeat; evaluating it on a clock without daylight saving (UTC) and
// then placing the wall time in zone fixes both.
func wallNext(s Schedule, t time.Time, zone *time.Location) time.Time {
	wall := wallOf(t, zone)
	for i := 0; i < 3; i++ {
		next := s.Next(wall)
		if next.IsZero() {
			return time.Time{}
		}
		if at := placeWall(next, zone); at.After(t) {
			return at
		}
		wall = next
	}
	return time.Time{}
}

// reminderKey builds a derivation key from its parts.
func reminderKey(parts ...any) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "/"
		}
		switch v := p.(type) {
		case time.Time:
			s += fmt.Sprint(v.Unix())
		default:
			s += fmt.Sprint(v)
		}
	}
	return s
}

// wantedReminders is every reminder a scene calls for now: rider warnings
// and the overdue escalation while a rider is not signed in time,
// check-ins the day before the call, aftercare for each performer a day
// after each day of closed sets, and a wrap-time reminder while a closed
// set is open. A removed scene (nil) calls for none.
func (s *scheduler) wantedReminders(tx Tx, sc *Scene, now time.Time) ([]Reminder, error) {
	if sc == nil {
		return nil, nil
	}
	var out []Reminder
	add := func(r Reminder) {
		r.Scene = sc.ID
		out = append(out, r)
	}
	if upcoming(sc, now) {
		rd, err := s.views.readinessOf(tx, sc, now)
		if err != nil {
			return nil, err
		}
		for _, r := range rd.riders {
			if r.State == RiderSigned {
				continue // signed: in time or late, nothing left to remind of
			}
			for _, before := range s.riderWarnings {
				add(Reminder{Kind: RemindRiderWarning, Performer: r.Performer, Due: r.Deadline.Add(-before), Limit: r.Deadline,
					Key: reminderKey(RemindRiderWarning, sc.ID, r.Performer, r.Deadline, before)})
			}
			add(Reminder{Kind: RemindRiderOverdue, Performer: r.Performer, Due: maxTime(r.Deadline, now), Limit: r.Deadline,
				Key: reminderKey(RemindRiderOverdue, sc.ID, r.Performer, r.Deadline)})
		}
		for _, p := range sc.Performers {
			add(Reminder{Kind: RemindCheckIn, Performer: p, Due: dayBefore(sc.Call, s.zone), Limit: sc.Call,
				Key: reminderKey(RemindCheckIn, sc.ID, p, sc.Call)})
		}
	}
	// Newest first: sessions run one after another, so once one ended
	// before the aftercare window, every earlier one did too, and a scene
	// shot in many sessions costs no more to sync than one shot in a few.
	// A performer is asked once for a day's filming, however many closed
	// sets it took: a day after the last of them, under that session's
	// key. An earlier session of the day is then wanted no more, so its
	// pending question (from before this rule) is cancelled.
	asked := map[string]bool{} // performer and day
	for seq := sc.Sessions; seq > sc.PastSessions; seq-- {
		sess, err := tx.Session(sc.ID, seq)
		if err != nil {
			return nil, err
		}
		if !sess.Running() && sess.EndedAt.Add(aftercareWindow).Before(now) {
			break
		}
		if sess.Running() {
			// The next wrap time after the start, and after the last one.
			base := maxTime(now, sess.StartedAt)
			at := atWallTime(base, s.wrapHour, s.wrapMinute, s.zone)
			if !at.After(base) {
				w := wallOf(base, s.zone).AddDate(0, 0, 1)
				at = placeWall(time.Date(w.Year(), w.Month(), w.Day(), s.wrapHour, s.wrapMinute, 0, 0, time.UTC), s.zone)
			}
			day := at.In(s.zone).Format("2006-01-02")
			add(Reminder{Kind: RemindWrap, Session: seq, Due: at, Key: reminderKey(RemindWrap, sc.ID, seq, day)})
			continue
		}
		day := sess.EndedAt.In(s.zone).Format("2006-01-02")
		for _, m := range sess.Roster {
			if m.Role == RolePerformer && !asked[string(m.User)+"/"+day] {
				asked[string(m.User)+"/"+day] = true
				add(Reminder{Kind: RemindAftercare, Performer: m.User, Session: seq, Due: sess.EndedAt.Add(24 * time.Hour),
					Key: reminderKey(RemindAftercare, sc.ID, seq, m.User)})
			}
		}
	}
	return out, nil
}

// upcoming says whether a scene still calls for the reminders that lead
// up to its call: rider warnings and escalations, and check-ins.
func upcoming(sc *Scene, now time.Time) bool {
	return sc.Status != StatusWrapped && sc.Call.After(now)
}

// leadsUp says whether reminders of kind k lead up to a scene's call, and
// so are wanted only while it is upcoming.
func leadsUp(k ReminderKind) bool {
	return k == RemindRiderWarning || k == RemindRiderOverdue || k == RemindCheckIn
}

// aftercareWindow is how long after a closed set ends its aftercare
// reminders are still derived: the day's wait, and a week beyond it in
// which an unsent one may still be sent or listed as missed.
const aftercareWindow = 8 * 24 * time.Hour

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// syncReminders brings a scene's reminders in line with its data, in the
// caller's transaction: reminders it now calls for are added (or brought
// back, if icbot cancelled them), pending ones it no longer calls for are
// cancelled. A reminder once sent is never sent again for the same key,
// and one a person cancelled stays cancelled. It reports whether anything
// changed.
func (s *scheduler) syncReminders(tx Tx, id SceneID, now time.Time) (bool, error) {
	var sc *Scene
	switch got, err := tx.Scene(id); {
	case err == nil:
		sc = &got
	case ErrorCode(err) != ENOTFOUND:
		return false, err
	}
	want, err := s.wantedReminders(tx, sc, now)
	if err != nil {
		return false, err
	}
	changed := false
	keys := map[string]bool{}
	for _, w := range want {
		keys[w.Key] = true
		have, err := tx.ReminderByKey(w.Key)
		switch {
		case ErrorCode(err) == ENOTFOUND && !w.Due.After(now) && w.Kind != RemindRiderOverdue && w.Kind != RemindAftercare:
			// Its time passed before it was ever scheduled (a scene added
			// late): no late warning; the overdue escalation covers riders.
		case ErrorCode(err) == ENOTFOUND:
			w.State, w.Created = ReminderPending, now
			if _, err := tx.PutReminder(w); err != nil {
				return false, err
			}
			changed = true
		case err != nil:
			return false, err
		case have.State == ReminderCancelled && have.CancelledBy == "" && w.Due.After(now):
			have.State, have.Due, have.Limit, have.Attempts, have.NextAttempt = ReminderPending, w.Due, w.Limit, 0, time.Time{}
			have.Answer, have.Note, have.Answered = "", "", time.Time{} // a question asked again starts unanswered
			if _, err := tx.PutReminder(have); err != nil {
				return false, err
			}
			changed = true
		case have.State == ReminderPending && !have.Limit.Equal(w.Limit):
			have.Limit = w.Limit // stored before reminders of its kind had a limit
			if _, err := tx.PutReminder(have); err != nil {
				return false, err
			}
			changed = true
		}
	}
	existing, err := tx.SceneReminders(id)
	if err != nil {
		return false, err
	}
	for _, r := range existing {
		if r.Kind == RemindAftercare && r.Due.Add(aftercareWindow-24*time.Hour).Before(now) {
			continue // past the window: the loop sends it or lists it as missed
		}
		if r.State == ReminderPending && !keys[r.Key] && r.Kind != RemindDigest {
			r.State = ReminderCancelled
			if _, err := tx.PutReminder(r); err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}

// digestSnooze is how far past its time a digest may be snoozed.
const digestSnooze = 24 * time.Hour

// nextDigest is the next digest's key, due time and limit after now; ok
// is false when there is none.
func (s *scheduler) nextDigest(now time.Time) (key string, due, limit time.Time, ok bool) {
	if s.digest == nil {
		return "", time.Time{}, time.Time{}, false
	}
	due = wallNext(s.digest, now, s.zone)
	if due.IsZero() {
		return "", time.Time{}, time.Time{}, false
	}
	key = reminderKey(RemindDigest, due.In(s.zone).Format("2006-01-02T15:04"))
	return key, due, due.Add(digestSnooze), true
}

// digestOwed says whether syncDigest would write: the next digest is not
// scheduled, or scheduled without its limit.
func (s *scheduler) digestOwed(tx Tx, now time.Time) (bool, error) {
	key, _, limit, ok := s.nextDigest(now)
	if !ok {
		return false, nil
	}
	switch have, err := tx.ReminderByKey(key); {
	case err == nil:
		return have.State == ReminderPending && !have.Limit.Equal(limit), nil
	case ErrorCode(err) == ENOTFOUND:
		return true, nil
	default:
		return false, err
	}
}

// syncDigest makes sure the next digest is scheduled.
func (s *scheduler) syncDigest(tx Tx, now time.Time) (bool, error) {
	key, due, limit, ok := s.nextDigest(now)
	if !ok {
		return false, nil
	}
	switch have, err := tx.ReminderByKey(key); {
	case err == nil && have.State == ReminderPending && !have.Limit.Equal(limit):
		have.Limit = limit // stored before digests had a limit
		_, err := tx.PutReminder(have)
		return err == nil, err
	case err == nil:
		return false, nil
	case ErrorCode(err) != ENOTFOUND:
		return false, err
	}
	_, err := tx.PutReminder(Reminder{Kind: RemindDigest, Key: key, Due: due, Limit: limit, State: ReminderPending, Created: now})
	return err == nil, err
}

// dayReportSnooze is how far past its time an end-of-day report may be
// snoozed.
const dayReportSnooze = 24 * time.Hour

// nextDayReport is the next end-of-day report's key, due time and
// limit after now: at the next wrap time, keyed by its date, so that a
// day has one report however often icbot starts. ok is false when the
// report is not scheduled.
func (s *scheduler) nextDayReport(now time.Time) (key string, due, limit time.Time, ok bool) {
	if !s.dayReport {
		return "", time.Time{}, time.Time{}, false
	}
	due = atWallTime(now, s.wrapHour, s.wrapMinute, s.zone)
	if !due.After(now) {
		w := wallOf(now, s.zone).AddDate(0, 0, 1)
		due = placeWall(time.Date(w.Year(), w.Month(), w.Day(), s.wrapHour, s.wrapMinute, 0, 0, time.UTC), s.zone)
	}
	key = reminderKey(RemindDayReport, due.In(s.zone).Format(time.DateOnly))
	return key, due, due.Add(dayReportSnooze), true
}

// dayReportDate is the date an end-of-day report reminder reports on.
func dayReportDate(r *Reminder) string {
	return strings.TrimPrefix(r.Key, string(RemindDayReport)+"/")
}

// dailyOwed says whether syncDaily would write.
func (s *scheduler) dailyOwed(tx Tx, now time.Time) (bool, error) {
	owed, err := s.digestOwed(tx, now)
	if err != nil || owed {
		return owed, err
	}
	key, _, _, ok := s.nextDayReport(now)
	if !ok {
		return false, nil
	}
	switch _, err := tx.ReminderByKey(key); {
	case ErrorCode(err) == ENOTFOUND:
		return true, nil
	default:
		return false, err
	}
}

// syncDaily makes sure the next digest and end-of-day report are
// scheduled.
func (s *scheduler) syncDaily(tx Tx, now time.Time) (bool, error) {
	a, err := s.syncDigest(tx, now)
	if err != nil {
		return a, err
	}
	b, err := s.syncDayReport(tx, now)
	return a || b, err
}

// syncDayReport makes sure the next end-of-day report is scheduled.
func (s *scheduler) syncDayReport(tx Tx, now time.Time) (bool, error) {
	key, due, limit, ok := s.nextDayReport(now)
	if !ok {
		return false, nil
	}
	switch _, err := tx.ReminderByKey(key); {
	case err == nil:
		return false, nil
	case ErrorCode(err) != ENOTFOUND:
		return false, err
	}
	_, err := tx.PutReminder(Reminder{Kind: RemindDayReport, Key: key, Due: due, Limit: limit, State: ReminderPending, Created: now})
	return err == nil, err
}

// scenesIn returns the scenes with a call in [from, to), earliest first.
func scenesIn(tx Tx, from, to time.Time) ([]Scene, error) {
	all, err := tx.Scenes()
	if err != nil {
		return nil, err
	}
	var out []Scene
	for _, sc := range all {
		if !sc.Call.Before(from) && sc.Call.Before(to) {
			out = append(out, sc)
		}
	}
	slices.SortFunc(out, func(a, b Scene) int { return a.Call.Compare(b.Call) })
	return out, nil
}
