package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// memberLock locks a channel as the console and Slack do: its members
// become exactly the roster; the first lock of a session saves the members
// it found in Restore, which Unlock puts back exactly; Removed lists those
// of them the roster leaves out. Someone added during the set is not in
// Restore, and does not come back at the end.
type memberLock struct {
	fakeChat
	lockErr error
	calls   []string
}

func (c *memberLock) Lock(ctx context.Context, ch bot.ChannelID, roster []bot.UserID, prev bot.LockResult) (bot.LockResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, fmt.Sprintf("lock %s to %s", ch, joinIDs(roster)))
	if c.lockErr != nil {
		return prev, c.lockErr
	}
	res := bot.LockResult{Restore: prev.Restore}
	if res.Restore == nil {
		saved, err := json.Marshal(c.members[ch])
		if err != nil {
			return prev, err
		}
		res.Restore = saved
	}
	var original []bot.UserID
	if err := json.Unmarshal(res.Restore, &original); err != nil {
		return prev, err
	}
	c.members[ch] = slices.Clone(roster)
	for _, u := range original {
		if !slices.Contains(roster, u) {
			res.Removed = append(res.Removed, u)
		}
	}
	return res, nil
}

func (c *memberLock) Unlock(ctx context.Context, ch bot.ChannelID, lock bot.LockResult) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var original []bot.UserID
	if err := json.Unmarshal(lock.Restore, &original); err != nil {
		return err
	}
	c.calls = append(c.calls, fmt.Sprintf("unlock %s to %s", ch, joinIDs(original)))
	c.members[ch] = original
	return nil
}

// setLockErr makes Lock fail with err (nil: work again).
func (c *memberLock) setLockErr(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lockErr = err
}

// lockCalls is how many Lock and Unlock calls were made.
func (c *memberLock) lockCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

// readers is who reads ch now, sorted.
func (c *memberLock) readers(ch bot.ChannelID) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return joinIDs(slices.Sorted(slices.Values(c.members[ch])))
}

func joinIDs(ids []bot.UserID) string {
	s := make([]string, len(ids))
	for i, u := range ids {
		s[i] = string(u)
	}
	return strings.Join(s, ",")
}

func withMemberLock(ml *memberLock) func(*harnessOpt) {
	return func(o *harnessOpt) {
		ml.private, ml.members = harnessChannels()
		o.chat, o.rec = ml, &ml.fakeChat
	}
}

// restart replaces the bot by a new one on the same store and chat, as a
// new run of icbot would be.
func (h *harness) restart() {
	h.t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		h.t.Fatal(err)
	}
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithZone(london),
		bot.WithAdmins("root"), bot.WithSetChannel("set"))
}

// lastAudit is the latest audit record of action ("" when none).
func (h *harness) lastAudit(action string) string {
	h.t.Helper()
	last := ""
	for r, err := range h.store.AuditRecords(context.Background()) {
		if err != nil {
			h.t.Fatal(err)
		}
		if r.Action == action {
			last = r.Summary
		}
	}
	return last
}

// The roster of scene 12 (paula, the IC, the AD and camera) and the
// members #scene-12 had before its closed set.
const (
	roster12 = "adam,cam,ines,paula"
	before12 = "adam,dana,ines,paula,pete,priya"
)

// TestRelockTakesOutWhoWasLetIn: during a closed set, someone adds
// members to the locked channel by hand: gary, never a member, and priya,
// whom the lock took out. icbot takes both out again, records it, and
// tells the AD and the IC. The platform's event about icbot's own change
// starts nothing more. At the end, priya comes back and gary does not.
func TestRelockTakesOutWhoWasLetIn(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	ctx := context.Background()
	h.must("adam", "/closedset start 12")
	if got := ml.readers("scene-12"); got != roster12 {
		t.Fatalf("scene-12 locked to %s, want %s", got, roster12)
	}
	h.rec.take()

	ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "gary", "priya")
	h.bot.ChannelChanged(ctx, "scene-12")
	sent := h.rec.take()
	if got := ml.readers("scene-12"); got != roster12 {
		t.Errorf("scene-12 read by %s after the change, want the roster %s", got, roster12)
	}
	want := "#scene-12 is locked to the roster of the closed set for scene 12 \"Lake house\", but @gary, @priya had been let in by hand (changed outside icbot). icbot took them out again. While in, @gary could read the closed-set roster of scene 12, which they may not read. @priya, a member before the set, comes back at /closedset end. @gary, not a member before the set, does not come back at the end."
	for _, who := range []string{"adam", "ines"} {
		if got := joined(to(sent, "dm", who)); !strings.Contains(got, want) {
			t.Errorf("%s was told %q, want %q", who, got, want)
		}
	}
	if got := joined(to(sent, "dm", "ines")); strings.Contains(got, "nothing was taken down") {
		t.Errorf("the IC was told the change was harmless: %q", got)
	}
	for _, s := range sent {
		if s.Kind == "dm" && s.To != "adam" && s.To != "ines" {
			t.Errorf("someone else heard of it: %+v", s)
		}
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockEnforced || s.Lock.Problem != "" {
		t.Errorf("lock %s (%s), want enforced", s.Lock.State, s.Lock.Problem)
	}
	if got := h.lastAudit("closedset.relock"); !strings.Contains(got, "scene 12 session 1 (changed outside icbot): enforced, 2 taken out again") {
		t.Errorf("audit record %q", got)
	}
	if got := lc(h.rec.shows("scene-12")); !strings.HasPrefix(got, "Closed set for scene 12 started") {
		t.Errorf("scene-12 shows %q: the roster's post should stay", got)
	}

	// The event of icbot's own change: nothing to take out, nothing said.
	n := ml.lockCalls()
	h.bot.ChannelChanged(ctx, "scene-12")
	if sent := h.rec.take(); len(sent) != 0 || ml.lockCalls() != n {
		t.Errorf("icbot's own change started another relock: %d calls, sent %+v", ml.lockCalls()-n, sent)
	}

	h.must("adam", "/closedset end 12")
	if got := ml.readers("scene-12"); got != before12 {
		t.Errorf("scene-12 read by %s after the end, want the members from before the set %s", got, before12)
	}
}

// lc is the first of lines, or "".
func lc(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

// TestRelockRefusedSaysTheLockNoLongerHolds: the platform refuses to lock
// again; the AD and the IC hear that the lock no longer holds and what to
// do, /closedset status says so, and a further event does not repeat it.
// Once the platform accepts the lock again, the lock is enforced again.
func TestRelockRefusedSaysTheLockNoLongerHolds(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	ctx := context.Background()
	h.must("adam", "/closedset start 12")
	h.rec.take()

	ml.setLockErr(bot.Errorf(bot.EUNAVAILABLE, "icbot lacks the groups:write scope"))
	ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "priya")
	h.bot.ChannelChanged(ctx, "scene-12")
	sent := h.rec.take()
	want := "The lock on #scene-12 no longer holds: @priya, off the roster, can read it (changed outside icbot), and icbot could not take them out: icbot lacks the groups:write scope. The closed set for scene 12 \"Lake house\" still runs. Until that is fixed, keep #scene-12 to the roster by hand: /closedset status 12 lists it."
	for _, who := range []string{"adam", "ines"} {
		if got := joined(to(sent, "dm", who)); !strings.Contains(got, want) {
			t.Errorf("%s was told %q, want %q", who, got, want)
		}
	}
	s := h.session("12", 1)
	if s.Lock.State != bot.LockIncomplete || !strings.HasPrefix(s.Lock.Problem, "the lock no longer holds") {
		t.Errorf("lock %s (%s), want incomplete: no longer holds", s.Lock.State, s.Lock.Problem)
	}
	if got := h.must("adam", "/closedset status 12").reply; strings.Contains(got, "Lock: enforced") || !strings.Contains(got, "Lock: incomplete (the lock no longer holds: @priya, off the roster, can read the channel, and icbot could not take them out (icbot lacks the groups:write scope); keep the channel to the roster by hand)") {
		t.Errorf("status says:\n%s", got)
	}
	if got := h.lastAudit("closedset.relock"); !strings.Contains(got, "incomplete, 0 taken out again, 1 off the roster seen reading") {
		t.Errorf("audit record %q", got)
	}

	// Another event: the same refusal is not told again.
	h.rec.take()
	h.bot.ChannelChanged(ctx, "scene-12")
	if got := joined(to(h.rec.take(), "dm", "adam")); strings.Contains(got, "lock") {
		t.Errorf("the AD was told again: %q", got)
	}
	// Someone else let in: that is news.
	ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "priya", "gary")
	h.bot.ChannelChanged(ctx, "scene-12")
	if got := joined(to(h.rec.take(), "dm", "adam")); !strings.Contains(got, "The lock on #scene-12 no longer holds: @gary, @priya, off the roster, can read it") {
		t.Errorf("the AD was told %q", got)
	}

	ml.setLockErr(nil)
	h.bot.ChannelChanged(ctx, "scene-12")
	if got := ml.readers("scene-12"); got != roster12 {
		t.Errorf("scene-12 read by %s, want the roster %s", got, roster12)
	}
	if got := joined(to(h.rec.take(), "dm", "adam")); !strings.Contains(got, "but @gary, @priya had been let in by hand (changed outside icbot). icbot took them out again.") {
		t.Errorf("the AD was told %q", got)
	}
	if s := h.session("12", 1); s.Lock.State != bot.LockEnforced || s.Lock.Problem != "" {
		t.Errorf("lock %s (%s), want enforced", s.Lock.State, s.Lock.Problem)
	}
}

// TestRelockOnlyWhileASetRuns: a change of #scene-12 while no closed set
// runs, before and after one, locks nothing and tells the AD nothing;
// the same change during the set locks the channel again.
func TestRelockOnlyWhileASetRuns(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	ctx := context.Background()
	h.rec.take()
	change := func() []sent {
		ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "gary")
		h.bot.ChannelChanged(ctx, "scene-12")
		return h.rec.take()
	}
	if sent := change(); ml.lockCalls() != 0 || len(to(sent, "dm", "adam")) != 0 {
		t.Errorf("before the set: %q, sent %+v", ml.calls, sent)
	}
	ml.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula", "pete")
	h.must("adam", "/closedset start 12")
	h.rec.take()
	n := ml.lockCalls()
	if change(); ml.lockCalls() != n+1 || ml.readers("scene-12") != roster12 {
		t.Errorf("during the set: calls %q, readers %s", ml.calls[n:], ml.readers("scene-12"))
	}
	h.must("adam", "/closedset end 12")
	n = ml.lockCalls()
	if sent := change(); ml.lockCalls() != n || len(to(sent, "dm", "adam")) != 0 {
		t.Errorf("after the set: calls %q, sent %+v", ml.calls[n:], sent)
	}
}

// TestStartRelocksALapsedLock: members were added to a locked channel
// while icbot was down; its start takes them out again and tells the AD
// and the IC. A start with the lock intact says nothing.
func TestStartRelocksALapsedLock(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	ctx := context.Background()
	h.must("adam", "/closedset start 12")
	h.rec.take()

	ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "gary")
	h.restart()
	stop, err := h.bot.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if got := ml.readers("scene-12"); got != roster12 {
		t.Errorf("scene-12 read by %s after the start, want the roster %s", got, roster12)
	}
	sent := h.rec.take()
	want := "but @gary had been let in by hand (checked at icbot's start). icbot took them out again."
	for _, who := range []string{"adam", "ines"} {
		if got := joined(to(sent, "dm", who)); !strings.Contains(got, want) {
			t.Errorf("%s was told %q, want %q", who, got, want)
		}
	}
	if got := h.lastAudit("closedset.relock"); !strings.Contains(got, "(checked at icbot's start): enforced, 1 taken out again") {
		t.Errorf("audit record %q", got)
	}

	n := ml.lockCalls()
	h.restart()
	if err := h.bot.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if sent := h.rec.take(); ml.lockCalls() != n || len(to(sent, "dm", "adam")) != 0 {
		t.Errorf("a start with the lock intact: calls %q, sent %+v", ml.calls[n:], sent)
	}
}

// TestRelockKeepsTheRosterLetInByHand: camera, on the roster, was kept
// out of #scene-12 for the top-line summary there; someone lets camera in
// by hand, with gary, who is off the roster. Gary is taken out again;
// camera stays, and the summary is taken down for camera as for any
// reader let in outside icbot, with the IC told who is new.
func TestRelockKeepsTheRosterLetInByHand(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	ctx := context.Background()
	ml.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	h.must("ines", "/topline 12")
	h.must("adam", "/closedset start 12")
	if got := ml.readers("scene-12"); got != "adam,ines,paula" {
		t.Fatalf("scene-12 locked to %s", got)
	}
	h.rec.take()

	ml.setMembers("scene-12", "adam", "ines", "paula", "cam", "gary")
	h.bot.ChannelChanged(ctx, "scene-12")
	sent := h.rec.take()
	if got := ml.readers("scene-12"); got != "adam,cam,ines,paula" {
		t.Errorf("scene-12 read by %s, want the roster with camera", got)
	}
	if got := joined(to(sent, "dm", "adam")); !strings.Contains(got, "but @gary had been let in by hand (changed outside icbot). icbot took them out again. While in, @gary could read the top-line summary of scene 12; closed-set roster of scene 12, which they may not read.") {
		t.Errorf("the AD was told %q", got)
	}
	report := joined(to(sent, "dm", "ines"))
	for _, want := range []string{"New: @cam.", "Taken down: the top-line summary of scene 12, which may not be read by @cam"} {
		if !strings.Contains(report, want) {
			t.Errorf("the IC's report lacks %q:\n%s", want, report)
		}
	}
	if got := h.rec.shows("scene-12"); len(got) != 1 || !strings.HasPrefix(got[0], "Closed set for scene 12 started") {
		t.Errorf("scene-12 shows %q", got)
	}
}

// TestRegularCheckRelocks: a change no platform event reports is found by
// the regular check of every channel, which locks the channel again.
func TestRegularCheckRelocks(t *testing.T) {
	ml := &memberLock{}
	h := newHarness(t, withMemberLock(ml)).seed()
	h.must("adam", "/closedset start 12")
	h.deliverDue() // the first pass sets when the regular check falls due
	ml.setMembers("scene-12", "adam", "cam", "ines", "paula", "gary")
	h.now = h.now.Add(11 * time.Minute)
	sent := h.deliverDue()
	if got := ml.readers("scene-12"); got != roster12 {
		t.Errorf("scene-12 read by %s after the regular check, want the roster %s", got, roster12)
	}
	if got := joined(to(sent, "dm", "adam")); !strings.Contains(got, "but @gary had been let in by hand (a regular check). icbot took them out again.") {
		t.Errorf("the AD was told %q", got)
	}
	if got := h.rec.shows("scene-12"); len(got) != 1 || !strings.HasPrefix(got[0], "Closed set for scene 12 started") {
		t.Errorf("scene-12 shows %q", got)
	}
}
