package storage_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/storage"
)

// pending is a pending check-in reminder for scene 12, due at due.
func pending(key string, due time.Time) bot.Reminder {
	return bot.Reminder{
		Kind: bot.RemindCheckIn, Key: key, Scene: "12", Performer: "U1",
		Due: due, State: bot.ReminderPending, Created: t0.Add(-24 * time.Hour),
	}
}

func fullReminder() bot.Reminder {
	return bot.Reminder{
		Kind: bot.RemindAftercare, Key: "aftercare/12A/2/U1", Scene: "12A", Performer: "U1", Session: 2,
		Due: t0, Limit: t0.Add(48 * time.Hour), State: bot.ReminderSent, Attempts: 2, NextAttempt: t0.Add(time.Minute),
		Created: t0.Add(-time.Hour), SentAt: t0.Add(2 * time.Minute), Answer: "talk", Note: "can we talk about the second take",
		Answered: t0.Add(3 * time.Hour),
	}
}

// putReminder puts r in its own transaction and returns its id.
func putReminder(t *testing.T, s *storage.Store, r bot.Reminder) uint64 {
	t.Helper()
	var id uint64
	update(t, s, func(tx bot.Tx) error {
		var err error
		id, err = tx.PutReminder(r)
		return err
	})
	return id
}

func getReminder(t *testing.T, s *storage.Store, id uint64) bot.Reminder {
	t.Helper()
	var r bot.Reminder
	view(t, s, func(tx bot.Tx) error {
		var err error
		r, err = tx.Reminder(id)
		return err
	})
	return r
}

// indexes is what every reminder index says, as ids.
type indexes struct {
	Due    []uint64 // DueReminders with no limit, far in the future
	Next   uint64   // NextReminder; 0 for none
	Missed []uint64
	Scene  []uint64 // SceneReminders("12")
}

func readIndexes(t *testing.T, s *storage.Store) indexes {
	t.Helper()
	var ix indexes
	view(t, s, func(tx bot.Tx) error {
		due, err := tx.DueReminders(t0.Add(100*365*24*time.Hour), 0)
		if err != nil {
			return err
		}
		ix.Due = reminderIDs(due)
		next, ok, err := tx.NextReminder()
		if err != nil {
			return err
		}
		if ok {
			ix.Next = next.ID
		}
		missed, err := tx.MissedReminders()
		if err != nil {
			return err
		}
		ix.Missed = reminderIDs(missed)
		scene, err := tx.SceneReminders("12")
		ix.Scene = reminderIDs(scene)
		return err
	})
	return ix
}

func reminderIDs(rs []bot.Reminder) []uint64 {
	var ids []uint64
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestReminderRoundTrip(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, mode.opts...)
			want := fullReminder()
			want.ID = putReminder(t, s, want)
			if want.ID != 1 {
				t.Errorf("first reminder id = %d, want 1", want.ID)
			}
			digest := bot.Reminder{Kind: bot.RemindDigest, Key: "digest/2031-06-14", Due: t0, State: bot.ReminderPending}
			digest.ID = putReminder(t, s, digest)
			cancelled := bot.Reminder{Kind: bot.RemindCheckIn, Key: "check-in/12A/U1/1", Scene: "12A", Performer: "U1",
				Due: t0, Limit: t0.Add(24 * time.Hour), State: bot.ReminderCancelled, CancelledBy: "U5"}
			cancelled.ID = putReminder(t, s, cancelled)
			check := func(t *testing.T, s *storage.Store) {
				view(t, s, func(tx bot.Tx) error {
					got, err := tx.Reminder(cancelled.ID)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(cancelled, got, timeEqual); diff != "" {
						t.Errorf("cancelled by a person (-want +got):\n%s", diff)
					}
					got, err = tx.Reminder(want.ID)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(want, got, timeEqual); diff != "" {
						t.Errorf("Reminder (-want +got):\n%s", diff)
					}
					got, err = tx.ReminderByKey(want.Key)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(want, got, timeEqual); diff != "" {
						t.Errorf("ReminderByKey (-want +got):\n%s", diff)
					}
					got, err = tx.ReminderByKey(digest.Key)
					if err != nil {
						return err
					}
					if diff := cmp.Diff(digest, got, timeEqual); diff != "" {
						t.Errorf("digest (-want +got):\n%s", diff)
					}
					if _, err := tx.Reminder(99); bot.ErrorCode(err) != bot.ENOTFOUND {
						t.Errorf("Reminder(99): %v, want not found", err)
					}
					for _, key := range []string{"check-in/none", ""} {
						if _, err := tx.ReminderByKey(key); bot.ErrorCode(err) != bot.ENOTFOUND {
							t.Errorf("ReminderByKey(%q): %v, want not found", key, err)
						}
					}
					return nil
				})
			}
			check(t, s)
			s.Close()
			s = openAt(t, path, mode.opts...)
			check(t, s)
			// Ids go on from the bucket's sequence after a reopen.
			if id := putReminder(t, s, pending("check-in/12/U2/1", t0)); id != 4 {
				t.Errorf("id after reopening = %d, want 4", id)
			}
		})
	}
}

// TestReminderIndexes moves one reminder through its states and checks
// every index after each step.
func TestReminderIndexes(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			s := openStore(t, mode.opts...)
			early := putReminder(t, s, pending("early", t0))
			r := pending("r", t0.Add(time.Hour))
			r.ID = putReminder(t, s, r)
			late := putReminder(t, s, pending("late", t0.Add(2*time.Hour)))
			steps := []struct {
				name   string
				change func(*bot.Reminder)
				want   indexes
			}{
				{
					name:   "pending, between the others",
					change: func(*bot.Reminder) {},
					want:   indexes{Due: []uint64{early, r.ID, late}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "due earlier: moves first",
					change: func(r *bot.Reminder) { r.Due = t0.Add(-time.Hour) },
					want:   indexes{Due: []uint64{r.ID, early, late}, Next: r.ID, Scene: []uint64{early, r.ID, late}},
				},
				{
					name: "send failed, retry after the late one: sorts by NextAttempt",
					change: func(r *bot.Reminder) {
						r.Attempts, r.NextAttempt = 1, t0.Add(3*time.Hour)
					},
					want: indexes{Due: []uint64{early, late, r.ID}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name: "NextAttempt before Due is not waited for",
					change: func(r *bot.Reminder) {
						r.Due, r.NextAttempt = t0.Add(90*time.Minute), t0.Add(-time.Hour)
					},
					want: indexes{Due: []uint64{early, r.ID, late}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "sent: leaves the due index",
					change: func(r *bot.Reminder) { r.State, r.SentAt = bot.ReminderSent, t0 },
					want:   indexes{Due: []uint64{early, late}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name: "pending again (snoozed)",
					change: func(r *bot.Reminder) {
						r.State, r.SentAt, r.Due = bot.ReminderPending, time.Time{}, t0.Add(-2*time.Hour)
					},
					want: indexes{Due: []uint64{r.ID, early, late}, Next: r.ID, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "missed: in the missed index, not the due index",
					change: func(r *bot.Reminder) { r.State = bot.ReminderMissed },
					want:   indexes{Due: []uint64{early, late}, Next: early, Missed: []uint64{r.ID}, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "missed and reported in a digest: leaves the missed index",
					change: func(r *bot.Reminder) { r.SentAt = t0 },
					want:   indexes{Due: []uint64{early, late}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "missed, report undone",
					change: func(r *bot.Reminder) { r.SentAt = time.Time{} },
					want:   indexes{Due: []uint64{early, late}, Next: early, Missed: []uint64{r.ID}, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "cancelled: leaves the missed index",
					change: func(r *bot.Reminder) { r.State = bot.ReminderCancelled },
					want:   indexes{Due: []uint64{early, late}, Next: early, Scene: []uint64{early, r.ID, late}},
				},
				{
					name:   "pending in another scene",
					change: func(r *bot.Reminder) { r.State, r.Scene = bot.ReminderPending, "13" },
					want:   indexes{Due: []uint64{r.ID, early, late}, Next: r.ID, Scene: []uint64{early, late}},
				},
				{
					name:   "cancelled from pending: leaves the due index",
					change: func(r *bot.Reminder) { r.State = bot.ReminderCancelled },
					want:   indexes{Due: []uint64{early, late}, Next: early, Scene: []uint64{early, late}},
				},
			}
			for _, step := range steps {
				step.change(&r)
				if id := putReminder(t, s, r); id != r.ID {
					t.Fatalf("%s: PutReminder returned id %d, want %d", step.name, id, r.ID)
				}
				if diff := cmp.Diff(step.want, readIndexes(t, s)); diff != "" {
					t.Errorf("%s: indexes (-want +got):\n%s", step.name, diff)
				}
				if diff := cmp.Diff(r, getReminder(t, s, r.ID), timeEqual); diff != "" {
					t.Errorf("%s: read back (-want +got):\n%s", step.name, diff)
				}
			}
			view(t, s, func(tx bot.Tx) error {
				got, err := tx.SceneReminders("13")
				if diff := cmp.Diff([]uint64{r.ID}, reminderIDs(got)); diff != "" {
					t.Errorf("scene 13 (-want +got):\n%s", diff)
				}
				return err
			})
		})
	}
}

func TestDueReminders(t *testing.T) {
	s := openStore(t)
	// Put out of order; two share a due time and keep id order.
	offsets := []time.Duration{5, 1, 3, 3, 0, 4}
	ids := map[time.Duration][]uint64{}
	for i, off := range offsets {
		id := putReminder(t, s, pending("k"+itoa(uint64(i)), t0.Add(off*time.Minute)))
		ids[off] = append(ids[off], id)
	}
	putReminder(t, s, bot.Reminder{Key: "sent", Due: t0, State: bot.ReminderSent})
	putReminder(t, s, bot.Reminder{Key: "cancelled", Due: t0, State: bot.ReminderCancelled})
	all := []uint64{ids[0][0], ids[1][0], ids[3][0], ids[3][1], ids[4][0], ids[5][0]}
	tests := []struct {
		name  string
		at    time.Time
		limit int
		want  []uint64
	}{
		{"before any", t0.Add(-time.Nanosecond), 10, nil},
		{"exactly at the first", t0, 10, all[:1]},
		{"at a shared time", t0.Add(3 * time.Minute), 10, all[:4]},
		{"just before a shared time", t0.Add(3*time.Minute - time.Nanosecond), 10, all[:2]},
		{"limit", t0.Add(time.Hour), 2, all[:2]},
		{"limit cuts a shared time", t0.Add(time.Hour), 3, all[:3]},
		{"limit 1", t0.Add(time.Hour), 1, all[:1]},
		{"all", t0.Add(time.Hour), 10, all},
		{"no limit", t0.Add(time.Hour), 0, all},
		{"before 1970", time.Unix(-1, 0), 10, nil},
		{"after 2262", time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), 10, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, s, func(tx bot.Tx) error {
				got, err := tx.DueReminders(tt.at, tt.limit)
				if diff := cmp.Diff(tt.want, reminderIDs(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				for i := 1; i < len(got); i++ {
					if got[i].Due.Before(got[i-1].Due) {
						t.Errorf("not in due order: %v before %v", got[i-1].Due, got[i].Due)
					}
				}
				return err
			})
		})
	}
}

func TestNextReminder(t *testing.T) {
	s := openStore(t)
	view(t, s, func(tx bot.Tx) error {
		_, ok, err := tx.NextReminder()
		if ok {
			t.Error("NextReminder on an empty store said there was one")
		}
		return err
	})
	putReminder(t, s, bot.Reminder{Key: "sent", Due: t0.Add(-time.Hour), State: bot.ReminderSent})
	later := putReminder(t, s, pending("later", t0.Add(time.Hour)))
	first := pending("first", t0)
	first.ID = putReminder(t, s, first)
	view(t, s, func(tx bot.Tx) error {
		got, ok, err := tx.NextReminder()
		if !ok || err != nil {
			t.Fatalf("NextReminder = %v, %v", ok, err)
		}
		if diff := cmp.Diff(first, got, timeEqual); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		return nil
	})
	first.State = bot.ReminderSent
	putReminder(t, s, first)
	if got := readIndexes(t, s).Next; got != later {
		t.Errorf("after sending the first, next = %d, want %d", got, later)
	}
}

func TestReminderKeys(t *testing.T) {
	s := openStore(t)
	a := pending("check-in/12/U1/1", t0)
	a.ID = putReminder(t, s, a)
	b := pending("check-in/12/U2/1", t0)
	b.ID = putReminder(t, s, b)

	t.Run("a key of another reminder is refused and nothing is written", func(t *testing.T) {
		for _, r := range []bot.Reminder{pending(a.Key, t0.Add(time.Hour)), {ID: b.ID, Key: a.Key, Due: t0, State: bot.ReminderPending}} {
			// The error is ignored and the transaction committed, as a
			// careless caller would.
			update(t, s, func(tx bot.Tx) error {
				_, err := tx.PutReminder(r)
				if bot.ErrorCode(err) != bot.EINTERNAL || !strings.Contains(err.Error(), `reminder key "check-in/12/U1/1" already belongs to reminder 1`) {
					t.Errorf("PutReminder(%d with key %s) = %v", r.ID, r.Key, err)
				}
				return nil
			})
		}
		if diff := cmp.Diff(b, getReminder(t, s, b.ID), timeEqual); diff != "" {
			t.Errorf("b changed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]uint64{a.ID, b.ID}, readIndexes(t, s).Due); diff != "" {
			t.Errorf("due index (-want +got):\n%s", diff)
		}
	})
	t.Run("putting a reminder again with its own key", func(t *testing.T) {
		a.Attempts = 1
		putReminder(t, s, a)
	})
	t.Run("a changed key frees the old one", func(t *testing.T) {
		old := a.Key
		a.Key = "check-in/12/U1/2"
		putReminder(t, s, a)
		view(t, s, func(tx bot.Tx) error {
			if _, err := tx.ReminderByKey(old); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Errorf("old key: %v, want not found", err)
			}
			got, err := tx.ReminderByKey(a.Key)
			if got.ID != a.ID {
				t.Errorf("new key finds %d, want %d", got.ID, a.ID)
			}
			return err
		})
		c := pending(old, t0)
		c.ID = putReminder(t, s, c)
		view(t, s, func(tx bot.Tx) error {
			got, err := tx.ReminderByKey(old)
			if got.ID != c.ID {
				t.Errorf("freed key finds %d, want %d", got.ID, c.ID)
			}
			return err
		})
	})
	t.Run("a reminder without a key", func(t *testing.T) {
		id1 := putReminder(t, s, pending("", t0))
		id2 := putReminder(t, s, pending("", t0))
		if id1 == id2 {
			t.Errorf("two keyless reminders got id %d", id1)
		}
	})
}

func TestPutReminderRefuses(t *testing.T) {
	s := openStore(t)
	id := putReminder(t, s, pending("k", t0))
	tests := []struct {
		name string
		r    bot.Reminder
		want string
	}{
		{"unknown state", bot.Reminder{Key: "x", Due: t0, State: "snoozed"}, `unknown state "snoozed"`},
		{"no state", bot.Reminder{Key: "x", Due: t0}, `unknown state ""`},
		{"pending without a due time", bot.Reminder{Key: "x", State: bot.ReminderPending}, "which the due index cannot hold"},
		{"pending before 1970", bot.Reminder{Key: "x", Due: time.Unix(-1, 0), State: bot.ReminderPending}, "which the due index cannot hold"},
		{"retry after 2262", bot.Reminder{ID: id, Key: "k", Due: t0, NextAttempt: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), State: bot.ReminderPending}, "which the due index cannot hold"},
		{"an id never given", bot.Reminder{ID: 7, Key: "x", Due: t0, State: bot.ReminderPending}, "no reminder 7 to replace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			update(t, s, func(tx bot.Tx) error {
				_, err := tx.PutReminder(tt.r)
				if bot.ErrorCode(err) != bot.EINTERNAL || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("PutReminder = %v, want an internal error saying %q", err, tt.want)
				}
				return nil
			})
		})
	}
	// None of them used an id, or changed the one there.
	if got := putReminder(t, s, pending("next", t0)); got != id+1 {
		t.Errorf("next id = %d, want %d", got, id+1)
	}
	if diff := cmp.Diff([]uint64{id, id + 1}, readIndexes(t, s).Due); diff != "" {
		t.Errorf("due index (-want +got):\n%s", diff)
	}
	// Not pending, a reminder needs no due time.
	putReminder(t, s, bot.Reminder{Key: "cancelled", State: bot.ReminderCancelled})
}

func TestSceneReminders(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "12", Title: "Night swim"}) })
	var old []uint64
	for i, state := range []bot.ReminderState{bot.ReminderPending, bot.ReminderSent, bot.ReminderCancelled, bot.ReminderMissed} {
		r := pending("old"+itoa(uint64(i)), t0)
		r.State = state
		old = append(old, putReminder(t, s, r))
	}
	other := pending("other", t0)
	other.Scene = "120" // a prefix of the other is not the same scene
	putReminder(t, s, other)
	putReminder(t, s, bot.Reminder{Kind: bot.RemindDigest, Key: "digest", Due: t0, State: bot.ReminderPending})
	if diff := cmp.Diff(old, readIndexes(t, s).Scene); diff != "" {
		t.Errorf("every state, by id (-want +got):\n%s", diff)
	}
	view(t, s, func(tx bot.Tx) error {
		for _, scene := range []bot.SceneID{"", "1", "99"} {
			got, err := tx.SceneReminders(scene)
			if err != nil || got != nil {
				t.Errorf("SceneReminders(%q) = %v, %v; want none", scene, reminderIDs(got), err)
			}
		}
		return nil
	})

	// The bot cancels a deleted scene's reminders; the store keeps them.
	update(t, s, func(tx bot.Tx) error {
		rs, err := tx.SceneReminders("12")
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.State == bot.ReminderPending {
				r.State = bot.ReminderCancelled
				if _, err := tx.PutReminder(r); err != nil {
					return err
				}
			}
		}
		return tx.DeleteScene("12")
	})
	if diff := cmp.Diff(old, readIndexes(t, s).Scene); diff != "" {
		t.Errorf("after deleting the scene (-want +got):\n%s", diff)
	}
	update(t, s, func(tx bot.Tx) error { return tx.PutScene(bot.Scene{ID: "12", Title: "Night swim, again"}) })
	fresh := putReminder(t, s, pending("new", t0.Add(time.Hour)))
	if diff := cmp.Diff(append(old, fresh), readIndexes(t, s).Scene); diff != "" {
		t.Errorf("after adding the scene again (-want +got):\n%s", diff)
	}
	view(t, s, func(tx bot.Tx) error {
		rs, err := tx.SceneReminders("12")
		for _, r := range rs {
			if r.State == bot.ReminderPending && r.ID != fresh {
				t.Errorf("reminder %d of the deleted scene is still pending", r.ID)
			}
		}
		return err
	})
}

func TestMissedReminders(t *testing.T) {
	s := openStore(t)
	a, b := pending("a", t0), pending("b", t0.Add(-time.Hour))
	a.ID, b.ID = putReminder(t, s, a), putReminder(t, s, b)
	if got := readIndexes(t, s).Missed; got != nil {
		t.Errorf("missed before any was: %v", got)
	}
	// As at a start after downtime longer than the grace period.
	update(t, s, func(tx bot.Tx) error {
		due, err := tx.DueReminders(t0, 0)
		if err != nil {
			return err
		}
		for _, r := range due {
			r.State = bot.ReminderMissed
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, s, func(tx bot.Tx) error {
		got, err := tx.MissedReminders()
		if diff := cmp.Diff([]uint64{a.ID, b.ID}, reminderIDs(got)); diff != "" {
			t.Errorf("missed, by id (-want +got):\n%s", diff)
		}
		if len(got) == 2 && got[0].State != bot.ReminderMissed {
			t.Errorf("state %s", got[0].State)
		}
		return err
	})
	if got := readIndexes(t, s).Due; got != nil {
		t.Errorf("missed reminders are still due: %v", got)
	}
	// The digest reports them.
	update(t, s, func(tx bot.Tx) error {
		missed, err := tx.MissedReminders()
		if err != nil {
			return err
		}
		for _, r := range missed {
			r.SentAt = t0.Add(time.Hour)
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
		}
		return nil
	})
	if got := readIndexes(t, s).Missed; got != nil {
		t.Errorf("missed after the digest reported them: %v", got)
	}
}

// TestReminderIndexDamage shows that a read through an index that
// disagrees with the record fails instead of returning the record.
func TestReminderIndexDamage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path)
	id := putReminder(t, s, pending("k", t0))
	s.Close()
	editRecord(t, path, func(r map[string]any) { r["state"] = "sent" }, bs("reminders"), be(id))
	s = openAt(t, path)
	for name, read := range map[string]func(tx bot.Tx) error{
		"next": func(tx bot.Tx) error { _, _, err := tx.NextReminder(); return err },
		"due":  func(tx bot.Tx) error { _, err := tx.DueReminders(t0, 10); return err },
	} {
		err := s.View(t.Context(), read)
		if bot.ErrorCode(err) != bot.EINTERNAL || !strings.Contains(err.Error(), "reminder_due names reminder 1, which is sent: the index is damaged") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Putting it back repairs the index.
	update(t, s, func(tx bot.Tx) error {
		r, err := tx.Reminder(id)
		if err != nil {
			return err
		}
		r.State = bot.ReminderPending
		_, err = tx.PutReminder(r)
		return err
	})
	if got := readIndexes(t, s).Next; got != id {
		t.Errorf("next after repair = %d", got)
	}
}

// TestReminderNoteSealed puts a canary in a note and looks for it in the
// raw file: absent with a key, present without one.
func TestReminderNoteSealed(t *testing.T) {
	const canary = "CANARY-reminder-note-0c7e"
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, mode.opts...)
			r := fullReminder()
			r.Note = canary + "-first"
			r.ID = putReminder(t, s, r)
			r.Note, r.Answered = canary+"-second", r.Answered.Add(time.Hour)
			putReminder(t, s, r)
			if diff := cmp.Diff(r, getReminder(t, s, r.ID), timeEqual); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			s.Close()
			raw := rawValue(t, path, bs("reminders"), be(r.ID))
			var rec map[string]any
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			if mode.opts == nil {
				if rec["note"] != r.Note {
					t.Errorf("without a key the note is stored as %v", rec["note"])
				}
				return
			}
			noCanaries(t, path) // looks for "CANARY" in clear and in base64
		})
	}
}

// TestReminderInputs: the stamp is empty in a new file, reads back what
// was put across a reopen, is gone when put empty, and leaves the rest of
// meta alone.
func TestReminderInputs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s, err := storage.Open(path, quiet, storage.WithKey(keyA))
	if err != nil {
		t.Fatal(err)
	}
	read := func(s *storage.Store) string {
		t.Helper()
		var got string
		view(t, s, func(tx bot.Tx) error {
			var err error
			got, err = tx.ReminderInputs()
			return err
		})
		return got
	}
	if got := read(s); got != "" {
		t.Errorf("new file: %q, want none", got)
	}
	update(t, s, func(tx bot.Tx) error { return tx.PutReminderInputs("rules=1 zone=UTC") })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openAt(t, path, storage.WithKey(keyA))
	if got := read(s); got != "rules=1 zone=UTC" {
		t.Errorf("after a reopen: %q", got)
	}
	update(t, s, func(tx bot.Tx) error { return tx.PutReminderInputs("") })
	if got := read(s); got != "" {
		t.Errorf("after putting none: %q", got)
	}
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("audit: %v", err)
	}
}

// TestSceneIDs lists scene ids in byte order, a removed one gone.
func TestSceneIDs(t *testing.T) {
	s := openStore(t)
	update(t, s, func(tx bot.Tx) error {
		for _, id := range []bot.SceneID{"9", "10", "12A"} {
			if err := tx.PutScene(bot.Scene{ID: id, Title: "t", Call: t0}); err != nil {
				return err
			}
		}
		return tx.DeleteScene("12A")
	})
	var got []bot.SceneID
	view(t, s, func(tx bot.Tx) error {
		var err error
		got, err = tx.SceneIDs()
		return err
	})
	if diff := cmp.Diff([]bot.SceneID{"10", "9"}, got); diff != "" {
		t.Errorf("scene ids (-want +got):\n%s", diff)
	}
}
