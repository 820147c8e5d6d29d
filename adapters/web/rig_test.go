package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/adapters/web"
	"icbot/bot"
	"icbot/storage"
)

// rig is the board served by httptest over a real store, with a seeded
// production whose private fields hold canaries. It is the entry point
// of the board's tests, the browser tests among them:
//
//	r := newRig(t)               // r.URL serves /board/; the clock starts at rigStart
//	link := r.Link(t, "ines")    // runs /icbot board as ines; the link DMed to her
//	c := r.Client(t, "ines")     // an *http.Client signed in as ines through a link
//	r.Do(t, "ines", "/scene rename 12 x") // any command, as anyone: a change
//	r.Advance(11 * time.Minute)  // moves the bot's clock on
//	r.AddScenes(t, 20)           // 20 more scenes (ids from 100) over the week, for a fuller page
//	r.Canaries                   // each canary and who may read it
//	r.People, r.Scenes           // everyone with a role; every scene id
//
// The cast: ines (IC), adam (AD), dana (director), priya (producer),
// paula and pete (performers), cora (costume), hana (hair and makeup),
// cam (camera), pat (props), sid (stunts), gary (crew); root is an
// admin without a role, and nobody has no role. Scenes 12 and 15 are paula's, 14 and 16 pete's; 16 is on hold.
// The cookie is not Secure (Options.Insecure): httptest serves plain
// http on loopback.
type rig struct {
	URL      string
	Server   *httptest.Server
	Bot      *bot.Bot
	Handler  *web.Handler
	Store    *storage.Store
	Canaries map[string][]string
	People   []string
	Scenes   []string

	chat *dmChat
	mu   sync.Mutex
	now  time.Time
}

// rigStart is the rig's first instant: a Thursday morning in London.
var rigStart = time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC)

var rigCast = []bot.Person{
	{ID: "paula", Name: "paula", Roles: []bot.Role{bot.RolePerformer}},
	{ID: "pete", Name: "pete", Roles: []bot.Role{bot.RolePerformer}},
	{ID: "ines", Name: "ines", Roles: []bot.Role{bot.RoleIC}},
	{ID: "adam", Name: "adam", Roles: []bot.Role{bot.RoleAD}},
	{ID: "dana", Name: "dana", Roles: []bot.Role{bot.RoleDirector}},
	{ID: "priya", Name: "priya", Roles: []bot.Role{bot.RoleProducer}},
	{ID: "cam", Name: "cam", Roles: []bot.Role{bot.RoleCamera}},
	{ID: "cora", Name: "cora", Roles: []bot.Role{bot.RoleCostume}},
	{ID: "hana", Name: "hana", Roles: []bot.Role{bot.RoleHMU}},
	{ID: "pat", Name: "pat", Roles: []bot.Role{bot.RoleProps}},
	{ID: "sid", Name: "sid", Roles: []bot.Role{bot.RoleStunts}},
	{ID: "gary", Name: "gary", Roles: []bot.Role{bot.RoleCrew}},
}

// rigCanaries are private texts in the seeded production and who may
// read each (PRODUCT.md's need-to-know table).
var rigCanaries = map[string][]string{
	"CANARY-NOTE-7d1":     {"paula", "ines"},
	"CANARY-GARMENT-3a9":  {"paula", "ines", "cora"},
	"CANARY-BODY-5c2":     {"paula", "ines", "hana"},
	"CANARY-TERMS-9e4":    {"paula", "ines"},
	"CANARY-HOLD-2b8":     {"pete", "ines"},
	"CANARY-INTENT-4f1":   {"paula", "ines", "adam", "dana", "priya"},
	"CANARY-CAMERA-6a3":   {"paula", "ines", "adam", "dana", "cam", "priya"},
	"CANARY-PROPS-1d5":    {"ines", "adam", "pat"},
	"CANARY-STUNTS-0e6":   {"ines", "adam", "sid"},
	"CANARY-CHOREO-3c7":   {"ines", "paula", "dana"},
	"CANARY-CHANGES-7a4":  {"ines", "dana", "paula"},
	"CANARY-TAKE-3c1":     {"ines", "dana"},
	"CANARY-OVERRIDE-6d2": {"ines"},
}

var rigKey = []byte("0123456789abcdef0123456789abcdef")

func newRig(t testing.TB) *rig {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(rigKey))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{Store: st, now: rigStart, Canaries: rigCanaries, chat: &dmChat{}}
	r.Server = httptest.NewUnstartedServer(nil)
	r.Server.Start()
	r.URL = r.Server.URL
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	r.Bot = bot.New(st, r.chat, bot.WithClock(r.clock), bot.WithZone(london), bot.WithSetChannel("set"), bot.WithAdmins("root"), bot.WithBoard(r.URL))
	r.Handler = web.New(r.Bot, web.Options{Insecure: true, Settle: 10 * time.Millisecond})
	r.Server.Config.Handler = r.Handler
	t.Cleanup(func() {
		r.Handler.Close()
		r.Server.Close()
		st.Close()
	})
	r.seed(t)
	return r
}

func (r *rig) clock() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now
}

// Advance moves the bot's clock on by d.
func (r *rig) Advance(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = r.now.Add(d)
}

func (r *rig) seed(t testing.TB) {
	t.Helper()
	call := rigStart.Add(24*time.Hour + 30*time.Minute)
	err := r.Store.Update(context.Background(), func(tx bot.Tx) error {
		for _, p := range rigCast {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
			r.People = append(r.People, string(p.ID))
		}
		if err := tx.PutProduction(bot.ProductionInfo{Name: "Lake House", DeptChannels: map[bot.Role]bot.ChannelID{
			bot.RoleCostume: "costume-room", bot.RoleHMU: "hmu-room"}}); err != nil {
			return err
		}
		for _, sc := range []bot.Scene{
			{ID: "12", Title: "Lake house", Call: call, Performers: []bot.UserID{"paula"}, Channel: "scene-12", Status: bot.StatusReady,
				Beats: []bot.Beat{{ID: "b1", Description: "kiss", Kind: bot.KindContact, Rev: 1}}, NextBeat: 1, Scope: 1},
			{ID: "14", Title: "Kitchen", Call: call.Add(2 * time.Hour), Performers: []bot.UserID{"pete"}, Status: bot.StatusDraft},
			{ID: "15", Title: "Bedroom", Call: call.Add(48 * time.Hour), Performers: []bot.UserID{"paula"}, Status: bot.StatusReady},
			{ID: "16", Title: "Car", Call: call.Add(72 * time.Hour), Performers: []bot.UserID{"pete"}, Status: bot.StatusReady},
		} {
			if err := tx.PutScene(sc); err != nil {
				return err
			}
			r.Scenes = append(r.Scenes, string(sc.ID))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{
		{"ines", "/dept channel props #props-room"},
		{"dana", `/scene intent 12 "CANARY-INTENT-4f1"`},
		{"ines", `/scene beat set 12 b1 camera="CANARY-CAMERA-6a3" props="CANARY-PROPS-1d5" stunts="CANARY-STUNTS-0e6" widens=no`},
		{"paula", `/boundaries answer 12 b1=yes notes="CANARY-NOTE-7d1" garments="CANARY-GARMENT-3a9" body="CANARY-BODY-5c2"`},
		{"ines", `/rider sent 12 @paula terms="CANARY-TERMS-9e4"`},
		{"ines", "/topline 12"},
		{"pete", "/hold 16 CANARY-HOLD-2b8"},
		{"ines", `/choreo set 12 b1 "CANARY-CHOREO-3c7" steps="eyes; hands"`},
		{"ines", `/rehearsal log 12 b1 present=@paula,@dana changes="CANARY-CHANGES-7a4"`},
		{"ines", `/closedset start 12 force reason="CANARY-OVERRIDE-6d2"`},
		{"ines", `/take 12 b1 note="CANARY-TAKE-3c1" drift=yes`},
		{"ines", "/closedset end 12"},
	} {
		r.Do(t, c[0], c[1])
	}
}

// AddScenes writes n more scenes over the rig's week (ids 100 on, with
// performers perf00 to perf19, answers and riders in a mix of states),
// as BenchmarkBoardWeek does, for a page as full as a busy week's.
func (r *rig) AddScenes(t testing.TB, n int) {
	t.Helper()
	seedWeek(t, r.Store, n)
	for i := range n {
		r.Scenes = append(r.Scenes, fmt.Sprint(100+i))
	}
}

// Do runs a command as caller, which must succeed.
func (r *rig) Do(t testing.TB, caller, line string) *bot.Outcome {
	t.Helper()
	cmd := bot.Command{Caller: bot.UserID(caller), CallerName: caller, Channel: "set", Text: line}
	out := r.Bot.Handle(context.Background(), cmd)
	r.Bot.FollowUp(context.Background(), out)
	if out.Err != nil {
		t.Fatalf("%s: %s: %v", caller, line, out.Err)
	}
	return out
}

var rigLinkRE = regexp.MustCompile(`(http://[^\s]+/board/login\?t=[A-Za-z0-9_-]+)`)

// Link runs /icbot board as caller and returns the link DMed to them.
func (r *rig) Link(t testing.TB, caller string) string {
	t.Helper()
	r.Do(t, caller, "/icbot board")
	for _, dm := range r.chat.take(bot.UserID(caller)) {
		if m := rigLinkRE.FindStringSubmatch(dm); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no link DMed to %s", caller)
	return ""
}

// Client returns a client signed in as caller through a link: the
// login page's form posted as the browser would post it.
func (r *rig) Client(t testing.TB, caller string) *http.Client {
	t.Helper()
	c := r.NewClient(t)
	link := r.Link(t, caller)
	u, _ := url.Parse(link)
	resp, err := c.PostForm(r.URL+"/board/login", url.Values{"t": {u.Query().Get("t")}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/board/" {
		t.Fatalf("login of %s: %s at %s", caller, resp.Status, resp.Request.URL)
	}
	return c
}

// NewClient is a client with a cookie jar and no session.
func (r *rig) NewClient(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// dmChat is a chat whose every channel is private; it keeps the DMs.
type dmChat struct {
	mu  sync.Mutex
	dms map[bot.UserID][]string
}

func (c *dmChat) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	return bot.PostRef("p-" + string(ch)), nil
}

func (c *dmChat) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dms == nil {
		c.dms = map[bot.UserID][]string{}
	}
	c.dms[to] = append(c.dms[to], m.Text)
	return nil
}

func (c *dmChat) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	return !strings.HasPrefix(string(ch), "public"), nil
}

// Members says who reads each channel: the scene channel's readers of
// the top-line summary; nobody else's.
func (c *dmChat) Members(ctx context.Context, ch bot.ChannelID) ([]bot.UserID, error) {
	if ch == "scene-12" {
		return []bot.UserID{"ines", "adam", "dana", "priya", "paula"}, nil
	}
	return nil, nil
}

func (c *dmChat) take(to bot.UserID) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.dms[to]
	delete(c.dms, to)
	return out
}
