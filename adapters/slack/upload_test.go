package slack

import "testing"

// TestUploadAllowed: an upload address is followed over https to Slack's
// file host alone, or to the configured API URL's host by its scheme.
func TestUploadAllowed(t *testing.T) {
	slack := New(Config{})
	fake := New(Config{APIURL: "http://127.0.0.1:4567/api/"})
	for target, want := range map[string][2]bool{ // Slack's own, with a fake
		"https://files.slack.com/upload/v1/abc":       {true, true},
		"https://FILES.slack.com/upload/v1/abc":       {true, true},
		"http://files.slack.com/upload/v1/abc":        {false, false},
		"https://files.slack.com.evil.example/upload": {false, false},
		"https://files.slack.com@evil.example/upload": {false, false},
		"https://evil.example/files.slack.com/upload": {false, false},
		"https://files.slack.com:8443/upload/v1/abc":  {false, false},
		"https://hooks.slack.com/upload/v1/abc":       {false, false},
		"http://127.0.0.1:4567/upload/F1":             {false, true},
		"https://127.0.0.1:4567/upload/F1":            {false, false},
		"http://127.0.0.1:4568/upload/F1":             {false, false},
		"//files.slack.com/upload":                    {false, false},
		"not a url":                                   {false, false},
	} {
		if got := slack.uploadAllowed(target); got != want[0] {
			t.Errorf("uploadAllowed(%q) = %v, want %v", target, got, want[0])
		}
		if got := fake.uploadAllowed(target); got != want[1] {
			t.Errorf("with a configured API URL, uploadAllowed(%q) = %v, want %v", target, got, want[1])
		}
	}
}
