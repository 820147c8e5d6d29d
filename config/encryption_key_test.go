package config

import (
	"strings"
	"testing"
)

// A valid 32-byte key, base64.
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

func TestEncryptionKeyBytes(t *testing.T) {
	tests := []struct {
		name string
		key  Secret
		ok   bool
	}{
		{"std padded", testKey, true},
		{"std raw", Secret(strings.TrimRight(testKey, "=")), true},
		{"empty", "", false},
		{"too short", "c2hvcnQ=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Storage{EncryptionKey: tt.key}.EncryptionKeyBytes()
			if (got != nil) != tt.ok || (tt.ok && string(got) != "0123456789abcdef0123456789abcdef") {
				t.Errorf("EncryptionKeyBytes() = %q", got)
			}
		})
	}
}
