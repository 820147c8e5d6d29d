package slack_test

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/adapters/slack"
	"icbot/bot"
)

// holder hands commands to the bot, holding the next few whose text
// starts with prefix until the test releases them, and says when each
// held one arrives.
type holder struct {
	*bot.Bot
	prefix  string
	arrived chan string
	mu      sync.Mutex
	holding int // how many more to hold
	open    chan struct{}
}

func newHolder(b *bot.Bot, prefix string) *holder {
	return &holder{Bot: b, prefix: prefix, arrived: make(chan string, 100), open: make(chan struct{})}
}

func (h *holder) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	h.mu.Lock()
	held := strings.HasPrefix(cmd.Text, h.prefix) && h.holding > 0
	if held {
		h.holding--
	}
	open := h.open
	h.mu.Unlock()
	if held {
		h.arrived <- cmd.Once
		<-open
	}
	return h.Bot.Handle(ctx, cmd)
}

// hold has the next n commands that match held.
func (h *holder) hold(n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.holding = n
}

// release lets the commands held so far run.
func (h *holder) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.open)
	h.open = make(chan struct{})
}

// stop holds nothing more and releases what it holds.
func (h *holder) stop() {
	h.hold(0)
	h.release()
}

// await waits until n commands have arrived at the hold and returns their
// request keys.
func (h *holder) await(t *testing.T, n int) []string {
	t.Helper()
	var keys []string
	for range n {
		select {
		case k := <-h.arrived:
			keys = append(keys, k)
		case <-time.After(30 * time.Second):
			t.Fatalf("%d of %d commands reached the bot", len(keys), n)
		}
	}
	return keys
}

// logBuffer is a log sink safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until the log holds n lines that contain s.
func (l *logBuffer) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(l.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the log holds %q %d times, waited for %d:\n%s", s, strings.Count(l.String(), s), n, l.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitHolds waits until scene 12 has had n holds.
func (r *rig) waitHolds(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for r.holds() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d holds recorded, waited for %d", r.holds(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func slashPayload(user, command, text, trigger, responseURL string) map[string]string {
	return map[string]string{"command": command, "text": text, "user_id": user, "user_name": strings.ToLower(strings.TrimPrefix(user, "U")),
		"channel_id": "CSET", "team_id": "T1", "trigger_id": trigger, "response_url": responseURL}
}

func dmEvent(eventID, user, text string) map[string]any {
	return map[string]any{"type": "event_callback", "event_id": eventID, "team_id": "T1",
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text}}
}

func buttonPayload(user, trigger, value, responseURL string) map[string]any {
	return map[string]any{"type": "block_actions", "trigger_id": trigger, "user": map[string]any{"id": user, "name": strings.ToLower(strings.TrimPrefix(user, "U"))},
		"channel": map[string]any{"id": "D" + user}, "response_url": responseURL,
		"actions": []map[string]any{{"action_id": "icbot_cmd_1", "block_id": "icbot_actions", "type": "button", "value": value}}}
}

// TestSocketModeReconnects: Slack's Socket Mode drops icbot's connection
// while three commands it delivered (a /hold typed, a hold sent by DM, a
// hold button pressed) are still running and unacknowledged, then refuses
// new connections for a while (a 503, an error, a failed handshake, in
// turn), then accepts again. icbot reconnects on its own, waiting longer
// after each refusal, and keeps running. The command acknowledged before
// the drop took effect; the three held ones take effect once, although
// Slack delivers them again on the new connection; and each caller gets
// their answer, the /hold's caller too, whose acknowledgement had no
// connection to go on. A second drop, this time with Slack delivering the
// /hold again while its first delivery still runs, changes nothing either.
func TestSocketModeReconnects(t *testing.T) {
	var logs logBuffer
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	var h *holder
	r := newRig(t, onFake(fake), func(o *rigOpts) {
		o.adapter = append(o.adapter, slack.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}, overSocket(func(b *bot.Bot) slack.Handler {
		h = newHolder(b, "/hold")
		return h
	})).seed()
	t.Cleanup(h.stop)
	sock.waitConns(t, 1)
	api := r.fake.srv.GetAPIURL()

	// Before the drop: a command acknowledged with its answer.
	sock.send(t, "env-start", "slash_commands", slashPayload("UADAM", "/closedset", "start 12", "trig-start", api+"response/start"))
	if ack := sock.waitAck(t, "env-start"); !strings.Contains(ack.text(), "Closed set started for scene 12") {
		t.Fatalf("the closed set's acknowledgement: %q", ack.text())
	}
	r.ad.Wait()
	r.fake.took()

	// Three commands arrive and are held, unacknowledged.
	h.hold(3)
	sock.send(t, "env-slash", "slash_commands", slashPayload("UPETE", "/hold", "12 cold", "trig-hold", api+"response/hold"))
	sock.send(t, "env-event", "events_api", dmEvent("EvHold", "UPAULA", "hold 12 dizzy"))
	sock.send(t, "env-button", "interactive", buttonPayload("UADAM", "trig-press", "/hold 12", api+"response/press"))
	h.await(t, 3)

	// The connection drops; Slack refuses new ones for a while.
	sock.refuse(true)
	sock.drop(t)
	sock.waitUntil(t, "four refused attempts", func() bool { return len(sock.refusals) >= 4 })
	logs.waitFor(t, "socket mode could not connect", 4)
	if _, stale := sock.acked(); len(stale) != 0 {
		t.Fatalf("acknowledgements without a connection: %s", sock.state())
	}
	// Meanwhile the three finish: committed, with no connection to
	// acknowledge them on.
	h.release()
	r.waitHolds(t, 3)

	// Slack accepts again; icbot reconnects and gets the three again.
	sock.refuse(false)
	sock.waitConns(t, 2)
	redelivered := map[string]sockAck{}
	for _, first := range []string{"env-slash", "env-event", "env-button"} {
		redelivered[first] = sock.waitAck(t, first)
	}
	r.ad.Wait()
	if got := r.holds(); got != 3 {
		t.Errorf("%d holds recorded, want 3: once each", got)
	}
	calls := r.fake.took()
	if got := posts(calls, "DUINES"); len(got) != 3 {
		t.Errorf("the IC was told of %d holds, want 3: %q", len(got), got)
	}
	// Each caller has their answer, once.
	slashAnswer := redelivered["env-slash"].text() + "\n" + r.fake.responseBodies("/response/hold")
	if strings.Count(slashAnswer, "only the IC knows it was you") != 1 {
		t.Errorf("the /hold's caller did not get its answer once; they were told: %q", slashAnswer)
	}
	if got := posts(calls, "DUPAULA"); len(got) != 1 || !strings.Contains(got[0], "Your hold on scene 12 is recorded") {
		t.Errorf("the DM's answer: %q", got)
	}
	if got := r.fake.responseBodies("/response/press"); strings.Count(got, "only the IC knows it was you") != 1 {
		t.Errorf("the button's answer: %q", got)
	}
	for first, ack := range redelivered {
		if ack.Conn != 2 {
			t.Errorf("%s was acknowledged on connection %d, want the new one", first, ack.Conn)
		}
	}

	// Backoff: each refused attempt waited longer than the one before.
	waits := regexp.MustCompile(`socket mode could not connect.* in=(\S+)`).FindAllStringSubmatch(logs.String(), -1)
	if len(waits) < 4 {
		t.Errorf("%d refused attempts logged, want at least 4:\n%s", len(waits), logs.String())
	}
	var last time.Duration
	for _, w := range waits {
		d, err := time.ParseDuration(w[1])
		if err != nil || d <= last {
			t.Errorf("waits between attempts %q do not grow", waits)
			break
		}
		last = d
	}
	if got := sock.refusedSoFar(); !strings.Contains(strings.Join(got, ";"), "handshake") {
		t.Errorf("no failed handshake among the refusals: %q", got)
	}

	// A second drop, with the redelivery arriving while the first
	// delivery still runs: it waits for the first, and finds its answer.
	h.hold(1)
	sock.send(t, "env-slash2", "slash_commands", slashPayload("UPETE", "/hold", "12 again", "trig-hold2", api+"response/hold2"))
	h.await(t, 1)
	sock.drop(t)
	sock.waitConns(t, 3)
	logs.waitFor(t, "socket mode connected", 3)
	sock.waitUntil(t, "the redelivery", func() bool { return sock.out["env-slash2-retry1"] != nil })
	h.release()
	ack := sock.waitAck(t, "env-slash2")
	r.waitHolds(t, 4)
	r.ad.Wait()
	if got := r.holds(); got != 4 {
		t.Errorf("%d holds recorded, want 4", got)
	}
	if got := posts(r.fake.took(), "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told of %d more holds, want 1: %q", len(got), got)
	}
	if answer := ack.text() + "\n" + r.fake.responseBodies("/response/hold2"); strings.Count(answer, "only the IC knows it was you") != 1 {
		t.Errorf("the second /hold's caller did not get its answer once; they were told: %q", answer)
	}

	// Still running: a command on the new connection is answered.
	sock.send(t, "env-status", "slash_commands", slashPayload("UADAM", "/closedset", "status 12", "trig-status", api+"response/status"))
	if ack := sock.waitAck(t, "env-status"); !strings.Contains(ack.text(), "running") || ack.Conn != 3 {
		t.Errorf("status on connection %d: %q", ack.Conn, ack.text())
	}
	select {
	case err := <-r.ad.Failed():
		t.Fatalf("Socket Mode stopped: %v", err)
	default:
	}
	// What a gone connection delivered was acknowledged on none other:
	// Slack delivered it again, and that delivery was acknowledged.
	if _, stale := sock.acked(); len(stale) != 0 {
		t.Errorf("acknowledgements of envelopes their connection did not deliver: %s", sock.state())
	}
}
