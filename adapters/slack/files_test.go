package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"icbot/bot"
)

// filesCanary is Paula's consent note: the IC's to read, not the AD's.
const filesCanary = "CANARY-slack-report-9e1d"

// TestReportSceneUploadedToDM: /report scene goes through Slack's upload
// flow end to end against the fake: an upload address, the bytes posted
// there, the file shared into the caller's DM with the message beside it.
// The IC's file holds Paula's consent note; the AD's does not.
func TestReportSceneUploadedToDM(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UPAULA", `/boundaries answer 12 b1=yes notes="`+filesCanary+`"`)
	r.fake.took()

	if got := r.slash("UINES", "/report scene 12"); got != "The report of scene 12 is on its way by DM (scene-12.md)." {
		t.Errorf("answer %q", got)
	}
	calls := r.fake.took()
	var flow []string
	for _, m := range methods(calls) {
		if strings.HasPrefix(m, "files.") {
			flow = append(flow, m)
		}
	}
	if want := []string{"files.getUploadURLExternal", "files.completeUploadExternal"}; !slices.Equal(flow, want) {
		t.Errorf("calls %v, want %v", flow, want)
	}
	if posts := posts(calls, "DUINES"); len(posts) != 0 {
		t.Errorf("the record went as a message too: %q", posts)
	}
	files := r.fake.filesIn("DUINES")
	if len(files) != 1 {
		t.Fatalf("files in the IC's DM: %+v", files)
	}
	f := files[0]
	if f.Title != "scene-12.md" || !strings.Contains(f.Comment, "The record of scene 12 (Night swim)") {
		t.Errorf("file %q with %q", f.Title, f.Comment)
	}
	if body := string(f.Data); !strings.HasPrefix(body, "# ") || !strings.Contains(body, "scene 12") || !strings.Contains(body, filesCanary) {
		t.Errorf("the IC's file:\n%s", body)
	}

	r.slash("UADAM", "/report scene 12 format=json")
	files = r.fake.filesIn("DUADAM")
	if len(files) != 1 || files[0].Title != "scene-12.json" {
		t.Fatalf("files in the AD's DM: %+v", files)
	}
	if body := string(files[0].Data); !strings.Contains(body, `"schema": "icbot.scene/1"`) || strings.Contains(body, filesCanary) {
		t.Errorf("the AD's file:\n%s", body)
	}
	for ch, fs := range map[string][]sharedFile{"GSCENE12": r.fake.filesIn("GSCENE12"), "CSET": r.fake.filesIn("CSET")} {
		if len(fs) != 0 {
			t.Errorf("files shared into %s: %+v", ch, fs)
		}
	}
}

// TestUploadOnlyToSlack: an upload address that does not lead to Slack's
// file host (or the configured API URL's) is not followed: neither the
// token nor the file goes there, nothing is shared, and the caller hears
// that the file was not sent.
func TestUploadOnlyToSlack(t *testing.T) {
	var elsewhere atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer evil.Close()
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) { f.uploadURL = evil.URL + "/upload/" })

	r.slash("UINES", "/report scene 12")
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached a host that is not Slack's", n)
	}
	if files := r.fake.filesIn("DUINES"); len(files) != 0 {
		t.Errorf("shared: %+v", files)
	}
	if got := r.fake.responseBodies("/response/UINES"); !strings.Contains(got, "upload address outside Slack") {
		t.Errorf("the caller was not told: %q", got)
	}
}

// TestUploadFailureMayPass: an upload address that answers 500 is a
// failure that may pass (the bot's queue tries again), with nothing
// shared; the next attempt shares the file once.
func TestUploadFailureMayPass(t *testing.T) {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) { f.broken["upload"] = 1 })
	file := bot.File{Name: "scene-12.md", Type: "text/markdown; charset=utf-8", Data: []byte("# the record\n")}
	m := bot.Message{Text: "The record of scene 12"}
	err := r.ad.SendFile(context.Background(), "UINES", file, m)
	if _, retry := bot.Transient(err, 1); err == nil || !retry {
		t.Fatalf("SendFile with the upload failing: %v, want a failure that may pass", err)
	}
	if files := r.fake.filesIn("DUINES"); len(files) != 0 {
		t.Fatalf("shared after a failed upload: %+v", files)
	}
	if err := r.ad.SendFile(context.Background(), "UINES", file, m); err != nil {
		t.Fatal(err)
	}
	if files := r.fake.filesIn("DUINES"); len(files) != 1 || string(files[0].Data) != "# the record\n" || files[0].Comment != "The record of scene 12" {
		t.Errorf("shared: %+v", files)
	}
}
