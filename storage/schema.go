package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the layout this icbot reads and writes (see the package
// documentation). Open migrates older files up to it and refuses newer ones.
const SchemaVersion = 11

// Top-level buckets and meta keys; the tree in doc.go draws them.
var (
	bucketMeta     = []byte("meta")
	bucketPeople   = []byte("people")
	bucketScenes   = []byte("scenes")
	bucketSessions = []byte("sessions")
	bucketAudit    = []byte("audit")
	bucketOutbox   = []byte("outbox")
	bucketEvents   = []byte("events")
	bucketBounds   = []byte("boundaries")
	bucketRiders   = []byte("riders")

	// Reminders and their indexes (version 6); see reminders.go.
	bucketReminders = []byte("reminders")
	bucketRemDue    = []byte("reminder_due")
	bucketRemKey    = []byte("reminder_key")
	bucketRemScene  = []byte("reminder_scene")
	bucketRemMissed = []byte("reminder_missed")

	// The audience ledger and the time index of handled requests
	// (version 7); see ledger.go and events.go.
	bucketPosts     = []byte("posts")
	bucketEventTime = []byte("event_time")
	// People's privacy notices (version 10).
	bucketNotices = []byte("notices")

	// People's data keys (version 9); see personkeys.go.
	bucketPersonKeys = []byte("personkeys")

	keySchemaVersion = []byte("schema_version")
	keyProduction    = []byte("production")
	keyAuditHead     = []byte("audit_head")
	keyKeyID         = []byte("key_id")
	keyKeyCheck      = []byte("key_check")
	keyCompact       = []byte("compact_pending")
)

// layout is every top-level bucket with the schema version that brought
// it, checked after the migrations have run.
var layout = []struct {
	name  []byte
	since uint64
}{
	{bucketMeta, 1}, {bucketPeople, 1}, {bucketScenes, 1}, {bucketSessions, 1}, {bucketAudit, 1},
	{bucketOutbox, 2}, {bucketEvents, 3}, {bucketBounds, 4}, {bucketRiders, 4},
	{bucketReminders, 6}, {bucketRemDue, 6}, {bucketRemKey, 6}, {bucketRemScene, 6}, {bucketRemMissed, 6},
	{bucketPosts, 7}, {bucketEventTime, 7}, {bucketPersonKeys, 9},
	{bucketNotices, 10},
}

// migration changes a file from the previous schema version to the next,
// inside Open's write transaction.
type migration func(*bolt.Tx) error

// migrations is indexed by the version each one produces; a new file runs
// them all, from version 0 (nothing). Index 0 is unused.
var migrations = []migration{
	1:  createV1,
	2:  addOutbox,
	3:  addEvents,
	4:  addConsent,
	5:  sealedFields,
	6:  addReminders,
	7:  addLedger,
	8:  keyedIntegrity,
	9:  addPersonKeys,
	10: addNotices,
	11: sealAuditPeople,
}

func init() {
	// The table and the constant move together.
	if len(migrations)-1 != SchemaVersion {
		panic(fmt.Sprintf("storage: %d migrations for schema version %d", len(migrations)-1, SchemaVersion))
	}
}

// createV1 creates the first layout.
func createV1(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketMeta, bucketPeople, bucketScenes, bucketSessions, bucketAudit} {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

// addOutbox adds the queue of messages waiting to be delivered.
func addOutbox(btx *bolt.Tx) error {
	if _, err := btx.CreateBucketIfNotExists(bucketOutbox); err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucketOutbox, err)
	}
	return nil
}

// addEvents adds the record of platform events already handled, so that
// a retried delivery of the same event has one effect.
func addEvents(btx *bolt.Tx) error {
	if _, err := btx.CreateBucketIfNotExists(bucketEvents); err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucketEvents, err)
	}
	return nil
}

// addConsent adds the performers' boundaries (every version) and riders.
func addConsent(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketBounds, bucketRiders} {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

// sealedFields marks the file as one whose private fields may be sealed
// (see seal.go): the layout does not change, but an older icbot, which
// would show sealed values as text, must refuse the file. Sealing the
// records of a file without a key is not a migration: Open does it
// whenever it is given a key for such a file (encrypt).
func sealedFields(*bolt.Tx) error { return nil }

// addReminders adds the scheduled reminders and their indexes: by due
// time, by derivation key, by scene, and the missed ones not yet reported.
func addReminders(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketReminders, bucketRemDue, bucketRemKey, bucketRemScene, bucketRemMissed} {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	return nil
}

// addLedger adds the audience ledger (what icbot posted to each channel)
// and a time index of the request keys already handled, so that old keys
// are forgotten without reading them all.
func addLedger(btx *bolt.Tx) error {
	for _, name := range [][]byte{bucketPosts, bucketEventTime} {
		if _, err := btx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("creating bucket %s: %w", name, err)
		}
	}
	if err := indexEvents(btx); err != nil {
		return err
	}
	return seedLedger(btx)
}

// keyedIntegrity marks the file as one whose integrity is keyed (see
// integrity.go): an older icbot, which would take the HMAC chain for a
// broken one and write authority records without MACs, must refuse it.
// Keying needs the key, so it is not done here: Open does it in the same
// write transaction, once it has checked the key (setupKey), for an
// encrypted file and whenever it seals a file that had no key. A file
// without a key keeps the unkeyed chain and records without MACs.
func keyedIntegrity(*bolt.Tx) error { return nil }

// addNotices adds the record of each person's privacy notice: the
// version sent and the version acknowledged. An older icbot would not
// keep the notice's MACs when it keys or rekeys the file, and must refuse it.
func addNotices(btx *bolt.Tx) error {
	if _, err := btx.CreateBucketIfNotExists(bucketNotices); err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucketNotices, err)
	}
	return nil
}

// initSchema brings the file to the newest version in ms in one write
// transaction: nothing changes unless every step succeeds.
func (s *Store) initSchema(ms []migration, key *sealer) error {
	target := uint64(len(ms) - 1)
	var from uint64
	var up keyUpgrade
	var pending bool
	var fnErr error
	err := s.db.Update(func(btx *bolt.Tx) error {
		if from, fnErr = s.migrate(btx, ms, target); fnErr != nil {
			return fnErr
		}
		if s.codec, up, fnErr = s.setupKey(btx, key, from); fnErr != nil {
			return fnErr
		}
		meta := btx.Bucket(bucketMeta)
		if (up.sealed || up.personal) && from != 0 {
			// The values just sealed, and any deleted before, may still
			// be in clear (or under the storage key alone) in free pages
			// until the file is compacted.
			if fnErr = meta.Put(keyCompact, []byte{1}); fnErr != nil {
				return fnErr
			}
		}
		pending = meta.Get(keyCompact) != nil
		return nil
	})
	switch {
	case err != nil && err == fnErr:
		return err
	case err != nil:
		return fmt.Errorf("initialising database %s: %w", s.path, err)
	case from == 0:
		s.log.Info("created database", "path", s.path, "schema_version", target, "key_id", keyIDOf(key))
	case from < target:
		s.log.Info("migrated database", "path", s.path, "from_version", from, "to_version", target)
	}
	if up.sealed && from != 0 {
		// Once, after an upgrade from an icbot without encryption; at any
		// other time, someone made the file look like such a one.
		s.log.Warn("sealed the private fields of a database that had no key, and keyed its integrity: if it was encrypted before, its key was removed from it, and it should be restored from a backup",
			"path", s.path, "key_id", key.id, "values", up.values, "records", up.records)
	} else if up.keyed {
		s.log.Info("keyed the integrity of the database: HMAC audit chain, MACs on authority records, queued texts bound to their destination", "path", s.path, "key_id", key.id, "records", up.records)
	}
	if up.personal {
		s.log.Info("sealed the records about each person under their own data key", "path", s.path, "values", up.moved)
	}
	for _, u := range up.dropped {
		s.log.Error("dropped a queued delivery that cannot be read: it was changed outside icbot, and was not sent", "path", s.path, "id", u.id, "err", u.cause)
	}
	if pending {
		// Not a reason to stay down: the data is sealed and intact.
		if err := s.compact(); err != nil {
			s.log.Error("compacting the database failed: old clear text or ciphertexts stay in its free pages until a later start compacts it",
				"path", s.path, "err", err)
		}
	}
	return nil
}

// migrate runs the migrations after the stored version up to target,
// checks the layout and stores the new version. It returns the version
// the file had.
func (s *Store) migrate(btx *bolt.Tx, ms []migration, target uint64) (uint64, error) {
	from, err := s.storedVersion(btx)
	if err != nil {
		return 0, err
	}
	if from > target {
		return from, &newerSchemaError{path: s.path, stored: from, known: target}
	}
	for v := from + 1; v <= target; v++ {
		if err := ms[v](btx); err != nil {
			return from, fmt.Errorf("migrating database %s from schema version %d to %d: %w", s.path, v-1, v, err)
		}
	}
	for _, l := range layout {
		if l.since <= target && btx.Bucket(l.name) == nil {
			return from, fmt.Errorf("database %s has no %s bucket after migrating to schema version %d: the file is damaged", s.path, l.name, target)
		}
	}
	if from == target {
		return from, nil
	}
	if err := btx.Bucket(bucketMeta).Put(keySchemaVersion, u64key(target)); err != nil {
		return from, fmt.Errorf("writing the schema version of database %s: %w", s.path, err)
	}
	return from, nil
}

// checkReadable accepts a file opened read-only when it is an icbot
// database no newer than target; it changes nothing.
func (s *Store) checkReadable(target uint64, key *sealer) error {
	return s.db.View(func(btx *bolt.Tx) error {
		v, err := s.storedVersion(btx)
		switch {
		case err != nil:
			return err
		case v == 0:
			return fmt.Errorf("database %s is empty: it is not an icbot database", s.path)
		case v > target:
			return &newerSchemaError{path: s.path, stored: v, known: target}
		}
		for _, name := range [][]byte{bucketMeta, bucketAudit} {
			if btx.Bucket(name) == nil {
				return fmt.Errorf("database %s has no %s bucket: the file is damaged", s.path, name)
			}
		}
		s.codec, err = s.readKey(btx, key, true, v)
		return err
	})
}

// storedVersion reads meta/schema_version: 0 for a file without buckets
// (new), and an error for a file with buckets but no version, which
// icbot did not write.
func (s *Store) storedVersion(btx *bolt.Tx) (uint64, error) {
	if meta := btx.Bucket(bucketMeta); meta != nil {
		if v := meta.Get(keySchemaVersion); v != nil {
			if len(v) != 8 {
				return 0, fmt.Errorf("database %s has a malformed schema version (%d bytes): the file is damaged", s.path, len(v))
			}
			return binary.BigEndian.Uint64(v), nil
		}
	}
	empty := true
	_ = btx.ForEach(func([]byte, *bolt.Bucket) error {
		empty = false
		return nil
	})
	if !empty {
		return 0, fmt.Errorf("database %s has no schema version: it is not an icbot database", s.path)
	}
	return 0, nil
}

// newerSchemaError names the path and both versions, and matches
// ErrNewerSchema.
type newerSchemaError struct {
	path          string
	stored, known uint64
}

func (e *newerSchemaError) Error() string {
	return fmt.Sprintf("database %s has schema version %d, newer than this icbot (%d): upgrade icbot", e.path, e.stored, e.known)
}

func (e *newerSchemaError) Unwrap() error { return ErrNewerSchema }

// beUint decodes a big-endian key; 0 when it is not 8 bytes.
func beUint(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// u64key encodes n big-endian, so that byte order is numeric order.
func u64key(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}
