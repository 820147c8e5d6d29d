package discord_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"icbot/adapters/discord"
	"icbot/adapters/internal/audiencetest"
	"icbot/bot"
)

// viewers is who may view a server channel by its permission overwrites,
// as Discord decides it: everyone when @everyone is not denied View
// Channel; otherwise the members whose own overwrite allows it, and the
// server's owner. roles says a role's overwrite lets in people nobody
// listed.
func viewers(c *discordgo.Channel, owner string) (ids []string, everyone, roles bool) {
	for _, o := range c.PermissionOverwrites {
		switch {
		case o.ID == c.GuildID && o.Type == discordgo.PermissionOverwriteTypeRole:
			everyone = o.Deny&view == 0
		case o.Type == discordgo.PermissionOverwriteTypeRole && o.Allow&view != 0:
			roles = true
		case o.Type == discordgo.PermissionOverwriteTypeMember && o.Allow&view != 0 && o.Deny&view == 0 && o.ID != fakeBotID:
			ids = append(ids, o.ID)
		}
	}
	if !slices.ContainsFunc(c.PermissionOverwrites, func(o *discordgo.PermissionOverwrite) bool { return o.ID == c.GuildID }) {
		everyone = true
	}
	if owner != "" && !slices.Contains(ids, owner) {
		ids = append(ids, owner)
	}
	return ids, everyone, roles
}

// checkAudience checks the invariant on what the fake shows: everyone who
// may view a server channel may read every message of icbot's still shown
// there, found in icbot's audience ledger by its id. A sensitive message
// the ledger does not know, or one shown where a role or everyone may
// view, fails the test too.
func (r *rig) checkAudience(step string) {
	r.t.Helper()
	type shownIn struct {
		msgs     []*discordgo.Message
		readers  []string
		everyone bool
		roles    bool
	}
	chans := map[string]shownIn{}
	r.fake.set(func(f *fakeDiscord) {
		for id, msgs := range f.History {
			c := f.Channels[id]
			if c == nil || c.GuildID == "" || len(msgs) == 0 {
				continue
			}
			owner := ""
			if g := f.Guilds[c.GuildID]; g != nil {
				owner = g.OwnerID
			}
			ids, everyone, roles := viewers(c, owner)
			chans[id] = shownIn{msgs: slices.Clone(msgs), readers: ids, everyone: everyone, roles: roles}
		}
	})
	err := r.store.View(context.Background(), func(tx bot.Tx) error {
		for ch, in := range chans {
			shown := make([]audiencetest.Shown, len(in.msgs))
			for i, m := range in.msgs {
				shown[i] = audiencetest.Shown{ID: m.ID, Text: m.Content}
			}
			readers := make([]bot.UserID, len(in.readers))
			for i, u := range in.readers {
				readers[i] = bot.UserID(u)
			}
			problems, err := audiencetest.CheckLedger(tx, ch, shown, readers, in.everyone || in.roles)
			if err != nil {
				return err
			}
			for _, p := range problems {
				r.t.Errorf("%s: %s", step, p)
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// shownHas reports whether channel ch shows a message containing s.
func (r *rig) shownHas(ch, s string) bool {
	var has bool
	r.fake.set(func(f *fakeDiscord) {
		has = slices.ContainsFunc(f.History[ch], func(m *discordgo.Message) bool { return strings.Contains(m.Content, s) })
	})
	return has
}

// allowByHand lets user view ch with a member overwrite, as someone with
// Manage Roles would in Discord's client, and sends the CHANNEL_UPDATE
// Discord sends.
func (r *rig) allowByHand(ch, user string) {
	r.t.Helper()
	var raw []byte
	r.fake.set(func(f *fakeDiscord) {
		c := f.Channels[ch]
		c.PermissionOverwrites = append(c.PermissionOverwrites, member(user, view, 0))
		raw, _ = json.Marshal(c)
	})
	r.fake.dispatch(r.t, "CHANNEL_UPDATE", json.RawMessage(raw))
}

// TestLockAndOutsideChangeKeepTheTopline: the IC posts the top-line
// summary to the scene's private channel; the AD puts camera on the
// roster and starts the closed set. Camera is not allowed View Channel, as
// the channel holds the summary, and the AD is told why. Someone then
// allows camera by hand: within the handling of Discord's CHANNEL_UPDATE
// the summary is deleted from the channel and the IC gets a report by DM.
// The updates the lock's own changes cause are not checked as outside
// changes. At the end the overwrites are back. After every step everyone
// who may view the channel may read everything of icbot's it shows.
func TestLockAndOutsideChangeKeepTheTopline(t *testing.T) {
	r := newRig(t, overGateway, discord.SyncEvents).seed()
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[sceneCh].PermissionOverwrites = []*discordgo.PermissionOverwrite{
			role(guild, 0, view), member(ines, view, 0), member(adam, view, 0), member(paula, view, 0), member(pete, view, 0)}
		f.ChannelUpdates = true
	})
	before := r.overwrites(sceneCh)
	r.mustSay(ines, "topline", "Posting the top-line summary", o("id", "12"))
	if !r.shownHas(sceneCh, "TOP-LINE SUMMARY, scene 12") {
		t.Fatalf("the top-line summary was not posted")
	}
	r.checkAudience("top-line posted")

	r.mustSay(adam, "closedset add", "on the roster", o("id", "12"), o("person", cam))
	r.fake.calls()
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	calls := r.fake.calls()
	if ow, ok := r.overwrites(sceneCh)[cam]; ok && ow.Allow&view != 0 {
		t.Errorf("camera may view the channel that holds the top-line summary: %+v", ow)
	}
	if told := strings.Join(followUps(calls), "\n"); !strings.Contains(told, "@cam not let into #"+sceneCh) || !strings.Contains(told, "top-line summary") {
		t.Errorf("the AD was not told why camera stays out: %q", told)
	}
	if !r.shownHas(sceneCh, "TOP-LINE SUMMARY") || !r.shownHas(sceneCh, "locked to the roster") {
		t.Errorf("after the start the channel lacks the summary or the roster")
	}
	r.checkAudience("closed set started")

	// Paula's friend with Manage Roles lets camera in by hand.
	r.allowByHand(sceneCh, cam)
	r.waitChanged(sceneCh)
	r.ad.Wait()
	calls = r.fake.calls()
	if r.shownHas(sceneCh, "TOP-LINE SUMMARY") {
		t.Errorf("the top-line summary is still shown to camera")
	}
	if !r.shownHas(sceneCh, "locked to the roster") {
		t.Errorf("the roster post, which camera on the roster may read, was taken down too")
	}
	report := strings.Join(dms(calls, ines), "\n")
	for _, want := range []string{"#" + sceneCh + ": its readers changed", "@cam", "Taken down: the top-line summary"} {
		if !strings.Contains(report, want) {
			t.Errorf("the IC's report lacks %q: %q", want, report)
		}
	}
	r.checkAudience("camera allowed by hand")
	select {
	case ch := <-r.h.changed:
		t.Errorf("channel %s was checked after icbot's own change", ch)
	default:
	}

	r.mustSay(adam, "closedset end", "ended", o("id", "12"))
	r.ad.Wait()
	select {
	case ch := <-r.h.changed:
		t.Errorf("channel %s was checked after icbot's own change", ch)
	default:
	}
	after := r.overwrites(sceneCh)
	for id, o := range before {
		if after[id] != o {
			t.Errorf("after the end %s's overwrite is %+v, want %+v", id, after[id], o)
		}
	}
	if _, ok := after[cam]; ok {
		t.Errorf("camera's overwrite made by hand during the set was kept")
	}
	r.checkAudience("closed set ended")
}

// TestPeopleTakenOutReturnAfterTakedownDiscord: the lock denies crew View
// Channel and posts the roster; at the end the roster post, which crew may
// not read, is deleted before the overwrites that let crew back in are
// put back.
func TestPeopleTakenOutReturnAfterTakedownDiscord(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[sceneCh].PermissionOverwrites = []*discordgo.PermissionOverwrite{
			role(guild, 0, view), member(ines, view, 0), member(adam, view, 0), member(paula, view, 0), member(pete, view, 0), member(gary, view, 0)}
	})
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	if ow := r.overwrites(sceneCh)[gary]; ow.Deny&view == 0 {
		t.Fatalf("crew may view the channel during the set: %+v", ow)
	}
	if !r.shownHas(sceneCh, "locked to the roster") {
		t.Fatalf("no roster post")
	}
	r.checkAudience("closed set started")
	r.fake.calls()
	r.mustSay(adam, "closedset end", "ended", o("id", "12"))
	calls := r.fake.calls()
	deleted, restored := -1, -1
	for i, c := range calls {
		switch {
		case c.Method == "DELETE" && strings.HasPrefix(c.Path, "/channels/"+sceneCh+"/messages/") && deleted < 0:
			deleted = i
		case strings.HasPrefix(c.Path, "/channels/"+sceneCh+"/permissions/") && c.Method != "GET" && restored < 0:
			restored = i
		}
	}
	if deleted < 0 || restored < 0 || deleted > restored {
		t.Errorf("roster post deleted at call %d, the overwrites put back from %d:%s", deleted, restored, describe(calls))
	}
	if r.shownHas(sceneCh, "locked to the roster") {
		t.Errorf("the roster post is still shown to crew")
	}
	if ow := r.overwrites(sceneCh)[gary]; ow.Allow&view == 0 || ow.Deny&view != 0 {
		t.Errorf("crew is not back: %+v", ow)
	}
	r.checkAudience("closed set ended")
}

// costumeCh is read by costa (costume) and the IC, mixedCh by costa and
// hair and makeup, adamCh by the AD alone.
const (
	costumeCh = "805"
	mixedCh   = "806"
	adamCh    = "807"
)

func costumeRig(t *testing.T) *rig {
	r := newRig(t, overHTTP).seed()
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[costumeCh] = textChannel(costumeCh, "costume", role(guild, 0, view), member(costa, view, 0), member(ines, view, 0))
		f.Channels[mixedCh] = textChannel(mixedCh, "mixed", role(guild, 0, view), member(costa, view, 0), member(hana, view, 0))
		f.Channels[adamCh] = textChannel(adamCh, "adam", role(guild, 0, view), member(adam, view, 0))
	})
	r.mustSay(ines, "icbot role add", "is now costume", o("person", costa), o("role", "costume"))
	return r
}

// TestSceneChannelCannotBeADepartmentsChannelDiscord: pointing a scene at
// the costume channel is refused, naming what the channel is for.
func TestSceneChannelCannotBeADepartmentsChannelDiscord(t *testing.T) {
	r := costumeRig(t)
	r.slash(ines, in(setCh), "dept channel", o("department", "costume"), o("channel", costumeCh))
	if told := strings.Join(followUps(r.fake.calls()), "\n"); !strings.Contains(told, "Costume notices will go to #"+costumeCh) {
		t.Fatalf("the costume channel was not set: %q", told)
	}
	r.mustSay(paula, "boundaries answer", "saved", o("id", "12"), o("answers", "b1=yes"), o("garments", "nude thong, robe"))
	r.mustSay(ines, "dept notify", "Posting the costume notice", o("id", "12"), o("department", "costume"))
	if !r.shownHas(costumeCh, "nude thong") {
		t.Fatalf("no costume notice")
	}
	r.checkAudience("costume notice posted")
	if got := r.slash(adam, in(setCh), "scene set", o("id", "12"), o("channel", costumeCh)); !strings.Contains(got, "#"+costumeCh+" is already the costume channel") {
		t.Errorf("the AD's /scene set answer: %q", got)
	}
	r.mustSay(adam, "closedset add", "on the roster", o("id", "12"), o("person", cam))
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	if ow, ok := r.overwrites(costumeCh)[cam]; ok {
		t.Errorf("camera was given an overwrite on the costume channel: %+v", ow)
	}
	r.checkAudience("closed set started")
}

// TestADCannotOpenCostumeNotesDiscord: the AD cannot give themself (or
// anyone) costume, nor set the costume channel; the IC cannot make a
// channel hair and makeup reads the costume channel.
func TestADCannotOpenCostumeNotesDiscord(t *testing.T) {
	r := costumeRig(t)
	if got := r.slash(adam, in(setCh), "icbot role add", o("person", adam), o("role", "costume")); !strings.Contains(got, "You cannot give yourself a role") {
		t.Errorf("the AD giving themself costume: %q", got)
	}
	if got := r.slash(adam, in(setCh), "icbot role add", o("person", gary), o("role", "costume")); !strings.Contains(got, "Only the IC or an admin may give or take the costume role") {
		t.Errorf("the AD giving crew costume: %q", got)
	}
	if got := r.slash(adam, in(setCh), "dept channel", o("department", "costume"), o("channel", adamCh)); !strings.Contains(got, "Only the intimacy coordinator or an admin can run /dept channel") {
		t.Errorf("the AD setting the costume channel: %q", got)
	}
	r.slash(ines, in(setCh), "dept channel", o("department", "costume"), o("channel", mixedCh))
	if told := strings.Join(followUps(r.fake.calls()), "\n"); !strings.Contains(told, "#"+mixedCh+" was not made the costume channel: @hana is in it") {
		t.Errorf("a costume channel hair and makeup reads: %q", told)
	}
	r.mustSay(paula, "boundaries answer", "saved", o("id", "12"), o("answers", "b1=yes"), o("garments", "nude thong, robe"))
	if got := r.slash(ines, in(setCh), "dept notify", o("id", "12"), o("department", "costume")); !strings.Contains(got, "no costume channel is set") {
		t.Errorf("the notice with no costume channel: %q", got)
	}
	for _, ch := range []string{adamCh, mixedCh, "DM" + adam, "DM" + hana} {
		if r.shownHas(ch, "nude thong") {
			t.Errorf("%s shows the garment notes", ch)
		}
	}
	r.checkAudience("after the refusals")
}
