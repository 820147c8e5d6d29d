package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"icbot/bot"
)

const view = discordgo.PermissionViewChannel

// savedOverwrites is the lock's Restore record: the channel's permission
// overwrites before the first lock of a session.
type savedOverwrites struct {
	Overwrites []*discordgo.PermissionOverwrite `json:"overwrites"`
}

// Lock makes the scene channel visible to the roster and icbot only: from
// the overwrites it had before the session, @everyone and every role lose
// View Channel, members off the roster are denied it, and the roster and
// icbot are allowed it. The first lock saves the overwrites; Unlock puts
// them back exactly. Removed lists the members who had their own overwrite
// and are not on the roster; others lose access through their roles.
func (a *Adapter) Lock(ctx context.Context, ch bot.ChannelID, roster []bot.UserID, prev bot.LockResult) (bot.LockResult, error) {
	c, err := a.api.Channel(string(ch), discordgo.WithContext(ctx))
	if err != nil {
		return prev, failure("look at the scene channel", err)
	}
	if c.GuildID == "" {
		return prev, bot.Errorf(bot.EUNAVAILABLE, "the scene channel is not a server channel, so it cannot be locked")
	}
	if c.Type != discordgo.ChannelTypeGuildText {
		return prev, bot.Errorf(bot.EUNAVAILABLE, "the scene channel is not a text channel (a category, a thread or a voice channel cannot be locked this way): set the scene's channel to a text channel")
	}
	res := bot.LockResult{Restore: prev.Restore}
	if res.Restore == nil {
		if res.Restore, err = json.Marshal(savedOverwrites{Overwrites: c.PermissionOverwrites}); err != nil {
			return prev, err
		}
	}
	var saved savedOverwrites
	if err := json.Unmarshal(res.Restore, &saved); err != nil {
		return prev, fmt.Errorf("discord: reading the saved overwrites of %s: %w", ch, err)
	}
	want := map[string]*discordgo.PermissionOverwrite{}
	for _, o := range saved.Overwrites {
		w := *o
		onRoster := w.Type == discordgo.PermissionOverwriteTypeMember && slices.Contains(roster, bot.UserID(w.ID))
		if onRoster {
			w.Allow, w.Deny = w.Allow|view, w.Deny&^view
		} else {
			w.Allow, w.Deny = w.Allow&^view, w.Deny|view
			if w.Type == discordgo.PermissionOverwriteTypeMember {
				res.Removed = append(res.Removed, bot.UserID(w.ID))
			}
		}
		want[w.ID] = &w
	}
	if _, ok := want[c.GuildID]; !ok {
		want[c.GuildID] = &discordgo.PermissionOverwrite{ID: c.GuildID, Type: discordgo.PermissionOverwriteTypeRole, Deny: view}
	}
	members := append(slices.Clone(roster), bot.UserID(a.botUserID()))
	for _, u := range members {
		if u == "" {
			continue
		}
		if w, ok := want[string(u)]; ok {
			w.Allow, w.Deny = w.Allow|view, w.Deny&^view
			continue
		}
		allow := int64(view)
		if string(u) == a.botUserID() {
			allow |= discordgo.PermissionSendMessages | discordgo.PermissionReadMessageHistory
		}
		want[string(u)] = &discordgo.PermissionOverwrite{ID: string(u), Type: discordgo.PermissionOverwriteTypeMember, Allow: allow}
	}
	// Overwrites added by hand during the session lose View Channel too,
	// unless they are the roster's.
	for _, o := range c.PermissionOverwrites {
		if _, ok := want[o.ID]; !ok {
			w := *o
			w.Allow, w.Deny = w.Allow&^view, w.Deny|view
			want[o.ID] = &w
		}
	}
	changed, err := a.apply(ctx, string(ch), c.PermissionOverwrites, want)
	if err != nil && !changed && prev.Restore == nil {
		return prev, err // nothing was changed: nothing to undo
	}
	return res, err
}

// Unlock puts back exactly the overwrites the channel had before the
// session: changed ones are set back, added ones deleted.
func (a *Adapter) Unlock(ctx context.Context, ch bot.ChannelID, lock bot.LockResult) error {
	var saved savedOverwrites
	if err := json.Unmarshal(lock.Restore, &saved); err != nil {
		return fmt.Errorf("discord: reading the saved overwrites of %s: %w", ch, err)
	}
	c, err := a.api.Channel(string(ch), discordgo.WithContext(ctx))
	if err != nil {
		return failure("look at the scene channel", err)
	}
	want := map[string]*discordgo.PermissionOverwrite{}
	for _, o := range saved.Overwrites {
		want[o.ID] = o
	}
	_, err = a.apply(ctx, string(ch), c.PermissionOverwrites, want)
	return err
}

// apply makes the channel's overwrites exactly want: sets what differs,
// deletes what is not wanted. It stops at the first refusal (when one is
// refused for a missing permission, the rest would be too) and reports
// whether it changed anything before that.
func (a *Adapter) apply(ctx context.Context, ch string, current []*discordgo.PermissionOverwrite, want map[string]*discordgo.PermissionOverwrite) (bool, error) {
	changed := false
	have := map[string]*discordgo.PermissionOverwrite{}
	for _, o := range current {
		have[o.ID] = o
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		w := want[id]
		if h, ok := have[id]; ok && h.Allow == w.Allow && h.Deny == w.Deny && h.Type == w.Type {
			continue
		}
		have[id] = w
		a.expect(ch, have)
		if err := a.api.ChannelPermissionSet(ch, id, w.Type, w.Allow, w.Deny, discordgo.WithContext(ctx)); err != nil {
			return changed, failure("change who may see the scene channel", err)
		}
		changed = true
	}
	for _, o := range current {
		if _, ok := want[o.ID]; !ok {
			delete(have, o.ID)
			a.expect(ch, have)
			if err := a.api.ChannelPermissionDelete(ch, o.ID, discordgo.WithContext(ctx)); err != nil {
				return changed, failure("change who may see the scene channel", err)
			}
			changed = true
		}
	}
	return changed, nil
}

// ownKept bounds the states kept per channel: those of changes whose
// updates never arrived go, oldest first. (How many channels, and for how
// long, see ownChannels.)
const ownKept = 64

// expect records that icbot's next change leaves ch with the overwrites
// have, before it makes it, so that the channel update it causes is known
// for icbot's own however soon it arrives.
func (a *Adapter) expect(ch string, have map[string]*discordgo.PermissionOverwrite) {
	sig := overwritesKey(slices.Collect(maps.Values(have)))
	a.mu.Lock()
	defer a.mu.Unlock()
	states, _ := a.own.Get(ch)
	states = append(slices.Clone(states), sig)
	a.own.Put(ch, states[max(0, len(states)-ownKept):])
}

// ownChange reports whether a channel update shows a state icbot's own
// changes left the channel in, and forgets it and the states before it.
// Any change by someone else, even one made between two of icbot's, shows
// a state icbot never made, and is not its own.
func (a *Adapter) ownChange(c *discordgo.Channel) bool {
	sig := overwritesKey(c.PermissionOverwrites)
	a.mu.Lock()
	defer a.mu.Unlock()
	states, _ := a.own.Get(c.ID)
	i := slices.Index(states, sig)
	if i < 0 {
		return false
	}
	if rest := states[i+1:]; len(rest) > 0 {
		a.own.Update(c.ID, func([]string, bool) []string { return rest })
	} else {
		a.own.Delete(c.ID)
	}
	return true
}

// overwritesKey names a set of permission overwrites, in any order.
func overwritesKey(ows []*discordgo.PermissionOverwrite) string {
	parts := make([]string, 0, len(ows))
	for _, o := range ows {
		if o != nil {
			parts = append(parts, fmt.Sprintf("%s/%d/%d/%d", o.ID, o.Type, o.Allow, o.Deny))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, ";")
}

// botUserID is icbot's own user id, from the gateway's READY.
func (a *Adapter) botUserID() string {
	if a.session.State != nil && a.session.State.User != nil {
		return a.session.State.User.ID
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botID
}
