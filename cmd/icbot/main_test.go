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
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"icbot/storage"
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

// logNotice starts the line that says where the console's log goes.
const logNotice = "icbot: log lines go to "

// withoutLogNotice drops the line that says where the console's log
// goes from stderr.
func withoutLogNotice(stderr string) string {
	var keep []string
	for _, l := range strings.SplitAfter(stderr, "\n") {
		if !strings.HasPrefix(l, logNotice) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
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
		want := versionText()
		for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
			out, errs, code := icbot(t, "", env, args...)
			if code != 0 || out != want || errs != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want %q", args, code, out, errs, want)
			}
		}
		if strings.Contains(want, "dev)") || strings.HasPrefix(want, "icbot dev") {
			t.Errorf("version %q", want)
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
		if want := "icbot: there is no database at " + missing + " (check storage.path or --db)\n"; code != exitError || errs != want {
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
		if code != 0 || !strings.Contains(out, "http.addr: :8080 ") || !strings.Contains(out, "http.admin_addr: 127.0.0.1:8081 ") {
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

func TestDescribeBuild(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name  string
		label string
		info  *debug.BuildInfo
		want  string
	}{
		{"released module", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.4.0"},
			Settings: settings("vcs.revision", rev, "vcs.time", "2026-11-30T08:00:00Z", "vcs.modified", "false")},
			"v1.4.0, revision " + rev + ", committed 2026-11-30T08:00:00Z, built with go1.26.0"},
		{"checkout with changes", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.time", "2026-11-30T08:00:00Z", "vcs.modified", "true")},
			"(devel), revision " + rev + " with uncommitted changes, committed 2026-11-30T08:00:00Z, built with go1.26.0"},
		{"label for an unknown module version", "1.4.0-rc1", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"1.4.0-rc1, no revision recorded, built with go1.26.0"},
		{"the module version wins over the label", "1.4.0-rc1", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
			"v1.4.0, no revision recorded"},
		{"no build info", "", nil, "(devel), revision unknown (built without version control information)"},
		{"a checkout built without version control", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"(devel), revision unknown (built without version control information), built with go1.26.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describeBuild(tt.label, tt.info); got != tt.want {
				t.Errorf("describeBuild = %q\nwant            %q", got, tt.want)
			}
		})
	}
}

// configLine finds the line of `icbot config` for key and splits it into
// value and source.
func configLine(t *testing.T, out, key string) (value, source string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(l, key+": ")
		if !ok {
			continue
		}
		i := strings.LastIndex(rest, "  (")
		if i < 0 || !strings.HasSuffix(rest, ")") {
			t.Fatalf("line %q has no source", l)
		}
		return strings.TrimSpace(rest[:i]), rest[i+3 : len(rest)-1]
	}
	t.Fatalf("no line for %s in:\n%s", key, out)
	return "", ""
}

// TestConfigSources checks that `icbot config` says where each value came
// from and which production is in use, and hides secrets.
func TestConfigSources(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "icbot.db")
	cfgFile := filepath.Join(dir, "icbot.yaml")
	if err := os.WriteFile(cfgFile, []byte("production:\n  rider_notice: 72h\nslack:\n  bot_token: xoxb-CANARY-file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ICBOT_CONFIG": cfgFile, "ICBOT_HTTP_ADDR": ":9090", "ICBOT_SLACK_SIGNING_SECRET": "CANARY-env-secret"}
	out, errs, code := icbot(t, "", env, "config", "--db", db, "--production", "Tide")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, tt := range []struct{ key, value, source string }{
		{"adapter", "console", "default"},
		{"http.addr", ":9090", "ICBOT_HTTP_ADDR"},
		{"storage.path", db, "flag --db"},
		{"production.name", "Tide", "flag --production"},
		{"production.rider_notice", "72h", "config file " + cfgFile + " line 2"},
		{"slack.bot_token", "[redacted]", "config file " + cfgFile + " line 4"},
		{"slack.signing_secret", "[redacted]", "ICBOT_SLACK_SIGNING_SECRET"},
	} {
		value, source := configLine(t, out, tt.key)
		if value != tt.value || source != tt.source {
			t.Errorf("%s: %q from %q, want %q from %q", tt.key, value, source, tt.value, tt.source)
		}
	}
	if strings.Contains(out+errs, "CANARY") {
		t.Errorf("a secret is shown:\n%s%s", out, errs)
	}
	if !strings.Contains(out, "\ntime zone in use: ") || strings.Contains(out, "Local") {
		t.Errorf("the time zone in use is not named:\n%s", out)
	}
	if tokyo, _, _ := icbot(t, "", map[string]string{"ICBOT_PRODUCTION_TIMEZONE": "Asia/Tokyo"}, "config", "--db", db); !strings.Contains(tokyo, "\ntime zone in use: Asia/Tokyo\n") {
		t.Errorf("the configured time zone is not shown:\n%s", tokyo)
	}
	if want := "production in use: none yet, no database at " + db + ` (the first start names it "Tide")`; !strings.HasPrefix(out, want+"\n") {
		t.Errorf("no database: output starts %q, want %q", strings.SplitN(out, "\n", 2)[0], want)
	}
	if _, errs, code := icbot(t, "", map[string]string{"ICBOT_PRODUCTION_TIMEZONE": "Europe/London"}, "--db", db); code != 0 {
		t.Fatalf("console start: exit %d: %s", code, errs)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"the stored name, not replaced by the default", nil,
			"production in use: Night Swim (demo) (stored in " + db + "; production.name is the default, which does not replace it)"},
		{"the stored name, renamed at the next start", []string{"--production", "Tide"},
			"production in use: Night Swim (demo) (stored in " + db + `; the next start renames it "Tide", from production.name)`},
		{"the stored name, as configured", []string{"--production", "Night Swim (demo)"},
			"production in use: Night Swim (demo) (stored in " + db + ")"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := icbot(t, "", nil, append([]string{"config", "--db", db}, tt.args...)...)
			if code != 0 || !strings.HasPrefix(out, tt.want+"\n") {
				t.Errorf("exit %d, stderr %q, output starts %q\nwant %q", code, errs, strings.SplitN(out, "\n", 2)[0], tt.want)
			}
		})
	}
	t.Run("database held by a running icbot", func(t *testing.T) {
		st, err := storage.Open(db, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, db)))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		out, errs, code := icbot(t, "", nil, "config", "--db", db)
		want := "production in use: not read, database " + db + ` is in use by a running icbot (production.name is "Untitled production")`
		if code != 0 || !strings.HasPrefix(out, want+"\n") {
			t.Errorf("exit %d, stderr %q, output starts %q\nwant %q", code, errs, strings.SplitN(out, "\n", 2)[0], want)
		}
	})
}

// TestConsoleLog checks where the console's log lines go: to a file
// beside the database, said once on stderr, unless log.file says
// otherwise; never into the transcript.
func TestConsoleLog(t *testing.T) {
	t.Run("beside the database", func(t *testing.T) {
		env, db := dbEnv(t)
		logPath := filepath.Join(filepath.Dir(db), "icbot.log")
		out, errs, code := icbot(t, "/scene list\n", env)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		notice := logNotice + logPath + " (set log.file, or ICBOT_LOG_FILE=stderr, to have them here)\n"
		if !strings.HasPrefix(errs, notice) || strings.Count(errs, logNotice) != 1 {
			t.Errorf("stderr does not start with the log's path once:\n%s", errs)
		}
		// The key file's warning comes before the conversation; nothing
		// else is said on the terminal.
		if rest := withoutKeyFileWarning(strings.TrimPrefix(errs, notice)); rest != "" || !strings.Contains(errs, keyFileWarning) {
			t.Errorf("stderr:\n%s", errs)
		}
		if strings.Contains(out, "level=") || strings.Contains(out, "msg=") {
			t.Errorf("log lines in the transcript:\n%s", out)
		}
		log, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"level=INFO msg=started", "level=INFO msg=command", keyFileWarning} {
			if !strings.Contains(string(log), want) {
				t.Errorf("the log lacks %q:\n%s", want, log)
			}
		}
		if fi, err := os.Stat(logPath); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("log file mode: %v %v", fi, err)
		}
		// A second start adds to the same file.
		if _, errs, code := icbot(t, "/scene list\n", env); code != 0 {
			t.Fatalf("second start: exit %d: %s", code, errs)
		}
		again, _ := os.ReadFile(logPath)
		if !bytes.HasPrefix(again, log) || strings.Count(string(again), "msg=started") != 2 {
			t.Errorf("the second start did not append to the log:\n%s", again)
		}
	})
	t.Run("to stderr when asked", func(t *testing.T) {
		env, db := dbEnv(t)
		env["ICBOT_LOG_FILE"] = "stderr"
		_, errs, code := icbot(t, "/scene list\n", env)
		if code != 0 || strings.Contains(errs, logNotice) || !strings.Contains(errs, keyFileWarning) {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(db), "icbot.log")); !os.IsNotExist(err) {
			t.Errorf("a log file was made: %v", err)
		}
	})
	t.Run("to the file asked for", func(t *testing.T) {
		env, db := dbEnv(t)
		chosen := filepath.Join(t.TempDir(), "chosen.log")
		env["ICBOT_LOG_FILE"] = chosen
		_, errs, code := icbot(t, "/scene list\n", env)
		if code != 0 || strings.Contains(errs, logNotice) {
			t.Errorf("exit %d, stderr:\n%s", code, errs)
		}
		if log, err := os.ReadFile(chosen); err != nil || !strings.Contains(string(log), "msg=started") {
			t.Errorf("%s: %v\n%s", chosen, err, log)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(db), "icbot.log")); !os.IsNotExist(err) {
			t.Errorf("a log file was made beside the database: %v", err)
		}
	})
	t.Run("a log file that cannot be written", func(t *testing.T) {
		env, db := dbEnv(t)
		missing := filepath.Join(t.TempDir(), "no-such-dir", "icbot.log")
		env["ICBOT_LOG_FILE"] = missing
		_, errs, code := icbot(t, "/scene list\n", env)
		want := "icbot: cannot write the log file " + missing + ": its directory does not exist; set log.file (ICBOT_LOG_FILE) to a file icbot may write, or to stderr\n"
		if code != exitError || errs != want {
			t.Errorf("exit %d, stderr %q\nwant %q", code, errs, want)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("the database was made: %v", err)
		}
	})
	t.Run("rekey logs to stderr", func(t *testing.T) {
		env, db := dbEnv(t)
		if _, errs, code := icbot(t, "/scene list\n", env); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if err := os.Remove(filepath.Join(filepath.Dir(db), "icbot.log")); err != nil {
			t.Fatal(err)
		}
		if out, errs, code := icbot(t, "", env, "rekey"); code != 0 || strings.Contains(errs, logNotice) {
			t.Fatalf("rekey: exit %d: %s%s", code, out, errs)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(db), "icbot.log")); !os.IsNotExist(err) {
			t.Errorf("rekey wrote a log file: %v", err)
		}
	})
}

// signalWriter is a writer that closes seen when it is first written.
type signalWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	seen chan struct{}
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		close(w.seen)
	}
	return w.buf.Write(p)
}

// TestNormalStopLogsNoError stops the console the ways a person does: the
// end of its input (a script, Ctrl-D), a cancelled context (what SIGINT
// and SIGTERM do in main), and the signals themselves to a real process.
// None is an error: the log holds no ERROR line.
func TestNormalStopLogsNoError(t *testing.T) {
	noErrors := func(t *testing.T, db string) {
		t.Helper()
		log, err := os.ReadFile(filepath.Join(filepath.Dir(db), "icbot.log"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(log), "msg=started") {
			t.Fatalf("the log does not show the start:\n%s", log)
		}
		if strings.Contains(string(log), "level=ERROR") {
			t.Errorf("a normal stop logged an error:\n%s", log)
		}
	}
	t.Run("end of input", func(t *testing.T) {
		env, db := dbEnv(t)
		env["ICBOT_LOG_LEVEL"] = "debug"
		if _, errs, code := icbot(t, "/scene list\n", env); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		noErrors(t, db)
	})
	t.Run("context cancelled", func(t *testing.T) {
		env, db := dbEnv(t)
		env["ICBOT_LOG_LEVEL"] = "debug"
		stdin, hold := io.Pipe()
		defer hold.Close()
		out := &signalWriter{seen: make(chan struct{})}
		var errb bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan int, 1)
		go func() {
			done <- Run(ctx, nil, Env{Stdin: stdin, Stdout: out, Stderr: &errb,
				LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
				Clock:     func() time.Time { return tourClock }})
		}()
		select {
		case <-out.seen:
		case code := <-done:
			t.Fatalf("icbot stopped before the banner: exit %d: %s", code, errb.String())
		case <-time.After(30 * time.Second):
			t.Fatal("no banner within 30s")
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit %d after a stop: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatal("icbot did not stop within 30s of the cancel")
		}
		noErrors(t, db)
	})
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			_, db := dbEnv(t)
			p := exec.Command(os.Args[0], "--db", db, "--log-level", "debug")
			p.Env = append(icbotEnv(nil), "BE_ICBOT=1")
			stdin, err := p.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stdout, err := p.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var errb bytes.Buffer
			p.Stderr = &errb
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			ready := make(chan bool, 1)
			go func() {
				sc := bufio.NewScanner(stdout)
				ready <- sc.Scan() && strings.HasPrefix(sc.Text(), "icbot console")
				io.Copy(io.Discard, stdout)
			}()
			select {
			case ok := <-ready:
				if !ok {
					p.Process.Kill()
					p.Wait()
					t.Fatalf("icbot did not start: %s", errb.String())
				}
			case <-time.After(30 * time.Second):
				p.Process.Kill()
				p.Wait()
				t.Fatal("icbot did not start within 30s")
			}
			if err := p.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- p.Wait() }()
			select {
			case err := <-exited:
				if err != nil {
					t.Errorf("icbot after %v: %v: %s", sig, err, errb.String())
				}
			case <-time.After(30 * time.Second):
				p.Process.Kill()
				<-exited
				t.Fatalf("icbot did not stop within 30s of %v", sig)
			}
			noErrors(t, db)
		})
	}
}

// TestCallTimeNamesTheZone: without production.timezone, a bad call time
// is explained in the machine's zone by its name, not Go's "Local".
func TestCallTimeNamesTheZone(t *testing.T) {
	db := filepath.Join(t.TempDir(), "icbot.db")
	out, errs, code := icbot(t, `@ines /scene add 30 title="Stairs" call="the ninth at nine"`+"\n", map[string]string{"ICBOT_STORAGE_PATH": db})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, `write call="YYYY-MM-DD HH:MM" (`) || !strings.Contains(out, " time), such as") {
		t.Fatalf("no call time refusal:\n%s", out)
	}
	if strings.Contains(out, " in Local") || strings.Contains(out, "zone Local") {
		t.Errorf("the transcript names Go's Local zone:\n%s", out)
	}
}

// TestErrorsArePlain: what goes wrong with files is said in plain words,
// with what to do, and without the system call's wording.
func TestErrorsArePlain(t *testing.T) {
	dir := t.TempDir()
	missingDir := filepath.Join(dir, "no-such-dir", "icbot.db")
	noKey := filepath.Join(dir, "new.key")
	db := filepath.Join(dir, "icbot.db")
	if _, errs, code := icbot(t, "/scene list\n", map[string]string{"ICBOT_STORAGE_PATH": db}); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"audit verify without a database", map[string]string{"ICBOT_STORAGE_PATH": missingDir}, []string{"audit", "verify"},
			"icbot: there is no database at " + missingDir + " (check storage.path or --db)\n"},
		{"a database in a missing directory", map[string]string{"ICBOT_STORAGE_PATH": missingDir, "ICBOT_LOG_FILE": "stderr"}, nil,
			"icbot: the directory of database " + missingDir + " does not exist: create it, or check storage.path or --db\n"},
		{"rekey with a missing new key file", map[string]string{"ICBOT_STORAGE_PATH": db}, []string{"rekey", "--new-key-file", noKey},
			"icbot rekey: key file " + noKey + " does not exist\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := icbot(t, "", tt.env, tt.args...)
			if code != exitError || errs != tt.want {
				t.Errorf("exit %d, stderr %q\nwant %q", code, errs, tt.want)
			}
			for _, internal := range []string{"stat ", "open ", "no such file", "Local"} {
				if strings.Contains(errs, internal) {
					t.Errorf("stderr shows %q", internal)
				}
			}
		})
	}
}

// TestStopWhileStartingIsNormal: a stop asked for before icbot has
// finished starting (the context cancelled at once) ends it with exit 0
// and no error, as a stop after the start does.
func TestStopWhileStartingIsNormal(t *testing.T) {
	env, _ := dbEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := Run(ctx, nil, Env{Stdin: strings.NewReader("/scene list\n"), Stdout: &out, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Clock:     func() time.Time { return tourClock }})
	if code != 0 || strings.Contains(errb.String(), "context canceled") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// TestHelpIsFlagHelp: icbot help prints what icbot --help prints,
// settings table and all, to standard output.
func TestHelpIsFlagHelp(t *testing.T) {
	env, _ := dbEnv(t)
	out, errs, code := icbot(t, "", env, "help")
	_, flagHelp, flagCode := icbot(t, "", env, "--help")
	if code != 0 || flagCode != 0 || errs != "" {
		t.Fatalf("help: exit %d, --help: exit %d, stderr %q", code, flagCode, errs)
	}
	if out != flagHelp {
		t.Errorf("icbot help:\n%s\nicbot --help:\n%s", out, flagHelp)
	}
	for _, want := range []string{"storage.path", "ICBOT_STORAGE_PATH", "ICBOT_SLACK_BOT_TOKEN", "icbot config"} {
		if !strings.Contains(out, want) {
			t.Errorf("icbot help lacks %q", want)
		}
	}
}

// TestLogFileMadePrivate: an existing log file that others may read is
// made private (0600) when icbot opens it, as the database is, and the
// log says so.
func TestLogFileMadePrivate(t *testing.T) {
	for _, name := range []string{"beside the database", "the file asked for"} {
		t.Run(name, func(t *testing.T) {
			env, db := dbEnv(t)
			logPath := filepath.Join(filepath.Dir(db), "icbot.log")
			if name == "the file asked for" {
				logPath = filepath.Join(t.TempDir(), "chosen.log")
				env["ICBOT_LOG_FILE"] = logPath
			}
			if err := os.WriteFile(logPath, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(logPath, 0o644); err != nil { // whatever the umask
				t.Fatal(err)
			}
			if _, errs, code := icbot(t, "/scene list\n", env); code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			fi, err := os.Stat(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("log file mode %v after a start, want 0600", got)
			}
			if log, _ := os.ReadFile(logPath); !strings.Contains(string(log), `msg="log file was readable by others; mode set to 0600"`) {
				t.Errorf("the log does not say the mode was changed:\n%s", log)
			}
		})
	}
}

// TestStartMessages: a start that cannot do what it was asked says why
// in plain words: --empty on a database that holds a production, a
// directory given as the database, a database in a directory that does
// not exist (before the log file beside it is tried).
func TestStartMessages(t *testing.T) {
	t.Run("--empty on a database with the demo", func(t *testing.T) {
		env, db := dbEnv(t)
		if _, errs, code := icbot(t, "/scene list\n", env); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		out, errs, code := icbot(t, "/scene list\n", env, "--empty")
		want := "icbot: --empty is ignored: database " + db + ` already holds the demo production "Night Swim (demo)"; to start without the demo, give a new database with --db` + "\n"
		if code != 0 || !strings.Contains(errs, want) || !strings.Contains(out, "Night swim") {
			t.Errorf("exit %d, stderr %q\nwant %q", code, errs, want)
		}
	})
	t.Run("--empty on a database started empty", func(t *testing.T) {
		env, db := dbEnv(t)
		_, errs, code := icbot(t, "/scene list\n", env, "--empty")
		if code != 0 || strings.Contains(errs, "--empty is ignored") {
			t.Fatalf("first start: exit %d: %s", code, errs)
		}
		_, errs, code = icbot(t, "/scene list\n", env, "--empty")
		want := "icbot: --empty is ignored: database " + db + ` already holds the production "Untitled production" (--empty only keeps the demo out of a new database)` + "\n"
		if code != 0 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q\nwant %q", code, errs, want)
		}
	})
	t.Run("a directory as the database", func(t *testing.T) {
		dir := t.TempDir()
		db := filepath.Join(dir, "somedir")
		if err := os.Mkdir(db, 0o700); err != nil {
			t.Fatal(err)
		}
		want := "database path " + db + " is a directory: give the path of a file, such as " + filepath.Join(db, "icbot.db") + " (storage.path or --db)\n"
		for _, args := range [][]string{{"--db", db}, {"audit", "verify", "--db", db}, {"rekey", "--db", db}} {
			_, errs, code := icbot(t, "/scene list\n", map[string]string{}, args...)
			if code != exitError || !strings.HasPrefix(errs, "icbot") || !strings.HasSuffix(errs, ": "+want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("%v: exit %d, stderr %q\nwant %q", args, code, errs, want)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "somedir.log")); !os.IsNotExist(err) {
			t.Errorf("a log file was made beside the directory: %v", err)
		}
	})
	t.Run("a database in a missing directory", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "no-such-dir", "icbot.db")
		_, errs, code := icbot(t, "/scene list\n", map[string]string{"ICBOT_STORAGE_PATH": db})
		if want := "icbot: the directory of database " + db + " does not exist: create it, or check storage.path or --db\n"; code != exitError || errs != want {
			t.Errorf("exit %d, stderr %q\nwant %q", code, errs, want)
		}
	})
}

// TestVersionSaysHowToNameTheBuild: a build that nothing names (no
// revision, no module version, no label) is said to be one, with how to
// build one that is named; a named build is printed alone.
func TestVersionSaysHowToNameTheBuild(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}}
	tests := []struct {
		name    string
		label   string
		info    *debug.BuildInfo
		unnamed bool
	}{
		{"no build info", "", nil, true},
		{"devel without a revision", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true},
		{"devel with a revision", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, false},
		{"a module version", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, false},
		{"a label", "1.4.0-rc1", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unnamedBuild(tt.label, tt.info); got != tt.unnamed {
				t.Errorf("unnamedBuild = %v, want %v", got, tt.unnamed)
			}
			if got := describeBuild(tt.label, tt.info); strings.Contains(got, "built without version control information") != tt.unnamed {
				t.Errorf("describeBuild = %q", got)
			}
		})
	}
	for _, want := range []string{"go build ./cmd/icbot", "-buildvcs=false", "go env GOFLAGS", "git worktree", "-X main.version=", "VERSION"} {
		if !strings.Contains(unnamedHint, want) {
			t.Errorf("the hint lacks %q: %s", want, unnamedHint)
		}
	}
	if info, _ := debug.ReadBuildInfo(); unnamedBuild(version, info) {
		if out := versionText(); !strings.HasSuffix(out, "\n"+unnamedHint+"\n") || !strings.Contains(out, "built without version control information") {
			t.Errorf("icbot version of an unnamed build:\n%s", out)
		}
	}
}
