package slack

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	slackapi "github.com/slack-go/slack"

	"icbot/adapters/internal/reply"
	"icbot/adapters/internal/textsplit"
	"icbot/bot"
)

// escape makes text safe for Slack, where <, > and & start markup.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// actionPrefix marks the buttons icbot made; the value is the command.
const actionPrefix = "icbot_cmd_"

// blocks renders a message with buttons; nil when it has none, so that
// plain text is sent. The text goes in as many sections as Slack's limit
// needs, the buttons after them.
func blocks(m bot.Message) []slackapi.Block {
	if len(m.Actions) == 0 {
		return nil
	}
	var out []slackapi.Block
	for _, part := range sections(m.Text, sectionLimit) {
		if strings.TrimSpace(part) == "" {
			continue // nothing to show; Slack refuses a blank section
		}
		text := slackapi.NewTextBlockObject(slackapi.PlainTextType, part, false, false)
		out = append(out, slackapi.NewSectionBlock(text, nil, nil))
	}
	var buttons []slackapi.BlockElement
	for i, ac := range m.Actions {
		label := slackapi.NewTextBlockObject(slackapi.PlainTextType, ac.Label, false, false)
		buttons = append(buttons, slackapi.NewButtonBlockElement(actionPrefix+strconv.Itoa(i), ac.Command, label))
	}
	return append(out, slackapi.NewActionBlock("icbot_actions", buttons...))
}

// Slack's limits on what one message shows. Text beyond messageLimit is
// cut off without a word; a section holds sectionLimit characters; and a
// message's blocks, 50 at most, are refused (msg_blocks_too_long) once
// their text passes about 13,000 characters, so the part of a message that
// carries buttons holds at most blockTextLimit.
const (
	messageLimit   = 40000
	sectionLimit   = 3000
	blockTextLimit = 12000
)

// sections splits text into parts of at most limit characters, counted as
// UTF-16 code units (never fewer than runes, so within the limit however
// Slack counts characters), cut as textsplit.Split cuts: at line ends,
// then words. Joined, the parts are exactly text. Empty text has no parts.
func sections(text string, limit int) []string { return textsplit.Split(text, limit, utf16Width) }

// messageParts splits text into the messages it takes for Slack to show
// all of it: each at most messageLimit characters once escaped, cut as
// sections are. Joined, the parts are exactly text.
func messageParts(text string) []string {
	return textsplit.Split(text, messageLimit, escapedWidth)
}

// splitMessage splits m into the messages it takes: its text in parts
// (see messageParts), its buttons with the last part, which then holds no
// more than blockTextLimit characters.
func splitMessage(m bot.Message) []bot.Message {
	parts := messageParts(m.Text)
	if len(parts) == 0 {
		parts = []string{""}
	}
	if len(m.Actions) > 0 {
		last := parts[len(parts)-1]
		parts = append(parts[:len(parts)-1], sections(last, blockTextLimit)...)
		if len(parts) == 0 {
			parts = []string{""}
		}
	}
	out := make([]bot.Message, len(parts))
	for i, p := range parts {
		out[i] = bot.Message{Text: p}
	}
	out[len(out)-1].Actions = m.Actions
	return out
}

// utf16Width is how many UTF-16 code units r takes.
func utf16Width(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 2 // not encodable: count it at its widest
}

// escapedWidth is how many characters r takes once escaped.
func escapedWidth(r rune) int {
	switch r {
	case '&':
		return len("&amp;")
	case '<', '>':
		return len("&lt;")
	}
	return utf16Width(r)
}

func msgOptions(m bot.Message) []slackapi.MsgOption {
	opts := []slackapi.MsgOption{slackapi.MsgOptionText(escape(m.Text), false)}
	if b := blocks(m); b != nil {
		opts = append(opts, slackapi.MsgOptionBlocks(b...))
	}
	return opts
}

// Post sends a message to a channel, paced per channel: a long one in
// several messages (see splitMessage), its buttons with the last. It
// returns their timestamps, separated by commas, which name them for
// chat.delete. When a part fails, those already posted are deleted again,
// so that a retry does not leave half a message behind.
func (a *Adapter) Post(ctx context.Context, ch bot.ChannelID, m bot.Message) (bot.PostRef, error) {
	var posted []string
	// failed deletes the parts already posted and says whether nothing of
	// the message is on Slack now (bot.NotPosted): only when the last
	// part was certainly refused and the others are gone again.
	failed := func(err error, refused bool) error {
		if rerr := a.Retract(context.WithoutCancel(ctx), ch, bot.PostRef(strings.Join(posted, ","))); rerr != nil {
			a.log.Warn("could not delete the first parts of a message that failed", "err", rerr)
			return err
		}
		if refused {
			return bot.NotPosted(err)
		}
		return err
	}
	for _, part := range splitMessage(m) {
		if err := a.pace.wait(ctx, string(ch)); err != nil {
			return "", failed(bot.RetryLater(0, err), true)
		}
		_, ts, err := a.api.PostMessageContext(ctx, string(ch), msgOptions(part)...)
		if err != nil {
			return "", failed(failure("chat.postMessage", err), refusedCall(err))
		}
		posted = append(posted, ts)
	}
	return bot.PostRef(strings.Join(posted, ",")), nil
}

// Retract deletes icbot's own message(s) from a channel: ref holds their
// timestamps, separated by commas. One already deleted is not an error.
func (a *Adapter) Retract(ctx context.Context, ch bot.ChannelID, ref bot.PostRef) error {
	for ts := range strings.SplitSeq(string(ref), ",") {
		if ts == "" {
			continue
		}
		if _, _, err := a.api.DeleteMessageContext(ctx, string(ch), ts); err != nil && slackCode(err) != "message_not_found" {
			return failure("chat.delete", err)
		}
	}
	return nil
}

// DM sends a message to a person in their direct conversation with icbot.
func (a *Adapter) DM(ctx context.Context, to bot.UserID, m bot.Message) error {
	ch, err := a.imChannel(ctx, to)
	if err != nil {
		return err
	}
	_, err = a.Post(ctx, bot.ChannelID(ch), m)
	return err
}

// imChannel opens (once) the DM channel with a person.
func (a *Adapter) imChannel(ctx context.Context, u bot.UserID) (string, error) {
	if ch, ok := a.ims.Get(u); ok {
		return ch, nil
	}
	c, _, _, err := a.api.OpenConversationContext(ctx, &slackapi.OpenConversationParameters{Users: []string{string(u)}})
	if err != nil {
		return "", failure("conversations.open", err)
	}
	a.ims.Put(u, c.ID)
	return c.ID, nil
}

// IsPrivate asks Slack, every time, whether only invited members can read
// ch: a private channel, a DM or a group DM. Privacy is never cached, so a
// channel made public is noticed at once.
func (a *Adapter) IsPrivate(ctx context.Context, ch bot.ChannelID) (bool, error) {
	c, err := a.conversation(ctx, ch)
	if err != nil {
		return false, err
	}
	return onlyInvited(c), nil
}

// conversation asks conversations.info about ch.
func (a *Adapter) conversation(ctx context.Context, ch bot.ChannelID) (*slackapi.Channel, error) {
	c, err := a.api.GetConversationInfoContext(ctx, &slackapi.GetConversationInfoInput{ChannelID: string(ch)})
	if err != nil {
		return nil, failure("conversations.info", err)
	}
	return c, nil
}

// onlyInvited reports whether only invited members can read c.
func onlyInvited(c *slackapi.Channel) bool { return c.IsPrivate || c.IsIM || c.IsMpIM }

// shared reports whether people of another workspace or organisation can
// read c, or soon may (an invitation to share it is pending).
func shared(c *slackapi.Channel) bool {
	return c.IsShared || c.IsExtShared || c.IsOrgShared || c.IsGlobalShared || c.IsPendingExtShared
}

// Members lists who can read ch, icbot excluded: the members of a private
// channel, DM or group DM, every page of conversations.members. Asked
// afresh each time, like IsPrivate. It refuses, with an EUNAVAILABLE error,
// a channel whose members are not all its readers or cannot all be known:
// one shared with another workspace, and a public channel, which anyone
// in the workspace can open.
func (a *Adapter) Members(ctx context.Context, ch bot.ChannelID) ([]bot.UserID, error) {
	c, err := a.conversation(ctx, ch)
	if err != nil {
		return nil, err
	}
	switch {
	case shared(c):
		return nil, bot.Errorf(bot.EUNAVAILABLE, "%s is shared with another workspace: its members cannot all be known, so icbot cannot tell who would read it; use a channel that is not shared", channelLabel(c, ch))
	case !onlyInvited(c):
		return nil, bot.Errorf(bot.EUNAVAILABLE, "%s is public: anyone in the workspace can read it, not only its members; use a private channel", channelLabel(c, ch))
	}
	ids, err := a.members(ctx, string(ch))
	if err != nil {
		return nil, err
	}
	out := make([]bot.UserID, 0, len(ids))
	for _, id := range ids {
		if id != a.botUserID() {
			out = append(out, bot.UserID(id))
		}
	}
	return out, nil
}

// channelLabel names a channel in a message: #name when Slack gave one.
func channelLabel(c *slackapi.Channel, ch bot.ChannelID) string {
	if c.Name != "" {
		return "#" + c.Name
	}
	return "#" + string(ch)
}

// Reply handles: a slash command's or button's response_url, usable five
// times within 30 minutes, or the DM channel a command was typed in.
const (
	replyURL   = "url"
	replyIM    = "im"
	replyUses  = 5
	replyLimit = 30 * time.Minute
)

// urlHandle makes the reply handle of a response_url received now.
func urlHandle(url string, now time.Time) string {
	if url == "" {
		return ""
	}
	return replyURL + "|" + strconv.FormatInt(now.Unix(), 10) + "|" + url
}

func imHandle(ch string) string { return replyIM + "|" + ch }

// Reply sends a late reply only its recipient sees: through the
// response_url while Slack still accepts it, in the DM channel the command
// came from, or, when neither works, ErrReplyExpired makes the bot DM. A
// long reply goes in parts (see splitMessage); one the response_url no
// longer takes goes by DM with the rest. A response_url is followed only
// to Slack's own host (see replyAllowed), whatever the handle says.
func (a *Adapter) Reply(ctx context.Context, handle string, to bot.UserID, m bot.Message) error {
	kind, rest, _ := strings.Cut(handle, "|")
	switch kind {
	case replyIM:
		_, err := a.Post(ctx, bot.ChannelID(rest), m)
		return err
	case replyURL:
		issued, target, ok := strings.Cut(rest, "|")
		secs, err := strconv.ParseInt(issued, 10, 64)
		if !ok || err != nil || a.clock().Sub(time.Unix(secs, 0)) > replyLimit {
			return bot.ErrReplyExpired
		}
		if !a.replyAllowed(target) {
			a.log.Warn("refused a reply handle that does not lead to Slack; replying by DM", "host", hostOf(target))
			return fmt.Errorf("%w: not a Slack response_url", bot.ErrReplyExpired)
		}
		return reply.InParts(ctx, m, splitMessage(m), func(ctx context.Context, part bot.Message) error {
			return a.postResponse(ctx, target, part)
		}, func(ctx context.Context, left bot.Message) error {
			return a.DM(ctx, to, left)
		})
	}
	return bot.ErrReplyExpired
}

// postResponse posts one message to a response_url, counting its uses.
// The count is kept under the URL's hash: a URL is as long as a request
// makes it, and as good as a token.
func (a *Adapter) postResponse(ctx context.Context, target string, m bot.Message) error {
	used := replyUses
	a.replies.Update(sha256.Sum256([]byte(target)), func(n int, _ bool) int {
		used = n
		return min(n+1, replyUses)
	})
	if used >= replyUses {
		return bot.ErrReplyExpired
	}
	msg := &slackapi.WebhookMessage{ResponseType: slackapi.ResponseTypeEphemeral, Text: escape(m.Text)}
	if b := blocks(m); b != nil {
		msg.Blocks = &slackapi.Blocks{BlockSet: b}
	}
	if err := slackapi.PostWebhookCustomHTTPContext(ctx, target, a.http, msg); err != nil {
		err = withoutURL(err)
		a.log.Warn("response_url failed; replying by DM", "host", hostOf(target), "err", err)
		return fmt.Errorf("%w: %v", bot.ErrReplyExpired, err)
	}
	return nil
}

// withoutURL keeps a request's URL out of an error, and so out of logs: a
// response_url is as good as a token for replying to its caller.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s to %s: %w", ue.Op, hostOf(ue.URL), ue.Err)
	}
	return err
}

// slackHooks is the host of Slack's response_urls.
const slackHooks = "hooks.slack.com"

// replyAllowed reports whether a response_url may be followed: https to
// Slack's own host, or to the host of the configured API URL (a fake or
// a proxy), by its scheme. A reply handle is kept in the database with a
// pending message; one changed there to lead elsewhere is refused, and
// the message goes by DM.
func (a *Adapter) replyAllowed(target string) bool {
	u, err := url.Parse(target)
	if err != nil || u.User != nil || u.Opaque != "" || u.Host == "" {
		return false
	}
	if u.Scheme == "https" && strings.EqualFold(u.Host, slackHooks) {
		return true
	}
	return a.apiBase != nil && u.Scheme == a.apiBase.Scheme && strings.EqualFold(u.Host, a.apiBase.Host)
}

// hostOf names where a URL leads, for a log line: its host only, never its
// path, which holds a token.
func hostOf(target string) string {
	if u, err := url.Parse(target); err == nil {
		return u.Host
	}
	return "(not a URL)"
}

// ephemeral is the body of an acknowledgement that answers the caller.
type ephemeral struct {
	ResponseType string           `json:"response_type"`
	Text         string           `json:"text"`
	Blocks       []slackapi.Block `json:"blocks,omitempty"`
}

// acknowledgement is the acknowledgement that answers a command with the
// first of its answer's parts (see messageParts); the rest follow it.
func acknowledgement(parts []string) ephemeral {
	first := ""
	if len(parts) > 0 {
		first = parts[0]
	}
	return ephemeral{ResponseType: slackapi.ResponseTypeEphemeral, Text: escape(first)}
}
