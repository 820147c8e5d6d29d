package bot

import (
	"fmt"
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
	d, err := time.ParseDuration(a.Value)
	if err != nil || d <= 0 {
		return Errorf(EINVALID, "%q is not a length of time: use 30m, 2h or 24h", a.Value)
	}
	if r.State != ReminderPending {
		return Errorf(ECONFLICT, "Reminder #%d is %s, not pending.", r.ID, r.State)
	}
	due := maxTime(r.Due, in.now).Add(d)
	if !r.Limit.IsZero() && due.After(r.Limit) {
		return Errorf(ECONFLICT, "Reminder #%d cannot be snoozed to %s: %s. Nothing was changed.", r.ID, in.b.fmtTime(due), in.b.pastLimit(&r))
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

// pastLimit says why a reminder may not be moved past its Limit.
func (b *Bot) pastLimit(r *Reminder) string {
	switch r.Kind {
	case RemindRiderWarning, RemindRiderOverdue:
		return "that is past the rider's legal deadline, " + b.fmtTime(r.Limit)
	case RemindCheckIn:
		return "that is past the scene's call time, " + b.fmtTime(r.Limit) + "; a check-in must come before the shoot"
	case RemindDigest:
		return "a digest may be put off by a day at most, to " + b.fmtTime(r.Limit)
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
	r.Answer, r.Note, r.Answered = answer, note, in.now
	if _, err := tx.PutReminder(r); err != nil {
		return err
	}
	if err := in.audit(tx, "remind.answer", r.Scene, "reminder %d (%s) answered", r.ID, r.Kind); err != nil {
		return err
	}
	what := map[ReminderKind]string{RemindCheckIn: "check-in before", RemindAftercare: "aftercare check-in after"}[r.Kind]
	if answer == "talk" || r.Kind == RemindAftercare {
		text := fmt.Sprintf("%s answered the %s scene %s: %s.", in.caller.Handle(), what, r.Scene,
			map[string]string{"ok": "fine, boundaries unchanged", "talk": "WANTS TO TALK TO YOU"}[answer])
		if r.Kind == RemindAftercare && answer == "ok" {
			text = fmt.Sprintf("%s answered the aftercare check-in after scene %s: fine.", in.caller.Handle(), r.Scene)
		}
		if note != "" {
			text += " They wrote: " + note
		}
		ics, err := holders(tx, RoleIC)
		if err != nil {
			return err
		}
		for _, ic := range ics {
			in.out.dm(ic.ID, ClassBoundaries, r.Scene, in.caller.ID, text)
		}
	}
	reply := "Thank you; noted."
	if answer == "talk" {
		reply = "Thank you. The IC has been told and will be in touch; nobody else hears of it."
	}
	in.out.replyOwn(ClassBoundaries, r.Scene, "%s", reply)
	return nil
}
