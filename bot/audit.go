package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
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
}

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

// Canonical is the byte form of the record that the hash covers.
func (r AuditRecord) Canonical() []byte {
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
