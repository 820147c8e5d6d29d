package slack_test

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"icbot/adapters/internal/audiencetest"
	"icbot/bot"
)

var long = flag.Bool("long", false, "run the long versions of the property tests")

// slackPlatform drives icbot through signed slash commands and Slack's
// events against the fake, which shows every member a channel's whole
// history.
type slackPlatform struct {
	r     *rig
	joins int
}

func (p *slackPlatform) Do(t testing.TB, who, line string) { p.r.slash(string(p.UserID(who)), line) }

func (p *slackPlatform) Join(t testing.TB, ch, who string) {
	id, u := string(p.chID(ch)), string(p.UserID(who))
	p.r.fake.set(func(f *fakeSlack) {
		if !slices.Contains(f.members[id], u) {
			f.members[id] = append(f.members[id], u)
		}
	})
	p.joins++
	p.r.joined(fmt.Sprintf("EvJoin%d", p.joins), u, id, "UADAM")
}

// MakePublic: Slack sends no event when a channel is made public, so the
// sequence goes on without that step here (the console's run has it).
func (p *slackPlatform) MakePublic(t testing.TB, ch string) bool { return false }

func (p *slackPlatform) Channels(t testing.TB) []audiencetest.Channel {
	f := p.r.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []audiencetest.Channel
	for id, msgs := range f.history {
		if strings.HasPrefix(id, "D") {
			continue // DMs: one reader, screened per message
		}
		ch := audiencetest.Channel{Name: id, Private: f.private[id]}
		for _, m := range f.members[id] {
			if m != botUser {
				ch.Readers = append(ch.Readers, strings.ToLower(strings.TrimPrefix(m, "U")))
			}
		}
		for _, m := range msgs {
			ch.Posts = append(ch.Posts, m.Text)
		}
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b audiencetest.Channel) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (p *slackPlatform) User(name string) string {
	return fmt.Sprintf("<@%s|%s>", p.UserID(name), name)
}
func (p *slackPlatform) Channel(name string) string {
	return fmt.Sprintf("<#%s|%s>", p.chID(name), name)
}
func (p *slackPlatform) UserID(name string) bot.UserID {
	return bot.UserID("U" + strings.ToUpper(name))
}
func (p *slackPlatform) chID(name string) bot.ChannelID {
	return bot.ChannelID("G" + strings.ToUpper(name))
}

// TestAudiencePropertyOverSlack runs the random sequences of the audience
// property through the Slack adapter: after every step, every member of
// every channel may read every message of icbot's the fake still shows
// there.
func TestAudiencePropertyOverSlack(t *testing.T) {
	sequences, steps := 20, 40
	if *long {
		sequences, steps = 100, 60
	}
	fresh := func(t testing.TB) (audiencetest.Platform, bot.Store) {
		r := newRig(t)
		p := &slackPlatform{r: r}
		r.fake.set(func(f *fakeSlack) {
			for n := range audiencetest.Cast {
				f.names[string(p.UserID(n))] = n
			}
			f.names["UROOT"] = "root"
			for _, ch := range audiencetest.Channels {
				id := string(p.chID(ch))
				f.private[id] = true
				f.members[id] = []string{botUser}
				for _, n := range audiencetest.Readers[ch] {
					f.members[id] = append(f.members[id], string(p.UserID(n)))
				}
			}
		})
		return p, r.store
	}
	st := audiencetest.Run(t, 2, sequences, steps, fresh)
	t.Logf("%d sequences, %d steps, %d (reader, sensitive post) pairs checked: the invariant held after each step", st.Sequences, st.Steps, st.Pairs)
}
