package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestBoardBesideSlack: with http.public_url set, http.addr serves the
// board under /board/ beside Slack's routes, with the board's headers;
// without it, no board.
func TestBoardBesideSlack(t *testing.T) {
	get := func(u string) (*http.Response, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	env := slackEnv(t)
	env["ICBOT_HTTP_PUBLIC_URL"] = "https://icbot.example.org"
	r := startIcbot(t, env, nil)
	resp, body := get(r.base + "/board/")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "/icbot board") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("GET /board/: %s %v\n%s", resp.Status, resp.Header, body)
	}
	post, err := http.Post(r.base+"/slack/commands", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusUnauthorized {
		t.Errorf("POST /slack/commands beside the board: %s, want 401 (unsigned)", post.Status)
	}
	r.stop(t)

	off := startIcbot(t, slackEnv(t), nil)
	defer off.stop(t)
	if resp, _ := get(off.base + "/board/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("without http.public_url: %s, want 404", resp.Status)
	}
}

// lines is a writer whose lines a test reads as they come.
type lines struct{ ch chan string }

func (l *lines) Write(p []byte) (int, error) {
	for _, s := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.ch <- s
	}
	return len(p), nil
}

// TestConsoleBoard: the console serves the board on http.public_url's
// loopback address; /icbot board DMs a link in the terminal, and the
// link signs the console's person in to the week page; the end of the
// console ends the board's open event streams rather than wait for them.
func TestConsoleBoard(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	public := "http://" + ln.Addr().String()
	ln.Close()
	env := map[string]string{"ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"), "ICBOT_HTTP_PUBLIC_URL": public}
	in, feed := io.Pipe()
	out := &lines{ch: make(chan string, 1000)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		// A stop that waited for the grace period would outlast the
		// test's wait below: the open event stream must end at once.
		done <- Run(ctx, nil, Env{Stdin: in, Stdout: out, Stderr: io.Discard, Limits: shortLimits(5 * time.Second),
			LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	}()
	wait := func(re *regexp.Regexp) []string {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case l := <-out.ch:
				if m := re.FindStringSubmatch(l); m != nil {
					return m
				}
			case code := <-done:
				t.Fatalf("icbot exited with %d", code)
			case <-deadline:
				t.Fatalf("no line matching %s", re)
			}
		}
	}
	wait(regexp.MustCompile(regexp.QuoteMeta("The board is at " + public + "/board/")))
	fmt.Fprintln(feed, "/icbot board")
	link := wait(regexp.MustCompile(`(` + regexp.QuoteMeta(public) + `/board/login\?t=[A-Za-z0-9_-]+)`))[1]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	u, _ := url.Parse(link)
	resp, err := c.PostForm(public+"/board/login", url.Values{"t": {u.Query().Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "signed in as @adam") || !strings.Contains(string(body), "Scene 12") {
		t.Errorf("the week after login: %s\n%s", resp.Status, body)
	}
	events, err := c.Get(public + "/board/events")
	if err != nil {
		t.Fatal(err)
	}
	defer events.Body.Close()
	hello := make([]byte, 64)
	if n, err := events.Body.Read(hello); err != nil || !strings.Contains(string(hello[:n]), "event: hello") {
		t.Fatalf("events: %q %v", hello[:n], err)
	}
	feed.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the console did not end with its input")
	}
	if _, err := http.Get(public + "/board/"); err == nil {
		t.Error("the board is still served after the console ended")
	}
}
