package storage

import (
	"time"

	"icbot/bot"
)

// ShredPersonKeys destroys every person's data key that is not destroyed
// yet, as the end of the retention after wrap asks: every field sealed
// under one (boundaries, rider terms, hold reasons, reminder notes,
// notes on rehearsal records) then reads as ErasedText. Unlike Erase, it
// renames nobody and drops no queued message: the production keeps who
// worked on it. It marks the file for compaction, so that the next Open
// rewrites it without the destroyed keys' sealed bytes in its free
// pages. It returns how many keys it destroyed. A file without a key
// seals nothing under people's keys, so nothing can be shredded: an
// EUNAVAILABLE error says so.
func (t *tx) ShredPersonKeys(now time.Time) (int, error) {
	if t.codec.key == nil {
		return 0, bot.Errorf(bot.EUNAVAILABLE, "the database is not encrypted, so its records are not sealed under people's keys and cannot be shredded; give it a key (see storage.encryption_key)")
	}
	kr, err := t.keys()
	if err != nil {
		return 0, err
	}
	b, ok := kr.b.(*bucket)
	if !ok || b == nil {
		return 0, nil // an older file, without people's keys
	}
	var users []string
	if err := b.ForEach(func(k, _ []byte) error {
		users = append(users, string(k))
		return nil
	}); err != nil {
		return 0, bot.Internal(err)
	}
	n := 0
	for _, u := range users {
		pk, err := kr.load(u)
		if err != nil {
			return 0, err
		}
		if pk == nil || pk.erased() {
			continue
		}
		if err := kr.store(personKeyRecord{User: u, Gen: pk.gen, Erased: now.UTC(), Pseudonym: pk.pseudonym}); err != nil {
			return n, err
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	// Queued messages holding anyone's private data are sealed with the
	// storage key alone: they go with the records they told of.
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return n, err
	}
	if _, err := dropQueued(outbox, func(m messageRecord) bool { return m.Subject != "" || privateClass(bot.Class(m.Class)) }); err != nil {
		return n, err
	}
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return n, err
	}
	if err := meta.Put(keyCompact, []byte{1}); err != nil {
		return n, bot.Internal(err)
	}
	return n, nil
}

// privateClass reports whether a message of class c holds someone's
// private data: what a retention shredding takes with it.
func privateClass(c bot.Class) bool {
	switch c {
	case bot.ClassBoundaries, bot.ClassHoldCaller, bot.ClassRiderDetail, bot.ClassGarments, bot.ClassBodyNotes, bot.ClassRehearsal:
		return true
	}
	return false
}
