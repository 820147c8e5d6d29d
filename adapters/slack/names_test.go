package slack

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// slackBuiltins are the slash commands Slack keeps for itself. A manifest
// that declares one of them is refused whole, every command with it, so
// no command of icbot may take one of these names.
var slackBuiltins = []string{
	"active", "apps", "archive", "away", "call", "close", "collapse", "dm",
	"dnd", "expand", "feed", "feedback", "giphy", "help", "invite",
	"invite_people", "join", "kick", "leave", "me", "msg", "mute", "open",
	"part", "prefs", "remind", "remove", "rename", "search", "shortcuts",
	"shrug", "star", "status", "topic", "who", "workflows",
}

// TestNoSlackBuiltinNames: neither the catalogue nor the committed
// manifest names a command Slack keeps for itself.
func TestNoSlackBuiltinNames(t *testing.T) {
	reserved := map[string]bool{}
	for _, n := range slackBuiltins {
		reserved[n] = true
	}
	b := bot.New(nil, nil)
	seen := map[string]bool{}
	for _, c := range b.Catalogue() {
		name, _, _ := strings.Cut(c.Path, " ")
		if reserved[name] {
			t.Errorf("the command /%s is one of Slack's own", name)
		}
		seen[name] = true
	}
	manifest, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	declared := regexp.MustCompile(`(?m)^\s*- command: /(\S+)`).FindAllStringSubmatch(string(manifest), -1)
	if len(declared) == 0 {
		t.Fatal("the manifest declares no commands")
	}
	for _, m := range declared {
		if reserved[m[1]] {
			t.Errorf("deploy/slack/manifest.yaml declares /%s, one of Slack's own: Slack refuses the whole manifest", m[1])
		}
		if !seen[m[1]] {
			t.Errorf("deploy/slack/manifest.yaml declares /%s, which icbot does not have", m[1])
		}
		delete(seen, m[1])
	}
	for name := range seen {
		t.Errorf("/%s is not declared in deploy/slack/manifest.yaml", name)
	}
}

// TestManifestEvents: the manifest subscribes to exactly the events the
// adapter acts on: a DM typed to icbot, and the events that say who reads
// a channel may have changed.
func TestManifestEvents(t *testing.T) {
	manifest, err := os.ReadFile("../../deploy/slack/manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, events, ok := strings.Cut(string(manifest), "bot_events:")
	if !ok {
		t.Fatal("the manifest subscribes to no events")
	}
	var got []string
	for _, line := range strings.Split(events, "\n")[1:] {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		name, isItem := strings.CutPrefix(line, "- ")
		if !isItem {
			break
		}
		got = append(got, name)
	}
	want := []string{"message.im", "member_joined_channel", "channel_shared"}
	if !slices.Equal(got, want) {
		t.Errorf("bot_events %q, want %q", got, want)
	}
	for _, typ := range want[1:] {
		var env eventEnvelope
		env.Type, env.Event.Type, env.Event.Channel = "event_callback", typ, "G1"
		if _, ok := readersEvent(env, "UBOT"); !ok {
			t.Errorf("the adapter does not act on %s", typ)
		}
	}
}
