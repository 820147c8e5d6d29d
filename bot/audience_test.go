package bot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// Retract records a retraction among the lock calls, so that their order
// can be checked.
func (c *lockingChat) Retract(ctx context.Context, ch bot.ChannelID, ref bot.PostRef) error {
	err := c.fakeChat.Retract(ctx, ch, ref)
	if err == nil {
		c.mu.Lock()
		c.calls = append(c.calls, "retract "+string(ref))
		c.mu.Unlock()
	}
	return err
}

// shows is what ch shows a new reader: the first line of each post.
func (c *fakeChat) shows(ch bot.ChannelID) []string {
	var out []string
	for _, p := range c.visiblePosts(ch) {
		l, _, _ := strings.Cut(p.text, "\n")
		out = append(out, l)
	}
	return out
}

// TestLockLetsInOnlyWhoMayRead: the scene channel holds the top-line
// summary; the closed-set lock lets in the roster members who may read it
// and not camera, who may not, and the AD hears why. Camera still gets the
// roster's DM.
func TestLockLetsInOnlyWhoMayRead(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	lc.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", "/topline 12")
	if got := lc.shows("scene-12"); len(got) != 1 || !strings.HasPrefix(got[0], "TOP-LINE SUMMARY, scene 12") {
		t.Fatalf("scene-12 shows %q", got)
	}
	r := h.must("adam", "/closedset start 12")
	if got, want := lc.calls[len(lc.calls)-1], "lock scene-12 to paula,ines,adam"; got != want {
		t.Errorf("lock call %q, want %q (camera left out)", got, want)
	}
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "@cam not let into #scene-12: it holds the top-line summary of scene 12, which they may not read") {
		t.Errorf("the AD was not told why camera is not in the channel: %q", late)
	}
	if dms := to(r.sent, "dm", "cam"); len(dms) != 1 || !strings.Contains(dms[0].Text, "/closedset ack 12") {
		t.Errorf("camera's roster DM: %+v", dms)
	}
	// Cora joins the roster during the set: she may not read it either.
	r = h.must("adam", "/closedset add 12 @cora role=costume")
	if got := lc.calls[len(lc.calls)-1]; got != "lock scene-12 to paula,ines,adam" {
		t.Errorf("relock %q let costume in", got)
	}
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "@cora not let into #scene-12") {
		t.Errorf("the AD was not told about cora: %q", late)
	}
}

// TestReturnAfterTheSetRetractsFirst: at the end of a closed set, the
// people the lock took out come back only after what they may not read
// (the roster post) is taken down; when it cannot be, the channel stays
// locked and the AD is told, and the next start of icbot tries again.
func TestReturnAfterTheSetRetractsFirst(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	h.must("adam", "/closedset start 12")
	if got := lc.shows("scene-12"); len(got) != 1 || !strings.HasPrefix(got[0], "Closed set for scene 12 started") {
		t.Fatalf("scene-12 shows %q", got)
	}
	lc.setFailRetract(bot.Errorf(bot.EUNAVAILABLE, "icbot lacks chat:write"))
	r := h.must("adam", "/closedset end 12")
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "#scene-12 stays locked after the closed set: it holds the closed-set roster of scene 12, which @gary may not read") {
		t.Errorf("the AD was not told the channel stays locked: %q", late)
	}
	if slices.ContainsFunc(lc.calls, func(c string) bool { return strings.HasPrefix(c, "unlock") }) {
		t.Errorf("unlocked although the roster post stays: %q", lc.calls)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockEnforced {
		t.Errorf("lock state %s, want still enforced", s.Lock.State)
	}
	lc.setFailRetract(nil)
	if err := h.bot.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	n := len(lc.calls)
	if n < 2 || !strings.HasPrefix(lc.calls[n-2], "retract ") || !strings.HasPrefix(lc.calls[n-1], "unlock scene-12") {
		t.Errorf("calls %q: want the retraction, then the unlock", lc.calls)
	}
	if got := lc.shows("scene-12"); len(got) != 1 || !strings.HasPrefix(got[0], "The closed set for scene 12 ended") {
		t.Errorf("scene-12 shows %q after the end", got)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockReleased {
		t.Errorf("lock state %s, want released", s.Lock.State)
	}
}

// TestOutsideJoinRetractsAndTellsTheIC: someone added to a channel by
// hand, outside icbot, finds nothing there they may not read: icbot takes
// it down, keeps its record, and tells the IC who can now read what. A
// join of someone who may read it all is reported, and nothing is taken
// down. A channel made public loses every sensitive post.
func TestOutsideJoinRetractsAndTellsTheIC(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", "/topline 12")
	h.must("paula", "/boundaries answer 12 b1=yes garments=\"robe\"")
	h.must("ines", "/dept notify 12 costume")
	h.rec.take()
	before := h.auditLen()

	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula", "gary")
	h.bot.ChannelChanged(ctx, "scene-12")
	sent := h.rec.take()
	if got := h.rec.shows("scene-12"); len(got) != 0 {
		t.Errorf("scene-12 still shows %q to gary", got)
	}
	report := joined(to(sent, "dm", "ines"))
	for _, want := range []string{"#scene-12: its readers changed (changed outside icbot). New: @gary.", "Taken down: the top-line summary of scene 12 (2 posts), which may not be read by @gary"} {
		if !strings.Contains(report, want) {
			t.Errorf("IC's report lacks %q:\n%s", want, report)
		}
	}
	for _, s := range sent {
		if s.Kind == "dm" && s.To != "ines" {
			t.Errorf("someone else heard of it: %+v", s)
		}
	}
	// Two versions of the summary were there (the answer brought the
	// second): each is taken down, with an audit record each.
	if n := len(to(sent, "retract", "scene-12")); n != 2 || h.auditLen() != before+2 {
		t.Errorf("%d retractions, %d audit records; want 2 of each", n, h.auditLen()-before)
	}

	// Cora's channel gains the IC: allowed, reported, nothing taken down.
	h.rec.setMembers("costume-room", "cora", "ines")
	h.bot.ChannelChanged(ctx, "costume-room") // first look since start: nothing to report
	h.rec.take()
	h.rec.setMembers("costume-room", "cora", "ines", "hana")
	h.bot.ChannelChanged(ctx, "costume-room")
	sent = h.rec.take()
	if got := h.rec.shows("costume-room"); len(got) != 0 {
		t.Errorf("hana may not read garments, yet costume-room shows %q", got)
	}
	if r := joined(to(sent, "dm", "ines")); !strings.Contains(r, "New: @hana") {
		t.Errorf("report: %q", r)
	}

	// Made public: everything sensitive goes.
	h.must("ines", "/dept channel hmu #hmu-room")
	h.must("ines", "/dept notify 12 hmu")
	h.rec.private["hmu-room"] = false
	h.bot.ChannelChanged(ctx, "hmu-room")
	if got := h.rec.shows("hmu-room"); len(got) != 0 {
		t.Errorf("a public channel shows %q", got)
	}
	if r := joined(to(h.rec.take(), "dm", "ines")); !strings.Contains(r, "icbot can no longer tell who reads the channel") {
		t.Errorf("report: %q", r)
	}
}

// TestRoleTakenAwayTakesDownWhatItOpened: costume's notices are taken
// down from the channel of someone who is no longer costume.
func TestRoleTakenAwayTakesDownWhatItOpened(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/boundaries answer 12 b1=yes garments=\"robe\"")
	h.must("ines", "/dept notify 12 costume")
	if got := h.rec.shows("costume-room"); len(got) != 1 {
		t.Fatalf("costume-room shows %q", got)
	}
	r := h.must("root", "/icbot role remove @cora costume")
	if got := h.rec.shows("costume-room"); len(got) != 0 {
		t.Errorf("cora, no longer costume, still reads %q", got)
	}
	if rep := joined(to(r.sent, "dm", "ines")); !strings.Contains(rep, "@cora no longer has the role costume") {
		t.Errorf("IC's report: %q", rep)
	}
}

// TestChannelHasOnePurpose: a channel that is a department's, the set's or
// another scene's cannot become a scene's, nor a department's; the
// refusal names its purpose and nothing changes.
func TestChannelHasOnePurpose(t *testing.T) {
	h := newHarness(t).seed()
	for _, tt := range []struct{ who, line, want string }{
		{"adam", "/scene set 14 channel=#costume-room", "#costume-room is already the costume channel"},
		{"adam", "/scene set 14 channel=#scene-12", "#scene-12 is already the channel of scene 12"},
		{"adam", "/scene set 14 channel=#set", "#set is already the set channel"},
		{"ines", `/scene add 30 title="x" call="2026-12-20 09:00" channel=#hmu-room`, "#hmu-room is already the hair and makeup channel"},
		{"ines", "/dept channel costume #scene-12", "#scene-12 is already the channel of scene 12"},
		{"ines", "/dept channel hmu #costume-room", "#costume-room is already the costume channel"},
		{"ines", "/topline 12 #costume-room", "#costume-room is the costume channel, not a place for the top-line summary"},
		{"ines", "/topline 12 #scene-20", ""},
	} {
		before := h.auditLen()
		r := h.do(tt.who, tt.line)
		if tt.want == "" {
			continue
		}
		if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, tt.want) {
			t.Errorf("%s: %s\n got %s %q\nwant %q", tt.who, tt.line, r.code(), r.reply, tt.want)
		}
		if h.auditLen() != before {
			t.Errorf("%s changed something", tt.line)
		}
	}
	if got := h.scene("14").Channel; got != "" {
		t.Errorf("scene 14's channel is %q", got)
	}
}

// TestWhoGivesRoles: the roles that open private notes are the IC's or an
// admin's to give; nobody but an admin gives themself a role; a
// department's channel is the IC's to set, and only its department and the
// IC may read it.
func TestWhoGivesRoles(t *testing.T) {
	h := newHarness(t).seed()
	for _, tt := range []struct{ who, line, want string }{
		{"adam", "/icbot role add @adam costume", "You cannot give yourself a role"},
		{"adam", "/icbot role add @adam crew", "You cannot give yourself a role"},
		{"adam", "/icbot role add @gary costume", "Only the IC or an admin may give or take the costume role: it opens garments"},
		{"adam", "/icbot role add @gary hmu", "Only the IC or an admin may give or take the hmu role: it opens body notes"},
		{"adam", "/icbot role remove @cora costume", "Only the IC or an admin"},
		{"adam", "/icbot role add @gary props", "Only the IC or an admin may give or take the props role: it opens props notes"},
		{"ines", "/icbot role add @ines costume", "You cannot give yourself a role"},
		{"adam", "/dept channel costume #costume-room", "Only the intimacy coordinator or an admin can run /dept channel"},
	} {
		before := h.auditLen()
		if r := h.do(tt.who, tt.line); r.code() != bot.EFORBIDDEN || !strings.Contains(r.reply, tt.want) {
			t.Errorf("%s: %s\n got %s %q\nwant %q", tt.who, tt.line, r.code(), r.reply, tt.want)
		}
		if h.auditLen() != before {
			t.Errorf("%s changed something", tt.line)
		}
	}
	h.must("ines", "/icbot role add @gary costume")
	h.must("adam", "/icbot role add @cora crew")
	h.must("root", "/icbot role add <@root> crew")

	// A department channel read by someone else is refused, naming them.
	h.rec.setMembers("hmu-room", "hana", "ines", "adam")
	r := h.must("ines", "/dept channel hmu #hmu-room")
	if late := joined(to(r.sent, "late", "ines")); !strings.Contains(late, "#hmu-room was not made the hair and makeup channel: @adam is in it") {
		t.Errorf("IC's late reply: %q", late)
	}
	info := bot.ProductionInfo{}
	h.store.View(context.Background(), func(tx bot.Tx) error { info, _ = tx.Production(); return nil })
	if info.DeptChannels[bot.RoleHMU] != "hmu-room" {
		// The seed set it; it must not have changed to anything else.
		t.Errorf("hmu channel %q", info.DeptChannels[bot.RoleHMU])
	}
}

// TestPendingPostCountsAgainstNewReaders: the ledger entry is written
// before the post, so a post that has not gone through yet already keeps
// out those who may not read it. When the platform certainly refused it
// (a rate limit), the retry finishes the same entry; when the attempt may
// have posted (a timeout after the request went), that entry stays for
// the copy icbot cannot find, the retry gets its own, and a newcomer who
// may not read them finds the one taken down and the IC told of the other.
func TestPendingPostCountsAgainstNewReaders(t *testing.T) {
	for _, tt := range []struct {
		name    string
		err     error
		entries int // top-line entries after the retry
	}{
		{"refused", bot.NotPosted(bot.RetryLater(0, errors.New("rate limited"))), 1},
		{"maybe posted", errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)"), 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lc := &lockingChat{}
			h := newHarness(t, withLocker(lc)).seed()
			lc.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
			lc.mu.Lock()
			lc.failPost = tt.err
			lc.mu.Unlock()
			h.must("ines", "/topline 12")
			lc.mu.Lock()
			lc.failPost = nil
			lc.mu.Unlock()
			toplines := func() []bot.Post {
				var out []bot.Post
				h.store.View(context.Background(), func(tx bot.Tx) error {
					posts, err := tx.Posts("scene-12")
					for _, p := range posts {
						if p.Class == bot.ClassTopline {
							out = append(out, p)
						}
					}
					return err
				})
				return out
			}
			if got := toplines(); len(got) != 1 || got[0].Ref != "" || !got[0].Visible() {
				t.Fatalf("ledger before the post went through: %+v", got)
			}
			h.must("adam", "/closedset start 12")
			if got := lc.calls[len(lc.calls)-1]; got != "lock scene-12 to paula,ines,adam" {
				t.Errorf("lock %q let camera in beside a pending top-line", got)
			}
			h.must("adam", "/closedset end 12")
			h.now = h.now.Add(time.Minute) // the retry falls due
			if _, err := h.bot.DeliverDue(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := toplines()
			posted := 0
			for _, p := range got {
				if p.Ref != "" {
					posted++
				}
			}
			if len(got) < tt.entries || posted < 1 {
				t.Fatalf("after the retry: %+v", got)
			}
			if tt.entries == 1 && len(got) != 2 { // the retry, and the set's end brings a second version
				t.Errorf("a certainly refused attempt left an entry of its own: %+v", got)
			}
			h.rec.take()
			lc.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula", "gary")
			h.bot.ChannelChanged(context.Background(), "scene-12")
			report := joined(to(h.rec.take(), "dm", "ines"))
			cannot := strings.Contains(report, "NOT taken down: the top-line summary of scene 12")
			if cannot != (tt.entries == 2) {
				t.Errorf("IC's report (a copy icbot cannot find: %v):\n%s", tt.entries == 2, report)
			}
			if strings.Contains(strings.Join(lc.shows("scene-12"), "\n"), "TOP-LINE") {
				t.Errorf("gary still sees a top-line summary icbot knows of")
			}
		})
	}
}

// TestStartChecksEveryChannel: someone added to a channel while icbot was
// down is noticed at the next start: what they may not read is taken
// down and the IC told.
func TestStartChecksEveryChannel(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", "/topline 12")
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula", "cam")
	if err := h.bot.Recover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := h.rec.shows("scene-12"); len(got) != 0 {
		t.Errorf("after the start, scene-12 still shows %q to camera", got)
	}
	if r := joined(to(h.rec.take(), "dm", "ines")); !strings.Contains(r, "checked at icbot's start") || !strings.Contains(r, "@cam") {
		t.Errorf("IC's report: %q", r)
	}
}

// TestOutsideChangeCheckedAgainAfterAFailure: the platform cannot say who
// reads a channel when it changes (an outage); the check is made again by
// the retry loop, and what the newcomer may not read is taken down then.
func TestOutsideChangeCheckedAgainAfterAFailure(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", "/topline 12")
	h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula", "gary")
	h.rec.mu.Lock()
	h.rec.failMembers = errors.New("connection refused")
	h.rec.mu.Unlock()
	h.bot.ChannelChanged(context.Background(), "scene-12")
	if got := h.rec.shows("scene-12"); len(got) != 1 {
		t.Fatalf("scene-12 shows %q", got)
	}
	h.rec.mu.Lock()
	h.rec.failMembers = nil
	h.rec.mu.Unlock()
	h.now = h.now.Add(time.Minute)
	next, err := h.bot.DeliverDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := h.rec.shows("scene-12"); len(got) != 0 {
		t.Errorf("after the retry, scene-12 still shows %q to gary", got)
	}
	if r := joined(to(h.rec.take(), "dm", "ines")); !strings.Contains(r, "Taken down: the top-line summary of scene 12") {
		t.Errorf("IC's report: %q", r)
	}
	if next.Before(h.now.Add(time.Minute)) {
		t.Errorf("a check still waits at %v", next)
	}
}

// TestChannelMadePublicNoticedWithoutEvent: no platform event says a
// channel was made public; icbot notices when its next post there is
// refused, or at its regular check, and takes down what it posted there.
func TestChannelMadePublicNoticedWithoutEvent(t *testing.T) {
	t.Run("a refused post", func(t *testing.T) {
		h := newHarness(t).seed()
		h.rec.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
		h.must("ines", "/topline 12")
		h.rec.mu.Lock()
		h.rec.private["scene-12"] = false
		h.rec.mu.Unlock()
		h.must("ines", "/topline 12") // refused: the channel is public
		if _, err := h.bot.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := h.rec.shows("scene-12"); len(got) != 0 {
			t.Errorf("a public channel still shows %q", got)
		}
	})
	t.Run("the regular check", func(t *testing.T) {
		h := newHarness(t).seed()
		h.rec.setMembers("costume-room", "cora", "ines")
		h.must("paula", "/boundaries answer 12 b1=yes garments=\"robe\"")
		h.must("ines", "/dept notify 12 costume")
		if _, err := h.bot.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.rec.mu.Lock()
		h.rec.private["costume-room"] = false
		h.rec.mu.Unlock()
		h.now = h.now.Add(11 * time.Minute)
		if _, err := h.bot.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := h.rec.shows("costume-room"); len(got) != 0 {
			t.Errorf("a public channel still shows %q", got)
		}
		if r := joined(to(h.rec.take(), "dm", "ines")); !strings.Contains(r, "a regular check") {
			t.Errorf("IC's report: %q", r)
		}
	})
}

// TestRefreshSkipsAChannelGivenAnotherPurpose: a top-line summary posted
// to a channel that has since become a department's is not re-posted
// there after a change; the IC is told.
func TestRefreshSkipsAChannelGivenAnotherPurpose(t *testing.T) {
	h := newHarness(t).seed()
	h.rec.private["spare"] = true
	h.rec.setMembers("spare", "ines")
	h.must("ines", "/topline 12 #spare")
	h.must("ines", "/dept channel hmu #spare")
	r := h.must("ines", `/scene beat add 12 "hug" kind=contact`)
	if got := to(r.sent, "post", "spare"); len(got) != 0 {
		t.Errorf("the summary went again to what is now the hmu channel: %+v", got)
	}
	if dm := joined(to(r.sent, "dm", "ines")); !strings.Contains(dm, "was not posted again to #spare: #spare is the hair and makeup channel") {
		t.Errorf("IC not told: %q", dm)
	}
}

// TestNoticeSupersedesTheLast: a department's new notice for a scene takes
// down its earlier ones there, so a garment note the performer changed
// does not stay in the channel.
func TestNoticeSupersedesTheLast(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes garments="nude thong"`)
	h.must("ines", "/dept notify 12 costume")
	h.must("paula", `/boundaries answer 12 b1=yes garments="robe only"`)
	h.must("ines", "/dept notify 12 costume")
	shown := strings.Join(func() []string {
		var out []string
		for _, p := range h.rec.visiblePosts("costume-room") {
			out = append(out, p.text)
		}
		return out
	}(), "\n")
	if strings.Contains(shown, "nude thong") || !strings.Contains(shown, "robe only") {
		t.Errorf("costume-room shows:\n%s", shown)
	}
}

// TestNoticesGoWithThePerformer: a department's notice of a scene is
// taken down when performers are taken off the scene (the IC told to post
// it again) and when the scene is removed: the department no longer
// needs what it holds.
func TestNoticesGoWithThePerformer(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 30 title="Orchard" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-20`)
	h.must("paula", `/boundaries answer 30 garments="robe"`)
	h.must("pete", `/boundaries answer 30 garments="modesty pouch"`)
	h.must("ines", "/dept notify 30 costume")
	costume := func() string {
		var out []string
		for _, p := range h.rec.visiblePosts("costume-room") {
			out = append(out, p.text)
		}
		return strings.Join(out, "\n")
	}
	if !strings.Contains(costume(), "modesty pouch") {
		t.Fatalf("the notice was not posted:\n%s", costume())
	}
	r := h.must("ines", "/scene set 30 performers=@paula")
	if strings.Contains(costume(), "modesty pouch") {
		t.Errorf("pete's garments stay in costume-room after he left the scene:\n%s", costume())
	}
	if dm := joined(to(r.sent, "dm", "ines")); !strings.Contains(dm, "Taken down: the costume notice of scene 30") || !strings.Contains(dm, "/dept notify 30 costume") {
		t.Errorf("the IC was told: %q", dm)
	}
	h.must("ines", "/dept notify 30 costume")
	if !strings.Contains(costume(), "robe") {
		t.Fatalf("the notice was not posted again:\n%s", costume())
	}
	h.must("ines", "/scene remove 30")
	if strings.Contains(costume(), "robe") {
		t.Errorf("a removed scene's notice stays in costume-room:\n%s", costume())
	}
}
