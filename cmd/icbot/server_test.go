package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slack-go/slack/slacktest"

	"icbot/adapters/slack"
	"icbot/bot"
	"icbot/storage"
)

// slackEnv is the environment of icbot serving Slack over HTTP against a
// local fake Slack.
func slackEnv(t *testing.T) map[string]string {
	t.Helper()
	fake := slacktest.NewTestServer()
	fake.Start()
	t.Cleanup(fake.Stop)
	return map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"), "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-test", "ICBOT_SLACK_SIGNING_SECRET": "test-signing-secret", "ICBOT_SLACK_API_URL": fake.GetAPIURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET",
	}
}

// shortLimits cut stalled requests quickly, so that tests need not wait
// for the defaults; the grace is long, so that a stop that waits for it
// shows.
func shortLimits(read time.Duration) *Limits {
	return &Limits{ReadHeader: read, Read: read, Write: 10 * time.Second, Idle: time.Minute, MaxHeaderBytes: 16 << 10, Grace: 10 * time.Minute}
}

// Requests that a client starts and never finishes.
const (
	// stalledBody sends the headers and 2 bytes of a 1 MiB body.
	stalledBody = "POST /slack/commands HTTP/1.1\r\nHost: icbot\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048576\r\n\r\nab"
	// stalledHeaders never ends its headers.
	stalledHeaders = "POST /slack/commands HTTP/1.1\r\nHost: icbot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	// stalledSmallBody sends 2 bytes of a body that /healthz does not read,
	// and that the server would read to the end before answering.
	stalledSmallBody = "GET /healthz HTTP/1.1\r\nHost: icbot\r\nContent-Length: 100\r\n\r\nab"
)

// stall opens a connection to base and sends req, and no more.
func stall(t *testing.T, base, req string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedByServer reads c until the server closes it, or until within has
// passed (the deadline is generous: it only stops a test that fails).
func closedByServer(c net.Conn, within time.Duration) error {
	c.SetReadDeadline(time.Now().Add(within))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("the connection is still open")
	}
	return nil // EOF, or a reset: either way the server let go of it
}

// TestStalledRequestsAreCut: a client that sends part of a request and
// then nothing is cut when the read timeout passes, on either listener:
// its connection is closed by the server.
func TestStalledRequestsAreCut(t *testing.T) {
	r := startIcbot(t, slackEnv(t), func(e *Env) { e.Limits = shortLimits(300 * time.Millisecond) })
	defer r.stop(t)
	for _, tt := range []struct{ name, base, req string }{
		{"body to a platform endpoint", r.base, stalledBody},
		{"headers to the platform endpoints", r.base, stalledHeaders},
		{"headers to the admin endpoints", r.admin, stalledHeaders},
		{"small body to /healthz", r.admin, stalledSmallBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := stall(t, tt.base, tt.req)
			if err := closedByServer(c, 30*time.Second); err != nil {
				t.Errorf("30s after a stalled request: %v", err)
			}
		})
	}
}

// TestStopWithStalledConnections: a stop while many clients stall in the
// middle of a body does not wait out the grace period: the stalled
// requests are cut by the read timeout, the server's shutdown completes,
// and Run returns long before the grace (10 minutes here) is over.
func TestStopWithStalledConnections(t *testing.T) {
	const n = 100
	active := make(chan struct{}, n)
	r := startIcbot(t, slackEnv(t), func(e *Env) {
		e.Limits = shortLimits(2 * time.Second)
		e.ConnState = func(listener string, _ net.Conn, s http.ConnState) {
			if listener == "http.addr" && s == http.StateActive {
				select {
				case active <- struct{}{}:
				default: // more than the stalled ones: never block the server
				}
			}
		}
	})
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = stall(t, r.base, stalledBody)
	}
	// Each connection is in a handler, reading its body.
	deadline := time.After(30 * time.Second)
	for range n {
		select {
		case <-active:
		case <-deadline:
			t.Fatal("the stalled requests did not all reach a handler")
		}
	}
	r.cancel()
	select {
	case code := <-r.done:
		if code != 0 {
			t.Fatalf("exit %d after a stop: %s", code, r.stderr)
		}
	case <-time.After(time.Minute):
		t.Fatal("a stop with stalled connections waited for the grace period")
	}
	if strings.Contains(r.stderr.String(), "still running at shutdown") {
		t.Errorf("the shutdown did not complete:\n%s", r.stderr)
	}
	for i, c := range conns {
		if err := closedByServer(c, 30*time.Second); err != nil {
			t.Fatalf("stalled connection %d after the stop: %v", i, err)
		}
	}
}

// TestHeaderCap: headers over the cap are refused with 431 on either
// listener; headers well within it pass.
func TestHeaderCap(t *testing.T) {
	r := startIcbot(t, slackEnv(t), nil)
	defer r.stop(t)
	for _, tt := range []struct{ name, url string }{
		{"platform endpoints", r.base + "/slack/commands"},
		{"admin endpoints", r.admin + "/healthz"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status := func(header int) int {
				req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
				req.Header.Set("X-Filler", strings.Repeat("x", header))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if got := status(4 << 10); got == http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("4 KiB of headers: %d", got)
			}
			if got := status(64 << 10); got != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("64 KiB of headers: %d, want 431", got)
			}
		})
	}
}

// TestAdminEndpoints: /healthz, /readyz and /metrics are served on
// http.admin_addr and not on http.addr, which serves the platform's
// endpoints only.
func TestAdminEndpoints(t *testing.T) {
	r := startIcbot(t, slackEnv(t), nil)
	defer r.stop(t)
	status := func(method, url string) int {
		req, _ := http.NewRequest(method, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if got := status(http.MethodGet, r.admin+path); got != http.StatusOK {
			t.Errorf("GET %s on http.admin_addr: %d, want 200", path, got)
		}
		if got := status(http.MethodGet, r.base+path); got != http.StatusNotFound {
			t.Errorf("GET %s on http.addr: %d, want 404", path, got)
		}
	}
	// Unsigned: 401 shows the route is there.
	if got := status(http.MethodPost, r.base+"/slack/commands"); got != http.StatusUnauthorized {
		t.Errorf("POST /slack/commands on http.addr: %d, want 401", got)
	}
	if got := status(http.MethodPost, r.admin+"/slack/commands"); got != http.StatusNotFound {
		t.Errorf("POST /slack/commands on http.admin_addr: %d, want 404", got)
	}
}

// pipeListener hands the server in-memory connections, so that a server
// runs inside a synctest bubble, on its clock.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { close(l.closed); return nil }
func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// dial connects a client to the server behind l.
func (l *pipeListener) dial() net.Conn {
	client, server := net.Pipe()
	l.conns <- server
	return client
}

// TestDefaultLimits runs a server with DefaultLimits on synctest's clock:
// a stalled body is cut within 10 s, and the slowest answer a platform
// still takes (a body that arrives just before the read timeout, then a
// Discord answer deferred after 2 s, or any answer at Slack's 3 s) is
// written whole, while the work after it goes on.
func TestDefaultLimits(t *testing.T) {
	lim := DefaultLimits()
	m := &Main{Logger: slog.New(slog.DiscardHandler)}
	t.Run("a stalled body is cut", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cut := make(chan time.Duration, 1)
			l := newPipeListener()
			srv := m.newServer("http.addr", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				start := time.Now()
				if _, err := io.ReadAll(r.Body); err != nil {
					cut <- time.Since(start)
				}
			}), lim)
			go srv.Serve(l)
			c := l.dial()
			go io.WriteString(c, stalledBody)
			took := <-cut
			if took > 10*time.Second || took != lim.Read {
				t.Errorf("a stalled body was cut after %s, want %s (at most 10s)", took, lim.Read)
			}
			c.Close()
			srv.Shutdown(context.Background()) // returns once its connections are gone
		})
	})
	t.Run("the slowest answer is written", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const answer = `{"type":5,"data":{"flags":64}}`
			platformWindow := 3 * time.Second
			l := newPipeListener()
			afterAnswer := make(chan struct{})
			srv := m.newServer("http.addr", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if _, err := io.ReadAll(r.Body); err != nil {
					t.Errorf("reading the body: %v", err)
					return
				}
				time.Sleep(platformWindow - time.Millisecond)
				w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
				io.WriteString(w, answer)
				http.NewResponseController(w).Flush()
				time.Sleep(time.Minute) // follow-ups, as the Discord endpoint runs them
				close(afterAnswer)
			}), lim)
			go srv.Serve(l)
			c := l.dial()
			go func() {
				io.WriteString(c, "POST /discord/interactions HTTP/1.1\r\nHost: icbot\r\nContent-Length: 2\r\n\r\n{")
				time.Sleep(lim.Read - time.Millisecond)
				io.WriteString(c, "}")
			}()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, err := io.ReadAll(resp.Body)
			if err != nil || string(body) != answer {
				t.Errorf("answer %q (%v), want %q", body, err, answer)
			}
			<-afterAnswer
			c.Close()
			srv.Shutdown(context.Background()) // returns once its connections are gone
		})
	})
}

// TestStopBoundsFollowUps: a stop while follow-ups hang on a Slack that
// does not answer ends them once the grace period is over (2 s here, the
// fake hangs for minutes): icbot exits, and what they had not sent stays
// queued in the database for the next start.
func TestStopBoundsFollowUps(t *testing.T) {
	release := make(chan struct{})
	hung := make(chan struct{}, 8)
	fake := slacktest.NewTestServer(func(c slacktest.Customize) {
		hang := func(w http.ResponseWriter, r *http.Request) {
			select {
			case hung <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-time.After(5 * time.Minute):
			}
		}
		c.Handle("/conversations.open", hang)
		c.Handle("/chat.postMessage", hang)
	})
	fake.Start()
	t.Cleanup(func() { close(release); fake.Stop() })
	db := filepath.Join(t.TempDir(), "icbot.db")
	env := map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-test", "ICBOT_SLACK_SIGNING_SECRET": "test-signing-secret", "ICBOT_SLACK_API_URL": fake.GetAPIURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET", "ICBOT_ADMINS": "U1",
	}
	r := startIcbot(t, env, func(e *Env) {
		e.Limits = shortLimits(2 * time.Second)
		e.Limits.Grace = 2 * time.Second
		// No timeout of its own: only the stop may end the hanging calls.
		e.SlackOptions = []slack.Option{slack.WithHTTPClient(&http.Client{})}
	})
	form := url.Values{"command": {"/icbot"}, "text": {"role add <@U2|zed> crew"}, "user_id": {"U1"}, "user_name": {"root"}, "channel_id": {"CSET"}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, r.base+"/slack/commands", strings.NewReader(form))
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte("test-signing-secret"))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, form)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-hung:
	case <-time.After(30 * time.Second):
		t.Fatal("the follow-up never reached Slack")
	}
	r.cancel()
	select {
	case code := <-r.done:
		if code != 0 {
			t.Fatalf("exit %d after a stop: %s", code, r.stderr)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the stop waited for follow-ups hanging on Slack")
	}
	st, err := storage.Open(db, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, db)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var pending int
	st.View(context.Background(), func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		pending = len(ds)
		return err
	})
	if pending == 0 {
		t.Errorf("the notice the stop cut short was not kept for the next start")
	}
	if strings.Contains(r.stderr.String(), "level=ERROR") {
		t.Errorf("the stop logged errors:\n%s", r.stderr)
	}
}

// TestConnectionCap: a listener holds at most MaxConns connections open;
// the next waits to be accepted until one of them is closed.
func TestConnectionCap(t *testing.T) {
	const limit = 3
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListener(inner, limit)
	defer ln.Close()
	for range limit + 1 {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	var held []net.Conn
	for range limit {
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	extra := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			extra <- c
		}
	}()
	select {
	case <-extra:
		t.Fatalf("a connection past the cap of %d was accepted", limit)
	case <-time.After(200 * time.Millisecond):
	}
	held[0].Close()
	held[0].Close() // a second close frees nothing more
	select {
	case c := <-extra:
		c.Close()
	case <-time.After(30 * time.Second):
		t.Fatal("no connection accepted after one was closed")
	}
	if got := len(ln.(*limited).slots); got != limit-1 {
		t.Errorf("%d slots taken, want %d", got, limit-1)
	}
}
