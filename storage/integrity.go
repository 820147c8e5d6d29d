package storage

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// keyedSince is the schema version from which an encrypted file's
// integrity is keyed: its audit chain is an HMAC chain, its audit head
// and authority records carry MACs, and a delivery's text is bound to its
// destination.
const keyedSince = 8

// The HKDF-SHA256 labels (info) of the keys derived from the storage key,
// one per purpose, so that no key serves two. Changing one breaks every
// existing file: add a new label and a migration instead.
const (
	labelChain  = "icbot/v1 audit chain"
	labelHead   = "icbot/v1 audit head"
	labelRecord = "icbot/v1 record mac"
)

// ErrTampered is matched (errors.Is) by the error a read returns when a
// record that carries a MAC (a person, the production) or the audit head
// does not verify with the key: it was changed, copied from another
// record, or written without the key.
var ErrTampered = errors.New("record does not verify with the key")

// macKeys are the HMAC-SHA256 keys of a file's integrity, derived from
// its storage key.
type macKeys struct {
	chain  []byte // audit record i: HMAC(chain, hash i-1 || canonical record i)
	head   []byte // meta/audit_head: HMAC(head, count || last hash)
	record []byte // an authority record: HMAC(record, place || 0 || JSON)
}

func deriveMACKeys(key []byte) (macKeys, error) {
	var k macKeys
	for _, d := range []struct {
		to    *[]byte
		label string
	}{{&k.chain, labelChain}, {&k.head, labelHead}, {&k.record, labelRecord}} {
		b, err := hkdf.Key(sha256.New, key, nil, d.label, sha256.Size)
		if err != nil {
			return macKeys{}, fmt.Errorf("deriving the key %q: %w", d.label, err)
		}
		*d.to = b
	}
	return k, nil
}

func hmacSum(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// tamperedError names a record that does not verify by its place in the
// file, never by its content.
type tamperedError struct{ msg string }

func tamperedf(format string, args ...any) error {
	return &tamperedError{msg: fmt.Sprintf(format, args...)}
}

func (e *tamperedError) Error() string { return e.msg }

func (e *tamperedError) Unwrap() error { return ErrTampered }

// chain is how the file's audit records are chained: HMAC-SHA256 with
// the chain key in a keyed file, plain SHA-256 (bot.ChainHash) otherwise.
func (c *codec) chain() (bot.ChainFunc, error) {
	switch {
	case !c.keyed:
		return bot.ChainHash, nil
	case c.key == nil:
		return nil, c.errLocked("the audit chain")
	}
	k := c.key.mac.chain
	return func(prev []byte, r bot.AuditRecord) []byte { return hmacSum(k, prev, r.Canonical()) }, nil
}

// Audit head sizes: the record count and the last hash; in a keyed file
// followed by the head's MAC.
const (
	headSize      = 8 + sha256.Size
	keyedHeadSize = headSize + sha256.Size
)

// readHead decodes meta/audit_head; the hash is copied out of bbolt's
// memory. In a file that is not keyed an absent head is the empty chain;
// a keyed file always has one (written when its integrity was keyed), so
// there an absent head, or one whose MAC does not verify, was changed
// without the key.
func (c *codec) readHead(meta getter) (bot.ChainHead, error) {
	v := meta.Get(keyAuditHead)
	switch {
	case !c.keyed && v == nil:
		return bot.ChainHead{Hash: bot.GenesisHash()}, nil
	case !c.keyed && c.refuseSealed && len(v) == keyedHeadSize:
		return bot.ChainHead{}, c.errUnexpectedMAC("meta/audit_head")
	case !c.keyed && len(v) != headSize:
		return bot.ChainHead{}, fmt.Errorf("storage: malformed audit head (%d bytes)", len(v))
	case !c.keyed:
		return bot.ChainHead{Records: binary.BigEndian.Uint64(v[:8]), Hash: bytes.Clone(v[8:])}, nil
	case c.key == nil:
		return bot.ChainHead{}, c.errLocked("the audit head")
	case v == nil:
		return bot.ChainHead{}, tamperedf("database %s has no audit head: it was removed", c.path)
	case len(v) != keyedHeadSize:
		return bot.ChainHead{}, tamperedf("the audit head of database %s has %d bytes, not %d: it was changed without the key", c.path, len(v), keyedHeadSize)
	case !hmac.Equal(v[headSize:], hmacSum(c.key.mac.head, v[:headSize])):
		return bot.ChainHead{}, tamperedf("the audit head of database %s does not verify with the key: it was changed without the key", c.path)
	}
	return bot.ChainHead{Records: binary.BigEndian.Uint64(v[:8]), Hash: bytes.Clone(v[8:headSize])}, nil
}

// writeHead stores h as meta/audit_head, with its MAC in a keyed file.
func (c *codec) writeHead(meta putter, h bot.ChainHead) error {
	v := append(u64key(h.Records), h.Hash...)
	if c.keyed {
		if c.key == nil {
			return c.errLocked("the audit head")
		}
		v = append(v, hmacSum(c.key.mac.head, v)...)
	}
	if err := meta.Put(keyAuditHead, v); err != nil {
		return fmt.Errorf("storage: writing the audit head: %w", err)
	}
	return nil
}

// maced is a record that carries a MAC: one whose content gives
// authority (who holds which role, which channel is a department's), or
// records what a person was told (their privacy notice).
type maced interface{ macField() *[]byte }

func (r *personRecord) macField() *[]byte     { return &r.MAC }
func (r *productionRecord) macField() *[]byte { return &r.MAC }

// Where the authority records are: the place each MAC is bound to.
func placePerson(id string) string { return aad("people", id) }
func placeProduction() string      { return "meta/production" }

// recordMAC is the MAC of an authority record's JSON (without its MAC)
// stored at place.
func (s *sealer) recordMAC(place string, body []byte) []byte {
	return hmacSum(s.mac.record, []byte(place), []byte{0}, body)
}

// markRecord returns r as it is stored at place: with its MAC in a keyed
// file, without one otherwise. The MAC covers the record as it will be
// read back (JSON decoding replaces invalid UTF-8), so that what a read
// verifies is what it returns.
func markRecord[R any, P interface {
	*R
	maced
}](c *codec, place string, r R) (R, error) {
	*P(&r).macField() = nil
	if !c.keyed {
		return r, nil
	}
	if c.key == nil {
		return r, c.errLocked(place)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	var canon R
	if err := json.Unmarshal(body, &canon); err != nil {
		return r, err
	}
	if body, err = json.Marshal(canon); err != nil {
		return r, err
	}
	*P(&canon).macField() = c.key.recordMAC(place, body)
	return canon, nil
}

// checkRecord verifies the MAC of r, read from place, and removes it
// from r. In a keyed file a record without a valid MAC is refused; a
// file without a key has no MACs to check, and one being sealed refuses
// a record that has one (its key id was removed).
func checkRecord[R any, P interface {
	*R
	maced
}](c *codec, place string, r *R) error {
	field := P(r).macField()
	mac := *field
	*field = nil
	switch {
	case !c.keyed && c.refuseSealed && mac != nil:
		return c.errUnexpectedMAC("record " + place)
	case !c.keyed:
		return nil
	case c.key == nil:
		return c.errLocked(place)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if !hmac.Equal(mac, c.key.recordMAC(place, body)) {
		return tamperedf("record %s does not verify with the key: it was changed, copied from another record or written without the key", place)
	}
	return nil
}

// rekeyIntegrity checks the file's integrity with from and writes it
// again with to, in btx: the audit chain and its head, verified whole
// (a chain that does not verify is not rewritten: that would launder an
// edit), and the MAC of every authority record. It serves the migration
// to schema version 8 and the first sealing of a file without a key
// (from unkeyed: a plain SHA-256 chain, no MACs) and Rekey (from keyed
// with the old key). The privacy notices' MACs go with the authority
// records'. It returns how many records it rewrote.
func rekeyIntegrity(ctx context.Context, btx *bolt.Tx, from, to *codec) (int, error) {
	meta, log, people := btx.Bucket(bucketMeta), btx.Bucket(bucketAudit), btx.Bucket(bucketPeople)
	if meta == nil || log == nil || people == nil {
		return 0, errors.New("storage: the meta, audit or people bucket is missing")
	}
	fromChain, err := from.chain()
	if err != nil {
		return 0, err
	}
	head, err := bot.VerifyChainWith(auditRecords(ctx, log), fromChain)
	if err == nil {
		var stored bot.ChainHead
		if stored, err = from.readHead(meta); err == nil {
			err = checkHead(head, stored, from.keyed || meta.Get(keyAuditHead) != nil)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("the audit trail of database %s does not verify, so it is not chained again (icbot audit verify says where; restore the file from a backup): %w", from.path, err)
	}
	toChain, err := to.chain()
	if err != nil {
		return 0, err
	}
	// Records written in clear have their people sealed as they are
	// chained again, when the file seals them (auditseal.go).
	kr := &keyring{c: to}
	if b := btx.Bucket(bucketPersonKeys); b != nil {
		kr.b = b
	}
	seal := to.sealsAuditPeople(kr)
	prev := bot.GenesisHash()
	for seq := uint64(1); seq <= head.Records; seq++ {
		r, _, err := get[auditRecord](log, u64key(seq), "audit record")
		if err != nil {
			return 0, err
		}
		if seal {
			if err := to.sealAuditPeople(kr, &r); err != nil {
				return 0, fmt.Errorf("sealing the people of audit record %d: %w", seq, err)
			}
		}
		r.Hash = toChain(prev, r.bot())
		if err := put(log, u64key(seq), r, "audit record"); err != nil {
			return 0, err
		}
		prev = r.Hash
	}
	if err := to.writeHead(meta, bot.ChainHead{Records: head.Records, Hash: prev}); err != nil {
		return 0, err
	}
	n, err := resealBucket(people, "person", func(k []byte, r *personRecord) (int, error) {
		place := placePerson(string(k))
		if err := checkRecord(from, place, r); err != nil {
			return 0, err
		}
		var err error
		*r, err = markRecord(to, place, *r)
		return 1, err
	})
	if err != nil {
		return 0, err
	}
	if notices := btx.Bucket(bucketNotices); notices != nil {
		m, err := resealBucket(notices, "notice", func(k []byte, r *noticeRecord) (int, error) {
			place := placeNotice(string(k))
			if err := checkRecord(from, place, r); err != nil {
				return 0, err
			}
			var err error
			*r, err = markRecord(to, place, *r)
			return 1, err
		})
		if err != nil {
			return 0, err
		}
		n += m
	}
	if v := meta.Get(keyProduction); v != nil {
		var r productionRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return 0, fmt.Errorf("storage: decoding the production: %w", err)
		}
		if err := checkRecord(from, placeProduction(), &r); err != nil {
			return 0, err
		}
		if r, err = markRecord(to, placeProduction(), r); err != nil {
			return 0, err
		}
		if err := put(meta, keyProduction, r, "production"); err != nil {
			return 0, err
		}
		n++
	}
	return int(head.Records) + n, nil
}

// VerifyRecords checks, in one read transaction, the MAC of every record
// that carries authority: each person (and their roles) and the
// production (and its department channels); of each person's data key
// (schema version 9); and of each person's privacy notice (version 10).
// It returns nil when all
// verify, and otherwise an error naming each record that does not (by
// its place, never its content), matching ErrTampered. A file without a
// key has no MACs, and passes; an encrypted one opened without its key
// cannot be checked.
func (s *Store) VerifyRecords(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var errs []error
	err := s.view(func(btx *bolt.Tx) error {
		meta, people := btx.Bucket(bucketMeta), btx.Bucket(bucketPeople)
		if meta == nil || people == nil {
			return fmt.Errorf("database %s has no meta or people bucket", s.path)
		}
		if v := meta.Get(keyProduction); v != nil {
			errs = append(errs, verifyStored[productionRecord](s.codec, placeProduction(), v))
		}
		err := people.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if v != nil {
				errs = append(errs, verifyStored[personRecord](s.codec, placePerson(string(k)), v))
			}
			return nil
		})
		if keys := btx.Bucket(bucketPersonKeys); keys != nil && err == nil {
			// Not authority, but a key marked erased, or put back,
			// without the storage key would hide or bring back a
			// person's records.
			err = keys.ForEach(func(k, v []byte) error {
				errs = append(errs, verifyStored[personKeyRecord](s.codec, placePersonKey(string(k)), v))
				return ctx.Err()
			})
		}
		if notices := btx.Bucket(bucketNotices); err == nil && notices != nil {
			err = notices.ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if v != nil {
					errs = append(errs, verifyStored[noticeRecord](s.codec, placeNotice(string(k)), v))
				}
				return nil
			})
		}
		return err
	})
	if err != nil {
		return err
	}
	return errors.Join(errs...)
}

// verifyStored decodes the stored value v of an authority record and
// checks its MAC.
func verifyStored[R any, P interface {
	*R
	maced
}](c *codec, place string, v []byte) error {
	var r R
	if err := json.Unmarshal(v, &r); err != nil {
		return tamperedf("record %s cannot be decoded: the file was damaged or changed", place)
	}
	return checkRecord[R, P](c, place, &r)
}
