package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/discord"
	"icbot/bot"
	"icbot/storage"
)

// The fake server, its channels and its people.
const (
	guild     = "900"
	crewRole  = "700" // a role with its own overwrite on the scene channel
	setCh     = "800" // set-wide notices; public
	publicCh  = "801" // public
	toplineCh = "802" // private: the IC and the AD
	crowdedCh = "803" // private, but a camera operator is in it
	hmuCh     = "804" // private: the IC and hair and makeup
	sceneCh   = "812" // scene 12's channel, private

	root   = "1000"
	ines   = "1001" // IC
	adam   = "1002" // AD
	paula  = "1003" // performer
	pete   = "1004" // performer
	cam    = "1005" // camera
	gary   = "1006" // crew
	hana   = "1007" // hair and makeup
	costa  = "1008" // costume, given the role by the tests that need it
	newbie = "1099"
)

var names = map[string]string{root: "root", ines: "ines", adam: "adam", paula: "paula", pete: "pete",
	cam: "cam", gary: "gary", hana: "hana", costa: "costa", newbie: "newbie"}

// testKey seals the store's private fields, as icbot does.
var testKey = []byte("0123456789abcdef0123456789abcdef")

const view = discordgo.PermissionViewChannel

func member(id string, allow, deny int64) *discordgo.PermissionOverwrite {
	return &discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeMember, Allow: allow, Deny: deny}
}

func role(id string, allow, deny int64) *discordgo.PermissionOverwrite {
	return &discordgo.PermissionOverwrite{ID: id, Type: discordgo.PermissionOverwriteTypeRole, Allow: allow, Deny: deny}
}

// sceneOverwrites are scene 12's channel's overwrites before any closed
// set: private, with a role, the cast and crew let in.
func sceneOverwrites() []*discordgo.PermissionOverwrite {
	return []*discordgo.PermissionOverwrite{
		role(guild, 0, view),
		role(crewRole, view|discordgo.PermissionSendMessages, 0),
		member(ines, view, 0), member(adam, view, 0),
		member(paula, view|discordgo.PermissionAttachFiles, 0), member(pete, view, discordgo.PermissionAttachFiles),
		member(gary, view, 0),
	}
}

func textChannel(id, name string, ows ...*discordgo.PermissionOverwrite) *discordgo.Channel {
	return &discordgo.Channel{ID: id, GuildID: guild, Name: name, Type: discordgo.ChannelTypeGuildText, PermissionOverwrites: ows}
}

// clock is a settable clock shared by the bot and the adapter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// tracked is the bot, telling the test when a command's follow-up is
// done; with hold set, commands wait for it to close before running.
type tracked struct {
	*bot.Bot
	followed chan struct{}
	hold     chan struct{}
	handling chan struct{} // a held command has arrived
	// changed hears of each channel checked after a change outside
	// icbot, once the check is done.
	changed chan bot.ChannelID
}

func (h *tracked) ChannelChanged(ctx context.Context, ch bot.ChannelID) {
	h.Bot.ChannelChanged(ctx, ch)
	h.changed <- ch
}

// waitChanged waits until the bot has checked ch after a change outside
// icbot.
func (r *rig) waitChanged(ch string) {
	r.t.Helper()
	select {
	case got := <-r.h.changed:
		if string(got) != ch {
			r.t.Fatalf("the bot checked channel %s, want %s", got, ch)
		}
	case <-time.After(30 * time.Second):
		r.t.Fatalf("channel %s was not checked within 30s", ch)
	}
}

func (h *tracked) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	if h.hold != nil {
		h.handling <- struct{}{}
		<-h.hold
	}
	return h.Bot.Handle(ctx, cmd)
}

// waitHandling waits until a held command has reached the bot.
func (r *rig) waitHandling() {
	r.t.Helper()
	select {
	case <-r.h.handling:
	case <-time.After(30 * time.Second):
		r.t.Fatal("no command reached the bot within 30s")
	}
}

func (h *tracked) FollowUp(ctx context.Context, o *bot.Outcome) {
	h.Bot.FollowUp(ctx, o)
	h.followed <- struct{}{}
}

// rig is icbot running with the Discord adapter against the fake.
type rig struct {
	t     testing.TB
	fake  *fakeDiscord
	store *storage.Store
	bot   *bot.Bot
	h     *tracked
	ad    *discord.Adapter
	clock *clock
	priv  ed25519.PrivateKey
	srv   *httptest.Server // the HTTP interactions endpoint, when not on the gateway
	n     int
	// startCalls are the REST calls made while starting.
	startCalls []restCall
}

type mode int

const (
	overGateway mode = iota
	overHTTP
)

func newRig(t testing.TB, m mode, opts ...func(*discord.Adapter)) *rig {
	t.Helper()
	f := newFakeDiscord(t)
	f.set(func(f *fakeDiscord) {
		f.Channels[setCh] = textChannel(setCh, "set")
		f.Channels[publicCh] = textChannel(publicCh, "general")
		f.Channels[toplineCh] = textChannel(toplineCh, "topline", role(guild, 0, view), member(ines, view, 0), member(adam, view, 0))
		f.Channels[crowdedCh] = textChannel(crowdedCh, "producers", role(guild, 0, view), member(ines, view, 0), member(cam, view, 0))
		f.Channels[hmuCh] = textChannel(hmuCh, "hmu", role(guild, 0, view), member(ines, view, 0), member(hana, view, 0))
		f.Channels[sceneCh] = textChannel(sceneCh, "scene-12", sceneOverwrites()...)
		for id, n := range names {
			f.Users[id] = &discordgo.User{ID: id, Username: n}
		}
		f.Guilds[guild] = &discordgo.Guild{ID: guild, Name: "Night Swim", OwnerID: ines}
	})
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	r := &rig{t: t, fake: f, store: st, clock: c, priv: priv}
	r.ad, err = discord.New(discord.Config{Token: "fake-token", ApplicationID: fakeAppID, GuildID: guild, PublicKey: pub},
		discord.WithHTTPClient(f.client()), discord.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range opts {
		o(r.ad)
	}
	r.bot = bot.New(st, r.ad, bot.WithAdmins(root), bot.WithSetChannel(setCh), bot.WithClock(c.Now), bot.WithZone(time.UTC), bot.WithBoard("https://icbot.example.org"))
	r.h = &tracked{Bot: r.bot, followed: make(chan struct{}, 64), handling: make(chan struct{}, 64), changed: make(chan bot.ChannelID, 64)}
	switch m {
	case overGateway:
		t.Cleanup(func() { r.ad.Close() }) // before the fake stops
		if err := r.ad.Open(context.Background(), r.h); err != nil {
			t.Fatal(err)
		}
		select {
		case <-f.identified():
		case <-time.After(10 * time.Second):
			t.Fatal("no Identify within 10s")
		}
	case overHTTP:
		if err := discord.OpenHTTP(context.Background(), r.ad, r.h); err != nil {
			t.Fatal(err)
		}
		r.srv = httptest.NewServer(r.ad.Routes(r.h))
		t.Cleanup(func() { r.srv.Close(); r.ad.Close() })
	}
	r.startCalls = f.calls() // GET /users/@me, the registration, GET /gateway
	return r
}

// opt is one typed option of a command: name=value.
type opt struct{ name, value string }

func o(name, value string) opt { return opt{name, value} }

// where says where an interaction happens: a server channel or a DM.
type where struct {
	channel string
	dm      bool
}

func in(ch string) where { return where{channel: ch} }

var inDM = where{dm: true}

// commandData builds an application command's data as Discord would send
// it, from the commands icbot registered: path "closedset start", options
// typed as registered, users resolved.
func (r *rig) commandData(path string, opts ...opt) map[string]any {
	r.t.Helper()
	var registered []*discordgo.ApplicationCommand
	r.fake.set(func(f *fakeDiscord) { registered = f.Commands[guild] })
	words := strings.Fields(path)
	i := slices.IndexFunc(registered, func(c *discordgo.ApplicationCommand) bool { return c.Name == words[0] })
	if i < 0 {
		r.t.Fatalf("/%s is not registered", words[0])
	}
	defs := registered[i].Options
	var chain []string
	hasSubs := func(defs []*discordgo.ApplicationCommandOption) bool {
		return len(defs) > 0 && (defs[0].Type == discordgo.ApplicationCommandOptionSubCommand || defs[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup)
	}
	rest := words[1:]
	for hasSubs(defs) {
		name := "call"
		if len(rest) > 0 {
			name, rest = rest[0], rest[1:]
		}
		j := slices.IndexFunc(defs, func(d *discordgo.ApplicationCommandOption) bool { return d.Name == name })
		if j < 0 {
			r.t.Fatalf("/%s has no sub-command %q", path, name)
		}
		chain = append(chain, name)
		defs = defs[j].Options
	}
	users := map[string]any{}
	var leaf []any
	for _, op := range opts {
		j := slices.IndexFunc(defs, func(d *discordgo.ApplicationCommandOption) bool { return d.Name == op.name })
		if j < 0 {
			r.t.Fatalf("/%s has no option %q", path, op.name)
		}
		d := defs[j]
		if d.Type == discordgo.ApplicationCommandOptionUser {
			users[op.value] = map[string]any{"id": op.value, "username": names[op.value]}
		}
		if len(d.Choices) > 0 && !slices.ContainsFunc(d.Choices, func(c *discordgo.ApplicationCommandOptionChoice) bool { return c.Value == op.value }) {
			r.t.Fatalf("/%s %s: %q is not one of its choices", path, op.name, op.value)
		}
		leaf = append(leaf, map[string]any{"name": op.name, "type": int(d.Type), "value": op.value})
	}
	options := leaf
	for k := len(chain) - 1; k >= 0; k-- {
		typ := discordgo.ApplicationCommandOptionSubCommand
		if k < len(chain)-1 {
			typ = discordgo.ApplicationCommandOptionSubCommandGroup
		}
		options = []any{map[string]any{"name": chain[k], "type": int(typ), "options": options}}
	}
	data := map[string]any{"id": "CMD" + words[0], "name": words[0], "type": 1, "options": options}
	if len(users) > 0 {
		data["resolved"] = map[string]any{"users": users}
	}
	return data
}

// interaction wraps data in an interaction of type typ from user.
func (r *rig) interaction(typ discordgo.InteractionType, user string, w where, data any) (id string, raw []byte) {
	r.n++
	id = "I" + strconv.Itoa(r.n)
	u := map[string]any{"id": user, "username": names[user]}
	i := map[string]any{"type": int(typ), "id": id, "token": "tok-" + id, "application_id": fakeAppID, "version": 1,
		"app_permissions": "2147483647", "data": data}
	if w.dm {
		i["channel_id"] = "DM" + user
		i["user"] = u
	} else {
		i["channel_id"] = w.channel
		i["guild_id"] = guild
		i["member"] = map[string]any{"user": u, "roles": []string{}, "permissions": "0", "joined_at": "2024-01-01T00:00:00+00:00"}
	}
	raw, err := json.Marshal(i)
	if err != nil {
		r.t.Fatal(err)
	}
	return id, raw
}

// response is an interaction's answer as Discord received it.
type response struct {
	Type int `json:"type"`
	Data struct {
		Content    string            `json:"content"`
		Flags      int               `json:"flags"`
		CustomID   string            `json:"custom_id"`
		Title      string            `json:"title"`
		Choices    []json.RawMessage `json:"choices"`
		Components []json.RawMessage `json:"components"`
	} `json:"data"`
}

// send delivers an interaction (on the gateway, or to the HTTP endpoint
// when the rig serves one) and returns its answer, once its follow-up (if
// it has one) is done.
func (r *rig) send(id string, raw []byte, follows bool) response {
	r.t.Helper()
	var body []byte
	if r.srv != nil { // the HTTP endpoint: the answer is the response
		var status int
		if status, body = r.signedPost(raw, r.clock.Now(), nil); status != http.StatusOK {
			r.t.Fatalf("interaction %s: status %d: %s", id, status, body)
		}
	} else {
		r.fake.dispatch(r.t, "INTERACTION_CREATE", json.RawMessage(raw))
		c := r.fake.await(r.t, "POST /interactions/"+id+"/*/callback")
		if c.Refused {
			r.t.Fatalf("the answer to %s was refused: %v", id, c)
		}
		body = c.Body
	}
	var resp response
	if err := json.Unmarshal(body, &resp); err != nil {
		r.t.Fatalf("answer %s: %v", body, err)
	}
	if follows {
		r.waitFollowUp()
	}
	return resp
}

func (r *rig) waitFollowUp() {
	r.t.Helper()
	select {
	case <-r.h.followed:
		r.ad.Wait()
	case <-time.After(30 * time.Second):
		r.t.Fatal("no follow-up within 30s")
	}
}

// slash runs a slash command from user in w and returns
// the ephemeral answer; it fails the test if the answer is not ephemeral.
func (r *rig) slash(user string, w where, path string, opts ...opt) string {
	r.t.Helper()
	id, raw := r.interaction(discordgo.InteractionApplicationCommand, user, w, r.commandData(path, opts...))
	resp := r.send(id, raw, true)
	if resp.Type != int(discordgo.InteractionResponseChannelMessageWithSource) || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		r.t.Errorf("/%s: answer type %d flags %d, want an ephemeral message", path, resp.Type, resp.Data.Flags)
	}
	return resp.Data.Content
}

// press presses a button (or a select menu's choice, with values) on a
// message in w.
func (r *rig) press(user string, w where, customID string, values ...string) response {
	r.t.Helper()
	data := map[string]any{"custom_id": customID, "component_type": int(discordgo.ButtonComponent)}
	if len(values) > 0 {
		data["component_type"] = int(discordgo.SelectMenuComponent)
		data["values"] = values
	}
	id, raw := r.interaction(discordgo.InteractionMessageComponent, user, w, data)
	return r.send(id, raw, !strings.HasPrefix(customID, "icbotmodal:"))
}

// signedPost sends an interaction to the HTTP endpoint, signed at ts with
// the application's key, and returns the status and body.
func (r *rig) signedPost(raw []byte, ts time.Time, tamper func(req *http.Request)) (int, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.srv.URL+"/discord/interactions", bytes.NewReader(raw))
	if err != nil {
		r.t.Fatal(err)
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("X-Signature-Timestamp", stamp)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(r.priv, append([]byte(stamp), raw...))))
	req.Header.Set("Content-Type", "application/json")
	if tamper != nil {
		tamper(req)
	}
	// As on Discord, follow-ups to the interaction are refused until its
	// answer has arrived.
	var token string
	r.fake.set(func(f *fakeDiscord) {
		f.noteInteraction(raw)
		var in struct {
			Token string `json:"token"`
		}
		json.Unmarshal(raw, &in)
		token = in.Token
	})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r.fake.set(func(f *fakeDiscord) { f.answeredOverHTTP(token) })
	return resp.StatusCode, body
}

// posts are the contents of the messages created in channel ch among calls.
func posts(calls []restCall, ch string) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "POST" && c.Path == "/channels/"+ch+"/messages" && !c.Refused {
			var m struct {
				Content string `json:"content"`
			}
			if err := json.Unmarshal(c.Body, &m); err == nil {
				out = append(out, m.Content)
			}
		}
	}
	return out
}

// followUps are the contents of the follow-up messages (late replies
// only the caller sees) among calls.
// followUpHas checks that a late reply to the caller holds want.
func followUpHas(want string) func(*testing.T, []restCall) {
	return func(t *testing.T, calls []restCall) {
		t.Helper()
		if got := strings.Join(followUps(calls), "\n"); !strings.Contains(got, want) {
			t.Errorf("late replies %q lack %q", got, want)
		}
	}
}

func followUps(calls []restCall) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "POST" && strings.HasPrefix(c.Path, "/webhooks/") && !c.Refused {
			var m struct {
				Content string `json:"content"`
				Flags   int    `json:"flags"`
			}
			if err := json.Unmarshal(c.Body, &m); err == nil && m.Flags&int(discordgo.MessageFlagsEphemeral) != 0 {
				out = append(out, m.Content)
			}
		}
	}
	return out
}

// dms are the messages sent to user's DM channel among calls.
func dms(calls []restCall, user string) []string { return posts(calls, "DM"+user) }

// overwrites returns a channel's overwrites in the fake, by id.
func (r *rig) overwrites(ch string) map[string]discordgo.PermissionOverwrite {
	out := map[string]discordgo.PermissionOverwrite{}
	r.fake.set(func(f *fakeDiscord) {
		for _, o := range f.Channels[ch].PermissionOverwrites {
			out[o.ID] = *o
		}
	})
	return out
}

// seed gives the production its people, scene 12 and its consent and
// riders through slash commands, as an admin and the IC would.
func (r *rig) seed() *rig {
	r.t.Helper()
	for _, p := range []struct{ who, role, title string }{
		{ines, "ic", "intimacy coordinator"}, {adam, "ad", "assistant director"}, {paula, "performer", "performer"},
		{pete, "performer", "performer"}, {cam, "camera", "camera"}, {gary, "crew", "crew"}, {hana, "hmu", "hair and makeup"},
	} {
		if got := r.slash(root, in(setCh), "icbot role add", o("person", p.who), o("role", p.role)); !strings.Contains(got, "is now "+p.title) {
			r.t.Fatalf("role add %s %s: %q", names[p.who], p.role, got)
		}
	}
	r.readyScene("12")
	r.fake.calls()
	return r
}

// readyScene adds a scene, "Night swim" in the scene channel with paula
// and pete, with one beat both agreed to and their riders signed in time.
func (r *rig) readyScene(id string) {
	r.t.Helper()
	r.mustSay(ines, "scene add", "Scene "+id+" added", o("id", id), o("title", "Night swim"), o("call", "2026-12-03 09:00"),
		o("performers", paula), o("performers2", pete), o("channel", sceneCh))
	r.mustSay(ines, "scene beat add", "Beat b1 added", o("id", id), o("description", "Kiss at the water's edge"), o("kind", "contact"))
	r.mustSay(paula, "boundaries answer", "saved", o("id", id), o("answers", "b1=yes"))
	r.mustSay(pete, "boundaries answer", "saved", o("id", id), o("answers", "b1=yes"))
	for _, p := range []string{paula, pete} {
		r.mustSay(ines, "rider sent", "sent", o("id", id), o("performer", p), o("on", "2026-11-27 09:00"))
		r.mustSay(ines, "rider signed", "signed", o("id", id), o("performer", p), o("on", "2026-11-27 09:30"))
	}
}

// mustSay runs a command in the set channel and fails the test unless its
// answer contains want.
func (r *rig) mustSay(user, path, want string, opts ...opt) string {
	r.t.Helper()
	got := r.slash(user, in(setCh), path, opts...)
	if !strings.Contains(got, want) {
		r.t.Fatalf("%s /%s: answer %q lacks %q", names[user], path, got, want)
	}
	return got
}

func (r *rig) auditLen() uint64 {
	r.t.Helper()
	n, err := r.store.AuditLen(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

func describe(calls []restCall) string {
	var b strings.Builder
	for _, c := range calls {
		fmt.Fprintf(&b, "\n  %v", c)
	}
	return b.String()
}
