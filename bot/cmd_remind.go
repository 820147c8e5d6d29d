package bot

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reminderLine describes a reminder for the IC.
func (b *Bot) reminderLine(tx Tx, r *Reminder) (string, error) {
	s := fmt.Sprintf("#%d %s", r.ID, r.Kind)
	if r.Scene != "" {
		s += " scene " + string(r.Scene)
	}
	if r.Performer != "" {
		p, err := personOf(tx, r.Performer)
		if err != nil {
			return "", err
		}
		s += " for " + p.Handle()
	}
	s += fmt.Sprintf(", due %s, %s", b.fmtTime(r.Due), r.State)
	if r.State == ReminderCancelled && r.CancelledBy != "" {
		p, err := personOf(tx, r.CancelledBy)
		if err != nil {
			return "", err
		}
		s += " by " + p.Handle()
	}
	if r.Answer != "" {
		s += fmt.Sprintf("; answered %q", r.Answer)
		if r.Note != "" {
			s += ": " + r.Note
		}
	}
	return s, nil
}

// reminderArg reads a reminder id ("12" or "#12") and loads it.
func reminderArg(in *input, tx Tx) (Reminder, error) {
	a, err := in.next("reminder id")
	if err != nil {
		return Reminder{}, err
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(a.Value, "#"), 10, 64)
	if err != nil || id == 0 {
		return Reminder{}, Errorf(EINVALID, "%q is not a reminder id: /reminders list shows them", a.Value)
	}
	r, err := tx.Reminder(id)
	if ErrorCode(err) == ENOTFOUND {
		return Reminder{}, Errorf(ENOTFOUND, "There is no reminder #%d: /reminders list shows them.", id)
	}
	if err == nil && r.Kind == RemindTakedown {
		return Reminder{}, Errorf(EFORBIDDEN, "Reminder #%d takes down department notices that held an erased person's notes: nobody may move or cancel it.", id)
	}
	if err == nil && r.Kind == RemindEraseRest {
		return Reminder{}, Errorf(EFORBIDDEN, "Reminder #%d erases what a person asked to have erased, when the production may let it go: nobody may move or cancel it.", id)
	}
	return r, err
}

func runRemindList(in *input, tx Tx) error {
	var rs []Reminder
	if len(in.args) > 0 {
		sc, err := in.onlyScene(tx)
		if err != nil {
			return err
		}
		if rs, err = tx.SceneReminders(sc.ID); err != nil {
			return err
		}
	} else {
		if err := in.done(); err != nil {
			return err
		}
		var err error
		if rs, err = tx.DueReminders(in.now.Add(14*24*time.Hour), 50); err != nil {
			return err
		}
	}
	// An erasure's rest is the person's business: the IC is told that it
	// exists, not what it keeps nor until when.
	rs = slices.DeleteFunc(rs, func(r Reminder) bool { return r.Kind == RemindEraseRest || r.Kind == RemindTakedown })
	if len(rs) == 0 {
		in.out.reply(ClassBoundaries, "", "No reminders.")
		return nil
	}
	lines := make([]string, len(rs))
	for i := range rs {
		var err error
		if lines[i], err = in.b.reminderLine(tx, &rs[i]); err != nil {
			return err
		}
	}
	in.out.reply(ClassBoundaries, "", "Reminders:\n  %s", strings.Join(lines, "\n  "))
	return nil
}

func runRemindSnooze(in *input, tx Tx) error {
	r, err := reminderArg(in, tx)
	if err != nil {
		return err
	}
	a, err := in.next("how long, as in 2h")
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	d, countless, ok := snoozeLength(a.Value)
	if !ok {
		return Errorf(EINVALID, "%q is not a length of time: use 30m, 2h, 24h or 2d", a.Value)
	}
	if r.State != ReminderPending {
		return Errorf(ECONFLICT, "Reminder #%d is %s, not pending.", r.ID, r.State)
	}
	due, err := in.b.snoozedDue(&r, in.now, d, countless, a.Value)
	if err != nil {
		return err
	}
	r.Due, r.NextAttempt = due, time.Time{}
	if _, err := tx.PutReminder(r); err != nil {
		return err
	}
	if err := in.audit(tx, "remind.snooze", r.Scene, "reminder %d snoozed to %s", r.ID, in.b.fmtTime(due)); err != nil {
		return err
	}
	in.out.reply(ClassBoundaries, r.Scene, "Reminder #%d now falls due %s.", r.ID, in.b.fmtTime(due))
	in.remindersChanged = true
	return nil
}

// maxUnlimitedSnooze bounds the snooze of a reminder without a Limit
// (aftercare, wrap): further than that is a typing mistake.
const maxUnlimitedSnooze = 365 * 24 * time.Hour

// snoozeLength reads a length of time as Go writes it (2h30m, 45m, 90s),
// with days too (2d). A length too long for icbot to count comes back as
// the longest it can, with countless set, to be refused by the limit.
func snoozeLength(s string) (d time.Duration, countless, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if !durationShape.MatchString(s) {
		return 0, false, false
	}
	units := map[string]float64{"d": float64(24 * time.Hour), "h": float64(time.Hour), "m": float64(time.Minute), "s": float64(time.Second), "ms": float64(time.Millisecond)}
	total := 0.0
	for _, m := range durationPart.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			return 0, false, false
		}
		total += n * units[m[2]]
	}
	if total >= math.MaxInt64 {
		return math.MaxInt64, true, true
	}
	return time.Duration(total), false, total >= float64(time.Second)
}

var (
	durationShape = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ms|d|h|m|s))+$`)
	durationPart  = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)(ms|d|h|m|s)`)
)

// snoozedDue is when a reminder snoozed by d falls due, or the refusal
// when that is past its limit, which says the longest snooze it allows.
func (b *Bot) snoozedDue(r *Reminder, now time.Time, d time.Duration, countless bool, typed string) (time.Time, error) {
	from := maxTime(r.Due, now)
	limit, why := r.Limit, ""
	if limit.IsZero() {
		limit, why = from.Add(maxUnlimitedSnooze), "a reminder without a deadline may be put off by a year at most"
	} else {
		why = b.pastLimit(r)
	}
	due := from.Add(d)
	if !countless && !due.After(limit) {
		return due, nil
	}
	longest := fmt.Sprintf("The longest snooze it allows is %s, to %s.", fmtDuration(limit.Sub(from)), b.fmtTime(limit))
	if !limit.After(from) {
		longest = "It cannot be snoozed any later."
	}
	if countless {
		return time.Time{}, Errorf(ECONFLICT, "%s is more than reminder #%d may be snoozed: %s. Nothing was changed. %s", typed, r.ID, why, longest)
	}
	return time.Time{}, Errorf(ECONFLICT, "Reminder #%d cannot be snoozed to %s: %s. Nothing was changed. %s", r.ID, b.fmtTime(due), why, longest)
}

// pastLimit says why a reminder may not be moved past its Limit.
func (b *Bot) pastLimit(r *Reminder) string {
	switch r.Kind {
	case RemindRiderWarning, RemindRiderOverdue:
		return "that is past the rider's legal deadline, " + b.fmtTime(r.Limit)
	case RemindCheckIn:
		return "that is past the scene's call time, " + b.fmtTime(r.Limit) + "; a check-in must come before the shoot"
	case RemindDigest:
		return "a digest may be put off by a day at most, to " + b.fmtTime(r.Limit)
	case RemindRetentionWarning, RemindRetentionShred:
		return "production.retention shreds the consent records at " + b.fmtTime(r.Limit) + "; to keep them longer, the production changes it (or production.wrap_date) in the configuration"
	}
	return "the latest it may be moved to is " + b.fmtTime(r.Limit)
}

func runRemindCancel(in *input, tx Tx) error {
	r, err := reminderArg(in, tx)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	if r.State != ReminderPending {
		return Errorf(ECONFLICT, "Reminder #%d is %s, not pending.", r.ID, r.State)
	}
	if r.Kind == RemindRetentionShred {
		return Errorf(ECONFLICT, "Reminder #%d is the shredding production.retention sets, and cannot be cancelled here: to keep the consent records longer, the production changes production.retention or production.wrap_date in the configuration and restarts icbot. Nothing was changed.", r.ID)
	}
	r.State, r.CancelledBy = ReminderCancelled, in.caller.ID
	if _, err := tx.PutReminder(r); err != nil {
		return err
	}
	if err := in.audit(tx, "remind.cancel", r.Scene, "reminder %d (%s) cancelled", r.ID, r.Kind); err != nil {
		return err
	}
	in.out.reply(ClassBoundaries, r.Scene, "Reminder #%d cancelled.", r.ID)
	in.remindersChanged = true
	return nil
}

// tellICOfAnswer passes a performer's answer to a check-in (or aftercare
// question), with their note, to the IC and nobody else.
func tellICOfAnswer(in *input, tx Tx, r *Reminder) error {
	what := map[ReminderKind]string{RemindCheckIn: "check-in before", RemindAftercare: "aftercare check-in after"}[r.Kind]
	text := fmt.Sprintf("%s answered the %s scene %s: %s.", in.caller.Handle(), what, r.Scene,
		map[string]string{"ok": "fine, boundaries unchanged", "talk": "WANTS TO TALK TO YOU"}[r.Answer])
	if r.Kind == RemindAftercare && r.Answer == "ok" {
		text = fmt.Sprintf("%s answered the aftercare check-in after scene %s: fine.", in.caller.Handle(), r.Scene)
	}
	if r.Note != "" {
		text += " They wrote: " + r.Note
	}
	ics, err := holders(tx, RoleIC)
	if err != nil {
		return err
	}
	for _, ic := range ics {
		in.out.dm(ic.ID, ClassBoundaries, r.Scene, in.caller.ID, text)
	}
	return nil
}

// runRemindAnswer records a performer's answer to a check-in or aftercare
// question; "talk" reaches the IC at once, and aftercare answers always
// go to the IC only.
func runRemindAnswer(in *input, tx Tx) error {
	r, err := reminderArg(in, tx)
	if err != nil {
		return err
	}
	a, err := in.next("ok or talk")
	if err != nil {
		return err
	}
	answer := strings.ToLower(a.Value)
	if answer != "ok" && answer != "talk" {
		return Errorf(EINVALID, "answer ok or talk, not %q", a.Value)
	}
	if (r.Kind != RemindCheckIn && r.Kind != RemindAftercare) || r.Performer != in.caller.ID {
		return Errorf(EFORBIDDEN, "Reminder #%d is not a question to you.", r.ID)
	}
	if r.State != ReminderSent {
		return Errorf(ECONFLICT, "Reminder #%d has not been asked yet.", r.ID)
	}
	if err := in.done(); err != nil {
		return err
	}
	note := in.free
	was := r.Answer
	r.Answer, r.Note, r.Answered = answer, note, in.now
	if _, err := tx.PutReminder(r); err != nil {
		return err
	}
	if err := in.audit(tx, "remind.answer", r.Scene, "reminder %d (%s) answered", r.ID, r.Kind); err != nil {
		return err
	}
	// The IC, told of a "talk", is told when it is taken back too.
	if answer == "talk" || r.Kind == RemindAftercare || was == "talk" {
		if err := tellICOfAnswer(in, tx, &r); err != nil {
			return err
		}
	}
	reply := "Thank you; noted."
	if answer == "talk" {
		reply = "Thank you. The IC has been told and will be in touch; nobody else hears of it."
	}
	in.out.replyOwn(ClassBoundaries, r.Scene, "%s", reply)
	return nil
}
