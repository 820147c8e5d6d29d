package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"icbot/bot"
)

// canned answers every command with the outcome out makes, and keeps the
// commands, so that a test can hand the adapter what it must show.
type canned struct {
	out  func(bot.Command) *bot.Outcome
	mu   sync.Mutex
	cmds []bot.Command
}

func (c *canned) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	c.mu.Lock()
	c.cmds = append(c.cmds, cmd)
	c.mu.Unlock()
	return c.out(cmd)
}

func (c *canned) FollowUp(context.Context, *bot.Outcome)        {}
func (c *canned) ChannelChanged(context.Context, bot.ChannelID) {}

func (c *canned) last() bot.Command {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cmds) == 0 {
		return bot.Command{}
	}
	return c.cmds[len(c.cmds)-1]
}

// TestLongFormInModal: a boundaries form with 120 beats whose labels are
// longer than a modal's input takes, and notes longer than its text input
// holds, opens all the same: Slack takes the modal. Each beat shown is
// shown whole, in sections above its input; the beats beyond a modal's
// 100 blocks, and the long notes, are left out, each said, so that saving
// leaves them as they were.
func TestLongFormInModal(t *testing.T) {
	r := newRig(t)
	f := &bot.Form{Title: "Boundaries, scene 12", Command: "/boundaries answer 12"}
	for i := 1; i <= 120; i++ {
		f.Choices = append(f.Choices, bot.FormChoice{Key: fmt.Sprintf("b%d", i), Options: []string{"yes", "no", "discuss"},
			Label: fmt.Sprintf("b%d  %s[b%d end]", i, strings.Repeat("slowly, over the garment ", 84), i)})
	}
	f.Texts = []bot.FormText{{Key: "notes", Label: "Notes", Value: strings.Repeat("n", 5000)}, {Key: "garments", Label: "Garments", Value: "robe"}}
	c := &canned{out: func(cmd bot.Command) *bot.Outcome {
		return &bot.Outcome{Replies: []bot.Message{{To: bot.Destination{Kind: bot.ToCaller, User: cmd.Caller}, Text: "Your form", Form: f}}}
	}}
	srv := httptest.NewServer(r.ad.Routes(c))
	defer srv.Close()
	code, _ := r.postTo(srv, "/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
		"type": "block_actions", "trigger_id": "trig-long", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/long-form",
		"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/boundaries form 12"}},
	}))
	r.ad.Wait()
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	var view string
	for _, call := range r.fake.took() {
		if call.Method == "views.open" {
			if call.Refused {
				t.Fatalf("Slack refused the modal")
			}
			view = call.Form.Get("body")
		}
	}
	if view == "" {
		t.Fatal("no modal was opened")
	}
	if got := r.fake.responseBodies("/response/long-form"); got != "" {
		t.Errorf("a text answer was sent although the form opened: %.200s", got)
	}
	var req struct {
		View struct {
			Blocks []struct {
				Type    string `json:"type"`
				BlockID string `json:"block_id"`
			} `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal([]byte(view), &req); err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, b := range req.View.Blocks {
		if b.Type == "input" {
			inputs = append(inputs, b.BlockID)
		}
	}
	shown := 0
	for i := 1; i <= 120; i++ {
		key := fmt.Sprintf("b%d", i)
		has := strings.Contains(view, fmt.Sprintf(`"block_id":"%s"`, key))
		if has {
			shown++
			if !strings.Contains(view, fmt.Sprintf("[b%d end]", i)) {
				t.Errorf("%s is not shown whole", key)
			}
		} else if strings.Contains(view, fmt.Sprintf("[b%d end]", i)) {
			t.Errorf("%s is shown without its input", key)
		}
	}
	if shown < 20 || shown == 120 {
		t.Errorf("%d of 120 beats shown", shown)
	}
	for _, want := range []string{fmt.Sprintf("first %d of 120", shown), "/boundaries answer 12 b" + fmt.Sprint(shown+1) + "=yes",
		"notes is longer than this form holds", `"block_id":"garments"`} {
		if !strings.Contains(view, want) {
			t.Errorf("the modal lacks %q", want)
		}
	}
	if strings.Contains(view, `"block_id":"notes"`) {
		t.Errorf("the long notes are in an input that cannot hold them")
	}

	// Saved, the modal changes what it shows and nothing else.
	code, _ = r.postTo(srv, "/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
		"type": "view_submission", "trigger_id": "trig-save", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"view": map[string]any{"callback_id": "icbot_form", "private_metadata": "/boundaries answer 12", "state": map[string]any{"values": map[string]any{
			"b1":       map[string]any{"value": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "no"}}},
			"garments": map[string]any{"value": map[string]any{"type": "plain_text_input", "value": "robe, slippers"}},
		}}},
	}))
	r.ad.Wait()
	if got, want := c.last().Text, `/boundaries answer 12 b1="no" garments="robe, slippers"`; code != http.StatusOK || got != want {
		t.Errorf("saving ran %q (status %d), want %q", got, code, want)
	}
}

// TestLongAnswerInParts: an answer longer than one message holds is
// acknowledged in part; the rest follows through the response_url, and
// nothing of it is lost.
func TestLongAnswerInParts(t *testing.T) {
	r := newRig(t)
	text := longText(90000)
	c := &canned{out: func(cmd bot.Command) *bot.Outcome {
		return &bot.Outcome{Replies: []bot.Message{{To: bot.Destination{Kind: bot.ToCaller, User: cmd.Caller}, Text: text}}}
	}}
	srv := httptest.NewServer(r.ad.Routes(c))
	defer srv.Close()
	form := url.Values{"command": {"/boundaries"}, "text": {"show 12"}, "user_id": {"UINES"}, "channel_id": {"CSET"},
		"trigger_id": {"trig-show"}, "response_url": {r.fake.srv.GetAPIURL() + "response/long-answer"}}
	code, body := r.postTo(srv, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	r.ad.Wait()
	var ack struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &ack); code != http.StatusOK || err != nil {
		t.Fatalf("status %d: %.200s", code, body)
	}
	if n := len(utf16.Encode([]rune(ack.Text))); n > 40000 || n == 0 {
		t.Errorf("the acknowledgement holds %d characters", n)
	}
	var rest strings.Builder
	for _, b := range strings.Split(r.fake.responseBodies("/response/long-answer"), "\n{") {
		var m struct {
			Text string `json:"text"`
		}
		if !strings.HasPrefix(b, "{") {
			b = "{" + b
		}
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatalf("a late reply %.100q: %v", b, err)
		}
		rest.WriteString(m.Text)
	}
	if got := ack.Text + rest.String(); got != text {
		t.Errorf("the caller saw %d characters of %d", len(got), len(text))
	}
}
