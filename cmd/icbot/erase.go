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

// runErase is `icbot erase USER`: it destroys the person's data key, so
// that every sealed field about them reads as [erased], gives them a
// pseudonym and compacts the file (Store.Erase), with the bot stopped.
func runErase(ctx context.Context, cfg *config.Config, env Env, log *slog.Logger, user bot.UserID) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "icbot erase: "+format+"\n", args...)
		return exitError
	}
	db := cfg.Storage.Path
	if st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout)); err != nil {
		return fail("%v (stop icbot before icbot erase)", plainDBError(db, err))
	} else if !st.Exists {
		return fail("there is no database at %s", db)
	}
	cur, err := resolveKey(cfg, log)
	if err != nil {
		return fail("%v", err)
	}
	st, err := storage.Open(db, storage.WithTimeout(cfg.Storage.OpenTimeout), storage.WithLogger(log), storage.WithKey(cur.key))
	if errors.Is(err, storage.ErrInUse) {
		return fail("%v: stop icbot before icbot erase", err)
	}
	if err != nil {
		return fail("%v", plainDBError(db, err))
	}
	defer st.Close()
	now := time.Now
	if env.Clock != nil {
		now = env.Clock
	}
	done, err := st.Erase(ctx, user, "icbot", now())
	if errors.Is(err, storage.ErrNotErasable) {
		return fail("database %s holds nothing about %s: check the user id (nothing was changed)", db, user)
	}
	if done.Pseudonym == "" {
		return fail("%v", err)
	}
	if done.Already {
		fmt.Fprintf(env.Stdout, "The data key of %s in database %s was already erased; they are %s.\n", user, db, done.Pseudonym)
	} else {
		fmt.Fprintf(env.Stdout, "Erased the data key of %s in database %s: their boundaries, rider terms, hold reasons, notes on rehearsal records and reminder notes now read as %s everywhere, and they are named %s.\n",
			user, db, storage.ErasedText, done.Pseudonym)
	}
	if done.Dropped > 0 {
		fmt.Fprintf(env.Stdout, "Dropped %d queued messages to them.\n", done.Dropped)
	}
	fmt.Fprintln(env.Stdout, "Kept: their user id and roles, the scenes they are on, the dates and states of their records, and the audit trail, whose summaries may name them.")
	fmt.Fprintln(env.Stdout, "Backups taken before now still hold their key, which the storage key opens: delete those backups, or rekey (icbot rekey) and destroy the old key, which leaves them unreadable.")
	if err != nil {
		return fail("%v", err)
	}
	return exitOK
}
