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
}

// The verbs that take a garment off, and the words that show a garment
// going on instead.
const (
	offVerbs = "take|pull|peel|slip|shrug|tug|drop|shed|lift|yank|rip|tear|remove|strip|wriggle|" +
		"step|ease|undo|loosen|unbutton|unzip|unhook|unclasp|unfasten|unlace|unbuckle|unsnap|unbelt|" +
		"hitch|hike|kick|toss|fling|discard|wrestle"
	onWords = "on up into back buttons down"
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
	{name: "lips meet", kind: Kiss, term: "=lips|=mouths meet|find|brush|lock|touch|crush|press"},
	{name: "mouth to her neck", kind: Kiss,
		term: "=lips|=mouth =to|=on|=against|=onto|=over|=along {pos}? {body}|{back}|{tender}|=hers|=his"},

	// Undressing.
	{name: "undress", kind: Undressing, term: "undress"},
	{name: "disrobe", kind: Undressing, term: "disrobe"},
	{name: "takes off a garment", kind: Undressing, term: offVerbs + " ...5 {garment}", avoid: onWords},
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
	{name: "out of her clothes", kind: Undressing, term: "=out =of {pos} ... {garment}"},
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
	{name: "forces himself on her", kind: SexualContent, also: PowerImbalance,
		term: "force =himself|=herself|=themselves =on|=upon"},

	// Intimate contact.
	{name: "caresses", kind: IntimateContact, term: "caress|fondle|grope|nuzzle|cuddle|snuggle|canoodle"},
	{name: "spoons", kind: IntimateContact, term: "spoon", next: "$ behind against each in on him her them",
		notPrev: "the a an some two three of and with wooden silver clean dirty polish polishes polishing polished wash washes washing washed dry dries drying lays lay counts count tea"},
	{name: "embraces", kind: IntimateContact, term: "embrace",
		notNext: "the change chaos idea future role new this that it"},
	{name: "caresses her thigh", kind: IntimateContact,
		term:    "stroke|caress|trace|nuzzle|lick|nibble|kiss|fondle|grope|massage|rub|knead ...5 {pos}|=the ... {body}|{back}|{tender}",
		notNext: "of"},
	{name: "touches her thigh", kind: IntimateContact,
		term: "touch|grip|grab|squeeze|brush|graze|hold|cup|clutch|paw|explore|slide|run|trail|press ... {pos} ... {body}"},
	{name: "hand on her thigh", kind: IntimateContact,
		term: "=hand|=hands|=fingers|=fingertips|=palm|=palms|=fingernails ... =on|=up|=along|=over|=down|=under|=between|=across|=inside|=around|=beneath|=to {pos} ... {body}|{back}|{garment}|=top"},
	{name: "in bed together", kind: IntimateContact, term: "=in|=into =bed =together|=with"},
	{name: "under the sheets", kind: IntimateContact, term: "=under|=beneath|=between =the =sheets|=covers|=duvet|=blankets|=quilt"},
	{name: "into bed", kind: IntimateContact, term: "get|climb|fall|tumble|crawl|slip|collapse =into|=onto =the? =bed"},
	{name: "in each other's arms", kind: IntimateContact, term: "=in =each =other's =arms"},
	{name: "on top of him", kind: IntimateContact, term: "=on =top =of =him|=her|=them"},
	{name: "pulls her close", kind: IntimateContact, term: "pull|hold|draw|clutch {obj} =close|=closer|=tight|=tighter|=against"},
	{name: "skin on skin", kind: IntimateContact, also: Nudity, term: "=skin =on|=against|=to =skin"},
	{name: "limbs tangled", kind: IntimateContact,
		term: "=limbs|=bodies|=legs =tangled|=entwined|=intertwined|=entangled|=interlaced|=wrapped"},
	{name: "carries her to bed", kind: IntimateContact, term: "carry {obj} =to|=into|=onto|=towards =the? =bed"},
	{name: "bodies pressed together", kind: IntimateContact, term: "=bodies =pressed|=pressing|=press =together|=close"},

	// Power imbalance cues: they count only in a scene that holds intimacy.
	{name: "boss and employee", kind: PowerImbalance, cue: true, plain: true,
		term: "=boss|=boss's|=payroll|=employer|=employee|=manager|=supervisor|=subordinate|=intern|=hire|=assistant|=secretary|=underling|=apprentice"},
	{name: "teacher and student", kind: PowerImbalance, cue: true, plain: true,
		term: "=teacher|=student|=pupil|=professor|=tutor|=coach|=headmaster|=headmistress|=lecturer"},
	{name: "carer and patient", kind: PowerImbalance, cue: true, plain: true,
		term: "=patient|=therapist|=counsellor|=counselor|=psychiatrist|=priest|=pastor|=landlord|=guardian|=stepfather|=stepmother|=stepdaughter|=stepson"},
	{name: "guard and prisoner", kind: PowerImbalance, cue: true, plain: true,
		term: "=prisoner|=inmate|=warden|=detainee|=hostage|=captive|=captor"},
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
}
