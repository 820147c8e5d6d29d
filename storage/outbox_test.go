package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
	"icbot/storage"
)

// attackerURL is where someone with the file, but not the key, would like
// a queued text to go.
const attackerURL = "https://attacker.example/collect"

// queued are the deliveries of the outbox tests: a hold caller's DM to
// the IC, a late reply to a caller, and a garment notice to costume's
// channel, with a button.
func queued() []bot.Delivery {
	return []bot.Delivery{
		{Caller: "U1", Created: t0, NextAttempt: t0, Message: bot.Message{To: bot.Destination{Kind: bot.ToUser, User: "U5"},
			Class: bot.ClassHoldCaller, Scene: "12", Subject: "U1", Text: suffixed(canaryText, "hold")}},
		{Caller: "U3", Reply: "reply-to-U3", Created: t0, NextAttempt: t0, Message: bot.Message{To: bot.Destination{Kind: bot.ToCaller, User: "U3"},
			Class: bot.ClassPublic, Scene: "12", Text: suffixed(canaryText, "reply")}},
		{Caller: "U5", Created: t0, NextAttempt: t0, Message: bot.Message{To: bot.Destination{Kind: bot.ToChannel, Channel: "C-COSTUME"},
			Class: bot.ClassGarments, Scene: "12", Subject: "U1", Text: suffixed(canaryText, "garments"),
			Actions: []bot.Action{{Label: "Seen", Command: "/dept seen 12"}}}},
	}
}

// enqueueAll puts the deliveries in the outbox, numbered from 1.
func enqueueAll(t *testing.T, s *storage.Store, ds []bot.Delivery) {
	t.Helper()
	update(t, s, func(tx bot.Tx) error {
		for _, d := range ds {
			if _, err := tx.Enqueue(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// redirects are edits of delivery 1 in the file, by someone without the
// key: each changes where its text would go, or what it is.
var redirects = []struct {
	name string
	edit func(r map[string]any)
}{
	{"kind and reply handle", func(r map[string]any) {
		object(r, "message")["kind"] = int(bot.ToCaller)
		r["reply"] = attackerURL
	}},
	{"user", func(r map[string]any) { object(r, "message")["user"] = "U666" }},
	{"kind to a channel", func(r map[string]any) {
		m := object(r, "message")
		m["kind"], m["channel"] = int(bot.ToChannel), "C-ATTACKER"
	}},
	{"class", func(r map[string]any) { object(r, "message")["class"] = int(bot.ClassPublic) }},
	{"scene", func(r map[string]any) { object(r, "message")["scene"] = "13" }},
	{"subject", func(r map[string]any) { object(r, "message")["subject"] = "U2" }},
	{"caller", func(r map[string]any) { r["caller"] = "U666" }},
	{"reply handle alone", func(r map[string]any) { r["reply"] = attackerURL }},
	{"a button added", func(r map[string]any) {
		object(r, "message")["actions"] = []any{map[string]any{"label": "Confirm", "command": "/boundaries withdraw 12"}}
	}},
	{"a file asked for", func(r map[string]any) {
		r["file"] = map[string]any{"report": "scene:13", "format": "md"}
	}},
	{"text of another delivery", nil}, // see below
}

// TestTamperedDeliveryRefused changes a queued delivery's destination,
// class, scene, subject, caller, reply handle or buttons in the file.
// Its text, bound to all of them, does not open: Delivery refuses it with
// an internal error naming it by id, Deliveries leaves it out and lists
// the others, and once the transaction has ended it is dropped from the
// outbox and logged without content or destination.
func TestTamperedDeliveryRefused(t *testing.T) {
	for _, tt := range redirects {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, storage.WithKey(keyA))
			enqueueAll(t, s, queued())
			s.Close()
			if tt.edit != nil {
				editRecord(t, path, tt.edit, bs("outbox"), be(1))
			} else {
				text := object(jsonOf(t, rawValue(t, path, bs("outbox"), be(2))), "message")["text"]
				editRecord(t, path, func(r map[string]any) { object(r, "message")["text"] = text }, bs("outbox"), be(1))
			}

			var logs logBuffer
			s = openAt(t, path, storage.WithKey(keyA), logs.logger())
			err := s.View(t.Context(), func(tx bot.Tx) error { _, err := tx.Delivery(1); return err })
			switch {
			case !errors.Is(err, storage.ErrSealBroken) || bot.ErrorCode(err) != bot.EINTERNAL:
				t.Errorf("Delivery(1) = %v, want an internal ErrSealBroken", err)
			case !strings.Contains(err.Error(), "queued delivery 1 cannot be read, so it is not sent"):
				t.Errorf("Delivery(1) = %v, does not name the delivery", err)
			}
			var got []uint64
			view(t, s, func(tx bot.Tx) error {
				ds, err := tx.Deliveries()
				for _, d := range ds {
					got = append(got, d.ID)
				}
				return err
			})
			if diff := cmp.Diff([]uint64{2, 3}, got); diff != "" {
				t.Errorf("Deliveries (-want +got):\n%s", diff)
			}
			view(t, s, func(tx bot.Tx) error {
				if _, err := tx.Delivery(1); bot.ErrorCode(err) != bot.ENOTFOUND {
					t.Errorf("Delivery(1) after the drop = %v, want ENOTFOUND", err)
				}
				return nil
			})
			log := logs.String()
			if got := strings.Count(log, "dropped a queued delivery that cannot be read"); got != 1 || !strings.Contains(log, "id=1") {
				t.Errorf("the drop is logged %d times, want once, with id=1:\n%s", got, log)
			}
			for _, leak := range []string{"CANARY", attackerURL, "U666", "C-ATTACKER", "U1", "U5", "hold caller", "garments"} {
				if strings.Contains(log+fmt.Sprint(err), leak) {
					t.Errorf("the log or error shows %q:\n%s\n%v", leak, log, err)
				}
			}
			s.Close()
			noCanaries(t, path, keyA)
		})
	}
}

// TestUnreadableDeliveriesDropped covers deliveries that do not decode or
// are stored under another id: left out, dropped, the others delivered.
func TestUnreadableDeliveriesDropped(t *testing.T) {
	for _, tt := range []struct {
		name string
		put  func(t *testing.T, path string)
	}{
		{"not JSON", func(t *testing.T, path string) { putRaw(t, path, []byte("{CANARY-garbage"), bs("outbox"), be(2)) }},
		{"stored under another id", func(t *testing.T, path string) {
			putRaw(t, path, rawValue(t, path, bs("outbox"), be(1)), bs("outbox"), be(2))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "icbot.db")
			s := openAt(t, path, storage.WithKey(keyA))
			enqueueAll(t, s, queued())
			s.Close()
			tt.put(t, path)
			var logs logBuffer
			s = openAt(t, path, storage.WithKey(keyA), logs.logger())
			var got []uint64
			view(t, s, func(tx bot.Tx) error {
				ds, err := tx.Deliveries()
				for _, d := range ds {
					got = append(got, d.ID)
				}
				return err
			})
			if diff := cmp.Diff([]uint64{1, 3}, got); diff != "" {
				t.Errorf("Deliveries (-want +got):\n%s", diff)
			}
			if log := logs.String(); !strings.Contains(log, "id=2") || strings.Contains(log, "CANARY") {
				t.Errorf("log:\n%s", log)
			}
			s.Close()
			if raw := rawMaybe(t, path, bs("outbox"), be(2)); raw != nil {
				t.Errorf("delivery 2 is still in the outbox")
			}
		})
	}
}

// deliveryChat records what a bot sends; it has every ability a late
// reply or a channel post needs, and each channel is private and read by
// costume and the IC only.
type deliveryChat struct {
	mu   sync.Mutex
	sent []string // "kind to: text"
}

func (c *deliveryChat) note(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, s)
}

func (c *deliveryChat) Post(_ context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	c.note("post " + string(ch) + ": " + m.Text)
	return bot.PostRef("ref-" + string(ch)), nil
}

func (c *deliveryChat) DM(_ context.Context, to bot.UserID, m bot.Message) error {
	c.note("dm " + string(to) + ": " + m.Text)
	return nil
}

func (c *deliveryChat) Reply(_ context.Context, handle string, to bot.UserID, m bot.Message) error {
	c.note("reply " + handle + " " + string(to) + ": " + m.Text)
	return nil
}

func (c *deliveryChat) IsPrivate(context.Context, bot.ChannelID) (bool, error) { return true, nil }

func (c *deliveryChat) Members(context.Context, bot.ChannelID) ([]bot.UserID, error) {
	return []bot.UserID{"U4", "U5"}, nil
}

// TestDeliverDueSkipsTampered is a redirected outbox: delivery 1, a hold
// caller's DM to the IC, is pointed in the file at a reply URL of the
// attacker's. The bot sends the other deliveries, sends nothing
// anywhere for delivery 1, and the outbox ends empty; a later pass finds
// nothing to do. Before the text was bound to its destination, icbot
// opened it and sent it to the attacker's URL.
func TestDeliverDueSkipsTampered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "icbot.db")
	s := openAt(t, path, storage.WithKey(keyA))
	update(t, s, func(tx bot.Tx) error {
		for _, p := range []bot.Person{
			{ID: "U1", Roles: []bot.Role{bot.RolePerformer}}, {ID: "U3", Roles: []bot.Role{bot.RoleAD}},
			{ID: "U4", Roles: []bot.Role{bot.RoleCostume}}, {ID: "U5", Roles: []bot.Role{bot.RoleIC}},
		} {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		return tx.PutScene(bot.Scene{ID: "12", Title: "Bedroom", Performers: []bot.UserID{"U1"}})
	})
	enqueueAll(t, s, queued())
	s.Close()
	editRecord(t, path, redirects[0].edit, bs("outbox"), be(1))

	s = openAt(t, path, storage.WithKey(keyA))
	chat := &deliveryChat{}
	b := bot.New(s, chat, bot.WithClock(func() time.Time { return t0 }))
	next, err := b.DeliverDue(t.Context())
	// Nothing is left but the regular check of channels, minutes away.
	if err != nil || next.Before(t0.Add(5*time.Minute)) {
		t.Fatalf("DeliverDue = %v, %v; want nothing left and no error", next, err)
	}
	want := []string{
		"reply reply-to-U3 U3: " + suffixed(canaryText, "reply"),
		"post C-COSTUME: " + suffixed(canaryText, "garments"),
	}
	if diff := cmp.Diff(want, chat.sent); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	view(t, s, func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		if len(ds) != 0 {
			t.Errorf("%d deliveries left in the outbox", len(ds))
		}
		return err
	})
	if _, err := b.DeliverDue(t.Context()); err != nil {
		t.Errorf("a second pass: %v", err)
	}
}

// jsonOf decodes a JSON object.
func jsonOf(t *testing.T, v []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(v, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
