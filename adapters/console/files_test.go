package console_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icbot/adapters/console"
)

// TestReportSceneWrittenBesideTheDB: /report scene in the console writes
// the caller's file (mode 0600) into their own folder under the reports
// folder, never over an earlier one, and DMs them its path. The IC's
// holds Paula's consent note; the AD's does not.
func TestReportSceneWrittenBesideTheDB(t *testing.T) {
	const canary = "CANARY-console-report-77f0"
	dir := filepath.Join(t.TempDir(), "reports")
	out, _ := run(t, `@paula /boundaries answer 12 b1=yes b2=yes b3=yes b4=yes notes="`+canary+`"
@ines /report scene 12
@ines /report scene 12
/report scene 12 format=json
`, console.WithReports(dir))

	ic := filepath.Join(dir, "ines", "scene-12.md")
	for _, want := range []string{
		"The report of scene 12 is on its way by DM (scene-12.md).",
		"DM to @ines",
		"file: " + ic,
		"file: " + filepath.Join(dir, "ines", "scene-12-2.md"),
		"file: " + filepath.Join(dir, "adam", "scene-12.json"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "For: @ines") {
		t.Errorf("the record was printed, not only written:\n%s", out)
	}
	for path, canaryIn := range map[string]bool{ic: true, filepath.Join(dir, "adam", "scene-12.json"): false} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Night swim") || strings.Contains(string(b), canary) != canaryIn {
			t.Errorf("%s (canary wanted %v):\n%s", path, canaryIn, b)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
	}
}
