package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

const eraseUsage = "usage: icbot erase USER [flags]   (USER is the person's user id, as @name in the console)"

// parseEraseUser takes the USER of `icbot erase USER`: a user id, with
// or without the @ of a mention.
func parseEraseUser(arg string) (bot.UserID, error) {
	id := strings.TrimPrefix(strings.TrimSpace(arg), "@")
	if id == "" || strings.ContainsAny(id, " \t\n/") {
		return "", fmt.Errorf("%q is not a user id", arg)
	}
	return bot.UserID(id), nil
}

// runErase is `icbot erase USER`: with the bot stopped, it erases what
// icbot holds sealed about the person by the rules of /icbot erase me
// (bot.Bot.Erase): their data key is destroyed, so that every sealed
// field about them reads as [erased], and they get a pseudonym; what the
// production must keep is sealed under a new key of theirs and erased
// when it may go, by the reminder loop of the next run, unless all is
// set. Then it compacts the file.
func runErase(ctx context.Context, cfg *config.Config, env Env, log *slog.Logger, user bot.UserID, all bool) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "icbot erase: "+format+"\n", args...)
		return exitError
	}
	db := cfg.Storage.Path
	st, _, err := openStopped(cfg, log, "icbot erase")
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	if st.KeyID() == "" {
		return fail("database %s is not encrypted; open it with a key first (nothing was changed)", db)
	}
	now := time.Now
	if env.Clock != nil {
		now = env.Clock
	}
	opts := []bot.Option{bot.WithClock(now), bot.WithZone(cfg.Location()), bot.WithLogger(log), botRetention(cfg)}
	var hh, mm int
	if _, err := fmt.Sscanf(cfg.Production.WrapTime, "%d:%d", &hh, &mm); err == nil {
		opts = append(opts, bot.WithWrapTime(hh, mm)) // when the retention ends, as the bot counts it
	}
	b := bot.New(st, nil, opts...)
	done, kept, err := b.Erase(ctx, user, "icbot", all)
	if errors.Is(err, storage.ErrNotErasable) {
		return fail("database %s holds nothing about %s: check the user id (nothing was changed)", db, user)
	}
	if err != nil {
		return fail("erasing %s in database %s: %v (nothing was changed)", user, db, err)
	}
	if done.Already {
		fmt.Fprintf(env.Stdout, "The data key of %s in database %s was already erased; they are %s.\n", user, db, done.Pseudonym)
	} else {
		fmt.Fprintf(env.Stdout, "Erased the data key of %s in database %s: their boundaries, rider terms, hold reasons, notes on rehearsal records and reminder notes now read as %s everywhere, and they are named %s.\n",
			user, db, storage.ErasedText, done.Pseudonym)
	}
	if len(kept) > 0 {
		fmt.Fprintln(env.Stdout, "Kept for now under a new key of theirs, as the production must keep it, and erased by icbot when it may go (icbot erase --all erases it now, if the production agrees):")
		for _, k := range kept {
			fmt.Fprintf(env.Stdout, "  - %s\n", k)
		}
	}
	if done.Dropped > 0 {
		fmt.Fprintf(env.Stdout, "Dropped %d queued messages to them.\n", done.Dropped)
	}
	fmt.Fprintln(env.Stdout, "Kept: their user id and roles, the scenes they are on, the dates and states of their records, and the audit trail, which reads [erased] where it named them (records written before icbot named people by reference keep the name they were written with).")
	fmt.Fprintln(env.Stdout, "The departments' notices posted for the scenes they perform in hold their garments and body notes: icbot takes them down when it next starts, and tells the IC.")
	fmt.Fprintln(env.Stdout, "Backups taken before now still hold their key, which the storage key opens: delete those backups, or rekey (icbot rekey) and destroy the old key, which leaves them unreadable.")
	if _, err := st.CompactPending(); err != nil {
		return fail("the data key of %s is erased in database %s, but compacting it failed, so the key's sealed bytes stay in its free pages until a later start compacts it: %v", user, db, err)
	}
	return exitOK
}
