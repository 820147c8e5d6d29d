// Package keyfile reads, writes and decodes the key that seals a
// database's private records at rest, as it is spelled in a key file
// beside the database (storage.KeyFile) or in storage.encryption_key.
//
// It lives apart from package storage, and imports nothing of icbot, so
// that the configuration can decode a key exactly as storage reads one
// without depending on the store (which would make a cycle through the
// domain's tests).
package keyfile

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Size is the length of a key in bytes (AES-256), as storage.KeySize.
const Size = 32

// Decode accepts the common base64 spellings of a Size-byte key
// (standard or URL alphabet, padded or not), because key generators
// differ in padding and alphabet. Surrounding whitespace is not accepted:
// callers trim it where it can creep in.
func Decode(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == Size {
			return b, true
		}
	}
	return nil, false
}

// Encode is the spelling a key file holds: standard base64, padded.
func Encode(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// New returns Size random bytes.
func New() ([]byte, error) {
	key := make([]byte, Size)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating an encryption key: %w", err)
	}
	return key, nil
}

// Error is a key file that cannot be used. Its message is for the
// operator: what is wrong with which file and what to do, without the
// system call's wording; Unwrap gives the cause, so that a missing file
// still matches fs.ErrNotExist.
type Error struct {
	Path string
	// Problem says what is wrong and what to do, without the path.
	Problem string
	Err     error
}

func (e *Error) Error() string { return "key file " + e.Path + " " + e.Problem }

// Unwrap returns the cause, or nil.
func (e *Error) Unwrap() error { return e.Err }

// fileError words a file system error on path for the operator; doing
// is "read", "written", "renamed" or "removed".
func fileError(path, doing string, err error) error {
	var problem string
	switch {
	case errors.Is(err, fs.ErrNotExist) && doing == "written":
		problem = "cannot be written: its directory does not exist"
	case errors.Is(err, fs.ErrNotExist):
		problem = "does not exist"
	case errors.Is(err, fs.ErrExist):
		problem = "already exists"
	case errors.Is(err, fs.ErrPermission) && doing == "read":
		problem = "cannot be read: permission denied (icbot must run as the file's owner)"
	case errors.Is(err, fs.ErrPermission):
		problem = "cannot be " + doing + ": permission denied (the user icbot runs as must be able to write its directory)"
	default:
		problem = "cannot be " + doing + ": " + cause(err)
	}
	return &Error{Path: path, Problem: problem, Err: err}
}

// cause is the operating system's words for err, without the call and
// paths that os adds ("open /x: ", "rename /x /y: ").
func cause(err error) string {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		return pe.Err.Error()
	case errors.As(err, &le):
		return le.Err.Error()
	case errors.As(err, &se):
		return se.Err.Error()
	}
	return err.Error()
}

// Read reads a key file: base64 of Size bytes, readable by its owner
// only. A missing file is an error matching fs.ErrNotExist.
func Read(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fileError(path, "read", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{Path: path, Problem: "is not a regular file"}
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, &Error{Path: path, Problem: fmt.Sprintf("can be read by others (mode %04o): run chmod 600 %s", perm, path)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, "read", err)
	}
	key, ok := Decode(strings.TrimSpace(string(b)))
	if !ok {
		return nil, &Error{Path: path, Problem: "does not hold a key: it must hold the base64 of 32 bytes (openssl rand -base64 32)"}
	}
	return key, nil
}

// Create writes key to path, mode 0600, unless path exists, which is an
// error matching fs.ErrExist. Path holds either nothing or the whole key,
// also after a crash.
func Create(path string, key []byte) error {
	if err := write(path, key, false); err != nil {
		return fileError(path, "written", err)
	}
	return nil
}

// Replace writes key to path, mode 0600, in place of what path held.
// Path holds either the old key or the whole new one, also after a crash.
func Replace(path string, key []byte) error {
	if err := write(path, key, true); err != nil {
		return fileError(path, "written", err)
	}
	return nil
}

// Move renames the key file from over the key file to, durably: once it
// returns nil, a crash leaves to holding from's key.
func Move(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return fileError(from, "renamed to "+to, err)
	}
	if err := SyncDir(filepath.Dir(to)); err != nil {
		return fileError(to, "made durable", err)
	}
	return nil
}

// Remove removes a key file.
func Remove(path string) error {
	if err := os.Remove(path); err != nil {
		return fileError(path, "removed", err)
	}
	return nil
}

// write puts the key in a temporary file that is synced and then renamed
// over path (replace) or linked to it, which fails with fs.ErrExist when
// path exists. Where the file system has no hard links, path is created
// exclusively instead.
func write(path string, key []byte, replace bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // once linked or renamed, a no-op or the spare name
	if err := writeSync(f, key); err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: create path exclusively.
		err = createNew(path, key)
	}
	if err != nil {
		return err
	}
	return SyncDir(dir)
}

// createNew writes key to path, which must not exist yet.
func createNew(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return writeSync(f, key)
}

// writeSync writes the key's line to f, syncs and closes it.
func writeSync(f *os.File, key []byte) error {
	if _, err := f.WriteString(Encode(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SyncDir makes a rename or link in dir durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		d.Close()
	}
	if err != nil {
		return fmt.Errorf("directory %s cannot be synced to disk: %s", dir, cause(err))
	}
	return nil
}
