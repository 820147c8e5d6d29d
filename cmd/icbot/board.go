package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"

	"icbot/adapters/web"
	"icbot/bot"
	"icbot/config"
)

// The web board is served on the platform's listener (http.addr) under
// /board/, behind the same TLS proxy as /slack/ and /discord/, when
// http.public_url is set; the console serves it on the URL's loopback
// address, or, in a terminal, on a free loopback port when the URL is
// not set.

// boardOn reports whether http.public_url turns the board on.
func (m *Main) boardOn() bool { return m.Config.HTTP.PublicURL != "" }

// withBoard mounts the board, whose links start with public, beside the
// platform's routes (nil when the platform serves none over HTTP). The
// returned func ends the board's event streams: the server calls it when
// it shuts down, so that the shutdown does not wait for them.
func (m *Main) withBoard(b *bot.Bot, platform http.Handler, public string) (http.Handler, func()) {
	board := web.New(b, web.Options{Insecure: insecureBoard(public), Logger: m.Logger})
	mux := http.NewServeMux()
	mux.Handle("/board/", board)
	mux.Handle("/board", board)
	if platform != nil {
		mux.Handle("/", platform)
	}
	return mux, board.Close
}

// insecureBoard says whether the board's cookie may go without Secure:
// only for plain http on loopback, which configuration allows alone.
func insecureBoard(public string) bool {
	u, err := url.Parse(public)
	return err == nil && u.Scheme == "http" && config.LoopbackHost(u.Hostname())
}

// consoleBoard starts the console's board: on http.public_url's address
// when set, else, in a terminal, on a free port of 127.0.0.1. It returns
// the bot's option that makes the links, and starts serving with start
// once the bot exists; stop ends it. Without a board, opt is nil.
func (m *Main) consoleBoard() (opt bot.Option, start func(*bot.Bot), stop func(), err error) {
	public := m.Config.HTTP.PublicURL
	addr := "127.0.0.1:0"
	if public != "" {
		u, _ := url.Parse(public) // validated at load
		addr = u.Host
	} else if !m.Env.Interactive {
		return nil, func(*bot.Bot) {}, func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listening for the board on %s (http.public_url): %w", addr, err)
	}
	if public == "" {
		public = "http://" + ln.Addr().String()
	}
	lim := m.limits()
	var srv *http.Server
	start = func(b *bot.Bot) {
		h, closeBoard := m.withBoard(b, nil, public)
		srv = m.newServer("board", h, lim)
		srv.RegisterOnShutdown(closeBoard)
		go func() {
			if err := srv.Serve(limitListener(ln, lim.MaxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Error("serving the board", "component", "main", "err", err)
			}
		}()
		m.Logger.Info("listening", "component", "main", "listener", "board", "addr", ln.Addr().String())
		fmt.Fprintf(m.Env.Stdout, "The board is at %s/board/ on this machine: /icbot board gives you a link to it.\n", public)
	}
	stop = func() {
		if srv == nil {
			ln.Close()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), lim.Grace)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return bot.WithBoard(public), start, stop, nil
}

// platformEndpoint is http.addr's endpoint: the platform's routes, when
// it serves any over HTTP, and the board beside them when it is on; ok
// is false when there is neither.
func (m *Main) platformEndpoint(b *bot.Bot, platform http.Handler) (ep endpoint, ok bool) {
	ep = endpoint{key: "http.addr", addr: m.Config.HTTP.Addr, handler: platform}
	if m.boardOn() {
		ep.handler, ep.onShutdown = m.withBoard(b, platform, m.Config.HTTP.PublicURL)
	}
	return ep, ep.handler != nil
}
