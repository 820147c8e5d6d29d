package reply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"icbot/bot"
)

// chat records where each message went; replyErr is what Reply returns.
type chat struct {
	replyErr error
	got      []string
}

func (c *chat) Reply(_ context.Context, handle string, to bot.UserID, m bot.Message) error {
	if c.replyErr != nil {
		return c.replyErr
	}
	c.got = append(c.got, "reply "+handle+" "+string(to)+": "+m.Text)
	return nil
}

func (c *chat) DM(_ context.Context, to bot.UserID, m bot.Message) error {
	c.got = append(c.got, "dm "+string(to)+": "+m.Text)
	return nil
}

// TestToCaller: an answer goes through the reply handle; by DM when the
// handle has expired (however the error is wrapped); and any other
// failure is returned, with no DM.
func TestToCaller(t *testing.T) {
	broken := errors.New("slack is down")
	tests := []struct {
		name     string
		replyErr error
		want     []string
		wantErr  error
	}{
		{"where they asked", nil, []string{"reply h1 UA: hi"}, nil},
		{"by DM once the handle expired", bot.ErrReplyExpired, []string{"dm UA: hi"}, nil},
		{"by DM when the handle is refused", fmt.Errorf("%w: not the platform's", bot.ErrReplyExpired), []string{"dm UA: hi"}, nil},
		{"another failure is not a DM", broken, nil, broken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &chat{replyErr: tt.replyErr}
			err := ToCaller(context.Background(), c, "h1", "UA", bot.Message{Text: "hi"})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("ToCaller = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(c.got, tt.want) {
				t.Errorf("sent %q, want %q", c.got, tt.want)
			}
		})
	}
}

// TestInParts: the parts go one after another; when the first fails its
// error is returned and nothing goes by DM; when a later one fails, the
// rest goes by DM as one message, keeping the message's buttons, and
// nothing already sent is sent again.
func TestInParts(t *testing.T) {
	m := bot.Message{Text: "one\ntwo\nthree", Actions: []bot.Action{{Label: "OK", Command: "/ok"}}}
	parts := []bot.Message{{Text: "one\n"}, {Text: "two\n"}, {Text: "three", Actions: m.Actions}}
	refused := errors.New("refused")
	tests := []struct {
		name    string
		failAt  int // the part that fails; -1: none
		sent    []string
		dm      []bot.Message
		wantErr error
	}{
		{"all arrive", -1, []string{"one\n", "two\n", "three"}, nil, nil},
		{"the first fails", 0, nil, nil, refused},
		{"a later one fails: the rest by DM", 1, []string{"one\n"}, []bot.Message{{Text: "two\nthree", Actions: m.Actions}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent []string
			var dms []bot.Message
			n := 0
			send := func(_ context.Context, p bot.Message) error {
				defer func() { n++ }()
				if n == tt.failAt {
					return refused
				}
				sent = append(sent, p.Text)
				return nil
			}
			dm := func(_ context.Context, p bot.Message) error { dms = append(dms, p); return nil }
			err := InParts(context.Background(), m, parts, send, dm)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("InParts = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(sent, tt.sent) {
				t.Errorf("sent %q, want %q", sent, tt.sent)
			}
			if len(dms) != len(tt.dm) || (len(dms) == 1 && (dms[0].Text != tt.dm[0].Text || len(dms[0].Actions) != 1)) {
				t.Errorf("by DM %+v, want %+v", dms, tt.dm)
			}
		})
	}
}
