package storage

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// TestLedgerSeededFromAnOlderFile: a file from before the audience ledger
// gets entries for what it shows icbot posted: each scene's latest
// top-line summary where it went, and the departments' channels. They
// have no platform reference, and count as visible.
func TestLedgerSeededFromAnOlderFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	posted := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	err = s.Update(t.Context(), func(tx bot.Tx) error {
		if err := tx.PutProduction(bot.ProductionInfo{DeptChannels: map[bot.Role]bot.ChannelID{bot.RoleCostume: "C-COST", bot.RoleProps: "C-PROPS"}}); err != nil {
			return err
		}
		if err := tx.PutScene(bot.Scene{ID: "12", Title: "x", Topline: bot.ToplineState{Channel: "G12", Version: 3, PostedAt: posted}}); err != nil {
			return err
		}
		return tx.PutScene(bot.Scene{ID: "14", Title: "never posted"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Back to version 6: no ledger, no time index.
	rawFile(t, path, func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketPosts, bucketEventTime} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64key(6))
	})

	s, err = Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := map[bot.ChannelID][]bot.Post{}
	err = s.View(t.Context(), func(tx bot.Tx) error {
		chs, err := tx.PostChannels()
		if err != nil {
			return err
		}
		for _, ch := range chs {
			if got[ch], err = tx.Posts(ch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("ledger channels %v, want G12, C-COST and C-PROPS", got)
	}
	top := got["G12"]
	if len(top) != 1 || top[0].Class != bot.ClassTopline || top[0].Scene != "12" || top[0].Ref != "" || !top[0].Visible() ||
		!top[0].At.Equal(posted) || !strings.Contains(top[0].What, "top-line summary of scene 12 (version 3 and earlier") {
		t.Errorf("G12: %+v", top)
	}
	if c := got["C-COST"]; len(c) != 1 || c[0].Class != bot.ClassGarments {
		t.Errorf("costume: %+v", c)
	}
	if c := got["C-PROPS"]; len(c) != 1 || c[0].Class != bot.ClassCrew {
		t.Errorf("props: %+v", c)
	}
}

// TestRequestKeysForgottenFromTheOldest: keys are remembered for
// EventMemory; older ones are forgotten a few at a time, from the oldest,
// through the time index, never by reading them all.
func TestRequestKeysForgottenFromTheOldest(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "icbot.db"), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	keys := func() (n, indexed int) {
		s.db.View(func(tx *bolt.Tx) error {
			n, indexed = tx.Bucket(bucketEvents).Stats().KeyN, tx.Bucket(bucketEventTime).Stats().KeyN
			return nil
		})
		return n, indexed
	}
	for i := range 200 {
		if first, err := s.FirstSeen(t.Context(), "old-"+string(rune('A'+i%26))+string(rune('a'+i/26)), t0.Add(time.Duration(i)*time.Second)); err != nil || !first {
			t.Fatalf("key %d: %v %v", i, first, err)
		}
	}
	if first, _ := s.FirstSeen(t.Context(), "old-Aa", t0.Add(time.Hour)); first {
		t.Errorf("a key seen an hour ago was new again")
	}
	later := t0.Add(EventMemory + time.Hour)
	if first, _ := s.FirstSeen(t.Context(), "new-1", later); !first {
		t.Fatal("a new key was not new")
	}
	if n, idx := keys(); n != 200-prunePerCall+1 || idx != n {
		t.Errorf("after one key a day later: %d keys, %d indexed; want %d of each", n, idx, 200-prunePerCall+1)
	}
	for i := 2; i <= 5; i++ {
		s.FirstSeen(t.Context(), "new-"+string(rune('0'+i)), later)
	}
	if n, idx := keys(); n != 5 || idx != 5 {
		t.Errorf("after five keys a day later: %d keys, %d indexed; want the 5 new ones", n, idx)
	}
	if first, _ := s.FirstSeen(t.Context(), "old-Aa", later); !first {
		t.Errorf("a key older than EventMemory was still remembered")
	}
}
