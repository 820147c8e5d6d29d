// Package reply sends a person an answer meant for them alone: where they
// asked for it, while the platform still takes it there, and by DM when
// it does not.
package reply

import (
	"context"
	"errors"
	"strings"

	"icbot/bot"
)

// Chat is what sending an answer needs of an adapter: its late reply
// (bot.Replier) and its DM.
type Chat interface {
	Reply(ctx context.Context, handle string, to bot.UserID, m bot.Message) error
	DM(ctx context.Context, to bot.UserID, m bot.Message) error
}

// ToCaller sends m to the person to, who asked through handle: through
// the handle, or by DM when the handle no longer takes it
// (bot.ErrReplyExpired). Any other failure is returned as it is.
func ToCaller(ctx context.Context, c Chat, handle string, to bot.UserID, m bot.Message) error {
	if err := c.Reply(ctx, handle, to, m); !errors.Is(err, bot.ErrReplyExpired) {
		return err
	}
	return c.DM(ctx, to, m)
}

// InParts sends m, cut into parts (their texts joined are m's text),
// through send, one part after another. When the first part fails, its
// error is returned and nothing was sent: the caller decides what
// follows. When a later part fails, the parts already sent are not sent
// again: the rest goes through dm, as one message with m's other fields.
func InParts(ctx context.Context, m bot.Message, parts []bot.Message, send, dm func(context.Context, bot.Message) error) error {
	for n, p := range parts {
		err := send(ctx, p)
		if err == nil {
			continue
		}
		if n == 0 {
			return err
		}
		var rest strings.Builder
		for _, p := range parts[n:] {
			rest.WriteString(p.Text)
		}
		left := m
		left.Text = rest.String()
		return dm(ctx, left)
	}
	return nil
}
