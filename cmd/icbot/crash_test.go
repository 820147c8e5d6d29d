package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// What a crash-test command changes, and so where its marker is found.
type opKind int

const (
	opScene  opKind = iota // /scene add: a scene titled with the marker
	opBeat                 // /scene beat add: a beat described by the marker
	opAnswer               // /boundaries answer: a version whose notes are the marker
)

// What became of a crash-test command.
type opState int

const (
	opUnanswered opState = iota // no answer: the kill came first
	opAcked                     // answered 200 with its effect
	opRefused                   // answered, but not with its effect
)

// crashOp is one command the crash test sent, with a marker of its own
// that its effect leaves in the database.
type crashOp struct {
	transport string // "slack slash", "slack event", ...
	kind      opKind
	scene     string // the scene it adds, or changes
	marker    string
	req       *signedRequest
	// retry, for a Slack event, is the event as Slack delivers it again:
	// signed anew, with a retry number. Everything is also sent again
	// byte for byte.
	retry func() *signedRequest
	// ackText is what the answer's body says when the command took
	// effect; empty when a 200 alone says so (Slack events and
	// interactions are acknowledged once their command is committed).
	ackText string
	state   opState
	answer  string // the body, for a refusal
	// replayed counts the times the op was sent again.
	replayed int
	// round is the round it was sent in: a signature is good for five
	// minutes, so only the last round's requests are sent again.
	round int
}

// crashFigures add up a crash run.
type crashFigures struct {
	sent, acked, refused, unanswered int
	ackedBy                          map[string]int
	kills, checks, checksOK          int
	audits, auditsOK                 int
	replays, replaysOfAcked          int
	lost, duplicates, ranAgain       int
}

func (f *crashFigures) String() string {
	return fmt.Sprintf("%d kills; %d commands sent, %d acknowledged (%v), %d refused, %d unanswered at a kill; "+
		"%d sent again after a restart (%d of them acknowledged before); lost %d, duplicated %d, run again %d; "+
		"bbolt check %d/%d passed; audit verify %d/%d passed",
		f.kills, f.sent, f.acked, f.ackedBy, f.refused, f.unanswered, f.replays, f.replaysOfAcked,
		f.lost, f.duplicates, f.ranAgain, f.checksOK, f.checks, f.auditsOK, f.audits)
}

// TestCrash runs the real icbot binary, once serving Slack over HTTP and
// once Discord's HTTP interactions endpoint, each on its own database,
// under concurrent signed requests: slash commands, DM commands through
// the Events API, button presses (block_actions) and form submissions
// (view_submission) on Slack; application commands, button presses and
// modal submissions on Discord. Each command leaves a marker of its own:
// a scene's title, a beat's description, or the notes of a performer's
// boundaries. Each process is killed with SIGKILL at a random moment;
// then the test opens the database file and checks that every command
// answered with its effect is there exactly once, that nothing is there
// twice, that bbolt's consistency check passes, and that `icbot audit
// verify` passes. It starts icbot again on the same database and sends
// again the requests the kill left unanswered and some that were
// answered, as the platforms do (a Slack event signed again with a retry
// number, everything else byte for byte): each must take effect once in
// all. 5 kills of each process; 50 with -long (or ICBOT_TEST_LONG=1).
// ICBOT_CRASH_SEED=N repeats a run's random moments.
func TestCrash(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs and kills the icbot binary")
	}
	kills := 5
	if longRun() {
		kills = 50
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ICBOT_CRASH_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ICBOT_CRASH_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("seed %d (ICBOT_CRASH_SEED=%d repeats it)", seed, seed)
	bin := icbotBinary(t)
	rnd := rand.New(rand.NewPCG(seed, 2))
	targets := []*crashTarget{newSlackTarget(t, bin), newDiscordTarget(t, bin)}
	for _, tg := range targets {
		tg.figures.ackedBy = map[string]int{}
	}
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for round := 1; round <= kills; round++ {
		var wg sync.WaitGroup
		for _, tg := range targets {
			wait := time.Duration(200+rnd.IntN(1800)) * time.Millisecond
			wg.Go(func() { tg.round(t, client, round, wait) })
		}
		wg.Wait()
		if t.Failed() {
			break
		}
	}
	// The last restart: what the last kill left is sent again, then icbot
	// stops as it is told to, and everything must be there once.
	var wg sync.WaitGroup
	for _, tg := range targets {
		wg.Go(func() {
			p := tg.start(t)
			if p == nil {
				return
			}
			tg.replay(t, client, p)
			p.term(t)
			tg.check(t, true)
		})
	}
	wg.Wait()
	for _, tg := range targets {
		t.Logf("%s: %s", tg.name, &tg.figures)
		f := &tg.figures
		if f.lost > 0 || f.duplicates > 0 || f.ranAgain > 0 || f.checksOK < f.checks || f.auditsOK < f.audits {
			t.Errorf("%s: %d lost, %d duplicated, %d run again, %d bbolt checks and %d audit verifications failed",
				tg.name, f.lost, f.duplicates, f.ranAgain, f.checks-f.checksOK, f.audits-f.auditsOK)
		}
		if f.acked == 0 {
			t.Errorf("%s: no command acknowledged", tg.name)
		}
	}
}

// crashTarget is one icbot process the crash test drives, with its
// database, its workers and what it has sent.
type crashTarget struct {
	name    string
	bin, db string
	vars    map[string]string
	// setup runs once, on the first start: roles, and the scene whose
	// boundaries the forms answer.
	setup   func(c *http.Client, p *proc) error
	started bool
	// workers each make the next request of their kind; nil when they
	// have none yet (a beat waits for its scene).
	workers []func(n int) *crashOp
	rnd     *rand.Rand

	mu      sync.Mutex
	ops     []*crashOp
	n       int
	pending []*crashOp // to send again at the next start
	current int        // the current round
	figures crashFigures
}

func (tg *crashTarget) next() int {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.n++
	return tg.n
}

// start starts icbot on the target's database (the first time, with its
// setup); nil when it did not start, the test failed.
func (tg *crashTarget) start(t *testing.T) *proc {
	p, err := launch(t, tg.bin, tg.vars)
	if err != nil {
		t.Errorf("%s: %v", tg.name, err)
		return nil
	}
	if !tg.started {
		tg.started = true
		if err := tg.setup(&http.Client{Timeout: 20 * time.Second}, p); err != nil {
			t.Errorf("%s: setup: %v", tg.name, err)
			return nil
		}
	}
	return p
}

// round starts icbot, sends again what the last kill left, runs the
// workers, kills icbot after wait, and checks the database.
func (tg *crashTarget) round(t *testing.T, c *http.Client, round int, wait time.Duration) {
	p := tg.start(t)
	if p == nil {
		return
	}
	tg.replay(t, c, p)
	tg.mu.Lock()
	tg.current = round
	tg.mu.Unlock()
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, w := range tg.workers {
		wg.Go(func() { tg.work(ctx, c, p, w) })
	}
	time.Sleep(wait)
	p.kill(t)
	stop()
	wg.Wait()
	tg.figures.kills++
	tg.check(t, false)
	tg.choosePending()
	t.Logf("%s: kill %d after %s: %d commands so far, %d acknowledged", tg.name, round, wait, tg.figures.sent, tg.figures.acked)
}

// work sends the worker's requests one after another until ctx is done
// or one goes unanswered (icbot was killed).
func (tg *crashTarget) work(ctx context.Context, c *http.Client, p *proc, w func(int) *crashOp) {
	for ctx.Err() == nil {
		op := w(tg.next())
		tg.mu.Lock()
		op.round = tg.current
		tg.ops = append(tg.ops, op)
		tg.figures.sent++
		tg.mu.Unlock()
		code, body, err := op.req.send(context.Background(), c, p.base())
		tg.mu.Lock()
		switch {
		case err != nil:
			op.state = opUnanswered
			tg.figures.unanswered++
		case code == http.StatusOK && strings.Contains(string(body), op.ackText):
			op.state = opAcked
			tg.figures.acked++
			tg.figures.ackedBy[op.transport]++
		default:
			op.state = opRefused
			op.answer = fmt.Sprintf("%d %s", code, body)
			tg.figures.refused++
		}
		tg.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// choosePending picks what to send again at the next start: every
// request the kill left unanswered, and up to 10 answered ones, of this
// round (a signature is good for five minutes).
func (tg *crashTarget) choosePending() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.pending = nil
	var acked []*crashOp
	for _, op := range tg.ops {
		switch {
		case op.state == opUnanswered && op.replayed == 0:
			tg.pending = append(tg.pending, op)
		case op.state == opAcked && op.replayed == 0 && op.round == tg.current:
			acked = append(acked, op)
		}
	}
	tg.rnd.Shuffle(len(acked), func(i, j int) { acked[i], acked[j] = acked[j], acked[i] })
	tg.pending = append(tg.pending, acked[:min(10, len(acked))]...)
}

// replay sends the pending requests again, as the platform would. An
// unanswered one now answered 200 took effect, on this try or the one
// the kill cut: it counts as acknowledged, and must be there once.
func (tg *crashTarget) replay(t *testing.T, c *http.Client, p *proc) {
	for _, op := range tg.pending {
		op.replayed++
		tg.figures.replays++
		if op.state == opAcked {
			tg.figures.replaysOfAcked++
		}
		again := []*signedRequest{op.req}
		if op.retry != nil {
			again = append(again, op.retry())
		}
		answered := true
		for _, req := range again {
			code, body, err := req.send(context.Background(), c, p.base())
			if err != nil || code != http.StatusOK {
				t.Errorf("%s: %s %q sent again: %d %s %v", tg.name, op.transport, op.marker, code, body, err)
				answered = false
				continue
			}
			// A scene added twice is refused the second time, which
			// leaves no trace in the data: its answer tells.
			if strings.Contains(string(body), "already exists") {
				tg.figures.ranAgain++
				t.Errorf("%s: %s %q sent again was run again: %s", tg.name, op.transport, op.marker, body)
			}
		}
		if answered && op.state == opUnanswered {
			op.state = opAcked
			tg.figures.acked++
			tg.figures.ackedBy[op.transport+" (sent again)"]++
		}
	}
	tg.pending = nil
}

// check opens the database file of a killed (or stopped) icbot and checks
// it: bbolt's consistency check, every acknowledged command's marker there
// once and no marker twice, then `icbot audit verify`. final: every
// command sent has been answered by now.
func (tg *crashTarget) check(t *testing.T, final bool) {
	tg.figures.checks++
	st, err := storage.Open(tg.db, storage.WithTimeout(5*time.Second), storage.WithKey(keyOf(t, tg.db)), storage.WithReadOnly())
	if err != nil {
		t.Errorf("%s: opening the database after the kill: %v", tg.name, err)
		return
	}
	if err := st.Check(); err != nil {
		t.Errorf("%s: %v", tg.name, err)
	} else {
		tg.figures.checksOK++
	}
	lost, dup := 0, 0
	queued := map[string]int{}
	err = st.View(context.Background(), func(tx bot.Tx) error {
		ds, err := tx.Deliveries()
		for _, d := range ds {
			queued[fmt.Sprint(d.Message.To)]++
		}
		if err != nil {
			return err
		}
		for _, op := range tg.ops {
			n, err := markerCount(tx, op)
			if err != nil {
				return err
			}
			switch {
			case n > 1:
				dup++
				t.Errorf("%s: %s %q took effect %d times", tg.name, op.transport, op.marker, n)
			case n == 0 && op.state == opAcked:
				lost++
				t.Errorf("%s: %s %q was acknowledged and is not in the database", tg.name, op.transport, op.marker)
			case n == 0 && final && op.state == opUnanswered:
				lost++
				t.Errorf("%s: %s %q, sent again and answered, is not in the database", tg.name, op.transport, op.marker)
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Errorf("%s: reading the database: %v", tg.name, err)
	}
	if len(queued) > 0 {
		t.Logf("%s: messages queued, by destination: %v", tg.name, queued)
	}
	tg.figures.lost += lost
	tg.figures.duplicates += dup
	tg.figures.audits++
	if out, ok := runAuditVerify(tg.bin, tg.db); ok {
		tg.figures.auditsOK++
	} else {
		t.Errorf("%s: icbot audit verify:\n%s", tg.name, out)
	}
}

// markerCount is how many times op's effect is in the database.
func markerCount(tx bot.Tx, op *crashOp) (int, error) {
	switch op.kind {
	case opScene:
		sc, err := tx.Scene(bot.SceneID(op.scene))
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return 0, nil
		}
		if err != nil || sc.Title != op.marker {
			return 0, err
		}
		return 1, nil
	case opBeat:
		sc, err := tx.Scene(bot.SceneID(op.scene))
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			return 0, nil
		}
		n := 0
		for _, b := range sc.Beats {
			if b.Description == op.marker {
				n++
			}
		}
		return n, err
	default:
		hist, err := tx.BoundariesHistory(bot.SceneID(op.scene), crashPerformer(op))
		n := 0
		for _, b := range hist {
			if b.Notes == op.marker {
				n++
			}
		}
		return n, err
	}
}

// crashPerformer is who answers the forms on each platform.
func crashPerformer(op *crashOp) bot.UserID {
	if strings.HasPrefix(op.transport, "discord") {
		return discordPerformer
	}
	return "UPERF"
}

// crashCall is the call time of the crash test's scenes: far enough
// ahead that no reminder falls due while it runs.
func crashCall() string { return time.Now().UTC().AddDate(0, 2, 0).Format("2006-01-02 15:04") }

// sceneThenBeat makes a worker that adds a scene, then a beat to it, then
// the next scene, and so on: add makes the request for a scene (id,
// marker), beat the one for a beat (scene, marker), each with how the
// platform retries it (nil: only byte for byte). A beat waits for its
// scene to be acknowledged.
func sceneThenBeat(tg *crashTarget, transport string, add, beat func(n int, scene, marker string) (*signedRequest, func() *signedRequest)) func(int) *crashOp {
	var last *crashOp
	prefix := strings.NewReplacer("slack ", "S", "discord ", "D", "slash", "C", "event", "E", "button", "B", "command", "C", " ", "").Replace(transport)
	return func(n int) *crashOp {
		op := &crashOp{transport: transport}
		if last != nil && last.kind == opScene && last.state == opAcked {
			op.kind, op.scene, op.marker = opBeat, last.scene, fmt.Sprintf("%s beat %d", tg.name, n)
			op.req, op.retry = beat(n, op.scene, op.marker)
			op.ackText = " added to scene "
		} else {
			op.kind, op.scene, op.marker = opScene, fmt.Sprintf("%s%d", prefix, n), fmt.Sprintf("%s scene %d", tg.name, n)
			op.req, op.retry = add(n, op.scene, op.marker)
			op.ackText = " added as a draft"
		}
		last = op
		return op
	}
}

func newSlackTarget(t *testing.T, bin string) *crashTarget {
	web := newWebSlack(t, 3)
	const secret = "crash-signing-secret"
	dir := t.TempDir()
	tg := &crashTarget{name: "slack", bin: bin, db: filepath.Join(dir, "icbot.db"), rnd: rand.New(rand.NewPCG(5, 6))}
	tg.vars = map[string]string{
		"ICBOT_ADAPTER": "slack", "ICBOT_STORAGE_PATH": tg.db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_SLACK_BOT_TOKEN": "xoxb-crash", "ICBOT_SLACK_SIGNING_SECRET": secret, "ICBOT_SLACK_API_URL": web.apiURL(),
		"ICBOT_SLACK_SET_CHANNEL": "CSET", "ICBOT_ADMINS": "UADMIN", "ICBOT_LOG_LEVEL": "info", "ICBOT_PRODUCTION_TIMEZONE": "UTC",
	}
	tg.setup = func(c *http.Client, p *proc) error {
		for i, step := range []struct{ user, text, want string }{
			{"UADMIN", "/icbot role add <@UIC> ic", "is now"},
			{"UADMIN", "/icbot role add <@UAD> ad", "is now"},
			{"UADMIN", "/icbot role add <@UPERF> performer", "is now"},
			{"UAD", fmt.Sprintf("/scene add FORM title=\"Forms\" call=\"%s\" performers=<@UPERF>", crashCall()), "added as a draft"},
			{"UIC", "/scene beat add FORM \"A kiss\" kind=contact", "added to scene"},
		} {
			code, body, err := slashRequest(secret, web, step.user, "CSET", step.text, -1-i).send(context.Background(), c, p.base())
			if err != nil || code != http.StatusOK || !strings.Contains(string(body), step.want) {
				return fmt.Errorf("%s: %d %s %v", step.text, code, body, err)
			}
		}
		return nil
	}
	slash := func(n int, user, text string) (*signedRequest, func() *signedRequest) {
		return slashRequest(secret, web, user, "CSET", text, n), nil
	}
	slashWorker := sceneThenBeat(tg, "slack slash",
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return slash(n, "UAD", fmt.Sprintf("/scene add %s title=%q call=%q", id, marker, crashCall()))
		},
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return slash(n, "UIC", fmt.Sprintf("/scene beat add %s %q kind=other", id, marker))
		})
	slashWorker2 := sceneThenBeat(tg, "slack slash",
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return slash(n, "UAD", fmt.Sprintf("/scene add %s title=%q call=%q", id, marker, crashCall()))
		},
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return slash(n, "UIC", fmt.Sprintf("/scene beat add %s %q kind=other", id, marker))
		})
	event := func(n int, user, text string) (*signedRequest, func() *signedRequest) {
		req := dmEvent(secret, fmt.Sprintf("EvCrash%d", n), user, text)
		return req, func() *signedRequest { return req.retried(secret, 1) }
	}
	eventWorker := sceneThenBeat(tg, "slack event",
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return event(n, "UAD", fmt.Sprintf("scene add %s title=%q call=%q", id, marker, crashCall()))
		},
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return event(n, "UIC", fmt.Sprintf("scene beat add %s %q kind=other", id, marker))
		})
	button := func(n int, user, command string) (*signedRequest, func() *signedRequest) {
		return buttonPress(secret, web, user, "CSET", command, n), nil
	}
	buttonWorker := sceneThenBeat(tg, "slack button",
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return button(n, "UAD", fmt.Sprintf("/scene add %s title=%q call=%q", id, marker, crashCall()))
		},
		func(n int, id, marker string) (*signedRequest, func() *signedRequest) {
			return button(n, "UIC", fmt.Sprintf("/scene beat add %s %q kind=other", id, marker))
		})
	formWorker := func(n int) *crashOp {
		op := &crashOp{transport: "slack form", kind: opAnswer, scene: "FORM", marker: fmt.Sprintf("slack notes %d", n)}
		op.req = formSubmission(secret, "UPERF", "FORM", op.marker, n)
		return op
	}
	// Events, buttons and forms are acknowledged empty: 200 says the
	// command was committed. A DM command's answer, and the IC's notice
	// of a form, are posted to a DM, which Slack takes at one message a
	// second: these two come at a person's pace, not a machine's, so that
	// what icbot queues for those DMs does not grow without end.
	tg.workers = []func(int) *crashOp{slashWorker, slashWorker2, paced(time.Second, ackedEmpty(eventWorker)),
		ackedEmpty(buttonWorker), paced(2*time.Second, formWorker)}
	return tg
}

// paced makes a worker send at most one request every d.
func paced(d time.Duration, w func(int) *crashOp) func(int) *crashOp {
	var last time.Time
	return func(n int) *crashOp {
		if wait := time.Until(last.Add(d)); wait > 0 {
			time.Sleep(wait)
		}
		last = time.Now()
		return w(n)
	}
}

// ackedEmpty makes a worker's requests count as acknowledged on any 200:
// their answers come later, by other ways.
func ackedEmpty(w func(int) *crashOp) func(int) *crashOp {
	return func(n int) *crashOp {
		op := w(n)
		op.ackText = ""
		return op
	}
}

// The Discord crash test's people: an admin (configured), the IC, an AD
// and a performer.
const (
	discordAdmin     = "1001"
	discordIC        = "1002"
	discordAD        = "1003"
	discordPerformer = "1004"
)

func newDiscordTarget(t *testing.T, bin string) *crashTarget {
	d := newMiniDiscord(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	tg := &crashTarget{name: "discord", bin: bin, db: filepath.Join(dir, "icbot.db"), rnd: rand.New(rand.NewPCG(7, 8))}
	tg.vars = map[string]string{
		"ICBOT_ADAPTER": "discord", "ICBOT_STORAGE_PATH": tg.db, "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_DISCORD_TOKEN": "fake-token", "ICBOT_DISCORD_APPLICATION_ID": "4242", "ICBOT_DISCORD_GUILD_ID": "900",
		"ICBOT_DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "ICBOT_DISCORD_API_URL": d.srv.URL + "/",
		"ICBOT_DISCORD_SET_CHANNEL": "800", "ICBOT_ADMINS": discordAdmin, "ICBOT_LOG_LEVEL": "info", "ICBOT_PRODUCTION_TIMEZONE": "UTC",
	}
	opt := func(name string, v string) map[string]any { return map[string]any{"name": name, "type": 3, "value": v} }
	sceneAdd := func(id, title string, more ...map[string]any) []map[string]any {
		return append([]map[string]any{opt("id", id), opt("title", title), opt("call", crashCall())}, more...)
	}
	beatAdd := func(id, desc, kind string) []map[string]any {
		return []map[string]any{opt("id", id), opt("description", desc), opt("kind", kind)}
	}
	tg.setup = func(c *http.Client, p *proc) error {
		for i, step := range []struct {
			user string
			path []string
			opts []map[string]any
			want string
		}{
			{discordAdmin, []string{"icbot", "role", "add"}, []map[string]any{{"name": "person", "type": 6, "value": discordIC}, opt("role", "ic")}, "is now"},
			{discordAdmin, []string{"icbot", "role", "add"}, []map[string]any{{"name": "person", "type": 6, "value": discordAD}, opt("role", "ad")}, "is now"},
			{discordAdmin, []string{"icbot", "role", "add"}, []map[string]any{{"name": "person", "type": 6, "value": discordPerformer}, opt("role", "performer")}, "is now"},
			{discordAD, []string{"scene", "add"}, sceneAdd("FORM", "Forms", map[string]any{"name": "performers", "type": 6, "value": discordPerformer}), "added as a draft"},
			{discordIC, []string{"scene", "beat", "add"}, beatAdd("FORM", "A kiss", "contact"), "added to scene"},
		} {
			req := discordSigned(priv, discordCommand(fmt.Sprintf("9%d", i), step.user, step.path, step.opts))
			code, body, err := req.send(context.Background(), c, p.base())
			if err != nil || code != http.StatusOK || !strings.Contains(string(body), step.want) {
				return fmt.Errorf("%v: %d %s %v", step.path, code, body, err)
			}
		}
		return nil
	}
	id := func(n int) string { return fmt.Sprintf("5%08d", n) }
	commandWorker := func() func(int) *crashOp {
		return sceneThenBeat(tg, "discord command",
			func(n int, scene, marker string) (*signedRequest, func() *signedRequest) {
				return discordSigned(priv, discordCommand(id(n), discordAD, []string{"scene", "add"}, sceneAdd(scene, marker))), nil
			},
			func(n int, scene, marker string) (*signedRequest, func() *signedRequest) {
				return discordSigned(priv, discordCommand(id(n), discordIC, []string{"scene", "beat", "add"}, beatAdd(scene, marker, "other"))), nil
			})
	}
	buttonWorker := sceneThenBeat(tg, "discord button",
		func(n int, scene, marker string) (*signedRequest, func() *signedRequest) {
			return discordSigned(priv, discordButton(id(n), discordAD, fmt.Sprintf("/scene add %s title=%q call=%q", scene, marker, crashCall()))), nil
		},
		func(n int, scene, marker string) (*signedRequest, func() *signedRequest) {
			return discordSigned(priv, discordButton(id(n), discordIC, fmt.Sprintf("/scene beat add %s %q kind=other", scene, marker))), nil
		})
	modalWorker := func(n int) *crashOp {
		op := &crashOp{transport: "discord modal", kind: opAnswer, scene: "FORM", marker: fmt.Sprintf("discord notes %d", n), ackText: "are saved"}
		op.req = discordSigned(priv, discordModal(id(n), discordPerformer, "/boundaries answer FORM", op.marker))
		return op
	}
	tg.workers = []func(int) *crashOp{commandWorker(), commandWorker(), buttonWorker, modalWorker}
	return tg
}

// discordInteraction is an interaction's common fields: from user, in the
// production's server and its set channel.
func discordInteraction(id, user string, typ int, data any) map[string]any {
	return map[string]any{
		"type": typ, "id": id, "token": "tok" + id, "application_id": "4242", "version": 1,
		"channel_id": "800", "guild_id": "900",
		"member": map[string]any{"user": map[string]any{"id": user, "username": "u" + user}, "roles": []string{},
			"permissions": "0", "joined_at": "2024-01-01T00:00:00+00:00"},
		"data": data,
	}
}

// discordCommand is an application command: path is the command, its
// group and sub-command; opts its options.
func discordCommand(id, user string, path []string, opts []map[string]any) map[string]any {
	var options any = opts
	for i := len(path) - 1; i >= 1; i-- {
		typ := 1
		if i < len(path)-1 {
			typ = 2
		}
		options = []map[string]any{{"name": path[i], "type": typ, "options": options}}
	}
	data := map[string]any{"id": "C" + path[0], "name": path[0], "type": 1, "options": options}
	users := map[string]any{}
	for _, o := range opts {
		if o["type"] == 6 {
			v := o["value"].(string)
			users[v] = map[string]any{"id": v, "username": "u" + v}
		}
	}
	if len(users) > 0 {
		data["resolved"] = map[string]any{"users": users}
	}
	return discordInteraction(id, user, 2, data)
}

// discordButton is a press of one of icbot's buttons, which carries its
// command.
func discordButton(id, user, command string) map[string]any {
	i := discordInteraction(id, user, 3, map[string]any{"custom_id": "icbot:" + command, "component_type": 2})
	i["message"] = map[string]any{"id": "7" + id, "channel_id": "800"}
	return i
}

// discordModal is a submitted form of icbot's with one text field, notes.
func discordModal(id, user, command, notes string) map[string]any {
	return discordInteraction(id, user, 5, map[string]any{"custom_id": "icbotsubmit:" + command, "components": []any{
		map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "notes", "value": notes}}},
	}})
}
