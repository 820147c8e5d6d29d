package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// compactTxSize is how much bolt.Compact copies per transaction.
const compactTxSize = 8 << 20

// noKeyError names the path and the key file, and matches ErrNoKey.
type noKeyError struct{ path string }

func (e *noKeyError) Error() string {
	return fmt.Sprintf("database %s is encrypted, but no key was given: set storage.encryption_key or restore the key file %s", e.path, KeyFile(e.path))
}

func (e *noKeyError) Unwrap() error { return ErrNoKey }

// wrongKeyError names both keys by id, and matches ErrWrongKey.
type wrongKeyError struct{ path, stored, given string }

func (e *wrongKeyError) Error() string {
	stored := e.stored
	if stored == "" {
		stored = "(unknown: meta/key_id is missing)"
	}
	return fmt.Sprintf("the encryption key does not open database %s (it was sealed with key %s, this key is %s): use the right storage.encryption_key or key file", e.path, stored, e.given)
}

func (e *wrongKeyError) Unwrap() error { return ErrWrongKey }

func keyIDOf(key *sealer) string {
	if key == nil {
		return ""
	}
	return key.id
}

// encrypted reports whether the file's records are sealed: it has a key
// id or a key check (either alone means the other was removed).
func encrypted(meta *bolt.Bucket) bool {
	return meta.Get(keyKeyID) != nil || meta.Get(keyKeyCheck) != nil
}

// checkKey proves that key is the one the file was sealed with by opening
// meta/key_check, and says whether the file's integrity is keyed: its
// key check was sealed by an icbot of schema version 8 or later.
func checkKey(meta *bolt.Bucket, key *sealer, path string) (keyed bool, err error) {
	stored := string(meta.Get(keyKeyID))
	check := meta.Get(keyKeyCheck)
	plain, err := key.open(check, aadKeyCheckKeyed())
	keyed = err == nil
	if !keyed {
		plain, err = key.open(check, aadKeyCheck())
	}
	switch {
	case err == nil && bytes.Equal(plain, keyCheckPlain) && stored == key.id:
		return keyed, nil
	case err == nil && bytes.Equal(plain, keyCheckPlain):
		return false, brokenf("database %s: meta/key_id says key %q, but the key check opens with key %s: meta/key_id was changed", path, stored, key.id)
	case stored != key.id:
		return false, &wrongKeyError{path: path, stored: stored, given: key.id}
	}
	return false, brokenf("database %s: meta/key_check does not open with key %s, which meta/key_id names: it was changed or removed", path, key.id)
}

// checkKeyed refuses a file whose key check and schema version disagree
// about whether its integrity is keyed: the version was set back to make
// icbot take unkeyed records for an older file's (or set forward, or the
// key check put back from an older copy).
func checkKeyed(path string, keyed bool, version uint64) error {
	switch {
	case keyed && version < keyedSince:
		return tamperedf("database %s says schema version %d, but its key check was written by version %d or later: the schema version was set back; restore the file from a backup", path, version, keyedSince)
	case !keyed && version >= keyedSince:
		return tamperedf("database %s says schema version %d, but its key check is from before version %d: meta/key_check was replaced; restore the file from a backup", path, version, keyedSince)
	}
	return nil
}

// writeKeyMeta records which key seals the file, with the key check of a
// keyed file.
func writeKeyMeta(meta *bolt.Bucket, key *sealer) error {
	if err := meta.Put(keyKeyID, []byte(key.id)); err != nil {
		return err
	}
	return meta.Put(keyKeyCheck, key.seal(keyCheckPlain, aadKeyCheckKeyed()))
}

// readKey returns the codec for a file of the given schema version: plain
// for a file without a key, keyed when key opens it. An encrypted file
// without a key is refused, unless locked is allowed (read-only), when
// its sealed fields and keyed records cannot be read but the rest can.
func (s *Store) readKey(btx *bolt.Tx, key *sealer, locked bool, version uint64) (*codec, error) {
	meta := btx.Bucket(bucketMeta)
	if meta == nil || !encrypted(meta) {
		return &codec{path: s.path}, nil
	}
	if key == nil {
		if locked {
			return &codec{encrypted: true, keyed: version >= keyedSince, path: s.path}, nil
		}
		return nil, &noKeyError{path: s.path}
	}
	keyed, err := checkKey(meta, key, s.path)
	if err != nil {
		return nil, err
	}
	if err := checkKeyed(s.path, keyed, version); err != nil {
		return nil, err
	}
	return &codec{key: key, encrypted: true, keyed: keyed, path: s.path}, nil
}

// keyUpgrade says what setupKey did to a file.
type keyUpgrade struct {
	sealed  bool // a file without a key was sealed with one (values: how many)
	keyed   bool // the file's integrity was keyed (records: how many)
	values  int
	records int
	dropped []*unreadableError // deliveries dropped while keying: they did not open
	// personal is set when the sealed fields about each person were
	// moved under their own data key (schema version 9; moved: how many
	// values were sealed again).
	personal bool
	moved    int
	// audit counts the records rewritten when the people named in the
	// audit trail were sealed (schema version 11).
	audit int
}

// setupKey runs in Open's write transaction, after the migrations; from
// is the schema version the file had before them. A file with a key must
// be opened with that key, and its integrity is keyed if it was not yet
// (an encrypted file of version 7 or earlier). A file without one stays
// in clear when no key is given, and otherwise has its private fields
// sealed, its integrity keyed and the key recorded, in this transaction.
func (s *Store) setupKey(btx *bolt.Tx, key *sealer, from uint64) (*codec, keyUpgrade, error) {
	var up keyUpgrade
	meta := btx.Bucket(bucketMeta)
	// The version the migrations brought the file to: from version 11 the
	// people an audit record names are sealed.
	auditPeople := beUint(meta.Get(keySchemaVersion)) >= auditPeopleSince
	if encrypted(meta) || key == nil {
		c, err := s.readKey(btx, key, false, from)
		if err != nil || c.key == nil {
			return c, up, err
		}
		c.auditPeople = auditPeople
		if !c.keyed {
			if c, up, err = s.keyIntegrity(btx, c); err != nil {
				return c, up, err
			}
		}
		if from != 0 && from < personKeysSince {
			// Every sealed field about a person moves under their own
			// key; the values it had under the storage key stay in free
			// pages until the file is compacted.
			if up.moved, err = reseal(btx, c, c); err != nil {
				return nil, up, fmt.Errorf("sealing the records of database %s under each person's key: %w", s.path, err)
			}
			up.personal = true
		}
		if from != 0 && from < auditPeopleSince && auditPeople && !up.keyed {
			// The people the audit trail names are sealed under their
			// keys, and the chain computed again over what it now holds
			// (keyIntegrity did both already).
			if up.audit, err = rekeyIntegrity(context.Background(), btx, c, c); err != nil {
				return nil, up, fmt.Errorf("sealing the people named in the audit trail of database %s: %w", s.path, err)
			}
		}
		return c, up, nil
	}
	c := &codec{key: key, encrypted: true, keyed: true, path: s.path, auditPeople: auditPeople}
	plain := &codec{path: s.path, refuseSealed: true}
	var err error
	if up.values, err = reseal(btx, plain, c); err != nil {
		return nil, up, err
	}
	if up.records, err = rekeyIntegrity(context.Background(), btx, plain, c); err != nil {
		return nil, up, err
	}
	if err := writeKeyMeta(meta, key); err != nil {
		return nil, up, fmt.Errorf("recording the key of database %s: %w", s.path, err)
	}
	up.sealed, up.keyed = true, true
	return c, up, nil
}

// keyIntegrity migrates an encrypted file to keyed integrity (schema
// version 8) with its key, from the codec old that reads it as version 7
// did: every queued delivery's text is sealed again bound to its
// destination (one that does not open is dropped: it was changed, and
// must not stop icbot from starting), the audit chain is verified as the
// SHA-256 chain it was and chained again with HMAC, every authority
// record gets its MAC, and the key check is written again to say so.
func (s *Store) keyIntegrity(btx *bolt.Tx, old *codec) (*codec, keyUpgrade, error) {
	var up keyUpgrade
	c := &codec{key: old.key, encrypted: true, keyed: true, path: s.path, auditPeople: old.auditPeople}
	outbox := btx.Bucket(bucketOutbox)
	if outbox == nil {
		return nil, up, errors.New("storage: the outbox bucket is missing")
	}
	_, err := resealBucket(outbox, "delivery", func(k []byte, r *deliveryRecord) (int, error) {
		if err := old.openDelivery(r, beUint(k)); err != nil {
			if !errors.Is(err, ErrSealBroken) {
				return 0, err
			}
			up.dropped = append(up.dropped, &unreadableError{id: beUint(k), cause: err})
			return 0, nil
		}
		return 1, c.sealDelivery(r)
	})
	if err != nil {
		return nil, up, err
	}
	for _, u := range up.dropped {
		if err := outbox.Delete(u64key(u.id)); err != nil {
			return nil, up, err
		}
	}
	if up.records, err = rekeyIntegrity(context.Background(), btx, old, c); err != nil {
		return nil, up, err
	}
	if err := writeKeyMeta(btx.Bucket(bucketMeta), c.key); err != nil {
		return nil, up, fmt.Errorf("recording the key of database %s: %w", s.path, err)
	}
	up.keyed = true
	return c, up, nil
}

// reseal opens every sealed field of the file with from and seals it
// again with to, in btx, and returns how many values it sealed. Any value
// that does not open stops it with an error naming the value.
func reseal(btx *bolt.Tx, from, to *codec) (int, error) {
	total := 0
	add := func(n int, err error) error {
		total += n
		return err
	}
	scenes, outbox, bounds, riders := btx.Bucket(bucketScenes), btx.Bucket(bucketOutbox), btx.Bucket(bucketBounds), btx.Bucket(bucketRiders)
	reminders := btx.Bucket(bucketReminders)
	if scenes == nil || outbox == nil || bounds == nil || riders == nil || reminders == nil {
		return 0, errors.New("storage: a bucket with sealed fields is missing")
	}
	fk, tk, keys, err := loadKeyring(btx, from, to)
	if err != nil {
		return 0, err
	}
	total += keys
	err = add(resealBucket(scenes, "scene", func(k []byte, r *sceneRecord) (int, error) {
		if err := from.openScene(r, string(k), fk); err != nil {
			return 0, err
		}
		return len(r.Holds) + 1, to.sealScene(r, tk)
	}))
	if err != nil {
		return total, err
	}
	err = add(resealBucket(outbox, "delivery", func(k []byte, r *deliveryRecord) (int, error) {
		if err := from.openDelivery(r, beUint(k)); err != nil {
			return 0, err
		}
		return 2, to.sealDelivery(r)
	}))
	if err != nil {
		return total, err
	}
	err = add(resealBucket(reminders, "reminder", func(k []byte, r *reminderRecord) (int, error) {
		if err := from.openReminder(r, beUint(k), fk); err != nil {
			return 0, err
		}
		return 1, to.sealReminder(r, tk)
	}))
	if err != nil {
		return total, err
	}
	for _, scene := range childBuckets(bounds) {
		sb := bounds.Bucket(scene)
		for _, performer := range childBuckets(sb) {
			err := add(resealBucket(sb.Bucket(performer), "boundaries", func(k []byte, r *boundariesRecord) (int, error) {
				if r.Scene != string(scene) || r.Performer != string(performer) || r.Version != int(beUint(k)) {
					return 0, from.openBoundaries(r, string(scene), string(performer), int(beUint(k)), fk)
				}
				// A version whose key was erased stays as it is: it cannot
				// be opened, and must not be sealed under a new key.
				place := aadPrivate(r.Scene, r.Performer, r.Version)
				private, erased, err := from.openFor(fk, r.Private, place, r.Performer)
				if err != nil || erased {
					return 0, err
				}
				r.Private = private
				return 1, to.sealBoundaries(r, tk)
			}))
			if err != nil {
				return total, err
			}
		}
	}
	if sessions := btx.Bucket(bucketSessions); sessions != nil {
		for _, scene := range childBuckets(sessions) {
			err := add(resealBucket(sessions.Bucket(scene), "session", func(k []byte, r *sessionRecord) (int, error) {
				if err := from.openSession(r, string(scene), beUint(k)); err != nil {
					return 0, err
				}
				// A reason written before reasons were sealed is sealed now.
				if r.OverrideSealed == "" && r.Override != "" {
					r.OverrideSealed, r.Override = r.Override, ""
				}
				if r.OverrideSealed == "" {
					return 0, nil
				}
				return 1, to.sealSession(r)
			}))
			if err != nil {
				return total, err
			}
		}
	}
	for _, scene := range childBuckets(riders) {
		err := add(resealBucket(riders.Bucket(scene), "rider", func(k []byte, r *riderRecord) (int, error) {
			if err := from.openRider(r, string(scene), string(k), fk); err != nil {
				return 0, err
			}
			return 1, to.sealRider(r, tk)
		}))
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// childBuckets lists the names of b's nested buckets, so that they can be
// changed after the iteration over b has ended.
func childBuckets(b *bolt.Bucket) [][]byte {
	var names [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		if v == nil {
			names = append(names, bytes.Clone(k))
		}
		return nil
	})
	return names
}

// resealBucket decodes every value of b as an R, lets fn re-seal it, and
// writes them all back once the iteration has ended. It returns the sum
// of what fn returned.
func resealBucket[R any](b *bolt.Bucket, what string, fn func(k []byte, r *R) (int, error)) (int, error) {
	type kv struct{ k, v []byte }
	var out []kv
	n := 0
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil
		}
		var r R
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("storage: decoding %s %q: %w", what, k, err)
		}
		m, err := fn(k, &r)
		if err != nil {
			return err
		}
		nv, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("storage: encoding %s %q: %w", what, k, err)
		}
		out = append(out, kv{bytes.Clone(k), nv})
		n += m
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, p := range out {
		if err := b.Put(p.k, p.v); err != nil {
			return 0, fmt.Errorf("storage: writing %s %q: %w", what, p.k, err)
		}
	}
	return n, nil
}

// KeyID is the id of the key the store seals with; "" when it has none.
func (s *Store) KeyID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return keyIDOf(s.codec.key)
}

// Rekey seals every sealed field again with newKey (32 bytes), chains
// the audit log again and gives every authority record a new MAC with the
// keys derived from newKey, and records it as the file's key, in one
// write transaction: if it fails (a value that does not open, a chain or
// record that does not verify with the old key), nothing has changed and
// the old key still opens the file. Then it compacts the
// file, so that the old ciphertexts do not stay in its free pages. It
// waits for transactions in progress and holds back new ones; icbot runs
// it with the bot stopped (`icbot rekey`).
//
// When the re-sealing has committed but the compaction fails, the file is
// sealed with newKey (KeyID says so) and the error says that the old
// ciphertexts remain until a later Open compacts it.
func (s *Store) Rekey(ctx context.Context, newKey []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	nk, err := newSealer(newKey)
	if err != nil {
		return fmt.Errorf("re-sealing database %s: %w", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.codec
	switch {
	case s.boltOpts.ReadOnly:
		return fmt.Errorf("re-sealing database %s: it is open read-only", s.path)
	case old.key == nil:
		return fmt.Errorf("re-sealing database %s: it is not encrypted; open it with a key first", s.path)
	case old.key.id == nk.id:
		return fmt.Errorf("re-sealing database %s: the new key is the key it is sealed with (%s)", s.path, nk.id)
	}
	to := &codec{key: nk, encrypted: true, keyed: true, path: s.path, auditPeople: s.codec.auditPeople}
	var n, records int
	err = s.db.Update(func(btx *bolt.Tx) error {
		var err error
		if n, err = reseal(btx, old, to); err != nil {
			return err
		}
		if records, err = rekeyIntegrity(ctx, btx, old, to); err != nil {
			return err
		}
		meta := btx.Bucket(bucketMeta)
		if err := writeKeyMeta(meta, nk); err != nil {
			return err
		}
		return meta.Put(keyCompact, []byte{1})
	})
	if err != nil {
		return fmt.Errorf("re-sealing database %s with key %s: %w (nothing was changed: key %s still opens it)", s.path, nk.id, err, old.key.id)
	}
	s.codec = to
	s.log.Info("re-sealed the database with a new key", "path", s.path, "old_key_id", old.key.id, "key_id", nk.id, "values", n, "records", records)
	if err := s.compactLocked(); err != nil {
		return fmt.Errorf("database %s is now sealed with key %s, but compacting it failed, so the old ciphertexts stay in its free pages until a later start compacts it: %w", s.path, nk.id, err)
	}
	return nil
}

// compactSuffix names the temporary copy a compaction writes beside the
// database; only a process holding the database's lock writes it.
const compactSuffix = ".compact"

// compact copies the live data to a new file and puts it in place of the
// database, so that nothing freed (old clear text, old ciphertexts) stays
// in the file.
func (s *Store) compact() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compactLocked()
}

// compactLocked does the compaction with mu held. The copy is opened,
// locked and synced before it is renamed over the database, and then used
// in place of the old file, so that no other process can slip in between.
// A crash before the rename leaves the database as it was (and a stale
// copy, removed at the next Open); meta/compact_pending, which the copy
// no longer holds, makes the next Open try again after a failure.
func (s *Store) compactLocked() error {
	tmp := s.path + compactSuffix
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the stale copy %s: %w", tmp, err)
	}
	opts := s.boltOpts
	dst, err := bolt.Open(tmp, fileMode, &opts)
	if err != nil {
		return fmt.Errorf("creating the compacted copy %s: %w", tmp, err)
	}
	fail := func(err error) error {
		_ = dst.Close()
		_ = os.Remove(tmp)
		return err
	}
	if err := bolt.Compact(dst, s.db, compactTxSize); err != nil {
		return fail(fmt.Errorf("copying into %s: %w", tmp, err))
	}
	if err := dst.Update(func(btx *bolt.Tx) error { return btx.Bucket(bucketMeta).Delete(keyCompact) }); err != nil {
		return fail(fmt.Errorf("finishing the copy %s: %w", tmp, err))
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fail(fmt.Errorf("putting the copy %s in place: %w", tmp, err))
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		// The copy is in place for this process; after a crash the old
		// file may be back, still marked for compaction.
		s.log.Warn("syncing the database's directory after compacting", "path", s.path, "err", err)
	}
	old := s.db
	s.db = dst
	if err := old.Close(); err != nil {
		s.log.Warn("closing the database file replaced by its compacted copy", "path", s.path, "err", err)
	}
	s.log.Info("compacted the database", "path", s.path)
	return nil
}

// removeStaleCompaction removes a compacted copy left by a crash. Open
// calls it holding the database's lock, so no compaction is running.
func removeStaleCompaction(path string, log *slog.Logger) {
	tmp := path + compactSuffix
	if err := os.Remove(tmp); err == nil {
		log.Info("removed an unfinished compacted copy", "path", tmp)
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// KeyState is what Inspect learns about a database file and a key.
type KeyState struct {
	// Exists is false for a missing or empty file.
	Exists bool
	// Encrypted is true when the file's private fields are sealed.
	Encrypted bool
	// KeyID names the key it is sealed with.
	KeyID string
	// Opens is true when the key given to Inspect is that key.
	Opens bool
}

// Inspect says, without changing the file, whether the database at path
// is encrypted, with which key, and whether key (which may be nil) opens
// it. Like Open, it waits for another process's lock up to the timeout
// of WithTimeout and then fails with ErrInUse. icbot uses it to decide
// whether a missing key file may be created, and to finish an
// interrupted rekey.
func Inspect(path string, key []byte, opts ...Option) (KeyState, error) {
	o := options{timeout: DefaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return KeyState{}, nil
	case err != nil:
		return KeyState{}, fmt.Errorf("inspecting database %s: %w", path, err)
	case fi.Size() == 0:
		return KeyState{}, nil
	}
	var ks *sealer
	if key != nil {
		if ks, err = newSealer(key); err != nil {
			return KeyState{}, err
		}
	}
	if err := wholeFile(path); err != nil {
		return KeyState{}, err
	}
	db, err := bolt.Open(path, fileMode, &bolt.Options{Timeout: o.timeout, ReadOnly: true})
	if errors.Is(err, bolt.ErrTimeout) {
		return KeyState{}, &inUseError{path: path, cause: err}
	}
	if err != nil {
		return KeyState{}, fmt.Errorf("inspecting database %s: %w", path, err)
	}
	defer db.Close()
	st := KeyState{Exists: true}
	err = db.View(func(btx *bolt.Tx) error {
		meta := btx.Bucket(bucketMeta)
		if meta == nil || !encrypted(meta) {
			return nil
		}
		st.Encrypted, st.KeyID = true, string(meta.Get(keyKeyID))
		if ks != nil {
			_, err := checkKey(meta, ks, path)
			st.Opens = err == nil
		}
		return nil
	})
	return st, err
}
