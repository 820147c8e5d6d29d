package bot

import "time"

// ReminderKind says what a reminder is for.
type ReminderKind string

// Reminder kinds.
const (
	// RemindRiderWarning warns the IC and producers that a rider's
	// deadline is near.
	RemindRiderWarning ReminderKind = "rider-warning"
	// RemindRiderOverdue escalates a rider not signed at its deadline to
	// the IC, producers and ADs, and marks the scene not ready; sent late,
	// rather than missed, when icbot was down when it fell due.
	RemindRiderOverdue ReminderKind = "rider-overdue"
	// RemindCheckIn asks a performer, the day before the call, whether
	// their boundaries are unchanged.
	RemindCheckIn ReminderKind = "check-in"
	// RemindAftercare asks a performer, a day after a closed set, how they
	// are; the answer goes to the IC only.
	RemindAftercare ReminderKind = "aftercare"
	// RemindDigest is the IC's daily prep digest.
	RemindDigest ReminderKind = "digest"
	// RemindWrap reminds the AD and IC at wrap time of a closed set still open.
	RemindWrap ReminderKind = "wrap"
	// RemindDayReport is the end-of-day report, at the wrap time, to the
	// IC, ADs and producers, each in their version.
	RemindDayReport ReminderKind = "day-report"
	// RemindRetentionWarning tells the IC, a week ahead, that the consent
	// records will be shredded when the retention after wrap passes.
	RemindRetentionWarning ReminderKind = "retention-warning"
	// RemindRetentionShred shreds the consent records when the retention
	// after wrap has passed (see retention.go); done late, rather than
	// missed, when icbot was down when it fell due.
	RemindRetentionShred ReminderKind = "retention-shred"
	// RemindEraseRest erases, when it may go, what an erasure a person
	// asked for had to keep (erase.go): one per person, looked at again
	// until nothing is kept. Its Answer holds the kept records' scenes
	// and kinds, never their content. Never missed, nor snoozed or
	// cancelled by hand.
	RemindEraseRest ReminderKind = "erase-rest"
	// RemindTakedown takes down the departments' notices of a scene once
	// a performer of it was erased by `icbot erase`, which runs with the
	// chat stopped: done at the next start, never missed, nor moved or
	// cancelled by hand. Its Key names the scene (takedownKey); it is not
	// a scene's reminder, which the scene's own would cancel.
	RemindTakedown ReminderKind = "notices-takedown"
)

// ReminderState is where a reminder is.
type ReminderState string

// Reminder states.
const (
	ReminderPending   ReminderState = "pending"
	ReminderSent      ReminderState = "sent"
	ReminderCancelled ReminderState = "cancelled"
	// ReminderMissed fell due while icbot was down for longer than the
	// grace period: not sent late, but listed in the next digest. An
	// overdue rider's escalation is never missed: it is sent late.
	ReminderMissed ReminderState = "missed"
)

// Reminder is one scheduled message, kept as data: derived from scenes,
// riders and sessions, so that a change to them reschedules or cancels it.
type Reminder struct {
	ID   uint64
	Kind ReminderKind
	// Key names what the reminder was derived from ("check-in/12/U1/
	// 1764662400"); deriving again finds it instead of adding another.
	Key       string
	Scene     SceneID // "" for the digest
	Performer UserID  // the rider's or check-in's performer, if any
	Session   uint64  // the closed-set session, for aftercare and wrap
	Due       time.Time
	// Limit is the latest a snooze may move Due to: a rider's legal
	// deadline, a check-in's call time, a day after a digest's Due. Zero
	// when there is none.
	Limit time.Time
	State ReminderState
	// CancelledBy is who cancelled the reminder with /reminders cancel. It is
	// empty when icbot cancelled it because what it was derived from went
	// away, so that it may come back if that does; a person's
	// cancellation stands.
	CancelledBy UserID
	// Attempts counts failed attempts to send; NextAttempt is when to try
	// again.
	Attempts    int
	NextAttempt time.Time
	Created     time.Time
	SentAt      time.Time
	// Answer is a performer's answer to a check-in or aftercare question
	// ("ok" or "talk"), and Note what they wrote: private to them and the
	// IC, sealed at rest.
	Answer   string
	Note     string
	Answered time.Time
}

// Schedule says when a recurring reminder next falls due; robfig/cron's
// schedules have this method.
type Schedule interface {
	Next(time.Time) time.Time
}
