package slack

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
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
	a := New(Config{APIURL: srv.URL}, nil, WithClock(func() time.Time { return now }))
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
