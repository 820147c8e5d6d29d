package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseCron(t *testing.T) {
	tests := []struct {
		spec     string
		ok       bool
		fragment string
	}{
		{"0 8 * * *", true, ""},
		{"  30 7 * * mon-fri ", true, ""},
		{"0\t8 * * *", true, ""},
		{"@daily", true, ""},
		{"@every 6h", true, ""},
		{"", false, "cron spec is empty"},
		{"   ", false, "cron spec is empty"},
		{"* * *", false, "has 3 fields; expected 5"},
		{"0 0 8 * * *", false, "has 6 fields"},
		{"CRON_TZ=Europe/London", false, "remove the CRON_TZ=/TZ= prefix; schedules use production.timezone"},
		{"CRON_TZ=", false, "CRON_TZ="},
		{"TZ=", false, "remove the CRON_TZ=/TZ= prefix"},
		{"TZ=UTC\t0", false, "remove the CRON_TZ=/TZ= prefix"},
		{"TZ= 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"cron_tz=UTC 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"CRON_TZ=Nowhere/Zone 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"61 * * * *", false, `invalid cron spec "61 * * * *": the minute field: 61 is above 59, the highest it can be`},
		{"* 24 * * *", false, "the hour field: 24 is above 23, the highest it can be"},
		{"0 8,25 * * *", false, "the hour field: 25 is above 23"},
		{"*/0 * * * *", false, `the minute field: "*/0" needs a step of 1 or more, such as */15`},
		{"0 8 * * abc", false, `the day-of-week field: "abc" is not a number (a field is a number, a name (mon, jan), a range such as 1-5, a list such as 1,3, a step such as */15, or *)`},
		{"0 8-3 * * *", false, `the hour field: the range "8-3" ends before it begins`},
		{"0 8 * * 1-2-3", false, `the day-of-week field: "1-2-3" is neither a range such as 1-5 nor a step such as */15`},
		{"0 8 30 2 *", false, "never run"},
		{"@every", false, `"@every" needs one duration`},
		{"@every 1s", false, "at least 1m"},
		{"@every -1h", false, "at least 1m"},
		{"@fortnightly", false, "unknown descriptor"},
		{"@daily 0", false, "unknown descriptor"},
		{"0 8 * * *\x00", false, "control characters"},
		{strings.Repeat("1,", 200) + "1 * * * *", false, "longer than 256"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.spec), func(t *testing.T) {
			sched, err := ParseCron(tt.spec)
			if tt.ok {
				if err != nil || sched == nil {
					t.Fatalf("ParseCron = %v, %v", sched, err)
				}
				return
			}
			wantErr(t, err, tt.fragment)
			for _, internal := range []string{"strconv", "parsing", "maximum (", "should be"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("%q shows the parser's own wording %q", err, internal)
				}
			}
			if sched != nil {
				t.Errorf("schedule %v returned with error", sched)
			}
		})
	}
	t.Run("schedule follows the caller's zone", func(t *testing.T) {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Skip("no zoneinfo:", err)
		}
		sched, err := ParseCron("0 8 * * *")
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2025, 7, 1, 9, 0, 0, 0, loc)
		if got, want := sched.Next(from), time.Date(2025, 7, 2, 8, 0, 0, 0, loc); !got.Equal(want) {
			t.Errorf("Next = %v, want %v", got, want)
		}
	})
}

// TestSafeCronParse feeds robfig/cron the inputs that make it panic,
// bypassing ParseCron's pre-checks, to prove the recover backstop works.
func TestSafeCronParse(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=Europe/London", "TZ=", "CRON_TZ=", "TZ=UTC\t0"} {
		t.Run(fmt.Sprintf("%q", spec), func(t *testing.T) {
			sched, err := safeCronParse(spec)
			if err == nil || sched != nil {
				t.Errorf("safeCronParse = %v, %v; want an error", sched, err)
			}
		})
	}
}

func TestDigestCronErrorsNeverPanic(t *testing.T) {
	for _, spec := range []string{"", "* * *", "CRON_TZ=Europe/London", "TZ=", "CRON_TZ=Nowhere/Zone 0 8 * * *", "61 * * * *", "@every"} {
		t.Run(fmt.Sprintf("%q", spec), func(t *testing.T) {
			_, err := Load("", noEnv, map[string]string{"production.digest_cron": spec})
			wantErr(t, err, "production.digest_cron (from command line)")
		})
	}
}
