package bot

import (
	"context"
	"fmt"
	"sync"
)

// Start readies the bot to answer, then starts its background work until
// stop is called or ctx is done. Before it returns it finishes the
// closed-set locks a stop interrupted, applies again those someone
// changed while icbot was down (Recover), and derives the reminders
// a command would otherwise find missing, such as those of the console's
// demo on a fresh file; a start whose reminders were only derived with
// other settings derives them again in the background instead, so that a
// large production answers at once. In the background it sends the
// messages an earlier run left queued, retries failed deliveries and
// sends reminders as they fall due. The queued messages go out in the
// background, not before icbot answers: Slack takes one message a second
// in a channel, so a backlog to one person would otherwise keep icbot
// from answering anyone for as many seconds.
//
// An adapter starts answering commands once Start has returned.
func (b *Bot) Start(ctx context.Context) (stop func(), err error) {
	if err := b.Recover(ctx); err != nil {
		return nil, fmt.Errorf("finishing interrupted closed-set locks: %w", err)
	}
	if err := b.reviseNotice(ctx); err != nil {
		return nil, fmt.Errorf("checking the privacy notice: %w", err)
	}
	if err := b.reminders.ready(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// The loop tries again every minute: one damaged record does not
		// keep icbot from answering.
		b.log.Error("deriving reminders before answering; the reminder loop tries again", "err", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.outbox.run(ctx) })
	wg.Go(func() { _ = b.reminders.run(ctx) })
	return func() { cancel(); wg.Wait() }, nil
}
