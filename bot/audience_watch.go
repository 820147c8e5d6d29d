package bot

import (
	"context"
	"slices"
	"time"
)

// Noticing changes of who reads a channel: the platforms' events, the
// retries of checks that failed, and the regular check of every channel
// icbot posted to.

// ChannelChanged tells the bot that who can read ch may have changed
// outside icbot: a member invited or removed by hand, a permission or the
// channel's privacy changed. Adapters call it on the platform's events;
// it returns once the channel is checked and the IC told. A channel locked
// for a running closed set is first locked again when someone off the
// roster reads it (keepLocked). Channels icbot never posted to are not
// checked further: nothing of icbot's is there to read. A failure that
// may pass (the platform could not say who reads the channel) schedules
// the check again, with the retry loop.
func (b *Bot) ChannelChanged(ctx context.Context, ch ChannelID) {
	if err := b.keepLocked(ctx, ch, "changed outside icbot"); err != nil && ctx.Err() == nil {
		b.log.Warn("could not check a closed-set lock whose channel changed; trying again", "channel", string(ch), "err", err)
		b.recheckLock(ch, "changed outside icbot")
	}
	if err := b.readersChanged(ctx, ch, "changed outside icbot", false); err != nil && ctx.Err() == nil {
		b.log.Warn("could not check a channel whose readers changed; trying again", "channel", string(ch), "err", err)
		b.recheck(ch, "changed outside icbot", false)
	}
}

// Checks that must be made again, and the regular check of every channel
// icbot posted to, which catches changes no platform event reports (a
// Slack channel made public, a Discord role given a channel's access).
const (
	recheckFirst = 5 * time.Second
	recheckMax   = 5 * time.Minute
	// sweepEvery is how often every channel icbot posted to is checked.
	sweepEvery = 10 * time.Minute
)

// pendingCheck is a channel whose readers must be checked again; lock:
// its closed-set lock too (keepLocked).
type pendingCheck struct {
	cause string
	quiet bool
	lock  bool
	tries int
	at    time.Time
}

// recheck schedules a check of ch's readers, soon, and wakes the retry
// loop; a check already waiting keeps its time.
func (b *Bot) recheck(ch ChannelID, cause string, quiet bool) {
	b.audience.mu.Lock()
	if b.audience.pending == nil {
		b.audience.pending = map[ChannelID]pendingCheck{}
	}
	if _, waiting := b.audience.pending[ch]; !waiting {
		b.audience.pending[ch] = pendingCheck{cause: cause, quiet: quiet, at: b.clock().Add(recheckFirst)}
	}
	b.audience.mu.Unlock()
	b.outbox.wake()
}

// recheckLock schedules a check of ch's closed-set lock and readers, soon,
// and wakes the retry loop.
func (b *Bot) recheckLock(ch ChannelID, cause string) {
	b.audience.mu.Lock()
	if b.audience.pending == nil {
		b.audience.pending = map[ChannelID]pendingCheck{}
	}
	p, waiting := b.audience.pending[ch]
	if !waiting {
		p = pendingCheck{cause: cause, at: b.clock().Add(recheckFirst)}
	}
	p.lock = true
	b.audience.pending[ch] = p
	b.audience.mu.Unlock()
	b.outbox.wake()
}

// recheckNow schedules a check of ch's readers for the retry loop's next
// pass, now.
func (b *Bot) recheckNow(ch ChannelID, cause string) {
	b.audience.mu.Lock()
	if b.audience.pending == nil {
		b.audience.pending = map[ChannelID]pendingCheck{}
	}
	b.audience.pending[ch] = pendingCheck{cause: cause, quiet: true, at: b.clock()}
	b.audience.mu.Unlock()
	b.outbox.wake()
}

// checkDue makes the checks that are due, and the regular sweep when it
// is, and returns when the next falls due.
func (b *Bot) checkDue(ctx context.Context) time.Time {
	now := b.clock()
	b.audience.mu.Lock()
	if b.audience.nextSweep.IsZero() {
		b.audience.nextSweep = now.Add(sweepEvery)
	}
	sweepNow := !now.Before(b.audience.nextSweep)
	if sweepNow {
		b.audience.nextSweep = now.Add(sweepEvery)
	}
	var due []ChannelID
	for ch, p := range b.audience.pending {
		if !p.at.After(now) {
			due = append(due, ch)
		}
	}
	b.audience.mu.Unlock()
	slices.Sort(due)
	if sweepNow {
		chs, err := b.ledgerChannels(ctx)
		if err != nil && ctx.Err() == nil {
			b.log.Warn("listing the channels to check", "err", err)
		}
		// Locks first: someone let into a locked channel is taken out,
		// rather than the roster's post taken down. One that cannot be
		// checked now is checked at the next sweep.
		if err := b.keepLocked(ctx, "", "a regular check"); err != nil && ctx.Err() == nil {
			b.log.Warn("checking the closed-set locks", "err", err)
		}
		for _, ch := range chs {
			if err := b.readersChanged(ctx, ch, "a regular check", true); err != nil && ctx.Err() == nil {
				b.recheck(ch, "a regular check", true)
			}
		}
	}
	for _, ch := range due {
		b.audience.mu.Lock()
		p := b.audience.pending[ch]
		b.audience.mu.Unlock()
		var lockErr error
		if p.lock {
			lockErr = b.keepLocked(ctx, ch, p.cause)
		}
		err := b.readersChanged(ctx, ch, p.cause, p.quiet)
		b.audience.mu.Lock()
		switch {
		case (err == nil && lockErr == nil) || ctx.Err() != nil:
			delete(b.audience.pending, ch)
		default:
			p.lock = lockErr != nil
			p.tries++
			wait := recheckFirst << min(p.tries, 6)
			p.at = b.clock().Add(min(wait, recheckMax))
			b.audience.pending[ch] = p
		}
		b.audience.mu.Unlock()
	}
	b.audience.mu.Lock()
	defer b.audience.mu.Unlock()
	next := b.audience.nextSweep
	for _, p := range b.audience.pending {
		if p.at.Before(next) {
			next = p.at
		}
	}
	return next
}

// ledgerChannels lists the channels with a post of icbot's still visible.
func (b *Bot) ledgerChannels(ctx context.Context) ([]ChannelID, error) {
	var chs []ChannelID
	err := b.store.View(ctx, func(tx Tx) error {
		var err error
		chs, err = tx.PostChannels()
		return err
	})
	return chs, err
}

// sweepEffect checks channels after a change to who may read what (a role
// taken away, a performer taken off a scene): what a reader of theirs may
// no longer read is taken down. No channels: every channel icbot posted to.
func sweepEffect(cause string, chs ...ChannelID) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		return b.sweep(ctx, cause, chs...)
	}
}

// sweep checks the channels named, or every channel icbot posted to.
// A channel that cannot be checked now is checked again by the retry loop.
func (b *Bot) sweep(ctx context.Context, cause string, chs ...ChannelID) error {
	if len(chs) == 0 {
		var err error
		if chs, err = b.ledgerChannels(ctx); err != nil {
			return err
		}
	}
	var first error
	for _, ch := range slices.Compact(slices.Sorted(slices.Values(chs))) {
		if ch == "" {
			continue
		}
		if err := b.readersChanged(ctx, ch, cause, true); err != nil {
			if ctx.Err() == nil {
				b.recheck(ch, cause, true)
			}
			if first == nil {
				first = err
			}
		}
	}
	return first
}
