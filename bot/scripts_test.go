package bot_test

import (
	"bufio"
	"fmt"
	"regexp"
	"strings"

	"icbot/bot"
	"icbot/bot/breakdown"
	"icbot/bot/fountain"
)

// testScripts are the screenplays the bot's tests import, by file name:
// /scene import NAME sends one as the command's file.
var testScripts = map[string]string{
	"draft1.fountain": `Title: Lake House

INT. LAKE HOUSE - NIGHT #30#

ANNA and BEN by the fire.

ANNA kisses BEN.

BEN
Stay.

EXT. JETTY - DAWN #31#

BEN sits alone. He does not kiss anyone.

INT. KITCHEN - DAY #32#

ANNA makes coffee.
`,
	// draft2 widens the kiss into undressing, adds a nude scene and
	// removes the kitchen.
	"draft2.fountain": `Title: Lake House

INT. LAKE HOUSE - NIGHT #30#

ANNA and BEN by the fire.

ANNA kisses BEN and slowly undresses him.

BEN
Stay.

EXT. JETTY - DAWN #31#

BEN sits alone. He does not kiss anyone.

EXT. LAKE - DAWN #33#

ANNA swims naked in the lake.
`,
	"canary.fountain": `INT. ATTIC - NIGHT #40#

ANNA undresses: CANARY-QUOTE-8d3.
`,
	// nameless names its one character only in passing, as the fake
	// breakdown does not read: the proposal has no characters.
	"nameless.fountain": `INT. POOL - NIGHT #50#

Anna swims naked in the pool.
`,
	"notes.txt": "This is not a screenplay.\n",
}

// testRules are the fake breakdown's words: enough to tell a kiss from
// undressing and nudity, and one negation.
var testRules = []struct {
	word string
	kind breakdown.Kind
}{
	{"undress", breakdown.Undressing},
	{"naked", breakdown.Nudity},
	{"kiss", breakdown.Kiss},
	{"caress", breakdown.IntimateContact},
	{"sex", breakdown.SexualContent},
}

var (
	headingLine = regexp.MustCompile(`^(INT|EXT)\. ([^#]*?)\s*(?:#([^#]+)#)?$`)
	capsWord    = regexp.MustCompile(`\b[A-Z]{2,}\b`)
)

// readTestScript is a small reader of the Fountain the tests use: scene
// headings with numbers, characters in capitals, action lines. It stands
// in for the screenplay reader and the breakdown, so that the bot's tests
// do not depend on the lexicon.
func readTestScript(name string, data []byte) ([]breakdown.SceneBreakdown, error) {
	if !strings.HasSuffix(name, ".fountain") {
		return nil, fmt.Errorf("%s is not a Fountain file", name)
	}
	var out []breakdown.SceneBreakdown
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if m := headingLine.FindStringSubmatch(text); m != nil {
			out = append(out, breakdown.SceneBreakdown{Scene: fountain.Scene{Index: len(out) + 1, Number: m[3],
				Heading: strings.TrimSpace(m[1] + ". " + m[2]), Line: line, Page: 1 + line/55}})
			continue
		}
		if len(out) == 0 || text == "" {
			continue
		}
		cur := &out[len(out)-1]
		var chars []string
		for _, w := range capsWord.FindAllString(text, -1) {
			if !strings.HasPrefix(w, "CANARY") {
				chars = append(chars, w)
				if !contains(cur.Scene.Characters, w) {
					cur.Scene.Characters = append(cur.Scene.Characters, w)
				}
			}
		}
		lower := strings.ToLower(text)
		for _, r := range testRules {
			if strings.Contains(lower, r.word) && !strings.Contains(lower, "not "+r.word) {
				cur.Proposals = append(cur.Proposals, breakdown.Proposal{Kind: r.kind, Quote: text, Line: line, Characters: chars, Rule: r.word})
			}
		}
	}
	return out, nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// uploadOf is the file a command line sends: /scene import NAME sends
// testScripts[NAME].
func uploadOf(text string) *bot.Upload {
	f := strings.Fields(text)
	if len(f) < 3 || f[0] != "/scene" || f[1] != "import" {
		return nil
	}
	data, ok := testScripts[f[2]]
	if !ok {
		return nil
	}
	return &bot.Upload{Name: f[2], Data: []byte(data)}
}
