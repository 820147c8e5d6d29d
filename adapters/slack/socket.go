package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"icbot/adapters/internal/recent"
	"icbot/adapters/internal/textsplit"
)

// fatalAuth are the errors after which reconnecting cannot help: the app
// token was revoked or is wrong.
var fatalAuth = []string{"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}

// socketRun is Socket Mode's run, started by Open: stop ends it, done is
// closed once it and every goroutine it started have ended.
type socketRun struct {
	stop context.CancelFunc
	done chan struct{}
}

// openSocket starts Socket Mode in the background and waits, for as
// long as ctx lasts, for its first connection or its failure (see Open).
func (a *Adapter) openSocket(ctx context.Context, h Handler) error {
	run, stop := context.WithCancel(context.Background())
	sock := &socketRun{stop: stop, done: make(chan struct{})}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		stop()
		return fmt.Errorf("slack: closed while opening")
	}
	a.socket = sock
	a.mu.Unlock()
	connected := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(sock.done)
		if err := a.runSocketMode(run, h, func() { once.Do(func() { close(connected) }) }); err != nil {
			a.log.Error("socket mode stopped", "err", err)
			a.failed <- err // the only send: the buffer holds it
		}
	}()
	select {
	case <-connected:
		return nil
	case <-sock.done:
		select {
		case err := <-a.failed:
			return err
		default:
			return fmt.Errorf("slack: closed before socket mode connected")
		}
	case <-ctx.Done():
		a.log.Warn("socket mode has not connected yet; trying on in the background")
		return ctx.Err()
	}
}

// runSocketMode receives slash commands, interactions and events over a
// Socket Mode connection until ctx is done, calling connected at each
// connection made. Every envelope is handled on its own goroutine and
// acknowledged on the connection it came on; a slash command's
// acknowledgement carries the caller's answer, as over HTTP. It returns
// once its reader of slack-go's events has ended; envelopes still being
// handled are waited for by Wait (and Close).
//
// A dropped connection is opened again at once, then, while Slack refuses
// (apps.connections.open fails, or the websocket's handshake), after
// waits that double from 100 ms to 5 minutes: slack-go's backoff. Should
// slack-go stop all the same (it does on a 404), it is started again
// after waits that double from a second to two minutes. A revoked or
// wrong token stops it with an error that says so. What was received
// before a drop is not lost, nor handled twice: see envelope.
//
// A websocket message may hold maxBody at most, as an HTTP request may:
// slack-go reads each whole, and sets no limit of its own. A longer one
// ends the connection, and is not handled.
func (a *Adapter) runSocketMode(ctx context.Context, h Handler, connected func()) error {
	opts := append([]socketmode.Option{socketmode.OptionReadLimit(maxBody)}, a.socketOpts...)
	s := &socketSession{a: a, h: h, client: socketmode.New(a.client, opts...), connected: connected,
		answered: recent.New[string, sentAnswer](answersKept, replyLimit, a.clock)}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-s.client.Events:
				if !ok {
					return
				}
				if s.status(evt) {
					continue
				}
				// Each envelope on its own, so that one slow command
				// does not hold up the others; a graceful stop waits.
				conn := s.conn.Load()
				a.inflight.Add(1)
				go func() {
					defer a.inflight.Done()
					s.envelope(ctx, evt, conn)
				}()
			}
		}
	}()
	defer func() { cancel(); <-done }()
	wait := time.Second
	for {
		run, stop := context.WithCancelCause(ctx)
		s.stop.Store(&stop)
		err := s.client.RunContext(run)
		if ctx.Err() != nil {
			return nil
		}
		if cause := context.Cause(run); cause != nil {
			err = cause // a refusal slack-go would have tried again
		}
		stop(nil)
		if err != nil && slices.Contains(fatalAuth, err.Error()) {
			return fmt.Errorf("slack socket mode stopped: Slack refused the app token (%s); create a new app-level token with connections:write and set slack.app_token", err)
		}
		if s.wasConnected.Swap(false) {
			wait = time.Second
		}
		a.log.Warn("socket mode connection lost; reconnecting", "err", withoutURL(err), "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		wait = min(2*wait, 2*time.Minute)
	}
}

// answersKept bounds the slash commands' answers a Socket Mode session
// remembers (see sentAnswer), each for replyLimit: an acknowledgement's
// answer takes ackTextLimit at most, so they take about 4 MB at most.
const answersKept = 256

// ackTextLimit bounds the answer in a Socket Mode acknowledgement, in
// bytes of its JSON: slack-go refuses, and Slack would drop, an
// acknowledgement of 20 KB or more, and the rest of it takes far less
// than the margin left.
const ackTextLimit = 16 << 10

// socketParts splits a slash command's answer for Socket Mode: a first
// part whose acknowledgement Slack takes, then messages (see
// messageParts). Joined, the parts are exactly text.
func socketParts(text string) []string {
	first := textsplit.Split(text, ackTextLimit, jsonWidth)
	if len(first) <= 1 {
		return messageParts(text)
	}
	return append(first[:1], messageParts(text[len(first[0]):])...)
}

// jsonWidth is how many bytes r takes in an acknowledgement, escaped for
// Slack (see escape) and then as JSON, where slack-go's encoder writes &,
// < and > as \u0026 and the like, and invalid UTF-8 as \ufffd.
func jsonWidth(r rune) int {
	switch {
	case r == '&':
		return len(`\u0026amp;`)
	case r == '<' || r == '>':
		return len(`\u0026lt;`)
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
		return len(`\u0000`)
	}
	return utf8.RuneLen(r)
}

// socketSession is one run of Socket Mode: its client, which of its
// connections is up, and what it answered.
type socketSession struct {
	a      *Adapter
	h      Handler
	client *socketmode.Client
	// conn counts the connections sought. An envelope belongs to the
	// connection sought last when it arrived; once slack-go seeks
	// another, that connection is gone.
	conn atomic.Uint64
	// wasConnected is set when a connection is made, for the wait before
	// starting again; connected is told of each.
	wasConnected atomic.Bool
	connected    func()
	// stop ends slack-go's run, for a refusal it would try again forever.
	stop atomic.Pointer[context.CancelCauseFunc]
	// requests runs the deliveries of one slash command one at a time;
	// answered remembers what each was answered with, by request key.
	requests requestLocks
	answered *recent.Map[string, sentAnswer]
}

// sentAnswer is what a slash command's request was answered with, for a
// delivery of it that comes again: Slack delivers again an envelope whose
// acknowledgement it did not get, a drop having lost the acknowledgement
// or left it nowhere to go. The command is not run again; the
// acknowledgement carries the answer the caller may not have seen, or
// nothing when the answer went through the response_url.
type sentAnswer struct {
	ack  ephemeral
	told bool // sent through the response_url, the acknowledgement having nowhere to go
}

// status handles slack-go's news about the connection, and reports
// whether evt was such news rather than an envelope.
func (s *socketSession) status(evt socketmode.Event) bool {
	log := s.a.log
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// slack-go seeks a connection only when it has none: envelopes
		// that came on the last one can no longer be acknowledged.
		s.conn.Add(1)
		if e, ok := evt.Data.(*slackapi.ConnectingEvent); ok {
			log.Debug("socket mode connecting", "attempt", e.Attempt)
		}
	case socketmode.EventTypeConnected:
		s.wasConnected.Store(true)
		log.Info("socket mode connected")
		if s.connected != nil {
			s.connected()
		}
	case socketmode.EventTypeConnectionError:
		if e, ok := evt.Data.(*slackapi.ConnectionErrorEvent); ok {
			if e.ErrorObj != nil && slices.Contains(fatalAuth, e.ErrorObj.Error()) {
				// slack-go stops on most refusals of the token, not on
				// all (token_expired): trying again cannot help.
				if stop := s.stop.Load(); stop != nil {
					(*stop)(e.ErrorObj)
				}
				return true
			}
			log.Warn("socket mode could not connect; trying again", "attempt", e.Attempt, "in", e.Backoff, "err", withoutURL(e.ErrorObj))
		} else {
			log.Warn("socket mode could not connect; trying again")
		}
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		log.Warn("socket mode trouble", "type", string(evt.Type))
	case socketmode.EventTypeInvalidAuth:
		log.Error("socket mode: Slack refused the app token")
	case socketmode.EventTypeHello:
	default:
		return evt.Request == nil
	}
	return true
}

// envelope handles one Socket Mode envelope, which came on connection
// conn, and acknowledges it there. Every command is committed before its
// acknowledgement, so nothing acknowledged is lost: a slash command's
// acknowledgement carries its answer; an interaction's slow part
// (views.open, the answer, the follow-up) runs after it, on a context
// that stopping does not cut short; an event is acknowledged once its
// command is recorded.
//
// An envelope whose connection is gone by then is not acknowledged: Slack
// delivers it again on the next, and its request key (trigger id, event
// id) makes that delivery a no-op. The answer a slash command's
// acknowledgement would have carried goes through its response_url
// instead; an interaction's and an event's go as usual, after. (A drop is
// known once slack-go seeks another connection: an acknowledgement made
// in the moment before goes out on the next connection, and a delivery
// that comes again then gets the answer remembered for it.)
func (s *socketSession) envelope(ctx context.Context, evt socketmode.Event, conn uint64) {
	a, h, req := s.a, s.h, *evt.Request
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		var sc slackapi.SlashCommand
		if err := json.Unmarshal(req.Payload, &sc); err != nil {
			a.log.Warn("malformed slash command envelope", "err", err)
			s.ack(ctx, req, conn, nil)
			return
		}
		s.slash(ctx, req, conn, sc)
	case socketmode.EventTypeInteractive:
		var cb slackapi.InteractionCallback
		if err := json.Unmarshal(req.Payload, &cb); err != nil {
			a.log.Warn("malformed interaction envelope", "err", err)
			s.ack(ctx, req, conn, nil)
			return
		}
		after := a.interaction(context.WithoutCancel(ctx), h, cb, socketKey(cb.TriggerID, req.EnvelopeID))
		s.ack(ctx, req, conn, nil)
		a.afterAck(ctx, after)
	case socketmode.EventTypeEventsAPI:
		var env eventEnvelope
		if err := json.Unmarshal(req.Payload, &env); err != nil {
			a.log.Warn("malformed events envelope", "err", err)
			s.ack(ctx, req, conn, nil)
			return
		}
		// Not acknowledged, an envelope comes again: so is one whose
		// command could not be recorded, until Slack's last retry.
		if a.event(context.WithoutCancel(ctx), h, env, req.RetryAttempt >= lastRetry) {
			s.ack(ctx, req, conn, nil)
		}
	default:
		if req.EnvelopeID != "" {
			s.ack(ctx, req, conn, nil)
		}
	}
}

// slash runs a slash command's envelope. Deliveries of one request run one
// after another, so that one delivered again while the first still runs
// finds what the first answered.
func (s *socketSession) slash(ctx context.Context, req socketmode.Request, conn uint64, sc slackapi.SlashCommand) {
	a := s.a
	key := socketKey(sc.TriggerID, req.EnvelopeID)
	unlock := s.requests.lock(key)
	run := a.command(ctx, s.h, sc, key)
	parts := socketParts(run.out.ReplyText())
	var payload any = acknowledgement(parts)
	gone := s.gone(conn)
	if run.out.Repeated() {
		if sent, ok := s.answered.Get(key); ok && sent.told {
			payload = nil
		} else if ok {
			payload = sent.ack
		}
	} else if key != "" {
		s.answered.Put(key, sentAnswer{ack: acknowledgement(parts), told: gone})
	}
	unlock()
	if gone {
		a.log.Info("socket mode: a slash command's connection is gone; its answer goes through its response_url", "command", sc.Command)
		if !run.out.Repeated() {
			a.afterAck(ctx, a.rest(s.h, run, parts))
		}
		return
	}
	s.ack(ctx, req, conn, payload)
	a.afterAck(ctx, a.rest(s.h, run, parts[min(1, len(parts)):]))
}

// gone reports whether connection conn has ended.
func (s *socketSession) gone(conn uint64) bool { return s.conn.Load() != conn }

// ack acknowledges req on connection conn, unless that connection is
// gone; it reports whether it did.
func (s *socketSession) ack(ctx context.Context, req socketmode.Request, conn uint64, payload any) bool {
	if s.gone(conn) {
		s.a.log.Debug("socket mode: not acknowledged, its connection is gone; Slack delivers it again", "type", req.Type)
		return false
	}
	var err error
	if payload == nil {
		err = s.client.AckCtx(ctx, req.EnvelopeID, nil)
	} else {
		err = s.client.AckCtx(ctx, req.EnvelopeID, payload)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		s.a.log.Error("socket mode acknowledgement failed", "err", err)
		return false
	}
	return true
}

// requestLocks runs the deliveries of one request one at a time. An entry
// lives only while a delivery holds or waits for it, so the map is as
// small as the work in progress.
type requestLocks struct {
	mu   sync.Mutex
	held map[string]*requestLock
}

type requestLock struct {
	mu    sync.Mutex
	users int
}

// lock takes key's lock and returns its release; no key, no lock.
func (l *requestLocks) lock(key string) (unlock func()) {
	if key == "" {
		return func() {}
	}
	l.mu.Lock()
	if l.held == nil {
		l.held = map[string]*requestLock{}
	}
	k := l.held[key]
	if k == nil {
		k = &requestLock{}
		l.held[key] = k
	}
	k.users++
	l.mu.Unlock()
	k.mu.Lock()
	return func() {
		k.mu.Unlock()
		l.mu.Lock()
		if k.users--; k.users == 0 {
			delete(l.held, key)
		}
		l.mu.Unlock()
	}
}

// socketKey is the request key of a slash command or an interaction over
// Socket Mode: its trigger id, which Slack makes for each thing a person
// does and keeps when it delivers the envelope again; the envelope's id
// when the payload has none. Events are keyed by their event id.
func socketKey(trigger, envelope string) string {
	switch {
	case trigger != "":
		return "slack:trigger:" + trigger
	case envelope != "":
		return "slack:envelope:" + envelope
	}
	return ""
}
