package storage_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// TestShredPersonKeys: shredding destroys every person's data key at
// once, so that the sealed fields about each read as [erased], keeps
// their names, writes nothing when done again, and leaves the file, once
// reopened (which compacts it), holding neither the keys nor their
// sealed form; the records and audit trail verify.
func TestShredPersonKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	keys := [][]byte{storage.PersonKey(s, "U1"), storage.PersonKey(s, "U2")}
	dump, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"U1", "U2"} {
		var rec struct{ Key []byte }
		if v, err := strconv.Unquote(dump[`personkeys/"`+u+`"`]); err != nil || json.Unmarshal([]byte(v), &rec) != nil || len(rec.Key) == 0 {
			t.Fatalf("%s's key record: %q %v", u, dump[`personkeys/"`+u+`"`], err)
		}
		keys = append(keys, rec.Key)
	}
	canaries := []string{canaryNotes + "-v2", canaryNotes + "-u2", canaryTerms + "-second", canaryReason + "-second", canaryRemNote + "-second"}
	before := readAll(t, s)
	for _, c := range canaries {
		if !strings.Contains(before, c) {
			t.Fatalf("before shredding, %s reads nowhere", c)
		}
	}

	var n int
	update(t, s, func(tx bot.Tx) error {
		var err error
		n, err = tx.ShredPersonKeys(t0)
		return err
	})
	if n != 2 {
		t.Errorf("shredded %d keys, want 2 (U1's and U2's)", n)
	}
	after := readAll(t, s)
	for _, c := range canaries {
		if strings.Contains(after, c) {
			t.Errorf("after shredding, %s still reads", c)
		}
	}
	if !strings.Contains(after, storage.ErasedText) {
		t.Error("nothing reads as erased")
	}
	view(t, s, func(tx bot.Tx) error {
		p, err := tx.Person("U1")
		if err == nil && p.Name != "ana" {
			t.Errorf("U1 was renamed: %+v", p)
		}
		return err
	})
	update(t, s, func(tx bot.Tx) error {
		again, err := tx.ShredPersonKeys(t0)
		if again != 0 {
			t.Errorf("shredding again destroyed %d keys", again)
		}
		return err
	})
	s.Close()

	s = openAt(t, path, storage.WithKey(keyA)) // compacts
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	if got := readAll(t, s); got != after {
		t.Errorf("after a reopen the records read otherwise:\n%s\nwant\n%s", got, after)
	}
	s.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if bytes.Contains(raw, k) || holds(raw, string(k)) {
			t.Errorf("the file still holds key %d, or its sealed form", i)
		}
	}
	noCanaries(t, path)
}

// TestShredPersonKeysUnencrypted: a file without a key seals nothing
// under people's keys; shredding says so and changes nothing.
func TestShredPersonKeysUnencrypted(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "icbot.db"))
	err := s.Update(t.Context(), func(tx bot.Tx) error {
		_, err := tx.ShredPersonKeys(t0)
		return err
	})
	if bot.ErrorCode(err) != bot.EUNAVAILABLE || !strings.Contains(err.Error(), "not encrypted") {
		t.Errorf("shredding an unencrypted file: %v", err)
	}
}

// TestProductionWrapDate: the wrap date icbot wrap records is kept with
// the production, and its MAC covers it.
func TestProductionWrapDate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error {
		return tx.PutProduction(bot.ProductionInfo{Name: "Night Swim", WrapDate: "2026-12-18"})
	})
	s.Close()
	s = openAt(t, path, storage.WithKey(keyA))
	view(t, s, func(tx bot.Tx) error {
		p, err := tx.Production()
		if err == nil && p.WrapDate != "2026-12-18" {
			t.Errorf("wrap date read back as %q", p.WrapDate)
		}
		return err
	})
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
}

// TestShredDropsQueuedPrivateMessages: a shredding takes with it the
// queued messages that hold someone's private data (sealed with the
// storage key alone); the others stay queued.
func TestShredDropsQueuedPrivateMessages(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(keyA))
	writeEverything(t, s) // two queued about U1
	public := bot.Delivery{Caller: "U5", Created: t0, NextAttempt: t0,
		Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U9"}, Class: bot.ClassCrew, Scene: "12", Text: "scene 12 moved"}}
	update(t, s, func(tx bot.Tx) error { _, err := tx.Enqueue(public); return err })
	update(t, s, func(tx bot.Tx) error {
		_, err := tx.(interface {
			ShredPersonKeys(time.Time) (int, error)
		}).ShredPersonKeys(t0)
		return err
	})
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if len(ds) != 1 || ds[0].Message.Text != "scene 12 moved" {
			t.Errorf("left queued %+v, want only the message holding nothing private", ds)
		}
		return err
	})
}
