package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

var linkRE = regexp.MustCompile(`https://icbot\.test/board/login\?t=([A-Za-z0-9_-]+)`)

// boardToken runs /icbot board as caller and returns the token of the
// link DMed to them.
func (h *harness) boardToken(caller string) string {
	h.t.Helper()
	r := h.must(caller, "/icbot board")
	for _, s := range r.sent {
		if m := linkRE.FindStringSubmatch(s.Text); m != nil {
			if s.Kind != "dm" || s.To != caller {
				h.t.Fatalf("the link went to %s %s, not by DM to %s", s.Kind, s.To, caller)
			}
			return m[1]
		}
	}
	h.t.Fatalf("no link DMed to %s: %+v", caller, r.sent)
	return ""
}

// boardLogin signs caller in through a link and returns the cookie.
func (h *harness) boardLogin(caller string) string {
	h.t.Helper()
	s, err := h.bot.BoardLogin(context.Background(), h.boardToken(caller))
	if err != nil {
		h.t.Fatalf("login of %s: %v", caller, err)
	}
	return s.Token
}

func TestBoardLinkWorksOnce(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	tok := h.boardToken("adam")
	s, err := h.bot.BoardLogin(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if s.Person != "adam" || s.Token == "" || s.CSRF == "" || s.Token == tok {
		t.Fatalf("session %+v", s)
	}
	if got, want := s.Expires, h.now.Add(12*time.Hour); !got.Equal(want) {
		t.Errorf("session ends %v, want %v", got, want)
	}
	if _, err := h.bot.BoardLogin(ctx, tok); !errors.Is(err, bot.ErrBoardLink) {
		t.Errorf("the link used again: %v, want it refused", err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), tok + "A"} {
		if _, err := h.bot.BoardLogin(ctx, bad); !errors.Is(err, bot.ErrBoardLink) {
			t.Errorf("token %q: %v, want it refused", bad, err)
		}
	}
	v, err := h.bot.BoardViewer(ctx, s.Token)
	if err != nil || v.Person != "adam" || !slices.Equal(v.Roles, []bot.Role{bot.RoleAD}) {
		t.Errorf("viewer %+v, %v", v, err)
	}
}

func TestBoardLinkExpires(t *testing.T) {
	for _, tt := range []struct {
		after time.Duration
		ok    bool
	}{{9*time.Minute + 59*time.Second, true}, {10 * time.Minute, false}, {time.Hour, false}} {
		t.Run(tt.after.String(), func(t *testing.T) {
			h := newHarness(t).seed()
			tok := h.boardToken("ines")
			h.now = h.now.Add(tt.after)
			_, err := h.bot.BoardLogin(context.Background(), tok)
			if tt.ok && err != nil {
				t.Errorf("refused: %v", err)
			}
			if !tt.ok && !errors.Is(err, bot.ErrBoardLink) {
				t.Errorf("%v, want the expired link refused", err)
			}
		})
	}
}

func TestBoardSessionExpires(t *testing.T) {
	h := newHarness(t).seed()
	cookie := h.boardLogin("ines")
	h.now = h.now.Add(12*time.Hour - time.Second)
	if _, err := h.bot.BoardWeek(context.Background(), cookie, ""); err != nil {
		t.Fatalf("before 12 hours: %v", err)
	}
	h.now = h.now.Add(time.Second)
	if _, err := h.bot.BoardWeek(context.Background(), cookie, ""); !errors.Is(err, bot.ErrBoardSignedOut) {
		t.Errorf("after 12 hours: %v, want signed out", err)
	}
}

// TestBoardLinkBoundToPerson: a link signs in the person it was sent
// to, whoever uses it, and that person reads only what they may.
func TestBoardLinkBoundToPerson(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	paula := h.boardLogin("paula")
	pete := h.boardLogin("pete")
	if v, _ := h.bot.BoardViewer(ctx, paula); v.Person != "paula" {
		t.Errorf("paula's link signed in %q", v.Person)
	}
	if _, err := h.bot.BoardScene(ctx, paula, "14"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("paula reading pete's scene 14: %v, want not found", err)
	}
	if _, err := h.bot.BoardScene(ctx, pete, "14"); err != nil {
		t.Errorf("pete reading his scene 14: %v", err)
	}
	if _, err := h.bot.BoardScene(ctx, "not-a-session", "12"); !errors.Is(err, bot.ErrBoardSignedOut) {
		t.Errorf("no session: %v", err)
	}
}

func TestBoardRefusals(t *testing.T) {
	h := newHarness(t).seed()
	if r := h.do("nobody", "/icbot board"); r.code() != bot.EFORBIDDEN || len(r.sent) > 0 {
		t.Errorf("a person without a role: %q %q, sent %v", r.code(), r.reply, r.sent)
	}
	if r := h.do("ines", "/icbot board now"); r.code() != bot.EINVALID || len(r.sent) > 0 {
		t.Errorf("an extra word: %q %q", r.code(), r.reply)
	}
	off := newHarness(t).seed()
	off.bot = bot.New(off.store, off.chat, bot.WithClock(func() time.Time { return off.now }))
	r := off.do("ines", "/icbot board")
	if r.code() != bot.EUNAVAILABLE || !strings.Contains(r.reply, "http.public_url") || len(r.sent) > 0 {
		t.Errorf("no board served: %q %q %v", r.code(), r.reply, r.sent)
	}
}

// TestBoardSessionEndsWithRole: taking any role away from a person ends
// their board sessions at once, and voids their unused links.
func TestBoardSessionEndsWithRole(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	adam := h.boardLogin("adam")
	link := h.boardToken("adam")
	ines := h.boardLogin("ines")
	v0, _ := h.bot.BoardChanges()
	h.must("root", "/icbot role add @adam crew")
	if _, err := h.bot.BoardWeek(ctx, adam, ""); err != nil {
		t.Fatalf("a role given ends nothing: %v", err)
	}
	h.must("root", "/icbot role remove @adam crew")
	if v1, _ := h.bot.BoardChanges(); v1 <= v0 {
		t.Errorf("changes did not move: %d -> %d", v0, v1)
	}
	if _, err := h.bot.BoardWeek(ctx, adam, ""); !errors.Is(err, bot.ErrBoardSignedOut) {
		t.Errorf("after a role was taken away: %v, want signed out", err)
	}
	if _, err := h.bot.BoardLogin(ctx, link); !errors.Is(err, bot.ErrBoardLink) {
		t.Errorf("a link sent before: %v, want it void", err)
	}
	if _, err := h.bot.BoardWeek(ctx, ines, ""); err != nil {
		t.Errorf("another person's session ended too: %v", err)
	}
}

func TestBoardLogout(t *testing.T) {
	h := newHarness(t).seed()
	ctx := context.Background()
	one, two := h.boardLogin("priya"), h.boardLogin("priya")
	other := h.boardLogin("dana")
	v, err := h.bot.BoardViewer(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.BoardLogout(ctx, one, "wrong"); bot.ErrorCode(err) != bot.EFORBIDDEN {
		t.Errorf("a sign-out without the CSRF token: %v", err)
	}
	if _, err := h.bot.BoardViewer(ctx, one); err != nil {
		t.Fatalf("the refused sign-out ended the session: %v", err)
	}
	if err := h.bot.BoardLogout(ctx, one, v.CSRF); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{one, two} {
		if _, err := h.bot.BoardViewer(ctx, c); !errors.Is(err, bot.ErrBoardSignedOut) {
			t.Errorf("after sign-out: %v", err)
		}
	}
	if _, err := h.bot.BoardViewer(ctx, other); err != nil {
		t.Errorf("dana's session ended: %v", err)
	}
	three := h.boardLogin("dana")
	r := h.must("dana", "/icbot board logout")
	if !strings.Contains(r.reply, "2 sessions ended") {
		t.Errorf("reply %q", r.reply)
	}
	for _, c := range []string{other, three} {
		if _, err := h.bot.BoardViewer(ctx, c); !errors.Is(err, bot.ErrBoardSignedOut) {
			t.Errorf("after /icbot board logout: %v", err)
		}
	}
}

// TestBoardWeekByRole: who sees which scenes and marks on the week page.
func TestBoardWeekByRole(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", `/boundaries answer 12 b1=discuss`)
	ctx := context.Background()
	type want struct {
		scenes    string
		consent   bool // per-performer answers' marks
		riders    bool
		counts    bool
		deadlines int
	}
	for caller, w := range map[string]want{
		"ines":  {"12 14 15 16", true, true, true, 4},
		"adam":  {"12 14 15 16", false, true, true, 4},
		"priya": {"12 14 15 16", false, true, true, 4},
		"paula": {"12 15", true, true, false, 2},
		"cora":  {"12 14 15 16", false, false, false, 0},
		"gary":  {"12 14 15 16", false, false, false, 0},
	} {
		t.Run(caller, func(t *testing.T) {
			wk, err := h.bot.BoardWeek(ctx, h.boardLogin(caller), "")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			var consent, riders, counts bool
			for _, d := range wk.Days {
				for _, r := range d.Scenes {
					ids = append(ids, string(r.ID))
					counts = counts || r.Readiness != nil
					for _, m := range r.Marks {
						consent = consent || m.Consent != ""
						riders = riders || m.Rider != ""
					}
				}
			}
			if got := strings.Join(ids, " "); got != w.scenes {
				t.Errorf("scenes %q, want %q", got, w.scenes)
			}
			if consent != w.consent || riders != w.riders || counts != w.counts || len(wk.Deadlines) != w.deadlines {
				t.Errorf("consent %v riders %v counts %v deadlines %d; want %+v", consent, riders, counts, len(wk.Deadlines), w)
			}
		})
	}
}

// boardCanaries are the leak test's canaries beyond the chat's: a closed
// set's override reason, the IC's alone.
var boardCanaries = map[string][]string{
	"CANARY-OVERRIDE-6d2": {"ines"},
}

// TestBoardLeaks puts the chat leak test's canaries in every private
// field, then builds every board page for every person with a role: no
// canary may reach anyone outside its audience, each must reach the
// last of its audience, and none may be in the log, nor a link's token.
func TestBoardLeaks(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, withLocker(&lockingChat{}))
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithLogger(logger),
		bot.WithAdmins("root"), bot.WithSetChannel("set"), bot.WithBoard("https://icbot.test"))
	h.seed()
	h.rec.addPrivate("props-room", "pat", "ines")
	h.rec.addPrivate("stunts-room", "sid", "ines")
	for _, c := range [][2]string{
		{"ines", "/dept channel props #props-room"},
		{"dana", `/scene intent 12 "CANARY-INTENT-4f1"`},
		{"ines", `/scene beat set 12 b1 camera="CANARY-CAMERA-6a3" conditions="CANARY-COND-8b7" props="CANARY-PROPS-1d5" stunts="CANARY-STUNTS-0e6" widens=no`},
		{"paula", `/boundaries answer 12 b1=yes notes="CANARY-NOTE-7d1" garments="CANARY-GARMENT-3a9" body="CANARY-BODY-5c2"`},
		{"ines", `/rider sent 12 @paula terms="CANARY-TERMS-9e4"`},
		{"ines", "/topline 12"},
		{"pete", "/hold 16 CANARY-HOLD-2b8"},
		{"ines", `/choreo set 12 b1 "CANARY-CHOREO-3c7" steps="CANARY-STEPS-5e2; second"`},
		{"ines", `/rehearsal log 12 b1 present=@paula,@dana changes="CANARY-CHANGES-7a4"`},
		{"paula", "/rehearsal dispute 12 1 CANARY-DISPUTE-9f1"},
		{"ines", `/closedset start 12 force reason="CANARY-OVERRIDE-6d2"`},
		{"ines", `/take 12 b1 note="CANARY-TAKE-3c1" drift=yes`},
		{"ines", "/closedset end 12"},
	} {
		h.must(c[0], c[1])
	}
	all := map[string][]string{}
	for k, v := range canaries {
		all[k] = v
	}
	for k, v := range boardCanaries {
		all[k] = v
	}
	ctx := context.Background()
	reached := map[string][]string{}
	var tokens []string
	for _, caller := range callers {
		if caller == "root" || caller == "nobody" {
			continue // no role: no board (TestPermissionMatrix)
		}
		tok := h.boardToken(caller)
		tokens = append(tokens, tok)
		s, err := h.bot.BoardLogin(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		var pages []string
		wk, err := h.bot.BoardWeek(ctx, s.Token, "")
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, boardText(t, wk))
		for _, id := range []bot.SceneID{"12", "14", "15", "16"} {
			sc, err := h.bot.BoardScene(ctx, s.Token, id)
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			pages = append(pages, boardText(t, sc))
		}
		page := strings.Join(pages, "\n")
		for canary, audience := range all {
			if !strings.Contains(page, canary) {
				continue
			}
			reached[canary] = append(reached[canary], caller)
			if !slices.Contains(audience, caller) {
				t.Errorf("%s reached %s on the board", canary, caller)
			}
		}
	}
	for canary, audience := range all {
		if canary == "CANARY-QUOTE-8d3" {
			// A script's proposals are not on the board: the IC reads
			// them with /scene breakdown. Checked above that no one
			// else reads it there either.
			continue
		}
		if !slices.Contains(reached[canary], audience[len(audience)-1]) {
			t.Errorf("%s never reached %s on the board: the test does not exercise it", canary, audience[len(audience)-1])
		}
	}
	for canary := range all {
		if strings.Contains(logs.String(), canary) {
			t.Errorf("%s is in the log", canary)
		}
	}
	for _, tok := range tokens {
		if strings.Contains(logs.String(), tok) {
			t.Errorf("a link's token is in the log")
		}
	}
}

// boardText is everything a page's data holds, as text: its fields, and
// what the texts it lays out by method say.
func boardText(t *testing.T, page any) string {
	t.Helper()
	raw, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{string(raw)}
	if sc, ok := page.(bot.BoardScene); ok {
		for _, c := range sc.Record.Consent {
			out = append(out, c.Text())
		}
		for _, r := range sc.Record.Riders {
			out = append(out, r.Line())
		}
		for _, s := range sc.Record.Sessions {
			out = append(out, s.Card())
		}
	}
	return strings.Join(out, "\n")
}

// TestBoardChanges: a committed change moves the counter and wakes the
// open pages; a read does not.
func TestBoardChanges(t *testing.T) {
	h := newHarness(t).seed()
	v0, ch := h.bot.BoardChanges()
	h.must("ines", "/scene show 12")
	select {
	case <-ch:
		t.Fatal("a read woke the board's pages")
	default:
	}
	h.must("ines", `/scene rename 12 "Lake house, dawn"`)
	select {
	case <-ch:
	default:
		t.Fatal("a change did not wake the board's pages")
	}
	if v1, _ := h.bot.BoardChanges(); v1 <= v0 {
		t.Errorf("counter %d -> %d", v0, v1)
	}
}

// TestWithdrawalShowsOnlyAsAHold: a withdrawal during a closed set puts
// the scene on hold; the AD, director and producer read only that, in
// chat and on the board, not a count that changed with it.
func TestWithdrawalShowsOnlyAsAHold(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/boundaries answer 12 b1=yes")
	h.must("ines", "/closedset start 12 force reason=test")
	h.must("paula", "/boundaries withdraw 12 b1")
	ctx := context.Background()
	for _, who := range []string{"adam", "dana", "priya"} {
		if r := h.must(who, "/boundaries status 12").reply; strings.Contains(r, "withdrawn") || !strings.Contains(r, "on hold") {
			t.Errorf("%s's /boundaries status during the hold: %q", who, r)
		}
		s, err := h.bot.BoardLogin(ctx, h.boardToken(who))
		if err != nil {
			t.Fatal(err)
		}
		wk, err := h.bot.BoardWeek(ctx, s.Token, "")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := h.bot.BoardScene(ctx, s.Token, "12")
		if err != nil {
			t.Fatal(err)
		}
		for _, page := range []string{boardText(t, wk), boardText(t, sc)} {
			if strings.Contains(page, "withdrawn 1") || strings.Contains(page, `"Withdrawn":1`) || strings.Contains(page, "consent withdrawn by") {
				t.Errorf("%s's board shows the withdrawal during its hold:\n%s", who, page)
			}
		}
	}
}
