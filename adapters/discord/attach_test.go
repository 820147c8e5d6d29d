package discord_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/discord"
	"icbot/bot"
	"icbot/bot/fountain"
)

const screenplay = "Title: Night Swim\n\nINT. POOL - NIGHT #12#\n\nPAULA and PETE kiss at the water's edge.\n"

// cdnPath is where the fake CDN keeps attachment id's file.
func cdnPath(id, name string) string {
	return "/ephemeral-attachments/" + fakeAppID + "/" + id + "/" + name
}

// importRig is a seeded rig whose catalogue has /scene import, as the
// bot's command table declares it: the bot's own when it has one.
func importRig(t *testing.T, m mode) *rig {
	r := newRig(t, m).seed()
	if !slices.ContainsFunc(r.bot.Catalogue(), func(c bot.CommandInfo) bool { return c.Path == "scene import" }) {
		r.h.extra = []bot.CommandInfo{{Path: "scene import", Usage: "/scene import FILE", Summary: "Import the screenplay",
			Params: []bot.Param{{Name: "file", Kind: "file", Required: true, Help: "the screenplay"}}}}
		if err := discord.Register(r.ad, r.h); err != nil {
			t.Fatal(err)
		}
	}
	r.fake.calls()
	return r
}

// attached is /scene import from user in the set channel, with an
// attachment Discord describes as file (nil: not described at all).
func (r *rig) attached(user string, file map[string]any) (string, []byte) {
	r.t.Helper()
	data := r.commandData("scene import", o("file", "ATT1"))
	if file != nil {
		data["resolved"] = map[string]any{"attachments": map[string]any{"ATT1": file}}
	}
	return r.interaction(discordgo.InteractionApplicationCommand, user, in(setCh), data)
}

func attachment(name, url string, size int) map[string]any {
	return map[string]any{"id": "ATT1", "filename": name, "size": size, "url": url, "proxy_url": strings.Replace(url, "cdn.discordapp.com", "media.discordapp.net", 1),
		"content_type": "text/plain; charset=utf-8", "ephemeral": true}
}

// fetched lists the requests the fake CDN received among calls.
func fetched(calls []restCall) []string {
	var out []string
	for _, c := range calls {
		if strings.Contains(c.Path, "attachments/") {
			out = append(out, c.Method+" "+c.Path)
		}
	}
	return out
}

// imports are the /scene import commands that reached the bot.
func (r *rig) imports() []bot.Command {
	var out []bot.Command
	for _, c := range r.h.commands() {
		if strings.HasPrefix(c.Text, "/scene import") {
			out = append(out, c)
		}
	}
	return out
}

// TestRegisteredFileOption: /scene import is registered with its file as
// a required attachment option.
func TestRegisteredFileOption(t *testing.T) {
	r := importRig(t, overHTTP)
	data := r.commandData("scene import", o("file", "ATT1"))
	opt := data["options"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)
	if opt["name"] != "file" || opt["type"] != int(discordgo.ApplicationCommandOptionAttachment) {
		t.Errorf("the file option is %v, want an attachment (type 11)", opt)
	}
}

// TestAttachedScriptReachesBot: the IC runs /scene import with the
// screenplay attached, over the HTTP endpoint and over the gateway; the
// bot gets the command with the file's bytes, fetched from the CDN,
// keyed by the interaction's id, and the attachment's id is no part of
// the line.
func TestAttachedScriptReachesBot(t *testing.T) {
	for _, m := range []mode{overHTTP, overGateway} {
		r := importRig(t, m)
		path := cdnPath("ATT1", "night-swim.fountain")
		r.fake.set(func(f *fakeDiscord) { f.CDN[path] = []byte(screenplay) })
		id, raw := r.attached(ines, attachment("night-swim.fountain", "https://cdn.discordapp.com"+path+"?ex=1&is=2&hm=3", len(screenplay)))
		resp := r.send(id, raw, false)
		r.ad.Wait()
		got := r.imports()
		if len(got) != 1 {
			t.Fatalf("mode %d: %d imports reached the bot, want 1 (answer %q)", m, len(got), resp.Data.Content)
		}
		c := got[0]
		if c.Text != "/scene import" || c.Caller != ines || c.Once != "discord:"+id {
			t.Errorf("mode %d: command %q from %s keyed %q", m, c.Text, c.Caller, c.Once)
		}
		if c.Upload == nil || c.Upload.Name != "night-swim.fountain" || string(c.Upload.Data) != screenplay {
			t.Errorf("mode %d: upload %+v, want the screenplay", m, c.Upload)
		}
		if f := fetched(r.fake.calls()); !slices.Equal(f, []string{"GET " + path}) {
			t.Errorf("mode %d: the CDN was asked %q", m, f)
		}
		if resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
			t.Errorf("mode %d: the answer is not ephemeral", m)
		}
	}
}

// TestAttachmentRefused: an attachment that cannot be imported never
// reaches the bot; the answer says why.
func TestAttachmentRefused(t *testing.T) {
	r := importRig(t, overHTTP)
	big := bytes.Repeat([]byte("A"), fountain.MaxSize+1)
	r.fake.set(func(f *fakeDiscord) {
		f.CDN[cdnPath("ATT1", "s.fountain")] = []byte(screenplay)
		f.CDN[cdnPath("ATT1", "big.fountain")] = big
		f.CDN[cdnPath("ATT1", "still.png")] = []byte("\x89PNG\r\n\x1a\n\x00\x00")
	})
	cdn := "https://cdn.discordapp.com"
	for _, tc := range []struct {
		name string
		file map[string]any
		want string
		// fetch is the CDN path asked for, "" for none.
		fetch string
	}{
		{"another host", attachment("s.fountain", "https://files.example.com"+cdnPath("ATT1", "s.fountain"), 10), "at files.example.com, not at its own file host", ""},
		{"a look-alike host", attachment("s.fountain", "https://cdn.discordapp.com.example.com"+cdnPath("ATT1", "s.fountain"), 10), "not at its own file host", ""},
		{"plain http", attachment("s.fountain", "http://cdn.discordapp.com"+cdnPath("ATT1", "s.fountain"), 10), "not at its own file host", ""},
		{"too big by its size", attachment("big.fountain", cdn+cdnPath("ATT1", "big.fountain"), len(big)), "big.fountain is 8.0 MiB, larger than 8.0 MiB", ""},
		{"too big while reading", attachment("big.fountain", cdn+cdnPath("ATT1", "big.fountain"), 100), "big.fountain is larger than 8.0 MiB", cdnPath("ATT1", "big.fountain")},
		{"not text", attachment("still.png", cdn+cdnPath("ATT1", "still.png"), 10), "still.png is not a text file", cdnPath("ATT1", "still.png")},
		{"gone", attachment("gone.fountain", cdn+cdnPath("ATT1", "gone.fountain"), 10), "could not be downloaded from Discord", cdnPath("ATT1", "gone.fountain")},
		{"not described", nil, "Discord sent no file with the command", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(r.h.commands())
			id, raw := r.attached(ines, tc.file)
			resp := r.send(id, raw, false)
			r.ad.Wait()
			if got := r.h.commands()[before:]; len(got) != 0 {
				t.Errorf("a refused attachment reached the bot: %+v", got)
			}
			if !strings.Contains(resp.Data.Content, tc.want) || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
				t.Errorf("answer %q (flags %d), want an ephemeral %q", resp.Data.Content, resp.Data.Flags, tc.want)
			}
			var want []string
			if tc.fetch != "" {
				want = []string{"GET " + tc.fetch}
			}
			if got := fetched(r.fake.calls()); !slices.Equal(got, want) {
				t.Errorf("the CDN was asked %q, want %q", got, want)
			}
		})
	}
}

// TestReplayedAttachmentKeyedOnce: the same signed interaction sent twice
// is the same request to the bot, keyed by the interaction's id, so that
// its import takes effect once.
func TestReplayedAttachmentKeyedOnce(t *testing.T) {
	r := importRig(t, overHTTP)
	path := cdnPath("ATT1", "s.fountain")
	r.fake.set(func(f *fakeDiscord) { f.CDN[path] = []byte(screenplay) })
	id, raw := r.attached(ines, attachment("s.fountain", "https://cdn.discordapp.com"+path, len(screenplay)))
	now := r.clock.Now()
	for i := range 2 {
		if status, body := r.signedPost(raw, now, nil); status != http.StatusOK || !json.Valid(body) {
			t.Fatalf("send %d: %d %s", i+1, status, body)
		}
		r.ad.Wait()
	}
	got := r.imports()
	if len(got) != 2 || got[0].Once != "discord:"+id || got[1].Once != got[0].Once || got[1].Upload == nil {
		t.Errorf("the two sends reached the bot as %+v, want both keyed discord:%s", got, id)
	}
}
