package discord

import (
	"testing"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

// TestFileOption: a command whose parameters declare a file gets it as
// an attachment option; the attachment's id is no part of the command
// line, but is handed on beside it.
func TestFileOption(t *testing.T) {
	declared := bot.CommandInfo{Path: "scene import", Usage: "/scene import FILE",
		Params: []bot.Param{{Name: "dry", Kind: bot.ParamChoice, Choices: []string{"yes"}}, {Name: "file", Kind: bot.ParamFile, Required: true, Help: "the screenplay"}}}
	other := bot.CommandInfo{Path: "scene list", Usage: "/scene list"}
	for _, tc := range []struct {
		name  string
		c     bot.CommandInfo
		files int
	}{{"declared", declared, 1}, {"none", other, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(tc.c)
			files := 0
			for i, o := range opts {
				if o.Type != discordgo.ApplicationCommandOptionAttachment {
					continue
				}
				files++
				if o.Name != "file" || !o.Required || o.Description == "" || i != 0 {
					t.Errorf("file option %+v at %d, want a required option named file, first", o, i)
				}
			}
			if files != tc.files {
				t.Errorf("%d attachment options, want %d", files, tc.files)
			}
		})
	}
	data := discordgo.ApplicationCommandInteractionData{Name: "scene", Options: []*discordgo.ApplicationCommandInteractionDataOption{{
		Name: "import", Type: discordgo.ApplicationCommandOptionSubCommand, Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: "1234"},
			{Name: "dry", Type: discordgo.ApplicationCommandOptionString, Value: "yes"},
		}}}}
	line, file, err := commandLine([]bot.CommandInfo{declared}, data)
	if err != nil || file != "1234" || line != "/scene import yes" {
		t.Errorf("line %q, file %q, err %v; want /scene import yes and file 1234", line, file, err)
	}
}
