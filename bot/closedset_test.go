package bot_test

import (
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

func TestClosedSetFlow(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	const canary = "CANARY-hold-reason-7f3a"

	// Start: announced publicly without the roster, posted with the roster
	// in the private scene channel, DMs to the roster, channel locked.
	r := h.must("adam", "/closedset start 12")
	if !strings.Contains(r.reply, "Closed set started for scene 12") || !strings.Contains(r.reply, "@paula (performer)") || !strings.Contains(r.reply, "@cam (camera)") {
		t.Errorf("start reply:\n%s", r.reply)
	}
	set := to(r.sent, "post", "set")
	if len(set) != 1 || !strings.Contains(set[0].Text, "no personal recording devices") || set[0].Class != bot.ClassPublic {
		t.Fatalf("set channel announcement: %+v", set)
	}
	if strings.Contains(set[0].Text, "paula") || strings.Contains(set[0].Text, "cam") {
		t.Errorf("the public announcement names the roster: %q", set[0].Text)
	}
	if sc := to(r.sent, "post", "scene-12"); len(sc) != 1 || !strings.Contains(sc[0].Text, "@paula") || !strings.Contains(sc[0].Text, "/closedset ack 12") {
		t.Errorf("scene channel post: %+v", sc)
	}
	for _, u := range []string{"paula", "cam", "ines"} {
		if dms := to(r.sent, "dm", u); len(dms) != 1 || !strings.Contains(dms[0].Text, "/closedset ack 12") {
			t.Errorf("DM to %s: %+v", u, dms)
		}
	}
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "Lock enforced") || !strings.Contains(late, "@gary") {
		t.Errorf("lock report to the AD: %q", late)
	}
	if got, want := strings.Join(lc.calls, "; "), "lock scene-12 to paula,cam,ines,adam"; got != want {
		t.Errorf("lock calls = %q, want %q", got, want)
	}
	sess := h.session("12", 1)
	if sess.Lock.State != bot.LockEnforced || len(sess.Lock.Changes.Removed) != 1 {
		t.Errorf("session lock = %+v", sess.Lock)
	}
	if got := h.scene("12").EffectiveStatus(); got != bot.StatusFilming {
		t.Errorf("status = %s, want filming", got)
	}

	// Roster change while locked re-applies the lock.
	h.must("adam", "/closedset add 12 @cora role=costume")
	if got := lc.calls[len(lc.calls)-1]; got != "lock scene-12 to paula,cam,ines,adam,cora" {
		t.Errorf("relock after roster add = %q", got)
	}

	// Acknowledgements.
	h.now = h.now.Add(5 * time.Minute)
	if r := h.must("paula", "/closedset ack 12"); !strings.Contains(r.reply, "1 of 5") {
		t.Errorf("ack reply: %q", r.reply)
	}
	if r := h.must("paula", "/closedset ack 12"); !strings.Contains(r.reply, "already confirmed") {
		t.Errorf("second ack reply: %q", r.reply)
	}

	// A performer calls a hold privately: the IC learns who and why, the
	// AD and the channel learn only that a hold is on.
	h.now = h.now.Add(30 * time.Minute)
	r = h.must("paula", "/hold 12 "+canary)
	if !strings.Contains(r.reply, "only the IC knows it was you") {
		t.Errorf("hold reply: %q", r.reply)
	}
	ic := joined(to(r.sent, "dm", "ines"))
	if !strings.Contains(ic, "@paula") || !strings.Contains(ic, canary) {
		t.Errorf("IC's hold notice lacks who or why: %q", ic)
	}
	if ad := joined(to(r.sent, "dm", "adam")); ad != "Scene 12 is on hold: talk to the IC." {
		t.Errorf("AD's hold notice = %q", ad)
	}
	for _, s := range r.sent {
		if s.To == "ines" {
			continue
		}
		if strings.Contains(s.Text, canary) || strings.Contains(s.Text, "paula") {
			t.Errorf("hold detail leaked to %s %s: %q", s.Kind, s.To, s.Text)
		}
	}
	if got := h.scene("12").EffectiveStatus(); got != bot.StatusOnHold {
		t.Errorf("status = %s, want on-hold", got)
	}
	status := h.must("adam", "/closedset status 12").reply
	if !strings.Contains(status, "ON HOLD") || strings.Contains(status, canary) || strings.Contains(status, "called by") {
		t.Errorf("AD's status: %q", status)
	}
	if r := h.do("adam", "/hold lift 12"); r.code() != bot.EFORBIDDEN {
		t.Errorf("AD lifted a hold: %v", r.out.Err)
	}
	r = h.must("ines", "/hold lift 12")
	if got := joined(to(r.sent, "dm", "paula")); !strings.Contains(got, "lifted") {
		t.Errorf("the hold's caller was not told it was lifted: %q", got)
	}

	// End: the channel is restored and the record kept.
	h.now = h.now.Add(2 * time.Hour)
	r = h.must("adam", "/closedset end 12")
	if !strings.Contains(r.reply, "after 2h35m") || !strings.Contains(r.reply, "@cam") || !strings.Contains(r.reply, "Holds during the session: 1") {
		t.Errorf("end reply:\n%s", r.reply)
	}
	if got := lc.calls[len(lc.calls)-1]; got != "unlock scene-12 restore gary (saved)" {
		t.Errorf("unlock call = %q", got)
	}
	sess = h.session("12", 1)
	if sess.Running() || sess.EndedBy != "adam" || sess.Lock.State != bot.LockReleased {
		t.Errorf("ended session = %+v", sess)
	}
	if got := h.scene("12").EffectiveStatus(); got != bot.StatusWrapped {
		t.Errorf("status = %s, want wrapped", got)
	}

	var actions []string
	h.store.AuditLog(t.Context(), func(r bot.AuditRecord) error {
		if r.Scene == "12" {
			actions = append(actions, r.Action)
		}
		if strings.Contains(r.Summary, canary) {
			t.Errorf("the hold reason reached the audit log: %q", r.Summary)
		}
		return nil
	})
	// Gary, taken out by the lock, comes back: the roster post, which he
	// may not read, is taken down first.
	want := "closedset.start closedset.lock roster.add closedset.lock closedset.ack hold.call hold.lift closedset.end post.retract closedset.unlock"
	if got := strings.Join(actions, " "); got != want {
		t.Errorf("audit actions:\n got %s\nwant %s", got, want)
	}
}

func TestClosedSetLockNotEnforced(t *testing.T) {
	t.Run("platform permission missing", func(t *testing.T) {
		lc := &lockingChat{lockErr: bot.Errorf(bot.EUNAVAILABLE, "the bot lacks the groups:write scope")}
		h := newHarness(t, withLocker(lc)).seed()
		r := h.must("adam", "/closedset start 12")
		late := joined(to(r.sent, "late", "adam"))
		if !strings.Contains(late, "Lock not enforced") || !strings.Contains(late, "groups:write") {
			t.Errorf("AD not told what is missing: %q", late)
		}
		if len(to(r.sent, "post", "set")) != 1 {
			t.Errorf("the set still starts and is announced")
		}
		if s := h.session("12", 1); s.Lock.State != bot.LockNotEnforced || !strings.Contains(s.Lock.Problem, "groups:write") {
			t.Errorf("lock record = %+v", s.Lock)
		}
		r = h.must("adam", "/closedset end 12")
		if strings.Contains(strings.Join(lc.calls, ";"), "unlock") {
			t.Errorf("unlocked a lock that was never made: %v", lc.calls)
		}
	})
	t.Run("adapter cannot lock", func(t *testing.T) {
		h := newHarness(t).seed()
		r := h.must("adam", "/closedset start 12")
		if !strings.Contains(r.reply, "Lock not enforced: this chat adapter cannot restrict channel access") {
			t.Errorf("reply: %q", r.reply)
		}
	})
	t.Run("scene without channel", func(t *testing.T) {
		h := newHarness(t, withLocker(&lockingChat{})).seed()
		h.must("ines", "/scene set 14 title=Kitchen")
		r := h.must("adam", "/closedset start 14")
		if !strings.Contains(r.reply, "scene 14 has no channel to lock") {
			t.Errorf("reply: %q", r.reply)
		}
	})
}

func TestClosedSetStartRefused(t *testing.T) {
	tests := []struct {
		name, setup, cmd string
		want             []string
	}{
		{"on hold", "", "/closedset start 16", []string{"Missing:", "the scene is on hold", "/hold lift 16"}},
		{"already running", "", "/closedset start 15", []string{"already running", "@adam"}},
		{"no performers", `/scene add 30 title=x call="2026-12-01 09:00"`, "/closedset start 30", []string{"Missing:", "no performers", "/scene set 30 performers="}},
		{"no scene", "", "/closedset start 99", []string{"There is no scene 99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t).seed()
			if tt.setup != "" {
				h.must("ines", tt.setup)
			}
			before := h.auditLen()
			r := h.do("adam", tt.cmd)
			if r.out.Err == nil {
				t.Fatalf("started: %s", r.reply)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.reply, w) {
					t.Errorf("refusal %q lacks %q", r.reply, w)
				}
			}
			if h.auditLen() != before || len(r.sent) != 0 {
				t.Errorf("a refused start changed something: audit %d -> %d, sent %v", before, h.auditLen(), r.sent)
			}
		})
	}
}

func TestSensitivePostToPublicChannelRefused(t *testing.T) {
	// A platform that (wrongly) locks a public channel: the roster post
	// that follows the lock is still refused at delivery.
	h := newHarness(t, withLocker(&lockingChat{})).seed()
	h.must("adam", "/scene set 12 channel=#general")
	r := h.must("adam", "/closedset start 12")
	if got := to(r.sent, "post", "general"); len(got) != 0 {
		t.Fatalf("the roster was posted to a public channel: %+v", got)
	}
	if late := joined(to(r.sent, "late", "adam")); !strings.Contains(late, "Not posted to #general: it is not a private channel") {
		t.Errorf("the AD was not told why: %q", late)
	}
	// Public information still goes to the public set channel.
	if got := to(r.sent, "post", "set"); len(got) != 1 {
		t.Errorf("set channel posts: %+v", got)
	}
}

func TestRosterPostedOnlyAfterLock(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		lc := &lockingChat{}
		h := newHarness(t, withLocker(lc)).seed()
		r := h.must("adam", "/closedset start 12")
		var order []string
		for _, s := range r.sent {
			if s.Kind == "post" && s.To == "scene-12" {
				order = append(order, "roster post")
			}
			if s.Kind == "late" && strings.Contains(s.Text, "Lock enforced") {
				order = append(order, "locked")
			}
		}
		if got := strings.Join(order, ", "); got != "locked, roster post" {
			t.Errorf("order = %q, want the lock before the roster post", got)
		}
	})
	t.Run("not locked", func(t *testing.T) {
		h := newHarness(t).seed() // no Locker: others stay in the channel
		r := h.must("adam", "/closedset start 12")
		if got := to(r.sent, "post", "scene-12"); len(got) != 0 {
			t.Errorf("the roster went to an unlocked channel: %+v", got)
		}
	})
}

func TestHoldWithoutClosedSet(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("cam", `/hold 12 reason="light in my eyes"`)
	if len(to(r.sent, "post", "scene-12")) != 0 || len(to(r.sent, "post", "set")) != 0 {
		t.Errorf("a hold outside a closed set was posted to a channel: %+v", r.sent)
	}
	if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "@cam") || !strings.Contains(ic, "light in my eyes") {
		t.Errorf("IC notice: %q", ic)
	}
	// A second hold reaches the IC again but does not re-alert the AD.
	r = h.must("paula", "/hold 12")
	if len(to(r.sent, "dm", "adam")) != 0 || len(to(r.sent, "dm", "ines")) != 1 {
		t.Errorf("second hold notices: %+v", r.sent)
	}
	// The reason is taken exactly as typed: an '=' or a stray quote never
	// costs a performer their hold.
	for typed, want := range map[string]string{
		`/hold 12 ribs hurt, pain=8`:          "ribs hurt, pain=8",
		`/hold 12 he said "stop"again`:        `he said "stop"again`,
		`/hold 12 "I need`:                    `"I need`,
		`/hold 12 reason="the water is cold"`: "the water is cold",
		`/hold 12 “quoted”`:                   "quoted",
	} {
		r := h.must("paula", typed)
		if ic := joined(to(r.sent, "dm", "ines")); !strings.Contains(ic, "reason: "+want+")") {
			t.Errorf("%s: the IC read %q, want the reason %q", typed, ic, want)
		}
	}
}
