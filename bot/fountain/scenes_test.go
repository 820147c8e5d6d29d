package fountain

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, src string) *Script {
	t.Helper()
	s, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScenes(t *testing.T) {
	s := mustParse(t, `FADE IN:

INT. STUDIO - NIGHT #12#

MARA (30s) enters, followed by a GAFFER.

THEO
You're late.

MARA
(smiling)
Traffic.

.DRESSING ROOM

# Act two

INT. HALLWAY - LATER

Empty.
`)
	if got, want := len(s.Scenes), 3; got != want {
		t.Fatalf("%d scenes, want %d", got, want)
	}
	first := s.Scenes[0]
	if first.Index != 1 || first.Number != "12" || first.Heading != "INT. STUDIO - NIGHT" || first.Line != 3 || first.Page != 1 {
		t.Errorf("first scene = %+v", first)
	}
	if got, want := len(first.Elements), 6; got != want {
		t.Errorf("first scene has %d elements, want %d", got, want)
	}
	second := s.Scenes[1]
	if second.Index != 2 || second.Number != "" || second.Heading != "DRESSING ROOM" {
		t.Errorf("second scene = %+v", second)
	}
	// The section before the next heading belongs to the scene it ends.
	if got := second.Elements; len(got) != 1 || got[0].Kind != Section {
		t.Errorf("second scene's elements = %+v", got)
	}
	if s.Scenes[2].Index != 3 {
		t.Errorf("third scene's index = %d", s.Scenes[2].Index)
	}
}

func TestSceneCharacters(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{
			name: "speakers in the order they first speak",
			src:  "INT. ROOM - DAY\n\nTHEO\nHi.\n\nMARA (V.O.)\nHi.\n\nTHEO (CONT'D)\nAgain.",
			want: []string{"THEO", "MARA"},
		},
		{
			name: "introduced with an age in parentheses",
			src:  "INT. ROOM - DAY\n\nMARA (30s) enters.\n\nTHEO\nYou came.",
			want: []string{"THEO", "MARA"},
		},
		{
			name: "introduced with an age after a comma",
			src:  "INT. ROOM - DAY\n\nJUNO, 40, and DR. OKAFOR (50s) wait.",
			want: []string{"JUNO", "DR. OKAFOR"},
		},
		{
			name: "a speaker of another scene named in capitals",
			src:  "INT. ROOM - DAY\n\nBut BRICK BRADDOCK, retired, sits.  STEEL'S beer is warm.\n\nINT. PATIO - DAY\n\nBRICK\nCold?\n\nSTEEL\nNo.",
			want: []string{"BRICK", "STEEL"},
		},
		{
			name: "sound effects, headings and directions are not characters",
			src:  "INT. ROOM - DAY\n\nThe door SLAMS. A GUNSHOT. CLOSE ON the phone (ringing). We hear THEO (O.S.) and the V.O. CONTINUOUS.\n\nTHEO\nHey.",
			want: []string{"THEO"},
		},
		{
			name: "a forced name keeps its spelling",
			src:  "INT. ROOM - DAY\n\nMCCLANE walks in.\n\nINT. HALL - DAY\n\n@McCLANE\nYippie.",
			want: []string{"McCLANE"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := mustParse(t, tc.src)
			if diff := cmp.Diff(tc.want, s.Scenes[0].Characters); diff != "" {
				t.Errorf("characters (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPages(t *testing.T) {
	t.Run("about 55 lines a page", func(t *testing.T) {
		// Each scene takes a heading (1 line and 2 blank before) and an
		// action of 2 lines (1 blank before): 6 lines, so 9 scenes a page.
		var b strings.Builder
		for i := range 30 {
			fmt.Fprintf(&b, "INT. ROOM %d - DAY\n\nShe waits.\nAnd waits.\n\n", i+1)
		}
		s := mustParse(t, b.String())
		if got, want := s.Pages, 4; got != want {
			t.Errorf("pages = %d, want %d", got, want)
		}
		for i, want := range map[int]int{0: 1, 8: 1, 9: 2, 18: 3, 29: 4} {
			if got := s.Scenes[i].Page; got != want {
				t.Errorf("scene %d on page %d, want %d", i+1, got, want)
			}
		}
	})
	t.Run("a long action runs over pages", func(t *testing.T) {
		s := mustParse(t, strings.Repeat("She waits.\n", 120)+"\nTHEO\nHey.")
		if got, want := s.Elements[1].Page, 3; got != want {
			t.Errorf("the cue after 120 lines is on page %d, want %d", got, want)
		}
	})
	t.Run("page breaks start a page, once", func(t *testing.T) {
		s := mustParse(t, "===\n\nOne.\n\n===\n\n===\n\nTwo.\n\n===")
		want := []int{1, 1, 1, 1, 2, 2}
		var got []int
		for _, e := range s.Elements {
			got = append(got, e.Page)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("pages (-want +got):\n%s", diff)
		}
		if s.Pages != 2 {
			t.Errorf("pages = %d, want 2", s.Pages)
		}
	})
	t.Run("no element, no page", func(t *testing.T) {
		if s := mustParse(t, "Title: Empty\n\n"); s.Pages != 0 || len(s.Elements) != 0 {
			t.Errorf("got %d pages, %d elements", s.Pages, len(s.Elements))
		}
	})
	t.Run("notes and sections alone make one page", func(t *testing.T) {
		if s := mustParse(t, "# Act one\n\n= Synopsis"); s.Pages != 1 {
			t.Errorf("pages = %d, want 1", s.Pages)
		}
	})
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name  string
		data  []byte
		is    error
		words string
	}{
		{"latin-1", []byte("INT. CAF\xc9 - DAY\n\nHello.\n\nSo\xe9."), ErrNotUTF8, "line 1 "},
		{"latin-1 on a later line", []byte("INT. CAFE - DAY\n\nHello \xe9t\xe9."), ErrNotUTF8, "line 3 "},
		{"too large", bytes.Repeat([]byte("a"), MaxSize+1), ErrTooLarge, "MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, read := range []struct {
				name string
				fn   func([]byte) (*Script, error)
			}{
				{"Parse", func(b []byte) (*Script, error) { return Parse(bytes.NewReader(b)) }},
				{"ParseFDX", func(b []byte) (*Script, error) { return ParseFDX(bytes.NewReader(b)) }},
				{"ParseFile", func(b []byte) (*Script, error) { return ParseFile("script.fountain", b) }},
			} {
				s, err := read.fn(tc.data)
				if !errors.Is(err, tc.is) || s != nil {
					t.Fatalf("%s: got %v, %v; want %v", read.name, s, err, tc.is)
				}
				if !strings.Contains(err.Error(), tc.words) {
					t.Errorf("%s: %q does not say %q", read.name, err, tc.words)
				}
			}
		})
	}
	t.Run("exactly MaxSize is read", func(t *testing.T) {
		if _, err := Parse(bytes.NewReader(bytes.Repeat([]byte("a"), MaxSize))); err != nil {
			t.Fatal(err)
		}
	})
}

func TestParseFileChooses(t *testing.T) {
	fdx := `<?xml version="1.0" encoding="UTF-8"?><FinalDraft><Content><Paragraph Type="Action"><Text>&lt;xml&gt; only</Text></Paragraph></Content></FinalDraft>`
	tests := []struct {
		name, file, data string
		want             Kind
		text             string
	}{
		{"fdx by name", "Draft.FDX", strings.TrimPrefix(fdx, `<?xml version="1.0" encoding="UTF-8"?>`), Action, "<xml> only"},
		{"fdx by content", "upload", "\uFEFF\n  " + fdx, Action, "<xml> only"},
		{"fountain otherwise", "draft.txt", "INT. HOUSE - DAY", SceneHeading, "INT. HOUSE - DAY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseFile(tc.file, []byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Elements) != 1 || s.Elements[0].Kind != tc.want || s.Elements[0].Text != tc.text {
				t.Errorf("elements = %+v", s.Elements)
			}
		})
	}
	t.Run("an fdx name on text that is not XML", func(t *testing.T) {
		_, err := ParseFile("draft.fdx", []byte("INT. HOUSE - DAY"))
		if !errors.Is(err, ErrNotFDX) {
			t.Fatalf("err = %v, want ErrNotFDX", err)
		}
	})
}
