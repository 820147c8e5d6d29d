package browser

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestMain(m *testing.M) { Main(m) }

// page serves one HTML document at every path.
func page(t *testing.T, html string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, html)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestTinyPage(t *testing.T) {
	ctx := New(t)
	url := page(t, `<!doctype html><html lang="en"><title>tiny</title><p id="p">hello from the page</p>`)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("p").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if title != "tiny" || text != "hello from the page" {
		t.Errorf("title %q, text %q; want tiny, hello from the page", title, text)
	}
}

// Two tests' tabs do not share cookies: a session made in one is unknown
// in the other.
func TestTabsDoNotShareCookies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "s", Value: "one", Path: "/"})
		}
		c, _ := r.Cookie("s")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if c != nil {
			io.WriteString(w, "<title>"+c.Value+"</title>")
			return
		}
		io.WriteString(w, "<title>none</title>")
	}))
	defer srv.Close()

	a := New(t)
	if err := chromedp.Do(a, chromedp.Navigate(srv.URL+"/set"), chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(a, chromedp.Title()); err != nil || got != "one" {
		t.Fatalf("first tab: title %q, %v; want the cookie's value one", got, err)
	}
	b := New(t)
	if err := chromedp.Do(b, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(b, chromedp.Title()); err != nil || got != "none" {
		t.Fatalf("second tab: title %q, %v; want none: the tabs share a cookie jar", got, err)
	}
}

// Without Chromium, a browser test skips with a message naming the Debian
// package, and in CI it fails with that message instead.
func TestMissingChromium(t *testing.T) {
	if os.Getenv("ICBOT_BROWSER_CHILD") != "" {
		t.Skip("child run")
	}
	run := func(extra ...string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestTinyPage$", "-test.v")
		env := []string{"ICBOT_BROWSER_CHILD=1", PathEnv + "=/nonexistent/chromium"}
		for _, kv := range os.Environ() {
			if k, _, _ := strings.Cut(kv, "="); k != "CI" && k != RequireEnv && k != PathEnv {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	out, err := run()
	if err != nil || !strings.Contains(out, "--- SKIP: TestTinyPage") || !strings.Contains(out, "Debian package chromium") {
		t.Errorf("locally, without Chromium: %v\n%s\nwant a skip naming the Debian package chromium", err, out)
	}
	for _, env := range []string{"CI=true", RequireEnv + "=require"} {
		out, err = run(env)
		if err == nil || !strings.Contains(out, "--- FAIL: TestTinyPage") || !strings.Contains(out, "Debian package chromium") {
			t.Errorf("with %s, without Chromium: %v\n%s\nwant a failure naming the Debian package chromium", env, err, out)
		}
	}
}
