package slack

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"icbot/adapters/internal/reply"
	"icbot/bot"
)

// maxBody caps what a request may carry; Slack's payloads are far smaller.
const maxBody = 1 << 20

// Routes returns the HTTP handler for Slack's requests:
// POST /slack/commands, /slack/interactions and /slack/events. Every request
// must carry a valid signature made with the signing secret in the last
// five minutes; anything else gets 401 and changes nothing. A signed
// request sent again within those five minutes (a replay) is the same
// request: its command takes effect once.
func (a *Adapter) Routes(h Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte, key string) {
		sc, err := decodeSlash(body)
		if err != nil {
			http.Error(w, "malformed form", http.StatusBadRequest)
			return
		}
		// The answer's first part in the acknowledgement, the rest after.
		run := a.command(r.Context(), h, sc, key)
		parts := messageParts(run.out.ReplyText())
		writeJSON(w, acknowledgement(parts))
		a.afterAck(r.Context(), a.rest(h, run, parts[min(1, len(parts)):]))
	}))
	mux.Handle("POST /slack/interactions", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte, key string) {
		cb, err := decodeInteraction(body)
		if err != nil {
			http.Error(w, "malformed payload", http.StatusBadRequest)
			return
		}
		// The command is committed before the acknowledgement, so that
		// nothing Slack was told icbot received is lost; views.open for a
		// form, the answer and the follow-up come after it.
		after := a.interaction(r.Context(), h, cb, key)
		w.WriteHeader(http.StatusOK)
		a.afterAck(r.Context(), after)
	}))
	mux.Handle("POST /slack/events", a.verified(func(w http.ResponseWriter, r *http.Request, body []byte, _ string) {
		env, err := decodeEvent(body)
		if err != nil {
			http.Error(w, "malformed event", http.StatusBadRequest)
			return
		}
		if env.Type == "url_verification" {
			writeJSON(w, map[string]string{"challenge": env.Challenge})
			return
		}
		// Slack retries an event it got no 2xx for, three times at most;
		// the last try is answered whatever happens.
		retry, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
		if !a.event(r.Context(), h, env, retry >= lastRetry) {
			http.Error(w, "not recorded; try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	return mux
}

// lastRetry is the number of Slack's last retry of an event.
const lastRetry = 3

// verified checks a request's size and signature before calling next with
// its body and its request key. Slack's verifier compares in constant time
// and refuses timestamps more than five minutes away.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte, key string)) http.Handler {
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
		next(w, r, body, signatureKey(r.Header.Get("X-Slack-Signature")))
	})
}

// signatureKey is the request key of a verified HTTP request: a hash of
// its signature, which names the timestamp and body Slack signed. A copy
// of the request sent again carries the same signature; its hex digits
// are read in either case, as the verifier reads them, so that changing
// their case makes no new request.
func signatureKey(sig string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(sig)))
	return "slack:sig:" + hex.EncodeToString(sum[:16])
}

func (a *Adapter) refuse(w http.ResponseWriter, why string) {
	// Anyone may send these: one line a minute at most.
	if ok, skipped := a.refusals.Allow(a.clock()); ok {
		a.log.Warn("refused an unverified request", "why", why, "refused_since_last_logged", skipped)
	}
	http.Error(w, "unauthorized", http.StatusUnauthorized)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// decodeSlash reads a slash command's form body.
func decodeSlash(body []byte) (slackapi.SlashCommand, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return slackapi.SlashCommand{}, err
	}
	return slashFromForm(form), nil
}

// decodeInteraction reads an interaction's form body: its payload field,
// in JSON.
func decodeInteraction(body []byte) (slackapi.InteractionCallback, error) {
	var cb slackapi.InteractionCallback
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return cb, err
	}
	err = json.Unmarshal([]byte(form.Get("payload")), &cb)
	return cb, err
}

// decodeEvent reads an Events API body.
func decodeEvent(body []byte) (eventEnvelope, error) {
	var env eventEnvelope
	err := json.Unmarshal(body, &env)
	return env, err
}

// slashFromForm reads a slash command's form fields.
func slashFromForm(f url.Values) slackapi.SlashCommand {
	return slackapi.SlashCommand{
		TeamID: f.Get("team_id"), ChannelID: f.Get("channel_id"), ChannelName: f.Get("channel_name"),
		UserID: f.Get("user_id"), UserName: f.Get("user_name"), Command: f.Get("command"), Text: f.Get("text"),
		ResponseURL: f.Get("response_url"), TriggerID: f.Get("trigger_id"), APIAppID: f.Get("api_app_id"),
	}
}

// slashRun is a slash command run up to its committed outcome.
type slashRun struct {
	cmd bot.Command
	out *bot.Outcome
}

// command runs a slash command up to its committed outcome: the state
// change is committed, and the caller's answer is ready for the
// acknowledgement (see rest for what follows it). key names the request: a
// copy of it has no second effect.
func (a *Adapter) command(ctx context.Context, h Handler, sc slackapi.SlashCommand, key string) slashRun {
	names := a.displayNames(ctx, append([]string{sc.UserID}, mentioned(sc.Text)...)...)
	cmd := slashCommand(sc, names, a.clock())
	cmd.Once = key
	out := h.Handle(ctx, cmd)
	if out.Repeated() {
		a.log.Info("a request was sent again; not run again", "command", sc.Command)
	}
	return slashRun{cmd: cmd, out: out}
}

// rest is what is left of a slash command once its acknowledgement is
// sent: the parts of its answer the acknowledgement did not show, through
// the response_url (by DM once that no longer takes them), then notices
// and locks, through the Web API.
func (a *Adapter) rest(h Handler, run slashRun, parts []string) func(context.Context) {
	return func(ctx context.Context) {
		for _, part := range parts {
			a.tell(ctx, run.cmd, bot.Message{Text: part})
		}
		if run.out.HasFollowUp() {
			h.FollowUp(ctx, run.out)
		}
	}
}

// slashCommand is the command a slash command types, with the display
// names found for the caller and the people it mentions.
func slashCommand(sc slackapi.SlashCommand, names map[string]string, now time.Time) bot.Command {
	return bot.Command{
		Caller: bot.UserID(sc.UserID), CallerName: nameOr(names, sc.UserID, sc.UserName),
		Channel: bot.ChannelID(sc.ChannelID), ReplyHandle: urlHandle(sc.ResponseURL, now),
		Text: strings.TrimSpace(sc.Command + " " + withNames(sc.Text, names)),
	}
}

// tell sends m to the caller of cmd only: through its reply handle while
// it lasts, by DM after.
func (a *Adapter) tell(ctx context.Context, cmd bot.Command, m bot.Message) {
	if err := reply.ToCaller(ctx, a, cmd.ReplyHandle, cmd.Caller, m); err != nil {
		a.log.Error("an answer could not be sent", "err", err)
	}
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
		fn(a.inflight.Context())
	}()
}

// interaction runs a button press or a submitted form up to its committed
// outcome (a button's value is a command, run as the person who pressed
// it with every usual check; a form is its command typed out) and returns
// what is left for after the acknowledgement: a form the answer opens,
// opened at once while the trigger (three seconds) lasts, then the answer,
// through the response_url or by DM, and the follow-up. key names the
// request: a copy of it has no second effect, and no second answer.
func (a *Adapter) interaction(ctx context.Context, h Handler, cb slackapi.InteractionCallback, key string) func(context.Context) {
	cmds := interactionCommands(cb, nil, a.clock())
	if len(cmds) == 0 {
		a.log.Debug("ignored an interaction", "type", string(cb.Type))
		return nil
	}
	names := a.displayNames(ctx, cb.User.ID)
	var afters []func(context.Context)
	for i, cmd := range cmds {
		cmd.CallerName = nameOr(names, cb.User.ID, cb.User.Name)
		cmd.Once = key
		if key != "" && len(cmds) > 1 {
			cmd.Once = key + "/" + strconv.Itoa(i)
		}
		out := h.Handle(ctx, cmd)
		if out.Repeated() {
			a.log.Info("an interaction was sent again; not run again", "type", string(cb.Type))
			continue
		}
		if cb.Type == slackapi.InteractionTypeViewSubmission {
			afters = append(afters, func(context.Context) {
				a.answerLater(h, out, func(bg context.Context, m bot.Message) error {
					return a.DM(bg, cmd.Caller, m)
				})
			})
			continue
		}
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
				return reply.ToCaller(bg, a, cmd.ReplyHandle, cmd.Caller, m)
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

// interactionCommands are the commands an interaction stands for: a
// submitted form of icbot's is its command typed out; each of icbot's
// buttons pressed runs its command, in the channel it was pressed in, its
// answer going back through the response_url. Anything else stands for
// none. Callers' display names are left to the caller of this function.
func interactionCommands(cb slackapi.InteractionCallback, names map[string]string, now time.Time) []bot.Command {
	caller := bot.UserID(cb.User.ID)
	name := nameOr(names, cb.User.ID, cb.User.Name)
	switch cb.Type {
	case slackapi.InteractionTypeViewSubmission:
		if cb.View.CallbackID != formCallback {
			return nil
		}
		return []bot.Command{{Caller: caller, CallerName: name, Text: submitted(cb.View)}}
	case slackapi.InteractionTypeBlockActions:
		var cmds []bot.Command
		for _, act := range cb.ActionCallback.BlockActions {
			if act == nil || !strings.HasPrefix(act.ActionID, actionPrefix) || !strings.HasPrefix(act.Value, "/") {
				continue
			}
			cmds = append(cmds, bot.Command{Caller: caller, CallerName: name, Channel: bot.ChannelID(cb.Channel.ID),
				ReplyHandle: urlHandle(cb.ResponseURL, now), Text: act.Value})
		}
		return cmds
	}
	return nil
}

// answerLater sends a command's answer after the acknowledgement (for
// requests whose acknowledgement cannot carry it), then its follow-up.
func (a *Adapter) answerLater(h Handler, out *bot.Outcome, send func(context.Context, bot.Message) error) {
	a.inflight.Add(1)
	go func() {
		defer a.inflight.Done()
		bg := a.inflight.Context()
		for _, m := range out.Replies {
			if err := a.sendRetrying(bg, m, send); err != nil {
				a.log.Error("an answer could not be sent", "err", err)
			}
		}
		h.FollowUp(bg, out)
	}()
}

// answerTries is how many times an answer sent after the acknowledgement
// is tried when Slack fails in a way that may pass (a 5xx, a dropped
// connection): the command took effect, and its caller should hear so.
const answerTries = 4

// sendRetrying sends m, trying again after failures that may pass, with
// waits that double, until ctx ends.
func (a *Adapter) sendRetrying(ctx context.Context, m bot.Message, send func(context.Context, bot.Message) error) error {
	var err error
	for try := 1; try <= answerTries; try++ {
		if err = send(ctx, m); err == nil {
			return nil
		}
		wait, retry := bot.Transient(err, try)
		if !retry || try == answerTries {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
	return err
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
		Inviter     string `json:"inviter"`
		// Files are the files a message shares (subtype file_share).
		Files []eventFile `json:"files"`
	} `json:"event"`
}

// event handles an Events API callback. A message someone typed to icbot
// in a DM is run as a command, its answer posted back in the DM; the event
// id is its request key, recorded with its effect, so that Slack's retry
// of it has none. It reports false when the command could not be recorded
// and Slack should deliver the event again (unless lastTry: then the
// person is told). A file shared in that DM is the screenplay of /scene
// import, run after the acknowledgement (see importShared). A member joining a channel, or a channel being shared,
// has the bot check who reads the channel now, after the acknowledgement:
// what icbot posted there that a new reader may not read is taken down,
// and the IC told.
func (a *Adapter) event(ctx context.Context, h Handler, env eventEnvelope, lastTry bool) bool {
	if env.Type != "event_callback" {
		return true
	}
	if ch, ok := readersEvent(env, a.botUserID()); ok {
		a.afterAck(ctx, func(ctx context.Context) { h.ChannelChanged(ctx, ch) })
		return true
	}
	if cmd, files, ok := fileShare(env, a.botUserID()); ok {
		a.afterAck(ctx, func(ctx context.Context) { a.importShared(ctx, h, cmd, files) })
		return true
	}
	cmd, ok := eventCommand(env, a.botUserID(), nil)
	if !ok {
		return true
	}
	names := a.displayNames(ctx, append([]string{string(cmd.Caller)}, mentioned(cmd.Text)...)...)
	cmd, _ = eventCommand(env, a.botUserID(), names)
	out := h.Handle(ctx, cmd)
	switch {
	case out.Repeated():
		a.log.Info("ignored a retried event", "event_id", env.EventID)
		return true
	case bot.ErrorCode(out.Err) == bot.EINTERNAL && !lastTry:
		a.log.Error("a command from an event was not recorded; Slack will retry it", "event_id", env.EventID)
		return false
	}
	a.answerLater(h, out, func(bg context.Context, m bot.Message) error {
		_, err := a.Post(bg, cmd.Channel, m)
		return err
	})
	return true
}

// eventCommand is the command a message in a DM with icbot types, with the
// display names found for its sender and the people it mentions; false
// for every other event, and for messages from bots (icbot included).
func eventCommand(env eventEnvelope, botUser string, names map[string]string) (bot.Command, bool) {
	e := env.Event
	if env.Type != "event_callback" || env.EventID == "" || e.Type != "message" || e.ChannelType != "im" ||
		e.BotID != "" || e.Subtype != "" || e.User == "" || e.User == botUser || e.Channel == "" {
		return bot.Command{}, false
	}
	text := strings.TrimSpace(e.Text)
	if text == "" {
		return bot.Command{}, false
	}
	if !strings.HasPrefix(text, "/") {
		text = "/" + text
	}
	return bot.Command{
		Caller: bot.UserID(e.User), CallerName: names[e.User],
		Channel: bot.ChannelID(e.Channel), ReplyHandle: imHandle(e.Channel), Text: withNames(text, names),
		Once: "slack:event:" + env.EventID,
	}, true
}

// readersEvent reports whether an event says who reads a channel may have
// changed outside icbot, and which channel: a member joined it, or it was
// shared with another workspace. A member icbot invited itself is not
// news: the closed-set lock invites only those who may read everything
// icbot posted there, and its end brings people back only once what they
// may not read is gone.
func readersEvent(env eventEnvelope, botUser string) (bot.ChannelID, bool) {
	e := env.Event
	if env.Type != "event_callback" || e.Channel == "" {
		return "", false
	}
	switch e.Type {
	case "member_joined_channel":
		return bot.ChannelID(e.Channel), e.Inviter == "" || e.Inviter != botUser
	case "channel_shared":
		return bot.ChannelID(e.Channel), true
	}
	return "", false
}
