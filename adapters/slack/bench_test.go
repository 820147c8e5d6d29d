package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkSlackAck measures, over loopback, how long Slack waits for the
// acknowledgement of a signed slash command, with fsync on:
//
//   - floor: a signed request to a handler that checks the signature, makes
//     one fsync'd bbolt write and answers JSON; the least any command costs;
//   - closedset-start: a signed "/closedset start 12" through the adapter,
//     router, handler, need-to-know gate and store, answered with the roster.
//
// Each start is on a scene of its own, as on a set: between timed requests
// the closed set is ended, its follow-up (posts, lock) finished and the next
// scene made ready, untimed, so each start is measured alone. It reports p50
// and p99 in milliseconds.
func BenchmarkSlackAck(b *testing.B) {
	b.Run("floor", func(b *testing.B) {
		db, err := bolt.Open(filepath.Join(b.TempDir(), "floor.db"), 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err })
		n := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			sv, err := slackapi.NewSecretsVerifier(r.Header, secret)
			if err == nil {
				sv.Write(body)
				err = sv.Ensure()
			}
			if err != nil {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			n++
			db.Update(func(tx *bolt.Tx) error {
				return tx.Bucket([]byte("b")).Put([]byte(fmt.Sprint(n)), body)
			})
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": "ok"})
		}))
		defer srv.Close()
		measure(b, srv.URL+"/slack/commands", func() string { return "12" }, func() {})
	})
	b.Run("closedset-start", func(b *testing.B) {
		r := newRig(b).seed()
		scene, n := "12", 0
		measure(b, r.srv.URL+"/slack/commands", func() string { return scene }, func() {
			r.ad.Wait()
			r.slash("UADAM", "/closedset end "+scene)
			n++
			scene = fmt.Sprint(100 + n)
			r.readyScene(scene)
			r.fake.took()
		})
	})
}

// readyScene adds a scene like the seed's 12, with consent given and
// riders signed, so that its closed set may start.
func (r *rig) readyScene(id string) {
	r.slash("UINES", `/scene add `+id+` title="Night swim" call="2036-12-03 09:00" performers=<@UPAULA|paula>,<@UPETE|pete> channel=<#GSCENE12|scene-12>`)
	r.slash("UINES", `/scene beat add `+id+` "Kiss at the water's edge" kind=contact`)
	r.slash("UPAULA", "/boundaries answer "+id+" b1=yes")
	r.slash("UPETE", "/boundaries answer "+id+" b1=yes")
	for _, p := range []string{"<@UPAULA>", "<@UPETE>"} {
		r.slash("UINES", "/rider sent "+id+" "+p)
		r.slash("UINES", "/rider signed "+id+" "+p)
	}
}

// measure posts a signed "/closedset start ID" b.N times, timing each
// acknowledgement, with between() run untimed after each.
func measure(b *testing.B, target string, scene func() string, between func()) {
	var lat []time.Duration
	for b.Loop() {
		form := url.Values{"command": {"/closedset"}, "text": {"start " + scene()}, "user_id": {"UADAM"}, "user_name": {"adam"},
			"channel_id": {"CSET"}, "response_url": {"http://127.0.0.1:1/response"}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(req, form, time.Now())
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		lat = append(lat, took)
		b.StopTimer()
		between()
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
