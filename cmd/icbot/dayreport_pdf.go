package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"icbot/bot"
)

// writeDayPDF lays out an end-of-day report for reading and printing,
// in the scene export's style (pdfDoc): the production's name and the
// time it was made at the top of every page, "page N of M" at the foot,
// a heading per part, tables for closed sets, holds and takes. It prints
// the report it is given, already built for its audience, and nothing
// else.
func writeDayPDF(w io.Writer, r bot.DayReport, zone *time.Location) error {
	date, _ := time.Parse(time.DateOnly, r.Date)
	title := fmt.Sprintf("%s: end-of-day report, %s", r.Production, date.Format("Mon 2 Jan 2006"))
	d := newPDFDoc(r.RecordHead, title, zone)
	p := d.pdf
	d.para(fmt.Sprintf("For: %s. This report holds only what its audience may read; private detail for others is left out.", r.Audience))
	d.dayCounts(r.Counts)
	if r.Empty() {
		d.para("Nothing recorded that day, and nothing carries into the next.")
	}
	for _, sc := range r.Scenes {
		d.dayScene(sc)
	}
	d.dayConsent(r.Consent)
	d.dayRiders(r.Riders)
	d.dayRehearsals("Rehearsals", r.Rehearsals)
	d.dayTakes(r.Takes)
	d.dayCarry(r.Tomorrow)
	if len(r.Withheld) > 0 {
		d.para("Left out for this audience: " + strings.Join(r.Withheld, ", ") + ".")
	}
	if err := p.Error(); err != nil {
		return err
	}
	return p.Output(w)
}

func (d *pdfDoc) dayCounts(c bot.DayCounts) {
	d.heading(11, "The day in numbers")
	d.table([]float64{130, 44}, []string{"", "Count"}, [][]string{
		{"Scenes shot", fmt.Sprint(c.Scenes)},
		{"Closed sets", fmt.Sprint(c.Sessions)},
		{"Closed sets started over missing items", fmt.Sprint(c.Overrides)},
		{"Holds", fmt.Sprint(c.Holds)},
		{"Consent changes (withdrawals)", fmt.Sprintf("%d (%d)", c.ConsentChanges, c.Withdrawals)},
		{"Riders sent / signed / overdue", fmt.Sprintf("%d / %d / %d", c.RidersSent, c.RidersSigned, c.RidersOverdue)},
		{"Rehearsals", fmt.Sprint(c.Rehearsals)},
		{"Takes", fmt.Sprint(c.Takes)},
		{"Audit records", fmt.Sprint(c.AuditRecords)},
	})
}

func (d *pdfDoc) dayScene(sc bot.DayScene) {
	d.heading(13, fmt.Sprintf("Scene %s: %s", sc.ID, sc.Title))
	d.para(fmt.Sprintf("Call: %s. Status: %s.", d.when(sc.Call), sc.Status))
	if len(sc.Sessions) > 0 {
		d.heading(11, "Closed sets")
		var rows [][]string
		for _, s := range sc.Sessions {
			end := "still open"
			if s.EndedAt != "" {
				end = d.when(s.EndedAt) + " by " + s.EndedBy
			}
			var roster []string
			for _, m := range s.Roster {
				ack := "no ack"
				if m.AckedAt != "" {
					ack = "ack " + d.clock(m.AckedAt)
				}
				roster = append(roster, fmt.Sprintf("%s (%s, %s)", m.Person, m.Role, ack))
			}
			override := "-"
			switch {
			case s.Override != "":
				override = s.Override
			case s.Overridden:
				override = "yes (the IC's reason)"
			}
			rows = append(rows, []string{fmt.Sprint(s.Seq), d.when(s.StartedAt) + " by " + s.StartedBy, end,
				fmt.Sprintf("%d of %d acknowledged: %s", s.Acked, len(s.Roster), strings.Join(roster, "; ")), override})
		}
		d.table([]float64{10, 30, 30, 60, 44}, []string{"Set", "Started", "Ended", "Roster", "Override"}, rows)
	}
	if len(sc.Holds) > 0 {
		d.heading(11, "Holds")
		var rows [][]string
		for _, h := range sc.Holds {
			lifted := "in force"
			if h.LiftedAt != "" {
				lifted = d.when(h.LiftedAt)
			}
			rows = append(rows, []string{fmt.Sprint(h.Seq), d.when(h.At), lifted, cmp.Or(h.CalledBy, "(the IC's to know)"), cmp.Or(h.Reason, "-")})
		}
		d.table([]float64{12, 38, 38, 30, 56}, []string{"Hold", "Called", "Lifted", "Called by", "Reason"}, rows)
	}
}

func (d *pdfDoc) clock(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "-"
	}
	return t.In(d.zone).Format("15:04")
}

func (d *pdfDoc) dayConsent(cs []bot.DayConsent) {
	if len(cs) == 0 {
		return
	}
	d.heading(11, "Consent changes")
	var rows [][]string
	for _, c := range cs {
		var ans []string
		for _, a := range c.Answers {
			ans = append(ans, a.Beat+" "+a.Answer)
		}
		what := fmt.Sprintf("version %d", c.Version)
		if c.Withdrew {
			what = fmt.Sprintf("withdrawal (version %d): %s", c.Version, strings.Join(c.Withdrawn, ", "))
		}
		rows = append(rows, []string{string(c.Scene), c.Performer, d.when(c.At), what, strings.Join(ans, ", "), cmp.Or(c.Notes, "-")})
	}
	d.table([]float64{14, 24, 34, 30, 30, 42}, []string{"Scene", "Performer", "At", "Change", "Answers", "Notes"}, rows)
}

func (d *pdfDoc) dayRiders(rs []bot.DayRider) {
	if len(rs) == 0 {
		return
	}
	d.heading(11, "Riders")
	var rows [][]string
	for _, r := range rs {
		rows = append(rows, []string{string(r.Scene), r.Performer, r.Event, cmp.Or(d.whenOr(r.At), "(the IC's to know)")})
	}
	d.table([]float64{20, 44, 40, 70}, []string{"Scene", "Performer", "News", "When"}, rows)
}

// whenOr is a time, or "" when none is given.
func (d *pdfDoc) whenOr(v string) string {
	if v == "" {
		return ""
	}
	return d.when(v)
}

func (d *pdfDoc) dayRehearsals(title string, rs []bot.DayRehearsal) {
	if len(rs) == 0 {
		return
	}
	d.heading(11, title)
	for _, r := range rs {
		line := fmt.Sprintf("Scene %s, rehearsal %d, %s.", r.Scene, r.Seq, d.when(r.At))
		if len(r.Beats) > 0 {
			line += " Beats: " + strings.Join(r.Beats, ", ") + "."
		}
		if len(r.Present) > 0 {
			line += " Present: " + strings.Join(r.Present, ", ") + "."
		}
		if len(r.Explored) > 0 {
			line += " Explored on the performers' consent: " + strings.Join(r.Explored, ", ") + "."
		}
		if r.Changes != "" {
			line += " Changed: " + r.Changes + "."
		}
		if len(r.Confirmed) > 0 {
			line += " Confirmed by " + strings.Join(r.Confirmed, ", ") + "."
		}
		if len(r.Unconfirmed) > 0 {
			line += " Not yet confirmed by " + strings.Join(r.Unconfirmed, ", ") + "."
		}
		for _, x := range r.Disputed {
			line += fmt.Sprintf(" Disputed by %s: %s.", x.Performer, cmp.Or(x.Note, "no reason given"))
		}
		d.para(line)
	}
}

func (d *pdfDoc) dayTakes(ts []bot.DayTake) {
	if len(ts) == 0 {
		return
	}
	d.heading(11, "Takes")
	var rows [][]string
	for _, t := range ts {
		held := "matched"
		if t.Drifted {
			held = "drifted"
		}
		choreo := "-"
		if t.Choreo > 0 {
			choreo = fmt.Sprint(t.Choreo)
		}
		rows = append(rows, []string{string(t.Scene), fmt.Sprint(t.Seq), d.clock(t.At), t.Beat, choreo, held, cmp.Or(t.Note, "-")})
	}
	d.table([]float64{14, 12, 14, 12, 18, 18, 86}, []string{"Scene", "Take", "At", "Beat", "Choreo", "Held", "Note"}, rows)
}

func (d *pdfDoc) dayCarry(t bot.DayCarry) {
	date, _ := time.Parse(time.DateOnly, t.Date)
	d.heading(13, "Carried into "+date.Format("Mon 2 Jan 2006"))
	if len(t.Scenes) == 0 && len(t.Holds) == 0 && len(t.Riders) == 0 && t.OpenRehearsals == 0 {
		d.para("Nothing.")
		return
	}
	for _, sc := range t.Scenes {
		d.para(fmt.Sprintf("Scene %s, %s, call %s, not ready: %s.", sc.ID, sc.Title, d.when(sc.Call), strings.Join(sc.Why, "; ")))
	}
	if len(t.Holds) > 0 {
		d.heading(11, "Holds in force")
		var rows [][]string
		for _, h := range t.Holds {
			rows = append(rows, []string{string(h.Scene), d.when(h.At), cmp.Or(h.CalledBy, "(the IC's to know)"), cmp.Or(h.Reason, "-")})
		}
		d.table([]float64{20, 44, 40, 70}, []string{"Scene", "Since", "Called by", "Reason"}, rows)
	}
	if len(t.Riders) > 0 {
		d.heading(11, "Riders not signed")
		var rows [][]string
		for _, r := range t.Riders {
			rows = append(rows, []string{string(r.Scene), r.Performer, r.Event, cmp.Or(d.whenOr(r.At), "(the IC's to know)")})
		}
		d.table([]float64{20, 44, 40, 70}, []string{"Scene", "Performer", "State", "Deadline"}, rows)
	}
	switch {
	case len(t.Rehearsals) > 0:
		d.dayRehearsals("Rehearsals not confirmed", t.Rehearsals)
	case t.OpenRehearsals > 0:
		d.para(fmt.Sprintf("Rehearsal records not yet confirmed by every performer: %d.", t.OpenRehearsals))
	}
}
