package bot

import (
	"bytes"
	"errors"
	"iter"
	"testing"
	"time"
)

func chain(n int) []AuditRecord {
	prev := GenesisHash()
	var rs []AuditRecord
	for i := 1; i <= n; i++ {
		r := AuditRecord{Seq: uint64(i), Time: time.Date(2026, 11, 26, 9, i, 0, 0, time.UTC), Actor: "adam",
			Action: "scene.set", Scene: "12", Summary: "scene 12 changed: title"}
		r.Hash = ChainHash(prev, r)
		prev = r.Hash
		rs = append(rs, r)
	}
	return rs
}

func records(rs []AuditRecord) iter.Seq2[AuditRecord, error] {
	return func(yield func(AuditRecord, error) bool) {
		for _, r := range rs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

func TestVerifyChain(t *testing.T) {
	t.Run("intact", func(t *testing.T) {
		rs := chain(5)
		head, err := VerifyChain(records(rs))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := head.Records, uint64(5); got != want {
			t.Errorf("records = %d, want %d", got, want)
		}
		if !bytes.Equal(head.Hash, rs[4].Hash) {
			t.Errorf("head is not the last record's hash")
		}
	})
	t.Run("empty", func(t *testing.T) {
		head, err := VerifyChain(records(nil))
		if err != nil || head.Records != 0 || !bytes.Equal(head.Hash, GenesisHash()) {
			t.Errorf("empty chain: %+v, %v", head, err)
		}
	})
	tamper := []struct {
		name    string
		mutate  func([]AuditRecord) []AuditRecord
		wantPos uint64
	}{
		{"edited summary", func(rs []AuditRecord) []AuditRecord { rs[2].Summary = "nothing happened"; return rs }, 3},
		{"edited and rehashed", func(rs []AuditRecord) []AuditRecord {
			rs[2].Actor = "someone-else"
			rs[2].Hash = ChainHash(rs[1].Hash, rs[2])
			return rs
		}, 4},
		{"edited time", func(rs []AuditRecord) []AuditRecord { rs[0].Time = rs[0].Time.Add(time.Second); return rs }, 1},
		{"removed", func(rs []AuditRecord) []AuditRecord { return append(rs[:1], rs[2:]...) }, 2},
		{"reordered", func(rs []AuditRecord) []AuditRecord { rs[1], rs[2] = rs[2], rs[1]; return rs }, 2},
		{"renumbered after removal", func(rs []AuditRecord) []AuditRecord {
			rs = append(rs[:1], rs[2:]...)
			for i := range rs {
				rs[i].Seq = uint64(i + 1)
			}
			return rs
		}, 2},
	}
	for _, tt := range tamper {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifyChain(records(tt.mutate(chain(5))))
			var br *ChainBreak
			if !errors.As(err, &br) {
				t.Fatalf("VerifyChain error = %v, want a ChainBreak", err)
			}
			if got := br.Position; got != tt.wantPos {
				t.Errorf("break at %d, want %d (%v)", got, tt.wantPos, err)
			}
		})
	}
}

func TestCanonicalIsStable(t *testing.T) {
	r := AuditRecord{Seq: 7, Time: time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("X", 3600)), Actor: "adam",
		Action: "closedset.start", Scene: "12", Summary: `quote " and <tag>`}
	const want = `{"v":1,"seq":7,"time":"2026-11-26T08:00:00Z","actor":"adam","action":"closedset.start","scene":"12","summary":"quote \" and \u003ctag\u003e"}`
	if got := string(r.Canonical()); got != want {
		t.Errorf("Canonical() =\n%s\nwant\n%s\n(changing it breaks every stored chain)", got, want)
	}
}
