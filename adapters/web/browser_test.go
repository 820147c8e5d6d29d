package web_test

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"icbot/adapters/internal/browser"
)

// The board in a real browser: headless Chromium (Debian's package
// chromium), one for the test binary, a browser context with its own
// cookies for each person. Without Chromium these tests skip, except in
// CI, where they fail (adapters/internal/browser).

func TestMain(m *testing.M) { browser.Main(m) }

// roleOf is the role each rig person signs in with, for the test names.
var roleOf = map[string]string{
	"ines": "IC", "adam": "AD", "dana": "director", "priya": "producer",
	"paula": "performer", "pete": "performer", "cora": "costume", "hana": "hmu",
	"cam": "camera", "pat": "props", "sid": "stunts", "gary": "crew",
}

// view is a page as the browser shows it.
type view struct {
	Status int
	Path   string
	H1     string
	HTML   string // document.documentElement.outerHTML
	Text   string // document.body.innerText
	// Wide is how wide the page is laid out, Window the window's width.
	Wide, Window int
}

// open navigates to u and reads the page back from the browser.
func open(t *testing.T, ctx context.Context, u string) view {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("opening %s: %v", u, err)
	}
	v := read(t, ctx)
	v.Status = int(resp.Status)
	return v
}

// read reads the page open in ctx.
func read(t *testing.T, ctx context.Context) view {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`({
		Path: location.pathname,
		H1: (document.querySelector("h1") || {innerText: ""}).innerText,
		HTML: document.documentElement.outerHTML,
		Text: document.body ? document.body.innerText : "",
		Wide: document.scrollingElement.scrollWidth,
		Window: window.innerWidth,
	})`))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	return v
}

// press clicks the element sel and waits for the page it leads to.
func press(t *testing.T, ctx context.Context, sel string) view {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("pressing %s: %v", sel, err)
	}
	v := read(t, ctx)
	v.Status = int(resp.Status)
	return v
}

// useLink opens a board link as its person does, from the DM, and
// presses the page's button.
func useLink(t *testing.T, ctx context.Context, link string) view {
	t.Helper()
	v := open(t, ctx, link)
	if v.Status != http.StatusOK || !strings.Contains(v.Text, "Open the board") {
		t.Fatalf("the link's page: %d %q\n%s", v.Status, v.H1, v.Text)
	}
	return press(t, ctx, "form.login button")
}

// signIn gets who a link through the chat and signs in with it in a
// browser context of its own.
func signIn(t *testing.T, r *rig, who string) context.Context {
	t.Helper()
	ctx := browser.New(t)
	v := useLink(t, ctx, r.Link(t, who))
	if v.Status != http.StatusOK || v.Path != "/board/" || !strings.Contains(v.H1, "the week of") {
		t.Fatalf("signing in as %s: %d at %s, h1 %q\n%s", who, v.Status, v.Path, v.H1, v.Text)
	}
	return ctx
}

// park leaves the board's live pages in ctx for a blank one, so that a
// change the test is about to make does not reload a page under the
// test's next navigation.
func park(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserLoginThroughTheLink(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := browser.New(t)
	link := r.Link(t, "ines")
	if !strings.HasPrefix(link, r.URL+"/board/login?t=") {
		t.Fatalf("the DM's link %q is not on the board's address %s", link, r.URL)
	}
	// Opening the link signs nobody in: only its button does.
	v := open(t, ctx, link)
	if v.Status != http.StatusOK || v.H1 != "Sign in to the board" {
		t.Fatalf("the link's page: %d, h1 %q", v.Status, v.H1)
	}
	if v := open(t, ctx, r.URL+"/board/"); v.Status != http.StatusUnauthorized {
		t.Fatalf("the board after only opening the link: %d, want 401", v.Status)
	}
	v = useLink(t, ctx, link)
	if v.Status != http.StatusOK || v.Path != "/board/" || !strings.Contains(v.Text, "signed in as @ines") {
		t.Fatalf("after the button: %d at %s\n%s", v.Status, v.Path, v.Text)
	}
	// The session's cookie is out of the page's scripts' reach.
	cookies, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookies, "icbot_board") {
		t.Errorf("the page's script reads the session cookie: %q", cookies)
	}
	if v := open(t, ctx, r.URL+"/board/scene/12"); v.Status != http.StatusOK || !strings.HasPrefix(v.H1, "Scene 12") {
		t.Errorf("scene 12 in the same browser: %d, h1 %q", v.Status, v.H1)
	}
}

// scenesOf is which of the rig's scenes a person's board shows: the
// leadership every scene, a performer their own.
var scenesOf = map[string][]string{
	"ines": {"12", "14", "15", "16"}, "adam": {"12", "14", "15", "16"},
	"dana": {"12", "14", "15", "16"}, "priya": {"12", "14", "15", "16"},
	"paula": {"12", "15"}, "pete": {"14", "16"},
}

// TestBrowserPagesLeaksAndPhoneWidth signs in as every person of the rig
// (IC, AD, director, producer, both performers, each department, the
// crew), in browsers of their own side by side, opens the week and every
// scene at a phone's width, and reads back each page's HTML and text: a
// canary may be on a page only for its audience, and the IC's pages show
// every one, so that the test sees the private fields reach the board. No
// page scrolls sideways on the phone.
func TestBrowserPagesLeaksAndPhoneWidth(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// Besides the rig's canaries, the private fields it leaves empty: a
	// beat's conditions, the choreography's steps and a performer's
	// dispute of a rehearsal record.
	canaries := maps.Clone(r.Canaries)
	for canary, audience := range moreCanaries {
		canaries[canary] = audience
	}
	r.Do(t, "ines", `/scene beat set 12 b1 conditions="CANARY-COND-8b7" widens=no`)
	r.Do(t, "ines", `/choreo set 12 b1 "CANARY-CHOREO-3c7" steps="CANARY-STEPS-5e2; hands"`)
	r.Do(t, "paula", "/rehearsal dispute 12 1 CANARY-DISPUTE-9f1")
	var mu sync.Mutex
	shown := map[string]map[string]bool{} // canary -> who saw it
	// Everyone signs in first: a command run while others' pages are open
	// would reload them under the reads below.
	tabs := map[string]context.Context{}
	for _, who := range r.People {
		tabs[who] = signIn(t, r, who)
		park(t, tabs[who])
	}
	t.Run("people", func(t *testing.T) {
		for _, who := range r.People {
			t.Run(roleOf[who]+"/"+who, func(t *testing.T) {
				t.Parallel()
				ctx := tabs[who]
				emulate(t, ctx, 375, 812, true)
				pages := []string{"/board/"}
				for _, id := range r.Scenes {
					pages = append(pages, "/board/scene/"+id)
				}
				for _, p := range pages {
					v := open(t, ctx, r.URL+p)
					checkRendered(t, who, p, v)
					if v.Wide > v.Window {
						t.Errorf("%s's %s at 375 px scrolls sideways: %d px wide in a %d px window", who, p, v.Wide, v.Window)
					}
					mu.Lock()
					for canary, audience := range canaries {
						if !strings.Contains(v.HTML, canary) && !strings.Contains(v.Text, canary) {
							continue
						}
						if shown[canary] == nil {
							shown[canary] = map[string]bool{}
						}
						shown[canary][who] = true
						if !slices.Contains(audience, who) {
							t.Errorf("%s (%s) reads %s on %s; its audience is %v", who, roleOf[who], canary, p, audience)
						}
					}
					mu.Unlock()
				}
			})
		}
	})
	for canary := range canaries {
		if !shown[canary]["ines"] {
			t.Errorf("%s is on none of the IC's pages: the test does not see that field reach the board", canary)
		}
	}
	for canary, who := range shown {
		t.Logf("%s shown to %v", canary, keys(who))
	}
}

// checkRendered checks that who's page p is the page it should be: the
// week for everyone, a scene for those who may read it.
func checkRendered(t *testing.T, who, p string, v view) {
	t.Helper()
	id := strings.TrimPrefix(p, "/board/scene/")
	switch {
	case p == "/board/":
		if v.Status != http.StatusOK || !strings.Contains(v.H1, "the week of") {
			t.Errorf("%s's week: %d, h1 %q", who, v.Status, v.H1)
		}
	case scenesOf[who] == nil:
		// A department or the crew: what its notices carry, or nothing;
		// either way a page, not an error.
		if v.Status != http.StatusOK && v.Status != http.StatusNotFound {
			t.Errorf("%s's scene %s: %d, want 200 or 404", who, id, v.Status)
		}
	case slices.Contains(scenesOf[who], id):
		if v.Status != http.StatusOK || !strings.HasPrefix(v.H1, "Scene "+id+":") {
			t.Errorf("%s's scene %s: %d, h1 %q", who, id, v.Status, v.H1)
		}
	default:
		if v.Status != http.StatusNotFound || strings.Contains(v.H1, "Scene "+id) {
			t.Errorf("%s opened scene %s, not theirs: %d, h1 %q", who, id, v.Status, v.H1)
		}
	}
}

// moreCanaries are private fields the test fills itself, with who may
// read each (as in bot/leak_test.go).
var moreCanaries = map[string][]string{
	"CANARY-COND-8b7":    {"paula", "ines", "adam", "dana", "cam", "priya"},
	"CANARY-STEPS-5e2":   {"ines", "paula", "dana"},
	"CANARY-DISPUTE-9f1": {"paula", "ines"},
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// refused says whether v is the board's refusal: no production data, and
// the way to get a link.
func refused(v view) bool {
	return strings.Contains(v.Text, "/icbot board") && !strings.Contains(v.Text, "Lake house") &&
		!strings.Contains(v.HTML, "CANARY") && !strings.Contains(v.Text, "signed in as")
}

func TestBrowserReusedLinkRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	link := r.Link(t, "adam")
	first := browser.New(t)
	if v := useLink(t, first, link); v.Status != http.StatusOK || v.Path != "/board/" {
		t.Fatalf("the first use: %d at %s", v.Status, v.Path)
	}
	park(t, first)
	// The same link again, from another browser: the one a forwarded
	// link would be opened in.
	second := browser.New(t)
	v := useLink(t, second, link)
	if v.Status != http.StatusForbidden || !strings.Contains(v.Text, "already been used") || strings.Contains(v.Text, "signed in as") {
		t.Errorf("the link used again: %d %q\n%s", v.Status, v.H1, v.Text)
	}
	if v := open(t, second, r.URL+"/board/"); v.Status != http.StatusUnauthorized || !refused(v) {
		t.Errorf("the board in the second browser: %d\n%s", v.Status, v.Text)
	}
	// The first browser's session is untouched.
	if v := open(t, first, r.URL+"/board/"); v.Status != http.StatusOK {
		t.Errorf("the first browser after the reuse: %d", v.Status)
	}
}

func TestBrowserExpiredLinkRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// Within its ten minutes a link works...
	fresh := r.Link(t, "dana")
	r.Advance(9*time.Minute + 59*time.Second)
	if v := useLink(t, browser.New(t), fresh); v.Status != http.StatusOK || v.Path != "/board/" {
		t.Fatalf("a link used after 9m59s: %d at %s", v.Status, v.Path)
	}
	// ...and at ten minutes it does not.
	old := r.Link(t, "dana")
	r.Advance(10 * time.Minute)
	ctx := browser.New(t)
	v := useLink(t, ctx, old)
	if v.Status != http.StatusForbidden || !strings.Contains(v.Text, "expired") {
		t.Errorf("a link used after 10 minutes: %d %q\n%s", v.Status, v.H1, v.Text)
	}
	if v := open(t, ctx, r.URL+"/board/"); v.Status != http.StatusUnauthorized || !refused(v) {
		t.Errorf("the board after an expired link: %d\n%s", v.Status, v.Text)
	}
}

func TestBrowserSessionRevokedOnRoleRemoval(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := signIn(t, r, "dana")
	if v := open(t, ctx, r.URL+"/board/scene/12"); v.Status != http.StatusOK {
		t.Fatalf("dana's scene 12 before: %d", v.Status)
	}
	park(t, ctx)
	r.Do(t, "root", "/icbot role remove @dana director")
	for _, p := range []string{"/board/", "/board/scene/12"} {
		v := open(t, ctx, r.URL+p)
		if v.Status != http.StatusUnauthorized || !refused(v) {
			t.Errorf("%s after dana lost her role: %d %q\n%s", p, v.Status, v.H1, v.Text)
		}
	}
	// Given the role back, the old session stays ended: a new link is needed.
	park(t, ctx)
	r.Do(t, "root", "/icbot role add @dana director")
	if v := open(t, ctx, r.URL+"/board/"); v.Status != http.StatusUnauthorized {
		t.Errorf("the old session after the role came back: %d", v.Status)
	}
}

// Sign out, by the page's button or by /icbot board logout in the chat,
// ends every session of the person, in every browser.
func TestBrowserSignOut(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	b := signIn(t, r, "priya")
	park(t, b)
	a := signIn(t, r, "priya")
	// The sign-out ends the session the page itself listens with, and the
	// page's reload on that can cut the sign-out's own answer short: the
	// browser then shows the sign-in page instead of "Signed out". Either
	// is a page without the board.
	if err := chromedp.Do(a, chromedp.Click(chromedp.CSS("header form button"))); err != nil {
		t.Fatal(err)
	}
	var v view
	for range 200 { // up to 10 s
		time.Sleep(50 * time.Millisecond)
		if h1, err := chromedp.Run(a, chromedp.Evaluate[string](`(document.querySelector("h1") || {innerText: ""}).innerText`)); err == nil &&
			(h1 == "Signed out" || h1 == "Sign in to the board") {
			v = read(t, a)
			break
		}
	}
	if v.H1 == "" || !refused(v) {
		t.Fatalf("after the Sign out button: %q\n%s", v.H1, v.Text)
	}
	t.Logf("after the Sign out button: %q", v.H1)
	for name, ctx := range map[string]context.Context{"the browser signed out": a, "the other browser": b} {
		if v := open(t, ctx, r.URL+"/board/"); v.Status != http.StatusUnauthorized || !refused(v) {
			t.Errorf("%s after Sign out: %d\n%s", name, v.Status, v.Text)
		}
	}
	park(t, a)
	park(t, b)
	c := signIn(t, r, "priya")
	park(t, c)
	r.Do(t, "priya", "/icbot board logout")
	if v := open(t, c, r.URL+"/board/"); v.Status != http.StatusUnauthorized || !refused(v) {
		t.Errorf("the board after /icbot board logout: %d\n%s", v.Status, v.Text)
	}
}

func TestBrowserNoPageWithoutSession(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := browser.New(t)
	for _, p := range []string{"/board/", "/board/scene/12", "/board/scene/16", "/board/?from=2026-11-23", "/board"} {
		v := open(t, ctx, r.URL+p)
		if v.Status != http.StatusUnauthorized || !refused(v) || v.H1 != "Sign in to the board" {
			t.Errorf("%s without a session: %d %q\n%s", p, v.Status, v.H1, v.Text)
		}
	}
	// A cookie made up by hand is no session either.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie = "icbot_board=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; path=/board"`)); err != nil {
		t.Fatal(err)
	}
	if v := open(t, ctx, r.URL+"/board/scene/12"); v.Status != http.StatusUnauthorized || !refused(v) {
		t.Errorf("scene 12 with a made-up cookie: %d\n%s", v.Status, v.Text)
	}
}

// A change in icbot reaches an open page by itself: the test does not
// reload it. The board promises 5 s; the page has no timer of its own, so
// only the server's push can bring the change, and the time it took is
// logged. The wait is generous (30 s), so that a machine starved of CPU
// does not fail the test on time alone.
func TestBrowserLiveUpdate(t *testing.T) {
	r := newRig(t)
	ctx := signIn(t, r, "ines")
	for _, p := range []string{"/board/scene/12", "/board/"} {
		title := "Lake house at dusk " + strings.Trim(p, "/")
		// The page's event stream says hello when it is open: from then
		// on, a change is one the page must hear of.
		wait, cancel := context.WithTimeout(ctx, 10*time.Second)
		hello := chromedp.Events(wait, network.EventSourceMessageReceived)
		v := open(t, ctx, r.URL+p)
		if v.Status != http.StatusOK {
			t.Fatalf("%s: %d", p, v.Status)
		}
		for ev, err := range hello {
			if err != nil {
				t.Fatalf("%s never opened its event stream: %v", p, err)
			}
			if ev.EventName == "hello" {
				break
			}
		}
		cancel()
		r.Do(t, "ines", `/scene rename 12 "`+title+`"`)
		changed := time.Now()
		// The page reloads itself: the DOM is read every 50 ms, and a
		// read that falls in the middle of the reload is tried again.
		var got bool
		var err error
		for !got && time.Since(changed) < 30*time.Second {
			time.Sleep(50 * time.Millisecond)
			got, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.body && document.body.innerText.includes(`+jsString(title)+`)`))
		}
		if !got {
			t.Fatalf("%s did not show the new title %q by itself (waited %v, the board promises 5 s; last read: %v)\n%s", p, title, time.Since(changed).Round(time.Millisecond), err, read(t, ctx).Text)
		}
		took := time.Since(changed).Round(time.Millisecond)
		t.Logf("%s showed the change after %v", p, took)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// widths are the two the board is checked at: a desktop and a phone.
var widths = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"desktop", 1280, 900, false},
	{"phone", 375, 812, true},
}

func emulate(t *testing.T, ctx context.Context, width, height int64, mobile bool) {
	t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height, opts...)); err != nil {
		t.Fatal(err)
	}
}

// The accessibility check (adapters/internal/browser.Check) on every
// page of the IC and the AD, at both widths, and on the pages seen
// before signing in.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	report := func(t *testing.T, ctx context.Context, what string) {
		t.Helper()
		rep, err := browser.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", what, rep.Summary())
		t.Logf("%s: Tab order: %s", what, strings.Join(rep.TabOrder, " → "))
		for _, f := range rep.Findings {
			t.Errorf("%s: %s", what, f)
		}
		if rep.TextElements == 0 || rep.Focusable == 0 {
			t.Errorf("%s: the check read no text or nothing focusable: a page that did not load?", what)
		}
	}
	for _, w := range widths {
		t.Run("signed out/"+w.name, func(t *testing.T) {
			ctx := browser.New(t)
			emulate(t, ctx, w.width, w.height, w.mobile)
			open(t, ctx, r.URL+"/board/")
			report(t, ctx, "the sign-in page")
			u, _ := url.Parse(r.Link(t, "ines"))
			open(t, ctx, u.String())
			report(t, ctx, "the link's page")
		})
	}
	// The demo production holds every mark the week can show (answered,
	// to discuss, withdrawn, waiting; riders drafted, sent, late, signed):
	// each badge's colours are measured.
	demo, demoLink := demoBoard(t)
	for _, who := range []string{"ines", "adam"} {
		for _, w := range widths {
			t.Run("demo/"+roleOf[who]+"/"+w.name, func(t *testing.T) {
				ctx := browser.New(t)
				if v := useLink(t, ctx, demoLink(who)); v.Status != http.StatusOK {
					t.Fatalf("signing %s in: %d", who, v.Status)
				}
				emulate(t, ctx, w.width, w.height, w.mobile)
				for _, p := range []string{"/board/", "/board/scene/14", "/board/scene/30"} {
					if v := open(t, ctx, demo.URL+p); v.Status != http.StatusOK {
						t.Fatalf("%s: %d", p, v.Status)
					}
					report(t, ctx, "demo "+p)
				}
			})
		}
	}
	for _, who := range []string{"ines", "adam"} {
		for _, w := range widths {
			t.Run(roleOf[who]+"/"+w.name, func(t *testing.T) {
				ctx := signIn(t, r, who)
				emulate(t, ctx, w.width, w.height, w.mobile)
				for _, p := range []string{"/board/", "/board/scene/12", "/board/scene/16"} {
					if v := open(t, ctx, r.URL+p); v.Status != http.StatusOK {
						t.Fatalf("%s: %d", p, v.Status)
					}
					report(t, ctx, p)
				}
			})
		}
	}
}
