package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"icbot/bot"
	"icbot/config"
)

const dayExportUsage = `usage: icbot export day [DATE] --format md|json|pdf --audience WHO [--out FILE] [flags]
DATE is today (when left out), yesterday, -2d (2 days ago) or a date such as 2026-11-30, in the production's time zone.
WHO is ic, ad or producer: the report holds only what that audience may read.`

// runExportDay is `icbot export day [DATE]`: the end-of-day report of a
// day, built for one audience, read from the database with the bot
// stopped. It changes nothing.
func runExportDay(ctx context.Context, args []string, env Env) int {
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot export day: "+format+"\n%s\n", append(a, dayExportUsage)...)
		return exitUsage
	}
	var date string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		date, args = args[0], args[1:]
	}
	f, e, rest, code, ok := parseExportFlags(args, env)
	if !ok {
		return code
	}
	if date == "" && len(rest) > 0 {
		date, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usageErr("unexpected argument %q", rest[0])
	}
	if why := e.problem("the report"); why != "" {
		return usageErr("%s", why)
	}
	aud, err := bot.ParseDayAudience(e.audience)
	if err != nil {
		return usageErr("%s", bot.ErrorMessage(err))
	}
	cfg, err := config.Load(f.configPath(env.LookupEnv), env.LookupEnv, f.overrides())
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: configuration: %v\n", err)
		return exitUsage
	}
	clock := time.Now
	if env.Clock != nil {
		clock = env.Clock
	}
	// The day is read before the database is opened: a bad one changes
	// nothing and opens nothing.
	b := bot.New(nil, nil, bot.WithClock(clock), bot.WithZone(cfg.Location()))
	day, err := b.ParseDay(date)
	if err != nil {
		return usageErr("%s", bot.ErrorMessage(err))
	}

	fail := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot export day: "+format+"\n", a...)
		return exitError
	}
	st, err := openReadOnly(cfg)
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	warnZone(ctx, st, cfg, env.Stderr, "icbot export day")
	b = bot.New(st, nil, bot.WithClock(clock), bot.WithZone(cfg.Location()), bot.WithRiderNotice(cfg.Production.RiderNotice))
	rep, err := b.DayReport(ctx, day, aud)
	if err != nil {
		return fail("%s", bot.ErrorMessage(err))
	}
	w, finish, err := exportWriter(e.out, env.Stdout)
	if err != nil {
		return fail("%v", err)
	}
	if e.format == "pdf" {
		err = writeDayPDF(w, rep, cfg.Location())
	} else {
		err = writeRecord(w, e.format, rep, func() string { return rep.Markdown(b) })
	}
	if err := finish(err); err != nil {
		return fail("%v", err)
	}
	if e.out != "" {
		fmt.Fprintf(env.Stderr, "icbot export day: the report of %s for %s written to %s\n", day.Date, aud, e.out)
	}
	return exitOK
}
