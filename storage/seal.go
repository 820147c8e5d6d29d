package storage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// KeySize is the length of an encryption key: AES-256.
const KeySize = 32

// sealVersion is the first byte of every sealed value, so that a later
// format can be told apart.
const sealVersion byte = 1

// sealOverhead is what sealing adds to a value: the version byte, the
// 12-byte nonce and the 16-byte GCM tag.
const sealOverhead = 1 + 12 + 16

// keyCheckPlain is sealed into meta/key_check: opening it at Open proves
// the key is the one the file was sealed with.
var keyCheckPlain = []byte("icbot key check")

// ErrSealBroken is matched (errors.Is) by the error a read returns when a
// sealed value does not open with the key: it was changed, copied from
// another record, field or version, or sealed with another key.
var ErrSealBroken = errors.New("sealed value cannot be opened")

// ErrNoKey is matched (errors.Is) by the error Open returns for an
// encrypted database opened without a key.
var ErrNoKey = errors.New("database is encrypted, but no key was given")

// ErrWrongKey is matched (errors.Is) by the error Open returns when the
// key given is not the one the database was sealed with.
var ErrWrongKey = errors.New("the encryption key does not open the database")

// KeyFile is where icbot keeps the key of the database at dbPath when the
// key is not in its configuration: beside the database, named after it.
func KeyFile(dbPath string) string { return dbPath + ".key" }

// KeyID names a key without revealing it: the first 8 hex digits of the
// SHA-256 of the key's 32 bytes, which an operator can compute with
// `base64 -d < icbot.db.key | sha256sum | cut -c1-8`.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:4])
}

// sealer seals and opens values with one key: AES-256-GCM with a random
// nonce, and the value's place in the file as additional data. It also
// holds the keys derived from that key for the file's integrity.
type sealer struct {
	aead cipher.AEAD // nonce || ciphertext || tag; safe for concurrent use
	id   string
	mac  macKeys
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("an encryption key is %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, err
	}
	mac, err := deriveMACKeys(key)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, id: KeyID(key), mac: mac}, nil
}

// seal returns version || nonce || ciphertext and tag of plain, bound to aad.
func (s *sealer) seal(plain []byte, aad string) []byte {
	out := make([]byte, 1, sealOverhead+len(plain))
	out[0] = sealVersion
	return s.aead.Seal(out, nil, plain, []byte(aad))
}

// open reverses seal; any failure is a *sealBrokenError naming aad, and
// never returns a partial value.
func (s *sealer) open(sealed []byte, aad string) ([]byte, error) {
	return s.openAs(sealed, aad, aad)
}

// openAs is open for a value whose additional data holds more than its
// place (a delivery's destination and reply handle): errors name the
// value by name, its place only.
func (s *sealer) openAs(sealed []byte, aad, name string) ([]byte, error) {
	if !looksSealed(sealed) {
		return nil, brokenf("sealed value %s cannot be opened: it is not a sealed value (it was changed or removed)", name)
	}
	plain, err := s.aead.Open(nil, nil, sealed[1:], []byte(aad))
	if err != nil {
		return nil, brokenf("sealed value %s cannot be opened: it was changed, moved from another record, field or version, or sealed with another key", name)
	}
	return plain, nil
}

// looksSealed reports whether b has the shape of a sealed value. A file
// without a key id that holds such values had its key id removed: it is
// refused rather than read as plain text.
func looksSealed(b []byte) bool {
	return len(b) >= sealOverhead && b[0] == sealVersion || looksPersonSealed(b)
}

// sealBrokenError names the value that failed to open by its place in
// the file (ids and numbers only), never by its content.
type sealBrokenError struct{ msg string }

func brokenf(format string, args ...any) error {
	return &sealBrokenError{msg: fmt.Sprintf(format, args...)}
}

func (e *sealBrokenError) Error() string { return e.msg }

func (e *sealBrokenError) Unwrap() error { return ErrSealBroken }

// aad joins the parts of a value's place in the file with "/", each part
// path-escaped so that ids holding "/" cannot make two places read alike.
func aad(parts ...string) string {
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func itoa(n int) string        { return strconv.Itoa(n) }
func utoa(n uint64) string     { return strconv.FormatUint(n, 10) }
func vtoa(n int) string        { return "v" + strconv.Itoa(n) }
func b64(b []byte) string      { return base64.StdEncoding.EncodeToString(b) }
func unb64(s string) []byte    { b, _ := base64.StdEncoding.Strict().DecodeString(s); return b }
func aadKeyCheck() string      { return "meta/key_check" }
func aadText(id uint64) string { return aad("outbox", utoa(id), "text") }

// aadKeyCheckKeyed is the additional data of the key check of a file
// whose integrity is keyed (schema version 8 on): a file that holds it
// cannot pass for an older one, whose records carry no MACs.
func aadKeyCheckKeyed() string { return "meta/key_check/keyed" }

// aadBoundText binds a delivery's text to where it goes and what it is:
// its destination (kind, user, channel), class, scene, subject, the
// caller and reply handle of the command that caused it, its buttons,
// and the file it asks for, if any. A delivery whose destination or reply handle was changed in
// the file does not open, so its text is never sent there.
func aadBoundText(r *deliveryRecord) string {
	m := r.Message
	parts := []string{"outbox", utoa(r.ID), "text",
		"to", itoa(m.Kind), m.User, m.Channel,
		"class", itoa(m.Class), "scene", m.Scene, "subject", m.Subject,
		"caller", r.Caller, "reply", r.Reply,
		"actions", itoa(len(m.Actions))}
	for _, a := range m.Actions {
		parts = append(parts, a.Label, a.Command)
	}
	if f := r.File; f != nil {
		// Absent from a delivery without a file, so that those queued
		// before files existed still open.
		parts = append(parts, "file", f.Report, f.Format)
	}
	return aad(parts...)
}

func aadLastError(id uint64) string {
	return aad("outbox", utoa(id), "last_error")
}
func aadPrivate(scene, performer string, version int) string {
	return aad("boundaries", scene, performer, itoa(version), "private")
}
func aadTerms(scene, performer string, version int) string {
	return aad("riders", scene, performer, vtoa(version), "terms")
}
func aadReason(scene string, version, seq int) string {
	return aad("scenes", scene, vtoa(version), "hold", itoa(seq), "reason")
}

// aadOverride is the place of the IC's override reason of a session.
func aadOverride(scene string, seq uint64) string {
	return aad("sessions", scene, utoa(seq), "override")
}

func aadScenePrivate(scene string, version int) string {
	return aad("scenes", scene, vtoa(version), "private")
}

// aadConfirmNote is the place of the note of confirmation index of a
// rehearsal, which performer wrote.
func aadConfirmNote(scene string, version, rehearsal, index int, performer string) string {
	return aad("scenes", scene, vtoa(version), "rehearsal", itoa(rehearsal), "confirm", itoa(index), performer, "note")
}

// aadNote binds a reminder's note to the reminder and to when it was
// answered: a reminder has no version, and a performer who answers again
// gets a new answer time, so an earlier note put back alone does not open.
// The time is written as in the record (RFC 3339, UTC, nanoseconds);
// "unanswered" when it is zero.
func aadNote(id uint64, answered time.Time) string {
	at := "unanswered"
	if !answered.IsZero() {
		at = answered.UTC().Format(time.RFC3339Nano)
	}
	return aad("reminders", utoa(id), at, "note")
}

// codec is how a transaction stores the sealed fields of records: sealed
// with the key of an encrypted file, as they are in a file without a key.
type codec struct {
	key *sealer // nil: the file is not encrypted, or was opened read-only without its key
	// encrypted is set for a file with a key id, even when key is nil.
	encrypted bool
	// keyed is set for an encrypted file whose integrity is keyed (schema
	// version 8 on; see integrity.go): its audit chain is an HMAC chain,
	// its audit head and authority records carry MACs, and a delivery's
	// text is bound to its destination. With key nil (read-only without
	// the key) none of it can be checked, and reading it fails.
	keyed bool
	// refuseSealed makes a codec without a key refuse values that look
	// sealed: used when sealing a file that has no key id, where such a
	// value means the key id was removed.
	refuseSealed bool
	// noPersonKeys seals the fields about a person with the storage key,
	// as before schema version 9: only the benchmarks set it, to measure
	// what the person keys cost.
	noPersonKeys bool
	// auditPeople seals the people audit records name (schema version
	// 11; see auditseal.go).
	auditPeople bool
	path        string

	pkOnce sync.Once
	pk     *keyCache // the person keys opened with this codec's key
}

// keys is the cache of the person keys this codec has opened.
func (c *codec) keys() *keyCache {
	c.pkOnce.Do(func() { c.pk = &keyCache{} })
	return c.pk
}

// errLocked is returned for a sealed field of an encrypted file opened
// read-only without its key.
func (c *codec) errLocked(what string) error {
	return fmt.Errorf("%w: database %s was opened without its key, so %s cannot be read", ErrNoKey, c.path, what)
}

// sealBytes turns a field's plain value into what is stored.
func (c *codec) sealBytes(plain []byte, aad string) ([]byte, error) {
	switch {
	case c.key != nil:
		return c.key.seal(plain, aad), nil
	case c.encrypted:
		return nil, c.errLocked(aad)
	}
	return plain, nil
}

// openBytes turns a stored field back into its plain value.
func (c *codec) openBytes(stored []byte, aad string) ([]byte, error) {
	return c.openBytesAs(stored, aad, aad)
}

// openBytesAs is openBytes naming the value by name in errors.
func (c *codec) openBytesAs(stored []byte, aad, name string) ([]byte, error) {
	switch {
	case c.key != nil:
		return c.key.openAs(stored, aad, name)
	case c.encrypted:
		return nil, c.errLocked(name)
	case c.refuseSealed && looksSealed(stored):
		return nil, c.errUnexpected(name)
	}
	return stored, nil
}

func (c *codec) errUnexpected(aad string) error {
	return brokenf("database %s has no key id, but %s holds a sealed value: meta/key_id and meta/key_check were removed; restore the file from a backup", c.path, aad)
}

// errUnexpectedMAC is errUnexpected for a record or audit head that
// carries a MAC, which only a file with a key has.
func (c *codec) errUnexpectedMAC(what string) error {
	return tamperedf("database %s has no key id, but %s carries a MAC: meta/key_id and meta/key_check were removed; restore the file from a backup", c.path, what)
}

// sealString stores a string field: base64 of the sealed bytes in an
// encrypted file, the string itself otherwise.
func (c *codec) sealString(plain, aad string) (string, error) {
	if c.key == nil && !c.encrypted {
		return plain, nil
	}
	b, err := c.sealBytes([]byte(plain), aad)
	return b64(b), err
}

func (c *codec) openString(stored, aad string) (string, error) {
	return c.openStringAs(stored, aad, aad)
}

// openStringAs is openString naming the value by name in errors.
func (c *codec) openStringAs(stored, aad, name string) (string, error) {
	if c.key == nil && !c.encrypted {
		if c.refuseSealed && looksSealed(unb64(stored)) {
			return "", c.errUnexpected(name)
		}
		return stored, nil
	}
	b, err := c.openBytesAs(unb64(stored), aad, name)
	return string(b), err
}

// The record helpers below seal or open every sealed field of a record in
// place. The additional data comes from where the record is stored (its
// key path), not from the record itself, so that a whole record copied to
// another key does not open either; and a record whose own ids disagree
// with its key is refused as moved. Every sealed field is sealed in an
// encrypted file, even when empty, so that removing one is noticed too.

// movedError says a record is stored under another key than its own.
func movedError(where, says string) error {
	return brokenf("record %s holds %s: it was moved or copied from another key", where, says)
}

func (c *codec) sealScene(r *sceneRecord, kr *keyring) error {
	for i := range r.Holds {
		h := &r.Holds[i]
		var err error
		if h.Reason, err = c.sealStringFor(kr, h.Reason, aadReason(r.ID, r.Version, h.Seq), h.CalledBy); err != nil {
			return err
		}
	}
	if err := c.sealConfirmNotes(r, kr); err != nil {
		return err
	}
	var err error
	r.Private, err = c.sealString(r.Private, aadScenePrivate(r.ID, r.Version))
	return err
}

// sealConfirmNotes moves the note each performer wrote when confirming
// or disputing a rehearsal's record out of the scene's private part,
// which is sealed with the storage key, into confirm_notes, each sealed
// under that performer's key. A codec without person keys leaves them
// in the private part.
func (c *codec) sealConfirmNotes(r *sceneRecord, kr *keyring) error {
	r.ConfirmNotes = nil
	if c.key == nil || c.noPersonKeys || kr == nil || !strings.Contains(r.Private, `"confirmations":`) {
		return nil
	}
	p, err := r.decodePrivate()
	if err != nil {
		return err
	}
	for i := range p.Rehearsals {
		reh := &p.Rehearsals[i]
		for j := range reh.Confirmations {
			cf := &reh.Confirmations[j]
			if cf.Note == "" || cf.Performer == "" {
				continue
			}
			note, err := c.sealStringFor(kr, cf.Note, aadConfirmNote(r.ID, r.Version, reh.Seq, j, cf.Performer), cf.Performer)
			if err != nil {
				return err
			}
			r.ConfirmNotes = append(r.ConfirmNotes, confirmNoteRecord{Rehearsal: reh.Seq, Index: j, Performer: cf.Performer, Note: note})
			cf.Note = ""
		}
	}
	if len(r.ConfirmNotes) == 0 {
		return nil
	}
	b, err := json.Marshal(p)
	r.Private = string(b)
	return err
}

// openConfirmNotes puts the notes of confirm_notes back into the scene's
// private part, once opened; an erased one reads as ErasedText. A note
// that names no confirmation of the private part was moved there.
func (c *codec) openConfirmNotes(r *sceneRecord, kr *keyring) error {
	if len(r.ConfirmNotes) == 0 {
		return nil
	}
	p, err := r.decodePrivate()
	if err != nil {
		return err
	}
	for _, n := range r.ConfirmNotes {
		place := aadConfirmNote(r.ID, r.Version, n.Rehearsal, n.Index, n.Performer)
		var cf *confirmationRecord
		for i := range p.Rehearsals {
			if reh := &p.Rehearsals[i]; reh.Seq == n.Rehearsal && n.Index >= 0 && n.Index < len(reh.Confirmations) {
				cf = &reh.Confirmations[n.Index]
			}
		}
		if cf == nil || cf.Performer != n.Performer {
			return brokenf("sealed value %s cannot be opened: the scene has no such confirmation (it was moved or changed)", place)
		}
		if cf.Note, err = c.openStringFor(kr, n.Note, place, n.Performer); err != nil {
			return err
		}
	}
	r.ConfirmNotes = nil
	b, err := json.Marshal(p)
	r.Private = string(b)
	return err
}

// openScene opens the record stored at scenes/id.
func (c *codec) openScene(r *sceneRecord, id string, kr *keyring) error {
	if r.ID != id {
		return movedError(aad("scenes", id), "scene "+r.ID)
	}
	for i := range r.Holds {
		h := &r.Holds[i]
		var err error
		if h.Reason, err = c.openStringFor(kr, h.Reason, aadReason(id, r.Version, h.Seq), h.CalledBy); err != nil {
			return err
		}
	}
	// A record written before the private part had none to seal.
	if r.Private == "" && len(r.ConfirmNotes) == 0 {
		return nil
	}
	var err error
	if r.Private, err = c.openString(r.Private, aadScenePrivate(id, r.Version)); err != nil {
		return err
	}
	if _, err = r.decodePrivate(); err != nil {
		return err
	}
	return c.openConfirmNotes(r, kr)
}

// textAAD is the additional data of a delivery's text: bound to its
// destination in a keyed file, its place alone before (schema version 7
// and earlier, read only to migrate them).
func (c *codec) textAAD(r *deliveryRecord) string {
	if c.keyed {
		return aadBoundText(r)
	}
	return aadText(r.ID)
}

func (c *codec) sealDelivery(r *deliveryRecord) error {
	var err error
	if r.Message.Text, err = c.sealString(r.Message.Text, c.textAAD(r)); err != nil {
		return err
	}
	r.LastError, err = c.sealString(r.LastError, aadLastError(r.ID))
	return err
}

// openDelivery opens the record stored at outbox/id. Errors name the text
// by its place (outbox/<id>/text), never by the destination it is bound
// to, which may hold a reply handle.
func (c *codec) openDelivery(r *deliveryRecord, id uint64) error {
	if r.ID != id {
		return movedError(aad("outbox", utoa(id)), "delivery "+utoa(r.ID))
	}
	var err error
	if r.Message.Text, err = c.openStringAs(r.Message.Text, c.textAAD(r), aadText(id)); err != nil {
		return err
	}
	r.LastError, err = c.openString(r.LastError, aadLastError(id))
	return err
}

func (c *codec) sealBoundaries(r *boundariesRecord, kr *keyring) error {
	var err error
	r.Private, err = c.sealFor(kr, r.Private, aadPrivate(r.Scene, r.Performer, r.Version), r.Performer)
	return err
}

// openBoundaries opens the record stored at boundaries/scene/performer/version.
func (c *codec) openBoundaries(r *boundariesRecord, scene, performer string, version int, kr *keyring) error {
	if r.Scene != scene || r.Performer != performer || r.Version != version {
		return movedError(aad("boundaries", scene, performer, itoa(version)),
			"version "+itoa(r.Version)+" of "+r.Performer+"'s boundaries for scene "+r.Scene)
	}
	private, erased, err := c.openFor(kr, r.Private, aadPrivate(scene, performer, version), performer)
	if erased {
		private = erasedBoundaries()
	}
	r.Private = private
	return err
}

func (c *codec) sealRider(r *riderRecord, kr *keyring) error {
	var err error
	r.Terms, err = c.sealFor(kr, r.Terms, aadTerms(r.Scene, r.Performer, r.Version), r.Performer)
	return err
}

// openRider opens the record stored at riders/scene/performer.
func (c *codec) openRider(r *riderRecord, scene, performer string, kr *keyring) error {
	if r.Scene != scene || r.Performer != performer {
		return movedError(aad("riders", scene, performer), r.Performer+"'s rider for scene "+r.Scene)
	}
	terms, erased, err := c.openFor(kr, r.Terms, aadTerms(scene, performer, r.Version), performer)
	if erased {
		terms = []byte(ErasedText)
	}
	r.Terms = terms
	return err
}

func (c *codec) sealReminder(r *reminderRecord, kr *keyring) error {
	var err error
	r.Note, err = c.sealStringFor(kr, r.Note, aadNote(r.ID, r.Answered), r.Performer)
	return err
}

// openReminder opens the record stored at reminders/id.
func (c *codec) openReminder(r *reminderRecord, id uint64, kr *keyring) error {
	if r.ID != id {
		return movedError(aad("reminders", utoa(id)), "reminder "+utoa(r.ID))
	}
	var err error
	r.Note, err = c.openStringFor(kr, r.Note, aadNote(id, r.Answered), r.Performer)
	return err
}

// sealSession seals the IC's override reason of a session, when it has
// one. A session without one, or written before the reason was sealed
// (in Override, as it was written), has nothing in OverrideSealed.
func (c *codec) sealSession(r *sessionRecord) error {
	if r.OverrideSealed == "" {
		return nil
	}
	var err error
	r.OverrideSealed, err = c.sealString(r.OverrideSealed, aadOverride(r.Scene, r.Seq))
	return err
}

// openSession opens the override reason of the session stored at
// sessions/scene/seq.
func (c *codec) openSession(r *sessionRecord, scene string, seq uint64) error {
	if r.OverrideSealed == "" {
		return nil
	}
	var err error
	r.OverrideSealed, err = c.openStringAs(r.OverrideSealed, aadOverride(scene, seq), "sessions/"+scene+"/"+utoa(seq)+"/override")
	return err
}
