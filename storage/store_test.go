package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"icbot/bot"
	"icbot/storage"
)

// timeEqual compares instants, not their zone or monotonic reading: the
// store keeps instants in UTC.
var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// quiet keeps the store's open and migration lines out of test output.
var quiet = storage.WithLogger(slog.New(slog.DiscardHandler))

// openStore opens a store in a new temporary directory, closed at cleanup.
func openStore(t *testing.T, opts ...storage.Option) *storage.Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "icbot.db"), opts...)
}

func openAt(t *testing.T, path string, opts ...storage.Option) *storage.Store {
	t.Helper()
	s, err := storage.Open(path, append([]storage.Option{storage.WithTimeout(time.Second), quiet}, opts...)...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func update(t *testing.T, s *storage.Store, fn func(bot.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s *storage.Store, fn func(bot.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// A zone other than UTC, and nanoseconds, to show instants survive intact.
var (
	zone = time.FixedZone("CEST", 2*60*60)
	t0   = time.Date(2031, 6, 14, 7, 30, 0, 123456789, zone)
)

func fullScene() bot.Scene {
	return bot.Scene{
		ID:         "12A",
		Title:      "Bedroom, night",
		Call:       t0,
		Performers: []bot.UserID{"U1", "U2"},
		Beats: []bot.Beat{
			{ID: "b1", Description: "kiss", Kind: bot.KindContact},
			{ID: "b3", Description: "back visible", Kind: bot.KindNudity, Areas: []string{"back", "buttocks"}},
		},
		NextBeat: 3,
		Status:   bot.StatusReady,
		Channel:  "C9",
		Roster: []bot.RosterMember{
			{User: "U7", Role: bot.RoleCamera, AddedBy: "U5", AddedAt: t0.Add(-time.Hour), AckedAt: t0.Add(time.Minute)},
		},
		Holds: []bot.Hold{
			{Seq: 1, CalledBy: "U1", At: t0.Add(time.Hour), Reason: "needs a break", Session: 2, LiftedBy: "U5", LiftedAt: t0.Add(2 * time.Hour)},
			{Seq: 2, CalledBy: "U2", At: t0.Add(3 * time.Hour)},
		},
		Session:  2,
		Sessions: 2,
		Version:  7,
		Created:  t0.Add(-48 * time.Hour),
		Updated:  t0,
	}
}

func fullSession() bot.Session {
	return bot.Session{
		Scene:     "12A",
		Seq:       2,
		StartedBy: "U5",
		StartedAt: t0,
		EndedBy:   "U5",
		EndedAt:   t0.Add(90 * time.Minute),
		Roster: []bot.RosterMember{
			{User: "U1", Role: bot.RolePerformer, AddedBy: "U5", AddedAt: t0},
			{User: "U7", Role: bot.RoleCamera, AddedBy: "U5", AddedAt: t0, AckedAt: t0.Add(time.Second)},
		},
		Override: "rider signed on paper",
		Lock: bot.LockRecord{
			State:   bot.LockReleased,
			Problem: "",
			Changes: bot.LockResult{Removed: []bot.UserID{"U8", "U9"}, Restore: []byte{0, 1, 2, 0xff}},
		},
	}
}

// scriptScene is a draft scene imported from a script, with a proposal
// in every state.
func scriptScene() bot.Scene {
	return bot.Scene{ID: "30", Title: "INT. LAKE HOUSE - NIGHT", Status: bot.StatusDraft, Version: 2, Created: t0, Updated: t0,
		Beats: []bot.Beat{{ID: "b1", Description: "Anna kisses Ben.", Kind: bot.KindContact, Rev: 1, Performers: []bot.UserID{"U1", "U2"}}}, NextBeat: 1,
		Script: &bot.SceneScript{Heading: "INT. LAKE HOUSE - NIGHT", Number: "30", Order: 1, Page: 3, Characters: []string{"ANNA", "BEN"}, Imported: t0, NextProposal: 4,
			Proposals: []bot.Proposal{
				{N: 1, Quote: "Anna kisses Ben, then undresses him.", Line: 14, Flag: "kiss", Kind: bot.KindContact, Characters: []string{"ANNA", "BEN"}, Rule: "kiss",
					State: bot.ProposalConfirmed, Beat: "b1", Review: true, Was: "Anna kisses Ben."},
				{N: 2, Quote: "Anna kisses Ben, then undresses him.", Line: 14, Flag: "undressing", Kind: bot.KindNudity, State: bot.ProposalOpen},
				{N: 3, Quote: "A strip of land.", Line: 20, Flag: "undressing", Kind: bot.KindNudity, State: bot.ProposalDeclined},
				{N: 4, Quote: "They kiss.", Flag: "kiss", Kind: bot.KindContact, State: bot.ProposalGone},
			}}}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		put  func(bot.Tx) error
		get  func(bot.Tx) (any, error)
		want any
	}{
		{
			name: "production",
			put:  func(tx bot.Tx) error { return tx.PutProduction(bot.ProductionInfo{Name: "Night Shift", Seeded: true}) },
			get:  func(tx bot.Tx) (any, error) { return tx.Production() },
			want: bot.ProductionInfo{Name: "Night Shift", Seeded: true},
		},
		{
			name: "production with a cast",
			put: func(tx bot.Tx) error {
				return tx.PutProduction(bot.ProductionInfo{Name: "Night Shift", Cast: map[string]bot.UserID{"ANNA": "U1", "MARY JANE": "U2"}})
			},
			get:  func(tx bot.Tx) (any, error) { return tx.Production() },
			want: bot.ProductionInfo{Name: "Night Shift", Cast: map[string]bot.UserID{"ANNA": "U1", "MARY JANE": "U2"}},
		},
		{
			name: "scene from a script",
			put:  func(tx bot.Tx) error { return tx.PutScene(scriptScene()) },
			get:  func(tx bot.Tx) (any, error) { return tx.Scene("30") },
			want: scriptScene(),
		},
		{
			name: "production never stored is the zero value",
			put:  func(bot.Tx) error { return nil },
			get:  func(tx bot.Tx) (any, error) { return tx.Production() },
			want: bot.ProductionInfo{},
		},
		{
			name: "person with roles",
			put: func(tx bot.Tx) error {
				return tx.PutPerson(bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RoleIC, bot.RolePerformer}})
			},
			get:  func(tx bot.Tx) (any, error) { return tx.Person("U1") },
			want: bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RoleIC, bot.RolePerformer}},
		},
		{
			name: "person with an empty role list reads back nil",
			put:  func(tx bot.Tx) error { return tx.PutPerson(bot.Person{ID: "U2", Roles: []bot.Role{}}) },
			get:  func(tx bot.Tx) (any, error) { return tx.Person("U2") },
			want: bot.Person{ID: "U2"},
		},
		{
			name: "person replaced",
			put: func(tx bot.Tx) error {
				if err := tx.PutPerson(bot.Person{ID: "U3", Name: "old", Roles: []bot.Role{bot.RoleCrew}}); err != nil {
					return err
				}
				return tx.PutPerson(bot.Person{ID: "U3", Name: "new"})
			},
			get:  func(tx bot.Tx) (any, error) { return tx.Person("U3") },
			want: bot.Person{ID: "U3", Name: "new"},
		},
		{
			name: "scene with everything",
			put:  func(tx bot.Tx) error { return tx.PutScene(fullScene()) },
			get:  func(tx bot.Tx) (any, error) { return tx.Scene("12A") },
			want: fullScene(),
		},
		{
			name: "scene with only an id",
			put:  func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "1"}) },
			get:  func(tx bot.Tx) (any, error) { return tx.Scene("1") },
			want: bot.Scene{ID: "1"},
		},
		{
			name: "session with everything",
			put:  func(tx bot.Tx) error { return tx.PutSession(fullSession()) },
			get:  func(tx bot.Tx) (any, error) { return tx.Session("12A", 2) },
			want: fullSession(),
		},
		{
			name: "running session",
			put: func(tx bot.Tx) error {
				return tx.PutSession(bot.Session{Scene: "4", Seq: 1, StartedBy: "U5", StartedAt: t0, Lock: bot.LockRecord{State: bot.LockPending}})
			},
			get:  func(tx bot.Tx) (any, error) { return tx.Session("4", 1) },
			want: bot.Session{Scene: "4", Seq: 1, StartedBy: "U5", StartedAt: t0, Lock: bot.LockRecord{State: bot.LockPending}},
		},
	}
	for _, mode := range keyModes {
		for _, tt := range tests {
			t.Run(mode.name+"/"+tt.name, func(t *testing.T) {
				s := openStore(t, mode.opts...)
				update(t, s, tt.put)
				var got any
				view(t, s, func(tx bot.Tx) error {
					var err error
					got, err = tt.get(tx)
					return err
				})
				if diff := cmp.Diff(tt.want, got, timeEqual); diff != "" {
					t.Errorf("read back (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// keyModes run a test on a file with a key and on one without.
var keyModes = []struct {
	name string
	opts []storage.Option
}{
	{"without a key", nil},
	{"sealed", []storage.Option{storage.WithKey(bytes.Repeat([]byte{7}, 32))}},
}

// TestValuesAreCopies shows that what a Tx returns stays valid and
// unchanged after the transaction, and that changing it changes nothing
// stored.
func TestValuesAreCopies(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error { return tx.PutSession(fullSession()) })
	var got bot.Session
	view(t, s, func(tx bot.Tx) error {
		var err error
		got, err = tx.Session("12A", 2)
		return err
	})
	// Later writes reuse pages that a value pointing into the old mmap
	// would see.
	for i := range 50 {
		update(t, s, func(tx bot.Tx) error {
			sess := fullSession()
			sess.Seq = uint64(10 + i)
			sess.Lock.Changes.Restore = []byte(strings.Repeat("x", 4096))
			return tx.PutSession(sess)
		})
	}
	if diff := cmp.Diff(fullSession(), got, timeEqual); diff != "" {
		t.Errorf("value read earlier changed (-want +got):\n%s", diff)
	}
	got.Lock.Changes.Restore[0] = 42
	got.Roster[0].User = "changed"
	view(t, s, func(tx bot.Tx) error {
		again, err := tx.Session("12A", 2)
		if diff := cmp.Diff(fullSession(), again, timeEqual); diff != "" {
			t.Errorf("stored value changed through a returned one (-want +got):\n%s", diff)
		}
		return err
	})
}

func TestListsOrdered(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error {
		for _, id := range []bot.UserID{"U3", "U1", "U2"} {
			if err := tx.PutPerson(bot.Person{ID: id}); err != nil {
				return err
			}
		}
		for _, id := range []bot.SceneID{"2", "12A", "10"} {
			if err := tx.PutScene(bot.Scene{ID: id}); err != nil {
				return err
			}
		}
		// 10 before 2 would show decimal keys; big-endian keeps numeric order.
		for _, seq := range []uint64{10, 2, 1, 256} {
			if err := tx.PutSession(bot.Session{Scene: "2", Seq: seq}); err != nil {
				return err
			}
		}
		return tx.PutSession(bot.Session{Scene: "10", Seq: 1})
	})
	tests := []struct {
		name string
		list func(bot.Tx) ([]string, error)
		want []string
	}{
		{"people by id", func(tx bot.Tx) ([]string, error) {
			ps, err := tx.People()
			return ids(ps, func(p bot.Person) string { return string(p.ID) }), err
		}, []string{"U1", "U2", "U3"}},
		{"scenes by id bytes", func(tx bot.Tx) ([]string, error) {
			ss, err := tx.Scenes()
			return ids(ss, func(s bot.Scene) string { return string(s.ID) }), err
		}, []string{"10", "12A", "2"}},
		{"sessions of a scene, oldest first", func(tx bot.Tx) ([]string, error) {
			ss, err := tx.Sessions("2")
			return ids(ss, func(s bot.Session) string { return string(s.Scene) + "/" + itoa(s.Seq) }), err
		}, []string{"2/1", "2/2", "2/10", "2/256"}},
		{"sessions of another scene", func(tx bot.Tx) ([]string, error) {
			ss, err := tx.Sessions("10")
			return ids(ss, func(s bot.Session) string { return string(s.Scene) + "/" + itoa(s.Seq) }), err
		}, []string{"10/1"}},
		{"sessions of a scene that has none", func(tx bot.Tx) ([]string, error) {
			ss, err := tx.Sessions("12A")
			return ids(ss, func(s bot.Session) string { return string(s.Scene) }), err
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, s, func(tx bot.Tx) error {
				got, err := tt.list(tx)
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("order (-want +got):\n%s", diff)
				}
				return err
			})
		})
	}
}

func ids[T any](xs []T, id func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, id(x))
	}
	return out
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func TestNotFound(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutScene(bot.Scene{ID: "1"}); err != nil {
			return err
		}
		return tx.PutSession(bot.Session{Scene: "1", Seq: 1})
	})
	tests := []struct {
		name string
		op   func(bot.Tx) error
	}{
		{"person", func(tx bot.Tx) error { _, err := tx.Person("nobody"); return err }},
		{"scene", func(tx bot.Tx) error { _, err := tx.Scene("99"); return err }},
		{"session of an unknown scene", func(tx bot.Tx) error { _, err := tx.Session("99", 1); return err }},
		{"unknown session of a scene", func(tx bot.Tx) error { _, err := tx.Session("1", 2); return err }},
		{"delete unknown person", func(tx bot.Tx) error { return tx.DeletePerson("nobody") }},
		{"delete unknown scene", func(tx bot.Tx) error { return tx.DeleteScene("99") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Update(t.Context(), tt.op)
			if got, want := bot.ErrorCode(err), bot.ENOTFOUND; got != want {
				t.Errorf("error code = %q (%v), want %q", got, err, want)
			}
		})
	}
}

func TestDelete(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutPerson(bot.Person{ID: "U1"}); err != nil {
			return err
		}
		if err := tx.PutScene(bot.Scene{ID: "12"}); err != nil {
			return err
		}
		return tx.PutSession(bot.Session{Scene: "12", Seq: 1, StartedBy: "U5"})
	})
	update(t, s, func(tx bot.Tx) error {
		if err := tx.DeletePerson("U1"); err != nil {
			return err
		}
		return tx.DeleteScene("12")
	})
	view(t, s, func(tx bot.Tx) error {
		if _, err := tx.Person("U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("Person after DeletePerson: %v, want ENOTFOUND", err)
		}
		if _, err := tx.Scene("12"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("Scene after DeleteScene: %v, want ENOTFOUND", err)
		}
		sess, err := tx.Sessions("12")
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]bot.Session{{Scene: "12", Seq: 1, StartedBy: "U5"}}, sess, timeEqual); diff != "" {
			t.Errorf("sessions of the deleted scene (-want +got):\n%s", diff)
		}
		return nil
	})
}

func TestAuditAppends(t *testing.T) {
	s := openStore(t)
	actions := []string{"scene.add", "scene.set", "closedset.start"}
	for i, a := range actions {
		update(t, s, func(tx bot.Tx) error {
			// Seq and Hash are the store's to set.
			return tx.Audit(bot.AuditRecord{Seq: 99, Hash: []byte("forged"), Time: t0.Add(time.Duration(i) * time.Minute), Actor: "U5", Action: a, Scene: "12", Summary: "summary " + a})
		})
	}
	var got []bot.AuditRecord
	if err := s.AuditLog(t.Context(), func(r bot.AuditRecord) error { got = append(got, r); return nil }); err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	var want []bot.AuditRecord
	prev := bot.GenesisHash()
	for i, a := range actions {
		r := bot.AuditRecord{Seq: uint64(i + 1), Time: t0.Add(time.Duration(i) * time.Minute), Actor: "U5", Action: a, Scene: "12", Summary: "summary " + a}
		r.Hash = bot.ChainHash(prev, r)
		prev = r.Hash
		want = append(want, r)
	}
	if diff := cmp.Diff(want, got, timeEqual); diff != "" {
		t.Errorf("audit log (-want +got):\n%s", diff)
	}
	view(t, s, func(tx bot.Tx) error {
		n, err := tx.AuditLen()
		if got, want := n, uint64(len(actions)); got != want {
			t.Errorf("AuditLen = %d, want %d", got, want)
		}
		return err
	})
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if diff := cmp.Diff(bot.ChainHead{Records: 3, Hash: prev}, head); diff != "" {
		t.Errorf("head (-want +got):\n%s", diff)
	}
}

func TestVerifyAuditEmpty(t *testing.T) {
	s := openStore(t)
	head, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if diff := cmp.Diff(bot.ChainHead{Records: 0, Hash: bot.GenesisHash()}, head); diff != "" {
		t.Errorf("head (-want +got):\n%s", diff)
	}
}

func TestAuditLogStopsAtError(t *testing.T) {
	s := openStore(t)
	for range 3 {
		update(t, s, func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{Action: "x"}) })
	}
	stop := errors.New("enough")
	var n int
	err := s.AuditLog(t.Context(), func(bot.AuditRecord) error { n++; return stop })
	if !errors.Is(err, stop) {
		t.Errorf("AuditLog = %v, want fn's error", err)
	}
	if got, want := n, 1; got != want {
		t.Errorf("fn called %d times, want %d", got, want)
	}
}

// TestAuditRecordsBreak shows that leaving the loop early ends the read
// transaction: Close, which waits for every transaction, returns.
func TestAuditRecordsBreak(t *testing.T) {
	s := openStore(t)
	for range 3 {
		update(t, s, func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{Action: "x"}) })
	}
	var seqs []uint64
	for r, err := range s.AuditRecords(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Seq)
		if len(seqs) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]uint64{1, 2}, seqs); diff != "" {
		t.Errorf("records seen (-want +got):\n%s", diff)
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close still waiting after 10s: the read transaction was left open")
	}
}

// TestStateAndAuditAtomic shows a state change and its audit record commit
// together or not at all.
func TestStateAndAuditAtomic(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		fail      func() error // how fn ends after writing
		wantErr   error
		wantSaved bool
	}{
		{"fn returns nil: both kept", func() error { return nil }, nil, true},
		{"fn returns an error: neither kept", func() error { return boom }, boom, false},
		{"fn returns a coded error: neither kept", func() error { return bot.Errorf(bot.ECONFLICT, "no") }, nil, false},
		{"fn panics: neither kept", func() error { panic("boom") }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			update(t, s, func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{Action: "before"}) })
			var err error
			func() {
				defer func() { _ = recover() }()
				err = s.Update(t.Context(), func(tx bot.Tx) error {
					if err := tx.PutScene(bot.Scene{ID: "12"}); err != nil {
						return err
					}
					if err := tx.Audit(bot.AuditRecord{Action: "scene.add", Scene: "12"}); err != nil {
						return err
					}
					return tt.fail()
				})
			}()
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Update = %v, want %v", err, tt.wantErr)
			}
			if tt.wantSaved && err != nil {
				t.Fatalf("Update: %v", err)
			}
			view(t, s, func(tx bot.Tx) error {
				n, err := tx.AuditLen()
				if err != nil {
					return err
				}
				_, sceneErr := tx.Scene("12")
				wantLen, wantCode := uint64(1), bot.ENOTFOUND
				if tt.wantSaved {
					wantLen, wantCode = 2, ""
				}
				if got, want := n, wantLen; got != want {
					t.Errorf("AuditLen = %d, want %d", got, want)
				}
				if got, want := bot.ErrorCode(sceneErr), wantCode; got != want {
					t.Errorf("Scene error code = %q, want %q", got, want)
				}
				return nil
			})
			if _, err := s.VerifyAudit(t.Context()); err != nil {
				t.Errorf("VerifyAudit: %v", err)
			}
		})
	}
}

func TestFnErrorReturnedUnchanged(t *testing.T) {
	s := openStore(t)
	want := bot.Errorf(bot.ECONFLICT, "Scene 12 already exists")
	for name, run := range map[string]func(context.Context, func(bot.Tx) error) error{"View": s.View, "Update": s.Update} {
		t.Run(name, func(t *testing.T) {
			if got := run(t.Context(), func(bot.Tx) error { return want }); got != want {
				t.Errorf("%s = %v, want fn's error itself", name, got)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	s := openStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	fn := func(bot.Tx) error { called = true; return nil }
	tests := []struct {
		name string
		run  func() error
	}{
		{"View", func() error { return s.View(ctx, fn) }},
		{"Update", func() error { return s.Update(ctx, fn) }},
		{"VerifyAudit", func() error { _, err := s.VerifyAudit(ctx); return err }},
		{"AuditLog", func() error { return s.AuditLog(ctx, func(bot.AuditRecord) error { called = true; return nil }) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called = false
			if err := tt.run(); !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			if called {
				t.Error("fn was called with a cancelled context")
			}
		})
	}
}

// TestTxAfterEnd shows a Tx kept past its transaction fails plainly
// instead of panicking inside bbolt.
func TestTxAfterEnd(t *testing.T) {
	s := openStore(t)
	for name, run := range map[string]func(context.Context, func(bot.Tx) error) error{"View": s.View, "Update": s.Update} {
		t.Run(name, func(t *testing.T) {
			var kept bot.Tx
			if err := run(t.Context(), func(tx bot.Tx) error { kept = tx; return nil }); err != nil {
				t.Fatal(err)
			}
			ops := map[string]func() error{
				"Production":     func() error { _, err := kept.Production(); return err },
				"PutProduction":  func() error { return kept.PutProduction(bot.ProductionInfo{}) },
				"Person":         func() error { _, err := kept.Person("U1"); return err },
				"People":         func() error { _, err := kept.People(); return err },
				"PutPerson":      func() error { return kept.PutPerson(bot.Person{ID: "U1"}) },
				"DeletePerson":   func() error { return kept.DeletePerson("U1") },
				"Scene":          func() error { _, err := kept.Scene("1"); return err },
				"Scenes":         func() error { _, err := kept.Scenes(); return err },
				"PutScene":       func() error { return kept.PutScene(bot.Scene{ID: "1"}) },
				"DeleteScene":    func() error { return kept.DeleteScene("1") },
				"Session":        func() error { _, err := kept.Session("1", 1); return err },
				"Sessions":       func() error { _, err := kept.Sessions("1"); return err },
				"PutSession":     func() error { return kept.PutSession(bot.Session{Scene: "1", Seq: 1}) },
				"Audit":          func() error { return kept.Audit(bot.AuditRecord{}) },
				"AuditLen":       func() error { _, err := kept.AuditLen(); return err },
				"Enqueue":        func() error { _, err := kept.Enqueue(bot.Delivery{}); return err },
				"Delivery":       func() error { _, err := kept.Delivery(1); return err },
				"Deliveries":     func() error { _, err := kept.Deliveries(); return err },
				"PutDelivery":    func() error { return kept.PutDelivery(bot.Delivery{ID: 1}) },
				"DeleteDelivery": func() error { return kept.DeleteDelivery(1) },
			}
			for op, call := range ops {
				t.Run(op, func(t *testing.T) {
					err := call()
					if !errors.Is(err, storage.ErrTxDone) {
						t.Errorf("error = %v, want ErrTxDone", err)
					}
					if got, want := bot.ErrorCode(err), bot.EINTERNAL; got != want {
						t.Errorf("code = %q, want %q", got, want)
					}
				})
			}
		})
	}
}

func TestRefusedWrites(t *testing.T) {
	s := openStore(t)
	tests := []struct {
		name string
		run  func(context.Context, func(bot.Tx) error) error
		op   func(bot.Tx) error
	}{
		{"write in View", s.View, func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "1"}) }},
		{"audit in View", s.View, func(tx bot.Tx) error { return tx.Audit(bot.AuditRecord{}) }},
		{"person without id", s.Update, func(tx bot.Tx) error { return tx.PutPerson(bot.Person{Name: "x"}) }},
		{"scene without id", s.Update, func(tx bot.Tx) error { return tx.PutScene(bot.Scene{Title: "x"}) }},
		{"session without scene", s.Update, func(tx bot.Tx) error { return tx.PutSession(bot.Session{Seq: 1}) }},
		{"session without seq", s.Update, func(tx bot.Tx) error { return tx.PutSession(bot.Session{Scene: "1"}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := bot.ErrorCode(tt.run(t.Context(), tt.op)), bot.EINTERNAL; got != want {
				t.Errorf("error code = %q, want %q", got, want)
			}
		})
	}
	view(t, s, func(tx bot.Tx) error {
		n, err := tx.AuditLen()
		if n != 0 {
			t.Errorf("AuditLen = %d after refused writes, want 0", n)
		}
		return err
	})
}

func TestFileMode(t *testing.T) {
	tests := []struct {
		name   string
		before os.FileMode // 0: no file yet
	}{
		{"new file", 0},
		{"existing file readable by others is made private", 0o644},
		{"existing private file", 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			if tt.before != 0 {
				s := openAt(t, path)
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.before); err != nil {
					t.Fatal(err)
				}
			}
			openAt(t, path)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
				t.Errorf("mode = %v, want %v", got, want)
			}
		})
	}
}

// TestSecondOpenInUse shows a second opener gets a clear error instead of
// hanging. flock(2) locks belong to the open file description, so two
// opens in one process conflict just as two processes do.
func TestSecondOpenInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	first := openAt(t, path)

	type result struct {
		s       *storage.Store
		err     error
		elapsed time.Duration
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		s, err := storage.Open(path, storage.WithTimeout(200*time.Millisecond), quiet)
		done <- result{s, err, time.Since(start)}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("second Open still waiting after 10s")
	}
	if r.err == nil {
		_ = r.s.Close()
		t.Fatal("second Open succeeded while the first holds the file")
	}
	t.Logf("second Open returned after %v", r.elapsed)
	if got, want := r.err.Error(), "database "+path+" is in use by another icbot process"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if !errors.Is(r.err, storage.ErrInUse) {
		t.Errorf("errors.Is(%v, ErrInUse) = false", r.err)
	}
	// Not a performance bound: only that the 200ms asked for, not the 2s
	// default, was used.
	if r.elapsed >= storage.DefaultTimeout {
		t.Errorf("second Open took %v: WithTimeout(200ms) was not applied", r.elapsed)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openAt(t, path, storage.WithTimeout(200*time.Millisecond))
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		want    string // in the message, besides the path
	}{
		{"not a bbolt file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "opening database"},
		{"bbolt file of another program", func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err }); err != nil {
				t.Fatal(err)
			}
		}, "not an icbot database"},
		{"directory missing", func(t *testing.T, path string) {
			if err := os.Remove(filepath.Dir(path)); err != nil {
				t.Fatal(err)
			}
		}, "opening database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "sub", "icbot.db")
			if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			tt.prepare(t, path)
			s, err := storage.Open(path, storage.WithTimeout(time.Second), quiet)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, tt.want) {
				t.Errorf("error = %q, want it to name %s and say %q", msg, path, tt.want)
			}
			if errors.Is(err, storage.ErrInUse) {
				t.Errorf("error %v matches ErrInUse", err)
			}
		})
	}
}

func TestReopenKeepsState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path)
	if got, want := s.Path(), path; got != want {
		t.Errorf("Path() = %q, want %q", got, want)
	}
	update(t, s, func(tx bot.Tx) error {
		for _, err := range []error{
			tx.PutProduction(bot.ProductionInfo{Name: "Night Shift", Seeded: true}),
			tx.PutPerson(bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}}),
			tx.PutScene(fullScene()),
			tx.PutSession(fullSession()),
			tx.Audit(bot.AuditRecord{Time: t0, Actor: "U5", Action: "scene.add", Scene: "12A", Summary: "scene 12A added"}),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	before, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openAt(t, path)
	view(t, s, func(tx bot.Tx) error {
		prod, err := tx.Production()
		if err != nil {
			return err
		}
		p, err := tx.Person("U1")
		if err != nil {
			return err
		}
		sc, err := tx.Scene("12A")
		if err != nil {
			return err
		}
		sess, err := tx.Sessions("12A")
		if err != nil {
			return err
		}
		n, err := tx.AuditLen()
		if err != nil {
			return err
		}
		type state struct {
			Prod     bot.ProductionInfo
			Person   bot.Person
			Scene    bot.Scene
			Sessions []bot.Session
			AuditLen uint64
		}
		want := state{
			Prod:     bot.ProductionInfo{Name: "Night Shift", Seeded: true},
			Person:   bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}},
			Scene:    fullScene(),
			Sessions: []bot.Session{fullSession()},
			AuditLen: 1,
		}
		if diff := cmp.Diff(want, state{prod, p, sc, sess, n}, timeEqual); diff != "" {
			t.Errorf("after reopening (-want +got):\n%s", diff)
		}
		return nil
	})
	after, err := s.VerifyAudit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("audit head changed by reopening (-before +after):\n%s", diff)
	}
	if err := s.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestOutbox(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) { testOutbox(t, openStore(t, mode.opts...)) })
	}
}

func testOutbox(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	msg := func(text string) bot.Delivery {
		return bot.Delivery{Caller: "U5", Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U1"}, Class: bot.ClassPublic, Text: text}}
	}
	var ids []uint64
	err := s.Update(ctx, func(tx bot.Tx) error {
		for _, text := range []string{"one", "two", "three"} {
			id, err := tx.Enqueue(msg(text))
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	err = s.Update(ctx, func(tx bot.Tx) error {
		d, err := tx.Delivery(2)
		if err != nil {
			return err
		}
		d.Attempts, d.LastError = 1, "timeout"
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		if err := tx.DeleteDelivery(1); err != nil {
			return err
		}
		if err := tx.DeleteDelivery(1); err != nil {
			t.Errorf("deleting twice: %v", err)
		}
		// A delivery removed meanwhile is not brought back by a late update.
		return tx.PutDelivery(bot.Delivery{ID: 1, Message: msg("ghost").Message})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Ids keep growing after deletions, so a stale id never names a new message.
	err = s.Update(ctx, func(tx bot.Tx) error {
		id, err := tx.Enqueue(msg("four"))
		if id != 4 {
			t.Errorf("next id = %d, want 4", id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if err != nil {
			return err
		}
		var got []string
		for _, d := range ds {
			got = append(got, fmt.Sprintf("%d:%s:%d", d.ID, d.Message.Text, d.Attempts))
		}
		if diff := cmp.Diff([]string{"2:two:1", "3:three:0", "4:four:0"}, got); diff != "" {
			t.Errorf("pending (-want +got):\n%s", diff)
		}
		if _, err := tx.Delivery(1); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Errorf("deleted delivery: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFirstSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s, err := storage.Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, false, false} {
		got, err := s.FirstSeen(ctx, "Ev123", at.Add(time.Duration(i)*time.Minute))
		if err != nil || got != want {
			t.Fatalf("call %d: FirstSeen = %v, %v; want %v", i, got, err, want)
		}
	}
	s.Close()
	// Across a restart, the event is still known.
	s, err = storage.Open(path, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.FirstSeen(ctx, "Ev123", at.Add(time.Hour)); got {
		t.Errorf("a retried event was new again after a restart")
	}
	// Long after, it has been forgotten (pruned when another event comes).
	later := at.Add(storage.EventMemory + time.Hour)
	if got, _ := s.FirstSeen(ctx, "Ev999", later); !got {
		t.Errorf("a new event was not new")
	}
	if got, _ := s.FirstSeen(ctx, "Ev123", later); !got {
		t.Errorf("an event older than EventMemory was not pruned")
	}
}

// TestCutShortFileRefused: a database file shorter than its header says
// is refused with an error, not read into a bus error.
func TestCutShortFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	key := bytes.Repeat([]byte{7}, 32)
	st, err := storage.Open(path, storage.WithKey(key), quiet)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.Open(path, storage.WithKey(key), quiet); err == nil || !strings.Contains(err.Error(), "is cut short") {
		t.Errorf("Open of a cut-short file: %v", err)
	}
}
