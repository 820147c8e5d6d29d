package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"icbot/bot"
)

// Reminders are kept in bucket reminders, by id, with four indexes kept
// in step by PutReminder (see "Reminders" in the package documentation):
//
//	reminder_due    <due unix nanos BE><id BE> -> empty, pending reminders only
//	reminder_key    <key> -> <id BE>
//	reminder_scene  <scene>/<id BE> -> empty
//	reminder_missed <id BE> -> empty, missed and not yet reported
//
// Index values that are "empty" hold zero bytes.

// dueKeyLen is the length of a reminder_due key: due time and id.
const dueKeyLen = 16

// The due times reminder_due can hold: Unix nanoseconds from 0, as a
// uint64 whose byte order is time order (1970 to 2262).
var (
	minDue = time.Unix(0, 0)
	maxDue = time.Unix(0, math.MaxInt64)
)

var empty = []byte{}

// appendFill is how full bbolt fills a page of reminders/ before it
// splits it while reminders are added.
const appendFill = 0.9

// reminderBuckets are the reminders bucket and its indexes.
type reminderBuckets struct {
	recs, due, key, scene, missed *bucket
}

func (t *tx) reminderBuckets() (reminderBuckets, error) {
	var rb reminderBuckets
	for _, b := range []struct {
		dst  **bucket
		name []byte
	}{
		{&rb.recs, bucketReminders}, {&rb.due, bucketRemDue}, {&rb.key, bucketRemKey},
		{&rb.scene, bucketRemScene}, {&rb.missed, bucketRemMissed},
	} {
		var err error
		if *b.dst, err = t.bucket(b.name); err != nil {
			return reminderBuckets{}, err
		}
	}
	return rb, nil
}

// dueAt is when a pending reminder falls due, and what reminder_due
// orders it by: NextAttempt when a failed send set one later than Due (the
// reminder waits for its retry), Due otherwise.
func dueAt(r reminderRecord) time.Time {
	if !r.NextAttempt.IsZero() && r.NextAttempt.After(r.Due) {
		return r.NextAttempt
	}
	return r.Due
}

// dueKey is r's key in reminder_due. A pending reminder must have a due
// time the index can hold (a zero Due is refused).
func dueKey(r reminderRecord) ([]byte, error) {
	at := dueAt(r)
	if at.Before(minDue) || at.After(maxDue) {
		return nil, bot.Internal(fmt.Errorf("storage: pending reminder %d falls due at %s, which the due index cannot hold (1970 to 2262)", r.ID, at.UTC().Format(time.RFC3339Nano)))
	}
	k := make([]byte, dueKeyLen)
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], r.ID)
	return k, nil
}

func isPending(r reminderRecord) bool { return r.State == string(bot.ReminderPending) }

// isUnreported says whether r belongs in reminder_missed: missed, and not
// yet listed in a digest (which sets SentAt).
func isUnreported(r reminderRecord) bool {
	return r.State == string(bot.ReminderMissed) && r.SentAt.IsZero()
}

// readReminder reads and opens the reminder stored under id; ok is false
// when there is none.
func (t *tx) readReminder(recs *bucket, id uint64) (r reminderRecord, ok bool, err error) {
	r, ok, err = get[reminderRecord](recs, u64key(id), "reminder")
	if err != nil || !ok {
		return r, ok, err
	}
	kr, err := t.keys()
	if err != nil {
		return r, false, err
	}
	if err := t.codec.openReminder(&r, id, kr); err != nil {
		return r, false, sealed(err)
	}
	return r, true, nil
}

// indexed reads the reminder an index entry names, and checks that it
// belongs there (belongs says why not); an entry naming a missing or
// different reminder means the index is damaged.
func (t *tx) indexed(recs *bucket, id uint64, index string, belongs func(reminderRecord) string) (bot.Reminder, error) {
	r, ok, err := t.readReminder(recs, id)
	switch {
	case err != nil:
		return bot.Reminder{}, err
	case !ok:
		return bot.Reminder{}, bot.Internal(fmt.Errorf("storage: %s names reminder %d, which does not exist: the index is damaged", index, id))
	}
	if why := belongs(r); why != "" {
		return bot.Reminder{}, bot.Internal(fmt.Errorf("storage: %s names reminder %d, which %s: the index is damaged", index, id, why))
	}
	return r.bot(), nil
}

// Reminder returns reminder id; ENOTFOUND when unknown.
func (t *tx) Reminder(id uint64) (bot.Reminder, error) {
	rb, err := t.reminderBuckets()
	if err != nil {
		return bot.Reminder{}, err
	}
	r, ok, err := t.readReminder(rb.recs, id)
	switch {
	case err != nil:
		return bot.Reminder{}, err
	case !ok:
		return bot.Reminder{}, notFound("no reminder %d", id)
	}
	return r.bot(), nil
}

// ReminderByKey returns the reminder derived under key; ENOTFOUND when
// none was (always for the empty key, which is not indexed).
func (t *tx) ReminderByKey(key string) (bot.Reminder, error) {
	rb, err := t.reminderBuckets()
	if err != nil {
		return bot.Reminder{}, err
	}
	var v []byte
	if key != "" {
		v = rb.key.Get([]byte(key))
	}
	if v == nil {
		return bot.Reminder{}, notFound("no reminder derived under %s", key)
	}
	return t.indexed(rb.recs, beUint(v), "reminder_key", func(r reminderRecord) string {
		if r.Key != key {
			return "has another key"
		}
		return ""
	})
}

// SceneReminders lists a scene's reminders in every state, by id. The
// index outlives the scene: after DeleteScene it still lists them, and
// after the scene is added again it lists the old ones with the new.
// None for the empty scene (the digest's reminders are not indexed).
func (t *tx) SceneReminders(scene bot.SceneID) ([]bot.Reminder, error) {
	rb, err := t.reminderBuckets()
	if err != nil || scene == "" {
		return nil, err
	}
	sb := rb.scene.Bucket([]byte(scene))
	if sb == nil {
		return nil, nil
	}
	var out []bot.Reminder
	c := sb.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		r, err := t.indexed(rb.recs, beUint(k), "reminder_scene/"+string(scene), func(r reminderRecord) string {
			if r.Scene != string(scene) {
				return "belongs to another scene"
			}
			return ""
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// PutReminder adds r (ID 0: numbered from the bucket's sequence, so ids
// are never reused) or replaces reminder r.ID, which must exist, and
// moves its index entries: the old ones are found from the stored record,
// not from r. A key that belongs to another reminder is refused, as is a
// state the store does not know and a pending reminder whose due time the
// index cannot hold; nothing is written then.
func (t *tx) PutReminder(r bot.Reminder) (uint64, error) {
	switch r.State {
	case bot.ReminderPending, bot.ReminderSent, bot.ReminderCancelled, bot.ReminderMissed:
	default:
		return 0, bot.Internal(fmt.Errorf("storage: reminder %d has unknown state %q", r.ID, r.State))
	}
	rb, err := t.reminderBuckets()
	if err != nil {
		return 0, err
	}
	var old reminderRecord
	if r.ID != 0 {
		var ok bool
		old, ok, err = get[reminderRecord](rb.recs, u64key(r.ID), "reminder")
		switch {
		case err != nil:
			return 0, err
		case !ok:
			return 0, bot.Internal(fmt.Errorf("storage: no reminder %d to replace (a new reminder has ID 0)", r.ID))
		case old.ID != r.ID:
			return 0, bot.Internal(movedError(aad("reminders", utoa(r.ID)), "reminder "+utoa(old.ID)))
		}
	}
	if r.Key != "" {
		if v := rb.key.Get([]byte(r.Key)); v != nil && beUint(v) != r.ID {
			return 0, bot.Internal(fmt.Errorf("storage: reminder key %q already belongs to reminder %d", r.Key, beUint(v)))
		}
	}
	rec := reminderToRecord(r)
	if isPending(rec) {
		// Checked before numbering, so that a refused reminder uses no id.
		if _, err := dueKey(rec); err != nil {
			return 0, err
		}
	}
	if rec.ID == 0 {
		// New ids only grow, so new records are appended: splitting full
		// pages rather than half-full ones (bbolt's default) keeps the
		// bucket about half the size.
		rb.recs.setFillPercent(appendFill)
		if rec.ID, err = rb.recs.NextSequence(); err != nil {
			return 0, bot.Internal(fmt.Errorf("storage: numbering a reminder: %w", err))
		}
	}
	if old.ID != 0 {
		if err := unindexReminder(rb, old, rec); err != nil {
			return 0, err
		}
	}
	stored := rec
	kr, err := t.keys()
	if err != nil {
		return 0, err
	}
	if err := t.codec.sealReminder(&stored, kr); err != nil {
		return 0, sealed(err)
	}
	if err := put(rb.recs, u64key(rec.ID), stored, "reminder"); err != nil {
		return 0, err
	}
	return rec.ID, indexReminder(rb, rec)
}

// unindexReminder removes the index entries of the stored record old that
// the new record rec does not share.
func unindexReminder(rb reminderBuckets, old, rec reminderRecord) error {
	id := u64key(old.ID)
	if isPending(old) {
		k, err := dueKey(old)
		if err != nil {
			return err
		}
		if err := rb.due.Delete(k); err != nil {
			return bot.Internal(fmt.Errorf("storage: unindexing the due time of reminder %d: %w", old.ID, err))
		}
	}
	if old.Key != "" && old.Key != rec.Key {
		if v := rb.key.Get([]byte(old.Key)); bytes.Equal(v, id) {
			if err := rb.key.Delete([]byte(old.Key)); err != nil {
				return bot.Internal(fmt.Errorf("storage: unindexing the key of reminder %d: %w", old.ID, err))
			}
		}
	}
	if old.Scene != "" && old.Scene != rec.Scene {
		if sb := rb.scene.Bucket([]byte(old.Scene)); sb != nil {
			if err := sb.Delete(id); err != nil {
				return bot.Internal(fmt.Errorf("storage: unindexing the scene of reminder %d: %w", old.ID, err))
			}
		}
	}
	if isUnreported(old) && !isUnreported(rec) {
		if err := rb.missed.Delete(id); err != nil {
			return bot.Internal(fmt.Errorf("storage: unindexing missed reminder %d: %w", old.ID, err))
		}
	}
	return nil
}

// indexReminder puts rec's index entries (again, where it had them).
func indexReminder(rb reminderBuckets, rec reminderRecord) error {
	id := u64key(rec.ID)
	fail := func(index string, err error) error {
		return bot.Internal(fmt.Errorf("storage: indexing reminder %d in %s: %w", rec.ID, index, err))
	}
	if isPending(rec) {
		k, err := dueKey(rec)
		if err != nil {
			return err
		}
		if err := rb.due.Put(k, empty); err != nil {
			return fail("reminder_due", err)
		}
	}
	if rec.Key != "" {
		if err := rb.key.Put([]byte(rec.Key), id); err != nil {
			return fail("reminder_key", err)
		}
	}
	if rec.Scene != "" {
		sb, err := rb.scene.CreateBucketIfNotExists([]byte(rec.Scene))
		if err != nil {
			return fail("reminder_scene", err)
		}
		if err := sb.Put(id, empty); err != nil {
			return fail("reminder_scene", err)
		}
	}
	if isUnreported(rec) {
		if err := rb.missed.Put(id, empty); err != nil {
			return fail("reminder_missed", err)
		}
	}
	return nil
}

// pendingAt checks that a reminder named by reminder_due key k is pending
// and due at the time k says.
func pendingAt(k []byte) func(reminderRecord) string {
	return func(r reminderRecord) string {
		if !isPending(r) {
			return "is " + r.State
		}
		if want, err := dueKey(r); err != nil || !bytes.Equal(want, k) {
			return "falls due at another time"
		}
		return ""
	}
}

// DueReminders lists pending reminders due (see dueAt) at or before at,
// earliest first and, at the same time, by id; at most limit of them,
// all when limit <= 0. It reads reminder_due from its start and stops at
// the first later entry, so it costs what it returns, not the number of
// reminders.
func (t *tx) DueReminders(at time.Time, limit int) ([]bot.Reminder, error) {
	rb, err := t.reminderBuckets()
	if err != nil || at.Before(minDue) {
		return nil, err
	}
	until := uint64(math.MaxUint64)
	if !at.After(maxDue) {
		until = uint64(at.UnixNano())
	}
	var out []bot.Reminder
	c := rb.due.Cursor()
	for k, _ := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
		if len(k) != dueKeyLen {
			return nil, bot.Internal(fmt.Errorf("storage: malformed reminder_due key (%d bytes): the index is damaged", len(k)))
		}
		if binary.BigEndian.Uint64(k) > until {
			break
		}
		r, err := t.indexed(rb.recs, beUint(k[8:]), "reminder_due", pendingAt(k))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// NextReminder returns the pending reminder that falls due first (see
// dueAt): the first entry of reminder_due.
func (t *tx) NextReminder() (bot.Reminder, bool, error) {
	rb, err := t.reminderBuckets()
	if err != nil {
		return bot.Reminder{}, false, err
	}
	k, _ := rb.due.Cursor().First()
	if k == nil {
		return bot.Reminder{}, false, nil
	}
	if len(k) != dueKeyLen {
		return bot.Reminder{}, false, bot.Internal(fmt.Errorf("storage: malformed reminder_due key (%d bytes): the index is damaged", len(k)))
	}
	r, err := t.indexed(rb.recs, beUint(k[8:]), "reminder_due", pendingAt(k))
	if err != nil {
		return bot.Reminder{}, false, err
	}
	return r, true, nil
}

// MissedReminders lists, by id, the reminders marked missed that no
// digest has reported yet (SentAt zero).
func (t *tx) MissedReminders() ([]bot.Reminder, error) {
	rb, err := t.reminderBuckets()
	if err != nil {
		return nil, err
	}
	var out []bot.Reminder
	c := rb.missed.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		r, err := t.indexed(rb.recs, beUint(k), "reminder_missed", func(r reminderRecord) string {
			if !isUnreported(r) {
				return "is " + r.State + " or was reported"
			}
			return ""
		})
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// keyReminderInputs is meta/reminder_inputs: the stamp of the inputs every
// scene's reminders were last derived with (see "Reminders" in the
// package documentation).
var keyReminderInputs = []byte("reminder_inputs")

// ReminderInputs returns the stamp recorded by PutReminderInputs; "" when
// none is.
func (t *tx) ReminderInputs() (string, error) {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return "", err
	}
	return string(meta.Get(keyReminderInputs)), nil
}

// PutReminderInputs records the stamp of the inputs every scene's
// reminders are now derived with; "" removes it, so that they are all
// derived again at the next start.
func (t *tx) PutReminderInputs(stamp string) error {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	if stamp == "" {
		err = meta.Delete(keyReminderInputs)
	} else {
		err = meta.Put(keyReminderInputs, []byte(stamp))
	}
	if err != nil {
		return bot.Internal(fmt.Errorf("storage: recording the reminders' inputs: %w", err))
	}
	return nil
}
