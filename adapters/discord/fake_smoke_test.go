package discord_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestFakeGatewayAndREST drives the fake Discord with discordgo alone, to
// show the fake speaks what discordgo v0.29.0 expects. One Open/Close: Close
// sleeps a second.
func TestFakeGatewayAndREST(t *testing.T) {
	f := newFakeDiscord(t)
	f.set(func(f *fakeDiscord) {
		f.Channels["C1"] = &discordgo.Channel{ID: "C1", GuildID: "G1", Name: "scene-12", Type: discordgo.ChannelTypeGuildText,
			PermissionOverwrites: []*discordgo.PermissionOverwrite{
				{ID: "G1", Type: discordgo.PermissionOverwriteTypeRole, Deny: discordgo.PermissionViewChannel},
			}}
		f.Users["U1"] = &discordgo.User{ID: "U1", Username: "ines"}
	})

	s, err := discordgo.New("Bot fake-token")
	if err != nil {
		t.Fatal(err)
	}
	s.Client = f.client()
	interactions := make(chan *discordgo.Interaction, 1)
	s.AddHandler(func(_ *discordgo.Session, ic *discordgo.InteractionCreate) { interactions <- ic.Interaction })
	readies := make(chan *discordgo.Ready, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { readies <- r })
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() }) // runs before the fake stops

	select {
	case <-f.identified():
	case <-time.After(10 * time.Second):
		t.Fatal("no Identify within 10s")
	}
	r := fakeReceive(t, readies, "READY")
	if r.SessionID != "fake-session" || r.User == nil || r.User.ID != "BOT" || r.Application == nil || r.Application.ID != "APP" {
		t.Errorf("READY = %+v", r)
	}
	f.set(func(f *fakeDiscord) {
		var id struct {
			Token   string `json:"token"`
			Intents int    `json:"intents"`
		}
		if err := json.Unmarshal(f.Identify, &id); err != nil || id.Token != "Bot fake-token" {
			t.Errorf("Identify = %s (%v)", f.Identify, err)
		}
		if f.GatewayQuery != "v=9&encoding=json" {
			t.Errorf("gateway query = %q", f.GatewayQuery)
		}
	})
	if c := f.calls(); len(c) != 1 || c[0].Method != "GET" || c[0].Path != "/gateway" {
		t.Errorf("calls during Open = %v, want GET /gateway", c)
	}

	// An application command arrives on the gateway.
	f.dispatch(t, "INTERACTION_CREATE", `{
		"type": 2, "id": "I1", "token": "tok-I1", "application_id": "APP", "version": 1,
		"guild_id": "G1", "channel_id": "C1", "locale": "fr", "guild_locale": "en-US",
		"app_permissions": "2147483647",
		"member": {"user": {"id": "U1", "username": "ines", "global_name": "Inès"},
			"roles": ["R1"], "permissions": "1024", "joined_at": "2024-01-01T00:00:00+00:00", "nick": null},
		"data": {"id": "CMD1", "name": "closedset", "type": 1, "guild_id": "G1",
			"options": [{"name": "start", "type": 1, "options": [{"name": "id", "type": 3, "value": "12"}]}]}
	}`)
	i := fakeReceive(t, interactions, "INTERACTION_CREATE")
	if i.Type != discordgo.InteractionApplicationCommand || i.ID != "I1" || i.Token != "tok-I1" || i.AppID != "APP" ||
		i.GuildID != "G1" || i.ChannelID != "C1" {
		t.Errorf("interaction = %+v", i)
	}
	if i.Member == nil || i.Member.User == nil || i.Member.User.ID != "U1" || i.Member.User.Username != "ines" || i.User != nil {
		t.Errorf("interaction member = %+v, user = %+v", i.Member, i.User)
	}
	data := i.ApplicationCommandData()
	if data.Name != "closedset" || len(data.Options) != 1 || data.Options[0].Name != "start" ||
		data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand || len(data.Options[0].Options) != 1 ||
		data.Options[0].Options[0].Name != "id" || data.Options[0].Options[0].StringValue() != "12" {
		t.Errorf("command data = %+v", data)
	}

	// The interaction callback.
	err = s.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "closed", Flags: discordgo.MessageFlagsEphemeral},
	})
	if err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	c := f.calls()
	if len(c) != 1 || c[0].Method != "POST" || c[0].Path != "/interactions/I1/tok-I1/callback" || c[0].Refused || c[0].Status != 204 {
		t.Fatalf("calls = %v, want POST /interactions/I1/tok-I1/callback", c)
	}
	var cb struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
			Flags   int    `json:"flags"`
		} `json:"data"`
	}
	if err := json.Unmarshal(c[0].Body, &cb); err != nil || cb.Type != 4 || cb.Data.Content != "closed" || cb.Data.Flags != 64 {
		t.Errorf("callback body = %s (%v)", c[0].Body, err)
	}
	// Discord refuses a second callback.
	err = s.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if code := fakeRESTCode(t, err); code != 40060 {
		t.Errorf("second callback: code %d, want 40060", code)
	}
	// A follow-up.
	m, err := s.FollowupMessageCreate(i, true, &discordgo.WebhookParams{Content: "more", Flags: discordgo.MessageFlagsEphemeral})
	if err != nil || m == nil || m.ID == "" || m.ChannelID != "C1" || m.Content != "more" {
		t.Errorf("FollowupMessageCreate = %+v, %v", m, err)
	}
	c = f.calls()
	if len(c) != 2 || c[1].Method != "POST" || c[1].Path != "/webhooks/APP/tok-I1" || c[1].Query != "wait=true" {
		t.Errorf("calls = %v, want the refused callback and POST /webhooks/APP/tok-I1?wait=true", c)
	}

	// Permission overwrites change the channel.
	if err := s.ChannelPermissionSet("C1", "U1", discordgo.PermissionOverwriteTypeMember,
		discordgo.PermissionViewChannel|discordgo.PermissionSendMessages, 0); err != nil {
		t.Fatalf("ChannelPermissionSet: %v", err)
	}
	c = f.calls()
	if len(c) != 1 || c[0].Method != "PUT" || c[0].Path != "/channels/C1/permissions/U1" || c[0].Status != 204 ||
		string(c[0].Body) != `{"id":"U1","type":1,"allow":"3072","deny":"0"}` {
		t.Errorf("calls = %v", c)
	}
	ch, err := s.Channel("C1")
	if err != nil {
		t.Fatalf("Channel: %v", err)
	}
	if len(ch.PermissionOverwrites) != 2 || ch.PermissionOverwrites[1].ID != "U1" ||
		ch.PermissionOverwrites[1].Type != discordgo.PermissionOverwriteTypeMember || ch.PermissionOverwrites[1].Allow != 3072 {
		t.Errorf("overwrites after set = %+v", ch.PermissionOverwrites)
	}
	if err := s.ChannelPermissionDelete("C1", "U1"); err != nil {
		t.Fatalf("ChannelPermissionDelete: %v", err)
	}
	f.set(func(f *fakeDiscord) {
		if o := f.Channels["C1"].PermissionOverwrites; len(o) != 1 || o[0].ID != "G1" {
			t.Errorf("overwrites after delete = %+v", o)
		}
	})
	if _, err := s.Channel("C404"); fakeRESTCode(t, err) != 10003 {
		t.Errorf("Channel(C404): %v, want code 10003", err)
	}
	f.calls()

	// A failure knob: Missing Permissions.
	f.set(func(f *fakeDiscord) { f.Fail["PUT /channels/C1/permissions/*"] = failMissingPermissions })
	err = s.ChannelPermissionSet("C1", "U2", discordgo.PermissionOverwriteTypeMember, discordgo.PermissionViewChannel, 0)
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response.StatusCode != 403 || re.Message == nil || re.Message.Code != 50013 {
		t.Errorf("ChannelPermissionSet with Fail: %v", err)
	}
	if c := f.calls(); len(c) != 1 || !c[0].Refused || c[0].Status != 403 {
		t.Errorf("calls = %v, want one refused", c)
	}

	// A DM, refused.
	dm, err := s.UserChannelCreate("U1")
	if err != nil || dm.ID != "DMU1" || dm.Type != discordgo.ChannelTypeDM {
		t.Errorf("UserChannelCreate = %+v, %v", dm, err)
	}
	f.set(func(f *fakeDiscord) { f.Fail["POST /channels/DMU1/messages"] = failCannotDM })
	if _, err := s.ChannelMessageSend("DMU1", "hello"); fakeRESTCode(t, err) != 50007 {
		t.Errorf("DM with Fail: %v, want code 50007", err)
	}
	if c := f.calls(); len(c) != 2 || c[0].Path != "/users/@me/channels" || string(c[0].Body) != `{"recipient_id":"U1"}` {
		t.Errorf("calls = %v", c)
	}

	// A rate limit: discordgo waits and retries by itself.
	f.set(func(f *fakeDiscord) { f.RateLimit["POST /channels/C1/messages"] = 2 })
	start := time.Now()
	m, err = s.ChannelMessageSend("C1", "after the limit")
	if err != nil || m.ID == "" || m.ChannelID != "C1" || m.Content != "after the limit" || m.Author == nil || m.Author.ID != "BOT" {
		t.Errorf("ChannelMessageSend under rate limit = %+v, %v", m, err)
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("rate-limited send took %v, want discordgo to wait 2×50ms", d)
	}
	c = f.calls()
	if len(c) != 3 || c[0].Status != 429 || !c[0].Refused || c[1].Status != 429 || c[2].Status != 200 || c[2].Refused {
		t.Errorf("calls = %v, want 429, 429, 200", c)
	}

	// Commands: a bulk overwrite is echoed with ids.
	got, err := s.ApplicationCommandBulkOverwrite("APP", "G1", []*discordgo.ApplicationCommand{
		{Name: "closedset", Description: "Closed sets", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "start", Description: "Start one"}}},
	})
	if err != nil || len(got) != 1 || got[0].ID == "" || got[0].Name != "closedset" || got[0].GuildID != "G1" || len(got[0].Options) != 1 {
		t.Errorf("ApplicationCommandBulkOverwrite = %+v, %v", got, err)
	}
	if c := f.calls(); len(c) != 1 || c[0].Method != "PUT" || c[0].Path != "/applications/APP/guilds/G1/commands" {
		t.Errorf("calls = %v", c)
	}

	// A call made from a handler goroutine, awaited.
	go s.User("@me")
	if c := f.await(t, "GET /users/*"); c.Path != "/users/@me" || c.Status != 200 {
		t.Errorf("await = %v", c)
	}
}

func fakeReceive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
	}
	var zero T
	return zero
}

// fakeRESTCode is the Discord JSON error code of err (0 if none).
func fakeRESTCode(t *testing.T, err error) int {
	t.Helper()
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Message == nil {
		t.Errorf("not a RESTError with a message: %v", err)
		return 0
	}
	return re.Message.Code
}
