package discord

import (
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"
)

// TestRedactKeepsTokensOut: a failed request's error names the call
// without the interaction token its URL carries, so that logs never hold
// a token; failure keeps it out too.
func TestRedactKeepsTokensOut(t *testing.T) {
	token := "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMDpzZWNyZXQtdG9rZW4tdmFsdWUtaGVyZQ"
	err := &url.Error{Op: "Post", URL: "https://discord.com/api/v9/webhooks/4242/" + token + "?wait=false", Err: io.ErrUnexpectedEOF}
	for name, got := range map[string]error{"redact": redact(err), "failure": failure("answer", err)} {
		if strings.Contains(got.Error(), token) {
			t.Errorf("%s: the token is in %q", name, got)
		}
		if !strings.Contains(got.Error(), "discord.com/api/v9/webhooks/4242/…") || !errors.Is(got, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %q does not name the call or keep its cause", name, got)
		}
	}
}
