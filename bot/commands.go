package bot

// The command table: every command, its typed parameters, and who may run
// it. It is the one definition of a command: the usage line, the keys the
// router accepts, the help, the catalogue behind Discord's options and the
// Slack manifest are all derived from it (catalogue.go). It is also the
// one place that says which roles may run what; commands_test.go checks it
// against the product's expectations as a full matrix.

var (
	icAD          = []Role{RoleIC, RoleAD}
	leadership    = []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}
	onlyIC        = []Role{RoleIC}
	roleManagers  = []Role{RoleIC, RoleAD}
	roleListReads = []Role{RoleIC, RoleAD, RoleProducer}
)

// groupSummaries say what each top-level command is for.
var groupSummaries = map[string]string{
	"icbot":      "icbot help, who you are, roles on this production, and the privacy notice",
	"scene":      "Scenes and their intimacy beats",
	"closedset":  "Closed sets locked to their essential personnel",
	"boundaries": "Performers' boundaries, privately between them and the IC",
	"rider":      "Nudity riders and their 48-hour notice",
	"topline":    "Post a scene's top-line summary to its private channel",
	"dept":       "Department notices (costume, hair and makeup, props, stunts, camera)",
	"reminders":  "Reminders of riders, check-ins and the IC's digest",
	"hold":       "Pause a scene privately; only the IC learns who called it",
	"audit":      "The production's audit trail, for the IC",
	"report":     "Reports from the production's record: a scene's, as a file; the day's",
	"choreo":     "Each beat's choreography (contact, timing, breath, eyelines), every version kept",
	"rehearsal":  "Rehearsals, and exploratory beats on the performers' own consent",
	"take":       "Takes noted during a closed set, for repeatability: what matched the choreography, what drifted",
}

// Parameters that many commands share.
func scene(required bool) Param {
	return Param{Name: "id", Kind: ParamScene, Required: required, Help: "the scene id, such as 12 or 12A"}
}

func user(name, help string) Param {
	return Param{Name: name, Kind: ParamUser, Required: true, Help: help}
}

func keyText(name, help string) Param {
	return Param{Name: name, Kind: ParamText, Key: true, Help: help}
}

func role(required, key bool, help string) Param {
	return Param{Name: "role", Kind: ParamRole, Required: required, Key: key, Help: help}
}

func beat() Param {
	return Param{Name: "beat", Kind: ParamBeat, Required: true, Help: "the beat, such as b2"}
}

// rehearsalNo is a rehearsal's number within its scene.
func rehearsalNo(required bool) Param {
	return Param{Name: "rehearsal", Kind: ParamText, Required: required, Meta: "N", Help: "the rehearsal's number, from /rehearsal show"}
}

func reminder() Param {
	return Param{Name: "reminder", Kind: ParamReminder, Required: true, Help: "the reminder's number"}
}

// whenForms are the ways to type a time, in the production's zone.
const whenForms = `"tomorrow 10:30", "today 18:00", "+3d 09:00", "fri 10:30" (the next Friday, never today) or "2026-12-03 10:30"`

const callHelp = `call time, such as "tomorrow 10:30" or "2026-12-03 10:30"`

var (
	pastParam = Param{Name: "past", Kind: ParamChoice, Choices: []string{"past"}, Help: "confirm a call time in the past"}
	beatKinds = []string{"nudity", "contact", "simulated-sex", "other"}
	deptParam = Param{Name: "department", Kind: ParamChoice, Required: true, Choices: deptNames(), Help: "the department"}
	riderMark = []Param{scene(true), user("performer", "the performer"),
		{Name: "on", Kind: ParamWhen, Key: true, Help: `when: "today 09:15", "yesterday 14:00" or a date; now when left out, never later`},
		keyText("terms", "the rider's terms, for the IC and the performer only")}
)

func commandTable() *registry {
	r := newRegistry([]*spec{
		{
			path:    "icbot help",
			params:  []Param{{Name: "topic", Kind: ParamText, Meta: "COMMAND [SUB-COMMAND]", Help: "a command, such as scene add, or all"}},
			summary: "Show the commands, or the details of one.",
			access:  access{everyone: true},
			run:     runHelp,
		},
		{
			path: "icbot whoami", summary: "Show who icbot thinks you are and your roles.",
			access: access{everyone: true},
			run:    runWhoami,
		},
		{
			path: "icbot mydata", summary: "Get everything icbot holds about you, by DM, as two files: JSON and readable text.",
			help: "Anyone may ask, about themselves alone: your person record and roles, your scenes and rosters, every version of your boundaries, your riders, " +
				"the holds you called, your check-in answers, what department notices said about you, your rehearsal confirmations and the audit records about you. " +
				"Nothing about anyone else is in it. The JSON's schema is " + MyDataSchema + ".",
			access: access{everyone: true}, write: true,
			run: runMyData,
		},
		{
			path:    "icbot erase me",
			params:  []Param{{Name: "confirm", Kind: ParamChoice, Choices: []string{"confirm"}, Help: "go ahead with the erasure shown"}, {Name: "code", Kind: ParamText, Meta: "CODE", Help: "the code the first answer gave"}},
			summary: "Have icbot erase what it holds about you: it shows what it would erase and keep first, and does it when you confirm.",
			help: "Anyone may ask, about themselves alone. What you wrote (boundaries, rider terms, hold reasons, notes) is erased at once, and your name replaced by a pseudonym, " +
				"but for what the production must keep for now: while you perform in a scene not wrapped, your rider and boundaries for it; a signed rider, until the production's retention runs out. " +
				"You are told exactly what is kept and until when; icbot erases it then. The IC and the producers are told that you asked, never what icbot held.",
			access: access{everyone: true}, write: true,
			run: runEraseMe,
		},
		{
			path:    "icbot notice show",
			summary: "Read icbot's privacy notice: what it keeps about you, who can see each part, for how long, and your rights.",
			help:    "icbot sends it to you before it first asks you anything private, and again when it changes.",
			access:  access{everyone: true},
			run:     runNoticeShow,
		},
		{
			path:    "icbot notice ack",
			params:  []Param{{Name: "version", Kind: ParamText, Meta: "N", Help: "the version you read, as the notice says"}},
			summary: "Let the IC know you have read the privacy notice.",
			help:    "Nothing waits for it: you may answer icbot, withdraw your consent or call a hold without it. With a version, it is refused when the notice has changed since.",
			access:  access{crew: true}, write: true,
			run: runNoticeAck,
		},
		{
			path:    "icbot notice status",
			summary: "Who has acknowledged the privacy notice, and who has not (IC).",
			access:  access{roles: onlyIC},
			run:     runNoticeStatus,
		},
		{
			path:    "icbot role add",
			params:  []Param{user("person", "who"), role(true, false, "the role")},
			summary: "Give someone a role: " + roleList() + ".",
			help:    roleGivers(),
			access:  access{admins: true, roles: roleManagers}, write: true,
			run: runRoleAdd,
		},
		{
			path:    "icbot role remove",
			params:  []Param{user("person", "who"), role(true, false, "the role")},
			summary: "Take a role away from someone.",
			help:    "The same people who may give a role may take it away. A performer still cast in a scene keeps the role until taken off the scene.",
			access:  access{admins: true, roles: roleManagers}, write: true,
			run: runRoleRemove,
		},
		{
			path: "icbot role list", summary: "List everyone icbot knows and their roles.",
			access: access{admins: true, roles: roleListReads},
			run:    runRoleList,
		},
		{
			path:    "icbot board",
			params:  []Param{{Name: "logout", Kind: ParamChoice, Choices: []string{"logout"}, Help: "sign out of the board in every browser instead, and void any link not used yet"}},
			summary: "Get a one-time link to the web board by DM: the week's scenes and their readiness, as you may see them (logout: sign out everywhere).",
			help: "The link works once, within 10 minutes, and only for you; the board then stays open in that browser for 12 hours. " +
				"It shows what your roles let you read, as the chat does: the IC everything, the AD, director and producer the counts and the top-line, a performer their own scenes and answers, a department what its notices carry. " +
				"Losing a role, or /icbot board logout, ends every board session of yours.",
			access: access{crew: true},
			run:    runBoard,
		},
		{
			path: "scene add",
			params: []Param{scene(true),
				{Name: "title", Kind: ParamText, Key: true, Required: true, Help: "the scene's title"},
				{Name: "call", Kind: ParamWhen, Key: true, Required: true, Help: callHelp},
				{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers"},
				{Name: "channel", Kind: ParamChannel, Key: true, Help: "the scene's private channel"},
				pastParam},
			summary: "Add a scene with intimacy content.",
			help:    "The call time is in the production's time zone: " + whenForms + ". A call in the past needs the word past at the end. The channel is the scene's private channel, locked to the roster during a closed set.",
			access:  access{roles: icAD}, write: true,
			run: runSceneAdd,
		},
		{
			path:    "scene list",
			params:  []Param{{Name: "all", Kind: ParamChoice, Choices: []string{"all"}, Help: "include wrapped scenes"}},
			summary: "List upcoming scenes (all: include wrapped ones).",
			help:    "Performers see their own scenes.",
			access:  access{crew: true},
			run:     runSceneList,
		},
		{
			path:    "scene show",
			params:  []Param{scene(true)},
			summary: "Show a scene: call time, performers, beats, roster, status.",
			access:  access{roles: leadership, performerOf: true},
			run:     runSceneShow,
		},
		{
			path: "scene set",
			params: []Param{scene(true), keyText("title", "a new title"),
				{Name: "call", Kind: ParamWhen, Key: true, Help: "a new " + callHelp},
				{Name: "performers", Kind: ParamUsers, Key: true, Help: "the performers, all of them"},
				{Name: "channel", Kind: ParamChannel, Key: true, Help: "the scene's private channel"},
				{Name: "status", Kind: ParamChoice, Key: true, Choices: []string{"draft", "ready", "wrapped"}, Help: "the status"},
				pastParam},
			summary: "Change a scene: title, call, performers, channel or status (draft, ready, wrapped).",
			help:    "call= takes " + whenForms + "; moving it into the past needs the word past at the end. Only the title can change while a closed set is running.",
			access:  access{roles: icAD}, write: true,
			run: runSceneSet,
		},
		{
			path:    "scene intent",
			params:  []Param{scene(true), {Name: "intent", Kind: ParamText, Required: true, Help: "the director's intent, in quotes"}},
			summary: "Write down the director's intent for a scene, in the director's or the IC's words.",
			help:    "The director and the IC write it; the scene's performers, the AD, director and producer read it with /scene show. Writing it again replaces it.",
			access:  access{roles: []Role{RoleIC, RoleDirector}}, write: true,
			run: runSceneIntent,
		},
		{
			path:    "scene rename",
			params:  []Param{scene(true), {Name: "title", Kind: ParamText, Required: true, Help: "the new title"}},
			summary: "Give a scene a new title, even during its closed set.",
			access:  access{roles: icAD}, write: true,
			run: runSceneRename,
		},
		{
			path: "scene beat add",
			params: []Param{scene(true),
				{Name: "description", Kind: ParamText, Required: true, Help: "what happens"},
				{Name: "kind", Kind: ParamChoice, Key: true, Required: true, Choices: beatKinds, Help: "the kind of beat"},
				{Name: "areas", Kind: ParamText, Key: true, Meta: "a,b", Help: "body areas visible to camera, for nudity: back,buttocks"},
				{Name: "performers", Kind: ParamUsers, Key: true, Meta: "@a", Help: "the performers it involves (all when left out)"},
				keyText("camera", "camera and coverage: angles, framing, what is seen"),
				keyText("conditions", "what must hold: \"barrier between performers\", \"closed monitors\""),
				keyText("props", "notes for the props department"),
				keyText("stunts", "notes for the stunts department")},
			summary: "Add an intimacy beat to a scene. Once the IC has asked for boundaries, its performers hear of it within minutes, one message for a run of edits.",
			help: "areas= lists the body areas visible to camera, for nudity; performers= the performers it involves (all by default). " +
				"camera= and conditions= are read by the scene's performers, the director, producer, AD and camera department; props= and stunts= go with /dept notify ID props|stunts. " +
				"Beats cannot change while a closed set is running.",
			access: access{roles: onlyIC}, write: true,
			run: runBeatAdd,
		},
		{
			path: "scene beat set",
			params: []Param{scene(true), beat(),
				{Name: "description", Kind: ParamText, Help: "what happens now"},
				{Name: "kind", Kind: ParamChoice, Key: true, Choices: beatKinds, Help: "the kind of beat"},
				{Name: "areas", Kind: ParamText, Key: true, Meta: "a,b", Help: "body areas visible to camera"},
				{Name: "performers", Kind: ParamUsers, Key: true, Meta: "@a", Help: "the performers it involves"},
				keyText("camera", "camera and coverage: angles, framing, what is seen"),
				keyText("conditions", "what must hold while it is shot"),
				keyText("props", "notes for the props department"),
				keyText("stunts", "notes for the stunts department"),
				{Name: "widens", Kind: ParamChoice, Key: true, Choices: []string{"yes", "no"}, Help: "whether a camera= or conditions= change widens the beat"}},
			summary: "Change an intimacy beat. Earlier answers to it stop counting; once asked, its performers hear of it within minutes.",
			help: "A changed description, kind, areas or performers widens the beat: earlier answers stop counting and signed riders need amendment. " +
				"A camera= or conditions= change widens it when it shows more: say so with widens=yes or widens=no, and icbot asks when you leave it out. " +
				"props= and stunts= alone do not widen it. Beats cannot change while a closed set is running.",
			access: access{roles: onlyIC}, write: true,
			run: runBeatSet,
		},
		{
			path:    "scene beat remove",
			params:  []Param{scene(true), beat()},
			summary: "Remove an intimacy beat (its id is in /scene show).",
			access:  access{roles: onlyIC}, write: true,
			run: runBeatRemove,
		},
		{
			path:    "scene remove",
			params:  []Param{scene(true)},
			summary: "Remove a scene. Refused during a closed set.",
			help:    "Past closed-set sessions and the audit trail are kept.",
			access:  access{roles: icAD}, write: true,
			run: runSceneRemove,
		},
		{
			path: "closedset start",
			params: []Param{scene(true), {Name: "force", Kind: ParamChoice, Choices: []string{"force"}, Help: "start despite missing consent (IC)"},
				keyText("reason", "the IC's written reason for force, shown to the AD")},
			summary: "Start the closed set: lock the scene channel to the roster and announce it.",
			help: "The roster is the scene's performers, its planned roster (/closedset add), the production's ICs and you. " +
				"Refused while the scene is on hold or has no performers, and while any performer's boundaries are unconfirmed or withdrawn or a rider is unsigned or late; " +
				"the IC alone may start anyway with force and a written reason, which is audited and shown to the AD.",
			access: access{roles: icAD}, write: true,
			run: runClosedSetStart,
		},
		{
			path:    "closedset add",
			params:  []Param{scene(true), user("person", "who"), role(false, true, "why they are essential")},
			summary: "Put someone on the scene's essential-personnel roster.",
			access:  access{roles: icAD}, write: true,
			run: runRosterAdd,
		},
		{
			path:    "closedset remove",
			params:  []Param{scene(true), user("person", "who")},
			summary: "Take someone off the roster (performers stay on it).",
			access:  access{roles: icAD}, write: true,
			run: runRosterRemove,
		},
		{
			path:    "closedset ack",
			params:  []Param{scene(true)},
			summary: "Confirm you follow the closed-set device policy: no personal recording devices.",
			access:  access{rosterOf: true}, write: true,
			run: runClosedSetAck,
		},
		{
			path:    "closedset end",
			params:  []Param{scene(true)},
			summary: "End the closed set: restore the channel and record the end.",
			access:  access{roles: icAD}, write: true,
			run: runClosedSetEnd,
		},
		{
			path:    "closedset status",
			params:  []Param{scene(false)},
			summary: "Show a scene's closed set, or every running one.",
			access:  access{roles: leadership, performerOf: true, rosterOf: true},
			run:     runClosedSetStatus,
		},
		{
			path:    "boundaries request",
			params:  []Param{scene(true), {Name: "performers", Kind: ParamUsers, Help: "only these performers"}},
			summary: "Ask the scene's performers (or those named), privately, for their boundaries on each beat.",
			access:  access{roles: onlyIC}, write: true,
			run: runBoundariesRequest,
		},
		{
			path:    "boundaries form",
			params:  []Param{scene(true)},
			summary: "Open your answer form for a scene (a performer of the scene).",
			access:  access{performerOf: true}, anonymous: true,
			run: runBoundariesForm,
		},
		{
			path: "boundaries answer",
			params: []Param{scene(true), {Name: "answers", Kind: ParamAnswers, Help: "b1=yes b2=no b3=discuss"},
				keyText("notes", "for the IC alone"), keyText("garments", "garments and barriers, for costume"), keyText("body", "body notes, for hair and makeup"),
				{Name: "seen", Kind: ParamText, Key: true, Meta: "b1:2", Help: "the revision of a changed beat you have read, when icbot asks for it"}},
			summary: "Give or change your answers (a performer of the scene). Only you and the IC see them.",
			help:    "notes= are for the IC alone; garments= (garments and barriers) go to costume; body= (tattoos, body makeup) to hair and makeup.",
			access:  access{performerOf: true}, write: true, anonymous: true,
			run: runBoundariesAnswer,
		},
		{
			path:    "boundaries show",
			params:  []Param{scene(true), {Name: "performers", Kind: ParamUsers, Help: "only these performers"}},
			summary: "Show answers: the IC sees everyone's, a performer their own.",
			access:  access{roles: onlyIC, performerOf: true},
			run:     runBoundariesShow,
		},
		{
			path:    "boundaries status",
			params:  []Param{scene(true)},
			summary: "How many performers have confirmed, are waiting or withdrew (counts only).",
			access:  access{roles: leadership},
			run:     runBoundariesStatus,
		},
		{
			path:    "boundaries withdraw",
			params:  []Param{scene(true), {Name: "beats", Kind: ParamBeats, Help: "only these beats, such as b2 b3"}},
			summary: "Withdraw your consent, to every beat or those named; the scene goes on hold at once (a performer of the scene).",
			help:    "The IC gets the details; the AD and the director hear only that the scene is on hold.",
			access:  access{performerOf: true}, write: true, anonymous: true,
			run: runBoundariesWithdraw,
		},
		{
			path:    "rider status",
			params:  []Param{scene(true)},
			summary: "Riders of a scene: the IC sees dates and terms, a performer their own, the AD, director and producer the status.",
			access:  access{roles: leadership, performerOf: true},
			run:     runRiderStatus,
		},
		{
			path:    "rider drafted",
			params:  riderMark,
			summary: "Record a performer's nudity rider as drafted.",
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderDrafted),
		},
		{
			path:    "rider sent",
			params:  riderMark,
			summary: "Record that the rider reached the performer; the notice is counted from then.",
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderSent),
		},
		{
			path:    "rider signed",
			params:  riderMark,
			summary: "Record the rider as signed, for the scene as it now stands.",
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderSigned),
		},
		{
			path:    "topline",
			params:  []Param{scene(true), {Name: "channel", Kind: ParamChannel, Help: "a private channel; the scene's when left out"}},
			summary: "Post the scene's top-line summary to its private channel (or the one named); it is re-posted after every change.",
			access:  access{roles: onlyIC}, write: true,
			run: runTopline,
		},
		{
			path:    "dept channel",
			params:  []Param{deptParam, {Name: "channel", Kind: ParamChannel, Required: true, Help: "the department's private channel"}},
			summary: "Set a department's private channel for its notices (the IC).",
			help:    "Everyone who reads the channel must hold the department's role, or be the IC: its notices carry garment and body notes, props, stunts and camera notes.",
			access:  access{admins: true, roles: onlyIC}, write: true,
			run: runDeptChannel,
		},
		{
			path:    "dept notify",
			params:  []Param{scene(true), deptParam},
			summary: "Post a department its need-to-know for a scene (costume: garments and barriers; hmu: body notes; props, stunts: their notes; camera: camera and conditions).",
			access:  access{roles: onlyIC}, write: true,
			run: runDeptNotify,
		},
		{
			path:    "reminders list",
			params:  []Param{scene(false)},
			summary: "List reminders: a scene's, or those due in the next two weeks.",
			access:  access{roles: onlyIC},
			run:     runRemindList,
		},
		{
			path:    "reminders snooze",
			params:  []Param{reminder(), {Name: "by", Kind: ParamDuration, Required: true, Help: "how long, such as 30m, 2h or 2d"}},
			summary: "Move a pending reminder later, as in /reminders snooze 12 2h (30m, 2h, 2d); never past its limit.",
			help:    "A rider's warnings and escalation may not move past the rider's legal deadline, a check-in past the call of its scene, a digest more than a day; a reminder without a deadline (aftercare, wrap) a year at most.",
			access:  access{roles: onlyIC}, write: true,
			run: runRemindSnooze,
		},
		{
			path:    "reminders cancel",
			params:  []Param{reminder()},
			summary: "Cancel a pending reminder (audited).",
			access:  access{roles: onlyIC}, write: true,
			run: runRemindCancel,
		},
		{
			path: "reminders answer",
			params: []Param{reminder(),
				{Name: "answer", Kind: ParamChoice, Required: true, Choices: []string{"ok", "talk"}, Help: "ok, or talk to the IC"},
				{Name: "note", Kind: ParamText, Rest: true, Help: "anything for the IC"}},
			summary: "Answer a check-in (the performer asked); talk reaches the IC at once, and only the IC.",
			access:  access{roles: []Role{RolePerformer}}, write: true, anonymous: true,
			run: runRemindAnswer,
		},
		{
			path:      "hold",
			params:    []Param{scene(true), {Name: "reason", Kind: ParamText, Rest: true, Help: "why, for the IC only; may be left out"}},
			summary:   "Pause a scene, privately. The IC and AD hear at once; only the IC learns who called it.",
			help:      "Anyone on the scene's roster may call a hold, a performer first of all, at any moment and without giving a reason. Everything after the scene id is the reason, exactly as typed; only the IC reads it.",
			anonymous: true, keepsWithoutText: true,
			access: access{roles: icAD, rosterOf: true}, write: true,
			run: runHold,
		},
		{
			path:    "hold lift",
			params:  []Param{scene(true)},
			summary: "Lift the holds on a scene (IC).",
			access:  access{roles: onlyIC}, write: true,
			run: runHoldLift,
		},
		{
			path: "report scene",
			params: []Param{scene(true),
				{Name: "format", Kind: ParamChoice, Key: true, Choices: []string{"md", "json", "pdf"}, Help: "md (for reading, the default), json or pdf"}},
			summary: "Get a scene's record as a file, by DM: what your roles let you read, and nothing else.",
			help:    "format= is md (the default), json (schema " + SceneSchema + ") or pdf. The file is made when it is sent, for you with your roles of then; the operator's icbot export writes the same record for the IC, the AD, the director, the producer, costume, hair and makeup, or a performer.",
			access:  access{crew: true}, write: true,
			run: runReportScene,
		},
		{
			path: "choreo set",
			params: []Param{scene(true), beat(),
				{Name: "choreography", Kind: ParamText, Required: true, Help: "contact points, timing, breath and eyelines, in quotes"},
				keyText("steps", `the steps in order, separated by ";": "step one; step two"`)},
			summary: "Write a beat's choreography; every version is kept, with who changed what.",
			help: "steps= lists the steps in order, separated by semicolons; left out, the steps stay as they were, and steps=\"\" clears them. " +
				"The IC, the director and the scene's performers read it with /choreo show. It changes nothing the performers agreed to: a change to what happens is /scene beat set.",
			access: access{roles: onlyIC}, write: true,
			run: runChoreoSet,
		},
		{
			path: "choreo show",
			params: []Param{scene(true), beat(),
				{Name: "all", Kind: ParamChoice, Choices: []string{"all"}, Help: "every version, with who changed what and when"}},
			summary: "Show a beat's choreography (all: every version, with who changed what and when).",
			access:  access{roles: []Role{RoleIC, RoleDirector}, performerOf: true},
			run:     runChoreoShow,
		},
		{
			path: "rehearsal explore",
			params: []Param{scene(true), beat(),
				{Name: "state", Kind: ParamChoice, Required: true, Choices: []string{"on", "off"}, Help: "on: exploratory; off: not"}},
			summary: "Mark a beat exploratory (on) or not (off): it may be rehearsed before a performer agrees to it, with their own consent to explore it.",
			help:    "Its performers are told and give their consent themselves with /rehearsal consent; nobody gives it for them. Off drops the consents given.",
			access:  access{roles: onlyIC}, write: true,
			run: runRehearsalExplore,
		},
		{
			path: "rehearsal consent",
			params: []Param{scene(true), beat(),
				{Name: "withdraw", Kind: ParamChoice, Choices: []string{"withdraw"}, Help: "take your consent back"},
				{Name: "rev", Kind: ParamText, Key: true, Meta: "N", Help: "the beat's revision you were shown (the button adds it): refused if the beat changed since"}},
			summary: "Give your own consent to explore an exploratory beat in rehearsal, or take it back with withdraw (a performer in the beat).",
			help:    "It holds for the beat as it stands: a change to the beat ends it. Only you and the IC see it.",
			access:  access{performerOf: true}, write: true, anonymous: true,
			run: runRehearsalConsent,
		},
		{
			path: "rehearsal log",
			params: []Param{scene(true),
				{Name: "beats", Kind: ParamBeats, Required: true, Help: "the beats rehearsed, such as b1 b2"},
				{Name: "present", Kind: ParamUsers, Key: true, Required: true, Help: "who was there"},
				keyText("changes", "what changed, for the record")},
			summary: "Record a rehearsal: the beats, who was there and what changed. Each performer present is asked to confirm the record.",
			help: "Refused, recording nothing, when a performer present has not agreed to a beat rehearsed (a yes to it as it stands), " +
				"unless the beat is exploratory and they gave their own consent to explore it; a no to the beat, or a withdrawal, stands over that consent. " +
				"The IC's alone: whether a rehearsal may be recorded tells whose consent is missing.",
			access: access{roles: onlyIC}, write: true,
			run: runRehearsalLog,
		},
		{
			path:    "rehearsal confirm",
			params:  []Param{scene(true), rehearsalNo(true)},
			summary: "Confirm the record of a rehearsal you were at (a performer present).",
			access:  access{performerOf: true}, write: true, anonymous: true,
			run: runRehearsalConfirm,
		},
		{
			path:      "rehearsal dispute",
			params:    []Param{scene(true), rehearsalNo(true), {Name: "note", Kind: ParamText, Rest: true, Help: "what is wrong, for the IC"}},
			summary:   "Say the record of a rehearsal you were at is not right, and what is wrong; the IC is told (a performer present).",
			help:      "Everything after the number is the note, exactly as typed; only you and the IC read it. A later confirm or dispute replaces it.",
			anonymous: true,
			access:    access{performerOf: true}, write: true,
			run: runRehearsalDispute,
		},
		{
			path:    "rehearsal show",
			params:  []Param{scene(true), rehearsalNo(false)},
			summary: "List a scene's rehearsals, or one, with their confirmations.",
			help:    "The IC reads each performer's answer; a performer their own; the director how many confirmed.",
			access:  access{roles: []Role{RoleIC, RoleDirector}, performerOf: true},
			run:     runRehearsalShow,
		},
		{
			path: "take",
			params: []Param{scene(true), beat(),
				{Name: "note", Kind: ParamText, Key: true, Required: true, Help: "what matched the choreography and what drifted"},
				{Name: "drift", Kind: ParamChoice, Key: true, Choices: []string{"yes", "no"}, Help: "whether the take drifted from the choreography"}},
			summary: "Note a take during the scene's closed set: what matched the choreography and what drifted (IC).",
			help:    "Only while the scene's closed set is running. The take is held against the beat's current choreography version. The IC and the director read the take log with /take log ID.",
			access:  access{roles: onlyIC}, write: true,
			run: runTake,
		},
		{
			path: "take log",
			params: []Param{scene(true),
				{Name: "session", Kind: ParamText, Key: true, Meta: "N", Help: "the closed set's number; the running or latest one when left out"}},
			summary: "Show the take log of a closed set: the takes in order; the IC sees the holds between them, with who called them and why.",
			help:    "The IC and the director read the takes; who called each hold and why is the IC's alone.",
			access:  access{roles: []Role{RoleIC, RoleDirector}},
			run:     runTakeLog,
		},
		{
			path: "audit show",
			params: []Param{scene(false),
				{Name: "since", Kind: ParamWhen, Key: true, Help: `from when, such as "today 09:00", "-2d 00:00" or "2026-12-03 10:30"`}},
			summary: "Read the audit trail, newest first: the last 50, or a scene's, or the 50 from since= on (IC).",
			help:    "It names who called each hold and whose consent changed, with the hold reasons and consent notes: the IC's alone. The whole trail, for the production's lawyers and insurers, is the operator's icbot audit export.",
			access:  access{roles: onlyIC},
			run:     runAuditShow,
		},
		{
			path:    "report day",
			params:  []Param{{Name: "date", Kind: ParamText, Meta: "DATE", Help: "the day: " + dayUsage}},
			summary: "The end-of-day report of a day, by direct message: in full for the IC, counts and the top line for the AD and producer.",
			help: "It covers the scenes shot and their closed sets (start, end, roster, device acknowledgements, holds, overrides), consent changes, " +
				"riders sent, signed and overdue, rehearsals and takes, and what carries into the next day. The AD and the producer read no answers, " +
				"no hold callers or reasons, no override reasons and no rehearsal or take records. It is also sent to each of them at the production's wrap time.",
			access: access{roles: dayRoles}, write: true, // the report goes by DM, through the outbox
			run: runReportDay,
		},
	})
	r.summaries = groupSummaries
	return r
}
