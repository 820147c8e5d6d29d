package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"icbot/adapters/discord"
	"icbot/adapters/slack"
	"icbot/bot"
)

// commandMetrics counts handled commands and times them.
type commandMetrics struct {
	total   *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newRegistry() (*prometheus.Registry, *commandMetrics) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &commandMetrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icbot_commands_total", Help: "Commands handled, by command and outcome (ok or an error code).",
		}, []string{"command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "icbot_command_duration_seconds", Help: "Time to handle a command, up to the caller's answer.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
	}
	reg.MustRegister(m.total, m.latency)
	return reg, m
}

func (m *commandMetrics) observe(command, outcome string, took time.Duration) {
	if command == "" {
		command = "unparsed"
	}
	m.total.WithLabelValues(command, outcome).Inc()
	m.latency.WithLabelValues(command).Observe(took.Seconds())
}

// adminEndpoint serves the health, readiness and metrics endpoints on
// http.admin_addr, away from the platform's requests.
func (m *Main) adminEndpoint(reg *prometheus.Registry, ready func() error) endpoint {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		err := m.store.View(r.Context(), func(bot.Tx) error { return nil })
		if err == nil {
			err = ready()
		}
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return endpoint{key: "http.admin_addr", addr: m.Config.HTTP.AdminAddr, handler: mux}
}

// runDiscord serves Discord: the gateway (interactions arrive over it) and,
// when a public key is set, the HTTP interactions endpoint on http.addr,
// with /healthz, /readyz and /metrics on http.admin_addr, until ctx is done.
func (m *Main) runDiscord(ctx context.Context) error {
	reg, met := newRegistry()
	cfg := m.Config.Discord
	var pub ed25519.PublicKey
	if cfg.PublicKey != "" {
		k, err := hex.DecodeString(cfg.PublicKey) // validated at load
		if err != nil {
			return fmt.Errorf("discord.public_key: %w", err)
		}
		pub = k
	}
	ad, err := discord.New(discord.Config{
		Token: cfg.Token.Reveal(), ApplicationID: cfg.ApplicationID, GuildID: cfg.GuildID, PublicKey: pub, APIURL: cfg.APIURL,
	}, append([]discord.Option{discord.WithLogger(m.Logger)}, m.discordOptions...)...)
	if err != nil {
		return err
	}
	b := bot.New(m.store, ad, m.botOptions(m.admins(), bot.ChannelID(cfg.SetChannel), bot.WithObserver(met.observe))...)
	stop, err := m.openPlatform(ctx, ad, func(ctx context.Context) error { return ad.Open(ctx, b) }, b)
	if err != nil {
		return err
	}
	defer stop()
	var eps []endpoint
	var routes http.Handler
	if pub != nil {
		routes = ad.Routes(b)
	}
	if ep, ok := m.platformEndpoint(b, routes); ok {
		eps = append(eps, ep)
	}
	return m.serve(ctx, append(eps, m.adminEndpoint(reg, ad.Ready)), nil)
}

// boundFollowUps gives the follow-ups still running at a stop (notices,
// locks, late replies) the grace period from the moment the stop begins;
// then they are ended, and what they had not sent stays queued for the
// next start. The returned func bounds them too when serving ends for
// another reason.
func (m *Main) boundFollowUps(ctx context.Context, ad interface{ StopAfter(time.Duration) }) func() {
	grace := m.limits().Grace
	done := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(done)
		ad.StopAfter(grace)
	})
	return func() {
		if !stop() {
			<-done // the stop began first: it is over before icbot is
		}
		ad.StopAfter(grace)
	}
}

// endpoint is one HTTP listener: the config key of its address, the
// address, and what it serves.
type endpoint struct {
	key, addr string
	handler   http.Handler
	// onShutdown, when set, runs as the server starts shutting down: it
	// ends the board's event streams, which would hold the stop until
	// the grace period ran out.
	onShutdown func()
}

// serve runs an HTTP server for each endpoint (and run, when given, beside
// them) until ctx is done or one fails (or run does); then it ends run's
// context and waits for run, stops accepting, lets requests in flight
// finish for up to the grace period, and returns.
func (m *Main) serve(ctx context.Context, eps []endpoint, run func(context.Context) error) error {
	lns := make([]net.Listener, 0, len(eps))
	for _, ep := range eps {
		ln, err := net.Listen("tcp", ep.addr)
		if err != nil {
			for _, ln := range lns {
				ln.Close()
			}
			return fmt.Errorf("listening on %s %s: %w", ep.key, ep.addr, err)
		}
		lns = append(lns, ln)
	}
	lim := m.limits()
	servers := make([]*http.Server, len(eps))
	addrs := make(map[string]string, len(eps))
	errc := make(chan error, len(eps)+1)
	for i, ep := range eps {
		srv, ln := m.newServer(ep.key, ep.handler, lim), limitListener(lns[i], lim.MaxConns)
		if ep.onShutdown != nil {
			srv.RegisterOnShutdown(ep.onShutdown)
		}
		servers[i], addrs[ep.key] = srv, ln.Addr().String()
		m.Logger.Info("listening", "component", "main", "listener", ep.key, "addr", addrs[ep.key])
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("serving %s: %w", ep.key, err)
			}
		}()
	}
	if m.Env.Listening != nil {
		m.Env.Listening(addrs)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		if run == nil {
			return
		}
		if err := run(runCtx); err != nil {
			errc <- err
		}
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	m.Logger.Info("stopping: finishing requests in flight", "component", "main")
	stopRun()
	<-ran
	grace, cancel := context.WithTimeout(context.Background(), lim.Grace)
	defer cancel()
	var wg sync.WaitGroup
	for i, srv := range servers {
		wg.Go(func() {
			if serr := srv.Shutdown(grace); serr != nil {
				m.Logger.Warn("requests still running at shutdown", "component", "main", "listener", eps[i].key, "err", serr)
			}
		})
	}
	wg.Wait()
	return err
}

// Limits bound what one client may hold of icbot's HTTP servers, and how
// long a stop waits for requests in flight.
type Limits struct {
	// ReadHeader is how long a client has to send a request's headers.
	ReadHeader time.Duration
	// Read is how long it has to send the whole request, body included;
	// a stalled body is cut then.
	Read time.Duration
	// Write is how long a request may take, from the end of its headers,
	// until its answer is written.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next
	// request.
	Idle time.Duration
	// MaxHeaderBytes caps a request's headers; more gets 431.
	MaxHeaderBytes int
	// Grace is how long a stop waits for requests in flight.
	Grace time.Duration
	// MaxConns caps the connections a listener holds open at once; more
	// wait to be accepted until one closes, so that a flood of clients
	// cannot take every file the process may open.
	MaxConns int
}

// DefaultLimits returns the limits of every HTTP server icbot starts.
// Slack and Discord give up on an answer after 3 seconds, so a request
// still arriving after Read can no longer be answered in time. Write
// leaves room for the slowest body, the platforms' 3 seconds (Discord's
// answer is deferred after 2) and the write; work that takes longer runs
// after the answer and writes nothing on the connection. Idle is longer
// than the idle timeouts of common reverse proxies (60 to 120 s), so that
// the proxy, not icbot, closes a kept-alive connection and never sends a
// request on one icbot is closing. The platforms' headers are well under
// 2 KiB; 16 KiB leaves room for what a proxy adds. A stop waits for a
// stalled request no longer than Read, and for a slow reader no longer
// than Write.
func DefaultLimits() Limits {
	return Limits{
		ReadHeader:     3 * time.Second,
		Read:           5 * time.Second,
		Write:          10 * time.Second,
		Idle:           3 * time.Minute,
		MaxHeaderBytes: 16 << 10,
		Grace:          15 * time.Second,
		MaxConns:       2048,
	}
}

func (m *Main) limits() Limits {
	if m.Env.Limits != nil {
		return *m.Env.Limits
	}
	return DefaultLimits()
}

// limitListener holds at most n connections of ln open at once (no limit
// when n is not positive): Accept waits while n are open.
func limitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limited{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limited struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limited) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
}

func (l *limited) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// slotConn frees its listener's slot when closed, once.
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *slotConn) Close() error {
	c.once.Do(c.free)
	return c.Conn.Close()
}

// newServer is an HTTP server for the listener named by key (its config
// key), with lim applied, logging through the main logger.
func (m *Main) newServer(key string, h http.Handler, lim Limits) *http.Server {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.ReadHeader,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(m.Logger.With("component", "http", "listener", key).Handler(), slog.LevelWarn),
	}
	if hook := m.Env.ConnState; hook != nil {
		srv.ConnState = func(c net.Conn, s http.ConnState) { hook(key, c, s) }
	}
	return srv
}

// runSlack serves Slack over HTTP on http.addr (when a signing secret is
// set) and Socket Mode (when an app token is set), with /healthz, /readyz
// and /metrics on http.admin_addr, until ctx is done or Slack refuses the
// app token; then it stops accepting, lets requests and follow-ups in
// flight finish, and returns.
func (m *Main) runSlack(ctx context.Context) error {
	reg, met := newRegistry()
	cfg := m.Config.Slack
	ad := slack.New(slack.Config{
		BotToken: cfg.BotToken.Reveal(), SigningSecret: cfg.SigningSecret.Reveal(),
		AppToken: cfg.AppToken.Reveal(), APIURL: cfg.APIURL,
	}, append([]slack.Option{slack.WithLogger(m.Logger), slack.WithRegisterer(reg)}, m.Env.SlackOptions...)...)
	b := bot.New(m.store, ad, m.botOptions(m.admins(), bot.ChannelID(cfg.SetChannel), bot.WithObserver(met.observe))...)
	stop, err := m.openPlatform(ctx, ad, func(ctx context.Context) error { return ad.Open(ctx, b) }, b)
	if err != nil {
		return err
	}
	defer stop()
	var eps []endpoint
	var routes http.Handler
	if cfg.SigningSecret != "" {
		routes = ad.Routes(b)
	}
	if ep, ok := m.platformEndpoint(b, routes); ok {
		eps = append(eps, ep)
	}
	failed := func(ctx context.Context) error {
		select {
		case err := <-ad.Failed():
			return err
		case <-ctx.Done():
			return nil
		}
	}
	return m.serve(ctx, append(eps, m.adminEndpoint(reg, ad.Ready)), failed)
}

// closer is the end of a platform adapter's lifecycle, which the Slack
// and Discord adapters share: Close stops receiving and waits for all
// the adapter started; StopAfter bounds the follow-ups still running.
type closer interface {
	Close() error
	StopAfter(grace time.Duration)
}

// openPlatform brings a platform's adapter up with the bot: the
// production's settings, then the adapter opened by openAdapter (its
// token checked, so that the bot knows its own user before it touches a
// channel, and receiving started), then the bot's background work. stop
// undoes it all in the reverse order: the adapter's follow-ups get the
// grace period (see boundFollowUps), the adapter closes, waiting for
// everything it started, and the bot's background work stops last.
func (m *Main) openPlatform(ctx context.Context, ad closer, openAdapter func(context.Context) error, b *bot.Bot) (stop func(), err error) {
	if _, err := m.production(ctx); err != nil {
		return nil, err
	}
	if err := openAdapter(ctx); err != nil {
		ad.Close()
		return nil, err
	}
	bounded := m.boundFollowUps(ctx, ad)
	stopBackground, err := m.startBackground(ctx, b)
	if err != nil {
		bounded()
		ad.Close()
		return nil, err
	}
	return func() {
		bounded()
		ad.Close()
		stopBackground()
	}, nil
}
