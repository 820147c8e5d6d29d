// Package sample thins out log lines that anyone on the network can cause
// (a refused, unsigned request), so that a flood of them cannot flood the
// log: the first is logged, then at most one an interval, saying how many
// were left out since.
package sample

import (
	"sync"
	"time"
)

// Every lets through one event an interval.
type Every struct {
	Interval time.Duration

	mu      sync.Mutex
	last    time.Time
	skipped int
}

// Allow reports whether the event at now is to be logged, and how many
// were left out since the last one that was.
func (e *Every) Allow(now time.Time) (ok bool, skipped int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.last.IsZero() && now.Sub(e.last) < e.Interval {
		e.skipped++
		return false, 0
	}
	skipped, e.skipped, e.last = e.skipped, 0, now
	return true, skipped
}
