package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"icbot/adapters/internal/scripttest"
	"icbot/adapters/slack"
	"icbot/bot"
	"icbot/bot/fountain"
)

const screenplay = scripttest.Script

// shareEvent is the message event of a file shared by user in channel
// (of type kind: im, channel, group), with text beside it; file is the
// event's files entry.
func shareEvent(id, user, channel, kind, text string, files ...map[string]any) map[string]any {
	return map[string]any{"type": "event_callback", "event_id": id, "team_id": "T1",
		"event": map[string]any{"type": "message", "subtype": "file_share", "channel_type": kind, "channel": channel,
			"user": user, "text": text, "upload": true, "files": files}}
}

func sharedFileEntry(name, download string, size int) map[string]any {
	return map[string]any{"id": "F" + name, "name": name, "mimetype": "text/plain", "filetype": "text", "size": size, "mode": "hosted",
		"url_private": strings.Replace(download, "/download", "", 1), "url_private_download": download}
}

// shareRig is a seeded rig (the IC is UINES) whose HTTP routes hand
// commands to a recorder.
func shareRig(t *testing.T) (*rig, *recorder, *httptest.Server) {
	r := newRig(t).seed()
	rec := &recorder{Bot: r.bot}
	srv := httptest.NewServer(r.ad.Routes(rec))
	t.Cleanup(srv.Close)
	return r, rec, srv
}

// postEvent posts a signed Events API body to srv and waits for what
// follows its acknowledgement.
func (r *rig) postEvent(srv *httptest.Server, ev map[string]any, headers ...string) {
	r.t.Helper()
	body, _ := json.Marshal(ev)
	if code, resp := r.postTo(srv, "/slack/events", "application/json", string(body), headers...); code != http.StatusOK {
		r.t.Fatalf("status %d: %s", code, resp)
	}
	r.ad.Wait()
}

// imports lists the /scene import commands that reached the bot.
func imports(rec *recorder) []bot.Command {
	var out []bot.Command
	for _, c := range rec.commands() {
		if strings.HasPrefix(c.Text, "/scene import") {
			out = append(out, c)
		}
	}
	return out
}

// TestSharedScriptImported: the IC shares a screenplay in the DM with
// icbot, over a signed Events API request; the bot gets /scene import
// from the IC, in that DM, with the file's bytes, keyed by the event id;
// the script is imported, and the breakdown answers in the DM. Text
// beside the file is the command when it is an import, and is ignored
// otherwise.
func TestSharedScriptImported(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"", "/scene import"},
		{"here is draft 2", "/scene import"},
		{"/scene list", "/scene import"},
		{"/scene import dry-run", "/scene import dry-run"},
		{"scene import dry-run", "/scene import dry-run"},
		{"/scene imports", "/scene import"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			r, rec, srv := shareRig(t)
			url := r.fake.host("T1-F1/download/night-swim.fountain", []byte(screenplay))
			r.postEvent(srv, shareEvent("EvF1", "UINES", "DUINES", "im", tc.text, sharedFileEntry("night-swim.fountain", url, len(screenplay))))
			got := imports(rec)
			if len(got) != 1 {
				t.Fatalf("%d imports reached the bot, want 1: %+v", len(got), rec.commands())
			}
			c := got[0]
			if c.Text != tc.want || c.Caller != "UINES" || c.Channel != "DUINES" || c.Once != "slack:event:EvF1" || c.CallerName != "ines" {
				t.Errorf("command %q from %s (%q) in %s keyed %q", c.Text, c.Caller, c.CallerName, c.Channel, c.Once)
			}
			if c.Upload == nil || c.Upload.Name != "night-swim.fountain" || string(c.Upload.Data) != screenplay {
				t.Errorf("upload %+v, want the screenplay", c.Upload)
			}
			if got := strings.Join(posts(r.fake.took(), "DUINES"), "\n"); !strings.Contains(got, "Script night-swim.fountain: 2 scenes (2 new drafts") {
				t.Errorf("the DM says %q, want the breakdown", got)
			}
			if n := r.scriptScenes(); n != 2 {
				t.Errorf("%d scenes from the script, want 2", n)
			}
		})
	}
}

// TestSharedScriptOverSocketMode: the same share, as a Socket Mode
// envelope: acknowledged, then imported with the bytes.
func TestSharedScriptOverSocketMode(t *testing.T) {
	var rec *recorder
	r := newRig(t, overSocket(func(b *bot.Bot) slack.Handler { rec = &recorder{Bot: b}; return rec })).seed()
	feed := drain(r.fake.srv.SeenFeed)
	url := r.fake.host("T1-F2/download/draft.fountain", []byte(screenplay))
	r.fake.srv.SendToWebsocket(envelope("env-share", "events_api",
		shareEvent("EvF2", "UINES", "DUINES", "im", "", sharedFileEntry("draft.fountain", url, len(screenplay)))))
	feed.waitFor(t, "env-share")
	r.ad.Wait()
	got := imports(rec)
	if len(got) != 1 || got[0].Upload == nil || string(got[0].Upload.Data) != screenplay || got[0].Once != "slack:event:EvF2" {
		t.Fatalf("imports %+v, want one with the screenplay", got)
	}
	if got := strings.Join(posts(r.fake.took(), "DUINES"), "\n"); !strings.Contains(got, "Script draft.fountain: 2 scenes") {
		t.Errorf("the DM says %q, want the breakdown", got)
	}
}

// TestSharedScriptRefused: a file that cannot be imported never reaches
// the bot; the person is told why in the DM.
func TestSharedScriptRefused(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte(screenplay))
	}))
	defer other.Close()
	big := bytes.Repeat([]byte("A"), fountain.MaxSize+1)
	for _, tc := range []struct {
		name  string
		files func(f *fakeSlack) []map[string]any
		want  string
		// fetched: whether the fake's file host is asked at all.
		fetched bool
	}{
		{"another host", func(f *fakeSlack) []map[string]any {
			return []map[string]any{sharedFileEntry("a.fountain", other.URL+"/files-pri/T1-F3/download/a.fountain", len(screenplay))}
		}, "not at its own file host", false},
		{"too big by its size", func(f *fakeSlack) []map[string]any {
			return []map[string]any{sharedFileEntry("big.fountain", f.host("big", big), len(big))}
		}, "big.fountain is 8.0 MiB, larger than 8.0 MiB", false},
		{"too big while reading", func(f *fakeSlack) []map[string]any {
			return []map[string]any{sharedFileEntry("big.fountain", f.host("big", big), 100)}
		}, "big.fountain is larger than 8.0 MiB", true},
		{"not text", func(f *fakeSlack) []map[string]any {
			return []map[string]any{sharedFileEntry("still.png", f.host("png", []byte("\x89PNG\r\n\x1a\n\x00\x00")), 10)}
		}, "still.png is not a text file", true},
		{"gone", func(f *fakeSlack) []map[string]any {
			return []map[string]any{sharedFileEntry("gone.fountain", f.srv.GetAPIURL()+"files-pri/nothing", 10)}
		}, "could not be downloaded from Slack", true},
		{"no download address", func(f *fakeSlack) []map[string]any {
			f.infos["F9"] = map[string]any{"id": "F9", "name": "linked.fountain", "mode": "external", "url_private": "https://drive.example.com/x"}
			return []map[string]any{{"id": "F9", "name": "linked.fountain", "mode": "external", "size": 10}}
		}, "linked.fountain cannot be downloaded from Slack", false},
		{"not found by files.info", func(f *fakeSlack) []map[string]any {
			return []map[string]any{{"id": "F404", "name": "lost.fountain", "file_access": "check_file_info"}}
		}, "lost.fountain could not be looked up on Slack", false},
		{"two files", func(f *fakeSlack) []map[string]any {
			u := f.host("one", []byte(screenplay))
			return []map[string]any{sharedFileEntry("one.fountain", u, 10), sharedFileEntry("two.fountain", u, 10)}
		}, "shares 2 files", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, rec, srv := shareRig(t)
			r.postEvent(srv, shareEvent("EvR", "UINES", "DUINES", "im", "", tc.files(r.fake)...))
			if got := imports(rec); len(got) != 0 || r.scriptScenes() != 0 {
				t.Errorf("a refused file reached the bot: %+v", got)
			}
			if got := strings.Join(posts(r.fake.took(), "DUINES"), "\n"); !strings.Contains(got, tc.want) || !strings.Contains(got, "import") {
				t.Errorf("the DM says %q, want %q", got, tc.want)
			}
			if got := r.fake.downloaded() > 0; got != tc.fetched {
				t.Errorf("the file host was asked: %v, want %v", got, tc.fetched)
			}
		})
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("icbot asked another host for a file %d times, with its token", n)
	}
}

// TestSharedScriptLookedUp: a share whose file Slack describes only in
// part (file_access check_file_info) is looked up with files.info, then
// downloaded and imported.
func TestSharedScriptLookedUp(t *testing.T) {
	r, rec, srv := shareRig(t)
	url := r.fake.host("T1-F7/download/draft3.fountain", []byte(screenplay))
	r.fake.set(func(f *fakeSlack) {
		f.infos["F7"] = map[string]any{"id": "F7", "name": "draft3.fountain", "size": len(screenplay), "url_private_download": url}
	})
	r.postEvent(srv, shareEvent("EvF7", "UINES", "DUINES", "im", "", map[string]any{"id": "F7", "file_access": "check_file_info"}))
	got := imports(rec)
	if len(got) != 1 || got[0].Upload == nil || got[0].Upload.Name != "draft3.fountain" || string(got[0].Upload.Data) != screenplay {
		t.Fatalf("imports %+v, want one with draft3.fountain", got)
	}
	if !slices.Contains(methods(r.fake.took()), "files.info") {
		t.Errorf("files.info was not asked")
	}
}

// TestSharedInChannelIgnored: a file shared in a channel, public or
// private, or by a bot, or by icbot itself, is no import: nothing is
// downloaded, nothing reaches the bot, nothing is said.
func TestSharedInChannelIgnored(t *testing.T) {
	r, rec, srv := shareRig(t)
	url := r.fake.host("T1-F4/download/s.fountain", []byte(screenplay))
	file := sharedFileEntry("s.fountain", url, len(screenplay))
	r.postEvent(srv, shareEvent("EvC1", "UINES", "C0PUBLIC", "channel", "", file))
	r.postEvent(srv, shareEvent("EvC2", "UINES", "GSCENE12", "group", "/scene import", file))
	r.postEvent(srv, shareEvent("EvC3", "UINES", "CMPIM", "mpim", "", file))
	r.postEvent(srv, shareEvent("EvC4", botUser, "DUINES", "im", "", file))
	bot := shareEvent("EvC5", "UOTHERBOT", "DUOTHERBOT", "im", "", file)
	bot["event"].(map[string]any)["bot_id"] = "B1"
	r.postEvent(srv, bot)
	if got := rec.commands(); len(got) != 0 {
		t.Errorf("commands reached the bot: %+v", got)
	}
	if n := r.fake.downloaded(); n != 0 {
		t.Errorf("%d downloads, want none", n)
	}
	for _, c := range r.fake.took() {
		if c.Method == "chat.postMessage" {
			t.Errorf("icbot said %q in %s", c.Form.Get("text"), c.Form.Get("channel"))
		}
	}
}

// TestRedeliveredShareImportsOnce: Slack delivers the share again, over
// HTTP and then over Socket Mode; each delivery is the same request to
// the bot (one key, the event id's), and the script is imported once:
// one breakdown in the DM, nothing recorded by the copies.
func TestRedeliveredShareImportsOnce(t *testing.T) {
	var rec *recorder
	r := newRig(t, overSocket(func(b *bot.Bot) slack.Handler { rec = &recorder{Bot: b}; return rec })).seed()
	feed := drain(r.fake.srv.SeenFeed)
	srv := httptest.NewServer(r.ad.Routes(rec))
	defer srv.Close()
	url := r.fake.host("T1-F5/download/s.fountain", []byte(screenplay))
	ev := shareEvent("EvOnce", "UINES", "DUINES", "im", "", sharedFileEntry("s.fountain", url, len(screenplay)))
	r.postEvent(srv, ev)
	audit := r.auditLen()
	r.postEvent(srv, ev, "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	r.fake.srv.SendToWebsocket(envelope("env-again", "events_api", ev))
	feed.waitFor(t, "env-again")
	r.ad.Wait()
	got := imports(rec)
	if len(got) != 3 || got[0].Once != "slack:event:EvOnce" || got[1].Once != got[0].Once || got[2].Once != got[0].Once {
		t.Errorf("deliveries reached the bot as %+v, want three with the key slack:event:EvOnce", got)
	}
	if n := r.auditLen(); n != audit {
		t.Errorf("the copies recorded %d audit entries", n-audit)
	}
	var breakdowns int
	for _, p := range posts(r.fake.took(), "DUINES") {
		if strings.Contains(p, "Script s.fountain: 2 scenes") {
			breakdowns++
		}
	}
	if breakdowns != 1 {
		t.Errorf("%d breakdowns in the DM, want 1", breakdowns)
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
