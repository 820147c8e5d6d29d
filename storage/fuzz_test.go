package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// fuzzSecret is in every private field the fuzz files hold; no error may
// show it.
const fuzzSecret = "FUZZ-secret"

// fuzzPlace is where a stored record lives, and the store's reads of it.
type fuzzPlace struct {
	name string
	keys [][]byte // bucket path, then the key
	// read reads the record back through the store's own read path and
	// returns what a caller would act on.
	read func(t *tx) (any, error)
	// authority is set for the places whose content must never be read
	// back changed from a keyed file: it carries a MAC, or is bound by one.
	authority bool
}

var fuzzPlaces = []fuzzPlace{
	{name: "person", keys: keys("people", "U1"), authority: true, read: func(t *tx) (any, error) {
		if _, err := t.People(); err != nil {
			return nil, err
		}
		return t.Person("U1")
	}},
	{name: "production", keys: keys("meta", "production"), authority: true, read: func(t *tx) (any, error) { return t.Production() }},
	{name: "scene", keys: keys("scenes", "12"), read: func(t *tx) (any, error) {
		if _, err := t.Scenes(); err != nil {
			return nil, err
		}
		return t.Scene("12")
	}},
	{name: "delivery", keys: keys("outbox", "\x00\x00\x00\x00\x00\x00\x00\x01"), authority: true, read: func(t *tx) (any, error) {
		ds, err := t.Deliveries()
		if err != nil {
			return nil, err
		}
		d, err := t.Delivery(1)
		if err != nil {
			return nil, err
		}
		if len(ds) != 1 {
			return nil, errors.New("Deliveries left out a delivery that Delivery read")
		}
		// What decides where the text goes, and the text.
		return []any{d.ID, d.Message, d.Caller, d.Reply}, nil
	}},
	{name: "boundaries", keys: keys("boundaries", "12", "U1", "\x00\x00\x00\x00\x00\x00\x00\x01"), read: func(t *tx) (any, error) {
		if _, err := t.BoundariesHistory("12", "U1"); err != nil {
			return nil, err
		}
		return t.Boundaries("12", "U1")
	}},
	{name: "rider", keys: keys("riders", "12", "U1"), read: func(t *tx) (any, error) {
		if _, err := t.Riders("12"); err != nil {
			return nil, err
		}
		return t.Rider("12", "U1")
	}},
	{name: "reminder", keys: keys("reminders", "\x00\x00\x00\x00\x00\x00\x00\x01"), read: func(t *tx) (any, error) {
		if _, err := t.SceneReminders("12"); err != nil {
			return nil, err
		}
		if _, err := t.DueReminders(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), 0); err != nil {
			return nil, err
		}
		if _, _, err := t.NextReminder(); err != nil {
			return nil, err
		}
		return t.Reminder(1)
	}},
	{name: "audit record", keys: keys("audit", "\x00\x00\x00\x00\x00\x00\x00\x01"), authority: true, read: fuzzVerifyAudit},
	{name: "audit head", keys: keys("meta", "audit_head"), authority: true, read: fuzzVerifyAudit},
	{name: "session", keys: keys("sessions", "12", "\x00\x00\x00\x00\x00\x00\x00\x01"), read: func(t *tx) (any, error) {
		if _, err := t.Sessions("12"); err != nil {
			return nil, err
		}
		return t.Session("12", 1)
	}},
	{name: "post", keys: keys("posts", "C1", "\x00\x00\x00\x00\x00\x00\x00\x01"), read: func(t *tx) (any, error) {
		if _, err := t.PostChannels(); err != nil {
			return nil, err
		}
		return t.Posts("C1")
	}},
	{name: "key check", keys: keys("meta", "key_check"), read: func(t *tx) (any, error) {
		if t.codec.key == nil {
			return nil, nil
		}
		keyed, err := checkKey(t.btx.Bucket(bucketMeta), t.codec.key, t.codec.path)
		return keyed, err
	}},
}

func keys(ks ...string) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = []byte(k)
	}
	return out
}

// fuzzVerifyAudit verifies the audit chain and its head as VerifyAudit
// does, and returns the records it vouches for.
func fuzzVerifyAudit(t *tx) (any, error) {
	var recs []bot.AuditRecord
	chain, err := t.codec.chain()
	if err != nil {
		return nil, err
	}
	all := func(yield func(bot.AuditRecord, error) bool) {
		for r, err := range auditRecords(context.Background(), t.btx.Bucket(bucketAudit)) {
			if err == nil {
				recs = append(recs, r)
			}
			if !yield(r, err) {
				return
			}
		}
	}
	head, err := bot.VerifyChainWith(all, chain)
	if err != nil {
		return nil, err
	}
	meta := t.btx.Bucket(bucketMeta)
	stored, err := t.codec.readHead(meta)
	if err != nil {
		return nil, err
	}
	if err := checkHead(head, stored, t.codec.keyed || meta.Get(keyAuditHead) != nil); err != nil {
		return nil, err
	}
	if _, err := t.AuditLen(); err != nil {
		return nil, err
	}
	return recs, nil
}

// fuzzStore writes a file holding one record at every fuzz place, with
// key (nil: a file without a key).
func fuzzStore(tb testing.TB, dir string, key []byte) *Store {
	tb.Helper()
	opts := []Option{quiet, WithTimeout(time.Second)}
	if key != nil {
		opts = append(opts, WithKey(key))
	}
	s, err := Open(filepath.Join(dir, "fuzz.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	at := time.Date(2031, 6, 14, 7, 0, 0, 0, time.UTC)
	err = s.Update(context.Background(), func(tx bot.Tx) error {
		for _, err := range []error{
			tx.PutProduction(bot.ProductionInfo{Name: "Night Shift", Zone: "Europe/London", DeptChannels: map[bot.Role]bot.ChannelID{bot.RoleCostume: "C2"}}),
			tx.PutPerson(bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}}),
			tx.PutScene(bot.Scene{ID: "12", Title: "Bedroom", Performers: []bot.UserID{"U1"}, Version: 2,
				Holds: []bot.Hold{{Seq: 1, CalledBy: "U1", At: at, Reason: fuzzSecret}}}),
			tx.AddBoundaries(bot.Boundaries{Scene: "12", Performer: "U1", Version: 1, At: at, Notes: fuzzSecret,
				Answers: []bot.BeatAnswer{{Beat: "b1", Rev: 1, Answer: bot.AnswerNo}}}),
			tx.PutRider(bot.Rider{Scene: "12", Performer: "U1", State: bot.RiderSent, Terms: fuzzSecret, Version: 1, SentAt: at}),
			tx.PutSession(bot.Session{Scene: "12", Seq: 1, StartedBy: "U5", StartedAt: at}),
		} {
			if err != nil {
				return err
			}
		}
		if _, err := tx.Enqueue(bot.Delivery{Caller: "U3", Reply: "https://hooks.slack.com/commands/T1/1/x", Created: at, NextAttempt: at,
			Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U5"}, Class: bot.ClassHoldCaller, Scene: "12", Subject: "U1", Text: fuzzSecret}}); err != nil {
			return err
		}
		if _, err := tx.PutReminder(bot.Reminder{Kind: bot.RemindAftercare, Key: "aftercare/12/U1", Scene: "12", Performer: "U1",
			Due: at, State: bot.ReminderPending, Created: at, Answer: "talk", Note: fuzzSecret, Answered: at}); err != nil {
			return err
		}
		if _, err := tx.AddPost(bot.Post{Channel: "C1", Class: bot.ClassTopline, Scene: "12", Ref: "1.2", At: at}); err != nil {
			return err
		}
		for i := range 2 {
			if err := tx.Audit(bot.AuditRecord{Time: at.Add(time.Duration(i) * time.Minute), Actor: "U5", Action: "role.add", Summary: "ana: performer"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// stored returns the value at a fuzz place of s; nil when it holds none
// (a file without a key has no key check).
func stored(s *Store, p fuzzPlace) []byte {
	var v []byte
	_ = s.db.View(func(btx *bolt.Tx) error {
		b := btx.Bucket(p.keys[0])
		for _, k := range p.keys[1 : len(p.keys)-1] {
			b = b.Bucket(k)
		}
		v = bytes.Clone(b.Get(p.keys[len(p.keys)-1]))
		return nil
	})
	return v
}

var errRollBack = errors.New("roll back")

// readWith puts v at p in a write transaction of s, reads it back as the
// store does and rolls back.
func readWith(s *Store, p fuzzPlace, v []byte) (got any, err error) {
	_ = s.db.Update(func(btx *bolt.Tx) error {
		b := btx.Bucket(p.keys[0])
		for _, k := range p.keys[1 : len(p.keys)-1] {
			b = b.Bucket(k)
		}
		if perr := b.Put(p.keys[len(p.keys)-1], append([]byte{}, v...)); perr != nil {
			err = perr
			return errRollBack
		}
		got, err = p.read(&tx{btx: btx, codec: s.codec})
		return errRollBack
	})
	return got, err
}

// FuzzDecodeRecords puts arbitrary bytes where a stored record lives (a
// person, the production, a scene, a queued delivery, boundaries, a rider,
// a reminder, an audit record, the audit head, a session, a post, the key
// check), in a file written by the store with a key and in one without,
// and reads it back through the store's own read path. No input may make
// a read panic, or fail with anything but an internal error or not found,
// or name a private value in its error. From the keyed file, a record
// that carries a MAC or is bound by one (a person, the production, the
// audit chain and head, a delivery's destination) is read back only as
// the store wrote it: bytes written without the key never change what
// icbot acts on.
func FuzzDecodeRecords(f *testing.F) {
	var stores [2]*Store
	var genuine [2][]any
	for i, key := range [][]byte{nil, bytes.Repeat([]byte{0xA1}, KeySize)} {
		stores[i] = fuzzStore(f, f.TempDir(), key)
		for n, p := range fuzzPlaces {
			v := stored(stores[i], p)
			var got any
			if v != nil {
				f.Add(uint8(n), i == 1, v)
				var err error
				if got, err = readWith(stores[i], p, v); err != nil {
					f.Fatalf("%s as stored: %v", p.name, err)
				}
			}
			genuine[i] = append(genuine[i], got)
		}
	}
	f.Fuzz(func(t *testing.T, place uint8, keyed bool, v []byte) {
		i := 0
		if keyed {
			i = 1
		}
		n := int(place) % len(fuzzPlaces)
		p := fuzzPlaces[n]
		got, err := readWith(stores[i], p, v)
		if err != nil {
			if code := bot.ErrorCode(err); code != bot.EINTERNAL && code != bot.ENOTFOUND {
				t.Errorf("%s: error coded %s: %v", p.name, code, err)
			}
			if strings.Contains(err.Error(), fuzzSecret) {
				t.Errorf("%s: the error shows a private value: %v", p.name, err)
			}
			return
		}
		if keyed && p.authority {
			if diff := cmp.Diff(genuine[i][n], got); diff != "" {
				t.Errorf("%s: bytes written without the key were read as (-genuine +read):\n%s", p.name, diff)
			}
		}
	})
}
