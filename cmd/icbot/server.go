package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
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

// opsRoutes adds the health, readiness and metrics endpoints.
func (m *Main) opsRoutes(mux *http.ServeMux, reg *prometheus.Registry, ready func() error) {
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
}

// runDiscord serves Discord: the gateway (interactions arrive over it) and,
// when a public key is set, the HTTP interactions endpoint, with /healthz,
// /readyz and /metrics on http.addr, until ctx is done.
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
	if err := ad.Start(ctx); err != nil {
		return err
	}
	if _, err := m.production(ctx); err != nil {
		return err
	}
	stopBackground, err := m.startBackground(ctx, b)
	if err != nil {
		return err
	}
	defer stopBackground()
	if err := ad.Open(b); err != nil {
		return err
	}
	defer ad.Close()
	mux := http.NewServeMux()
	if pub != nil {
		mux.Handle("/discord/", ad.Routes(b))
	}
	m.opsRoutes(mux, reg, ad.Ready)
	return m.serve(ctx, mux, nil)
}

// serve runs the HTTP listener on http.addr (and run, when given, beside
// it) until ctx is done or either fails; then it stops accepting and lets
// requests in flight finish.
func (m *Main) serve(ctx context.Context, mux *http.ServeMux, run func(context.Context) error) error {
	ln, err := net.Listen("tcp", m.Config.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listening on http.addr %s: %w", m.Config.HTTP.Addr, err)
	}
	m.Logger.Info("listening", "component", "main", "addr", ln.Addr().String())
	if m.Listening != nil {
		m.Listening(ln.Addr().String())
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	if run != nil {
		go func() {
			if err := run(runCtx); err != nil {
				errc <- err
			}
		}()
	}
	select {
	case <-ctx.Done():
		err = nil
	case err = <-errc:
	}
	m.Logger.Info("stopping: finishing requests in flight", "component", "main")
	stopRun()
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if serr := srv.Shutdown(grace); serr != nil {
		m.Logger.Warn("requests still running at shutdown", "component", "main", "err", serr)
	}
	return err
}

// shutdownGrace is how long a stop waits for requests in flight.
const shutdownGrace = 15 * time.Second

// runSlack serves Slack over HTTP (when a signing secret is set) and Socket
// Mode (when an app token is set), with /healthz, /readyz and /metrics on
// the same listener, until ctx is done; then it stops accepting, lets
// requests and follow-ups in flight finish, and returns.
func (m *Main) runSlack(ctx context.Context) error {
	reg, met := newRegistry()
	cfg := m.Config.Slack
	ad := slack.New(slack.Config{
		BotToken: cfg.BotToken.Reveal(), SigningSecret: cfg.SigningSecret.Reveal(),
		AppToken: cfg.AppToken.Reveal(), APIURL: cfg.APIURL,
	}, slack.WithLogger(m.Logger), slack.WithRegisterer(reg))
	b := bot.New(m.store, ad, m.botOptions(m.admins(), bot.ChannelID(cfg.SetChannel), bot.WithObserver(met.observe))...)
	if err := ad.Start(ctx); err != nil {
		return err
	}
	if _, err := m.production(ctx); err != nil {
		return err
	}
	stopBackground, err := m.startBackground(ctx, b)
	if err != nil {
		return err
	}
	defer stopBackground()

	mux := http.NewServeMux()
	if cfg.SigningSecret != "" {
		mux.Handle("/slack/", ad.Routes(b))
	}
	m.opsRoutes(mux, reg, ad.Ready)
	var socket func(context.Context) error
	if cfg.AppToken != "" {
		socket = func(ctx context.Context) error { return ad.RunSocketMode(ctx, b) }
	}
	err = m.serve(ctx, mux, socket)
	ad.Wait()
	return err
}
