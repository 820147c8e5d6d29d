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
	text        strings.Builder
	dual        int // the <DualDialogue> it is in, 0 for none
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
	var (
		out      []Element
		title    [][]string
		stack    []*fdxPara
		rootSeen bool
		inTitle  int // depth inside <TitlePage>
		inText   int // depth inside <Text>
		dual     int // number of the <DualDialogue> open, 0 when none
		duals    int
		speakers = map[int]int{} // characters seen in each DualDialogue
		speaker  string
		isDual   bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			if charset != "" {
				return nil, fmt.Errorf("%w: it says it is in %s; save it from Final Draft again, in UTF-8", ErrNotUTF8, charset)
			}
			if !rootSeen {
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
			if !rootSeen {
				if t.Name.Local != "FinalDraft" {
					return nil, fmt.Errorf("%w: its root element is <%s>, where a Final Draft file has <FinalDraft>; export the script from Final Draft as .fdx, or as Fountain", ErrNotFDX, t.Name.Local)
				}
				rootSeen = true
				continue
			}
			switch t.Name.Local {
			case "TitlePage":
				inTitle++
			case "DualDialogue":
				duals++
				dual = duals
			case "Paragraph":
				line, _ := dec.InputPos()
				p := &fdxPara{line: line, dual: dual}
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
				stack = append(stack, p)
			case "SceneProperties":
				if len(stack) > 0 {
					for _, a := range t.Attr {
						if a.Name.Local == "Page" {
							if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n > 0 && n <= maxFilePage {
								stack[len(stack)-1].page = n
							}
						}
					}
				}
			case "Text":
				if len(stack) > 0 {
					inText++
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "TitlePage":
				if inTitle > 0 {
					inTitle--
				}
			case "DualDialogue":
				dual = 0
			case "Text":
				if inText > 0 {
					inText--
				}
			case "Paragraph":
				if len(stack) == 0 {
					continue
				}
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				text := strings.TrimSpace(strings.ReplaceAll(p.text.String(), "\r\n", "\n"))
				if inTitle > 0 {
					title = appendTitleLine(title, text)
					continue
				}
				if p.newPage {
					out = append(out, Element{Kind: PageBreak, Line: p.line})
				}
				if text == "" {
					continue
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
					speaker = text
					if i := strings.IndexByte(speaker, '('); i >= 0 {
						speaker = strings.TrimSpace(speaker[:i])
					}
					isDual = false
					if p.dual > 0 {
						speakers[p.dual]++
						isDual = speakers[p.dual] > 1
					}
					e.Speaker, e.Dual = speaker, isDual
				case Dialogue, Parenthetical, Lyric:
					e.Speaker, e.Dual = speaker, isDual
				}
				if kind != Character && kind != Dialogue && kind != Parenthetical && kind != Lyric {
					speaker, isDual = "", false
				}
				out = append(out, e)
			}
		case xml.CharData:
			if inText > 0 && len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if !rootSeen {
		return nil, fmt.Errorf("%w: it holds no XML element; export the script from Final Draft as .fdx, or as Fountain", ErrNotFDX)
	}
	s := &Script{Elements: out}
	for _, lines := range title {
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
