// Package inflight counts work an adapter still has running after it
// answered the platform (follow-ups, late replies), so that a stop, or a
// test, can wait for it.
package inflight

import "sync"

// Group is like sync.WaitGroup, except that work may start while someone
// waits: Wait returns once the count is zero, and new work started after
// that is not waited for. (A WaitGroup must not gain work from zero while
// a Wait runs, and interactions arrive whenever they like.)
type Group struct {
	mu   sync.Mutex
	n    int
	zero *sync.Cond
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
