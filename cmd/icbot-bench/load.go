package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// signingSecret signs every request; both servers check it.
const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// load is the load generator: it sends signed "/scene set" commands, each
// client on its own scene, and times each acknowledgement.
type load struct {
	target      string
	responseURL string
	client      *http.Client
	seq         atomic.Uint64 // numbers the titles and trigger ids
	ok          atomic.Uint64 // acknowledged commands
}

func newLoad(s server, clients int) *load {
	tr := &http.Transport{
		// One kept-alive connection per client: the default of two idle
		// connections per host would make most requests dial anew.
		MaxIdleConns:        clients * 2,
		MaxIdleConnsPerHost: clients * 2,
		IdleConnTimeout:     time.Minute,
	}
	return &load{
		target:      s.url() + "/slack/commands",
		responseURL: s.responseURL(),
		client:      &http.Client{Transport: tr, Timeout: 30 * time.Second},
	}
}

func (l *load) close() { l.client.CloseIdleConnections() }

// acked is how many commands were acknowledged with 200 so far.
func (l *load) acked() uint64 { return l.ok.Load() }

// sceneOf is the scene load client c changes.
func sceneOf(c int) string { return fmt.Sprintf("B%d", c+1) }

// send posts one signed command for client c and returns how long its
// acknowledgement took.
func (l *load) send(ctx context.Context, c int) (time.Duration, error) {
	n := l.seq.Add(1)
	form := url.Values{
		"command": {"/scene"}, "text": {fmt.Sprintf(`set %s title="Night swim, take %d"`, sceneOf(c), n)},
		"user_id": {"UADAM"}, "user_name": {"adam"}, "channel_id": {"CSET"}, "team_id": {"T1"},
		"response_url": {l.responseURL}, "trigger_id": {fmt.Sprintf("trig-%d", n)},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.target, strings.NewReader(form))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sign(req, form, time.Now())
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d: %s", resp.StatusCode, body)
	}
	var ans struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || ans.ResponseType != "ephemeral" {
		return 0, fmt.Errorf("not an ephemeral answer: %.200s", body)
	}
	l.ok.Add(1)
	return took, nil
}

// sign signs body as Slack does, at ts.
func sign(req *http.Request, body string, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(signingSecret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// phase is what one phase measured.
type phase struct {
	n        int
	elapsed  time.Duration
	p50, p99 time.Duration
}

// rate is acknowledged commands per second.
func (p phase) rate() float64 { return float64(p.n) / p.elapsed.Seconds() }

func newPhase(lat []time.Duration, elapsed time.Duration) phase {
	slices.Sort(lat)
	return phase{n: len(lat), elapsed: elapsed, p50: percentile(lat, 0.50), p99: percentile(lat, 0.99)}
}

// percentile is the nearest-rank percentile of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// serial sends n commands one after the other, from client 0.
func (l *load) serial(ctx context.Context, n int) (phase, error) {
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for range n {
		took, err := l.send(ctx, 0)
		if err != nil {
			return phase{}, err
		}
		lat = append(lat, took)
	}
	return newPhase(lat, time.Since(start)), nil
}

// concurrent has clients clients send commands back to back, each waiting
// for its acknowledgement before sending the next, until d has passed.
func (l *load) concurrent(ctx context.Context, clients int, d time.Duration) (phase, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		all   []time.Duration
		first error
	)
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			for time.Now().Before(deadline) && ctx.Err() == nil {
				took, err := l.send(ctx, c)
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
				lat = append(lat, took)
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	if first != nil {
		return phase{}, first
	}
	return newPhase(all, time.Since(start)), nil
}
