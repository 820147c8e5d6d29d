package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestManifestCommand: icbot manifest slack prints the committed
// manifest; anything else is a usage error that prints nothing.
func TestManifestCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errOut, LookupEnv: func(string) (string, bool) { return "", false }}
	if code := Run(context.Background(), []string{"manifest", "slack"}, env); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	committed, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(committed) {
		t.Error("icbot manifest slack differs from deploy/slack/manifest.yaml")
	}
	for _, args := range [][]string{{"manifest"}, {"manifest", "discord"}, {"manifest", "slack", "extra"}} {
		out.Reset()
		errOut.Reset()
		if code := Run(context.Background(), args, env); code != exitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "usage: icbot manifest slack") {
			t.Errorf("%v: exit %d, out %q, err %q", args, code, out.String(), errOut.String())
		}
	}
}
