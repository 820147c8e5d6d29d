package breakdown

// rule is one entry of the lexicon: a term, the kind it suggests and the
// context it needs. Words in the context fields are space-separated and
// exact; "$" in next stands for the end of a clause.
type rule struct {
	name string // what the IC sees; a production turns a rule off by it
	kind Kind
	term string
	// also is a second kind the term implies.
	also Kind
	// cue marks a power-imbalance cue: it proposes a beat only in a scene
	// that holds intimacy.
	cue bool
	// next: the word right after the match must be one of these.
	next string
	// notNext, notPrev: the word right after or before must not be one of these.
	notNext, notPrev string
	// notNear: none of these in the four words after the match.
	notNear string
	// avoid: a gap ("...") never takes these words.
	avoid string
	// plain: negation does not apply (a cue such as "won't take no").
	plain bool
	// other: the body touched must be someone else's. A match whose
	// possessives are all one ("her hand on her chest"), and that one is
	// the subject's ("he runs a hand through his hair"), is a gesture of
	// one's own.
	other bool
}

// The verbs that take a garment off, and the words that show a garment
// going on instead.
const (
	offVerbs = "take|pull|peel|slip|shrug|tug|drop|shed|lift|yank|rip|tear|remove|strip|wriggle|" +
		"step|ease|undo|loosen|unbutton|unzip|unhook|unclasp|unfasten|unlace|unbuckle|unsnap|unbelt|" +
		"hitch|hike|kick|toss|fling|discard|wrestle|slide|roll|inch|untie|untuck"
	onWords = "on up into back buttons down"
	// touchVerbs are the verbs of one body touching another.
	touchVerbs = "touch|stroke|caress|trace|brush|graze|cup|cradle|squeeze|knead|massage|rub|nuzzle|lick|" +
		"nip|nibble|suck|explore|slide|run|trail|skim|press|grip|grab|clutch|hold|fit|splay|" +
		"spread|wander|roam|drift|tangle|thread|bury|rake|tease|tug|toy|tuck|smooth|pet|tickle|fondle|bite|" +
		"grope|settle|wrap|twine|curl|comb|paw|cling|nestle|slip|snake|loop|put|place|lay"
	// closeVerbs bring one body to another.
	closeVerbs = "pull|draw|tug|drag|yank|haul|gather|reel|sweep|crush|hold|clutch|press|fold|bring|ease|guide"
	// leanVerbs put a body against another.
	leanVerbs = "press|fit|mould|mold|melt|sink|nestle|curl|burrow|lean|sag|snuggle|cuddle|huddle|arch|" +
		"settle|lie|cling|slump|collapse|sway|drape|sprawl"
	// handVerbs are what a hand does on a body.
	handVerbs = "find|rest|settle|slide|drift|stray|wander|travel|move|creep|snake|slip|brush|graze|cup|" +
		"trace|skim|linger|hover|roam|explore|curl|splay|spread|press|flatten|tighten|knead|stroke|" +
		"caress|trail|dip|sneak|work|fumble|tangle|thread|twist|knot|fist|dig|grip|clutch|squeeze|play"
	// notCars are the words after "against her" or "to her" that make her a thing, not a body.
	notCars = "car cars van truck door doors desk wall office room house flat apartment cell feet knees " +
		"side table station locker counter window seat chair bike horse computer screen phone"
	// care are the things a hand may hold to a body without intimacy: a
	// stethoscope to a chest, a coat around her shoulders. A touch does not
	// reach across them.
	care = "stethoscope pulse cloth compress bandage bandages gauze swab syringe needle thermometer " +
		"wound gun pistol knife blade barrel cuffs handcuffs coat jacket blanket shawl scarf cloak ice pack icepack flannel " +
		"head phone"
	// pets are the animals that climb into a lap.
	pets = "cat cats dog dogs kitten puppy"
	// putAway are the places a garment is taken from or to when no one is
	// undressing: "takes the towel off the rack", "out of his jeans pocket".
	putAway = "counter table rack hook hooks shelf rail railing line bench drawer hanger peg pegs " +
		"basket cupboard closet wardrobe dryer laundry pocket pockets suitcase bag"
	// tending are the words after a touch that make it a nurse's or a medic's.
	tending = "stethoscope pulse temperature fever wound cpr compressions counting bandage dressing"
	// stripNoun are the words before "strip" that make it a noun.
	stripNoun = "a the tape comic landing air narrow thin long this that another one each every " +
		"of sunset vegas las rumble drag"
)

// lexicon is the built-in set of rules.
var lexicon = []rule{
	// Kisses.
	{name: "kiss", kind: Kiss, term: "kiss"},
	{name: "make out", kind: Kiss, term: "make =out",
		next: "$ with again on in against like for under while behind at until by near"},
	{name: "snog", kind: Kiss, term: "snog"},
	{name: "smooch", kind: Kiss, term: "smooch"},
	{name: "peck on the cheek", kind: Kiss, term: "peck ... =cheek|=cheeks|=lips|=mouth|=forehead"},
	{name: "lips meet", kind: Kiss,
		term: "=lips|=mouths meet|find|brush|lock|touch|crush|press|graze|skim|seek|claim|capture|crash|collide|linger|hover|fuse|join"},
	{name: "finds his mouth", kind: Kiss, term: "find|seek|claim|capture|take|catch =his|=her|=their =mouth|=lips", other: true},
	{name: "gives him a peck", kind: Kiss, term: "=a|=quick|=little|=brief|=chaste|=soft =peck", notNext: "of"},
	{name: "pecks him", kind: Kiss, term: "peck =him|=her|=them|{name}", next: "$ on goodbye again quickly lightly softly back"},
	{name: "necking", kind: Kiss, term: "=necking|=liplock|=hickey|=hickeys"},
	{name: "lock lips", kind: Kiss, term: "lock =lips"},
	{name: "against her lips", kind: Kiss, other: true, term: "=against|=upon {pos} =lips|=mouth"},
	{name: "plants one on him", kind: Kiss, term: "plant =one =on {obj}|{name}"},
	{name: "love bite", kind: Kiss, term: "=love =bite|=bites"},
	{name: "tongue in her mouth", kind: Kiss, other: true,
		term: "=tongue =in|=into|=inside|=against|=along|=over|=across|=down {pos} {body}|{tender}|{back}"},
	{name: "tongues meet", kind: Kiss, term: "=tongues tangle|meet|touch|dance|find|twine|brush|duel"},
	{name: "mouth to her neck", kind: Kiss,
		term: "=lips|=mouth =to|=on|=upon|=against|=onto|=over|=along|=across {pos}? {body}|{back}|{tender}|=hers|=his"},

	// Undressing.
	{name: "undress", kind: Undressing, term: "undress"},
	{name: "disrobe", kind: Undressing, term: "disrobe"},
	{name: "takes off a garment", kind: Undressing, term: offVerbs + " ...5 {garment}", avoid: onWords,
		notNear: putAway},
	{name: "takes off her top", kind: Undressing, term: offVerbs + " ... {pos} ... =top|=slip|=fly|=pants|=vest",
		avoid: onWords},
	{name: "a garment comes off", kind: Undressing,
		term: "{garment}|=top come|peel =off|=away|=open|=down|=loose"},
	{name: "a garment falls", kind: Undressing, term: "{garment} fall|drop|slide|slip|pool|crumple|puddle"},
	{name: "strips", kind: Undressing, term: "strip $", notPrev: stripNoun},
	{name: "strips naked", kind: Undressing, term: "strip =naked|=nude|=bare|=completely|=off|=down",
		next:    "$ to and for in completely quickly slowly fully together naked nude bare",
		notPrev: stripNoun, notNear: "engine paint wallpaper bed sheets rifle gun car wall walls varnish bark"},
	{name: "strips to his shorts", kind: Undressing, term: "strip =to|=down =to {pos}|=the|=a",
		notPrev: stripNoun},
	{name: "out of her clothes", kind: Undressing, term: "=out =of {pos}|=the|=a ... {garment}",
		notNext: "shop store shops boutique rack hanger bag box basket hamper pile closet wardrobe drawer pocket pockets van catalogue"},
	{name: "shrugs out of", kind: Undressing,
		term:    "shrug|wriggle|shimmy|slither|peel|wrestle|squirm|struggle|step|slip =out =of {pos}|=the|=it|=them|=everything",
		notNext: "coat jacket blazer overcoat raincoat anorak parka cardigan harness backpack straps car van cab room way chair seat"},
	{name: "bra strap", kind: Undressing, term: "{underwear} =strap|=straps|=clasp|=hook|=hooks|=band|=cup|=cups"},
	{name: "buttons come undone", kind: Undressing,
		term:    "=buttons|=button|=hooks|=clasp|=zipper|=zip|=laces|=fly|=buckle come|pop|give|slide|spring|fly|slip =undone|=open|=loose|=free|=apart|=down|=off|=away",
		notPrev: "tent bag bags case suitcase coat jacket sleeping backpack purse boot boots shoe shoes pencil"},
	{name: "her blouse hangs open", kind: Undressing,
		term: "{garment}|=fly|=top|=zipper|=zip|=buttons =is|=are|=was|=were|=hangs|=hang|=hanging|=gapes|=gape|=gaping|=falls|=fall|=now|=already|=half? =undone|=unbuttoned|=unzipped|=unfastened|=unlaced|=open|=loosened"},
	{name: "fumbles with his belt", kind: Undressing,
		term: "fumble|struggle|work|tug|pull|fiddle|yank|wrestle =with|=at {pos} {garment}|=zipper|=zip|=fly|=buttons|=button|=top|=belt"},
	{name: "strips her", kind: Undressing, term: "strip {obj}", next: "$ naked nude bare down off",
		notPrev: stripNoun},
	{name: "stripped to the waist", kind: Nudity, term: "strip =to|=down =the? =waist|{underwear}"},

	// Nudity.
	{name: "naked", kind: Nudity, term: "=naked|=nakedness"},
	{name: "bare to the waist", kind: Nudity, term: "=bare|=naked|=stripped|=nude =to|=from =the =waist"},
	{name: "her shoulders are bare", kind: Nudity,
		term: "{bare} =are|=is|=was|=were|=left|=lie|=lies|=gleam|=gleams =bare|=naked|=exposed|=uncovered"},
	{name: "nude", kind: Nudity, term: "=nude|=nudes|=nudity|=nudist|=nudists"},
	{name: "topless", kind: Nudity, term: "=topless|=shirtless|=bottomless|=unclothed|=starkers"},
	{name: "bare-chested", kind: Nudity, term: "=bare =chested|=breasted|=bottomed|=skinned|=assed"},
	{name: "bare skin", kind: Nudity, term: "=bare {bare}"},
	{name: "skinny-dip", kind: Nudity, term: "=skinny dip"},
	{name: "in the buff", kind: Nudity, term: "=in =the =buff|=altogether"},
	{name: "birthday suit", kind: Nudity, term: "=birthday =suit"},
	{name: "full frontal", kind: Nudity, term: "=full =frontal"},
	{name: "wearing nothing", kind: Nudity, term: "wear|=wearing =nothing|=only"},
	{name: "nothing on", kind: Nudity, term: "=with =nothing =on"},
	{name: "in her underwear", kind: Nudity, term: "=in|=to|=into|=stripped {pos} ... {underwear}"},
	{name: "exposes her body", kind: Nudity,
		term: "expose ... {pos}|=the =breasts|=breast|=chest|=buttocks|=genitals|=body|=crotch"},
	{name: "intimate body", kind: Nudity,
		term: "=breasts|=nipples|=nipple|=genitals|=genitalia|=penis|=vagina|=buttocks|=pubic"},
	{name: "strip search", kind: Nudity, also: PowerImbalance, term: "=strip search"},
	{name: "bares his chest", kind: Nudity, term: "bare {pos} ...2 {bare}"},
	{name: "bares all", kind: Nudity, term: "bare =all|=himself|=herself|=themselves|=everything"},
	{name: "half-dressed", kind: Nudity,
		term: "=half|=partly|=partially|=barely|=scantily|=semi|=hardly =dressed|=clothed|=naked|=undressed|=clad|=nude|=dressed"},
	{name: "in nothing but", kind: Nudity, term: "=in|=wearing|=wears|=wore =nothing =but|=except|=save|=more"},
	{name: "in just his boxers", kind: Nudity,
		term:    "=in|=to|=into|=stripped|=only|=just|=wearing|=wears =just|=only|=a|=nothing|=skimpy|=little|=lacy ... {underwear}",
		notNext: "shop store shops boutique catalogue catalog ad advert advertisement billboard drawer department section aisle model models"},
	{name: "in his shirt and nothing else", kind: Nudity, term: "{garment}|=towel|=sheet =and|=but =nothing =else|=underneath|=more|=beneath"},
	{name: "clothes strewn", kind: Undressing,
		term: "=clothes|=clothing|=underwear|=bra|=panties|=boxers|=knickers ...2 =scattered|=strewn|=discarded|=flung|=abandoned|=tossed"},
	{name: "a trail of clothes", kind: Undressing, term: "=trail|=pile|=tangle|=heap =of =clothes|=clothing|=underwear|=discarded"},
	{name: "her dress on the floor", kind: Undressing, term: "{garment}|=top ...3 =on|=across|=to|=onto|=hit|=hits|=hitting =the =floor|=carpet|=rug|=ground"},
	{name: "her skirt rides up", kind: Undressing, term: "{garment} ride|hike|slide|bunch|ruck =up"},
	{name: "his shirt is off", kind: Undressing, term: "{garment}|=top =is|=are|=was|=were|=already|=half =off", next: "$ and now"},
	{name: "covers herself", kind: Nudity, term: "cover|shield =himself|=herself|=themselves", next: "$ with up again quickly"},
	{name: "modesty garment", kind: Nudity, term: "=modesty|=closed =set"},
	{name: "something more comfortable", kind: Undressing, term: "=something =more =comfortable"},
	{name: "stripper", kind: Nudity, term: "=stripper|=strippers|=striptease|=stripteases|=burlesque|=lapdance|=lapdances"},
	{name: "peep show", kind: Nudity, term: "=peep =show|=shows"},
	{name: "au naturel", kind: Nudity, term: "=au =naturel"},
	{name: "moons the crowd", kind: Nudity, term: "=moons|=mooned|=mooning =the|=him|=her|=them|=us|=everyone|=everybody|=crowd|{name}"},
	{name: "in a towel", kind: Nudity, term: "=in =a|=just|=only =a? =towel"},
	{name: "a towel around his waist", kind: Nudity,
		term: "=towel|=towels|=sheet|=sheets|=blanket|=duvet|=bedsheet ...3 =to|=over|=around|=round|=across|=against|=at|=on {pos} =chest|=breasts|=breast|=waist|=hips|=lap|=groin|=crotch|=nakedness|=middle"},
	{name: "the sheet slips", kind: Nudity,
		term: "=sheet|=sheets|=blanket|=duvet|=towel|=robe|=covers|=bedsheet|=bathrobe slip|slide|fall|drop|fold =from|=off|=down|=away|=to|=below|=lower|=open"},
	{name: "reveals her back", kind: Nudity,
		term:    "reveal|flash ...2 {pos}|=bare|=naked ...1 =breasts|=breast|=nipple|=nipples|=chest|=torso|=buttocks|=bottom|=back|=shoulders|=shoulder|=stomach|=belly|=thighs|=thigh|=hips|=skin|=cleavage|=midriff|=legs|{underwear}",
		notNext: "wound scar scars tattoo tattoos injury injuries bruise bruises bandage bandages"},
	{name: "shower together", kind: Nudity,
		term: "=shower|=showers|=showering|=showered|=bath|=bathe|=bathes|=bathing|=bathed =together"},
	{name: "showers with him", kind: Nudity,
		term: "=shower|=showers|=showering|=showered|=bathe|=bathes|=bathing|=bathed =with =him|=her|=them|{name}"},
	{name: "joins him in the shower", kind: Nudity, term: "join {obj}|{name} =in|=under =the =shower|=bath|=tub|=bathtub"},

	// Sexual content.
	{name: "make love", kind: SexualContent, term: "make =love|=lovemaking"},
	{name: "have sex", kind: SexualContent, term: "have =sex"},
	{name: "sex", kind: SexualContent, term: "=sex|=sexual|=sexually",
		notNext: "offender offenders education ed worker's register"},
	{name: "sleeps with him", kind: SexualContent,
		term: "sleep =with =him|=them|=someone|=somebody|=anyone|=everyone|=each|{name}"},
	{name: "sleeps with her", kind: SexualContent, term: "sleep =with =her",
		next: "$ again tonight and anyway once twice before then"},
	{name: "straddles", kind: SexualContent, term: "straddle",
		notNext: "the a an this that both two either line fence border"},
	{name: "grinds", kind: SexualContent, term: "grind",
		next:    "against into on her his their hips pelvis together slowly up down",
		notNear: "teeth coffee beans pepper gears gear halt stop axe meat corn wheat grain cigarette butt heel out jaw"},
	{name: "thrusts", kind: SexualContent, term: "thrust",
		next:    "$ into against inside harder deeper faster slowly rhythmically again her his their up",
		notNear: "knife sword blade hand hands fist paper papers envelope warrant phone letter card finger chin jaw head arm microphone badge"},
	{name: "climax", kind: SexualContent, term: "climax|orgasm|=orgasmic",
		notPrev: "music song score story film speech symphony game chase race season plot scene show performance"},
	{name: "foreplay", kind: SexualContent, term: "=foreplay|=intercourse|=coitus|=aroused|=arousal|=erotic|=erotically"},
	{name: "masturbates", kind: SexualContent, term: "masturbat*"},
	{name: "erection", kind: SexualContent, term: "=erection", notNext: "of"},
	{name: "goes down on", kind: SexualContent, term: "go =down =on {obj}"},
	{name: "fucks", kind: SexualContent, term: "=fuck|=fucks|=fucked",
		notNext: "up off around over it this that you me with all"},
	{name: "lie together", kind: SexualContent, term: "lie =together"},
	{name: "bodies move together", kind: SexualContent,
		term: "=bodies|=hips move|rock|writhe|grind|=entwined|=intertwined =together|=against|=in"},
	{name: "consummate", kind: SexualContent, term: "consummate ... =marriage|=relationship|=affair"},
	{name: "rape", kind: SexualContent, also: PowerImbalance, term: "rape|=rapist"},
	{name: "sexual assault", kind: SexualContent, also: PowerImbalance,
		term: "=sexual|=sexually assault|=assaulted|=abuse|=abused"},
	{name: "molests", kind: SexualContent, also: PowerImbalance, term: "molest"},
	{name: "fool around", kind: SexualContent, term: "fool =around", next: "$ with again upstairs under in on"},
	{name: "mess around with her", kind: SexualContent, term: "mess =around =with =him|=her|=them|{name}"},
	{name: "hook up", kind: SexualContent, term: "hook =up", next: "$ with again tonight"},
	{name: "shags", kind: SexualContent, term: "shag", notNext: "carpet carpets rug rugs pile haircut"},
	{name: "screws her", kind: SexualContent, term: "screw =him|=her|=them", next: "$ again senseless on in against"},
	{name: "the bed creaks", kind: SexualContent,
		term: "=bed|=bedsprings|=springs|=headboard|=mattress creak|squeak|bang|thump|rock|shake|knock|rattle|groan"},
	{name: "tangled in the sheets", kind: IntimateContact,
		term: "=tangled|=twisted|=wrapped|=sprawled|=entwined|=naked|=lying|=lie|=lies|=lay =in|=among|=beneath|=under =the? =sheets|=bedsheets|=bedclothes"},
	{name: "guides him inside her", kind: SexualContent, term: "guide {obj} =inside|=into",
		next: "$ her him herself himself"},
	{name: "spreads her legs", kind: SexualContent, term: "spread|part|open =her|=his|=their =legs|=thighs|=knees"},
	{name: "wraps her legs around him", kind: SexualContent,
		term: "wrap|lock|hook|curl|twine|coil|clamp ...2 =legs|=leg|=thighs ... =around|=round {obj}|{pos}|{name}"},
	{name: "her legs around him", kind: SexualContent,
		term: "=legs|=thighs =around|=round|=wrapped|=locked|=hooked|=clamped =around|=round? {obj}|{pos}"},
	{name: "astride him", kind: SexualContent, term: "=astride =him|=her|=them", notNext: notCars},
	{name: "sleep together", kind: SexualContent, term: "sleep =together"},
	{name: "move together", kind: SexualContent, term: "move =together",
		next: "$ slowly in under beneath rhythmically urgently faster again against"},
	{name: "one-night stand", kind: SexualContent,
		term: "=one =night =stand|=stands"},
	{name: "post-coital", kind: SexualContent, term: "=quickie|=coital|=postcoital|=virginity|=horny|=lustfully"},
	{name: "love scene", kind: SexualContent, term: "=love =scene|=scenes"},
	{name: "moans his name", kind: SexualContent, term: "moan|gasp =his|=her|=their =name"},
	{name: "seduces", kind: SexualContent, term: "seduce {obj}|{name}"},
	{name: "takes her against the wall", kind: SexualContent,
		term: "take {obj} =against|=from =the? =wall|=door|=desk|=counter|=behind"},
	{name: "slang for sex", kind: SexualContent, term: "=nookie|=bonking|=humping|=rutting|=shagging|=bonk|=bonks|=bonked"},
	{name: "hanky-panky", kind: SexualContent, term: "=hanky =panky"},
	{name: "booty call", kind: SexualContent, term: "=booty =call|=calls"},
	{name: "going at it", kind: SexualContent, term: "=going|=go|=goes|=went =at =it", next: "$ like again"},
	{name: "getting it on", kind: SexualContent, term: "get =it =on", next: "$ with again"},
	{name: "pleasures him", kind: SexualContent, term: "pleasure =him|=her|=them|=himself|=herself|{name}"},
	{name: "touches herself", kind: SexualContent, term: "touch =himself|=herself|=themselves",
		next: "$ beneath under through again slowly"},
	{name: "oral sex", kind: SexualContent, term: "=blowjob|=blowjobs|=handjob|=handjobs|=fellatio|=cunnilingus"},
	{name: "blow job", kind: SexualContent, term: "=blow|=hand =job|=jobs"},
	{name: "inside her", kind: SexualContent, term: "=inside =her|=him", next: "$ now again slowly"},
	{name: "enters her", kind: SexualContent, term: "enter =her|=him", next: "$ slowly again from"},
	{name: "rides him", kind: SexualContent, term: "ride =him|=her", next: "$ slowly harder faster hard"},
	{name: "climbs on top", kind: SexualContent,
		term: "climb|roll|pull|get|clamber|move|slide|shift|settle|straddle {obj}? =on|=onto =top $"},
	{name: "lap dance", kind: SexualContent, term: "=lap =dance|=dances|=dancing|=dancer|=dancers"},
	{name: "forces himself on her", kind: SexualContent, also: PowerImbalance,
		term: "force =himself|=herself|=themselves =on|=upon"},

	// Intimate contact.
	{name: "caresses", kind: IntimateContact, term: "caress|fondle|grope|nuzzle|cuddle|snuggle|canoodle", notNext: "for"},
	{name: "spoons", kind: IntimateContact, term: "spoon", next: "$ behind against each in on him her them",
		notPrev: "the a an some two three of and with wooden silver clean dirty polish polishes polishing polished wash washes washing washed dry dries drying lays lay counts count tea"},
	{name: "embraces", kind: IntimateContact, term: "embrace",
		notNext: "the change chaos idea future role new this that it"},
	{name: "caresses her thigh", kind: IntimateContact, other: true,
		term:    "stroke|caress|trace|nuzzle|lick|nibble|kiss|fondle|grope|massage|rub|knead ...5 {pos}|=the ... {body}|{back}|{tender}",
		notNext: "of"},
	{name: "touches her thigh", kind: IntimateContact, other: true, avoid: care + " from off", notNear: tending,
		term: touchVerbs + " ...5 {pos} ... {body}|{back}|{tender}"},
	{name: "hand on her thigh", kind: IntimateContact, other: true, avoid: care, notNear: tending,
		term: "{hands} ... =on|=up|=along|=over|=down|=under|=between|=across|=inside|=around|=beneath|=to|=at|=into|=against|=through|=behind|=in ...3 {pos} ... {body}|{back}|{tender}|{garment}|=top"},
	{name: "his hand finds her back", kind: IntimateContact, other: true, avoid: care, notNear: tending,
		term: "{hands} " + handVerbs + " ...4 {pos} ...2 {body}|{back}|{tender}|{garment}"},
	{name: "takes her face in his hands", kind: IntimateContact, other: true,
		term: "take|frame|cradle|hold|cup {pos} =face|=head|=jaw|=cheeks ...2 {hands}"},
	{name: "pulls her towards him", kind: IntimateContact, notNext: notCars, other: true, avoid: care,
		term: closeVerbs + " {obj} ...2 =to|=toward|=towards|=into|=against|=onto|=on|=down|=up|=beside|=alongside =him|=her|=them|=himself|=herself|=each|{name}"},
	{name: "pulls her into his arms", kind: IntimateContact, other: true, avoid: care, notPrev: pets,
		term: closeVerbs + "|fall|sink|melt|collapse|slide|climb|crawl|tumble|settle|curl|nestle {obj}? ...2 =into|=onto|=against|=to|=in {pos} =arms|=chest|=body|=embrace|=mouth|=lips|=bed"},
	{name: "presses against him", kind: IntimateContact, notNext: notCars,
		term: leanVerbs + " =himself|=herself|=themselves|=close|=up? =against|=into|=onto|=along|=to|=across|=over =him|=her|=them|=each|=his|{name}"},
	{name: "her body against his", kind: IntimateContact, notNext: notCars,
		term: "=body|=bodies|=hips|=chest|=torso|=breasts|=groin|=pelvis|=mouth ...2 =against|=into|=flush|=pressed|=fitted|=moulded|=molded =to? =him|=her|=his|=hers|=theirs|=each"},
	{name: "breath on her neck", kind: IntimateContact,
		term: "=breath|=breathing|=breathes|=breathe ...3 =on|=against|=at|=in|=warm|=hot|=across {pos} {body}|{back}|{tender}"},
	{name: "breathes her in", kind: IntimateContact, term: "breathe {obj}|{name} =in"},
	{name: "slides onto his lap", kind: IntimateContact, notPrev: pets,
		term: "slide|climb|sit|settle|crawl|curl|perch|pull|lower|ease|drag|tug|draw|scoop|gather|lift|plant|straddle|clamber|tumble|fall|sink {obj}? =onto|=into|=in|=on|=across|=astride {pos} =lap"},
	{name: "between her legs", kind: IntimateContact, term: "=between {pos} =legs|=thighs"},
	{name: "in bed together", kind: IntimateContact, term: "=in|=into =bed =together|=with"},
	{name: "under the sheets", kind: IntimateContact, term: "=under|=beneath|=between =the =sheets|=covers|=duvet|=blankets|=quilt"},
	{name: "into bed", kind: IntimateContact, term: "get|climb|fall|tumble|crawl|slip|collapse|roll =into|=onto|=across =the? =bed|=mattress"},
	{name: "pushes him onto the bed", kind: IntimateContact,
		term: "push|pull|throw|toss|tumble|pin|lay|ease|drag|draw|roll {obj} ...2 =onto|=into|=on|=across|=against =the? =bed|=mattress|=sheets|=pillows|=cot|=couch|=sofa|=bunk"},
	{name: "her hand drifts lower", kind: IntimateContact, next: "$ and still",
		term: "{hands}|=mouth|=lips|=kisses drift|slide|move|creep|slip|wander|travel|trail|dip|snake|stray|inch =lower|=south|=inside|=further|=farther|=downward|=downwards"},
	{name: "hands all over her", kind: IntimateContact,
		term: "{hands} ...2 =all =over =him|=her|=them|=each|{pos}|{name}"},
	{name: "hands everywhere", kind: IntimateContact, term: "{hands} =everywhere"},
	{name: "her back arches", kind: SexualContent, term: "{pos} =back|=spine|=body arch"},
	{name: "in each other's arms", kind: IntimateContact, term: "=in =each =other's =arms"},
	{name: "on top of him", kind: IntimateContact, term: "=on =top =of =him|=her|=them"},
	{name: "pulls her close", kind: IntimateContact, term: "pull|hold|draw|clutch {obj} =close|=closer|=tight|=tighter|=against"},
	{name: "skin on skin", kind: IntimateContact, also: Nudity, term: "=skin =on|=against|=to =skin"},
	{name: "foreheads touch", kind: IntimateContact,
		term: "=foreheads|=noses|=bodies|=hips|=thighs|=knees touch|meet|brush|bump|press|graze|collide|rest"},
	{name: "tangled together", kind: IntimateContact, term: "=tangled|=entwined|=intertwined|=curled|=wound =together"},
	{name: "limbs tangled", kind: IntimateContact,
		term: "=limbs|=bodies|=legs =tangled|=entwined|=intertwined|=entangled|=interlaced|=wrapped"},
	{name: "takes her to bed", kind: IntimateContact,
		term: "take|lead|bring|invite|guide|pull|drag|usher {obj} =to|=into|=towards|=toward {pos}|=the? =bed|=bedroom|=bedchamber|=room"},
	{name: "wakes beside him", kind: IntimateContact,
		term: "wake ...2 =next =to|=beside|=alongside|=against|=with =him|=her|=them|=each|{name}"},
	{name: "back rub", kind: IntimateContact, term: "=back|=foot =rub|=rubs|=massage|=massages"},
	{name: "carries her to bed", kind: IntimateContact, term: "carry {obj} =to|=into|=onto|=towards =the? =bed"},
	{name: "bodies pressed together", kind: IntimateContact, term: "=bodies =pressed|=pressing|=press =together|=close"},

	// Power imbalance cues: they count only in a scene that holds intimacy.
	{name: "boss and employee", kind: PowerImbalance, cue: true, plain: true,
		term: "=boss|=boss's|=payroll|=employer|=employee|=manager|=supervisor|=subordinate|=intern|=hire|=assistant|=secretary|=underling|=apprentice"},
	{name: "teacher and student", kind: PowerImbalance, cue: true, plain: true,
		term: "=teacher|=student|=pupil|=professor|=tutor|=coach|=headmaster|=headmistress|=lecturer|=mentor|=protege|=protégé"},
	{name: "director and actor", kind: PowerImbalance, cue: true, plain: true,
		term: "=director|=producer|=casting|=audition|=auditions|=agent|=mogul|=executive|=ceo|=chairman|=superior|=chief"},
	{name: "doctor and patient", kind: PowerImbalance, cue: true, plain: true,
		term: "=doctor|=surgeon|=physician|=consultant|=nurse|=resident|=registrar|=matron"},
	{name: "master and servant", kind: PowerImbalance, cue: true, plain: true,
		term: "=master|=servant|=maid|=footman|=housemaid|=governess|=valet|=mistress|=duke|=duchess|=king|=queen|=heir|=heiress"},
	{name: "older man", kind: PowerImbalance, cue: true, plain: true,
		term: "=older|=younger =man|=woman|=men|=women|=boy|=girl|=lover"},
	{name: "our secret", kind: PowerImbalance, cue: true, plain: true,
		term: "=our =secret|=little =secret"},
	{name: "you owe me", kind: PowerImbalance, cue: true, plain: true, term: "=owe =me|=him|=her"},
	{name: "won't let her leave", kind: PowerImbalance, cue: true, plain: true,
		term: "let {obj} =leave|=go|=out|=up|=past", next: "$"},
	{name: "locks the door", kind: PowerImbalance, cue: true, plain: true, term: "lock =the|=her|=his =door|=doors"},
	{name: "carer and patient", kind: PowerImbalance, cue: true, plain: true,
		term: "=patient|=therapist|=counsellor|=counselor|=psychiatrist|=priest|=pastor|=landlord|=guardian|=stepfather|=stepmother|=stepdaughter|=stepson"},
	{name: "guard and prisoner", kind: PowerImbalance, cue: true, plain: true,
		term: "=prisoner|=inmate|=warden|=detainee|=hostage|=captive|=captor|=guard|=officer|=cop|=sergeant|=captain|=commander|=suspect|=witness"},
	{name: "age gap", kind: PowerImbalance, cue: true, plain: true, term: "=half|=twice {pos} =age"},
	{name: "years older", kind: PowerImbalance, cue: true, plain: true,
		term: "=years|=decades|=much|=far =older|=younger|=senior|=junior"},
	{name: "old enough to be her father", kind: PowerImbalance, cue: true, plain: true, term: "=old =enough =to =be"},
	{name: "minor", kind: PowerImbalance, cue: true, plain: true,
		term: "=teenager|=teenagers|=teen|=teens|=teenage|=schoolgirl|=schoolboy|=schoolgirls|=schoolboys|=underage|=child|=children|=kid|=kids|=toddler|=adolescent|=juvenile"},
	{name: "pins her", kind: PowerImbalance, cue: true, plain: true,
		term: "pin {obj} ... =against|=to|=down|=under|=beneath"},
	{name: "holds her down", kind: PowerImbalance, cue: true, plain: true, term: "hold {obj} =down"},
	{name: "against her will", kind: PowerImbalance, cue: true, plain: true, term: "=against {pos} =will"},
	{name: "won't take no", kind: PowerImbalance, cue: true, plain: true, term: "take =no", next: "$ for"},
	{name: "says no", kind: PowerImbalance, cue: true, plain: true, term: "say =no|=stop"},
	{name: "pushes him away", kind: PowerImbalance, cue: true, plain: true,
		term: "push|shove|fight {obj} =away|=off|=back"},
	{name: "pulls away", kind: PowerImbalance, cue: true, plain: true, term: "pull|turn|shrink|twist|wrench =away"},
	{name: "turns her face away", kind: PowerImbalance, cue: true, plain: true,
		term: "turn {pos} =face|=head ... =away"},
	{name: "flinches", kind: PowerImbalance, cue: true, plain: true,
		term: "flinch|recoil|stiffen|cower|tremble|=frozen|=rigid"},
	{name: "corners her", kind: PowerImbalance, cue: true, plain: true, term: "corner {obj}|{name}"},
	{name: "coercion", kind: PowerImbalance, cue: true, plain: true,
		term: "coerce|blackmail|threaten|=drugged|=unconscious|=trapped|=struggles|=struggling|=pleads|=begs|force|=forcibly|=nonconsensual|=non =consensual"},
	{name: "too drunk", kind: PowerImbalance, cue: true, plain: true, term: "=too =drunk|=high|=wasted"},
	{name: "passed out", kind: PowerImbalance, cue: true, plain: true, term: "pass =out"},
	{name: "blocks the door", kind: PowerImbalance, cue: true, plain: true, term: "block =the|=her|=his =door|=doorway|=way|=exit"},
}

// figures are the built-in exceptions: phrases in which the lexicon's
// words are figures of speech or other senses. A rule's match that
// overlaps one of them proposes nothing.
var figures = []string{
	// Kisses that are not kisses.
	"kiss =of =death",
	"kiss =goodbye =to",
	"kiss =the? =ground|=floor|=pavement|=concrete|=canvas|=tarmac|=asphalt|=dirt|=dust|=earth|=deck|=mat|=sand",
	"kissing =cousin|=cousins",
	"=sun kiss",
	"kiss =my =ass|=arse",
	"kiss =the =ring",
	"kiss =it|=this|=that",
	"kiss =of =life",
	"kiss =the|=a|{pos} ... =spoon|=cross|=crucifix|=rosary|=dice|=die|=photo|=photograph|=picture|=letter|=medal|=ball|=trophy|=coin|=card|=cards|=bottle|=glass|=cup|=ring|=hand|=feet|=foot|=icon|=book|=bible|=flag|=badge|=ticket|=talisman|=charm",
	"kiss =and =tell",
	"kiss =by =the =sun|=frost|=wind|=light",
	// Nudity as a figure of speech.
	"=naked =eye|=ambition|=truth|=greed|=aggression|=hostility|=fear|=hatred|=self|=flame|=flames|=blade|=steel|=bulb|=lightbulb|=light|=lights|=branches|=walls|=wire|=wires|=sword|=short|=city|=facts|=power|=contempt|=terror|=emotion|=grief|=lie",
	"=bare =truth|=minimum|=bones|=necessities|=essentials|=facts|=walls|=floor|=floorboards|=bulb|=wood|=earth|=trees|=branches|=hands|=feet",
	"=laid =bare",
	"=nude =lipstick|=heels|=tights|=shade|=colour|=color|=palette|=stockings",
	// Other senses of "strip" and "bed".
	"=strip =mall|=malls|=club|=of|=lights|=light|=steak|=loin|=poker",
	"=comic|=landing|=tape|=air|=gaza|=sunset strip",
	"strip {pos}|=the =bed|=beds|=paint|=wallpaper|=engine|=car|=wire|=wires|=varnish|=room|=house|=sheets",
	"strip ... =of =his|=her|=their =rank|=title|=titles|=powers|=power|=license|=licence|=badge|=medal|=medals|=command|=duties|=assets|=dignity",
	"=hospital|=sick|=flower|=river|=sea|=ocean|=lake|=stream|=creek|=truck|=seed|=oyster|=death|=hotel|=camp|=bunk|=trundle|=water|=bird|=test|=nail|=rose|=garden|=reed|=dry|=sofa|=air =bed|=beds",
	"=bed =of =nails|=roses",
	"=in =bed =with =the",
	"=in =bed =with =flu|=fever|=measles|=pneumonia|=covid|=influenza",
	"undress =the =set|=stage|=window|=windows|=mannequin|=tree",
	// Sleeping with the fishes, and sleeping with a light on.
	"sleep =with =the =fishes|=fish",
	"sleep =with =the? =light|=lights|=lamp|=window|=tv|=radio|=door",
	"sleep =with =one =eye",
	"sleep =with =a =gun|=knife|=bat",
	// Other senses of contact words.
	"=stroke =of",
	"=heat|=back|=sun =stroke",
	"embrace =the =idea|=change|=chaos|=future",
	"=sexual =orientation|=identity|=harassment =policy|=training",
	"=pin =number|=code",
	"=kid =gloves",
	"=teaching =assistant",
	"=tongue =in {pos}? =cheek",
	"=wires|=cables|=ropes|=lines|=roots|=branches|=vines|=threads|=cords|=strings ...2 =tangled|=entwined|=intertwined|=wound",
	"=boss =fight|=level|=battle|=battles",
	"=coach =class|=seat|=seats|=ticket|=tickets|=bus|=trip|=party|=station|=driver|=house|=lights",
	"=doctor's|=doctors|=dentist's =office|=surgery|=appointment|=waiting|=orders|=note|=bag",
}
