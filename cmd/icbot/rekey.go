package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"icbot/config"
	"icbot/storage/keyfile"
)

// runRekey is `icbot rekey [--new-key-file PATH]`: it seals the database
// with a new key, with the bot stopped. The order keeps a key for the
// database at every moment, whatever crashes when:
//
//  1. open the database with the current key (which also finishes an
//     earlier rekey that was cut short, and holds the file's lock);
//  2. put the new key where it survives a crash before the database
//     needs it: PATH.key.new, synced (key file), or on stdout (key in
//     the configuration);
//  3. re-seal every sealed value, chain the audit trail and MAC every
//     authority record again with keys derived from the new key, and
//     record it, in one transaction: before it commits, the old key opens
//     the file, after it, the new one;
//  4. rename PATH.key.new over PATH.key (at the next start if this
//     process dies first: see finishRekey), and compact the file so that
//     no old ciphertext stays in it.
func runRekey(ctx context.Context, cfg *config.Config, env Env, log *slog.Logger, newKeyFile string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "icbot rekey: "+format+"\n", args...)
		return exitError
	}
	db := cfg.Storage.Path
	st, cur, err := openStopped(cfg, log, "icbot rekey")
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()

	var key []byte
	if newKeyFile != "" {
		if key, err = keyfile.Read(newKeyFile); err != nil {
			return fail("%v", err)
		}
	} else if key, err = keyfile.New(); err != nil {
		return fail("%v", err)
	}
	next := dbKey{key: key, file: cur.file}
	if next.id() == cur.id() {
		return fail("the new key is the key database %s is sealed with (%s)", db, cur.id())
	}

	newPath := cur.file + newKeySuffix
	if cur.file != "" {
		if err := keyfile.Replace(newPath, key); err != nil {
			return fail("%v (nothing was changed)", err)
		}
	} else if newKeyFile == "" {
		// The key lives in the configuration, which icbot does not
		// write: show it before the database needs it.
		fmt.Fprintf(env.Stdout, "New encryption key %s (shown only this once; keep it safe):\n%s\n",
			next.id(), keyfile.Encode(key))
	}

	rekeyErr := st.Rekey(ctx, key)
	if st.KeyID() != next.id() {
		// Nothing changed: the current key still opens the database.
		if cur.file != "" {
			_ = os.Remove(newPath)
		} else if newKeyFile == "" {
			fmt.Fprintln(env.Stdout, "Discard the key above: the database is still sealed with the old one.")
		}
		return fail("%v", rekeyErr)
	}
	if cur.file != "" {
		if err := keyfile.Move(newPath, cur.file); err != nil {
			return fail("database %s is sealed with key %s, which is in %s, but it could not be put in place (the next start does it): %v",
				db, next.id(), newPath, err)
		}
	}

	fmt.Fprintf(env.Stdout, "Database %s is now sealed with key %s (it was %s); the old key no longer opens it.\n", db, next.id(), cur.id())
	if head, err := st.VerifyAudit(ctx); err == nil {
		// Every hash of the chain is keyed, so all of them changed.
		fmt.Fprintf(env.Stdout, "The audit trail is chained with the new key: %d records, head %s. Note it in place of the head you kept.\n", head.Records, head.HeadHex())
	} else {
		log.Error("verifying the audit trail after the rekey", "component", "main", "err", err)
	}
	switch {
	case cur.file != "":
		fmt.Fprintf(env.Stdout, "The new key is in %s: back it up with the database. Backups taken before now still need the old key.\n", cur.file)
	case newKeyFile != "":
		fmt.Fprintf(env.Stdout, "Put the key from %s into storage.encryption_key (%s) before you start icbot. Backups taken before now still need the old key.\n",
			newKeyFile, "ICBOT_STORAGE_ENCRYPTION_KEY")
	default:
		fmt.Fprintf(env.Stdout, "Put the key shown above into storage.encryption_key (%s) before you start icbot. Backups taken before now still need the old key.\n",
			"ICBOT_STORAGE_ENCRYPTION_KEY")
	}
	if rekeyErr != nil {
		return fail("%v", rekeyErr)
	}
	return exitOK
}
