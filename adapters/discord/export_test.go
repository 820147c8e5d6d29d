package discord

import (
	"context"
	"time"
)

// SetDeferAfter shortens how long an answer may take before a deferred
// one is sent, so that tests need not wait two seconds.
func SetDeferAfter(a *Adapter, d time.Duration) { a.deferAfter = d }

// SyncEvents has the gateway's event handlers run one after another, in
// the order Discord sent the events, so that a test knows every earlier
// event was handled once a later one is.
func SyncEvents(a *Adapter) { a.session.SyncEvents = true }

// StateGuilds is how many servers discordgo's state holds.
func StateGuilds(a *Adapter) int {
	a.session.State.RLock()
	defer a.session.State.RUnlock()
	return len(a.session.State.Guilds)
}

// OpenHTTP opens the adapter for interactions over HTTP alone, without
// the gateway: the token checked, the commands registered.
func OpenHTTP(ctx context.Context, a *Adapter, h Handler) error { return a.openHTTP(ctx, h) }
