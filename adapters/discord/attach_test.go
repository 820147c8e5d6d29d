package discord_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/internal/scripttest"
	"icbot/bot"
	"icbot/bot/fountain"
)

// importRig is a seeded rig.
func importRig(t *testing.T, m mode) *rig {
	r := newRig(t, m).seed()
	r.fake.calls()
	return r
}

// attached is /scene import from user in the set channel, with a file
// named name that Discord describes as file (nil: not described at all).
func (r *rig) attached(user, name string, file map[string]any) (string, []byte) {
	r.t.Helper()
	data := r.commandData("scene import", o("file", name))
	if file == nil {
		delete(data, "resolved")
	} else {
		data["resolved"] = map[string]any{"attachments": map[string]any{attachmentID(name): file}}
	}
	return r.interaction(discordgo.InteractionApplicationCommand, user, in(setCh), data)
}

func attachment(name, url string, size int) map[string]any {
	return map[string]any{"id": attachmentID(name), "filename": name, "size": size, "url": url,
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
	data := r.commandData("scene import", o("file", "s.fountain"))
	opt := data["options"].([]any)[0].(map[string]any)["options"].([]any)[0].(map[string]any)
	if opt["name"] != "file" || opt["type"] != int(discordgo.ApplicationCommandOptionAttachment) {
		t.Errorf("the file option is %v, want an attachment (type 11)", opt)
	}
}

// TestAttachedScriptImported: the IC runs /scene import with the
// screenplay attached, over the HTTP endpoint and over the gateway; the
// bot gets the command with the file's bytes, fetched from the CDN,
// keyed by the interaction's id, the attachment's id no part of the
// line; the script's scenes are imported, and the answer is the
// breakdown.
func TestAttachedScriptImported(t *testing.T) {
	for _, m := range []mode{overHTTP, overGateway} {
		r := importRig(t, m)
		path := cdnPath(attachmentID("night-swim.fountain"), "night-swim.fountain")
		r.fake.set(func(f *fakeDiscord) { f.CDN[path] = []byte(scripttest.Script) })
		id, raw := r.interaction(discordgo.InteractionApplicationCommand, ines, in(setCh), r.commandData("scene import", o("file", "night-swim.fountain")))
		resp := r.send(id, raw, true)
		got := r.imports()
		if len(got) != 1 {
			t.Fatalf("mode %d: %d imports reached the bot, want 1 (answer %q)", m, len(got), resp.Data.Content)
		}
		c := got[0]
		if c.Text != "/scene import" || c.Caller != ines || c.Once != "discord:"+id {
			t.Errorf("mode %d: command %q from %s keyed %q", m, c.Text, c.Caller, c.Once)
		}
		if c.Upload == nil || c.Upload.Name != "night-swim.fountain" || string(c.Upload.Data) != scripttest.Script {
			t.Errorf("mode %d: upload %+v, want the screenplay", m, c.Upload)
		}
		if f := fetched(r.fake.calls()); !slices.Equal(f, []string{"GET " + path}) {
			t.Errorf("mode %d: the CDN was asked %q", m, f)
		}
		if !strings.Contains(resp.Data.Content, "Script night-swim.fountain: 2 scenes") || resp.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
			t.Errorf("mode %d: answer %q (flags %d), want the breakdown, ephemeral", m, resp.Data.Content, resp.Data.Flags)
		}
		if n := r.scriptScenes(); n != 2 {
			t.Errorf("mode %d: %d scenes from the script, want 2", m, n)
		}
	}
}

// scriptScenes counts the scenes that came from a script.
func (r *rig) scriptScenes() int {
	r.t.Helper()
	n := 0
	if err := r.store.View(context.Background(), func(tx bot.Tx) error {
		scenes, err := tx.Scenes()
		for _, sc := range scenes {
			if sc.Script != nil {
				n++
			}
		}
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// TestAttachmentRefused: an attachment that cannot be imported never
// reaches the bot and changes nothing; the answer says why.
func TestAttachmentRefused(t *testing.T) {
	r := importRig(t, overHTTP)
	big := bytes.Repeat([]byte("A"), fountain.MaxSize+1)
	at := func(name string) string { return cdnPath(attachmentID(name), name) }
	r.fake.set(func(f *fakeDiscord) {
		f.CDN[at("s.fountain")] = []byte(scripttest.Script)
		f.CDN[at("big.fountain")] = big
		f.CDN[at("still.png")] = []byte("\x89PNG\r\n\x1a\n\x00\x00")
	})
	cdn := "https://cdn.discordapp.com"
	for _, tc := range []struct {
		name string
		file string
		desc map[string]any
		want string
		// fetch is the CDN path asked for, "" for none.
		fetch string
	}{
		{"another host", "s.fountain", attachment("s.fountain", "https://files.example.com"+at("s.fountain"), 10), "at files.example.com, not at its own file host", ""},
		{"a look-alike host", "s.fountain", attachment("s.fountain", "https://cdn.discordapp.com.example.com"+at("s.fountain"), 10), "not at its own file host", ""},
		{"plain http", "s.fountain", attachment("s.fountain", "http://cdn.discordapp.com"+at("s.fountain"), 10), "not at its own file host", ""},
		{"too big by its size", "big.fountain", attachment("big.fountain", cdn+at("big.fountain"), len(big)), "big.fountain is 8.0 MiB, larger than 8.0 MiB", ""},
		{"too big while reading", "big.fountain", attachment("big.fountain", cdn+at("big.fountain"), 100), "big.fountain is larger than 8.0 MiB", at("big.fountain")},
		{"not text", "still.png", attachment("still.png", cdn+at("still.png"), 10), "still.png is not a text file", at("still.png")},
		{"gone", "gone.fountain", attachment("gone.fountain", cdn+at("gone.fountain"), 10), "could not be downloaded from Discord", at("gone.fountain")},
		{"not described", "s.fountain", nil, "Discord sent no file with the command", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, audit := len(r.h.commands()), r.auditLen()
			id, raw := r.attached(ines, tc.file, tc.desc)
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
			if r.auditLen() != audit || r.scriptScenes() != 0 {
				t.Errorf("a refused attachment changed something")
			}
		})
	}
}

// TestReplayedAttachmentImportsOnce: the same signed interaction sent
// twice imports once: the copy, keyed as the first by the interaction's
// id, is answered that it was already handled, and records nothing.
func TestReplayedAttachmentImportsOnce(t *testing.T) {
	r := importRig(t, overHTTP)
	path := cdnPath(attachmentID("s.fountain"), "s.fountain")
	r.fake.set(func(f *fakeDiscord) { f.CDN[path] = []byte(scripttest.Script) })
	id, raw := r.interaction(discordgo.InteractionApplicationCommand, ines, in(setCh), r.commandData("scene import", o("file", "s.fountain")))
	now := r.clock.Now()
	var answers []string
	var audit []uint64
	for i := range 2 {
		status, body := r.signedPost(raw, now, nil)
		var resp response
		if err := json.Unmarshal(body, &resp); status != http.StatusOK || err != nil {
			t.Fatalf("send %d: %d %s (%v)", i+1, status, body, err)
		}
		r.ad.Wait()
		answers = append(answers, resp.Data.Content)
		audit = append(audit, r.auditLen())
	}
	if !strings.Contains(answers[0], "Script s.fountain: 2 scenes (2 new drafts") || !strings.Contains(answers[1], "already handled") {
		t.Errorf("answers %q", answers)
	}
	if audit[1] != audit[0] {
		t.Errorf("the copy recorded %d audit entries", audit[1]-audit[0])
	}
	got := r.imports()
	if len(got) != 2 || got[0].Once != "discord:"+id || got[1].Once != got[0].Once {
		t.Errorf("the two sends reached the bot as %+v, want both keyed discord:%s", got, id)
	}
}
