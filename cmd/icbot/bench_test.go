package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
	"icbot/storage/keyfile"
)

// BenchmarkIdleConsoleRSS builds the real icbot binary, starts the console
// on a fresh database with the demo, waits for the banner and for it to
// answer one command, then reads its resident memory from /proc. It
// reports the figure as MB-rss; the time per op is meaningless.
func BenchmarkIdleConsoleRSS(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "icbot")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var rss float64
	for b.Loop() {
		rss = idleRSS(b, bin, filepath.Join(dir, "icbot.db"))
	}
	b.ReportMetric(rss, "MB-rss")
}

// BenchmarkStart100kReminders builds icbot, fills a database with 100,000
// pending reminders, starts the console on it and waits for it to answer
// one command; it reports the resident memory then (MB-rss) and the time
// from start to that answer (start-ms).
func BenchmarkStart100kReminders(b *testing.B) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		b.Skip("needs /proc")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "icbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "icbot.db")
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	if err := keyfile.Create(db+".key", key); err != nil {
		b.Fatal(err)
	}
	st, err := storage.Open(db, storage.WithKey(key))
	if err != nil {
		b.Fatal(err)
	}
	far := time.Now().Add(30 * 24 * time.Hour)
	for i := 0; i < 100000; i += 10000 {
		err := st.Update(context.Background(), func(tx bot.Tx) error {
			for j := i; j < i+10000; j++ {
				if _, err := tx.PutReminder(bot.Reminder{Kind: bot.RemindDigest, Key: fmt.Sprintf("bench/%d", j),
					Due: far.Add(time.Duration(j) * time.Second), State: bot.ReminderPending, Created: time.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	var rss, took float64
	for b.Loop() {
		start := time.Now()
		rss = idleRSS(b, bin, db)
		took = float64(time.Since(start).Microseconds()) / 1000
	}
	b.ReportMetric(rss, "MB-rss")
	b.ReportMetric(took, "start-ms")
}

func idleRSS(b *testing.B, bin, db string) float64 {
	cmd := exec.Command(bin, "--db", db)
	cmd.Env = append(os.Environ(), "ICBOT_PRODUCTION_TIMEZONE=Europe/London")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	// One command answered means the store, bot and console are all up.
	if _, err := stdin.Write([]byte("/scene show 12\n")); err != nil {
		b.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for answered := false; !answered; {
		select {
		case l, ok := <-lines:
			if !ok {
				b.Fatal("icbot exited")
			}
			answered = strings.Contains(l, "Scene 12:")
		case <-deadline:
			b.Fatal("no answer within 30s")
		}
	}
	go func() {
		for range lines {
		}
	}()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatal("no VmRSS in /proc status")
	return 0
}
