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
			help:    "The IC and ADs may give performer and department roles; only an admin may give ic, ad, producer or director.",
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
			path: "scene beat add", usage: `ID "description" kind=nudity|contact|simulated-sex|other [areas=a,b]`,
			summary: "Add an intimacy beat to a scene.",
			help:    "areas= lists the body areas visible to camera, for nudity. Beats cannot change while a closed set is running.",
			keys:    []string{"kind", "areas"},
			access:  access{roles: onlyIC}, write: true,
			run: runBeatAdd,
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
			path: "closedset start", usage: "ID",
			summary: "Start the closed set: lock the scene channel to the roster and announce it.",
			help:    "The roster is the scene's performers, its planned roster (/closedset add), the production's ICs and you. Refused while the scene is on hold or has no performers.",
			access:  access{roles: icAD}, write: true,
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
			path: "hold", usage: "ID [reason]",
			summary:  "Pause a scene, privately. The IC and AD hear at once; only the IC learns who called it.",
			help:     "Anyone on the scene's roster may call a hold, a performer first of all, at any moment and without giving a reason. Everything after the scene id is the reason, exactly as typed; only the IC reads it.",
			freeText: true, anonymous: true,
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
