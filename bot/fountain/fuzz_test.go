package fountain

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, tc := range syntaxCases {
		f.Add([]byte(tc.src))
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "full.fountain")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkScript(t, s, data)
	})
}

func FuzzParseFDX(f *testing.F) {
	f.Add([]byte(sampleFDX))
	for _, tc := range syntaxCases {
		var b bytes.Buffer
		b.WriteString(`<FinalDraft><Content><Paragraph Type="Action"><Text>`)
		if err := xml.EscapeText(&b, []byte(tc.src)); err != nil {
			f.Fatal(err)
		}
		b.WriteString(`</Text></Paragraph></Content></FinalDraft>`)
		f.Add(b.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseFDX(bytes.NewReader(data))
		if err != nil {
			return
		}
		checkScript(t, s, data)
	})
}

// checkScript holds for any script read from src.
func checkScript(t *testing.T, s *Script, src []byte) {
	t.Helper()
	lines := bytes.Count(src, []byte("\n")) + 1
	for i, e := range s.Elements {
		if e.Line < 1 || e.Line > lines {
			t.Fatalf("element %d (%s) on line %d of %d", i, e.Kind, e.Line, lines)
		}
		if e.Page < 1 || e.Page > s.Pages {
			t.Fatalf("element %d on page %d of %d", i, e.Page, s.Pages)
		}
		if i > 0 && e.Line < s.Elements[i-1].Line {
			t.Fatalf("element %d on line %d, before element %d on line %d", i, e.Line, i-1, s.Elements[i-1].Line)
		}
	}
	if len(s.Elements) > 0 && s.Pages < 1 {
		t.Fatalf("%d elements on %d pages", len(s.Elements), s.Pages)
	}
	at := 0 // where in s.Elements the next scene may start
	for i, sc := range s.Scenes {
		if sc.Index != i+1 {
			t.Fatalf("scene %d has index %d", i+1, sc.Index)
		}
		h := -1
		for k := at; k < len(s.Elements); k++ {
			if s.Elements[k].Kind == SceneHeading {
				h = k
				break
			}
		}
		if h < 0 {
			t.Fatalf("scene %d has no heading in the elements", sc.Index)
		}
		if s.Elements[h].Line != sc.Line || s.Elements[h].Text != sc.Heading {
			t.Fatalf("scene %d does not match its heading", sc.Index)
		}
		end := h + 1 + len(sc.Elements)
		if end > len(s.Elements) || !reflect.DeepEqual(sc.Elements, s.Elements[h+1:end]) {
			t.Fatalf("scene %d's elements are not those after its heading", sc.Index)
		}
		at = end
	}
	headings := 0
	for _, e := range s.Elements {
		if e.Kind == SceneHeading {
			headings++
		}
	}
	if headings != len(s.Scenes) {
		t.Fatalf("%d headings, %d scenes", headings, len(s.Scenes))
	}
}
