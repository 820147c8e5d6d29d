package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// flood is how many distinct keys the tests below send: far more than any
// bound.
const flood = 100_000

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hooks is Slack's response_url endpoint, in memory: it takes five posts
// to each URL and refuses the rest, as Slack does, and counts what it
// took.
type hooks struct {
	mu    sync.Mutex
	posts map[string]int
	took  int
}

func (h *hooks) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts[r.URL.String()]++
	status, body := http.StatusOK, "ok"
	if h.posts[r.URL.String()] > replyUses {
		status, body = http.StatusNotFound, "used_url"
	} else {
		h.took++
	}
	return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}, Request: r}, nil
}

func (h *hooks) taken() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.took
}

// TestReplyCountsBounded: 100,000 distinct response_urls, each used once
// within half an hour, leave at most repliesKept use counts. A
// response_url used five times is refused the sixth while its count is
// remembered, without a post; once forgotten, among a flood of others,
// Slack refuses it, and the reply is refused all the same (the bot then
// DMs). Counts go once their response_url is too old to use.
func TestReplyCountsBounded(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	h := &hooks{posts: map[string]int{}}
	a := New(Config{}, WithClock(clock.now), WithHTTPClient(&http.Client{Transport: h}))
	ctx := context.Background()
	m := bot.Message{Text: "late"}
	hook := func(i int) string { return fmt.Sprintf("https://hooks.slack.com/commands/T1/%d/secret", i) }

	legit := urlHandle(hook(-1), clock.now())
	for i := 1; i <= replyUses; i++ {
		if err := a.Reply(ctx, legit, "U1", m); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	if err := a.Reply(ctx, legit, "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("sixth use: %v, want ErrReplyExpired", err)
	}
	if got := h.taken(); got != replyUses {
		t.Errorf("%d posts, want %d: the sixth was sent", got, replyUses)
	}

	for i := range flood {
		if err := a.Reply(ctx, urlHandle(hook(i), clock.now()), "U1", m); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
		if n := a.replies.Len(); n > repliesKept {
			t.Fatalf("%d use counts kept after %d response_urls, bound %d", n, i+1, repliesKept)
		}
		if i%10 == 0 {
			clock.add(time.Millisecond) // 100,000 within 10 s
		}
	}
	if err := a.Reply(ctx, legit, "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("sixth use, forgotten among %d others: %v, want ErrReplyExpired", flood, err)
	}

	clock.add(replyLimit + time.Second)
	fresh := urlHandle(hook(flood), clock.now())
	if err := a.Reply(ctx, fresh, "U1", m); err != nil {
		t.Fatalf("a fresh response_url: %v", err)
	}
	if n := a.replies.Len(); n != 1 {
		t.Errorf("%d use counts kept after their response_urls expired, want 1", n)
	}
	if err := a.Reply(ctx, urlHandle(hook(0), clock.now().Add(-replyLimit-time.Second)), "U1", m); !errors.Is(err, bot.ErrReplyExpired) {
		t.Errorf("a response_url older than %s: %v, want ErrReplyExpired", replyLimit, err)
	}
}

// people is users.info and conversations.open, answering at once for any
// user, and counting the calls. Any other Web API call panics.
type people struct {
	api
	mu           sync.Mutex
	infos, opens int
	names        map[string]string // display names that differ from the id
}

func (p *people) GetUserInfoContext(ctx context.Context, user string, _ ...slackapi.GetUserInfoOption) (*slackapi.User, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.infos++
	name := strings.ToLower(user)
	if n, ok := p.names[user]; ok {
		name = n
	}
	return &slackapi.User{ID: user, Name: name}, nil
}

func (p *people) OpenConversationContext(ctx context.Context, params *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opens++
	c := &slackapi.Channel{}
	c.ID = "D" + params.Users[0]
	return c, false, false, nil
}

func (p *people) calls() (infos, opens int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.infos, p.opens
}

// TestNamesBounded: display names for 100,000 distinct users leave at most
// namesKept; a name still remembered costs no users.info call, and one
// older than nameLife is asked again, so that a new display name shows.
func TestNamesBounded(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	a := New(Config{}, WithClock(clock.now))
	stub := &people{names: map[string]string{}}
	a.api = stub
	ctx := context.Background()
	if got := a.displayNames(ctx, "UPAULA")["UPAULA"]; got != "upaula" {
		t.Fatalf("name %q", got)
	}
	for i := 0; i < flood; i += 100 {
		batch := make([]string, 100)
		for j := range batch {
			batch[j] = fmt.Sprintf("U%07d", i+j)
		}
		if got := len(a.displayNames(ctx, batch...)); got != len(batch) {
			t.Fatalf("%d names of %d", got, len(batch))
		}
		if n := a.names.Len(); n > namesKept {
			t.Fatalf("%d names kept after %d users, bound %d", n, i+len(batch), namesKept)
		}
		// Paula runs a command now and then: her name stays.
		a.displayNames(ctx, "UPAULA")
	}
	infos, _ := stub.calls()
	if infos != flood+1 {
		t.Errorf("%d users.info calls, want %d: Paula's name, remembered, was asked again", infos, flood+1)
	}

	stub.mu.Lock()
	stub.names["UPAULA"] = "Paula R."
	stub.mu.Unlock()
	clock.add(nameLife + time.Second)
	if got := a.displayNames(ctx, "UPAULA")["UPAULA"]; got != "Paula R." {
		t.Errorf("after %s Paula is still %q", nameLife, got)
	}
}

// TestIMsBounded: DM channels for 100,000 distinct people leave at most
// imsKept; a DM to someone written to recently opens no conversation
// again.
func TestIMsBounded(t *testing.T) {
	a := New(Config{})
	stub := &people{}
	a.api = stub
	ctx := context.Background()
	for i := range flood {
		if _, err := a.imChannel(ctx, bot.UserID(fmt.Sprintf("U%07d", i))); err != nil {
			t.Fatal(err)
		}
		if n := a.ims.Len(); n > imsKept {
			t.Fatalf("%d DM channels kept after %d people, bound %d", n, i+1, imsKept)
		}
		if i%100 == 0 {
			if ch, err := a.imChannel(ctx, "UINES"); err != nil || ch != "DUINES" {
				t.Fatalf("the IC's DM channel: %q %v", ch, err)
			}
		}
	}
	if _, opens := stub.calls(); opens != flood+1 {
		t.Errorf("%d conversations.open calls, want %d: the IC's DM channel, remembered, was opened again", opens, flood+1)
	}
}

// TestPacerBounded: posts to 100,000 distinct channels, a hundred per
// pace, leave the pacer holding at most pacerSweep channels and those of
// the last pace; posts to one channel are still spaced a pace apart.
func TestPacerBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every = 10 * time.Millisecond
		p := newPacer(every)
		ctx := context.Background()
		for i := range flood {
			if err := p.wait(ctx, fmt.Sprintf("C%07d", i)); err != nil {
				t.Fatal(err)
			}
			if i%100 == 99 {
				time.Sleep(every)
			}
			p.mu.Lock()
			n := len(p.next)
			p.mu.Unlock()
			if n > pacerSweep+100 {
				t.Fatalf("the pacer holds %d channels after %d, bound %d", n, i+1, pacerSweep+100)
			}
		}
		start := time.Now()
		for range 3 {
			if err := p.wait(ctx, "CSET"); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := time.Since(start), 2*every; got != want {
			t.Errorf("three posts to one channel took %s on the bubble's clock, want %s", got, want)
		}
	})
}
