package storage

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// EventMemory is how long a handled request or platform event is
// remembered. Slack retries an event for about an hour and accepts a
// signed request for five minutes; a day covers those and a restart.
const EventMemory = 24 * time.Hour

// prunePerCall bounds the old keys one FirstSeen deletes, so that no call
// pays for a large backlog; each call deletes more than it adds, so the
// backlog drains.
const prunePerCall = 64

// FirstSeen records, in its own transaction, that the platform event key
// was handled at now and reports whether this is the first time, across
// restarts.
func (s *Store) FirstSeen(ctx context.Context, key string, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	first := false
	err := s.Update(ctx, func(btx bot.Tx) error {
		var err error
		first, err = btx.FirstSeen(key, now)
		return err
	})
	return first, err
}

// FirstSeen records that key was handled at now, in this transaction, and
// reports whether it was the first time. Keys first seen more than
// EventMemory before now are forgotten as it goes, oldest first.
func (t *tx) FirstSeen(key string, now time.Time) (bool, error) {
	if key == "" {
		return false, bot.Internal(fmt.Errorf("storage: a request key is empty"))
	}
	b, err := t.bucket(bucketEvents)
	if err != nil {
		return false, err
	}
	byTime, err := t.bucket(bucketEventTime)
	if err != nil {
		return false, err
	}
	if b.Get([]byte(key)) != nil {
		return false, nil
	}
	if err := pruneEvents(b, byTime, now.Add(-EventMemory), prunePerCall); err != nil {
		return false, bot.Internal(fmt.Errorf("storage: forgetting old request keys: %w", err))
	}
	at := u64key(uint64(now.Unix()))
	if err := b.Put([]byte(key), at); err != nil {
		return false, bot.Internal(fmt.Errorf("storage: recording a request key: %w", err))
	}
	if err := byTime.Put(append(at, key...), nil); err != nil {
		return false, bot.Internal(fmt.Errorf("storage: recording a request key: %w", err))
	}
	return true, nil
}

// pruneEvents deletes at most limit keys first seen before cutoff, from
// the oldest, reading the time index from its start only.
func pruneEvents(b, byTime *bucket, cutoff time.Time, limit int) error {
	end := u64key(uint64(max(cutoff.Unix(), 0)))
	c := byTime.Cursor()
	for k, _ := c.First(); k != nil && limit > 0 && len(k) >= 8 && bytes.Compare(k[:8], end) < 0; k, _ = c.First() {
		key := k[8:]
		if v := b.Get(key); len(v) == 8 && bytes.Equal(v, k[:8]) {
			if err := b.Delete(key); err != nil {
				return err
			}
		}
		if err := c.Delete(); err != nil {
			return err
		}
		limit--
	}
	return nil
}

// indexEvents builds the time index of the keys recorded before it
// existed (schema version 7).
func indexEvents(btx *bolt.Tx) error {
	b, byTime := btx.Bucket(bucketEvents), btx.Bucket(bucketEventTime)
	return b.ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("event %q has a %d-byte time", k, len(v))
		}
		return byTime.Put(append(append([]byte(nil), v...), k...), nil)
	})
}
