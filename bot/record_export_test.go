package bot_test

import (
	"context"
	"slices"
	"testing"

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
			if c.answers == slices.Contains(r.Withheld, "boundaries") {
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
