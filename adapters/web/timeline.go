package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"icbot/bot"
)

// timeline is the rider deadlines laid out for an inline SVG: one mark
// per deadline along the time axis, stacked where they crowd, with a
// tick at each day's start and a line at the time the page was made.
// Marks differ by shape as well as colour (signed and in time: a
// circle; not yet: a square; late: a cross), and the page lists the
// same deadlines as text beside it.
type timeline struct {
	Width, Height int
	Ticks         []tick
	Marks         []mark
	NowX          int
	HasNow        bool
	Summary       string
}

type tick struct {
	X     int
	Label string
}

type mark struct {
	X, Y  int
	Kind  string // ready, due, late
	Title string
}

const (
	lineWidth = 1000
	laneTop   = 34
	laneStep  = 11
	maxLanes  = 8
	laneSpan  = 8 // marks closer than this many units share a column
)

func newTimeline(ds []bot.BoardDeadline, start, end, now time.Time, zone *time.Location) *timeline {
	if len(ds) == 0 || !end.After(start) {
		return nil
	}
	t := &timeline{Width: lineWidth}
	span := end.Sub(start)
	x := func(at time.Time) int {
		f := float64(at.Sub(start)) / float64(span)
		return 10 + int(f*float64(lineWidth-20))
	}
	// A tick at each midnight in the zone; labelled when there is room.
	day := time.Date(start.In(zone).Year(), start.In(zone).Month(), start.In(zone).Day(), 0, 0, 0, 0, zone)
	days := int(span/(24*time.Hour)) + 1
	every := max(1, days/10)
	for i := 0; !day.After(end); i++ {
		if !day.Before(start) {
			tk := tick{X: x(day)}
			if i%every == 0 && tk.X < lineWidth-50 { // no label cut off at the end
				tk.Label = day.Format("Mon 2")
			}
			t.Ticks = append(t.Ticks, tk)
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, zone)
	}
	if !now.Before(start) && now.Before(end) {
		t.NowX, t.HasNow = x(now), true
	}
	lanes := map[int]int{}
	late, due, ready := 0, 0, 0
	for _, d := range ds {
		col := x(d.At) / laneSpan
		lane := min(lanes[col], maxLanes-1)
		lanes[col]++
		m := mark{X: x(d.At), Y: laneTop + lane*laneStep, Kind: "due"}
		switch {
		case d.Late:
			m.Kind = "late"
			late++
		case d.Ready:
			m.Kind = "ready"
			ready++
		default:
			due++
		}
		m.Title = fmt.Sprintf("Scene %s, %s: rider %s, deadline %s", d.Scene, d.Performer, d.State, d.When)
		t.Marks = append(t.Marks, m)
	}
	used := 1
	for _, n := range lanes {
		used = max(used, min(n, maxLanes))
	}
	t.Height = laneTop + used*laneStep + 22 // room for the "now" label
	t.Summary = fmt.Sprintf("%d rider deadlines from %s to %s: %d signed in time, %d not signed yet, %d late.",
		len(ds), start.In(zone).Format("Mon 2 Jan 15:04"), end.In(zone).Format("Mon 2 Jan 15:04"), ready, due, late)
	return t
}

// funcs are the templates' helpers.
func funcs(zone *time.Location) template.FuncMap {
	return template.FuncMap{
		"roles": func(rs []bot.Role) string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = r.Title()
			}
			return strings.Join(out, ", ")
		},
		"join": strings.Join,
		"clock": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(zone).Format("Mon 2 Jan 15:04")
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		// when shows an RFC 3339 time from a record in the zone.
		"when": func(s string) string {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return s
			}
			return t.In(zone).Format("Mon 2 Jan 15:04")
		},
		"consent": func(s string) string {
			switch s {
			case "answered":
				return "✓ answered"
			case "discuss":
				return "? to discuss"
			case "withdrawn":
				return "✗ withdrawn"
			case "waiting":
				return "… not answered"
			case "none":
				return "no beats to answer"
			}
			return s
		},
		"add": func(a, b int) int { return a + b },
		"consentKind": func(s string) string {
			switch s {
			case "answered":
				return "ready"
			case "none":
				return "plain"
			case "withdrawn":
				return "late"
			}
			return "due"
		},
		"rider": func(s bot.RiderState) string {
			if s == bot.RiderNone {
				return "no rider"
			}
			return "rider " + string(s)
		},
		"riderKind": func(s bot.RiderState, late bool) string {
			switch {
			case late:
				return "late"
			case s == bot.RiderSigned:
				return "ready"
			}
			return "due"
		},
		"statusKind": func(s bot.Status) string {
			switch s {
			case bot.StatusOnHold:
				return "late"
			case bot.StatusReady, bot.StatusFilming:
				return "ready"
			}
			return "plain"
		},
	}
}
