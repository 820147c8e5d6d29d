package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestScriptRevisionInTheConsole runs the revision end to end in the
// console: the IC imports a first draft, casts it, confirms its kiss, and
// the performers agree to it and a rider is signed; the second draft
// widens the kiss into undressing, adds a nude scene and removes a scene.
// The IC hears of each consequence in one summary, and nobody else hears
// of anything until the IC says the change widens the beat, which voids
// the answers to it and asks for the rider's amendment.
func TestScriptRevisionInTheConsole(t *testing.T) {
	env, _ := dbEnv(t)
	script := strings.Join([]string{
		"/icbot role add @ines ic",
		"/icbot role add @paula performer",
		"/icbot role add @ben performer",
		"@ines /scene import testdata/script/draft1.fountain",
		"@ines /scene cast ANNA @paula",
		"@ines /scene cast BEN @ben",
		"@ines /scene beat confirm 1 1",
		`@ines /scene set 1 call="2026-12-20 09:00"`,
		"@ines /boundaries request 1",
		"@paula /boundaries answer 1 b1=yes",
		"@ben /boundaries answer 1 b1=yes",
		"@ines /rider signed 1 @paula",
		"# the second draft",
		"@ines /scene import testdata/script/draft2.fountain",
		"# the review",
		"@ines /scene beat review 1 b1 widens",
		"@ines /boundaries show 1",
		"@ines /rider status 1",
	}, "\n") + "\n"
	out, stderr, code := icbot(t, script, env, "--empty")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	first, rest, _ := strings.Cut(out, "# the second draft")
	revision, review, _ := strings.Cut(rest, "# the review")
	if !strings.Contains(first, `1. [kiss → contact] "Anna leans in and kisses Ben." (ANNA, BEN)`) || !strings.Contains(first, "Proposal 1 of scene 1 is now beat b1") {
		t.Fatalf("the first draft was not imported and confirmed:\n%s", first)
	}
	for _, want := range []string{
		"DM to @ines",
		"The revised script changes this, by scene:",
		`Scene 1 (INT. LAKE HOUSE - NIGHT):`,
		`line changed: "Anna leans in and kisses Ben, then slowly undresses him.", was "Anna leans in and kisses Ben."`,
		"beat b1 to review: /scene beat review 1 b1 widens|same",
		"Scene 4 (EXT. LAKE - DAWN): new in the script, added as a draft",
		`[nudity → nudity] "ANNA swims naked in the cold lake." (ANNA)`,
		"Scene 3 (INT. KITCHEN - DAY): no longer in the script: marked removed, not deleted",
		"@paula: beat b1 of scene 1 to review (its line changed)",
		"@ben: beat b1 of scene 1 to review (its line changed)",
	} {
		if !strings.Contains(revision, want) {
			t.Errorf("the revision's answer lacks %q:\n%s", want, revision)
		}
	}
	if strings.Count(revision, "DM to @ines") != 1 {
		t.Errorf("the IC got %d DMs of the revision, want one summary:\n%s", strings.Count(revision, "DM to @ines"), revision)
	}
	for _, who := range []string{"@paula", "@ben"} {
		if strings.Contains(revision, "DM to "+who) {
			t.Errorf("%s heard of the revision before the IC reviewed it:\n%s", who, revision)
		}
	}
	for _, want := range []string{
		"Beat b1 of scene 1 widened by the revised script",
		"the signed riders of @paula need amendment",
		"b1  Anna leans in and kisses Ben, then slowly undresses him. [contact]: not answered since the beat changed",
		"@paula: needs amendment",
	} {
		if !strings.Contains(review, want) {
			t.Errorf("the review lacks %q:\n%s", want, review)
		}
	}
}

func TestImportScriptDryRunJSON(t *testing.T) {
	env, db := dbEnv(t)
	out, stderr, code := icbot(t, "", env, "import", "script", "testdata/script/draft2.fountain", "--dry-run", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Schema string `json:"schema"`
		DryRun bool   `json:"dry_run"`
		Scenes []struct {
			ID        string `json:"id"`
			Heading   string `json:"heading"`
			Proposals []struct {
				Flag, Kind, Quote string
			} `json:"proposals"`
		} `json:"scenes"`
		Flagged, Proposals int
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.Schema != "icbot.breakdown/1" || !got.DryRun || len(got.Scenes) != 3 || got.Flagged != 2 || got.Proposals != 3 ||
		got.Scenes[2].ID != "4" || got.Scenes[2].Proposals[0].Kind != "nudity" {
		t.Errorf("breakdown %+v", got)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("--dry-run made a database: %v", err)
	}
}

func TestImportScriptIntoTheDatabase(t *testing.T) {
	env, _ := dbEnv(t)
	if _, stderr, code := icbot(t, "", env, "import", "script", "testdata/script/draft1.fountain"); code != exitError || !strings.Contains(stderr, "there is no database at") {
		t.Errorf("an import without a database: exit %d, %s", code, stderr)
	}
	if _, stderr, code := icbot(t, "/scene list\n", env, "--empty"); code != 0 {
		t.Fatal(stderr)
	}
	out, stderr, code := icbot(t, "", env, "import", "script", "testdata/script/draft1.fountain")
	if code != 0 || !strings.Contains(out, "3 scenes (3 new drafts, 0 already here)") || !strings.Contains(out, "Imported into database") {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	out, _, _ = icbot(t, "", env, "import", "script", "testdata/script/draft1.fountain", "--json")
	if !strings.Contains(out, `"match": "same"`) || strings.Contains(out, `"match": "new"`) {
		t.Errorf("a second import is not matched scene by scene:\n%s", out)
	}
	out, _, _ = icbot(t, "/icbot role add @admin ad\n/scene list\n", env)
	if strings.Count(out, "draft") != 3 {
		t.Errorf("the scenes after two imports:\n%s", out)
	}
}

func TestImportScriptRefusals(t *testing.T) {
	env, _ := dbEnv(t)
	bad := filepath.Join(t.TempDir(), "terms.yaml")
	if err := os.WriteFile(bad, []byte("add: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A named pipe that nobody writes to: opening it to read would block
	// for ever.
	fifo := filepath.Join(t.TempDir(), "pipe.fountain")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"nothing to import", []string{"import"}, env, exitUsage, "say what to import: script FILE"},
		{"a named pipe", []string{"import", "script", fifo, "--dry-run"}, env, exitError, fifo + " is not a file"},
		{"no file", []string{"import", "script"}, env, exitUsage, "missing the script's file"},
		{"a missing file", []string{"import", "script", "testdata/script/none.fountain", "--dry-run"}, env, exitError, "cannot read testdata/script/none.fountain"},
		{"a bad terms file", []string{"import", "script", "testdata/script/draft1.fountain", "--dry-run"},
			map[string]string{"ICBOT_PRODUCTION_BREAKDOWN_TERMS": bad}, exitError, "production.breakdown_terms: " + bad},
		{"a bad terms file refuses the start", []string{"--empty"},
			map[string]string{"ICBOT_PRODUCTION_BREAKDOWN_TERMS": bad, "ICBOT_STORAGE_PATH": env["ICBOT_STORAGE_PATH"]}, exitError, "production.breakdown_terms: " + bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := icbot(t, "", tt.env, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %d with %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}
