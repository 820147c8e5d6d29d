package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"icbot/adapters/web"
	"icbot/bot"
	"icbot/storage"
)

// BenchmarkBoardWeek renders the week page for the IC of a production
// with 200 scenes in the week, each with two performers and three
// beats, most answered, riders in every state: the whole request, from
// the session's check through the store's read and the gate to the
// HTML. It reports the page's size besides time and memory.
//
//	go test ./adapters/web -run '^$' -bench BenchmarkBoardWeek -benchmem
func BenchmarkBoardWeek(b *testing.B) {
	st, err := storage.Open(filepath.Join(b.TempDir(), "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(rigKey))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ch := &dmChat{}
	now := rigStart
	bt := bot.New(st, ch, bot.WithClock(func() time.Time { return now }), bot.WithBoard("https://icbot.example.org"))
	seedWeek(b, st, 200)
	cmd := bot.Command{Caller: "ines", CallerName: "ines", Channel: "set", Text: "/icbot board"}
	out := bt.Handle(context.Background(), cmd)
	bt.FollowUp(context.Background(), out)
	dms := ch.take("ines")
	if out.Err != nil || len(dms) == 0 {
		b.Fatalf("no link: %v", out.Err)
	}
	tok := benchTokenRE.FindStringSubmatch(dms[0])
	if tok == nil {
		b.Fatalf("no link in %q", dms[0])
	}
	s, err := bt.BoardLogin(context.Background(), tok[1])
	if err != nil {
		b.Fatal(err)
	}
	h := web.New(bt, web.Options{})
	req := httptest.NewRequest("GET", "/board/", nil)
	req.AddCookie(&http.Cookie{Name: web.CookieName, Value: s.Token})
	size := 0
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("%d: %s", w.Code, w.Body.String())
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(size), "page-bytes")
}

var benchTokenRE = regexp.MustCompile(`/board/login\?t=([A-Za-z0-9_-]+)`)

// seedWeek writes n scenes (ids from 100) over the seven days from
// rigStart's, two performers (perf00 to perf19) and three beats each,
// with answers and riders in a mix of states; 200 or more name the
// production "Two hundred scenes".
func seedWeek(b testing.TB, st *storage.Store, n int) {
	b.Helper()
	err := st.Update(context.Background(), func(tx bot.Tx) error {
		for _, p := range rigCast {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		var perfs []bot.UserID
		for i := range 20 {
			id := bot.UserID(fmt.Sprintf("perf%02d", i))
			perfs = append(perfs, id)
			if err := tx.PutPerson(bot.Person{ID: id, Name: string(id), Roles: []bot.Role{bot.RolePerformer}}); err != nil {
				return err
			}
		}
		if n >= 200 {
			if err := tx.PutProduction(bot.ProductionInfo{Name: "Two hundred scenes"}); err != nil {
				return err
			}
		}
		for i := range n {
			call := rigStart.Add(time.Duration(i%7)*24*time.Hour + time.Duration(i%10)*time.Hour + 2*time.Hour)
			ps := []bot.UserID{perfs[i%20], perfs[(i+7)%20]}
			sc := bot.Scene{ID: bot.SceneID(fmt.Sprint(100 + i)), Title: fmt.Sprintf("Scene number %d", 100+i), Call: call,
				Performers: ps, Status: bot.StatusReady, NextBeat: 3, Scope: 1}
			for j := 1; j <= 3; j++ {
				sc.Beats = append(sc.Beats, bot.Beat{ID: fmt.Sprintf("b%d", j), Description: "a beat of the scene", Kind: bot.KindContact, Rev: 1})
			}
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			for k, p := range ps {
				if (i+k)%5 != 0 {
					ans := bot.AnswerYes
					if (i+k)%7 == 0 {
						ans = bot.AnswerDiscuss
					}
					bd := bot.Boundaries{Scene: sc.ID, Performer: p, Version: 1, At: rigStart.Add(-time.Hour), Notes: "notes"}
					for _, bt := range sc.Beats {
						bd.Answers = append(bd.Answers, bot.BeatAnswer{Beat: bt.ID, Rev: 1, Answer: ans})
					}
					if err := tx.AddBoundaries(bd); err != nil {
						return err
					}
				}
				states := []bot.RiderState{bot.RiderDrafted, bot.RiderSent, bot.RiderSigned, bot.RiderSigned}
				r := bot.Rider{Scene: sc.ID, Performer: p, State: states[(i+k)%4], Terms: "terms", DraftedAt: rigStart.Add(-72 * time.Hour), Scope: 1, SentScope: 1}
				if r.State != bot.RiderDrafted {
					r.SentAt = rigStart.Add(-70 * time.Hour)
				}
				if r.State == bot.RiderSigned {
					r.SignedAt = rigStart.Add(-60 * time.Hour)
				}
				if err := tx.PutRider(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
