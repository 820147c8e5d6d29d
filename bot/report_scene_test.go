package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// SendFile gives the test chat files: sent as kind "file", the message's
// text, a blank line and the file's name and bytes. A DM failure set for
// the person fails the upload too.
func (c *fakeChat) SendFile(ctx context.Context, to bot.UserID, f bot.File, m bot.Message) error {
	c.mu.Lock()
	err := c.failDM[to]
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.record(sent{Kind: "file", To: string(to), Class: m.Class, Text: m.Text + "\n\n" + f.Name + " " + f.Type + "\n" + string(f.Data)})
	return nil
}

// reportCanary is Paula's consent note on scene 12: the IC's to read.
const reportCanary = "CANARY-report-notes-51c2"

// TestReportSceneByRole: each caller's file holds what their roles let
// them read: the IC's holds Paula's consent note, the AD's does not; the
// caller is told at once that it is on its way.
func TestReportSceneByRole(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes notes="`+reportCanary+`"`)
	for _, c := range []struct {
		caller string
		canary bool
	}{{"ines", true}, {"adam", false}, {"paula", true}, {"cora", false}, {"gary", false}} {
		t.Run(c.caller, func(t *testing.T) {
			r := h.must(c.caller, "/report scene 12")
			if want := "The report of scene 12 is on its way by DM (scene-12.md)."; r.reply != want {
				t.Errorf("reply %q, want %q", r.reply, want)
			}
			files := to(r.sent, "file", c.caller)
			if len(files) != 1 || len(r.sent) != 1 {
				t.Fatalf("sent %+v, want one file to %s", r.sent, c.caller)
			}
			got := files[0].Text
			if !strings.Contains(got, "scene-12.md text/markdown") || !strings.Contains(got, "# Test: scene 12") {
				t.Errorf("file:\n%s", got)
			}
			if strings.Contains(got, reportCanary) != c.canary {
				t.Errorf("canary in %s's file: %v, want %v\n%s", c.caller, !c.canary, c.canary, got)
			}
		})
	}
	if len(h.pending()) != 0 {
		t.Errorf("deliveries left: %+v", h.pending())
	}
}

// TestReportSceneJSON: format=json sends the record in its schema.
func TestReportSceneJSON(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("adam", "/report scene 12 format=json")
	files := to(r.sent, "file", "adam")
	if len(files) != 1 {
		t.Fatalf("sent %+v", r.sent)
	}
	_, body, _ := strings.Cut(files[0].Text, "application/json\n")
	var e bot.SceneExport
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if e.Schema != bot.SceneSchema || e.Scene.ID != "12" || e.Audience != "@adam (ad)" {
		t.Errorf("head %+v, scene %s", e.RecordHead, e.Scene.ID)
	}
}

// TestReportSceneRefusals: a stranger, a bad format, a scene that does
// not exist and a PDF nobody can write are refused in words, and queue
// nothing.
func TestReportSceneRefusals(t *testing.T) {
	h := newHarness(t).seed()
	for _, c := range []struct {
		caller, cmd, code string
		want              []string
	}{
		{"nobody", "/report scene 12", bot.EFORBIDDEN, []string{"no role"}},
		{"ines", "/report scene 12 format=docx", bot.EINVALID, []string{"format= takes md, json or pdf", "Usage: /report scene ID [format=md|json|pdf]"}},
		{"ines", "/report scene", bot.EINVALID, []string{"scene id", "Usage: /report scene ID"}},
		{"ines", "/report scene 99", bot.ENOTFOUND, []string{"99"}},
		{"ines", "/report scene 12 14", bot.EINVALID, []string{"14"}},
		{"ines", "/report scene 12 format=pdf", bot.EUNAVAILABLE, []string{"cannot write pdf reports", "format=md", "icbot export scene 12 --format pdf"}},
	} {
		t.Run(c.cmd+"/"+c.caller, func(t *testing.T) {
			before := h.auditLen()
			r := h.do(c.caller, c.cmd)
			if r.code() != c.code {
				t.Fatalf("code %q, want %q: %s", r.code(), c.code, r.reply)
			}
			for _, w := range c.want {
				if !strings.Contains(r.reply, w) {
					t.Errorf("reply %q does not say %q", r.reply, w)
				}
			}
			if len(r.sent) != 0 || len(h.pending()) != 0 || h.auditLen() != before {
				t.Errorf("a refused request changed something: sent %+v", r.sent)
			}
		})
	}
}

// TestReportSceneWithoutFiles: a chat that cannot send files gets the
// command refused, with the command line named instead.
func TestReportSceneWithoutFiles(t *testing.T) {
	fc := &fakeChat{}
	h := newHarness(t, func(o *harnessOpt) {
		fc.private, fc.members = harnessChannels()
		o.chat, o.rec = plainChat{fc}, fc
	}).seed()
	r := h.do("ines", "/report scene 12")
	if r.code() != bot.EUNAVAILABLE || !strings.Contains(r.reply, "icbot export scene 12") {
		t.Errorf("%s: %s", r.code(), r.reply)
	}
	if len(h.pending()) != 0 {
		t.Errorf("queued: %+v", h.pending())
	}
}

// plainChat is a chat without files.
type plainChat struct{ c *fakeChat }

func (p plainChat) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	return p.c.Post(ctx, ch, m)
}
func (p plainChat) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	return p.c.DM(ctx, to, m)
}
func (p plainChat) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	return p.c.IsPrivate(ctx, ch)
}

// TestReportSceneRendered: a renderer given to the bot writes pdf; the
// file carries its bytes, built from the caller's record.
func TestReportSceneRendered(t *testing.T) {
	h := newHarness(t).seed()
	var rendered []bot.SceneExport
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }),
		bot.WithRenderer("pdf", func(e bot.SceneExport) ([]byte, error) {
			rendered = append(rendered, e)
			return []byte("%PDF-fake " + e.Audience), nil
		}))
	r := h.must("cora", "/report scene 12 format=pdf")
	if got := joined(to(r.sent, "file", "cora")); !strings.Contains(got, "scene-12.pdf application/pdf\n%PDF-fake @cora (costume)") {
		t.Errorf("file: %q", got)
	}
	if len(rendered) != 1 || rendered[0].Scene.ID != "12" {
		t.Errorf("rendered %+v", rendered)
	}
}

// TestReportSceneRetriedAndRebuilt: an upload that fails stays queued as
// a request, survives a restart, and is built again when retried, for
// the recipient as they are then: the IC role taken away meanwhile, the
// consent note is no longer in the file.
func TestReportSceneRetriedAndRebuilt(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes notes="`+reportCanary+`"`)
	setRoles := func(roles ...bot.Role) {
		t.Helper()
		if err := h.store.Update(context.Background(), func(tx bot.Tx) error {
			return tx.PutPerson(bot.Person{ID: "ines", Name: "ines", Roles: roles})
		}); err != nil {
			t.Fatal(err)
		}
	}
	setRoles(bot.RoleIC, bot.RoleAD)
	h.rec.setFailDM("ines", bot.RetryLater(time.Minute, errors.New("upload failed")))
	r := h.must("ines", "/report scene 12")
	if !strings.Contains(r.reply, "on its way by DM") || len(to(r.sent, "file", "ines")) != 0 {
		t.Fatalf("reply %q, sent %+v", r.reply, r.sent)
	}
	ds := h.pending()
	if len(ds) != 1 || ds[0].File == nil || ds[0].File.Format != "md" || ds[0].Attempts != 1 {
		t.Fatalf("pending after the failed upload: %+v", ds)
	}
	if strings.Contains(ds[0].Message.Text, reportCanary) {
		t.Errorf("the queued request holds the record: %q", ds[0].Message.Text)
	}

	// The IC role goes; icbot restarts; the upload works again.
	setRoles(bot.RoleAD)
	h.rec.setFailDM("ines", nil)
	h.now = h.now.Add(2 * time.Minute)
	again := bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }))
	if _, err := again.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	files := to(h.rec.take(), "file", "ines")
	if len(files) != 1 {
		t.Fatalf("files after the retry: %+v", files)
	}
	if got := files[0].Text; strings.Contains(got, reportCanary) || !strings.Contains(got, "@ines (ad)") {
		t.Errorf("the retried file was not built for the AD she now is:\n%s", got)
	}
	if len(h.pending()) != 0 {
		t.Errorf("still pending: %+v", h.pending())
	}
}

// TestReportSceneRemovedMeanwhile: a scene removed before its file could
// be sent is given up, and the caller is told why.
func TestReportSceneRemovedMeanwhile(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setFailDM("adam", bot.RetryLater(time.Minute, errors.New("upload failed")))
	h.must("adam", "/report scene 14")
	h.rec.setFailDM("adam", nil)
	h.must("adam", "/scene remove 14")
	h.now = h.now.Add(2 * time.Minute)
	if _, err := h.bot.DeliverDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := h.rec.take()
	if files := to(got, "file", "adam"); len(files) != 0 {
		t.Errorf("a file of a removed scene: %+v", files)
	}
	if late := joined(to(got, "late", "adam")); !strings.Contains(late, "scene 14 was removed before its record could be sent") {
		t.Errorf("the caller was not told: %+v", got)
	}
	if len(h.pending()) != 0 {
		t.Errorf("still pending: %+v", h.pending())
	}
}

// TestReportSceneRendererPanics: a renderer that panics fails its one
// file, which is not tried again, and the caller is told; icbot goes on.
func TestReportSceneRendererPanics(t *testing.T) {
	h := newHarness(t).seed()
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }),
		bot.WithRenderer("pdf", func(bot.SceneExport) ([]byte, error) { panic("index out of range [65533] with length 256") }))
	r := h.must("cora", "/report scene 12 format=pdf")
	if got := joined(to(r.sent, "file", "cora")); got != "" {
		t.Errorf("a file was sent: %q", got)
	}
	if got := joined(to(r.sent, "late", "cora")); !strings.Contains(got, "could not be written") {
		t.Errorf("cora was not told: %q", got)
	}
	h.must("ines", "/scene show 12")
}

// TestReportSceneOtherPerformersScene: a performer asks for the record
// of a scene they are not in, and is refused, as /scene list leaves it
// out for them; the production's record for a performer holds only
// their own scenes.
func TestReportSceneOtherPerformersScene(t *testing.T) {
	h := newHarness(t).seed()
	r := h.do("pete", "/report scene 12")
	if r.code() != bot.EFORBIDDEN || !strings.Contains(r.reply, "not a performer of scene 12") || len(r.sent) > 0 {
		t.Errorf("pete, scene 12: %s %q %+v", r.code(), r.reply, r.sent)
	}
	e, err := h.bot.ProductionRecord(context.Background(), bot.Audience{Role: bot.RolePerformer, Performer: "pete"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range e.Scenes {
		if !slices.Contains(sc.Performers, "@pete") {
			t.Errorf("pete's production record holds scene %s (performers %v)", sc.ID, sc.Performers)
		}
	}
	if len(e.Scenes) == 0 {
		t.Errorf("pete's production record holds none of his scenes")
	}
}
