package breakdown

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"icbot/bot/fountain"
)

func newAnalyzer(t testing.TB, terms Terms) *Analyzer {
	t.Helper()
	a, err := New(terms)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// actionScene is a scene of one action paragraph on line 10.
func actionScene(text string, characters ...string) fountain.Scene {
	return fountain.Scene{Index: 1, Heading: "INT. ROOM - NIGHT", Line: 9, Characters: characters,
		Elements: []fountain.Element{{Kind: fountain.Action, Text: text, Line: 10}}}
}

// kindsOf lists the kinds proposed for a scene, sorted and without repeats.
func kindsOf(ps []Proposal) []string {
	seen := map[Kind]bool{}
	var out []string
	for _, p := range ps {
		if !seen[p.Kind] {
			seen[p.Kind] = true
			out = append(out, string(p.Kind))
		}
	}
	sort.Strings(out)
	return out
}

func kinds(ks ...Kind) []string {
	out := []string{}
	for _, k := range ks {
		out = append(out, string(k))
	}
	sort.Strings(out)
	return out
}

// TestRules shows each rule on a sentence: the phrases of the lexicon, in
// their inflections, with the kinds they propose.
func TestRules(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	tests := []struct {
		text string
		want []string
	}{
		{"She kisses him.", kinds(Kiss)},
		{"He kissed her once.", kinds(Kiss)},
		{"They are kissing in the rain.", kinds(Kiss)},
		{"A long kiss.", kinds(Kiss)},
		{"She almost kisses him.", kinds(Kiss)},
		{"He nearly kissed her, then laughs.", kinds(Kiss)},
		{"He can't stop kissing her.", kinds(Kiss)},
		{"Jonah and Felix make out against the ice machine.", kinds(Kiss)},
		{"Felix pecks Jonah on the cheek.", kinds(Kiss)},
		{"Their lips meet.", kinds(Kiss)},
		{"He presses his mouth to her neck.", kinds(Kiss, IntimateContact)},
		{"Nora undresses slowly.", kinds(Undressing)},
		{"She unbuttons her blouse.", kinds(Undressing)},
		{"He unzips her dress.", kinds(Undressing)},
		{"She strips.", kinds(Undressing)},
		{"He strips off and dives in.", kinds(Undressing)},
		{"Kofi strips to his shorts.", kinds(Undressing)},
		{"She pulls his shirt over his head.", kinds(Undressing)},
		{"Hale unfastens the hooks of her bodice.", kinds(Undressing)},
		{"Her shirt comes off.", kinds(Undressing)},
		{"She lets her dress fall.", kinds(Undressing)},
		{"They are half out of their jumpsuits.", kinds(Undressing)},
		{"Marcus unhooks her bra.", kinds(Undressing)},
		{"They run into the sea naked.", kinds(Nudity)},
		{"Nude, she sinks into the bath.", kinds(Nudity)},
		{"Carla dances topless.", kinds(Nudity)},
		{"A bare-chested sailor waves.", kinds(Nudity)},
		{"Diaz, shirtless, towels off.", kinds(Nudity)},
		{"She sits in her underwear.", kinds(Nudity)},
		{"He makes coffee in his boxers.", kinds(Nudity)},
		{"Her bare back arches.", kinds(Nudity)},
		{"He rises from the water, bare to the waist.", kinds(Nudity)},
		{"Her shoulders are bare in the lamplight.", kinds(Nudity)},
		{"They skinny-dip at midnight.", kinds(Nudity)},
		{"They make love.", kinds(SexualContent)},
		{"They made love all afternoon.", kinds(SexualContent)},
		{"They have sex against the headboard.", kinds(SexualContent)},
		{"They had sex.", kinds(SexualContent)},
		{"She straddles him.", kinds(SexualContent)},
		{"She grinds against him.", kinds(SexualContent)},
		{"He thrusts into her.", kinds(SexualContent)},
		{"She climaxes.", kinds(SexualContent)},
		{"He slept with her.", kinds(SexualContent)},
		{"She sleeps with Marco.", kinds(SexualContent)},
		{"They lie together on his coat.", kinds(SexualContent)},
		{"He caresses her thigh.", kinds(IntimateContact)},
		{"She fondles him.", kinds(IntimateContact)},
		{"His hand slides up her thigh.", kinds(IntimateContact)},
		{"His hand rests on her knee.", kinds(IntimateContact)},
		{"He puts a hand on her lower back.", kinds(IntimateContact)},
		{"He grips her hips.", kinds(IntimateContact)},
		{"She rubs oil into his shoulders.", kinds(IntimateContact)},
		{"Tomas traces the old scar on her hip.", kinds(IntimateContact)},
		{"Jonah nuzzles his shoulder.", kinds(IntimateContact)},
		{"In bed together.", kinds(IntimateContact)},
		{"Under the sheets, they whisper.", kinds(IntimateContact)},
		{"They get into bed.", kinds(IntimateContact)},
		{"He carries her to the bed.", kinds(IntimateContact)},
		{"Skin on skin.", kinds(IntimateContact, Nudity)},
		{"Their limbs tangled.", kinds(IntimateContact)},
		{"They embrace.", kinds(IntimateContact)},
		{"He rapes her.", kinds(SexualContent, PowerImbalance)},
		{"The guard orders a strip search.", kinds(Nudity, PowerImbalance)},
		{"He forces himself on her.", kinds(SexualContent, PowerImbalance)},

		// Paraphrase: kisses.
		{"Her lips brush his.", kinds(Kiss)},
		{"Their mouths crash together.", kinds(Kiss)},
		{"She finds his mouth in the dark.", kinds(Kiss)},
		{"He gives her a quick peck.", kinds(Kiss)},
		{"She pecks him goodbye.", kinds(Kiss)},
		{"Two of them necking in a parked car.", kinds(Kiss)},
		{"Their tongues meet.", kinds(Kiss)},
		// Paraphrase: contact, a verb or a hand on someone else's body.
		{"His hand finds the small of her back.", kinds(IntimateContact)},
		{"Her fingers drift along his collarbone.", kinds(IntimateContact)},
		{"She cups his face.", kinds(IntimateContact)},
		{"He traces her jaw with one finger.", kinds(IntimateContact)},
		{"She runs her fingers through his hair.", kinds(IntimateContact)},
		{"He tucks a strand of hair behind her ear.", kinds(IntimateContact)},
		{"She takes his face in her hands.", kinds(IntimateContact)},
		{"He takes her wrist and pulls her towards him.", kinds(IntimateContact)},
		{"Kit pulls Dana into his arms.", kinds(IntimateContact)},
		{"She fits herself against him.", kinds(IntimateContact)},
		{"He leans into her.", kinds(IntimateContact)},
		{"Her body against his, she waits.", kinds(IntimateContact)},
		{"His breath on her neck.", kinds(IntimateContact)},
		{"She slides onto his lap.", kinds(IntimateContact)},
		{"He kneels between her legs.", kinds(IntimateContact)},
		{"Afterwards, they lie tangled in the sheets.", kinds(IntimateContact)},
		// Paraphrase: undressing and exposure.
		{"She shrugs out of the robe.", kinds(Undressing)},
		{"He wriggles out of his wetsuit.", kinds(Undressing)},
		{"His fingers find her bra strap.", kinds(Undressing, IntimateContact)},
		{"The buttons come undone.", kinds(Undressing)},
		{"Her blouse hangs open.", kinds(Undressing)},
		{"She fumbles with his belt.", kinds(Undressing)},
		{"He bares his chest.", kinds(Nudity)},
		{"Half-dressed, they argue.", kinds(Nudity)},
		{"He answers the door in nothing but a towel.", kinds(Nudity)},
		{"She waits in just a slip.", kinds(Nudity)},
		{"Diaz sits with a towel across his lap.", kinds(Nudity)},
		{"The sheet slips from her shoulder.", kinds(Nudity)},
		{"The gown falls away, revealing her bare back.", kinds(Undressing, Nudity)},
		{"They shower together.", kinds(Nudity)},
		{"She joins him in the shower.", kinds(Nudity)},
		// Paraphrase: sex implied.
		{"They fool around.", kinds(SexualContent)},
		{"She hooks up with Dana.", kinds(SexualContent)},
		{"The headboard bangs against the wall.", kinds(SexualContent)},
		{"She guides him inside.", kinds(SexualContent)},
		{"She wraps her legs around his waist.", kinds(SexualContent, IntimateContact)},
		{"They move together, slowly.", kinds(SexualContent)},
		{"She climbs on top.", kinds(SexualContent)},
		{"She moans his name.", kinds(SexualContent)},
		{"They sleep together.", kinds(SexualContent)},
		{"He draws her down beside him.", kinds(IntimateContact)},
		{"Their clothes lie scattered across the floor.", kinds(Undressing)},
		{"He enters her.", kinds(SexualContent)},
		{"Her back arches.", kinds(SexualContent)},
		{"His mouth moves lower.", kinds(IntimateContact)},
		{"His shirt is off.", kinds(Undressing)},
		{"They roll across the bed.", kinds(IntimateContact)},
		{"He eases her back against the pillows.", kinds(IntimateContact)},
		{"She bites his lower lip.", kinds(IntimateContact)},
		{"He slides her stockings down.", kinds(Undressing)},
		{"His hands are all over her.", kinds(IntimateContact)},
		{"She unties his scrubs.", kinds(Undressing)},
		{"She pushes him onto the cot.", kinds(IntimateContact)},
		{"His scrub top lies on the floor.", kinds(Undressing)},
		{"Her skirt rides up.", kinds(Undressing)},
		{"She covers herself with the sheet.", kinds(Nudity)},
		{"He takes her against the wall.", kinds(SexualContent)},
		{"Hands everywhere.", kinds(IntimateContact)},
		{"He puts a hand on the small of her back.", kinds(IntimateContact)},
		{"He slips his arms around her waist from behind.", kinds(IntimateContact)},
		{"She drapes herself across him.", kinds(IntimateContact)},
		{"He untucks her blouse.", kinds(Undressing)},
		{"His scrubs hit the floor.", kinds(Undressing)},
		{"She sits on the counter, legs around him.", kinds(SexualContent)},
		{"Their foreheads touch.", kinds(IntimateContact)},
		{"They sleep tangled together.", kinds(IntimateContact)},
		{"His lips upon her neck.", kinds(Kiss)},
		{"They lock lips.", kinds(Kiss)},
		{"She plants one on him.", kinds(Kiss)},
		{"She slips into something more comfortable.", kinds(Undressing)},
		{"A stripper works the pole.", kinds(Nudity)},
		{"He moons the crowd.", kinds(Nudity)},
		{"Through the wall: the neighbours going at it.", kinds(SexualContent)},
		{"They're getting it on.", kinds(SexualContent)},
		{"She pleasures herself.", kinds(SexualContent)},
		{"He leads her to the bedroom.", kinds(IntimateContact)},
		{"She gives him a back rub.", kinds(IntimateContact)},
		{"(murmured against her lips)", kinds(Kiss)},
		{"She wakes up next to him.", kinds(IntimateContact)},
		{"She sits astride him.", kinds(SexualContent)},
		{"He lifts her onto the counter, her legs around him.", kinds(SexualContent)},
		{"She pushes him onto the bed.", kinds(IntimateContact)},
		{"Her hand drifts lower.", kinds(IntimateContact)},
		{"She stands in the doorway in his shirt and nothing else.", kinds(Nudity)},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := kindsOf(a.Scene(actionScene(tt.text)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNearMisses shows the phrases that use the words of intimacy and
// propose nothing: negations, figures of speech and other senses.
func TestNearMisses(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	tests := []struct{ why, text string }{
		{"negation", "Tomas does not kiss her."},
		{"negation", "Ruth doesn't kiss him."},
		{"negation", "Ruth doesn’t kiss him."},
		{"negation", "He never kisses her in public."},
		{"negation", "Thomas refuses to kiss her."},
		{"negation", "Priya does not undress."},
		{"negation", "Graham does not touch her thigh."},
		{"negation", "No one kisses the bride."},
		{"negation", "Jonah and Priya do not kiss."},
		{"figure", "It is the kiss of death for the paper."},
		{"figure", "Kiss goodbye to the marina."},
		{"figure", "He kisses goodbye to his savings."},
		{"figure", "He shakes hands with naked ambition."},
		{"figure", "Too small for the naked eye."},
		{"figure", "She lays out the bare truth."},
		{"figure", "A billboard shows a strip mall."},
		{"figure", "Tony is sleeping with the fishes."},
		{"figure", "Benny hits the deck, kissing concrete."},
		{"figure", "She kisses the ground."},
		{"figure", "Cook kisses the wooden spoon for luck."},
		{"figure", "She kisses it and tucks it away."},
		{"figure", "Jun gives the machine the kiss of life."},
		{"figure", "A sun-kissed terrace."},
		{"figure", "A naked bulb swings."},
		{"figure", "The naked steel frame of the warehouse."},
		{"figure", "The truth laid bare."},
		{"other sense", "A narrow strip of land between the cliff and the sea."},
		{"other sense", "Eddie lies in a hospital bed."},
		{"other sense", "The river bed is silt."},
		{"other sense", "Maisie digs in the flower bed."},
		{"other sense", "A fakir on a bed of nails."},
		{"other sense", "The crew undress the set."},
		{"other sense", "He stripped the engine."},
		{"other sense", "Eddie strips the engine down to its block."},
		{"other sense", "She peels a tape strip from the lid."},
		{"other sense", "A blouse hangs on the door."},
		{"other sense", "Bev strips the nameplate off the door."},
		{"other sense", "She strips the bed."},
		{"other sense", "He is stripped of his rank."},
		{"other sense", "She strips off the veil and gloves."},
		{"other sense", "A landing strip for ideas."},
		{"other sense", "She grinds coffee."},
		{"other sense", "He grinds his teeth."},
		{"other sense", "Ruth thrusts the warrant at the foreman."},
		{"other sense", "The music climaxes."},
		{"other sense", "He straddles the line."},
		{"other sense", "She can barely make out the shape."},
		{"other sense", "She pulls on her jeans."},
		{"other sense", "Lizzie polishes spoons."},
		{"other sense", "He sleeps with the light on."},
		{"other sense", "He is in bed with the flu."},
		{"other sense", "They embrace the idea."},
		{"other sense", "A stroke of luck."},
		// Near misses of the paraphrase rules.
		{"negation", "She does not take his face in her hands."},
		{"negation", "He never pulls her towards him."},
		{"own body", "He runs a hand through his hair."},
		{"own body", "She puts her hand on her chest."},
		{"own body", "He rubs his jaw."},
		{"own body", "She presses her palms to her temples."},
		{"other sense", "She takes her coat."},
		{"other sense", "He takes her hand to help her up."},
		{"other sense", "A hand on the railing."},
		{"other sense", "The dog bares its teeth."},
		{"other sense", "He takes the towel off the counter."},
		{"other sense", "The skin of the drum splits."},
		{"other sense", "The sheet music slides off the stand."},
		{"other sense", "The zipper on the tent is stuck."},
		{"other sense", "He swims a lap of the pool."},
		{"other sense", "She wraps a blanket around his shoulders."},
		{"other sense", "The nurse presses the stethoscope to his chest."},
		{"other sense", "He pulls her to her feet."},
		{"other sense", "She leans against her car."},
		{"other sense", "He takes a lighter out of his jeans pocket."},
		{"other sense", "They walk out of the dress shop."},
		{"other sense", "She hooks up the monitor."},
		{"other sense", "The cat climbs into her lap."},
		{"other sense", "The old bed frame leans on the wall."},
		{"figure", "She speaks with her tongue in her cheek."},
		{"other sense", "The tent zipper comes undone in the wind."},
		{"other sense", "He holds the ice pack to her cheek."},
		{"other sense", "The paramedic presses on his chest, counting."},
		{"other sense", "She sits astride her horse."},
		{"other sense", "Her hand slides down the banister."},
		{"other sense", "She eats toast and nothing else."},
		{"own body", "She bites her lip."},
		{"other sense", "He enters her office."},
		{"other sense", "She gropes for the light switch."},
		{"other sense", "He rolls up his sleeves."},
		{"other sense", "The answer is inside her bag."},
		{"other sense", "He covers himself in glory."},
		{"other sense", "He takes her to the station."},
		{"other sense", "The wires are tangled together."},
		{"other sense", "The wound on his chest is deep."},
		{"other sense", "He puts the phone to her ear."},
		{"other sense", "The moon the colour of bone."},
		{"other sense", "Get it on the truck."},
		{"other sense", "She presses a finger against her lips."},
		{"other sense", "She wakes up next to the radiator."},
		{"power cue alone", "His boss shouts at him."},
		{"power cue alone", "The boarder pins Kofi to the deck."},
		{"minor alone", "MAISIE (12) eats cereal."},
		{"minor alone", "A 15-year-old waits at the bus stop."},
	}
	for _, tt := range tests {
		t.Run(tt.why+": "+tt.text, func(t *testing.T) {
			if got := a.Scene(actionScene(tt.text)); len(got) != 0 {
				t.Errorf("proposed %s", describe(got))
			}
		})
	}
}

// TestOnlyActionAndParentheticals: dialogue, notes and headings are not
// read; parentheticals are.
func TestOnlyActionAndParentheticals(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	sc := fountain.Scene{Index: 1, Heading: "EXT. STRIP CLUB - NIGHT", Characters: []string{"NORA", "TOMAS"},
		Elements: []fountain.Element{
			{Kind: fountain.Action, Text: "Nora waits.", Line: 3, Notes: []string{"kiss here? she undresses"}},
			{Kind: fountain.Character, Text: "NORA", Line: 5, Speaker: "NORA"},
			{Kind: fountain.Dialogue, Text: "I want to kiss you naked.", Line: 6, Speaker: "NORA"},
		}}
	if got := a.Scene(sc); len(got) != 0 {
		t.Fatalf("proposed %s", describe(got))
	}
	sc.Elements = append(sc.Elements,
		fountain.Element{Kind: fountain.Character, Text: "TOMAS", Line: 8, Speaker: "TOMAS"},
		fountain.Element{Kind: fountain.Parenthetical, Text: "(kissing her)", Line: 9, Speaker: "TOMAS"},
		fountain.Element{Kind: fountain.Dialogue, Text: "Hello.", Line: 10, Speaker: "TOMAS"},
	)
	got := a.Scene(sc)
	want := []Proposal{{Kind: Kiss, Quote: "(kissing her)", Line: 9, Characters: []string{"TOMAS", "NORA"}, Rule: "kiss"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proposals (-want +got):\n%s", diff)
	}
}

// TestQuoteLineAndMerge: a proposal quotes its sentence as written, on the
// line it starts; one sentence gives one proposal per kind, with every
// rule that matched.
func TestQuoteLineAndMerge(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	sc := actionScene("The door bangs open. Dr. Hale kisses\nher, and she kisses him back. She\nunbuttons his shirt and kisses his chest.", "HALE", "NORA")
	got := a.Scene(sc)
	want := []Proposal{
		{Kind: Kiss, Quote: "Dr. Hale kisses\nher, and she kisses him back.", Line: 10, Characters: []string{"HALE", "NORA"}, Rule: "kiss"},
		{Kind: Kiss, Quote: "She\nunbuttons his shirt and kisses his chest.", Line: 11, Characters: []string{"HALE", "NORA"}, Rule: "kiss"},
		{Kind: Undressing, Quote: "She\nunbuttons his shirt and kisses his chest.", Line: 11, Characters: []string{"HALE", "NORA"}, Rule: "takes off a garment"},
		{Kind: IntimateContact, Quote: "She\nunbuttons his shirt and kisses his chest.", Line: 11, Characters: []string{"HALE", "NORA"}, Rule: "caresses her thigh"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proposals (-want +got):\n%s", diff)
	}
}

// TestCharacters: the characters a sentence names, the speaker of a
// parenthetical, and the scene's characters for a pronoun.
func TestCharacters(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	tests := []struct {
		text  string
		chars []string
		want  []string
	}{
		{"Tomas kisses Nora.", []string{"NORA", "TOMAS"}, []string{"TOMAS", "NORA"}},
		{"He kisses her.", []string{"NORA", "TOMAS"}, []string{"NORA", "TOMAS"}},
		{"Tomas kisses her.", []string{"NORA", "TOMAS"}, []string{"TOMAS", "NORA"}},
		{"Tomas kisses her.", []string{"NORA", "TOMAS", "EDDIE"}, []string{"TOMAS"}},
		{"Det. Kale kisses Sam.", []string{"RUTH KALE", "SAM VOSS"}, []string{"RUTH KALE", "SAM VOSS"}},
		{"LEON MARR kisses her.", []string{"MARR", "LEON MARR", "CARLA"}, []string{"LEON MARR", "CARLA"}},
		{"Marco kisses Lena in Paris.", nil, []string{"Marco", "Lena"}},
		{"Nora, breathless, kisses Tomas.", nil, []string{"Nora", "Tomas"}},
		{"Kissing, Marco and Lena fall silent.", nil, []string{"Marco", "Lena"}},
		{"They kiss.", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := a.Scene(actionScene(tt.text, tt.chars...))
			if len(got) != 1 {
				t.Fatalf("proposed %s, want one kiss", describe(got))
			}
			if diff := cmp.Diff(tt.want, got[0].Characters); diff != "" {
				t.Errorf("characters (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPowerImbalance: a cue of power proposes a beat only in a scene that
// holds intimacy; a minor present in such a scene is one.
func TestPowerImbalance(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	tests := []struct {
		name, text string
		want       []string
	}{
		{"boss and a kiss", "Her boss walks in. He kisses her.", kinds(Kiss, PowerImbalance)},
		{"boss alone", "Her boss walks in. He shouts.", nil},
		{"pinned and kissed", "He pins her to the wall and kisses her.", kinds(Kiss, PowerImbalance)},
		{"pinned in a fight", "He pins her to the wall and punches the plaster.", nil},
		{"won't take no", "His hand slides up her thigh. She says no. He won't take no.", kinds(IntimateContact, PowerImbalance)},
		{"age gap", "A woman half his age rubs oil into his shoulders.", kinds(IntimateContact, PowerImbalance)},
		{"minor present", "MAISIE (12) watches them kiss.", kinds(Kiss, PowerImbalance)},
		{"minor in years", "A 15-year-old boy watches them kiss.", kinds(Kiss, PowerImbalance)},
		{"teenager", "A teenager watches them kiss.", kinds(Kiss, PowerImbalance)},
		{"adult age", "CARLA (22) kisses him.", kinds(Kiss)},
		{"minor, no intimacy", "MAISIE (12) digs in the flower bed.", nil},
		{"director and a kiss", "The director watches her kiss him.", kinds(Kiss, PowerImbalance)},
		{"locked door", "He locks the door. His hand slides up her thigh.", kinds(IntimateContact, PowerImbalance)},
		{"coach class", "In coach class, they kiss.", kinds(Kiss)},
		{"boss fight", "She wins the boss fight and kisses him.", kinds(Kiss)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kindsOf(a.Scene(actionScene(tt.text)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMinorCarriedThroughScript: a character introduced as a minor in one
// scene is a minor in the scenes after; Scene alone does not know it.
func TestMinorCarriedThroughScript(t *testing.T) {
	a := newAnalyzer(t, Terms{})
	s := &fountain.Script{Scenes: []fountain.Scene{
		actionScene("LILY (15) reads on the stairs."),
		actionScene("Lily watches Tom and Ann kiss at the door."),
		actionScene("Lily does her homework."),
	}}
	got := a.Script(s)
	if k := kindsOf(got[0].Proposals); len(k) != 0 {
		t.Errorf("scene 1: %v, want nothing", k)
	}
	if diff := cmp.Diff(kinds(Kiss, PowerImbalance), kindsOf(got[1].Proposals)); diff != "" {
		t.Errorf("scene 2 (-want +got):\n%s", diff)
	}
	if k := kindsOf(got[2].Proposals); len(k) != 0 {
		t.Errorf("scene 3: %v, want nothing", k)
	}
	for _, p := range got[1].Proposals {
		if p.Kind == PowerImbalance && p.Rule != "minor present: LILY" {
			t.Errorf("power-imbalance rule %q, want the minor named", p.Rule)
		}
	}
	if diff := cmp.Diff(kinds(Kiss), kindsOf(a.Scene(s.Scenes[1]))); diff != "" {
		t.Errorf("Scene alone (-want +got):\n%s", diff)
	}

	// The minor only speaks: the proposal quotes the scene's intimate line.
	speaks := actionScene("Tom and Ann kiss at the door.", "LILY", "TOM")
	got = a.Script(&fountain.Script{Scenes: []fountain.Scene{s.Scenes[0], speaks}})
	want := []Proposal{
		{Kind: Kiss, Quote: "Tom and Ann kiss at the door.", Line: 10, Characters: []string{"TOM"}, Rule: "kiss"},
		{Kind: PowerImbalance, Quote: "Tom and Ann kiss at the door.", Line: 10, Characters: []string{"TOM"}, Rule: "minor present: LILY"},
	}
	if diff := cmp.Diff(want, got[1].Proposals); diff != "" {
		t.Errorf("a minor who only speaks (-want +got):\n%s", diff)
	}
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		text string
		want []sentence
	}{
		{"One. Two! Three?", []sentence{{"One.", 1}, {"Two!", 1}, {"Three?", 1}}},
		{"Dr. Hale and Mrs. Pike wait. M. Arden writes.", []sentence{{"Dr. Hale and Mrs. Pike wait.", 1}, {"M. Arden writes.", 1}}},
		{"He says \"Stop.\" She stops.\nAgain...\nShe\nkisses him", []sentence{{"He says \"Stop.\"", 1}, {"She stops.", 1}, {"Again...", 2}, {"She\nkisses him", 3}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitSentences(tt.text, 1), cmp.AllowUnexported(sentence{})); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.text, diff)
		}
	}
}

// BenchmarkScript analyses a screenplay of at least 120 pages, made of the
// labelled scripts one after another.
func BenchmarkScript(b *testing.B) {
	var body bytes.Buffer
	files, err := filepath.Glob(filepath.Join("testdata", "*.fountain"))
	if err != nil || len(files) == 0 {
		b.Fatal("no testdata scripts", err)
	}
	var s *fountain.Script
	for s == nil || s.Pages < 120 {
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			text := string(data)
			if i := strings.Index(text, "\nINT. "); i >= 0 {
				text = text[i+1:]
			}
			body.WriteString(text + "\n\n")
		}
		s, err = fountain.Parse(bytes.NewReader(body.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
	}
	a := newAnalyzer(b, Terms{})
	b.Logf("%d pages, %d scenes", s.Pages, len(s.Scenes))
	b.ResetTimer()
	for b.Loop() {
		a.Script(s)
	}
}

// FuzzScene: any text, as action or parenthetical, is analysed without a
// panic, and every proposal quotes text that is in the scene.
func FuzzScene(f *testing.F) {
	for _, s := range []string{"She kisses him.", "Dr. . . kiss", "’’’ —— ...", "strip $ {pos}", "MAISIE (12) kisses\n\nhim. (n't) no kiss of", "A-B-C- --", ""} {
		f.Add(s)
	}
	a := newAnalyzer(f, Terms{})
	f.Fuzz(func(t *testing.T, text string) {
		sc := actionScene(text, "NORA", "TOMAS")
		sc.Elements = append(sc.Elements, fountain.Element{Kind: fountain.Parenthetical, Text: text, Line: 12, Speaker: "NORA"})
		for _, p := range a.Scene(sc) {
			if !strings.Contains(text, p.Quote) || p.Quote == "" {
				t.Errorf("quote %q is not in the scene", p.Quote)
			}
		}
	})
}
