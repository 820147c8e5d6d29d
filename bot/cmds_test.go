package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"icbot/bot"
)

// TestClosedSetLongAfterTheCallWarns: a closed set started more than a
// day after the scene's call tells whoever started it how long ago the
// call was, and to check it; one started before its call says nothing.
func TestClosedSetLongAfterTheCallWarns(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.must("adam", "/closedset start 12"); strings.Contains(r.reply, "call time") {
		t.Errorf("a closed set before its call warned:\n%s", r.reply)
	}
	h.now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC) // scene 14's call was Fri 27 Nov 09:00
	r := h.must("adam", "/closedset start 14")
	for _, want := range []string{
		"the call time of scene 14 was Fri 27 Nov 2026 09:00 GMT, 3 days ago",
		"Check that it is right",
		`/scene set 14 call="YYYY-MM-DD HH:MM" once the closed set has ended`,
	} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("start reply lacks %q:\n%s", want, r.reply)
		}
	}
}

// TestRelativeTimes: a call or a rider's date may be a day counted from
// today in the production's zone, with a time of day; a weekday is the
// next one after today, a week on when it names today; the clocks'
// changes are kept to as for dates typed in full.
func TestRelativeTimes(t *testing.T) {
	h := newHarness(t).seed() // Thursday 26 November 2026, 08:30 in London (GMT)
	london, _ := time.LoadLocation("Europe/London")
	for _, tt := range []struct {
		call string
		want time.Time
	}{
		{"today 18:00", time.Date(2026, 11, 26, 18, 0, 0, 0, london)},
		{"tomorrow 10:30", time.Date(2026, 11, 27, 10, 30, 0, 0, london)},
		{"Tomorrow 9:05", time.Date(2026, 11, 27, 9, 5, 0, 0, london)},
		{"+3d 09:00", time.Date(2026, 11, 29, 9, 0, 0, 0, london)},
		{"+0d 09:00", time.Date(2026, 11, 26, 9, 0, 0, 0, london)},
		{"fri 10:30", time.Date(2026, 11, 27, 10, 30, 0, 0, london)},
		{"thu 10:30", time.Date(2026, 12, 3, 10, 30, 0, 0, london)},
		{"Monday 07:15", time.Date(2026, 11, 30, 7, 15, 0, 0, london)},
		{"2026-12-24 09:00", time.Date(2026, 12, 24, 9, 0, 0, 0, london)},
	} {
		t.Run(tt.call, func(t *testing.T) {
			h.must("ines", `/scene set 12 call="`+tt.call+`"`)
			if got := h.scene("12").Call; !got.Equal(tt.want) {
				t.Errorf("call=%q stored %v, want %v", tt.call, got, tt.want)
			}
		})
	}

	t.Run("across the clocks going forward", func(t *testing.T) {
		h.now = time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC) // the Saturday before
		h.must("ines", `/scene set 12 call="tomorrow 09:00"`)
		if got, want := h.scene("12").Call, time.Date(2027, 3, 28, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("tomorrow 09:00 stored %v, want %v (09:00 BST)", got, want)
		}
		r := h.do("ines", `/scene set 12 call="tomorrow 01:30"`)
		if r.code() != bot.EINVALID || !strings.Contains(r.reply, "2027-03-28 01:30 does not exist in Europe/London") {
			t.Errorf("a time skipped: %s %q", r.code(), r.reply)
		}
		h.now = t0
	})

	t.Run("a rider's date", func(t *testing.T) {
		h.must("ines", `/rider sent 12 @paula on="yesterday 14:00"`)
		if r := h.must("ines", "/rider status 12"); !strings.Contains(r.reply, "sent Wed 25 Nov 2026 14:00 GMT") {
			t.Errorf("on=yesterday 14:00:\n%s", r.reply)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		before := *h.scene("12")
		for _, tt := range []struct{ line, say string }{
			{`/scene set 12 call="next week"`, `bad call time "next week": write call="YYYY-MM-DD HH:MM" (Europe/London time), such as call="2026-12-03 09:00", or a day counted from today: call="today 18:00", call="tomorrow 10:30", call="+3d 09:00" (3 days from today) or call="fri 10:30" (the next Friday, never today)`},
			{`/scene set 12 call="tomorrow"`, `call="tomorrow" needs a time of day, on the 24-hour clock: call="tomorrow 10:30"`},
			{`/scene set 12 call="fri 25:00"`, `needs a time of day`},
			{`/scene add 30 title=x call="soon"`, `bad call time "soon"`},
			{`/rider sent 12 @paula on="last week"`, `bad on time "last week": write on="YYYY-MM-DD HH:MM" (Europe/London time), such as on="2026-11-24 14:00", or a day counted from today: on="today 09:15", on="yesterday 14:00"`},
		} {
			r := h.do("ines", tt.line)
			if r.code() != bot.EINVALID || !strings.Contains(r.reply, tt.say) {
				t.Errorf("%s: %s %q, want it to say %q", tt.line, r.code(), r.reply, tt.say)
			}
		}
		if diff := cmp.Diff(before, *h.scene("12")); diff != "" {
			t.Errorf("a refusal changed the scene:\n%s", diff)
		}
	})
}

// TestTimeErrorsNameNoGoZone: where the production's zone is the
// machine's own, which Go calls Local, the errors do not say "Local".
func TestTimeErrorsNameNoGoZone(t *testing.T) {
	h := newHarness(t).seed()
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithZone(time.Local), bot.WithAdmins("root"))
	r := h.do("ines", `/scene set 12 call="2026-13-01 09:00"`)
	if r.code() != bot.EINVALID || strings.Contains(r.reply, "Local") || !strings.Contains(r.reply, `call="tomorrow 10:30"`) {
		t.Errorf("bad call time in the machine's zone: %s %q", r.code(), r.reply)
	}
}

// TestPastCallNeedsConfirming: a call time in the past, on /scene add or
// /scene set, goes through only with the word past at the end; without
// it the refusal says so, shows the line to type, and changes nothing.
func TestPastCallNeedsConfirming(t *testing.T) {
	h := newHarness(t).seed() // now: Thu 26 Nov 2026 08:30 GMT
	before, audit := *h.scene("12"), h.auditLen()
	for _, tt := range []struct{ line, code, say string }{
		{`/scene set 12 call="2026-01-01 09:00"`, bot.ECONFLICT, "The call time, Thu 1 Jan 2026 09:00 GMT, is in the past (it is now Thu 26 Nov 2026 08:30 GMT). Nothing was changed. " +
			"If that is the call you mean, confirm it with the word past at the end:\n/scene set 12 call=\"2026-01-01 09:00\" past"},
		{`/scene set 12 call="today 08:00"`, bot.ECONFLICT, "is in the past"},
		{`/scene add 30 title=x call="yesterday 09:00"`, bot.ECONFLICT, "/scene add 30 title=x call=\"yesterday 09:00\" past"},
		{`/scene set 12 title=y past`, bot.EINVALID, "past confirms a call time in the past: it goes with call="},
		{`/scene set 12 call="2026-01-01 09:00" past now`, bot.EINVALID, `unexpected "past"`},
	} {
		r := h.do("ines", tt.line)
		if r.code() != tt.code || !strings.Contains(r.reply, tt.say) {
			t.Errorf("%s: %s %q, want %s saying %q", tt.line, r.code(), r.reply, tt.code, tt.say)
		}
	}
	if diff := cmp.Diff(before, *h.scene("12")); diff != "" {
		t.Errorf("a refusal changed scene 12:\n%s", diff)
	}
	if got := h.auditLen(); got != audit {
		t.Errorf("refusals were audited: %d records, was %d", got, audit)
	}

	h.must("ines", `/scene set 12 call="2026-01-01 09:00" past`)
	if got, want := h.scene("12").Call, time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("confirmed move stored %v, want %v", got, want)
	}
	h.must("ines", `/scene add 30 title=x call="yesterday 09:00" PAST`)
	h.must("ines", `/scene set 30 call="tomorrow 09:00" past`) // past confirms nothing here, and harms nothing
	// A scene may still be called past.
	h.must("ines", `/scene add past title=x call="tomorrow 09:00"`)
	h.must("ines", `/scene set past title=y`)
}

// TestRiderTexts: a performer without a rider reads as "no rider yet",
// and the notice as people say it: "the 48-hour deadline", "notice 48
// hours"; a notice of whole days from four days on, "5-day".
func TestRiderTexts(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 30 title=x call="tomorrow 09:00" performers=@paula`)
	r := h.must("ines", "/rider status 30")
	for _, want := range []string{
		"notice 48 hours",
		"@paula: no rider yet; deadline Wed 25 Nov 2026 09:00 GMT; LATE: the 48-hour deadline (Wed 25 Nov 2026 09:00 GMT) has passed",
	} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("the IC's rider status lacks %q:\n%s", want, r.reply)
		}
	}
	if r := h.must("adam", "/rider status 30"); !strings.Contains(r.reply, "@paula: no rider yet, late") {
		t.Errorf("the AD's rider status:\n%s", r.reply)
	}

	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithZone(time.UTC), bot.WithRiderNotice(5*24*time.Hour))
	r = h.must("ines", "/rider status 30")
	for _, want := range []string{"notice 5 days", "the 5-day deadline"} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("with a notice of five days, the rider status lacks %q:\n%s", want, r.reply)
		}
	}
}

// TestRiderInTheFutureIsRefused: a rider dated later than now is refused
// with the reason and an example, and changes nothing; one dated this
// minute or earlier is recorded.
func TestRiderInTheFutureIsRefused(t *testing.T) {
	h := newHarness(t).seed() // now: Thu 26 Nov 2026 08:30 GMT
	audit := h.auditLen()
	for _, tt := range []struct{ line, say string }{
		{`/rider signed 12 @paula on="today 08:31"`, `on="today 08:31" is Thu 26 Nov 2026 08:31 GMT, later than now (Thu 26 Nov 2026 08:30 GMT): a rider is recorded once it has happened, since the 48-hour notice counts from when the performer received it. Record it then, or give the time it happened, as in on="today 08:30" or on="yesterday 14:00".`},
		{`/rider sent 12 @paula on="2026-12-01 10:00"`, "later than now"},
	} {
		r := h.do("ines", tt.line)
		if r.code() != bot.EINVALID || !strings.Contains(r.reply, tt.say) {
			t.Errorf("%s: %s %q, want it refused saying %q", tt.line, r.code(), r.reply, tt.say)
		}
		if len(r.sent) != 0 {
			t.Errorf("%s: sent %+v", tt.line, r.sent)
		}
	}
	if got := h.auditLen(); got != audit {
		t.Errorf("refusals were audited: %d records, was %d", got, audit)
	}
	h.must("ines", `/rider signed 12 @paula on="today 08:30"`)
}

// reminderNumber finds, in /reminders list ID, the number of the
// reminder whose line holds every part.
func reminderNumber(t *testing.T, h *harness, scene string, parts ...string) string {
	t.Helper()
	r := h.must("ines", "/reminders list "+scene)
	for _, l := range strings.Split(r.reply, "\n") {
		found := true
		for _, p := range parts {
			found = found && strings.Contains(l, p)
		}
		if found {
			return strings.TrimPrefix(strings.Fields(l)[0], "#")
		}
	}
	t.Fatalf("no reminder %q in:\n%s", parts, r.reply)
	return ""
}

// TestSnoozeTooLongSaysTheLimit: a snooze longer than a reminder allows,
// even one too long to count, is refused with the longest snooze the
// reminder allows, and changes nothing; a reminder without a deadline may
// be put off by a year at most. Days may be given as d.
func TestSnoozeTooLongSaysTheLimit(t *testing.T) {
	h := newHarness(t).seed()                                                         // now: Thu 26 Nov 2026 08:30 GMT
	h.must("ines", `/scene add 30 title=x call="2026-12-06 09:00" performers=@paula`) // its check-in is due the day before
	checkIn := reminderNumber(t, h, "30", "check-in", "@paula", "pending")
	h.must("adam", "/closedset end 15")
	aftercare := reminderNumber(t, h, "15", "aftercare", "@paula", "pending")
	audit := h.auditLen()
	for _, tt := range []struct{ line, say string }{
		{"/reminders snooze " + checkIn + " 999999999h", "999999999h is more than reminder #" + checkIn + " may be snoozed: that is past the scene's call time, Sun 6 Dec 2026 09:00 GMT; a check-in must come before the shoot. Nothing was changed. The longest snooze it allows is "},
		{"/reminders snooze " + checkIn + " 99999999999999999999999h", "may be snoozed"},
		{"/reminders snooze " + checkIn + " 30d", "cannot be snoozed to"},
		{"/reminders snooze " + aftercare + " 999999999h", "a reminder without a deadline may be put off by a year at most. Nothing was changed. The longest snooze it allows is 365 days, to "},
		{"/reminders snooze " + aftercare + " 400d", "put off by a year at most"},
	} {
		r := h.do("ines", tt.line)
		if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, tt.say) || strings.Contains(r.reply, "not a length of time") {
			t.Errorf("%s: %s %q, want a refusal saying %q", tt.line, r.code(), r.reply, tt.say)
		}
	}
	if got := h.auditLen(); got != audit {
		t.Errorf("refusals were audited: %d records, was %d", got, audit)
	}
	for _, bad := range []string{"soon", "0h", "-2h", "2x"} {
		if r := h.do("ines", "/reminders snooze "+checkIn+" "+bad); r.code() != bot.EINVALID || !strings.Contains(r.reply, "is not a length of time: use 30m, 2h, 24h or 2d") {
			t.Errorf("snooze by %q: %s %q", bad, r.code(), r.reply)
		}
	}
	if r := h.must("ines", "/reminders snooze "+aftercare+" 2d"); !strings.Contains(r.reply, "now falls due") {
		t.Errorf("a snooze of 2d: %q", r.reply)
	}
}

// namingChat is the fake chat of a platform that says when a channel does
// not exist, as the port asks: #nonexistent is unknown to it.
type namingChat struct{ *fakeChat }

func (c namingChat) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	if ch == "nonexistent" {
		return false, bot.Errorf(bot.ENOTFOUND, "channel_not_found")
	}
	return c.fakeChat.IsPrivate(ctx, ch)
}

// TestToplineToNoSuchChannel: a top-line summary asked for a channel the
// platform says does not exist is refused saying so, not as a channel
// that is not private, and nothing is posted or recorded.
func TestToplineToNoSuchChannel(t *testing.T) {
	h := newHarness(t, func(o *harnessOpt) { o.chat = namingChat{o.rec} }).seed()
	audit := h.auditLen()
	r := h.must("ines", "/topline 12 #nonexistent")
	late := joined(to(r.sent, "late", "ines"))
	if want := "The top-line summary of scene 12 was not posted: there is no channel #nonexistent, or none that icbot can see. Check the name; for a private channel, invite icbot to it first. Nothing was posted."; !strings.Contains(late, want) {
		t.Errorf("late reply %q, want %q", late, want)
	}
	if strings.Contains(late, "private channel, and") || strings.Contains(late, "channel_not_found") {
		t.Errorf("late reply reads as a public channel or shows the platform's code: %q", late)
	}
	for _, s := range r.sent {
		if s.Kind == "post" {
			t.Errorf("posted %+v", s)
		}
	}
	if got := h.scene("12").Topline.Version; got != 0 {
		t.Errorf("top-line version %d recorded, want none", got)
	}
	if got := h.auditLen(); got != audit {
		t.Errorf("audit grew from %d to %d", audit, got)
	}
}

// TestLiftingAHoldAfterAWithdrawal: a performer whose withdrawal put the
// scene on hold, and who called no hold, is told when the IC lifts it that
// their withdrawal still stands and what that means, or that their later
// answers stand; the IC hears which withdrawals and answers of no stand
// and what they mean for the beats and the closed set. A hold called with
// /hold is lifted as before.
func TestLiftingAHoldAfterAWithdrawal(t *testing.T) {
	t.Run("withdrawal standing", func(t *testing.T) {
		h := newHarness(t).seed()
		h.must("paula", "/boundaries withdraw 12")
		r := h.must("ines", "/hold lift 12")
		dm := joined(to(r.sent, "dm", "paula"))
		if strings.Contains(dm, "The hold you called") {
			t.Errorf("paula is told she called a hold: %q", dm)
		}
		for _, want := range []string{
			"The IC (@ines) has lifted the hold on scene 12 that followed your withdrawal of consent. Lifting the hold changes none of your answers.",
			"Your withdrawal of consent to b1 still stands: beat b1 cannot be filmed as written, and a closed set cannot start while it stands, unless the IC decides to start one anyway with a written reason",
			"/boundaries answer 12 b1=yes",
		} {
			if !strings.Contains(dm, want) {
				t.Errorf("paula's DM lacks %q:\n%s", want, dm)
			}
		}
		for _, want := range []string{
			"Hold lifted on scene 12",
			"Lifting the hold answers none of this, on scene 12:\n  - @paula withdrew consent to b1, which still stands\nThose beats cannot be filmed as written.",
			`/closedset start 12 stays refused until the performers answer again (a withdrawal, or a beat to discuss), unless you start it with force reason="...".`,
		} {
			if !strings.Contains(r.reply, want) {
				t.Errorf("the IC's reply lacks %q:\n%s", want, r.reply)
			}
		}
		if r := h.do("adam", "/closedset start 12"); r.code() != bot.ECONFLICT {
			t.Errorf("closed set started over a standing withdrawal: %s", r.reply)
		}
		if strings.Contains(joined(to(r.sent, "dm", "adam")), "b1") {
			t.Errorf("the AD learned which beat: %+v", to(r.sent, "dm", "adam"))
		}
	})
	t.Run("answered no since", func(t *testing.T) {
		h := newHarness(t).seed()
		h.must("paula", "/boundaries withdraw 12")
		h.must("paula", "/boundaries answer 12 b1=no")
		r := h.must("ines", "/hold lift 12")
		if dm := joined(to(r.sent, "dm", "paula")); !strings.Contains(dm, "You have answered since: no to b1. Those beats will not be filmed as written.") {
			t.Errorf("paula's DM:\n%s", dm)
		}
		if !strings.Contains(r.reply, "@paula answered no to b1\nThose beats cannot be filmed as written.") || strings.Contains(r.reply, "stays refused") {
			t.Errorf("the IC's reply:\n%s", r.reply)
		}
	})
	t.Run("answered yes since", func(t *testing.T) {
		h := newHarness(t).seed()
		h.must("paula", "/boundaries withdraw 12")
		h.must("paula", "/boundaries answer 12 b1=yes")
		r := h.must("ines", "/hold lift 12")
		if dm := joined(to(r.sent, "dm", "paula")); !strings.Contains(dm, "You have answered again since, and your answers stand as you gave them.") {
			t.Errorf("paula's DM:\n%s", dm)
		}
		if strings.Contains(r.reply, "answers none of this") {
			t.Errorf("the IC is told of refusals that do not stand:\n%s", r.reply)
		}
	})
	t.Run("a yes taken back during the closed set", func(t *testing.T) {
		h := newHarness(t).seed()
		h.must("adam", "/closedset start 12")
		h.must("paula", "/boundaries answer 12 b1=no")
		r := h.must("ines", "/hold lift 12")
		dm := joined(to(r.sent, "dm", "paula"))
		if !strings.Contains(dm, "that followed your change of answers during the closed set") || !strings.Contains(dm, "You have answered since: no to b1.") {
			t.Errorf("paula's DM:\n%s", dm)
		}
		if !strings.Contains(r.reply, "@paula answered no to b1") || strings.Contains(r.reply, "stays refused") {
			t.Errorf("the IC's reply:\n%s", r.reply)
		}
	})
	t.Run("a hold called with /hold", func(t *testing.T) {
		h := newHarness(t).seed()
		h.must("paula", "/hold 12 consent withdrawn: a reason typed as icbot writes one")
		r := h.must("ines", "/hold lift 12")
		if dm := joined(to(r.sent, "dm", "paula")); !strings.HasPrefix(dm, "The hold you called on scene 12 has been lifted by @ines.") {
			t.Errorf("paula's DM: %q", dm)
		}
	})
}

// TestSetEndedOnHoldSaysSo: a closed set ended while the scene is on hold
// does not say there is nothing more to do.
func TestSetEndedOnHoldSaysSo(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/hold 15 tired")
	r := h.must("adam", "/closedset end 15")
	for _, s := range r.sent {
		if strings.Contains(s.Text, "nothing more to do") {
			t.Errorf("%s %s: %q", s.Kind, s.To, s.Text)
		}
	}
	if !strings.Contains(joined(r.sent), "still on hold: talk to the IC") {
		t.Errorf("nobody was told the scene is still on hold: %q", joined(r.sent))
	}
}

// TestReadyRefusedWhileARiderIsOverdue: a scene cannot be marked ready
// while a performer's rider deadline has passed unsigned, the condition
// on which icbot marks it not ready itself; the AD reads no rider detail.
func TestReadyRefusedWhileARiderIsOverdue(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 40 title="Dune" call="+1d 09:00" performers=@paula`)
	h.must("ines", "/scene set 40 status=draft")
	r := h.do("adam", "/scene set 40 status=ready")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "@paula: rider deadline passed unsigned") || strings.Contains(r.reply, "GMT") {
		t.Errorf("the AD: %s %q", r.code(), r.reply)
	}
	if got := h.scene("40").Status; got != bot.StatusDraft {
		t.Errorf("status %s after a refusal", got)
	}
	h.must("ines", "/rider signed 40 @paula")
	h.must("ines", "/scene set 40 status=ready") // signed: icbot would not mark it not ready either
}

// TestADWhoCalledAHoldToldOnceOfItsLift: an AD who called a hold hears
// of its lift once, as its caller, not twice.
func TestADWhoCalledAHoldToldOnceOfItsLift(t *testing.T) {
	h := newHarness(t).seed()
	h.must("adam", "/hold 12 light is going")
	r := h.must("ines", "/hold lift 12")
	if got := to(r.sent, "dm", "adam"); len(got) != 1 || !strings.Contains(got[0].Text, "The hold you called on scene 12") {
		t.Errorf("adam got %d DMs: %+v", len(got), got)
	}
}

// TestFormShowsAWithdrawal: the answer form marks a beat the performer
// withdrew from, rather than showing it as never answered.
func TestFormShowsAWithdrawal(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/boundaries withdraw 12 b1")
	r := h.must("paula", "/boundaries form 12")
	if !strings.Contains(r.reply, "b1") || !strings.Contains(r.reply, "(you withdrew your consent; answer again to give it)") {
		t.Errorf("the form: %q", r.reply)
	}
}
