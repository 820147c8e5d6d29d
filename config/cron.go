package config

import (
	"errors"
	"fmt"
	"regexp"
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
		return fail("%s", cronMessage(err, strings.Fields(s)))
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

// cronFields names the five fields, in order.
var cronFields = []string{"minute", "hour", "day-of-month", "month", "day-of-week"}

// cronProblems turn robfig/cron v3's messages, which show Go internals
// ("strconv.Atoi: parsing ..."), into plain ones. Each pattern's last
// group is the text of the field at fault.
var cronProblems = []struct {
	re *regexp.Regexp
	// forms: the message is followed by what a field may hold.
	forms bool
	say   func(m []string) string
}{
	{regexp.MustCompile(`^failed to parse int from (.*?): `), true, func(m []string) string {
		return fmt.Sprintf("%q is not a number", m[1])
	}},
	{regexp.MustCompile(`^end of range \((-?\d+)\) above maximum \((\d+)\): (.*)$`), false, func(m []string) string {
		return fmt.Sprintf("%s is above %s, the highest it can be", m[1], m[2])
	}},
	{regexp.MustCompile(`^beginning of range \((-?\d+)\) below minimum \((\d+)\): (.*)$`), false, func(m []string) string {
		return fmt.Sprintf("%s is below %s, the lowest it can be", m[1], m[2])
	}},
	{regexp.MustCompile(`^beginning of range \((-?\d+)\) beyond end of range \((-?\d+)\): (.*)$`), false, func(m []string) string {
		return fmt.Sprintf("the range %q ends before it begins", m[3])
	}},
	{regexp.MustCompile(`^step of range should be a positive number: (.*)$`), false, func(m []string) string {
		return fmt.Sprintf("%q needs a step of 1 or more, such as */15", m[1])
	}},
	{regexp.MustCompile(`^too many (?:hyphens|slashes): (.*)$`), true, func(m []string) string {
		return fmt.Sprintf("%q is neither a range such as 1-5 nor a step such as */15", m[1])
	}},
	{regexp.MustCompile(`^negative number \((-?\d+)\) not allowed: (.*)$`), false, func(m []string) string {
		return fmt.Sprintf("%s is negative", m[1])
	}},
}

// cronFieldForms is what a field may hold, said after a problem.
const cronFieldForms = "a field is a number, a name (mon, jan), a range such as 1-5, a list such as 1,3, a step such as */15, or *"

// cronMessage words the cron parser's error for a person, naming the
// field at fault when it can be found among fields.
func cronMessage(err error, fields []string) string {
	msg := err.Error()
	for _, p := range cronProblems {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		say := p.say(m)
		if i := cronFieldOf(m[len(m)-1], fields); i >= 0 {
			say = fmt.Sprintf("the %s field: %s", cronFields[i], say)
		}
		if p.forms {
			say += " (" + cronFieldForms + ")"
		}
		return say
	}
	return "it cannot be read (" + cronFieldForms + ")"
}

// cronFieldOf finds the field that holds part (a field or one item of a
// list), or -1.
func cronFieldOf(part string, fields []string) int {
	if len(fields) != len(cronFields) {
		return -1
	}
	for i, f := range fields {
		if f == part || slices.Contains(strings.Split(f, ","), part) {
			return i
		}
	}
	return -1
}
