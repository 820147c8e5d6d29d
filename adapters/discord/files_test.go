package discord_test

import (
	"strings"
	"testing"
)

// filesCanary is Paula's consent note: the IC's to read, not the AD's.
const filesCanary = "CANARY-discord-report-3b7a"

// TestReportSceneAttachedToDM: /report scene sends the caller a DM with
// the scene's record attached (a multipart message, as Discord takes
// files): the IC's holds Paula's consent note, the AD's does not, and
// nothing goes to any other channel.
func TestReportSceneAttachedToDM(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	r.mustSay(paula, "boundaries answer", "saved", o("id", "12"), o("answers", "b1=yes"), o("notes", filesCanary))
	r.fake.calls()

	if got := r.slash(ines, in(setCh), "report scene", o("id", "12")); got != "The report of scene 12 is on its way by DM (scene-12.md)." {
		t.Errorf("answer %q", got)
	}
	r.slash(adam, in(setCh), "report scene", o("id", "12"), o("format", "json"))

	var files map[string][]fakeFile
	r.fake.set(func(f *fakeDiscord) {
		files = map[string][]fakeFile{}
		for ch, fs := range f.Files {
			files[ch] = append([]fakeFile(nil), fs...)
		}
	})
	if len(files) != 2 {
		t.Errorf("files went to %d channels, want the two DMs: %+v", len(files), files)
	}
	ic := files["DM"+ines]
	if len(ic) != 1 || ic[0].Name != "scene-12.md" || !strings.HasPrefix(ic[0].ContentType, "text/markdown") {
		t.Fatalf("the IC's DM: %+v", ic)
	}
	if !strings.Contains(ic[0].Content, "The record of scene 12 (Night swim)") || !strings.Contains(ic[0].Data, "scene 12") || !strings.Contains(ic[0].Data, filesCanary) {
		t.Errorf("the IC's file, with %q:\n%s", ic[0].Content, ic[0].Data)
	}
	ad := files["DM"+adam]
	if len(ad) != 1 || ad[0].Name != "scene-12.json" || ad[0].ContentType != "application/json" {
		t.Fatalf("the AD's DM: %+v", ad)
	}
	if !strings.Contains(ad[0].Data, `"schema": "icbot.scene/1"`) || strings.Contains(ad[0].Data, filesCanary) {
		t.Errorf("the AD's file:\n%s", ad[0].Data)
	}
}
