package bot

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzPrepare feeds any line to the router's first half, the free-text
// path (/hold ID reason, /reminders answer ID ok note) included: it never
// panics, every refusal is a coded error a person can read, and a free
// text is taken from the line as typed, bounded and clean.
func FuzzPrepare(f *testing.F) {
	for _, s := range []string{
		"/hold 12 I need a minute",
		`/hold 12 reason="she said \"stop\""`,
		"/hold 12 “cold”",
		"/hold help",
		"/reminders answer 3 talk not sure about the kiss",
		"/remind answer 3 ok",
		"/hold 12 \u202estop",
		"/hold 12 \x1b[2J",
		"/scene beat add 12 \"kiss\" kind=contact",
		"/closedset start 12 force reason=\"late\"",
		"/icbot role add <@U1|pa\u202eula> crew",
		"/hold",
		"/hold 12",
		"hold 12 x",
		"/HOLD 12 X",
		"/scene",
		"/scene nope",
		"\x00\xff",
		"",
	} {
		f.Add(s)
	}
	b := New(nil, nil, WithClock(func() time.Time { return time.Date(2031, 5, 1, 9, 0, 0, 0, time.UTC) }))
	f.Fuzz(func(t *testing.T, s string) {
		o := &Outcome{}
		in, err := b.prepare(context.Background(), Command{Caller: "u", Text: s}, o)
		if err != nil {
			switch ErrorCode(err) {
			case EINVALID, ENOTFOUND, EFORBIDDEN:
			default:
				t.Fatalf("prepare(%q): uncoded or internal error %v", s, err)
			}
			if ErrorMessage(err) == "" {
				t.Fatalf("prepare(%q): a refusal without words", s)
			}
			return
		}
		if in == nil {
			if len(o.Replies) == 0 {
				t.Fatalf("prepare(%q): neither a command nor help", s)
			}
			return
		}
		if in.spec == nil {
			t.Fatalf("prepare(%q): a command without a spec", s)
		}
		if in.free != "" {
			if !utf8.ValidString(in.free) || utf8.RuneCountInString(in.free) > textRules[in.spec.freeRule].max {
				t.Fatalf("prepare(%q): free text %q passed its bounds", s, in.free)
			}
			if strings.ContainsFunc(in.free, bidiControl) {
				t.Fatalf("prepare(%q): free text %q holds a direction control", s, in.free)
			}
			// Taken as typed: at most a reason= prefix and one pair of
			// quotes around it are dropped.
			inner := strings.Trim(in.free, "\"“”")
			if !strings.Contains(s, inner) {
				t.Fatalf("prepare(%q): free text %q is not from the line", s, in.free)
			}
		}
	})
}

// FuzzParseCall feeds any text to the call-time parser in a zone with
// daylight saving: it never panics, refuses with a coded error, and a time
// it accepts shows, in the zone, the wall clock that was typed.
func FuzzParseCall(f *testing.F) {
	for _, s := range []string{
		"2026-12-02 10:30", "2026-03-29 01:30", "2026-10-25 01:30", "2026-10-25 01:30 +01:00",
		"2026-10-25 01:30 +00:00", "2026-10-25 01:30 +05:00", "2026-13-01 09:00", "tomorrow 10:30",
		"today 18:00", "+3d 09:00", "-2d 09:00", "fri 10:30", "Monday 07:15", "tomorrow", "+99999d 09:00",
		" 2026-12-02 10:30 ", "2026-12-02 10:30 -", "0000-01-01 00:00", "9999-12-31 23:59", "2199-12-31 23:59", "",
	} {
		f.Add(s)
	}
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		f.Fatal(err)
	}
	b := New(nil, nil, WithZone(london), WithClock(func() time.Time { return time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC) }))
	f.Fuzz(func(t *testing.T, s string) {
		got, err := b.parseCall(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("parseCall(%q): uncoded error %v", s, err)
			}
			return
		}
		wall := strings.TrimSpace(s)
		if i := strings.LastIndexByte(wall, ' '); i > 0 && strings.ContainsAny(wall[i+1:i+2], "+-") {
			wall = strings.TrimSpace(wall[:i])
		}
		typed, err := time.Parse(callLayout, wall)
		shown := got.In(london)
		if f := strings.Fields(wall); err != nil && len(f) == 2 {
			// A day counted from today ("tomorrow 10:30"): the time of day is as typed.
			if tod, err := time.Parse("15:04", f[1]); err != nil || shown.Hour() != tod.Hour() || shown.Minute() != tod.Minute() {
				t.Fatalf("parseCall(%q) = %s, shown as %s in London", s, got, shown)
			}
			return
		}
		if err != nil {
			t.Fatalf("parseCall(%q) accepted a wall clock time.Parse refuses: %v", s, err)
		}
		if shown.Year() != typed.Year() || shown.YearDay() != typed.YearDay() || shown.Hour() != typed.Hour() || shown.Minute() != typed.Minute() {
			t.Fatalf("parseCall(%q) = %s, shown as %s in London", s, got, shown)
		}
	})
}
