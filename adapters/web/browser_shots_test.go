package web_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"icbot/adapters/console"
	"icbot/adapters/internal/browser"
	"icbot/adapters/web"
	"icbot/bot"
	"icbot/storage"
)

var updateShots = flag.Bool("update-screenshots", false, "rewrite the board's screenshots in docs/ from the demo production")

// The screenshots in docs/: the week and scene 12, for the IC and the AD,
// on a desktop and on a phone.
var shots = []struct {
	file, who, path string
	width, height   int64
	mobile          bool
}{
	{"board-week-ic-desktop.png", "ines", "/board/", 1280, 900, false},
	{"board-week-ic-phone.png", "ines", "/board/", 375, 812, true},
	{"board-scene-ic-desktop.png", "ines", "/board/scene/12", 1280, 900, false},
	{"board-scene-ic-phone.png", "ines", "/board/scene/12", 375, 812, true},
	{"board-week-ad-desktop.png", "adam", "/board/", 1280, 900, false},
	{"board-week-ad-phone.png", "adam", "/board/", 375, 812, true},
	{"board-scene-ad-desktop.png", "adam", "/board/scene/12", 1280, 900, false},
	{"board-scene-ad-phone.png", "adam", "/board/scene/12", 375, 812, true},
}

// maxShot is the most a screenshot may weigh in the repository.
const maxShot = 300 << 10

// TestBoardScreenshots checks the committed screenshots: each is there,
// a PNG as wide as its viewport and small. With -update-screenshots it
// first takes them again, from the console's demo production with a week
// of scenes added through commands:
//
//	go test ./adapters/web -run TestBoardScreenshots -update-screenshots
func TestBoardScreenshots(t *testing.T) {
	dir := filepath.Join("..", "..", "docs")
	if *updateShots {
		takeShots(t, dir)
	}
	for _, s := range shots {
		raw, err := os.ReadFile(filepath.Join(dir, s.file))
		if err != nil {
			t.Errorf("%v: take the screenshots with go test ./adapters/web -run TestBoardScreenshots -update-screenshots", err)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			t.Errorf("%s: %v", s.file, err)
			continue
		}
		if int64(cfg.Width) != s.width || int64(cfg.Height) < s.height {
			t.Errorf("%s is %d×%d, want %d wide and at least %d high", s.file, cfg.Width, cfg.Height, s.width, s.height)
		}
		if len(raw) > maxShot {
			t.Errorf("%s weighs %d KB, more than %d KB", s.file, len(raw)>>10, maxShot>>10)
		}
	}
}

// demoBoard serves the board over the console's demo production, with a
// week of scenes added through commands; link gets a person a link.
func demoBoard(t *testing.T) (*httptest.Server, func(who string) string) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithTimeout(5*time.Second),
		storage.WithKey(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	zone, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// Monday morning, the start of a shooting week.
	var mu sync.Mutex
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ctx := context.Background()
	if ok, err := console.SeedDemo(ctx, st, clock(), zone); err != nil || !ok {
		t.Fatalf("seeding the demo: %v, %v", ok, err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	dms := &dmLog{}
	chat := console.New(dms, console.DemoChannels()...)
	b := bot.New(st, chat, bot.WithClock(clock), bot.WithZone(zone), bot.WithSetChannel(console.SetChannel),
		bot.WithAdmins("admin"), bot.WithBoard(srv.URL))
	h := web.New(b, web.Options{Insecure: true})
	srv.Config.Handler = h
	t.Cleanup(func() {
		h.Close()
		srv.Close()
		st.Close()
	})
	do := func(who, line string) {
		t.Helper()
		o := b.Handle(ctx, bot.Command{Caller: bot.UserID(who), CallerName: who, Channel: console.SetChannel, Text: line})
		b.FollowUp(ctx, o)
		if o.Err != nil {
			t.Fatalf("%s: %s: %v", who, line, o.Err)
		}
	}
	for _, c := range [][2]string{
		{"ines", "/topline 12"},
		{"dana", `/scene intent 12 "Two people who have not touched in a year find each other again; tender, not heated."`},
		{"adam", `/scene add 14 title="Kitchen, the morning after" call="2026-12-02 07:30" performers=@paula,@pete`},
		{"ines", `/scene beat add 14 "Embrace from behind at the counter" kind=contact`},
		{"ines", `/scene beat add 14 "Kiss on the neck" kind=contact`},
		{"ines", "/boundaries request 14"},
		{"paula", "/boundaries answer 14 b1=yes b2=yes"},
		{"pete", "/boundaries answer 14 b1=yes b2=discuss"},
		{"adam", `/scene add 21 title="Bedroom, first night" call="2026-12-03 10:00" performers=@paula,@pete`},
		{"ines", `/scene beat add 21 "Undressing, backs to camera" kind=nudity areas=back,buttocks`},
		{"ines", `/scene beat add 21 "Simulated sex under the sheet" kind=simulated-sex`},
		{"ines", "/boundaries request 21"},
		{"paula", "/boundaries answer 21 b1=yes b2=yes"},
		{"ines", "/rider drafted 21 @paula"},
		{"ines", "/rider sent 21 @paula"},
		{"ines", "/rider drafted 21 @pete"},
		{"adam", `/scene add 27 title="Outdoor shower" call="2026-12-04 14:00" performers=@pete`},
		{"ines", `/scene beat add 27 "Pete showers, side on, from the waist up" kind=nudity areas=chest`},
		{"ines", "/boundaries request 27"},
		{"adam", `/scene add 30 title="Car park goodbye" call="2026-12-05 18:30" performers=@paula`},
		{"ines", `/scene beat add 30 "Goodbye kiss through the car window" kind=contact`},
		{"ines", "/boundaries request 30"},
		{"paula", "/boundaries answer 30 b1=yes"},
		{"paula", "/boundaries withdraw 30 b1"},
	} {
		do(c[0], c[1])
	}
	link := func(who string) string {
		t.Helper()
		do(who, "/icbot board")
		u := dms.last(who)
		if u == "" {
			t.Fatalf("no board link DMed to %s", who)
		}
		return u
	}
	return srv, link
}

// dmLog is the console's terminal: it keeps the board links DMed.
type dmLog struct {
	mu  sync.Mutex
	out bytes.Buffer
}

func (d *dmLog) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.out.Write(p)
}

// last is the last board link the console showed in a DM to who.
func (d *dmLog) last(who string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var link string
	for _, block := range strings.Split(d.out.String(), "\n  [") {
		if strings.HasPrefix(block, "DM to @"+who+"]") {
			if i := strings.Index(block, "http"); i >= 0 {
				link, _, _ = strings.Cut(block[i:], "\n")
			}
		}
	}
	return link
}

var _ io.Writer = (*dmLog)(nil)

func takeShots(t *testing.T, dir string) {
	srv, link := demoBoard(t)
	signed := map[string]context.Context{}
	for _, s := range shots {
		ctx, ok := signed[s.who]
		if !ok {
			ctx = browser.New(t)
			if v := useLink(t, ctx, link(s.who)); v.Status != http.StatusOK || v.Path != "/board/" {
				t.Fatalf("signing %s in: %d at %s\n%s", s.who, v.Status, v.Path, v.Text)
			}
			signed[s.who] = ctx
		}
		emulate(t, ctx, s.width, s.height, s.mobile)
		if v := open(t, ctx, srv.URL+s.path); v.Status != http.StatusOK {
			t.Fatalf("%s as %s: %d\n%s", s.path, s.who, v.Status, v.Text)
		}
		img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.file), img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d KB", s.file, len(img)>>10)
	}
}
