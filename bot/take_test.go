package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// editScene changes a scene straight in the store, as a command of
// another part of icbot would (the choreography, the rehearsal log).
func (h *harness) editScene(id bot.SceneID, edit func(*bot.Scene)) {
	h.t.Helper()
	if err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		sc, err := tx.Scene(id)
		if err != nil {
			return err
		}
		edit(&sc)
		return tx.PutScene(sc)
	}); err != nil {
		h.t.Fatal(err)
	}
}

// withChoreography gives scene 12's b1 two versions of choreography.
func withChoreography(h *harness) {
	h.editScene("12", func(sc *bot.Scene) {
		sc.Beats[0].Choreo = []bot.ChoreoVersion{
			{Version: 1, Text: "kiss on three", By: "ines", At: t0.Add(-48 * time.Hour), Changed: []string{"text"}},
			{Version: 2, Text: "kiss on four, hands at the shoulders", Steps: []string{"lean in", "hold four counts"}, By: "ines", At: t0.Add(-24 * time.Hour), Changed: []string{"text", "steps"}},
		}
	})
}

// TestTake: during scene 12's closed set the IC notes takes of b1; each
// is kept with the session, the choreography version in force, its own
// number and whether it drifted, and the audit names the take, never
// the note.
func TestTake(t *testing.T) {
	h := newHarness(t).seed()
	withChoreography(h)
	h.must("adam", "/closedset start 12")
	session := h.scene("12").Session
	if session == 0 {
		t.Fatal("no closed set running on scene 12")
	}
	r := h.must("ines", `/take 12 b1 note="kiss held four counts; hands on the shoulders"`)
	if len(r.out.Replies) != 1 || r.out.Replies[0].Class != bot.ClassTakes || !strings.Contains(r.reply, "Take 1 of scene 12 noted") ||
		!strings.Contains(r.reply, "take 1  b1 (against choreography v2), matched: kiss held four counts") {
		t.Errorf("reply: %+v", r.out.Replies)
	}
	if len(r.sent) > 0 {
		t.Errorf("a take sent messages: %+v", r.sent)
	}
	h.now = h.now.Add(10 * time.Minute)
	h.must("ines", `/take 12 B1 note="hand drifted to the waist" drift=yes`)
	sc := h.scene("12")
	want := []bot.Take{
		{Seq: 1, Session: session, Beat: "b1", Choreo: 2, Note: "kiss held four counts; hands on the shoulders", By: "ines", At: t0},
		{Seq: 2, Session: session, Beat: "b1", Choreo: 2, Note: "hand drifted to the waist", Drifted: true, By: "ines", At: t0.Add(10 * time.Minute)},
	}
	if len(sc.Takes) != len(want) {
		t.Fatalf("takes %+v", sc.Takes)
	}
	for i := range want {
		got := sc.Takes[i]
		if got.Seq != want[i].Seq || got.Session != want[i].Session || got.Beat != want[i].Beat || got.Choreo != want[i].Choreo ||
			got.Note != want[i].Note || got.Drifted != want[i].Drifted || got.By != want[i].By || !got.At.Equal(want[i].At) {
			t.Errorf("take %d: %+v, want %+v", i+1, got, want[i])
		}
	}
	// A beat without choreography: held against version 0.
	h.editScene("12", func(sc *bot.Scene) { sc.Beats[0].Choreo = nil })
	h.must("ines", `/take 12 b1 note="no choreography yet"`)
	if got := h.scene("12").Takes[2]; got.Choreo != 0 || got.Seq != 3 {
		t.Errorf("take without choreography: %+v", got)
	}
	var audited []string
	h.store.AuditLog(context.Background(), func(a bot.AuditRecord) error {
		if a.Action == "take.note" {
			audited = append(audited, string(a.Actor)+": "+a.Summary)
		}
		for _, note := range []string{"four counts", "waist", "no choreography"} {
			if strings.Contains(a.Summary, note) {
				t.Errorf("audit record %d holds a take's note: %q", a.Seq, a.Summary)
			}
		}
		return nil
	})
	if len(audited) != 3 || !strings.HasPrefix(audited[1], "ines: take 2 of scene 12 noted") {
		t.Errorf("audit: %q", audited)
	}
}

// TestTakeRefusals: a take outside a closed set, of a beat the scene
// does not have, or without a note is refused with the usage, and
// changes nothing.
func TestTakeRefusals(t *testing.T) {
	h := newHarness(t).seed()
	cases := []struct {
		line, code, want string
	}{
		{`/take 12 b1 note="kiss"`, bot.EINVALID, "Scene 12 has no closed set running"},
		{`/take 14 b1 note="kiss"`, bot.EINVALID, "Scene 14 has no closed set running"},
		{`/take 15 b1 note="kiss"`, bot.ENOTFOUND, "Scene 15 has no beat b1"},
		{`/take 99 b1 note="kiss"`, bot.ENOTFOUND, "There is no scene 99"},
	}
	check := func() {
		t.Helper()
		for _, c := range cases {
			before, auditBefore := h.scene("12").Version, h.auditLen()
			r := h.do("ines", c.line)
			if r.code() != c.code || !strings.Contains(r.reply, c.want) {
				t.Errorf("%s: %s %q, want %s with %q", c.line, r.code(), r.reply, c.code, c.want)
			}
			// A value too long is refused with the line, before the command is read.
			if !strings.Contains(c.want, "at most") {
				if !strings.Contains(r.reply, "Usage: /take ID BEAT note=\"...\" [drift=yes|no]") {
					t.Errorf("%s: no usage in %q", c.line, r.reply)
				}
			}
			if h.auditLen() != auditBefore || h.scene("12").Version != before || len(h.scene("12").Takes) != 0 || len(r.sent) > 0 {
				t.Errorf("%s changed something", c.line)
			}
		}
	}
	check()
	h.must("adam", "/closedset start 12")
	cases = []struct {
		line, code, want string
	}{
		{`/take 12 b9 note="kiss"`, bot.ENOTFOUND, "Scene 12 has no beat b9"},
		{`/take 12 x1 note="kiss"`, bot.EINVALID, "is not a beat id"},
		{`/take 12 b1`, bot.EINVALID, "missing note="},
		{`/take 12 b1 note=""`, bot.EINVALID, "the note cannot be empty"},
		{`/take 12 b1 note="   "`, bot.EINVALID, "the note cannot be empty"},
		{`/take 12 note="kiss"`, bot.EINVALID, "missing beat id"},
		{`/take 12 b1 note="kiss" drift=maybe`, bot.EINVALID, "drift= takes yes or no"},
		{`/take 12 b1 b2 note="kiss"`, bot.EINVALID, `unexpected "b2"`},
		{`/take 12 b1 note="` + strings.Repeat("n", 1001) + `"`, bot.EINVALID, "at most 1000"},
		{`/take 12 b1 note="kiss" reason="x"`, bot.EINVALID, "unknown key reason="},
	}
	check()
	// Once the closed set has ended, no more takes.
	h.must("adam", "/closedset end 12")
	cases = cases[:0]
	cases = append(cases, struct{ line, code, want string }{`/take 12 b1 note="kiss"`, bot.EINVALID, "Scene 12 has no closed set running"})
	check()
}

// takeLogScene runs scene 12's closed set with two takes and a hold
// between them, called by cam on the roster, and a second closed set
// with one take.
func takeLogScene(t *testing.T) *harness {
	h := newHarness(t).seed()
	h.now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	h.must("adam", "/closedset start 12")
	h.now = h.now.Add(5 * time.Minute)
	h.must("ines", `/take 12 b1 note="first take matched"`)
	h.now = h.now.Add(5 * time.Minute)
	h.must("cam", "/hold 12 cold water, need a robe")
	h.now = h.now.Add(5 * time.Minute)
	h.must("ines", "/hold lift 12")
	h.now = h.now.Add(5 * time.Minute)
	h.must("ines", `/take 12 b1 note="second take drifted at the end" drift=yes`)
	h.must("adam", "/closedset end 12")
	h.now = h.now.Add(time.Hour)
	h.must("adam", "/closedset start 12")
	h.must("ines", `/take 12 b1 note="pickup take"`)
	return h
}

// TestTakeLog: the IC's take log has the holds of the closed set between
// the takes, at their times, with who called them and why; the
// director's has the takes alone. By default it is the running closed
// set's, or the latest; session=N picks another.
func TestTakeLog(t *testing.T) {
	h := takeLogScene(t)
	// The running closed set, 2, by default.
	r := h.must("ines", "/take log 12")
	if !strings.Contains(r.reply, "Take log of scene 12, closed set 2") || !strings.Contains(r.reply, "take 3  b1 (no choreography written), matched: pickup take") ||
		strings.Contains(r.reply, "first take") || strings.Contains(r.reply, "HOLD") {
		t.Errorf("IC's log of closed set 2:\n%s", r.reply)
	}
	r = h.must("ines", "/take log 12 session=1")
	want := "Take log of scene 12, closed set 1 (started Thu 26 Nov 2026 09:00 GMT, ended Thu 26 Nov 2026 09:20 GMT):\n" +
		"09:05  take 1  b1 (no choreography written), matched: first take matched\n" +
		"09:10  HOLD 1 called by @cam (reason: cold water, need a robe); lifted 09:15 by @ines\n" +
		"09:20  take 2  b1 (no choreography written), drifted: second take drifted at the end"
	if r.reply != want {
		t.Errorf("IC's log of closed set 1:\n%s\nwant:\n%s", r.reply, want)
	}
	if len(r.out.Replies) != 1 || r.out.Replies[0].Class != bot.ClassHoldCaller {
		t.Errorf("a log naming a hold's caller goes as %v, want the hold caller's class", r.out.Replies[0].Class)
	}
	// The director reads the takes, and nothing of the hold.
	r = h.must("dana", "/take log 12 session=1")
	for _, secret := range []string{"HOLD", "cam", "cold water", "robe"} {
		if strings.Contains(r.reply, secret) {
			t.Errorf("the director's log holds %q:\n%s", secret, r.reply)
		}
	}
	if !strings.Contains(r.reply, "take 1  b1") || !strings.Contains(r.reply, "take 2  b1") || r.out.Replies[0].Class != bot.ClassTakes {
		t.Errorf("the director's log:\n%s", r.reply)
	}
	// After the end, the latest closed set is the default.
	h.must("adam", "/closedset end 12")
	if r := h.must("dana", "/take log 12"); !strings.Contains(r.reply, "closed set 2") || !strings.Contains(r.reply, "pickup take") {
		t.Errorf("default after the end:\n%s", r.reply)
	}
	// A scene that has had no closed set, and one without takes.
	if r := h.must("ines", "/take log 14"); !strings.Contains(r.reply, "Scene 14 has had no closed set yet") {
		t.Errorf("no closed set: %q", r.reply)
	}
	if r := h.must("dana", "/take log 15"); !strings.Contains(r.reply, "No takes noted in this closed set.") {
		t.Errorf("no takes: %q", r.reply)
	}
	for line, wantErr := range map[string]string{
		"/take log 12 session=3":   "Scene 12 has no closed set 3: its closed sets are numbers 1 to 2",
		"/take log 12 session=0":   "is not a closed set's number",
		"/take log 12 session=two": "is not a closed set's number",
		"/take log 14 session=1":   "Scene 14 has had no closed set yet",
		"/take log 12 extra":       `unexpected "extra"`,
	} {
		if r := h.do("ines", line); r.code() != bot.EINVALID || !strings.Contains(r.reply, wantErr) || !strings.Contains(r.reply, "Usage: /take log ID [session=N]") {
			t.Errorf("%s: %s %q, want %q", line, r.code(), r.reply, wantErr)
		}
	}
}

// TestTakePermissions: only the IC notes takes; the IC and the director
// read the log; everyone else, the scene's performers and the AD among
// them, is refused plainly and learns nothing.
func TestTakePermissions(t *testing.T) {
	h := takeLogScene(t)
	for _, caller := range callers {
		before := len(h.scene("12").Takes)
		r := h.do(caller, `/take 12 b1 note="by `+caller+`"`)
		switch caller {
		case "ines":
			if r.out.Err != nil {
				t.Errorf("the IC's take refused: %v %s", r.out.Err, r.reply)
			}
		default:
			if r.code() != bot.EFORBIDDEN || len(h.scene("12").Takes) != before {
				t.Errorf("%s noted a take: %s %q", caller, r.code(), r.reply)
			}
		}
		r = h.do(caller, "/take log 12 session=1")
		switch caller {
		case "ines", "dana":
			if r.out.Err != nil || !strings.Contains(r.reply, "first take matched") {
				t.Errorf("%s cannot read the take log: %v %s", caller, r.out.Err, r.reply)
			}
		default:
			if r.code() != bot.EFORBIDDEN || strings.Contains(r.reply, "take matched") || !strings.Contains(r.reply, "Only the intimacy coordinator or the director can run /take log") && caller != "nobody" && caller != "root" {
				t.Errorf("%s: %s %q", caller, r.code(), r.reply)
			}
		}
	}
}

// TestSceneCalledLogRefused: "log" would read as /take log, so no scene
// may be called so.
func TestSceneCalledLogRefused(t *testing.T) {
	h := newHarness(t).seed()
	r := h.do("ines", `/scene add log "Lumber yard" call="2026-12-04 10:00"`)
	if r.code() != bot.EINVALID || !strings.Contains(r.reply, "reserved word") {
		t.Errorf("/scene add log: %s %q, want a reserved word refused", r.code(), r.reply)
	}
}

// TestTakeFlagsHoldsAndUnagreedBeats: a take noted while the scene is on
// hold, or of a beat a performer in it has not agreed to, is noted (it is
// the record of what happened) and the IC is told plainly.
func TestTakeFlagsHoldsAndUnagreedBeats(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/closedset start 12 force reason="take test"`)
	r := h.must("ines", `/take 12 b1 note="clean"`)
	if strings.Contains(r.reply, "on hold") || strings.Contains(r.reply, "not agreed") {
		t.Errorf("a take with nothing to flag: %q", r.reply)
	}
	h.must("paula", `/hold 12 "a minute"`)
	if r := h.must("ines", `/take 12 b1 note="during the hold"`); !strings.Contains(r.reply, "Scene 12 is on hold since") {
		t.Errorf("a take during a hold is not flagged: %q", r.reply)
	}
	h.must("ines", "/hold lift 12")
	h.must("paula", "/boundaries withdraw 12 b1")
	h.must("ines", "/hold lift 12")
	if r := h.must("ines", `/take 12 b1 note="after the withdrawal"`); !strings.Contains(r.reply, "Beat b1 is not agreed, as it stands, by @paula") {
		t.Errorf("a take of a withdrawn beat is not flagged: %q", r.reply)
	}
}
