package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Line
	}{
		{"bare", "/closedset start 12", Line{Name: "closedset", Args: []Arg{{Value: "start"}, {Value: "12"}}}},
		{"no slash, upper case", "CLOSEDSET start 12", Line{Name: "closedset", Args: []Arg{{Value: "start"}, {Value: "12"}}}},
		{"quoted positional", `/scene beat add 12 "kiss, on the lips" kind=contact`, Line{Name: "scene", Args: []Arg{
			{Value: "beat"}, {Value: "add"}, {Value: "12"}, {Value: "kiss, on the lips", Quoted: true}, {Key: "kind", Value: "contact"}}}},
		{"quoted value", `/scene add 12 title="Night swim" call="2026-12-03 09:00"`, Line{Name: "scene", Args: []Arg{
			{Value: "add"}, {Value: "12"}, {Key: "title", Value: "Night swim", Quoted: true}, {Key: "call", Value: "2026-12-03 09:00", Quoted: true}}}},
		{"escapes", `/hold 12 "she said \"stop\" \\ twice"`, Line{Name: "hold", Args: []Arg{{Value: "12"}, {Value: `she said "stop" \ twice`, Quoted: true}}}},
		{"typographic quotes", "/scene add 12 title=“Night swim”", Line{Name: "scene", Args: []Arg{{Value: "add"}, {Value: "12"}, {Key: "title", Value: "Night swim", Quoted: true}}}},
		{"empty quoted value", `/scene set 12 title=""`, Line{Name: "scene", Args: []Arg{{Value: "set"}, {Value: "12"}, {Key: "title", Value: "", Quoted: true}}}},
		{"key upper case", `/scene set 12 TITLE=x`, Line{Name: "scene", Args: []Arg{{Value: "set"}, {Value: "12"}, {Key: "title", Value: "x"}}}},
		{"equals in quoted word is not a key", `/hold 12 "a=b"`, Line{Name: "hold", Args: []Arg{{Value: "12"}, {Value: "a=b", Quoted: true}}}},
		{"slack mentions", `/scene add 12 performers=<@U123|paula>,<@U456|pete smith> channel=<#C99|scene-12>`, Line{Name: "scene", Args: []Arg{
			{Value: "add"}, {Value: "12"}, {Key: "performers", Value: "<@U123|paula>,<@U456|pete smith>"}, {Key: "channel", Value: "<#C99|scene-12>"}}}},
		{"discord mentions", `/closedset add 12 <@!80351110224678912> role=camera`, Line{Name: "closedset", Args: []Arg{
			{Value: "add"}, {Value: "12"}, {Value: "<@!80351110224678912>"}, {Key: "role", Value: "camera"}}}},
		{"a lone less-than is text", `/hold 12 a < b`, Line{Name: "hold", Args: []Arg{{Value: "12"}, {Value: "a"}, {Value: "<"}, {Value: "b"}}}},
		{"extra spaces and tabs", "  /scene \t list   all ", Line{Name: "scene", Args: []Arg{{Value: "list"}, {Value: "all"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, wantIn string
	}{
		{"empty", "   ", "empty command"},
		{"unbalanced quote", `/scene add 12 title="Night swim`, "unbalanced quote"},
		{"quote inside a word", `/scene add 12 ti"tle`, "unexpected quote"},
		{"no space after quote", `/hold 12 "a"b`, "space after the closing quote"},
		{"quote left open before a key", `/scene add 12 title="Unbalanced call="2027-01-01 09:00"`, `the quote opened at title="Unbalanced is never closed, so call= became part of it. Close it before call=, as in title="Unbalanced" call="..."`},
		{"quote left open, positional", `/scene beat add 12 "kiss kind="contact"`, `the quote opened at "kiss is never closed, so kind= became part of it. Close it before kind=, as in "kiss" kind="..."`},
		{"unclosed mention", `/closedset add 12 <@U123`, "unclosed mention"},
		{"quoted command name", `"scene" list`, "starts with its name"},
		{"bad command name", `/!! list`, "is not a command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Parse(%q) error = %v, want EINVALID", tt.in, err)
			}
			if !strings.Contains(ErrorMessage(err), tt.wantIn) {
				t.Errorf("Parse(%q) message %q does not say %q", tt.in, ErrorMessage(err), tt.wantIn)
			}
		})
	}
}

func TestMentions(t *testing.T) {
	users := []struct {
		in   string
		want Mention
		ok   bool
	}{
		{"<@U123|paula>", Mention{ID: "U123", Name: "paula"}, true},
		{"<@U123>", Mention{ID: "U123"}, true},
		{"<@80351110224678912>", Mention{ID: "80351110224678912"}, true},
		{"<@!80351110224678912>", Mention{ID: "80351110224678912"}, true},
		{"@paula", Mention{Name: "paula"}, true},
		{"@Zoë.O'Neil", Mention{Name: "Zoë.O'Neil"}, true},
		{"paula", Mention{}, false},
		{"@", Mention{}, false},
		{"<#C1|x>", Mention{}, false},
	}
	for _, tt := range users {
		got, err := ParseUserMention(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseUserMention(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	channels := []struct {
		in   string
		want Mention
		ok   bool
	}{
		{"<#C99|scene-12>", Mention{ID: "C99", Name: "scene-12"}, true},
		{"<#1234567890>", Mention{ID: "1234567890"}, true},
		{"#scene-12", Mention{Name: "scene-12"}, true},
		{"scene-12", Mention{}, false},
		{"<@U1>", Mention{}, false},
	}
	for _, tt := range channels {
		got, err := ParseChannelMention(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseChannelMention(%q) = %+v, %v; want %+v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// FuzzParse checks that no input makes the parser panic, that every error
// is a coded EINVALID, and that what it returns is well formed.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"/closedset start 12",
		`/scene add 12 title="Night swim" call="2026-12-03 09:00" performers=@paula,@pete channel=#scene-12`,
		`/scene beat add 12 "simulated sex, side-lying" kind=simulated-sex areas=back,buttocks`,
		`/closedset add 12 <@U123|cam> role=camera`,
		`/closedset add 12 <@!80351110224678912>`,
		`/hold 12 "she said \"stop\""`,
		"/scene add 12 title=“Night swim”",
		`/scene add 12 title="unbalanced`,
		`<@U1`, `""`, "/", "/a=b", `/x "a"b`, "\x00\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, err := Parse(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Parse(%q) gave uncoded error %v", s, err)
			}
			return
		}
		if line.Name == "" || !keyPattern.MatchString(line.Name) {
			t.Fatalf("Parse(%q) gave bad name %q", s, line.Name)
		}
		for _, a := range line.Args {
			if a.Key != "" && !keyPattern.MatchString(a.Key) {
				t.Fatalf("Parse(%q) gave bad key %q", s, a.Key)
			}
			if utf8.ValidString(s) && !utf8.ValidString(a.Value) {
				t.Fatalf("Parse(%q) made invalid UTF-8 from valid input: %q", s, a.Value)
			}
		}
	})
}
