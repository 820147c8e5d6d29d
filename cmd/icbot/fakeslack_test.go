package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// webSlack is a fake Slack Web API for the real binary: it answers the
// methods icbot calls as Slack does, counts every call, and fails a share
// of them when told to (429 with Retry-After, or 500), as a busy Slack
// does, so that deliveries are retried.
type webSlack struct {
	srv *httptest.Server
	mu  sync.Mutex
	// rate429 and rate500 are the shares of calls (auth.test aside)
	// answered 429 and 500.
	rate429, rate500 float64
	rnd              *rand.Rand
	// held, when not nil, holds every chat.postMessage until it is
	// closed.
	held   chan struct{}
	calls  map[string]int // by method, or "response" for response_url posts
	failed map[string]int // by status
	posts  map[string]int // chat.postMessage by channel
	ts     int
}

func newWebSlack(t testing.TB, seed uint64) *webSlack {
	f := &webSlack{rnd: rand.New(rand.NewPCG(seed, 1)), calls: map[string]int{}, failed: map[string]int{}, posts: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the value of slack.api_url; response URLs are under it too,
// which icbot allows.
func (f *webSlack) apiURL() string { return f.srv.URL + "/api/" }

func (f *webSlack) responseURL(name string) string { return f.srv.URL + "/api/response/" + name }

// hold holds every chat.postMessage from now until release.
func (f *webSlack) hold() {
	f.mu.Lock()
	f.held = make(chan struct{})
	f.mu.Unlock()
}

func (f *webSlack) release() {
	f.mu.Lock()
	if f.held != nil {
		close(f.held)
		f.held = nil
	}
	f.mu.Unlock()
}

func (f *webSlack) setFailures(r429, r500 float64) {
	f.mu.Lock()
	f.rate429, f.rate500 = r429, r500
	f.mu.Unlock()
}

// counts returns a copy of the calls, the failures and the posts made.
func (f *webSlack) counts() (calls, failed, posts map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := func(m map[string]int) map[string]int {
		out := make(map[string]int, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return cp(f.calls), cp(f.failed), cp(f.posts)
}

func (f *webSlack) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if strings.HasPrefix(method, "response/") {
		method = "response"
	}
	_ = r.ParseForm()
	f.mu.Lock()
	f.calls[method]++
	fail := 0
	if method != "auth.test" {
		switch x := f.rnd.Float64(); {
		case x < f.rate429:
			fail = http.StatusTooManyRequests
		case x < f.rate429+f.rate500:
			fail = http.StatusInternalServerError
		}
	}
	if fail != 0 {
		f.failed[strconv.Itoa(fail)]++
	}
	ch := r.Form.Get("channel")
	if fail == 0 && method == "chat.postMessage" {
		f.posts[ch]++
	}
	f.ts++
	ts := fmt.Sprintf("1700000000.%06d", f.ts)
	held := f.held
	f.mu.Unlock()
	if held != nil && method == "chat.postMessage" {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}

	switch fail {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(fail)
		io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		return
	case http.StatusInternalServerError:
		http.Error(w, "internal error", fail)
		return
	}
	if method == "response" {
		io.WriteString(w, "ok")
		return
	}
	var ans any
	switch method {
	case "auth.test":
		ans = map[string]any{"ok": true, "user_id": "UBOT", "user": "icbot", "team": "Film", "team_id": "T1", "bot_id": "BBOT"}
	case "users.info":
		u := r.Form.Get("user")
		name := strings.ToLower(strings.TrimPrefix(u, "U"))
		ans = map[string]any{"ok": true, "user": map[string]any{"id": u, "name": name, "real_name": name,
			"profile": map[string]any{"display_name": name, "real_name": name}}}
	case "conversations.open":
		ans = map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(r.Form.Get("users"), "U")}}
	case "chat.postMessage":
		ans = map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "chat.postEphemeral":
		ans = map[string]any{"ok": true, "message_ts": ts}
	case "conversations.info":
		ans = map[string]any{"ok": true, "channel": map[string]any{"id": ch, "name": strings.ToLower(ch), "is_channel": true, "is_private": true}}
	case "conversations.members":
		ans = map[string]any{"ok": true, "members": []string{"UBOT"}, "response_metadata": map[string]any{"next_cursor": ""}}
	case "views.open":
		ans = map[string]any{"ok": true, "view": map[string]any{"id": "V1"}}
	default:
		ans = map[string]any{"ok": true}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ans)
}

// signedRequest is a request to icbot as a platform sends it: its exact
// body and headers, so that it can be sent again byte for byte.
type signedRequest struct {
	path   string
	body   []byte
	header http.Header
}

// slackSigned signs body for path as Slack does with secret at now.
func slackSigned(secret, path, contentType string, body []byte, now time.Time) *signedRequest {
	stamp := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	h := http.Header{}
	h.Set("Content-Type", contentType)
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return &signedRequest{path: path, body: body, header: h}
}

// slashRequest is a signed slash command from user in channel.
func slashRequest(secret string, web *webSlack, user, channel, text string, n int) *signedRequest {
	cmd, args, _ := strings.Cut(text, " ")
	form := url.Values{
		"command": {cmd}, "text": {args}, "user_id": {user}, "user_name": {strings.ToLower(strings.TrimPrefix(user, "U"))},
		"channel_id": {channel}, "team_id": {"T1"}, "response_url": {web.responseURL(fmt.Sprintf("slash-%d", n))},
		"trigger_id": {fmt.Sprintf("trig-slash-%d", n)},
	}
	return slackSigned(secret, "/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), time.Now())
}

// dmEvent is a signed Events API callback: user typing text in their DM
// with icbot.
func dmEvent(secret, eventID, user, text string) *signedRequest {
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D" + strings.TrimPrefix(user, "U"),
			"user": user, "text": text, "ts": "1700000000.000100"},
	})
	return slackSigned(secret, "/slack/events", "application/json", body, time.Now())
}

// retried is the event as Slack retries it: the same body, signed again
// now, with the retry's number.
func (r *signedRequest) retried(secret string, num int) *signedRequest {
	again := slackSigned(secret, r.path, r.header.Get("Content-Type"), r.body, time.Now())
	again.header.Set("X-Slack-Retry-Num", strconv.Itoa(num))
	again.header.Set("X-Slack-Retry-Reason", "http_timeout")
	return again
}

// buttonPress is a signed block_actions interaction: user pressing one of
// icbot's buttons, whose value is a command.
func buttonPress(secret string, web *webSlack, user, channel, command string, n int) *signedRequest {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": fmt.Sprintf("trig-button-%d", n), "team": map[string]any{"id": "T1"},
		"user":    map[string]any{"id": user, "name": strings.ToLower(strings.TrimPrefix(user, "U"))},
		"channel": map[string]any{"id": channel}, "response_url": web.responseURL(fmt.Sprintf("button-%d", n)),
		"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": command}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return slackSigned(secret, "/slack/interactions", "application/x-www-form-urlencoded", []byte(form), time.Now())
}

// formSubmission is a signed view_submission of icbot's boundaries form:
// beat b1 answered yes, and notes.
func formSubmission(secret, user, scene, notes string, n int) *signedRequest {
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "trigger_id": fmt.Sprintf("trig-form-%d", n), "team": map[string]any{"id": "T1"},
		"user": map[string]any{"id": user, "name": strings.ToLower(strings.TrimPrefix(user, "U"))},
		"view": map[string]any{"id": fmt.Sprintf("V%d", n), "callback_id": "icbot_form", "private_metadata": "/boundaries answer " + scene,
			"state": map[string]any{"values": map[string]any{
				"b1":    map[string]any{"value": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "yes"}}},
				"notes": map[string]any{"value": map[string]any{"type": "plain_text_input", "value": notes}},
			}}},
	})
	form := url.Values{"payload": {string(payload)}}.Encode()
	return slackSigned(secret, "/slack/interactions", "application/x-www-form-urlencoded", []byte(form), time.Now())
}

// discordSigned signs an interaction as Discord does, with Ed25519 over
// timestamp + body.
func discordSigned(priv ed25519.PrivateKey, interaction any) *signedRequest {
	body, _ := json.Marshal(interaction)
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Signature-Timestamp", stamp)
	h.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(stamp), body...))))
	return &signedRequest{path: "/discord/interactions", body: body, header: h}
}

// send posts the request to base and returns the status and body; err is
// set when no answer came (refused, reset, or timed out).
func (r *signedRequest) send(ctx context.Context, c *http.Client, base string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+r.path, bytes.NewReader(r.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header = r.header.Clone()
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, body, nil
}
