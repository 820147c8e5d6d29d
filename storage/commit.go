package storage

import (
	"errors"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"

	"icbot/bot"
)

// maxGroup bounds how many Updates share one transaction, so that a
// commit's size, and the wait of the last function in a group, stay
// bounded however many callers queue.
const maxGroup = 128

// committer runs the functions of concurrent Updates in shared bbolt
// write transactions, so that they share the transaction's two fsyncs
// (group commit). Updates queue in arrival order. The first in the queue
// leads: it takes every Update waiting (at most maxGroup, itself first),
// begins one write transaction, has each function run in it in turn, on
// its own caller's goroutine, then commits, tells the others, and hands
// the lead to the first of those that queued meanwhile. An Update that
// finds nobody leading leads at once: alone, it waits for nothing, as
// bbolt's own Update would. Updates that queue while a group commits are
// the next group: the group forms while the disk syncs, not by waiting.
//
// In a group of more than one, a function that fails (returns an error,
// panics or exits its goroutine) has its writes undone through its
// journal before the next function runs, so the others commit without
// them. A function alone keeps no journal: when it fails, the
// transaction is rolled back, as bbolt's Update would. Should an undo
// itself fail, the transaction is rolled back whole and every Update of
// the group fails with an internal error.
//
// The leader uses the Store's db, which stays the same while any Update
// holds Store.mu for reading, as every member of a group does until it
// has been told the outcome.
type committer struct {
	mu      sync.Mutex
	queue   []*pending
	leading bool // an Update leads; when none does, the queue is empty

	// Test hooks, nil in icbot: queued is called after an Update joins
	// the queue, with the queue's length; committed after a group's
	// commit returned (so synced) or its transaction was rolled back,
	// with the group's size and whether it committed, before anyone in
	// it is told.
	queued    func(n int)
	committed func(size int, ok bool)
}

// pending is one Update in the committer.
type pending struct {
	fn    func(bot.Tx) error
	codec *codec
	wake  chan turn // from the leader; holds one

	// Set by the time update returns:
	t         *tx   // fn's transaction; nil when fn never ran
	returned  bool  // fn returned, rather than panicked or exited
	fnErr     error // fn's error; its writes were undone
	undoErr   error // its writes could not be undone
	commitErr error // the group failed: nothing of it was committed
}

// turn is what a leader tells a waiting Update.
type turn struct {
	kind turnKind
	btx  *bolt.Tx
	ran  chan<- struct{} // turnRun: signalled once fn has run
}

type turnKind uint8

const (
	turnRun  turnKind = iota // run fn in btx now
	turnDone                 // the group committed or rolled back
	turnLead                 // lead the next group
)

// update runs p.fn in a write transaction, shared with the Updates that
// wait at the same time, and returns when that transaction is committed
// and synced, or rolled back. If p.fn panics or exits its goroutine, so
// does update, once p.fn's writes are undone and, if p leads, once the
// rest of its group has committed.
func (c *committer) update(db *bolt.DB, p *pending) {
	c.mu.Lock()
	c.queue = append(c.queue, p)
	lead := !c.leading
	c.leading = true
	n := len(c.queue)
	c.mu.Unlock()
	if c.queued != nil {
		c.queued(n)
	}
	for !lead {
		switch t := <-p.wake; t.kind {
		case turnRun:
			p.run(t.btx, t.ran, true)
		case turnDone:
			return
		case turnLead:
			lead = true
		}
	}
	c.lead(db, p)
}

// lead commits the group that self, first in the queue, leads, and hands
// the lead on.
func (c *committer) lead(db *bolt.DB, self *pending) {
	c.mu.Lock()
	n := min(len(c.queue), maxGroup)
	g := &group{members: slices.Clone(c.queue[:n])}
	clear(c.queue[:n])
	c.queue = c.queue[n:]
	c.mu.Unlock()
	if g.members[0] != self {
		// Only the first in the queue is ever told to lead.
		panic("storage: an Update leads a group it is not first in")
	}

	g.btx, g.err = db.Begin(true)
	// Deferred, so that when self's function panics or exits its
	// goroutine, the rest of the group still runs and commits; and so
	// that nobody waits for ever should the commit itself panic.
	defer func() {
		defer c.handOff()
		defer g.abandon()
		g.check(self)
		g.runOthers()
		g.finish(c.committed)
	}()
	if g.err == nil {
		// Alone, a function that fails is undone by rolling the
		// transaction back, as bbolt's Update does: no journal is kept.
		self.run(g.btx, nil, len(g.members) > 1)
	}
}

// handOff gives the lead to the first Update that queued while the last
// group committed, if any.
func (c *committer) handOff() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.queue) == 0 {
		c.leading = false
		return
	}
	c.queue[0].wake <- turn{kind: turnLead}
}

// group is the Updates that share one write transaction; members[0]
// leads.
type group struct {
	members []*pending
	btx     *bolt.Tx
	// err, once set, fails every Update of the group that has not
	// failed on its own: the transaction could not begin, or a failed
	// function's writes could not be undone.
	err error
	// told: every member has been told the outcome.
	told bool
}

// runOthers has every other member run its function, one after another,
// each on its own goroutine while this one waits.
func (g *group) runOthers() {
	if len(g.members) == 1 {
		return
	}
	ran := make(chan struct{}, 1)
	for _, p := range g.members[1:] {
		if g.err != nil {
			return
		}
		p.wake <- turn{kind: turnRun, btx: g.btx, ran: ran}
		<-ran
		g.check(p)
	}
}

// check stops the group when p's writes could not be undone.
func (g *group) check(p *pending) {
	if p.undoErr != nil {
		g.err = p.undoErr
	}
}

// finish commits the transaction, or rolls it back when no function
// succeeded or the group failed, and tells the others.
func (g *group) finish(hook func(int, bool)) {
	ok := false
	for _, p := range g.members {
		ok = ok || (p.returned && p.fnErr == nil)
	}
	committed := false
	switch {
	case g.btx == nil:
	case g.err != nil || !ok:
		_ = g.btx.Rollback()
	default:
		g.err = g.btx.Commit()
		committed = g.err == nil
	}
	if hook != nil {
		hook(len(g.members), committed)
	}
	g.tell()
}

// tell gives every member whose function did not fail the group's error,
// if any, and wakes the others than the leader.
func (g *group) tell() {
	for i, p := range g.members {
		if g.err != nil && p.fnErr == nil {
			p.commitErr = g.err
		}
		if i > 0 {
			select {
			case p.wake <- turn{kind: turnDone}:
			default: // told already
			}
		}
	}
	g.told = true
}

// errAbandoned is the error of a group whose commit panicked.
var errAbandoned = errors.New("storage: the commit panicked; nothing was committed")

// abandon, when the group was not told its outcome because the commit
// panicked, rolls the transaction back (releasing bbolt's writer lock, as
// bbolt's own Update does) and fails every member, so that none waits.
func (g *group) abandon() {
	if g.told {
		return
	}
	if g.btx != nil {
		_ = g.btx.Rollback()
	}
	g.err = errAbandoned
	g.tell()
}

// run runs p.fn in btx as one member of a group, on the caller's
// goroutine, and, when journaled, undoes its writes unless it returns
// nil. ran, when given, is signalled when it is done, also when fn
// panics or exits.
func (p *pending) run(btx *bolt.Tx, ran chan<- struct{}, journaled bool) {
	t := &tx{btx: btx, codec: p.codec}
	if journaled {
		t.j = &journal{btx: btx}
	}
	p.t = t
	defer func() {
		t.done.Store(true)
		if (!p.returned || p.fnErr != nil) && t.j != nil {
			p.undoErr = t.j.undo()
		}
		if ran != nil {
			ran <- struct{}{}
		}
	}()
	p.fnErr = p.fn(t)
	p.returned = true
}
