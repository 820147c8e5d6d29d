package discord

import "time"

// SetDeferAfter shortens how long an answer may take before a deferred
// one is sent, so that tests need not wait two seconds.
func SetDeferAfter(a *Adapter, d time.Duration) { a.deferAfter = d }
