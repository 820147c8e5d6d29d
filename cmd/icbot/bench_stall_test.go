package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// stalledConns is how many connections BenchmarkStalledConnections stalls.
const stalledConns = 400

// stallWait is how long BenchmarkStalledConnections waits for the server
// to cut a stalled connection before it counts it as open.
const stallWait = 30 * time.Second

// BenchmarkStalledConnections builds icbot (or runs the binary named by
// BENCH_ICBOT_BINARY, such as one built from an earlier commit), starts it
// with the Slack adapter over HTTP against a local fake Slack, and opens
// 400 connections that each send the headers and 2 bytes of a 1 MiB body
// to /slack/commands. It reports icbot's goroutines before and while they
// stall (go_goroutines from /metrics, the most seen in the first 2 s) and
// 1 s after each is cut or 30 s have passed, how long the server took to close
// them (median and longest), how many were still open after 30 s, and,
// with 400 more stalled, the time from SIGTERM to the process's exit.
// Run it with -benchtime 1x: each iteration starts a process.
func BenchmarkStalledConnections(b *testing.B) {
	bin := os.Getenv("BENCH_ICBOT_BINARY")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "icbot")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	fake := slacktest.NewTestServer()
	fake.Start()
	defer fake.Stop()
	var idle, stalled, after, p50, longest, open, stop float64
	for b.Loop() {
		p := startStallTarget(b, bin, fake.GetAPIURL())
		idle = p.goroutines(b)

		cut, conns := stallMany(b, p.public)
		stalled = p.peakGoroutines(b, 2*time.Second)
		var times []time.Duration
		open = 0
		for range stalledConns {
			if d := <-cut; d < 0 {
				open++
			} else {
				times = append(times, d)
			}
		}
		// A server that closes a connection first waits 500 ms for the
		// client's last packets (net/http's RST avoidance).
		time.Sleep(time.Second)
		after = p.goroutines(b)
		for _, c := range conns {
			c.Close()
		}
		slices.Sort(times)
		if len(times) > 0 {
			p50, longest = times[len(times)/2].Seconds(), times[len(times)-1].Seconds()
		}

		stallMany(b, p.public)
		stop = p.term(b).Seconds()
	}
	b.ReportMetric(idle, "goroutines-idle")
	b.ReportMetric(stalled, "goroutines-stalled")
	b.ReportMetric(after, "goroutines-after")
	if open < stalledConns {
		b.ReportMetric(p50, "cut-p50-s")
		b.ReportMetric(longest, "cut-max-s")
	}
	b.ReportMetric(open, "open-after-30s")
	b.ReportMetric(stop, "stop-s")
}

// stallTarget is an icbot process serving Slack over HTTP.
type stallTarget struct {
	cmd            *exec.Cmd
	public, admin  string // host:port; admin is public on an icbot without http.admin_addr
	exited         chan struct{}
	stderrMu       sync.Mutex
	stderrTail     []string
	listeningLines chan string
}

var listeningLine = regexp.MustCompile(`msg=listening .*?(?:listener=(\S+) )?addr=(\S+)`)

func startStallTarget(b *testing.B, bin, apiURL string) *stallTarget {
	b.Helper()
	dir := b.TempDir()
	// The developer's own ICBOT_ variables stay out.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ICBOT_") })
	env = append(env,
		"ICBOT_ADAPTER=slack", "ICBOT_STORAGE_PATH="+filepath.Join(dir, "icbot.db"), "ICBOT_HTTP_ADDR=127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN=xoxb-bench", "ICBOT_SLACK_SIGNING_SECRET=bench-secret", "ICBOT_SLACK_API_URL="+apiURL,
		"ICBOT_SLACK_SET_CHANNEL=CSET", "ICBOT_LOG_LEVEL=info", "ICBOT_PRODUCTION_TIMEZONE=Europe/London")
	// An icbot from before http.admin_addr refuses the variable, and
	// serves /metrics on http.addr.
	help, _ := exec.Command(bin, "--help").CombinedOutput()
	listeners := 1
	if strings.Contains(string(help), "ICBOT_HTTP_ADMIN_ADDR") {
		env = append(env, "ICBOT_HTTP_ADMIN_ADDR=127.0.0.1:0")
		listeners = 2
	}
	p := &stallTarget{cmd: exec.Command(bin), exited: make(chan struct{}), listeningLines: make(chan string, 2)}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
	})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "msg=listening") {
				p.listeningLines <- sc.Text()
			}
			p.stderrMu.Lock()
			p.stderrTail = append(p.stderrTail, sc.Text())
			p.stderrMu.Unlock()
		}
		p.cmd.Wait()
		close(p.exited)
	}()
	deadline := time.After(30 * time.Second)
	for range listeners {
		select {
		case l := <-p.listeningLines:
			m := listeningLine.FindStringSubmatch(l)
			if m == nil {
				b.Fatalf("unreadable log line %q", l)
			}
			if m[1] == "http.admin_addr" {
				p.admin = m[2]
			} else {
				p.public = m[2]
			}
		case <-p.exited:
			b.Fatalf("icbot exited:\n%s", p.tail())
		case <-deadline:
			b.Fatalf("icbot did not start listening:\n%s", p.tail())
		}
	}
	if p.admin == "" {
		p.admin = p.public
	}
	return p
}

func (p *stallTarget) tail() string {
	p.stderrMu.Lock()
	defer p.stderrMu.Unlock()
	return strings.Join(p.stderrTail, "\n")
}

// goroutines reads go_goroutines from icbot's /metrics.
func (p *stallTarget) goroutines(b *testing.B) float64 {
	b.Helper()
	resp, err := http.Get("http://" + p.admin + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(l, "go_goroutines "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no go_goroutines in /metrics")
	return 0
}

// peakGoroutines is the most goroutines /metrics shows over d (the
// server is still accepting the last connections when stallMany returns).
func (p *stallTarget) peakGoroutines(b *testing.B, d time.Duration) float64 {
	b.Helper()
	peak := 0.0
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		peak = max(peak, p.goroutines(b))
	}
	return peak
}

// term sends SIGTERM and returns how long icbot took to exit.
func (p *stallTarget) term(b *testing.B) time.Duration {
	b.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	select {
	case <-p.exited:
		return time.Since(start)
	case <-time.After(time.Minute):
		b.Fatalf("icbot did not exit within a minute of SIGTERM:\n%s", p.tail())
		return 0
	}
}

// stallMany opens stalledConns connections to addr, each sending the
// headers and 2 bytes of a 1 MiB body, and returns a channel that gives,
// for each, how long after its request the server closed it, or -1 if it
// was still open after stallWait; the caller closes the connections.
func stallMany(b *testing.B, addr string) (<-chan time.Duration, []net.Conn) {
	b.Helper()
	cut := make(chan time.Duration, stalledConns)
	conns := make([]net.Conn, 0, stalledConns)
	b.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for range stalledConns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.WriteString(c, stalledBody); err != nil {
			b.Fatal(err)
		}
		sent := time.Now()
		conns = append(conns, c)
		go func() {
			if closedByServer(c, stallWait) != nil {
				cut <- -1
				return
			}
			cut <- time.Since(sent)
		}()
	}
	return cut, conns
}
