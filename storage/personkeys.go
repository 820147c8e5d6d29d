package storage

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// ErasedText is what every sealed field about a person reads as once
// Erase has destroyed their data key: their boundaries' notes, garments
// and body notes, their riders' terms, the reasons of the holds they
// called and their reminders' notes.
const ErasedText = "[erased]"

// personSealVersion is the first byte of a value sealed under a person's
// data key, followed by the key's generation (uint32 BE); then, as in a
// value sealed under the storage key, the nonce, the ciphertext and the
// tag. A value of the first two parts alone stands for ErasedText written
// again after the key of that generation was erased.
const personSealVersion byte = 2

// personKeysSince is the schema version from which the sealed fields
// about a person are sealed under their own data key.
const personKeysSince = 9

// personSealHeader is the version byte and the generation.
const personSealHeader = 1 + 4

// ErrNotErasable is matched (errors.Is) by the error Erase returns for a
// user the database holds nothing about.
var ErrNotErasable = errors.New("the database holds nothing about this person")

// personKeyRecord is stored at personkeys/<user id>: the person's data
// key of generation Gen, sealed with the storage key, or, once erased,
// no key and when it was erased. It carries a MAC, so that a key cannot
// be marked erased, nor put back, without the storage key.
type personKeyRecord struct {
	User      string    `json:"user"`
	Gen       int       `json:"gen"`
	Key       []byte    `json:"key,omitempty"`
	Erased    time.Time `json:"erased,omitzero"`
	Pseudonym string    `json:"pseudonym,omitempty"`
	MAC       []byte    `json:"mac,omitempty"`
}

func (r *personKeyRecord) macField() *[]byte { return &r.MAC }

func placePersonKey(user string) string { return aad("personkeys", user) }

func aadPersonKey(user string, gen int) string {
	return aad("personkeys", user, itoa(gen), "key")
}

// personKey is a person's data key of one generation, opened; aead is
// nil when that generation was erased.
type personKey struct {
	gen       int
	aead      cipher.AEAD
	kid       []byte // the key's id (keyID), nil when erased
	pseudonym string // given by an erasure, kept by the generations after it
}

func (k *personKey) erased() bool { return k.aead == nil }

func newPersonAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// keyCache keeps the person keys a codec has opened, by user and the
// exact bytes of their stored record, so that a command pays for a
// bbolt read and a map look-up, not for opening the key, checking its
// MAC and expanding it. A record that changes (a new generation, an
// erasure, a rekey) has other bytes, and is opened afresh; one put back
// as an earlier copy held it was valid for its place at the time, as any
// record put back is (see "What icbot notices").
type keyCache struct {
	mu sync.RWMutex
	m  map[string]cachedKey // by user id
}

// cachedKey is a person's key as opened from the stored record raw.
type cachedKey struct {
	raw []byte
	pk  *personKey
}

// keyCacheMax bounds the cache: a production has far fewer people.
const keyCacheMax = 4096

// get returns the key opened from raw, the record stored for user;
// nil when the cache holds none for those bytes.
func (c *keyCache) get(user string, raw []byte) *personKey {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if e, ok := c.m[user]; ok && bytes.Equal(e.raw, raw) {
		return e.pk
	}
	return nil
}

func (c *keyCache) put(user string, raw []byte, pk *personKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= keyCacheMax {
		c.m = make(map[string]cachedKey)
	}
	c.m[user] = cachedKey{raw: bytes.Clone(raw), pk: pk}
}

// kv is the personkeys bucket, as a tx (*bucket) or Open, Rekey and
// Erase (*bolt.Bucket) hold it.
type kv interface {
	getter
	putter
}

// keyring finds and creates people's data keys in one transaction.
type keyring struct {
	c *codec // opens and seals the key records
	b kv     // nil: the file has no personkeys bucket (an older file read-only)
	// m, when set, holds every person's key already read, and takes the
	// place of the bucket for reading: reseal loads it whole with the old
	// storage key, so that the new one can seal while the old keys are
	// still needed.
	m map[string]*personKey
	// kids finds a person by their current key's id (byKid), built at
	// the first look-up and dropped when a key changes.
	kids map[string]string
	// buf is scratch space for opening sealed names (auditseal.go).
	buf []byte
	// last is the key load found last, and whose: a command reads
	// several fields about the same person.
	lastUser string
	last     *personKey
}

// load reads the stored key record of user, or nil.
func (kr *keyring) load(user string) (*personKey, error) {
	if kr.m != nil {
		return kr.m[user], nil
	}
	if kr.last != nil && kr.lastUser == user {
		return kr.last, nil
	}
	if kr.b == nil {
		return nil, nil
	}
	v := kr.b.Get([]byte(user))
	if v == nil {
		return nil, nil
	}
	cache := kr.c.keys()
	if pk := cache.get(user, v); pk != nil {
		kr.lastUser, kr.last = user, pk
		return pk, nil
	}
	pk, err := kr.c.openPersonKey(user, v)
	if err != nil {
		return nil, err
	}
	cache.put(user, v, pk)
	kr.lastUser, kr.last = user, pk
	return pk, nil
}

// openPersonKey decodes and checks the stored key record v of user.
func (c *codec) openPersonKey(user string, v []byte) (*personKey, error) {
	var r personKeyRecord
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, brokenf("record %s cannot be decoded: the file was damaged or changed", placePersonKey(user))
	}
	if err := checkRecord(c, placePersonKey(user), &r); err != nil {
		return nil, err
	}
	if r.User != user {
		return nil, movedError(placePersonKey(user), "the key of "+r.User)
	}
	pk := &personKey{gen: r.Gen, pseudonym: r.Pseudonym}
	if !r.Erased.IsZero() {
		return pk, nil
	}
	if c.key == nil {
		return nil, c.errLocked(placePersonKey(user))
	}
	raw, err := c.key.open(r.Key, aadPersonKey(user, r.Gen))
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	if pk.aead, err = newPersonAEAD(raw); err != nil {
		return nil, err
	}
	pk.kid = keyID(raw)
	return pk, nil
}

// current returns user's key to seal with, creating one (the next
// generation after an erased one) when there is none.
func (kr *keyring) current(user string) (*personKey, error) {
	pk, err := kr.load(user)
	if err != nil || (pk != nil && !pk.erased()) {
		return pk, err
	}
	gen, pseudonym := 1, ""
	if pk != nil {
		gen, pseudonym = pk.gen+1, pk.pseudonym
	}
	return kr.create(user, gen, pseudonym)
}

// create makes a new random data key of generation gen for user, and
// stores it sealed with the storage key.
func (kr *keyring) create(user string, gen int, pseudonym string) (*personKey, error) {
	if kr.b == nil {
		return nil, errors.New("storage: the personkeys bucket is missing")
	}
	raw := make([]byte, KeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	aead, err := newPersonAEAD(raw)
	if err != nil {
		return nil, err
	}
	sealedKey, err := kr.c.sealBytes(raw, aadPersonKey(user, gen))
	if err != nil {
		return nil, err
	}
	if err := kr.store(personKeyRecord{User: user, Gen: gen, Key: sealedKey, Pseudonym: pseudonym}); err != nil {
		return nil, err
	}
	pk := &personKey{gen: gen, aead: aead, kid: keyID(raw), pseudonym: pseudonym}
	if kr.m != nil {
		kr.m[user] = pk
	}
	kr.lastUser, kr.last = user, pk
	return pk, nil
}

// store writes a key record with its MAC.
func (kr *keyring) store(r personKeyRecord) error {
	kr.last, kr.kids = nil, nil
	r, err := markRecord(kr.c, placePersonKey(r.User), r)
	if err != nil {
		return err
	}
	return put(kr.b, []byte(r.User), r, "person key")
}

// sealFor turns plain, a field about user, into what is stored: sealed
// under user's data key in an encrypted file, as sealBytes otherwise.
// A field about nobody, an empty one (it holds nothing about them), one
// of a codec that keeps to the storage key (noPersonKeys), or one of a
// file without personkeys/ (an older schema, as tests write), is sealed
// with the storage key. ErasedText written
// back for a person whose key is erased is stored as the marker of that
// generation, so that reading an erased record and writing it again
// makes no new key.
func (c *codec) sealFor(kr *keyring, plain []byte, aad, user string) ([]byte, error) {
	if c.key == nil || user == "" || kr == nil || c.noPersonKeys || len(plain) == 0 || (kr.b == nil && kr.m == nil) {
		return c.sealBytes(plain, aad)
	}
	if string(plain) == ErasedText {
		pk, err := kr.load(user)
		if err != nil {
			return nil, err
		}
		if pk != nil && pk.erased() {
			return personHeader(pk.gen), nil
		}
	}
	pk, err := kr.current(user)
	if err != nil {
		return nil, err
	}
	return pk.aead.Seal(personHeader(pk.gen), nil, plain, []byte(aad)), nil
}

func personHeader(gen int) []byte {
	out := make([]byte, personSealHeader, personSealHeader+sealOverhead-1)
	out[0] = personSealVersion
	binary.BigEndian.PutUint32(out[1:], uint32(gen))
	return out
}

func looksPersonSealed(b []byte) bool {
	return len(b) >= personSealHeader && b[0] == personSealVersion
}

// openFor opens a stored field about user. erased is set, with no
// value, when it was sealed under a key that Erase destroyed. A value
// sealed under the storage key (written before schema version 9, or
// about nobody) opens as openBytes does.
func (c *codec) openFor(kr *keyring, stored []byte, aad, user string) (plain []byte, erased bool, err error) {
	if c.key == nil || !looksPersonSealed(stored) {
		plain, err = c.openBytes(stored, aad)
		return plain, false, err
	}
	if user == "" || kr == nil {
		return nil, false, brokenf("sealed value %s cannot be opened: it is sealed under a person's key, but its record names nobody", aad)
	}
	gen := int(binary.BigEndian.Uint32(stored[1:personSealHeader]))
	pk, err := kr.load(user)
	switch {
	case err != nil:
		return nil, false, err
	case pk == nil:
		return nil, false, brokenf("sealed value %s cannot be opened: the key it is sealed under is missing (personkeys/%s was removed)", aad, user)
	case gen < pk.gen, gen == pk.gen && pk.erased():
		return nil, true, nil
	case gen > pk.gen:
		return nil, false, brokenf("sealed value %s cannot be opened: it names a key newer than the person's", aad)
	}
	if len(stored) == personSealHeader {
		return nil, false, brokenf("sealed value %s cannot be opened: it is marked erased, but the key it names was not", aad)
	}
	plain, err = pk.aead.Open(nil, nil, stored[personSealHeader:], []byte(aad))
	if err != nil {
		return nil, false, brokenf("sealed value %s cannot be opened: it was changed, moved from another record, field or version, or sealed with another key", aad)
	}
	return plain, false, nil
}

// sealStringFor and openStringFor are sealFor and openFor for a string
// field, stored as base64 in an encrypted file; an erased one reads as
// ErasedText.
func (c *codec) sealStringFor(kr *keyring, plain, aad, user string) (string, error) {
	if c.key == nil && !c.encrypted {
		return plain, nil
	}
	b, err := c.sealFor(kr, []byte(plain), aad, user)
	return b64(b), err
}

func (c *codec) openStringFor(kr *keyring, stored, aad, user string) (string, error) {
	if c.key == nil && !c.encrypted {
		return c.openString(stored, aad)
	}
	b, erased, err := c.openFor(kr, unb64(stored), aad, user)
	if erased {
		return ErasedText, nil
	}
	return string(b), err
}

// erasedBoundaries is the private part of a boundaries version whose key
// was erased: no answers, and every text the performer wrote reads as
// ErasedText.
func erasedBoundaries() []byte {
	b, _ := json.Marshal(boundariesPrivate{Notes: ErasedText, Garments: ErasedText, Body: ErasedText})
	return b
}

// keys returns the tx's keyring: the personkeys bucket, absent from an
// older file opened read-only.
func (t *tx) keys() (*keyring, error) {
	if t.kr != nil {
		return t.kr, nil
	}
	if t.btx.Bucket(bucketPersonKeys) == nil {
		t.kr = &keyring{c: t.codec}
		return t.kr, nil
	}
	b, err := t.bucket(bucketPersonKeys)
	if err != nil {
		return nil, err
	}
	t.kr = &keyring{c: t.codec, b: b}
	return t.kr, nil
}

// loadKeyring reads every person's key record of btx with from, and
// writes them again sealed and MACed with to, so that the keyrings it
// returns (one to open with, one to seal with) share the keys opened
// with from. It serves reseal: a rekey, the migration to person keys, and
// the first sealing of a file without a key (which has none).
func loadKeyring(btx *bolt.Tx, from, to *codec) (fk, tk *keyring, n int, err error) {
	b := btx.Bucket(bucketPersonKeys)
	if b == nil {
		// A file of an older schema, as tests write: the storage key
		// seals everything.
		return &keyring{c: from}, &keyring{c: to}, 0, nil
	}
	m := make(map[string]*personKey)
	var recs []personKeyRecord
	err = b.ForEach(func(k, v []byte) error {
		if from.key == nil {
			return from.errUnexpected(placePersonKey(string(k)))
		}
		pk, err := from.openPersonKey(string(k), v)
		if err != nil {
			return err
		}
		m[string(k)] = pk
		var r personKeyRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return err
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	fk, tk = &keyring{c: from, b: b, m: m}, &keyring{c: to, b: b, m: m}
	for _, r := range recs {
		if r.Erased.IsZero() {
			raw, err := from.key.open(r.Key, aadPersonKey(r.User, r.Gen))
			if err != nil {
				return nil, nil, 0, err
			}
			r.Key, err = to.sealBytes(raw, aadPersonKey(r.User, r.Gen))
			clear(raw)
			if err != nil {
				return nil, nil, 0, err
			}
		}
		if err := tk.store(r); err != nil {
			return nil, nil, 0, err
		}
	}
	return fk, tk, len(recs), nil
}

// addPersonKeys adds the bucket of people's data keys (version 9),
// empty. Moving the sealed fields about each person under their key
// needs the storage key: Open does it in the same write transaction
// (setupKey), as it keys the integrity of version 8.
func addPersonKeys(btx *bolt.Tx) error {
	if _, err := btx.CreateBucketIfNotExists(bucketPersonKeys); err != nil {
		return fmt.Errorf("creating bucket %s: %w", bucketPersonKeys, err)
	}
	return nil
}

// Erasure says what Erase did: see bot.Erased.
type Erasure = bot.Erased

// Erase destroys user's data key, so that every field sealed under it
// reads as ErasedText, replaces their name by a pseudonym ("erased-N"),
// drops the messages queued to them, and records it in the audit trail,
// in one write transaction (the body of tx.ErasePerson); then it
// compacts the file, so that the key's sealed bytes do not stay in its
// free pages. A user the file holds nothing about is refused
// (ErrNotErasable) and nothing changes. icbot runs it with the bot
// stopped (`icbot erase`); keep names the records the production must
// still keep, sealed again under a new key (see ErasePerson).
//
// When the erasure has committed but the compaction fails, the error
// says so; the next Open compacts the file.
func (s *Store) Erase(ctx context.Context, user bot.UserID, actor string, now time.Time, keep ...bot.KeepRecord) (Erasure, error) {
	var out Erasure
	if err := ctx.Err(); err != nil {
		return out, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.codec
	switch {
	case s.boltOpts.ReadOnly:
		return out, fmt.Errorf("erasing in database %s: it is open read-only", s.path)
	case c.key == nil:
		return out, fmt.Errorf("erasing in database %s: it is not encrypted; open it with a key first", s.path)
	case user == "":
		return out, errors.New("erasing: no user id given")
	}
	err := s.db.Update(func(btx *bolt.Tx) error {
		t := &tx{btx: btx, codec: c}
		defer t.done.Store(true)
		var err error
		out, err = t.ErasePerson(bot.EraseRequest{User: user, Actor: bot.UserID(actor), Now: now, Keep: keep})
		return err
	})
	if err != nil {
		return Erasure{}, fmt.Errorf("erasing %s in database %s: %w (nothing was changed)", user, s.path, err)
	}
	s.log.Info("erased a person's data key", "path", s.path, "user", user, "pseudonym", out.Pseudonym, "kept", out.Kept)
	if err := s.compactLocked(); err != nil {
		return out, fmt.Errorf("the data key of %s is erased in database %s, but compacting it failed, so the key's sealed bytes stay in its free pages until a later start compacts it: %w", user, s.path, err)
	}
	return out, nil
}

// ErasePerson destroys req.User's data key in this transaction. The
// records req.Keep names are read with the old key and sealed again
// under a new generation, which replaces the old one's record: the old
// key is gone, and every field still sealed under it reads as
// ErasedText. With nothing to keep, the key record is marked erased.
// The person's name becomes a pseudonym ("erased-N", kept by later
// erasures), the messages queued to them are dropped, an audit record
// (person.erase) is appended, and meta/compact_pending is set: the
// next Open, or Close, compacts the file, so that the old key's sealed
// bytes do not stay in its free pages. A person the file holds neither
// a key nor a record of is refused with ENOTFOUND (matching
// ErrNotErasable), and nothing changes.
func (t *tx) ErasePerson(req bot.EraseRequest) (bot.Erased, error) {
	var out bot.Erased
	user := req.User
	if user == "" {
		return out, bot.Errorf(bot.EINVALID, "no user id given")
	}
	if t.codec.key == nil {
		return out, bot.Internal(fmt.Errorf("storage: erasing %s: the database is not encrypted", user))
	}
	kr, err := t.keys()
	if err != nil {
		return out, err
	}
	if kr.b == nil {
		return out, bot.Internal(errors.New("storage: the personkeys bucket is missing"))
	}
	pk, err := kr.load(string(user))
	if err != nil {
		return out, err
	}
	person, err := t.Person(user)
	known := err == nil
	if err != nil && bot.ErrorCode(err) != bot.ENOTFOUND {
		return out, err
	}
	if pk == nil && !known {
		return out, &bot.Error{Code: bot.ENOTFOUND, Message: "icbot holds nothing about " + string(user),
			Err: fmt.Errorf("%w: %s has no data key and is not among the people", ErrNotErasable, user)}
	}
	// What must be kept, read with the key about to go.
	var riders []bot.Rider
	var bounds []bot.Boundaries
	if pk != nil && !pk.erased() {
		for _, k := range req.Keep {
			if k.Rider {
				r, err := t.Rider(k.Scene, user)
				switch {
				case err == nil:
					riders = append(riders, r)
				case bot.ErrorCode(err) != bot.ENOTFOUND:
					return out, err
				}
			}
			if k.Boundaries {
				b, err := t.Boundaries(k.Scene, user)
				switch {
				case err == nil:
					bounds = append(bounds, b)
				case bot.ErrorCode(err) != bot.ENOTFOUND:
					return out, err
				}
			}
		}
	}
	gen, pseudonym := 1, ""
	if pk != nil {
		gen, pseudonym, out.Already = pk.gen, pk.pseudonym, pk.erased()
	}
	if pseudonym == "" {
		n, err := kr.b.(*bucket).NextSequence()
		if err != nil {
			return out, err
		}
		pseudonym = "erased-" + utoa(n)
	}
	out.Pseudonym = pseudonym
	if len(riders)+len(bounds) > 0 {
		// The new generation's record takes the old one's place: the
		// old key is gone with it.
		if _, err := kr.create(string(user), gen+1, pseudonym); err != nil {
			return out, err
		}
		for _, r := range riders {
			if err := t.PutRider(r); err != nil {
				return out, err
			}
		}
		for _, b := range bounds {
			if err := t.resealBoundaries(b); err != nil {
				return out, err
			}
		}
		out.Kept = len(riders) + len(bounds)
	} else if err := kr.store(personKeyRecord{User: string(user), Gen: gen, Erased: req.Now.UTC(), Pseudonym: pseudonym}); err != nil {
		return out, err
	}
	if known && person.Name != pseudonym {
		person.Name = pseudonym
		if err := t.PutPerson(person); err != nil {
			return out, err
		}
	}
	outbox, err := t.bucket(bucketOutbox)
	if err != nil {
		return out, err
	}
	// Messages to them, and messages to others that hold their private
	// data (its subject is them: a notice to the IC of their answers, a
	// department's notice of their garments), whose text is sealed with
	// the storage key alone.
	if out.Dropped, err = dropQueued(outbox, func(m messageRecord) bool {
		return m.User == string(user) || m.Subject == string(user)
	}); err != nil {
		return out, err
	}
	// The record names the person by their pseudonym alone: not by id,
	// and not by a reference, which would be sealed under a new key of
	// theirs made for it.
	summary := "erased the data key of the person now named " + pseudonym
	if out.Kept > 0 {
		summary += fmt.Sprintf("; %d records the production must keep sealed again under a new key", out.Kept)
	}
	if req.Summary != "" {
		summary += "; " + req.Summary
	}
	actor := req.Actor
	if actor == "" || actor == user {
		// Their own request (req.Summary says so): icbot's doing, so
		// that their id is not sealed under a new key of theirs.
		actor = "icbot"
	}
	if err := t.Audit(bot.AuditRecord{Time: req.Now, Actor: actor, Action: "person.erase", Summary: summary}); err != nil {
		return out, err
	}
	meta, err := t.bucket(bucketMeta)
	if err != nil {
		return out, err
	}
	if err := meta.Put(keyCompact, []byte{1}); err != nil {
		return out, bot.Internal(err)
	}
	return out, nil
}

// resealBoundaries writes version b.Version of a performer's boundaries
// again in place, sealed under the performer's current key.
func (t *tx) resealBoundaries(b bot.Boundaries) error {
	vb, err := t.boundariesBucket(b.Scene, b.Performer, false)
	if err != nil {
		return err
	}
	if vb == nil || vb.Get(u64key(uint64(b.Version))) == nil {
		return bot.Internal(fmt.Errorf("storage: boundaries version %d of %s for scene %s is missing", b.Version, b.Performer, b.Scene))
	}
	private, err := json.Marshal(boundariesPrivateOf(b))
	if err != nil {
		return bot.Internal(err)
	}
	r := boundariesRecord{Scene: string(b.Scene), Performer: string(b.Performer), Version: b.Version, At: utc(b.At), Private: private}
	kr, err := t.keys()
	if err != nil {
		return err
	}
	if err := t.codec.sealBoundaries(&r, kr); err != nil {
		return sealed(err)
	}
	return put(vb, u64key(uint64(b.Version)), r, "boundaries")
}

// CompactPending compacts the file when it is marked for compaction, as
// an erasure made through Update (Tx.ErasePerson) leaves it, and reports
// whether it did. icbot erase runs it, so that a failure is told to the
// operator, not only logged by Close.
func (s *Store) CompactPending() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.compactPendingLocked()
}

// compactPendingLocked is CompactPending with mu held; a file open
// read-only is left as it is.
func (s *Store) compactPendingLocked() (bool, error) {
	if s.boltOpts.ReadOnly {
		return false, nil
	}
	var pending bool
	if err := s.db.View(func(btx *bolt.Tx) error {
		if meta := btx.Bucket(bucketMeta); meta != nil {
			pending = meta.Get(keyCompact) != nil
		}
		return nil
	}); errors.Is(err, bolt.ErrDatabaseNotOpen) {
		return false, nil // closed already
	} else if err != nil {
		return false, err
	}
	if !pending {
		return false, nil
	}
	return true, s.compactLocked()
}

// dropQueued removes the queued deliveries whose message gone says must
// not be sent, and returns how many it removed.
func dropQueued(outbox *bucket, gone func(messageRecord) bool) (int, error) {
	var drop [][]byte
	_ = outbox.ForEach(func(k, v []byte) error {
		var r deliveryRecord
		if json.Unmarshal(v, &r) == nil && gone(r.Message) {
			drop = append(drop, bytes.Clone(k))
		}
		return nil
	})
	for _, k := range drop {
		if err := outbox.Delete(k); err != nil {
			return 0, bot.Internal(err)
		}
	}
	return len(drop), nil
}
