package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// tx is a bot.Tx over one bbolt transaction. Like the bbolt transaction
// under it, it is for one goroutine at a time.
type tx struct {
	btx *bolt.Tx
	// j notes how to undo this transaction's writes, when it is one
	// function's part of a shared write transaction; nil in a View.
	j *journal
	// codec seals and opens the private fields of records.
	codec *codec
	// done is set when View or Update returns; bbolt's own behaviour on a
	// finished transaction is to fail or panic, so tx refuses first.
	done atomic.Bool
	// unreadable are the queued deliveries this transaction found that
	// cannot be read; the Store drops them once it has ended.
	unreadable []uint64
	// buckets are the top-level buckets handed out, kept for the next
	// call: a command asks for the same few many times.
	buckets []*bucket
	// kr finds the people's data keys (see personkeys.go), made at the
	// first sealed field about a person.
	kr *keyring
}

var _ bot.Tx = (*tx)(nil)

// bucket returns a top-level bucket of the schema. It is the only way
// from a tx to bbolt, so that every write is journaled.
func (t *tx) bucket(name []byte) (*bucket, error) {
	if t.done.Load() {
		return nil, bot.Internal(ErrTxDone)
	}
	for _, b := range t.buckets {
		if bytes.Equal(b.path[0], name) {
			return b, nil
		}
	}
	b := t.btx.Bucket(name)
	if b == nil {
		return nil, bot.Internal(fmt.Errorf("storage: bucket %s is missing", name))
	}
	wb := &bucket{b: b, j: t.j, top: [1][]byte{name}}
	wb.path = wb.top[:]
	t.buckets = append(t.buckets, wb)
	return wb, nil
}

// Read and write access to a bucket, by a tx (*bucket) or by Open and
// the migrations (*bolt.Bucket).
type (
	getter    interface{ Get(key []byte) []byte }
	putter    interface{ Put(key, value []byte) error }
	forEacher interface {
		ForEach(fn func(k, v []byte) error) error
	}
)

// get decodes the value at key into a new R; ok is false when absent.
// json.Unmarshal copies, so nothing returned points into bbolt's memory.
func get[R any](b getter, key []byte, what string) (r R, ok bool, err error) {
	v := b.Get(key)
	if v == nil {
		return r, false, nil
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, false, bot.Internal(fmt.Errorf("storage: decoding %s: %w", what, err))
	}
	return r, true, nil
}

// put encodes r at key.
func put(b putter, key []byte, r any, what string) error {
	v, err := json.Marshal(r)
	if err != nil {
		return bot.Internal(fmt.Errorf("storage: encoding %s: %w", what, err))
	}
	if err := b.Put(key, v); err != nil {
		return bot.Internal(fmt.Errorf("storage: writing %s: %w", what, err))
	}
	return nil
}

// list decodes every value of b in key order, skipping nested buckets.
func list[R any, T any](b forEacher, what string, conv func(R) T) ([]T, error) {
	return listOpen(b, what, nil, conv)
}

// listOpen is list with the record's sealed fields opened by open, which
// is given the record's key; its error ends the listing.
func listOpen[R any, T any](b forEacher, what string, open func(k []byte, r *R) error, conv func(R) T) ([]T, error) {
	var out []T
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil
		}
		var r R
		if err := json.Unmarshal(v, &r); err != nil {
			return bot.Internal(fmt.Errorf("storage: decoding %s %q: %w", what, k, err))
		}
		if open != nil {
			if err := open(k, &r); err != nil {
				return bot.Internal(err)
			}
		}
		out = append(out, conv(r))
		return nil
	})
	return out, err
}

// sealed wraps the error of sealing or opening a record's private fields.
func sealed(err error) error {
	if err == nil {
		return nil
	}
	return bot.Internal(err)
}

func notFound(format string, args ...any) error {
	return bot.Errorf(bot.ENOTFOUND, format, args...)
}

func required(what, id string) error {
	if id == "" {
		return bot.Internal(fmt.Errorf("storage: %s has no id", what))
	}
	return nil
}

// Production returns the production's settings; the zero value when none
// were ever stored.
func (t *tx) Production() (bot.ProductionInfo, error) {
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return bot.ProductionInfo{}, err
	}
	r, ok, err := get[productionRecord](b, keyProduction, "production")
	if err != nil || !ok {
		return bot.ProductionInfo{}, err
	}
	if err := checkRecord(t.codec, placeProduction(), &r); err != nil {
		return bot.ProductionInfo{}, bot.Internal(err)
	}
	return r.bot(), nil
}

// PutProduction replaces the production's settings.
func (t *tx) PutProduction(p bot.ProductionInfo) error {
	b, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	r, err := markRecord(t.codec, placeProduction(), productionToRecord(p))
	if err != nil {
		return bot.Internal(err)
	}
	return put(b, keyProduction, r, "production")
}

// Person returns the person with id; ENOTFOUND when unknown.
func (t *tx) Person(id bot.UserID) (bot.Person, error) {
	b, err := t.bucket(bucketPeople)
	if err != nil {
		return bot.Person{}, err
	}
	r, ok, err := get[personRecord](b, []byte(id), "person")
	switch {
	case err != nil:
		return bot.Person{}, err
	case !ok:
		return bot.Person{}, notFound("no person %s", id)
	}
	if err := checkRecord(t.codec, placePerson(string(id)), &r); err != nil {
		return bot.Person{}, bot.Internal(err)
	}
	return r.bot(), nil
}

// People lists everyone in byte order of their ids.
func (t *tx) People() ([]bot.Person, error) {
	b, err := t.bucket(bucketPeople)
	if err != nil {
		return nil, err
	}
	return listOpen(b, "person", func(k []byte, r *personRecord) error {
		return checkRecord(t.codec, placePerson(string(k)), r)
	}, personRecord.bot)
}

// PutPerson adds or replaces the person with p.ID.
func (t *tx) PutPerson(p bot.Person) error {
	if err := required("person", string(p.ID)); err != nil {
		return err
	}
	b, err := t.bucket(bucketPeople)
	if err != nil {
		return err
	}
	r, err := markRecord(t.codec, placePerson(string(p.ID)), personToRecord(p))
	if err != nil {
		return bot.Internal(err)
	}
	if err := put(b, []byte(p.ID), r, "person"); err != nil {
		return err
	}
	return peopleChanged(b)
}

// PeopleVersion is the people bucket's sequence, which every PutPerson
// and DeletePerson moves on.
func (t *tx) PeopleVersion() (uint64, error) {
	b, err := t.bucket(bucketPeople)
	if err != nil {
		return 0, err
	}
	return b.Sequence(), nil
}

func peopleChanged(b *bucket) error {
	if _, err := b.NextSequence(); err != nil {
		return bot.Internal(fmt.Errorf("storage: counting a change to people: %w", err))
	}
	return nil
}

// DeletePerson removes the person with id; ENOTFOUND when unknown.
func (t *tx) DeletePerson(id bot.UserID) error {
	b, err := t.bucket(bucketPeople)
	if err != nil {
		return err
	}
	if err := remove(b, []byte(id), notFound("no person %s", id)); err != nil {
		return err
	}
	return peopleChanged(b)
}

// remove deletes key, or returns missing when it is absent.
func remove(b *bucket, key []byte, missing error) error {
	if b.Get(key) == nil {
		return missing
	}
	if err := b.Delete(key); err != nil {
		return bot.Internal(fmt.Errorf("storage: deleting %q: %w", key, err))
	}
	return nil
}

// Scene returns the scene with id; ENOTFOUND when unknown.
func (t *tx) Scene(id bot.SceneID) (bot.Scene, error) {
	b, err := t.bucket(bucketScenes)
	if err != nil {
		return bot.Scene{}, err
	}
	r, ok, err := get[sceneRecord](b, []byte(id), "scene")
	switch {
	case err != nil:
		return bot.Scene{}, err
	case !ok:
		return bot.Scene{}, notFound("no scene %s", id)
	}
	kr, err := t.keys()
	if err != nil {
		return bot.Scene{}, err
	}
	if err := t.codec.openScene(&r, string(id), kr); err != nil {
		return bot.Scene{}, sealed(err)
	}
	return r.bot(), nil
}

// Scenes lists every scene in byte order of their ids ("10" before "9").
func (t *tx) Scenes() ([]bot.Scene, error) {
	b, err := t.bucket(bucketScenes)
	if err != nil {
		return nil, err
	}
	kr, err := t.keys()
	if err != nil {
		return nil, err
	}
	return listOpen(b, "scene", func(k []byte, r *sceneRecord) error { return t.codec.openScene(r, string(k), kr) }, sceneRecord.bot)
}

// SceneIDs lists every scene's id in byte order, from the keys alone:
// no record is read or opened.
func (t *tx) SceneIDs() ([]bot.SceneID, error) {
	b, err := t.bucket(bucketScenes)
	if err != nil {
		return nil, err
	}
	var out []bot.SceneID
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			out = append(out, bot.SceneID(k))
		}
	}
	return out, nil
}

// PutScene adds or replaces the scene with s.ID.
func (t *tx) PutScene(s bot.Scene) error {
	if err := required("scene", string(s.ID)); err != nil {
		return err
	}
	b, err := t.bucket(bucketScenes)
	if err != nil {
		return err
	}
	r := sceneToRecord(s)
	kr, err := t.keys()
	if err != nil {
		return err
	}
	if err := t.codec.sealScene(&r, kr); err != nil {
		return sealed(err)
	}
	return put(b, []byte(s.ID), r, "scene")
}

// DeleteScene removes the scene with its boundaries and riders, but keeps
// its sessions, which stay on record, and its reminders, which the bot
// cancels itself (SceneReminders still lists them); ENOTFOUND when unknown.
func (t *tx) DeleteScene(id bot.SceneID) error {
	b, err := t.bucket(bucketScenes)
	if err != nil {
		return err
	}
	if err := remove(b, []byte(id), notFound("no scene %s", id)); err != nil {
		return err
	}
	return t.deleteConsent(id)
}

// Session returns session seq of scene; ENOTFOUND when unknown.
func (t *tx) Session(scene bot.SceneID, seq uint64) (bot.Session, error) {
	b, err := t.bucket(bucketSessions)
	if err != nil {
		return bot.Session{}, err
	}
	missing := notFound("no session %d of scene %s", seq, scene)
	sb := b.Bucket([]byte(scene))
	if sb == nil {
		return bot.Session{}, missing
	}
	r, ok, err := get[sessionRecord](sb, u64key(seq), "session")
	switch {
	case err != nil:
		return bot.Session{}, err
	case !ok:
		return bot.Session{}, missing
	}
	if err := t.codec.openSession(&r, string(scene), seq); err != nil {
		return bot.Session{}, sealed(err)
	}
	return r.bot(), nil
}

// Sessions lists a scene's sessions, oldest (lowest seq) first; none for a
// scene without sessions, existing or not.
func (t *tx) Sessions(scene bot.SceneID) ([]bot.Session, error) {
	b, err := t.bucket(bucketSessions)
	if err != nil {
		return nil, err
	}
	sb := b.Bucket([]byte(scene))
	if sb == nil {
		return nil, nil
	}
	return listOpen(sb, "session", func(k []byte, r *sessionRecord) error {
		return t.codec.openSession(r, string(scene), beUint(k))
	}, sessionRecord.bot)
}

// LatestSessions lists the latest session of every scene that has had
// one, in byte order of scene id, deleted scenes' included: it reads one
// record for each scene with sessions, and none for the others.
func (t *tx) LatestSessions() ([]bot.Session, error) {
	b, err := t.bucket(bucketSessions)
	if err != nil {
		return nil, err
	}
	var out []bot.Session
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil {
			continue
		}
		seq, last := b.Bucket(k).Cursor().Last()
		if last == nil {
			continue
		}
		var r sessionRecord
		if err := json.Unmarshal(last, &r); err != nil {
			return nil, bot.Internal(fmt.Errorf("storage: decoding the latest session of scene %q: %w", k, err))
		}
		if err := t.codec.openSession(&r, string(k), beUint(seq)); err != nil {
			return nil, sealed(err)
		}
		out = append(out, r.bot())
	}
	return out, nil
}

// PutSession adds or replaces session s.Seq (from 1) of scene s.Scene.
func (t *tx) PutSession(s bot.Session) error {
	if err := required("session's scene", string(s.Scene)); err != nil {
		return err
	}
	if s.Seq == 0 {
		return bot.Internal(errors.New("storage: session has no sequence number"))
	}
	b, err := t.bucket(bucketSessions)
	if err != nil {
		return err
	}
	sb, err := b.CreateBucketIfNotExists([]byte(s.Scene))
	if err != nil {
		return bot.Internal(fmt.Errorf("storage: creating the sessions bucket of scene %s: %w", s.Scene, err))
	}
	r := sessionToRecord(s)
	if err := t.codec.sealSession(&r); err != nil {
		return sealed(err)
	}
	return put(sb, u64key(s.Seq), r, "session")
}

// Audit appends rec to the chain with the next sequence number and its
// chained hash, and moves meta/audit_head, in this transaction.
func (t *tx) Audit(rec bot.AuditRecord) error {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return err
	}
	log, err := t.bucket(bucketAudit)
	if err != nil {
		return err
	}
	head, err := t.codec.readHead(meta)
	if err != nil {
		return bot.Internal(err)
	}
	chain, err := t.codec.chain()
	if err != nil {
		return bot.Internal(err)
	}
	rec.Seq = head.Records + 1
	key := u64key(rec.Seq)
	if log.Get(key) != nil {
		// Never overwrite evidence; VerifyAudit will say what is wrong.
		return bot.Internal(fmt.Errorf("storage: audit record %d already exists but the audit head says %d: the audit log was tampered with", rec.Seq, head.Records))
	}
	r := auditToRecord(rec)
	kr, err := t.keys()
	if err != nil {
		return err
	}
	if t.codec.sealsAuditPeople(kr) {
		if err := t.codec.sealAuditPeople(kr, &r); err != nil {
			return sealed(err)
		}
	}
	// Hash what will be read back: the stored record, not the argument.
	r.Hash = chain(head.Hash, r.bot())
	if err := put(log, key, r, "audit record"); err != nil {
		return err
	}
	if err := t.codec.writeHead(meta, bot.ChainHead{Records: r.Seq, Hash: r.Hash}); err != nil {
		return bot.Internal(err)
	}
	return nil
}

// AuditLen is the number of records in the chain, as its head says.
func (t *tx) AuditLen() (uint64, error) {
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return 0, err
	}
	head, err := t.codec.readHead(meta)
	if err != nil {
		return 0, bot.Internal(err)
	}
	return head.Records, nil
}

// Enqueue stores d with the next id (outbox keys only grow, so ids are
// never reused) and returns that id.
func (t *tx) Enqueue(d bot.Delivery) (uint64, error) {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return 0, err
	}
	id, err := b.NextSequence()
	if err != nil {
		return 0, bot.Internal(fmt.Errorf("storage: numbering a delivery: %w", err))
	}
	d.ID = id
	r := deliveryToRecord(d)
	if err := t.codec.sealDelivery(&r); err != nil {
		return 0, sealed(err)
	}
	return id, put(b, u64key(id), r, "delivery")
}

// Delivery returns pending delivery id; ENOTFOUND once it is gone. A
// delivery that cannot be read (see readDelivery) is refused with an
// internal error, and dropped once the transaction has ended.
func (t *tx) Delivery(id uint64) (bot.Delivery, error) {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return bot.Delivery{}, err
	}
	v := b.Get(u64key(id))
	if v == nil {
		return bot.Delivery{}, notFound("no pending delivery %d", id)
	}
	d, err := t.readDelivery(u64key(id), v)
	if err != nil {
		return bot.Delivery{}, bot.Internal(err)
	}
	return d, nil
}

// Deliveries lists pending deliveries, oldest first. Those that cannot be
// read are left out, so that they hold up no other, and dropped once the
// transaction has ended.
func (t *tx) Deliveries() ([]bot.Delivery, error) {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return nil, err
	}
	var out []bot.Delivery
	err = b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil
		}
		d, err := t.readDelivery(k, v)
		var u *unreadableError
		switch {
		case errors.As(err, &u):
			return nil
		case err != nil:
			return bot.Internal(err)
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// unreadableError is a queued delivery that cannot be read: it does not
// decode, is stored under another id, or its text (bound to its
// destination) or last error does not open. It was changed outside
// icbot, and is never sent. The error names it by id only.
type unreadableError struct {
	id    uint64
	cause error
}

func (e *unreadableError) Error() string {
	return fmt.Sprintf("queued delivery %d cannot be read, so it is not sent: %v", e.id, e.cause)
}

func (e *unreadableError) Unwrap() error { return e.cause }

// readDelivery decodes and opens the delivery stored at key k. One that
// cannot be read is noted for the Store to drop, and returned as an
// *unreadableError; other errors (a file opened without its key) are
// returned as they are.
func (t *tx) readDelivery(k, v []byte) (bot.Delivery, error) {
	id := beUint(k)
	var r deliveryRecord
	err := json.Unmarshal(v, &r)
	if err != nil {
		// The decoder's words may quote the value: say only that.
		err = fmt.Errorf("outbox/%d cannot be decoded", id)
	} else if err = t.codec.openDelivery(&r, id); err != nil && !errors.Is(err, ErrSealBroken) {
		return bot.Delivery{}, err
	}
	if err != nil {
		t.unreadable = append(t.unreadable, id)
		return bot.Delivery{}, &unreadableError{id: id, cause: err}
	}
	return r.bot(), nil
}

// PutDelivery replaces a pending delivery; a delivery already removed
// stays removed.
func (t *tx) PutDelivery(d bot.Delivery) error {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	if b.Get(u64key(d.ID)) == nil {
		return nil
	}
	r := deliveryToRecord(d)
	if err := t.codec.sealDelivery(&r); err != nil {
		return sealed(err)
	}
	return put(b, u64key(d.ID), r, "delivery")
}

// DeleteDelivery removes a delivery; an absent one is not an error.
func (t *tx) DeleteDelivery(id uint64) error {
	b, err := t.bucket(bucketOutbox)
	if err != nil {
		return err
	}
	if err := b.Delete(u64key(id)); err != nil {
		return bot.Internal(fmt.Errorf("storage: deleting delivery %d: %w", id, err))
	}
	return nil
}
