package slack_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"icbot/adapters/slack"
	"icbot/bot"
)

// TestMembersAcrossPages: a private channel of 250 members (icbot among
// them) is listed over two pages of conversations.members, the second
// asked with the first's cursor, after conversations.info; icbot is left
// out.
func TestMembersAcrossPages(t *testing.T) {
	r := newRig(t)
	var all, want []string
	for i := range 250 {
		u := fmt.Sprintf("U%04d", i)
		if i == 137 {
			u = botUser
		} else {
			want = append(want, u)
		}
		all = append(all, u)
	}
	r.fake.set(func(f *fakeSlack) { f.private["GBIG"], f.members["GBIG"] = true, all })
	r.fake.took()
	got, err := r.ad.Members(context.Background(), "GBIG")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, u := range got {
		ids = append(ids, string(u))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("%d members listed, want the %d other than icbot, in order", len(ids), len(want))
	}
	var calls []string
	for _, c := range r.fake.took() {
		calls = append(calls, c.Method+" "+c.Form.Get("cursor"))
	}
	if got, want := strings.Join(calls, "; "), "conversations.info ; conversations.members ; conversations.members page-from-200"; got != want {
		t.Errorf("calls\n got %s\nwant %s", got, want)
	}
}

// TestMembersRefused: a channel shared with another workspace, in any of
// the ways conversations.info says so, and a public channel are refused
// with an EUNAVAILABLE error that says why; their members are not asked.
func TestMembersRefused(t *testing.T) {
	tests := []struct {
		name, channel, flag, says string
	}{
		{"shared", "GSHARED", "is_shared", "shared with another workspace"},
		{"shared outside the organisation", "GEXT", "is_ext_shared", "shared with another workspace"},
		{"shared across the organisation", "GORG", "is_org_shared", "shared with another workspace"},
		{"sharing pending", "GPENDING", "is_pending_ext_shared", "shared with another workspace"},
		{"public", "CPUBLIC", "", "public: anyone in the workspace can read it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			r.fake.set(func(f *fakeSlack) {
				f.private[tt.channel] = tt.flag != ""
				f.members[tt.channel] = []string{botUser, "UINES"}
				if tt.flag != "" {
					f.shared[tt.channel] = tt.flag
				}
			})
			got, err := r.ad.Members(context.Background(), bot.ChannelID(tt.channel))
			if bot.ErrorCode(err) != bot.EUNAVAILABLE || !strings.Contains(bot.ErrorMessage(err), tt.says) {
				t.Errorf("Members = %v, %v; want EUNAVAILABLE saying %q", got, err, tt.says)
			}
			for _, c := range r.fake.took() {
				if c.Method == "conversations.members" {
					t.Errorf("members were asked of a refused channel")
				}
			}
		})
	}
}

// TestMembersSlackErrors: Slack's refusals come back as other calls'
// do: explained, or to be retried.
func TestMembersSlackErrors(t *testing.T) {
	t.Run("unknown channel", func(t *testing.T) {
		r := newRig(t)
		_, err := r.ad.Members(context.Background(), "GGONE")
		if bot.ErrorCode(err) != bot.ENOTFOUND || !strings.Contains(bot.ErrorMessage(err), "invite icbot") {
			t.Errorf("Members = %v; want ENOTFOUND telling to invite icbot", err)
		}
		if _, retry := bot.Transient(err, 1); retry {
			t.Error("an unknown channel is retried: icbot would never stop asking")
		}
	})
	t.Run("not in channel", func(t *testing.T) {
		r := newRig(t)
		r.fake.set(func(f *fakeSlack) { f.fail["conversations.members"] = "not_in_channel" })
		_, err := r.ad.Members(context.Background(), "GSCENE12")
		if bot.ErrorCode(err) != bot.EUNAVAILABLE || !strings.Contains(bot.ErrorMessage(err), "/invite @icbot") {
			t.Errorf("Members = %v; want EUNAVAILABLE telling to invite icbot", err)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		r := newRig(t, func(o *rigOpts) { o.adapter = []slack.Option{slack.WithAPIRetries(0)} })
		r.fake.set(func(f *fakeSlack) { f.limited["conversations.members"] = 1 })
		got, err := r.ad.Members(context.Background(), "GSCENE12")
		var rl *slackapi.RateLimitedError
		if !errors.As(err, &rl) || bot.ErrorCode(err) == bot.EUNAVAILABLE || got != nil {
			t.Errorf("Members = %v, %v; want a rate limit to retry, and no list", got, err)
		}
	})
}
