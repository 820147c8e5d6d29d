package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"icbot/config"
	"icbot/storage"
	"icbot/storage/keyfile"
)

// dbKey is the key that seals the database's private fields, and where
// it came from.
type dbKey struct {
	key []byte
	// file is the key file it was read from or written to; "" when the
	// key came from storage.encryption_key.
	file string
}

func (k dbKey) id() string { return storage.KeyID(k.key) }

// newKeySuffix names the key file a rekey writes before it changes the
// database, and renames over the key file once the database is sealed
// with it.
const newKeySuffix = ".new"

// resolveKey finds the database's key: storage.encryption_key when set,
// else the key file beside the database (storage.KeyFile). The key file
// is created, with a warning to back it up, only when the database does
// not exist yet or holds nothing sealed; for an encrypted database
// without its key file, the error says to restore it. A key file left by
// an interrupted rekey is dealt with first (finishRekey).
func resolveKey(cfg *config.Config, log *slog.Logger) (dbKey, error) {
	db := cfg.Storage.Path
	keyPath := storage.KeyFile(db)
	if cfg.Storage.EncryptionKey != "" {
		key := cfg.Storage.EncryptionKeyBytes()
		if key == nil { // Validate refuses it first; never run without a key.
			return dbKey{}, errors.New("storage.encryption_key is not the base64 of 32 bytes")
		}
		if _, err := os.Stat(keyPath); err == nil {
			log.Warn("storage.encryption_key is set, so the key file beside the database is not used", "component", "main", "key_file", keyPath)
		}
		return dbKey{key: key}, nil
	}
	if err := finishRekey(db, keyPath, cfg, log); err != nil {
		return dbKey{}, err
	}
	key, err := keyfile.Read(keyPath)
	if err == nil {
		return dbKey{key: key, file: keyPath}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return dbKey{}, err
	}
	st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout))
	if err != nil {
		return dbKey{}, plainDBError(db, err)
	}
	if st.Encrypted {
		// As storage.Open says it; icbot never opens a store without a key.
		return dbKey{}, fmt.Errorf("database %s is encrypted, but no key was given: set storage.encryption_key or restore the key file %s", db, keyPath)
	}
	key, err = keyfile.New()
	if err != nil {
		return dbKey{}, err
	}
	switch err := keyfile.Create(keyPath, key); {
	case errors.Is(err, fs.ErrExist):
		// Another icbot starting on the same new database was first.
		return resolveKey(cfg, log)
	case errors.Is(err, fs.ErrNotExist):
		return dbKey{}, fmt.Errorf("the directory of database %s does not exist: create it, or check storage.path or --db", db)
	case err != nil:
		return dbKey{}, fmt.Errorf("%w; or set storage.encryption_key", err)
	}
	log.Warn(fmt.Sprintf("created encryption key file %s: back it up with the database; without it the consent records cannot be read", keyPath),
		"component", "main", "key_id", storage.KeyID(key))
	return dbKey{key: key, file: keyPath}, nil
}

// verifyKey finds the database's key for icbot audit verify, which must
// change nothing: storage.encryption_key, else the key file, else the new
// key of a rekey that committed but stopped before putting it in place.
// It creates and renames nothing; nil when there is no key (a database
// without one needs none).
func verifyKey(cfg *config.Config) ([]byte, error) {
	db := cfg.Storage.Path
	if cfg.Storage.EncryptionKey != "" {
		key := cfg.Storage.EncryptionKeyBytes()
		if key == nil {
			return nil, errors.New("storage.encryption_key is not the base64 of 32 bytes")
		}
		return key, nil
	}
	keyPath := storage.KeyFile(db)
	key, err := keyfile.Read(keyPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if next, err := keyfile.Read(keyPath + newKeySuffix); err == nil {
		if st, err := storage.Inspect(db, next, storage.WithTimeout(cfg.Storage.OpenTimeout)); err == nil && st.Opens {
			return next, nil
		}
	}
	return key, nil
}

// finishRekey deals with keyPath.new, which `icbot rekey` writes before
// it re-seals the database and renames over keyPath after: if that key
// opens the database, the rekey committed and only the rename is missing,
// so it is done now; if not, the rekey did not commit and the file is
// removed. Either way the key file then holds the database's key.
func finishRekey(db, keyPath string, cfg *config.Config, log *slog.Logger) error {
	newPath := keyPath + newKeySuffix
	key, err := keyfile.Read(newPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%w; it is left by an unfinished icbot rekey", err)
	}
	st, err := storage.Inspect(db, key, storage.WithTimeout(cfg.Storage.OpenTimeout))
	if err != nil {
		return plainDBError(db, err)
	}
	if st.Opens {
		if err := keyfile.Move(newPath, keyPath); err != nil {
			return fmt.Errorf("finishing an interrupted icbot rekey: the database is sealed with the key in %s, which must be renamed to %s: %w", newPath, keyPath, err)
		}
		log.Warn("finished an interrupted icbot rekey: the database is sealed with the new key, now in the key file",
			"component", "main", "key_file", keyPath, "key_id", storage.KeyID(key))
		return nil
	}
	if err := keyfile.Remove(newPath); err != nil {
		return fmt.Errorf("%w; it is left by an icbot rekey that did not finish, and the database is still sealed with the key in %s: remove it", err, keyPath)
	}
	log.Warn("removed the new key of an icbot rekey that did not finish: the database is still sealed with the key in the key file",
		"component", "main", "removed", newPath, "key_file", keyPath)
	return nil
}

// plainDBError says a file system error on the database in plain words
// (what is wrong with which file, and what to do) in place of the system
// call's ("stat /x/icbot.db: no such file or directory"). Other errors,
// which storage words itself, are returned as they are.
func plainDBError(db string, err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Path != db || errors.Is(err, storage.ErrInUse) {
		return err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("there is no database at %s (check storage.path or --db)", db)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("database %s cannot be opened: permission denied (icbot must run as the file's owner)", db)
	}
	return fmt.Errorf("database %s cannot be opened: %s", db, pe.Err)
}

// openStopped opens the database, with its key, for a command that needs
// icbot stopped (rekey, erase, wrap); cmd names it in what the error
// says to do.
func openStopped(cfg *config.Config, log *slog.Logger, cmd string) (*storage.Store, dbKey, error) {
	db := cfg.Storage.Path
	if st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout)); err != nil {
		return nil, dbKey{}, fmt.Errorf("%v (stop icbot before %s)", plainDBError(db, err), cmd)
	} else if !st.Exists {
		return nil, dbKey{}, fmt.Errorf("there is no database at %s", db)
	}
	cur, err := resolveKey(cfg, log)
	if err != nil {
		return nil, dbKey{}, err
	}
	st, err := storage.Open(db, storage.WithTimeout(cfg.Storage.OpenTimeout), storage.WithLogger(log), storage.WithKey(cur.key))
	if errors.Is(err, storage.ErrInUse) {
		return nil, dbKey{}, fmt.Errorf("%v: stop icbot before %s", err, cmd)
	}
	if err != nil {
		return nil, dbKey{}, plainDBError(db, err)
	}
	return st, cur, nil
}
