package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"icbot/storage"
)

// TestSlackServer runs icbot with the Slack adapter against a local fake
// Slack: health and readiness on the admin listener, a signed command on
// the public one, metrics, then a graceful stop that closes the database.
func TestSlackServer(t *testing.T) {
	fake := slacktest.NewTestServer()
	fake.Start()
	defer fake.Stop()
	db := filepath.Join(t.TempDir(), "icbot.db")
	const secret = "test-signing-secret"
	env := map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-test", "ICBOT_SLACK_SIGNING_SECRET": secret, "ICBOT_SLACK_API_URL": fake.GetAPIURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET",
	}
	r := startIcbot(t, env, nil)
	base := r.base

	get := func(path string) (int, string) {
		resp, err := http.Get(r.admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := get("/readyz"); code != http.StatusOK {
		t.Errorf("/readyz: %d %s", code, body)
	}

	form := url.Values{"command": {"/icbot"}, "text": {"whoami"}, "user_id": {"U1"}, "user_name": {"zoe"}, "channel_id": {"CSET"}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(form))
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, form)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "You are") {
		t.Errorf("signed /icbot whoami: %d %s", resp.StatusCode, body)
	}

	_, metrics := get("/metrics")
	for _, want := range []string{
		`icbot_commands_total{command="icbot whoami",outcome="ok"} 1`,
		`icbot_command_duration_seconds_count{command="icbot whoami"} 1`,
		`icbot_slack_api_calls_total{method="auth.test"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	r.stop(t)
	// The database was closed: it opens again at once.
	st, err := storage.Open(db, storage.WithTimeout(100*time.Millisecond), storage.WithKey(keyOf(t, db)))
	if err != nil {
		t.Fatalf("database still held after the stop: %v", err)
	}
	st.Close()
}

// running is an icbot started in-process by startIcbot.
type running struct {
	// base and admin are http://ADDR of http.addr (empty when icbot does
	// not listen there) and of http.admin_addr.
	base, admin string
	cancel      context.CancelFunc
	done        chan int
	// stderr may be read once done has given the exit code.
	stderr *bytes.Buffer
}

// startIcbot runs icbot with env as its environment, after tweak (when not
// nil) has changed its Env, until it listens.
func startIcbot(t *testing.T, env map[string]string, tweak func(*Env)) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	listening := make(chan map[string]string, 1)
	r := &running{cancel: cancel, done: make(chan int, 1), stderr: &bytes.Buffer{}}
	e := Env{
		Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: r.stderr,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Listening: func(addrs map[string]string) { listening <- addrs },
	}
	if tweak != nil {
		tweak(&e)
	}
	go func() { r.done <- Run(ctx, nil, e) }()
	select {
	case addrs := <-listening:
		if a, ok := addrs["http.addr"]; ok {
			r.base = "http://" + a
		}
		r.admin = "http://" + addrs["http.admin_addr"]
		return r
	case code := <-r.done:
		t.Fatalf("icbot exited with %d: %s", code, r.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("icbot did not start listening")
	}
	return nil
}

// stop stops icbot as SIGTERM does and checks that it exits cleanly.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		if code != 0 {
			t.Errorf("exit %d after a stop: %s", code, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("icbot did not stop")
	}
}

// TestSlackSocketModeStop: icbot over Socket Mode alone (an app token, no
// signing secret) against a local fake Slack: it connects, and a stop
// returns only once Socket Mode and everything the Slack adapter started
// have ended.
func TestSlackSocketModeStop(t *testing.T) {
	before := goroutineIDs()
	fake := slacktest.NewTestServer()
	fake.Start()
	defer fake.Stop()
	go func() {
		for range fake.SeenFeed {
		}
	}()
	env := map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"), "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-test", "ICBOT_SLACK_APP_TOKEN": "xapp-1-A1-1-test", "ICBOT_SLACK_API_URL": fake.GetAPIURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET",
	}
	r := startIcbot(t, env, nil)
	if r.base != "" {
		t.Errorf("icbot listens on http.addr at %s without a signing secret", r.base)
	}
	if left := slackGoroutines(before); len(left) == 0 {
		t.Fatal("no Socket Mode goroutine found running: the check after the stop would prove nothing")
	}
	r.stop(t)
	// A goroutine that has signalled its end may not have returned yet
	// when the stop returns: look again a while; a goroutine
	// still at work is still there after it.
	left := slackGoroutines(before)
	for i := 0; i < 200 && len(left) != 0; i++ {
		time.Sleep(5 * time.Millisecond)
		left = slackGoroutines(before)
	}
	if len(left) != 0 {
		t.Errorf("icbot stopped with %d of the Slack adapter's goroutines still running:\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// goroutineIDs lists the ids of the goroutines running now.
func goroutineIDs() map[string]bool {
	ids := map[string]bool{}
	for _, g := range goroutineStacks() {
		ids[strings.Fields(g)[1]] = true
	}
	return ids
}

// slackGoroutines lists the stacks of the goroutines started since before
// that run the Slack adapter's code.
func slackGoroutines(before map[string]bool) []string {
	var out []string
	for _, g := range goroutineStacks() {
		if !before[strings.Fields(g)[1]] && strings.Contains(g, "icbot/adapters/slack.") {
			out = append(out, g)
		}
	}
	return out
}

// goroutineStacks is every goroutine's stack, one string each.
func goroutineStacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(string(buf[:n]), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}
