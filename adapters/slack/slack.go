// Package slack is icbot's Slack adapter. It receives slash commands,
// interactions (buttons) and events over signed HTTP requests or Socket
// Mode, hands each to the bot as a bot.Command, acknowledges Slack within
// its three seconds with the caller's answer, and does the rest afterwards
// through the Web API: posts, DMs, late replies through response_url, and
// the closed-set lock of a private scene channel.
//
// The Web API is reached through a narrow interface over slack-go's client
// (see api), with Slack's refusals translated into plain instructions for
// the IC or AD, rate limits waited out, and posts to one channel paced to
// about one a second. No slack-go type goes past this package.
package slack

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"icbot/adapters/internal/inflight"
	"icbot/adapters/internal/recent"
	"icbot/adapters/internal/sample"
	"icbot/bot"
)

// Handler runs commands, and hears of channels whose readers may have
// changed outside icbot; *bot.Bot is one.
type Handler interface {
	Handle(ctx context.Context, cmd bot.Command) *bot.Outcome
	FollowUp(ctx context.Context, o *bot.Outcome)
	ChannelChanged(ctx context.Context, ch bot.ChannelID)
}

// Config is what the adapter needs from icbot's configuration.
type Config struct {
	BotToken      string // xoxb-...
	SigningSecret string // verifies HTTP requests
	AppToken      string // xapp-..., for Socket Mode
	APIURL        string // Slack's API base URL; a fake one in tests
}

// Adapter is the Slack chat: it implements bot.Chat, bot.Locker,
// bot.Replier and bot.MemberLister, and serves Slack's requests.
type Adapter struct {
	cfg    Config
	client *slackapi.Client
	api    api
	log    *slog.Logger
	clock  func() time.Time
	http   *http.Client // for response_url
	// apiBase is the configured API URL, whose host response_urls may
	// also lead to; nil for Slack's own.
	apiBase *url.URL
	web     *http.Client // for the Web API; nil: one with apiTimeout
	pace    *pacer
	met     *metrics

	botUser atomic.Value // string: icbot's own user id, from auth.test
	ready   atomic.Bool

	// What the adapter remembers of what Slack told it, each map bounded
	// (see the bounds below): the DM channel of each person icbot wrote
	// to, display names, and how often each response_url was used.
	ims     *recent.Map[bot.UserID, string]
	names   *recent.Map[string, string]
	replies *recent.Map[[sha256.Size]byte, int] // by the response_url's SHA-256

	// inflight counts follow-ups still running after their acknowledgement.
	inflight inflight.Group
	// refusals thins out the log lines of refused, unsigned requests.
	refusals sample.Every
	retries  int
	// socketOpts are extra options of the Socket Mode client.
	socketOpts []socketmode.Option

	// The lifecycle: Socket Mode's run once opened, whether Open and
	// Close were called, and Socket Mode's fatal error after Open
	// returned.
	mu        sync.Mutex
	socket    *socketRun
	opened    bool
	closed    bool
	closeOnce sync.Once
	failed    chan error
}

var (
	_ bot.Chat         = (*Adapter)(nil)
	_ bot.Locker       = (*Adapter)(nil)
	_ bot.Replier      = (*Adapter)(nil)
	_ bot.MemberLister = (*Adapter)(nil)
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock used for reply-handle ages and event records.
func WithClock(c func() time.Time) Option { return func(a *Adapter) { a.clock = c } }

// WithRegisterer registers the adapter's Web API metrics.
func WithRegisterer(r prometheus.Registerer) Option {
	return func(a *Adapter) { a.met = newMetrics(r) }
}

// WithPace sets the least time between two posts to one channel (default
// one second, Slack's guidance).
func WithPace(d time.Duration) Option { return func(a *Adapter) { a.pace = newPacer(d) } }

// WithHTTPClient sets the HTTP client for every request to Slack: Web API
// calls and response_url posts. By default each has its own client with a
// timeout: 20 seconds for the Web API, 10 for response_url.
func WithHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.http, a.web = c, c } }

// Bounds of what the adapter remembers, so that no stream of requests,
// however many distinct people, channels or response_urls they name, makes
// it grow without end. What it forgets it asks Slack again, or, for a
// response_url's uses, lets Slack refuse (the reply then goes by DM).
const (
	// imsKept DM channels, the people written to longest ago forgotten
	// first; a DM channel does not change, so none expires.
	imsKept = 10_000
	// namesKept display names, each for nameLife, after which a person
	// who changed their display name shows under the new one.
	namesKept = 10_000
	nameLife  = time.Hour
	// repliesKept response_urls' use counts, each for replyLimit from its
	// first use: a response_url is refused by age after that anyway.
	repliesKept = 10_000
)

// apiTimeout ends a Web API call that Slack does not finish, so that a
// hung connection cannot hold a follow-up, or a graceful stop, forever.
const apiTimeout = 20 * time.Second

// WithSocketModeOptions adds options to the Socket Mode client, such as
// how long a connection may go without Slack's ping.
func WithSocketModeOptions(opts ...socketmode.Option) Option {
	return func(a *Adapter) { a.socketOpts = append(a.socketOpts, opts...) }
}

// WithAPIRetries sets how often one Web API call is retried after a 429,
// waiting Retry-After each time (default 3); beyond them the bot's
// delivery queue waits and tries again.
func WithAPIRetries(n int) Option { return func(a *Adapter) { a.retries = n } }

// New returns a Slack adapter.
func New(cfg Config, opts ...Option) *Adapter {
	a := &Adapter{
		cfg:      cfg,
		log:      slog.New(slog.DiscardHandler),
		clock:    time.Now,
		http:     &http.Client{Timeout: 10 * time.Second},
		pace:     newPacer(time.Second),
		refusals: sample.Every{Interval: time.Minute},
		retries:  3,
		failed:   make(chan error, 1),
	}
	for _, o := range opts {
		o(a)
	}
	a.ims = recent.New[bot.UserID, string](imsKept, 0, a.clock)
	a.names = recent.New[string, string](namesKept, nameLife, a.clock)
	a.replies = recent.New[[sha256.Size]byte, int](repliesKept, replyLimit, a.clock)
	if a.met == nil {
		a.met = newMetrics(nil)
	}
	if u, err := url.Parse(cfg.APIURL); cfg.APIURL != "" && err == nil && u.Host != "" {
		a.apiBase = u
	}
	// A response_url that redirects is followed only to where a
	// response_url may lead.
	replies := *a.http
	replies.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 || !a.replyAllowed(req.URL.String()) {
			return fmt.Errorf("slack: a response_url redirected to %s; not followed", req.URL.Host)
		}
		return nil
	}
	a.http = &replies
	a.log = a.log.With("component", "slack")
	retry := slackapi.DefaultRetryConfig()
	retry.MaxRetries = a.retries
	if a.web == nil {
		a.web = &http.Client{Timeout: apiTimeout}
	}
	// The client first: the retry option wraps whichever client is set.
	copts := []slackapi.Option{slackapi.OptionHTTPClient(a.web), slackapi.OptionRetryConfig(retry)}
	if cfg.APIURL != "" {
		copts = append(copts, slackapi.OptionAPIURL(strings.TrimSuffix(cfg.APIURL, "/")+"/"))
	}
	if cfg.AppToken != "" {
		copts = append(copts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	a.client = slackapi.New(cfg.BotToken, copts...)
	a.api = metered{api: a.client, m: a.met}
	a.botUser.Store("")
	return a
}

// Open makes the adapter ready: it checks the bot token with auth.test,
// learning icbot's own user id, and, when an app token is configured,
// connects over Socket Mode and hands every envelope to h (see
// runSocketMode). It returns once the first Socket Mode connection is
// made, with the error when Slack refuses the app token, or with ctx's
// error when ctx ends first (the adapter then keeps trying until Close).
// A connection lost later is made again in the background; should Slack
// refuse the app token then, Failed says so. Slack's HTTP requests are
// served by Routes, on whatever server the caller runs. Open may be
// called once.
func (a *Adapter) Open(ctx context.Context, h Handler) error {
	a.mu.Lock()
	if a.opened || a.closed {
		a.mu.Unlock()
		return fmt.Errorf("slack: Open was called after Close, or twice")
	}
	a.opened = true
	a.mu.Unlock()
	r, err := a.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack auth.test: %w", failure("auth.test", err))
	}
	a.botUser.Store(r.UserID)
	a.ready.Store(true)
	a.log.Info("connected", "team", r.Team, "bot_user", r.UserID)
	if a.cfg.AppToken == "" {
		return nil
	}
	return a.openSocket(ctx, h)
}

// Failed receives the error that stopped Socket Mode for good after Open
// returned (Slack refused the app token); nothing more arrives over
// Socket Mode then. Without Socket Mode it never receives.
func (a *Adapter) Failed() <-chan error { return a.failed }

// Close stops Socket Mode, and returns once every goroutine the adapter
// started has ended: Socket Mode's loop and the reader of its events,
// the envelopes being handled, and the follow-ups that requests started
// (those StopAfter bounds). It may be called more than once, and
// without Open.
func (a *Adapter) Close() error {
	a.closeOnce.Do(func() {
		a.mu.Lock()
		a.closed = true
		sock := a.socket
		a.mu.Unlock()
		if sock != nil {
			sock.stop()
			<-sock.done
		}
		a.inflight.Wait()
	})
	return nil
}

// Ready reports whether auth.test has passed.
func (a *Adapter) Ready() error {
	if !a.ready.Load() {
		return fmt.Errorf("slack: auth.test has not passed")
	}
	return nil
}

// Wait blocks until every follow-up started by a request has finished, for
// a graceful stop.
func (a *Adapter) Wait() { a.inflight.Wait() }

// StopAfter ends, once grace has passed, the follow-ups still running:
// what they had not sent stays queued for the next start. A stop calls it
// so that its wait for them is bounded; only the first call counts.
func (a *Adapter) StopAfter(grace time.Duration) { a.inflight.StopAfter(grace) }

func (a *Adapter) botUserID() string { return a.botUser.Load().(string) }

// pacer spaces posts to one channel.
type pacer struct {
	every time.Duration
	mu    sync.Mutex
	next  map[string]time.Time // channel -> its next free slot
}

// pacerSweep bounds the pacer's map: once it holds this many channels, a
// wait drops those whose next slot has passed, as they hold no post back.
// It then holds the channels posted to within the last pace, or fewer
// than pacerSweep.
const pacerSweep = 1024

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, next: map[string]time.Time{}}
}

// wait blocks until a post to ch may go, and books the next slot.
func (p *pacer) wait(ctx context.Context, ch string) error {
	p.mu.Lock()
	now := time.Now()
	if len(p.next) >= pacerSweep {
		for c, at := range p.next {
			if !at.After(now) {
				delete(p.next, c)
			}
		}
	}
	at := p.next[ch]
	if at.Before(now) {
		at = now
	}
	p.next[ch] = at.Add(p.every)
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Name lookups: users.info calls for the caller and the people a command
// mentions run nameLookups at a time, all within nameWait, so that a
// command naming many people, or a slow Slack, never delays the
// acknowledgement Slack wants within three seconds.
const (
	nameLookups = 4
	nameWait    = 800 * time.Millisecond
)

// displayNames returns the display names of users, from the cache or from
// users.info. A user whose lookup fails, or is not answered within
// nameWait, is missing from the result: the caller falls back as it would
// without a name.
func (a *Adapter) displayNames(ctx context.Context, users ...string) map[string]string {
	names := map[string]string{}
	var todo []string
	for _, u := range users {
		if n, ok := a.names.Get(u); ok {
			names[u] = n
		} else if u != "" && !slices.Contains(todo, u) {
			todo = append(todo, u)
		}
	}
	if len(todo) == 0 {
		return names
	}
	ctx, cancel := context.WithTimeout(ctx, nameWait)
	defer cancel()
	var mu sync.Mutex // guards names while lookups run
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(nameLookups, len(todo)) {
		wg.Go(func() {
			for u := range work {
				if n, ok := a.lookupName(ctx, u); ok {
					mu.Lock()
					names[u] = n
					mu.Unlock()
				}
			}
		})
	}
	go func() {
		defer close(work)
		for _, u := range todo {
			select {
			case work <- u:
			case <-ctx.Done():
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() != nil {
		missing := 0
		for _, u := range todo {
			if _, ok := names[u]; !ok {
				missing++
			}
		}
		a.log.Debug("users.info did not answer in time", "asked", len(todo), "missing", missing)
	}
	return maps.Clone(names)
}

// lookupName asks users.info for one user's display name and caches it.
func (a *Adapter) lookupName(ctx context.Context, user string) (string, bool) {
	u, err := a.api.GetUserInfoContext(ctx, user)
	if err != nil {
		a.log.Debug("users.info failed", "user", user, "err", err)
		return "", false
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.Name
	}
	a.names.Put(user, name)
	return name, true
}
