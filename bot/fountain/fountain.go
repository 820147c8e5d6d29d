// Package fountain reads screenplays: Fountain (https://fountain.io/syntax)
// and Final Draft's FDX. It turns a script into its elements and scenes;
// what the elements mean for intimacy is the breakdown package's work.
package fountain

import (
	"errors"
	"io"
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

// ErrNotImplemented is returned until the parser is written.
var ErrNotImplemented = errors.New("fountain: not implemented")

// Parse reads a Fountain screenplay. It refuses text that is not UTF-8 or
// is larger than MaxSize, with an error that says so.
func Parse(r io.Reader) (*Script, error) { return nil, ErrNotImplemented }

// ParseFDX reads a Final Draft (.fdx) screenplay.
func ParseFDX(r io.Reader) (*Script, error) { return nil, ErrNotImplemented }

// ParseFile reads a screenplay named name, choosing the format from its
// name and its first bytes: FDX for .fdx or an XML document, Fountain
// otherwise.
func ParseFile(name string, data []byte) (*Script, error) { return nil, ErrNotImplemented }
