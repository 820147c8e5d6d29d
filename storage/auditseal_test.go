package storage_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// Ids long enough that they cannot show up by chance in base64.
const (
	sealedActor = "UACTORPAULA01"
	sealedNamed = "UNAMEDPETE0002"
	sealedOther = "UOTHERINES0003"
)

// writeNamingAudit writes three records: one by sealedActor naming
// sealedNamed, one by sealedOther naming both, one by icbot.
func writeNamingAudit(t *testing.T, s *storage.Store) {
	t.Helper()
	for i, r := range []bot.AuditRecord{
		{Actor: sealedActor, Action: "roster.add", Scene: "12", Summary: bot.PersonRef(sealedNamed) + " (camera) added to the roster of scene 12"},
		{Actor: sealedOther, Action: "rider.signed", Scene: "12", Summary: "rider of " + bot.PersonRef(sealedActor) + " and " + bot.PersonRef(sealedNamed) + " marked signed"},
		{Actor: "icbot", Action: "retention.warn", Summary: "nobody named"},
	} {
		r.Time = t0.Add(time.Duration(i) * time.Minute)
		update(t, s, func(tx bot.Tx) error { return tx.Audit(r) })
	}
}

func auditOf(t *testing.T, s *storage.Store) []bot.AuditRecord {
	t.Helper()
	var out []bot.AuditRecord
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAuditPeopleSealed: in a file with a key, the people an audit
// record names (its actor, the references in its summary) are sealed
// under their own data keys; the file holds none of their ids in the
// audit bucket, the records read back as written, and once a person's
// key is destroyed the records read [erased] where they named them while
// the chain still verifies, after a rekey too.
func TestAuditPeopleSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error {
		for _, id := range []bot.UserID{sealedActor, sealedNamed, sealedOther} {
			if err := tx.PutPerson(bot.Person{ID: id, Name: "name-of-" + string(id)}); err != nil {
				return err
			}
		}
		return nil
	})
	writeNamingAudit(t, s)
	got := auditOf(t, s)
	want := []struct{ actor, summary string }{
		{sealedActor, bot.PersonRef(sealedNamed) + " (camera) added to the roster of scene 12"},
		{sealedOther, "rider of " + bot.PersonRef(sealedActor) + " and " + bot.PersonRef(sealedNamed) + " marked signed"},
		{"icbot", "nobody named"},
	}
	for i, w := range want {
		if string(got[i].Actor) != w.actor || got[i].Summary != w.summary {
			t.Errorf("record %d reads %q %q, want %q %q", i+1, got[i].Actor, got[i].Summary, w.actor, w.summary)
		}
	}
	s.Close()
	for seq := uint64(1); seq <= 3; seq++ {
		v := rawMaybe(t, path, bs("audit"), be(seq))
		for _, id := range []string{sealedActor, sealedNamed, sealedOther} {
			if bytes.Contains(v, []byte(id)) {
				t.Errorf("audit record %d holds %s in clear: %s", seq, id, v)
			}
		}
	}

	s = openAt(t, path, storage.WithKey(keyA))
	if _, err := s.Erase(t.Context(), sealedNamed, "admin", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got = auditOf(t, s)
	erased := bot.PersonRef(bot.ErasedPerson)
	if got[0].Actor != sealedActor || got[0].Summary != erased+" (camera) added to the roster of scene 12" {
		t.Errorf("record 1 after the erasure: %q %q", got[0].Actor, got[0].Summary)
	}
	if want := "rider of " + bot.PersonRef(sealedActor) + " and " + erased + " marked signed"; got[1].Summary != want {
		t.Errorf("record 2 after the erasure: %q, want %q", got[1].Summary, want)
	}
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit after the erasure: %v", err)
	}
	// The erased person's next records are sealed under their next key,
	// and read.
	update(t, s, func(tx bot.Tx) error {
		return tx.Audit(bot.AuditRecord{Time: t0.Add(2 * time.Hour), Actor: sealedNamed, Action: "mydata.export", Summary: "a copy"})
	})
	if err := s.Rekey(t.Context(), keyB); err != nil {
		t.Fatalf("rekey after the erasure: %v", err)
	}
	got = auditOf(t, s)
	if got[0].Actor != sealedActor || got[1].Actor != sealedOther || !strings.Contains(got[1].Summary, erased) || got[4].Actor != sealedNamed {
		t.Errorf("after the rekey: %+v", got)
	}
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit after the rekey: %v", err)
	}
	s.Close()
}

// TestAuditSealedNamesTampered: a sealed name moved to another record or
// field, or a clear actor added to a record whose people are sealed,
// breaks the chain.
func TestAuditSealedNamesTampered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeNamingAudit(t, s)
	s.Close()
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]any
	editRecord(t, path, func(r map[string]any) { first = r }, bs("audit"), be(1))
	if err := os.WriteFile(path, saved, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(){
		"actor moved from record 1 to 2": func() {
			editRecord(t, path, func(r map[string]any) { r["actor_sealed"] = first["actor_sealed"] }, bs("audit"), be(2))
		},
		"a reference swapped for the actor": func() {
			editRecord(t, path, func(r map[string]any) { r["refs"] = []any{first["actor_sealed"]} }, bs("audit"), be(1))
		},
		"a clear actor added": func() {
			editRecord(t, path, func(r map[string]any) { r["actor"] = "U666" }, bs("audit"), be(3))
		},
		"marked as written in clear": func() {
			editRecord(t, path, func(r map[string]any) { delete(r, "v"); r["actor"] = sealedActor }, bs("audit"), be(1))
		},
	} {
		t.Run(name, func(t *testing.T) {
			edit()
			s := openAt(t, path, storage.WithKey(keyA))
			if _, err := s.VerifyAudit(t.Context()); err == nil {
				t.Error("VerifyAudit passes")
			}
			s.Close()
			if err := os.WriteFile(path, saved, 0o600); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMigrateAuditPeople: a file of version 10, whose audit records name
// people in clear, has them sealed when opened with its key, and its
// chain computed again; the records read as before.
func TestMigrateAuditPeople(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA), storage.WithSchema(10))
	writeNamingAudit(t, s)
	before := auditOf(t, s)
	s.Close()
	if v := rawMaybe(t, path, bs("audit"), be(1)); !bytes.Contains(v, []byte(sealedActor)) {
		t.Fatalf("version 10 wrote the actor sealed already: %s", v)
	}
	s = openAt(t, path, storage.WithKey(keyA))
	after := auditOf(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit after the migration: %v", err)
	}
	s.Close()
	for i := range before {
		if before[i].Actor != after[i].Actor || before[i].Summary != after[i].Summary {
			t.Errorf("record %d read %q %q, now %q %q", i+1, before[i].Actor, before[i].Summary, after[i].Actor, after[i].Summary)
		}
	}
	for seq := uint64(1); seq <= 3; seq++ {
		v := rawMaybe(t, path, bs("audit"), be(seq))
		if bytes.Contains(v, []byte(sealedActor)) || bytes.Contains(v, []byte(sealedNamed)) || bytes.Contains(v, []byte(sealedOther)) {
			t.Errorf("audit record %d still names someone in clear: %s", seq, v)
		}
	}
}

// TestSelfErasureMakesNoNewKey: an erasure a person asked for records
// itself without sealing their name under a new key of theirs: after it
// they hold no key, and its record names them by pseudonym alone.
func TestSelfErasureMakesNoNewKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	defer s.Close()
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutPerson(bot.Person{ID: sealedActor, Name: "paula"}); err != nil {
			return err
		}
		return tx.Audit(bot.AuditRecord{Time: t0, Actor: sealedActor, Action: "mydata.export", Summary: "a copy"})
	})
	update(t, s, func(tx bot.Tx) error {
		_, err := tx.ErasePerson(bot.EraseRequest{User: sealedActor, Actor: sealedActor, Now: t0.Add(time.Hour), Summary: "at their own request"})
		return err
	})
	if k := storage.PersonKey(s, sealedActor); k != nil {
		t.Error("the erasure made a new key for the person it erased")
	}
	got := auditOf(t, s)
	last := got[len(got)-1]
	if last.Action != "person.erase" || last.Actor != "icbot" || strings.Contains(last.Summary, sealedActor) || !strings.Contains(last.Summary, "erased-1") {
		t.Errorf("the erasure's record: %+v", last)
	}
	if got[0].Actor != bot.ErasedPerson {
		t.Errorf("the record before the erasure names %q, want %q", got[0].Actor, bot.ErasedPerson)
	}
}
