package bot

// The command table: every command, its usage, and who may run it. This is
// the one place that says which roles may run what; commands_test.go checks
// it against the product's expectations as a full matrix.

var (
	icAD          = []Role{RoleIC, RoleAD}
	leadership    = []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}
	onlyIC        = []Role{RoleIC}
	roleManagers  = []Role{RoleIC, RoleAD}
	roleListReads = []Role{RoleIC, RoleAD, RoleProducer}
)

func commandTable() *registry {
	return newRegistry([]*spec{
		{
			path: "icbot help", usage: "[COMMAND [SUB-COMMAND]]",
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
			path: "icbot role add", usage: "@person ROLE",
			summary: "Give someone a role: " + roleList() + ".",
			help:    "Only an admin may give ic, ad, producer or director; only the IC or an admin costume or hmu, which open garment and body notes; the IC and ADs the other roles. Nobody but an admin gives a role to themself.",
			access:  access{admins: true, roles: roleManagers}, write: true,
			run: runRoleAdd,
		},
		{
			path: "icbot role remove", usage: "@person ROLE",
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
			path: "scene add", usage: `ID title="..." call="YYYY-MM-DD HH:MM" [performers=@a,@b] [channel=#x]`,
			summary: "Add a scene with intimacy content.",
			help:    "The call time is in the production's time zone. The channel is the scene's private channel, locked to the roster during a closed set.",
			keys:    []string{"title", "call", "performers", "channel"},
			access:  access{roles: icAD}, write: true,
			run: runSceneAdd,
		},
		{
			path: "scene list", usage: "[all]",
			summary: "List upcoming scenes (all: include wrapped ones).",
			help:    "Performers see their own scenes.",
			access:  access{crew: true},
			run:     runSceneList,
		},
		{
			path: "scene show", usage: "ID",
			summary: "Show a scene: call time, performers, beats, roster, status.",
			access:  access{roles: leadership, performerOf: true},
			run:     runSceneShow,
		},
		{
			path: "scene set", usage: "ID key=value ...",
			summary: "Change a scene: title, call, performers, channel or status (draft, ready, wrapped).",
			help:    "Only the title can change while a closed set is running.",
			keys:    []string{"title", "call", "performers", "channel", "status"},
			access:  access{roles: icAD}, write: true,
			run: runSceneSet,
		},
		{
			path: "scene beat add", usage: `ID "description" kind=nudity|contact|simulated-sex|other [areas=a,b] [performers=@a]`,
			summary: "Add an intimacy beat to a scene; its performers are asked for their boundaries.",
			help:    "areas= lists the body areas visible to camera, for nudity; performers= the performers it involves (all by default). Beats cannot change while a closed set is running.",
			keys:    []string{"kind", "areas", "performers"},
			access:  access{roles: onlyIC}, write: true,
			run: runBeatAdd,
		},
		{
			path: "scene beat set", usage: `ID BEAT ["description"] [kind=KIND] [areas=a,b] [performers=@a]`,
			summary: "Change an intimacy beat. Earlier answers to it stop counting and its performers are asked again.",
			help:    "A changed beat widens the scene: signed riders need amendment. Beats cannot change while a closed set is running.",
			keys:    []string{"kind", "areas", "performers"},
			access:  access{roles: onlyIC}, write: true,
			run: runBeatSet,
		},
		{
			path: "scene beat remove", usage: "ID BEAT",
			summary: "Remove an intimacy beat (its id is in /scene show).",
			access:  access{roles: onlyIC}, write: true,
			run: runBeatRemove,
		},
		{
			path: "scene remove", usage: "ID",
			summary: "Remove a scene. Refused during a closed set.",
			help:    "Past closed-set sessions and the audit trail are kept.",
			access:  access{roles: icAD}, write: true,
			run: runSceneRemove,
		},
		{
			path: "closedset start", usage: `ID [force reason="..."]`,
			summary: "Start the closed set: lock the scene channel to the roster and announce it.",
			help: "The roster is the scene's performers, its planned roster (/closedset add), the production's ICs and you. " +
				"Refused while the scene is on hold or has no performers, and while any performer's boundaries are unconfirmed or withdrawn or a rider is unsigned or late; " +
				"the IC alone may start anyway with force and a written reason, which is audited and shown to the AD.",
			keys:   []string{"reason"},
			access: access{roles: icAD}, write: true,
			run: runClosedSetStart,
		},
		{
			path: "closedset add", usage: "ID @person [role=ROLE]",
			summary: "Put someone on the scene's essential-personnel roster.",
			keys:    []string{"role"},
			access:  access{roles: icAD}, write: true,
			run: runRosterAdd,
		},
		{
			path: "closedset remove", usage: "ID @person",
			summary: "Take someone off the roster (performers stay on it).",
			access:  access{roles: icAD}, write: true,
			run: runRosterRemove,
		},
		{
			path: "closedset ack", usage: "ID",
			summary: "Confirm you follow the closed-set device policy: no personal recording devices.",
			access:  access{rosterOf: true}, write: true,
			run: runClosedSetAck,
		},
		{
			path: "closedset end", usage: "ID",
			summary: "End the closed set: restore the channel and record the end.",
			access:  access{roles: icAD}, write: true,
			run: runClosedSetEnd,
		},
		{
			path: "closedset status", usage: "[ID]",
			summary: "Show a scene's closed set, or every running one.",
			access:  access{roles: leadership, performerOf: true, rosterOf: true},
			run:     runClosedSetStatus,
		},
		{
			path: "boundaries request", usage: "ID [@performer ...]",
			summary: "Ask the scene's performers (or those named), privately, for their boundaries on each beat.",
			access:  access{roles: onlyIC}, write: true,
			run: runBoundariesRequest,
		},
		{
			path: "boundaries form", usage: "ID",
			summary: "Open your answer form for a scene (a performer of the scene).",
			access:  access{performerOf: true}, anonymous: true,
			run: runBoundariesForm,
		},
		{
			path: "boundaries answer", usage: `ID BEAT=yes|no|discuss ... [notes="..."] [garments="..."] [body="..."]`,
			summary: "Give or change your answers (a performer of the scene). Only you and the IC see them.",
			help:    "notes= are for the IC alone; garments= (garments and barriers) go to costume; body= (tattoos, body makeup) to hair and makeup.",
			keys:    []string{"notes", "garments", "body"}, keyOK: beatKey.MatchString,
			access: access{performerOf: true}, write: true, anonymous: true,
			run: runBoundariesAnswer,
		},
		{
			path: "boundaries show", usage: "ID [@performer ...]",
			summary: "Show answers: the IC sees everyone's, a performer their own.",
			access:  access{roles: onlyIC, performerOf: true},
			run:     runBoundariesShow,
		},
		{
			path: "boundaries status", usage: "ID",
			summary: "How many performers have confirmed, are waiting or withdrew (counts only).",
			access:  access{roles: leadership},
			run:     runBoundariesStatus,
		},
		{
			path: "boundaries withdraw", usage: "ID [BEAT ...]",
			summary: "Withdraw your consent, to every beat or those named; the scene goes on hold at once (a performer of the scene).",
			help:    "The IC gets the details; the AD and the director hear only that the scene is on hold.",
			access:  access{performerOf: true}, write: true, anonymous: true,
			run: runBoundariesWithdraw,
		},
		{
			path: "rider status", usage: "ID",
			summary: "Riders of a scene: the IC sees dates and terms, a performer their own, the AD, director and producer the status.",
			access:  access{roles: leadership, performerOf: true},
			run:     runRiderStatus,
		},
		{
			path: "rider drafted", usage: `ID @performer [on="YYYY-MM-DD HH:MM"] [terms="..."]`,
			summary: "Record a performer's nudity rider as drafted.",
			keys:    []string{"on", "terms"},
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderDrafted),
		},
		{
			path: "rider sent", usage: `ID @performer [on="YYYY-MM-DD HH:MM"] [terms="..."]`,
			summary: "Record that the rider reached the performer; the notice is counted from then.",
			keys:    []string{"on", "terms"},
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderSent),
		},
		{
			path: "rider signed", usage: `ID @performer [on="YYYY-MM-DD HH:MM"] [terms="..."]`,
			summary: "Record the rider as signed, for the scene as it now stands.",
			keys:    []string{"on", "terms"},
			access:  access{roles: onlyIC}, write: true,
			run: runRiderMark(RiderSigned),
		},
		{
			path: "topline", usage: "ID [#channel]",
			summary: "Post the scene's top-line summary to its private channel (or the one named); it is re-posted after every change.",
			access:  access{roles: onlyIC}, write: true,
			run: runTopline,
		},
		{
			path: "dept channel", usage: "costume|hmu|props|stunts #channel",
			summary: "Set a department's private channel for its notices (the IC).",
			help:    "Everyone who reads the channel must hold the department's role, or be the IC: its notices carry garment and body notes.",
			access:  access{admins: true, roles: onlyIC}, write: true,
			run: runDeptChannel,
		},
		{
			path: "dept notify", usage: "ID costume|hmu|props|stunts",
			summary: "Post a department its need-to-know for a scene (costume: garments and barriers; hmu: body notes).",
			access:  access{roles: onlyIC}, write: true,
			run: runDeptNotify,
		},
		{
			path: "reminders list", usage: "[ID]",
			summary: "List reminders: a scene's, or those due in the next two weeks.",
			access:  access{roles: onlyIC},
			run:     runRemindList,
		},
		{
			path: "reminders snooze", usage: "REMINDER DURATION",
			summary: "Move a pending reminder later, as in /reminders snooze 12 2h; never past its limit.",
			help:    "A rider's warnings and escalation may not move past the rider's legal deadline, a check-in past the call of its scene, a digest more than a day.",
			access:  access{roles: onlyIC}, write: true,
			run: runRemindSnooze,
		},
		{
			path: "reminders cancel", usage: "REMINDER",
			summary: "Cancel a pending reminder (audited).",
			access:  access{roles: onlyIC}, write: true,
			run: runRemindCancel,
		},
		{
			path: "reminders answer", usage: "REMINDER ok|talk [note]",
			summary:  "Answer a check-in (the performer asked); talk reaches the IC at once, and only the IC.",
			freeText: 2, freeRule: "note",
			access: access{roles: []Role{RolePerformer}}, write: true, anonymous: true,
			run: runRemindAnswer,
		},
		{
			path: "hold", usage: "ID [reason]",
			summary:  "Pause a scene, privately. The IC and AD hear at once; only the IC learns who called it.",
			help:     "Anyone on the scene's roster may call a hold, a performer first of all, at any moment and without giving a reason. Everything after the scene id is the reason, exactly as typed; only the IC reads it.",
			freeText: 1, freeRule: "reason", anonymous: true,
			access: access{roles: icAD, rosterOf: true}, write: true,
			run: runHold,
		},
		{
			path: "hold lift", usage: "ID",
			summary: "Lift the holds on a scene (IC).",
			access:  access{roles: onlyIC}, write: true,
			run: runHoldLift,
		},
	})
}
