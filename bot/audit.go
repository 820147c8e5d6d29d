package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
)

// AuditRecord is one entry of the production's tamper-evident record. The
// summary never holds sensitive content (boundary answers, notes, rider
// terms, hold reasons).
type AuditRecord struct {
	Seq     uint64 // 1, 2, ... assigned by the store
	Time    time.Time
	Actor   UserID
	Action  string // "scene.add", "closedset.start", ...
	Scene   SceneID
	Summary string
	// Hash chains the record to the one before: a ChainFunc of the
	// previous record's Hash and this record (ChainHash, or the keyed
	// chain the store uses); the first record's previous hash is 32 zero
	// bytes.
	Hash []byte
	// Stored, when set, is the record's canonical form as the store keeps
	// it with its personal fields (the actor, the people its summary
	// refers to) sealed under those people's data keys: the chain's hash
	// covers these bytes, not the fields opened, so that it verifies
	// after a person's key is destroyed. The store sets it; the bot never
	// does.
	Stored []byte
}

// ErasedPerson stands for a person an audit record named whose data key
// was destroyed: who it was can no longer be read. The store gives it as
// the Actor and, in the summary, in place of the person's reference.
const ErasedPerson UserID = "[erased]"

// canonicalAudit fixes the field order and encoding that the hash covers.
// Changing it breaks every existing chain: add a version instead.
type canonicalAudit struct {
	V       int    `json:"v"`
	Seq     uint64 `json:"seq"`
	Time    string `json:"time"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	Scene   string `json:"scene"`
	Summary string `json:"summary"`
}

// Canonical is the byte form of the record that the hash covers: Stored
// when the store sealed its personal fields.
func (r AuditRecord) Canonical() []byte {
	if r.Stored != nil {
		return r.Stored
	}
	b, err := json.Marshal(canonicalAudit{
		V: 1, Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano),
		Actor: string(r.Actor), Action: r.Action, Scene: string(r.Scene), Summary: r.Summary,
	})
	if err != nil {
		panic(err) // strings and numbers always marshal
	}
	return b
}

// GenesisHash returns the "previous hash" of the first record: 32 zero
// bytes, a fresh slice each time.
func GenesisHash() []byte { return make([]byte, sha256.Size) }

// ChainFunc computes a record's chain hash from the previous record's.
type ChainFunc func(prev []byte, r AuditRecord) []byte

// ChainHash is the unkeyed chain: SHA-256(prev || Canonical()). Anyone
// who can write the records can also recompute it; a store with a key
// chains with a keyed function instead.
func ChainHash(prev []byte, r AuditRecord) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(r.Canonical())
	return h.Sum(nil)
}

// ChainBreak says where the audit chain stops being trustworthy.
type ChainBreak struct {
	Position uint64 // 1-based position in the stored order
	Seq      uint64 // the sequence number stored there
	Reason   string
}

func (e *ChainBreak) Error() string {
	return fmt.Sprintf("audit record %d (stored seq %d) is broken: %s; every record from it on is untrusted", e.Position, e.Seq, e.Reason)
}

// ChainHead summarises a verified chain.
type ChainHead struct {
	Records uint64
	Hash    []byte // the last record's hash; GenesisHash for an empty chain
}

// HeadHex is the head hash in hex, to be written down outside icbot so that
// a later truncation of the log can be noticed.
func (h ChainHead) HeadHex() string { return hex.EncodeToString(h.Hash) }

// VerifyChain walks records in stored order and returns the first break:
// an edited record (its hash no longer matches), a removed one (a gap in
// the sequence) or a reordered one (a sequence out of place).
func VerifyChain(records iter.Seq2[AuditRecord, error]) (ChainHead, error) {
	return VerifyChainWith(records, ChainHash)
}

// VerifyChainWith is VerifyChain for a chain computed with chain.
func VerifyChainWith(records iter.Seq2[AuditRecord, error], chain ChainFunc) (ChainHead, error) {
	head := ChainHead{Hash: GenesisHash()}
	for r, err := range records {
		if err != nil {
			return head, fmt.Errorf("reading audit record %d: %w", head.Records+1, err)
		}
		pos := head.Records + 1
		switch {
		case r.Seq != pos:
			reason := fmt.Sprintf("expected sequence %d here; a record was removed or records were reordered", pos)
			return head, &ChainBreak{Position: pos, Seq: r.Seq, Reason: reason}
		case !hmac.Equal(chain(head.Hash, r), r.Hash):
			return head, &ChainBreak{Position: pos, Seq: r.Seq, Reason: "its content or hash does not match the chain; it was edited, or an earlier record was replaced"}
		}
		head.Records = pos
		head.Hash = r.Hash
	}
	return head, nil
}

// AuditReader is an optional Tx ability: read the audit trail inside the
// transaction, so that what is read is one consistent state. The store's
// transactions have it; /audit show and `icbot audit export` read
// through it (AuditReaderOf).
type AuditReader interface {
	// AuditRecords iterates over the records, oldest first; a read
	// error ends the iteration with a non-nil error.
	AuditRecords() iter.Seq2[AuditRecord, error]
	// AuditNewestFirst iterates over the records, newest first.
	AuditNewestFirst() iter.Seq2[AuditRecord, error]
}

// AuditReaderOf returns tx's AuditReader, looking through the bot's own
// wrapping of a command's transaction; false when the store has none.
func AuditReaderOf(tx Tx) (AuditReader, bool) {
	for {
		if r, ok := tx.(AuditReader); ok {
			return r, true
		}
		w, ok := tx.(txWrapper)
		if !ok {
			return nil, false
		}
		tx = w.wrapped()
	}
}

// txWrapper is a Tx the bot wraps around the store's, to watch or keep
// what it reads: the store's abilities beyond Tx are those of the
// transaction inside.
type txWrapper interface{ wrapped() Tx }

func (t *touching) wrapped() Tx   { return t.Tx }
func (t *peopleOnce) wrapped() Tx { return t.Tx }

// privateActions are the audit actions whose actor the need-to-know table
// gives to the IC alone: who called a hold, whose boundaries changed or
// whose consent was withdrawn, who answered a check-in, who consented to
// explore a beat, who confirmed or disputed a rehearsal's record. Their summaries
// may name that person too. The words are what a reader without the
// right to know reads in their place.
var privateActions = map[string]string{
	"hold.call":           "a hold was called",
	"boundaries.answer":   "a performer's boundaries were recorded",
	"boundaries.withdraw": "a performer withdrew consent",
	"remind.answer":       "a check-in was answered",
	"rehearsal.consent":   "a performer's consent to explore a beat changed",
	"rehearsal.confirm":   "a performer answered a rehearsal's record",
	"rehearsal.dispute":   "a performer answered a rehearsal's record",
}

// AuditPrivate is what of an audit record only the IC may read. The
// record itself holds nothing sealed (see AuditRecord); its actor can be
// private, and it points at sealed content that the store keeps
// elsewhere.
type AuditPrivate struct {
	// Withheld says that the actor is private, and with it the summary,
	// which may name them: WithheldSummary says what happened instead.
	Withheld bool
	// WithheldSummary is the summary for a reader without the right to
	// know: what happened, and on which scene, never who.
	WithheldSummary string
	// Detail is the sealed content the record points at: a hold's
	// reason, the notes of a boundaries version, a check-in's note; ""
	// when there is none.
	Detail string
}

// AuditPrivateOf reads what of r is private, in tx (which must be able
// to open sealed fields: the store's key).
func AuditPrivateOf(tx Tx, r AuditRecord) (AuditPrivate, error) {
	words, ok := privateActions[r.Action]
	if !ok {
		return AuditPrivate{}, nil
	}
	p := AuditPrivate{Withheld: true, WithheldSummary: words}
	if r.Scene != "" {
		p.WithheldSummary += " on scene " + string(r.Scene)
	}
	var err error
	switch r.Action {
	case "hold.call":
		p.Detail, err = holdReasonOf(tx, r)
	case "boundaries.answer", "boundaries.withdraw":
		p.Detail, err = consentNoteOf(tx, r)
	case "remind.answer":
		p.Detail, err = checkInNoteOf(tx, r)
	}
	return p, err
}

// holdReasonOf finds the hold r records by the number its summary gives
// ("hold 3 called on scene 12"), called by its actor: several holds may
// be called by one person in one second (a withdrawal's hold, then their
// own). A scene removed since has none.
func holdReasonOf(tx Tx, r AuditRecord) (string, error) {
	var seq int
	if _, err := fmt.Sscanf(r.Summary, "hold %d ", &seq); err != nil {
		return "", nil
	}
	sc, err := tx.Scene(r.Scene)
	if ErrorCode(err) == ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	for _, h := range sc.Holds {
		if h.Seq == seq && (h.CalledBy == r.Actor || r.Actor == ErasedPerson) {
			return h.Reason, nil
		}
	}
	return "", nil
}

// consentNoteOf finds the notes of the boundaries version r records: its
// actor's, for its scene, written at its time.
func consentNoteOf(tx Tx, r AuditRecord) (string, error) {
	versions, err := tx.BoundariesHistory(r.Scene, r.Actor)
	if ErrorCode(err) == ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	for _, v := range versions {
		if v.At.Equal(r.Time) {
			return v.Notes, nil
		}
	}
	return "", nil
}

// checkInNoteOf finds the note of the reminder r records the answer to,
// named in its summary ("reminder 12 (checkin) answered").
func checkInNoteOf(tx Tx, r AuditRecord) (string, error) {
	var id uint64
	if _, err := fmt.Sscanf(r.Summary, "reminder %d ", &id); err != nil {
		return "", nil
	}
	rem, err := tx.Reminder(id)
	if ErrorCode(err) == ENOTFOUND {
		return "", nil
	}
	if err != nil || rem.Performer != r.Actor {
		return "", err
	}
	return rem.Note, nil
}

// An audit record names a person by a reference to their id, never by
// their name: the chain hashes the reference, and a reader sees the
// person's name as it is when read. A person whose data was erased is
// then named by their pseudonym in every record about them, old and new,
// and the chain still verifies. (Records written before references were
// used keep the names they were written with.)
const personRefOpen, personRefClose = "{person:", "}"

// personRef is the reference to person id in an audit summary.
func personRef(id UserID) string { return personRefOpen + string(id) + personRefClose }

// PersonRef is the reference to person id in an audit summary, for the
// store, which seals the people a summary refers to.
func PersonRef(id UserID) string { return personRef(id) }

// ReplacePersonRefs writes each person reference in summary as f says:
// the store replaces them with its own placeholders when it seals them.
func ReplacePersonRefs(summary string, f func(UserID) (string, error)) (string, error) {
	return renderRefs(summary, f)
}

// RenderAuditSummary writes a summary's person references as the
// people's handles now.
func RenderAuditSummary(tx Tx, summary string) (string, error) {
	return renderRefs(summary, func(id UserID) (string, error) {
		if id == ErasedPerson {
			return string(ErasedPerson), nil
		}
		p, err := personOf(tx, id)
		return p.Handle(), err
	})
}

// renderRefs writes each person reference in s as handle says.
func renderRefs(s string, handle func(UserID) (string, error)) (string, error) {
	var out strings.Builder
	for {
		i := strings.Index(s, personRefOpen)
		j := -1
		if i >= 0 {
			j = strings.Index(s[i:], personRefClose)
		}
		if j < 0 {
			out.WriteString(s)
			return out.String(), nil
		}
		h, err := handle(UserID(s[i+len(personRefOpen) : i+j]))
		if err != nil {
			return "", err
		}
		out.WriteString(s[:i] + h)
		s = s[i+j+len(personRefClose):]
	}
}
