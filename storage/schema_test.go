package storage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

var quiet = WithLogger(slog.New(slog.DiscardHandler))

// rawFile opens path with bbolt directly, runs fn in a write transaction
// and closes it: how the tests write old layouts and tamper with files.
func rawFile(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("bolt.Open: %v", err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatalf("raw update: %v", err)
	}
}

func rawVersion(t *testing.T, path string) uint64 {
	t.Helper()
	var v uint64
	rawFile(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil || len(b.Get(keySchemaVersion)) != 8 {
			return errors.New("no schema version")
		}
		v = binary.BigEndian.Uint64(b.Get(keySchemaVersion))
		return nil
	})
	return v
}

func TestMigrationTableMatchesSchemaVersion(t *testing.T) {
	if got, want := len(migrations)-1, SchemaVersion; got != want {
		t.Errorf("migrations go up to version %d, SchemaVersion is %d", got, want)
	}
}

func TestNewFileGetsCurrentVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := rawVersion(t, path), uint64(SchemaVersion); got != want {
		t.Errorf("schema version = %d, want %d", got, want)
	}
	rawFile(t, path, func(tx *bolt.Tx) error {
		for _, l := range layout {
			if tx.Bucket(l.name) == nil {
				t.Errorf("bucket %s missing", l.name)
			}
		}
		return nil
	})
}

// oldPerson is a made-up version-0 person: one "role" string, kept in a
// "persons" bucket.
type oldPerson struct {
	User string `json:"user"`
	Role string `json:"role"`
}

// writeV0 writes a made-up version-0 layout: meta with schema_version 0
// and people in a "persons" bucket.
func writeV0(t *testing.T, path string) {
	t.Helper()
	rawFile(t, path, func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchemaVersion, u64key(0)); err != nil {
			return err
		}
		persons, err := tx.CreateBucket([]byte("persons"))
		if err != nil {
			return err
		}
		for _, p := range []oldPerson{{"U1", "ic"}, {"U2", "performer"}} {
			v, _ := json.Marshal(p)
			if err := persons.Put([]byte(p.User), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// testV1 migrates the made-up version 0 to the real version-1 layout.
func testV1(tx *bolt.Tx) error {
	if err := createV1(tx); err != nil {
		return err
	}
	persons, people := tx.Bucket([]byte("persons")), tx.Bucket(bucketPeople)
	err := persons.ForEach(func(k, v []byte) error {
		var old oldPerson
		if err := json.Unmarshal(v, &old); err != nil {
			return err
		}
		nv, err := json.Marshal(personRecord{ID: old.User, Roles: []string{old.Role}})
		if err != nil {
			return err
		}
		return people.Put(k, nv)
	})
	if err != nil {
		return err
	}
	return tx.DeleteBucket([]byte("persons"))
}

func TestMigrations(t *testing.T) {
	var ran []uint64
	record := func(v uint64, m migration) migration {
		return func(tx *bolt.Tx) error {
			ran = append(ran, v)
			return m(tx)
		}
	}
	addBucket := func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("v2"))
		return err
	}
	failing := func(*bolt.Tx) error { return errors.New("cannot") }
	// recorded is the real migration table, each step noting that it ran.
	recorded := func() []migration {
		out := make([]migration, len(migrations))
		for v := 1; v < len(migrations); v++ {
			out[v] = record(uint64(v), migrations[v])
		}
		return out
	}

	tests := []struct {
		name        string
		prepare     func(t *testing.T, path string) // nil: new file
		table       []migration
		wantRan     []uint64
		wantVersion uint64
		wantErr     string // exact message with PATH replaced
		wantPeople  []bot.Person
		untouched   bool // the version-0 layout must still be there
	}{
		{
			name:        "new file runs every migration",
			table:       append(recorded(), record(SchemaVersion+1, addBucket)),
			wantRan:     upTo(1, SchemaVersion+1),
			wantVersion: SchemaVersion + 1,
		},
		{
			name:        "version 0 file is migrated with its data",
			prepare:     writeV0,
			table:       append([]migration{nil, record(1, testV1)}, recorded()[2:]...),
			wantRan:     upTo(1, SchemaVersion),
			wantVersion: SchemaVersion,
			wantPeople: []bot.Person{
				{ID: "U1", Roles: []bot.Role{bot.RoleIC}},
				{ID: "U2", Roles: []bot.Role{bot.RolePerformer}},
			},
		},
		{
			name:        "version 1 file gains the later buckets",
			prepare:     writeV1,
			table:       recorded(),
			wantRan:     upTo(2, SchemaVersion),
			wantVersion: SchemaVersion,
			wantPeople:  []bot.Person{{ID: "U9", Name: "kept"}},
		},
		{
			name:        "current file runs only a later migration",
			prepare:     writeCurrent,
			table:       append(recorded(), record(SchemaVersion+1, addBucket)),
			wantRan:     []uint64{SchemaVersion + 1},
			wantVersion: SchemaVersion + 1,
			wantPeople:  []bot.Person{{ID: "U9", Name: "kept"}},
		},
		{
			name:        "current file runs nothing",
			prepare:     writeCurrent,
			table:       recorded(),
			wantRan:     nil,
			wantVersion: SchemaVersion,
			wantPeople:  []bot.Person{{ID: "U9", Name: "kept"}},
		},
		{
			name:        "failed migration changes nothing",
			prepare:     writeV0,
			table:       []migration{1: record(1, testV1), 2: record(2, failing)},
			wantRan:     []uint64{1, 2},
			wantVersion: 0,
			wantErr:     "migrating database PATH from schema version 1 to 2: cannot",
			untouched:   true,
		},
		{
			name:        "migration that leaves out a bucket is refused",
			prepare:     writeV0,
			table:       []migration{1: record(1, func(*bolt.Tx) error { return nil })},
			wantRan:     []uint64{1},
			wantVersion: 0,
			wantErr:     "database PATH has no people bucket after migrating to schema version 1: the file is damaged",
			untouched:   true,
		},
		{
			name: "newer file is refused",
			prepare: func(t *testing.T, path string) {
				writeCurrent(t, path)
				rawFile(t, path, func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64key(SchemaVersion+1)) })
			},
			table:       recorded(),
			wantVersion: SchemaVersion + 1,
			wantErr:     fmt.Sprintf("database PATH has schema version %d, newer than this icbot (%d): upgrade icbot", SchemaVersion+1, SchemaVersion),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran = nil
			path := filepath.Join(t.TempDir(), "icbot.db")
			if tt.prepare != nil {
				tt.prepare(t, path)
			}
			s, err := Open(path, quiet, withMigrations(tt.table))
			if tt.wantErr != "" {
				if err == nil {
					_ = s.Close()
					t.Fatal("Open succeeded")
				}
				if got, want := err.Error(), strings.ReplaceAll(tt.wantErr, "PATH", path); got != want {
					t.Errorf("error = %q, want %q", got, want)
				}
			} else {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				var people []bot.Person
				if err := s.View(t.Context(), func(tx bot.Tx) error {
					people, err = tx.People()
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.wantPeople, people); diff != "" {
					t.Errorf("people after migrating (-want +got):\n%s", diff)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.wantRan, ran); diff != "" {
				t.Errorf("migrations run (-want +got):\n%s", diff)
			}
			if got, want := rawVersion(t, path), tt.wantVersion; got != want {
				t.Errorf("stored schema version = %d, want %d", got, want)
			}
			if tt.untouched {
				rawFile(t, path, func(tx *bolt.Tx) error {
					if tx.Bucket([]byte("persons")) == nil || tx.Bucket(bucketPeople) != nil {
						t.Error("the version-0 layout was changed by a failed migration")
					}
					return nil
				})
			}
		})
	}
}

// writeV1 writes a current file holding one person.
// writeV1 writes a file as the first icbot did: the version 1 buckets,
// one person, schema version 1.
func writeV1(t *testing.T, path string) {
	t.Helper()
	rawFile(t, path, func(tx *bolt.Tx) error {
		if err := createV1(tx); err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keySchemaVersion, u64key(1)); err != nil {
			return err
		}
		v, err := json.Marshal(personRecord{ID: "U9", Name: "kept"})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketPeople).Put([]byte("U9"), v)
	})
}

// writeCurrent writes a file with this icbot and one person.
func writeCurrent(t *testing.T, path string) {
	t.Helper()
	s, err := Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Update(t.Context(), func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U9", Name: "kept"}) }); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsErrNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	writeCurrent(t, path)
	rawFile(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchemaVersion, u64key(SchemaVersion+1))
	})
	_, err := Open(path, quiet)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("Open = %v, want ErrNewerSchema", err)
	}
	want := fmt.Sprintf("database %s has schema version %d, newer than this icbot (%d): upgrade icbot", path, SchemaVersion+1, SchemaVersion)
	if got := err.Error(); got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	t.Run("missing file is an error and is not created", func(t *testing.T) {
		path := filepath.Join(dir, "missing.db")
		if s, err := Open(path, quiet, WithReadOnly()); err == nil {
			s.Close()
			t.Fatal("opened a missing file")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("a read-only open created %s", path)
		}
	})
	t.Run("older file is read without migrating", func(t *testing.T) {
		path := filepath.Join(dir, "v1.db")
		writeV1(t, path)
		s, err := Open(path, quiet, WithReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAudit(t.Context()); err != nil {
			t.Errorf("verify on a version 1 file: %v", err)
		}
		if err := s.Update(t.Context(), func(bot.Tx) error { return nil }); err == nil {
			t.Errorf("a read-only store accepted a write")
		}
		s.Close()
		if got := rawVersion(t, path); got != 1 {
			t.Errorf("schema version %d after a read-only open, want 1 (untouched)", got)
		}
	})
}

// upTo lists the versions from..to.
func upTo(from, to uint64) []uint64 {
	var vs []uint64
	for v := from; v <= to; v++ {
		vs = append(vs, v)
	}
	return vs
}
