package bot

import (
	"testing"
	"time"

	"icbot/config"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func at(t *testing.T, zone *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04 MST", s, zone)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestWallNextAcrossClockChanges: a daily digest fires once per local day
// at its wall time, on both clock-change days of both zones, where
// robfig/cron's own Next skips a day or fires twice.
func TestWallNextAcrossClockChanges(t *testing.T) {
	tests := []struct {
		zone, spec, from string
		want             []string // local times, in order
	}{
		{"America/Los_Angeles", "0 8 * * *", "2027-03-13 00:00 PST",
			[]string{"2027-03-13 08:00 PST", "2027-03-14 08:00 PDT", "2027-03-15 08:00 PDT"}},
		{"America/Los_Angeles", "30 2 * * *", "2027-03-13 00:00 PST", // 02:30 does not exist on the 14th
			[]string{"2027-03-13 02:30 PST", "2027-03-14 03:30 PDT", "2027-03-15 02:30 PDT"}},
		{"America/Los_Angeles", "30 1 * * *", "2026-10-31 00:00 PDT", // 01:30 happens twice on 1 Nov
			[]string{"2026-10-31 01:30 PDT", "2026-11-01 01:30 PDT", "2026-11-02 01:30 PST"}},
		{"America/Los_Angeles", "0 8 * * *", "2026-10-31 00:00 PDT",
			[]string{"2026-10-31 08:00 PDT", "2026-11-01 08:00 PST", "2026-11-02 08:00 PST"}},
		{"Europe/London", "30 1 * * *", "2027-03-27 00:00 GMT", // 01:30 does not exist on the 28th
			[]string{"2027-03-27 01:30 GMT", "2027-03-28 02:30 BST", "2027-03-29 01:30 BST"}},
		{"Europe/London", "30 1 * * *", "2026-10-24 00:00 BST", // 01:30 happens twice on the 25th
			[]string{"2026-10-24 01:30 BST", "2026-10-25 01:30 BST", "2026-10-26 01:30 GMT"}},
		{"Europe/London", "0 8 * * *", "2027-03-27 00:00 GMT",
			[]string{"2027-03-27 08:00 GMT", "2027-03-28 08:00 BST", "2027-03-29 08:00 BST"}},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.spec+" from "+tt.from, func(t *testing.T) {
			zone := mustZone(t, tt.zone)
			s, err := config.ParseCron(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			cur := at(t, zone, tt.from)
			for i, want := range tt.want {
				cur = wallNext(s, cur, zone)
				if got := cur.In(zone).Format("2006-01-02 15:04 MST"); got != want {
					t.Fatalf("fire %d: %s, want %s", i+1, got, want)
				}
			}
		})
	}
}

// TestDayBeforeAcrossClockChanges: the check-in comes at the call's wall
// time on the previous day, not 24 hours before.
func TestDayBeforeAcrossClockChanges(t *testing.T) {
	tests := []struct{ zone, call, want string }{
		{"America/Los_Angeles", "2027-03-15 09:00 PDT", "2027-03-14 09:00 PDT"},
		{"America/Los_Angeles", "2027-03-14 09:00 PDT", "2027-03-13 09:00 PST"},
		{"America/Los_Angeles", "2026-11-02 09:00 PST", "2026-11-01 09:00 PST"},
		{"America/Los_Angeles", "2026-11-01 09:00 PST", "2026-10-31 09:00 PDT"},
		{"Europe/London", "2027-03-28 09:00 BST", "2027-03-27 09:00 GMT"},
		{"Europe/London", "2026-10-25 09:00 GMT", "2026-10-24 09:00 BST"},
		{"Europe/London", "2027-03-29 02:30 BST", "2027-03-28 02:30 BST"}, // 02:30 exists on the 28th in BST
		{"Europe/London", "2027-03-29 01:30 BST", "2027-03-28 02:30 BST"}, // 01:30 was skipped: moved forward
	}
	for _, tt := range tests {
		zone := mustZone(t, tt.zone)
		if got := dayBefore(at(t, zone, tt.call), zone).In(zone).Format("2006-01-02 15:04 MST"); got != tt.want {
			t.Errorf("%s: day before %s = %s, want %s", tt.zone, tt.call, got, tt.want)
		}
	}
}

// TestWrapTimeAcrossClockChanges: the wrap reminder is at 19:00 local on
// each day, whatever the offset.
func TestWrapTimeAcrossClockChanges(t *testing.T) {
	for _, tt := range []struct{ zone, day, want string }{
		{"America/Los_Angeles", "2027-03-14 06:00 PDT", "2027-03-14 19:00 PDT"},
		{"America/Los_Angeles", "2026-11-01 06:00 PST", "2026-11-01 19:00 PST"},
		{"Europe/London", "2027-03-28 06:00 BST", "2027-03-28 19:00 BST"},
		{"Europe/London", "2026-10-25 06:00 GMT", "2026-10-25 19:00 GMT"},
	} {
		zone := mustZone(t, tt.zone)
		if got := atWallTime(at(t, zone, tt.day), 19, 0, zone).In(zone).Format("2006-01-02 15:04 MST"); got != tt.want {
			t.Errorf("%s: wrap on %s = %s, want %s", tt.zone, tt.day, got, tt.want)
		}
	}
}
