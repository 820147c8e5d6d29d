package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// EventMemory is how long a handled platform event is remembered. Slack
// retries an event for about an hour; a day covers that and a restart.
const EventMemory = 24 * time.Hour

// FirstSeen records that the platform event key was handled at now and
// reports whether this is the first time, across restarts. Entries older
// than EventMemory are pruned as it goes.
func (s *Store) FirstSeen(ctx context.Context, key string, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if key == "" {
		return false, fmt.Errorf("storage: an event needs a key")
	}
	first := false
	err := s.update(func(btx *bolt.Tx) error {
		b := btx.Bucket(bucketEvents)
		if b == nil {
			return fmt.Errorf("storage: bucket %s is missing", bucketEvents)
		}
		if b.Get([]byte(key)) != nil {
			return nil
		}
		first = true
		if err := pruneEvents(b, now.Add(-EventMemory)); err != nil {
			return err
		}
		return b.Put([]byte(key), u64key(uint64(now.Unix())))
	})
	return first, err
}

// pruneEvents deletes events first seen before cutoff.
func pruneEvents(b *bolt.Bucket, cutoff time.Time) error {
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < cutoff.Unix() {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
