package storage_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// BenchmarkBareWrite is the floor under every icbot write: one bbolt
// Update, synced to disk, putting a ~300-byte value. Compare
// BenchmarkStorePutSceneWithAudit with it.
func BenchmarkBareWrite(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	bucket := []byte("bench")
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket(bucket); return err }); err != nil {
		b.Fatal(err)
	}
	value := []byte(strings.Repeat("v", 300))
	var i uint64
	for b.Loop() {
		i++
		err := db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucket).Put([]byte(fmt.Sprintf("%016x", i)), value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStorePutSceneWithAudit is one typical use case: a scene written
// and audited in one synced Update.
func BenchmarkStorePutSceneWithAudit(b *testing.B) {
	s, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), quiet)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	sc := fullScene()
	now := time.Date(2031, 6, 14, 7, 0, 0, 0, time.UTC)
	for b.Loop() {
		sc.Version++
		err := s.Update(b.Context(), func(tx bot.Tx) error {
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			return tx.Audit(bot.AuditRecord{Time: now, Actor: "U5", Action: "scene.set", Scene: sc.ID, Summary: "scene 12A changed"})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
