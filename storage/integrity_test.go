package storage_test

import (
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// derived is a key derived from a storage key as the file format says:
// HKDF-SHA256, no salt, the label as info, 32 bytes.
func derived(t *testing.T, key []byte, label string) []byte {
	t.Helper()
	k, err := hkdf.Key(sha256.New, key, nil, label, 32)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// hmacChain is the keyed chain of a storage key, computed here from the
// format rather than by the store.
func hmacChain(t *testing.T, key []byte) bot.ChainFunc {
	k := derived(t, key, "icbot/v1 audit chain")
	return func(prev []byte, r bot.AuditRecord) []byte { return mac(k, prev, r.Canonical()) }
}

// keyedHead is meta/audit_head as a keyed file stores it.
func keyedHead(t *testing.T, key []byte, n uint64, hash []byte) []byte {
	v := append(binary.BigEndian.AppendUint64(nil, n), hash...)
	return append(v, mac(derived(t, key, "icbot/v1 audit head"), v)...)
}

// writeAudit appends n records by U5.
func writeAudit(t *testing.T, s *storage.Store, n int) {
	t.Helper()
	for i := range n {
		update(t, s, func(tx bot.Tx) error {
			return tx.Audit(bot.AuditRecord{Time: t0.Add(time.Duration(i) * time.Minute), Actor: "U5", Action: "role.add",
				Scene: "12", Summary: fmt.Sprintf("change %d", i+1)})
		})
	}
}

// rawAudit reads the stored audit records of a closed file, with the
// canonical form the chain covers of those whose people are sealed.
func rawAudit(t *testing.T, path string) []bot.AuditRecord {
	t.Helper()
	var out []bot.AuditRecord
	for seq := uint64(1); ; seq++ {
		v := rawMaybe(t, path, bs("audit"), be(seq))
		if v == nil {
			return out
		}
		var r struct {
			Seq                           uint64
			Time                          time.Time
			Actor, Action, Scene, Summary string
			Hash                          []byte
		}
		if err := json.Unmarshal(v, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, bot.AuditRecord{Seq: r.Seq, Time: r.Time, Actor: bot.UserID(r.Actor), Action: r.Action,
			Scene: bot.SceneID(r.Scene), Summary: r.Summary, Hash: r.Hash, Stored: storage.StoredAudit(v)})
	}
}

// rewriteChain rewrites the audit records of a closed file from record
// from on, as someone with the file would: each record goes through edit
// and gets the hash chain computes, and the head is replaced by head of
// the new last hash.
func rewriteChain(t *testing.T, path string, from uint64, edit func(*bot.AuditRecord), chain bot.ChainFunc, head func(n uint64, hash []byte) []byte) {
	t.Helper()
	recs := rawAudit(t, path)
	prev := bot.GenesisHash()
	for i := range recs {
		r := &recs[i]
		if r.Seq >= from {
			var m map[string]any
			if err := json.Unmarshal(rawMaybe(t, path, bs("audit"), be(r.Seq)), &m); err != nil {
				t.Fatal(err)
			}
			edit(r)
			m["actor"], m["summary"], m["action"], m["scene"] = string(r.Actor), r.Summary, r.Action, string(r.Scene)
			delete(m, "hash")
			v, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			r.Stored = storage.StoredAudit(v)
			r.Hash = chain(prev, *r)
			m["hash"] = r.Hash
			if v, err = json.Marshal(m); err != nil {
				t.Fatal(err)
			}
			putRaw(t, path, v, bs("audit"), be(r.Seq))
		}
		prev = r.Hash
	}
	putRaw(t, path, head(uint64(len(recs)), prev), bs("meta"), bs("audit_head"))
}

// TestKeyedFormat pins the keyed file format, computed here from the
// documented derivation: the audit chain is HMAC-SHA256 with the key
// HKDF(storage key, "icbot/v1 audit chain"); the head is the count, the
// last hash and its HMAC with HKDF(key, "icbot/v1 audit head"); a person
// or the production carries the HMAC, with HKDF(key, "icbot/v1 record
// mac"), of its place, a zero byte and its JSON without the MAC.
func TestKeyedFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutProduction(production()); err != nil {
			return err
		}
		return tx.PutPerson(bot.Person{ID: "U5", Name: "ines", Roles: []bot.Role{bot.RoleIC}})
	})
	writeAudit(t, s, 3)
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	recs := rawAudit(t, path)
	chain := hmacChain(t, keyA)
	prev := bot.GenesisHash()
	for _, r := range recs {
		if want := chain(prev, r); !bytes.Equal(r.Hash, want) {
			t.Errorf("record %d: hash %x, want HMAC %x", r.Seq, r.Hash, want)
		}
		prev = r.Hash
	}
	if got, want := rawValue(t, path, bs("meta"), bs("audit_head")), keyedHead(t, keyA, 3, prev); !bytes.Equal(got, want) {
		t.Errorf("audit head %x, want %x", got, want)
	}
	if !bytes.Equal(head.Hash, prev) {
		t.Errorf("VerifyAudit head %x, want %x", head.Hash, prev)
	}
	recordKey := derived(t, keyA, "icbot/v1 record mac")
	for _, tt := range []struct {
		place string
		keys  [][]byte
		body  string
	}{
		{"people/U5", [][]byte{bs("people"), bs("U5")}, `{"id":"U5","name":"ines","roles":["ic"]}`},
		{"meta/production", [][]byte{bs("meta"), bs("production")},
			`{"name":"Night Shift","zone":"Europe/London","dept_channels":{"costume":"C-COSTUME","hmu":"C-HMU"}}`},
	} {
		want := mac(recordKey, bs(tt.place), []byte{0}, bs(tt.body))
		wantStored := strings.TrimSuffix(tt.body, "}") + `,"mac":"` + b64(want) + `"}`
		if got := string(rawValue(t, path, tt.keys...)); got != wantStored {
			t.Errorf("%s stored as\n%s\nwant\n%s", tt.place, got, wantStored)
		}
	}
}

func b64(b []byte) string {
	v, _ := json.Marshal(b)
	return strings.Trim(string(v), `"`)
}

// TestRehashedRewriteCaught is a rehashed rewrite: an actor changed in
// the file and the chain computed again from that record on, with the
// head to match, by someone who has the file but not the key. With the
// plain SHA-256 chain icbot kept before, it verified; now the record is
// named as the break, whether the chain was computed with SHA-256 or with
// another key.
func TestRehashedRewriteCaught(t *testing.T) {
	for _, tt := range []struct {
		name  string
		chain func(t *testing.T) bot.ChainFunc
		head  func(t *testing.T) func(uint64, []byte) []byte
	}{
		{"plain SHA-256, head without a MAC",
			func(*testing.T) bot.ChainFunc { return bot.ChainHash },
			func(*testing.T) func(uint64, []byte) []byte {
				return func(n uint64, h []byte) []byte { return append(binary.BigEndian.AppendUint64(nil, n), h...) }
			}},
		{"HMAC with another key, head with its MAC",
			func(t *testing.T) bot.ChainFunc { return hmacChain(t, keyB) },
			func(t *testing.T) func(uint64, []byte) []byte {
				return func(n uint64, h []byte) []byte { return keyedHead(t, keyB, n, h) }
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, storage.WithKey(keyA))
			writeAudit(t, s, 5)
			s.Close()
			rewriteChain(t, path, 3, func(r *bot.AuditRecord) {
				if r.Seq == 3 {
					r.Actor = "U666"
				}
			}, tt.chain(t), tt.head(t))

			s = openAt(t, path, storage.WithKey(keyA), storage.WithReadOnly())
			head, err := s.VerifyAudit(t.Context())
			var brk *bot.ChainBreak
			if !errors.As(err, &brk) || brk.Position != 3 {
				t.Fatalf("VerifyAudit = %v, want a break at record 3", err)
			}
			if !strings.Contains(err.Error(), "audit record 3 (stored seq 3) is broken") {
				t.Errorf("VerifyAudit = %q, does not name record 3", err)
			}
			if head.Records != 2 {
				t.Errorf("verified %d records, want the 2 before the rewrite", head.Records)
			}
		})
	}
}

// TestKeyedHead shows what the head's MAC adds: removing records from the
// end and writing a head to match, without the key, is noticed, as is a
// removed head. Putting back a head from an earlier copy of the file,
// with the records after it removed, is not: see the package
// documentation.
func TestKeyedHead(t *testing.T) {
	setup := func(t *testing.T) (string, []bot.AuditRecord) {
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(keyA))
		writeAudit(t, s, 3)
		s.Close()
		return path, rawAudit(t, path)
	}
	deleteLast := func(t *testing.T, path string) {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bs("audit")).Delete(be(3)) }); err != nil {
			t.Fatal(err)
		}
	}
	verify := func(t *testing.T, path string) error {
		s := openAt(t, path, storage.WithKey(keyA), storage.WithReadOnly())
		defer s.Close()
		_, err := s.VerifyAudit(t.Context())
		return err
	}
	t.Run("tail removed, head written without the key", func(t *testing.T) {
		path, recs := setup(t)
		deleteLast(t, path)
		putRaw(t, path, append(be(2), recs[1].Hash...), bs("meta"), bs("audit_head"))
		var mismatch *storage.HeadMismatchError
		if err := verify(t, path); !errors.As(err, &mismatch) || !strings.Contains(err.Error(), "audit head") {
			t.Errorf("VerifyAudit = %v, want a head mismatch", err)
		}
	})
	t.Run("head's MAC from another key", func(t *testing.T) {
		path, recs := setup(t)
		deleteLast(t, path)
		putRaw(t, path, keyedHead(t, keyB, 2, recs[1].Hash), bs("meta"), bs("audit_head"))
		if err := verify(t, path); err == nil || !strings.Contains(err.Error(), "does not verify with the key") {
			t.Errorf("VerifyAudit = %v", err)
		}
	})
	t.Run("head removed with every record", func(t *testing.T) {
		path, _ := setup(t)
		rawDeleteAll(t, path)
		if err := verify(t, path); err == nil || !strings.Contains(err.Error(), "no audit head") {
			t.Errorf("VerifyAudit = %v, want the missing head named", err)
		}
	})
	t.Run("a write after a head written without the key is refused", func(t *testing.T) {
		path, recs := setup(t)
		deleteLast(t, path)
		putRaw(t, path, append(be(2), recs[1].Hash...), bs("meta"), bs("audit_head"))
		s := openAt(t, path, storage.WithKey(keyA))
		err := s.Update(t.Context(), func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{Action: "scene.add"}) })
		if !errors.Is(err, storage.ErrTampered) || bot.ErrorCode(err) != bot.EINTERNAL {
			t.Errorf("Audit = %v, want an internal ErrTampered", err)
		}
	})
	t.Run("limit: an earlier head put back with the tail removed", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(keyA))
		writeAudit(t, s, 2)
		s.Close()
		earlier := rawValue(t, path, bs("meta"), bs("audit_head"))
		s = openAt(t, path, storage.WithKey(keyA))
		writeAudit(t, s, 1)
		s.Close()
		deleteLast(t, path)
		putRaw(t, path, earlier, bs("meta"), bs("audit_head"))
		if err := verify(t, path); err != nil {
			t.Errorf("VerifyAudit = %v: a rollback to an earlier copy is now noticed; update the documentation", err)
		}
	})
}

// rawDeleteAll removes every audit record and the audit head.
func rawDeleteAll(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bs("audit")); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bs("audit")); err != nil {
			return err
		}
		return tx.Bucket(bs("meta")).Delete(bs("audit_head"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// authorityReads are the reads that must fail on an edited authority
// record.
var authorityReads = map[string]func(tx bot.Tx) error{
	"person U1":  func(tx bot.Tx) error { _, err := tx.Person("U1"); return err },
	"person U9":  func(tx bot.Tx) error { _, err := tx.Person("U9"); return err },
	"people":     func(tx bot.Tx) error { _, err := tx.People(); return err },
	"production": func(tx bot.Tx) error { _, err := tx.Production(); return err },
}

// TestAuthorityRecordEdited edits people and the production in the file,
// without the key: a role given, a record copied from another person, a
// person added, a MAC removed, a department's channel changed. Each read
// of the record fails closed, with an internal error that names the
// record by its place and shows none of its content, and VerifyRecords
// names it. Before, the role was taken as given.
func TestAuthorityRecordEdited(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(t *testing.T, path string)
		reads  []string
		record string
	}{
		{
			name: "the ic role given",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["roles"] = []any{"performer", "ic"} }, bs("people"), bs("U1"))
			},
			reads: []string{"person U1", "people"}, record: "people/U1",
		},
		{
			name: "roles taken away",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { delete(r, "roles") }, bs("people"), bs("U1"))
			},
			reads: []string{"person U1", "people"}, record: "people/U1",
		},
		{
			name: "the IC's record copied to another person, ids changed to match",
			edit: func(t *testing.T, path string) {
				v := rawValue(t, path, bs("people"), bs("U5"))
				putRaw(t, path, bytes.Replace(v, bs(`"id":"U5"`), bs(`"id":"U1"`), 1), bs("people"), bs("U1"))
			},
			reads: []string{"person U1", "people"}, record: "people/U1",
		},
		{
			name: "a person added without a MAC",
			edit: func(t *testing.T, path string) {
				putRaw(t, path, bs(`{"id":"U9","name":"mallory","roles":["ic"]}`), bs("people"), bs("U9"))
			},
			reads: []string{"person U9", "people"}, record: "people/U9",
		},
		{
			name: "a MAC removed",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { delete(r, "mac") }, bs("people"), bs("U1"))
			},
			reads: []string{"person U1", "people"}, record: "people/U1",
		},
		{
			name: "the name changed",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["name"] = "ana2" }, bs("people"), bs("U1"))
			},
			reads: []string{"person U1"}, record: "people/U1",
		},
		{
			name: "costume's channel changed",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { object(r, "dept_channels")["costume"] = "C-ATTACKER" }, bs("meta"), bs("production"))
			},
			reads: []string{"production"}, record: "meta/production",
		},
		{
			name: "the production's name changed",
			edit: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["name"] = "Other" }, bs("meta"), bs("production"))
			},
			reads: []string{"production"}, record: "meta/production",
		},
		{
			name: "a person's record put in the production's place",
			edit: func(t *testing.T, path string) {
				putRaw(t, path, rawValue(t, path, bs("people"), bs("U5")), bs("meta"), bs("production"))
			},
			reads: []string{"production"}, record: "meta/production",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, storage.WithKey(keyA))
			writeEverything(t, s)
			s.Close()
			tt.edit(t, path)
			s = openAt(t, path, storage.WithKey(keyA))
			for _, name := range tt.reads {
				err := s.View(t.Context(), authorityReads[name])
				switch {
				case err == nil:
					t.Errorf("%s: read an edited record", name)
					continue
				case !errors.Is(err, storage.ErrTampered):
					t.Errorf("%s: %v, want ErrTampered", name, err)
				case bot.ErrorCode(err) != bot.EINTERNAL:
					t.Errorf("%s: code %s, want internal", name, bot.ErrorCode(err))
				case !strings.Contains(err.Error(), "record "+tt.record+" does not verify with the key"):
					t.Errorf("%s: %q does not name %s", name, err, tt.record)
				}
				for _, content := range []string{"ana", "ines", "mallory", "C-ATTACKER", "C-COSTUME", "Night Shift", `"ic"`} {
					if strings.Contains(err.Error(), content) {
						t.Errorf("%s: the error shows %q: %v", name, content, err)
					}
				}
			}
			err := s.VerifyRecords(t.Context())
			if !errors.Is(err, storage.ErrTampered) || !strings.Contains(err.Error(), "record "+tt.record+" ") {
				t.Errorf("VerifyRecords = %v, want %s named", err, tt.record)
			}
			if got := strings.Count(fmt.Sprint(err), "\n") + 1; got != 1 {
				t.Errorf("VerifyRecords names %d records, want 1: %v", got, err)
			}
		})
	}
}

// TestAuthorityRecordsUnedited: what the store writes verifies, through
// every write and after a reopen, and an unknown person is still
// ENOTFOUND.
func TestAuthorityRecordsUnedited(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, mode.opts...)
			writeEverything(t, s)
			// A name that JSON cannot hold as it is: read back as encoded.
			odd := bot.Person{ID: "U7", Name: "bad \xff utf-8 <&>", Roles: []bot.Role{bot.RoleCamera}}
			update(t, s, func(tx bot.Tx) error { return tx.PutPerson(odd) })
			update(t, s, func(tx bot.Tx) error { return tx.DeletePerson("U1") })
			s.Close()
			s = openAt(t, path, mode.opts...)
			if err := s.VerifyRecords(t.Context()); err != nil {
				t.Errorf("VerifyRecords: %v", err)
			}
			view(t, s, func(tx bot.Tx) error {
				p, err := tx.Person("U7")
				if err != nil {
					return err
				}
				if diff := cmp.Diff(bot.Person{ID: "U7", Name: "bad \uFFFD utf-8 <&>", Roles: []bot.Role{bot.RoleCamera}}, p); diff != "" {
					t.Errorf("person (-want +got):\n%s", diff)
				}
				if _, err := tx.Person("U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
					t.Errorf("deleted person: %v", err)
				}
				return nil
			})
		})
	}
}

// TestRollbackNotNoticed shows a limit: a whole authority record put back
// as an earlier copy of the file held it (here, the IC role someone had
// before it was taken away) verifies, since its MAC is valid for its
// place. Only the audit trail says when the role was taken away.
func TestRollbackNotNoticed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U1", Roles: []bot.Role{bot.RoleIC}}) })
	s.Close()
	earlier := rawValue(t, path, bs("people"), bs("U1"))
	s = openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U1", Roles: []bot.Role{bot.RolePerformer}}) })
	s.Close()
	putRaw(t, path, earlier, bs("people"), bs("U1"))
	s = openAt(t, path, storage.WithKey(keyA))
	view(t, s, func(tx bot.Tx) error {
		p, err := tx.Person("U1")
		if err == nil && !p.Has(bot.RoleIC) {
			t.Error("the earlier copy was not read back")
		}
		return err
	})
}

// logBuffer collects a store's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() storage.Option {
	return storage.WithLogger(slog.New(slog.NewTextHandler(b, nil)))
}

// rawMaybe reads a value at a key path of a closed file; nil when absent.
func rawMaybe(t *testing.T, path string, keys ...[]byte) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []byte
	_ = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(keys[0])
		for _, k := range keys[1 : len(keys)-1] {
			if b == nil {
				return nil
			}
			b = b.Bucket(k)
		}
		if b != nil {
			out = bytes.Clone(b.Get(keys[len(keys)-1]))
		}
		return nil
	})
	return out
}
