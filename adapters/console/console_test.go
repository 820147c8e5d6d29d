package console_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/adapters/console"
	"icbot/bot"
	"icbot/storage"
)

// testKey seals the stores' private fields, as icbot does.
var testKey = []byte("0123456789abcdef0123456789abcdef")

var now = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)

// run seeds the demo into a fresh store and runs script through the
// console as @adam, returning the output.
func run(t *testing.T, script string, opts ...console.Option) (string, *console.Adapter) {
	t.Helper()
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if seeded, err := console.SeedDemo(context.Background(), st, now, time.UTC); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	var out bytes.Buffer
	opts = append(append(console.DemoChannels(), console.WithIdentity("adam"), console.WithEcho(true)), opts...)
	a := console.New(&out, opts...)
	b := bot.New(st, a, bot.WithClock(func() time.Time { return now }), bot.WithSetChannel(console.SetChannel))
	if err := a.Run(context.Background(), strings.NewReader(script), b); err != nil {
		t.Fatal(err)
	}
	return out.String(), a
}

func TestSeedDemoOnce(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if ok, err := console.SeedDemo(ctx, st, now, time.UTC); !ok || err != nil {
		t.Fatalf("first seed: %v %v", ok, err)
	}
	if ok, err := console.SeedDemo(ctx, st, now, time.UTC); ok || err != nil {
		t.Fatalf("second seed: %v %v", ok, err)
	}
	err = st.View(ctx, func(tx bot.Tx) error {
		sc, err := tx.Scene("12")
		if err != nil {
			return err
		}
		if got, want := sc.Call, time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("demo call = %v, want %v", got, want)
		}
		people, err := tx.People()
		if len(people) != len(console.DemoCast()) {
			t.Errorf("%d people, want %d", len(people), len(console.DemoCast()))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDemoSeededAfterAStart: a start on an empty file records that every
// scene's reminders are derived; the demo seeded after it still gets its
// scene's check-ins at the next start, as its scene was written other
// than by a command.
func TestDemoSeededAfterAStart(t *testing.T) {
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	start := func() {
		t.Helper()
		b := bot.New(st, console.New(io.Discard), bot.WithClock(func() time.Time { return now }))
		if err := b.StartReminders(ctx); err != nil {
			t.Fatal(err)
		}
	}
	start()
	if ok, err := console.SeedDemo(ctx, st, now, time.UTC); !ok || err != nil {
		t.Fatalf("seed: %v %v", ok, err)
	}
	start()
	var who []string
	if err := st.View(ctx, func(tx bot.Tx) error {
		rs, err := tx.SceneReminders("12")
		for _, r := range rs {
			if r.Kind == bot.RemindCheckIn && r.State == bot.ReminderPending {
				who = append(who, string(r.Performer))
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(who, []string{"paula", "pete"}) {
		t.Errorf("pending check-ins of the demo scene for %v, want paula and pete", who)
	}
}

func TestWhereEveryMessageWent(t *testing.T) {
	out, _ := run(t, "/closedset start 12\n@paula /hold 12 private words\n")
	for _, want := range []string{
		"adam@#set> /closedset start 12",
		"[only @adam sees] Closed set started for scene 12",
		"[#set, public] Closed set in effect for scene 12",
		"[#scene-12, private] Closed set for scene 12 started at 08:00. This channel is locked to the roster: @paula (performer)",
		"[DM to @paula] You are on the closed-set roster for scene 12",
		"[only @adam sees] Lock enforced: #scene-12 is restricted to the roster for scene 12. Taken out until the end: @priya.",
		"adam@#set> @paula /hold 12 private words",
		"[only @paula sees] Your hold on scene 12 is recorded",
		"[DM to @ines] HOLD on scene 12, called by @paula",
		"[DM to @adam] Scene 12 is on hold: talk to the IC.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "private words"); n != 2 { // the echoed line and the IC's DM
		t.Errorf("the hold reason appears %d times, want 2 (input echo and the IC's DM):\n%s", n, out)
	}
}

func TestConsoleCommands(t *testing.T) {
	out, _ := run(t, strings.Join([]string{
		"/help",
		"/as ines",
		"/icbot whoami",
		"@",
		"/as",
		"/in #nowhere",
		"/channel #notes private",
		"/in #notes",
		"/channel #office private @ines @Adam",
		"/channel #office private ines",
		"/channel #",
		"/channel #general public",
		"/channels",
		"/scene set 12 channel=#general",
		"/as adam",
		"/closedset start 12",
		"/quit",
		"/icbot whoami",
	}, "\n"))
	for _, want := range []string{
		"/as NAME", "You are now @ines.", "You are @ines (id ines)",
		"Usage: /as NAME", "There is no channel #nowhere", "#notes is private (members: @ines).",
		"#office is private (members: @adam @ines).", `"ines" is not a member: write members as @name`, "Usage: /channel #NAME private|public [@member ...]",
		"ines@#notes> /channels", "#general (public, everyone)", "#notes (private: @ines)", "#scene-12 (private: @adam @dana @ines @paula @pete @priya)",
		// A public channel is not locked, and the roster is not posted there.
		"Lock not enforced on #general: #general is a public channel",
		"so the roster was not posted there",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "[#general") {
		t.Errorf("something was posted to the public #general:\n%s", out)
	}
	if strings.Count(out, "You are @ines (id ines)") != 1 {
		t.Errorf("commands after /quit ran:\n%s", out)
	}
}

func TestLockAndUnlockRestoreMembers(t *testing.T) {
	var out bytes.Buffer
	a := console.New(&out, console.WithChannel("s", true, "a", "b", "c"), console.WithChannel("pub", false))
	ctx := context.Background()
	members := func() string {
		var names []string
		ms, err := a.Members(ctx, "s")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range ms {
			names = append(names, "@"+string(u))
		}
		return strings.Join(names, " ")
	}
	res, err := a.Lock(ctx, "s", []bot.UserID{"a", "d"}, bot.LockResult{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Removed, []bot.UserID{"b", "c"}; !slices.Equal(got, want) {
		t.Errorf("removed %v, want %v", got, want)
	}
	if got := members(); got != "@a @d" {
		t.Errorf("members while locked: %s", got)
	}
	// A roster change mid-session: e joins and leaves, a leaves.
	if res, err = a.Lock(ctx, "s", []bot.UserID{"d", "e"}, res); err != nil {
		t.Fatal(err)
	}
	if res, err = a.Lock(ctx, "s", []bot.UserID{"d"}, res); err != nil {
		t.Fatal(err)
	}
	if got, want := res.Removed, []bot.UserID{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("removed after relocks %v, want %v (e was never a member)", got, want)
	}
	if err := a.Unlock(ctx, "s", res); err != nil {
		t.Fatal(err)
	}
	if got := members(); got != "@a @b @c" {
		t.Errorf("members after unlock: %s, want exactly the original @a @b @c", got)
	}
	if _, err := a.Lock(ctx, "pub", nil, bot.LockResult{}); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("locking a public channel: %v", err)
	}
	if _, err := a.Lock(ctx, "none", nil, bot.LockResult{}); bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Errorf("locking an unknown channel: %v", err)
	}
	if ok, _ := a.IsPrivate(ctx, "none"); ok {
		t.Errorf("an unknown channel counts as private")
	}
	if _, err := a.Post(ctx, "none", bot.Message{Text: "x"}); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("posting to an unknown channel: %v", err)
	}
}

func TestInteractivePrompt(t *testing.T) {
	var out bytes.Buffer
	a := console.New(&out, console.WithIdentity("ines"), console.WithEcho(false))
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := bot.New(st, a)
	if err := a.Run(context.Background(), strings.NewReader("/icbot whoami\n"), b); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "ines@#set> ") || strings.Contains(got, "/icbot whoami") {
		t.Errorf("interactive output should prompt and not echo:\n%s", got)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	var out bytes.Buffer
	a := console.New(&out)
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	defer w.Close()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, r, nil) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// TestOverlongLineRefused: a line longer than the console reads is
// refused whole, with the limit, and the lines after it run as usual.
func TestOverlongLineRefused(t *testing.T) {
	out, _ := run(t, "/icbot whoami\n/scene show 12 "+strings.Repeat("x", 2<<20)+"\n/icbot whoami\n")
	if !strings.Contains(out, "That line is longer than 65536 characters, so nothing of it was run") {
		t.Errorf("no refusal of the long line:\n%.2000s", out)
	}
	if n := strings.Count(out, "You are @adam"); n != 2 {
		t.Errorf("%d answers to /icbot whoami, want 2 (before and after the long line):\n%.2000s", n, out)
	}
}

// TestControlCharactersShownEscaped: what was typed comes back on the
// terminal with its control characters and direction controls escaped,
// in the echoed line, in names and in the bot's errors quoting it; a
// console command given a name that holds one is refused and changes
// nothing.
func TestControlCharactersShownEscaped(t *testing.T) {
	out, _ := run(t, strings.Join([]string{
		"/scene show 12\x1b[2J",
		`@ines /scene add 15 title="Kiss` + "\u202e" + `gnp.exe" call="2026-12-03 10:00"`,
		"/scene show 1\x07\x08\u009b2",
		"/scene show \x9b12",
		"/as ad\x1b[2Jam",
		"@pa\u202eula /hold 12",
		"/channel #sc\x1b]0;owned\x07 private",
		"/channel #notes private @in\u202ees",
		"/in #set\u200b",
		"/icbot whoami",
	}, "\n"))
	for _, bad := range []string{"\x1b", "\x07", "\x08", "\u202e", "\u009b", "\u200b", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Errorf("the output holds %q raw:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		`adam@#set> /scene show 12\x1b[2J`,
		`title="KissU+202Egnp.exe"`,
		`/scene show 1\x07\x08U+009B2`,
		`/scene show \x9b12`,
		`ad\x1b[2Jam is not a name: a name has no control or invisible characters. Usage: /as NAME`,
		`@paU+202Eula is not a name`,
		`#sc\x1b]0;owned\x07 is not a channel name`,
		`@inU+202Ees is not a name`,
		`#setU+200B is not a channel name`,
		"You are @adam (id adam)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"Your hold on scene 12", "#notes is private", "You are now"} {
		if strings.Contains(out, never) {
			t.Errorf("a refused line ran (%q):\n%s", never, out)
		}
	}
}

func TestVisible(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain text, café, 👩‍👩‍👧", "plain text, café, 👩‍👩‍👧"},
		{"tab\tstays", "tab\tstays"},
		{"\x1b[2Jclear", `\x1b[2Jclear`},
		{"bell\x07 back\x08 cr\r del\x7f", `bell\x07 back\x08 cr\x0d del\x7f`},
		{"c1 \u0085\u009b", "c1 U+0085U+009B"},
		{"raw \x9b byte", `raw \x9b byte`},
		{"\u202elanif \u2066iso\u2069 \u200fmark", "U+202Elanif U+2066isoU+2069 U+200Fmark"},
		{"zero\u200bwidth line\u2028sep", "zeroU+200Bwidth lineU+2028sep"},
	} {
		if got := console.Visible(tt.in); got != tt.want {
			t.Errorf("visible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBannerShowsNamesEscaped(t *testing.T) {
	got := console.Banner("Night\x1b[2J Swim \u202eomed", time.UTC, "ad\x07am", false)
	if strings.ContainsAny(got, "\x1b\x07\u202e") {
		t.Errorf("the banner holds a control character raw:\n%q", got)
	}
	for _, want := range []string{`Night\x1b[2J Swim U+202Eomed`, `You are @ad\x07am`} {
		if !strings.Contains(got, want) {
			t.Errorf("the banner lacks %q:\n%s", want, got)
		}
	}
}

// TestToplineToNoSuchChannel: the console has no #nonexistent, and the
// IC reads that there is no such channel, not that it is not private.
func TestToplineToNoSuchChannel(t *testing.T) {
	if _, err := console.New(io.Discard).IsPrivate(context.Background(), "nonexistent"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Errorf("IsPrivate of a channel the console does not have: %v, want ENOTFOUND", err)
	}
}
