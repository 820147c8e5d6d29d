package bot_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"icbot/bot"
)

// afterBeatNewsWindow moves the clock past the window that beat edits
// made until now gather in, runs the outbox, and returns what it sent.
func (h *harness) afterBeatNewsWindow() []sent {
	h.t.Helper()
	h.now = h.now.Add(bot.BeatNewsWindow)
	return h.deliverDue()
}

// deliverDue runs the outbox at the clock's time and returns what it sent.
func (h *harness) deliverDue() []sent {
	h.t.Helper()
	if _, err := h.bot.DeliverDue(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return h.rec.take()
}

// performerDMs are the messages sent to paula and pete; every one must be
// a DM of scene detail, never a post.
func performerDMs(t *testing.T, ss []sent) map[string][]sent {
	t.Helper()
	out := map[string][]sent{}
	for _, s := range ss {
		if (s.To != "paula" && s.To != "pete" && !strings.HasPrefix(s.To, "scene-")) || privacyNotice(s) {
			continue
		}
		if s.Kind != "dm" || s.Class != bot.ClassSceneDetail {
			t.Errorf("beat news went as %s to %s, class %s: %q", s.Kind, s.To, s.Class, s.Text)
			continue
		}
		out[s.To] = append(out[s.To], s)
	}
	return out
}

// newPoolScene adds scene 20 for paula and pete, without beats.
func newPoolScene(t *testing.T) *harness {
	h := newHarness(t).seed()
	h.must("ines", `/scene add 20 title="Pool" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-20`)
	return h
}

// TestBeatEditsReachPerformersOnceAsked: beat edits before the IC's first
// request tell nobody; the request asks at once; the edits of the next
// few minutes then go to each performer as one message, with every
// change; an edit after that window is a message of its own.
func TestBeatEditsReachPerformersOnceAsked(t *testing.T) {
	h := newPoolScene(t)
	for _, line := range []string{
		`/scene beat add 20 "Kiss in the water" kind=contact`,
		`/scene beat add 20 "Paula leaves the pool, back to camera" kind=nudity areas=back performers=@paula`,
		`/scene beat add 20 "Hug on the steps" kind=contact`,
	} {
		if got := performerDMs(t, h.must("ines", line).sent); len(got) != 0 {
			t.Errorf("%s before any request messaged %v", line, got)
		}
	}
	if got := performerDMs(t, h.afterBeatNewsWindow()); len(got) != 0 {
		t.Errorf("beat adds before any request were queued for later: %v", got)
	}

	r := h.must("ines", "/boundaries request 20")
	asked := performerDMs(t, r.sent)
	for _, p := range []string{"paula", "pete"} {
		if got := asked[p]; len(got) != 1 || !strings.Contains(got[0].Text, "The IC asks for your boundaries") {
			t.Errorf("%s got %d request(s) at once: %+v", p, len(got), got)
		}
	}
	if got := asked["pete"][0].Text; strings.Contains(got, "Paula leaves the pool") {
		t.Errorf("pete was asked about paula's beat: %q", got)
	}
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes b3=yes")

	// Three edits within the window: nothing until it ends.
	start := h.now
	for i, line := range []string{
		`/scene beat add 20 "Embrace at the edge" kind=contact`,
		`/scene beat set 20 b1 "A longer kiss in the water"`,
		`/scene beat remove 20 b3`,
	} {
		h.now = start.Add(time.Duration(i) * time.Minute)
		if got := performerDMs(t, h.must("ines", line).sent); len(got) != 0 {
			t.Errorf("%s messaged at once: %v", line, got)
		}
	}
	h.now = start.Add(bot.BeatNewsWindow - time.Second)
	if got := performerDMs(t, h.deliverDue()); len(got) != 0 {
		t.Errorf("the news went before the window ended: %v", got)
	}
	h.now = start.Add(bot.BeatNewsWindow)
	news := performerDMs(t, h.deliverDue())
	for _, p := range []string{"paula", "pete"} {
		got := news[p]
		if len(got) != 1 {
			t.Fatalf("%s got %d messages for three edits, want 1: %+v", p, len(got), got)
		}
		text := got[0].Text
		for _, want := range []string{
			"The IC changed the intimacy beats of scene 20 (Pool): b4 added, b1 changed, b3 removed.",
			"b1  A longer kiss in the water [contact]", "b4  Embrace at the edge [contact]",
			"whether you agree to b1, b4:", "/boundaries form 20", "/boundaries answer 20 b1=yes|no|discuss b4=yes|no|discuss",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s's news lacks %q:\n%s", p, want, text)
			}
		}
		if strings.Contains(text, "Hug on the steps") {
			t.Errorf("%s's news lists the removed beat as theirs:\n%s", p, text)
		}
		if len(got[0].Actions) == 0 || got[0].Actions[0].Command != "/boundaries form 20" {
			t.Errorf("%s's news has buttons %+v", p, got[0].Actions)
		}
	}
	if !strings.Contains(news["paula"][0].Text, "b2  Paula leaves the pool") || strings.Contains(news["pete"][0].Text, "Paula leaves the pool") {
		t.Errorf("the beats listed are not each performer's own:\n%s\n%s", news["paula"][0].Text, news["pete"][0].Text)
	}
	// Paula's answer to the changed beat no longer counts; the others do.
	show := h.must("paula", "/boundaries show 20").reply
	if !strings.Contains(show, "b1  A longer kiss in the water [contact]: not answered since the beat changed") || !strings.Contains(show, "b2  Paula leaves the pool, back to camera [nudity]: yes") {
		t.Errorf("paula's answers after the edits: %q", show)
	}
	if got := performerDMs(t, h.afterBeatNewsWindow()); len(got) != 0 {
		t.Errorf("the news went twice: %v", got)
	}

	// An edit after the window is news of its own.
	h.now = h.now.Add(time.Hour)
	h.must("ines", `/scene beat set 20 b4 "Embrace at the edge, eyes closed"`)
	news = performerDMs(t, h.afterBeatNewsWindow())
	for _, p := range []string{"paula", "pete"} {
		got := news[p]
		if len(got) != 1 || !strings.Contains(got[0].Text, "scene 20 (Pool): b4 changed.") || strings.Contains(got[0].Text, "b1 changed") {
			t.Errorf("%s's news of the later edit: %+v", p, got)
		}
	}
}

// TestBeatRemovedLeavesPerformerWithoutBeats: a performer whose last beat
// is removed hears once that the scene no longer involves them; the other
// hears nothing of a beat that was not theirs.
func TestBeatRemovedLeavesPerformerWithoutBeats(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "Paula floats" kind=other performers=@paula`)
	h.must("ines", `/scene beat add 20 "Pete dives" kind=other performers=@pete`)
	h.must("ines", "/boundaries request 20")
	h.must("ines", "/scene beat remove 20 b2")
	news := performerDMs(t, h.afterBeatNewsWindow())
	if got := news["pete"]; len(got) != 1 || !strings.Contains(got[0].Text, "Scene 20 (Pool) no longer involves you in any intimacy beat (b2 removed).") {
		t.Errorf("pete's news: %+v", got)
	}
	if got := news["paula"]; len(got) != 0 {
		t.Errorf("paula heard of pete's beat: %+v", got)
	}
	// Removing more tells pete nothing further.
	h.must("ines", "/scene beat remove 20 b1")
	news = performerDMs(t, h.afterBeatNewsWindow())
	if got := news["pete"]; len(got) != 0 {
		t.Errorf("pete was told again: %+v", got)
	}
	if got := news["paula"]; len(got) != 1 || !strings.Contains(got[0].Text, "no longer involves you") {
		t.Errorf("paula's news: %+v", got)
	}
}

// TestBeatNewsReplacedNotAdded: a beat added and removed before the news
// went tells nobody, and a request in the window takes the place of the
// news it would repeat.
func TestBeatNewsReplacedNotAdded(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "Kiss in the water" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.must("ines", `/scene beat add 20 "Hug" kind=contact`)
	h.must("ines", "/scene beat remove 20 b2")
	if got := performerDMs(t, h.afterBeatNewsWindow()); len(got) != 0 {
		t.Errorf("a beat added and removed again was news: %v", got)
	}
	h.must("ines", `/scene beat add 20 "Hug" kind=contact`)
	r := h.must("ines", "/boundaries request 20")
	if got := performerDMs(t, r.sent); len(got["paula"]) != 1 || !strings.Contains(got["paula"][0].Text, "b3  Hug") {
		t.Errorf("the request: %v", got)
	}
	if got := performerDMs(t, h.afterBeatNewsWindow()); len(got) != 0 {
		t.Errorf("news the request already gave went too: %v", got)
	}
	if news := h.scene("20").Asking.News; len(news) != 0 {
		t.Errorf("news left on the scene: %+v", news)
	}
}

// TestDeliveryLoopSendsBeatNewsOnTime: the delivery loop, idle with
// nothing to send, learns of news queued for later and sends it when the
// window ends, not before, with nobody calling DeliverDue.
func TestDeliveryLoopSendsBeatNewsOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newBubble(t, "Europe/London")
		b.do("ines", `/scene add 20 title="Pool" call="2030-12-03 09:00" performers=@paula,@pete`)
		b.do("ines", `/scene beat add 20 "Kiss in the water" kind=contact`)
		b.do("ines", "/boundaries request 20")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- b.bot.RunDeliveries(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("RunDeliveries: %v", err)
			}
		}()
		synctest.Wait() // idle: nothing pending
		if got := performerDMs(t, b.do("ines", `/scene beat add 20 "Hug" kind=contact`).sent); len(got) != 0 {
			t.Fatalf("the news went at once: %v", got)
		}
		time.Sleep(bot.BeatNewsWindow - time.Second)
		synctest.Wait()
		if got := performerDMs(t, b.rec.take()); len(got) != 0 {
			t.Fatalf("the news went before the window ended: %v", got)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		got := performerDMs(t, b.rec.take())
		for _, p := range []string{"paula", "pete"} {
			if len(got[p]) != 1 || !strings.Contains(got[p][0].Text, "b2 added") {
				t.Errorf("%s's news from the loop: %+v", p, got[p])
			}
		}
	})
}

// TestBeatNewsFollowsAnswersAndRemovals: news still waiting is written
// again when its performer answers meanwhile, so it asks only what is
// still open; a performer taken off the scene, or a scene removed, has
// no news sent.
func TestBeatNewsFollowsAnswersAndRemovals(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "Kiss in the water" kind=contact`)
	h.must("ines", "/boundaries request 20")
	h.must("ines", `/scene beat add 20 "Hug on the steps" kind=contact`)
	h.must("paula", "/boundaries answer 20 b1=yes b2=yes")
	news := performerDMs(t, h.afterBeatNewsWindow())
	if got := news["paula"]; len(got) != 1 || strings.Contains(got[0].Text, "b2=yes|no|discuss") || !strings.Contains(got[0].Text, "Nothing new to answer") {
		t.Errorf("paula, who answered meanwhile, read: %+v", got)
	}
	if got := news["pete"]; len(got) != 1 || !strings.Contains(got[0].Text, "b2=yes|no|discuss") {
		t.Errorf("pete, who did not, read: %+v", got)
	}

	h.must("ines", `/scene beat add 20 "Swim away" kind=contact`)
	h.must("ines", "/scene set 20 performers=@paula")
	if n := h.queuedFor("pete"); n != 0 {
		t.Errorf("%d messages still queued for pete, taken off the scene", n)
	}
	if got := performerDMs(t, h.afterBeatNewsWindow())["pete"]; len(got) != 0 {
		t.Errorf("pete, taken off the scene, was sent its news: %+v", got)
	}

	h.must("ines", `/scene beat add 20 "Towel" kind=contact`)
	h.must("ines", "/scene remove 20")
	if n := h.queuedFor("paula"); n != 0 {
		t.Errorf("%d messages of a removed scene still queued for paula", n)
	}
	if got := performerDMs(t, h.afterBeatNewsWindow()); len(got) != 0 {
		t.Errorf("news of a removed scene was sent: %+v", got)
	}
}

// queuedFor counts the messages waiting in the outbox for a person.
func (h *harness) queuedFor(who string) int {
	h.t.Helper()
	n := 0
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		for _, d := range ds {
			if d.Message.To.User == bot.UserID(who) {
				n++
			}
		}
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestBeatNewsOnlyWhatConcernsThem: a performer added to a beat and taken
// off it again within the window hears nothing of it; news waiting for
// the others is written again when a performer leaves the scene, so it
// names no one who left; and a performer named in a beat cannot be taken
// off the scene until the beat changes.
func TestBeatNewsOnlyWhatConcernsThem(t *testing.T) {
	h := newPoolScene(t)
	h.must("ines", `/scene beat add 20 "Kiss in the water" kind=contact`)
	h.must("ines", `/scene beat add 20 "Paula topless" kind=nudity areas=chest performers=@paula`)
	h.must("ines", "/boundaries request 20")
	h.must("ines", "/scene beat set 20 b2 performers=@paula,@pete")
	h.must("ines", "/scene beat set 20 b2 performers=@paula")
	news := performerDMs(t, h.afterBeatNewsWindow())
	if got := news["pete"]; len(got) != 0 {
		t.Errorf("pete heard of a beat that no longer involves him: %q", got[0].Text)
	}
	if got := news["paula"]; len(got) != 1 {
		t.Errorf("paula got %d messages", len(got))
	}

	r := h.do("ines", "/scene set 20 performers=@pete")
	if r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "@paula is in beat b2 of scene 20") {
		t.Errorf("taking paula off while b2 names her: %s %q", r.code(), r.reply)
	}
	if sc := h.scene("20"); !sc.IsPerformer("paula") {
		t.Error("the refused change took paula off the scene")
	}

	h.must("ines", `/scene beat set 20 b1 "Long kiss"`)
	h.must("ines", "/scene beat remove 20 b2")
	h.must("ines", "/scene set 20 performers=@paula")
	for _, s := range performerDMs(t, h.afterBeatNewsWindow())["paula"] {
		if strings.Contains(s.Text, "@pete") {
			t.Errorf("paula's news names pete, who left the scene: %q", s.Text)
		}
	}
}

// TestBeatEditSaysWhenPerformersHear: the IC's reply to a beat edit says
// when the performers hear of it: when the IC asks, or within the window.
func TestBeatEditSaysWhenPerformersHear(t *testing.T) {
	h := newPoolScene(t)
	if r := h.must("ines", `/scene beat add 20 "Kiss" kind=contact`); !strings.Contains(r.reply, "hear of it when you ask for their boundaries (/boundaries request 20)") {
		t.Errorf("before a request: %q", r.reply)
	}
	h.must("ines", "/boundaries request 20")
	if r := h.must("ines", `/scene beat set 20 b1 "Long kiss"`); !strings.Contains(r.reply, "hear of it within 5 minutes") || strings.Contains(r.reply, "have been asked again") {
		t.Errorf("after a request: %q", r.reply)
	}
}
