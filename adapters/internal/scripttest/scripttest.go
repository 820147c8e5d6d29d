// Package scripttest is a small screenplay reader for the adapters'
// tests of /scene import: it stands in for the Fountain reader and the
// breakdown, so that those tests show what the adapter hands the bot and
// what comes of it, whatever the lexicon proposes.
package scripttest

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"icbot/bot/breakdown"
	"icbot/bot/fountain"
)

// Script is a screenplay of two scenes, 30 and 31, with one kiss
// between ANNA and BEN in each.
const Script = `Title: Lake House

INT. LAKE HOUSE - NIGHT #30#

ANNA kisses BEN by the fire.

EXT. JETTY - DAWN #31#

BEN kisses ANNA goodbye.
`

var (
	heading = regexp.MustCompile(`^(INT|EXT)\. ([^#]*?)\s*(?:#([^#]+)#)?$`)
	caps    = regexp.MustCompile(`\b[A-Z]{2,}\b`)
)

// Read reads scene headings (INT. or EXT., with a scene number between
// #), characters in capitals, and proposes a kiss for each action line
// that says "kiss". It refuses a file whose name does not end in
// .fountain, as a reader refuses what it cannot read.
func Read(name string, data []byte) ([]breakdown.SceneBreakdown, error) {
	if !strings.HasSuffix(name, ".fountain") {
		return nil, fmt.Errorf("%s is not a Fountain file", name)
	}
	var out []breakdown.SceneBreakdown
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if m := heading.FindStringSubmatch(text); m != nil {
			out = append(out, breakdown.SceneBreakdown{Scene: fountain.Scene{Index: len(out) + 1, Number: m[3],
				Heading: strings.TrimSpace(m[1] + ". " + m[2]), Line: line, Page: 1}})
			continue
		}
		if len(out) == 0 || text == "" {
			continue
		}
		cur := &out[len(out)-1]
		chars := caps.FindAllString(text, -1)
		for _, c := range chars {
			if !contains(cur.Scene.Characters, c) {
				cur.Scene.Characters = append(cur.Scene.Characters, c)
			}
		}
		if strings.Contains(strings.ToLower(text), "kiss") {
			cur.Proposals = append(cur.Proposals, breakdown.Proposal{Kind: breakdown.Kiss, Quote: text, Line: line, Characters: chars, Rule: "kiss"})
		}
	}
	return out, sc.Err()
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
