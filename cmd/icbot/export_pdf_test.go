package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// pdfHeadings are the headings and furniture the IC's PDF of scene 12
// shows after exportDemoScript.
var pdfHeadings = []string{
	"Night Swim (demo): scene 12", "Made Thu 26 Nov 2026 08:00 UTC for ic",
	"Scene 12: Night swim at the lake house", "Beats", "Description", "Consent", "Riders",
	"Closed sets", "Holds", "Called by", "Top-line summary",
	"Choreography", "Rehearsals", "Logged by", "The performers' answers to the records:", "Takes", "Closed set", "Drift",
	"Page 1 of ",
}

// TestExportPDFPoppler renders the IC's PDF of scene 12 and reads its
// text back with pdftotext.
func TestExportPDFPoppler(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not found: install poppler-utils to check the PDF's text with a PDF reader (TestExportPDFText checks it without)")
	}
	env := rehearsedDB(t, exportDemoScript)
	path := filepath.Join(t.TempDir(), "scene12.pdf")
	if _, errs, code := icbot(t, "", env, "export", "scene", "12", "--format", "pdf", "--audience", "ic", "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	out, err := exec.Command(bin, "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range pdfHeadings {
		if !bytes.Contains(out, []byte(h)) {
			t.Errorf("the PDF's text lacks %q:\n%s", h, out)
		}
	}
}

// pdfText is the text drawn on the pages of an uncompressed PDF from
// fpdf: the strings of its Tj operators, one a line.
func pdfText(pdf []byte) string {
	var lines []string
	for _, m := range regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`).FindAllSubmatch(pdf, -1) {
		lines = append(lines, strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(m[1])))
	}
	return strings.Join(lines, "\n")
}

// pdfPages is the text of each page of an uncompressed PDF from fpdf,
// whose page contents are its streams in page order.
func pdfPages(pdf []byte) []string {
	var pages []string
	for _, m := range regexp.MustCompile(`(?s)stream\n(.*?)endstream`).FindAllSubmatch(pdf, -1) {
		if t := pdfText(m[1]); t != "" {
			pages = append(pages, t)
		}
	}
	return pages
}

// uncompressedPDF runs args with the PDF's streams left uncompressed, so
// that the page text can be read without a PDF reader.
func uncompressedPDF(t *testing.T, env map[string]string, args ...string) []byte {
	t.Helper()
	pdfCompress = false
	defer func() { pdfCompress = true }()
	out, errs, code := icbot(t, "", env, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errs)
	}
	if !strings.HasPrefix(out, "%PDF-") {
		t.Fatalf("not a PDF: %.40q", out)
	}
	return []byte(out)
}

// TestExportPDFText checks the headings, the header and the page
// numbers of the IC's PDF of scene 12, and that a production export has
// a page per scene, numbered "of" the total.
func TestExportPDFText(t *testing.T) {
	env := rehearsedDB(t, exportDemoScript+`@ines /scene add 30 title="Stairs" call="2026-12-05 14:00" performers=@pete
`)
	text := pdfText(uncompressedPDF(t, env, "export", "scene", "12", "--format", "pdf", "--audience", "ic"))
	for _, h := range pdfHeadings {
		if !strings.Contains(text, h) {
			t.Errorf("the PDF's text lacks %q:\n%s", h, text)
		}
	}
	// The holds' heading and table header are on the page of the first
	// hold, not left at the foot of the page before.
	for i, page := range pdfPages(uncompressedPDF(t, env, "export", "scene", "12", "--format", "pdf", "--audience", "ic")) {
		if strings.Contains(page, "\nHolds\n") != strings.Contains(page, "cold water") || strings.Contains(page, "Called by") != strings.Contains(page, "cold water") {
			t.Errorf("page %d has the holds' heading, header or first row without the others:\n%s", i+1, page)
		}
	}
	text = pdfText(uncompressedPDF(t, env, "export", "production", "--format", "pdf", "--audience", "ad"))
	for _, want := range []string{"Night Swim (demo): every scene", "Scene 12: Night swim at the lake house", "Scene 30: Stairs"} {
		if !strings.Contains(text, want) {
			t.Errorf("the production PDF's text lacks %q:\n%s", want, text)
		}
	}
	// Every page is numbered, in order, out of the same total; each
	// scene starts a page.
	var pages []string
	for _, m := range regexp.MustCompile(`Page (\d+) of (\d+)`).FindAllStringSubmatch(text, -1) {
		pages = append(pages, m[1]+"/"+m[2])
	}
	n := len(pages)
	if n < 2 {
		t.Fatalf("pages %v, want one per scene at least:\n%s", pages, text)
	}
	for i, p := range pages {
		if want := fmt.Sprintf("%d/%d", i+1, n); p != want {
			t.Errorf("page %d numbered %s, want %s", i+1, p, want)
		}
	}
}

// TestExportLeakPDF is TestExportLeak for the PDF: each canary is on
// the pages of exactly the audiences allowed to read it.
func TestExportLeakPDF(t *testing.T) {
	env := leakDB(t)
	for _, aud := range exportAudiences {
		text := pdfText(uncompressedPDF(t, env, "export", "production", "--format", "pdf", "--audience", aud))
		for canary, readers := range canaryReaders {
			if got, want := strings.Contains(text, canary), slices.Contains(readers, aud); got != want {
				t.Errorf("PDF for %s: %s appears %v, want %v", aud, canary, got, want)
			}
		}
	}
}

// TestExportPDFFile: a compressed PDF written with --out is a PDF of
// mode 0600.
func TestExportPDFFile(t *testing.T) {
	env := exportDB(t, "")
	path := filepath.Join(t.TempDir(), "all.pdf")
	if _, errs, code := icbot(t, "", env, "export", "production", "--format", "pdf", "--audience", "producer", "--out", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) || fi.Mode().Perm() != 0o600 {
		t.Errorf("%d bytes, mode %v, starting %.20q", len(b), fi.Mode().Perm(), b)
	}
	t.Logf("production PDF for the producer: %d bytes", len(b))
}

// TestPDFWithTypographicText: text outside ASCII in a table's cell (an
// accent, a typographic apostrophe, a dash, the euro, Cyrillic, an
// emoji) is laid out; it made the PDF writer panic.
func TestPDFWithTypographicText(t *testing.T) {
	env := exportDB(t, exportDemoScript+"@ines /scene beat add 12 \"café – I’m ok €5 Ночь 🙂\" kind=contact\n@paula /hold 12 \"I’m cold – ü\"\n")
	for _, aud := range []string{"ic", "ad"} {
		text := pdfText(uncompressedPDF(t, env, "export", "scene", "12", "--format", "pdf", "--audience", aud))
		if !strings.Contains(text, "caf\xe9 \x96 I\x92m ok \x805") {
			t.Errorf("%s: the beat's description is not on the page in Windows-1252:\n%s", aud, text)
		}
	}
	text := pdfText(uncompressedPDF(t, env, "export", "day", "--format", "pdf", "--audience", "ic"))
	if !strings.Contains(text, "I\x92m cold \x96 \xfc") {
		t.Errorf("the hold's reason is not in the day report's PDF:\n%s", text)
	}
}
