package bot_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

func TestExportParseAudience(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bot.Audience
		err  string
	}{
		{in: "ic", want: bot.Audience{Role: bot.RoleIC}},
		{in: "AD", want: bot.Audience{Role: bot.RoleAD}},
		{in: "hmu", want: bot.Audience{Role: bot.RoleHMU}},
		{in: "performer:@paula", want: bot.Audience{Role: bot.RolePerformer, Performer: "paula"}},
		{in: "performer:paula", want: bot.Audience{Role: bot.RolePerformer, Performer: "paula"}},
		{in: "", err: bot.EINVALID},
		{in: "performer", err: bot.EINVALID},
		{in: "performer:@", err: bot.EINVALID},
		{in: "ad:@adam", err: bot.EINVALID},
		{in: "camera", err: bot.EINVALID}, // a role the table opens nothing private to: no export of its own
		{in: "nobody", err: bot.EINVALID},
	} {
		t.Run(c.in, func(t *testing.T) {
			got, err := bot.ParseAudience(c.in)
			if bot.ErrorCode(err) != c.err && !(c.err == "" && err == nil) {
				t.Fatalf("error %v, want code %q", err, c.err)
			}
			if err == nil && got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestExportRecordGate reads scene 12 (Paula's, with her notes, garments
// and body notes) and scene 16 (Pete's, on a hold he called) as every
// audience, and checks each private part against the need-to-know table.
func TestExportRecordGate(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=yes notes="N-notes" garments="N-garments" body="N-body"`)
	read := func(aud bot.Audience, id bot.SceneID) bot.SceneRecord {
		t.Helper()
		e, err := h.bot.SceneRecord(context.Background(), id, aud)
		if aud.Role == bot.RolePerformer && bot.ErrorCode(err) == bot.EFORBIDDEN {
			return bot.SceneRecord{} // another performer's scene: not theirs to read at all
		}
		if err != nil {
			t.Fatalf("%s, scene %s: %v", aud, id, err)
		}
		if e.Schema != bot.SceneSchema || e.Production != "Test" || e.Audience != aud.String() {
			t.Errorf("head %+v", e.RecordHead)
		}
		return e.Scene
	}
	type consent struct{ notes, garments, body string }
	for _, c := range []struct {
		aud        bot.Audience
		detail     bool    // beats and performers of scene 12
		consent    consent // Paula's, in scene 12
		answers    bool
		terms      bool   // rider dates of scene 12
		holdReason string // scene 16
		sessions   bool   // scene 15's closed set
	}{
		{aud: bot.Audience{Role: bot.RoleIC}, detail: true, consent: consent{"N-notes", "N-garments", "N-body"}, answers: true, terms: true, holdReason: "needs a break", sessions: true},
		{aud: bot.Audience{Role: bot.RoleAD}, detail: true, sessions: true},
		{aud: bot.Audience{Role: bot.RoleDirector}, detail: true, sessions: true},
		{aud: bot.Audience{Role: bot.RoleProducer}, detail: true, sessions: true},
		{aud: bot.Audience{Role: bot.RoleCostume}, consent: consent{garments: "N-garments"}},
		{aud: bot.Audience{Role: bot.RoleHMU}, consent: consent{body: "N-body"}},
		{aud: bot.Audience{Role: bot.RolePerformer, Performer: "paula"}, detail: true, consent: consent{"N-notes", "N-garments", "N-body"}, answers: true, terms: true, sessions: true},
		{aud: bot.Audience{Role: bot.RolePerformer, Performer: "pete"}, holdReason: "needs a break"},
	} {
		t.Run(c.aud.String(), func(t *testing.T) {
			r := read(c.aud, "12")
			if got := len(r.Beats) > 0 && len(r.Performers) > 0; got != c.detail {
				t.Errorf("scene detail shown %v, want %v", got, c.detail)
			}
			var got consent
			answers := false
			if len(r.Consent) > 0 {
				got = consent{r.Consent[0].Notes, r.Consent[0].Garments, r.Consent[0].Body}
				answers = len(r.Consent[0].Answers) > 0
			}
			if got != c.consent || answers != c.answers {
				t.Errorf("consent %+v (answers %v), want %+v (answers %v)", got, answers, c.consent, c.answers)
			}
			if terms := len(r.Riders) > 0 && r.Riders[0].SignedAt != ""; terms != c.terms {
				t.Errorf("rider dates shown %v, want %v", terms, c.terms)
			}
			if c.detail != (len(r.Riders) > 0) {
				t.Errorf("riders %+v, want some %v", r.Riders, c.detail)
			}
			if r.ID != "" && c.answers == slices.Contains(r.Withheld, "boundaries") {
				t.Errorf("withheld %v", r.Withheld)
			}
			r16 := read(c.aud, "16")
			reason := ""
			if len(r16.Holds) > 0 {
				reason = r16.Holds[0].Reason
				if (r16.Holds[0].CalledBy != "") != (reason != "") {
					t.Errorf("hold %+v: caller and reason go together", r16.Holds[0])
				}
			}
			if reason != c.holdReason {
				t.Errorf("hold reason %q, want %q", reason, c.holdReason)
			}
			if got := len(read(c.aud, "15").Sessions) > 0; got != c.sessions {
				t.Errorf("scene 15's closed set shown %v, want %v", got, c.sessions)
			}
		})
	}
}

// TestExportProductionRecord lists every scene in script order, and
// refuses an audience that names someone who is not a performer.
func TestExportProductionRecord(t *testing.T) {
	h := newHarness(t).seed()
	e, err := h.bot.ProductionRecord(context.Background(), bot.Audience{Role: bot.RoleAD})
	if err != nil {
		t.Fatal(err)
	}
	var ids []bot.SceneID
	for _, sc := range e.Scenes {
		ids = append(ids, sc.ID)
	}
	if want := []bot.SceneID{"12", "14", "15", "16"}; !slices.Equal(ids, want) || e.Schema != bot.ProductionSchema {
		t.Errorf("scenes %v, schema %s", ids, e.Schema)
	}
	for _, who := range []bot.UserID{"adam", "zoe"} {
		_, err := h.bot.ProductionRecord(context.Background(), bot.Audience{Role: bot.RolePerformer, Performer: who})
		if err == nil {
			t.Errorf("performer:@%s accepted", who)
		}
	}
}

// productionRecordCanaries are the canaries withProductionRecord puts in
// scene 12 (Paula's), with the audiences that may read each.
var productionRecordCanaries = map[string][]string{
	"CANARY-CHOREO-TEXT":  {"ic", "director", "performer:@paula"},
	"CANARY-CHOREO-STEP":  {"ic", "director", "performer:@paula"},
	"CANARY-REH-CHANGES":  {"ic", "director", "performer:@paula"},
	"CANARY-REH-DISPUTE":  {"ic", "performer:@paula"},
	"CANARY-TAKE-NOTE":    {"ic", "director"},
	"CANARY-TAKE-DRIFTED": {"ic", "director"},
}

// withProductionRecord writes choreography, a rehearsal and takes into
// scene 12, as the choreography and rehearsal commands and /take would.
func withProductionRecord(h *harness) {
	h.editScene("12", func(sc *bot.Scene) {
		sc.Beats[0].Choreo = []bot.ChoreoVersion{
			{Version: 1, Text: "kiss on three", By: "ines", At: t0, Changed: []string{"text"}},
			{Version: 2, Text: "CANARY-CHOREO-TEXT", Steps: []string{"lean in", "CANARY-CHOREO-STEP"}, By: "dana", At: t0.Add(time.Hour), Changed: []string{"text", "steps"}},
		}
		sc.Rehearsals = []bot.Rehearsal{{Seq: 1, At: t0, By: "ines", Present: []bot.UserID{"paula", "ines", "dana"}, Beats: []string{"b1"},
			Changes:       "CANARY-REH-CHANGES",
			Confirmations: []bot.RehearsalConfirmation{{Performer: "paula", At: t0.Add(time.Hour), Note: "CANARY-REH-DISPUTE"}}}}
		sc.Takes = []bot.Take{
			{Seq: 1, Session: 1, Beat: "b1", Choreo: 2, Note: "CANARY-TAKE-NOTE", By: "ines", At: t0},
			{Seq: 2, Session: 1, Beat: "b1", Choreo: 2, Note: "CANARY-TAKE-DRIFTED", Drifted: true, By: "ines", At: t0.Add(time.Minute)},
		}
	})
}

// TestExportRecordProductionRecord: the choreography, the rehearsals and
// the takes each reach only their audience, in the record, its JSON and
// its Markdown, and each is named as withheld from the others.
func TestExportRecordProductionRecord(t *testing.T) {
	h := newHarness(t).seed()
	withProductionRecord(h)
	audiences := []bot.Audience{{Role: bot.RoleIC}, {Role: bot.RoleAD}, {Role: bot.RoleDirector}, {Role: bot.RoleProducer},
		{Role: bot.RoleCostume}, {Role: bot.RoleHMU}, {Role: bot.RolePerformer, Performer: "paula"}, {Role: bot.RolePerformer, Performer: "pete"}}
	for _, aud := range audiences {
		t.Run(aud.String(), func(t *testing.T) {
			e, err := h.bot.SceneRecord(context.Background(), "12", aud)
			if aud.Role == bot.RolePerformer && bot.ErrorCode(err) == bot.EFORBIDDEN {
				for canary, readers := range productionRecordCanaries {
					if slices.Contains(readers, aud.String()) {
						t.Errorf("%s may read %s, but the scene was refused", aud, canary)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			md := e.Markdown(h.bot)
			for canary, readers := range productionRecordCanaries {
				want := slices.Contains(readers, aud.String())
				if got := strings.Contains(string(js), canary); got != want {
					t.Errorf("%s in the JSON: %v, want %v", canary, got, want)
				}
				if got := strings.Contains(md, canary); got != want {
					t.Errorf("%s in the Markdown: %v, want %v", canary, got, want)
				}
			}
			for _, part := range []struct {
				label string
				has   bool
			}{{"choreography", len(e.Scene.Choreography) > 0}, {"rehearsal records", len(e.Scene.Rehearsals) > 0}, {"take log", len(e.Scene.Takes) > 0}} {
				if withheld := slices.Contains(e.Scene.Withheld, part.label); withheld == part.has {
					t.Errorf("%s: filled %v, withheld %v (%v)", part.label, part.has, withheld, e.Scene.Withheld)
				}
			}
		})
	}
	// The IC's record in full: the current version with its steps and
	// every version's author; the rehearsal with its dispute; the takes
	// with the version they were held against.
	e, err := h.bot.SceneRecord(context.Background(), "12", bot.Audience{Role: bot.RoleIC})
	if err != nil {
		t.Fatal(err)
	}
	r := e.Scene
	if len(r.Choreography) != 1 || r.Choreography[0].Version != 2 || r.Choreography[0].By != "@dana" || len(r.Choreography[0].Steps) != 2 ||
		len(r.Choreography[0].History) != 2 || r.Choreography[0].History[0].By != "@ines" || !slices.Equal(r.Choreography[0].History[1].Changed, []string{"text", "steps"}) {
		t.Errorf("choreography %+v", r.Choreography)
	}
	if len(r.Rehearsals) != 1 || !slices.Equal(r.Rehearsals[0].Present, []string{"@paula", "@ines", "@dana"}) ||
		len(r.Rehearsals[0].Confirmations) != 1 || r.Rehearsals[0].Confirmations[0].Confirmed {
		t.Errorf("rehearsals %+v", r.Rehearsals)
	}
	if len(r.Takes) != 2 || r.Takes[1].Choreo != 2 || !r.Takes[1].Drifted || r.Takes[1].Session != 1 {
		t.Errorf("takes %+v", r.Takes)
	}
	md := e.Markdown(h.bot)
	for _, want := range []string{
		"### Choreography\n\n- b1, version 2, by @dana, Thu 26 Nov 2026 09:30 GMT: CANARY-CHOREO-TEXT\n  1. lean in\n  2. CANARY-CHOREO-STEP\n",
		"| b1 | 1 | @ines | Thu 26 Nov 2026 08:30 GMT | text |",
		"### Rehearsals\n\n| Rehearsal | When | Logged by | Present | Beats | What changed |",
		"| 1 | @paula | disputed | Thu 26 Nov 2026 09:30 GMT | CANARY-REH-DISPUTE |",
		"### Takes\n\n| Take | When | Closed set | Beat | Choreography | Drift | Note |",
		"| 2 | Thu 26 Nov 2026 08:31 GMT | 1 | b1 | v2 | drifted | CANARY-TAKE-DRIFTED |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the IC's Markdown lacks %q:\n%s", want, md)
		}
	}
}

// TestToplineRecordIsAsPosted: the scene record's top-line is the version
// posted, what its channel read; a withdrawal since (its hold running)
// does not show in anyone's record but the IC's, who also reads the
// beats as they stand when nothing was posted. Before a post, no one
// else reads its beats.
func TestToplineRecordIsAsPosted(t *testing.T) {
	lc := &lockingChat{}
	h := newHarness(t, withLocker(lc)).seed()
	lc.setMembers("scene-12", "ines", "adam", "dana", "priya", "paula")
	ad := bot.Audience{Role: bot.RoleAD}
	ic := bot.Audience{Role: bot.RoleIC}
	read := func(aud bot.Audience) *bot.ToplineRecord {
		t.Helper()
		e, err := h.bot.SceneRecord(context.Background(), "12", aud)
		if err != nil {
			t.Fatal(err)
		}
		return e.Scene.Topline
	}
	if tl := read(ad); tl == nil || !tl.Withheld || len(tl.Agreed)+len(tl.Restricted)+len(tl.Pending) != 0 {
		t.Errorf("before a post, the AD reads %+v", tl)
	}
	if tl := read(ic); tl == nil || !tl.AsItStands {
		t.Errorf("before a post, the IC reads %+v", tl)
	}
	h.must("paula", "/boundaries answer 12 b1=yes")
	h.must("ines", "/topline 12")
	posted := read(ad)
	if posted == nil || posted.Version != 1 || posted.Withheld || !slices.ContainsFunc(posted.Agreed, func(s string) bool { return strings.HasPrefix(s, "b1 ") }) {
		t.Fatalf("after the post, the AD reads %+v", posted)
	}
	h.must("ines", "/closedset start 12 force reason=test")
	h.must("paula", "/boundaries withdraw 12 b1")
	for _, aud := range []bot.Audience{ad, {Role: bot.RoleDirector}, {Role: bot.RoleProducer}} {
		if tl := read(aud); !slices.Equal(tl.Agreed, posted.Agreed) || !slices.Equal(tl.Restricted, posted.Restricted) {
			t.Errorf("after a withdrawal, %s reads %+v, not the version posted %+v", aud, tl, posted)
		}
	}
}
