package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tour and the README are run as a newcomer runs them: through Run,
// with the console fed what they show. Env.Clock, the clock tests give
// Run, is fixed at the instant each test chooses, so that a run shows the
// same every time once its dates are written relative to that instant.

// consoleRun runs icbot in-process with stdin and env, its clock fixed at
// now. stdout and stderr are kept apart, and also together, in the order
// they were written, so that a log line can be told which command it
// followed.
func consoleRun(t *testing.T, stdin string, env map[string]string, now time.Time, args ...string) (stdout, stderr, both string, code int) {
	t.Helper()
	var mu sync.Mutex
	var out, errb, all bytes.Buffer
	lookup := func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
	code = Run(context.Background(), args, Env{
		Stdin:     strings.NewReader(stdin),
		Stdout:    &teeWriter{mu: &mu, own: &out, all: &all},
		Stderr:    &teeWriter{mu: &mu, own: &errb, all: &all},
		LookupEnv: lookup, Clock: func() time.Time { return now },
	})
	return out.String(), errb.String(), all.String(), code
}

// teeWriter writes to its own buffer and to one shared by stdout and
// stderr, under one lock.
type teeWriter struct {
	mu       *sync.Mutex
	own, all *bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.own.Write(p)
	return w.all.Write(p)
}

// tourEnv is a fresh database in UTC: a zone without daylight saving, so
// that the tour shows the same wall times whatever day it runs on.
func tourEnv(t *testing.T) map[string]string {
	return map[string]string{"ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"), "ICBOT_PRODUCTION_TIMEZONE": "UTC"}
}

// tourClocks are the instants the tour runs at: the day its golden was
// first written, a year later, and today (at 08:00, the time of day the
// golden shows).
func tourClocks() []struct {
	name string
	now  time.Time
} {
	y, m, d := time.Now().UTC().Date()
	return []struct {
		name string
		now  time.Time
	}{
		{"fixed", tourClock},
		{"a year later", tourClock.AddDate(1, 0, 0)},
		{"today", time.Date(y, m, d, 8, 0, 0, 0, time.UTC)},
	}
}

// withDatePlaceholders writes every date within two months of now as
// {today}, {today+6} or {today-3}, so that a transcript reads the same
// whatever day it ran: relative call times make the dates move with now.
func withDatePlaceholders(s string, now time.Time, zone *time.Location) string {
	local := now.In(zone)
	for d := -62; d <= 62; d++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+d, 12, 0, 0, 0, zone)
		name := "{today}"
		if d != 0 {
			name = fmt.Sprintf("{today%+d}", d)
		}
		s = strings.ReplaceAll(s, day.Format("Mon 2 Jan 2006"), name)
		s = strings.ReplaceAll(s, day.Format("2006-01-02"), name)
	}
	return s
}

// TestTourTranscript pipes the tour script into the console and compares
// the whole transcript, its dates written relative to the day it ran,
// with the golden file (go test -update rewrites it, from the fixed
// clock's run). It runs at three instants, a year apart and today: the
// tour's call times are relative, so it never goes stale.
func TestTourTranscript(t *testing.T) {
	script, err := os.ReadFile("testdata/tour.script")
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/tour.golden"
	for i, c := range tourClocks() {
		t.Run(c.name, func(t *testing.T) {
			env := tourEnv(t)
			out, errs, _, code := consoleRun(t, string(script), env, c.now)
			// The console logs to a file beside the database; the terminal
			// shows where, and the key file's warning, before the
			// conversation.
			if code != 0 || withoutLogNotice(withoutKeyFileWarning(errs)) != "" {
				t.Fatalf("exit %d, stderr:\n%s", code, errs)
			}
			log, err := os.ReadFile(filepath.Join(filepath.Dir(env["ICBOT_STORAGE_PATH"]), "icbot.log"))
			if err != nil {
				t.Fatal(err)
			}
			// The tour's one refusal (the summary for #producers, which
			// costume reads) is logged; no other warning or error may be.
			refusal := `msg="refused to post a top-line summary" component=bot scene=14 channel=producers`
			var other []string
			refusals := 0
			for _, l := range strings.SplitAfter(withoutKeyFileWarning(string(log)), "\n") {
				switch {
				case strings.Contains(l, refusal):
					refusals++
				case strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR"):
					other = append(other, l)
				}
			}
			if refusals != 1 || len(other) > 0 {
				t.Fatalf("%d refusals logged, log:\n%s", refusals, log)
			}
			got := withDatePlaceholders(out, c.now, time.UTC)
			if *update && i == 0 {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("transcript at %s differs from %s (go test ./cmd/icbot -run Tour -update rewrites it):\n%s",
					c.now.Format(time.RFC3339), golden, lineDiff(string(want), got))
			}
		})
	}
}

func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("first difference at line %d:\nwant: %q\n got: %q", i+1, wl, gl)
		}
	}
	return ""
}

// readmeLine is one console line of the README's code blocks.
type readmeLine struct {
	line    int    // in README.md
	as      string // who types it ("" for the console's identity then)
	in      string // in which channel ("" likewise)
	command string
	refused bool     // the README says it is refused
	shown   []string // the answer the README shows, with ... for what it leaves out
}

// readmeBlock is a fenced code block of console lines.
type readmeBlock struct {
	line  int
	lines []readmeLine
}

var (
	fence  = regexp.MustCompile("^```\\s*(\\S*)")
	prompt = regexp.MustCompile(`^([a-z][a-z0-9_-]*)@#([a-z0-9_-]+)> (.*)$`)
	typed  = regexp.MustCompile(`^@[a-z][a-z0-9_-]* /|^/`)
)

// readmeBlocks reads the console lines of README.md's fenced code blocks
// (those without a language, or marked text or console): a transcript's
// prompt lines (adam@#set> /closedset start 12) with the answer shown below
// them, or lines as typed (/scene show 12, @paula /hold 12), where a
// comment line ("# ...") saying "refused" marks the line after it as one
// the README expects to be refused.
func readmeBlocks(t *testing.T, path string) []readmeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []readmeBlock
	var cur *readmeBlock
	consoleBlock, refusedNext := false, false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if m := fence.FindStringSubmatch(l); m != nil {
			if cur != nil {
				if len(cur.lines) > 0 {
					blocks = append(blocks, *cur)
				}
				cur = nil
				continue
			}
			cur = &readmeBlock{line: n}
			consoleBlock = m[1] == "" || m[1] == "text" || m[1] == "console"
			refusedNext = false
			continue
		}
		if cur == nil || !consoleBlock {
			continue
		}
		switch m := prompt.FindStringSubmatch(l); {
		case m != nil:
			cur.lines = append(cur.lines, readmeLine{line: n, as: m[1], in: m[2], command: m[3]})
		case strings.HasPrefix(l, "  ") && len(cur.lines) > 0 && cur.lines[len(cur.lines)-1].as != "":
			last := &cur.lines[len(cur.lines)-1]
			last.shown = append(last.shown, strings.TrimSpace(l))
		case strings.HasPrefix(l, "#"):
			refusedNext = strings.Contains(strings.ToLower(l), "refused")
		case typed.MatchString(l):
			cur.lines = append(cur.lines, readmeLine{line: n, command: l, refused: refusedNext})
			refusedNext = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

var (
	commandLog     = regexp.MustCompile(`msg=command .*outcome=(\S+)`)
	warning        = regexp.MustCompile(`level=(WARN|ERROR)`)
	consoleRefusal = regexp.MustCompile(`\[console\] .*(Usage:|is not a|There is no channel|longer than)`)
)

// refusal says why a command's part of the output shows it refused or
// failed, or "" when it did what it was asked.
func refusal(part string) string {
	for _, l := range strings.Split(part, "\n") {
		if m := commandLog.FindStringSubmatch(l); m != nil && m[1] != "ok" {
			return "outcome " + m[1]
		}
		if warning.MatchString(l) || consoleRefusal.MatchString(l) {
			return l
		}
	}
	return ""
}

// TestReadmeCommands runs every console line of the README's code blocks
// on a fresh demo, one block after another, each on its own new
// database, typed by whom its prompt names. A line fails when it is
// refused or logs a warning and the README does not say it is refused, or
// when what the README shows of its answer is not in the answer.
func TestReadmeCommands(t *testing.T) {
	blocks := readmeBlocks(t, "../../README.md")
	if len(blocks) < 2 {
		t.Fatalf("found %d blocks of console lines in README.md, want the tour's transcript and its lines to try", len(blocks))
	}
	y, m, d := time.Now().UTC().Date()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(y, m, d, 8, 0, 0, 0, london)
	for _, b := range blocks {
		t.Run(fmt.Sprintf("README.md:%d", b.line), func(t *testing.T) {
			me, here := "adam", "set"
			var script strings.Builder
			echoes := make([]string, len(b.lines))
			for i, l := range b.lines {
				if l.as != "" && l.as != me {
					fmt.Fprintf(&script, "/as %s\n", l.as)
					me = l.as
				}
				if l.in != "" && l.in != here {
					fmt.Fprintf(&script, "/in #%s\n", l.in)
					here = l.in
				}
				script.WriteString(l.command + "\n")
				echoes[i] = fmt.Sprintf("%s@#%s> %s\n", me, here, l.command)
			}
			// Log lines on stderr, among the answers, so that each can be
			// told which line it followed.
			env := map[string]string{"ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"),
				"ICBOT_PRODUCTION_TIMEZONE": "Europe/London", "ICBOT_LOG_LEVEL": "info", "ICBOT_LOG_FILE": "stderr"}
			_, _, both, code := consoleRun(t, script.String(), env, now)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, both)
			}
			// Each line's part of the output runs from its echo to the next.
			starts := make([]int, len(b.lines)+1)
			from := 0
			for i, e := range echoes {
				at := strings.Index(both[from:], e)
				if at < 0 {
					t.Fatalf("README.md:%d: the console did not echo %q:\n%s", b.lines[i].line, e, both)
				}
				starts[i] = from + at + len(e)
				from = starts[i]
			}
			starts[len(b.lines)] = len(both)
			for i, l := range b.lines {
				part := both[starts[i]:starts[i+1]]
				if i+1 < len(b.lines) {
					part = strings.TrimSuffix(part, echoes[i+1])
				}
				why := refusal(part)
				switch {
				case why != "" && !l.refused:
					t.Errorf("README.md:%d: %s is refused (%s), and the README does not say so:\n%s", l.line, l.command, why, part)
				case why == "" && l.refused:
					t.Errorf("README.md:%d: the README says %s is refused, and it was not:\n%s", l.line, l.command, part)
				}
				if missing := notShown(part, l.shown); missing != "" {
					t.Errorf("README.md:%d: the README shows %q in the answer to %s, which is not there:\n%s", l.line, missing, l.command, part)
				}
			}
		})
	}
}

// notShown returns the first fragment of the lines the README shows that
// is not in the answer, in order; a line's "..." stands for what it leaves
// out.
func notShown(answer string, shown []string) string {
	at := 0
	for _, l := range shown {
		for _, frag := range strings.Split(l, "...") {
			frag = strings.TrimSpace(frag)
			if frag == "" {
				continue
			}
			i := strings.Index(answer[at:], frag)
			if i < 0 {
				return frag
			}
			at += i + len(frag)
		}
	}
	return ""
}

// TestReadmeOpensWithRunAndTest: the README's first lines are the two
// commands a newcomer needs, the bot's and the tests', and the tests' is
// the one CI runs.
func TestReadmeOpensWithRunAndTest(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var ciTest string
	for _, l := range strings.Split(string(ci), "\n") {
		if strings.HasPrefix(l, "go test ") {
			ciTest = strings.TrimSpace(l)
		}
	}
	if ciTest == "" {
		t.Fatal(".ci/run runs no go test")
	}
	// The title, a blank line, then the block.
	lines := strings.Split(string(readme), "\n")
	if len(lines) < 6 || !strings.HasPrefix(lines[2], "```") {
		t.Fatalf("README.md does not open with a code block after its title:\n%s", strings.Join(lines[:min(6, len(lines))], "\n"))
	}
	var cmds []string
	for _, l := range lines[3:] {
		if strings.HasPrefix(l, "```") {
			break
		}
		cmd, _, _ := strings.Cut(l, "#")
		cmds = append(cmds, strings.TrimSpace(cmd))
	}
	if len(cmds) != 2 || cmds[0] != "go run ./cmd/icbot" || cmds[1] != ciTest {
		t.Errorf("README.md opens with %q, want [go run ./cmd/icbot, %s] (the test command as .ci/run runs it)", cmds, ciTest)
	}
}
