package bot

import (
	"context"
	"errors"
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
