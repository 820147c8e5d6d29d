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
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// crashEnv carries the database path to the child process.
const crashEnv = "ICBOT_STORAGE_CRASH_CHILD"

// TestCrashChild is the child of TestCrashSafety, not a test of its own:
// it commits a scene, a shared "HOT" scene and an audit record per Update,
// and prints "ack N" (N the audit sequence) once Update has returned,
// until it is killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashSafety")
	}
	s, err := storage.Open(path, storage.WithTimeout(5*time.Second), quiet)
	if err != nil {
		t.Fatal(err)
	}
	// Bounded, in case the parent never kills it.
	stop := time.Now().Add(2 * time.Minute)
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
			t.Fatal(err)
		}
		// os.Stdout is unbuffered: once this returns the parent can read it.
		fmt.Printf("ack %d\n", seq)
	}
	t.Fatal("not killed in time")
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
// and that the file is consistent.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	path := filepath.Join(t.TempDir(), "icbot.db")
	var acked []uint64
	for round := range 3 {
		t.Run(fmt.Sprintf("kill %d", round+1), func(t *testing.T) {
			got := runAndKill(t, path, 200)
			if len(got) == 0 {
				t.Fatal("no acks")
			}
			if len(acked) > 0 && got[0] <= acked[len(acked)-1] {
				t.Errorf("ack %d after ack %d of an earlier round: an acknowledged write was lost", got[0], acked[len(acked)-1])
			}
			acked = append(acked, got...)
			checkAfterCrash(t, path, acked)
		})
	}
}

// runAndKill starts the child on path, reads n acks, kills it with
// SIGKILL and returns every ack it printed.
func runAndKill(t *testing.T, path string, n int) []uint64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
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
	parse := func(line string) {
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
		if len(acks) > 0 && v != acks[len(acks)-1]+1 {
			t.Errorf("ack %d follows ack %d", v, acks[len(acks)-1])
		}
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
	return acks
}

func checkAfterCrash(t *testing.T, path string, acked []uint64) {
	t.Helper()
	s := openAt(t, path)
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	last := acked[len(acked)-1]
	t.Logf("killed after ack %d; %d audit records on disk", last, head.Records)
	// One commit may have landed without its ack being printed.
	if head.Records < last || head.Records > last+1 {
		t.Errorf("audit log has %d records, acknowledged up to %d", head.Records, last)
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
