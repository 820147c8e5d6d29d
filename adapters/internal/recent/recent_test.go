package recent

import (
	"strconv"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestCap: 100,000 distinct keys leave the map at its cap, holding the
// latest; an entry used meanwhile outlives those put before and after it.
func TestCap(t *testing.T) {
	m := New[string, int](1000, 0, nil)
	m.Put("kept", -1)
	for i := range 100_000 {
		m.Put(strconv.Itoa(i), i)
		if i%100 == 0 {
			if _, ok := m.Get("kept"); !ok {
				t.Fatalf("an entry used every 100 puts was dropped after %d", i)
			}
		}
		if m.Len() > 1000 {
			t.Fatalf("%d entries after %d puts, cap 1000", m.Len(), i+1)
		}
	}
	if got := m.Len(); got != 1000 {
		t.Errorf("%d entries, want 1000", got)
	}
	if _, ok := m.Get("98000"); ok {
		t.Errorf("an entry put 2,000 keys ago is still there")
	}
	if v, ok := m.Get("99999"); !ok || v != 99999 {
		t.Errorf("the last entry: %d %v", v, ok)
	}
}

// TestAge: an entry reads as absent once older than the age limit, counted
// from when it was put; Update keeps a live entry's age, and starts an
// absent one's. Old entries make room for new ones before live ones do.
func TestAge(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	m := New[string, int](3, 30*time.Minute, c.now)
	inc := func(v int, _ bool) int { return v + 1 }
	m.Update("a", inc)
	c.add(20 * time.Minute)
	m.Update("a", inc)
	if v, ok := m.Get("a"); !ok || v != 2 {
		t.Fatalf("after two updates: %d %v", v, ok)
	}
	c.add(10 * time.Minute)
	if _, ok := m.Get("a"); !ok {
		t.Errorf("gone at exactly its age limit")
	}
	c.add(time.Second)
	if _, ok := m.Get("a"); ok {
		t.Errorf("an update made an entry live past 30 minutes from its first")
	}
	m.Update("a", inc)
	if v, _ := m.Get("a"); v != 1 {
		t.Errorf("an entry updated after it expired starts again at %d, want 1", v)
	}

	// "old" is used after "live" is put, but put before it: once it is
	// too old it goes first, although "live" was used longer ago.
	m.Delete("a")
	m.Put("old", 0)
	c.add(20 * time.Minute)
	m.Put("live", 0)
	m.Get("old")
	c.add(11 * time.Minute)
	m.Put("b", 0)
	m.Put("c", 0)
	if m.Len() != 3 {
		t.Errorf("%d entries, want 3", m.Len())
	}
	for _, k := range []string{"live", "b", "c"} {
		if _, ok := m.Get(k); !ok {
			t.Errorf("%s was dropped while an entry too old was there", k)
		}
	}
}

// TestConcurrent: updates from many goroutines are each counted once.
func TestConcurrent(t *testing.T) {
	m := New[int, int](10, 0, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			for k := range 20 {
				m.Update(k%5, func(v int, _ bool) int { return v + 1 })
			}
		})
	}
	wg.Wait()
	for k := range 5 {
		if v, _ := m.Get(k); v != 200 {
			t.Errorf("key %d counted %d, want 200", k, v)
		}
	}
	m.Delete(0)
	if _, ok := m.Get(0); ok {
		t.Errorf("a deleted key is still there")
	}
}
