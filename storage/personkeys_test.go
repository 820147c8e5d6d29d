package storage_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// sealedWith is the first byte of a stored sealed value: 1 under the
// storage key, 2 under a person's key.
func sealedWith(t *testing.T, v []byte) byte {
	t.Helper()
	if len(v) == 0 {
		t.Fatal("no sealed value")
	}
	return v[0]
}

// rawField decodes the JSON record at keys and returns its field, a
// sealed value (base64 in the JSON), found by path.
func rawField(t *testing.T, path string, field []string, keys ...[]byte) []byte {
	t.Helper()
	var rec any
	if err := json.Unmarshal(rawValue(t, path, keys...), &rec); err != nil {
		t.Fatal(err)
	}
	for _, f := range field {
		switch r := rec.(type) {
		case map[string]any:
			rec = r[f]
		case []any:
			var i int
			fmt.Sscan(f, &i)
			rec = r[i]
		}
	}
	s, _ := rec.(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("field %v of %q: %v", field, keys, err)
	}
	return b
}

// TestPersonKeysSealEachPersonsFields: every sealed field about one
// person is sealed under that person's own key; fields about nobody (a
// queued text, the scene's private part) and empty ones stay under the
// storage key.
func TestPersonKeysSealEachPersonsFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	k1, k2 := storage.PersonKey(s, "U1"), storage.PersonKey(s, "U2")
	s.Close()
	if len(k1) != 32 || len(k2) != 32 || bytes.Equal(k1, k2) {
		t.Fatalf("person keys: %x %x", k1, k2)
	}
	for _, tt := range []struct {
		name  string
		field []string
		keys  [][]byte
		want  byte
	}{
		{"U1's boundaries", []string{"private"}, [][]byte{bs("boundaries"), bs("12"), bs("U1"), be(2)}, 2},
		{"U2's boundaries", []string{"private"}, [][]byte{bs("boundaries"), bs("12"), bs("U2"), be(1)}, 2},
		{"U1's rider", []string{"terms"}, [][]byte{bs("riders"), bs("12"), bs("U1")}, 2},
		{"the reason of U1's hold", []string{"holds", "0", "reason"}, [][]byte{bs("scenes"), bs("12")}, 2},
		{"U2's hold without a reason", []string{"holds", "1", "reason"}, [][]byte{bs("scenes"), bs("12")}, 1},
		{"U1's reminder note", []string{"note"}, [][]byte{bs("reminders"), be(1)}, 2},
		{"the scene's private part", []string{"private"}, [][]byte{bs("scenes"), bs("20")}, 1},
		{"a queued text", []string{"message", "text"}, [][]byte{bs("outbox"), be(2)}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sealedWith(t, rawField(t, path, tt.field, tt.keys...)); got != tt.want {
				t.Errorf("sealed with version %d, want %d", got, tt.want)
			}
		})
	}
	s = openAt(t, path, storage.WithKey(keyA))
	readEverything(t, s)
}

// readAll reads every record with sealed fields through the store and
// returns its text: what any command, report or export could show.
func readAll(t *testing.T, s *storage.Store) string {
	t.Helper()
	var out strings.Builder
	view(t, s, func(tx bot.Tx) error {
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "%+v\n", scenes)
		for _, sc := range scenes {
			riders, err := tx.Riders(sc.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "%+v\n", riders)
			for _, p := range []bot.UserID{"U1", "U2"} {
				hist, err := tx.BoundariesHistory(sc.ID, p)
				if err != nil {
					return err
				}
				fmt.Fprintf(&out, "%+v\n", hist)
			}
		}
		ds, err := tx.Deliveries()
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "%+v\n", ds)
		rems, err := tx.SceneReminders("12")
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "%+v\n", rems)
		people, err := tx.People()
		fmt.Fprintf(&out, "%+v\n", people)
		return err
	})
	return out.String()
}

// TestErase: after Erase, every sealed field about the person reads as
// [erased] through the store, the file holds neither their key nor
// anything it opened, their name is a pseudonym, the audit trail and the
// records verify, and someone else's fields read as before. Writing an
// erased record back makes no new key; new data about them gets one; a
// rekey afterwards works and leaves the erased fields erased.
func TestErase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	k1 := storage.PersonKey(s, "U1")
	dump, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct{ Key []byte }
	if v, err := strconv.Unquote(dump[`personkeys/"U1"`]); err != nil || json.Unmarshal([]byte(v), &rec) != nil || len(rec.Key) == 0 {
		t.Fatalf("U1's key record: %q %v", dump[`personkeys/"U1"`], err)
	}
	storedKey := rec.Key
	before := readAll(t, s)
	for _, c := range []string{canaryNotes + "-v2", canaryTerms + "-second", canaryReason + "-second", canaryRemNote + "-second", canaryNotes + "-u2"} {
		if !strings.Contains(before, c) {
			t.Fatalf("before erasure %s does not read back", c)
		}
	}

	now := t0.Add(24 * time.Hour)
	got, err := s.Erase(t.Context(), "U1", "admin", now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Pseudonym != "erased-1" || got.Already {
		t.Errorf("Erase = %+v", got)
	}
	after := readAll(t, s)
	// The scene's private part (the director's intent, the beats' notes,
	// rehearsals and takes) is about no one person, and stays.
	for _, c := range []string{canaryAnswer, canaryNotes, canaryGarments, canaryBody, canaryWithdraw, canaryTerms, canaryReason, canaryRemNote} {
		for _, n := range []string{"v1", "v2", "first", "second", "r2", "gone"} {
			if strings.Contains(after, c+"-"+n) {
				t.Errorf("after erasure %s-%s still reads back", c, n)
			}
		}
	}
	if !strings.Contains(after, canaryNotes+"-u2") || !strings.Contains(after, canaryGarments+"-u2") {
		t.Error("U2's boundaries no longer read back")
	}
	view(t, s, func(tx bot.Tx) error {
		b, err := tx.Boundaries("12", "U1")
		if err != nil {
			return err
		}
		if b.Notes != storage.ErasedText || b.Garments != storage.ErasedText || b.Body != storage.ErasedText || b.Answers != nil || b.Version != 2 {
			t.Errorf("U1's boundaries: %+v", b)
		}
		r, err := tx.Rider("12", "U1")
		if err != nil {
			return err
		}
		if r.Terms != storage.ErasedText || r.State != bot.RiderSent {
			t.Errorf("U1's rider: %+v", r)
		}
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		if sc.Holds[0].Reason != storage.ErasedText || sc.Holds[1].Reason != "" {
			t.Errorf("holds: %+v", sc.Holds)
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
		if p.Name != "erased-1" || !p.Has(bot.RolePerformer) {
			t.Errorf("person: %+v", p)
		}
		return nil
	})
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	if k := storage.PersonKey(s, "U1"); k != nil {
		t.Error("the file still gives U1's key")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, k1) || holds(raw, string(k1)) || bytes.Contains(raw, storedKey) || holds(raw, string(storedKey)) {
		t.Error("the file still holds U1's key, or its sealed form")
	}
	noCanaries(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file after erasure: %v %v", fi, err)
	}

	// Written back as read, an erased field stays erased and makes no
	// new key; new boundaries get a new key.
	update(t, s, func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		sc.Version++
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		r, err := tx.Rider("12", "U1")
		if err != nil {
			return err
		}
		r.Version++
		return tx.PutRider(r)
	})
	if storage.PersonKey(s, "U1") != nil {
		t.Error("writing an erased field back made a new key")
	}
	update(t, s, func(tx bot.Tx) error { return tx.AddBoundaries(boundaries("12", "U1", 3, "new")) })
	if storage.PersonKey(s, "U1") == nil {
		t.Error("new boundaries were sealed without a new key")
	}
	checkErased := func(t *testing.T, s *storage.Store) {
		t.Helper()
		view(t, s, func(tx bot.Tx) error {
			hist, err := tx.BoundariesHistory("12", "U1")
			if err != nil {
				return err
			}
			notes := []string{hist[0].Notes, hist[1].Notes, hist[2].Notes}
			if want := []string{storage.ErasedText, storage.ErasedText, canaryNotes + "-new"}; !slices.Equal(notes, want) {
				t.Errorf("U1's notes %q, want %q", notes, want)
			}
			sc, err := tx.Scene("12")
			if err != nil {
				return err
			}
			r, err := tx.Rider("12", "U1")
			if err != nil {
				return err
			}
			if sc.Holds[0].Reason != storage.ErasedText || r.Terms != storage.ErasedText {
				t.Errorf("reason %q, terms %q", sc.Holds[0].Reason, r.Terms)
			}
			b, err := tx.Boundaries("12", "U2")
			if err != nil {
				return err
			}
			if b.Notes != canaryNotes+"-u2" {
				t.Errorf("U2's notes %q", b.Notes)
			}
			return nil
		})
	}
	checkErased(t, s)

	if err := s.Rekey(t.Context(), keyB); err != nil {
		t.Fatalf("Rekey after erasure: %v", err)
	}
	checkErased(t, s)
	s.Close()
	s = openAt(t, path, storage.WithKey(keyB))
	checkErased(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit after rekey: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords after rekey: %v", err)
	}
	// Erased again, the new key goes too, and the pseudonym stays.
	again, err := s.Erase(t.Context(), "U1", "admin", now)
	if err != nil || again.Already || again.Pseudonym != "erased-1" {
		t.Errorf("erasing again = %+v, %v", again, err)
	}
	view(t, s, func(tx bot.Tx) error {
		b, err := tx.Boundaries("12", "U1")
		if b.Notes != storage.ErasedText {
			t.Errorf("the new boundaries after the second erasure: %q", b.Notes)
		}
		return err
	})
	third, err := s.Erase(t.Context(), "U1", "admin", now)
	if err != nil || !third.Already || third.Pseudonym != "erased-1" {
		t.Errorf("erasing a third time = %+v, %v", third, err)
	}
}

// TestEraseRefusals: a user the file holds nothing about, a store
// without a key or opened read-only: Erase refuses and changes nothing.
func TestEraseRefusals(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	dump, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Erase(t.Context(), "U404", "admin", t0); !errors.Is(err, storage.ErrNotErasable) {
		t.Errorf("Erase of an unknown user = %v, want ErrNotErasable", err)
	}
	if _, err := s.Erase(t.Context(), "", "admin", t0); err == nil {
		t.Error("Erase without a user id succeeded")
	}
	if after, _ := storage.Dump(s); !equalMaps(dump, after) {
		t.Error("a refused erasure changed the file")
	}
	s.Close()

	ro := openAt(t, path, storage.WithKey(keyA), storage.WithReadOnly())
	if _, err := ro.Erase(t.Context(), "U1", "admin", t0); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Erase read-only = %v", err)
	}
	ro.Close()

	clear := openAt(t, filepath.Join(t.TempDir(), "clear.db"))
	writeEverything(t, clear)
	if _, err := clear.Erase(t.Context(), "U1", "admin", t0); err == nil || !strings.Contains(err.Error(), "not encrypted") {
		t.Errorf("Erase in a file without a key = %v", err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestMigratePersonKeys: opening a file of schema version 7 (or 8) with
// its key moves every sealed field about a person under their own key,
// and everything reads back; the same for a file sealed for the first
// time.
func TestMigratePersonKeys(t *testing.T) {
	for _, fx := range []string{fixtureSealed, fixtureClear} {
		t.Run(filepath.Base(fx), func(t *testing.T) {
			path := fixture(t, fx)
			var logs logBuffer
			s := openAt(t, path, storage.WithKey(keyA), logs.logger())
			readFixture(t, s)
			if storage.PersonKey(s, "U1") == nil {
				t.Error("U1 has no key")
			}
			s.Close()
			for name, v := range map[string][]byte{
				"U1's boundaries": rawField(t, path, []string{"private"}, bs("boundaries"), bs("12"), bs("U1"), be(1)),
				"U1's rider":      rawField(t, path, []string{"terms"}, bs("riders"), bs("12"), bs("U1")),
				"the hold reason": rawField(t, path, []string{"holds", "0", "reason"}, bs("scenes"), bs("12")),
				"the note":        rawField(t, path, []string{"note"}, bs("reminders"), be(1)),
			} {
				if got := sealedWith(t, v); got != 2 {
					t.Errorf("%s sealed with version %d, want 2", name, got)
				}
			}
			if fx == fixtureSealed && !strings.Contains(logs.String(), "sealed the records about each person under their own data key") {
				t.Errorf("the migration is not logged:\n%s", logs.String())
			}
			s = openAt(t, path, storage.WithKey(keyA))
			readFixture(t, s)
			if _, err := s.VerifyAudit(t.Context()); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}
		})
	}
}

// BenchmarkPersonKeys measures what sealing each person's fields under
// their own key costs against the storage key alone, in the same run: a
// performer's answer written and read back in one synced Update (as
// /boundaries answer does), and a read of a scene, a rider and
// boundaries (as /boundaries show and /rider status do).
func BenchmarkPersonKeys(b *testing.B) {
	open := func(b *testing.B, mode string) *storage.Store {
		s, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), quiet, storage.WithKey(keyA))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		if mode == "storage key" {
			storage.StorageKeyOnly(s)
		}
		err = s.Update(b.Context(), func(tx bot.Tx) error {
			if err := tx.PutScene(heldScene("12", 1, "b")); err != nil {
				return err
			}
			if err := tx.PutRider(rider("12", "U1", 1, "b")); err != nil {
				return err
			}
			return tx.AddBoundaries(boundaries("12", "U1", 1, "b"))
		})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	modes := []string{"storage key", "person keys"}
	for _, mode := range modes {
		b.Run("answer/"+mode, func(b *testing.B) {
			s := open(b, mode)
			v := 1
			for b.Loop() {
				v++
				err := s.Update(b.Context(), func(tx bot.Tx) error {
					if _, err := tx.Boundaries("12", "U1"); err != nil {
						return err
					}
					if err := tx.AddBoundaries(boundaries("12", "U1", v, "b")); err != nil {
						return err
					}
					// As /boundaries answer writes it: the actor and the
					// person named are sealed under U1's key in a file
					// with person keys.
					return tx.Audit(bot.AuditRecord{Time: t0, Actor: "U1", Action: "boundaries.answer", Scene: "12",
						Summary: fmt.Sprintf("boundaries of %s for scene 12: version %d", bot.PersonRef("U1"), v)})
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, mode := range modes {
		b.Run("audit/"+mode, func(b *testing.B) {
			// /audit show reads the trail: 200 records by four people,
			// each naming one, opened.
			s := open(b, mode)
			err := s.Update(b.Context(), func(tx bot.Tx) error {
				for i := range 200 {
					actor := bot.UserID(fmt.Sprintf("U%d", i%4+1))
					if err := tx.Audit(bot.AuditRecord{Time: t0, Actor: actor, Action: "roster.add", Scene: "12",
						Summary: bot.PersonRef(bot.UserID(fmt.Sprintf("U%d", (i+1)%4+1))) + " added to the roster of scene 12"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				n := 0
				if err := s.AuditLog(b.Context(), func(bot.AuditRecord) error { n++; return nil }); err != nil || n != 200 {
					b.Fatal(n, err)
				}
			}
		})
	}
	for _, mode := range modes {
		b.Run("show/"+mode, func(b *testing.B) {
			s := open(b, mode)
			for b.Loop() {
				err := s.View(b.Context(), func(tx bot.Tx) error {
					if _, err := tx.Scene("12"); err != nil {
						return err
					}
					if _, err := tx.Rider("12", "U1"); err != nil {
						return err
					}
					_, err := tx.Boundaries("12", "U1")
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEraseRehearsalConfirmation: the note a performer wrote confirming
// or disputing a rehearsal's record is sealed under their key, apart
// from the scene's private part; erased, it reads as [erased], and the
// rest of the rehearsal, and the other performer's note, read as before.
func TestEraseRehearsalConfirmation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	sc := notedScene("20", 1, "r")
	sc.Rehearsals[0].Present = []bot.UserID{"U1", "U2"}
	sc.Rehearsals[0].Confirmations = []bot.RehearsalConfirmation{
		{Performer: "U1", At: t0, Note: "CANARY-dispute-U1"},
		{Performer: "U2", At: t0, Confirmed: true, Note: "CANARY-confirm-U2"},
	}
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutPerson(bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}}); err != nil {
			return err
		}
		return tx.PutScene(sc)
	})
	notes := func(t *testing.T) []string {
		t.Helper()
		var out []string
		view(t, s, func(tx bot.Tx) error {
			got, err := tx.Scene("20")
			if err != nil {
				return err
			}
			r := got.Rehearsals[0]
			out = []string{r.Confirmations[0].Note, r.Confirmations[1].Note, r.Changes}
			return nil
		})
		return out
	}
	if got, want := notes(t), []string{"CANARY-dispute-U1", "CANARY-confirm-U2", canaryRehearse + "-r"}; !slices.Equal(got, want) {
		t.Fatalf("before: %q, want %q", got, want)
	}
	if _, err := s.Erase(t.Context(), "U1", "admin", t0); err != nil {
		t.Fatal(err)
	}
	if got, want := notes(t), []string{storage.ErasedText, "CANARY-confirm-U2", canaryRehearse + "-r"}; !slices.Equal(got, want) {
		t.Errorf("after: %q, want %q", got, want)
	}
	// Written again as read, and after a rekey, the same.
	update(t, s, func(tx bot.Tx) error {
		got, err := tx.Scene("20")
		if err != nil {
			return err
		}
		got.Version++
		return tx.PutScene(got)
	})
	if err := s.Rekey(t.Context(), keyB); err != nil {
		t.Fatal(err)
	}
	if got, want := notes(t), []string{storage.ErasedText, "CANARY-confirm-U2", canaryRehearse + "-r"}; !slices.Equal(got, want) {
		t.Errorf("after a rekey: %q, want %q", got, want)
	}
	s.Close()
	if v := rawField(t, path, []string{"confirm_notes", "1", "note"}, bs("scenes"), bs("20")); sealedWith(t, v) != 2 {
		t.Errorf("U2's note sealed with version %d, want 2", v[0])
	}
	noText(t, path, "CANARY-dispute-U1")
}

// TestMigratePersonKeysFromV8: a keyed file of schema version 8, its
// fields about each person under the storage key, is moved under person
// keys by the next Open, and everything reads back and verifies.
func TestMigratePersonKeysFromV8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA), storage.WithSchema(8))
	writeEverything(t, s)
	s.Close()
	if got := schemaOf(t, path); got != 8 {
		t.Fatalf("schema version %d, want 8", got)
	}
	boundsAt := [][]byte{bs("boundaries"), bs("12"), bs("U1"), be(2)}
	if v := rawField(t, path, []string{"private"}, boundsAt...); sealedWith(t, v) != 1 {
		t.Fatalf("a version 8 file seals U1's boundaries with version %d", v[0])
	}
	var logs logBuffer
	s = openAt(t, path, storage.WithKey(keyA), logs.logger())
	readEverything(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	s.Close()
	if got := schemaOf(t, path); got != storage.SchemaVersion {
		t.Errorf("schema version %d, want %d", got, storage.SchemaVersion)
	}
	if v := rawField(t, path, []string{"private"}, boundsAt...); sealedWith(t, v) != 2 {
		t.Errorf("after the migration U1's boundaries are sealed with version %d", v[0])
	}
	if !strings.Contains(logs.String(), "sealed the records about each person under their own data key") {
		t.Errorf("the migration is not logged:\n%s", logs.String())
	}
	noCanaries(t, path)
}

// TestPersonKeyTampered: a person's key record removed, marked erased,
// or copied to another person without the storage key is noticed: the
// fields sealed under it fail to open (they do not read as erased), and
// VerifyRecords names the record.
func TestPersonKeyTampered(t *testing.T) {
	setup := func(t *testing.T) string {
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(keyA))
		writeEverything(t, s)
		s.Close()
		return path
	}
	readU1 := func(t *testing.T, s *storage.Store) error {
		return s.View(t.Context(), func(tx bot.Tx) error {
			_, err := tx.Boundaries("12", "U1")
			return err
		})
	}
	t.Run("removed", func(t *testing.T) {
		path := setup(t)
		rawDeleteIn(t, path, "personkeys", "U1")
		s := openAt(t, path, storage.WithKey(keyA))
		if err := readU1(t, s); !errors.Is(err, storage.ErrSealBroken) {
			t.Errorf("read = %v, want ErrSealBroken", err)
		}
	})
	t.Run("marked erased without the key", func(t *testing.T) {
		path := setup(t)
		editRecord(t, path, func(r map[string]any) {
			delete(r, "key")
			r["erased"] = "2031-06-14T07:30:00Z"
		}, bs("personkeys"), bs("U1"))
		s := openAt(t, path, storage.WithKey(keyA))
		if err := readU1(t, s); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("read = %v, want ErrTampered", err)
		}
		if err := s.VerifyRecords(t.Context()); !errors.Is(err, storage.ErrTampered) || !strings.Contains(err.Error(), "personkeys/U1") {
			t.Errorf("VerifyRecords = %v", err)
		}
	})
	t.Run("copied to another person", func(t *testing.T) {
		path := setup(t)
		putRaw(t, path, rawValue(t, path, bs("personkeys"), bs("U2")), bs("personkeys"), bs("U1"))
		s := openAt(t, path, storage.WithKey(keyA))
		if err := readU1(t, s); !errors.Is(err, storage.ErrTampered) {
			t.Errorf("read = %v, want ErrTampered", err)
		}
	})
}

// rawDeleteIn deletes key from a top-level bucket of a closed file.
func rawDeleteIn(t *testing.T, path, bucket, key string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bs(bucket)).Delete(bs(key)) }); err != nil {
		t.Fatal(err)
	}
}

// TestEraseDropsQueuedMessages: a message queued to the erased person is
// dropped with the erasure; one to someone else stays.
func TestEraseDropsQueuedMessages(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(keyA))
	writeEverything(t, s) // two queued to U9 about U1 (their subject)
	toU1 := delivery("u1")
	toU1.Message.To.User, toU1.Message.Subject = "U1", "U1"
	aboutU2 := delivery("u2")
	aboutU2.Message.Subject = "U2"
	update(t, s, func(tx bot.Tx) error {
		for _, d := range []bot.Delivery{toU1, aboutU2} {
			if _, err := tx.Enqueue(d); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := s.Erase(t.Context(), "U1", "admin", t0)
	if err != nil || got.Dropped != 3 {
		t.Fatalf("Erase = %+v, %v; want three messages dropped: one to U1, two about U1", got, err)
	}
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if len(ds) != 1 || ds[0].Message.Subject != "U2" {
			t.Errorf("left queued %+v, want only the message about U2", ds)
		}
		return err
	})
}
