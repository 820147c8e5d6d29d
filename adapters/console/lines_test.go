package console

import (
	"slices"
	"strings"
	"testing"
)

func TestReadLines(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\nb\n", []string{"a", "b"}},
		{"a\r\nb", []string{"a", "b"}},
		{"\n\n", []string{"", ""}},
		{strings.Repeat("x", 10) + "\nok\n", []string{strings.Repeat("x", 10), "ok"}},
		{strings.Repeat("x", 11) + "\nok\n", []string{tooLong, "ok"}},
		{strings.Repeat("x", 5000) + "\nok", []string{tooLong, "ok"}},
	} {
		var got []string
		if err := readLines(strings.NewReader(tt.in), 10, func(l string) bool { got = append(got, l); return true }); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("readLines(%.20q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
