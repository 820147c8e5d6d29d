// Package web serves icbot's board: server-rendered HTML pages of the
// week's scenes and of each scene, behind a one-time link sent by DM
// (/icbot board). The pages' data comes from the bot, built for the
// person behind the session through the need-to-know gate; this package
// only lays it out, with html/template, inline CSS and a few lines of
// inline script, all under a strict Content-Security-Policy and nothing
// loaded from anywhere else.
//
// Routes, all under /board/:
//
//	GET  /board/              the week page (?from=YYYY-MM-DD for another week)
//	GET  /board/scene/{id}    a scene's page
//	GET  /board/login?t=TOKEN a page with a button that signs in with the link
//	POST /board/login         spends the link's token, sets the cookie
//	POST /board/logout        ends the person's sessions (CSRF token)
//	GET  /board/events        server-sent events: "changed" at each change
//
// A request without a live session gets 401 and a page that says how to
// get a link.
package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"icbot/bot"
)

// Board is what the pages need of the bot; *bot.Bot is one.
type Board interface {
	BoardLogin(ctx context.Context, token string) (bot.BoardSession, error)
	BoardViewer(ctx context.Context, cookie string) (bot.BoardSession, error)
	BoardLogout(ctx context.Context, cookie, csrf string) error
	BoardWeek(ctx context.Context, cookie, from string) (bot.BoardWeek, error)
	BoardScene(ctx context.Context, cookie string, id bot.SceneID) (bot.BoardScene, error)
	BoardChanges() (uint64, <-chan struct{})
	Zone() *time.Location
}

var _ Board = (*bot.Bot)(nil)

// CookieName is the session cookie's name.
const CookieName = "icbot_board"

// Options configure the board's handler.
type Options struct {
	// Insecure leaves the cookie's Secure flag off. Only for the board
	// served over plain http on the loopback interface (the console):
	// everywhere else the board is behind TLS and the cookie Secure.
	Insecure bool
	// Logger logs sign-ins' outcomes and failures, never a token.
	Logger *slog.Logger
	// Settle is how long the events stream waits after a change for
	// more before it tells the page (changes come in bursts: a command,
	// then its deliveries); 250ms when zero.
	Settle time.Duration
	// Heartbeat is how often the events stream sends a comment, so that
	// proxies keep it open; 25s when zero.
	Heartbeat time.Duration
}

// Handler serves the board. Close ends its open event streams, so that
// a server's shutdown does not wait for them.
type Handler struct {
	board  Board
	opt    Options
	log    *slog.Logger
	pages  *template.Template
	mux    *http.ServeMux
	closed chan struct{}
}

//go:embed templates/*.tmpl templates/style.css
var files embed.FS

// New returns the board's handler over b.
func New(b Board, opt Options) *Handler {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Settle <= 0 {
		opt.Settle = 250 * time.Millisecond
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = 25 * time.Second
	}
	h := &Handler{board: b, opt: opt, log: opt.Logger.With("component", "web"), closed: make(chan struct{})}
	h.pages = template.Must(template.New("").Funcs(funcs(b.Zone())).ParseFS(files, "templates/*.tmpl"))
	css, err := files.ReadFile("templates/style.css")
	if err != nil {
		panic(err) // embedded above
	}
	h.pages = template.Must(h.pages.New("css").Parse(string(css)))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /board/{$}", h.week)
	mux.HandleFunc("GET /board/scene/{id}", h.scene)
	mux.HandleFunc("GET /board/login", h.loginPage)
	mux.HandleFunc("POST /board/login", h.login)
	mux.HandleFunc("POST /board/logout", h.logout)
	mux.HandleFunc("GET /board/events", h.events)
	mux.HandleFunc("GET /board", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/board/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/board/", func(w http.ResponseWriter, r *http.Request) {
		h.message(w, r, http.StatusNotFound, "Not found", "There is no such page on the board.", true)
	})
	h.mux = mux
	return h
}

// Close ends the open event streams; pages reconnect to the next server.
func (h *Handler) Close() {
	select {
	case <-h.closed:
	default:
		close(h.closed)
	}
}

// ServeHTTP sets the security headers of every answer, then routes.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	nonce := newNonce()
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; script-src 'nonce-"+nonce+"'; "+
		"img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
	h.mux.ServeHTTP(w, r)
}

type nonceKey struct{}

func newNonce() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func nonceOf(r *http.Request) string { s, _ := r.Context().Value(nonceKey{}).(string); return s }

// page is what every template gets.
type page struct {
	Nonce  string
	Title  string
	Live   bool // the page listens for changes
	Head   *bot.BoardHead
	Week   *bot.BoardWeek
	Scene  *bot.BoardScene
	Line   *timeline
	Msg    *message
	Token  string // the login page's link token
	Signed bool   // a session is open (the sign-out button)
}

type message struct {
	Heading, Text string
	// HowTo adds how to get a link.
	HowTo bool
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Nonce = nonceOf(r)
	var buf strings.Builder
	if err := h.pages.ExecuteTemplate(&buf, name, p); err != nil {
		h.log.Error("rendering a board page", "page", name, "err", err)
		http.Error(w, "The page could not be made; the error has been logged.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, heading, text string, howTo bool) {
	h.render(w, r, status, "message", page{Title: heading, Msg: &message{Heading: heading, Text: text, HowTo: howTo}})
}

func cookieOf(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return ""
	}
	return c.Value
}

// fail answers a bot error: 401 without a session, 404 for a scene the
// reader may not see or that does not exist, 400 for bad input.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, bot.ErrBoardSignedOut):
		h.message(w, r, http.StatusUnauthorized, "Sign in to the board", bot.ErrorMessage(err), true)
	case bot.ErrorCode(err) == bot.ENOTFOUND:
		h.message(w, r, http.StatusNotFound, "Not found", bot.ErrorMessage(err), false)
	case bot.ErrorCode(err) == bot.EINVALID:
		h.message(w, r, http.StatusBadRequest, "Not understood", bot.ErrorMessage(err), false)
	default:
		h.log.Error("board page failed", "path", r.URL.Path, "err", err)
		h.message(w, r, http.StatusInternalServerError, "Something went wrong", bot.ErrorMessage(err), false)
	}
}

func (h *Handler) week(w http.ResponseWriter, r *http.Request) {
	wk, err := h.board.BoardWeek(r.Context(), cookieOf(r), r.URL.Query().Get("from"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "week", page{Title: "Week of " + wk.From, Live: true, Head: &wk.BoardHead, Week: &wk,
		Line: newTimeline(wk.Deadlines, wk.Start, wk.End, wk.MadeAt, h.board.Zone()), Signed: true})
}

func (h *Handler) scene(w http.ResponseWriter, r *http.Request) {
	sc, err := h.board.BoardScene(r.Context(), cookieOf(r), bot.SceneID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "scene", page{Title: fmt.Sprintf("Scene %s", sc.Record.ID), Live: true, Head: &sc.BoardHead, Scene: &sc, Signed: true})
}

// loginPage answers the link. It does not sign in: a GET may come from
// a mail or chat scanner that fetches every link to check it, and would
// spend the token before its person clicks. The page's button posts the
// token back instead, which such a scanner does not do.
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	if tok == "" {
		h.message(w, r, http.StatusBadRequest, "Sign in to the board", "This address needs the link icbot sent you.", true)
		return
	}
	h.render(w, r, http.StatusOK, "login", page{Title: "Sign in to the board", Token: tok})
}

// sameOrigin refuses a POST that a page of another site made: the
// browser says where a request comes from (Sec-Fetch-Site, Origin). The
// login's POST carries the link's token itself, which only its person
// holds, so no other site can sign anyone in with a token of its own
// choosing unseen; the check below closes that too (login CSRF).
// Sign-out carries the session's CSRF token besides.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	case "same-origin":
		// Set by the browser, which no page can forge. With the board's
		// no-referrer policy a browser sends Origin: null on its own
		// forms' posts, so the header below cannot decide.
		return true
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return o == "" // a browser that sends neither: the tokens decide
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !sameOrigin(r) {
		h.message(w, r, http.StatusForbidden, "Not signed in", "This sign-in did not come from icbot's own page.", true)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.message(w, r, http.StatusBadRequest, "Not signed in", "The sign-in form could not be read.", true)
		return
	}
	s, err := h.board.BoardLogin(r.Context(), r.PostForm.Get("t"))
	if err != nil {
		if bot.ErrorCode(err) == bot.EINTERNAL {
			h.fail(w, r, err)
			return
		}
		h.message(w, r, http.StatusForbidden, "Not signed in", bot.ErrorMessage(err), false)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.Token, Path: "/board",
		MaxAge: int(bot.BoardSessionTTL / time.Second), HttpOnly: true, Secure: !h.opt.Insecure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, "/board/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if !sameOrigin(r) {
		h.message(w, r, http.StatusForbidden, "Not signed out", "This sign-out did not come from the board's own page; nothing was changed.", false)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.message(w, r, http.StatusBadRequest, "Not signed out", "The form could not be read; nothing was changed.", false)
		return
	}
	if err := h.board.BoardLogout(r.Context(), cookieOf(r), r.PostForm.Get("csrf")); err != nil {
		if errors.Is(err, bot.ErrBoardSignedOut) {
			h.fail(w, r, err)
			return
		}
		h.message(w, r, http.StatusForbidden, "Not signed out", bot.ErrorMessage(err), false)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/board", MaxAge: -1, HttpOnly: true, Secure: !h.opt.Insecure, SameSite: http.SameSiteStrictMode})
	h.message(w, r, http.StatusOK, "Signed out", "Every board session of yours has ended, in every browser.", true)
}

// events streams a "changed" event after each change icbot commits, and
// "signedout" when the session ends; the page reloads on either. The
// server's read and write timeouts would cut the stream: it lifts the
// read deadline, and each write first moves the write deadline on
// (http.ResponseController).
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cookie := cookieOf(r)
	if _, err := h.board.BoardViewer(ctx, cookie); err != nil {
		h.fail(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	// The request was read in full: no read deadline may take the
	// quiet stream for a dead connection. The stream's writes have
	// their own deadlines, which find a client gone.
	_ = rc.SetReadDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	seen, changed := h.board.BoardChanges()
	send := func(s string) bool {
		// Each write gets its own deadline, past which a reader that
		// stopped reading is let go.
		_ = rc.SetWriteDeadline(time.Now().Add(h.opt.Heartbeat + 10*time.Second))
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(fmt.Sprintf("retry: 2000\nevent: hello\ndata: %d\n\n", seen)) {
		return
	}
	beat := time.NewTicker(h.opt.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.closed:
			return
		case <-beat.C:
			if !send(": ping\n\n") {
				return
			}
		case <-changed:
			settle := time.NewTimer(h.opt.Settle)
			select {
			case <-ctx.Done():
				settle.Stop()
				return
			case <-settle.C:
			}
			seen, changed = h.board.BoardChanges()
			if _, err := h.board.BoardViewer(ctx, cookie); err != nil {
				send("event: signedout\ndata: \n\n")
				return
			}
			if !send(fmt.Sprintf("event: changed\ndata: %d\n\n", seen)) {
				return
			}
		}
	}
}
