package bot_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// restartWith replaces the bot by a new one on the same store and chat,
// with opts, as a new run of icbot with a new build would be.
func (h *harness) restartWith(opts ...bot.Option) {
	h.t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		h.t.Fatal(err)
	}
	h.bot = bot.New(h.store, h.chat, append([]bot.Option{bot.WithClock(func() time.Time { return h.now }), bot.WithZone(london),
		bot.WithAdmins("root"), bot.WithSetChannel("set")}, opts...)...)
}

// noticeOf reads what the store records of who's privacy notice.
func (h *harness) noticeOf(who bot.UserID) bot.NoticeState {
	h.t.Helper()
	var st bot.NoticeState
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		var err error
		st, err = tx.Notice(who)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			st, err = bot.NoticeState{User: who}, nil
		}
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return st
}

// dmsTo lists every DM to who, the privacy notice included, in the order
// sent.
func dmsTo(ss []sent, who string) []sent {
	return slices.DeleteFunc(slices.Clone(ss), func(s sent) bool { return s.Kind != "dm" || s.To != who })
}

// TestPrivacyNoticeBeforeEachFirstQuestion: each private question
// (a request for boundaries, a request for consent to explore, a
// rehearsal's record to confirm) is preceded by the privacy notice, to
// each person asked, queued in the outbox before the question and sent
// before it; once per person, whichever question comes first.
func TestPrivacyNoticeBeforeEachFirstQuestion(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		setup      []string
		asked      []string
	}{
		{name: "boundaries request", line: "/boundaries request 20", asked: []string{"paula", "pete"}},
		{name: "consent to explore", line: "/rehearsal explore 20 b1 on", asked: []string{"paula", "pete"}},
		{name: "rehearsal record", line: "/rehearsal log 20 b1 present=@pete",
			setup: []string{"/rehearsal explore 20 b1 on"}, asked: []string{"pete"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newPoolScene(t)
			h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
			if tc.name == "rehearsal record" {
				// pete was asked before (consent to explore) and consented:
				// the notice went with that question, not this one.
				r := h.must("ines", tc.setup[0])
				if n := noticesTo(r.sent, "pete"); len(n) != 1 {
					t.Fatalf("notices to pete with the request to explore: %d", len(n))
				}
				h.must("pete", "/rehearsal consent 20 b1")
				if r := h.must("ines", tc.line); len(noticesTo(r.sent, "pete")) != 0 || len(to(r.sent, "dm", "pete")) != 1 {
					t.Errorf("the second question came with another notice, or without the question: %+v", r.sent)
				}
				return
			}
			out := h.bot.Handle(context.Background(), bot.Command{Caller: "ines", CallerName: "ines", Channel: "set", Text: tc.line, ReplyHandle: "reply-to-ines"})
			if out.Err != nil {
				t.Fatal(out.Err)
			}
			// In the outbox, before anything is sent: each person's notice
			// comes just before their question.
			pending := h.pending()
			for _, who := range tc.asked {
				var mine []bot.Delivery
				for _, d := range pending {
					if d.Message.To.User == bot.UserID(who) {
						mine = append(mine, d)
					}
				}
				if len(mine) != 2 || !strings.HasPrefix(mine[0].Message.Text, "Privacy notice") || mine[0].ID > mine[1].ID {
					t.Fatalf("queued for %s: %+v", who, mine)
				}
				if m := mine[0].Message; m.Class != bot.ClassPersonal || m.Subject != bot.UserID(who) {
					t.Errorf("the notice to %s is of class %s about %q, want personal about them", who, m.Class, m.Subject)
				}
			}
			h.bot.FollowUp(context.Background(), out)
			sent := h.rec.take()
			for _, who := range tc.asked {
				dms := dmsTo(sent, who)
				if len(dms) != 2 || !privacyNotice(dms[0]) || privacyNotice(dms[1]) {
					t.Fatalf("sent to %s: %+v", who, dms)
				}
				if st := h.noticeOf(bot.UserID(who)); st.Sent != bot.NoticeVersion || !st.SentAt.Equal(h.now.UTC().Truncate(time.Second)) || st.Acked != 0 {
					t.Errorf("recorded for %s: %+v", who, st)
				}
			}
			// Asked again: the question alone.
			again := h.must("ines", tc.line)
			for _, who := range tc.asked {
				if n := noticesTo(again.sent, who); len(n) != 0 {
					t.Errorf("the notice went to %s a second time: %+v", who, n)
				}
			}
			if n := noticesTo(sent, "ines"); len(n) != 0 {
				t.Errorf("the IC, asked nothing, got the notice")
			}
		})
	}
}

// TestPrivacyNoticeSays: the notice says, in plain words, what icbot
// keeps, who can see each part as the need-to-know table has it, for how
// long, the rights and the commands for them, and that the IC is there
// for any question; it has a button to acknowledge it.
func TestPrivacyNoticeSays(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	n := noticesTo(h.must("ines", "/boundaries request 20").sent, "paula")
	if len(n) != 1 {
		t.Fatalf("notices to paula: %d", len(n))
	}
	text := n[0].Text
	for _, want := range []string{
		"version 1", "for Test",
		"your answer to each intimacy beat (yes, no or discuss), your notes, every version of them, and any withdrawal of your consent: you and the intimacy coordinator.",
		"your garment and barrier needs: you, the intimacy coordinator and the costume department (also in a private channel only they read).",
		"your body notes (tattoos, body makeup and the like): you, the intimacy coordinator and the hair and makeup department",
		"your nudity riders, with their state, dates and terms: you and the intimacy coordinator.",
		"the holds you call on a scene, and your reasons: you and the intimacy coordinator.",
		"check-ins", "consent to explore", "confirmed or disputed",
		"in the production's audit trail: you and the intimacy coordinator.",
		"For how long:", "until you have it erased",
		"/icbot mydata", "/icbot erase me", "/boundaries withdraw", "/hold",
		"Ask the IC anything", "@ines",
		"/icbot notice ack 1", "/icbot notice show",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the notice lacks %q:\n%s", want, text)
		}
	}
	if a := n[0].Actions; len(a) != 1 || a[0].Command != "/icbot notice ack 1" {
		t.Errorf("the notice's button: %+v", a)
	}
}

// TestPrivacyNoticeAckRecorded: the acknowledgement is recorded with its
// version and time, audited, and still there for a new bot on the same
// store; the IC sees who has acknowledged and who has not. A second
// acknowledgement changes nothing.
func TestPrivacyNoticeAckRecorded(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.now = h.now.Add(time.Hour)
	before := h.auditLen()
	r := h.must("paula", "/icbot notice ack 1")
	if !strings.Contains(r.reply, "Recorded: you have read version 1") {
		t.Errorf("reply: %q", r.reply)
	}
	if got := h.auditLen(); got != before+1 {
		t.Errorf("audit records %d -> %d, want one more", before, got)
	}
	if got := h.lastAudit("notice.ack"); got != "privacy notice version 1 acknowledged" {
		t.Errorf("audit summary %q", got)
	}
	h.restart()
	st := h.noticeOf("paula")
	if st.Acked != 1 || !st.AckedAt.Equal(h.now.UTC().Truncate(time.Second)) || st.Sent != 1 {
		t.Errorf("recorded after a restart: %+v", st)
	}
	if r := h.must("paula", "/icbot notice show"); !strings.Contains(r.reply, "You acknowledged version 1 on Thu 26 Nov 2026 09:30 GMT.") {
		t.Errorf("show after the ack: %q", r.reply)
	}
	if r := h.must("nobody", "/icbot notice show"); !strings.Contains(r.reply, "You have no role on this production, so icbot keeps nothing about you yet.") {
		t.Errorf("show to someone without a role: %q", r.reply)
	}
	status := h.must("ines", "/icbot notice status").reply
	for _, want := range []string{"not acknowledged: @pete (sent version 1 ", "acknowledged: @paula (", "performers not sent it yet (icbot has asked them nothing private): nobody"} {
		if !strings.Contains(status, want) {
			t.Errorf("status lacks %q:\n%s", want, status)
		}
	}
	before = h.auditLen()
	if r := h.must("paula", "/icbot notice ack"); !strings.Contains(r.reply, "already acknowledged version 1") {
		t.Errorf("second ack: %q", r.reply)
	}
	if h.auditLen() != before {
		t.Errorf("a second ack was audited")
	}
}

// TestPrivacyNoticeSentAgainWhenChanged: a new version of the notice goes
// again, before the next private question, to those who acknowledged the
// old one and those who did not; an acknowledgement of the old version
// is refused and records nothing.
func TestPrivacyNoticeSentAgainWhenChanged(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.must("paula", "/icbot notice ack 1")

	h.restartWith(bot.WithNoticeVersion(2))
	if r := h.must("ines", `/scene set 20 title="Pool at night"`); len(noticesTo(r.sent, "paula")) != 0 {
		t.Errorf("a change that asks nothing sent the notice")
	}
	r := h.must("ines", "/boundaries request 20")
	for _, who := range []string{"paula", "pete"} {
		dms := dmsTo(r.sent, who)
		if len(dms) != 2 || !privacyNotice(dms[0]) || !strings.Contains(dms[0].Text, "version 2") ||
			!strings.Contains(dms[0].Text, "It has changed since version 1") || dms[0].Actions[0].Command != "/icbot notice ack 2" {
			t.Errorf("sent to %s: %+v", who, dms)
		}
	}
	if st := h.noticeOf("paula"); st.Sent != 2 || st.Acked != 1 {
		t.Errorf("recorded: %+v", st)
	}
	before := h.auditLen()
	old := h.do("paula", "/icbot notice ack 1")
	if old.code() != bot.ECONFLICT || !strings.Contains(old.reply, "it is version 2 now") {
		t.Errorf("an old version acknowledged: %s %q", old.code(), old.reply)
	}
	if st := h.noticeOf("paula"); st.Acked != 1 || h.auditLen() != before {
		t.Errorf("a refused ack changed something: %+v", st)
	}
	if r := h.do("paula", "/icbot notice ack two"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "Usage: /icbot notice ack [N]") {
		t.Errorf("ack two: %s %q", r.code(), r.reply)
	}
	h.must("paula", "/icbot notice ack 2")
	if st := h.noticeOf("paula"); st.Acked != 2 {
		t.Errorf("recorded: %+v", st)
	}
}

// TestNothingWaitsForTheNotice: a performer who never acknowledged the
// notice answers, withdraws and calls a hold as before; questions that
// are not private (the closed-set device policy, a rider's state) bring
// no notice.
func TestNothingWaitsForTheNotice(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("ines", "/rider sent 20 @paula")
	h.must("ines", "/rider signed 20 @paula")
	h.must("ines", "/rider signed 20 @pete")
	if st := h.noticeOf("paula"); st.Sent != 0 {
		t.Errorf("a rider's news sent the notice: %+v", st)
	}
	h.must("ines", "/boundaries request 20")
	h.must("paula", "/boundaries answer 20 b1=yes")
	h.must("pete", "/boundaries answer 20 b1=yes")
	h.must("ines", `/closedset start 20`)
	h.must("paula", "/hold 20")
	h.must("paula", "/boundaries withdraw 20")
	if st := h.noticeOf("paula"); st.Acked != 0 {
		t.Errorf("acknowledged along the way: %+v", st)
	}

	h2 := newHarness(t).seed() // scene 15's closed set, cam on its roster
	r := h2.must("ines", "/closedset add 12 @gary")
	h2.must("adam", "/closedset start 12")
	if n := noticesTo(h2.rec.take(), "gary"); len(n) != 0 || len(noticesTo(r.sent, "gary")) != 0 {
		t.Errorf("the device policy came with the notice")
	}
	if st := h2.noticeOf("gary"); st.Sent != 0 {
		t.Errorf("recorded for gary: %+v", st)
	}
}

// TestPrivacyNoticeBeforeCheckIn: the reminder loop's check-in, a private
// question, is preceded by the notice; the aftercare question after it,
// to the same performer, is not.
func TestPrivacyNoticeBeforeCheckIn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London", bot.WithWrapTime(19, 0))
		b.do("ines", `/scene add 50 title="Pool" call="2000-01-05 07:30" performers=@paula`)
		b.do("ines", "/rider signed 50 @paula")
		b.start()
		defer b.stop()
		dms := dmsTo(b.until("2000-01-04 07:30"), "paula")
		if len(dms) != 2 || !privacyNotice(dms[0]) || !strings.Contains(dms[1].Text, "Are your boundaries unchanged?") {
			t.Fatalf("sent to paula: %+v", dms)
		}
		b.do("ines", `/closedset start 50 force reason="test"`)
		b.do("ines", "/closedset end 50")
		dms = dmsTo(b.until("2000-01-06 19:00"), "paula")
		if !slices.ContainsFunc(dms, func(s sent) bool { return strings.Contains(s.Text, "How are you after") }) || slices.ContainsFunc(dms, privacyNotice) {
			t.Errorf("the aftercare question: %+v", dms)
		}
	})
}

// noticeFailChat fails the privacy notice's DMs with fail, while set.
type noticeFailChat struct {
	fakeChat
	mu   sync.Mutex
	fail error
}

func (c *noticeFailChat) setFail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

func (c *noticeFailChat) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	c.mu.Lock()
	err := c.fail
	c.mu.Unlock()
	if err != nil && len(m.Actions) == 1 && strings.HasPrefix(m.Actions[0].Command, "/icbot notice ack") {
		return err
	}
	return c.fakeChat.DM(ctx, to, m)
}

func withNoticeFail(c *noticeFailChat) func(*harnessOpt) {
	return func(o *harnessOpt) {
		c.private, c.members = harnessChannels()
		o.chat, o.rec = c, &c.fakeChat
	}
}

// TestQuestionWaitsForItsNotice: a notice waiting for a retry holds back
// the question queued after it, which goes once the notice has gone. A
// notice given up for good is due again before the next question.
func TestQuestionWaitsForItsNotice(t *testing.T) {
	c := &noticeFailChat{}
	h := newHarness(t, withNoticeFail(c)).seed()
	c.setFail(bot.RetryLater(time.Hour, bot.Errorf(bot.EUNAVAILABLE, "rate limited")))
	r := h.must("ines", "/boundaries request 12")
	if dms := dmsTo(r.sent, "paula"); len(dms) != 0 {
		t.Fatalf("sent ahead of the notice: %+v", dms)
	}
	c.setFail(nil)
	h.now = h.now.Add(2 * time.Hour)
	got := dmsTo(h.deliverDue(), "paula")
	if len(got) != 2 || !privacyNotice(got[0]) || !strings.Contains(got[1].Text, "The IC asks for your boundaries") {
		t.Fatalf("sent after the retry: %+v", got)
	}

	// Given up: the caller hears of the question alone, and the notice
	// goes with the next question.
	h2 := newHarness(t, withNoticeFail(c)).seed()
	c.setFail(bot.Errorf(bot.EUNAVAILABLE, "the bot may not message this person"))
	r = h2.must("ines", "/boundaries request 12")
	if st := h2.noticeOf("paula"); st.Sent != 0 {
		t.Errorf("a notice given up is recorded as sent: %+v", st)
	}
	if late := to(r.sent, "late", "ines"); len(late) != 0 {
		t.Errorf("the caller heard of the notice: %+v", late)
	}
	c.setFail(nil)
	if dms := dmsTo(h2.must("ines", "/boundaries request 12").sent, "paula"); len(dms) != 2 || !privacyNotice(dms[0]) {
		t.Errorf("the next question: %+v", dms)
	}
}

// TestPrivacyNoticeBeforeBeatNews: the news of a changed beat, which asks
// again, waits a few minutes to gather edits; a notice then due goes at
// once, ahead of it.
func TestPrivacyNoticeBeforeBeatNews(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.restartWith(bot.WithNoticeVersion(2))
	r := h.must("ines", `/scene beat add 20 "a hug" kind=contact`)
	for _, who := range []string{"paula", "pete"} {
		if n := noticesTo(r.sent, who); len(n) != 1 || !strings.Contains(n[0].Text, "version 2") {
			t.Errorf("notices to %s with the edit: %+v", who, n)
		}
		if q := to(r.sent, "dm", who); len(q) != 0 {
			t.Errorf("the news went at once to %s: %+v", who, q)
		}
	}
	later := h.afterBeatNewsWindow()
	for _, who := range []string{"paula", "pete"} {
		if dms := dmsTo(later, who); len(dms) != 1 || privacyNotice(dms[0]) || !strings.Contains(dms[0].Text, "b2") {
			t.Errorf("the news to %s: %+v", who, dms)
		}
	}
}

// TestNoticeChangesWithTheRetention: the notice says how long icbot
// keeps what it holds; when production.retention (or the wrap date)
// changes what it says, the notice is a new version, sent again before
// the next private question; a restart with the same settings is not.
func TestNoticeChangesWithTheRetention(t *testing.T) {
	h := newPoolScene(t)
	start := func() {
		t.Helper()
		stop, err := h.bot.Start(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		stop()
	}
	start()
	h.must("ines", `/scene beat add 20 "a kiss" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.must("paula", "/icbot notice ack 1")

	seven := bot.WithRetention(bot.Retention{Years: 7}, "")
	h.restartWith(seven)
	start()
	r := h.must("ines", "/boundaries request 20")
	dms := dmsTo(r.sent, "paula")
	if len(dms) != 2 || !privacyNotice(dms[0]) || !strings.Contains(dms[0].Text, "version 2") ||
		!strings.Contains(dms[0].Text, "It has changed since version 1") || !strings.Contains(dms[0].Text, "at most 7 years after the production wraps") {
		t.Fatalf("after the retention was set, paula was sent %+v", dms)
	}
	h.must("paula", "/icbot notice ack 2")

	h.restartWith(seven)
	start()
	if r := h.must("ines", "/boundaries request 20"); len(noticesTo(r.sent, "paula")) != 0 {
		t.Errorf("a restart with the same retention sent the notice again: %+v", r.sent)
	}
}
