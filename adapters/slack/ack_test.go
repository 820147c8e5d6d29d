package slack_test

import (
	"context"
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
