package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseRetention(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Retention
		err  string
	}{
		{"", Retention{}, ""},
		{"none", Retention{}, ""},
		{"7y", Retention{Years: 7}, ""},
		{" 90D ", Retention{Days: 90}, ""},
		{"100y", Retention{Years: 100}, ""},
		{"0y", Retention{}, "keeps nothing after wrap"},
		{"-1y", Retention{}, "is not a retention"},
		{"7", Retention{}, "is not a retention"},
		{"y", Retention{}, "is not a retention"},
		{"1.5y", Retention{}, "is not a retention"},
		{"7y30d", Retention{}, "is not a retention"},
		{"36601d", Retention{}, "over the 100y maximum"},
		{"99999999999999999999y", Retention{}, "is not a retention"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRetention(tc.in)
			if tc.err == "" && (err != nil || got != tc.want) {
				t.Fatalf("ParseRetention(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("ParseRetention(%q) = %v, %v; want an error saying %q", tc.in, got, err, tc.err)
			}
			if err == nil {
				if back, _ := ParseRetention(got.String()); back != got {
					t.Errorf("%v does not read back: %q gives %v", got, got.String(), back)
				}
			}
		})
	}
}

// TestRetentionEnd: years count in calendar years, a leap day's year
// ending on the first of March.
func TestRetentionEnd(t *testing.T) {
	wrap := time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)
	if got, want := (Retention{Years: 1}).End(wrap), time.Date(2029, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("1y after %s = %s, want %s", wrap, got, want)
	}
	if got, want := (Retention{Days: 10}).End(wrap), time.Date(2028, 3, 10, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("10d after %s = %s, want %s", wrap, got, want)
	}
}
