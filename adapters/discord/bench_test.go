package discord_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// BenchmarkDiscordAnswer measures, over loopback, how long Discord waits
// for the answer to a signed "/closedset start 12" on the HTTP
// interactions endpoint: Ed25519 verification, the adapter's command
// line, router, handler, need-to-know gate and one fsync'd commit, and the
// ephemeral answer. Each start is on a scene of its own, as on a set;
// between timed requests its closed set is ended, its follow-up (DMs,
// posts, the overwrite lock against the fake REST API) finished and the
// next scene made ready, untimed. It reports p50 and p99 in milliseconds.
func BenchmarkDiscordAnswer(b *testing.B) {
	r := newRig(b, overHTTP).seed()
	scene := "12"
	var lat []time.Duration
	for b.Loop() {
		_, raw := r.interaction(discordgo.InteractionApplicationCommand, adam, in(setCh), r.commandData("closedset start", o("id", scene)))
		start := time.Now()
		status, body := r.signedPost(raw, r.clock.Now(), nil)
		took := time.Since(start)
		var resp response
		if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil || !strings.Contains(resp.Data.Content, "Closed set started") {
			b.Fatalf("answer %d %s (%v)", status, body, err)
		}
		lat = append(lat, took)
		b.StopTimer()
		r.waitFollowUp()
		r.mustSay(adam, "closedset end", "ended", o("id", scene))
		scene = strconv.Itoa(len(lat) + 100)
		r.readyScene(scene)
		r.fake.calls()
		b.StartTimer()
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
