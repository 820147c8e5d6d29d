package storage

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// SetCommitHooks sets the committer's test hooks (see committer): queued
// is called when an Update joins the queue, with the queue's length;
// committed when a group's transaction has committed, and so been synced,
// or was rolled back, before any Update of the group returns. Set them
// before the store is used.
func SetCommitHooks(s *Store, queued func(n int), committed func(size int, ok bool)) {
	s.commits.queued, s.commits.committed = queued, committed
}

// Syncs reports whether a commit of s is synced to disk before it returns:
// bbolt fsyncs in Commit unless NoSync is set.
func Syncs(s *Store) bool { return !s.db.NoSync }

// Dump is every bucket's values and sequence, by path, as the last commit
// left them: two dumps are equal when the file holds the same data.
func Dump(s *Store) (map[string]string, error) {
	out := map[string]string{}
	var walk func(path string, b *bolt.Bucket) error
	walk = func(path string, b *bolt.Bucket) error {
		out[path+" sequence"] = fmt.Sprint(b.Sequence())
		return b.ForEach(func(k, v []byte) error {
			p := fmt.Sprintf("%s/%q", path, k)
			if sub := b.Bucket(k); sub != nil {
				return walk(p, sub)
			}
			out[p] = fmt.Sprintf("%q", v)
			return nil
		})
	}
	err := s.view(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name), b) })
	})
	return out, err
}

// PersonKey is user's data key as the file at s holds it, opened with the
// storage key; nil when they have none, or it was erased.
func PersonKey(s *Store, user string) []byte {
	var raw []byte
	_ = s.view(func(btx *bolt.Tx) error {
		v := btx.Bucket(bucketPersonKeys).Get([]byte(user))
		var r personKeyRecord
		if v == nil || json.Unmarshal(v, &r) != nil || r.Key == nil {
			return nil
		}
		raw, _ = s.codec.key.open(r.Key, aadPersonKey(user, r.Gen))
		return nil
	})
	return raw
}

// StorageKeyOnly makes s seal the fields about a person with the storage
// key, as before schema version 9, for the benchmarks.
func StorageKeyOnly(s *Store) { s.codec.noPersonKeys = true }

// WithSchema opens the file with the migrations up to version v only, as
// the icbot of that schema would write it (with today's record code).
func WithSchema(v int) Option { return withMigrations(migrations[:v+1]) }

// StoredAudit is the canonical form the chain covers of the stored audit
// record v, when its people are sealed; nil for a record in clear.
func StoredAudit(v []byte) []byte {
	var r auditRecord
	if json.Unmarshal(v, &r) != nil {
		return nil
	}
	return r.storedForm()
}
