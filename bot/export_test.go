package bot

import (
	"context"
	"errors"
	"slices"
)

// Claim marks deliveries as being sent, as a command's follow-up does,
// for tests of what the retry loop does meanwhile.
func (b *Bot) Claim(ids ...uint64) []uint64 { return b.outbox.claim(ids) }

// WriteCommands lists the paths of the commands that change state.
func (b *Bot) WriteCommands() []string {
	var out []string
	for _, s := range b.commands.specs {
		if s.write {
			out = append(out, s.path)
		}
	}
	return out
}

// errDryRun rolls back a transaction run only to look.
var errDryRun = errors.New("dry run")

// RemindersInStep reports whether a scene's stored reminders are what its
// state now derives: a sync would change nothing.
func (b *Bot) RemindersInStep(ctx context.Context, id SceneID) (bool, error) {
	changed := false
	err := b.store.Update(ctx, func(tx Tx) error {
		var err error
		if changed, err = b.syncReminders(tx, id, b.clock()); err != nil {
			return err
		}
		return errDryRun
	})
	if err != errDryRun {
		return false, err
	}
	return !changed, nil
}

// TestCommand is a command defined in a test file: its spec's parts, and
// what it answers given its positional words and key=value options.
type TestCommand struct {
	Path, Summary, Help string
	Params              []Param
	Roles               []Role
	Answer              func(words []string, keys map[string]string) string
}

// AddCommand adds a command to the bot's table, as one more spec in
// commands.go would.
func (b *Bot) AddCommand(c TestCommand) {
	s := &spec{path: c.Path, summary: c.Summary, help: c.Help, params: c.Params, access: access{roles: c.Roles},
		run: func(in *input, tx Tx) error {
			var words []string
			for _, a := range in.args {
				words = append(words, a.Value)
			}
			keys := map[string]string{}
			for k, a := range in.named {
				keys[k] = a.Value
			}
			if in.spec.freeText > 0 {
				words = append(words, in.free)
			}
			in.out.reply(ClassPublic, "", "%s", c.Answer(words, keys))
			return nil
		}}
	b.commands = newRegistry(append(slices.Clone(b.commands.specs), s))
	b.commands.summaries = groupSummaries
}

// Release ends a claim made with Claim, as the retry loop does once it
// has sent a delivery.
func (b *Bot) Release(id uint64) { b.outbox.release(id) }

// Deliveries lists the ids a command's follow-up will send.
func (o *Outcome) Deliveries() []uint64 { return o.deliveries }
