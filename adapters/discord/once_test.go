package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/discord"
	"icbot/bot"
)

// holds is how many holds scene 12 has had.
func (r *rig) holds() int {
	r.t.Helper()
	var n int
	if err := r.store.View(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		n = len(sc.Holds)
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// TestReplayedInteractionHasOneEffect: the same signed interaction (a
// hold) sent twice to the HTTP endpoint acts once: the IC hears of one
// hold, and the copy is answered that it was already handled.
func TestReplayedInteractionHasOneEffect(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	_, raw := r.interaction(discordgo.InteractionApplicationCommand, pete, in(setCh), r.commandData("hold", o("id", "12"), o("reason", "cold")))
	now := r.clock.Now()
	var answers []string
	for i := range 2 {
		status, body := r.signedPost(raw, now, nil)
		var resp response
		if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
			t.Fatalf("send %d: %d %s (%v)", i+1, status, body, err)
		}
		if i == 0 {
			r.waitFollowUp()
		}
		answers = append(answers, resp.Data.Content)
	}
	r.ad.Wait()
	if !strings.Contains(answers[0], "only the IC knows it was you") || !strings.Contains(answers[1], "already handled") {
		t.Errorf("answers %q", answers)
	}
	if got := r.holds(); got != 1 {
		t.Errorf("%d holds recorded, want 1", got)
	}
	if got := dms(r.fake.calls(), ines); len(got) != 1 {
		t.Errorf("the IC was told of %d holds, want 1: %q", len(got), got)
	}
}

// TestInteractionFromAnotherServerRefused: an interaction, signed by
// Discord, from a server other than the production's is refused and
// changes nothing; scene ids are not offered there either. A DM with icbot
// has no server and is served.
func TestInteractionFromAnotherServerRefused(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	elsewhere := func(raw []byte) []byte {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		m["guild_id"] = "901"
		out, _ := json.Marshal(m)
		return out
	}
	before := r.auditLen()
	_, raw := r.interaction(discordgo.InteractionApplicationCommand, pete, in(setCh), r.commandData("hold", o("id", "12")))
	status, body := r.signedPost(elsewhere(raw), r.clock.Now(), nil)
	var resp response
	if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
		t.Fatalf("status %d %s (%v)", status, body, err)
	}
	if !strings.Contains(resp.Data.Content, "only in its production's own server") || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Errorf("answer %+v", resp)
	}
	r.ad.Wait()
	if got := r.holds(); got != 0 {
		t.Errorf("%d holds recorded from another server", got)
	}
	if got := r.auditLen(); got != before {
		t.Errorf("the audit log grew %d -> %d", before, got)
	}
	if calls := r.fake.calls(); len(calls) != 0 {
		t.Errorf("an interaction from another server reached Discord:%s", describe(calls))
	}

	auto := r.commandData("closedset start", o("id", "1"))
	auto["options"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)["focused"] = true
	_, raw = r.interaction(discordgo.InteractionApplicationCommandAutocomplete, adam, in(setCh), auto)
	_, body = r.signedPost(elsewhere(raw), r.clock.Now(), nil)
	if err := json.Unmarshal(body, &resp); err != nil || len(resp.Data.Choices) != 0 {
		t.Errorf("autocomplete from another server offered %s", body)
	}
	_, body = r.signedPost(raw, r.clock.Now(), nil)
	if err := json.Unmarshal(body, &resp); err != nil || len(resp.Data.Choices) != 1 {
		t.Errorf("autocomplete in the production's server offered %s", body)
	}

	// A DM with icbot carries no server: its buttons work.
	if got := r.press(pete, inDM, "icbot:/hold 12"); !strings.Contains(got.Data.Content, "only the IC knows it was you") {
		t.Errorf("a button in a DM: %q", got.Data.Content)
	}
}

// TestFollowUpsOnlyToDiscord: a follow-up goes to icbot's own
// interaction at Discord's API base (here the configured api_url, the
// fake), whatever the reply handle says: a handle changed to another
// application, or to a token that would make its URL another request of
// icbot's (a post to a channel), sends nothing anywhere and has the bot
// DM instead; the log names neither the handle nor the message.
func TestFollowUpsOnlyToDiscord(t *testing.T) {
	f := newFakeDiscord(t)
	var logs strings.Builder
	ad, err := discord.New(discord.Config{Token: "fake-token", ApplicationID: fakeAppID, APIURL: f.srv.URL},
		discord.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	m := bot.Message{Text: "garment notes: CANARY-4410"}
	// A reply handle as the adapter makes it: "tok|issued|app id|token".
	handle := func(app, token string) string {
		return "tok|" + strconv.FormatInt(time.Now().Unix(), 10) + "|" + app + "|" + token
	}
	good := func(token string) string { return handle(fakeAppID, token) }
	if err := ad.Reply(ctx, good("tok-I1"), paula, m); err != nil {
		t.Fatalf("a follow-up to icbot's own interaction: %v", err)
	}
	if calls := f.calls(); len(calls) != 1 || calls[0].Method != "POST" || calls[0].Path != "/webhooks/"+fakeAppID+"/tok-I1" {
		t.Fatalf("the follow-up went to%s", describe(calls))
	}
	for _, handle := range []string{
		handle("1234", "tok-I1"),
		handle("", "tok-I1"),
		good("../../channels/" + sceneCh + "/messages"),
		good("tok/../../../channels/" + sceneCh + "/messages"),
		good(".."),
		good("tok?wait=true"),
		good("tok#x"),
		good("tok%2F..%2Fchannels"),
		good(""),
		good(strings.Repeat("t", 2000)),
	} {
		if err := ad.Reply(ctx, handle, paula, m); !errors.Is(err, bot.ErrReplyExpired) {
			t.Errorf("reply with handle %.80q: %v, want ErrReplyExpired (the bot then DMs)", handle, err)
		}
	}
	if calls := f.calls(); len(calls) != 0 {
		t.Errorf("changed handles sent requests:%s", describe(calls))
	}
	if strings.Contains(logs.String(), "CANARY") || strings.Contains(logs.String(), "channels/") {
		t.Errorf("the log holds the message or the handle:\n%s", logs.String())
	}
}
