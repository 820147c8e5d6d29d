package console_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icbot/adapters/console"
	"icbot/bot"
)

// recorder is a handler that keeps the commands it is given.
type recorder struct{ cmds []bot.Command }

func (r *recorder) Handle(ctx context.Context, cmd bot.Command) *bot.Outcome {
	r.cmds = append(r.cmds, cmd)
	return &bot.Outcome{}
}
func (r *recorder) FollowUp(ctx context.Context, o *bot.Outcome)         {}
func (r *recorder) ChannelChanged(ctx context.Context, ch bot.ChannelID) {}

// TestImportReadsThePath: in the console, the words after /scene import
// are a path, which the console reads into the command's upload; the bot
// gets the file and its name, never the path.
func TestImportReadsThePath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "draft one.fountain")
	if err := os.WriteFile(path, []byte("INT. ROOM - DAY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := "@ines /scene import \"" + path + "\"\n" +
		"@ines /Scene Import " + filepath.Join(dir, "missing.fountain") + "\n" +
		"@ines /scene import\n" +
		"@ines /scene importer x\n"
	var out bytes.Buffer
	rec := &recorder{}
	if err := console.New(&out, console.WithEcho(true)).Run(context.Background(), strings.NewReader(script), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.cmds) != 3 {
		t.Fatalf("%d commands reached the bot, want 3 (not the one whose file is missing):\n%s", len(rec.cmds), out.String())
	}
	first := rec.cmds[0]
	if first.Upload == nil || first.Upload.Name != "draft one.fountain" || string(first.Upload.Data) != "INT. ROOM - DAY\n" || first.Text != `/scene import "draft one.fountain"` {
		t.Errorf("first command: text %q, upload %+v", first.Text, first.Upload)
	}
	if !strings.Contains(out.String(), "cannot read "+filepath.Join(dir, "missing.fountain")) || !strings.Contains(out.String(), "Nothing was run.") {
		t.Errorf("a missing file was not said:\n%s", out.String())
	}
	if rec.cmds[1].Upload != nil || rec.cmds[1].Text != "/scene import" {
		t.Errorf("/scene import without a path: %+v", rec.cmds[1])
	}
	if rec.cmds[2].Upload != nil {
		t.Errorf("another command got an upload: %+v", rec.cmds[2])
	}
}
