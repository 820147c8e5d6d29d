package slack

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
)

// TestManifestIsTheCatalogues: deploy/slack/manifest.yaml is what
// WriteManifest prints from the command table (icbot manifest slack), so
// a command added to the table and not to the manifest fails here.
func TestManifestIsTheCatalogues(t *testing.T) {
	var b bytes.Buffer
	if err := WriteManifest(&b, bot.Commands()); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(committed), b.String()); diff != "" {
		t.Errorf("deploy/slack/manifest.yaml differs from the command table (-file +table); write it again with\n\tgo run ./cmd/icbot manifest slack > deploy/slack/manifest.yaml\n%s", diff)
	}
}

// TestManifestFollowsTheTable: a command added to a group shows in that
// group's usage hint; a new group becomes a slash command of its own.
func TestManifestFollowsTheTable(t *testing.T) {
	groups := bot.Commands()
	for i, g := range groups {
		if g.Name == "hold" {
			groups[i].Commands = append(g.Commands, bot.CommandInfo{Path: "hold again", Usage: "/hold again ID"})
		}
	}
	groups = append(groups, bot.GroupInfo{Name: "rehearsal", Summary: "Rehearsals: who: the IC",
		Commands: []bot.CommandInfo{{Path: "rehearsal add", Usage: "/rehearsal add ID"}}})
	var b bytes.Buffer
	if err := WriteManifest(&b, groups); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"usage_hint: ID [reason] | lift ID | again ID\n",
		"- command: /rehearsal\n",
		"description: \"Rehearsals: who: the IC\"\n", // quoted, since ": " ends a YAML key
		"usage_hint: add ID\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the manifest lacks %q", want)
		}
	}
}

// TestManifestReadsSharedFiles: the manifest asks for files:read, without
// which Slack gives no download address for a screenplay shared in a DM
// with icbot, and for message.im, which brings the share.
func TestManifestReadsSharedFiles(t *testing.T) {
	var b bytes.Buffer
	if err := WriteManifest(&b, bot.Commands()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n      - files:read\n", "\n      - im:history\n", "\n      - message.im\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the manifest lacks %q", strings.TrimSpace(want))
		}
	}
}
