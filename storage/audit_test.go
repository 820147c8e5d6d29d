package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// TestAuditTamper writes five records through the Store, closes it, changes
// the file with bbolt directly as someone with the file could, reopens it
// and verifies.
func TestAuditTamper(t *testing.T) {
	const n = 5

	// readRec and writeRec edit one stored record as raw JSON.
	readRec := func(t *testing.T, b *bolt.Bucket, seq uint64) auditRecord {
		t.Helper()
		var r auditRecord
		if err := json.Unmarshal(b.Get(u64key(seq)), &r); err != nil {
			t.Fatalf("record %d: %v", seq, err)
		}
		return r
	}
	writeRec := func(t *testing.T, b *bolt.Bucket, key uint64, r auditRecord) {
		t.Helper()
		v, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Put(u64key(key), v); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		tamper func(t *testing.T, tx *bolt.Tx) // nil: untouched
		// For a break in the chain: where VerifyChain stops.
		wantBreakAt  uint64
		wantBreakSeq uint64
		// For a chain that does not end at its head: the message.
		wantHeadErr string
		// The records VerifyAudit vouches for.
		wantRecords uint64
		// The last vouched-for record is the forged one, so its hash is
		// not the original's.
		forgedHead bool
	}{
		{
			name:        "untouched chain verifies",
			wantRecords: n,
		},
		{
			name: "summary edited",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				b := tx.Bucket(bucketAudit)
				r := readRec(t, b, 3)
				r.Summary = "nothing happened"
				writeRec(t, b, 3, r)
			},
			wantBreakAt: 3, wantBreakSeq: 3, wantRecords: 2,
		},
		{
			name: "record edited and its hash recomputed: caught at the next record",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				b := tx.Bucket(bucketAudit)
				prev, r := readRec(t, b, 2), readRec(t, b, 3)
				r.Actor = "someone-else"
				r.Hash = bot.ChainHash(prev.Hash, r.bot())
				writeRec(t, b, 3, r)
			},
			wantBreakAt: 4, wantBreakSeq: 4, wantRecords: 3, forgedHead: true,
		},
		{
			name: "middle record deleted",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				if err := tx.Bucket(bucketAudit).Delete(u64key(3)); err != nil {
					t.Fatal(err)
				}
			},
			wantBreakAt: 3, wantBreakSeq: 4, wantRecords: 2,
		},
		{
			name: "two records' values swapped",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				b := tx.Bucket(bucketAudit)
				r2, r4 := readRec(t, b, 2), readRec(t, b, 4)
				writeRec(t, b, 2, r4)
				writeRec(t, b, 4, r2)
			},
			wantBreakAt: 2, wantBreakSeq: 4, wantRecords: 1,
		},
		{
			name: "record moved to another key with its sequence",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				b := tx.Bucket(bucketAudit)
				r5 := readRec(t, b, 5)
				if err := b.Delete(u64key(5)); err != nil {
					t.Fatal(err)
				}
				writeRec(t, b, 9, r5)
			},
			wantBreakAt: 5, wantBreakSeq: 5, wantRecords: 4,
		},
		{
			name: "last record deleted: caught by the head",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				if err := tx.Bucket(bucketAudit).Delete(u64key(n)); err != nil {
					t.Fatal(err)
				}
			},
			wantHeadErr: "the audit log ends at record 4 but its head says 5: records were removed from the end",
			wantRecords: 4,
		},
		{
			name: "head rolled back",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				b := tx.Bucket(bucketAudit)
				r4 := readRec(t, b, 4)
				if err := plainCodec.writeHead(tx.Bucket(bucketMeta), bot.ChainHead{Records: 4, Hash: r4.Hash}); err != nil {
					t.Fatal(err)
				}
			},
			wantHeadErr: "the audit log has 5 records but its head says 4: records were added after the head, or the head was rolled back",
			wantRecords: 5,
		},
		{
			name: "head hash replaced",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				if err := plainCodec.writeHead(tx.Bucket(bucketMeta), bot.ChainHead{Records: n, Hash: bytes.Repeat([]byte{7}, 32)}); err != nil {
					t.Fatal(err)
				}
			},
			wantHeadErr: "the hash of audit record 5 does not match the audit head: the last record or the head was replaced",
			wantRecords: 5,
		},
		{
			name: "head removed",
			tamper: func(t *testing.T, tx *bolt.Tx) {
				if err := tx.Bucket(bucketMeta).Delete(keyAuditHead); err != nil {
					t.Fatal(err)
				}
			},
			wantHeadErr: "the audit log has 5 records but no head: the head was removed",
			wantRecords: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			want := writeAuditLog(t, path, n)
			if tt.tamper != nil {
				rawFile(t, path, func(tx *bolt.Tx) error { tt.tamper(t, tx); return nil })
			}

			s, err := Open(path, quiet)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			head, err := s.VerifyAudit(t.Context())

			var brk *bot.ChainBreak
			var mismatch *HeadMismatchError
			switch {
			case tt.wantBreakAt != 0:
				if !errors.As(err, &brk) {
					t.Fatalf("VerifyAudit = %v, want a *bot.ChainBreak", err)
				}
				if got, want := [2]uint64{brk.Position, brk.Seq}, [2]uint64{tt.wantBreakAt, tt.wantBreakSeq}; got != want {
					t.Errorf("break at position, seq = %v, want %v (%v)", got, want, err)
				}
			case tt.wantHeadErr != "":
				if !errors.As(err, &mismatch) {
					t.Fatalf("VerifyAudit = %v, want a *HeadMismatchError", err)
				}
				if got, want := err.Error(), tt.wantHeadErr; got != want {
					t.Errorf("error = %q, want %q", got, want)
				}
			case err != nil:
				t.Fatalf("VerifyAudit: %v", err)
			}
			wantHead := bot.ChainHead{Records: tt.wantRecords, Hash: bot.GenesisHash()}
			if tt.wantRecords > 0 {
				wantHead.Hash = want[tt.wantRecords-1].Hash
			}
			if tt.forgedHead {
				wantHead.Hash = head.Hash
			}
			if diff := cmp.Diff(wantHead, head); diff != "" {
				t.Errorf("verified head (-want +got):\n%s", diff)
			}
			t.Logf("VerifyAudit: %v", err)
		})
	}
}

// TestAuditTruncatedWithHead shows the limit of the head check: removing
// the last record and rewriting the head to match leaves a valid shorter
// chain, noticed only by comparing HeadHex with a copy kept elsewhere.
func TestAuditTruncatedWithHead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	recs := writeAuditLog(t, path, 3)
	noted := bot.ChainHead{Records: 3, Hash: recs[2].Hash}.HeadHex()
	rawFile(t, path, func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketAudit).Delete(u64key(3)); err != nil {
			return err
		}
		return plainCodec.writeHead(tx.Bucket(bucketMeta), bot.ChainHead{Records: 2, Hash: recs[1].Hash})
	})
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if head.HeadHex() == noted {
		t.Error("head unchanged by truncation")
	}
}

// TestAuditNeverOverwrites shows that a head behind the records (rolled
// back) makes Audit refuse rather than overwrite a record.
func TestAuditNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	recs := writeAuditLog(t, path, 3)
	rawFile(t, path, func(tx *bolt.Tx) error {
		return plainCodec.writeHead(tx.Bucket(bucketMeta), bot.ChainHead{Records: 2, Hash: recs[1].Hash})
	})
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(t.Context(), func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{Action: "scene.add"}) })
	if got, want := bot.ErrorCode(err), bot.EINTERNAL; got != want {
		t.Fatalf("Audit error code = %q (%v), want %q", got, err, want)
	}
	var got []bot.AuditRecord
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("records changed (-want +got):\n%s", diff)
	}
}

// writeAuditLog creates a store at path with n audit records and returns
// them as stored.
func writeAuditLog(t *testing.T, path string, n int) []bot.AuditRecord {
	t.Helper()
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2031, 6, 14, 7, 0, 0, 0, time.UTC)
	for i := range n {
		err := s.Update(t.Context(), func(tx bot.Tx) error {
			return tx.Audit(bot.AuditRecord{
				Time: at.Add(time.Duration(i) * time.Minute), Actor: "U5", Action: "scene.set",
				Scene: "12", Summary: fmt.Sprintf("change %d", i+1),
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var recs []bot.AuditRecord
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != n {
		t.Fatalf("%d records written, want %d", len(recs), n)
	}
	return recs
}

// plainCodec writes the audit head of a file without a key.
var plainCodec = &codec{}
