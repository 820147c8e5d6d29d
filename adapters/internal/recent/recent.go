// Package recent is what an adapter remembers of what the platform sent
// it: a map that forgets. It holds at most a fixed number of entries,
// dropping the one used longest ago to make room, and an entry older than
// its age limit reads as absent. However many distinct keys a platform,
// or someone who can make it send them, brings, the map stays within its
// cap; what it forgot costs a lookup again, never a wrong answer, as long
// as its user can do without an entry (see each user's bound).
package recent

import (
	"container/list"
	"sync"
	"time"
)

// Map is a map with a cap on its entries and on their age. It is safe for
// concurrent use.
type Map[K comparable, V any] struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	items map[K]*entry[K, V]
	// used lists the entries most recently used first; aged lists them
	// by when they were put, oldest first.
	used, aged list.List
}

type entry[K comparable, V any] struct {
	key    K
	val    V
	set    time.Time // when the value was put; its age counts from here
	inUsed *list.Element
	inAged *list.Element
}

// New returns a Map of at most size entries (at least one), each kept for
// ttl from when it was put and no longer (no age limit when ttl is zero),
// by the clock now (time.Now when nil).
func New[K comparable, V any](size int, ttl time.Duration, now func() time.Time) *Map[K, V] {
	if now == nil {
		now = time.Now
	}
	return &Map[K, V]{max: max(1, size), ttl: ttl, now: now, items: map[K]*entry[K, V]{}}
}

// Get returns the value under k, unless it is absent or too old.
func (m *Map[K, V]) Get(k K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.live(k, m.now())
	if !ok {
		var zero V
		return zero, false
	}
	return e.val, true
}

// Put sets k to v, its age counting from now.
func (m *Map[K, V]) Put(k K, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.live(k, now); ok {
		e.val, e.set = v, now
		m.aged.MoveToBack(e.inAged)
		return
	}
	m.add(k, v, now)
}

// Update sets k to what f makes of its value (the zero value and false
// when absent or too old), in one step, so that no other change comes in
// between. A live entry keeps its age; an absent one is put now.
func (m *Map[K, V]) Update(k K, f func(v V, ok bool) V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.live(k, now); ok {
		e.val = f(e.val, true)
		return
	}
	var zero V
	m.add(k, f(zero, false), now)
}

// Delete forgets k.
func (m *Map[K, V]) Delete(k K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.items[k]; ok {
		m.remove(e)
	}
}

// Len is how many entries the map holds, those too old but not yet
// dropped included: never more than its cap.
func (m *Map[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// live returns k's entry and marks it used, or drops it when too old.
func (m *Map[K, V]) live(k K, now time.Time) (*entry[K, V], bool) {
	e, ok := m.items[k]
	if !ok {
		return nil, false
	}
	if m.expired(e, now) {
		m.remove(e)
		return nil, false
	}
	m.used.MoveToFront(e.inUsed)
	return e, true
}

// add puts a new entry, first dropping every entry too old, then, when
// the map is still full, the one used longest ago.
func (m *Map[K, V]) add(k K, v V, now time.Time) {
	for el := m.aged.Front(); el != nil && m.expired(el.Value.(*entry[K, V]), now); el = m.aged.Front() {
		m.remove(el.Value.(*entry[K, V]))
	}
	for len(m.items) >= m.max {
		m.remove(m.used.Back().Value.(*entry[K, V]))
	}
	e := &entry[K, V]{key: k, val: v, set: now}
	e.inUsed, e.inAged = m.used.PushFront(e), m.aged.PushBack(e)
	m.items[k] = e
}

func (m *Map[K, V]) expired(e *entry[K, V], now time.Time) bool {
	return m.ttl > 0 && now.Sub(e.set) > m.ttl
}

func (m *Map[K, V]) remove(e *entry[K, V]) {
	delete(m.items, e.key)
	m.used.Remove(e.inUsed)
	m.aged.Remove(e.inAged)
}
