package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// exportScript writes a hold with a reason, a consent note and what
// around them, through the console.
var exportScript = strings.Join([]string{
	`@ines /scene add 30 title="Stairs" call="2026-12-05 14:00" performers=@pete`,
	`@ines /scene beat add 30 "Embrace on the stairs" kind=contact`,
	`@pete /boundaries answer 30 b1=yes notes="CANARY-export-note"`,
	`@pete /hold 30 CANARY-export-reason`,
	`@ines /hold lift 30`,
	`@ines /rehearsal explore 30 b1 on`,
	`@pete /rehearsal consent 30 b1`,
	`@ines /rehearsal log 30 b1 present=@pete`,
	`@pete /rehearsal dispute 30 1 CANARY-export-dispute`,
	`@pete /rehearsal confirm 30 1`,
	`@ines /closedset start 30 force reason="CANARY-export-override"`,
}, "\n") + "\n"

// exportLines splits an export into its lines, each decoded, and checks
// that the keys of every line come in the documented order.
func exportLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	order := map[string][]string{
		"header": {"schema", "kind", "production", "zone", "exported_at", "chain", "keyed", "records", "head", "since", "private"},
		"record": {"schema", "kind", "seq", "time", "actor", "actor_name", "action", "scene", "summary", "hash", "withheld", "private"},
		"end":    {"schema", "kind", "exported"},
	}
	var lines []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		if m["schema"] != "icbot.audit/1" {
			t.Errorf("line %d: schema %v", i+1, m["schema"])
		}
		kind, _ := m["kind"].(string)
		want, ok := order[kind]
		if !ok {
			t.Fatalf("line %d: kind %q", i+1, kind)
		}
		// The keys in the order they appear in the line.
		dec := json.NewDecoder(strings.NewReader(line))
		dec.Token()
		var keys []string
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var skip any
			dec.Decode(&skip)
		}
		if !slices.Equal(keys, slices.DeleteFunc(slices.Clone(want), func(k string) bool { _, ok := m[k]; return !ok })) {
			t.Errorf("line %d: keys %v, want in the order %v", i+1, keys, want)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestAuditExport(t *testing.T) {
	env, _ := dbEnv(t)
	if _, errs, code := icbot(t, exportScript, env); code != 0 {
		t.Fatalf("script: %s", errs)
	}
	out, errs, code := icbot(t, "", env, "audit", "export")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := exportLines(t, out)
	hdr, end := lines[0], lines[len(lines)-1]
	recs := lines[1 : len(lines)-1]
	if hdr["kind"] != "header" || hdr["chain"] != "verified" || hdr["keyed"] != true || hdr["private"] != false || hdr["zone"] != "Europe/London" {
		t.Errorf("header: %v", hdr)
	}
	if end["kind"] != "end" || end["exported"] != float64(len(recs)) || hdr["records"] != float64(len(recs)) {
		t.Errorf("header %v and end %v do not count the %d records", hdr, end, len(recs))
	}
	if recs[len(recs)-1]["hash"] != hdr["head"] {
		t.Errorf("the last record's hash is not the verified head")
	}
	actions := map[string]map[string]any{}
	for i, r := range recs {
		if r["seq"] != float64(i+1) {
			t.Fatalf("record %d has seq %v: not oldest first, or a gap", i+1, r["seq"])
		}
		actions[r["action"].(string)] = r
	}
	if strings.Contains(out, "CANARY") {
		t.Errorf("an export without --private holds private detail:\n%s", out)
	}
	for _, action := range []string{"hold.call", "boundaries.answer", "rehearsal.consent", "rehearsal.dispute", "rehearsal.confirm"} {
		r := actions[action]
		if r["withheld"] != true || r["actor"] != "" || r["actor_name"] != "" || strings.Contains(r["summary"].(string), "pete") {
			t.Errorf("%s: the actor is not withheld: %v", action, r)
		}
	}
	if r := actions["hold.call"]; r["summary"] != "a hold was called on scene 30" {
		t.Errorf("hold.call summary %v", r["summary"])
	}
	if r := actions["hold.lift"]; r["actor"] != "ines" || r["actor_name"] != "ines" || r["withheld"] != false {
		t.Errorf("hold.lift: %v", r)
	}

	t.Run("private", func(t *testing.T) {
		out, _, code := icbot(t, "", env, "audit", "export", "--private")
		if code != exitOK {
			t.Fatal(code)
		}
		lines := exportLines(t, out)
		if lines[0]["private"] != true {
			t.Errorf("header: %v", lines[0])
		}
		got := map[string]map[string]any{}
		for _, r := range lines {
			if a, ok := r["action"].(string); ok {
				got[a] = r
			}
		}
		if r := got["hold.call"]; r["actor"] != "pete" || r["private"] != "CANARY-export-reason" || r["withheld"] != false {
			t.Errorf("hold.call with --private: %v", r)
		}
		if r := got["boundaries.answer"]; r["actor"] != "pete" || r["private"] != "CANARY-export-note" {
			t.Errorf("boundaries.answer with --private: %v", r)
		}
	})

	t.Run("since", func(t *testing.T) {
		out, _, code := icbot(t, "", env, "audit", "export", "--since", "2100-01-01")
		if code != exitOK {
			t.Fatal(code)
		}
		lines := exportLines(t, out)
		if len(lines) != 2 || lines[0]["since"] != "2100-01-01T00:00:00Z" || lines[1]["exported"] != float64(0) {
			t.Errorf("--since in the future: %v", lines)
		}
		if _, errs, code := icbot(t, "", env, "audit", "export", "--since", "yesterday"); code != exitUsage || !strings.Contains(errs, `bad --since "yesterday"`) {
			t.Errorf("bad --since: exit %d, %q", code, errs)
		}
	})

	t.Run("out", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "trail.jsonl")
		stdout, _, code := icbot(t, "", env, "audit", "export", "--out", file)
		if code != exitOK || stdout != "" {
			t.Fatalf("exit %d, stdout %q", code, stdout)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, []byte(out)) {
			t.Errorf("the file differs from standard output's export")
		}
		if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
		_, errs, code := icbot(t, "", env, "audit", "export", "--out", file)
		if code != exitError || !strings.Contains(errs, "never overwrites") {
			t.Errorf("an existing file: exit %d, %q", code, errs)
		}
	})
}

// TestAuditExportRefusesBrokenChain: a record edited in the file; the
// export says where the chain breaks and writes nothing.
func TestAuditExportRefusesBrokenChain(t *testing.T) {
	env, path := dbEnv(t)
	if _, errs, code := icbot(t, exportScript, env); code != 0 {
		t.Fatalf("script: %s", errs)
	}
	rawUpdate(t, path, func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("audit"))
		k := binary.BigEndian.AppendUint64(nil, 3)
		var rec map[string]any
		if err := json.Unmarshal(b.Get(k), &rec); err != nil {
			return err
		}
		rec["summary"] = "nothing happened"
		v, _ := json.Marshal(rec)
		return b.Put(k, v)
	})
	file := filepath.Join(t.TempDir(), "trail.jsonl")
	out, errs, code := icbot(t, "", env, "audit", "export", "--out", file)
	if code != exitError || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"BROKEN", "nothing was exported", "audit record 3", "icbot audit verify"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q: %s", want, errs)
		}
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a broken trail left a file: %v", err)
	}
}

// TestAuditExportSinceKeepsTheChainsOrder: --since exports, from the
// first record at or after the time, every record after it in the
// chain, whatever its time reads (most times are kept to the second, so
// a later record may read earlier than the one before it).
func TestAuditExportSinceKeepsTheChainsOrder(t *testing.T) {
	env, _ := dbEnv(t)
	// A clock that moves 0.1 s at each reading, so that times kept to
	// the second and times kept whole interleave along the chain.
	var ticks atomic.Int64
	var errb bytes.Buffer
	code := Run(context.Background(), nil, Env{Stdin: strings.NewReader(exportScript), Stdout: io.Discard, Stderr: &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
		Clock:     func() time.Time { return tourClock.Add(time.Duration(ticks.Add(1)) * 100 * time.Millisecond) }})
	if code != 0 {
		t.Fatalf("script: %s", errb.String())
	}
	out, _, _ := icbot(t, "", env, "audit", "export")
	all := exportLines(t, out)
	recs := all[1 : len(all)-1]
	for i, r := range recs {
		since, _ := r["time"].(string)
		out, errs, code := icbot(t, "", env, "audit", "export", "--since", since)
		if code != exitOK {
			t.Fatalf("--since %s: exit %d: %s", since, code, errs)
		}
		got := exportLines(t, out)
		// The first record at or after since, and every one after it.
		at := func(x map[string]any) time.Time {
			s, _ := x["time"].(string)
			v, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatalf("time %q: %v", s, err)
			}
			return v
		}
		first := slices.IndexFunc(recs, func(x map[string]any) bool { return !at(x).Before(at(r)) })
		if first > i {
			first = i
		}
		if want := len(recs) - first; len(got)-2 != want {
			t.Errorf("--since %s (record %d): %d records, want %d", since, i+1, len(got)-2, want)
		}
	}
}
