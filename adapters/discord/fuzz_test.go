package discord

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

// FuzzInteraction: any interaction body (as the HTTP endpoint receives
// it, or the gateway delivers it) decodes without panic into what it
// asks; a command it runs is keyed by its interaction id, and one from
// another server than the production's is not run; only an application
// command carries a file.
func FuzzInteraction(f *testing.F) {
	cat := bot.New(nil, nil).Catalogue()
	a, err := New(Config{Token: "t", ApplicationID: "APP", GuildID: "900"}, WithClock(func() time.Time {
		return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			return
		}
		if own := a.fromOwnServer(&i); own != (i.GuildID == "" || i.GuildID == "900") {
			t.Errorf("guild %q served: %v", i.GuildID, own)
		}
		asked := decode(cat, &i)
		_ = deferrable(&i)
		cmd := a.command(&i, asked.line)
		if i.ID != "" && cmd.Once != "discord:"+i.ID {
			t.Errorf("request key %q for interaction %q", cmd.Once, i.ID)
		}
		if asked.kind == askRun && i.Type == discordgo.InteractionApplicationCommand && !strings.HasPrefix(asked.line, "/") {
			t.Errorf("command line %q from an application command", asked.line)
		}
		if asked.file != "" && (asked.kind != askRun || i.Type != discordgo.InteractionApplicationCommand) {
			t.Errorf("a file %q with a %v asking %d", asked.file, i.Type, asked.kind)
		}
		if h := cmd.ReplyHandle; h != "" {
			fields := strings.SplitN(h, "|", 4)
			if len(fields) != 4 || fields[3] != i.Token {
				t.Errorf("reply handle %q for token %q", h, i.Token)
			}
			_ = a.followUpHandle(fields[2], fields[3])
		}
	})
}
