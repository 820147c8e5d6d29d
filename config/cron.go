package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// cronParser accepts the standard 5 fields and descriptors such as @daily.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// cronDescriptors are the descriptors the cron parser knows, besides @every.
var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// ParseCron parses a standard 5-field cron spec (minute hour day-of-month
// month day-of-week) or a descriptor such as @daily or "@every 6h", and
// never panics. Time zone prefixes (CRON_TZ=, TZ=) are refused because the
// production's time zone is the zone for every schedule.
//
// The schedule's location is time.Local, which robfig/cron treats as "the
// zone of the time passed to Next", so a scheduler that passes times in
// Config.Location gets the production's zone.
func ParseCron(spec string) (cron.Schedule, error) {
	s := strings.TrimSpace(spec)
	fail := func(format string, a ...any) (cron.Schedule, error) {
		return nil, fmt.Errorf("invalid cron spec %q: %s", s, fmt.Sprintf(format, a...))
	}
	const expected = `expected 5 fields: minute hour day-of-month month day-of-week, such as "0 8 * * *"`
	if s == "" {
		return nil, errors.New("cron spec is empty (" + expected + ")")
	}
	if len(s) > 256 {
		return nil, errors.New("cron spec is longer than 256 bytes")
	}
	if u := strings.ToUpper(s); strings.HasPrefix(u, "CRON_TZ=") || strings.HasPrefix(u, "TZ=") {
		// robfig/cron slices the spec up to the first space after the
		// prefix and panics when there is none ("TZ=", "CRON_TZ=UTC", or a
		// tab instead of a space). The zone belongs in production.timezone
		// anyway, so refuse the prefix outright.
		return fail("remove the CRON_TZ=/TZ= prefix; schedules use production.timezone")
	}
	for _, r := range s {
		if r < ' ' && r != '\t' || r == 0x7f {
			return fail("contains control characters")
		}
	}
	fields := strings.Fields(s)
	switch {
	case fields[0] == "@every":
		if len(fields) != 2 {
			return fail(`"@every" needs one duration, such as "@every 6h"`)
		}
		d, derr := time.ParseDuration(fields[1])
		if derr != nil || d < time.Minute {
			return fail("%q is not a duration of at least 1m", fields[1])
		}
		s = "@every " + fields[1]
	case strings.HasPrefix(fields[0], "@"):
		if len(fields) != 1 || !slices.Contains(cronDescriptors, fields[0]) {
			return fail("unknown descriptor (expected one of %s, or @every with a duration)", strings.Join(cronDescriptors, ", "))
		}
	case len(fields) != 5:
		return fail("has %d fields; %s", len(fields), expected)
	default:
		s = strings.Join(fields, " ")
	}

	sched, err := safeCronParse(s)
	if err != nil {
		return fail("%v", err)
	}
	// A spec like "0 8 30 2 *" (30 February) parses but never fires; the
	// parser's Next gives up after five years and returns the zero time.
	if sched.Next(time.Now()).IsZero() {
		return fail("no date matches it, so it would never run")
	}
	return sched, nil
}

// safeCronParse calls the cron parser, turning a panic into an error. The
// checks in ParseCron avoid every panic known in robfig/cron v3.0.1; this is
// the backstop so that a bad config can never crash the bot.
func safeCronParse(s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, errors.New("the cron parser could not read it")
		}
	}()
	return cronParser.Parse(s)
}
