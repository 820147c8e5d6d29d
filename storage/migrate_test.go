package storage_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// The fixtures were written by the icbot of schema version 7 (before the
// integrity was keyed), with keyA and without a key. Each holds the
// production (costume's channel C-COSTUME), four people (U1 performer, U2
// IC, U3 AD, U4 costume), scene 12 with a hold, U1's boundaries and rider,
// three queued deliveries (a DM to U2, a late reply to U3 through a Slack
// response URL, a notice to C-COSTUME with a button), an answered
// reminder, and four audit records by U2. Private texts start with "V7-".
const (
	fixtureSealed = "testdata/v7-sealed.db"
	fixtureClear  = "testdata/v7-clear.db"
)

// fixture copies a fixture into a new temporary directory.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "icbot.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func schemaOf(t *testing.T, path string) uint64 {
	t.Helper()
	return binary.BigEndian.Uint64(rawValue(t, path, bs("meta"), bs("schema_version")))
}

// v7People are the fixture's people.
var v7People = []bot.Person{
	{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}},
	{ID: "U2", Name: "ines", Roles: []bot.Role{bot.RoleIC}},
	{ID: "U3", Name: "adam", Roles: []bot.Role{bot.RoleAD}},
	{ID: "U4", Name: "cora", Roles: []bot.Role{bot.RoleCostume}},
}

// readFixture checks that everything the fixture holds reads back.
func readFixture(t *testing.T, s *storage.Store) {
	t.Helper()
	view(t, s, func(tx bot.Tx) error {
		people, err := tx.People()
		if err != nil {
			return err
		}
		if diff := cmp.Diff(v7People, people); diff != "" {
			t.Errorf("people (-want +got):\n%s", diff)
		}
		p, err := tx.Production()
		if err != nil {
			return err
		}
		if got := p.DeptChannels[bot.RoleCostume]; got != "C-COSTUME" {
			t.Errorf("costume's channel = %q", got)
		}
		ds, err := tx.Deliveries()
		if err != nil {
			return err
		}
		var texts []string
		for _, d := range ds {
			texts = append(texts, d.Message.Text)
		}
		if diff := cmp.Diff([]string{"V7-text-1", "V7-text-2", "V7-text-3"}, texts); diff != "" {
			t.Errorf("queued texts (-want +got):\n%s", diff)
		}
		if len(ds) == 3 && ds[1].Reply != "https://hooks.slack.com/commands/T1/1/abc" {
			t.Errorf("reply handle %q", ds[1].Reply)
		}
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		if len(sc.Holds) != 1 || sc.Holds[0].Reason != "V7-reason" {
			t.Errorf("holds %+v", sc.Holds)
		}
		b, err := tx.Boundaries("12", "U1")
		if err != nil {
			return err
		}
		if b.Notes != "V7-notes" {
			t.Errorf("notes %q", b.Notes)
		}
		r, err := tx.Rider("12", "U1")
		if err != nil {
			return err
		}
		if r.Terms != "V7-terms" {
			t.Errorf("terms %q", r.Terms)
		}
		rem, err := tx.Reminder(1)
		if err != nil {
			return err
		}
		if rem.Note != "V7-note" {
			t.Errorf("note %q", rem.Note)
		}
		return nil
	})
}

// TestMigrateSealedFile opens a version 7 file with its key: the file is
// migrated to version 8 in Open's transaction. Its SHA-256 chain is
// verified and chained again with HMAC (the records themselves
// unchanged), the head gets its MAC, every person and the production get
// theirs, the queued texts are sealed again bound to their destination,
// and the key check says the file is keyed. Everything reads back.
func TestMigrateSealedFile(t *testing.T) {
	path := fixture(t, fixtureSealed)
	before := rawAudit(t, path)
	if _, err := bot.VerifyChain(func(yield func(bot.AuditRecord, error) bool) {
		for _, r := range before {
			if !yield(r, nil) {
				return
			}
		}
	}); err != nil || len(before) != 4 {
		t.Fatalf("the fixture's chain: %d records, %v", len(before), err)
	}
	var logs logBuffer
	s := openAt(t, path, storage.WithKey(keyA), logs.logger())
	readFixture(t, s)
	head, err := s.VerifyAudit(t.Context())
	if err != nil || head.Records != 4 {
		t.Errorf("VerifyAudit = %d records, %v", head.Records, err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	s.Close()
	if !strings.Contains(logs.String(), "keyed the integrity of the database") {
		t.Errorf("the migration is not logged:\n%s", logs.String())
	}

	if got := schemaOf(t, path); got != storage.SchemaVersion {
		t.Errorf("schema version %d, want %d", got, storage.SchemaVersion)
	}
	after := rawAudit(t, path)
	s = openAt(t, path, storage.WithKey(keyA))
	var opened []bot.AuditRecord
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { opened = append(opened, r); return nil }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	chain, prev := hmacChain(t, keyA), bot.GenesisHash()
	for i, r := range after {
		old, o := before[i], opened[i]
		if o.Actor != old.Actor || o.Action != old.Action || o.Summary != old.Summary || !o.Time.Equal(old.Time) {
			t.Errorf("record %d changed: %+v, was %+v", r.Seq, o, old)
		}
		if r.Actor != "" || r.Stored == nil {
			t.Errorf("record %d keeps its actor in clear: %+v", r.Seq, r)
		}
		if want := chain(prev, r); !bytes.Equal(r.Hash, want) {
			t.Errorf("record %d is not HMAC-chained", r.Seq)
		}
		prev = r.Hash
	}
	if got, want := rawValue(t, path, bs("meta"), bs("audit_head")), keyedHead(t, keyA, 4, prev); !bytes.Equal(got, want) {
		t.Errorf("audit head %x, want %x", got, want)
	}
	for _, id := range []string{"U1", "U2", "U3", "U4"} {
		if !bytes.Contains(rawValue(t, path, bs("people"), bs(id)), bs(`"mac":`)) {
			t.Errorf("person %s has no MAC", id)
		}
	}
	if !bytes.Contains(rawValue(t, path, bs("meta"), bs("production")), bs(`"mac":`)) {
		t.Error("the production has no MAC")
	}
	noText(t, path, "V7-")

	// Once migrated, a queued text is bound to its destination.
	editRecord(t, path, func(r map[string]any) { r["reply"] = attackerURL }, bs("outbox"), be(2))
	s = openAt(t, path, storage.WithKey(keyA))
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if len(ds) != 2 {
			t.Errorf("%d deliveries listed, want 2: the redirected one is refused", len(ds))
		}
		return err
	})
}

// noText fails when the file at path holds s.
func noText(t *testing.T, path, s string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if holds(raw, s) {
		t.Errorf("the file holds %q", s)
	}
}

// TestMigrationRefusesBrokenChain: a version 7 file whose SHA-256 chain
// does not verify is not chained again, which would make the edit look
// genuine. Open fails naming the record and changes nothing.
func TestMigrationRefusesBrokenChain(t *testing.T) {
	path := fixture(t, fixtureSealed)
	editRecord(t, path, func(r map[string]any) { r["actor"] = "U666" }, bs("audit"), be(2))
	raw, _ := os.ReadFile(path)
	_, err := storage.Open(path, quiet, storage.WithTimeout(time.Second), storage.WithKey(keyA))
	var brk *bot.ChainBreak
	if !errors.As(err, &brk) || brk.Position != 2 || !strings.Contains(err.Error(), "does not verify, so it is not chained again") {
		t.Fatalf("Open = %v, want a refusal naming audit record 2", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(raw, after) {
		t.Error("the refused migration changed the file")
	}
	if got := schemaOf(t, path); got != 7 {
		t.Errorf("schema version %d, want 7", got)
	}
}

// TestMigrationDropsTamperedDelivery: a version 7 delivery whose text does
// not open any more is dropped by the migration, with a log line naming
// it by id; icbot still starts.
func TestMigrationDropsTamperedDelivery(t *testing.T) {
	path := fixture(t, fixtureSealed)
	editRecord(t, path, func(r map[string]any) {
		m := object(r, "message")
		m["text"] = flipBase64(m["text"].(string))
	}, bs("outbox"), be(1))
	var logs logBuffer
	s := openAt(t, path, storage.WithKey(keyA), logs.logger())
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if len(ds) != 2 || ds[0].ID != 2 {
			t.Errorf("deliveries %+v, want 2 and 3", ds)
		}
		return err
	})
	if log := logs.String(); !strings.Contains(log, "dropped a queued delivery that cannot be read") || !strings.Contains(log, "id=1") || strings.Contains(log, "V7-") {
		t.Errorf("log:\n%s", log)
	}
}

// TestMigrateClearFile: a version 7 file without a key becomes version 8
// without one (its chain stays SHA-256: there is no key to chain with);
// the first Open with a key seals it and keys its integrity.
func TestMigrateClearFile(t *testing.T) {
	path := fixture(t, fixtureClear)
	s := openAt(t, path)
	readFixture(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	s.Close()
	if got := schemaOf(t, path); got != storage.SchemaVersion {
		t.Errorf("schema version %d, want %d", got, storage.SchemaVersion)
	}
	if bytes.Contains(rawValue(t, path, bs("people"), bs("U2")), bs(`"mac":`)) {
		t.Error("a person has a MAC in a file without a key")
	}

	s = openAt(t, path, storage.WithKey(keyA))
	readFixture(t, s)
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords: %v", err)
	}
	s.Close()
	noText(t, path, "V7-")
	if got, want := len(rawValue(t, path, bs("meta"), bs("audit_head"))), 8+32+32; got != want {
		t.Errorf("audit head of %d bytes, want %d", got, want)
	}
}

// TestMigrationWithoutKey: a version 7 encrypted file is refused without
// its key, as before, and read-only with its key it is verified as the
// SHA-256 chain it still is.
func TestMigrationWithoutKey(t *testing.T) {
	path := fixture(t, fixtureSealed)
	if _, err := storage.Open(path, quiet, storage.WithTimeout(time.Second)); !errors.Is(err, storage.ErrNoKey) {
		t.Errorf("Open without the key = %v, want ErrNoKey", err)
	}
	s := openAt(t, path, storage.WithKey(keyA), storage.WithReadOnly())
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit of the version 7 file: %v", err)
	}
	readFixture(t, s)
	s.Close()
	if got := schemaOf(t, path); got != 7 {
		t.Errorf("schema version %d after read-only opens, want 7", got)
	}
}

// TestDowngradeRefused: someone with the file tries to pass a keyed file
// off as an older one, whose records carry no MACs and whose chain is
// SHA-256, so that icbot would key their edits as genuine.
func TestDowngradeRefused(t *testing.T) {
	sealed := func(t *testing.T) string {
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(keyA))
		writeEverything(t, s)
		s.Close()
		return path
	}
	t.Run("schema version set back", func(t *testing.T) {
		path := sealed(t)
		putRaw(t, path, be(7), bs("meta"), bs("schema_version"))
		_, err := storage.Open(path, quiet, storage.WithTimeout(time.Second), storage.WithKey(keyA))
		if !errors.Is(err, storage.ErrTampered) || !strings.Contains(err.Error(), "the schema version was set back") {
			t.Errorf("Open = %v", err)
		}
	})
	t.Run("key id removed, MACs kept", func(t *testing.T) {
		path := sealed(t)
		rawDelete(t, path, "key_id", "key_check")
		// Without sealed values, so that only the MACs give it away.
		for _, b := range []string{"scenes", "boundaries", "riders", "outbox", "reminders", "personkeys", "sessions"} {
			rawEmpty(t, path, b)
		}
		_, err := storage.Open(path, quiet, storage.WithTimeout(time.Second), storage.WithKey(keyA))
		if !errors.Is(err, storage.ErrTampered) || !strings.Contains(err.Error(), "carries a MAC: meta/key_id and meta/key_check were removed") {
			t.Errorf("Open = %v", err)
		}
	})
}

// rawEmpty replaces a top-level bucket of a closed file by an empty one.
func rawEmpty(t *testing.T, path, bucket string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bs(bucket)); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bs(bucket))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
