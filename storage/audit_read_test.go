package storage

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// TestAuditReadInTx reads the trail through a transaction, both ways, as
// /audit show and icbot audit export do, from a file opened read-only.
func TestAuditReadInTx(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	want := writeAuditLog(t, path, 4)
	s, err := Open(path, quiet, WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var oldest, newest []uint64
	err = s.View(t.Context(), func(tx bot.Tx) error {
		reader, ok := bot.AuditReaderOf(tx)
		if !ok {
			t.Fatal("a store transaction has no AuditReader")
		}
		for r, err := range reader.AuditRecords() {
			if err != nil {
				return err
			}
			if r.Summary != want[r.Seq-1].Summary {
				t.Errorf("record %d: summary %q, want %q", r.Seq, r.Summary, want[r.Seq-1].Summary)
			}
			oldest = append(oldest, r.Seq)
		}
		for r, err := range reader.AuditNewestFirst() {
			if err != nil {
				return err
			}
			newest = append(newest, r.Seq)
			if r.Seq == 3 {
				break // stopping early is allowed
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := oldest, []uint64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("oldest first: %v, want %v", got, want)
	}
	if got, want := newest, []uint64{4, 3}; !slices.Equal(got, want) {
		t.Errorf("newest first: %v, want %v", got, want)
	}
}

// TestAuditNewestFirstOutOfPlace: a record stored under another key than
// its number ends the walk with a break, not a wrong listing.
func TestAuditNewestFirstOutOfPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	writeAuditLog(t, path, 3)
	rawFile(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAudit)
		v := append([]byte(nil), b.Get(u64key(2))...)
		return b.Put(u64key(9), v)
	})
	s, err := Open(path, quiet, WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(t.Context(), func(tx bot.Tx) error {
		reader, _ := bot.AuditReaderOf(tx)
		for _, err := range reader.AuditNewestFirst() {
			if err != nil {
				return err
			}
		}
		return nil
	})
	var brk *bot.ChainBreak
	if !errors.As(err, &brk) || brk.Seq != 2 {
		t.Fatalf("err = %v, want a break at the record stored as 9", err)
	}
}
