package slack_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// socketSlack is Slack's Socket Mode, locally, able to drop and refuse
// connections. apps.connections.open, on the fake Web API, hands out the
// URL of its websocket; each connection is greeted with hello, then gets
// the envelopes the test sends; what the client acknowledges is recorded.
// As Slack does, an envelope not acknowledged on the connection it went
// out on is delivered again on the next one, with the same payload in a
// new envelope, retry_attempt counting the tries, three times at most; an
// acknowledgement of an envelope the connection did not deliver is kept
// apart as stale.
type socketSlack struct {
	srv  *httptest.Server
	fake *fakeSlack

	mu       sync.Mutex
	refusing bool
	refusals []string // how each refused attempt failed, in order
	conns    int      // connections accepted
	conn     *websocket.Conn
	closed   chan struct{} // closed once the current connection's end is handled
	// out are the envelopes sent and not yet acknowledged on the
	// connection they went out on, by envelope id; queue those waiting
	// for a connection.
	out       map[string]*sockEnvelope
	queue     []*sockEnvelope
	acks      []sockAck
	stale     []sockAck
	abandoned []string // what was delivered and never acknowledged, by first id
	// changed is closed, and replaced, at every change, for waiters.
	changed chan struct{}
}

// slackRetries is how often Slack delivers an envelope again.
const slackRetries = 3

// sockEnvelope is one delivery of something Slack sends.
type sockEnvelope struct {
	ID      string          `json:"envelope_id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
	Accepts bool            `json:"accepts_response_payload"`
	Retry   int             `json:"retry_attempt"`
	Reason  string          `json:"retry_reason,omitempty"`
	// First is the id of the envelope's first delivery, which names what
	// it carries across deliveries.
	First string `json:"-"`
	conn  int    // the connection it went out on
}

// sockAck is an acknowledgement the client wrote.
type sockAck struct {
	Envelope string // the envelope id acknowledged
	First    string // the first delivery's id ("" for a stale one)
	Conn     int    // the connection it came on
	Payload  json.RawMessage
}

// text is the text of the acknowledgement's payload ("" for none).
func (a sockAck) text() string {
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(a.Payload, &p)
	return p.Text
}

func newSocketSlack(t *testing.T, fake *fakeSlack) *socketSlack {
	s := &socketSlack{fake: fake, out: map[string]*sockEnvelope{}, changed: make(chan struct{})}
	s.srv = httptest.NewServer(http.HandlerFunc(s.link))
	t.Cleanup(func() {
		s.mu.Lock()
		c := s.conn
		s.mu.Unlock()
		if c != nil {
			c.Close()
		}
		s.srv.Close()
	})
	fake.set(func(f *fakeSlack) { f.connections = s.open })
	return s
}

// signal wakes the waiters; the caller holds mu.
func (s *socketSlack) signal() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// open answers apps.connections.open: the websocket's URL, or, while
// refusing, in turn a 503, an error Slack might give, or a URL whose
// handshake then fails.
func (s *socketSlack) open(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refusing {
		switch len(s.refusals) % 3 {
		case 0:
			s.refused("apps.connections.open: 503")
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		case 1:
			s.refused("apps.connections.open: internal_error")
			writeJSON(w, map[string]any{"ok": false, "error": "internal_error"})
			return
		}
	}
	writeJSON(w, map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link/?ticket=t"})
}

func (s *socketSlack) refused(how string) {
	s.refusals = append(s.refusals, how)
	s.signal()
}

// link is the websocket: refused while refusing, else a connection that
// lasts until either side ends it.
func (s *socketSlack) link(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.refusing {
		s.refused("handshake: 503")
		s.mu.Unlock()
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	s.mu.Unlock()
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.conns++
	n := s.conns
	s.conn, s.closed = c, make(chan struct{})
	closed := s.closed
	_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]string{"app_id": "A1"}, "debug_info": map[string]any{"host": "fake"}})
	queued := s.queue
	s.queue = nil
	for _, e := range queued {
		s.deliver(c, n, e)
	}
	s.signal()
	s.mu.Unlock()

	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			break
		}
		var ack struct {
			ID      string          `json:"envelope_id"`
			Payload json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &ack) != nil {
			continue
		}
		s.mu.Lock()
		if e, ok := s.out[ack.ID]; ok && e.conn == n {
			delete(s.out, ack.ID)
			s.acks = append(s.acks, sockAck{Envelope: ack.ID, First: e.First, Conn: n, Payload: ack.Payload})
		} else {
			s.stale = append(s.stale, sockAck{Envelope: ack.ID, Conn: n, Payload: ack.Payload})
		}
		s.signal()
		s.mu.Unlock()
	}

	// The connection is gone: what it did not acknowledge comes again.
	c.Close()
	s.mu.Lock()
	if s.conn == c {
		s.conn = nil
	}
	for id, e := range s.out {
		if e.conn != n {
			continue
		}
		delete(s.out, id)
		if e.Retry >= slackRetries {
			s.abandoned = append(s.abandoned, e.First)
			continue
		}
		again := *e
		again.Retry++
		again.ID = fmt.Sprintf("%s-retry%d", e.First, again.Retry)
		again.Reason = "timeout"
		if s.conn != nil { // the client is back already
			s.deliver(s.conn, s.conns, &again)
		} else {
			s.queue = append(s.queue, &again)
		}
	}
	close(closed)
	s.signal()
	s.mu.Unlock()
}

// deliver writes e on c, connection n; the caller holds mu.
func (s *socketSlack) deliver(c *websocket.Conn, n int, e *sockEnvelope) {
	e.conn = n
	s.out[e.ID] = e
	_ = c.WriteJSON(e)
}

// send has Slack send payload in a new envelope of kind, now or once
// connected, and returns the envelope's id.
func (s *socketSlack) send(t *testing.T, id, kind string, payload any) string {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	e := &sockEnvelope{ID: id, First: id, Type: kind, Payload: b, Accepts: kind == "slash_commands"}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		s.queue = append(s.queue, e)
		return id
	}
	s.deliver(s.conn, s.conns, e)
	return id
}

// drop ends the current connection, as a network failure would, and
// returns once the envelopes it left unacknowledged are queued again.
func (s *socketSlack) drop(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	c, closed := s.conn, s.closed
	s.mu.Unlock()
	if c == nil {
		t.Fatal("no connection to drop")
	}
	c.UnderlyingConn().Close()
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the dropped connection did not end")
	}
}

// disconnect has Slack ask the client to reconnect, as it does every few
// hours (refresh_requested), and returns once the connection has ended.
func (s *socketSlack) disconnect(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	c, closed := s.conn, s.closed
	if c != nil {
		_ = c.WriteJSON(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "fake"}})
	}
	s.mu.Unlock()
	if c == nil {
		t.Fatal("no connection to end")
	}
	select {
	case <-closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the client did not end the connection it was asked to end")
	}
}

// refuse has Slack refuse new connections, or accept them again.
func (s *socketSlack) refuse(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusing = on
}

// waitUntil waits until cond, read under the lock, holds.
func (s *socketSlack) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("waited in vain for %s; %s", what, s.state())
		}
	}
}

// state describes the fake's state, for a test's failure.
func (s *socketSlack) state() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out, queued, acks, stale []string
	for id, e := range s.out {
		out = append(out, fmt.Sprintf("%s@%d", id, e.conn))
	}
	for _, e := range s.queue {
		queued = append(queued, e.ID)
	}
	for _, a := range s.acks {
		acks = append(acks, fmt.Sprintf("%s@%d", a.Envelope, a.Conn))
	}
	for _, a := range s.stale {
		stale = append(stale, fmt.Sprintf("%s@%d", a.Envelope, a.Conn))
	}
	return fmt.Sprintf("%d connections (one up: %v), unacknowledged %q, queued %q, acknowledged %q, stale %q, refusals %q",
		s.conns, s.conn != nil, out, queued, acks, stale, s.refusals)
}

// waitConns waits until n connections have been accepted.
func (s *socketSlack) waitConns(t *testing.T, n int) {
	t.Helper()
	s.waitUntil(t, fmt.Sprintf("connection %d", n), func() bool { return s.conns >= n && s.conn != nil })
}

// waitAck waits for an acknowledgement of what the envelope first
// delivered as first carried, on any delivery, and returns it.
func (s *socketSlack) waitAck(t *testing.T, first string) sockAck {
	t.Helper()
	var got sockAck
	s.waitUntil(t, "an acknowledgement of "+first, func() bool {
		for _, a := range s.acks {
			if a.First == first {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// connections is how many connections were accepted so far.
func (s *socketSlack) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// refusedSoFar lists how the refused attempts failed.
func (s *socketSlack) refusedSoFar() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refusals...)
}

// acked lists the acknowledgements, and the stale ones.
func (s *socketSlack) acked() (acks, stale []sockAck) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sockAck(nil), s.acks...), append([]sockAck(nil), s.stale...)
}
