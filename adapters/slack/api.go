package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	slackapi "github.com/slack-go/slack"

	"icbot/bot"
)

// api is the part of the Slack Web API icbot calls; *slackapi.Client has it,
// and tests point a real client at a local fake.
type api interface {
	AuthTestContext(ctx context.Context) (*slackapi.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slackapi.MsgOption) (string, string, error)
	DeleteMessageContext(ctx context.Context, channelID, timestamp string) (string, string, error)
	GetConversationInfoContext(ctx context.Context, input *slackapi.GetConversationInfoInput) (*slackapi.Channel, error)
	OpenConversationContext(ctx context.Context, params *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error)
	GetUsersInConversationContext(ctx context.Context, params *slackapi.GetUsersInConversationParameters) ([]string, string, error)
	InviteUsersToConversationContext(ctx context.Context, channelID string, users ...string) (*slackapi.Channel, error)
	KickUserFromConversationContext(ctx context.Context, channelID, user string) error
	GetUserInfoContext(ctx context.Context, user string, options ...slackapi.GetUserInfoOption) (*slackapi.User, error)
	OpenViewContext(ctx context.Context, triggerID string, view slackapi.ModalViewRequest) (*slackapi.ViewResponse, error)
	GetUploadURLExternalContext(ctx context.Context, params slackapi.GetUploadURLExternalParameters) (*slackapi.GetUploadURLExternalResponse, error)
	UploadToURL(ctx context.Context, params slackapi.UploadToURLParameters) error
	CompleteUploadExternalContext(ctx context.Context, params slackapi.CompleteUploadExternalParameters) (*slackapi.CompleteUploadExternalResponse, error)
	GetFileInfoContext(ctx context.Context, fileID string, count, page int) (*slackapi.File, []slackapi.Comment, *slackapi.Paging, error)
}

var _ api = (*slackapi.Client)(nil)

// metrics counts Web API calls and their errors by method.
type metrics struct {
	calls  *prometheus.CounterVec
	errors *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icbot_slack_api_calls_total", Help: "Slack Web API calls by method.",
		}, []string{"method"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "icbot_slack_api_errors_total", Help: "Slack Web API calls that failed, by method and Slack's error code.",
		}, []string{"method", "error"}),
	}
	if reg != nil {
		reg.MustRegister(m.calls, m.errors)
	}
	return m
}

// metered counts every call of the api it wraps.
type metered struct {
	api api
	m   *metrics
}

func (x metered) count(method string, err error) {
	x.m.calls.WithLabelValues(method).Inc()
	if err != nil {
		x.m.errors.WithLabelValues(method, errorLabel(err)).Inc()
	}
}

func (x metered) AuthTestContext(ctx context.Context) (*slackapi.AuthTestResponse, error) {
	r, err := x.api.AuthTestContext(ctx)
	x.count("auth.test", err)
	return r, err
}

func (x metered) PostMessageContext(ctx context.Context, ch string, opts ...slackapi.MsgOption) (string, string, error) {
	a, b, err := x.api.PostMessageContext(ctx, ch, opts...)
	x.count("chat.postMessage", err)
	return a, b, err
}

func (x metered) DeleteMessageContext(ctx context.Context, ch, ts string) (string, string, error) {
	a, b, err := x.api.DeleteMessageContext(ctx, ch, ts)
	x.count("chat.delete", err)
	return a, b, err
}

func (x metered) GetConversationInfoContext(ctx context.Context, in *slackapi.GetConversationInfoInput) (*slackapi.Channel, error) {
	c, err := x.api.GetConversationInfoContext(ctx, in)
	x.count("conversations.info", err)
	return c, err
}

func (x metered) OpenConversationContext(ctx context.Context, p *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error) {
	c, a, b, err := x.api.OpenConversationContext(ctx, p)
	x.count("conversations.open", err)
	return c, a, b, err
}

func (x metered) GetUsersInConversationContext(ctx context.Context, p *slackapi.GetUsersInConversationParameters) ([]string, string, error) {
	us, cur, err := x.api.GetUsersInConversationContext(ctx, p)
	x.count("conversations.members", err)
	return us, cur, err
}

func (x metered) InviteUsersToConversationContext(ctx context.Context, ch string, users ...string) (*slackapi.Channel, error) {
	c, err := x.api.InviteUsersToConversationContext(ctx, ch, users...)
	x.count("conversations.invite", err)
	return c, err
}

func (x metered) KickUserFromConversationContext(ctx context.Context, ch, user string) error {
	err := x.api.KickUserFromConversationContext(ctx, ch, user)
	x.count("conversations.kick", err)
	return err
}

func (x metered) GetUserInfoContext(ctx context.Context, user string, opts ...slackapi.GetUserInfoOption) (*slackapi.User, error) {
	u, err := x.api.GetUserInfoContext(ctx, user, opts...)
	x.count("users.info", err)
	return u, err
}

func (x metered) OpenViewContext(ctx context.Context, trigger string, v slackapi.ModalViewRequest) (*slackapi.ViewResponse, error) {
	r, err := x.api.OpenViewContext(ctx, trigger, v)
	x.count("views.open", err)
	return r, err
}

// slackCode is Slack's error code for a refused call ("channel_not_found"),
// or "" for failures of another kind.
func slackCode(err error) string {
	var e slackapi.SlackErrorResponse
	if errors.As(err, &e) {
		return e.Err
	}
	return ""
}

func errorLabel(err error) string {
	var rl *slackapi.RateLimitedError
	switch code := slackCode(err); {
	case code != "":
		return code
	case errors.As(err, &rl):
		return "rate_limited"
	}
	return "transport"
}

// scopeHint names the scope a method needs, for a missing_scope error.
var scopeHint = map[string]string{
	"chat.postMessage":             "chat:write",
	"conversations.info":           "groups:read (and channels:read)",
	"conversations.open":           "im:write",
	"conversations.members":        "groups:read",
	"conversations.invite":         "groups:write",
	"conversations.kick":           "groups:write",
	"users.info":                   "users:read",
	"views.open":                   "commands (modals need interactivity)",
	"files.getUploadURLExternal":   "files:write",
	"files.completeUploadExternal": "files:write",
}

// failure turns a Web API error into what the bot understands: a passing
// failure (rate limit, network, Slack's own trouble) to retry, or a
// refusal explained for the IC or AD, with what fixes it.
// refusedCall reports whether Slack answered a call with a refusal, so
// that it certainly did nothing: a rate limit, an error code, a status
// below 500. A timeout or a broken connection may come after Slack acted.
func refusedCall(err error) bool {
	var rl *slackapi.RateLimitedError
	var se slackapi.SlackErrorResponse
	var sc slackapi.StatusCodeError
	switch {
	case errors.As(err, &rl), errors.As(err, &se):
		return true
	case errors.As(err, &sc):
		return sc.Code < 500
	}
	return false
}

func failure(method string, err error) error {
	if err == nil {
		return nil
	}
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return bot.RetryLater(rl.RetryAfter, err)
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) && (sc.Code >= 500 || sc.Code == http.StatusTooManyRequests) {
		return bot.RetryLater(0, err)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return bot.RetryLater(0, err)
	}
	var se slackapi.SlackErrorResponse
	if !errors.As(err, &se) {
		return bot.RetryLater(0, err)
	}
	msg := ""
	switch se.Err {
	case "ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout":
		return bot.RetryLater(0, err)
	case "missing_scope":
		scope := se.Needed
		if scope == "" {
			scope = scopeHint[method]
		}
		msg = fmt.Sprintf("the Slack app lacks the %s scope that %s needs: add it under OAuth & Permissions and reinstall the app (missing_scope)", scope, method)
	case "channel_not_found":
		// ENOTFOUND: the domain tells "no such channel" apart from a
		// channel it may not use.
		return &bot.Error{Code: bot.ENOTFOUND, Message: "Slack cannot find that channel: check its id, and invite icbot to it (/invite @icbot), since apps cannot see private channels they are not in (channel_not_found)", Err: err}
	case "not_in_channel":
		msg = "icbot is not a member of that channel: invite it there with /invite @icbot (not_in_channel)"
	case "is_archived":
		msg = "that channel is archived (is_archived)"
	case "restricted_action", "restricted_action_non_threadable_channel", "restricted_action_read_only_channel":
		msg = fmt.Sprintf("the workspace's settings do not let icbot do this (%s): a workspace admin can allow it", se.Err)
	case "cant_kick_self", "cant_kick_from_general":
		msg = fmt.Sprintf("Slack does not allow removing that member (%s)", se.Err)
	case "user_not_found", "user_disabled", "cannot_dm_bot", "user_is_bot":
		msg = fmt.Sprintf("Slack cannot deliver to that person (%s)", se.Err)
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
		msg = fmt.Sprintf("Slack rejected icbot's token (%s): the operator must install the app again and update slack.bot_token", se.Err)
	default:
		msg = fmt.Sprintf("Slack refused %s (%s)", method, se.Err)
	}
	return &bot.Error{Code: bot.EUNAVAILABLE, Message: msg, Err: err}
}
