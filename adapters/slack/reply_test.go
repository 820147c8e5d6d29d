package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"icbot/bot"
)

// TestResponseURLLimits: a response_url serves five replies within 30
// minutes; after that the bot is told to DM instead.
func TestResponseURLLimits(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posts.Add(1) }))
	defer srv.Close()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	a := New(Config{APIURL: srv.URL}, WithClock(func() time.Time { return now }))
	ctx := context.Background()
	m := bot.Message{Text: "late"}

	fresh := urlHandle(srv.URL+"/r1", now)
	for i := 1; i <= replyUses; i++ {
		if err := a.Reply(ctx, fresh, "U1", m); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	if err := a.Reply(ctx, fresh, "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("sixth use: %v, want ErrReplyExpired", err)
	}
	old := urlHandle(srv.URL+"/r2", now.Add(-31*time.Minute))
	if err := a.Reply(ctx, old, "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("after 31 minutes: %v, want ErrReplyExpired", err)
	}
	if err := a.Reply(ctx, "", "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("no handle: %v, want ErrReplyExpired", err)
	}
	if got := posts.Load(); got != replyUses {
		t.Errorf("%d posts to response_url, want %d", got, replyUses)
	}
}

// TestPacer: posts to one channel are spaced; another channel has its own
// turn. Only lower bounds are checked: a slow machine cannot make it fail.
func TestPacer(t *testing.T) {
	p := newPacer(100 * time.Millisecond)
	ctx := context.Background()
	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := p.wait(ctx, "C1"); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("three posts to one channel took %s, want at least 200ms", took)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.wait(cancelled, "C1"); err == nil {
		t.Errorf("a cancelled wait for a busy channel returned no error")
	}
}

// TestReplyOnlyToSlack: a reply handle is followed only to Slack's own
// host for response_urls (https), or to the configured API URL's host; a
// handle that leads anywhere else, directly or by a redirect, sends
// nothing there: the bot is told to DM instead, and the log names the
// host, never the message.
func TestReplyOnlyToSlack(t *testing.T) {
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer evil.Close()
	var fine atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, evil.URL+"/stolen", http.StatusTemporaryRedirect)
			return
		}
		fine.Add(1)
	}))
	defer api.Close()
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	var logs strings.Builder
	a := New(Config{APIURL: api.URL + "/api/"}, WithClock(func() time.Time { return now }),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := context.Background()
	const secret = "boundary notes: CANARY-7731"
	m := bot.Message{Text: secret}

	if err := a.Reply(ctx, urlHandle(api.URL+"/response/1", now), "U1", m); err != nil || fine.Load() != 1 {
		t.Fatalf("a reply to the configured API host: %v (%d received)", err, fine.Load())
	}
	evilURL, _ := url.Parse(evil.URL)
	for _, target := range []string{
		evil.URL + "/response/1",
		"http://" + strings.TrimPrefix(api.URL, "http://") + "@" + evilURL.Host + "/response/1",
		api.URL + "/redirect",
	} {
		err := a.Reply(ctx, urlHandle(target, now), "U1", m)
		if !errors.Is(err, bot.ErrReplyExpired) {
			t.Errorf("reply to %s: %v, want ErrReplyExpired (the bot then DMs)", target, err)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached a host that is not Slack's", n)
	}
	if strings.Contains(logs.String(), "CANARY") {
		t.Errorf("the log holds the message:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), evilURL.Host) {
		t.Errorf("the log does not name where the handle led:\n%s", logs.String())
	}

	// Without a configured API URL, Slack's own host alone, over https.
	slack := New(Config{})
	for target, want := range map[string]bool{
		"https://hooks.slack.com/commands/T1/2/abc":       true,
		"https://HOOKS.slack.com/actions/T1/2/abc":        true,
		"http://hooks.slack.com/commands/T1/2/abc":        false,
		"https://hooks.slack.com.evil.example/commands/1": false,
		"https://hooks.slack.com@evil.example/commands/1": false,
		"https://evil.example/hooks.slack.com/commands/1": false,
		"https://hooks.slack.com:8443/commands/T1/2/abc":  false,
		api.URL + "/response/1":                           false,
		"//hooks.slack.com/commands/1":                    false,
		"not a url":                                       false,
	} {
		if got := slack.replyAllowed(target); got != want {
			t.Errorf("replyAllowed(%q) = %v, want %v", target, got, want)
		}
	}
}
