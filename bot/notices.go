package bot

import (
	"fmt"
	"time"
)

// What icbot says of its own accord (reminders, and what the outbox tells
// a caller) names the scene it is about and says what to do next: the
// person reading it was not typing a command about that scene just then.

// sceneNamed names a scene as notices do: scene 12 "Night swim".
func sceneNamed(sc *Scene) string {
	if sc.Title == "" {
		return "scene " + string(sc.ID)
	}
	return fmt.Sprintf("scene %s %q", sc.ID, sc.Title)
}

// spanText says a duration as a reader would: "45 minutes", "1 hour",
// "24 hours", "3 days" (whole days from 72 hours up).
func spanText(d time.Duration) string {
	n, unit := span(d, 72*time.Hour)
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// spanAdjective says a duration before a noun: "the 48-hour deadline",
// "the 7-day warning" (whole days from a week up).
func spanAdjective(d time.Duration) string {
	n, unit := span(d, 7*24*time.Hour)
	return fmt.Sprintf("%d-%s", n, unit)
}

// span rounds d to whole minutes, hours or, from days on and when whole,
// days.
func span(d, days time.Duration) (int, string) {
	switch {
	case d >= days && d%(24*time.Hour) == 0:
		return int(d / (24 * time.Hour)), "day"
	case d >= time.Hour:
		return int(d.Round(time.Hour) / time.Hour), "hour"
	default:
		return int(d.Round(time.Minute) / time.Minute), "minute"
	}
}

// riderNextStep says what the IC does next about a rider not signed in
// time, by where it stands.
func riderNextStep(sc *Scene, p Person, state RiderState) string {
	signed := fmt.Sprintf("/rider signed %s %s", sc.ID, p.Handle())
	switch state {
	case RiderNone:
		return fmt.Sprintf("Draft it and send it to them (/rider drafted %s %s and /rider sent %s %s record that), and once it is signed, record it with %s.",
			sc.ID, p.Handle(), sc.ID, p.Handle(), signed)
	case RiderDrafted:
		return fmt.Sprintf("Send it to them (/rider sent %s %s records that), and once it is signed, record it with %s.", sc.ID, p.Handle(), signed)
	case RiderAmend:
		return fmt.Sprintf("The scene changed since it was signed: have the amended rider signed, then record it with %s.", signed)
	default:
		return fmt.Sprintf("Once it is signed, record it with %s.", signed)
	}
}
