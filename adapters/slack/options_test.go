package slack

import (
	"net/http"
	"testing"
)

// TestWebAPIClientTimeout: without an injected client the Web API gets one
// whose timeout ends a hung call; an injected one is used as it is, and
// for response_urls with its transport and timeout but its own redirect
// rule.
func TestWebAPIClientTimeout(t *testing.T) {
	if got := New(Config{}).web.Timeout; got != apiTimeout || got == 0 {
		t.Errorf("default Web API client timeout %s, want %s", got, apiTimeout)
	}
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 7}
	a := New(Config{}, WithHTTPClient(hc))
	if a.web != hc || a.http.Transport != hc.Transport || a.http.Timeout != hc.Timeout {
		t.Errorf("the injected client is not the one used")
	}
	if a.http.CheckRedirect == nil {
		t.Errorf("response_urls follow any redirect")
	}
}
