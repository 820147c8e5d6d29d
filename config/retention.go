package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Retention is how long the production keeps consent records after it
// wraps: whole years or whole days, written "7y" or "90d". The zero value
// keeps them until the production deletes them: nothing is shredded.
type Retention struct {
	Years, Days int
}

// maxRetentionYears bounds a retention: longer is a typing mistake.
const maxRetentionYears = 100

// IsZero reports whether no retention is set.
func (r Retention) IsZero() bool { return r.Years == 0 && r.Days == 0 }

// String writes r as the config file takes it ("7y", "90d"), "" for none.
func (r Retention) String() string {
	switch {
	case r.Years > 0 && r.Days > 0:
		return fmt.Sprintf("%dy%dd", r.Years, r.Days)
	case r.Years > 0:
		return fmt.Sprintf("%dy", r.Years)
	case r.Days > 0:
		return fmt.Sprintf("%dd", r.Days)
	}
	return ""
}

// End is the day the retention after wrap ends: wrap's date moved on by
// r's years and days, at midnight UTC.
func (r Retention) End(wrap time.Time) time.Time {
	return time.Date(wrap.Year(), wrap.Month(), wrap.Day(), 0, 0, 0, 0, time.UTC).AddDate(r.Years, 0, r.Days)
}

// ParseRetention reads a retention: a whole number of years ("7y") or of
// days ("90d"), from 1d to 100y; empty (or "none") is no retention.
func ParseRetention(s string) (Retention, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "none" {
		return Retention{}, nil
	}
	bad := fmt.Errorf("%q is not a retention (expected whole years or days after wrap, such as 7y or 90d; leave it empty to keep consent records until the production deletes them)", s)
	if len(s) < 2 {
		return Retention{}, bad
	}
	num, unit := s[:len(s)-1], s[len(s)-1]
	if strings.Trim(num, "0123456789") != "" || (unit != 'y' && unit != 'd') {
		return Retention{}, bad
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return Retention{}, bad
	}
	r := Retention{Years: n}
	if unit == 'd' {
		r = Retention{Days: n}
	}
	switch {
	case n == 0:
		return Retention{}, fmt.Errorf("%q keeps nothing after wrap: give at least 1d, or leave it empty to keep consent records until the production deletes them", s)
	case r.Years > maxRetentionYears || r.Days > maxRetentionYears*366:
		return Retention{}, fmt.Errorf("%q is over the %dy maximum (expected a retention such as 7y or 90d)", s, maxRetentionYears)
	}
	return r, nil
}

// ParseWrapDate reads a wrap date, YYYY-MM-DD.
func ParseWrapDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date YYYY-MM-DD, such as 2026-12-18", strings.TrimSpace(s))
	}
	return d, nil
}
