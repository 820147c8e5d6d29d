package slack_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"icbot/bot"
)

// signed is one signed request, kept to be sent again exactly as it was,
// as someone who copied it off the wire would.
type signed struct {
	path, contentType, body string
	header                  http.Header
}

// signNow signs a request to path at the present time.
func signNow(t testing.TB, path, contentType, body string) signed {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://example.invalid"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sign(req, body, time.Now())
	req.Header.Set("Content-Type", contentType)
	return signed{path: path, contentType: contentType, body: body, header: req.Header}
}

// resend sends a signed request to the rig's server, with its headers
// changed by edit when given, and returns the status and body.
func (r *rig) resend(s signed, edit func(http.Header)) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+s.path, strings.NewReader(s.body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header = s.header.Clone()
	if edit != nil {
		edit(req.Header)
	}
	resp, err := hangGuard.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r.ad.Wait()
	return resp.StatusCode, string(b)
}

// holds is how many holds scene 12 has had.
func (r *rig) holds() int {
	r.t.Helper()
	var n int
	if err := r.store.View(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		n = len(sc.Holds)
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// TestReplayedSlashCommandHasOneEffect: one signed /hold, sent three
// times within its five minutes (once with the signature's hex digits in
// capitals, which Slack's verifier also accepts), gives the IC one hold;
// sent again after icbot restarts on the same database, still one.
func TestReplayedSlashCommandHasOneEffect(t *testing.T) {
	fake := newFakeSlack(t)
	path := t.TempDir() + "/icbot.db"
	r := newRig(t, func(o *rigOpts) { o.path, o.fake = path, fake }).seed()
	form := url.Values{"command": {"/hold"}, "text": {"12 cold"}, "user_id": {"UPETE"}, "user_name": {"pete"},
		"channel_id": {"CSET"}, "team_id": {"T1"}, "trigger_id": {"trig-hold"}, "response_url": {fake.srv.GetAPIURL() + "response/hold"}}
	req := signNow(t, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	capitals := func(h http.Header) {
		h.Set("X-Slack-Signature", "v0="+strings.ToUpper(strings.TrimPrefix(h.Get("X-Slack-Signature"), "v0=")))
	}
	var answers []string
	for i, edit := range []func(http.Header){nil, nil, capitals} {
		code, body := r.resend(req, edit)
		if code != http.StatusOK {
			t.Fatalf("send %d: status %d: %s", i+1, code, body)
		}
		answers = append(answers, body)
	}
	if !strings.Contains(answers[0], "only the IC knows it was you") {
		t.Errorf("first answer: %s", answers[0])
	}
	for _, a := range answers[1:] {
		if !strings.Contains(a, "already handled") {
			t.Errorf("answer to a copy: %s", a)
		}
	}
	if got := posts(r.fake.took(), "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told of %d holds, want 1: %q", len(got), got)
	}
	if got := r.holds(); got != 1 {
		t.Errorf("%d holds recorded, want 1", got)
	}

	r.close()
	r2 := newRig(t, func(o *rigOpts) { o.path, o.fake = path, fake })
	if code, body := r2.resend(req, nil); code != http.StatusOK || !strings.Contains(body, "already handled") {
		t.Errorf("after a restart: status %d: %s", code, body)
	}
	if got := posts(r2.fake.took(), "DUINES"); len(got) != 0 {
		t.Errorf("after a restart the copy was run again: %q", got)
	}
	if got := r2.holds(); got != 1 {
		t.Errorf("after a restart %d holds recorded, want 1", got)
	}
}

// TestReplayedButtonHasOneEffect: the same signed block_actions payload
// (a "Call a hold" button) sent twice acts once, and its one answer goes
// back once.
func TestReplayedButtonHasOneEffect(t *testing.T) {
	r := newRig(t).seed()
	req := signNow(t, "/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
		"type": "block_actions", "trigger_id": "trig-button", "user": map[string]any{"id": "UPETE", "name": "pete"},
		"channel": map[string]any{"id": "DUPETE"}, "response_url": r.fake.srv.GetAPIURL() + "response/button-hold",
		"actions": []map[string]any{{"action_id": "icbot_cmd_1", "block_id": "icbot_actions", "type": "button", "value": "/hold 12", "action_ts": "1700000000.000100"}},
	}))
	for i := range 2 {
		if code, body := r.resend(req, nil); code != http.StatusOK {
			t.Fatalf("send %d: status %d: %s", i+1, code, body)
		}
	}
	if got := r.holds(); got != 1 {
		t.Errorf("%d holds recorded, want 1", got)
	}
	if got := posts(r.fake.took(), "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told of %d holds, want 1: %q", len(got), got)
	}
	if got := r.fake.responseBodies("/response/button-hold"); strings.Count(got, "only the IC knows it was you") != 1 || strings.Contains(got, "already handled") {
		t.Errorf("answers through the response_url: %s", got)
	}
}

// TestSocketModeRedeliveryHasOneEffect: over Socket Mode, a slash command
// and a button press delivered twice, in envelopes of their own, act once:
// the payload's trigger id names the request.
func TestSocketModeRedeliveryHasOneEffect(t *testing.T) {
	r := newRig(t, overSocket(nil)).seed()
	feed := drain(r.fake.srv.SeenFeed)
	slash := map[string]string{"command": "/hold", "text": "12", "user_id": "UPETE", "user_name": "pete", "channel_id": "CSET",
		"trigger_id": "trig-sock-1", "response_url": r.fake.srv.GetAPIURL() + "response/sock-hold"}
	press := map[string]any{
		"type": "block_actions", "trigger_id": "trig-sock-2", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/sock-button",
		"actions": []map[string]any{{"action_id": "icbot_cmd_1", "block_id": "icbot_actions", "type": "button", "value": "/hold 12"}},
	}
	for i := range 2 {
		id := fmt.Sprintf("env-slash-%d", i)
		r.fake.srv.SendToWebsocket(envelope(id, "slash_commands", slash))
		feed.waitFor(t, id)
		id = fmt.Sprintf("env-press-%d", i)
		r.fake.srv.SendToWebsocket(envelope(id, "interactive", press))
		feed.waitFor(t, id)
	}
	r.ad.Wait()
	if got := r.holds(); got != 2 {
		t.Errorf("%d holds recorded, want 2: one for the command, one for the button", got)
	}
	if got := posts(r.fake.took(), "DUINES"); len(got) != 2 {
		t.Errorf("the IC was told of %d holds, want 2: %q", len(got), got)
	}
}

// failingStore fails every write while failing is set, as a full disk or
// a stop in the middle would.
type failingStore struct {
	bot.Store
	failing atomic.Bool
}

func (s *failingStore) Update(ctx context.Context, fn func(bot.Tx) error) error {
	if s.failing.Load() {
		return errors.New("disk full")
	}
	return s.Store.Update(ctx, fn)
}

// TestEventNotRecordedIsRetried: when the command an event carries cannot
// be recorded, Slack is answered 503 and nothing is said, so that it
// delivers the event again; its retry then takes effect, once. At Slack's
// last retry the person is told it failed.
func TestEventNotRecordedIsRetried(t *testing.T) {
	var st *failingStore
	r := newRig(t, func(o *rigOpts) {
		o.store = func(s bot.Store) bot.Store { st = &failingStore{Store: s}; return st }
	}).seed()
	body := eventBody("EvFail1", "UPETE", "hold 12 dizzy")
	st.failing.Store(true)
	if code, _ := r.post("/slack/events", "application/json", body); code != http.StatusServiceUnavailable {
		t.Errorf("status %d while the store fails, want 503", code)
	}
	r.ad.Wait()
	if got := posts(r.fake.took(), "DUPETE"); len(got) != 0 {
		t.Errorf("pete was answered although Slack will retry: %q", got)
	}
	st.failing.Store(false)
	for i := 1; i <= 2; i++ {
		if code, _ := r.post("/slack/events", "application/json", body, "X-Slack-Retry-Num", fmt.Sprint(i)); code != http.StatusOK {
			t.Errorf("retry %d: status %d", i, code)
		}
		r.ad.Wait()
	}
	calls := r.fake.took()
	if got := r.holds(); got != 1 {
		t.Errorf("%d holds recorded, want 1", got)
	}
	if got := posts(calls, "DUPETE"); len(got) != 1 || !strings.Contains(got[0], "Your hold on scene 12 is recorded") {
		t.Errorf("pete's answer: %q", got)
	}
	if got := posts(calls, "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told %d times, want once: %q", len(got), got)
	}

	st.failing.Store(true)
	last := eventBody("EvFail2", "UPETE", "hold 12")
	if code, _ := r.post("/slack/events", "application/json", last, "X-Slack-Retry-Num", "3"); code != http.StatusOK {
		t.Errorf("last retry: status %d, want 200", code)
	}
	r.ad.Wait()
	st.failing.Store(false)
	if got := posts(r.fake.took(), "DUPETE"); len(got) != 1 || !strings.Contains(got[0], "Something went wrong") {
		t.Errorf("at the last retry pete was told %q", got)
	}
}
