package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// arrivals is a chat that notes when each DM arrives.
type arrivals struct {
	mu   sync.Mutex
	at   []time.Time
	want int
	all  chan struct{}
}

func (a *arrivals) Post(context.Context, bot.ChannelID, bot.Message) (bot.PostRef, error) {
	return "", nil
}
func (a *arrivals) IsPrivate(context.Context, bot.ChannelID) (bool, error) { return true, nil }
func (a *arrivals) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at = append(a.at, time.Now())
	if len(a.at) == a.want {
		close(a.all)
	}
	return nil
}

// fillReminders writes n pending digest reminders due from first on,
// step apart, in transactions of 10,000.
func fillReminders(b *testing.B, st *storage.Store, n int, first time.Time, step time.Duration, prefix string) []time.Time {
	var due []time.Time
	for i := 0; i < n; i += 10000 {
		err := st.Update(context.Background(), func(tx bot.Tx) error {
			for j := i; j < min(n, i+10000); j++ {
				d := first.Add(time.Duration(j) * step)
				due = append(due, d)
				if _, err := tx.PutReminder(bot.Reminder{Kind: bot.RemindDigest, Key: fmt.Sprintf("%s/%d", prefix, j), Due: d,
					State: bot.ReminderPending, Created: first}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return due
}

// BenchmarkReminders100k: a store holds 100,000 pending reminders. It
// measures, with fsync on:
//
//   - load-ms: a fresh start on that store (open with the key, check
//     that the reminders were derived with these settings, send what is
//     due, find the next one), what icbot does before its loop sleeps;
//   - late-p50-ms, late-p99-ms: how late 1,000 reminders falling due 2 ms
//     apart are delivered (to the chat) by the running loop, among the
//     100,000.
func BenchmarkReminders100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "icbot.db")
	st, err := storage.Open(path, storage.WithKey(testKey))
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Update(context.Background(), func(tx bot.Tx) error {
		return tx.PutPerson(bot.Person{ID: "ines", Name: "ines", Roles: []bot.Role{bot.RoleIC}})
	}); err != nil {
		b.Fatal(err)
	}
	fillReminders(b, st, 100000, time.Now().Add(30*24*time.Hour), time.Second, "far")
	st.Close()

	var load, p50, p99 []float64
	round := 0
	for b.Loop() {
		round++
		start := time.Now()
		st, err := storage.Open(path, storage.WithKey(testKey))
		if err != nil {
			b.Fatal(err)
		}
		chat := &arrivals{want: 1000, all: make(chan struct{})}
		bt := bot.New(st, chat)
		if err := bt.StartReminders(context.Background()); err != nil {
			b.Fatal(err)
		}
		if _, err := bt.FireReminders(context.Background()); err != nil {
			b.Fatal(err)
		}
		load = append(load, float64(time.Since(start).Microseconds())/1000)

		b.StopTimer()
		due := fillReminders(b, st, 1000, time.Now().Add(500*time.Millisecond), 2*time.Millisecond, fmt.Sprintf("near%d", round))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); bt.RunReminders(ctx) }()
		select {
		case <-chat.all:
		case <-time.After(60 * time.Second):
			b.Fatalf("only %d of 1000 reminders arrived", len(chat.at))
		}
		cancel()
		<-done
		var late []time.Duration
		for i, at := range chat.at {
			late = append(late, at.Sub(due[i]))
		}
		slices.Sort(late)
		p50 = append(p50, float64(late[len(late)/2].Microseconds())/1000)
		p99 = append(p99, float64(late[len(late)*99/100].Microseconds())/1000)
		st.Close()
		b.StartTimer()
	}
	median := func(xs []float64) float64 { slices.Sort(xs); return xs[len(xs)/2] }
	b.ReportMetric(median(load), "load-ms")
	b.ReportMetric(median(p50), "late-p50-ms")
	b.ReportMetric(median(p99), "late-p99-ms")
}
