package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// soakShape is how long a soak runs, how often it samples, and at what
// rate it sends commands.
type soakShape struct {
	duration, every time.Duration
	rate            int // commands a second
	// liveScenes is how many scenes are kept; past it the oldest is
	// removed, so that the data a command reads stays the same size.
	liveScenes int
}

func soakShapeFor() soakShape {
	if longRun() {
		return soakShape{duration: time.Hour, every: time.Minute, rate: 10, liveScenes: 60}
	}
	return soakShape{duration: 30 * time.Second, every: 2 * time.Second, rate: 10, liveScenes: 8}
}

// soakSample is one sample of the process under load.
type soakSample struct {
	at         time.Duration // since the load began
	mem        memory        // KiB
	goroutines float64
	dbFile     float64 // the database file's size, KiB
}

// TestSoak runs the real icbot serving Slack over HTTP at a steady mixed
// load, against a fake Web API that answers 5% of calls 429 (Retry-After
// 1 s) and 2% 500, so that deliveries fail and are retried: slash
// commands that read and write, DMs through the Events API and button
// presses; scenes added with call times that make reminders fall due
// during the run (a rider's overdue escalation at once, the performer's
// check-in the day before the call two to four minutes on, the IC's
// digest every minute), and the oldest scene removed as each is added,
// so the live data stays the same size. It samples resident memory
// (/proc/PID/status) and goroutines (go_goroutines on /metrics) and
// checks that they stay flat (see flatness): memory without the mapped
// database file, which grows with the file by design. 30 seconds, sampled every
// 2 s; with -long (or ICBOT_TEST_LONG=1) one hour, sampled every minute.
// ICBOT_SOAK_PLOT=FILE.svg writes the plot of the samples there.
func TestSoak(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the icbot binary for 30 s")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("needs /proc")
	}
	shape := soakShapeFor()
	bin := icbotBinary(t)
	web := newWebSlack(t, 7)
	dir := t.TempDir()
	db := filepath.Join(dir, "icbot.db")
	const secret = "soak-signing-secret"
	p := startProc(t, bin, map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-soak", "ICBOT_SLACK_SIGNING_SECRET": secret, "ICBOT_SLACK_API_URL": web.apiURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET", "ICBOT_ADMINS": "UADMIN", "ICBOT_LOG_LEVEL": "info",
		"ICBOT_PRODUCTION_TIMEZONE": "UTC", "ICBOT_PRODUCTION_DIGEST_CRON": "* * * * *",
	})
	l := &soakLoad{t: t, p: p, web: web, secret: secret, shape: shape, rnd: rand.New(rand.NewPCG(11, 12)),
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
	l.setup()
	web.setFailures(0.05, 0.02)

	ctx, stop := context.WithTimeout(t.Context(), shape.duration)
	defer stop()
	start := time.Now()
	loadDone := make(chan struct{})
	go func() { defer close(loadDone); l.run(ctx) }()
	var samples []soakSample
	sample := func() {
		m, err := p.memory()
		if err != nil {
			t.Fatalf("reading icbot's memory: %v", err)
		}
		g, err := p.metric("go_goroutines")
		if err != nil {
			t.Fatalf("reading icbot's goroutines: %v", err)
		}
		fi, err := os.Stat(db)
		if err != nil {
			t.Fatal(err)
		}
		s := soakSample{at: time.Since(start).Round(time.Second), mem: m, goroutines: g, dbFile: float64(fi.Size()) / 1024}
		samples = append(samples, s)
		t.Logf("%6s  VmRSS %6.1f MiB  anon %6.1f MiB  file %5.1f MiB  goroutines %4.0f  database %5.1f MiB  sent %d",
			s.at, m.rss/1024, m.anon/1024, m.file/1024, g, s.dbFile/1024, l.sent.Load())
	}
	tick := time.NewTicker(shape.every)
	defer tick.Stop()
	sample()
	for done := false; !done; {
		select {
		case <-tick.C:
			sample()
		case <-ctx.Done():
			done = true
		}
	}
	if ctx.Err() == context.DeadlineExceeded && time.Since(start) >= shape.duration-time.Second {
		sample() // the end of the run
	}
	<-loadDone
	calls, failed, posts := web.counts()
	t.Logf("commands sent %d, answered 200 %d, other answers %d, no answer %d, skipped (all %d workers busy) %d",
		l.sent.Load(), l.ok.Load(), l.bad.Load(), l.lost.Load(), soakWorkers, l.skipped.Load())
	t.Logf("Web API calls %d (chat.postMessage %d, conversations.open %d, response_url %d), failed: %d with 429, %d with 500",
		sum(calls), calls["chat.postMessage"], calls["conversations.open"], calls["response"], failed["429"], failed["500"])
	t.Logf("messages posted, by channel: %v", posts)

	stopped := time.Now()
	p.term(t)
	if errs := p.logLines("level=ERROR"); len(errs) > 0 {
		byMsg := map[string]int{}
		for _, e := range errs {
			msg := e
			if i := strings.Index(e, "msg="); i >= 0 {
				msg = e[i:]
				if j := strings.Index(msg, " component="); j >= 0 {
					msg = msg[:j]
				}
			}
			byMsg[msg]++
		}
		t.Logf("%d ERROR lines in icbot's log, by message: %v; the first: %s", len(errs), byMsg, errs[0])
	}
	l.report(db, stopped)

	if path := os.Getenv("ICBOT_SOAK_PLOT"); path != "" {
		if err := os.WriteFile(path, []byte(soakSVG(samples, shape)), 0o644); err != nil {
			t.Errorf("writing the plot: %v", err)
		}
	}
	if l.bad.Load() > 0 || l.lost.Load() > 0 {
		t.Errorf("%d commands answered other than 200, %d not answered", l.bad.Load(), l.lost.Load())
	}
	if l.ok.Load() == 0 {
		t.Fatal("no command answered")
	}
	// Resident memory is judged without its file-backed part: that is
	// the database's pages mapped by bbolt (and the binary's), which
	// grow with the file, by design (the audit trail only grows), and
	// which the kernel takes back when it needs them. What icbot itself
	// holds, its heap and stacks, is the anonymous part. VmRSS and the
	// file-backed part are reported beside the file's size.
	for _, c := range []struct {
		what   string
		slack  float64
		of     func(soakSample) float64
		judged bool
	}{
		{"resident memory less mapped files (RssAnon, KiB)", memorySlack, func(s soakSample) float64 { return s.mem.anon }, true},
		{"goroutines", goroutineSlack, func(s soakSample) float64 { return s.goroutines }, true},
		{"resident memory (VmRSS, KiB), not judged", memorySlack, func(s soakSample) float64 { return s.mem.rss }, false},
		{"mapped files (RssFile, KiB), not judged", memorySlack, func(s soakSample) float64 { return s.mem.file }, false},
		{"database file (KiB), not judged", memorySlack, func(s soakSample) float64 { return s.dbFile }, false},
	} {
		vs := make([]float64, len(samples))
		for i, s := range samples {
			vs[i] = c.of(s)
		}
		f := flatness(vs, c.slack)
		t.Logf("%s: %s; first %.0f, middle %.0f, last %.0f", c.what, f, vs[0], vs[len(vs)/2], vs[len(vs)-1])
		if c.judged && !f.flat {
			t.Errorf("%s not flat: %s", c.what, f)
		}
	}
}

// soakWorkers bounds the commands in flight: a tick that finds them all
// busy is skipped (and counted), so the rate stays steady and the load
// never piles up behind a slow answer.
const soakWorkers = 16

// soakLoad sends the soak's commands.
type soakLoad struct {
	t      *testing.T
	p      *proc
	web    *webSlack
	secret string
	shape  soakShape
	client *http.Client

	mu     sync.Mutex
	rnd    *rand.Rand
	n      int      // requests made, for unique ids
	live   []string // scenes added and not removed, oldest first
	added  []string // every scene added
	next   int      // the next scene's number
	reserv int      // scene adds in flight

	sent, ok, bad, lost, skipped atomic.Int64
}

// The soak's people: an admin (configured), the IC, an AD and four
// performers.
var soakPerformers = []string{"UP1", "UP2", "UP3", "UP4"}

func (l *soakLoad) setup() {
	for _, c := range []string{
		"/icbot role add <@UIC> ic", "/icbot role add <@UAD> ad", "/icbot role add <@UPROD> producer",
		"/icbot role add <@UP1> performer", "/icbot role add <@UP2> performer",
		"/icbot role add <@UP3> performer", "/icbot role add <@UP4> performer",
	} {
		if code, body := l.slash("UADMIN", "CSET", c); code != http.StatusOK || !strings.Contains(body, "is now") {
			l.t.Fatalf("%s: %d %s", c, code, body)
		}
	}
}

func (l *soakLoad) slash(user, channel, text string) (int, string) {
	l.mu.Lock()
	l.n++
	n := l.n
	l.mu.Unlock()
	code, body, err := slashRequest(l.secret, l.web, user, channel, text, n).send(context.Background(), l.client, l.p.base())
	if err != nil {
		l.t.Fatalf("%s: %v", text, err)
	}
	return code, string(body)
}

// run sends commands at the shape's rate until ctx is done, and waits for
// those in flight.
func (l *soakLoad) run(ctx context.Context) {
	sem := make(chan struct{}, soakWorkers)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(l.shape.rate))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-tick.C:
		}
		select {
		case sem <- struct{}{}:
		default:
			l.skipped.Add(1)
			continue
		}
		req, onOK := l.pick()
		wg.Go(func() {
			defer func() { <-sem }()
			l.sent.Add(1)
			// The request's own context: the run ending does not cut it.
			code, _, err := req.send(context.Background(), l.client, l.p.base())
			switch {
			case err != nil:
				l.lost.Add(1)
				l.t.Logf("%s: no answer: %v", req.path, err)
			case code != http.StatusOK:
				l.bad.Add(1)
				l.t.Logf("%s: %d", req.path, code)
			default:
				l.ok.Add(1)
			}
			if onOK != nil {
				onOK(err == nil && code == http.StatusOK)
			}
		})
	}
}

// pick chooses the next request: of every 20, 12 reads and 8 writes,
// over slash commands (16), DMs through the Events API (2) and button
// presses (2). One scene is added and (once liveScenes are kept) one
// removed in every 20, so that no DM channel is sent more than Slack
// takes (one message a second). onOK, when not nil, is told whether it
// was answered 200.
func (l *soakLoad) pick() (*signedRequest, func(bool)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	n := l.n
	any := func() string {
		if len(l.live) == 0 {
			return "0"
		}
		return l.live[l.rnd.IntN(len(l.live))]
	}
	perf := soakPerformers[l.rnd.IntN(len(soakPerformers))]
	switch n % 20 {
	case 0: // a scene whose reminders fall due during the run
		return l.addScene(n, perf)
	case 1, 11:
		return slashRequest(l.secret, l.web, "UAD", "CSET", "/scene show "+any(), n), nil
	case 2, 12:
		return slashRequest(l.secret, l.web, "UIC", "CSET", "/scene list", n), nil
	case 3:
		return slashRequest(l.secret, l.web, perf, "CSET", "/icbot whoami", n), nil
	case 4, 10:
		return slashRequest(l.secret, l.web, "UIC", "CSET", "/reminders list", n), nil
	case 5, 13:
		return slashRequest(l.secret, l.web, perf, "CSET", "/scene list", n), nil
	case 6, 16:
		return slashRequest(l.secret, l.web, "UAD", "CSET", fmt.Sprintf("/scene set %s title=\"Take %d\"", any(), n), n), nil
	case 7, 17:
		return slashRequest(l.secret, l.web, "UIC", "CSET", fmt.Sprintf("/scene beat add %s \"Beat %d\" kind=contact", any(), n), n), nil
	case 8:
		return dmEvent(l.secret, fmt.Sprintf("EvSoak%d", n), "UAD", "scene show "+any()), nil
	case 18:
		return dmEvent(l.secret, fmt.Sprintf("EvSoak%d", n), "UIC", fmt.Sprintf("scene set %s title=\"DM %d\"", any(), n)), nil
	case 9:
		return buttonPress(l.secret, l.web, "UIC", "CSET", "/scene show "+any(), n), nil
	case 19:
		return buttonPress(l.secret, l.web, "UIC", "CSET", "/closedset status", n), nil
	case 15:
		return slashRequest(l.secret, l.web, "UPROD", "CSET", "/icbot whoami", n), nil
	default: // 14
		return l.removeScene(n)
	}
}

// addScene adds a scene with one performer whose call falls so that its
// reminders come due during the run: the call a day and two to four
// minutes away puts the check-in two to four minutes on, and the rider's
// deadline (48 hours before the call) already past, so its escalation is
// due at once. Every other one is three days and a few minutes away: the
// rider's 24-hour warning then falls due in a few minutes instead.
func (l *soakLoad) addScene(n int, perf string) (*signedRequest, func(bool)) {
	id := fmt.Sprintf("K%d", l.next)
	l.next++
	ahead := 24*time.Hour + time.Duration(2+l.rnd.IntN(3))*time.Minute
	if n%40 == 20 {
		ahead += 48 * time.Hour
	}
	call := time.Now().UTC().Add(ahead).Format("2006-01-02 15:04")
	req := slashRequest(l.secret, l.web, "UAD", "CSET",
		fmt.Sprintf("/scene add %s title=\"Soak %d\" call=\"%s\" performers=<@%s>", id, n, call, perf), n)
	return req, func(ok bool) {
		if !ok {
			return
		}
		l.mu.Lock()
		l.live = append(l.live, id)
		l.added = append(l.added, id)
		l.mu.Unlock()
	}
}

// removeScene removes the oldest scene once more than liveScenes are
// kept; otherwise it reads the IC's reminders.
func (l *soakLoad) removeScene(n int) (*signedRequest, func(bool)) {
	if len(l.live) <= l.shape.liveScenes {
		return slashRequest(l.secret, l.web, "UIC", "CSET", "/reminders list", n), nil
	}
	id := l.live[0]
	l.live = l.live[1:]
	return slashRequest(l.secret, l.web, "UIC", "CSET", "/scene remove "+id, n), nil
}

// report logs what the run left in the database: reminders by kind and
// state, and messages still queued.
func (l *soakLoad) report(db string, stopped time.Time) {
	st, err := storage.Open(db, storage.WithTimeout(5*time.Second), storage.WithKey(keyOf(l.t, db)), storage.WithReadOnly())
	if err != nil {
		l.t.Fatal(err)
	}
	defer st.Close()
	counts := map[string]int{}
	queued := 0
	var late []string
	err = st.View(context.Background(), func(tx bot.Tx) error {
		for _, id := range l.added {
			rs, err := tx.SceneReminders(bot.SceneID(id))
			if err != nil {
				return err
			}
			for _, r := range rs {
				counts[string(r.Kind)+" "+string(r.State)]++
				if r.State == bot.ReminderPending && r.Due.Before(stopped) {
					late = append(late, fmt.Sprintf("%s due %s before the stop (attempts %d, next %s)",
						r.Kind, stopped.Sub(r.Due).Round(time.Second), r.Attempts, r.NextAttempt.Format(time.TimeOnly)))
				}
			}
		}
		ds, err := tx.Deliveries()
		queued = len(ds)
		return err
	})
	if err != nil {
		l.t.Fatal(err)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	l.t.Logf("scenes added %d; their reminders: %s; messages still queued at the stop: %d", len(l.added), strings.Join(parts, ", "), queued)
	if len(late) > 0 {
		l.t.Logf("%d reminders were due before the stop and still pending, such as: %s", len(late), strings.Join(late[:min(5, len(late))], "; "))
	}
	sent := 0
	for k, v := range counts {
		if strings.HasSuffix(k, " sent") {
			sent += v
		}
	}
	if sent == 0 {
		l.t.Error("no reminder was sent during the run")
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Slack, in absolute terms, for the flatness rule: a few goroutines come
// and go with the requests in flight (each holds one or two), and the
// heap moves by about a megabyte between collections at this load.
const (
	memorySlack    = 1024 // KiB
	goroutineSlack = 8
)

// flatTolerance is how much a resource may grow, as a share of its level,
// from the middle third of a run to the last: see flatness.
const flatTolerance = 0.10

// flatResult is what flatness found.
type flatResult struct {
	flat                bool
	mid, last           float64 // medians of the middle and last thirds
	slope, projectedUse float64 // per second over the last two thirds; slope × their span
	limit               float64
}

func (f flatResult) String() string {
	verdict := "flat"
	if !f.flat {
		verdict = "NOT flat"
	}
	return fmt.Sprintf("%s: median %.1f in the middle third, %.1f in the last; fitted growth over the last two thirds %+.1f; limit +%.1f",
		verdict, f.mid, f.last, f.projectedUse, f.limit)
}

// flatness judges whether a resource sampled at even intervals stayed
// flat. The first third is warm-up (caches, connection pools and the
// heap finding their size) and is not judged. Over the rest, a leak, a
// cost that grows with the work done, grows with time at a steady load;
// it shows as a later median and as a slope. So the resource is flat
// when both hold:
//
//   - the median of the last third is at most the median of the middle
//     third plus flatTolerance of it plus slack;
//   - the least-squares line through the last two thirds grows, over
//     their span, by no more than that same margin.
//
// Medians ignore a passing spike (a burst of follow-ups, a collection
// late); the fitted line catches a steady climb too small to move the
// medians apart by the margin within one run but still climbing. The
// margin, 10% plus a fixed slack, is about the noise of a steady process
// (the heap between collections, requests in flight); a leak of even a
// few hundred bytes per command, at the soak's rate, exceeds it within
// the hour. It is a bound on resources, not on time: how fast the machine
// is changes the samples' count of commands, not their levels.
func flatness(vs []float64, slack float64) flatResult {
	n := len(vs)
	third := n / 3
	if third < 2 {
		return flatResult{flat: false}
	}
	mid, last := vs[third:2*third], vs[2*third:]
	var f flatResult
	f.mid, f.last = median(mid), median(last)
	f.limit = flatTolerance*f.mid + slack
	tail := vs[third:]
	f.slope = slope(tail)
	f.projectedUse = f.slope * float64(len(tail)-1)
	f.flat = f.last <= f.mid+f.limit && f.projectedUse <= f.limit
	return f
}

func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// slope is the least-squares slope of vs against their index.
func slope(vs []float64) float64 {
	n := float64(len(vs))
	var sx, sy, sxx, sxy float64
	for i, v := range vs {
		x := float64(i)
		sx += x
		sy += v
		sxx += x * x
		sxy += x * v
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / d
}

// TestFlatness checks the rule on made-up series: noise around a level is
// flat, a steady climb is not, even one too slow to part the medians by
// much, and neither is a step up in the last third.
func TestFlatness(t *testing.T) {
	level := func(n int, f func(i int) float64) []float64 {
		vs := make([]float64, n)
		for i := range vs {
			vs[i] = f(i)
		}
		return vs
	}
	noise := []float64{0, 3, -2, 1, -3, 2, 0, -1, 3, -2}
	for _, c := range []struct {
		name string
		vs   []float64
		flat bool
	}{
		{"steady with noise", level(60, func(i int) float64 { return 100 + noise[i%len(noise)] }), true},
		{"a spike", level(60, func(i int) float64 {
			if i == 50 {
				return 200
			}
			return 100
		}), true},
		{"warm-up then steady", level(60, func(i int) float64 { return 100 + 50*max(0, 1-float64(i)/15) }), true},
		{"a climb of 0.5% a sample", level(60, func(i int) float64 { return 100 * (1 + 0.005*float64(i)) }), false},
		{"a step up in the last third", level(60, func(i int) float64 {
			if i >= 45 {
				return 130
			}
			return 100
		}), false},
		{"too few samples", []float64{1, 1, 1, 1, 1}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := flatness(c.vs, 0); got.flat != c.flat {
				t.Errorf("flat = %v, want %v: %s", got.flat, c.flat, got)
			}
		})
	}
}
