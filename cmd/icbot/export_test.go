package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
	"icbot/storage/keyfile"
)

// exportAudiences are every audience an export may be made for, on the
// demo production.
var exportAudiences = []string{"ic", "ad", "director", "producer", "costume", "hmu", "performer:@paula", "performer:@pete"}

// exportDemoScript runs a day on the demo's scene 12 before it is
// exported: a closed set with an acknowledgement, a take, a hold and its
// lift, and a take that drifted.
const exportDemoScript = `@adam /closedset start 12
@cora /closedset ack 12
@ines /take 12 b1 note="kiss held three counts, hands at the shoulders"
@pete /hold 12 "cold water"
@ines /hold lift 12
@ines /take 12 b1 note="hands drifted to the waist on the last count" drift=yes
@adam /closedset end 12
`

// editScene changes a scene of the database env names straight in the
// store, as the choreography and rehearsal commands would.
func editScene(t *testing.T, env map[string]string, id bot.SceneID, edit func(*bot.Scene)) {
	t.Helper()
	db := env["ICBOT_STORAGE_PATH"]
	key, err := keyfile.Read(storage.KeyFile(db))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(db, storage.WithTimeout(time.Second), storage.WithKey(key))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Update(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene(id)
		if err != nil {
			return err
		}
		edit(&sc)
		return tx.PutScene(sc)
	}); err != nil {
		t.Fatal(err)
	}
}

// rehearsedDB seeds the demo production, gives it the choreography and
// the rehearsal of demoRehearsed, then runs script on it, as exportDB
// does.
func rehearsedDB(t *testing.T, script string) map[string]string {
	t.Helper()
	env := exportDB(t, "")
	demoRehearsed(t, env)
	if _, errs, _, code := consoleRun(t, script, env, tourClock); code != 0 {
		t.Fatalf("running the script: exit %d: %s", code, errs)
	}
	return env
}

// demoRehearsed gives the demo's b1 two versions of choreography and
// scene 12 a rehearsal of it, which Pete disputes, the day before the
// closed set of exportDemoScript.
func demoRehearsed(t *testing.T, env map[string]string) {
	day := tourClock.Add(-24 * time.Hour)
	editScene(t, env, "12", func(sc *bot.Scene) {
		sc.Beats[0].Choreo = []bot.ChoreoVersion{
			{Version: 1, Text: "Kiss on three counts; breathe out before", By: "ines", At: day.Add(-time.Hour), Changed: []string{"text"}},
			{Version: 2, Text: "Kiss on three counts; hands at the shoulders, eyes closed", Steps: []string{"Paula turns to Pete", "hands at the shoulders", "kiss, three counts", "part, eyes to the water"},
				By: "ines", At: day.Add(time.Hour), Changed: []string{"text", "steps"}},
		}
		sc.Rehearsals = []bot.Rehearsal{{Seq: 1, At: day, By: "ines", Present: []bot.UserID{"paula", "pete", "ines", "dana"}, Beats: []string{"b1"},
			Changes: "hands moved from the waist to the shoulders",
			Confirmations: []bot.RehearsalConfirmation{
				{Performer: "paula", At: day.Add(30 * time.Minute), Confirmed: true},
				{Performer: "pete", At: day.Add(40 * time.Minute), Note: "we agreed four counts, not three"},
			}}}
	})
}

// exportDB seeds the demo production as the console does, runs script
// on it at the fixed clock, and returns the environment that names the
// database.
func exportDB(t *testing.T, script string) map[string]string {
	t.Helper()
	env := tourEnv(t)
	_, errs, _, code := consoleRun(t, script, env, tourClock)
	if code != 0 {
		t.Fatalf("seeding: exit %d: %s", code, errs)
	}
	return env
}

// goldenName is the file name of an audience's export.
func goldenName(kind, aud, ext string) string {
	return filepath.Join("testdata", "export", kind+"-"+strings.NewReplacer(":@", "-").Replace(aud)+"."+ext)
}

// TestExportGolden compares the exports of the demo production's scene
// 12, for every audience, in Markdown and JSON, and of the whole
// production for the IC and the AD, with the golden files (go test
// -update rewrites them).
func TestExportGolden(t *testing.T) {
	env := rehearsedDB(t, exportDemoScript)
	type run struct {
		golden string
		args   []string
	}
	var runs []run
	for _, aud := range exportAudiences {
		for _, f := range []string{"md", "json"} {
			runs = append(runs, run{goldenName("scene12", aud, f), []string{"export", "scene", "12", "--format", f, "--audience", aud}})
		}
	}
	for _, aud := range []string{"ic", "ad"} {
		for _, f := range []string{"md", "json"} {
			runs = append(runs, run{goldenName("production", aud, f), []string{"export", "production", "--format", f, "--audience", aud}})
		}
	}
	for _, r := range runs {
		t.Run(filepath.Base(r.golden), func(t *testing.T) {
			out, errs, code := icbot(t, "", env, r.args...)
			if code != 0 || errs != "" {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if *update {
				if err := os.MkdirAll(filepath.Dir(r.golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(r.golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(r.golden)
			if err != nil {
				t.Fatalf("%v (go test -run TestExportGolden -update writes it)", err)
			}
			if out != string(want) {
				t.Errorf("export differs from %s (go test -update rewrites it):\n%s", r.golden, out)
			}
			if strings.HasSuffix(r.golden, ".json") {
				var doc map[string]any
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				want := "icbot.scene/1"
				if r.args[1] == "production" {
					want = "icbot.production/1"
				}
				if doc["schema"] != want {
					t.Errorf("schema %v, want %s", doc["schema"], want)
				}
			}
		})
	}
}

// leakScript puts a canary into every private field of scene 12: each
// performer's boundary notes, garments and body notes and rider terms,
// the reasons of holds called by a performer and by the AD, and the
// IC's override reason, the director's intent, b1's camera,
// conditions, props and stunts notes and a take's note (Paula wants to
// discuss b1, so the closed set starts only on the IC's force);
// leakRecord adds the choreography and the rehearsal.
const leakScript = `@dana /scene intent 12 "CANARY-INTENT"
@ines /scene beat set 12 b1 camera="CANARY-CAMERA" conditions="CANARY-CONDITIONS" props="CANARY-PROPS" stunts="CANARY-STUNTS" widens=no
@paula /boundaries answer 12 b1=discuss notes="CANARY-NOTES-paula" garments="CANARY-GARMENTS-paula" body="CANARY-BODY-paula"
@pete /boundaries answer 12 b1=yes notes="CANARY-NOTES-pete" garments="CANARY-GARMENTS-pete" body="CANARY-BODY-pete"
@ines /rider signed 12 @paula terms="CANARY-TERMS-paula"
@ines /rider signed 12 @pete terms="CANARY-TERMS-pete"
@ines /closedset start 12 force reason="CANARY-OVERRIDE"
@ines /take 12 b1 note="CANARY-TAKE" drift=yes
@pete /hold 12 "CANARY-HOLD-pete"
@ines /hold lift 12
@adam /hold 12 "CANARY-HOLD-adam"
@ines /hold lift 12
@ines /closedset end 12
`

// canaryReaders is the need-to-know table for the canaries: the
// audiences that may read each; every other audience must not.
var canaryReaders = map[string][]string{
	"CANARY-NOTES-paula":    {"ic", "performer:@paula"},
	"CANARY-NOTES-pete":     {"ic", "performer:@pete"},
	"CANARY-GARMENTS-paula": {"ic", "performer:@paula", "costume"},
	"CANARY-GARMENTS-pete":  {"ic", "performer:@pete", "costume"},
	"CANARY-BODY-paula":     {"ic", "performer:@paula", "hmu"},
	"CANARY-BODY-pete":      {"ic", "performer:@pete", "hmu"},
	"CANARY-TERMS-paula":    {"ic", "performer:@paula"},
	"CANARY-TERMS-pete":     {"ic", "performer:@pete"},
	"CANARY-HOLD-pete":      {"ic", "performer:@pete"},
	"CANARY-HOLD-adam":      {"ic"},
	"CANARY-OVERRIDE":       {"ic"},
	"CANARY-INTENT":         {"ic", "ad", "director", "producer", "performer:@paula", "performer:@pete"},
	"CANARY-CAMERA":         {"ic", "ad", "director", "producer", "performer:@paula", "performer:@pete"},
	"CANARY-CONDITIONS":     {"ic", "ad", "director", "producer", "performer:@paula", "performer:@pete"},
	"CANARY-PROPS":          {"ic", "ad"},
	"CANARY-STUNTS":         {"ic", "ad"},
	"CANARY-CHOREO-TEXT":    {"ic", "director", "performer:@paula", "performer:@pete"},
	"CANARY-CHOREO-STEP":    {"ic", "director", "performer:@paula", "performer:@pete"},
	"CANARY-REH-CHANGES":    {"ic", "director", "performer:@paula", "performer:@pete"},
	"CANARY-REH-DISPUTE":    {"ic", "performer:@pete"},
	"CANARY-TAKE":           {"ic", "director"},
}

// leakDB is the database of leakScript with canaries in b1's
// choreography (its text and a step) and in a rehearsal's changes and a
// performer's dispute of its record.
func leakDB(t *testing.T) map[string]string {
	env := exportDB(t, leakScript)
	editScene(t, env, "12", func(sc *bot.Scene) {
		sc.Beats[0].Choreo = []bot.ChoreoVersion{{Version: 1, Text: "CANARY-CHOREO-TEXT", Steps: []string{"CANARY-CHOREO-STEP"}, By: "ines", At: tourClock, Changed: []string{"text", "steps"}}}
		sc.Rehearsals = []bot.Rehearsal{{Seq: 1, At: tourClock, By: "ines", Present: []bot.UserID{"paula", "pete"}, Beats: []string{"b1"}, Changes: "CANARY-REH-CHANGES",
			Confirmations: []bot.RehearsalConfirmation{{Performer: "pete", At: tourClock, Note: "CANARY-REH-DISPUTE"}}}}
	})
	return env
}

// TestExportLeak exports scene 12 and the production for every audience
// in both formats, and checks that each canary appears in exactly the
// exports of the audiences allowed to read it.
func TestExportLeak(t *testing.T) {
	env := leakDB(t)
	for _, aud := range exportAudiences {
		for _, what := range [][]string{{"scene", "12"}, {"production"}} {
			for _, f := range []string{"md", "json"} {
				args := append(append([]string{"export"}, what...), "--format", f, "--audience", aud)
				out, errs, code := icbot(t, "", env, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errs)
				}
				for canary, readers := range canaryReaders {
					got, want := strings.Contains(out, canary), slices.Contains(readers, aud)
					if got != want {
						t.Errorf("%s: %s appears %v, want %v", strings.Join(args[1:], " "), canary, got, want)
					}
				}
			}
		}
	}
}

// TestExportRefusals: bad input gets a usage message and exit 2, a
// missing scene or an unknown performer exit 1, and none of them writes
// anything.
func TestExportRefusals(t *testing.T) {
	env := exportDB(t, "")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nothing to export", []string{"export"}, exitUsage, "say what to export"},
		{"unknown kind", []string{"export", "scenes", "12"}, exitUsage, "say what to export"},
		{"no audience", []string{"export", "scene", "12", "--format", "md"}, exitUsage, "--audience is required"},
		{"unknown audience", []string{"export", "scene", "12", "--format", "md", "--audience", "camera"}, exitUsage, `unknown audience "camera"`},
		{"performer without a name", []string{"export", "scene", "12", "--format", "md", "--audience", "performer"}, exitUsage, "needs the performer's name"},
		{"no format", []string{"export", "scene", "12", "--audience", "ic"}, exitUsage, "--format must be md, json or pdf"},
		{"unknown format", []string{"export", "scene", "12", "--format", "html", "--audience", "ic"}, exitUsage, "--format must be md, json or pdf"},
		{"no scene id", []string{"export", "scene", "--format", "md", "--audience", "ic"}, exitUsage, "missing scene id"},
		{"bad scene id", []string{"export", "scene", "a b", "--format", "md", "--audience", "ic"}, exitUsage, "is not a scene id"},
		{"extra argument", []string{"export", "production", "x", "--format", "md", "--audience", "ic"}, exitUsage, `unexpected argument "x"`},
		{"no such scene", []string{"export", "scene", "99", "--format", "md", "--audience", "ic"}, exitError, "no scene 99"},
		{"unknown performer", []string{"export", "scene", "12", "--format", "md", "--audience", "performer:@zoe"}, exitError, "nobody called @zoe"},
		{"not a performer", []string{"export", "scene", "12", "--format", "md", "--audience", "performer:@adam"}, exitError, "@adam is not a performer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, code := icbot(t, "", env, c.args...)
			if code != c.code || !strings.Contains(errs, c.want) || out != "" {
				t.Errorf("exit %d, want %d; stderr %q, want it to hold %q; stdout %q", code, c.code, errs, c.want, out)
			}
		})
	}
}

// TestExportOutFile: --out makes a new file of mode 0600 and never
// overwrites one; the flags may come before the scene id.
func TestExportOutFile(t *testing.T) {
	env := exportDB(t, "")
	path := filepath.Join(t.TempDir(), "scene12.md")
	_, errs, code := icbot(t, "", env, "export", "scene", "--audience", "ad", "--format", "md", "--out", path, "12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode %v, want 0600", got)
	}
	first, _ := os.ReadFile(path)
	if !strings.Contains(string(first), "## Scene 12: Night swim at the lake house") {
		t.Errorf("file holds:\n%s", first)
	}
	_, errs, code = icbot(t, "", env, "export", "scene", "12", "--audience", "ic", "--format", "md", "--out", path)
	if code != exitError || !strings.Contains(errs, "never overwrites") {
		t.Errorf("second export to the same file: exit %d, stderr %q", code, errs)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Errorf("the existing file was changed")
	}
}

// TestExportNeedsKey: an encrypted database without its key is refused
// in words, and nothing is written.
func TestExportNeedsKey(t *testing.T) {
	env := exportDB(t, "")
	db := env["ICBOT_STORAGE_PATH"]
	if err := os.Rename(storage.KeyFile(db), db+".elsewhere"); err != nil {
		t.Fatal(err)
	}
	out, errs, code := icbot(t, "", env, "export", "scene", "12", "--format", "json", "--audience", "ic")
	if code != exitError || !strings.Contains(errs, "is encrypted, so exporting it needs its key") || out != "" {
		t.Errorf("exit %d, stderr %q, stdout %q", code, errs, out)
	}
	out, errs, code = icbot(t, "", map[string]string{"ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "none.db")}, "export", "production", "--format", "md", "--audience", "ad")
	if code != exitError || !strings.Contains(errs, "there is no database at") || out != "" {
		t.Errorf("no database: exit %d, stderr %q, stdout %q", code, errs, out)
	}
}
