package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/bot"
)

// recorder hands commands to the bot and keeps a copy of each.
type recorder struct {
	*bot.Bot
	mu   sync.Mutex
	cmds []bot.Command
}

func (rec *recorder) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	rec.mu.Lock()
	rec.cmds = append(rec.cmds, cmd)
	rec.mu.Unlock()
	return rec.Bot.Handle(ctx, cmd)
}

func (rec *recorder) commands() []bot.Command {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]bot.Command(nil), rec.cmds...)
}

// TestSlowNameLookup: a command mentions four people whose names icbot has
// not asked Slack for yet, and users.info hangs for one of them. The
// command is answered all the same; the others reach the bot named, the
// one not named in time as the bare mention a failed lookup leaves, and
// the answer shows the name icbot already knew for them.
func TestSlowNameLookup(t *testing.T) {
	r := newRig(t).seed()
	for _, p := range []string{"<@UCAM|cam>", "<@UGARY|gary>", "<@UHANA|hana>", "<@UADAM|adam>"} {
		r.slash("UROOT", "/icbot role add "+p+" performer")
	}
	r.fake.took()
	r.fake.set(func(f *fakeSlack) { f.hang["users.info UGARY"] = time.Hour })
	rec := &recorder{Bot: r.bot}
	srv := httptest.NewServer(r.ad.Routes(rec))
	defer srv.Close()
	form := url.Values{"command": {"/scene"}, "user_id": {"UINES"}, "user_name": {"ines"}, "channel_id": {"CSET"},
		"text":         {`add 30 title=Rehearsal call="2036-12-05 09:00" performers=<@UCAM>,<@UGARY>,<@UHANA>,<@UADAM>`},
		"response_url": {r.fake.srv.GetAPIURL() + "response/names"}}
	code, body := r.postTo(srv, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	r.ad.Wait()
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	cmds := rec.commands()
	if len(cmds) != 1 {
		t.Fatalf("%d commands reached the bot, want 1", len(cmds))
	}
	for _, want := range []string{"<@UCAM|cam>", "<@UHANA|hana>", "<@UADAM|adam>", "<@UGARY>"} {
		if !strings.Contains(cmds[0].Text, want) {
			t.Errorf("the bot got %q, without %s", cmds[0].Text, want)
		}
	}
	if got, want := cmds[0].CallerName, "ines"; got != want {
		t.Errorf("caller name %q, want %q", got, want)
	}
	if !strings.Contains(body, "Performers: @cam, @gary, @hana, @adam") {
		t.Errorf("the answer does not name every performer: %s", body)
	}
	var answered []string
	for _, c := range r.fake.took() {
		if c.Method == "users.info" {
			answered = append(answered, c.Form.Get("user"))
		}
	}
	slices.Sort(answered)
	if got, want := answered, []string{"UADAM", "UCAM", "UHANA"}; !slices.Equal(got, want) {
		t.Errorf("users.info answered for %v, want %v", got, want)
	}
}

func interactionForm(payload any) string {
	b, _ := json.Marshal(payload)
	return url.Values{"payload": {string(b)}}.Encode()
}

// TestInteractionCommittedBeforeAck: a button press and a submitted form
// are committed before Slack hears they arrived, so nothing acknowledged
// can be lost; their answers (through the response_url, by DM) come after
// the acknowledgement and do not hold it up.
func TestInteractionCommittedBeforeAck(t *testing.T) {
	t.Run("block_actions", func(t *testing.T) {
		r := newRig(t).seed()
		r.slash("UADAM", "/closedset start 12")
		r.fake.took()
		r.fake.set(func(f *fakeSlack) { f.hang["response"] = time.Hour })
		code, _ := r.post("/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "UPAULA", "name": "paula"},
			"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/held",
			"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/closedset ack 12"}},
		}))
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		if !acked(t, r, "UPAULA") {
			t.Fatal("acknowledged before the press was recorded")
		}
		r.fake.unhang()
		r.ad.Wait()
		if answer := r.fake.responseBodies("/response/held"); !strings.Contains(answer, "you confirmed the device policy") {
			t.Errorf("answer after the acknowledgement: %q", answer)
		}
	})
	t.Run("view_submission", func(t *testing.T) {
		r := newRig(t).seed()
		r.fake.set(func(f *fakeSlack) { f.hang["conversations.open"], f.hang["chat.postMessage"] = time.Hour, time.Hour })
		code, body := r.post("/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
			"type": "view_submission", "user": map[string]any{"id": "UPAULA", "name": "paula"},
			"view": map[string]any{"callback_id": "icbot_form", "private_metadata": "/boundaries answer 12", "state": map[string]any{"values": map[string]any{
				"b1": map[string]any{"value": map[string]any{"type": "radio_buttons", "selected_option": map[string]any{"value": "no"}}},
			}}},
		}))
		if code != http.StatusOK || body != "" {
			t.Fatalf("submission: %d %q (an empty 200 closes the modal)", code, body)
		}
		if v := boundariesVersion(t, r); v != 2 {
			t.Fatalf("version %d when the submission was acknowledged, want 2", v)
		}
		r.fake.unhang()
		r.ad.Wait()
		if got := strings.Join(posts(r.fake.took(), "DUPAULA"), "\n"); !strings.Contains(got, "saved (version 2)") {
			t.Errorf("paula's confirmation: %q", got)
		}
	})
}

// acked reports whether user has confirmed the device policy in scene
// 12's running closed set.
func acked(t *testing.T, r *rig, user bot.UserID) bool {
	t.Helper()
	var ok bool
	if err := r.store.View(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		sess, err := tx.Session("12", sc.Session)
		for _, m := range sess.Roster {
			ok = ok || m.User == user && !m.AckedAt.IsZero()
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

func boundariesVersion(t *testing.T, r *rig) int {
	t.Helper()
	var bd bot.Boundaries
	if err := r.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		bd, err = tx.Boundaries("12", "UPAULA")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return int(bd.Version)
}

// TestFormOpensAfterAck: views.open hangs; the button that opens the form
// is acknowledged all the same, and views.open, with the button's trigger,
// is already under way.
func TestFormOpensAfterAck(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UINES", "/boundaries request 12 <@UPAULA>")
	r.fake.took()
	r.fake.set(func(f *fakeSlack) { f.hang["views.open"] = time.Hour })
	code, _ := r.post("/slack/interactions", "application/x-www-form-urlencoded", interactionForm(map[string]any{
		"type": "block_actions", "trigger_id": "trig-2", "user": map[string]any{"id": "UPAULA", "name": "paula"},
		"channel": map[string]any{"id": "DUPAULA"}, "response_url": r.fake.srv.GetAPIURL() + "response/form",
		"actions": []map[string]any{{"action_id": "icbot_cmd_0", "block_id": "icbot_actions", "type": "button", "value": "/boundaries form 12"}},
	}))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	r.fake.waitArrival(t, "views.open", 1)
	r.fake.unhang()
	r.ad.Wait()
	var opened bool
	for _, c := range r.fake.took() {
		opened = opened || c.Method == "views.open" && strings.Contains(c.Form.Get("body"), `"trigger_id":"trig-2"`)
	}
	if !opened {
		t.Errorf("the form was not opened with the button's trigger")
	}
	if answer := r.fake.responseBodies("/response/form"); answer != "" {
		t.Errorf("a text answer was sent although the form opened: %s", answer)
	}
}
