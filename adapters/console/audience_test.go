package console

import (
	"context"
	"flag"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/adapters/internal/audiencetest"
	"icbot/bot"
	"icbot/storage"
)

var long = flag.Bool("long", false, "run the long versions of the property tests")

// platform drives a console adapter and a bot as a person typing would,
// and reads the console's channels as their readers find them.
type platform struct {
	a *Adapter
	b *bot.Bot
}

func (p *platform) Do(t testing.TB, who, line string) {
	p.a.line(context.Background(), "@"+who+" "+line, p.b)
}

func (p *platform) Join(t testing.TB, ch, who string) {
	p.a.mu.Lock()
	c := p.a.channels[bot.ChannelID(ch)]
	members := []string{"@" + who}
	for _, m := range sortedMembers(c) {
		members = append(members, "@"+string(m))
	}
	vis := "public"
	if c.private {
		vis = "private"
	}
	p.a.mu.Unlock()
	p.a.line(context.Background(), "/channel #"+ch+" "+vis+" "+strings.Join(members, " "), p.b)
}

func (p *platform) MakePublic(t testing.TB, ch string) bool {
	p.a.line(context.Background(), "/channel #"+ch+" public", p.b)
	return true
}

func (p *platform) Channels(t testing.TB) []audiencetest.Channel {
	p.a.mu.Lock()
	defer p.a.mu.Unlock()
	var out []audiencetest.Channel
	for id, c := range p.a.channels {
		ch := audiencetest.Channel{Name: string(id), Private: c.private}
		for _, m := range sortedMembers(c) {
			ch.Readers = append(ch.Readers, string(m))
		}
		for _, post := range c.history {
			ch.Posts = append(ch.Posts, post.text)
		}
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b audiencetest.Channel) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (p *platform) User(name string) string       { return "@" + name }
func (p *platform) Channel(name string) string    { return "#" + name }
func (p *platform) UserID(name string) bot.UserID { return bot.UserID(name) }

// TestAudienceProperty runs random sequences through the console: after
// every step, every reader of every channel may read every post of
// icbot's still visible there.
func TestAudienceProperty(t *testing.T) {
	sequences, steps := 40, 40
	if *long {
		sequences, steps = 1000, 60
	}
	now := time.Date(2031, 5, 20, 9, 0, 0, 0, time.UTC)
	fresh := func(t testing.TB) (audiencetest.Platform, bot.Store) {
		st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey([]byte("0123456789abcdef0123456789abcdef")), storage.WithTimeout(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		opts := []Option{WithEcho(false)}
		for _, ch := range audiencetest.Channels {
			var members []bot.UserID
			for _, r := range audiencetest.Readers[ch] {
				members = append(members, bot.UserID(r))
			}
			opts = append(opts, WithChannel(bot.ChannelID(ch), true, members...))
		}
		a := New(io.Discard, opts...)
		b := bot.New(st, a, bot.WithClock(func() time.Time { return now }), bot.WithAdmins(audiencetest.Admin), bot.WithSetChannel(SetChannel))
		return &platform{a: a, b: b}, st
	}
	st := audiencetest.Run(t, 1, sequences, steps, fresh)
	t.Logf("%d sequences, %d steps, %d (reader, sensitive post) pairs checked: the invariant held after each step", st.Sequences, st.Steps, st.Pairs)
}
