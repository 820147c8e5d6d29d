package bot

import (
	"context"
	"slices"
)

// Class is the kind of information a message holds, from the product's
// need-to-know table. Every outgoing message has one; the gate below is the
// only place that decides who may receive each class.
type Class int

// Information classes.
const (
	// ClassPublic may go anywhere: the closed-set rules, "scene 12 is on
	// hold: talk to the IC", help text.
	ClassPublic Class = iota + 1
	// ClassCrew is for anyone with a role on the production: the schedule
	// of scenes (id, title, call time, status), confirmations of routine
	// changes.
	ClassCrew
	// ClassPersonal is about the recipient themself (their own roles).
	ClassPersonal
	// ClassRoles is who holds which role on the production.
	ClassRoles
	// ClassSceneDetail is a scene's performers and intimacy beats: the same
	// audience as the top-line summary.
	ClassSceneDetail
	// ClassRoster is the closed-set roster and state.
	ClassRoster
	// ClassHoldCaller is who called a hold and why.
	ClassHoldCaller
	// ClassBoundaries is a performer's answers, notes and preferences.
	ClassBoundaries
	// ClassReadiness is consent and rider progress as counts and states,
	// never the answers themselves.
	ClassReadiness
	// ClassRiderDetail is a rider's dates and terms.
	ClassRiderDetail
	// ClassTopline is the top-line summary of a scene.
	ClassTopline
	// ClassGarments is garment and barrier needs, for costume.
	ClassGarments
	// ClassBodyNotes is body notes, for hair and makeup.
	ClassBodyNotes
	// ClassChannelReport is who can read a channel icbot posted to and
	// what of icbot's they may read: for the IC, when readers change.
	ClassChannelReport
	// ClassIntent is the director's intent for a scene: for those who read
	// the top-line summary, its performers among them, since knowing what
	// a scene is for is part of agreeing to it.
	ClassIntent
	// ClassCoverage is the beats' camera and coverage and the conditions
	// that must hold: what the performers agree to be seen, so theirs to
	// read, and the camera department's to shoot.
	ClassCoverage
	// ClassPropsNotes and ClassStuntsNotes are the beats' notes for the
	// props and stunts departments, which the AD who runs the set reads too.
	ClassPropsNotes
	ClassStuntsNotes
	// ClassChoreography is a beat's choreography: contact points, timing,
	// breath and eyelines. The scene's performers, the director who
	// stages it and the IC read it; never a channel.
	ClassChoreography
	// ClassRehearsal is a rehearsal's record: who was there, which beats,
	// what changed, and the performers' confirmations. The AD and the
	// producer read counts of rehearsals, as readiness, not the records.
	ClassRehearsal
	// ClassTakes is the take log: what matched the choreography and what
	// drifted, take by take. The IC and the director read it.
	ClassTakes
	// ClassBreakdown is the script's breakdown: the lines that suggest
	// intimacy, quoted, proposed as beats. A quote may describe a
	// performer's body, and is not a beat until the IC confirms it: the
	// IC's alone, never a channel.
	ClassBreakdown
)

// Class values are stored (in the outbox and the audience ledger): new
// classes go at the end.

// audience is one row of the need-to-know table.
type audience struct {
	name string
	// anyone: strangers included.
	anyone bool
	// crew: anyone holding at least one role.
	crew bool
	// roles that may always receive it.
	roles []Role
	// admins from configuration.
	admins bool
	// ownScene: performers of the message's scene.
	ownScene bool
	// roster: essential personnel on the message's scene's roster.
	roster bool
	// subject: the person the data is about.
	subject bool
	// channel says how the class may be posted to a channel.
	channel channelRule
}

type channelRule int

const (
	anyChannel     channelRule = iota + 1 // any channel, public included
	privateChannel                        // only channels the platform says are private
	noChannel                             // never to a channel: people only
)

// needToKnow is the product's need-to-know table (PRODUCT.md) as data.
var needToKnow = map[Class]audience{
	ClassPublic:        {name: "public", anyone: true, channel: anyChannel},
	ClassCrew:          {name: "crew", crew: true, admins: true, channel: privateChannel},
	ClassPersonal:      {name: "personal", subject: true, channel: noChannel},
	ClassRoles:         {name: "roles", roles: []Role{RoleIC, RoleAD, RoleProducer}, admins: true, channel: noChannel},
	ClassSceneDetail:   {name: "scene detail", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}, ownScene: true, channel: privateChannel},
	ClassRoster:        {name: "closed-set roster", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}, ownScene: true, roster: true, channel: privateChannel},
	ClassHoldCaller:    {name: "hold caller", roles: []Role{RoleIC}, subject: true, channel: noChannel},
	ClassBoundaries:    {name: "boundaries", roles: []Role{RoleIC}, subject: true, channel: noChannel},
	ClassReadiness:     {name: "readiness", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}, ownScene: true, channel: privateChannel},
	ClassRiderDetail:   {name: "rider detail", roles: []Role{RoleIC}, subject: true, channel: noChannel},
	ClassTopline:       {name: "top-line summary", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}, ownScene: true, channel: privateChannel},
	ClassGarments:      {name: "garments", roles: []Role{RoleIC, RoleCostume}, subject: true, channel: privateChannel},
	ClassBodyNotes:     {name: "body notes", roles: []Role{RoleIC, RoleHMU}, subject: true, channel: privateChannel},
	ClassChannelReport: {name: "channel report", roles: []Role{RoleIC}, admins: true, channel: noChannel},
	ClassIntent:        {name: "director's intent", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer}, ownScene: true, channel: privateChannel},
	ClassCoverage:      {name: "camera and coverage", roles: []Role{RoleIC, RoleAD, RoleDirector, RoleProducer, RoleCamera}, ownScene: true, channel: privateChannel},
	ClassPropsNotes:    {name: "props notes", roles: []Role{RoleIC, RoleAD, RoleProps}, channel: privateChannel},
	ClassStuntsNotes:   {name: "stunts notes", roles: []Role{RoleIC, RoleAD, RoleStunts}, channel: privateChannel},
	ClassChoreography:  {name: "choreography", roles: []Role{RoleIC, RoleDirector}, ownScene: true, channel: noChannel},
	ClassRehearsal:     {name: "rehearsal records", roles: []Role{RoleIC, RoleDirector}, ownScene: true, channel: noChannel},
	ClassTakes:         {name: "take log", roles: []Role{RoleIC, RoleDirector}, channel: noChannel},
	ClassBreakdown:     {name: "script breakdown", roles: []Role{RoleIC}, channel: noChannel},
}

func (c Class) String() string {
	if a, ok := needToKnow[c]; ok {
		return a.name
	}
	return "unclassified"
}

// gate decides whether recipients may receive messages.
type gate struct {
	admins map[UserID]bool
}

// about is what the gate knows of a message's scene: the scene, and who is
// on its closed-set roster now.
type about struct {
	scene  *Scene
	roster []RosterMember
}

// loadAbout reads a scene and its current roster; a zero about for no
// scene or a scene that no longer exists.
func loadAbout(tx Tx, id SceneID) (about, error) {
	if id == "" {
		return about{}, nil
	}
	sc, err := tx.Scene(id)
	if ErrorCode(err) == ENOTFOUND {
		return about{}, nil
	}
	if err != nil {
		return about{}, err
	}
	roster, err := rosterOf(tx, &sc)
	return about{scene: &sc, roster: roster}, err
}

// mayRead reports whether person p may receive a message of class c about
// a scene (the zero about when none) holding subject's private data.
func (g gate) mayRead(p Person, c Class, a about, subject UserID) bool {
	row, ok := needToKnow[c]
	if !ok {
		return false // unclassified information goes nowhere
	}
	switch {
	case row.anyone:
		return true
	case row.crew && p.Known():
		return true
	case row.admins && g.admins[p.ID]:
		return true
	case slices.ContainsFunc(row.roles, p.Has):
		return true
	case row.subject && subject != "" && subject == p.ID:
		return true
	case a.scene != nil && row.ownScene && a.scene.IsPerformer(p.ID):
		return true
	case a.scene != nil && row.roster && onRoster(a.roster, p.ID):
		return true
	}
	return false
}

// screen drops every message whose recipient may not read it, inside the
// command's transaction so that roles and rosters are the committed ones.
// Channel posts are checked for the channel rule here and for privacy at
// delivery, where the platform can be asked. It returns the messages that
// pass and those refused.
func (g gate) screen(tx Tx, msgs []Message) (pass, refused []Message, err error) {
	abouts := map[SceneID]about{}
	for _, m := range msgs {
		a, seen := abouts[m.Scene]
		if !seen {
			if a, err = loadAbout(tx, m.Scene); err != nil {
				return nil, nil, err
			}
			abouts[m.Scene] = a
		}
		ok, err := g.allowed(tx, m, a)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			pass = append(pass, m)
		} else {
			refused = append(refused, m)
		}
	}
	return pass, refused, nil
}

func (g gate) allowed(tx Tx, m Message, a about) (bool, error) {
	row, ok := needToKnow[m.Class]
	if !ok {
		return false, nil
	}
	switch m.To.Kind {
	case ToChannel:
		return row.channel != noChannel, nil
	case ToCaller, ToUser:
		p, err := tx.Person(m.To.User)
		if ErrorCode(err) == ENOTFOUND {
			p = Person{ID: m.To.User}
		} else if err != nil {
			return false, err
		}
		return g.mayRead(p, m.Class, a, m.Subject), nil
	}
	return false, nil
}

// channelAllows is the delivery-time half of the gate: a class that may go
// only to private channels is posted only after the platform confirms the
// channel is private.
func channelAllows(ctx context.Context, chat Chat, m Message) (bool, error) {
	a, ok := needToKnow[m.Class]
	if !ok {
		return false, nil
	}
	switch a.channel {
	case anyChannel:
		return true, nil
	case privateChannel:
		return chat.IsPrivate(ctx, m.To.Channel)
	}
	return false, nil
}
