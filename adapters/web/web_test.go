package web_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/adapters/web"
)

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func token(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

// noRedirect is a client that shows redirects instead of following them.
func noRedirect(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}

func TestLoginThroughLink(t *testing.T) {
	r := newRig(t)
	link := r.Link(t, "ines")
	if !strings.HasPrefix(link, r.URL+"/board/login?t=") || len(token(t, link)) != 43 {
		t.Fatalf("link %q", link)
	}
	c := noRedirect(r.NewClient(t))
	// The GET shows a button and spends nothing, so a link scanner that
	// fetches it does no harm.
	for range 2 {
		resp, body := get(t, c, link)
		if resp.StatusCode != 200 || len(resp.Cookies()) > 0 || !strings.Contains(body, `<form class="login" method="post" action="/board/login">`) ||
			!strings.Contains(body, `value="`+token(t, link)+`"`) {
			t.Fatalf("login page: %s, cookies %v\n%s", resp.Status, resp.Cookies(), body)
		}
	}
	resp, err := c.PostForm(r.URL+"/board/login", url.Values{"t": {token(t, link)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/board/" {
		t.Fatalf("POST: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	cookies := resp.Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies %v", cookies)
	}
	ck := cookies[0]
	if ck.Name != web.CookieName || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/board" || ck.MaxAge != 12*3600 || len(ck.Value) != 43 {
		t.Errorf("cookie %+v", ck)
	}
	resp, body := get(t, c, r.URL+"/board/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Scene 12: Lake house") || !strings.Contains(body, "signed in as @ines") {
		t.Errorf("week after login: %s\n%s", resp.Status, body)
	}
}

// TestCookieSecure: behind TLS, the default, the cookie is Secure.
func TestCookieSecure(t *testing.T) {
	r := newRig(t)
	h := web.New(r.Bot, web.Options{})
	req := httptest.NewRequest("POST", "/board/login", strings.NewReader(url.Values{"t": {token(t, r.Link(t, "adam"))}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	cookies := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || len(cookies) != 1 || !cookies[0].Secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("%d, cookies %+v", w.Code, cookies)
	}
}

func login(t *testing.T, r *rig, c *http.Client, tok string) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(r.URL+"/board/login", url.Values{"t": {tok}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestLinkRefused(t *testing.T) {
	r := newRig(t)
	t.Run("reused", func(t *testing.T) {
		tok := token(t, r.Link(t, "adam"))
		if resp, _ := login(t, r, noRedirect(r.NewClient(t)), tok); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first use: %s", resp.Status)
		}
		resp, body := login(t, r, noRedirect(r.NewClient(t)), tok)
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) > 0 || !strings.Contains(body, "already been used") {
			t.Errorf("second use: %s %v\n%s", resp.Status, resp.Cookies(), body)
		}
	})
	t.Run("expired", func(t *testing.T) {
		tok := token(t, r.Link(t, "adam"))
		r.Advance(10 * time.Minute)
		resp, body := login(t, r, noRedirect(r.NewClient(t)), tok)
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) > 0 || !strings.Contains(body, "expired") {
			t.Errorf("after 10 minutes: %s\n%s", resp.Status, body)
		}
	})
	t.Run("made up", func(t *testing.T) {
		resp, _ := login(t, r, noRedirect(r.NewClient(t)), strings.Repeat("A", 43))
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) > 0 {
			t.Errorf("%s", resp.Status)
		}
	})
	t.Run("from another site", func(t *testing.T) {
		tok := token(t, r.Link(t, "adam"))
		req, _ := http.NewRequest("POST", r.URL+"/board/login", strings.NewReader(url.Values{"t": {tok}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://elsewhere.example")
		resp, err := noRedirect(r.NewClient(t)).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) > 0 {
			t.Errorf("%s", resp.Status)
		}
	})
}

// TestLoginFromTheBoardsOwnPage: a browser posting the board's own form
// under its no-referrer policy sends Origin: null with Sec-Fetch-Site:
// same-origin, and is signed in; Origin: null alone, or a fetch marked
// cross-site or same-site, is refused.
func TestLoginFromTheBoardsOwnPage(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		name, origin, site string
		ok                 bool
	}{
		{"the board's own form", "null", "same-origin", true},
		{"null with nothing else", "null", "", false},
		{"another site", "null", "cross-site", false},
		{"a sibling subdomain", "null", "same-site", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tok := token(t, r.Link(t, "adam"))
			req, _ := http.NewRequest("POST", r.URL+"/board/login", strings.NewReader(url.Values{"t": {tok}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", c.origin)
			if c.site != "" {
				req.Header.Set("Sec-Fetch-Site", c.site)
			}
			resp, err := noRedirect(r.NewClient(t)).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode == http.StatusSeeOther && len(resp.Cookies()) == 1; got != c.ok {
				t.Errorf("signed in: %v, want %v (%s)", got, c.ok, resp.Status)
			}
		})
	}
}

// TestNoPageWithoutSession: every page answers 401 without a session,
// with a page that says how to get a link, and so does a made-up cookie.
func TestNoPageWithoutSession(t *testing.T) {
	r := newRig(t)
	made := r.NewClient(t)
	u, _ := url.Parse(r.URL + "/board/")
	made.Jar.SetCookies(u, []*http.Cookie{{Name: web.CookieName, Value: strings.Repeat("B", 43), Path: "/board"}})
	for _, c := range []*http.Client{r.NewClient(t), made} {
		for _, p := range []string{"/board/", "/board/?from=2026-11-30", "/board/scene/12", "/board/scene/99", "/board/events"} {
			resp, body := get(t, c, r.URL+p)
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "/icbot board") || strings.Contains(body, "Lake house") {
				t.Errorf("%s: %s\n%s", p, resp.Status, body)
			}
		}
	}
}

var nonceRE = regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`)

func TestHeaders(t *testing.T) {
	r := newRig(t)
	c := r.Client(t, "ines")
	for _, p := range []string{"/board/", "/board/scene/12", "/board/login?t=x", "/board/nowhere"} {
		resp, body := get(t, c, r.URL+p)
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "connect-src 'self'", "img-src 'self' data:"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "*") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		for k, v := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", p, k, got, v)
			}
		}
		m := nonceRE.FindStringSubmatch(csp)
		if m == nil || !strings.Contains(body, `<style nonce="`+m[1]+`">`) {
			t.Errorf("%s: the style's nonce is not the CSP's", p)
		}
		if strings.Contains(body, "<script") && !strings.Contains(body, `<script nonce="`+m[1]+`">`) {
			t.Errorf("%s: the script's nonce is not the CSP's", p)
		}
		if strings.Contains(body, ` style="`) || strings.Contains(body, "://") && !strings.Contains(p, "login") && strings.Contains(body, `src="http`) {
			t.Errorf("%s: an inline style attribute or an outside asset", p)
		}
	}
	_, a := get(t, c, r.URL+"/board/")
	_, b := get(t, c, r.URL+"/board/")
	if nonceRE.FindString(a) == nonceRE.FindString(b) && nonceRE.FindString(a) != "" {
		t.Error("the nonce is the same on two answers")
	}
}

// TestEveryPageForEveryRole builds every page for every person with a
// role: each renders, a performer gets 404 for the other performers'
// scenes, and no canary reaches anyone outside its audience in the
// HTML, while each reaches the last of its audience.
func TestEveryPageForEveryRole(t *testing.T) {
	r := newRig(t)
	reached := map[string][]string{}
	for _, who := range r.People {
		c := r.Client(t, who)
		var pages []string
		resp, body := get(t, c, r.URL+"/board/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Made <time") {
			t.Fatalf("%s week: %s\n%s", who, resp.Status, body)
		}
		pages = append(pages, body)
		for _, id := range r.Scenes {
			resp, body := get(t, c, r.URL+"/board/scene/"+id)
			own := who != "paula" && who != "pete" || who == "paula" && (id == "12" || id == "15") || who == "pete" && (id == "14" || id == "16")
			switch {
			case own && resp.StatusCode != 200:
				t.Errorf("%s scene %s: %s\n%s", who, id, resp.Status, body)
			case !own && (resp.StatusCode != 404 || strings.Contains(body, "Scene "+id+":")):
				t.Errorf("%s reads another performer's scene %s: %s", who, id, resp.Status)
			}
			pages = append(pages, body)
		}
		all := strings.Join(pages, "\n")
		for canary, audience := range r.Canaries {
			if strings.Contains(all, canary) {
				reached[canary] = append(reached[canary], who)
				if !slices.Contains(audience, who) {
					t.Errorf("%s reached %s on the board", canary, who)
				}
			}
		}
	}
	for canary, audience := range r.Canaries {
		if !slices.Contains(reached[canary], audience[len(audience)-1]) {
			t.Errorf("%s never reached %s: the test does not exercise it", canary, audience[len(audience)-1])
		}
	}
}

func TestSessionRevokedOnRoleRemoval(t *testing.T) {
	r := newRig(t)
	adam := r.Client(t, "adam")
	ines := r.Client(t, "ines")
	if resp, _ := get(t, adam, r.URL+"/board/"); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	r.Do(t, "root", "/icbot role remove @adam ad")
	if resp, body := get(t, adam, r.URL+"/board/"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after the role was taken away: %s\n%s", resp.Status, body)
	}
	if resp, _ := get(t, ines, r.URL+"/board/"); resp.StatusCode != 200 {
		t.Errorf("ines's session ended too: %s", resp.Status)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestLogout(t *testing.T) {
	r := newRig(t)
	c := r.Client(t, "priya")
	other := r.Client(t, "priya")
	_, body := get(t, c, r.URL+"/board/")
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no sign-out form:\n%s", body)
	}
	post := func(csrf, origin string) int {
		req, _ := http.NewRequest("POST", r.URL+"/board/logout", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("", ""); got != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d", got)
	}
	if got := post(m[1], "https://elsewhere.example"); got != http.StatusForbidden {
		t.Errorf("from another site: %d", got)
	}
	if resp, _ := get(t, c, r.URL+"/board/"); resp.StatusCode != 200 {
		t.Fatalf("a refused sign-out ended the session: %s", resp.Status)
	}
	if got := post(m[1], r.URL); got != 200 {
		t.Errorf("sign-out: %d", got)
	}
	for _, cl := range []*http.Client{c, other} {
		if resp, _ := get(t, cl, r.URL+"/board/"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("after sign-out: %s", resp.Status)
		}
	}
}

// events opens the events stream and returns a reader of its events'
// names.
func events(t *testing.T, r *rig, c *http.Client) (next func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", r.URL+"/board/events", nil)
	cc := *c
	cc.Timeout = 0
	resp, err := cc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	return func() string {
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				return name
			}
		}
		return "(end: " + ctx.Err().Error() + ")"
	}
}

func TestEventsAfterChange(t *testing.T) {
	r := newRig(t)
	c := r.Client(t, "adam")
	next := events(t, r, c)
	if got := next(); got != "hello" {
		t.Fatalf("first event %q", got)
	}
	r.Do(t, "ines", `/scene rename 12 "Lake house, dawn"`)
	if got := next(); got != "changed" {
		t.Fatalf("after a change: %q", got)
	}
	if _, body := get(t, c, r.URL+"/board/"); !strings.Contains(body, "Lake house, dawn") {
		t.Error("the reloaded page does not show the change")
	}
	r.Do(t, "root", "/icbot role remove @adam ad")
	// A change committed just before (the rename's follow-up work) may
	// still be told first; the session's end must come, and end it.
	got := next()
	for i := 0; i < 5 && got == "changed"; i++ {
		got = next()
	}
	if got != "signedout" {
		t.Errorf("after adam's role was taken away: %q", got)
	}
}

// TestEventsOutliveWriteTimeout: the stream stays open past the
// server's read and write timeouts, which would cut a plain response.
func TestEventsOutliveWriteTimeout(t *testing.T) {
	r := newRig(t)
	h := web.New(r.Bot, web.Options{Insecure: true, Heartbeat: 40 * time.Millisecond})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.WriteTimeout = 100 * time.Millisecond
	srv.Config.ReadTimeout = 100 * time.Millisecond
	srv.Start()
	t.Cleanup(func() { h.Close(); srv.Close() })
	c := r.Client(t, "ines")
	u, _ := url.Parse(srv.URL)
	ru, _ := url.Parse(r.URL + "/board/")
	cookies := c.Jar.Cookies(ru)
	c.Jar.SetCookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/board/"}, cookies)
	req, _ := http.NewRequest("GET", srv.URL+"/board/events", nil)
	resp, err := (&http.Client{Jar: c.Jar}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	pings := 0
	// Eight heartbeats take at least 320ms, three times the timeout.
	for pings < 8 && sc.Scan() {
		if sc.Text() == ": ping" {
			pings++
		}
	}
	if pings < 8 {
		t.Errorf("the stream ended after %d heartbeats: %v", pings, sc.Err())
	}
}

// TestWeekNavigation: ?from= shows another week; a bad date is refused
// with what to type.
func TestWeekNavigation(t *testing.T) {
	r := newRig(t)
	c := r.Client(t, "ines")
	resp, body := get(t, c, r.URL+"/board/?from=2026-12-03")
	if resp.StatusCode != 200 || !strings.Contains(body, "the week of 2026-12-03 to 2026-12-09") || strings.Contains(body, "Scene 12:") {
		t.Errorf("the week after: %s\n%s", resp.Status, body)
	}
	resp, body = get(t, c, r.URL+"/board/?from=someday")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "bad date") {
		t.Errorf("a bad date: %s\n%s", resp.Status, body)
	}
}

// TestFullWeek: a busy week renders for the IC and the AD, and the AD's
// page holds the counts and no performer's answers.
func TestFullWeek(t *testing.T) {
	r := newRig(t)
	r.AddScenes(t, 30)
	for _, who := range []string{"ines", "adam"} {
		resp, body := get(t, r.Client(t, who), r.URL+"/board/")
		if resp.StatusCode != 200 || !strings.Contains(body, "Scene 129: Scene number 129") || !strings.Contains(body, "<svg") {
			t.Errorf("%s: %s", who, resp.Status)
		}
		if answers := strings.Contains(body, "✓ answered"); answers != (who == "ines") {
			t.Errorf("%s sees the performers' answers: %v", who, answers)
		}
	}
}
