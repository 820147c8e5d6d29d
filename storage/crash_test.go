package storage_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// crashEnv carries the database path to the child process, and
// crashWritersEnv how many goroutines write at once.
const (
	crashEnv        = "ICBOT_STORAGE_CRASH_CHILD"
	crashWritersEnv = "ICBOT_STORAGE_CRASH_WRITERS"
)

// TestCrashChild is the child of TestCrashSafety, not a test of its own:
// each of its writers commits a scene, a shared "HOT" scene and an audit
// record per Update, and prints "ack N" (N the audit sequence) once
// Update has returned, until it is killed. Several writers share commits.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashSafety")
	}
	writers, err := strconv.Atoi(os.Getenv(crashWritersEnv))
	if err != nil || writers < 1 {
		t.Fatalf("%s=%q", crashWritersEnv, os.Getenv(crashWritersEnv))
	}
	s, err := storage.Open(path, storage.WithTimeout(5*time.Second), quiet, storage.WithKey(keyA))
	if err != nil {
		t.Fatal(err)
	}
	// The parent counts the commits, to show that writers shared them.
	storage.SetCommitHooks(s, nil, func(size int, ok bool) {
		if ok {
			fmt.Printf("group %d\n", size)
		}
	})
	// Bounded, in case the parent never kills it.
	stop := time.Now().Add(2 * time.Minute)
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() { crashWrites(t, s, stop) })
	}
	wg.Wait()
	t.Error("not killed in time")
}

// crashWrites is one writer of TestCrashChild.
func crashWrites(t *testing.T, s *storage.Store, stop time.Time) {
	for time.Now().Before(stop) {
		var seq uint64
		err := s.Update(context.Background(), func(tx bot.Tx) error {
			n, err := tx.AuditLen()
			if err != nil {
				return err
			}
			seq = n + 1
			if err := tx.PutScene(crashScene(seq)); err != nil {
				return err
			}
			if err := tx.PutScene(bot.Scene{ID: "HOT", Version: int(seq), Title: strings.Repeat("h", int(seq%512))}); err != nil {
				return err
			}
			return tx.Audit(bot.AuditRecord{Time: time.Now(), Actor: "U5", Action: "scene.add", Scene: crashScene(seq).ID, Summary: "crash test"})
		})
		if err != nil {
			t.Error(err)
			return
		}
		// os.Stdout is unbuffered: once this returns the parent can read
		// it. One short write to a pipe is not interleaved with another.
		fmt.Printf("ack %d\n", seq)
	}
}

func crashScene(seq uint64) bot.Scene {
	return bot.Scene{
		ID:      bot.SceneID(fmt.Sprintf("S%d", seq)),
		Title:   strings.Repeat("t", 100+int(seq%300)), // varied sizes split and free pages
		Version: int(seq),
		Beats:   []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindContact}},
	}
}

// TestCrashSafety kills a writing child process with SIGKILL, several
// times over the same file, and checks after each kill that every write
// the child was told had committed is there, whole, with its audit record,
// and that the file is consistent: with one writer, each Update commits
// alone; with 8, Updates share commits.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, writers := range []int{1, 8} {
		t.Run(fmt.Sprintf("%d writers", writers), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			var acked []uint64
			for round := range 3 {
				t.Run(fmt.Sprintf("kill %d", round+1), func(t *testing.T) {
					got := runAndKill(t, path, writers, 200)
					if len(got) == 0 {
						t.Fatal("no acks")
					}
					if len(acked) > 0 && slices.Min(got) <= slices.Max(acked) {
						t.Errorf("ack %d after ack %d of an earlier round: an acknowledged write was lost", slices.Min(got), slices.Max(acked))
					}
					acked = append(acked, got...)
					checkAfterCrash(t, path, writers*(round+1), acked)
				})
			}
		})
	}
}

// runAndKill starts the child on path with writers writers, reads n
// acks, kills it with SIGKILL and returns every ack it printed.
func runAndKill(t *testing.T, path string, writers, n int) []uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, fmt.Sprintf("%s=%d", crashWritersEnv, writers))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()

	var acks []uint64
	seen := map[uint64]bool{}
	groups, grouped := 0, 0
	parse := func(line string) {
		if g, ok := strings.CutPrefix(line, "group "); ok {
			n, err := strconv.Atoi(g)
			if err != nil {
				t.Errorf("bad group line %q", line)
			}
			groups, grouped = groups+1, grouped+n
			return
		}
		s, ok := strings.CutPrefix(line, "ack ")
		if !ok {
			t.Logf("child: %s", line)
			return
		}
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Errorf("bad ack line %q", line)
			return
		}
		// With one writer, each ack is the next; with several, they may
		// come out of order, but never twice.
		if writers == 1 && len(acks) > 0 && v != acks[len(acks)-1]+1 {
			t.Errorf("ack %d follows ack %d", v, acks[len(acks)-1])
		}
		if seen[v] {
			t.Errorf("ack %d twice", v)
		}
		seen[v] = true
		acks = append(acks, v)
	}
	deadline := time.NewTimer(60 * time.Second)
	defer deadline.Stop()
	for len(acks) < n {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("child exited after %d acks:\n%s", len(acks), stderr.String())
			}
			parse(line)
		case <-deadline.C:
			_ = cmd.Process.Kill()
			for range lines {
			}
			_ = cmd.Wait()
			t.Fatalf("child printed %d acks in 60s, want %d:\n%s", len(acks), n, stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Acks printed before the kill landed are acknowledged writes too.
	for line := range lines {
		parse(line)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("child: %v, want killed by SIGKILL", err)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL:\n%s", err, stderr.String())
	}
	t.Logf("%d writers: %d Updates in %d commits before the kill", writers, grouped, groups)
	return acks
}

// checkAfterCrash checks the file after a kill: consistent, its audit
// chain whole, every acknowledged write there with its audit record, and
// no more records than were acknowledged plus those that may have
// committed without their ack printed (unacked: one per writer per kill).
func checkAfterCrash(t *testing.T, path string, unacked int, acked []uint64) {
	t.Helper()
	s := openAt(t, path, storage.WithKey(keyA))
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	last := slices.Max(acked)
	t.Logf("killed after %d acks, the highest %d; %d audit records on disk", len(acked), last, head.Records)
	// A commit may have landed without its ack being printed.
	if head.Records < last || head.Records > uint64(len(acked)+unacked) {
		t.Errorf("audit log has %d records, for %d acknowledged up to %d", head.Records, len(acked), last)
	}
	view(t, s, func(tx bot.Tx) error {
		for _, seq := range acked {
			want := crashScene(seq)
			sc, err := tx.Scene(want.ID)
			if err != nil {
				t.Errorf("acknowledged scene %s: %v", want.ID, err)
				continue
			}
			if sc.Title != want.Title || sc.Version != want.Version {
				t.Errorf("scene %s read back changed", want.ID)
			}
		}
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		// Every committed audit record has its scene and no more: they
		// committed together. Plus HOT.
		if got, want := uint64(len(scenes)), head.Records+1; got != want {
			t.Errorf("%d scenes for %d audit records (+1 HOT)", got, head.Records)
		}
		hot, err := tx.Scene("HOT")
		if err != nil {
			return err
		}
		if got, want := uint64(hot.Version), head.Records; got != want {
			t.Errorf("HOT scene version %d, want %d (the last commit's)", got, want)
		}
		return nil
	})
	var seq uint64
	err = s.AuditLog(t.Context(), func(r bot.AuditRecord) error {
		seq++
		if got, want := r.Scene, crashScene(seq).ID; got != want {
			t.Errorf("audit record %d is about scene %s, want %s", seq, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
