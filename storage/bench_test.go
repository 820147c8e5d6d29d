package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
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

// nopChat is a chat that delivers nowhere, so that the command benchmarks
// measure the router, the handler and the store.
type nopChat struct{}

func (nopChat) Post(context.Context, bot.ChannelID, bot.Message) (bot.PostRef, error) { return "", nil }
func (nopChat) DM(context.Context, bot.UserID, bot.Message) error                     { return nil }
func (nopChat) IsPrivate(context.Context, bot.ChannelID) (bool, error)                { return true, nil }

// benchBot is a store with the IC, the AD, two performers and scene 12
// with four beats, and a bot over it.
func benchBot(b *testing.B) *bot.Bot {
	b.Helper()
	s, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	bt := bot.New(s, nopChat{}, bot.WithAdmins("root"))
	for _, line := range []string{
		"/icbot role add <@ines> ic", "/icbot role add <@adam> ad",
		"/icbot role add <@paula> performer", "/icbot role add <@pete> performer",
	} {
		runCmd(b, bt, "root", line)
	}
	runCmd(b, bt, "ines", `/scene add 12 title="Night swim" call="2036-12-03 09:00" performers=@paula,@pete channel=#scene-12`)
	for _, beat := range []string{`"kiss" kind=contact`, `"hand on thigh" kind=contact`, `"leaves the water" kind=nudity areas=back`, `"simulated sex" kind=simulated-sex`} {
		runCmd(b, bt, "ines", "/scene beat add 12 "+beat)
	}
	return bt
}

func runCmd(b *testing.B, bt *bot.Bot, caller, line string) {
	o := bt.Handle(b.Context(), bot.Command{Caller: bot.UserID(caller), Text: line})
	if o.Err != nil {
		b.Fatalf("%s: %v", line, o.Err)
	}
}

// BenchmarkCommandWrite is one state-changing command through the parser,
// the router, the role check, the handler, the need-to-know gate and one
// synced store transaction with its audit record. Compare with
// BenchmarkBareWrite from the same run.
func BenchmarkCommandWrite(b *testing.B) {
	bt := benchBot(b)
	titles := []string{`/scene set 12 title="Night swim"`, `/scene set 12 title="Night swim, take two"`}
	i := 0
	for b.Loop() {
		i++
		runCmd(b, bt, "adam", titles[i%2])
	}
}

// BenchmarkCommandRead is one read command: a performer's /scene show.
func BenchmarkCommandRead(b *testing.B) {
	bt := benchBot(b)
	for b.Loop() {
		runCmd(b, bt, "paula", "/scene show 12")
	}
}

// BenchmarkUpdatesConcurrent is BenchmarkStorePutSceneWithAudit from 16
// goroutines at once, each on a scene of its own: the Updates share
// commits. Compare its ns/op, the time per Update, with the serial one's
// from the same run.
func BenchmarkUpdatesConcurrent(b *testing.B) {
	s, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), quiet, storage.WithKey(keyA))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2031, 6, 14, 7, 0, 0, 0, time.UTC)
	var n atomic.Int64
	b.SetParallelism(16 / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		sc := fullScene()
		sc.ID = bot.SceneID(fmt.Sprintf("P%d", n.Add(1)))
		for pb.Next() {
			sc.Version++
			err := s.Update(b.Context(), func(tx bot.Tx) error {
				if err := tx.PutScene(sc); err != nil {
					return err
				}
				return tx.Audit(bot.AuditRecord{Time: now, Actor: "U5", Action: "scene.set", Scene: sc.ID, Summary: "scene changed"})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}
