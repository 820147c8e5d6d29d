package inflight

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestWaitWhileWorkStarts: Wait returns once the count reaches zero, and
// work may be added, from zero, while a Wait runs (which a sync.WaitGroup
// forbids).
func TestWaitWhileWorkStarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group
		release := make(chan struct{})
		g.Add(1)
		go func() { <-release; g.Done() }()
		waited := make(chan struct{})
		go func() { g.Wait(); close(waited) }()
		synctest.Wait()
		select {
		case <-waited:
			t.Fatal("Wait returned with work counted in")
		default:
		}
		close(release)
		<-waited

		var wg sync.WaitGroup
		for range 50 {
			wg.Add(2)
			go func() { defer wg.Done(); g.Add(1); g.Done() }()
			go func() { defer wg.Done(); g.Wait() }()
		}
		wg.Wait()
		g.Wait()
	})
}

// TestStopAfterEndsTheWork: the work's context outlives the requests that
// start work, and ends once the grace period of a stop is over, only the
// first stop counting.
func TestStopAfterEndsTheWork(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var g Group
		ctx := g.Context()
		g.StopAfter(10 * time.Second)
		g.StopAfter(time.Hour) // does not put it off
		time.Sleep(9 * time.Second)
		if ctx.Err() != nil {
			t.Fatal("the work was stopped before its grace period was over")
		}
		time.Sleep(2 * time.Second)
		if ctx.Err() == nil {
			t.Fatal("the work goes on past the grace period")
		}
		if g.Context() != ctx {
			t.Error("a new context after the stop")
		}
	})
}
