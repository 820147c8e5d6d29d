package storage_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// The reminder benchmarks open their stores with a key, as icbot does, so
// that sealing the note is counted. They report figures only.

// benchReminders is how many pending reminders the read benchmarks keep.
const benchReminders = 100_000

// benchReminder is the i-th of a large store's pending reminders: due
// times spread over about 70 days, in an order unlike i.
func benchReminder(i int) bot.Reminder {
	return bot.Reminder{
		Kind: bot.RemindCheckIn, Key: fmt.Sprintf("check-in/S%d/U%d/%d", i%50, i%40, i),
		Scene: bot.SceneID(fmt.Sprintf("S%d", i%50)), Performer: bot.UserID(fmt.Sprintf("U%d", i%40)),
		Due: benchDue(i), State: bot.ReminderPending, Created: t0,
	}
}

// benchDue is when the i-th reminder falls due: a permutation of the
// minutes from t0, so that the earliest is reminder 0.
func benchDue(i int) time.Time {
	return t0.Add(time.Duration(i*7919%benchReminders) * time.Minute)
}

// fillReminders puts n pending reminders in batches of 10,000 per
// transaction.
func fillReminders(b *testing.B, s *storage.Store, n int) {
	b.Helper()
	const batch = 10_000
	for start := 0; start < n; start += batch {
		err := s.Update(b.Context(), func(tx bot.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				if _, err := tx.PutReminder(benchReminder(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchStore(b *testing.B, path string) *storage.Store {
	b.Helper()
	s, err := storage.Open(path, quiet, storage.WithKey(keyA))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkPutReminder is one synced Update adding a reminder, with its
// record, its sealed note and three index entries (due, key, scene).
func BenchmarkPutReminder(b *testing.B) {
	s := benchStore(b, filepath.Join(b.TempDir(), "icbot.db"))
	defer s.Close()
	i := 0
	for b.Loop() {
		i++
		err := s.Update(b.Context(), func(tx bot.Tx) error {
			_, err := tx.PutReminder(benchReminder(i))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNextReminder is one read transaction finding the earliest of
// 100,000 pending reminders.
func BenchmarkNextReminder(b *testing.B) {
	s := benchStore(b, filepath.Join(b.TempDir(), "icbot.db"))
	defer s.Close()
	fillReminders(b, s, benchReminders)
	for b.Loop() {
		err := s.View(b.Context(), func(tx bot.Tx) error {
			r, ok, err := tx.NextReminder()
			if err == nil && (!ok || !r.Due.Equal(t0)) {
				err = fmt.Errorf("next reminder %d due %v, want one due %v", r.ID, r.Due, t0)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDueReminders is one read transaction listing the reminders due
// among 100,000 pending ones: 10 due, and all due with a limit of 100.
func BenchmarkDueReminders(b *testing.B) {
	s := benchStore(b, filepath.Join(b.TempDir(), "icbot.db"))
	defer s.Close()
	fillReminders(b, s, benchReminders)
	for _, bc := range []struct {
		name  string
		at    time.Time
		limit int
		want  int
	}{
		{"10 due", t0.Add(9 * time.Minute), 100, 10},
		{"all due, limit 100", t0.Add(benchReminders * time.Minute), 100, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				err := s.View(b.Context(), func(tx bot.Tx) error {
					due, err := tx.DueReminders(bc.at, bc.limit)
					if err == nil && len(due) != bc.want {
						err = fmt.Errorf("%d due, want %d", len(due), bc.want)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpen100k is what icbot does at start: open a file holding
// 100,000 pending reminders with its key, find the earliest, and close.
// It also reports the file's size.
func BenchmarkOpen100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "icbot.db")
	s := benchStore(b, path)
	fillReminders(b, s, benchReminders)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s := benchStore(b, path)
		err := s.View(b.Context(), func(tx bot.Tx) error {
			_, ok, err := tx.NextReminder()
			if err == nil && !ok {
				err = fmt.Errorf("no pending reminder")
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-file")
}
