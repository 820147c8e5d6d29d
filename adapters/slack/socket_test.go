package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"

	"icbot/adapters/slack"
	"icbot/bot"
)

// acks drains what the client writes back over the websocket (the fake's
// feed is unbuffered), keeping it for the test.
type acks struct {
	mu   sync.Mutex
	seen []string
	more chan struct{}
}

func drain(feed chan string) *acks {
	a := &acks{more: make(chan struct{}, 100)}
	go func() {
		for m := range feed {
			a.mu.Lock()
			a.seen = append(a.seen, m)
			a.mu.Unlock()
			a.more <- struct{}{}
		}
	}()
	return a
}

// waitFor waits until an acknowledgement of envelope arrives and returns it.
func (a *acks) waitFor(t *testing.T, envelope string) map[string]any {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		a.mu.Lock()
		for _, m := range a.seen {
			var ack map[string]any
			if json.Unmarshal([]byte(m), &ack) == nil && ack["envelope_id"] == envelope {
				a.mu.Unlock()
				return ack
			}
		}
		a.mu.Unlock()
		select {
		case <-a.more:
		case <-deadline:
			t.Fatalf("no acknowledgement of %s", envelope)
		}
	}
}

func envelope(id, kind string, payload any) string {
	b, _ := json.Marshal(map[string]any{"envelope_id": id, "type": kind, "accepts_response_payload": kind == "slash_commands", "payload": payload})
	return string(b)
}

// TestSocketMode: a slash command and a button press arrive over Socket
// Mode; each is acknowledged, the command's acknowledgement carrying the
// answer, and both take effect.
func TestSocketMode(t *testing.T) {
	r := newRig(t, overSocket(nil)).seed()
	feed := drain(r.fake.srv.SeenFeed)

	r.fake.srv.SendToWebsocket(envelope("env-cmd", "slash_commands", map[string]string{
		"command": "/closedset", "text": "start 12", "user_id": "UADAM", "user_name": "adam", "channel_id": "CSET",
		"response_url": r.fake.srv.GetAPIURL() + "response/socket",
	}))
	ack := feed.waitFor(t, "env-cmd")
	payload, _ := ack["payload"].(map[string]any)
	if payload["response_type"] != "ephemeral" || !strings.Contains(payload["text"].(string), "Closed set started for scene 12") {
		t.Errorf("slash command acknowledgement: %v", ack)
	}

	r.fake.srv.SendToWebsocket(envelope("env-button", "interactive", map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UPAULA", "name": "paula"}, "channel": map[string]any{"id": "DUPAULA"},
		"response_url": r.fake.srv.GetAPIURL() + "response/socket-button",
		"actions":      []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/closedset ack 12"}},
	}))
	feed.waitFor(t, "env-button")
	deadline := time.After(20 * time.Second)
	for {
		answer := r.fake.responseBodies("/response/socket-button")
		if strings.Contains(answer, "you confirmed the device policy") {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the button press had no effect: %q", answer)
		case <-time.After(10 * time.Millisecond):
		}
	}

	r.fake.srv.SendToWebsocket(envelope("env-event", "events_api", map[string]any{
		"type": "event_callback", "event_id": "EvSock1", "team_id": "T1",
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "DUPETE", "user": "UPETE", "text": "/hold 12"},
	}))
	feed.waitFor(t, "env-event")
}

// TestSocketModeStopsOnRevokedToken: Slack refuses the app token; Open
// fails with an error that says so instead of reconnecting forever,
// whether slack-go gives up on that refusal itself (token_revoked) or
// would try again (token_expired).
func TestSocketModeStopsOnRevokedToken(t *testing.T) {
	for _, code := range []string{"token_revoked", "token_expired", "invalid_auth"} {
		t.Run(code, func(t *testing.T) {
			revoked := slacktest.NewTestServer(func(c slacktest.Customize) {
				c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, map[string]any{"ok": false, "error": code})
				})
				c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
					writeJSON(w, map[string]any{"ok": true, "user_id": botUser})
				})
			})
			revoked.Start()
			defer revoked.Stop()
			ad := slack.New(slack.Config{BotToken: "xoxb-test", AppToken: appToken, APIURL: revoked.GetAPIURL()})
			defer ad.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := ad.Open(ctx, nil)
			if err == nil || !strings.Contains(err.Error(), code) {
				t.Fatalf("Open = %v, want a stop that names %s", err, code)
			}
			if ctx.Err() != nil {
				t.Errorf("it kept reconnecting until the test's deadline")
			}
		})
	}
}

// gate hands commands to the bot, but holds those whose text starts with
// prefix until the test opens it.
type gate struct {
	*bot.Bot
	prefix string
	open   chan struct{}
	once   sync.Once
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

func (g *gate) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	if strings.HasPrefix(cmd.Text, g.prefix) {
		<-g.open
	}
	return g.Bot.Handle(ctx, cmd)
}

// TestSocketModeEnvelopesRunApart: a button press whose command cannot run
// yet does not hold up a slash command sent after it, which is answered
// meanwhile; the press is acknowledged once it has run. An event
// delivered twice still has one effect.
func TestSocketModeEnvelopesRunApart(t *testing.T) {
	var g *gate
	r := newRig(t, overSocket(func(b *bot.Bot) slack.Handler {
		g = &gate{Bot: b, prefix: "/closedset ack", open: make(chan struct{})}
		return g
	})).seed()
	t.Cleanup(g.release)
	r.slash("UADAM", "/closedset start 12")
	r.fake.took()
	feed := drain(r.fake.srv.SeenFeed)
	stop := func() {
		if err := r.ad.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}

	r.fake.srv.SendToWebsocket(envelope("env-held", "interactive", map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UPAULA", "name": "paula"}, "channel": map[string]any{"id": "DUPAULA"},
		"response_url": r.fake.srv.GetAPIURL() + "response/held",
		"actions":      []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/closedset ack 12"}},
	}))
	r.fake.srv.SendToWebsocket(envelope("env-status", "slash_commands", map[string]string{
		"command": "/closedset", "text": "status 12", "user_id": "UADAM", "user_name": "adam", "channel_id": "CSET",
	}))
	ack := feed.waitFor(t, "env-status")
	if payload, _ := ack["payload"].(map[string]any); payload == nil || !strings.Contains(fmt.Sprint(payload["text"]), "running") {
		t.Errorf("status acknowledgement: %v", ack)
	}
	if answer := r.fake.responseBodies("/response/held"); answer != "" {
		t.Fatalf("the held button was answered before it ran: %s", answer)
	}

	for _, id := range []string{"env-ev1", "env-ev2"} {
		r.fake.srv.SendToWebsocket(envelope(id, "events_api", map[string]any{
			"type": "event_callback", "event_id": "EvTwice", "team_id": "T1",
			"event": map[string]any{"type": "message", "channel_type": "im", "channel": "DUPETE", "user": "UPETE", "text": "hold 12 dizzy"},
		}))
	}
	feed.waitFor(t, "env-ev1")
	feed.waitFor(t, "env-ev2")

	g.release()
	feed.waitFor(t, "env-held")
	stop()
	if answer := r.fake.responseBodies("/response/held"); !strings.Contains(answer, "you confirmed the device policy") {
		t.Errorf("the button's answer after it ran: %q", answer)
	}
	if got := posts(r.fake.took(), "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told of the hold %d times, want once: %q", len(got), got)
	}
}

// TestSocketModeLongAnswer: an answer far longer than a Socket Mode
// acknowledgement holds (Slack drops one of 20 KB or more), full of
// characters that take more room once escaped, is acknowledged with its
// first part, within the limit; the rest follows through the
// response_url, and nothing of it is lost.
func TestSocketModeLongAnswer(t *testing.T) {
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	text := strings.Repeat("a <b> & \"c\"\n", 1000) + longText(60000)
	c := &canned{out: func(cmd bot.Command) *bot.Outcome {
		return &bot.Outcome{Replies: []bot.Message{{To: bot.Destination{Kind: bot.ToCaller, User: cmd.Caller}, Text: text}}}
	}}
	r := newRig(t, onFake(fake), overSocket(func(*bot.Bot) slack.Handler { return c }))
	sock.waitConns(t, 1)
	sock.send(t, "env-long", "slash_commands", slashPayload("UINES", "/boundaries", "show 12", "trig-long", r.fake.srv.GetAPIURL()+"response/long"))
	ack := sock.waitAck(t, "env-long")
	r.ad.Wait()
	if n := len(ack.Payload); n >= 20<<10 || ack.text() == "" {
		t.Errorf("the acknowledgement's payload takes %d bytes, with %d characters of text", n, len(ack.text()))
	}
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
	got := unescape.Replace(ack.text())
	for _, b := range strings.Split(r.fake.responseBodies("/response/long"), "\n{") {
		var m struct {
			Text string `json:"text"`
		}
		if !strings.HasPrefix(b, "{") {
			b = "{" + b
		}
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("a late reply %.100q: %v", b, err)
		}
		got += unescape.Replace(m.Text)
	}
	if got != text {
		t.Errorf("the caller saw %d characters of %d", len(got), len(text))
	}
}

// TestSocketModeMessageTooLarge: a websocket message larger than an HTTP
// request may be (1 MiB) ends the connection unread, each time Slack
// delivers it; icbot reconnects, and what comes next is handled. Asked by
// Slack to reconnect, as it does every few hours, icbot does so too.
func TestSocketModeMessageTooLarge(t *testing.T) {
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	r := newRig(t, onFake(fake), overSocket(nil)).seed()
	sock.waitConns(t, 1)
	api := r.fake.srv.GetAPIURL()
	sock.send(t, "env-huge", "slash_commands", slashPayload("UPETE", "/hold", "12 "+strings.Repeat("x", 2<<20), "trig-huge", api+"response/huge"))
	sock.waitUntil(t, "the huge envelope given up", func() bool { return len(sock.abandoned) == 1 })
	sock.send(t, "env-hold", "slash_commands", slashPayload("UPETE", "/hold", "12 cold", "trig-small", api+"response/small"))
	if ack := sock.waitAck(t, "env-hold"); !strings.Contains(ack.text(), "only the IC knows it was you") {
		t.Errorf("the next command's acknowledgement: %q", ack.text())
	}
	if got := r.holds(); got != 1 {
		t.Errorf("%d holds recorded, want 1: the huge one is not handled", got)
	}

	before := sock.connections() // counted before the drop: the new one may come at once
	sock.disconnect(t)
	sock.waitConns(t, before+1)
	sock.send(t, "env-status", "slash_commands", slashPayload("UADAM", "/closedset", "status 12", "trig-status", api+"response/status"))
	sock.waitAck(t, "env-status")
}

// TestCloseJoinsSocketMode: Close, called while Slack's Socket Mode holds
// icbot's connection and a slash command it delivered is still being
// handled, waits for that command, and returns only once every goroutine
// the adapter started for Socket Mode has ended: its loop, the reader of
// slack-go's events, slack-go's run, and the envelope's handler. A second
// Close returns at once.
func TestCloseJoinsSocketMode(t *testing.T) {
	before := goroutines()
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	var h *holder
	r := newRig(t, onFake(fake), overSocket(func(b *bot.Bot) slack.Handler {
		h = newHolder(b, "/hold")
		return h
	})).seed()
	t.Cleanup(h.stop)
	sock.waitConns(t, 1)
	h.hold(1)
	sock.send(t, "env-hold", "slash_commands", slashPayload("UPETE", "/hold", "12 cold", "trig-close", r.fake.srv.GetAPIURL()+"response/close"))
	h.await(t, 1)
	if len(running(before)) == 0 {
		t.Fatal("no Socket Mode goroutine found running before Close: the check below would prove nothing")
	}

	closed := make(chan error, 1)
	go func() { closed <- r.ad.Close() }()
	waitFor(t, "Close waiting for the held command", func() bool {
		for _, g := range running(before) {
			if strings.Contains(g, "(*Adapter).Close") && strings.Contains(g, "inflight.(*Group).Wait") {
				return true
			}
		}
		return false
	})
	select {
	case <-closed:
		t.Fatal("Close returned while a command was being handled")
	default:
	}
	h.release()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	// A handler's last step, Done, is what lets Close return: the
	// goroutine may not have exited yet, but must without more work.
	left := running(before)
	for i := 0; len(left) != 0 && i < 2000; i++ {
		time.Sleep(time.Millisecond)
		left = running(before)
	}
	if len(left) != 0 {
		t.Errorf("Close returned with %d of its goroutines still running:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	if err := r.ad.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// goroutines lists the ids of the goroutines running now.
func goroutines() map[string]bool {
	ids := map[string]bool{}
	for _, g := range stacks() {
		ids[strings.Fields(g)[1]] = true
	}
	return ids
}

// running lists the stacks of the goroutines started since before that
// run the adapter's code or slack-go's Socket Mode run, which waits for
// its own reader and writer. (slack-go's websocket reader is not waited
// for by slack-go itself; its connection is closed by then, so it ends
// on its own.)
func running(before map[string]bool) []string {
	var out []string
	for _, g := range stacks() {
		if before[strings.Fields(g)[1]] {
			continue
		}
		if strings.Contains(g, "icbot/adapters/slack.") || strings.Contains(g, "socketmode.(*Client).RunContext") ||
			strings.Contains(g, "socketmode.(*Client).runRequestHandler") || strings.Contains(g, "socketmode.(*Client).runResponseSender") {
			out = append(out, g)
		}
	}
	return out
}

// stacks is every goroutine's stack, one string each.
func stacks() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Split(string(buf[:n]), "\n\n")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// waitFor waits until ok holds; its deadline only stops a test that would
// otherwise wait forever.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !ok() {
		select {
		case <-deadline:
			t.Fatalf("waited 20s for %s", what)
		case <-time.After(time.Millisecond):
		}
	}
}

// TestOpenOnceCloseTwice: the adapter's lifecycle: Open once; a second
// Open is refused without a call to Slack; Close may be called again; an
// Open after Close is refused.
func TestOpenOnceCloseTwice(t *testing.T) {
	r := newRig(t)
	r.fake.took()
	if err := r.ad.Open(context.Background(), r.bot); err == nil {
		t.Error("a second Open was not refused")
	}
	if got := r.fake.took(); len(got) != 0 {
		t.Errorf("a second Open called Slack: %q", methods(got))
	}
	if err := r.ad.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := r.ad.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	ad := slack.New(slack.Config{BotToken: "xoxb-test", APIURL: r.fake.srv.GetAPIURL()})
	if err := ad.Close(); err != nil {
		t.Errorf("Close without Open: %v", err)
	}
	if err := ad.Open(context.Background(), r.bot); err == nil {
		t.Error("an Open after Close was not refused")
	}
}

// TestOpenWhileSlackRefuses: while Slack refuses Socket Mode connections
// (a 503, an error, a failed handshake), Open waits for as long as its
// context lasts and then returns that context's error; the adapter keeps
// trying in the background, connects once Slack accepts, and Close
// stops it.
func TestOpenWhileSlackRefuses(t *testing.T) {
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	sock.refuse(true)
	ad := slack.New(slack.Config{BotToken: "xoxb-test", AppToken: appToken, APIURL: fake.srv.GetAPIURL()},
		slack.WithSocketModeOptions(socketmode.OptionPingInterval(time.Hour)))
	defer ad.Close()
	ctx, cancel := context.WithCancel(context.Background())
	opened := make(chan error, 1)
	go func() { opened <- ad.Open(ctx, nil) }()
	sock.waitUntil(t, "a refused attempt", func() bool { return len(sock.refusals) >= 1 })
	select {
	case err := <-opened:
		t.Fatalf("Open returned while Slack refused: %v", err)
	default:
	}
	cancel()
	if err := <-opened; !errors.Is(err, context.Canceled) {
		t.Fatalf("Open = %v, want the context's end", err)
	}
	sock.refuse(false)
	sock.waitConns(t, 1)
	if err := ad.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestFailedAfterOpen: Slack refuses the app token after Open returned
// (the connection drops, and apps.connections.open then answers
// token_revoked): Failed gives the error, which says what to do, and
// Close still returns.
func TestFailedAfterOpen(t *testing.T) {
	fake := newFakeSlack(t)
	sock := newSocketSlack(t, fake)
	r := newRig(t, onFake(fake), overSocket(nil))
	sock.waitConns(t, 1)
	select {
	case err := <-r.ad.Failed():
		t.Fatalf("Failed before any refusal: %v", err)
	default:
	}
	fake.set(func(f *fakeSlack) {
		f.connections = func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, map[string]any{"ok": false, "error": "token_revoked"})
		}
	})
	sock.drop(t)
	select {
	case err := <-r.ad.Failed():
		if !strings.Contains(err.Error(), "token_revoked") || !strings.Contains(err.Error(), "slack.app_token") {
			t.Errorf("Failed gave %v, want the refusal and what to set", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no failure within 20s of the refusal")
	}
	if err := r.ad.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
