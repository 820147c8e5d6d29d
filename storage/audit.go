package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// HeadMismatchError says that the audit chain is intact record by record
// but does not end where meta/audit_head says it does: records were removed
// from (or added at) the end, or the last record or the head was replaced.
type HeadMismatchError struct {
	Records     uint64 // records in the verified chain
	HeadRecords uint64 // records according to the head
	Reason      string
}

// Error says what does not match, in words for the operator.
func (e *HeadMismatchError) Error() string { return e.Reason }

// VerifyAudit checks the whole audit chain in one read transaction: every
// record's sequence and hash (bot.VerifyChainWith, keyed in a keyed
// file), then that the chain ends where meta/audit_head says, and in a
// keyed file that the head's MAC verifies. It returns the verified head;
// on a break, the head of the records before it, with a *bot.ChainBreak
// or *HeadMismatchError in the error chain. A keyed file opened without
// its key cannot be verified (ErrNoKey).
func (s *Store) VerifyAudit(ctx context.Context) (bot.ChainHead, error) {
	if err := ctx.Err(); err != nil {
		return bot.ChainHead{}, err
	}
	var head bot.ChainHead
	err := s.view(func(btx *bolt.Tx) error {
		meta, log := btx.Bucket(bucketMeta), btx.Bucket(bucketAudit)
		if meta == nil || log == nil {
			return fmt.Errorf("database %s has no audit log or meta bucket", s.path)
		}
		chain, err := s.codec.chain()
		if err != nil {
			return err
		}
		if head, err = bot.VerifyChainWith(auditRecords(ctx, log), chain); err != nil {
			return err
		}
		stored, err := s.codec.readHead(meta)
		var tampered *tamperedError
		if errors.As(err, &tampered) {
			return &HeadMismatchError{Records: head.Records, Reason: tampered.Error()}
		}
		if err != nil {
			return err
		}
		return checkHead(head, stored, s.codec.keyed || meta.Get(keyAuditHead) != nil)
	})
	return head, err
}

// checkHead compares the verified chain with the stored head.
func checkHead(chain, stored bot.ChainHead, present bool) error {
	mismatch := func(format string, args ...any) error {
		return &HeadMismatchError{Records: chain.Records, HeadRecords: stored.Records, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case !present && chain.Records > 0:
		return mismatch("the audit log has %d records but no head: the head was removed", chain.Records)
	case chain.Records < stored.Records:
		return mismatch("the audit log ends at record %d but its head says %d: records were removed from the end", chain.Records, stored.Records)
	case chain.Records > stored.Records:
		return mismatch("the audit log has %d records but its head says %d: records were added after the head, or the head was rolled back", chain.Records, stored.Records)
	case !bytes.Equal(chain.Hash, stored.Hash):
		return mismatch("the hash of audit record %d does not match the audit head: the last record or the head was replaced", chain.Records)
	}
	return nil
}

// AuditRecords iterates over the audit records, oldest first, in one read
// transaction held while the loop runs; a read error ends the iteration
// with a non-nil error. The loop body must not use the Store: a write that
// has to grow the file waits for this read to end, which deadlocks when
// they are on one goroutine.
func (s *Store) AuditRecords(ctx context.Context) iter.Seq2[bot.AuditRecord, error] {
	return func(yield func(bot.AuditRecord, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(bot.AuditRecord{}, err)
			return
		}
		err := s.view(func(btx *bolt.Tx) error {
			log := btx.Bucket(bucketAudit)
			if log == nil {
				return fmt.Errorf("database %s has no audit log", s.path)
			}
			kr := &keyring{c: s.codec}
			if b := btx.Bucket(bucketPersonKeys); b != nil {
				kr.b = b
			}
			for r, err := range openedAuditRecords(ctx, log, openerFor(s.codec, kr)) {
				if !yield(r, err) || err != nil {
					return nil
				}
			}
			return nil
		})
		if err != nil {
			yield(bot.AuditRecord{}, err)
		}
	}
}

// AuditLog calls fn with every audit record, oldest first, in one read
// transaction, stopping at the first error, fn's or a read error, which
// it returns. fn must not use the Store (see AuditRecords).
func (s *Store) AuditLog(ctx context.Context, fn func(bot.AuditRecord) error) error {
	for r, err := range s.AuditRecords(ctx) {
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// AuditLen is how many records the audit log holds.
func (s *Store) AuditLen(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.View(ctx, func(tx bot.Tx) error {
		var err error
		n, err = tx.AuditLen()
		return err
	})
	return n, err
}

// auditRecords reads the audit bucket in key order. Keys are not covered
// by the hash, so a record in its right place but stored under another key
// than its sequence number is reported here as a break; records out of
// place are left to bot.VerifyChain, which says so better.
func auditRecords(ctx context.Context, log *bolt.Bucket) iter.Seq2[bot.AuditRecord, error] {
	return openedAuditRecords(ctx, log, nil)
}

// auditOpener gives a record read from the file its people back (see
// codec.openAuditPeople).
type auditOpener func(*bot.AuditRecord, auditRecord) error

// openerFor opens records with c and kr.
func openerFor(c *codec, kr *keyring) auditOpener {
	return func(r *bot.AuditRecord, rec auditRecord) error { return c.openAuditPeople(kr, r, rec) }
}

// openedAuditRecords is auditRecords with each record opened by open,
// when given.
func openedAuditRecords(ctx context.Context, log *bolt.Bucket, open auditOpener) iter.Seq2[bot.AuditRecord, error] {
	return func(yield func(bot.AuditRecord, error) bool) {
		c := log.Cursor()
		var pos uint64
		for k, v := c.First(); k != nil; k, v = c.Next() {
			pos++
			if err := ctx.Err(); err != nil {
				yield(bot.AuditRecord{}, err)
				return
			}
			var r auditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				yield(bot.AuditRecord{}, &bot.ChainBreak{Position: pos, Reason: "it cannot be decoded: " + err.Error()})
				return
			}
			if r.Seq == pos && (len(k) != 8 || binary.BigEndian.Uint64(k) != pos) {
				yield(bot.AuditRecord{}, &bot.ChainBreak{Position: pos, Seq: r.Seq, Reason: fmt.Sprintf("it is stored under key %x, not under its sequence number", k)})
				return
			}
			out := r.bot()
			if open != nil {
				if err := open(&out, r); err != nil {
					yield(bot.AuditRecord{}, err)
					return
				}
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}

var _ bot.AuditReader = (*tx)(nil)

// AuditRecords iterates over the audit records in the transaction, oldest
// first, as AuditLog reads them: a record stored out of place ends the
// iteration with a *bot.ChainBreak. It does not verify the chain
// (VerifyAudit does).
func (t *tx) AuditRecords() iter.Seq2[bot.AuditRecord, error] {
	return func(yield func(bot.AuditRecord, error) bool) {
		log, err := t.bucket(bucketAudit)
		if err != nil {
			yield(bot.AuditRecord{}, err)
			return
		}
		kr, err := t.keys()
		if err != nil {
			yield(bot.AuditRecord{}, err)
			return
		}
		for r, err := range openedAuditRecords(context.Background(), log.b, openerFor(t.codec, kr)) {
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
}

// AuditNewestFirst iterates over the audit records in the transaction,
// newest first. A record that does not decode, or is stored under a key
// other than its sequence number, ends the iteration with a
// *bot.ChainBreak.
func (t *tx) AuditNewestFirst() iter.Seq2[bot.AuditRecord, error] {
	return func(yield func(bot.AuditRecord, error) bool) {
		log, err := t.bucket(bucketAudit)
		if err != nil {
			yield(bot.AuditRecord{}, err)
			return
		}
		kr, err := t.keys()
		if err != nil {
			yield(bot.AuditRecord{}, err)
			return
		}
		c := log.b.Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var r auditRecord
			if err := json.Unmarshal(v, &r); err != nil {
				yield(bot.AuditRecord{}, &bot.ChainBreak{Reason: "it cannot be decoded: " + err.Error()})
				return
			}
			if len(k) != 8 || binary.BigEndian.Uint64(k) != r.Seq {
				yield(bot.AuditRecord{}, &bot.ChainBreak{Seq: r.Seq, Reason: fmt.Sprintf("it is stored under key %x, not under its sequence number", k)})
				return
			}
			out := r.bot()
			if err := t.codec.openAuditPeople(kr, &out, r); err != nil {
				yield(bot.AuditRecord{}, err)
				return
			}
			if !yield(out, nil) {
				return
			}
		}
	}
}
