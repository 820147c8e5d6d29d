// Package browser runs tests in a real browser: one headless Chromium per
// test binary, started on first use, and for each test a tab in a browser
// context of its own, so that no cookie or session crosses from one test to
// another.
//
// Chromium comes from Debian's package chromium (/usr/bin/chromium). Where
// it is missing, a browser test skips with a message that says how to
// install it; in CI (the variable CI set) or with BROWSER_TESTS=require
// it fails instead, so that a CI machine without Chromium cannot pass by
// skipping. ICBOT_CHROMIUM names another Chromium binary.
//
// A test package that uses it calls Main from its TestMain, so that the
// browser stops when the tests end:
//
//	func TestMain(m *testing.M) { browser.Main(m) }
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's package chromium installs the browser.
const DefaultPath = "/usr/bin/chromium"

// RequireEnv set to "require" makes a missing browser a test failure.
const RequireEnv = "BROWSER_TESTS"

// PathEnv names another Chromium binary than DefaultPath.
const PathEnv = "ICBOT_CHROMIUM"

// TestTimeout bounds every browser action of one test, so that a page that
// never loads fails the test with a message instead of hanging the run.
const TestTimeout = 3 * time.Minute

// Path is the Chromium binary the tests start.
func Path() string {
	if p := os.Getenv(PathEnv); p != "" {
		return p
	}
	return DefaultPath
}

// Required reports whether a missing browser fails the tests rather than
// skipping them: in CI, or when RequireEnv says so.
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv(RequireEnv) == "require"
}

// missing says why the browser cannot start and how to get it.
func missing(path string, err error) string {
	return fmt.Sprintf("headless Chromium not found at %s (%v): install the Debian package chromium "+
		"(apt-get install chromium), or set %s to a Chromium binary", path, err, PathEnv)
}

var shared struct {
	sync.Mutex
	started bool
	err     error
	dir     string
	ctx     context.Context // the browser's context: a tab context under it is a new tab
	stop    func()
}

// start launches the shared browser once; a later call returns its result.
func start() (context.Context, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.started {
		return shared.ctx, shared.err
	}
	shared.started = true
	path := Path()
	if fi, err := os.Stat(path); err != nil {
		shared.err = errors.New(missing(path, err))
		return nil, shared.err
	} else if fi.IsDir() || fi.Mode()&0o111 == 0 {
		shared.err = errors.New(missing(path, errors.New("not an executable file")))
		return nil, shared.err
	}
	dir, err := os.MkdirTemp("", "icbot-chromium-")
	if err != nil {
		shared.err = fmt.Errorf("browser profile folder: %w", err)
		return nil, shared.err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	stop := func() {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	if err := chromedp.Do(ctx); err != nil {
		stop()
		shared.err = fmt.Errorf("starting %s: %w", path, err)
		return nil, shared.err
	}
	shared.ctx, shared.stop, shared.dir = ctx, stop, dir
	return ctx, nil
}

// Main runs the package's tests and then stops the shared browser, if a
// test started it.
func Main(m *testing.M) {
	code := m.Run()
	shared.Lock()
	if shared.stop != nil {
		shared.stop()
		shared.stop = nil
	}
	shared.Unlock()
	os.Exit(code)
}

// Available reports whether the browser can run here, without failing or
// skipping anything.
func Available() error {
	_, err := start()
	return err
}

// New opens a tab in a browser context of its own (its own cookies and
// storage) and returns a chromedp context for it, bounded by TestTimeout.
// The tab and its browser context close when the test ends. Without a
// browser the test skips, or fails where Required says so.
func New(t testing.TB) context.Context {
	t.Helper()
	root, err := start()
	if err != nil {
		if Required() {
			t.Fatalf("%v; browser tests are required here (CI or %s=require)", err, RequireEnv)
		}
		t.Skipf("skipping browser test: %v", err)
	}
	tab, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(tab); err != nil {
		cancelTab()
		t.Fatalf("opening a browser tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, TestTimeout)
	t.Cleanup(func() {
		cancel()
		cancelTab()
	})
	return ctx
}
