package fetch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"icbot/adapters/internal/fetch"
	"icbot/bot"
)

const script = "INT. POOL - NIGHT\n\nPAULA swims.\n"

// files serves the test's files: /script, /big (chunked, no length),
// /photo, /gone, /hang (until the request ends), and /away, a redirect to
// elsewhere.
func files(t *testing.T, elsewhere string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, "no token", http.StatusForbidden)
			return
		}
		switch r.URL.Path {
		case "/script":
			w.Write([]byte(script))
		case "/big":
			for range 4 {
				w.Write([]byte(strings.Repeat("x", 100)))
				w.(http.Flusher).Flush()
			}
		case "/long":
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(strings.Repeat("x", 1000)))
		case "/photo":
			w.Write([]byte("\xff\xd8\xff\xe0\x00\x10JFIF"))
		case "/hang":
			<-r.Context().Done()
		case "/away":
			http.Redirect(w, r, elsewhere+"/script", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/script", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGet(t *testing.T) {
	other := files(t, "")
	srv := files(t, other.URL)
	host := strings.TrimPrefix(srv.URL, "http://")
	src := fetch.Source{Platform: "Slack", Header: http.Header{"Authorization": {"Bearer tok"}},
		Allowed: func(u *url.URL) bool { return u.Scheme == "http" && u.Host == host }, Timeout: 200 * time.Millisecond}
	for _, tc := range []struct {
		name, path string
		code, want string // want: in the refusal's message
	}{
		{name: "text", path: "/script"},
		{name: "redirect on the host", path: "/here"},
		{name: "another host", path: other.URL + "/script", code: bot.EUNAVAILABLE, want: "not at its own file host"},
		{name: "redirect to another host", path: "/away", code: bot.EUNAVAILABLE, want: "gave its address at " + strings.TrimPrefix(other.URL, "http://")},
		{name: "too big while reading", path: "/big", code: bot.EINVALID, want: "larger than 300 bytes"},
		{name: "too big by its length", path: "/long", code: bot.EINVALID, want: "is 1000 bytes, larger than 300 bytes"},
		{name: "not text", path: "/photo", code: bot.EINVALID, want: "is not a text file"},
		{name: "missing", path: "/gone", code: bot.EUNAVAILABLE, want: "could not be downloaded from Slack"},
		{name: "hangs", path: "/hang", code: bot.EUNAVAILABLE, want: "could not be downloaded from Slack"},
		{name: "no address", path: "::", code: bot.EUNAVAILABLE, want: "an unreadable address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.path
			if strings.HasPrefix(target, "/") {
				target = srv.URL + target
			}
			data, err := fetch.Get(context.Background(), src, "draft.fountain", target, 300)
			if tc.code == "" {
				if err != nil || string(data) != script {
					t.Fatalf("got %q, %v; want the script", data, err)
				}
				return
			}
			if got := bot.ErrorCode(err); got != tc.code {
				t.Errorf("code %q (%v), want %q", got, err, tc.code)
			}
			if msg := bot.ErrorMessage(err); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "draft.fountain") {
				t.Errorf("message %q, want the file's name and %q", msg, tc.want)
			}
			if data != nil {
				t.Errorf("refused, yet %d bytes returned", len(data))
			}
		})
	}
}

// TestGetKeepsAddressOutOfCause: a failed download's cause, which is
// logged, does not hold the file's address, which may be signed.
func TestGetKeepsAddressOutOfCause(t *testing.T) {
	srv := files(t, "")
	src := fetch.Source{Platform: "Discord", Header: http.Header{"Authorization": {"Bearer tok"}},
		Allowed: func(*url.URL) bool { return true }, Timeout: 200 * time.Millisecond}
	_, err := fetch.Get(context.Background(), src, "a.fountain", srv.URL+"/hang?hm=secret", 300)
	var be *bot.Error
	if !asError(err, &be) || be.Err == nil {
		t.Fatalf("error %v, want a bot.Error with a cause", err)
	}
	if strings.Contains(be.Err.Error(), "secret") || strings.Contains(be.Error(), "secret") {
		t.Errorf("the cause holds the address: %v", be.Err)
	}
}

func asError(err error, target **bot.Error) bool {
	be, ok := err.(*bot.Error)
	*target = be
	return ok
}
