package bot

import (
	"fmt"
	"strings"
	"time"
)

// digestText is the IC's prep digest: the next seven days of intimate
// scenes, each with its readiness, what is missing first; and reminders
// missed while icbot was down.
func (b *Bot) digestText(tx Tx, now time.Time) (string, error) {
	scenes, err := scenesIn(tx, now, now.Add(7*24*time.Hour))
	if err != nil {
		return "", err
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Prep digest, %s: intimate scenes in the next 7 days.", now.In(b.zone).Format("Mon 2 Jan 2006"))
	if len(scenes) == 0 {
		s.WriteString("\nNone.")
	}
	for _, sc := range scenes {
		text, err := b.digestScene(tx, &sc, now)
		if err != nil {
			return "", err
		}
		s.WriteString(text)
	}
	missed, err := b.digestMissed(tx, now)
	if err != nil {
		return "", err
	}
	return s.String() + missed, nil
}

// digestScene is one scene of the digest: what is missing, then counts.
func (b *Bot) digestScene(tx Tx, sc *Scene, now time.Time) (string, error) {
	rd, err := b.readinessOf(tx, sc, now)
	if err != nil {
		return "", err
	}
	gaps, err := b.consentGaps(tx, sc, rd)
	if err != nil {
		return "", err
	}
	var s strings.Builder
	fmt.Fprintf(&s, "\n\nScene %s, %s: call %s (%s).", sc.ID, sc.Title, b.fmtTime(sc.Call), sc.EffectiveStatus())
	if _, held := sc.ActiveHold(); held {
		s.WriteString("\n  MISSING: the scene is on hold.")
	}
	for _, d := range details(gaps) {
		s.WriteString("\n  MISSING: " + d)
	}
	confirmed, signed, garments := 0, 0, 0
	for _, c := range rd.consent {
		if c.Confirmed() {
			confirmed++
		}
		if c.Garments {
			garments++
		}
	}
	for _, r := range rd.riders {
		if r.Ready() {
			signed++
		}
	}
	roster := "no roster beyond the performers"
	if len(sc.Roster) > 0 {
		roster = fmt.Sprintf("roster set (%d beyond the performers)", len(sc.Roster))
	}
	topline := "top-line not posted"
	if sc.Topline.Version > 0 {
		topline = fmt.Sprintf("top-line posted (version %d)", sc.Topline.Version)
	}
	n := len(sc.Performers)
	fmt.Fprintf(&s, "\n  Boundaries confirmed %d/%d, riders signed %d/%d, garments noted %d/%d, %s, %s.",
		confirmed, n, signed, n, garments, n, roster, topline)
	return s.String(), nil
}

// digestMissed lists the reminders missed while icbot was down, and marks
// them reported so that each is listed once.
func (b *Bot) digestMissed(tx Tx, now time.Time) (string, error) {
	missed, err := tx.MissedReminders()
	if err != nil || len(missed) == 0 {
		return "", err
	}
	var s strings.Builder
	s.WriteString("\n\nMissed while icbot was offline:")
	for _, r := range missed {
		line, err := b.reminderLine(tx, &r)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&s, "\n  %s", line)
		r.SentAt = now // reported: listed once
		if _, err := tx.PutReminder(r); err != nil {
			return "", err
		}
	}
	return s.String(), nil
}
