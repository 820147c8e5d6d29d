package storage

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Several Updates share one bbolt write transaction (see commit.go), and
// bbolt has no savepoints: a function that fails must still leave no
// trace in the transaction the others commit. So every write a function
// makes goes through a bucket, which notes in the function's journal how
// to undo it, and a failed function's journal is played backwards before
// the next function runs. Nothing else in a write transaction may write:
// tx reaches bbolt only through bucket.

// journal is how to undo, newest last, the writes one function made in a
// shared write transaction.
type journal struct {
	btx   *bolt.Tx
	steps []undoStep
}

// undoKind is what an undoStep puts back.
type undoKind uint8

const (
	// undoValue puts key's earlier value back, or deletes key when it had
	// none.
	undoValue undoKind = iota
	// undoSequence sets the bucket's sequence back.
	undoSequence
	// undoCreate deletes bucket key, which the function created.
	undoCreate
	// undoDelete creates bucket key again as the function found it.
	undoDelete
)

// undoStep undoes one write. path names the bucket written to, from the
// root; for undoCreate and undoDelete, the bucket holding the one created
// or deleted, which key names.
type undoStep struct {
	kind    undoKind
	path    [][]byte
	key     []byte
	value   []byte // undoValue: the earlier value, copied
	existed bool   // undoValue: key had a value
	seq     uint64 // undoSequence: the earlier sequence
	tree    *tree  // undoDelete: the deleted bucket's contents
}

// tree is a bucket's contents, copied out of bbolt.
type tree struct {
	seq     uint64
	keys    [][]byte
	values  [][]byte
	buckets map[string]*tree
}

func copyTree(b *bolt.Bucket) *tree {
	t := &tree{seq: b.Sequence(), buckets: map[string]*tree{}}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			if sub := b.Bucket(k); sub != nil {
				t.buckets[string(k)] = copyTree(sub)
				continue
			}
		}
		t.keys = append(t.keys, bytes.Clone(k))
		t.values = append(t.values, bytes.Clone(v))
	}
	return t
}

// fill writes t into the empty bucket b.
func (t *tree) fill(b *bolt.Bucket) error {
	if err := b.SetSequence(t.seq); err != nil {
		return err
	}
	for i, k := range t.keys {
		if err := b.Put(k, t.values[i]); err != nil {
			return err
		}
	}
	for name, sub := range t.buckets {
		nb, err := b.CreateBucket([]byte(name))
		if err != nil {
			return err
		}
		if err := sub.fill(nb); err != nil {
			return err
		}
	}
	return nil
}

// errUndo is matched by the error of a journal that could not be played
// back: the transaction holds part of a failed function's writes and must
// not be committed.
var errUndo = errors.New("storage: a failed update's changes could not be undone")

// undo plays the journal backwards and empties it.
func (j *journal) undo() error {
	for i := len(j.steps) - 1; i >= 0; i-- {
		if err := j.steps[i].undo(j.btx); err != nil {
			j.steps = j.steps[:0]
			return fmt.Errorf("%w: %w", errUndo, err)
		}
	}
	j.steps = j.steps[:0]
	return nil
}

func (s *undoStep) undo(btx *bolt.Tx) error {
	b := btx.Bucket(s.path[0])
	for _, name := range s.path[1:] {
		if b == nil {
			break
		}
		b = b.Bucket(name)
	}
	if b == nil {
		return fmt.Errorf("bucket %q is gone", bytes.Join(s.path, []byte("/")))
	}
	switch s.kind {
	case undoValue:
		if s.existed {
			return b.Put(s.key, s.value)
		}
		return b.Delete(s.key)
	case undoSequence:
		return b.SetSequence(s.seq)
	case undoCreate:
		return b.DeleteBucket(s.key)
	case undoDelete:
		nb, err := b.CreateBucket(s.key)
		if err != nil {
			return err
		}
		return s.tree.fill(nb)
	}
	return fmt.Errorf("unknown undo step %d", s.kind)
}

// bucket is a bbolt bucket of a transaction, writing through the
// transaction's journal when it has one (the functions of Update) and
// straight to bbolt when not (View).
type bucket struct {
	b    *bolt.Bucket
	path [][]byte
	j    *journal
	top  [1][]byte // path of a top-level bucket, allocated with it
}

func (b *bucket) note(s undoStep) {
	if b.j != nil {
		s.path = b.path
		b.j.steps = append(b.j.steps, s)
	}
}

// lookup is key's value, copied, and whether key has one (bbolt's Get
// cannot tell an empty value from none). A nested bucket is not a value.
func (b *bucket) lookup(key []byte) (v []byte, ok bool) {
	k, v := b.b.Cursor().Seek(key)
	if k == nil || !bytes.Equal(k, key) || (v == nil && b.b.Bucket(key) != nil) {
		return nil, false
	}
	return bytes.Clone(v), true
}

// Get is bbolt's Get.
func (b *bucket) Get(key []byte) []byte { return b.b.Get(key) }

// Put is bbolt's Put, journaled.
func (b *bucket) Put(key, value []byte) error {
	var old []byte
	var existed bool
	if b.j != nil {
		old, existed = b.lookup(key)
	}
	if err := b.b.Put(key, value); err != nil {
		return err
	}
	b.note(undoStep{kind: undoValue, key: bytes.Clone(key), value: old, existed: existed})
	return nil
}

// Delete is bbolt's Delete, journaled.
func (b *bucket) Delete(key []byte) error {
	if b.j == nil {
		return b.b.Delete(key)
	}
	old, existed := b.lookup(key)
	if err := b.b.Delete(key); err != nil || !existed {
		return err
	}
	b.note(undoStep{kind: undoValue, key: bytes.Clone(key), value: old, existed: true})
	return nil
}

// NextSequence is bbolt's NextSequence, journaled.
func (b *bucket) NextSequence() (uint64, error) {
	old := b.b.Sequence()
	n, err := b.b.NextSequence()
	if err != nil {
		return 0, err
	}
	b.note(undoStep{kind: undoSequence, seq: old})
	return n, nil
}

// Sequence is bbolt's Sequence.
func (b *bucket) Sequence() uint64 { return b.b.Sequence() }

// ForEach is bbolt's ForEach: fn must not write to b.
func (b *bucket) ForEach(fn func(k, v []byte) error) error { return b.b.ForEach(fn) }

// ForEachBucket is bbolt's ForEachBucket: fn must not write to b.
func (b *bucket) ForEachBucket(fn func(k []byte) error) error { return b.b.ForEachBucket(fn) }

// setFillPercent sets how full bbolt fills b's pages before splitting
// them, for the rest of the transaction. It changes no data.
func (b *bucket) setFillPercent(f float64) { b.b.FillPercent = f }

// child wraps the nested bucket c named name. Its path is only needed
// to journal.
func (b *bucket) child(name []byte, c *bolt.Bucket) *bucket {
	nb := &bucket{b: c, j: b.j}
	if b.j != nil {
		nb.path = append(slices.Clip(b.path), bytes.Clone(name))
	}
	return nb
}

// Bucket is the nested bucket name, or nil.
func (b *bucket) Bucket(name []byte) *bucket {
	c := b.b.Bucket(name)
	if c == nil {
		return nil
	}
	return b.child(name, c)
}

// CreateBucket is bbolt's CreateBucket, journaled.
func (b *bucket) CreateBucket(name []byte) (*bucket, error) {
	c, err := b.b.CreateBucket(name)
	if err != nil {
		return nil, err
	}
	b.note(undoStep{kind: undoCreate, key: bytes.Clone(name)})
	return b.child(name, c), nil
}

// CreateBucketIfNotExists is bbolt's CreateBucketIfNotExists, journaled.
func (b *bucket) CreateBucketIfNotExists(name []byte) (*bucket, error) {
	if c := b.Bucket(name); c != nil {
		return c, nil
	}
	return b.CreateBucket(name)
}

// DeleteBucket is bbolt's DeleteBucket, journaled with a copy of what it
// deletes.
func (b *bucket) DeleteBucket(name []byte) error {
	var saved *tree
	if c := b.b.Bucket(name); c != nil && b.j != nil {
		saved = copyTree(c)
	}
	if err := b.b.DeleteBucket(name); err != nil {
		return err
	}
	b.note(undoStep{kind: undoDelete, key: bytes.Clone(name), tree: saved})
	return nil
}

// Cursor is a cursor over b whose Delete is journaled.
func (b *bucket) Cursor() *cursor { return &cursor{c: b.b.Cursor(), b: b} }

// cursor is a bbolt cursor that remembers where it is, so that its
// Delete can note what it deletes.
type cursor struct {
	c    *bolt.Cursor
	b    *bucket
	k, v []byte
}

func (c *cursor) at(k, v []byte) ([]byte, []byte) {
	c.k, c.v = k, v
	return k, v
}

func (c *cursor) First() ([]byte, []byte)           { return c.at(c.c.First()) }
func (c *cursor) Last() ([]byte, []byte)            { return c.at(c.c.Last()) }
func (c *cursor) Next() ([]byte, []byte)            { return c.at(c.c.Next()) }
func (c *cursor) Prev() ([]byte, []byte)            { return c.at(c.c.Prev()) }
func (c *cursor) Seek(seek []byte) ([]byte, []byte) { return c.at(c.c.Seek(seek)) }

// Delete is bbolt's Cursor.Delete, journaled.
func (c *cursor) Delete() error {
	k, v := bytes.Clone(c.k), bytes.Clone(c.v)
	if err := c.c.Delete(); err != nil {
		return err
	}
	if k != nil {
		c.b.note(undoStep{kind: undoValue, key: k, value: v, existed: true})
	}
	return nil
}
