package storage_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
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

// Keys for the tests: 32 bytes each, never used anywhere else.
var (
	keyA = bytes.Repeat([]byte{0xA1}, 32)
	keyB = bytes.Repeat([]byte{0xB2}, 32)
)

// Canaries are put into every sealed field; none may appear in the file.
const (
	canaryAnswer   = "CANARY-answer-5d1e"
	canaryNotes    = "CANARY-notes-8b2f"
	canaryGarments = "CANARY-garments-3c4a"
	canaryBody     = "CANARY-body-9e7d"
	canaryWithdraw = "CANARY-withdrawn-1f0b"
	canaryTerms    = "CANARY-terms-6a5c"
	canaryReason   = "CANARY-reason-2d8e"
	canaryText     = "CANARY-text-7b3f"
	canaryError    = "CANARY-error-4e9a"
	canaryRemNote  = "CANARY-reminder-note-2b6d"
	canaryIntent   = "CANARY-intent-5a0c"
	canaryCamera   = "CANARY-camera-8d3e"
	canaryChoreo   = "CANARY-choreo-71b2"
	canaryRehearse = "CANARY-rehearsal-0c4f"
	canaryTake     = "CANARY-take-e93a"
	canaryOverride = "CANARY-override-4d1c"
	canaryProps    = "CANARY-props-0f7a"
)

var canaries = []string{canaryAnswer, canaryNotes, canaryGarments, canaryBody, canaryWithdraw, canaryTerms, canaryReason, canaryText, canaryError, canaryRemNote, canaryIntent, canaryCamera, canaryProps, canaryChoreo, canaryRehearse, canaryTake, canaryOverride}

// suffixed gives every canary of a write its own name, so that old
// values written over are looked for too.
func suffixed(c, n string) string { return c + "-" + n }

func boundaries(scene bot.SceneID, performer bot.UserID, version int, n string) bot.Boundaries {
	return bot.Boundaries{
		Scene: scene, Performer: performer, Version: version, At: t0.Add(time.Duration(version) * time.Minute),
		Answers:   []bot.BeatAnswer{{Beat: "b1", Rev: 1, Answer: bot.AnswerYes}, {Beat: "b2", Rev: 2, Answer: bot.Answer(suffixed(canaryAnswer, n))}},
		Notes:     suffixed(canaryNotes, n),
		Garments:  suffixed(canaryGarments, n),
		Body:      suffixed(canaryBody, n),
		Withdrawn: []string{suffixed(canaryWithdraw, n)},
	}
}

func rider(scene bot.SceneID, performer bot.UserID, version int, n string) bot.Rider {
	return bot.Rider{
		Scene: scene, Performer: performer, State: bot.RiderSent, Terms: suffixed(canaryTerms, n),
		DraftedAt: t0, SentAt: t0.Add(time.Hour), Scope: 2, SentScope: 2, Version: version, Updated: t0.Add(time.Hour),
	}
}

func heldScene(id bot.SceneID, version int, n string) bot.Scene {
	return bot.Scene{
		ID: id, Title: "Bedroom", Performers: []bot.UserID{"U1", "U2"}, Version: version,
		Holds: []bot.Hold{
			{Seq: 1, CalledBy: "U1", At: t0, Reason: suffixed(canaryReason, n), LiftedBy: "U5", LiftedAt: t0.Add(time.Minute)},
			{Seq: 2, CalledBy: "U2", At: t0.Add(time.Hour)}, // no reason: sealed all the same
		},
	}
}

// notedScene has the director's intent and a beat with notes.
func notedScene(id bot.SceneID, version int, n string) bot.Scene {
	return bot.Scene{
		ID: id, Title: "Pool", Performers: []bot.UserID{"U1"}, Version: version,
		Intent: bot.Intent{Text: suffixed(canaryIntent, n), By: "U3", At: t0},
		Beats: []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindContact, Rev: 1,
			Camera: suffixed(canaryCamera, n), Conditions: "closed monitors", Props: suffixed(canaryProps, n),
			Choreo: []bot.ChoreoVersion{{Version: 1, Text: suffixed(canaryChoreo, n), By: "U9", At: t0}}}},
		Rehearsals: []bot.Rehearsal{{Seq: 1, At: t0, By: "U9", Present: []bot.UserID{"U1"}, Beats: []string{"b1"}, Changes: suffixed(canaryRehearse, n)}},
		Takes:      []bot.Take{{Seq: 1, Session: 1, Beat: "b1", Note: suffixed(canaryTake, n), By: "U9", At: t0}},
		NextBeat:   1,
	}
}

func delivery(n string) bot.Delivery {
	return bot.Delivery{
		Caller: "U5", Created: t0, NextAttempt: t0,
		Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U9"}, Class: bot.ClassHoldCaller, Scene: "12", Subject: "U1",
			Text: suffixed(canaryText, n)},
	}
}

// answeredReminder is reminder id of scene 12, answered at answered
// with a note.
func answeredReminder(id uint64, kind bot.ReminderKind, answered time.Time, n string) bot.Reminder {
	return bot.Reminder{
		ID: id, Kind: kind, Key: string(kind) + "/12/U1", Scene: "12", Performer: "U1", Session: 1,
		Due: t0, State: bot.ReminderPending, Created: t0.Add(-time.Hour),
		Answer: "talk", Note: suffixed(canaryRemNote, n), Answered: answered,
	}
}

func production() bot.ProductionInfo {
	return bot.ProductionInfo{Name: "Night Shift", Zone: "Europe/London",
		DeptChannels: map[bot.Role]bot.ChannelID{bot.RoleCostume: "C-COSTUME", bot.RoleHMU: "C-HMU"}}
}

// writeEverything puts one of each record with sealed fields, then
// overwrites and deletes some, the way icbot does over a day.
func writeEverything(t *testing.T, s *storage.Store) {
	t.Helper()
	update(t, s, func(tx bot.Tx) error {
		for _, err := range []error{
			tx.PutProduction(production()),
			tx.PutPerson(bot.Person{ID: "U1", Name: "ana", Roles: []bot.Role{bot.RolePerformer}}),
			tx.PutPerson(bot.Person{ID: "U5", Name: "ines", Roles: []bot.Role{bot.RoleIC}}),
			tx.PutScene(heldScene("12", 3, "first")),
			tx.PutScene(heldScene("13", 1, "gone")),
			tx.AddBoundaries(boundaries("12", "U1", 1, "v1")),
			tx.AddBoundaries(boundaries("12", "U1", 2, "v2")),
			tx.AddBoundaries(boundaries("12", "U2", 1, "u2")),
			tx.AddBoundaries(boundaries("13", "U1", 1, "gone")),
			tx.PutRider(rider("12", "U1", 1, "first")),
			tx.PutRider(rider("13", "U1", 1, "gone")),
			tx.PutSession(bot.Session{Scene: "12", Seq: 1, StartedBy: "U5", StartedAt: t0, Override: suffixed(canaryOverride, "first")}),
		} {
			if err != nil {
				return err
			}
		}
		for _, n := range []string{"1", "2", "3"} {
			if _, err := tx.Enqueue(delivery(n)); err != nil {
				return err
			}
		}
		for _, r := range []bot.Reminder{
			answeredReminder(0, bot.RemindAftercare, t0.Add(time.Hour), "first"),
			answeredReminder(0, bot.RemindCheckIn, t0.Add(2*time.Hour), "r2"),
		} {
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
		}
		return nil
	})
	// A scene with notes, written over, in a transaction of its own.
	update(t, s, func(tx bot.Tx) error { return tx.PutScene(notedScene("20", 1, "first")) })
	update(t, s, func(tx bot.Tx) error { return tx.PutScene(notedScene("20", 2, "second")) })
	update(t, s, func(tx bot.Tx) error {
		for _, err := range []error{
			tx.PutScene(heldScene("12", 4, "second")),
			tx.PutRider(rider("12", "U1", 2, "second")),
			tx.DeleteScene("13"),
			tx.DeleteDelivery(1),
		} {
			if err != nil {
				return err
			}
		}
		d, err := tx.Delivery(2)
		if err != nil {
			return err
		}
		d.Attempts, d.LastError = 1, suffixed(canaryError, "2")
		if err := tx.PutDelivery(d); err != nil {
			return err
		}
		_, err = tx.PutReminder(answeredReminder(1, bot.RemindAftercare, t0.Add(3*time.Hour), "second"))
		return err
	})
}

// noCanaries fails for every canary, or key, found in the file at path,
// in clear or base64-encoded (as []byte fields of a record are).
func noCanaries(t *testing.T, path string, keys ...[]byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range append([]string{"CANARY"}, canaries...) {
		if holds(raw, c) {
			t.Errorf("the file holds %q", c)
		}
	}
	for _, k := range keys {
		if bytes.Contains(raw, k) || holds(raw, string(k)) {
			t.Errorf("the file holds the key %s", storage.KeyID(k))
		}
	}
}

// holds reports whether raw holds s in clear or inside base64 text, at
// any of the three alignments s can have there.
func holds(raw []byte, s string) bool {
	if bytes.Contains(raw, []byte(s)) {
		return true
	}
	for pad := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		start := 0
		if pad > 0 {
			start = 4 // the first group mixes in the padding
		}
		inner := enc[start : len(enc)-4] // the last group may mix in what follows
		if len(inner) >= 8 && bytes.Contains(raw, []byte(inner)) {
			return true
		}
	}
	return false
}

// readEverything reads back what writeEverything left.
func readEverything(t *testing.T, s *storage.Store) {
	t.Helper()
	view(t, s, func(tx bot.Tx) error {
		p, err := tx.Production()
		if err != nil {
			return err
		}
		if diff := cmp.Diff(production(), p); diff != "" {
			t.Errorf("production (-want +got):\n%s", diff)
		}
		people, err := tx.People()
		if err != nil {
			return err
		}
		if got, want := len(people), 2; got != want || !people[1].Has(bot.RoleIC) {
			t.Errorf("people = %v, want ana and ines (IC)", people)
		}
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(heldScene("12", 4, "second"), sc, timeEqual); diff != "" {
			t.Errorf("scene (-want +got):\n%s", diff)
		}
		noted, err := tx.Scene("20")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(notedScene("20", 2, "second"), noted, timeEqual); diff != "" {
			t.Errorf("scene with notes (-want +got):\n%s", diff)
		}
		hist, err := tx.BoundariesHistory("12", "U1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]bot.Boundaries{boundaries("12", "U1", 1, "v1"), boundaries("12", "U1", 2, "v2")}, hist, timeEqual); diff != "" {
			t.Errorf("boundaries (-want +got):\n%s", diff)
		}
		latest, err := tx.Boundaries("12", "U2")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(boundaries("12", "U2", 1, "u2"), latest, timeEqual); diff != "" {
			t.Errorf("latest boundaries (-want +got):\n%s", diff)
		}
		riders, err := tx.Riders("12")
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]bot.Rider{rider("12", "U1", 2, "second")}, riders, timeEqual); diff != "" {
			t.Errorf("riders (-want +got):\n%s", diff)
		}
		ds, err := tx.Deliveries()
		if err != nil {
			return err
		}
		d2, d3 := delivery("2"), delivery("3")
		d2.ID, d2.Attempts, d2.LastError = 2, 1, suffixed(canaryError, "2")
		d3.ID = 3
		if diff := cmp.Diff([]bot.Delivery{d2, d3}, ds, timeEqual); diff != "" {
			t.Errorf("deliveries (-want +got):\n%s", diff)
		}
		rs, err := tx.SceneReminders("12")
		if err != nil {
			return err
		}
		want := []bot.Reminder{
			answeredReminder(1, bot.RemindAftercare, t0.Add(3*time.Hour), "second"),
			answeredReminder(2, bot.RemindCheckIn, t0.Add(2*time.Hour), "r2"),
		}
		if diff := cmp.Diff(want, rs, timeEqual); diff != "" {
			t.Errorf("reminders (-want +got):\n%s", diff)
		}
		return nil
	})
}

// TestPrivateFieldsRoundTrip writes and reads back every record with
// sealed fields, in a file with a key and in one without, and again after
// reopening.
func TestPrivateFieldsRoundTrip(t *testing.T) {
	for _, mode := range keyModes {
		t.Run(mode.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, mode.opts...)
			writeEverything(t, s)
			readEverything(t, s)
			s.Close()

			s = openAt(t, path, mode.opts...)
			readEverything(t, s)
			view(t, s, func(tx bot.Tx) error {
				if _, err := tx.Scene("13"); bot.ErrorCode(err) != bot.ENOTFOUND {
					t.Errorf("deleted scene: %v", err)
				}
				if _, err := tx.Rider("13", "U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
					t.Errorf("rider of a deleted scene: %v", err)
				}
				return nil
			})
		})
	}
	t.Run("key id", func(t *testing.T) {
		s := openStore(t, storage.WithKey(keyA))
		if got, want := s.KeyID(), storage.KeyID(keyA); got != want {
			t.Errorf("KeyID = %s, want %s", got, want)
		}
		if got := openStore(t).KeyID(); got != "" {
			t.Errorf("KeyID without a key = %q", got)
		}
	})
}

// TestNoClearTextInFile writes canaries into every sealed field, writes
// over some and deletes others, and scans the raw file for them.
func TestNoClearTextInFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	noCanaries(t, path, keyA)

	t.Run("the same writes without a key leave them in clear", func(t *testing.T) {
		// Shows that the scan finds what it looks for.
		clear := filepath.Join(t.TempDir(), "clear.db")
		s := openAt(t, clear)
		writeEverything(t, s)
		s.Close()
		raw, err := os.ReadFile(clear)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range canaries {
			if !holds(raw, c) {
				t.Errorf("%s not found in a file without a key", c)
			}
		}
	})
}

// rawValue reads a value at a key path of a closed file.
func rawValue(t *testing.T, path string, keys ...[]byte) []byte {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []byte
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(keys[0])
		for _, k := range keys[1 : len(keys)-1] {
			if b == nil {
				break
			}
			b = b.Bucket(k)
		}
		if b == nil {
			return errors.New("no such bucket")
		}
		out = bytes.Clone(b.Get(keys[len(keys)-1]))
		return nil
	})
	if err != nil || out == nil {
		t.Fatalf("raw value %q: %v", keys, err)
	}
	return out
}

// editRecord changes the JSON record at a key path of a closed file.
func editRecord(t *testing.T, path string, edit func(rec map[string]any), keys ...[]byte) {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal(rawValue(t, path, keys...), &rec); err != nil {
		t.Fatal(err)
	}
	edit(rec)
	v, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	putRaw(t, path, v, keys...)
}

func putRaw(t *testing.T, path string, v []byte, keys ...[]byte) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(keys[0])
		for _, k := range keys[1 : len(keys)-1] {
			b = b.Bucket(k)
		}
		return b.Put(keys[len(keys)-1], v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func be(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func bs(s string) []byte { return []byte(s) }

// flipBase64 changes one byte in the middle of a base64 value.
func flipBase64(s string) string {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	b[len(b)/2] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

// field returns the JSON object at a dotted path of rec.
func object(rec map[string]any, path ...any) map[string]any {
	var cur any = rec
	for _, p := range path {
		switch p := p.(type) {
		case string:
			cur = cur.(map[string]any)[p]
		case int:
			cur = cur.([]any)[p]
		}
	}
	return cur.(map[string]any)
}

// reads are the reads that must each fail on a damaged record.
var reads = map[string]func(tx bot.Tx) error{
	"scene":       func(tx bot.Tx) error { _, err := tx.Scene("12"); return err },
	"scenes":      func(tx bot.Tx) error { _, err := tx.Scenes(); return err },
	"boundaries":  func(tx bot.Tx) error { _, err := tx.Boundaries("12", "U1"); return err },
	"history":     func(tx bot.Tx) error { _, err := tx.BoundariesHistory("12", "U1"); return err },
	"boundariesB": func(tx bot.Tx) error { _, err := tx.Boundaries("12", "U2"); return err },
	"rider":       func(tx bot.Tx) error { _, err := tx.Rider("12", "U1"); return err },
	"riders":      func(tx bot.Tx) error { _, err := tx.Riders("12"); return err },
	"delivery":    func(tx bot.Tx) error { _, err := tx.Delivery(2); return err },
	"deliveries":  func(tx bot.Tx) error { _, err := tx.Deliveries(); return err },
	"reminder":    func(tx bot.Tx) error { _, err := tx.Reminder(1); return err },
	"reminderB":   func(tx bot.Tx) error { _, err := tx.Reminder(2); return err },
	"byKey":       func(tx bot.Tx) error { _, err := tx.ReminderByKey("aftercare/12/U1"); return err },
	"scene rems":  func(tx bot.Tx) error { _, err := tx.SceneReminders("12"); return err },
	"due":         func(tx bot.Tx) error { _, err := tx.DueReminders(t0, 10); return err },
	"next":        func(tx bot.Tx) error { _, _, err := tx.NextReminder(); return err },
}

// noteAAD is the additional data of reminder id's note answered at answered.
func noteAAD(id int, answered time.Time) string {
	return "reminders/" + strconv.Itoa(id) + "/" + answered.UTC().Format(time.RFC3339Nano) + "/note"
}

// TestDamagedSealedValues edits sealed fields straight in the file: a
// flipped byte, or a sealed value copied from another performer, version,
// record, field or scene. Each read of the damaged record fails with
// ErrSealBroken, an internal error naming the record, and no content.
func TestDamagedSealedValues(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		reads  []string
		want   string // in the message
	}{
		{
			name: "flipped byte in boundaries",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["private"] = flipBase64(r["private"].(string)) }, bs("boundaries"), bs("12"), bs("U1"), be(2))
			},
			reads: []string{"boundaries", "history"},
			want:  "sealed value boundaries/12/U1/2/private cannot be opened",
		},
		{
			name: "flipped byte in rider terms",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["terms"] = flipBase64(r["terms"].(string)) }, bs("riders"), bs("12"), bs("U1"))
			},
			reads: []string{"rider", "riders"},
			want:  "sealed value riders/12/U1/v2/terms cannot be opened",
		},
		{
			name: "flipped byte in a hold reason",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) {
					h := object(r, "holds", 0)
					h["reason"] = flipBase64(h["reason"].(string))
				}, bs("scenes"), bs("12"))
			},
			reads: []string{"scene", "scenes"},
			want:  "sealed value scenes/12/v4/hold/1/reason cannot be opened",
		},
		{
			name: "flipped byte in a delivery's text",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) {
					m := object(r, "message")
					m["text"] = flipBase64(m["text"].(string))
				}, bs("outbox"), be(2))
			},
			reads: []string{"delivery"}, // Deliveries leaves it out: TestUnreadableDeliveries
			want:  "sealed value outbox/2/text cannot be opened",
		},
		{
			name: "flipped byte in a delivery's last error",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["last_error"] = flipBase64(r["last_error"].(string)) }, bs("outbox"), be(2))
			},
			reads: []string{"delivery"}, // Deliveries leaves it out: TestUnreadableDeliveries
			want:  "sealed value outbox/2/last_error cannot be opened",
		},
		{
			name: "clear text put in place of a sealed value",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) {
					object(r, "holds", 0)["reason"] = "forged reason"
				}, bs("scenes"), bs("12"))
			},
			reads: []string{"scene"},
			want:  "sealed value scenes/12/v4/hold/1/reason cannot be opened: it is not a sealed value",
		},
		{
			name: "flipped byte in a scene's intent and beat notes",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["private"] = flipBase64(r["private"].(string)) }, bs("scenes"), bs("20"))
			},
			reads: []string{"scenes"},
			want:  "sealed value scenes/20/v2/private cannot be opened",
		},
		{
			name: "a scene's intent and beat notes from its earlier version",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["version"] = 1.0 }, bs("scenes"), bs("20"))
			},
			reads: []string{"scenes"},
			want:  "sealed value scenes/20/v1/private cannot be opened",
		},
		{
			name: "sealed value removed",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { delete(object(r, "holds", 1), "reason") }, bs("scenes"), bs("12"))
			},
			reads: []string{"scene"},
			want:  "sealed value scenes/12/v4/hold/2/reason cannot be opened",
		},
		{
			name: "another performer's answers",
			damage: func(t *testing.T, path string) {
				var other map[string]any
				_ = json.Unmarshal(rawValue(t, path, bs("boundaries"), bs("12"), bs("U2"), be(1)), &other)
				editRecord(t, path, func(r map[string]any) { r["private"] = other["private"] }, bs("boundaries"), bs("12"), bs("U1"), be(1))
			},
			reads: []string{"history"},
			want:  "sealed value boundaries/12/U1/1/private cannot be opened",
		},
		{
			name: "an earlier version's answers",
			damage: func(t *testing.T, path string) {
				var v1 map[string]any
				_ = json.Unmarshal(rawValue(t, path, bs("boundaries"), bs("12"), bs("U1"), be(1)), &v1)
				editRecord(t, path, func(r map[string]any) { r["private"] = v1["private"] }, bs("boundaries"), bs("12"), bs("U1"), be(2))
			},
			reads: []string{"boundaries", "history"},
			want:  "sealed value boundaries/12/U1/2/private cannot be opened",
		},
		{
			name: "a whole record copied to another performer",
			damage: func(t *testing.T, path string) {
				putRaw(t, path, rawValue(t, path, bs("boundaries"), bs("12"), bs("U1"), be(1)), bs("boundaries"), bs("12"), bs("U2"), be(1))
			},
			reads: []string{"boundariesB"},
			want:  "record boundaries/12/U2/1 holds version 1 of U1's boundaries for scene 12: it was moved or copied from another key",
		},
		{
			name: "a whole record copied, its ids changed to match",
			damage: func(t *testing.T, path string) {
				v := rawValue(t, path, bs("boundaries"), bs("12"), bs("U1"), be(1))
				putRaw(t, path, bytes.Replace(v, bs(`"performer":"U1"`), bs(`"performer":"U2"`), 1), bs("boundaries"), bs("12"), bs("U2"), be(1))
			},
			reads: []string{"boundariesB"},
			want:  "sealed value boundaries/12/U2/1/private cannot be opened",
		},
		{
			name: "rider version changed",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["version"] = 1 }, bs("riders"), bs("12"), bs("U1"))
			},
			reads: []string{"rider", "riders"},
			want:  "sealed value riders/12/U1/v1/terms cannot be opened",
		},
		{
			name: "hold reasons swapped",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) {
					h1, h2 := object(r, "holds", 0), object(r, "holds", 1)
					h1["reason"], h2["reason"] = h2["reason"], h1["reason"]
				}, bs("scenes"), bs("12"))
			},
			reads: []string{"scene", "scenes"},
			want:  "sealed value scenes/12/v4/hold/1/reason cannot be opened",
		},
		{
			name: "scene version rolled back alone",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["version"] = 3 }, bs("scenes"), bs("12"))
			},
			reads: []string{"scene"},
			want:  "sealed value scenes/12/v3/hold/1/reason cannot be opened",
		},
		{
			name: "text of another delivery",
			damage: func(t *testing.T, path string) {
				var other map[string]any
				_ = json.Unmarshal(rawValue(t, path, bs("outbox"), be(3)), &other)
				editRecord(t, path, func(r map[string]any) { object(r, "message")["text"] = object(other, "message")["text"] }, bs("outbox"), be(2))
			},
			reads: []string{"delivery"}, // Deliveries leaves it out: TestUnreadableDeliveries
			want:  "sealed value outbox/2/text cannot be opened",
		},
		{
			name: "flipped byte in a reminder's note",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["note"] = flipBase64(r["note"].(string)) }, bs("reminders"), be(1))
			},
			reads: []string{"reminder", "byKey", "scene rems", "due", "next"},
			want:  "sealed value " + noteAAD(1, t0.Add(3*time.Hour)) + " cannot be opened",
		},
		{
			name: "note of another reminder",
			damage: func(t *testing.T, path string) {
				var other map[string]any
				_ = json.Unmarshal(rawValue(t, path, bs("reminders"), be(2)), &other)
				editRecord(t, path, func(r map[string]any) { r["note"] = other["note"] }, bs("reminders"), be(1))
			},
			reads: []string{"reminder", "scene rems"},
			want:  "sealed value " + noteAAD(1, t0.Add(3*time.Hour)) + " cannot be opened",
		},
		{
			name: "answer time of a note changed",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["answered"] = t0.Add(time.Hour).UTC().Format(time.RFC3339Nano) }, bs("reminders"), be(1))
			},
			reads: []string{"reminder"},
			want:  "sealed value " + noteAAD(1, t0.Add(time.Hour)) + " cannot be opened",
		},
		{
			name: "note removed",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { delete(r, "note") }, bs("reminders"), be(2))
			},
			reads: []string{"reminderB"},
			want:  "sealed value " + noteAAD(2, t0.Add(2*time.Hour)) + " cannot be opened",
		},
		{
			name: "a whole reminder copied to another id",
			damage: func(t *testing.T, path string) {
				putRaw(t, path, rawValue(t, path, bs("reminders"), be(1)), bs("reminders"), be(2))
			},
			reads: []string{"reminderB", "scene rems"},
			want:  "record reminders/2 holds reminder 1: it was moved or copied from another key",
		},
		{
			name: "text moved to the last error",
			damage: func(t *testing.T, path string) {
				editRecord(t, path, func(r map[string]any) { r["last_error"] = object(r, "message")["text"] }, bs("outbox"), be(2))
			},
			reads: []string{"delivery"},
			want:  "sealed value outbox/2/last_error cannot be opened",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, storage.WithKey(keyA))
			writeEverything(t, s)
			s.Close()
			tt.damage(t, path)
			s = openAt(t, path, storage.WithKey(keyA))
			for _, name := range tt.reads {
				err := s.View(t.Context(), reads[name])
				switch {
				case err == nil:
					t.Errorf("%s: read a damaged record", name)
					continue
				case !errors.Is(err, storage.ErrSealBroken):
					t.Errorf("%s: %v, want ErrSealBroken", name, err)
				case bot.ErrorCode(err) != bot.EINTERNAL:
					t.Errorf("%s: code %s, want internal", name, bot.ErrorCode(err))
				case !strings.Contains(err.Error(), tt.want):
					t.Errorf("%s: %q does not say %q", name, err, tt.want)
				}
				if strings.Contains(err.Error(), "CANARY") {
					t.Errorf("%s: the error shows content: %v", name, err)
				}
			}
		})
	}
}

func TestOpenWithKeys(t *testing.T) {
	dir := t.TempDir()
	sealedWith := func(t *testing.T, key []byte) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(key))
		writeEverything(t, s)
		s.Close()
		return path
	}
	t.Run("missing key", func(t *testing.T) {
		path := sealedWith(t, keyA)
		_, err := storage.Open(path, quiet, storage.WithTimeout(time.Second))
		if !errors.Is(err, storage.ErrNoKey) {
			t.Fatalf("Open = %v, want ErrNoKey", err)
		}
		want := "database " + path + " is encrypted, but no key was given: set storage.encryption_key or restore the key file " + path + ".key"
		if got := err.Error(); got != want {
			t.Errorf("error = %q\nwant %q", got, want)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		path := sealedWith(t, keyA)
		_, err := storage.Open(path, quiet, storage.WithTimeout(time.Second), storage.WithKey(keyB))
		if !errors.Is(err, storage.ErrWrongKey) {
			t.Fatalf("Open = %v, want ErrWrongKey", err)
		}
		want := "the encryption key does not open database " + path + " (it was sealed with key " + storage.KeyID(keyA) +
			", this key is " + storage.KeyID(keyB) + "): use the right storage.encryption_key or key file"
		if got := err.Error(); got != want {
			t.Errorf("error = %q\nwant %q", got, want)
		}
	})
	t.Run("key of the wrong size", func(t *testing.T) {
		for _, k := range [][]byte{nil, {}, keyA[:16], append(bytes.Clone(keyA), 0)} {
			s, err := storage.Open(filepath.Join(dir, "size.db"), quiet, storage.WithKey(k))
			if err == nil {
				s.Close()
				t.Errorf("Open accepted a key of %d bytes", len(k))
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "size.db")); !os.IsNotExist(err) {
			t.Errorf("a refused key left a database behind")
		}
	})
	t.Run("key check changed", func(t *testing.T) {
		path := sealedWith(t, keyA)
		check := rawValue(t, path, bs("meta"), bs("key_check"))
		check[len(check)-1] ^= 1
		putRaw(t, path, check, bs("meta"), bs("key_check"))
		_, err := storage.Open(path, quiet, storage.WithKey(keyA))
		if !errors.Is(err, storage.ErrSealBroken) || !strings.Contains(err.Error(), "meta/key_check") {
			t.Errorf("Open = %v, want ErrSealBroken naming meta/key_check", err)
		}
	})
	t.Run("key id and check removed", func(t *testing.T) {
		// Reading the sealed values as clear text would show garbage:
		// sealing them again is refused.
		path := sealedWith(t, keyA)
		rawDelete(t, path, "key_id", "key_check")
		for _, key := range [][]byte{keyA, keyB} {
			_, err := storage.Open(path, quiet, storage.WithKey(key))
			if !errors.Is(err, storage.ErrSealBroken) || !strings.Contains(err.Error(), "holds a sealed value: meta/key_id and meta/key_check were removed") {
				t.Errorf("Open with key %s = %v", storage.KeyID(key), err)
			}
		}
	})
	t.Run("read-only without the key", func(t *testing.T) {
		path := sealedWith(t, keyA)
		s, err := storage.Open(path, quiet, storage.WithReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		// The chain and the roles are keyed: without the key they cannot
		// be checked, so they are not read.
		if _, err := s.VerifyAudit(t.Context()); !errors.Is(err, storage.ErrNoKey) {
			t.Errorf("VerifyAudit without the key: %v, want ErrNoKey", err)
		}
		err = s.View(t.Context(), func(tx bot.Tx) error { _, err := tx.Scene("12"); return err })
		if !errors.Is(err, storage.ErrNoKey) || !strings.Contains(err.Error(), "was opened without its key") {
			t.Errorf("reading a sealed field without the key: %v", err)
		}
		err = s.View(t.Context(), func(tx bot.Tx) error { _, err := tx.People(); return err })
		if !errors.Is(err, storage.ErrNoKey) {
			t.Errorf("reading people without the key: %v, want ErrNoKey", err)
		}
		// A session holds the IC's override reason, sealed: it needs the key.
		err = s.View(t.Context(), func(tx bot.Tx) error { _, err := tx.Sessions("12"); return err })
		if !errors.Is(err, storage.ErrNoKey) {
			t.Errorf("reading a session's override reason without the key: %v, want ErrNoKey", err)
		}
	})
	t.Run("read-only with the wrong key", func(t *testing.T) {
		path := sealedWith(t, keyA)
		_, err := storage.Open(path, quiet, storage.WithReadOnly(), storage.WithKey(keyB))
		if !errors.Is(err, storage.ErrWrongKey) {
			t.Errorf("Open = %v, want ErrWrongKey", err)
		}
	})
	t.Run("new file records the key", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "icbot.db")
		s := openAt(t, path, storage.WithKey(keyA))
		s.Close()
		if got, want := string(rawValue(t, path, bs("meta"), bs("key_id"))), storage.KeyID(keyA); got != want {
			t.Errorf("meta/key_id = %q, want %q", got, want)
		}
		if got := rawValue(t, path, bs("meta"), bs("key_check")); len(got) != 1+12+len("icbot key check")+16 || got[0] != 1 {
			t.Errorf("meta/key_check is not a sealed value: %d bytes", len(got))
		}
	})
}

// rawDelete removes meta keys from a closed file.
func rawDelete(t *testing.T, path string, keys ...string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, k := range keys {
			if err := tx.Bucket(bs("meta")).Delete(bs(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRekey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	writeAudit(t, s, 3)
	s.Close()
	oldPrivate := rawValue(t, path, bs("boundaries"), bs("12"), bs("U1"), be(2))
	oldHead := rawValue(t, path, bs("meta"), bs("audit_head"))
	oldMAC := rawValue(t, path, bs("people"), bs("U5"))
	oldCheck := rawValue(t, path, bs("meta"), bs("key_check"))
	var rec struct{ Private []byte }
	if err := json.Unmarshal(oldPrivate, &rec); err != nil {
		t.Fatal(err)
	}
	oldSealed := rec.Private

	s = openAt(t, path, storage.WithKey(keyA))
	if err := s.Rekey(t.Context(), keyA); err == nil || !strings.Contains(err.Error(), "the new key is the key it is sealed with") {
		t.Errorf("Rekey to the same key: %v", err)
	}
	if err := s.Rekey(t.Context(), keyB); err != nil {
		t.Fatalf("Rekey: %v", err)
	}
	if got, want := s.KeyID(), storage.KeyID(keyB); got != want {
		t.Errorf("KeyID after Rekey = %s, want %s", got, want)
	}
	readEverything(t, s) // the same store, with the new key
	// The chain, its head and the authority records' MACs are keyed anew.
	if _, err := s.VerifyAudit(t.Context()); err != nil {
		t.Errorf("VerifyAudit after Rekey: %v", err)
	}
	if err := s.VerifyRecords(t.Context()); err != nil {
		t.Errorf("VerifyRecords after Rekey: %v", err)
	}
	// The outbox keeps numbering after the compaction.
	update(t, s, func(tx bot.Tx) error {
		id, err := tx.Enqueue(delivery("4"))
		if id != 4 {
			t.Errorf("next delivery id after rekey = %d, want 4", id)
		}
		return err
	})
	update(t, s, func(tx bot.Tx) error { return tx.DeleteDelivery(4) })
	if err := s.Check(); err != nil {
		t.Errorf("Check after rekey: %v", err)
	}
	s.Close()

	if _, err := storage.Open(path, quiet, storage.WithKey(keyA)); !errors.Is(err, storage.ErrWrongKey) {
		t.Errorf("the old key: %v, want ErrWrongKey", err)
	}
	s = openAt(t, path, storage.WithKey(keyB))
	readEverything(t, s)
	s.Close()
	recs, chain, prev := rawAudit(t, path), hmacChain(t, keyB), bot.GenesisHash()
	for _, r := range recs {
		if !bytes.Equal(r.Hash, chain(prev, r)) {
			t.Errorf("audit record %d is not chained with the new key", r.Seq)
		}
		prev = r.Hash
	}
	if got, want := rawValue(t, path, bs("meta"), bs("audit_head")), keyedHead(t, keyB, 3, prev); !bytes.Equal(got, want) || bytes.Equal(got, oldHead) {
		t.Errorf("audit head after rekey %x, want %x", got, want)
	}
	if bytes.Equal(rawValue(t, path, bs("people"), bs("U5")), oldMAC) {
		t.Error("a person's MAC is the old key's")
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(base64.StdEncoding.EncodeToString(oldSealed))) || bytes.Contains(raw, oldPrivate) || bytes.Contains(raw, oldCheck) {
		t.Errorf("the file still holds a value sealed with the old key")
	}
	noCanaries(t, path, keyA, keyB)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after rekey: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the compacted copy was left behind: %v", err)
	}

	t.Run("an edited role or audit record stops it and changes nothing", func(t *testing.T) {
		for _, edit := range []func(){
			func() {
				editRecord(t, path, func(r map[string]any) { r["roles"] = []any{"ic"} }, bs("people"), bs("U1"))
			},
			func() { editRecord(t, path, func(r map[string]any) { r["actor"] = "U666" }, bs("audit"), be(2)) },
		} {
			saved := bytes.Clone(raw)
			edit()
			s := openAt(t, path, storage.WithKey(keyB))
			err := s.Rekey(t.Context(), keyA)
			if err == nil || !strings.Contains(err.Error(), "nothing was changed") {
				t.Errorf("Rekey over an edited record: %v", err)
			}
			if got, want := s.KeyID(), storage.KeyID(keyB); got != want {
				t.Errorf("KeyID after a failed Rekey = %s, want %s", got, want)
			}
			s.Close()
			if err := os.WriteFile(path, saved, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("a broken value stops it and changes nothing", func(t *testing.T) {
		editRecord(t, path, func(r map[string]any) { r["terms"] = flipBase64(r["terms"].(string)) }, bs("riders"), bs("12"), bs("U1"))
		s := openAt(t, path, storage.WithKey(keyB))
		err := s.Rekey(t.Context(), keyA)
		if !errors.Is(err, storage.ErrSealBroken) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("Rekey over a broken value: %v", err)
		}
		if got, want := s.KeyID(), storage.KeyID(keyB); got != want {
			t.Errorf("KeyID after a failed Rekey = %s, want %s", got, want)
		}
		s.Close()
		s = openAt(t, path, storage.WithKey(keyB))
		s.Close()
	})
}

// TestEncryptOlderFile opens, with a key, files written without one: a
// schema 4 file (before encryption existed) and a current one. Every
// private field is sealed, the file compacted, and the clear text gone,
// including what was deleted before.
func TestEncryptOlderFile(t *testing.T) {
	for _, schema := range []uint64{4, storage.SchemaVersion} {
		t.Run("schema "+itoa(schema), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path)
			writeEverything(t, s)
			s.Close()
			putRaw(t, path, be(schema), bs("meta"), bs("schema_version"))
			raw, _ := os.ReadFile(path)
			if !bytes.Contains(raw, []byte(suffixed(canaryReason, "first"))) {
				t.Fatal("the overwritten reason is not in the file to begin with; the test shows nothing")
			}

			s = openAt(t, path, storage.WithKey(keyA))
			readEverything(t, s)
			s.Close()
			noCanaries(t, path, keyA)
			if got, want := string(rawValue(t, path, bs("meta"), bs("key_id"))), storage.KeyID(keyA); got != want {
				t.Errorf("meta/key_id = %q, want %q", got, want)
			}
			if got := rawValue(t, path, bs("meta"), bs("schema_version")); binary.BigEndian.Uint64(got) != storage.SchemaVersion {
				t.Errorf("schema version %d", binary.BigEndian.Uint64(got))
			}
			if _, err := storage.Open(path, quiet); !errors.Is(err, storage.ErrNoKey) {
				t.Errorf("Open without the key after sealing: %v", err)
			}
			s = openAt(t, path, storage.WithKey(keyA))
			readEverything(t, s)
			if err := s.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestCompactionRetried shows that a compaction which did not finish (a
// crash, a full disk) is done at the next Open, and that a stale copy is
// removed.
func TestCompactionRetried(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	writeEverything(t, s)
	update(t, s, func(tx bot.Tx) error {
		// Large, so that it lands on pages of its own, freed by the delete.
		return tx.PutPerson(bot.Person{ID: "U77", Name: strings.Repeat("CANARY-in-a-freed-page ", 1000)})
	})
	update(t, s, func(tx bot.Tx) error { return tx.DeletePerson("U77") })
	s.Close()
	// As after a crash between a commit that marked the file and its
	// compaction, which had begun writing its copy.
	putRaw(t, path, []byte{1}, bs("meta"), bs("compact_pending"))
	if err := os.WriteFile(path+".compact", []byte("stale"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if !holds(raw, "CANARY-in-a-freed-page") {
		t.Fatal("the deleted value is not in a free page; the test shows nothing")
	}

	s = openAt(t, path, storage.WithKey(keyA))
	readEverything(t, s)
	s.Close()
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("the marked file was not replaced by a compacted copy at Open")
	}
	if raw, _ := os.ReadFile(path); holds(raw, "CANARY-in-a-freed-page") {
		t.Error("a deleted value is still in the file after compacting")
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bs("meta")).Get(bs("compact_pending")) != nil {
			t.Error("the mark is still there after compacting")
		}
		return nil
	})
	db.Close()
	if _, err := os.Stat(path + ".compact"); !os.IsNotExist(err) {
		t.Errorf("the stale copy is still there: %v", err)
	}

	// Unmarked, the file is left as it is.
	s = openAt(t, path, storage.WithKey(keyA))
	s.Close()
	again, _ := os.Stat(path)
	if !os.SameFile(after, again) {
		t.Error("an unmarked file was compacted")
	}
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	clear := filepath.Join(dir, "clear.db")
	sealed := filepath.Join(dir, "sealed.db")
	empty := filepath.Join(dir, "empty.db")
	openAt(t, clear).Close()
	openAt(t, sealed, storage.WithKey(keyA)).Close()
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		key  []byte
		want storage.KeyState
	}{
		{"missing file", missing, keyA, storage.KeyState{}},
		{"empty file", empty, nil, storage.KeyState{}},
		{"file without a key", clear, keyA, storage.KeyState{Exists: true}},
		{"sealed, no key given", sealed, nil, storage.KeyState{Exists: true, Encrypted: true, KeyID: storage.KeyID(keyA)}},
		{"sealed, its key", sealed, keyA, storage.KeyState{Exists: true, Encrypted: true, KeyID: storage.KeyID(keyA), Opens: true}},
		{"sealed, another key", sealed, keyB, storage.KeyState{Exists: true, Encrypted: true, KeyID: storage.KeyID(keyA)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := storage.Inspect(tt.path, tt.key, storage.WithTimeout(time.Second))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("Inspect created %s", missing)
	}
	t.Run("file in use", func(t *testing.T) {
		s := openAt(t, sealed, storage.WithKey(keyA))
		defer s.Close()
		_, err := storage.Inspect(sealed, nil, storage.WithTimeout(100*time.Millisecond))
		if !errors.Is(err, storage.ErrInUse) {
			t.Errorf("Inspect of a file in use: %v", err)
		}
	})
}

func TestKeyID(t *testing.T) {
	// python3 -c "import hashlib;print(hashlib.sha256(bytes([0xA1]*32)).hexdigest()[:8])"
	if got, want := storage.KeyID(keyA), "52fe6094"; got != want {
		t.Errorf("KeyID(keyA) = %s, want %s", got, want)
	}
	if storage.KeyID(keyA) == storage.KeyID(keyB) || len(storage.KeyID(keyA)) != 8 {
		t.Errorf("key ids %s and %s", storage.KeyID(keyA), storage.KeyID(keyB))
	}
	if got, want := storage.KeyFile("/data/icbot.db"), "/data/icbot.db.key"; got != want {
		t.Errorf("KeyFile = %s, want %s", got, want)
	}
}

// TestOverrideReasonSealed: the IC's override reason of a closed-set
// session is sealed in an encrypted file; one written before reasons
// were sealed reads as it was written, and a rekey seals it.
func TestOverrideReasonSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error {
		if err := tx.PutSession(bot.Session{Scene: "12", Seq: 1, StartedBy: "U5", StartedAt: t0, Override: "SEALED-REASON"}); err != nil {
			return err
		}
		return tx.PutSession(bot.Session{Scene: "12", Seq: 2, StartedBy: "U5", StartedAt: t0})
	})
	s.Close()
	if raw, err := os.ReadFile(path); err != nil || bytes.Contains(raw, []byte("SEALED-REASON")) {
		t.Fatalf("the reason is in the file in clear (%v)", err)
	}
	// Session 2 as an earlier icbot wrote it, its reason in clear.
	editRecord(t, path, func(r map[string]any) { r["override"] = "LEGACY-REASON" }, bs("sessions"), bs("12"), be(2))
	s = openAt(t, path, storage.WithKey(keyA))
	view(t, s, func(tx bot.Tx) error {
		ss, err := tx.Sessions("12")
		if err == nil && (len(ss) != 2 || ss[0].Override != "SEALED-REASON" || ss[1].Override != "LEGACY-REASON") {
			t.Errorf("sessions read back %+v", ss)
		}
		return err
	})
	if err := s.Rekey(t.Context(), keyB); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if raw, err := os.ReadFile(path); err != nil || bytes.Contains(raw, []byte("LEGACY-REASON")) {
		t.Errorf("after a rekey the earlier reason is still in the file in clear (%v)", err)
	}
	s = openAt(t, path, storage.WithKey(keyB))
	view(t, s, func(tx bot.Tx) error {
		got, err := tx.Session("12", 2)
		if err == nil && got.Override != "LEGACY-REASON" {
			t.Errorf("after a rekey: %+v", got)
		}
		return err
	})
}
