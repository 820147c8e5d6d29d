package slack

import (
	"net/http"
	"testing"
)

// TestWebAPIClientTimeout: without an injected client the Web API gets one
// whose timeout ends a hung call; an injected one is used as it is.
func TestWebAPIClientTimeout(t *testing.T) {
	if got := New(Config{}, nil).web.Timeout; got != apiTimeout || got == 0 {
		t.Errorf("default Web API client timeout %s, want %s", got, apiTimeout)
	}
	hc := &http.Client{}
	if a := New(Config{}, nil, WithHTTPClient(hc)); a.web != hc || a.http != hc {
		t.Errorf("the injected client is not the one used")
	}
}
