package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"icbot/config"
	"icbot/storage"
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
	key, err := readKeyFile(keyPath)
	if err == nil {
		return dbKey{key: key, file: keyPath}, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return dbKey{}, err
	}
	st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout))
	if err != nil {
		return dbKey{}, err
	}
	if st.Encrypted {
		// As storage.Open says it; icbot never opens a store without a key.
		return dbKey{}, fmt.Errorf("database %s is encrypted, but no key was given: set storage.encryption_key or restore the key file %s", db, keyPath)
	}
	key, err = newKey()
	if err != nil {
		return dbKey{}, err
	}
	switch err := writeKeyFile(keyPath, key, false); {
	case errors.Is(err, fs.ErrExist):
		// Another icbot starting on the same new database was first.
		return resolveKey(cfg, log)
	case err != nil:
		return dbKey{}, fmt.Errorf("creating the encryption key file %s: %w", keyPath, err)
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
	key, err := readKeyFile(keyPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if next, err := readKeyFile(keyPath + newKeySuffix); err == nil {
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
	key, err := readKeyFile(newPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s is left by an unfinished icbot rekey: %w", newPath, err)
	}
	st, err := storage.Inspect(db, key, storage.WithTimeout(cfg.Storage.OpenTimeout))
	if err != nil {
		return err
	}
	if st.Opens {
		if err := os.Rename(newPath, keyPath); err != nil {
			return fmt.Errorf("finishing an interrupted icbot rekey: the database is sealed with the key in %s: rename it to %s: %w", newPath, keyPath, err)
		}
		if err := syncDir(filepath.Dir(keyPath)); err != nil {
			return fmt.Errorf("finishing an interrupted icbot rekey: %w", err)
		}
		log.Warn("finished an interrupted icbot rekey: the database is sealed with the new key, now in the key file",
			"component", "main", "key_file", keyPath, "key_id", storage.KeyID(key))
		return nil
	}
	if err := os.Remove(newPath); err != nil {
		return fmt.Errorf("removing %s, left by an icbot rekey that did not finish: %w", newPath, err)
	}
	log.Warn("removed the new key of an icbot rekey that did not finish: the database is still sealed with the key in the key file",
		"component", "main", "removed", newPath, "key_file", keyPath)
	return nil
}

// newKey returns 32 random bytes.
func newKey() ([]byte, error) {
	key := make([]byte, storage.KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating an encryption key: %w", err)
	}
	return key, nil
}

// readKeyFile reads a key file: base64 of 32 bytes, readable by its owner
// only. A missing file is an error matching fs.ErrNotExist.
func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("key file %s can be read by others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, ok := decodeKey(strings.TrimSpace(string(b)))
	if !ok {
		return nil, fmt.Errorf("key file %s does not hold a key: it must hold the base64 of 32 bytes (openssl rand -base64 32)", path)
	}
	return key, nil
}

// decodeKey accepts the base64 spellings that storage.encryption_key
// accepts.
func decodeKey(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == storage.KeySize {
			return b, true
		}
	}
	return nil, false
}

// writeKeyFile writes key to path, mode 0600, so that path holds either
// nothing or the whole key, also after a crash: the key goes to a
// temporary file that is synced and then renamed over path (replace) or
// linked to it, which fails with fs.ErrExist when path exists. Where the
// file system has no hard links, path is created exclusively instead.
func writeKeyFile(path string, key []byte, replace bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // once linked or renamed, a no-op or the spare name
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: create path exclusively.
		err = writeNew(path, key)
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// writeNew writes key to path, which must not exist yet.
func writeNew(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}
