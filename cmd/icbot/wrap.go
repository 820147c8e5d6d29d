package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"icbot/bot"
	"icbot/config"
)

const wrapUsage = "usage: icbot wrap [DATE] [flags]   (DATE is the day the production wrapped, YYYY-MM-DD; today when left out)"

// The wrap date, from which production.retention counts, is
// production.wrap_date when the configuration sets it, and otherwise the
// one `icbot wrap` recorded in the database. The configuration takes
// precedence, as every setting it holds does: icbot wrap refuses while
// it is set, rather than record a date nothing would read.

// runWrap is `icbot wrap [DATE]`: it records in the database, with the
// bot stopped, the day the production wrapped (today in the production's
// zone when date is ""), with an audit record, and says when the
// consent records will be shredded.
func runWrap(ctx context.Context, cfg *config.Config, env Env, log *slog.Logger, date string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "icbot wrap: "+format+"\n", args...)
		return exitError
	}
	if cfg.Production.WrapDate != "" {
		return fail("production.wrap_date is set to %s in the configuration, and takes precedence over a recorded wrap: change it there, or remove it to use icbot wrap (nothing was changed)", cfg.Production.WrapDate)
	}
	now := time.Now
	if env.Clock != nil {
		now = env.Clock
	}
	today := now().In(cfg.Location()).Format(time.DateOnly)
	if date == "" {
		date = today
	}
	if date > today {
		return fail("%s is after today (%s): icbot wrap records a wrap that happened; for one still to come, set production.wrap_date (nothing was changed)", date, today)
	}
	db := cfg.Storage.Path
	st, _, err := openStopped(cfg, log, "icbot wrap")
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	was := ""
	err = st.Update(ctx, func(tx bot.Tx) error {
		info, err := tx.Production()
		if err != nil {
			return err
		}
		if was = info.WrapDate; was == date {
			return nil
		}
		info.WrapDate = date
		if err := tx.PutProduction(info); err != nil {
			return err
		}
		summary := "the production wrapped on " + date
		if was != "" {
			summary += " (recorded before as " + was + ")"
		}
		return tx.Audit(bot.AuditRecord{Time: now().UTC().Truncate(time.Second), Actor: "icbot", Action: "production.wrap", Summary: summary})
	})
	if err != nil {
		return fail("%v (nothing was changed)", plainDBError(db, err))
	}
	switch {
	case was == date:
		fmt.Fprintf(env.Stdout, "The wrap of the production on %s was already recorded in database %s; nothing was changed.\n", date, db)
	case was != "":
		fmt.Fprintf(env.Stdout, "Recorded in database %s that the production wrapped on %s (it was %s).\n", db, date, was)
	default:
		fmt.Fprintf(env.Stdout, "Recorded in database %s that the production wrapped on %s.\n", db, date)
	}
	fmt.Fprintln(env.Stdout, retentionInUse(cfg, date))
	return exitOK
}

// parseWrapArg takes the DATE of `icbot wrap DATE`.
func parseWrapArg(arg string) (string, error) {
	d, err := config.ParseWrapDate(arg)
	if err != nil {
		return "", err
	}
	return d.Format(time.DateOnly), nil
}

// retentionInUse says what production.retention does with wrap, the wrap
// date in use ("" when none is known), for icbot wrap and icbot config.
func retentionInUse(cfg *config.Config, wrap string) string {
	p := cfg.Production
	if p.Retention.IsZero() {
		return "retention: none: consent records are kept until the production deletes them, and nothing is shredded (set production.retention, such as 7y, to shred them that long after wrap)"
	}
	if wrap == "" {
		return fmt.Sprintf("retention: %s after wrap, counted from the day icbot wrap records in the database (production.wrap_date is not set)", p.Retention)
	}
	d, err := config.ParseWrapDate(wrap)
	if err != nil {
		return fmt.Sprintf("retention: %s after wrap; the wrap date %q cannot be read", p.Retention, wrap)
	}
	return fmt.Sprintf("retention: %s after the wrap on %s: icbot shreds the consent records on %s at %s (production.wrap_time, %s), and warns the IC a week before",
		p.Retention, wrap, p.Retention.End(d).Format(time.DateOnly), p.WrapTime, cfg.Location())
}

// botRetention is the retention of the configuration, for the bot.
func botRetention(cfg *config.Config) bot.Option {
	r := cfg.Production.Retention
	return bot.WithRetention(bot.Retention{Years: r.Years, Days: r.Days}, cfg.Production.WrapDate)
}
