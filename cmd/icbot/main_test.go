package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The test binary doubles as icbot: with BE_ICBOT=1 it runs main(),
// so tests can start real icbot processes without building one.
func TestMain(m *testing.M) {
	if os.Getenv("BE_ICBOT") == "1" {
		main()
		return
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

var tourClock = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

// icbot runs Run in-process with a script on stdin and a fixed clock.
func icbot(t *testing.T, stdin string, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	code = Run(context.Background(), args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		LookupEnv: lookup, Clock: func() time.Time { return tourClock },
	})
	return out.String(), errb.String(), code
}

func dbEnv(t *testing.T) (map[string]string, string) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	return map[string]string{"ICBOT_STORAGE_PATH": path, "ICBOT_PRODUCTION_TIMEZONE": "Europe/London"}, path
}

func TestRestartKeepsState(t *testing.T) {
	env, _ := dbEnv(t)
	_, errs, code := icbot(t, strings.Join([]string{
		`@ines /scene add 30 title="Stairs" call="2026-12-05 14:00" performers=@pete`,
		`@ines /scene beat add 30 "Embrace on the stairs" kind=contact`,
		`/closedset add 30 @cam`,
		`@ines /closedset start 30 force reason="restart test"`,
		`@pete /hold 30 "cold"`,
	}, "\n"), env)
	if code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	out, errs, code := icbot(t, strings.Join([]string{
		"/scene show 30",
		"/closedset status 30",
		"@ines /hold lift 30",
		"/closedset end 30",
	}, "\n"), env)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"Scene 30: Stairs", "Embrace on the stairs", "Status: on-hold (closed set running, session 1)",
		"@cam (camera)", "The scene is ON HOLD", "Hold lifted on scene 30", "Closed set for scene 30 ended",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("after a restart the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "icbot console: Night Swim (demo)") != 1 {
		t.Errorf("banner missing or the demo seeded twice")
	}
	// The audit trail of both runs verifies.
	out, errs, code = icbot(t, "", env, "audit", "verify")
	if code != 0 || !strings.Contains(out, "OK, 9 records") {
		t.Errorf("audit verify: exit %d\n%s%s", code, out, errs)
	}
}

func TestEmptyStart(t *testing.T) {
	env, _ := dbEnv(t)
	out, _, code := icbot(t, "/icbot whoami\n/icbot role add @zoe ic\n/icbot role add @admin producer\n/scene list\n", env, "--empty")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"You are @admin", "No scenes yet", "You are an admin", "@zoe is now intimacy coordinator"} {
		if !strings.Contains(out, want) {
			t.Errorf("empty start lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "demo") {
		t.Errorf("--empty seeded the demo:\n%s", out)
	}
}

// TestSecondInstanceFailsFast starts a real icbot process holding the
// database, then a second one on the same file, which must exit with the
// clear message within its open timeout.
func TestSecondInstanceFailsFast(t *testing.T) {
	env, path := dbEnv(t)
	first := exec.Command(os.Args[0], "--db", path)
	first.Env = append(os.Environ(), "BE_ICBOT=1")
	stdin, err := first.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := first.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		first.Wait()
	}()
	// The banner means the database is open and locked.
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := sc.Scan() && strings.HasPrefix(sc.Text(), "icbot console")
		ready <- ok
		io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("the first icbot did not start")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the first icbot did not start within 30s")
	}

	second := exec.Command(os.Args[0], "--db", path)
	second.Env = append(os.Environ(), "BE_ICBOT=1", "ICBOT_STORAGE_OPEN_TIMEOUT=300ms")
	var errb bytes.Buffer
	second.Stderr = &errb
	second.Stdin = strings.NewReader("")
	done := make(chan error, 1)
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the second icbot ran on a database in use")
		}
		want := fmt.Sprintf("database %s is in use by another icbot process", path)
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr = %q, want it to say %q", errb.String(), want)
		}
	case <-time.After(30 * time.Second):
		second.Process.Kill()
		t.Fatal("the second icbot hung instead of failing fast")
	}
	_ = env
}

// tamper edits the audit bucket of a closed database directly.
func tamper(t *testing.T, path string, fn func(b *bolt.Bucket) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("audit"))) }); err != nil {
		t.Fatal(err)
	}
}

func seqKey(n uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, n)
	return k
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	script := "/closedset start 12\n@paula /hold 12\n@ines /hold lift 12\n/closedset end 12\n"
	tests := []struct {
		name   string
		mutate func(b *bolt.Bucket) error
		want   string
	}{
		{"edited", func(b *bolt.Bucket) error {
			var rec map[string]any
			if err := json.Unmarshal(b.Get(seqKey(3)), &rec); err != nil {
				return err
			}
			rec["summary"] = "nothing to see"
			v, _ := json.Marshal(rec)
			return b.Put(seqKey(3), v)
		}, "audit record 3"},
		{"deleted", func(b *bolt.Bucket) error { return b.Delete(seqKey(2)) }, "audit record 2"},
		{"reordered", func(b *bolt.Bucket) error {
			a, c := append([]byte(nil), b.Get(seqKey(2))...), append([]byte(nil), b.Get(seqKey(4))...)
			if err := b.Put(seqKey(2), c); err != nil {
				return err
			}
			return b.Put(seqKey(4), a)
		}, "audit record 2"},
		{"last removed", func(b *bolt.Bucket) error {
			k, _ := b.Cursor().Last()
			return b.Delete(k)
		}, "removed from the end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, path := dbEnv(t)
			if _, errs, code := icbot(t, script, env); code != 0 {
				t.Fatalf("script: %s", errs)
			}
			if out, errs, code := icbot(t, "", env, "audit", "verify"); code != 0 {
				t.Fatalf("untouched trail does not verify: %s%s", out, errs)
			}
			tamper(t, path, tt.mutate)
			_, errs, code := icbot(t, "", env, "audit", "verify")
			if code != exitError || !strings.Contains(errs, "BROKEN") || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, stderr %q; want BROKEN naming %q", code, errs, tt.want)
			}
		})
	}
}

func TestCommandLine(t *testing.T) {
	env, _ := dbEnv(t)
	t.Run("version", func(t *testing.T) {
		out, _, code := icbot(t, "", env, "version")
		if code != 0 || !strings.HasPrefix(out, "icbot dev") {
			t.Errorf("version: %d %q", code, out)
		}
	})
	t.Run("help", func(t *testing.T) {
		out, _, code := icbot(t, "", env, "--help")
		if code != 0 {
			t.Errorf("--help exit %d", code)
		}
		_, errs, _ := icbot(t, "", env, "--help")
		for _, want := range []string{"icbot audit verify", "-db", "ICBOT_STORAGE_PATH", "ICBOT_SLACK_BOT_TOKEN"} {
			if !strings.Contains(out+errs, want) {
				t.Errorf("help lacks %q", want)
			}
		}
	})
	t.Run("audit verify of a missing database", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "typo.db")
		_, errs, code := icbot(t, "", map[string]string{"ICBOT_STORAGE_PATH": missing}, "audit", "verify")
		if code != exitError || !strings.Contains(errs, "no such file") {
			t.Errorf("exit %d, %q", code, errs)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Errorf("audit verify created %s", missing)
		}
	})
	t.Run("unknown sub-command", func(t *testing.T) {
		_, errs, code := icbot(t, "", env, "frob")
		if code != exitUsage || !strings.Contains(errs, `unknown command "frob"`) {
			t.Errorf("exit %d, %q", code, errs)
		}
	})
	t.Run("bad configuration names the key", func(t *testing.T) {
		bad := map[string]string{"ICBOT_STORAGE_PATH": env["ICBOT_STORAGE_PATH"], "ICBOT_PRODUCTION_RIDER_NOTICE": "24h", "ICBOT_ADAPTER": "slak"}
		_, errs, code := icbot(t, "", bad)
		if code != exitUsage || !strings.Contains(errs, "production.rider_notice") || !strings.Contains(errs, "adapter") {
			t.Errorf("exit %d, %q", code, errs)
		}
	})
	t.Run("malformed cron spec", func(t *testing.T) {
		for _, spec := range []string{"CRON_TZ=Europe/London", "TZ=", "61 * * * *", "* * *"} {
			bad := map[string]string{"ICBOT_STORAGE_PATH": env["ICBOT_STORAGE_PATH"], "ICBOT_PRODUCTION_DIGEST_CRON": spec}
			_, errs, code := icbot(t, "", bad)
			if code != exitUsage || !strings.Contains(errs, "production.digest_cron (from ICBOT_PRODUCTION_DIGEST_CRON)") {
				t.Errorf("%q: exit %d, %q", spec, code, errs)
			}
		}
	})
	t.Run("config hides secrets", func(t *testing.T) {
		const canary = "xoxb-CANARY-secret-token"
		withSecret := map[string]string{"ICBOT_STORAGE_PATH": env["ICBOT_STORAGE_PATH"], "ICBOT_SLACK_BOT_TOKEN": canary}
		out, errs, code := icbot(t, "", withSecret, "config")
		if code != 0 || strings.Contains(out+errs, canary) || !strings.Contains(out, "slack.bot_token: [redacted]") {
			t.Errorf("exit %d:\n%s%s", code, out, errs)
		}
	})
	t.Run("config shows both listeners", func(t *testing.T) {
		out, errs, code := icbot(t, "", env, "config")
		if code != 0 || !strings.Contains(out, "http.addr: :8080\n") || !strings.Contains(out, "http.admin_addr: 127.0.0.1:8081\n") {
			t.Errorf("exit %d:\n%s%s", code, out, errs)
		}
	})
	t.Run("platform unreachable", func(t *testing.T) {
		// A closed local port stands for Discord being unreachable: the start
		// fails with the step that failed, and the process exits.
		e := map[string]string{"ICBOT_STORAGE_PATH": env["ICBOT_STORAGE_PATH"], "ICBOT_ADAPTER": "discord", "ICBOT_DISCORD_TOKEN": "x",
			"ICBOT_DISCORD_APPLICATION_ID": "1", "ICBOT_DISCORD_API_URL": "http://127.0.0.1:1/"}
		_, errs, code := icbot(t, "", e)
		if code != exitError || !strings.Contains(errs, "discord: checking the token") {
			t.Errorf("exit %d, %q", code, errs)
		}
	})
}
