package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// DefaultTimeout is how long Open waits for another process to release the
// database file before giving up with ErrInUse.
const DefaultTimeout = 2 * time.Second

// fileMode keeps the database readable by icbot's user only: it holds
// consent records.
const fileMode os.FileMode = 0o600

// ErrInUse is matched (errors.Is) by the error Open returns when another
// process holds the database file's lock for longer than the timeout.
var ErrInUse = errors.New("database is in use by another icbot process")

// ErrNewerSchema is matched (errors.Is) by the error Open returns for a file
// written by a newer icbot than this one.
var ErrNewerSchema = errors.New("database schema is newer than this icbot")

// ErrTxDone is the cause of the error a bot.Tx method returns when it is
// called after its transaction ended: values and transactions are only
// valid inside the function passed to View or Update.
var ErrTxDone = errors.New("storage: transaction used after View or Update returned")

var _ bot.Store = (*Store)(nil)

// Store is icbot's state in one bbolt file. It is safe for concurrent use;
// bbolt allows one writing transaction at a time and many readers.
type Store struct {
	path     string
	log      *slog.Logger
	boltOpts bolt.Options // as opened, for the compacted copy

	// mu is held for reading by every transaction and for writing by
	// Rekey and compaction, which replace db and codec.
	mu    sync.RWMutex
	db    *bolt.DB
	codec *codec

	// commits gathers concurrent Updates into shared transactions.
	commits committer
}

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	timeout    time.Duration
	log        *slog.Logger
	migrations []migration
	readOnly   bool
	key        []byte
	keySet     bool
}

// WithKey seals the private fields of records (see "Encryption at rest" in
// the package documentation) with key, 32 bytes. Open checks that key is
// the one the file was sealed with, records it in a new file, and seals
// the records of an older file that has no key. Without WithKey, Open
// refuses an encrypted file (except read-only) and a file without a key
// stays in clear: that is for tests and tools, icbot always gives a key.
func WithKey(key []byte) Option {
	return func(o *options) { o.key, o.keySet = key, true }
}

// WithReadOnly opens an existing database for reading only, as
// `icbot audit verify` does: nothing is created, migrated or written, and
// a missing file is an error.
func WithReadOnly() Option {
	return func(o *options) { o.readOnly = true }
}

// WithTimeout sets how long Open waits for the file lock held by another
// process (default DefaultTimeout). Zero or negative keeps the default:
// waiting for ever is never wanted.
func WithTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithLogger sets where the store logs opening, migrations and repairs.
// It never logs stored values. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// withMigrations replaces the migration table, for tests of the mechanism.
func withMigrations(ms []migration) Option {
	return func(o *options) { o.migrations = ms }
}

// inUseError names the path in its message and matches ErrInUse.
type inUseError struct {
	path  string
	cause error
}

func (e *inUseError) Error() string {
	return fmt.Sprintf("database %s is in use by another icbot process", e.path)
}

func (e *inUseError) Unwrap() []error { return []error{ErrInUse, e.cause} }

// Open opens or creates the database at path, creates its buckets and
// migrates an older schema. It fails with ErrInUse when another process
// keeps the file locked for longer than the timeout.
func Open(path string, opts ...Option) (*Store, error) {
	o := options{
		timeout:    DefaultTimeout,
		log:        slog.New(slog.DiscardHandler),
		migrations: migrations,
	}
	for _, opt := range opts {
		opt(&o)
	}
	log := o.log.With("component", "storage")
	var key *sealer
	if o.keySet {
		var err error
		if key, err = newSealer(o.key); err != nil {
			return nil, fmt.Errorf("opening database %s: %w", path, err)
		}
	}

	if o.readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("opening database %s: %w", path, err)
		}
	}
	bo := bolt.Options{
		Timeout:      o.timeout,
		FreelistType: bolt.FreelistArrayType,
		ReadOnly:     o.readOnly,
		// NoSync stays false: a commit is on disk when Update returns.
		// Several Updates may share a commit, never a commit without
		// its fsyncs (see commit.go).
	}
	if err := wholeFile(path); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, fileMode, &bo)
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, &inUseError{path: path, cause: err}
	}
	if err != nil {
		return nil, fmt.Errorf("opening database %s: %w", path, err)
	}
	s := &Store{db: db, path: path, log: log, boltOpts: bo}
	if o.readOnly {
		if err := s.checkReadable(uint64(len(o.migrations)-1), key); err != nil {
			_ = db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.tightenMode(); err != nil {
		_ = db.Close()
		return nil, err
	}
	removeStaleCompaction(path, log)
	if err := s.initSchema(o.migrations, key); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

// tightenMode makes an existing file that others could read private again;
// bbolt applies the mode only when it creates the file.
func (s *Store) tightenMode() error {
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("checking database %s: %w", s.path, err)
	}
	if fi.Mode().Perm()&^fileMode == 0 {
		return nil
	}
	if err := os.Chmod(s.path, fileMode); err != nil {
		return fmt.Errorf("database %s is readable by others (mode %v) and could not be made private: %w", s.path, fi.Mode().Perm(), err)
	}
	s.log.Warn("database file was readable by others; mode set to 0600", "path", s.path, "was", fi.Mode().Perm().String())
	return nil
}

// Path is the database file's path as given to Open.
func (s *Store) Path() string { return s.path }

// Close closes the database file and releases its lock. Transactions must
// have ended. A file marked for compaction (meta/compact_pending, as an
// erasure made while icbot ran leaves it) is compacted first, unless it
// is open read-only, so that what was erased does not stay in its free
// pages once icbot has stopped; a failure is logged, and the next Open
// tries again.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.compactPendingLocked(); err != nil {
		s.log.Error("compacting the database at close failed: what was erased stays in its free pages until the next start compacts it", "path", s.path, "err", err)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("closing database %s: %w", s.path, err)
	}
	return nil
}

// View runs fn in a read-only transaction. The Tx and anything it returns
// directly from bbolt are valid only until fn returns; the bot values it
// returns are copies and stay valid. fn's error is returned unchanged.
// fn must not call View or Update itself: bbolt transactions do not nest,
// and a write waiting for this read (or the reverse) deadlocks.
func (s *Store) View(ctx context.Context, fn func(bot.Tx) error) error {
	return s.run(ctx, false, fn)
}

// Update runs fn in a read-write transaction, committed and synced to disk
// when fn returns nil and rolled back otherwise (also when fn panics). fn's
// error is returned unchanged; a failure to commit is an EINTERNAL error.
//
// Concurrent Updates share transactions and their fsyncs (group commit,
// see "Commits" in the package documentation): fn runs once, on the
// caller's goroutine, after the functions of the Updates that came before
// it in its group and seeing their writes; when it fails, its own writes
// are undone and the others commit. Update returns once the transaction
// holding fn's writes is synced, or rolled back. Writes are serialised:
// fn should be quick, as the rest of its group waits for it, and must not
// call View or Update.
func (s *Store) Update(ctx context.Context, fn func(bot.Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, writable bool, fn func(bot.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if writable {
		return s.write(fn)
	}
	var fnErr error
	var t *tx
	err := s.db.View(func(btx *bolt.Tx) error {
		t = &tx{btx: btx, codec: s.codec}
		defer t.done.Store(true)
		fnErr = fn(t)
		return fnErr
	})
	if t != nil && len(t.unreadable) > 0 {
		s.dropUnreadable(t.unreadable)
	}
	switch {
	case err == nil:
		return nil
	case fnErr != nil && err == fnErr:
		return err
	default:
		return bot.Internal(fmt.Errorf("reading database %s: %w", s.path, err))
	}
}

// write runs fn through the committer, in a write transaction it may
// share with concurrent Updates; s.mu is held for reading.
func (s *Store) write(fn func(bot.Tx) error) error {
	p := &pending{fn: fn, codec: s.codec, wake: make(chan turn, 1)}
	s.commits.update(s.db, p)
	if p.t != nil && len(p.t.unreadable) > 0 {
		s.dropUnreadable(p.t.unreadable)
	}
	switch {
	case p.fnErr != nil:
		return p.fnErr
	case p.commitErr != nil:
		return bot.Internal(fmt.Errorf("committing to database %s: %w", s.path, p.commitErr))
	}
	return nil
}

// view and update run fn on the bbolt file, excluding Rekey.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.View(fn)
}

func (s *Store) update(fn func(*bolt.Tx) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.db.Update(fn)
}

// Check runs bbolt's consistency check of the whole file (page
// reachability, double frees, key order) and returns every problem found,
// or nil. It reads in one transaction, so writers are not blocked; a large
// file takes a while.
func (s *Store) Check() error {
	var problems []error
	err := s.view(func(btx *bolt.Tx) error {
		for p := range btx.Check(bolt.WithKVStringer(redactingStringer{})) {
			problems = append(problems, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("checking database %s: %w", s.path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("database %s failed its consistency check with %d problem(s): %w", s.path, len(problems), errors.Join(problems...))
	}
	return nil
}

// redactingStringer keeps stored values out of check messages, which end
// up in logs: keys are ids, values may be sensitive.
type redactingStringer struct{}

func (redactingStringer) KeyToString(k []byte) string   { return fmt.Sprintf("%x", k) }
func (redactingStringer) ValueToString(v []byte) string { return fmt.Sprintf("<%d bytes>", len(v)) }

// dropUnreadable removes the queued deliveries that a transaction found
// it cannot read (changed outside icbot: see readDelivery), after reading
// each again, in a write transaction of its own, and logs each by id and
// place, never by content or destination. It runs with mu held for
// reading, once the transaction that found them has ended. A read-only
// store leaves them.
func (s *Store) dropUnreadable(ids []uint64) {
	if s.boltOpts.ReadOnly {
		return
	}
	var dropped []*unreadableError
	err := s.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketOutbox)
		t := &tx{btx: btx, codec: s.codec}
		defer t.done.Store(true)
		for _, id := range ids {
			k := u64key(id)
			v := b.Get(k)
			if v == nil {
				continue // dropped already
			}
			var u *unreadableError
			if _, err := t.readDelivery(k, v); !errors.As(err, &u) {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			dropped = append(dropped, u)
		}
		return nil
	})
	if err != nil {
		s.log.Error("dropping queued deliveries that cannot be read", "path", s.path, "ids", ids, "err", err)
		return
	}
	for _, u := range dropped {
		s.log.Error("dropped a queued delivery that cannot be read: it was changed outside icbot, and was not sent", "path", s.path, "id", u.id, "err", u.cause)
	}
}

// wholeFile refuses a database file shorter than its own header says it
// is (cut short by a full disk or a bad copy): bbolt maps the file and
// would stop the process with a bus error on the first page past its end.
// It reads the two meta pages as bbolt lays them out (a 16-byte page
// header, then magic, version, page size, flags, the root bucket, the
// freelist page, the high-water page id and the transaction id) and
// takes the newer valid one. A file that does not exist yet, or is too
// short to hold a meta page, is left to bbolt.
func wholeFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // not there yet: bbolt creates it
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < 4096 {
		return nil
	}
	type meta struct {
		pageSize   uint64
		pgid, txid uint64
	}
	read := func(off int64) (meta, bool) {
		b := make([]byte, 72)
		if _, err := f.ReadAt(b, off); err != nil {
			return meta{}, false
		}
		le := binary.LittleEndian
		if le.Uint32(b[16:]) != 0xED0CDAED {
			return meta{}, false
		}
		return meta{pageSize: uint64(le.Uint32(b[24:])), pgid: le.Uint64(b[56:]), txid: le.Uint64(b[64:])}, true
	}
	m, ok := read(0)
	if !ok || m.pageSize == 0 {
		return nil // not a database bbolt would read: bbolt says so
	}
	if m1, ok1 := read(int64(m.pageSize)); ok1 && m1.txid > m.txid {
		m = m1
	}
	if want := m.pgid * m.pageSize; uint64(fi.Size()) < want {
		return fmt.Errorf("database %s is cut short: %d bytes of the %d its header names; restore it from a backup", path, fi.Size(), want)
	}
	return nil
}
