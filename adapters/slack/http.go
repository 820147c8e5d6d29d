package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// maxBody caps what a request may carry; Slack's payloads are far smaller.
const maxBody = 1 << 20

// Routes returns the HTTP handler for Slack's requests:
// POST /slack/commands, /slack/interactions and /slack/events. Every request
// must carry a valid signature made with the signing secret in the last
// five minutes; anything else gets 401 and changes nothing.
func (a *Adapter) Routes(h Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
		writeJSON(w, a.command(r.Context(), h, slashFromForm(form)))
	}))
	mux.Handle("POST /slack/interactions", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
		var cb slackapi.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
			http.Error(w, "malformed payload", http.StatusBadRequest)
			return
		}
		// The command is committed before the acknowledgement, so that
		// nothing Slack was told icbot received is lost; views.open for a
		// form, the answer and the follow-up come after it.
		after := a.interaction(r.Context(), h, cb)
		w.WriteHeader(http.StatusOK)
		a.afterAck(r.Context(), after)
	}))
	mux.Handle("POST /slack/events", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		var env eventEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		if env.Type == "url_verification" {
			writeJSON(w, map[string]string{"challenge": env.Challenge})
			return
		}
		a.event(r.Context(), h, env)
		w.WriteHeader(http.StatusOK)
	}))
	return mux
}

// verified checks a request's size and signature before calling next with
// its body. Slack's verifier compares in constant time and refuses
// timestamps more than five minutes away.
func (a *Adapter) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil || len(body) > maxBody {
			a.refuse(w, "oversized or unreadable body")
			return
		}
		sv, err := slackapi.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err != nil {
			a.refuse(w, err.Error())
			return
		}
		if _, err := sv.Write(body); err != nil || sv.Ensure() != nil {
			a.refuse(w, "signature mismatch")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r, body)
	})
}

func (a *Adapter) refuse(w http.ResponseWriter, why string) {
	a.log.Warn("refused an unverified request", "why", why)
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// slashFromForm reads a slash command's form fields.
func slashFromForm(f url.Values) slackapi.SlashCommand {
	return slackapi.SlashCommand{
		TeamID: f.Get("team_id"), ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
}

// command runs a slash command and returns the acknowledgement: the
// state change is committed and the caller's answer is in it; notices and
// locks follow after, through the Web API.
func (a *Adapter) command(ctx context.Context, h Handler, sc slackapi.SlashCommand) ephemeral {
	names := a.displayNames(ctx, append([]string{sc.UserID}, mentioned(sc.Text)...)...)
	cmd := bot.Command{
		Caller: bot.UserID(sc.UserID), CallerName: nameOr(names, sc.UserID, sc.UserName),
		Channel: bot.ChannelID(sc.ChannelID), ReplyHandle: urlHandle(sc.ResponseURL, a.clock()),
		Text: strings.TrimSpace(sc.Command + " " + withNames(sc.Text, names)),
	}
	out := h.Handle(ctx, cmd)
	a.followUp(h, out)
	return answer(out)
}

// nameOr returns the display name found for id, which Slack shows, in
// preference to fallback, the legacy user name.
func nameOr(names map[string]string, id, fallback string) string {
	if n := names[id]; n != "" {
		return n
	}
	return fallback
}

var bareMention = regexp.MustCompile(`<@([UW][A-Z0-9]+)>`)

// mentioned lists the users mentioned in text without a name.
func mentioned(text string) []string {
	var ids []string
	for _, m := range bareMention.FindAllStringSubmatch(text, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// withNames adds display names to user mentions that lack them, so that
// people icbot meets for the first time get a readable name. A mention
// whose name was not found stays as it was: the bot then shows the name
// it already knows, or the user id.
func withNames(text string, names map[string]string) string {
	return bareMention.ReplaceAllStringFunc(text, func(m string) string {
		id := bareMention.FindStringSubmatch(m)[1]
		if n := names[id]; n != "" && !strings.ContainsAny(n, "|>") {
			return "<@" + id + "|" + n + ">"
		}
		return m
	})
}

// followUp runs the command's follow-up after the acknowledgement, on its
// own context so that the request ending does not cut it short.
func (a *Adapter) followUp(h Handler, out *bot.Outcome) {
	if !out.HasFollowUp() {
		return
	}
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		h.FollowUp(context.Background(), out)
	}()
}

// afterAck runs fn after a request's acknowledgement, without holding it
// up, on a context the request ending does not cancel; a graceful stop
// waits for it.
func (a *Adapter) afterAck(ctx context.Context, fn func(context.Context)) {
	if fn == nil {
		return
	}
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		fn(context.WithoutCancel(ctx))
	}()
}

// interaction runs a button press or a submitted form up to its committed
// outcome (a button's value is a command, run as the person who pressed
// it with every usual check; a form is its command typed out) and returns
// what is left for after the acknowledgement: a form the answer opens,
// opened at once while the trigger (three seconds) lasts, then the answer,
// through the response_url or by DM, and the follow-up.
func (a *Adapter) interaction(ctx context.Context, h Handler, cb slackapi.InteractionCallback) func(context.Context) {
	switch {
	case cb.Type == slackapi.InteractionTypeViewSubmission && cb.View.CallbackID == formCallback:
		names := a.displayNames(ctx, cb.User.ID)
		cmd := bot.Command{
			Caller: bot.UserID(cb.User.ID), CallerName: nameOr(names, cb.User.ID, cb.User.Name),
			Text: submitted(cb.View),
		}
		out := h.Handle(ctx, cmd)
		return func(context.Context) {
			a.answerLater(h, out, func(bg context.Context, m bot.Message) error {
				return a.DM(bg, cmd.Caller, m)
			})
		}
	case cb.Type != slackapi.InteractionTypeBlockActions:
		a.log.Debug("ignored an interaction", "type", string(cb.Type))
		return nil
	}
	var afters []func(context.Context)
	for _, act := range cb.ActionCallback.BlockActions {
		if !strings.HasPrefix(act.ActionID, actionPrefix) || !strings.HasPrefix(act.Value, "/") {
			continue
		}
		names := a.displayNames(ctx, cb.User.ID)
		cmd := bot.Command{
			Caller: bot.UserID(cb.User.ID), CallerName: nameOr(names, cb.User.ID, cb.User.Name),
			Channel: bot.ChannelID(cb.Channel.ID), ReplyHandle: urlHandle(cb.ResponseURL, a.clock()), Text: act.Value,
		}
		out := h.Handle(ctx, cmd)
		afters = append(afters, func(ctx context.Context) {
			// A reply with a form opens it at once: the trigger lasts three seconds.
			opened := false
			for _, m := range out.Replies {
				opened = opened || a.openForm(ctx, cb.TriggerID, m)
			}
			if opened {
				out.Replies = nil
			}
			a.answerLater(h, out, func(bg context.Context, m bot.Message) error {
				if err := a.Reply(bg, cmd.ReplyHandle, cmd.Caller, m); !errors.Is(err, bot.ErrReplyExpired) {
					return err
				}
				return a.DM(bg, cmd.Caller, m)
			})
		})
	}
	if len(afters) == 0 {
		return nil
	}
	return func(ctx context.Context) {
		for _, f := range afters {
			f(ctx)
		}
	}
}

// answerLater sends a command's answer after the acknowledgement (for
// requests whose acknowledgement cannot carry it), then its follow-up.
func (a *Adapter) answerLater(h Handler, out *bot.Outcome, send func(context.Context, bot.Message) error) {
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		bg := context.Background()
		for _, m := range out.Replies {
			if err := send(bg, m); err != nil {
				a.log.Error("an answer could not be sent", "err", err)
			}
		}
		h.FollowUp(bg, out)
	}()
}

// eventEnvelope is the outer Events API payload, and the inner event
// fields icbot reads.
type eventEnvelope struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type        string `json:"type"`
		ChannelType string `json:"channel_type"`
		Channel     string `json:"channel"`
		User        string `json:"user"`
		BotID       string `json:"bot_id"`
		Subtype     string `json:"subtype"`
		Text        string `json:"text"`
	} `json:"event"`
}

// event handles an Events API callback: a message someone typed to icbot
// in a DM is run as a command, its answer posted back in the DM. Slack
// retries an event it thinks was not received; the event id, remembered
// across restarts, makes a retry have no second effect.
func (a *Adapter) event(ctx context.Context, h Handler, env eventEnvelope) {
	if env.Type != "event_callback" || env.EventID == "" {
		return
	}
	first, err := a.events.FirstSeen(ctx, "slack:"+env.EventID, a.clock())
	if err != nil {
		a.log.Error("recording an event", "err", err)
		return
	}
	if !first {
		a.log.Info("ignored a retried event", "event_id", env.EventID)
		return
	}
	e := env.Event
	if e.Type != "message" || e.ChannelType != "im" || e.BotID != "" || e.Subtype != "" || e.User == "" || e.User == a.botUserID() {
		return
	}
	text := strings.TrimSpace(e.Text)
	if text == "" {
		return
	}
	if !strings.HasPrefix(text, "/") {
		text = "/" + text
	}
	names := a.displayNames(ctx, append([]string{e.User}, mentioned(text)...)...)
	cmd := bot.Command{
		Caller: bot.UserID(e.User), CallerName: names[e.User],
		Channel: bot.ChannelID(e.Channel), ReplyHandle: imHandle(e.Channel), Text: withNames(text, names),
	}
	a.answerLater(h, h.Handle(ctx, cmd), func(bg context.Context, m bot.Message) error {
		_, err := a.Post(bg, bot.ChannelID(e.Channel), m)
		return err
	})
}
