package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// members lists a channel's members, every page.
func (a *Adapter) members(ctx context.Context, ch string) ([]string, error) {
	var all []string
	cursor := ""
	for {
		us, next, err := a.api.GetUsersInConversationContext(ctx, &slackapi.GetUsersInConversationParameters{ChannelID: ch, Cursor: cursor, Limit: 200})
		if err != nil {
			return nil, failure("conversations.members", err)
		}
		all = append(all, us...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}

// savedMembers is the lock's Restore record: the channel's members before
// the first lock of a session.
type savedMembers struct {
	Members []string `json:"members"`
}

// Lock makes a private scene channel's membership the roster (and icbot):
// it invites roster members who are missing and removes everyone else. The
// first lock of a session saves the members it found; Unlock brings the
// channel back to exactly them. When Slack refuses part of the change, the
// result still carries the saved members, so that what was done is undone.
func (a *Adapter) Lock(ctx context.Context, ch bot.ChannelID, roster []bot.UserID, prev bot.LockResult) (bot.LockResult, error) {
	private, err := a.IsPrivate(ctx, ch)
	if err != nil {
		return prev, err
	}
	if !private {
		return prev, bot.Errorf(bot.EUNAVAILABLE, "the scene channel is public: a closed set needs a private channel; make it private in Slack (channel settings) or set another with /scene set ID channel=#private-channel")
	}
	current, err := a.members(ctx, string(ch))
	if err != nil {
		return prev, err
	}
	res := bot.LockResult{Restore: prev.Restore}
	if res.Restore == nil {
		saved, err := json.Marshal(savedMembers{Members: current})
		if err != nil {
			return prev, err
		}
		res.Restore = saved
	}
	var original savedMembers
	if err := json.Unmarshal(res.Restore, &original); err != nil {
		return prev, fmt.Errorf("slack: reading the saved members of %s: %w", ch, err)
	}
	want := make([]string, 0, len(roster)+1)
	for _, u := range roster {
		want = append(want, string(u))
	}
	want = append(want, a.botUserID())
	err = a.reconcile(ctx, string(ch), current, want)
	for _, u := range original.Members {
		if !slices.Contains(want, u) {
			res.Removed = append(res.Removed, bot.UserID(u))
		}
	}
	return res, err
}

// Unlock brings the channel back to exactly the members saved by the first
// Lock: those taken out are invited back, roster members who were not
// members before are removed again.
func (a *Adapter) Unlock(ctx context.Context, ch bot.ChannelID, lock bot.LockResult) error {
	var original savedMembers
	if err := json.Unmarshal(lock.Restore, &original); err != nil {
		return fmt.Errorf("slack: reading the saved members of %s: %w", ch, err)
	}
	current, err := a.members(ctx, string(ch))
	if err != nil {
		return err
	}
	want := append(slices.Clone(original.Members), a.botUserID())
	return a.reconcile(ctx, string(ch), current, want)
}

// reconcile invites the wanted users who are missing, then removes the
// members who are not wanted (never icbot itself). It goes on after a
// refusal so that as much as possible is done, and reports every problem.
func (a *Adapter) reconcile(ctx context.Context, ch string, current, want []string) error {
	var invite []string
	for _, u := range want {
		if u != "" && u != a.botUserID() && !slices.Contains(current, u) {
			invite = append(invite, u)
		}
	}
	var problems []string
	if len(invite) > 0 {
		if _, err := a.api.InviteUsersToConversationContext(ctx, ch, invite...); err != nil && slackCode(err) != "already_in_channel" {
			problems = append(problems, bot.ErrorMessage(failure("conversations.invite", err)))
		}
	}
	for _, u := range current {
		if u == a.botUserID() || slices.Contains(want, u) {
			continue
		}
		if err := a.api.KickUserFromConversationContext(ctx, ch, u); err != nil && slackCode(err) != "not_in_channel" {
			problems = append(problems, bot.ErrorMessage(failure("conversations.kick", err)))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return bot.Errorf(bot.EUNAVAILABLE, "%s", strings.Join(slices.Compact(problems), "; "))
	}
	return nil
}
