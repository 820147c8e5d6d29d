package fountain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// el builds an expected element on page 1.
func el(k Kind, line int, text string, opts ...func(*Element)) Element {
	e := Element{Kind: k, Text: text, Line: line, Page: 1}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func num(n string) func(*Element)      { return func(e *Element) { e.SceneNumber = n } }
func spk(s string) func(*Element)      { return func(e *Element) { e.Speaker = s } }
func depth(d int) func(*Element)       { return func(e *Element) { e.Depth = d } }
func page(p int) func(*Element)        { return func(e *Element) { e.Page = p } }
func notes(n ...string) func(*Element) { return func(e *Element) { e.Notes = n } }
func dual(e *Element)                  { e.Dual = true }

// syntaxCases are the examples of the Fountain syntax page, element by
// element, with what each must read as. The fuzz targets start from them.
var syntaxCases = []struct {
	name  string
	src   string
	title []TitleField
	want  []Element
}{
	{
		name: "scene heading INT EXT EST and the slashes",
		src:  "INT. HOUSE - DAY\n\nEXT. BRICK'S PATIO - DAY\n\nEST. CITY - NIGHT\n\nINT./EXT. RONNA'S CAR - NIGHT [DRIVING]\n\nINT/EXT RONNA'S CAR - NIGHT\n\nI/E RONNA'S CAR - NIGHT\n\nint. house - day\n\nEXT BRICK'S POOL - DAY",
		want: []Element{
			el(SceneHeading, 1, "INT. HOUSE - DAY"),
			el(SceneHeading, 3, "EXT. BRICK'S PATIO - DAY"),
			el(SceneHeading, 5, "EST. CITY - NIGHT"),
			el(SceneHeading, 7, "INT./EXT. RONNA'S CAR - NIGHT [DRIVING]"),
			el(SceneHeading, 9, "INT/EXT RONNA'S CAR - NIGHT"),
			el(SceneHeading, 11, "I/E RONNA'S CAR - NIGHT"),
			el(SceneHeading, 13, "int. house - day"),
			el(SceneHeading, 15, "EXT BRICK'S POOL - DAY"),
		},
	},
	{
		name: "scene heading needs a dot or a space after INT",
		src:  "INTERIOR decorators arrive.\n\nEXTRA! EXTRA!",
		want: []Element{
			el(Action, 1, "INTERIOR decorators arrive."),
			el(Action, 3, "EXTRA! EXTRA!"),
		},
	},
	{
		name: "scene heading followed at once by action",
		src:  "EXT. BRICK'S PATIO - DAY\nA gorgeous day.  The sun is shining.",
		want: []Element{
			el(SceneHeading, 1, "EXT. BRICK'S PATIO - DAY"),
			el(Action, 2, "A gorgeous day.  The sun is shining."),
		},
	},
	{
		name: "forced scene heading",
		src:  ".SNIPER SCOPE POV\n\nFrom what seems like only INCHES AWAY.\n\n...and then nothing.",
		want: []Element{
			el(SceneHeading, 1, "SNIPER SCOPE POV"),
			el(Action, 3, "From what seems like only INCHES AWAY."),
			el(Action, 5, "...and then nothing."),
		},
	},
	{
		name: "scene numbers",
		src:  "INT. HOUSE - DAY #1#\n\nINT. HOUSE - DAY #1A#\n\nINT. HOUSE - DAY #1a#\n\nINT. HOUSE - DAY #A1#\n\nINT. HOUSE - DAY #I-1-A#\n\nINT. HOUSE - DAY #1.#\n\nINT. HOUSE - DAY - FLASHBACK (1944) #110A#\n\n.FLASHBACK #1-A#\n\nINT. HOUSE - DAY #not a number#",
		want: []Element{
			el(SceneHeading, 1, "INT. HOUSE - DAY", num("1")),
			el(SceneHeading, 3, "INT. HOUSE - DAY", num("1A")),
			el(SceneHeading, 5, "INT. HOUSE - DAY", num("1a")),
			el(SceneHeading, 7, "INT. HOUSE - DAY", num("A1")),
			el(SceneHeading, 9, "INT. HOUSE - DAY", num("I-1-A")),
			el(SceneHeading, 11, "INT. HOUSE - DAY", num("1.")),
			el(SceneHeading, 13, "INT. HOUSE - DAY - FLASHBACK (1944)", num("110A")),
			el(SceneHeading, 15, "FLASHBACK", num("1-A")),
			el(SceneHeading, 17, "INT. HOUSE - DAY #not a number#"),
		},
	},
	{
		name: "action keeps its line breaks",
		src:  "They drink long and well from the beers.\n\nAnd then there's a long beat.\nLonger than is funny.\nLong enough to be depressing.",
		want: []Element{
			el(Action, 1, "They drink long and well from the beers."),
			el(Action, 3, "And then there's a long beat.\nLonger than is funny.\nLong enough to be depressing."),
		},
	},
	{
		name: "action keeps its indentation, tabs as four spaces",
		src:  "          He opens the card. A simple little number inside of which is hand written:\n\n          Scott --\n\n\t\tJacob Billups\n\t\tPalace Hotel, RM 412\n\t\t1:00 pm tomorrow",
		want: []Element{
			el(Action, 1, "          He opens the card. A simple little number inside of which is hand written:"),
			el(Action, 3, "          Scott --"),
			el(Action, 5, "        Jacob Billups\n        Palace Hotel, RM 412\n        1:00 pm tomorrow"),
		},
	},
	{
		name: "forced action",
		src:  "!SCANNING THE AISLES...\nWhere is that pit boss?\n\n!EXT. is how a heading starts.",
		want: []Element{
			el(Action, 1, "SCANNING THE AISLES...\nWhere is that pit boss?"),
			el(Action, 4, "EXT. is how a heading starts."),
		},
	},
	{
		name: "character and dialogue",
		src:  "STEEL\nThe man's a myth!\n\nSANBORN\nA good 'ole boy.",
		want: []Element{
			el(Character, 1, "STEEL", spk("STEEL")),
			el(Dialogue, 2, "The man's a myth!", spk("STEEL")),
			el(Character, 4, "SANBORN", spk("SANBORN")),
			el(Dialogue, 5, "A good 'ole boy.", spk("SANBORN")),
		},
	},
	{
		name: "character extensions",
		src:  "MOM (O. S.)\nLuke! Come down for supper!\n\nHANS (on the radio)\nWhat was it you said?\n\nSTEEL (CONT'D)\nBeer's ready!\n\n    BRICK (V.O.)\n    Are they cold?",
		want: []Element{
			el(Character, 1, "MOM (O. S.)", spk("MOM")),
			el(Dialogue, 2, "Luke! Come down for supper!", spk("MOM")),
			el(Character, 4, "HANS (on the radio)", spk("HANS")),
			el(Dialogue, 5, "What was it you said?", spk("HANS")),
			el(Character, 7, "STEEL (CONT'D)", spk("STEEL")),
			el(Dialogue, 8, "Beer's ready!", spk("STEEL")),
			el(Character, 10, "BRICK (V.O.)", spk("BRICK")),
			el(Dialogue, 11, "Are they cold?", spk("BRICK")),
		},
	},
	{
		name: "character needs a letter and a line after",
		src:  "R2D2\nBeep boop.\n\n23\nSkidoo.\n\nBRICK BRADDOCK\n\nis retired.",
		want: []Element{
			el(Character, 1, "R2D2", spk("R2D2")),
			el(Dialogue, 2, "Beep boop.", spk("R2D2")),
			el(Action, 4, "23\nSkidoo."),
			el(Action, 7, "BRICK BRADDOCK"),
			el(Action, 9, "is retired."),
		},
	},
	{
		name: "forced character in mixed case",
		src:  "@McCLANE\nYippie ki-yay! I got my lighter!\n\n@van Dyke (V.O.)\nHello.",
		want: []Element{
			el(Character, 1, "McCLANE", spk("McCLANE")),
			el(Dialogue, 2, "Yippie ki-yay! I got my lighter!", spk("McCLANE")),
			el(Character, 4, "van Dyke (V.O.)", spk("van Dyke")),
			el(Dialogue, 5, "Hello.", spk("van Dyke")),
		},
	},
	{
		name: "parenthetical",
		src:  "STEEL\n(starting the engine)\nSo much for retirement!\n(beat)\nOr not.\n\nBRICK\n(under his breath,\nnot looking up)\nFine.",
		want: []Element{
			el(Character, 1, "STEEL", spk("STEEL")),
			el(Parenthetical, 2, "(starting the engine)", spk("STEEL")),
			el(Dialogue, 3, "So much for retirement!", spk("STEEL")),
			el(Parenthetical, 4, "(beat)", spk("STEEL")),
			el(Dialogue, 5, "Or not.", spk("STEEL")),
			el(Character, 7, "BRICK", spk("BRICK")),
			el(Parenthetical, 8, "(under his breath, not looking up)", spk("BRICK")),
			el(Dialogue, 10, "Fine.", spk("BRICK")),
		},
	},
	{
		name: "dual dialogue",
		src:  "BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n\n@McCLANE ^\n(softly)\nMe too.",
		want: []Element{
			el(Character, 1, "BRICK", spk("BRICK")),
			el(Dialogue, 2, "Screw retirement.", spk("BRICK")),
			el(Character, 4, "STEEL", spk("STEEL"), dual),
			el(Dialogue, 5, "Screw retirement.", spk("STEEL"), dual),
			el(Character, 7, "McCLANE", spk("McCLANE"), dual),
			el(Parenthetical, 8, "(softly)", spk("McCLANE"), dual),
			el(Dialogue, 9, "Me too.", spk("McCLANE"), dual),
		},
	},
	{
		name: "dialogue line breaks and two spaces",
		src:  "DEALER\nTen.\nFour.\nDealer gets a seven.\n  \nHit or stand sir?\n\nMONKEY\nDude, I'm a monkey.",
		want: []Element{
			el(Character, 1, "DEALER", spk("DEALER")),
			el(Dialogue, 2, "Ten.\nFour.\nDealer gets a seven.\n\nHit or stand sir?", spk("DEALER")),
			el(Character, 8, "MONKEY", spk("MONKEY")),
			el(Dialogue, 9, "Dude, I'm a monkey.", spk("MONKEY")),
		},
	},
	{
		name: "two spaces keep action together",
		src:  "He waits.\n  \nAnd waits.",
		want: []Element{
			el(Action, 1, "He waits.\n\nAnd waits."),
		},
	},
	{
		name: "lyrics",
		src:  "~Willy Wonka! Willy Wonka! The amazing chocolatier!\n~Willy Wonka! Willy Wonka! Everybody give a cheer!\n\nOOMPA LOOMPA\n~Oompa loompa doompety doo",
		want: []Element{
			el(Lyric, 1, "Willy Wonka! Willy Wonka! The amazing chocolatier!\nWilly Wonka! Willy Wonka! Everybody give a cheer!"),
			el(Character, 4, "OOMPA LOOMPA", spk("OOMPA LOOMPA")),
			el(Lyric, 5, "Oompa loompa doompety doo", spk("OOMPA LOOMPA")),
		},
	},
	{
		name: "transitions",
		src:  "Jack begins to cry.\n\nCUT TO:\n\nINT. HOUSE - DAY\n\n>Burn to White.\n\nFADE TO BLACK.\n\nSMASH CUT TO:\nEXT. STREET - NIGHT",
		want: []Element{
			el(Action, 1, "Jack begins to cry."),
			el(Transition, 3, "CUT TO:"),
			el(SceneHeading, 5, "INT. HOUSE - DAY"),
			el(Transition, 7, "Burn to White."),
			el(Action, 9, "FADE TO BLACK."),
			el(Transition, 11, "SMASH CUT TO:"),
			el(SceneHeading, 12, "EXT. STREET - NIGHT"),
		},
	},
	{
		name: "centered",
		src:  ">THE END<\n\n> THE END <\n\n>Two lines<\n> of centre <",
		want: []Element{
			el(Centered, 1, "THE END"),
			el(Centered, 3, "THE END"),
			el(Centered, 5, "Two lines\nof centre"),
		},
	},
	{
		name: "emphasis",
		src:  "*italics* and **bold** and ***bold italics*** and _underline_\n\nFrom what seems like only INCHES AWAY.  _Steel's face FILLS the *Leupold Mark 4* scope_.\n\n_**BRICK & STEEL**_ *go **home** now*\n\nSteel enters the code: \\*9765\\* and \\_ok\\_",
		want: []Element{
			el(Action, 1, "italics and bold and bold italics and underline"),
			el(Action, 3, "From what seems like only INCHES AWAY.  Steel's face FILLS the Leupold Mark 4 scope."),
			el(Action, 5, "BRICK & STEEL go home now"),
			el(Action, 7, "Steel enters the code: *9765* and _ok_"),
		},
	},
	{
		name: "emphasis does not cross lines or words",
		src:  "As he rattles off the long list, Brick and Steel *share a look.\n\nThis is going to be BAD.*\n\nsnake_case_name and 5 * 3 * 2 and a lone *",
		want: []Element{
			el(Action, 1, "As he rattles off the long list, Brick and Steel *share a look."),
			el(Action, 3, "This is going to be BAD.*"),
			el(Action, 5, "snake_case_name and 5 * 3 * 2 and a lone *"),
		},
	},
	{
		name: "title page",
		src:  "Title:\n\t_**BRICK & STEEL**_\n\t_**FULL RETIRED**_\nCredit: Written by\nAuthor: Stu Maschwitz\nSource: Story by KTM\nDraft date: 1/20/2012\nContact:\n    Next Level Productions\n    1588 Mission Dr.\n    Solvang, CA 93463\n\nEXT. BRICK'S PATIO - DAY",
		title: []TitleField{
			{Key: "Title", Value: "BRICK & STEEL\nFULL RETIRED"},
			{Key: "Credit", Value: "Written by"},
			{Key: "Author", Value: "Stu Maschwitz"},
			{Key: "Source", Value: "Story by KTM"},
			{Key: "Draft date", Value: "1/20/2012"},
			{Key: "Contact", Value: "Next Level Productions\n1588 Mission Dr.\nSolvang, CA 93463"},
		},
		want: []Element{el(SceneHeading, 13, "EXT. BRICK'S PATIO - DAY")},
	},
	{
		name: "FADE IN is not a title page",
		src:  "FADE IN:\n\nEXT. BRICK'S PATIO - DAY",
		want: []Element{
			el(Action, 1, "FADE IN:"),
			el(SceneHeading, 3, "EXT. BRICK'S PATIO - DAY"),
		},
	},
	{
		name: "page breaks",
		src:  "The General Lee flies through the air.\n\n===\n\nEXT. SMALL TOWN - DAY\n\n======\n\nIt lands.",
		want: []Element{
			el(Action, 1, "The General Lee flies through the air."),
			el(PageBreak, 3, ""),
			el(SceneHeading, 5, "EXT. SMALL TOWN - DAY", page(2)),
			el(PageBreak, 7, "", page(2)),
			el(Action, 9, "It lands.", page(3)),
		},
	},
	{
		name: "notes inline and in a paragraph of their own",
		src:  "INT. TRAILER HOME - DAY\n\nThis is the home of THE BOY BAND, AKA DAN and JACK[[Or did we think of actual names for these guys?]].  They too are drinking beer.\n\n[[It was supposed to be Vietnamese, right?]]\n\nJACK\n(in Vietnamese, subtitled)\n*Did you know Brick and Steel are retired?*",
		want: []Element{
			el(SceneHeading, 1, "INT. TRAILER HOME - DAY"),
			el(Action, 3, "This is the home of THE BOY BAND, AKA DAN and JACK.  They too are drinking beer.", notes("Or did we think of actual names for these guys?")),
			el(Character, 7, "JACK", spk("JACK"), notes("It was supposed to be Vietnamese, right?")),
			el(Parenthetical, 8, "(in Vietnamese, subtitled)", spk("JACK")),
			el(Dialogue, 9, "Did you know Brick and Steel are retired?", spk("JACK")),
		},
	},
	{
		name: "note across lines joined by two spaces",
		src:  "His hand is an inch from the receiver when the phone RINGS.  Scott pauses for a moment, suspicious for some reason.[[This section needs work.\nEither that, or I need coffee.\n  \nDefinitely coffee.]] He looks around.  Phone ringing.",
		want: []Element{
			el(Action, 1, "His hand is an inch from the receiver when the phone RINGS.  Scott pauses for a moment, suspicious for some reason.\nHe looks around.  Phone ringing.",
				notes("This section needs work.\nEither that, or I need coffee.\nDefinitely coffee.")),
		},
	},
	{
		name: "a note alone on a line does not end the dialogue",
		src:  "BRICK\nLine one.\n[[check this]]\nLine two.\n\n[[a note at the end]]",
		want: []Element{
			el(Character, 1, "BRICK", spk("BRICK")),
			el(Dialogue, 2, "Line one.\nLine two.", spk("BRICK"), notes("check this", "a note at the end")),
		},
	},
	{
		name: "a note that would cross a blank line is text",
		src:  "He waits. [[never closed\n\nHe leaves.]]",
		want: []Element{
			el(Action, 1, "He waits. [[never closed"),
			el(Action, 3, "He leaves.]]"),
		},
	},
	{
		name: "boneyard",
		src:  "COGNITO\nEveryone's coming after you mate!  Scorpio, The Boy Band, Sparrow, Point Blank Sniper...\n\nAs he rattles off the long list, Brick and Steel share a look.  This is going to be BAD.\n\nCUT TO:\n/*\nINT. GARAGE - DAY\n\nBRICK and STEEL get into Mom's PORSCHE, Steel at the wheel.  They pause for a beat, the gravity of the situation catching up with them.\n\nBRICK\nThis is everybody we've ever put away.\n\nSTEEL\n(starting the engine)\nSo much for retirement!\n\nThey speed off.  To destiny!\n\nCUT TO:\n*/\nEXT. PALATIAL MANSION - DAY\n\nAn EXTREMELY HANDSOME MAN drinks a beer.  Shirtless, unfortunately.",
		want: []Element{
			el(Character, 1, "COGNITO", spk("COGNITO")),
			el(Dialogue, 2, "Everyone's coming after you mate!  Scorpio, The Boy Band, Sparrow, Point Blank Sniper...", spk("COGNITO")),
			el(Action, 4, "As he rattles off the long list, Brick and Steel share a look.  This is going to be BAD."),
			el(Transition, 6, "CUT TO:"),
			el(SceneHeading, 23, "EXT. PALATIAL MANSION - DAY"),
			el(Action, 25, "An EXTREMELY HANDSOME MAN drinks a beer.  Shirtless, unfortunately."),
		},
	},
	{
		name: "boneyard inline and unclosed",
		src:  "He waits /* a long time */and leaves.\n\nShe stays. /* never closed",
		want: []Element{
			el(Action, 1, "He waits and leaves."),
			el(Action, 3, "She stays. /* never closed"),
		},
	},
	{
		name: "sections",
		src:  "# Act\n\n## Sequence\n\n### Scene\n\n## Another Sequence\n\n# Another Act",
		want: []Element{
			el(Section, 1, "Act", depth(1)),
			el(Section, 3, "Sequence", depth(2)),
			el(Section, 5, "Scene", depth(3)),
			el(Section, 7, "Another Sequence", depth(2)),
			el(Section, 9, "Another Act", depth(1)),
		},
	},
	{
		name: "synopses",
		src:  "# ACT I\n\n= Set up the characters and the story.\n\nEXT. BRICK'S PATIO - DAY\n\n= This scene sets up Brick & Steel's new life as retirees.\n\nA gorgeous day.",
		want: []Element{
			el(Section, 1, "ACT I", depth(1)),
			el(Synopsis, 3, "Set up the characters and the story."),
			el(SceneHeading, 5, "EXT. BRICK'S PATIO - DAY"),
			el(Synopsis, 7, "This scene sets up Brick & Steel's new life as retirees."),
			el(Action, 9, "A gorgeous day."),
		},
	},
	{
		name: "byte order mark and CRLF",
		src:  "\uFEFFTitle: Crlf\r\n\r\nINT. HOUSE - DAY\r\n\r\nBRICK\r\nHello.\r\n  \r\nAgain.\r\n",
		title: []TitleField{
			{Key: "Title", Value: "Crlf"},
		},
		want: []Element{
			el(SceneHeading, 3, "INT. HOUSE - DAY"),
			el(Character, 5, "BRICK", spk("BRICK")),
			el(Dialogue, 6, "Hello.\n\nAgain.", spk("BRICK")),
		},
	},
}

func TestParseSyntaxPage(t *testing.T) {
	for _, tc := range syntaxCases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(strings.NewReader(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, s.Elements, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("elements (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.title, s.Title, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("title page (-want +got):\n%s", diff)
			}
		})
	}
}
