package storage

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// An audit record names people in two places: its actor, and the
// references to people in its summary (bot.PersonRef). From schema
// version 11, in a file with a key, each of them is sealed under that
// person's own data key, and the chain's hash covers the sealed bytes
// (bot.AuditRecord.Stored): when Erase destroys a person's key, the
// records they wrote or were named in read as bot.ErasedPerson, and the
// chain still verifies, since nothing it covers changed.
//
// A sealed name does not say whose key it is under: that would name the
// person in clear. It carries the key's id instead, a MAC of a fixed
// label under the key itself, which only a reader holding the key can
// compute. Once the key is destroyed, nothing in the file links the id
// to anyone.

// auditPeopleSince is the schema version from which audit records seal
// the people they name.
const auditPeopleSince = 11

// auditSealVersion is the first byte of a name sealed in an audit record:
// then the key's id, the nonce, the ciphertext and the tag.
const auditSealVersion byte = 3

// kidSize is the length of a person key's id.
const kidSize = 16

// auditRefOpen and auditRefClose delimit the stored summary's
// placeholders: "{ref:0}" stands for the person sealed in Refs[0].
const auditRefOpen, auditRefClose = "{ref:", "}"

// keyID is the id of a person's data key raw.
func keyID(raw []byte) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("icbot/v1 person key id"))
	return m.Sum(nil)[:kidSize]
}

// aadAuditName binds a sealed name to its record and field: what aad
// would give, built without escaping, since neither part needs it.
func aadAuditName(seq uint64, field string) string {
	return "audit/" + utoa(seq) + "/" + field
}

// sealsAuditPeople says whether records written with c and kr seal the
// people they name: a file of version 11 or later, with a key and with
// person keys.
func (c *codec) sealsAuditPeople(kr *keyring) bool {
	return c.key != nil && c.keyed && c.auditPeople && !c.noPersonKeys && kr != nil && (kr.b != nil || kr.m != nil)
}

// sealAuditPeople seals r's actor and the people its summary refers to,
// each under their own key, and marks it version 2. The actor "icbot"
// (the bot's own doing) and an empty one name nobody.
func (c *codec) sealAuditPeople(kr *keyring, r *auditRecord) error {
	if r.V >= 2 {
		return nil
	}
	if r.Actor != "" && r.Actor != "icbot" {
		s, err := c.sealAuditName(kr, r.Actor, aadAuditName(r.Seq, "actor"))
		if err != nil {
			return err
		}
		r.ActorSealed, r.Actor = s, ""
	}
	var refs []string
	summary, err := bot.ReplacePersonRefs(r.Summary, func(id bot.UserID) (string, error) {
		i := len(refs)
		s, err := c.sealAuditName(kr, string(id), aadAuditName(r.Seq, "ref/"+itoa(i)))
		if err != nil {
			return "", err
		}
		refs = append(refs, s)
		return auditRefOpen + itoa(i) + auditRefClose, nil
	})
	if err != nil {
		return err
	}
	r.Summary, r.Refs, r.V = summary, refs, 2
	return nil
}

// sealAuditName seals user's id under user's current key.
func (c *codec) sealAuditName(kr *keyring, user, aad string) (string, error) {
	pk, err := kr.current(user)
	if err != nil {
		return "", err
	}
	out := make([]byte, 0, 1+kidSize+sealOverhead+len(user))
	out = append(out, auditSealVersion)
	out = append(out, pk.kid...)
	return b64(pk.aead.Seal(out, nil, []byte(user), []byte(aad))), nil
}

// openAuditName opens a name sealed by sealAuditName: the person, or
// bot.ErasedPerson when no key the file holds has its id.
func (c *codec) openAuditName(kr *keyring, stored, aad string) (bot.UserID, error) {
	n, err := base64.StdEncoding.Strict().Decode(kr.scratch(base64.StdEncoding.DecodedLen(len(stored))), []byte(stored))
	if err != nil {
		n = 0
	}
	b := kr.buf[:n]
	if len(b) < 1+kidSize || b[0] != auditSealVersion {
		return "", brokenf("sealed name %s cannot be decoded: the file was damaged or changed", aad)
	}
	user, pk, err := kr.byKid(b[1 : 1+kidSize])
	if err != nil {
		return "", err
	}
	if pk == nil {
		return bot.ErasedPerson, nil
	}
	plain, err := pk.aead.Open(b[1+kidSize:1+kidSize], nil, b[1+kidSize:], []byte(aad))
	if err != nil || string(plain) != user {
		return "", brokenf("sealed name %s cannot be opened: it was changed, or moved from another record or field", aad)
	}
	return bot.UserID(user), nil
}

// openAuditPeople gives r, read from rec, its people back: the actor and
// the summary's references, as the record was written, or
// bot.ErasedPerson for each person whose key was destroyed. Without the
// key the sealed names stay sealed: the actor is empty and the summary
// keeps its placeholders.
func (c *codec) openAuditPeople(kr *keyring, r *bot.AuditRecord, rec auditRecord) error {
	if rec.V < 2 || c.key == nil || kr == nil {
		return nil
	}
	if rec.ActorSealed != "" {
		id, err := c.openAuditName(kr, rec.ActorSealed, aadAuditName(rec.Seq, "actor"))
		if err != nil {
			return err
		}
		r.Actor = id
	}
	var out strings.Builder
	s := rec.Summary
	for {
		i := strings.Index(s, auditRefOpen)
		j := -1
		if i >= 0 {
			j = strings.Index(s[i:], auditRefClose)
		}
		if j < 0 {
			out.WriteString(s)
			break
		}
		n, err := strconv.Atoi(s[i+len(auditRefOpen) : i+j])
		if err != nil || n < 0 || n >= len(rec.Refs) {
			return brokenf("audit record %d refers to a sealed name it does not hold: the file was damaged or changed", rec.Seq)
		}
		id, err := c.openAuditName(kr, rec.Refs[n], aadAuditName(rec.Seq, "ref/"+itoa(n)))
		if err != nil {
			return err
		}
		out.WriteString(s[:i] + bot.PersonRef(id))
		s = s[i+j+len(auditRefClose):]
	}
	r.Summary = out.String()
	return nil
}

// canonicalSealedAudit is what the chain's hash covers of a record of
// version 2: the sealed names, never the names, and the actor in clear
// too, which is empty or "icbot" (so that none can be added). Changing it
// breaks every existing chain.
type canonicalSealedAudit struct {
	V       int      `json:"v"`
	Seq     uint64   `json:"seq"`
	Time    string   `json:"time"`
	Clear   string   `json:"actor"`
	Actor   string   `json:"actor_sealed"`
	Action  string   `json:"action"`
	Scene   string   `json:"scene"`
	Summary string   `json:"summary"`
	Refs    []string `json:"refs"`
}

// storedForm is the canonical form of a record of version 2, nil for one
// written in clear.
func (r auditRecord) storedForm() []byte {
	if r.V < 2 {
		return nil
	}
	b, err := json.Marshal(canonicalSealedAudit{
		V: r.V, Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano), Clear: r.Actor, Actor: r.ActorSealed,
		Action: r.Action, Scene: r.Scene, Summary: r.Summary, Refs: append([]string{}, r.Refs...),
	})
	if err != nil {
		panic(fmt.Sprintf("storage: encoding audit record %d: %v", r.Seq, err)) // strings only
	}
	return b
}

// byKid finds the person whose current key has id kid, and that key;
// none when no key the file holds has it (the key was destroyed).
func (kr *keyring) byKid(kid []byte) (string, *personKey, error) {
	if kr.kids == nil {
		kids := make(map[string]string)
		add := func(user string) error {
			pk, err := kr.load(user)
			if err != nil {
				return err
			}
			if pk != nil && !pk.erased() {
				kids[string(pk.kid)] = user
			}
			return nil
		}
		switch {
		case kr.m != nil:
			for user := range kr.m {
				if err := add(user); err != nil {
					return "", nil, err
				}
			}
		case kr.b != nil:
			each, ok := kr.b.(interface {
				ForEach(func(k, v []byte) error) error
			})
			if !ok {
				return "", nil, fmt.Errorf("storage: the personkeys bucket cannot be listed")
			}
			var users []string
			if err := each.ForEach(func(k, _ []byte) error { users = append(users, string(k)); return nil }); err != nil {
				return "", nil, err
			}
			for _, u := range users {
				if err := add(u); err != nil {
					return "", nil, err
				}
			}
		}
		kr.kids = kids
	}
	user, ok := kr.kids[string(kid)]
	if !ok {
		return "", nil, nil
	}
	pk, err := kr.load(user)
	if err != nil || pk == nil || pk.erased() {
		return "", nil, err
	}
	return user, pk, nil
}

// sealAuditPeople is the migration to version 11. The layout does not
// change; sealing the names needs the key, so Open does it in the same
// write transaction (setupKey), and a file without a key keeps its audit
// trail in clear.
func sealAuditPeople(*bolt.Tx) error { return nil }

// scratch gives the keyring's buffer, of at least n bytes, for opening
// sealed names one after another.
func (kr *keyring) scratch(n int) []byte {
	if cap(kr.buf) < n {
		kr.buf = make([]byte, n, max(n, 256))
	}
	kr.buf = kr.buf[:n]
	return kr.buf
}
