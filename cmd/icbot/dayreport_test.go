package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// TestExportDay: icbot export day writes the end-of-day report of the
// demo's day in Markdown, JSON and PDF, in full for the IC and without
// the hold's reason for the AD and the producer.
func TestExportDay(t *testing.T) {
	env := exportDB(t, exportDemoScript)
	for _, aud := range []string{"ic", "ad", "producer"} {
		full := aud == "ic"
		md, errs, code := icbot(t, "", env, "export", "day", "--format", "md", "--audience", aud)
		if code != 0 || errs != "" {
			t.Fatalf("%s md: exit %d: %s", aud, code, errs)
		}
		for _, want := range []string{"end-of-day report, Thu 26 Nov 2026", "Scene 12: Night swim at the lake house", "Closed set 1: started", "Carried into Fri 27 Nov 2026"} {
			if !strings.Contains(md, want) {
				t.Errorf("%s md lacks %q:\n%s", aud, want, md)
			}
		}
		if got := strings.Contains(md, "cold water"); got != full {
			t.Errorf("the hold's reason in the %s report: %v\n%s", aud, got, md)
		}
		js, _, code := icbot(t, "", env, "export", "day", "today", "--format", "json", "--audience", aud)
		var rep bot.DayReport
		if err := json.Unmarshal([]byte(js), &rep); code != 0 || err != nil || rep.Schema != bot.DaySchema || rep.Date != "2026-11-26" || rep.Counts.Sessions != 1 {
			t.Errorf("%s json: exit %d, %v: %.300s", aud, code, err, js)
		}
		if got := strings.Contains(js, "cold water"); got != full {
			t.Errorf("the hold's reason in the %s JSON: %v", aud, got)
		}
		text := pdfText(uncompressedPDF(t, env, "export", "day", "2026-11-26", "--format", "pdf", "--audience", aud))
		for _, want := range []string{"Night Swim (demo): end-of-day report, Thu 26 Nov 2026", "Made Thu 26 Nov 2026 08:00 UTC for " + aud,
			"The day in numbers", "Scene 12: Night swim at the lake house", "Closed sets", "Holds", "Carried into Fri 27 Nov 2026", "Page 1 of "} {
			if !strings.Contains(text, want) {
				t.Errorf("%s PDF lacks %q:\n%s", aud, want, text)
			}
		}
		if got := strings.Contains(text, "cold water"); got != full {
			t.Errorf("the hold's reason in the %s PDF: %v", aud, got)
		}
	}
	path := filepath.Join(t.TempDir(), "day.pdf")
	if _, errs, code := icbot(t, "", env, "export", "day", "--format", "pdf", "--audience", "ic", "--out", path); code != 0 || !strings.Contains(errs, "written to "+path) {
		t.Errorf("--out: exit %d: %s", code, errs)
	}
}

// TestExportDayRefuses: a bad day, format or audience is refused with
// the usage, before the database is opened.
func TestExportDayRefuses(t *testing.T) {
	env := tourEnv(t) // no database: a refusal must not need one
	for _, tt := range []struct {
		args []string
		say  string
	}{
		{[]string{"fri", "--format", "md", "--audience", "ic"}, `"fri" could be last or next Friday`},
		{[]string{"2026-02-30", "--format", "md", "--audience", "ic"}, `bad date "2026-02-30"`},
		{[]string{"--format", "md", "--audience", "director"}, "made for ic, ad or producer"},
		{[]string{"--format", "txt", "--audience", "ic"}, "--format must be md, json or pdf"},
		{[]string{"--format", "md"}, "--audience is required"},
		{[]string{"today", "extra", "--format", "md", "--audience", "ic"}, `unexpected argument "extra"`},
	} {
		_, errs, code := icbot(t, "", env, append([]string{"export", "day"}, tt.args...)...)
		if code != exitUsage || !strings.Contains(errs, tt.say) || !strings.Contains(errs, "usage: icbot export day [DATE]") {
			t.Errorf("%v: exit %d: %s", tt.args, code, errs)
		}
	}
}

// benchDay writes a shooting day of 20 scenes into a new store: two
// performers each, a closed set with a roster of five who all
// acknowledge, a hold called and lifted, two rehearsals and ten takes,
// each performer's boundaries answered five times, riders sent and
// signed; and 2,000 audit records in the day, 200 of them the
// boundaries answers.
func benchDay(b *testing.B, zone *time.Location, day time.Time) *storage.Store {
	st, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), storage.WithTimeout(time.Second),
		storage.WithKey([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	at := func(min int) time.Time { return day.Add(time.Duration(min) * time.Minute) }
	err = st.Update(context.Background(), func(tx bot.Tx) error {
		if err := tx.PutProduction(bot.ProductionInfo{Name: "Benchmark", Zone: zone.String()}); err != nil {
			return err
		}
		crew := []bot.Person{{ID: "ic", Name: "ines", Roles: []bot.Role{bot.RoleIC}}, {ID: "ad", Name: "adam", Roles: []bot.Role{bot.RoleAD}},
			{ID: "pr", Name: "priya", Roles: []bot.Role{bot.RoleProducer}}, {ID: "cam", Name: "cam", Roles: []bot.Role{bot.RoleCamera}}}
		for i := range 40 {
			crew = append(crew, bot.Person{ID: bot.UserID(fmt.Sprintf("p%02d", i)), Name: fmt.Sprintf("performer%02d", i), Roles: []bot.Role{bot.RolePerformer}})
		}
		for _, p := range crew {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		for i := range 20 {
			id := bot.SceneID(fmt.Sprint(i + 1))
			perf := []bot.UserID{crew[4+2*i].ID, crew[5+2*i].ID}
			start := at(8*60 + i*30)
			sc := bot.Scene{ID: id, Title: fmt.Sprintf("Scene %d of the day", i+1), Call: start, Performers: perf, Status: bot.StatusWrapped,
				Channel: bot.ChannelID("scene-" + string(id)), Scope: 1, NextBeat: 3, Sessions: 1,
				Holds: []bot.Hold{{Seq: 1, CalledBy: perf[0], At: start.Add(10 * time.Minute), Reason: "a private reason", Session: 1, LiftedBy: "ic", LiftedAt: start.Add(15 * time.Minute)}}}
			for j := range 3 {
				sc.Beats = append(sc.Beats, bot.Beat{ID: fmt.Sprintf("b%d", j+1), Description: "a beat described", Kind: bot.KindContact, Rev: 1,
					Choreo: []bot.ChoreoVersion{{Version: 1, Text: "contact points, timing, breath", By: "ic", At: start.Add(-time.Hour)}}})
			}
			for k := range 2 {
				sc.Rehearsals = append(sc.Rehearsals, bot.Rehearsal{Seq: k + 1, At: start.Add(-time.Duration(2-k) * 20 * time.Minute), By: "ic",
					Present: append(perf[:2:2], "ic"), Beats: []string{"b1", "b2"}, Changes: "what changed at this rehearsal",
					Confirmations: []bot.RehearsalConfirmation{{Performer: perf[0], At: start, Confirmed: true}, {Performer: perf[1], At: start, Note: "not how I remember it"}}})
			}
			for k := range 10 {
				sc.Takes = append(sc.Takes, bot.Take{Seq: k + 1, Session: 1, Beat: fmt.Sprintf("b%d", k%3+1), Choreo: 1, Note: "matched the choreography, eyeline early",
					Drifted: k%4 == 0, By: "ic", At: start.Add(time.Duration(20+k) * time.Minute)})
			}
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			roster := []bot.RosterMember{{User: perf[0], Role: bot.RolePerformer}, {User: perf[1], Role: bot.RolePerformer},
				{User: "ic", Role: bot.RoleIC}, {User: "ad", Role: bot.RoleAD}, {User: "cam", Role: bot.RoleCamera}}
			for r := range roster {
				roster[r].AckedAt = start.Add(time.Minute)
			}
			if err := tx.PutSession(bot.Session{Scene: id, Seq: 1, StartedBy: "ad", StartedAt: start, EndedBy: "ad", EndedAt: start.Add(25 * time.Minute),
				Roster: roster, Override: map[bool]string{true: "the IC's reason"}[i%5 == 0], Lock: bot.LockRecord{State: bot.LockReleased}}); err != nil {
				return err
			}
			for _, p := range perf {
				for v := range 5 {
					bd := bot.Boundaries{Scene: id, Performer: p, Version: v + 1, At: at(60 + i*10 + v), Notes: "a private note"}
					for _, bt := range sc.Beats {
						bd.Answers = append(bd.Answers, bot.BeatAnswer{Beat: bt.ID, Rev: 1, Answer: bot.AnswerYes})
					}
					if err := tx.AddBoundaries(bd); err != nil {
						return err
					}
				}
				if err := tx.PutRider(bot.Rider{Scene: id, Performer: p, State: bot.RiderSigned, Terms: "terms", DraftedAt: at(0), SentAt: at(1), SignedAt: at(2), Scope: 1, Version: 1}); err != nil {
					return err
				}
			}
		}
		// 2,000 audit records in the day, in time order: the 200
		// boundaries answers above, and 1,800 others.
		var recs []bot.AuditRecord
		for i := range 20 {
			for k := range 2 {
				p := crew[4+2*i+k].ID
				for v := range 5 {
					recs = append(recs, bot.AuditRecord{Time: at(60 + i*10 + v), Actor: p, Action: "boundaries.answer", Scene: bot.SceneID(fmt.Sprint(i + 1)), Summary: "boundaries"})
				}
			}
		}
		actions := []string{"closedset.ack", "scene.set", "roster.add", "rider.sent", "hold.lift", "topline.post"}
		for n := 0; len(recs) < 2000; n++ {
			recs = append(recs, bot.AuditRecord{Time: at(480 + n%600), Actor: "ad", Action: actions[n%len(actions)], Scene: bot.SceneID(fmt.Sprint(n%20 + 1)), Summary: "something routine"})
		}
		slicesSortByTime(recs)
		for _, r := range recs {
			if err := tx.Audit(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func slicesSortByTime(rs []bot.AuditRecord) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Time.Before(rs[j-1].Time); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// BenchmarkDayReport builds the IC's end-of-day report of a day with 20
// scenes and 2,000 audit records, and renders its PDF: build-ms and
// pdf-ms are each step's time, pdf-bytes the compressed PDF's size.
//
//	go test ./cmd/icbot -run '^$' -bench BenchmarkDayReport -benchtime=20x
func BenchmarkDayReport(b *testing.B) {
	zone, err := time.LoadLocation("Europe/London")
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, zone)
	st := benchDay(b, zone, day)
	bt := bot.New(st, nil, bot.WithZone(zone), bot.WithClock(func() time.Time { return day.Add(20 * time.Hour) }))
	d, err := bt.ParseDay("2026-11-30")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var build, render time.Duration
	var pdf bytes.Buffer
	var rep bot.DayReport
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		rep, err = bt.DayReport(ctx, d, bot.Audience{Role: bot.RoleIC})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		pdf.Reset()
		if err := writeDayPDF(&pdf, rep, zone); err != nil {
			b.Fatal(err)
		}
		build, render = build+t1.Sub(t0), render+time.Since(t1)
	}
	if rep.Counts.Scenes != 20 || rep.Counts.AuditRecords != 2000 || rep.Counts.ConsentChanges != 200 || rep.Counts.Takes != 200 {
		b.Fatalf("the day is not the one meant: %+v", rep.Counts)
	}
	b.ReportMetric(float64(build.Microseconds())/1000/float64(b.N), "build-ms/op")
	b.ReportMetric(float64(render.Microseconds())/1000/float64(b.N), "pdf-ms/op")
	b.ReportMetric(float64(pdf.Len()), "pdf-bytes")
	b.ReportMetric(float64(len(rep.Markdown(bt))), "md-bytes")
}

// TestExportDayLeak is TestExportLeak for the end-of-day report: in
// every format, for each of its audiences, no canary appears that the
// audience may not read; the IC's version holds the day's private
// records (who called each hold and why, the override's reason, the
// rehearsal's changes and dispute, the take's note), so the check can
// fail.
func TestExportDayLeak(t *testing.T) {
	env := leakDB(t)
	icMust := []string{"CANARY-HOLD-pete", "CANARY-HOLD-adam", "CANARY-OVERRIDE", "CANARY-REH-CHANGES", "CANARY-REH-DISPUTE", "CANARY-TAKE"}
	for _, aud := range []string{"ic", "ad", "producer"} {
		for _, f := range []string{"md", "json", "pdf"} {
			var out string
			if f == "pdf" {
				out = pdfText(uncompressedPDF(t, env, "export", "day", "--format", f, "--audience", aud))
			} else {
				var errs string
				var code int
				out, errs, code = icbot(t, "", env, "export", "day", "--format", f, "--audience", aud)
				if code != 0 {
					t.Fatalf("export day %s %s: exit %d: %s", f, aud, code, errs)
				}
			}
			for canary, readers := range canaryReaders {
				if strings.Contains(out, canary) && !slices.Contains(readers, aud) {
					t.Errorf("day report %s for %s holds %s", f, aud, canary)
				}
			}
			if aud == "ic" {
				for _, c := range icMust {
					if !strings.Contains(out, c) {
						t.Errorf("day report %s for the IC lacks %s", f, c)
					}
				}
			}
		}
	}
}

// TestExportWarnsOfAnotherZone: an export run in another zone than the
// one icbot last ran in says so, naming the flag that reads times as the
// production does; in the same zone it says nothing.
func TestExportWarnsOfAnotherZone(t *testing.T) {
	env := exportDB(t, exportDemoScript) // run in UTC
	for _, args := range [][]string{
		{"export", "day", "--format", "md", "--audience", "ic"},
		{"export", "scene", "12", "--format", "md", "--audience", "ic"},
		{"audit", "export"},
	} {
		if _, errs, code := icbot(t, "", env, args...); code != 0 || strings.Contains(errs, "time zone") {
			t.Errorf("%v in the production's zone: exit %d: %s", args, code, errs)
		}
		other := maps.Clone(env)
		other["ICBOT_PRODUCTION_TIMEZONE"] = "Pacific/Kiritimati"
		_, errs, code := icbot(t, "", other, args...)
		if code != 0 || !strings.Contains(errs, "icbot last ran in the production's time zone UTC, but this reads times in Pacific/Kiritimati: add --timezone UTC") {
			t.Errorf("%v in another zone: exit %d: %q", args, code, errs)
		}
	}
}
