package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// fatalAuth are the errors after which reconnecting cannot help: the app
// token was revoked or is wrong.
var fatalAuth = []string{"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}

// RunSocketMode receives slash commands, interactions and events over a
// Socket Mode connection until ctx is done. Every envelope is acknowledged
// and handled on its own goroutine; a slash command's acknowledgement
// carries the caller's answer, as over HTTP. Envelopes still being handled
// when it returns are waited for by Wait. A dropped connection is reopened with growing waits; a revoked or
// wrong token stops it with an error that says so.
func (a *Adapter) RunSocketMode(ctx context.Context, h Handler, opts ...socketmode.Option) error {
	client := socketmode.New(a.client, opts...)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-client.Events:
				if !ok {
					return
				}
				// Each envelope on its own, so that one slow command
				// does not hold up the others; a graceful stop waits.
				a.inflight.Add(1)
				go func() {
					defer a.inflight.Done()
					a.socketEvent(ctx, client, h, evt)
				}()
			}
		}
	}()
	defer func() { cancel(); <-done }()
	wait := time.Second
	for {
		err := client.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		for _, code := range fatalAuth {
			if err != nil && err.Error() == code {
				return fmt.Errorf("slack socket mode stopped: Slack refused the app token (%s); create a new app-level token with connections:write and set slack.app_token", code)
			}
		}
		a.log.Warn("socket mode connection lost; reconnecting", "err", err, "in", wait)
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

// socketEvent handles one Socket Mode envelope and acknowledges it. Every
// command is committed before its acknowledgement, so nothing
// acknowledged is lost: a slash command's acknowledgement carries its
// answer; an interaction's slow part (views.open, the answer, the
// follow-up) runs after it, on a context that stopping does not cut
// short; an event is acknowledged once its command is recorded (its id
// makes a retry harmless).
func (a *Adapter) socketEvent(ctx context.Context, client *socketmode.Client, h Handler, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.Info("socket mode connected")
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		a.log.Warn("socket mode trouble", "type", string(evt.Type))
		return
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("socket mode: Slack refused the app token")
		return
	}
	if evt.Request == nil {
		return
	}
	req := *evt.Request
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		var sc slackapi.SlashCommand
		if err := json.Unmarshal(req.Payload, &sc); err != nil {
			a.log.Warn("malformed slash command envelope", "err", err)
			a.ack(ctx, client, req, nil)
			return
		}
		ans, after := a.command(ctx, h, sc, socketKey(sc.TriggerID, req.EnvelopeID))
		a.ack(ctx, client, req, ans)
		a.afterAck(ctx, after)
	case socketmode.EventTypeInteractive:
		var cb slackapi.InteractionCallback
		if err := json.Unmarshal(req.Payload, &cb); err != nil {
			a.log.Warn("malformed interaction envelope", "err", err)
			a.ack(ctx, client, req, nil)
			return
		}
		after := a.interaction(context.WithoutCancel(ctx), h, cb, socketKey(cb.TriggerID, req.EnvelopeID))
		a.ack(ctx, client, req, nil)
		a.afterAck(ctx, after)
	case socketmode.EventTypeEventsAPI:
		var env eventEnvelope
		if err := json.Unmarshal(req.Payload, &env); err != nil {
			a.log.Warn("malformed events envelope", "err", err)
			a.ack(ctx, client, req, nil)
			return
		}
		// Not acknowledged, an envelope comes again: so is one whose
		// command could not be recorded, until Slack's last retry.
		if a.event(context.WithoutCancel(ctx), h, env, req.RetryAttempt >= lastRetry) {
			a.ack(ctx, client, req, nil)
		}
	default:
		if req.EnvelopeID != "" {
			a.ack(ctx, client, req, nil)
		}
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

func (a *Adapter) ack(ctx context.Context, client *socketmode.Client, req socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = client.AckCtx(ctx, req.EnvelopeID, nil)
	} else {
		err = client.AckCtx(ctx, req.EnvelopeID, payload)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		a.log.Error("socket mode acknowledgement failed", "err", err)
	}
}
