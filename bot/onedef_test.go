package bot_test

import (
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// TestOneDefinitionPerCommand: a command defined in a test file by its
// spec alone (path, summary, help, typed parameters, who may run it) is
// routed, checked, helped and catalogued with no other table: its usage
// line, the keys the router takes, its help, its group's help and the
// catalogue that Discord's options and the Slack manifest come from.
func TestOneDefinitionPerCommand(t *testing.T) {
	h := newHarness(t).seed()
	h.bot.AddCommand(bot.TestCommand{
		Path: "scene rate", Summary: "Rate a scene's rehearsal.", Help: "Only the IC rates.",
		Params: []bot.Param{
			{Name: "id", Kind: bot.ParamScene, Required: true},
			{Name: "stars", Kind: bot.ParamChoice, Required: true, Choices: []string{"1", "2", "3"}, Help: "how well it went"},
			{Name: "note", Kind: bot.ParamText, Key: true, Help: "a note for the IC"},
		},
		Roles: []bot.Role{bot.RoleIC},
		Answer: func(words []string, keys map[string]string) string {
			return "rated " + strings.Join(words, "/") + " note=" + keys["note"]
		},
	})
	const usage = `/scene rate ID 1|2|3 [note="..."]`

	if r := h.must("ines", `/scene rate 12 3 note="steady"`); r.reply != "rated 12/3 note=steady" {
		t.Errorf("reply %q", r.reply)
	}
	for line, want := range map[string][]string{
		`/scene rate 12 3 mood=good`: {"unknown key mood= for /scene rate (it takes note=)", "Usage: " + usage},
		`/scene rate help`:           {"Usage: " + usage, "Rate a scene's rehearsal.", "Only the IC rates.", "Who may run it: the intimacy coordinator."},
		`/scene help rate`:           {"Usage: " + usage},
		`/scene help`:                {"rate"},
		`/icbot help all`:            {usage},
	} {
		r := h.do("ines", line)
		for _, w := range want {
			if !strings.Contains(r.reply, w) {
				t.Errorf("%s: the reply lacks %q:\n%s", line, w, r.reply)
			}
		}
	}
	if r := h.do("adam", "/scene rate 12 3"); r.code() != bot.EFORBIDDEN {
		t.Errorf("the AD rated: %s %q", r.code(), r.reply)
	}
	i := slices.IndexFunc(h.bot.Catalogue(), func(c bot.CommandInfo) bool { return c.Path == "scene rate" })
	if i < 0 {
		t.Fatal("the catalogue lacks /scene rate")
	}
	c := h.bot.Catalogue()[i]
	if c.Usage != usage || len(c.Params) != 3 || c.Params[1].Choices[2] != "3" {
		t.Errorf("catalogue entry %+v", c)
	}
	if r := h.must("ines", c.Line(map[string]string{"id": "12", "stars": "1", "note": `a "b"`})); r.reply != `rated 12/1 note=a "b"` {
		t.Errorf("the catalogue's line for typed options: %q", r.reply)
	}
}
