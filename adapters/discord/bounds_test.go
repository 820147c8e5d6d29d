package discord

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

// flood is how many distinct keys the tests below send: far more than any
// bound.
const flood = 100_000

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// dmDesk opens DM channels and takes messages at once, counting the DM
// channels opened. Any other REST call panics.
type dmDesk struct {
	api
	mu    sync.Mutex
	opens int
}

func (d *dmDesk) UserChannelCreate(recipientID string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opens++
	return &discordgo.Channel{ID: "dm-" + recipientID, Type: discordgo.ChannelTypeDM}, nil
}

func (d *dmDesk) ChannelMessageSendComplex(channelID string, _ *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	return &discordgo.Message{ID: "m", ChannelID: channelID}, nil
}

func newTestAdapter(t *testing.T, opts ...Option) *Adapter {
	t.Helper()
	a, err := New(Config{Token: "test", ApplicationID: "1"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDMChannelsBounded: DMs to 100,000 distinct people leave at most
// dmsKept DM channels remembered; a DM to someone written to recently
// opens no channel again.
func TestDMChannelsBounded(t *testing.T) {
	a := newTestAdapter(t)
	desk := &dmDesk{}
	a.api = desk
	ctx := context.Background()
	m := bot.Message{Text: "hello"}
	for i := range flood {
		if err := a.DM(ctx, bot.UserID(fmt.Sprint(1_000_000+i)), m); err != nil {
			t.Fatal(err)
		}
		if n := a.dms.Len(); n > dmsKept {
			t.Fatalf("%d DM channels kept after %d people, bound %d", n, i+1, dmsKept)
		}
		if i%100 == 0 {
			if err := a.DM(ctx, "42", m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if desk.opens != flood+1 {
		t.Errorf("%d DM channels opened, want %d: the IC's, remembered, was opened again", desk.opens, flood+1)
	}
}

// TestOwnChangesBounded: icbot's changes to 100,000 distinct channels
// leave at most ownChannels channels' expected overwrites. The update a
// change of icbot's causes is still known for its own, and one showing
// overwrites icbot did not make is not; an expectation older than ownLife
// is forgotten, and its update then taken for someone else's change (the
// channel is checked: needless, never missed).
func TestOwnChangesBounded(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	a := newTestAdapter(t, WithClock(clock.now))
	locked := map[string]*discordgo.PermissionOverwrite{
		"g1": {ID: "g1", Type: discordgo.PermissionOverwriteTypeRole, Deny: view},
		"u1": {ID: "u1", Type: discordgo.PermissionOverwriteTypeMember, Allow: view},
	}
	update := func(ch string, ows map[string]*discordgo.PermissionOverwrite) *discordgo.Channel {
		c := &discordgo.Channel{ID: ch}
		for _, o := range ows {
			c.PermissionOverwrites = append(c.PermissionOverwrites, o)
		}
		return c
	}
	a.expect("scene", locked)
	for i := range flood {
		a.expect(fmt.Sprint("ch", i), locked)
		if n := a.own.Len(); n > ownChannels {
			t.Fatalf("expectations for %d channels after %d, bound %d", n, i+1, ownChannels)
		}
		if i%100 == 0 {
			a.expect("scene", locked)
		}
	}
	hand := map[string]*discordgo.PermissionOverwrite{"g1": locked["g1"], "u2": {ID: "u2", Type: discordgo.PermissionOverwriteTypeMember, Allow: view}}
	if a.ownChange(update("scene", hand)) {
		t.Errorf("a change made by hand was taken for icbot's")
	}
	if !a.ownChange(update("scene", locked)) {
		t.Errorf("icbot's own change was taken for someone else's")
	}

	a.expect("scene", locked)
	clock.add(ownLife + time.Second)
	if a.ownChange(update("scene", locked)) {
		t.Errorf("an expectation older than %s was still used", ownLife)
	}
}
