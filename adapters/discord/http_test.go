package discord_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/discord"
)

// TestHTTPInteractions: the HTTP endpoint answers a signed PING with a
// PONG and runs a signed command; unsigned, tampered, stale and wrongly
// signed requests get 401 and change nothing.
func TestHTTPInteractions(t *testing.T) {
	r := newRig(t, overHTTP)
	now := r.clock.Now()

	status, body := r.signedPost([]byte(`{"type":1,"id":"P1","token":"tok-P1","application_id":"APP","version":1}`), now, nil)
	if status != http.StatusOK || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Errorf("PING: %d %s, want 200 {\"type\":1}", status, body)
	}

	_, raw := r.interaction(discordgo.InteractionApplicationCommand, root, in(setCh), r.commandData("icbot role add", o("person", ines), o("role", "ic")))
	before := r.auditLen()
	refused := []struct {
		name   string
		raw    []byte
		ts     time.Time
		tamper func(*http.Request)
	}{
		{"unsigned", raw, now, func(req *http.Request) {
			req.Header.Del("X-Signature-Ed25519")
			req.Header.Del("X-Signature-Timestamp")
		}},
		{"no timestamp", raw, now, func(req *http.Request) { req.Header.Del("X-Signature-Timestamp") }},
		{"stale", raw, now.Add(-6 * time.Minute), nil},
		{"from the future", raw, now.Add(6 * time.Minute), nil},
		{"tampered body", raw, now, func(req *http.Request) {
			tampered := strings.Replace(string(raw), `"ic"`, `"ad"`, 1)
			req.Body = nopCloser{strings.NewReader(tampered)}
			req.ContentLength = int64(len(tampered))
		}},
		{"tampered timestamp", raw, now, func(req *http.Request) {
			req.Header.Set("X-Signature-Timestamp", req.Header.Get("X-Signature-Timestamp")+"1")
		}},
		{"other key", raw, now, func(req *http.Request) {
			req.Header.Set("X-Signature-Ed25519", strings.Repeat("ab", 64))
		}},
		{"malformed signature", raw, now, func(req *http.Request) { req.Header.Set("X-Signature-Ed25519", "zz") }},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := r.signedPost(tt.raw, tt.ts, tt.tamper); status != http.StatusUnauthorized {
				t.Errorf("status %d (%s), want 401", status, body)
			}
		})
	}
	if got := r.auditLen(); got != before {
		t.Errorf("refused requests changed the audit log: %d -> %d", before, got)
	}
	if calls := r.fake.calls(); len(calls) != 0 {
		t.Errorf("refused requests reached Discord:%s", describe(calls))
	}

	// The same command, properly signed, runs.
	status, body = r.signedPost(raw, now, nil)
	var resp response
	if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
		t.Fatalf("signed command: %d %s (%v)", status, body, err)
	}
	r.waitFollowUp()
	if !strings.Contains(resp.Data.Content, "@ines is now intimacy coordinator") || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Errorf("signed command answer: %+v", resp)
	}
	if got := r.auditLen(); got != before+1 {
		t.Errorf("audit log %d -> %d, want one entry", before, got)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// TestSlowAnswerIsDeferred: an answer not ready in time is replaced by a
// deferred one, within Discord's three seconds, and then edited in.
func TestSlowAnswerIsDeferred(t *testing.T) {
	r := newRig(t, overHTTP)
	discord.SetDeferAfter(r.ad, 10*time.Millisecond)
	r.h.hold = make(chan struct{})
	_, raw := r.interaction(discordgo.InteractionApplicationCommand, root, in(setCh), r.commandData("icbot whoami"))
	status, body := r.signedPost(raw, r.clock.Now(), nil)
	var resp response
	if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
		t.Fatalf("answer: %d %s (%v)", status, body, err)
	}
	if resp.Type != int(discordgo.InteractionResponseDeferredChannelMessageWithSource) || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Fatalf("answer %s, want a deferred ephemeral one", body)
	}
	close(r.h.hold) // the command may now finish
	r.waitFollowUp()
	edit := r.fake.await(t, "PATCH /webhooks/APP/*/messages/@original")
	var m struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(edit.Body, &m); err != nil || !strings.Contains(m.Content, "You are @root") {
		t.Errorf("the edit %s (%v) lacks the answer", edit.Body, err)
	}
}

// TestHTTPFollowUpsAfterTheAnswer: on the HTTP endpoint a late reply is a
// follow-up to the interaction, sent once Discord has the answer (the
// fake refuses follow-ups before that, as Discord does), not a DM.
func TestHTTPFollowUpsAfterTheAnswer(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", toplineCh))
	calls := r.fake.calls()
	if got := strings.Join(followUps(calls), "\n"); !strings.Contains(got, "Top-line summary of scene 12, version 1, posted to #802") {
		t.Errorf("follow-ups %q%s", got, describe(calls))
	}
	if got := dms(calls, ines); len(got) != 0 {
		t.Errorf("the late reply went by DM: %q", got)
	}
}

// TestCloseWaitsForRunningInteractions: Close returns only once an
// interaction already running has committed and followed up; one that
// arrives after is not run.
func TestCloseWaitsForRunningInteractions(t *testing.T) {
	r := newRig(t, overHTTP)
	r.h.hold = make(chan struct{})
	before := r.auditLen()
	_, raw := r.interaction(discordgo.InteractionApplicationCommand, root, in(setCh), r.commandData("icbot role add", o("person", ines), o("role", "ic")))
	answered := make(chan int, 1)
	go func() {
		status, _ := r.signedPost(raw, r.clock.Now(), nil)
		answered <- status
	}()
	r.waitHandling()
	closed := make(chan error, 1)
	go func() { closed <- r.ad.Close() }()
	select {
	case <-closed:
		t.Fatal("Close returned while an interaction was running")
	case <-time.After(100 * time.Millisecond):
	}
	close(r.h.hold)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := <-answered; got != http.StatusOK {
		t.Errorf("the running interaction was answered %d", got)
	}
	if got := r.auditLen(); got != before+1 {
		t.Errorf("audit %d -> %d: the running command did not commit before Close returned", before, got)
	}
	_, raw = r.interaction(discordgo.InteractionApplicationCommand, root, in(setCh), r.commandData("icbot role add", o("person", adam), o("role", "ad")))
	if status, _ := r.signedPost(raw, r.clock.Now(), nil); status != http.StatusServiceUnavailable {
		t.Errorf("an interaction after Close: %d, want 503", status)
	}
	if got := r.auditLen(); got != before+1 {
		t.Errorf("an interaction after Close ran")
	}
}

// TestOpenOnceCloseTwice: the adapter's lifecycle: Open, over the
// gateway, once; a second Open is refused without a call to Discord;
// Close may be called again, and returns what the first returned; an
// Open after Close is refused.
func TestOpenOnceCloseTwice(t *testing.T) {
	r := newRig(t, overGateway)
	before := len(r.fake.calls())
	if err := r.ad.Open(context.Background(), r.h); err == nil {
		t.Error("a second Open was not refused")
	}
	if got := len(r.fake.calls()); got != before {
		t.Errorf("a second Open made %d calls to Discord", got-before)
	}
	first := r.ad.Close()
	if err := r.ad.Close(); err != first {
		t.Errorf("a second Close = %v, the first %v", err, first)
	}
	ad, err := discord.New(discord.Config{Token: "fake-token", ApplicationID: fakeAppID}, discord.WithHTTPClient(r.fake.client()))
	if err != nil {
		t.Fatal(err)
	}
	if err := ad.Close(); err != nil {
		t.Errorf("Close without Open: %v", err)
	}
	if err := ad.Open(context.Background(), r.h); err == nil {
		t.Error("an Open after Close was not refused")
	}
}
