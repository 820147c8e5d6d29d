// Package fountain reads screenplays: Fountain (https://fountain.io/syntax)
// and Final Draft's FDX. It turns a script into its elements and scenes;
// what the elements mean for intimacy is the breakdown package's work.
//
// The reader is our own. github.com/rsdoiel/fountain, the Go package that
// exists, classifies each line by the type of the line before it alone, so
// a character needs no dialogue after it and any line starting "INT" or
// "EXT" is a heading; it has no scene numbers, dual dialogue, inline notes,
// inline boneyard or emphasis, and its own metadata marks it inactive.
//
// # Reading Fountain
//
// Every element of the syntax page is read, with these choices where the
// page leaves room:
//
//   - A line is blank when it holds nothing but white space; a line of
//     exactly two spaces is not blank and keeps dialogue or action going.
//   - The boneyard (/* ... */) is removed first, then notes ([[ ... ]]).
//     A line that held nothing but boneyard or notes is neither text nor
//     blank: it does not end the element around it. An unclosed "/*" or
//     "[[", and a note that would run over a blank line, stay as text.
//   - A note goes with the element it is written in. A note standing in a
//     paragraph of its own goes with the element after it (the last
//     element, at the end of the script).
//   - Scene headings, transitions, sections, synopses, page breaks,
//     centered text and lyrics take their own lines; what follows them in
//     the same paragraph is read as if a blank line came between, so a
//     heading followed at once by its action still reads as a heading. A
//     transition ending in "TO:" does not need a blank line after it.
//   - Leading white space is ignored when deciding what a line is, and kept
//     in action, where a tab becomes four spaces.
//   - Emphasis markers are removed from the text only when they pair up on
//     one line; "\*" and "\_" give a literal "*" and "_".
//   - The title page is the script's first paragraph when its first line is
//     "Key: value" and the key has a lower-case letter or is one of Title,
//     Credit, Author(s), Source, Draft date, Date, Contact, Copyright,
//     Notes, Revision; so "FADE IN:" is not a title page.
//
// Pages are estimated as a typeset script lays them out: about 55 lines a
// page, action 61 characters wide, dialogue 35, parentheticals 25, a blank
// line before each element that is not dialogue or a parenthetical, and a
// new page at each "===". Sections, synopses and the title page take no
// room.
//
// # Characters present
//
// A scene's characters are those who speak in it, in the order they first
// speak, then names written in capitals in its action: a run of up to three
// capitalised words ("MARA", "DICK STEEL", "DR. OKAFOR") counts when it is
// the name, or one word of the name, of someone who speaks anywhere in the
// script, or when it is followed by a parenthesis or by a comma and a
// number, the way characters are introduced ("MARA (30s) enters", "THEO,
// 40,"). Capitalised sound effects ("the door SLAMS") therefore do not
// count, and neither do the words of headings and camera directions (INT,
// CONTINUOUS, POV, V.O. and the like).
package fountain

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Kind is the kind of a screenplay element.
type Kind string

// Element kinds. Notes ([[...]]) and the boneyard (/* ... */) are not
// elements: notes are kept on the element they sit in, the boneyard is
// dropped.
const (
	SceneHeading  Kind = "scene-heading"
	Action        Kind = "action"
	Character     Kind = "character"
	Dialogue      Kind = "dialogue"
	Parenthetical Kind = "parenthetical"
	Transition    Kind = "transition"
	Centered      Kind = "centered"
	Lyric         Kind = "lyric"
	Section       Kind = "section"
	Synopsis      Kind = "synopsis"
	PageBreak     Kind = "page-break"
)

// TitleField is one key of the title page, such as Title or Draft date.
type TitleField struct {
	Key   string
	Value string
}

// Element is one element of the script, in order.
type Element struct {
	Kind Kind
	// Text is the element's text with emphasis markers, notes, the boneyard
	// and forcing characters removed; lines of one element are joined with
	// "\n".
	Text string
	// Line is the 1-based line of the source where the element starts.
	Line int
	// Page is the 1-based page the element falls on, estimated the way a
	// screenplay is laid out (about 55 lines a page) or taken from the
	// file where it says.
	Page int
	// SceneNumber is a heading's scene number ("#12#" gives "12"), empty
	// when the script gives none.
	SceneNumber string
	// Speaker is, for a Character, Dialogue or Parenthetical element, the
	// character speaking, without extensions such as (V.O.) or (CONT'D).
	Speaker string
	// Dual marks the second speaker of dual dialogue (a "^" after the name).
	Dual bool
	// Depth is a Section's level (1 for "#").
	Depth int
	// Notes are the [[notes]] written in this element.
	Notes []string
}

// Scene is a scene heading and the elements up to the next heading.
type Scene struct {
	// Index is the scene's 1-based order in the script.
	Index int
	// Number is the scene number the script gives, empty when none.
	Number string
	// Heading is the scene heading as written, without its scene number.
	Heading string
	Line    int
	Page    int
	// Elements are the scene's elements after its heading.
	Elements []Element
	// Characters are the characters present: those who speak, in the order
	// they first speak, then those introduced in capitals in the action.
	Characters []string
}

// Script is a parsed screenplay.
type Script struct {
	Title    []TitleField
	Elements []Element
	Scenes   []Scene
	// Pages is the estimated page count.
	Pages int
}

// MaxSize is the largest script read, in bytes.
const MaxSize = 8 << 20

// ErrNotImplemented was returned before the readers were written; nothing
// returns it now.
//
// Deprecated: kept so that code written against the first draft of this
// package still builds.
var ErrNotImplemented = errors.New("fountain: not implemented")

// Errors a refused script wraps, for callers that answer each differently.
var (
	ErrTooLarge = errors.New("the script is too large")
	ErrNotUTF8  = errors.New("the script is not UTF-8 text")
	ErrNotFDX   = errors.New("the file is not a Final Draft script")
	ErrBadFDX   = errors.New("the Final Draft file is damaged")
)

// Parse reads a Fountain screenplay. It refuses text that is not UTF-8 or
// is larger than MaxSize, with an error that says so. A byte order mark is
// skipped and CRLF line ends are read as LF.
func Parse(r io.Reader) (*Script, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	return parseFountain(data)
}

// ParseFDX reads a Final Draft (.fdx) screenplay. It refuses XML that is
// not a Final Draft document, damaged XML, text that is not UTF-8 and
// files larger than MaxSize, with an error that says so.
func ParseFDX(r io.Reader) (*Script, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	return parseFDX(data)
}

// ParseFile reads a screenplay named name, choosing the format from its
// name and its first bytes: FDX for .fdx or an XML document, Fountain
// otherwise.
func ParseFile(name string, data []byte) (*Script, error) {
	if len(data) > MaxSize {
		return nil, tooLarge()
	}
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	if isFDX(name, data) {
		return parseFDX(data)
	}
	return parseFountain(data)
}

func isFDX(name string, data []byte) bool {
	if strings.EqualFold(filepath.Ext(name), ".fdx") {
		return true
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(data, bom), " \t\r\n")
	return bytes.HasPrefix(head, []byte("<?xml")) || bytes.HasPrefix(head, []byte("<FinalDraft"))
}

var bom = []byte("\uFEFF")

// readAll reads at most MaxSize bytes of UTF-8.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the script: %w", err)
	}
	if len(data) > MaxSize {
		return nil, tooLarge()
	}
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	return data, nil
}

func tooLarge() error {
	return fmt.Errorf("%w: it is over %d MiB, and a feature screenplay is well under 1 MiB; check that this is the script, without embedded images", ErrTooLarge, MaxSize>>20)
}

// checkUTF8 names the first line that is not UTF-8, so that the writer can
// find it.
func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	line := 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		if r == '\n' {
			line++
		}
		i += n
	}
	return fmt.Errorf("%w: line %d has a byte that is not UTF-8; save the script as UTF-8 text and import it again", ErrNotUTF8, line)
}
