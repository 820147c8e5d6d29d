package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"icbot/adapters/internal/audiencetest"
	"icbot/bot"
)

// checkAudience checks the invariant on what the fake shows: every member
// of every channel icbot posted to (DMs aside) may read every message of
// icbot's still shown there. Each message is found in icbot's audience
// ledger by its timestamp; one shown in a private channel that the ledger
// does not know fails the test too.
func (r *rig) checkAudience(step string) {
	r.t.Helper()
	r.fake.mu.Lock()
	history := map[string][]shown{}
	members := map[string][]string{}
	for ch, msgs := range r.fake.history {
		if !strings.HasPrefix(ch, "D") && len(msgs) > 0 {
			history[ch] = slices.Clone(msgs)
			members[ch] = slices.Clone(r.fake.members[ch])
		}
	}
	private := clone(r.fake.private)
	r.fake.mu.Unlock()
	err := r.store.View(context.Background(), func(tx bot.Tx) error {
		for ch, msgs := range history {
			shown := make([]audiencetest.Shown, len(msgs))
			for i, m := range msgs {
				shown[i] = audiencetest.Shown{ID: m.TS, Text: m.Text}
			}
			var readers []bot.UserID
			for _, u := range members[ch] {
				if u != botUser {
					readers = append(readers, bot.UserID(u))
				}
			}
			// In a public channel anyone reads: no recorded post may be there.
			problems, err := audiencetest.CheckLedger(tx, ch, shown, readers, !private[ch])
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

func clone(m map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// joined sends the member_joined_channel event Slack sends when user
// joins ch at inviter's invitation, and waits for what it sets off.
func (r *rig) joined(id, user, ch, inviter string) {
	r.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "event_id": id, "team_id": "T1",
		"event": map[string]any{"type": "member_joined_channel", "user": user, "channel": ch, "channel_type": "G", "team": "T1", "inviter": inviter},
	})
	if code, _ := r.post("/slack/events", "application/json", string(body)); code != http.StatusOK {
		r.t.Fatalf("member_joined_channel: status %d", code)
	}
	r.ad.Wait()
}

// shownHas reports whether channel ch shows a message containing s.
func (r *rig) shownHas(ch, s string) bool {
	return slices.ContainsFunc(r.fake.shows(ch), func(m shown) bool { return strings.Contains(m.Text, s) })
}

// TestLockAndOutsideJoinKeepTheTopline: the IC posts the top-line summary
// to the scene's private channel; the AD puts camera on the roster and
// starts the closed set. Camera is not let into the channel, which holds
// the summary, and the AD is told why. Someone then invites camera by
// hand: within the handling of Slack's member_joined_channel event the
// summary is deleted from the channel and the IC gets a report by DM.
// The channel's own lock invitations are not reported as outside changes.
// At the end, the channel is back to its members. After every step every
// member may read everything of icbot's the channel shows.
func TestLockAndOutsideJoinKeepTheTopline(t *testing.T) {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) { f.members["GSCENE12"] = []string{botUser, "UPAULA", "UPETE", "UINES", "UADAM"} })
	before := r.fake.channelMembers("GSCENE12")
	r.slash("UINES", "/topline 12")
	if !r.shownHas("GSCENE12", "TOP-LINE SUMMARY, scene 12") {
		t.Fatalf("the top-line summary was not posted: %v", r.fake.shows("GSCENE12"))
	}
	r.checkAudience("top-line posted")

	r.slash("UADAM", "/closedset add 12 <@UCAM|cam>")
	r.fake.took()
	r.slash("UADAM", "/closedset start 12")
	if got := r.fake.channelMembers("GSCENE12"); slices.Contains(got, "UCAM") {
		t.Errorf("camera was let into the channel that holds the top-line summary: %v", got)
	}
	if told := r.fake.responseBodies("/response/UADAM"); !strings.Contains(told, "@cam not let into #GSCENE12") || !strings.Contains(told, "top-line summary") {
		t.Errorf("the AD was not told why camera stays out: %s", told)
	}
	if !r.shownHas("GSCENE12", "TOP-LINE SUMMARY") || !r.shownHas("GSCENE12", "locked to the roster") {
		t.Errorf("after the start the channel shows %v", r.fake.shows("GSCENE12"))
	}
	r.checkAudience("closed set started")
	r.fake.took()

	// Paula invites camera by hand.
	r.fake.set(func(f *fakeSlack) { f.members["GSCENE12"] = append(f.members["GSCENE12"], "UCAM") })
	r.joined("EvJoin1", "UCAM", "GSCENE12", "UPAULA")
	calls := r.fake.took()
	if r.shownHas("GSCENE12", "TOP-LINE SUMMARY") {
		t.Errorf("the top-line summary is still shown to camera")
	}
	if !r.shownHas("GSCENE12", "locked to the roster") {
		t.Errorf("the roster post, which camera on the roster may read, was taken down too")
	}
	report := strings.Join(posts(calls, "DUINES"), "\n")
	for _, want := range []string{"#GSCENE12: its readers changed", "Who can read it now: @adam, @cam,", "Taken down: the top-line summary"} {
		if !strings.Contains(report, want) {
			t.Errorf("the IC's report lacks %q: %q", want, report)
		}
	}
	r.checkAudience("camera invited by hand")
	// Slack delivers the event again: nothing more to say.
	r.joined("EvJoin1", "UCAM", "GSCENE12", "UPAULA")
	if got := posts(r.fake.took(), "DUINES"); len(got) != 0 {
		t.Errorf("a repeated event was reported again: %q", got)
	}

	r.slash("UADAM", "/closedset end 12")
	if got := r.fake.channelMembers("GSCENE12"); !slices.Equal(got, before) {
		t.Errorf("members after the end %v, want %v", got, before)
	}
	r.checkAudience("closed set ended")
}

// TestPeopleTakenOutReturnAfterTakedown: the lock takes crew and hair and
// makeup out of the scene channel and posts the roster there; they come
// back at the end only once the roster post, which they may not read, is
// deleted. Slack's member_joined_channel events for icbot's own
// invitations are not reported to the IC as outside changes.
func TestPeopleTakenOutReturnAfterTakedown(t *testing.T) {
	r := newRig(t).seed()
	r.slash("UADAM", "/closedset start 12")
	if got := r.fake.channelMembers("GSCENE12"); slices.Contains(got, "UGARY") || slices.Contains(got, "UHANA") {
		t.Fatalf("members during the set %v", got)
	}
	if !r.shownHas("GSCENE12", "locked to the roster") {
		t.Fatalf("no roster post")
	}
	r.checkAudience("closed set started")
	r.fake.took()
	r.slash("UADAM", "/closedset end 12")
	calls := r.fake.took()
	deleted, invited := -1, -1
	for i, c := range calls {
		switch {
		case c.Method == "chat.delete" && c.Form.Get("channel") == "GSCENE12" && deleted < 0:
			deleted = i
		case c.Method == "conversations.invite" && c.Form.Get("channel") == "GSCENE12" && invited < 0:
			invited = i
		}
	}
	if deleted < 0 || invited < 0 || deleted > invited {
		t.Errorf("roster post deleted at call %d, the members brought back at %d: %v", deleted, invited, methods(calls))
	}
	if r.shownHas("GSCENE12", "locked to the roster") {
		t.Errorf("the roster post is still shown to crew and hair and makeup")
	}
	if got := r.fake.channelMembers("GSCENE12"); !slices.Contains(got, "UGARY") || !slices.Contains(got, "UHANA") {
		t.Errorf("members after the end %v", got)
	}
	r.checkAudience("closed set ended")
	r.joined("EvBack1", "UGARY", "GSCENE12", botUser)
	r.joined("EvBack2", "UHANA", "GSCENE12", botUser)
	if got := posts(r.fake.took(), "DUINES"); len(got) != 0 {
		t.Errorf("icbot's own invitations were reported to the IC: %q", got)
	}
}

// TestOutsideJoinOverSocketMode: the same event over Socket Mode: a member
// invited by hand to a channel holding the top-line summary has it taken
// down, and the IC is told, by the time the envelope's work is done.
func TestOutsideJoinOverSocketMode(t *testing.T) {
	r := newRig(t, overSocket(nil)).seed()
	r.fake.set(func(f *fakeSlack) { f.members["GSCENE12"] = []string{botUser, "UPAULA", "UPETE", "UINES", "UADAM"} })
	r.slash("UINES", "/topline 12")
	r.fake.took()
	feed := drain(r.fake.srv.SeenFeed)
	r.fake.set(func(f *fakeSlack) { f.members["GSCENE12"] = append(f.members["GSCENE12"], "UGARY") })
	r.fake.srv.SendToWebsocket(envelope("env-join", "events_api", map[string]any{
		"type": "event_callback", "event_id": "EvSockJoin", "team_id": "T1",
		"event": map[string]any{"type": "member_joined_channel", "user": "UGARY", "channel": "GSCENE12", "channel_type": "G", "inviter": "UADAM"},
	}))
	feed.waitFor(t, "env-join")
	r.ad.Close()
	if r.shownHas("GSCENE12", "TOP-LINE SUMMARY") {
		t.Errorf("the top-line summary is still shown to crew")
	}
	if got := strings.Join(posts(r.fake.took(), "DUINES"), "\n"); !strings.Contains(got, "Who can read it now: @adam, @gary,") || !strings.Contains(got, "Taken down") {
		t.Errorf("the IC's report: %q", got)
	}
	r.checkAudience("crew invited by hand")
}

// costumeRig is the rig with a costume department: costa holds costume,
// #costume (GCOSTUME) is read by costa and the IC, #mixed (GMIXED) by
// costa and hair and makeup, #adam (GADAM) by the AD alone.
func costumeRig(t *testing.T) *rig {
	r := newRig(t).seed()
	r.fake.set(func(f *fakeSlack) {
		f.names["UCOSTA"] = "costa"
		for ch, ms := range map[string][]string{
			"GCOSTUME": {botUser, "UCOSTA", "UINES"}, "GMIXED": {botUser, "UCOSTA", "UHANA"}, "GADAM": {botUser, "UADAM"},
		} {
			f.private[ch], f.members[ch] = true, ms
		}
	})
	if got := r.slash("UINES", "/icbot role add <@UCOSTA|costa> costume"); !strings.Contains(got, "is now costume") {
		t.Fatalf("costume role: %q", got)
	}
	return r
}

// TestSceneChannelCannotBeADepartmentsChannel: pointing a scene at the
// costume channel is refused, naming what the channel is for, so that a
// closed set can neither let its roster into the garment notes nor lock
// costume out of its own channel.
func TestSceneChannelCannotBeADepartmentsChannel(t *testing.T) {
	r := costumeRig(t)
	r.slash("UINES", "/dept channel costume <#GCOSTUME|costume>")
	if got := r.fake.responseBodies("/response/UINES"); !strings.Contains(got, "Costume notices will go to #GCOSTUME") {
		t.Fatalf("the costume channel was not set: %s", got)
	}
	r.slash("UPAULA", `/boundaries answer 12 b1=yes garments="nude thong, robe"`)
	r.slash("UINES", "/dept notify 12 costume")
	if !r.shownHas("GCOSTUME", "nude thong") {
		t.Fatalf("no costume notice: %v", r.fake.shows("GCOSTUME"))
	}
	r.checkAudience("costume notice posted")
	r.fake.took()
	got := r.slash("UADAM", "/scene set 12 channel=<#GCOSTUME|costume>")
	if !strings.Contains(got, "#GCOSTUME is already the costume channel") {
		t.Errorf("the AD's /scene set answer: %q", got)
	}
	r.slash("UADAM", "/closedset add 12 <@UCAM|cam>")
	r.slash("UADAM", "/closedset start 12")
	if got := r.fake.channelMembers("GCOSTUME"); !slices.Equal(got, []string{botUser, "UCOSTA", "UINES"}) {
		t.Errorf("the costume channel's members changed: %v", got)
	}
	r.checkAudience("closed set started")
}

// TestADCannotOpenCostumeNotes: the AD cannot give themself costume (nor
// anyone else), nor set the costume channel; and the IC cannot make a channel that hair and
// makeup reads the costume channel. No garment note reaches them.
func TestADCannotOpenCostumeNotes(t *testing.T) {
	r := costumeRig(t)
	if got := r.slash("UADAM", "/icbot role add <@UADAM|adam> costume"); !strings.Contains(got, "You cannot give yourself a role") {
		t.Errorf("the AD giving themself costume: %q", got)
	}
	if got := r.slash("UADAM", "/icbot role add <@UGARY|gary> costume"); !strings.Contains(got, "Only the IC or an admin may give or take the costume role") {
		t.Errorf("the AD giving crew costume: %q", got)
	}
	if got := r.slash("UADAM", "/dept channel costume <#GADAM|adam>"); !strings.Contains(got, "Only the intimacy coordinator or an admin can run /dept channel") {
		t.Errorf("the AD setting the costume channel: %q", got)
	}
	r.slash("UINES", "/dept channel costume <#GMIXED|mixed>")
	if got := r.fake.responseBodies("/response/UINES"); !strings.Contains(got, "#GMIXED was not made the costume channel: @hana is in it") {
		t.Errorf("a costume channel hair and makeup reads: %s", got)
	}
	r.slash("UPAULA", `/boundaries answer 12 b1=yes garments="nude thong, robe"`)
	if got := r.slash("UINES", "/dept notify 12 costume"); !strings.Contains(got, "no costume channel is set") {
		t.Errorf("the notice with no costume channel: %q", got)
	}
	for _, ch := range []string{"GADAM", "GMIXED", "DUADAM", "DUHANA"} {
		if r.shownHas(ch, "nude thong") {
			t.Errorf("%s shows the garment notes", ch)
		}
	}
	r.checkAudience("after the refusals")
}
