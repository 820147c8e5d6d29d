package main

import (
	"strings"
	"testing"
)

// TestRun measures both sides briefly and checks that the report has
// every figure, and that every acknowledged command was stored (run
// fails otherwise). It asserts nothing about the figures themselves.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("writes to disk with fsync for a second or so")
	}
	var out strings.Builder
	err := run([]string{"-runs", "2", "-serial", "5", "-clients", "3", "-duration", "100ms", "-warmup", "2", "-dir", t.TempDir()}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	report := out.String()
	for _, want := range []string{"run 1\n", "run 2\n", "over 2 runs", "3 clients/s", "icbot/floor"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-runs", "0"}, {"-clients", "0"}, {"-duration", "0s"}, {"-only", "both"}, {"extra"},
	} {
		if _, err := parse(args); err == nil {
			t.Errorf("parse(%q) accepted", args)
		}
	}
}
