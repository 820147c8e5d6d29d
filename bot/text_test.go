package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"icbot/bot"
)

// TestTypedTextBounded: titles, descriptions, notes, terms and reasons
// are bounded where they enter, with what the bound is; control and
// direction characters are refused in them; nothing is changed.
func TestTypedTextBounded(t *testing.T) {
	h := consentHarness(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, tt := range []struct {
		name, caller, line, want string
	}{
		{"long title", "ines", `/scene set 20 title="` + long(121) + `"`, "The title is too long: 121 characters, at most 120"},
		{"title on two lines", "ines", "/scene set 20 title=\"Pool\nnight\"", "must be one line"},
		{"bell in a title", "ines", "/scene set 20 title=\"Pool\a\"", "control character (U+0007) at character 5"},
		{"escape in a description", "ines", "/scene beat add 20 \"kiss \x1b[2J\" kind=contact", "control character (U+001B)"},
		{"override in a description", "ines", "/scene beat add 20 \"kiss \u202eevol\" kind=contact", "invisible direction control (U+202E)"},
		{"long description", "ines", `/scene beat add 20 "` + long(301) + `" kind=contact`, "The beat's description is too long: 301 characters, at most 300"},
		{"long beat change", "ines", `/scene beat set 20 b1 "` + long(1961) + `"`, "at most 300"},
		{"long notes", "paula", `/boundaries answer 20 b1=yes notes="` + long(2001) + `"`, "The value of notes= is too long: 2001 characters, at most 2000"},
		{"isolate in garments", "paula", "/boundaries answer 20 b1=yes garments=\"robe \u2066x\u2069\"", "U+2066"},
		{"long terms", "ines", `/rider drafted 20 @paula terms="` + long(2001) + `"`, "at most 2000"},
		{"override in a mention", "ines", "/icbot role add @gar\u202ey crew", "U+202E"},
		{"zero width space in a title", "ines", "/scene set 20 title=\"Po\u200bol\"", "invisible character (U+200B) at character 3"},
		{"soft hyphen in a description", "ines", "/scene beat add 20 \"ki\u00adss\" kind=contact", "U+00AD"},
		{"byte order mark in notes", "paula", "/boundaries answer 20 b1=yes notes=\"\ufeffhi\"", "U+FEFF"},
		{"tag characters in notes", "paula", "/boundaries answer 20 b1=yes notes=\"hi\U000E0041\"", "U+E0041"},
		{"Hangul filler as a title", "ines", "/scene set 20 title=\"\u3164\"", "U+3164"},
		{"line separator in a title", "ines", "/scene set 20 title=\"Pool\u2028night\"", "line or paragraph separator (U+2028)"},
		{"a call in year 9999", "ines", `/scene set 20 call="9999-12-31 23:59"`, "out of range: a call is between 2000 and 2199"},
		{"a call in year 1", "ines", `/scene set 20 call="0001-01-01 00:00"`, "out of range"},
		{"a lone carriage return in notes", "paula", "/boundaries answer 20 b1=yes notes=\"first\rsecond\"", "carriage return"},
		{"a whole line too long", "ines", "/scene list " + strings.Repeat("x ", 4001), "the command is too long"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, sc := h.auditLen(), *h.scene("20")
			r := h.do(tt.caller, tt.line)
			if r.code() != bot.EINVALID || !strings.Contains(r.reply, tt.want) {
				t.Errorf("%s\n got %s: %q\nwant invalid: %q", tt.line, r.code(), r.reply, tt.want)
			}
			if h.auditLen() != before || h.scene("20").Version != sc.Version || len(r.sent) != 0 {
				t.Errorf("refused input changed something")
			}
		})
	}
	// Notes may span lines; titles at their bound pass; emoji with joiners
	// pass.
	h.must("paula", "/boundaries answer 20 b1=yes notes=\"👩\u200d❤\ufe0f\u200d👨 fine\"")
	h.must("paula", "/boundaries answer 20 b1=yes notes=\"first\nsecond\"")
	h.must("paula", "/boundaries answer 20 b1=yes notes=\"first\r\nsecond\"")
	h.must("ines", `/scene set 20 title="`+long(120)+`"`)
}

// TestMixedScriptNameWarned: a role given to a name that mixes scripts (a
// Cyrillic а in @pаula) is given, with a warning to check who it is;
// ordinary names, in any one script, pass without one.
func TestMixedScriptNameWarned(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("ines", "/icbot role add <@U9|p\u0430ula> crew")
	if !strings.Contains(r.reply, "mixes Latin and Cyrillic letters") || !strings.Contains(r.reply, "U9") {
		t.Errorf("no warning for a mixed-script name:\n%s", r.reply)
	}
	for i, name := range []string{"paula", "Пётр", "José", "山田たろう"} {
		if r := h.must("ines", fmt.Sprintf("/icbot role add <@U1%d|%s> crew", i, name)); strings.Contains(r.reply, "mixes") {
			t.Errorf("%s: %s", name, r.reply)
		}
	}
}

// TestNamesakeWarned: a role given to someone who goes by the same name
// as someone icbot knows comes with a warning naming both ids: messages
// show people by name, and an impostor called "paula" would pass for her.
func TestNamesakeWarned(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("ines", "/icbot role add <@U99|paula> crew")
	if !strings.Contains(r.reply, "Check that @paula (id U99) is who you mean: @paula (id paula) has the same name") {
		t.Errorf("no warning for a namesake:\n%s", r.reply)
	}
}

// TestNamesFromThePlatformCleaned: a display name the platform sends with
// direction controls is shown without them.
func TestNamesFromThePlatformCleaned(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("ines", "/icbot role add <@U8|ma\u202elory> crew")
	if strings.ContainsRune(r.reply, '\u202e') || !strings.Contains(r.reply, "@ma\ufffdlory is now crew") {
		t.Errorf("a direction control reached a reply: %q", r.reply)
	}
	out := h.bot.Handle(t.Context(), bot.Command{Caller: "U77", CallerName: "ev\u202eil\x07", Text: "/icbot whoami"})
	if got := out.ReplyText(); strings.ContainsAny(got, "\u202e\x07") || !strings.Contains(got, "@ev\ufffdil\ufffd") {
		t.Errorf("whoami with a platform name holding controls: %q", got)
	}
}

// TestHoldTakenWhateverItsReason: a hold whose reason breaks the bounds
// (too long, an invisible direction control, a lone carriage return) is
// taken all the same, without the reason, and the caller is told why
// and to tell the IC: calling a hold must meet no step.
func TestHoldTakenWhateverItsReason(t *testing.T) {
	for _, tc := range []struct{ name, reason, why string }{
		{"too long", strings.Repeat("a", 501), "The reason is too long: 501 characters, at most 500"},
		{"direction control", "stop \u202e", "U+202E"},
		{"carriage return", "a\rb", "carriage return (U+000D) at character 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := consentHarness(t)
			r := h.must("paula", "/hold 20 "+tc.reason)
			if !strings.Contains(r.reply, "Your hold on scene 20 is recorded") || !strings.Contains(r.reply, "Your reason was not kept: ") || !strings.Contains(r.reply, tc.why) {
				t.Errorf("reply %q", r.reply)
			}
			hold, ok := h.scene("20").ActiveHold()
			if !ok || hold.CalledBy != "paula" || hold.Reason != "" {
				t.Errorf("hold %+v (active %v), want paula's, without a reason", hold, ok)
			}
		})
	}
}

// TestWithdrawalTakenBesideATypo: a withdrawal naming a beat that does
// not exist beside one that does is taken for the one that does, and the
// rest told back; one naming none that can be taken changes nothing.
func TestWithdrawalTakenBesideATypo(t *testing.T) {
	h := consentHarness(t)
	r := h.must("paula", "/boundaries withdraw 20 b1 b9")
	if !strings.Contains(r.reply, "Your withdrawal of consent to b1 of scene 20 is recorded") || !strings.Contains(r.reply, "Not taken: scene 20 has no beat b9") {
		t.Errorf("reply %q", r.reply)
	}
	if _, ok := h.scene("20").ActiveHold(); !ok {
		t.Errorf("the withdrawal did not hold the scene")
	}
	h.must("ines", "/hold lift 20")
	before := h.auditLen()
	if r := h.do("paula", "/boundaries withdraw 20 b9 x"); r.code() != bot.EINVALID || !strings.Contains(r.reply, "Scene 20 has no beat b9") || !strings.Contains(r.reply, "Nothing was withdrawn") || h.auditLen() != before {
		t.Errorf("nothing to take: %s %q", r.code(), r.reply)
	}
}
