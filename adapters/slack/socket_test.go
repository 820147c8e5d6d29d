package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
	r := newRig(t).seed()
	feed := drain(r.fake.srv.SeenFeed)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.ad.RunSocketMode(ctx, r.bot, socketmode.OptionPingInterval(time.Hour)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()

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

// TestSocketModeStopsOnRevokedToken: Slack refuses the app token; Socket
// Mode stops with an error that says so instead of reconnecting forever,
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
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := ad.RunSocketMode(ctx, nil)
			if err == nil || !strings.Contains(err.Error(), code) {
				t.Fatalf("RunSocketMode = %v, want a stop that names %s", err, code)
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
	r := newRig(t).seed()
	r.slash("UADAM", "/closedset start 12")
	r.fake.took()
	g := &gate{Bot: r.bot, prefix: "/closedset ack", open: make(chan struct{})}
	t.Cleanup(g.release)
	feed := drain(r.fake.srv.SeenFeed)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.ad.RunSocketMode(ctx, g, socketmode.OptionPingInterval(time.Hour)) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
		r.ad.Wait()
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
	r := newRig(t)
	sock := newSocketSlack(t, r.fake)
	text := strings.Repeat("a <b> & \"c\"\n", 1000) + longText(60000)
	c := &canned{out: func(cmd bot.Command) *bot.Outcome {
		return &bot.Outcome{Replies: []bot.Message{{To: bot.Destination{Kind: bot.ToCaller, User: cmd.Caller}, Text: text}}}
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.ad.RunSocketMode(ctx, c, socketmode.OptionPingInterval(time.Hour)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()
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
	r := newRig(t).seed()
	sock := newSocketSlack(t, r.fake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.ad.RunSocketMode(ctx, r.bot, socketmode.OptionPingInterval(time.Hour)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("RunSocketMode: %v", err)
		}
	}()
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
