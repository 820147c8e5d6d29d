// Package inflight counts work an adapter still has running after it
// answered the platform (follow-ups, late replies), so that a stop, or a
// test, can wait for it, and gives that work a context that a stop ends
// once its grace period is over.
package inflight

import (
	"context"
	"sync"
	"time"
)

// Group is like sync.WaitGroup, except that work may start while someone
// waits: Wait returns once the count is zero, and new work started after
// that is not waited for. (A WaitGroup must not gain work from zero while
// a Wait runs, and interactions arrive whenever they like.)
type Group struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
	// ctx is the work's context, ended by stop; made on first use.
	ctx      context.Context
	stop     context.CancelFunc
	stopOnce sync.Once
}

// Context is the context the group's work runs with: unlike the request
// that started it, it lasts past the answer, until StopAfter's grace
// period is over. Work cut short then leaves what it had not done queued
// for the next start.
func (g *Group) Context() context.Context {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx == nil {
		g.ctx, g.stop = context.WithCancel(context.Background())
	}
	return g.ctx
}

// StopAfter ends the work's context once grace has passed (at once when
// grace is not positive). Only the first call counts.
func (g *Group) StopAfter(grace time.Duration) {
	g.Context()
	g.stopOnce.Do(func() {
		if grace <= 0 {
			g.stop()
			return
		}
		time.AfterFunc(grace, g.stop)
	})
}

func (g *Group) cond() *sync.Cond {
	if g.zero == nil {
		g.zero = sync.NewCond(&g.mu)
	}
	return g.zero
}

// Add counts n pieces of work in.
func (g *Group) Add(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n += n
	if g.n < 0 {
		panic("inflight: negative count")
	}
	if g.n == 0 {
		g.cond().Broadcast()
	}
}

// Done counts one piece of work out.
func (g *Group) Done() { g.Add(-1) }

// Wait blocks until no work is counted in.
func (g *Group) Wait() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for g.n > 0 {
		g.cond().Wait()
	}
}
