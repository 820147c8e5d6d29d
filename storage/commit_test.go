package storage_test

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/storage"
)

// commits watches a store's committer through its test hooks.
type commits struct {
	queued chan int

	mu     sync.Mutex
	groups []int // the size of each group committed, in order
	failed int   // groups rolled back
}

func watchCommits(s *storage.Store) *commits {
	c := &commits{queued: make(chan int, 1024)}
	storage.SetCommitHooks(s, func(n int) { c.queued <- n }, func(size int, ok bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if ok {
			c.groups = append(c.groups, size)
		} else {
			c.failed++
		}
	})
	return c
}

func (c *commits) committed() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.groups)
}

// waitQueued waits until n Updates are queued behind the running group.
func (c *commits) waitQueued(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-c.queued:
			if got == n {
				return
			}
		case <-deadline:
			t.Fatalf("%d Updates never queued", n)
		}
	}
}

// inOneGroup runs fns as concurrent Updates that share one transaction,
// in order: an Update holds the write transaction open while they queue
// one after another, and lets go once all have. It returns what each
// Update returned, a panic as an error saying "panic: ".
func inOneGroup(t *testing.T, s *storage.Store, c *commits, fns ...func(bot.Tx) error) []error {
	t.Helper()
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.Update(t.Context(), func(bot.Tx) error {
			close(started)
			<-release
			return nil
		})
		if err != nil {
			t.Errorf("the Update holding the transaction: %v", err)
		}
	})
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the Update holding the transaction never ran")
	}
	c.waitQueued(t, 1) // its own
	errs := make([]error, len(fns))
	for i, fn := range fns {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i] = s.Update(t.Context(), fn)
		})
		c.waitQueued(t, i+1)
	}
	close(release)
	wg.Wait()
	return errs
}

// addScene writes a scene and its audit record, as a command would.
func addScene(id bot.SceneID) func(bot.Tx) error {
	return func(tx bot.Tx) error {
		if err := tx.PutScene(bot.Scene{ID: id, Title: "Night swim", Version: 1}); err != nil {
			return err
		}
		return tx.Audit(bot.AuditRecord{Time: t0, Actor: "U5", Action: "scene.add", Scene: id, Summary: "added " + string(id)})
	}
}

// TestConcurrentUpdatesShareACommit shows Updates waiting while a
// transaction is open committed together, in one transaction (one fsync
// pair) in the order they came, each with its audit record chained.
// Before group commit each had a commit of its own.
func TestConcurrentUpdatesShareACommit(t *testing.T) {
	s := openStore(t, storage.WithKey(keyA))
	c := watchCommits(s)
	var fns []func(bot.Tx) error
	for i := range 16 {
		fns = append(fns, addScene(bot.SceneID(fmt.Sprintf("S%d", i+1))))
	}
	for i, err := range inOneGroup(t, s, c, fns...) {
		if err != nil {
			t.Errorf("Update %d: %v", i+1, err)
		}
	}
	if got, want := c.committed(), []int{1, 16}; !slices.Equal(got, want) {
		t.Errorf("groups committed %v, want %v: the 16 should share one commit", got, want)
	}
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if head.Records != 16 {
		t.Errorf("%d audit records, want 16", head.Records)
	}
	var scenes []bot.SceneID
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { scenes = append(scenes, r.Scene); return nil }); err != nil {
		t.Fatal(err)
	}
	for i, id := range scenes {
		if want := bot.SceneID(fmt.Sprintf("S%d", i+1)); id != want {
			t.Errorf("audit record %d is about %s, want %s: Updates ran out of order", i+1, id, want)
		}
	}
}

var errRefused = errors.New("refused")

// TestFailedUpdateUndoneAlone shows that in a group, an Update whose
// function fails after writing, or panics, leaves no trace: the
// functions after it do not see its writes (its audit record, its
// delivery's id), and the others commit.
func TestFailedUpdateUndoneAlone(t *testing.T) {
	s := openStore(t, storage.WithKey(keyA))
	c := watchCommits(s)
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutScene(bot.Scene{ID: "12", Title: "Kept", Version: 1}); err != nil {
			return err
		}
		return tx.AddBoundaries(boundaries("12", "U1", 1, "kept"))
	})
	before, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	n := len(c.committed())
	// writeAll makes every kind of write, then fails as fail says.
	writeAll := func(fail func() error) func(bot.Tx) error {
		return func(tx bot.Tx) error {
			if err := addScene("LOST")(tx); err != nil {
				return err
			}
			if err := tx.DeleteScene("12"); err != nil {
				return err
			}
			if _, err := tx.Enqueue(bot.Delivery{Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Text: "lost"}}); err != nil {
				return err
			}
			if _, err := tx.PutReminder(pending("lost", t0)); err != nil {
				return err
			}
			if _, err := tx.AddPost(bot.Post{Channel: "C1", What: "lost"}); err != nil {
				return err
			}
			if _, err := tx.FirstSeen("lost", t0); err != nil {
				return err
			}
			return fail()
		}
	}
	var sawAudit uint64
	var sawDelivery uint64
	errs := inOneGroup(t, s, c,
		addScene("B"),
		writeAll(func() error { return errRefused }),
		func(tx bot.Tx) error {
			var err error
			if sawAudit, err = tx.AuditLen(); err != nil {
				return err
			}
			if _, err := tx.Scene("LOST"); bot.ErrorCode(err) != bot.ENOTFOUND {
				return fmt.Errorf("scene LOST of the failed Update: %v, want not found", err)
			}
			if _, err := tx.Boundaries("12", "U1"); err != nil {
				return fmt.Errorf("boundaries the failed Update deleted: %v", err)
			}
			if sawDelivery, err = tx.Enqueue(bot.Delivery{Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U2"}, Text: "kept"}}); err != nil {
				return err
			}
			return addScene("D")(tx)
		},
		writeAll(func() error { panic("a bug") }),
		addScene("E"),
	)
	if !errors.Is(errs[1], errRefused) {
		t.Errorf("the failing Update returned %v, want its own error", errs[1])
	}
	if errs[3] == nil || !strings.Contains(errs[3].Error(), "panic: a bug") {
		t.Errorf("the panicking Update returned %v, want its panic", errs[3])
	}
	for _, i := range []int{0, 2, 4} {
		if errs[i] != nil {
			t.Errorf("Update %d: %v", i+1, errs[i])
		}
	}
	if got, want := c.committed()[n:], []int{1, 5}; !slices.Equal(got, want) {
		t.Errorf("groups committed %v, want %v", got, want)
	}
	if sawAudit != 1 {
		t.Errorf("the Update after the failed one saw %d audit records, want 1 (the failed one's undone)", sawAudit)
	}
	if sawDelivery != 1 {
		t.Errorf("the Update after the failed one enqueued delivery %d, want 1 (the failed one's number given back)", sawDelivery)
	}

	after, err := storage.Dump(s)
	if err != nil {
		t.Fatal(err)
	}
	// What B, D and E wrote, and nothing else.
	for k, v := range after {
		if before[k] == v {
			continue
		}
		if !strings.HasPrefix(k, `scenes/"B"`) && !strings.HasPrefix(k, `scenes/"D"`) && !strings.HasPrefix(k, `scenes/"E"`) &&
			!strings.HasPrefix(k, "audit/") && k != `meta/"audit_head"` && !strings.HasPrefix(k, "outbox") &&
			!strings.HasPrefix(k, "personkeys/") {
			t.Errorf("%s changed by a failed Update: %s, was %s", k, v, before[k])
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			t.Errorf("%s deleted by a failed Update", k)
		}
	}
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var scenes []bot.SceneID
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { scenes = append(scenes, r.Scene); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []bot.SceneID{"B", "D", "E"}; head.Records != 3 || !slices.Equal(scenes, want) {
		t.Errorf("audit log %v (head %d), want %v", scenes, head.Records, want)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// txReads are the bot.Tx methods that only read; every other method has
// a row in TestEveryWriteUndone.
var txReads = []string{
	"Production", "Person", "People", "Scene", "Scenes", "Session", "Sessions", "AuditLen",
	"Boundaries", "BoundariesHistory", "Rider", "Riders", "Reminder", "ReminderByKey", "SceneReminders",
	"DueReminders", "NextReminder", "MissedReminders", "Delivery", "Deliveries", "Posts", "PostChannels",
	"ReminderInputs", "SceneIDs", "LatestSessions", "PeopleVersion", "Notice", "Notices",
}

// TestEveryWriteUndone makes each kind of write of bot.Tx in an Update
// that then fails, grouped with one that succeeds and so commits, and
// shows the file holds what it held before, byte for byte; then makes
// the same write in an Update that succeeds, to show it did change
// something. A write the journal missed would stay behind.
func TestEveryWriteUndone(t *testing.T) {
	s := openStore(t, storage.WithKey(keyA))
	c := watchCommits(s)
	var reminder uint64
	update(t, s, func(tx bot.Tx) error {
		for _, err := range []error{
			tx.PutProduction(bot.ProductionInfo{Name: "Night Shift", DeptChannels: map[bot.Role]bot.ChannelID{bot.RoleCostume: "CCOST"}}),
			tx.PutPerson(bot.Person{ID: "U1", Name: "paula", Roles: []bot.Role{bot.RolePerformer}}),
			tx.PutScene(fullScene()),
			tx.PutSession(fullSession()),
			tx.AddBoundaries(boundaries("12A", "U1", 1, "a")),
			tx.AddBoundaries(boundaries("12A", "U2", 1, "b")),
			tx.PutRider(rider("12A", "U1", 1, "a")),
			addScene("12A")(tx),
		} {
			if err != nil {
				return err
			}
		}
		var err error
		if reminder, err = tx.PutReminder(fullReminder()); err != nil {
			return err
		}
		if _, err := tx.PutReminder(pending("check-in/12A/U2/1", t0)); err != nil {
			return err
		}
		if _, err := tx.Enqueue(bot.Delivery{Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Text: "hello"}}); err != nil {
			return err
		}
		if _, err := tx.AddPost(bot.Post{Channel: "C9", Class: bot.ClassTopline, Scene: "12A", What: "summary", At: t0}); err != nil {
			return err
		}
		_, err = tx.FirstSeen("slack:old", t0.Add(-2*storage.EventMemory))
		return err
	})

	writes := []struct {
		name   string // the bot.Tx method
		detail string
		write  func(bot.Tx) error
	}{
		{"PutProduction", "", func(tx bot.Tx) error { return tx.PutProduction(bot.ProductionInfo{Name: "Day Shift"}) }},
		{"PutPerson", "new", func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U9", Roles: []bot.Role{bot.RoleIC}}) }},
		{"PutPerson", "replaced", func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U1", Roles: []bot.Role{bot.RoleIC}}) }},
		{"DeletePerson", "", func(tx bot.Tx) error { return tx.DeletePerson("U1") }},
		{"PutScene", "new", func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "13", Title: "x"}) }},
		{"PutScene", "replaced", func(tx bot.Tx) error { return tx.PutScene(heldScene("12A", 8, "c")) }},
		{"PutSession", "of a scene without sessions", func(tx bot.Tx) error { return tx.PutSession(bot.Session{Scene: "14", Seq: 1, StartedAt: t0}) }},
		{"Audit", "", func(tx bot.Tx) error {
			return tx.Audit(bot.AuditRecord{Time: t0, Actor: "U5", Action: "x", Summary: "y"})
		}},
		{"AddBoundaries", "first", func(tx bot.Tx) error { return tx.AddBoundaries(boundaries("15", "U1", 1, "c")) }},
		{"AddBoundaries", "next", func(tx bot.Tx) error { return tx.AddBoundaries(boundaries("12A", "U1", 2, "c")) }},
		{"PutRider", "", func(tx bot.Tx) error { return tx.PutRider(rider("16", "U2", 1, "c")) }},
		{"PutReminder", "new", func(tx bot.Tx) error { _, err := tx.PutReminder(pending("check-in/17/U1/1", t0)); return err }},
		{"PutReminder", "replaced", func(tx bot.Tx) error {
			r, err := tx.Reminder(reminder)
			if err != nil {
				return err
			}
			r.State, r.SentAt, r.Scene, r.Key = bot.ReminderMissed, time.Time{}, "18", "moved"
			_, err = tx.PutReminder(r)
			return err
		}},
		{"Enqueue", "", func(tx bot.Tx) error {
			_, err := tx.Enqueue(bot.Delivery{Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U2"}, Text: "x"}})
			return err
		}},
		{"PutDelivery", "", func(tx bot.Tx) error {
			d, err := tx.Delivery(1)
			if err != nil {
				return err
			}
			d.Attempts, d.LastError = d.Attempts+1, "rate limited"
			return tx.PutDelivery(d)
		}},
		{"DeleteDelivery", "", func(tx bot.Tx) error { return tx.DeleteDelivery(1) }},
		{"FirstSeen", "forgetting an old key", func(tx bot.Tx) error { _, err := tx.FirstSeen("slack:new", t0); return err }},
		{"AddPost", "to a new channel", func(tx bot.Tx) error { _, err := tx.AddPost(bot.Post{Channel: "C10", What: "x"}); return err }},
		{"PutPost", "", func(tx bot.Tx) error {
			return tx.PutPost(bot.Post{Channel: "C9", Seq: 1, Class: bot.ClassTopline, What: "summary", Retracted: t0, RetractedFor: "U3"})
		}},
		{"ErasePerson", "keeping a rider", func(tx bot.Tx) error {
			_, err := tx.ErasePerson(bot.EraseRequest{User: "U1", Now: t0, Keep: []bot.KeepRecord{{Scene: "12A", Rider: true, Boundaries: true}}})
			return err
		}},
		{"DeleteScene", "with boundaries and riders", func(tx bot.Tx) error { return tx.DeleteScene("12A") }},
		{"PutReminderInputs", "", func(tx bot.Tx) error { return tx.PutReminderInputs("v2 Europe/London") }},
		{"PutNotice", "", func(tx bot.Tx) error {
			return tx.PutNotice(bot.NoticeState{User: "U1", Sent: 1, SentAt: t0, Acked: 1, AckedAt: t0})
		}},
		{"ShredPersonKeys", "", func(tx bot.Tx) error { _, err := tx.ShredPersonKeys(t0); return err }},
	}

	covered := map[string]bool{}
	for _, w := range writes {
		covered[w.name] = true
	}
	for m := range reflect.TypeFor[bot.Tx]().Methods() {
		if !covered[m.Name] && !slices.Contains(txReads, m.Name) {
			t.Errorf("bot.Tx.%s has no row here and is not listed as a read: add one", m.Name)
		}
	}

	for _, w := range writes {
		t.Run(strings.TrimSpace(w.name+" "+w.detail), func(t *testing.T) {
			before, err := storage.Dump(s)
			if err != nil {
				t.Fatal(err)
			}
			n := len(c.committed())
			errs := inOneGroup(t, s, c,
				func(tx bot.Tx) error {
					if err := w.write(tx); err != nil {
						return fmt.Errorf("the write itself failed: %w", err)
					}
					return errRefused
				},
				func(bot.Tx) error { return nil }, // commits the transaction
			)
			if !errors.Is(errs[0], errRefused) || errs[1] != nil {
				t.Fatalf("Updates returned %v", errs)
			}
			if got := c.committed()[n:]; !slices.Equal(got, []int{1, 2}) {
				t.Fatalf("groups committed %v, want [1 2]", got)
			}
			after, err := storage.Dump(s)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("the failed Update left changes (-before +after):\n%s", diff)
			}
			update(t, s, w.write)
			if changed, err := storage.Dump(s); err != nil {
				t.Fatal(err)
			} else if cmp.Equal(before, changed) {
				t.Errorf("the write changes nothing, so this row shows nothing")
			}
		})
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Error(err)
	}
}

// TestUpdateReturnsAfterItsCommit shows that no Update returns before
// the transaction holding its write has committed, which syncs it to
// disk: at each commit the test notes what is committed, and each Update,
// once it returns, finds its scene among them.
func TestUpdateReturnsAfterItsCommit(t *testing.T) {
	s := openStore(t)
	if !storage.Syncs(s) {
		t.Fatal("the store commits without fsync")
	}
	var (
		mu        sync.Mutex
		durable   = map[bot.SceneID]bool{}
		groups    int
		viewError error
	)
	storage.SetCommitHooks(s, nil, func(size int, ok bool) {
		if !ok {
			return
		}
		// Runs after the commit returned and before anyone is told.
		err := s.View(t.Context(), func(tx bot.Tx) error {
			scenes, err := tx.Scenes()
			mu.Lock()
			defer mu.Unlock()
			groups++
			for _, sc := range scenes {
				durable[sc.ID] = true
			}
			return err
		})
		if err != nil {
			mu.Lock()
			viewError = err
			mu.Unlock()
		}
	})
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				id := bot.SceneID(fmt.Sprintf("W%d-%d", w, i))
				if err := s.Update(t.Context(), addScene(id)); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
				mu.Lock()
				ok := durable[id]
				mu.Unlock()
				if !ok {
					t.Errorf("Update of %s returned before its commit", id)
				}
			}
		})
	}
	wg.Wait()
	if viewError != nil {
		t.Fatal(viewError)
	}
	t.Logf("%d Updates in %d commits", writers*each, groups)
}

// TestSerialUpdatesNotDelayed shows that an Update with nobody else
// writing commits at once, alone: on synctest's clock, where any timer
// or sleep in the commit path (such as a batching delay) would show, no
// time passes. The fsyncs take real time, which the bubble's clock does
// not count.
func TestSerialUpdatesNotDelayed(t *testing.T) {
	path := t.TempDir() + "/icbot.db"
	synctest.Test(t, func(t *testing.T) {
		s, err := storage.Open(path, storage.WithTimeout(time.Second), quiet, storage.WithKey(keyA))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c := watchCommits(s)
		for i := range 20 {
			start := time.Now()
			if err := s.Update(t.Context(), addScene(bot.SceneID(fmt.Sprint(i)))); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("Update %d took %v on the bubble's clock, want 0: it waited", i, took)
			}
		}
		if got, want := c.committed(), slices.Repeat([]int{1}, 20); !slices.Equal(got, want) {
			t.Errorf("groups committed %v, want each Update alone", got)
		}
	})
}

// TestGroupOutlivesItsLeader shows that when the function of the Update
// leading a group panics, and another's exits its goroutine (as
// t.FailNow does), their writes are undone, each on its own goroutine,
// and the rest of the group still commits.
func TestGroupOutlivesItsLeader(t *testing.T) {
	s := openStore(t, storage.WithKey(keyA))
	c := watchCommits(s)
	n := len(c.committed())
	exited := make(chan bool, 1)
	errs := inOneGroup(t, s, c,
		func(tx bot.Tx) error {
			if err := addScene("LEADER")(tx); err != nil {
				return err
			}
			panic("the leader's bug")
		},
		addScene("A"),
		func(tx bot.Tx) error {
			if err := addScene("EXITS")(tx); err != nil {
				return err
			}
			exited <- true
			runtime.Goexit()
			return nil
		},
		addScene("B"),
	)
	if errs[0] == nil || !strings.Contains(errs[0].Error(), "panic: the leader's bug") {
		t.Errorf("the leader's Update returned %v, want its panic", errs[0])
	}
	if errs[1] != nil || errs[3] != nil {
		t.Errorf("the others returned %v and %v", errs[1], errs[3])
	}
	select {
	case <-exited:
	default:
		t.Error("the exiting function never ran")
	}
	if got, want := c.committed()[n:], []int{1, 4}; !slices.Equal(got, want) {
		t.Errorf("groups committed %v, want %v", got, want)
	}
	var scenes []bot.SceneID
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { scenes = append(scenes, r.Scene); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []bot.SceneID{"A", "B"}; !slices.Equal(scenes, want) {
		t.Errorf("audit log %v, want %v", scenes, want)
	}
	view(t, s, func(tx bot.Tx) error {
		for _, id := range []bot.SceneID{"LEADER", "EXITS"} {
			if _, err := tx.Scene(id); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("scene %s: %v, want it undone", id, err)
			}
		}
		return nil
	})
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Error(err)
	}
}
