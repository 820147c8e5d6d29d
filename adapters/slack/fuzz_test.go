package slack

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"icbot/bot"
)

// The decoders of what Slack sends, fuzzed. Their seed corpora, in
// testdata/fuzz, run with every go test; go test -fuzz=FuzzX explores.

var fuzzNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// FuzzSlashCommand: any slash-command form body decodes without panic
// into a command that is the slash command's own line, its caller the
// form's user, and its request key a fixed-length hash of the signature.
func FuzzSlashCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		key := signatureKey(string(body))
		if len(key) != len("slack:sig:")+32 || key != signatureKey(strings.ToLower(string(body))) {
			t.Fatalf("signature key %q", key)
		}
		sc, err := decodeSlash(body)
		if err != nil {
			return
		}
		names := map[string]string{}
		for _, id := range mentioned(sc.Text) {
			names[id] = "name-" + id
		}
		cmd := slashCommand(sc, names, fuzzNow)
		if string(cmd.Caller) != sc.UserID || string(cmd.Channel) != sc.ChannelID {
			t.Errorf("command %+v from %+v", cmd, sc)
		}
		if !strings.HasPrefix(cmd.Text, strings.TrimSpace(sc.Command)) {
			t.Errorf("command text %q does not start with %q", cmd.Text, sc.Command)
		}
		if (sc.ResponseURL == "") != (cmd.ReplyHandle == "") {
			t.Errorf("reply handle %q for response_url %q", cmd.ReplyHandle, sc.ResponseURL)
		}
	})
}

// FuzzBlockActions: any interaction body decodes without panic; a button
// press stands for one command per icbot button, each its value, run as
// the presser.
func FuzzBlockActions(f *testing.F) { fuzzInteraction(f) }

// FuzzViewSubmission: as FuzzBlockActions, for submitted forms; a form's
// values come back through the command parser exactly as given.
func FuzzViewSubmission(f *testing.F) { fuzzInteraction(f) }

var simpleKey = regexp.MustCompile(`^[a-z][a-z0-9]{0,15}$`)

func fuzzInteraction(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		cb, err := decodeInteraction(body)
		if err != nil {
			return
		}
		cmds := interactionCommands(cb, nil, fuzzNow)
		for _, cmd := range cmds {
			if string(cmd.Caller) != cb.User.ID {
				t.Errorf("command run as %q, pressed by %q", cmd.Caller, cb.User.ID)
			}
		}
		if cb.Type != "view_submission" || len(cmds) != 1 || cb.View.PrivateMetadata != "/boundaries answer 12" || cb.View.State == nil {
			return
		}
		want := map[string]string{}
		for key, fields := range cb.View.State.Values {
			act := fields[formValue]
			v := act.Value
			if act.Type == "radio_buttons" || act.SelectedOption.Value != "" {
				v = act.SelectedOption.Value
				if v == "" {
					continue // a choice left unanswered is not sent
				}
			}
			if !simpleKey.MatchString(key) || !utf8.ValidString(v) {
				return
			}
			want[key] = v
		}
		line, err := bot.Parse(cmds[0].Text)
		if err != nil {
			t.Fatalf("the submitted form %q does not parse: %v", cmds[0].Text, err)
		}
		got := map[string]string{}
		for _, a := range line.Args {
			if !a.Positional() {
				got[a.Key] = a.Value
			}
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s=%q came back as %q from %q", k, v, got[k], cmds[0].Text)
			}
		}
	})
}

// FuzzEventEnvelope: any Events API body decodes without panic; a DM
// typed to icbot is a command keyed by its event id, in that DM, never
// one of icbot's own; a file shared in a DM is an import, nothing else; a
// join or a share names the channel to check.
func FuzzEventEnvelope(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := decodeEvent(body)
		if err != nil {
			return
		}
		if ch, ok := readersEvent(env, "UBOT"); ok && (ch == "" || string(ch) != env.Event.Channel) {
			t.Errorf("channel to check %q from %+v", ch, env.Event)
		}
		if share, _, ok := fileShare(env, "UBOT"); ok {
			e := env.Event
			switch {
			case e.ChannelType != "im" || e.Subtype != "file_share" || e.BotID != "":
				t.Errorf("an import from a %s %q message by %q", e.ChannelType, e.Subtype, e.BotID)
			case share.Once != "slack:event:"+env.EventID || env.EventID == "":
				t.Errorf("request key %q for event %q", share.Once, env.EventID)
			case share.Caller == "UBOT" || share.Caller == "" || string(share.Channel) != e.Channel:
				t.Errorf("an import %+v", share)
			case share.Text != "/scene import" && (!strings.HasPrefix(share.Text, "/scene import") || !strings.ContainsAny(share.Text[len("/scene import"):][:1], " \t\r\n")):
				t.Errorf("a shared file runs %q", share.Text)
			}
		}
		cmd, ok := eventCommand(env, "UBOT", nil)
		if !ok {
			return
		}
		switch {
		case cmd.Once != "slack:event:"+env.EventID || env.EventID == "":
			t.Errorf("request key %q for event %q", cmd.Once, env.EventID)
		case cmd.Caller == "UBOT" || cmd.Caller == "":
			t.Errorf("a command from %q", cmd.Caller)
		case string(cmd.Channel) != env.Event.Channel || !strings.HasPrefix(cmd.Text, "/"):
			t.Errorf("command %+v", cmd)
		}
	})
}
