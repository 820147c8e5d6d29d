package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"icbot/adapters/slack"
	"icbot/bot"
)

// TestEveryCommandOverSlack sends every command as a signed slash command
// and checks the ephemeral answer and what was posted.
func TestEveryCommandOverSlack(t *testing.T) {
	r := newRig(t).seed()
	steps := []struct {
		user, line string
		answer     string
		check      func(t *testing.T, calls []call)
	}{
		{"UROOT", "/icbot help", "icbot commands", nil},
		{"UPAULA", "/icbot whoami", "You are @paula (id UPAULA)", nil},
		{"UADAM", "/icbot role list", "performer @paula, @pete", nil},
		{"UINES", "/icbot role add <@UNEW> performer", "@newbie is now performer", func(t *testing.T, calls []call) {
			if got := posts(calls, "DUNEW"); len(got) != 1 || !strings.Contains(got[0], "gave you the role performer") {
				t.Errorf("the new performer's DM: %q", got)
			}
		}},
		{"UINES", "/icbot role remove <@UNEW> performer", "@newbie no longer has the role performer", nil},
		{"UADAM", "/scene list", "Night swim", nil},
		{"UPAULA", "/scene show 12", "Kiss at the water", nil},
		{"UINES", `/scene add 14 title=Kitchen call="2036-12-04 10:00" performers=<@UPETE>`, "Scene 14 added", nil},
		{"UADAM", `/scene set 14 title="Kitchen, morning"`, "Scene 14 updated (title)", nil},
		{"UINES", `/scene beat add 14 "hug" kind=contact`, "Beat b1 added to scene 14", nil},
		{"UINES", "/scene beat remove 14 b1", "Beat b1 removed", nil},
		{"UADAM", "/scene remove 14", "Scene 14 (Kitchen, morning) removed", nil},
		{"UADAM", "/closedset add 12 <@UCAM|cam>", "@cam (camera) is on the roster", func(t *testing.T, calls []call) {
			if got := posts(calls, "DUCAM"); len(got) != 1 {
				t.Errorf("cam's DM: %q", got)
			}
		}},
		{"UADAM", "/closedset start 12", "Closed set started for scene 12", func(t *testing.T, calls []call) {
			if got := posts(calls, "CSET"); len(got) != 1 || !strings.Contains(got[0], "no personal recording devices") {
				t.Errorf("set channel announcement: %q", got)
			}
			if got := posts(calls, "GSCENE12"); len(got) != 1 || !strings.Contains(got[0], "locked to the roster") {
				t.Errorf("scene channel roster post: %q", got)
			}
		}},
		{"UPAULA", "/closedset ack 12", "you confirmed the device policy", nil},
		{"UADAM", "/closedset status 12", "running", nil},
		{"UGARY", "/closedset status", "No closed set that you may see is running", nil},
		{"UADAM", "/closedset remove 12 <@UCAM>", "@cam is no longer on the roster", nil},
		{"UPETE", "/hold 12 cold, pain=3", "only the IC knows it was you", func(t *testing.T, calls []call) {
			if got := strings.Join(posts(calls, "DUINES"), "\n"); !strings.Contains(got, "@pete") || !strings.Contains(got, "cold, pain=3") {
				t.Errorf("IC's DM: %q", got)
			}
			if got := strings.Join(posts(calls, "DUADAM"), "\n"); got != "Scene 12 is on hold: talk to the IC." {
				t.Errorf("AD's DM: %q", got)
			}
		}},
		{"UINES", "/hold lift 12", "Hold lifted on scene 12", nil},
		{"UADAM", "/closedset end 12", "Closed set for scene 12 ended", nil},
		{"UPAULA", "/closedset start 12", "Only the intimacy coordinator or the assistant director", nil},
	}
	for _, s := range steps {
		got := r.slash(s.user, s.line)
		if !strings.Contains(got, s.answer) {
			t.Errorf("%s %s:\nanswer %q\nlacks  %q", s.user, s.line, got, s.answer)
		}
		calls := r.fake.took()
		if s.check != nil {
			s.check(t, calls)
		}
	}
}

// TestSignatures: unsigned, stale, tampered and oversized requests get
// 401 and change nothing.
func TestSignatures(t *testing.T) {
	r := newRig(t).seed()
	before := r.auditLen()
	body := url.Values{"command": {"/closedset"}, "text": {"start 12"}, "user_id": {"UADAM"}}.Encode()
	tests := []struct {
		name    string
		body    string
		prepare func(req *http.Request)
	}{
		{"unsigned", body, func(req *http.Request) {}},
		{"stale", body, func(req *http.Request) { sign(req, body, time.Now().Add(-6*time.Minute)) }},
		{"from the future", body, func(req *http.Request) { sign(req, body, time.Now().Add(6*time.Minute)) }},
		{"tampered", strings.Replace(body, "12", "14", 1), func(req *http.Request) { sign(req, body, time.Now()) }},
		{"wrong secret", body, func(req *http.Request) {
			sign(req, body, time.Now())
			req.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("ab", 32))
		}},
		{"malformed signature", body, func(req *http.Request) {
			sign(req, body, time.Now())
			req.Header.Set("X-Slack-Signature", "v1=zz")
		}},
		{"oversized", body + "&pad=" + strings.Repeat("x", 1<<20), func(req *http.Request) {}},
	}
	for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodPost, r.srv.URL+path, strings.NewReader(tt.body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				tt.prepare(req)
				if tt.name == "oversized" {
					sign(req, tt.body, time.Now())
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", resp.StatusCode)
				}
			})
		}
	}
	r.ad.Wait()
	if got := r.auditLen(); got != before {
		t.Errorf("refused requests changed the audit log: %d -> %d", before, got)
	}
	if calls := r.fake.took(); len(calls) != 0 {
		t.Errorf("refused requests reached Slack: %v", methods(calls))
	}
	var sessions []bot.Session
	r.store.View(context.Background(), func(tx bot.Tx) error {
		sessions, _ = tx.Sessions("12")
		return nil
	})
	if len(sessions) != 0 {
		t.Errorf("a refused request started a closed set")
	}
}

func eventBody(id, user, text string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "event_callback", "event_id": id, "team_id": "T1",
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": "D" + user, "user": user, "text": text},
	})
	return string(b)
}

// TestRetriedEventHasOneEffect: Slack delivers the same event again (with
// X-Slack-Retry-Num), before and after a restart; it is handled once.
func TestRetriedEventHasOneEffect(t *testing.T) {
	fake := newFakeSlack(t)
	path := t.TempDir() + "/icbot.db"
	r := newRig(t, func(o *rigOpts) { o.path, o.fake = path, fake }).seed()
	body := eventBody("Ev0001", "UPETE", "hold 12 dizzy")
	for i := 0; i < 3; i++ {
		var retry []string
		if i > 0 {
			retry = []string{"X-Slack-Retry-Num", strconv.Itoa(i), "X-Slack-Retry-Reason", "http_timeout"}
		}
		code, _ := r.post("/slack/events", "application/json", body, retry...)
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		r.ad.Wait()
	}
	calls := r.fake.took()
	if got := posts(calls, "DUINES"); len(got) != 1 {
		t.Errorf("the IC was told %d times, want once: %q", len(got), got)
	}
	if got := posts(calls, "DUPETE"); len(got) != 1 || !strings.Contains(got[0], "Your hold on scene 12 is recorded") {
		t.Errorf("answer in the DM: %q", got)
	}
	r.close()
	// Restart on the same database: the retry is still known.
	r2 := newRig(t, func(o *rigOpts) { o.path, o.fake = path, fake })
	code, _ := r2.post("/slack/events", "application/json", body, "X-Slack-Retry-Num", "3")
	r2.ad.Wait()
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if got := posts(r2.fake.took(), "DUINES"); len(got) != 0 {
		t.Errorf("after a restart the retried event was handled again: %q", got)
	}
	var holds int
	r2.store.View(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		holds = len(sc.Holds)
		return err
	})
	if holds != 1 {
		t.Errorf("%d holds recorded, want 1", holds)
	}
}

func TestURLVerification(t *testing.T) {
	r := newRig(t)
	code, body := r.post("/slack/events", "application/json", `{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`)
	if code != http.StatusOK || !strings.Contains(body, `"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"`) {
		t.Errorf("status %d, body %q", code, body)
	}
}

// TestRateLimitedPostArrives: chat.postMessage answers 429 with
// Retry-After twice; the announcement arrives after waiting, not lost.
func TestRateLimitedPostArrives(t *testing.T) {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) { f.limited["chat.postMessage"] = 2 })
	start := time.Now()
	r.slash("UADAM", "/closedset start 12")
	waited := time.Since(start)
	calls := r.fake.took()
	if got := posts(calls, "CSET"); len(got) != 1 {
		t.Fatalf("announcement posts after the 429s: %q", got)
	}
	var limited int
	for _, c := range calls {
		if c.Method == "chat.postMessage" {
			limited++
		}
	}
	if limited < 3 {
		t.Errorf("%d chat.postMessage calls, want the two refused ones and then the rest", limited)
	}
	// Slack said Retry-After: 1 twice; icbot waited rather than dropping.
	if waited < 2*time.Second {
		t.Errorf("finished after %s: it did not wait for Retry-After", waited)
	}
	var pending []bot.Delivery
	r.store.View(context.Background(), func(tx bot.Tx) error {
		pending, _ = tx.Deliveries()
		return nil
	})
	if len(pending) != 0 {
		t.Errorf("%d deliveries still pending", len(pending))
	}
}

// TestRateLimitBeyondRetriesIsQueued: when Slack keeps refusing, the
// message stays queued for the retry loop instead of being dropped.
func TestRateLimitBeyondRetriesIsQueued(t *testing.T) {
	r := newRig(t, func(o *rigOpts) { o.adapter = []slack.Option{slack.WithAPIRetries(0)} }).seed()
	r.fake.set(func(f *fakeSlack) { f.limited["chat.postMessage"] = 100 })
	r.slash("UPETE", "/hold 12")
	var pending []bot.Delivery
	r.store.View(context.Background(), func(tx bot.Tx) error {
		pending, _ = tx.Deliveries()
		return nil
	})
	if len(pending) == 0 {
		t.Fatal("the notices were dropped")
	}
	for _, d := range pending {
		if d.Attempts != 1 || d.LastError == "" {
			t.Errorf("pending %+v: want one failed attempt recorded", d)
		}
	}
}

// TestPermanentErrorsAreExplained: a missing scope or a channel icbot is
// not in is not retried, and the AD is told what fixes it.
func TestPermanentErrorsAreExplained(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UADAM", "/closedset add 12 <@UCAM|cam>") // not yet in the channel: an invite is needed
	r.fake.took()
	r.fake.set(func(f *fakeSlack) { f.fail["conversations.invite"] = "missing_scope" })
	r.slash("UADAM", "/closedset start 12")
	calls := r.fake.took()
	all := r.fake.responseBodies("")
	if !strings.Contains(all, "groups:write") || !strings.Contains(all, "reinstall the app") {
		t.Errorf("the AD was not told the missing scope: %s", all)
	}
	var invites int
	for _, c := range calls {
		if c.Method == "conversations.invite" {
			invites++
		}
	}
	if invites != 1 {
		t.Errorf("%d invite calls: a permanent error must not be retried", invites)
	}
}

// TestSensitivePostToPublicChannelRefused: the scene channel is public;
// nothing restricted is posted there and the AD is told why.
func TestSensitivePostToPublicChannelRefused(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UADAM", "/scene set 12 channel=<#CPUBLIC|general>")
	r.fake.took()
	r.slash("UADAM", "/closedset start 12")
	calls := r.fake.took()
	if got := posts(calls, "CPUBLIC"); len(got) != 0 {
		t.Fatalf("posted to the public channel: %q", got)
	}
	for _, c := range calls {
		if c.Method == "conversations.invite" || c.Method == "conversations.kick" {
			t.Errorf("a public channel was changed: %s", c.Method)
		}
	}
	if all := r.fake.responseBodies(""); !strings.Contains(all, "public") || !strings.Contains(all, "Lock not enforced") {
		t.Errorf("the AD was not told: %s", all)
	}
}

// TestClosedSetLockInSlack: start invites the roster and removes everyone
// else, in order; end restores exactly the members there were.
func TestClosedSetLockInSlack(t *testing.T) {
	r := newRig(t).seed()
	before := r.fake.channelMembers("GSCENE12")
	r.slash("UADAM", "/closedset add 12 <@UCAM|cam>")
	r.fake.took()
	r.slash("UADAM", "/closedset start 12")
	if got, want := membership(r.fake.took()), "invite UCAM; kick UGARY; kick UHANA"; got != want {
		t.Errorf("lock changes:\n got %s\nwant %s", got, want)
	}
	if got, want := r.fake.channelMembers("GSCENE12"), []string{"UADAM", "UBOT", "UCAM", "UINES", "UPAULA", "UPETE"}; !slices.Equal(got, want) {
		t.Errorf("members while locked %v, want %v", got, want)
	}
	r.slash("UADAM", "/closedset end 12")
	if got, want := membership(r.fake.took()), "invite UGARY,UHANA; kick UCAM"; got != want {
		t.Errorf("restore changes:\n got %s\nwant %s", got, want)
	}
	if got := r.fake.channelMembers("GSCENE12"); !slices.Equal(got, before) {
		t.Errorf("members after the end %v, want exactly %v", got, before)
	}
	var sess bot.Session
	r.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		sess, err = tx.Session("12", 1)
		return err
	})
	if sess.Lock.State != bot.LockReleased || fmt.Sprint(sess.Lock.Changes.Removed) != "[UGARY UHANA]" {
		t.Errorf("recorded lock %+v", sess.Lock)
	}
}

// TestAckWhileSlackHangs: a Web API method hangs for 10 s; the slash
// command's acknowledgement (with the state change) comes back at once.
func TestAckWhileSlackHangs(t *testing.T) {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) {
		f.hang["chat.postMessage"] = 10 * time.Second
		f.hang["conversations.open"] = 10 * time.Second
	})
	form := url.Values{"command": {"/closedset"}, "text": {"start 12"}, "user_id": {"UADAM"}, "channel_id": {"CSET"},
		"response_url": {r.fake.srv.GetAPIURL() + "response/UADAM"}}
	start := time.Now()
	code, body := r.post("/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	took := time.Since(start)
	if code != http.StatusOK || !strings.Contains(body, "Closed set started for scene 12") {
		t.Fatalf("status %d: %s", code, body)
	}
	if took >= 10*time.Second {
		t.Errorf("the acknowledgement waited for the hanging method (%s)", took)
	}
	t.Logf("acknowledged in %s while chat.postMessage hangs for 10s", took)
	var running bool
	r.store.View(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		running = sc.Filming()
		return err
	})
	if !running {
		t.Errorf("the state change was not committed with the acknowledgement")
	}
	r.fake.unhang()
}

// TestButtonRunsCommandAsPresser: the "No recording device" button in a
// roster member's DM acknowledges for whoever pressed it.
func TestButtonRunsCommandAsPresser(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UADAM", "/closedset start 12")
	calls := r.fake.took()
	var blocks string
	for _, c := range calls {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == "DUPAULA" {
			blocks = c.Form.Get("blocks")
		}
	}
	if !strings.Contains(blocks, `"value":"/closedset ack 12"`) || !strings.Contains(blocks, `"value":"/hold 12"`) {
		t.Fatalf("paula's DM has no buttons: %s", blocks)
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/button",
		"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/closedset ack 12"}},
	})
	code, _ := r.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(payload)}}.Encode())
	r.ad.Wait()
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if answer := r.fake.responseBodies("/response/button"); !strings.Contains(answer, "you confirmed the device policy") || !strings.Contains(answer, `"response_type":"ephemeral"`) {
		t.Errorf("answer to the button: %s", answer)
	}
}

// TestAnswerFormInModal: the "Answer privately" button in a performer's
// DM opens a modal with a choice per beat and the text fields; submitting
// it records the answers, quotes and all, as if typed.
func TestAnswerFormInModal(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UINES", "/boundaries request 12 <@UPAULA>")
	var blocks string
	for _, c := range r.fake.took() {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == "DUPAULA" {
			blocks = c.Form.Get("blocks")
		}
	}
	if !strings.Contains(blocks, `"value":"/boundaries form 12"`) {
		t.Fatalf("the request DM has no answer button: %s", blocks)
	}
	press, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "trig-1", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/form",
		"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/boundaries form 12"}},
	})
	if code, _ := r.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(press)}}.Encode()); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	r.ad.Wait()
	var view string
	for _, c := range r.fake.took() {
		if c.Method == "views.open" {
			view = c.Form.Get("body")
		}
	}
	for _, want := range []string{`"trigger_id":"trig-1"`, `"private_metadata":"/boundaries answer 12"`, `"block_id":"b1"`, `"type":"radio_buttons"`,
		`"value":"discuss"`, `"block_id":"notes"`, `"callback_id":"icbot_form"`, `"initial_option":{"text":{"type":"plain_text","text":"yes","emoji":false},"value":"yes"}`} {
		if !strings.Contains(view, want) {
			t.Errorf("modal lacks %s:\n%s", want, view)
		}
	}
	const notes = `Framed above the "hip", please; \ no close-ups`
	submit, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"view": map[string]any{"callback_id": "icbot_form", "private_metadata": "/boundaries answer 12", "state": map[string]any{"values": map[string]any{
			"b1":       map[string]any{"value": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "no"}}},
			"notes":    map[string]any{"value": map[string]any{"type": "plain_text_input", "value": notes}},
			"garments": map[string]any{"value": map[string]any{"type": "plain_text_input", "value": "robe"}},
			"body":     map[string]any{"value": map[string]any{"type": "plain_text_input", "value": ""}},
		}}},
	})
	code, body := r.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(submit)}}.Encode())
	r.ad.Wait()
	if code != http.StatusOK || body != "" {
		t.Fatalf("submission: %d %q (an empty 200 closes the modal)", code, body)
	}
	calls := r.fake.took()
	if got := strings.Join(posts(calls, "DUPAULA"), "\n"); !strings.Contains(got, "saved (version 2)") {
		t.Errorf("paula's confirmation: %q", got)
	}
	var bd bot.Boundaries
	r.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		bd, err = tx.Boundaries("12", "UPAULA")
		return err
	})
	if bd.Notes != notes || bd.Garments != "robe" || len(bd.Answers) != 1 || bd.Answers[0].Answer != bot.AnswerNo {
		t.Errorf("recorded %+v", bd)
	}
}

// TestConsentFlowOverSlack: the flow of one scene in Slack: request,
// answers (typed, and in a DM), riders signed, top-line posted to the
// private scene channel, closed set started.
func TestConsentFlowOverSlack(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UINES", `/scene add 20 title="Pool" call="2036-12-10 09:00" performers=<@UPAULA>,<@UPETE> channel=<#GSCENE20|scene-20>`)
	r.slash("UINES", `/scene beat add 20 "Kiss in the water" kind=contact`)
	r.fake.took()
	r.slash("UINES", "/boundaries request 20")
	calls := r.fake.took()
	for _, dm := range []string{"DUPAULA", "DUPETE"} {
		if got := strings.Join(posts(calls, dm), "\n"); !strings.Contains(got, "The IC asks for your boundaries") {
			t.Errorf("%s: %q", dm, got)
		}
	}
	if got := r.slash("UPAULA", `/boundaries answer 20 b1=yes garments="robe"`); !strings.Contains(got, "saved (version 1)") {
		t.Errorf("paula's answer: %q", got)
	}
	// Pete answers in his DM with icbot, as a message.
	code, _ := r.post("/slack/events", "application/json", eventBody("EvConsent1", "UPETE", "boundaries answer 20 b1=yes"))
	r.ad.Wait()
	if code != http.StatusOK {
		t.Fatalf("event: %d", code)
	}
	if got := strings.Join(posts(r.fake.took(), "DUPETE"), "\n"); !strings.Contains(got, "saved (version 1)") {
		t.Errorf("pete's answer in the DM: %q", got)
	}
	if got := r.slash("UADAM", "/closedset start 20"); !strings.Contains(got, "@paula: no rider") {
		t.Errorf("start before riders: %q", got)
	}
	for _, p := range []string{"<@UPAULA>", "<@UPETE>"} {
		r.slash("UINES", "/rider sent 20 "+p)
		r.slash("UINES", "/rider signed 20 "+p)
	}
	r.fake.took()
	// The scene channel has crew and hair and makeup in it: not for the
	// top-line summary.
	r.slash("UINES", "/topline 20")
	calls = r.fake.took()
	if got := posts(calls, "GSCENE20"); len(got) != 0 {
		t.Errorf("the top-line went to a channel with crew in it: %q", got)
	}
	if got := r.fake.responseBodies("/response/UINES"); !strings.Contains(got, "@gary, @hana are in it and may not see it") {
		t.Errorf("the IC was not told who is in the way: %q", got)
	}
	r.fake.set(func(f *fakeSlack) {
		f.members["GSCENE20"] = []string{botUser, "UPAULA", "UPETE", "UINES", "UADAM"}
	})
	r.slash("UINES", "/topline 20")
	if got := strings.Join(posts(r.fake.took(), "GSCENE20"), "\n"); !strings.Contains(got, "TOP-LINE SUMMARY, scene 20: Pool (version 1") || !strings.Contains(got, "Riders: @paula: signed; @pete: signed") {
		t.Errorf("top-line: %q", got)
	}
	if got := r.slash("UADAM", "/closedset start 20"); !strings.Contains(got, "Closed set started for scene 20") {
		t.Errorf("start: %q", got)
	}
	if got := strings.Join(posts(r.fake.took(), "GSCENE20"), "\n"); strings.Contains(got, "TOP-LINE") || !strings.Contains(got, "locked to the roster") {
		t.Errorf("after the start: %q", got)
	}
	r.slash("UADAM", "/closedset end 20")
	if got := strings.Join(posts(r.fake.took(), "GSCENE20"), "\n"); !strings.Contains(got, "version 2, supersedes version 1") || !strings.Contains(got, "Status: wrapped") {
		t.Errorf("after the end: %q", got)
	}
}

// rewrite sends every request to the host of to, as a proxy would.
type rewrite struct{ to *url.URL }

func (rw rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = rw.to.Scheme, rw.to.Host, ""
	return http.DefaultTransport.RoundTrip(out)
}

// TestInjectedHTTPClient: the client given with WithHTTPClient carries the
// Web API calls (the configured URL names a host that cannot resolve; the
// client's transport takes them to the fake), and a 429 through it is
// still waited out and retried.
func TestInjectedHTTPClient(t *testing.T) {
	fake := newFakeSlack(t)
	fake.set(func(f *fakeSlack) { f.limited["auth.test"] = 1 })
	to, err := url.Parse(fake.srv.GetAPIURL())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: rewrite{to: to}}
	ad := slack.New(slack.Config{BotToken: "xoxb-test", APIURL: "http://slack.invalid/"}, slack.WithHTTPClient(hc))
	if err := ad.Open(context.Background(), nil); err != nil {
		t.Fatalf("Open through the injected client: %v", err)
	}
	if got, want := strings.Join(methods(fake.took()), " "), "auth.test auth.test"; got != want {
		t.Errorf("calls %q, want %q (refused once, then retried)", got, want)
	}
}

// TestDMAnswerSurvivesASlackFailure: the answer to a command typed in a DM
// goes after the acknowledgement; when Slack fails it once with a 500, it
// is sent again, and the person hears it.
func TestDMAnswerSurvivesASlackFailure(t *testing.T) {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) { f.broken["chat.postMessage"] = 1 })
	if code, _ := r.post("/slack/events", "application/json", eventBody("EvAns1", "UPAULA", "icbot whoami")); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	r.ad.Wait()
	if got := strings.Join(posts(r.fake.took(), "DUPAULA"), "\n"); !strings.Contains(got, "You are @paula") {
		t.Errorf("paula's answer after one failure: %q", got)
	}
}
