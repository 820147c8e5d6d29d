package storage_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"icbot/bot"
	"icbot/storage"
)

// storedPersonKey is the sealed key of user as the file stores it.
func storedPersonKey(t *testing.T, s *storage.Store, user string) []byte {
	t.Helper()
	dump, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Key []byte }
	v, err := strconv.Unquote(dump[`personkeys/"`+user+`"`])
	if err != nil || json.Unmarshal([]byte(v), &rec) != nil {
		t.Fatalf("%s's key record: %v", user, err)
	}
	return rec.Key
}

// TestErasePersonKeeps: ErasePerson, inside an ordinary Update, keeps
// the records it is told to under a new generation of the person's key
// and erases everything else sealed under the old one; the old key's
// record is gone from the raw file once the store is closed (Close
// compacts a file an erasure marked); the audit chain and the records
// still verify; a later erasure without anything to keep erases the
// kept records too.
func TestErasePersonKeeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	k1, stored1 := storage.PersonKey(s, "U1"), storedPersonKey(t, s, "U1")

	var got bot.Erased
	update(t, s, func(tx bot.Tx) error {
		var err error
		got, err = tx.ErasePerson(bot.EraseRequest{User: "U1", Actor: "U1", Now: t0,
			Keep: []bot.KeepRecord{{Scene: "12", Rider: true, Boundaries: true}}, Summary: "the rest is scheduled"})
		return err
	})
	if got.Pseudonym != "erased-1" || got.Already || got.Kept != 2 {
		t.Errorf("ErasePerson = %+v", got)
	}
	kept := func(t *testing.T, s *storage.Store) {
		t.Helper()
		view(t, s, func(tx bot.Tx) error {
			r, err := tx.Rider("12", "U1")
			if err != nil {
				return err
			}
			if r.Terms != canaryTerms+"-second" || r.State != bot.RiderSent || r.Version != 2 {
				t.Errorf("the kept rider: %+v", r)
			}
			hist, err := tx.BoundariesHistory("12", "U1")
			if err != nil {
				return err
			}
			if len(hist) != 2 || hist[0].Notes != storage.ErasedText || hist[1].Notes != canaryNotes+"-v2" || hist[1].Garments != canaryGarments+"-v2" {
				t.Errorf("boundaries: %+v", hist)
			}
			sc, err := tx.Scene("12")
			if err != nil {
				return err
			}
			if sc.Holds[0].Reason != storage.ErasedText {
				t.Errorf("hold reason %q", sc.Holds[0].Reason)
			}
			rem, err := tx.Reminder(1)
			if err != nil {
				return err
			}
			if rem.Note != storage.ErasedText {
				t.Errorf("reminder note %q", rem.Note)
			}
			p, err := tx.Person("U1")
			if err != nil {
				return err
			}
			if p.Name != "erased-1" {
				t.Errorf("person %+v", p)
			}
			return nil
		})
	}
	kept(t, s)
	if k := storage.PersonKey(s, "U1"); k == nil || string(k) == string(k1) {
		t.Error("U1's kept records are not under a new key")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if holds(raw, string(k1)) || holds(raw, string(stored1)) {
		t.Error("after Close the file still holds U1's old key, or its sealed form")
	}
	noCanaries(t, path)

	s = openAt(t, path, storage.WithKey(keyA))
	kept(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	stored2 := storedPersonKey(t, s, "U1")
	update(t, s, func(tx bot.Tx) error {
		var err error
		got, err = tx.ErasePerson(bot.EraseRequest{User: "U1", Now: t0})
		return err
	})
	if got.Pseudonym != "erased-1" || got.Already || got.Kept != 0 {
		t.Errorf("the second ErasePerson = %+v", got)
	}
	view(t, s, func(tx bot.Tx) error {
		r, err := tx.Rider("12", "U1")
		if err != nil {
			return err
		}
		b, err := tx.Boundaries("12", "U1")
		if err != nil {
			return err
		}
		if r.Terms != storage.ErasedText || b.Notes != storage.ErasedText {
			t.Errorf("after the rest was erased: terms %q, notes %q", r.Terms, b.Notes)
		}
		return nil
	})
	s.Close()
	raw, _ = os.ReadFile(path)
	if holds(raw, string(stored2)) {
		t.Error("after Close the file still holds the kept records' key")
	}
	s = openAt(t, path, storage.WithKey(keyA))
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
}

// TestErasePersonRolledBack: an erasure whose Update fails changes
// nothing, and one of a person the file knows nothing of is ENOTFOUND.
func TestErasePersonRolledBack(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(keyA))
	writeEverything(t, s)
	before, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	err = s.Update(t.Context(), func(tx bot.Tx) error {
		if _, err := tx.ErasePerson(bot.EraseRequest{User: "U1", Now: t0, Keep: []bot.KeepRecord{{Scene: "12", Rider: true}}}); err != nil {
			return err
		}
		return stop
	})
	if err != stop {
		t.Fatalf("Update = %v", err)
	}
	err = s.Update(t.Context(), func(tx bot.Tx) error {
		_, err := tx.ErasePerson(bot.EraseRequest{User: "U404", Now: t0})
		return err
	})
	if bot.ErrorCode(err) != bot.ENOTFOUND || !errors.Is(err, storage.ErrNotErasable) {
		t.Errorf("erasing an unknown person = %v", err)
	}
	if after, _ := storage.Dump(s); !equalMaps(before, after) {
		t.Error("a rolled-back erasure changed the file")
	}
	view(t, s, func(tx bot.Tx) error {
		r, err := tx.Rider("12", "U1")
		if err == nil && r.Terms != canaryTerms+"-second" {
			t.Errorf("terms %q", r.Terms)
		}
		return err
	})
}
