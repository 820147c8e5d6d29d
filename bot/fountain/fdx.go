package fountain

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// fdxKinds maps Final Draft's paragraph types to element kinds. A type not
// listed (Shot, General, Cast List and the like) is read as action.
var fdxKinds = map[string]Kind{
	"Scene Heading": SceneHeading,
	"Action":        Action,
	"General":       Action,
	"Shot":          Action,
	"Character":     Character,
	"Dialogue":      Dialogue,
	"Parenthetical": Parenthetical,
	"Transition":    Transition,
	"Lyrics":        Lyric,
}

// fdxPara is a <Paragraph> being read.
type fdxPara struct {
	typ, number string
	line        int
	page        int // from <SceneProperties Page="...">
	newPage     bool
	title       bool // on the title page
	text        strings.Builder
	dual        int // the <DualDialogue> it is in, 0 for none
}

// fdxReader follows a Final Draft document's elements. Only the paragraphs
// of the script's content (FinalDraft/Content, and those of dual dialogue
// within them) and of the title page (FinalDraft/TitlePage/Content) are
// read: headers, footers and script notes are paragraphs too.
type fdxReader struct {
	root  bool        // the root element is seen
	path  []string    // names of the open elements, the root first
	paras []*fdxPara  // open paragraphs that are read, nil for those that are not
	text  int         // len(path) where the <Text> being read opened, 0 for none
	duals int         // <DualDialogue> elements seen
	dual  int         // the one open, 0 for none
	seen  map[int]int // characters seen in each <DualDialogue>

	out     []Element
	title   [][]string
	speaker string
	isDual  bool
}

// under reports whether the open elements are exactly names.
func (r *fdxReader) under(names ...string) bool {
	if len(r.path) != len(names) {
		return false
	}
	for i, n := range names {
		if r.path[i] != n {
			return false
		}
	}
	return true
}

// parseFDX reads a Final Draft document with encoding/xml's tokenizer.
// encoding/xml does not read document type declarations: it neither expands
// entities declared in a DOCTYPE nor fetches external ones, and a reference
// to an undeclared entity is a syntax error, so no entity can grow the
// input or reach outside it. The input is already at most MaxSize.
func parseFDX(data []byte) (*Script, error) {
	data = bytes.TrimPrefix(data, bom)
	dec := xml.NewDecoder(bytes.NewReader(data))
	var charset string
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		// The text is already known to be UTF-8; one that is plain ASCII
		// reads the same in any of the usual labels.
		for _, c := range data {
			if c >= 0x80 {
				charset = label
				return nil, errors.New("not UTF-8")
			}
		}
		return in, nil
	}
	r := &fdxReader{seen: map[int]int{}}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if charset != "" {
				return nil, fmt.Errorf("%w: it says it is in %s; save it from Final Draft again, in UTF-8", ErrNotUTF8, charset)
			}
			if !r.root {
				return nil, fmt.Errorf("%w: it is not XML (%v); export the script from Final Draft as .fdx, or as Fountain", ErrNotFDX, err)
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%w at line %d: %s; export it from Final Draft again", ErrBadFDX, se.Line, se.Msg)
			}
			return nil, fmt.Errorf("%w: %v; export it from Final Draft again", ErrBadFDX, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(r.path) == 0 && t.Name.Local != "FinalDraft" {
				return nil, fmt.Errorf("%w: its root element is <%s>, where a Final Draft file has <FinalDraft>; export the script from Final Draft as .fdx, or as Fountain", ErrNotFDX, t.Name.Local)
			}
			r.root = true
			line, _ := dec.InputPos()
			r.start(t, line)
			r.path = append(r.path, t.Name.Local)
		case xml.EndElement:
			r.path = r.path[:len(r.path)-1]
			r.end(t.Name.Local)
		case xml.CharData:
			if r.text > 0 {
				if p := r.paras[len(r.paras)-1]; p != nil {
					p.text.Write(t)
				}
			}
		}
	}
	if !r.root {
		return nil, fmt.Errorf("%w: it holds no XML element; export the script from Final Draft as .fdx, or as Fountain", ErrNotFDX)
	}
	s := &Script{Elements: r.out}
	for _, lines := range r.title {
		if len(lines) == 0 {
			continue
		}
		key := "Text"
		if len(s.Title) == 0 {
			key = "Title"
		}
		s.Title = append(s.Title, TitleField{Key: key, Value: strings.Join(lines, "\n")})
	}
	finish(s)
	return s, nil
}

// start opens an element; r.path does not hold it yet.
func (r *fdxReader) start(t xml.StartElement, line int) {
	switch t.Name.Local {
	case "DualDialogue":
		if r.under("FinalDraft", "Content", "Paragraph") {
			r.duals++
			r.dual = r.duals
		}
	case "Paragraph":
		var p *fdxPara
		switch {
		case r.under("FinalDraft", "Content"),
			r.dual > 0 && r.under("FinalDraft", "Content", "Paragraph", "DualDialogue"):
			p = &fdxPara{line: line, dual: r.dual}
		case r.under("FinalDraft", "TitlePage", "Content"):
			p = &fdxPara{line: line, title: true}
		}
		if p != nil {
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "Type":
					p.typ = a.Value
				case "Number":
					p.number = strings.TrimSpace(a.Value)
				case "StartsNewPage":
					p.newPage = a.Value == "Yes"
				}
			}
		}
		r.paras = append(r.paras, p)
	case "SceneProperties":
		if p := r.para(); p != nil {
			for _, a := range t.Attr {
				if a.Name.Local == "Page" {
					if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n > 0 && n <= maxFilePage {
						p.page = n
					}
				}
			}
		}
	case "Text":
		if r.text == 0 && r.para() != nil {
			r.text = len(r.path) + 1
		}
	}
}

// para returns the paragraph whose direct child is opening, if it is read.
func (r *fdxReader) para() *fdxPara {
	if len(r.paras) == 0 || len(r.path) == 0 || r.path[len(r.path)-1] != "Paragraph" {
		return nil
	}
	return r.paras[len(r.paras)-1]
}

// end closes an element; r.path no longer holds it.
func (r *fdxReader) end(name string) {
	switch name {
	case "Text":
		if r.text == len(r.path)+1 {
			r.text = 0
		}
	case "DualDialogue":
		if r.under("FinalDraft", "Content", "Paragraph") {
			r.dual = 0
		}
	case "Paragraph":
		if len(r.paras) == 0 {
			return
		}
		p := r.paras[len(r.paras)-1]
		r.paras = r.paras[:len(r.paras)-1]
		if p != nil {
			r.paragraph(p)
		}
	}
}

// paragraph turns a paragraph read into an element or a title page line.
func (r *fdxReader) paragraph(p *fdxPara) {
	text := strings.TrimSpace(strings.ReplaceAll(p.text.String(), "\r\n", "\n"))
	if p.title {
		r.title = appendTitleLine(r.title, text)
		return
	}
	if p.newPage {
		r.out = append(r.out, Element{Kind: PageBreak, Line: p.line})
	}
	if text == "" {
		return
	}
	kind, ok := fdxKinds[p.typ]
	if !ok {
		kind = Action
	}
	e := Element{Kind: kind, Text: text, Line: p.line, Page: p.page}
	switch kind {
	case SceneHeading:
		e.SceneNumber = p.number
	case Character:
		r.speaker = text
		if i := strings.IndexByte(r.speaker, '('); i >= 0 {
			r.speaker = strings.TrimSpace(r.speaker[:i])
		}
		r.isDual = false
		if p.dual > 0 {
			r.seen[p.dual]++
			r.isDual = r.seen[p.dual] > 1
		}
	}
	switch kind {
	case Character, Dialogue, Parenthetical, Lyric:
		e.Speaker, e.Dual = r.speaker, r.isDual
	default:
		r.speaker, r.isDual = "", false
	}
	r.out = append(r.out, e)
}

// appendTitleLine adds a title page paragraph. Final Draft's title page has
// no keys: paragraphs between empty ones make one field, the first of them
// the title.
func appendTitleLine(title [][]string, text string) [][]string {
	if text == "" {
		if n := len(title); n > 0 && len(title[n-1]) > 0 {
			title = append(title, nil)
		}
		return title
	}
	if len(title) == 0 {
		title = append(title, nil)
	}
	title[len(title)-1] = append(title[len(title)-1], text)
	return title
}
