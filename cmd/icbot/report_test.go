package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConsoleReportPDF: /report scene format=pdf in the console writes
// the caller's record, laid out by the PDF writer of icbot export, into
// the reports folder beside the database, and DMs its path.
func TestConsoleReportPDF(t *testing.T) {
	env, db := dbEnv(t)
	out, errs, code := icbot(t, "@ines /report scene 12 format=pdf\n", env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	path := filepath.Join(filepath.Dir(db), "reports", "ines", "scene-12.pdf")
	if !strings.Contains(out, "The report of scene 12 is on its way by DM (scene-12.pdf).") || !strings.Contains(out, "file: "+path) {
		t.Errorf("the transcript lacks the reply or the path %s:\n%s", path, out)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("%s is not a PDF: %.40q", path, b)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}
