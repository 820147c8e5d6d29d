package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The scene record is a scene as one audience may read it, for export:
// the scene, its beats, consent, riders, closed sets, holds, top-line
// summary, choreography, rehearsals and takes. Every part of it passes the need-to-know gate as a message of
// its class about the scene would, for a person holding only the
// audience's role; the IC reads it all. What the audience may not read is
// left out, and named in Withheld.

// SceneSchema and ProductionSchema name the JSON formats of the scene and
// production exports (docs/export.md). A change that a reader of an
// earlier export would misread gets a new version.
const (
	SceneSchema      = "icbot.scene/1"
	ProductionSchema = "icbot.production/1"
)

// Audience is who an export is for: a role, and for a performer, which one.
type Audience struct {
	Role      Role
	Performer UserID // RolePerformer only
}

// exportRoles are the audiences an export may be made for.
var exportRoles = []Role{RoleIC, RoleAD, RoleDirector, RoleProducer, RolePerformer, RoleCostume, RoleHMU}

// ParseAudience reads "ic", "ad", "director", "producer", "costume",
// "hmu" or "performer:@name". A performer's name is checked against the
// store when the record is read.
func ParseAudience(s string) (Audience, error) {
	const usage = "expected ic, ad, director, producer, costume, hmu or performer:@name"
	if s == "" {
		return Audience{}, Errorf(EINVALID, "missing audience: %s", usage)
	}
	role, name, hasName := strings.Cut(s, ":")
	r, err := ParseRole(role)
	if err != nil || !slices.Contains(exportRoles, r) {
		return Audience{}, Errorf(EINVALID, "unknown audience %q: %s", s, usage)
	}
	if r != RolePerformer {
		if hasName {
			return Audience{}, Errorf(EINVALID, "audience %q takes no name: %s", s, usage)
		}
		return Audience{Role: r}, nil
	}
	name = strings.TrimPrefix(strings.TrimSpace(name), "@")
	if name == "" {
		return Audience{}, Errorf(EINVALID, "audience %q needs the performer's name, such as performer:@paula", s)
	}
	return Audience{Role: r, Performer: UserID(name)}, nil
}

func (a Audience) String() string {
	if a.Role == RolePerformer {
		return "performer:@" + string(a.Performer)
	}
	return string(a.Role)
}

// reader is the person the audience stands for: someone holding only the
// audience's role (for a performer, that performer, known to icbot).
func (a Audience) reader(tx Tx) (Person, error) {
	if a.Role != RolePerformer {
		return Person{ID: UserID("audience:" + string(a.Role)), Roles: []Role{a.Role}}, nil
	}
	p, err := tx.Person(a.Performer)
	if ErrorCode(err) == ENOTFOUND {
		people, perr := tx.People()
		if perr != nil {
			return Person{}, perr
		}
		i := slices.IndexFunc(people, func(q Person) bool { return cleanName(q.Name) == string(a.Performer) })
		if i < 0 {
			return Person{}, Errorf(ENOTFOUND, "nobody called @%s is known to icbot", a.Performer)
		}
		p, err = people[i], nil
	}
	if err != nil {
		return Person{}, err
	}
	if !p.Has(RolePerformer) {
		return Person{}, Errorf(EINVALID, "%s is not a performer on the production", p.Handle())
	}
	return Person{ID: p.ID, Name: p.Name, Roles: []Role{RolePerformer}}, nil
}

// RecordHead is what an export says of itself.
type RecordHead struct {
	Schema     string `json:"schema"`
	Production string `json:"production"`
	Zone       string `json:"zone"`
	MadeAt     string `json:"made_at"`
	Audience   string `json:"audience"`
}

// SceneExport is one scene's record, for one audience.
type SceneExport struct {
	RecordHead
	Scene SceneRecord `json:"scene"`
}

// ProductionExport is every scene's record, for one audience.
type ProductionExport struct {
	RecordHead
	Scenes []SceneRecord `json:"scenes"`
}

// SceneRecord is a scene as its audience may read it. Empty parts are
// those the audience may not read (listed in Withheld) or that hold
// nothing yet.
type SceneRecord struct {
	ID         SceneID         `json:"id"`
	Title      string          `json:"title"`
	Call       string          `json:"call"`
	Status     Status          `json:"status"`
	Performers []string        `json:"performers,omitempty"`
	Channel    ChannelID       `json:"channel,omitempty"`
	Beats      []BeatRecord    `json:"beats,omitempty"`
	Readiness  string          `json:"readiness,omitempty"`
	Consent    []ConsentRecord `json:"consent,omitempty"`
	Riders     []RiderRecord   `json:"riders,omitempty"`
	Sessions   []SessionRecord `json:"sessions,omitempty"`
	Holds      []HoldRecord    `json:"holds,omitempty"`
	Topline    *ToplineRecord  `json:"topline,omitempty"`
	// Notes are the director's intent and the beats' camera, conditions,
	// props and stunts notes, each as far as the audience may read it.
	Notes *NotesRecord `json:"notes,omitempty"`
	// Choreography is each beat's choreography that has one, Rehearsals
	// the rehearsal log and Takes the take log, each for those the
	// need-to-know table lets read it.
	Choreography []ChoreoRecord    `json:"choreography,omitempty"`
	Rehearsals   []RehearsalRecord `json:"rehearsals,omitempty"`
	Takes        []TakeRecord      `json:"takes,omitempty"`
	// Withheld names the classes of information about the scene that the
	// audience may not read, and that the record therefore leaves out.
	Withheld []string `json:"withheld"`
}

// BeatRecord is one intimacy beat.
type BeatRecord struct {
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Kind        BeatKind `json:"kind"`
	Areas       []string `json:"areas,omitempty"`
	Rev         int      `json:"rev"`
	Performers  []string `json:"performers,omitempty"` // empty: every performer of the scene
}

// NotesRecord is the creative intent and the beats' notes.
type NotesRecord struct {
	Intent string            `json:"intent,omitempty"`
	Beats  []BeatNotesRecord `json:"beats,omitempty"`
}

// BeatNotesRecord is one beat's notes: camera and conditions (coverage),
// props, stunts.
type BeatNotesRecord struct {
	ID         string `json:"id"`
	Camera     string `json:"camera,omitempty"`
	Conditions string `json:"conditions,omitempty"`
	Props      string `json:"props,omitempty"`
	Stunts     string `json:"stunts,omitempty"`
}

// ChoreoRecord is one beat's choreography: its current version in full,
// and every version's number, author, time and what it changed.
type ChoreoRecord struct {
	Beat    string                `json:"beat"`
	Version int                   `json:"version"`
	Text    string                `json:"text"`
	Steps   []string              `json:"steps,omitempty"`
	By      string                `json:"by"`
	At      string                `json:"at"`
	History []ChoreoVersionRecord `json:"history"`
}

// ChoreoVersionRecord is one version of a beat's choreography, oldest
// first: who wrote it, when, and what it changed (text, steps).
type ChoreoVersionRecord struct {
	Version int      `json:"version"`
	By      string   `json:"by"`
	At      string   `json:"at"`
	Changed []string `json:"changed,omitempty"`
}

// RehearsalRecord is one rehearsal: who was there, which beats (and which
// of them explored on the performers' consent), what changed, and the
// performers' answers to the record.
type RehearsalRecord struct {
	Seq      int      `json:"seq"`
	At       string   `json:"at"`
	By       string   `json:"by"`
	Present  []string `json:"present"`
	Beats    []string `json:"beats"`
	Explored []string `json:"explored,omitempty"`
	Changes  string   `json:"changes,omitempty"`
	// Confirmed is how many of the performers present confirmed the
	// record, for every reader; Confirmations are the answers themselves,
	// each for the IC and the performer who gave it.
	Confirmed int `json:"confirmed"`
	// Asked is how many performers of the scene were present, each asked
	// to confirm the record.
	Asked         int                  `json:"asked"`
	Confirmations []ConfirmationRecord `json:"confirmations,omitempty"`
}

// ConfirmationRecord is one performer's answer to a rehearsal's record:
// confirmed, or disputed with a note saying why.
type ConfirmationRecord struct {
	Performer string `json:"performer"`
	At        string `json:"at"`
	Confirmed bool   `json:"confirmed"`
	Note      string `json:"note,omitempty"`
}

// TakeRecord is one take noted during a closed set.
type TakeRecord struct {
	Seq     int    `json:"seq"`
	Session uint64 `json:"session"`
	Beat    string `json:"beat"`
	// Choreo is the choreography version the take was held against; 0:
	// the beat had none.
	Choreo  int    `json:"choreography_version"`
	Drifted bool   `json:"drifted"`
	Note    string `json:"note"`
	By      string `json:"by"`
	At      string `json:"at"`
}

// ConsentRecord is one performer's boundaries, as far as the audience
// may read them: answers and notes (the IC, the performer), garments
// (and costume), body notes (and hair and makeup).
type ConsentRecord struct {
	Performer string         `json:"performer"`
	Version   int            `json:"version,omitempty"`
	At        string         `json:"at,omitempty"`
	Answers   []AnswerRecord `json:"answers,omitempty"`
	Notes     string         `json:"notes,omitempty"`
	Garments  string         `json:"garments,omitempty"`
	Body      string         `json:"body,omitempty"`
	text      string
}

// Text is the performer's boundaries as /boundaries show writes them;
// "" when the audience may not read the answers.
func (c ConsentRecord) Text() string { return c.text }

// AnswerRecord is the answer to one beat at its current revision.
type AnswerRecord struct {
	Beat   string `json:"beat"`
	Answer string `json:"answer"` // yes, no, discuss, not answered, withdrawn
}

// RiderRecord is one performer's rider: its status for all who may read
// the scene's readiness; dates and terms for the IC and the performer.
type RiderRecord struct {
	Performer string     `json:"performer"`
	State     RiderState `json:"state"`
	Late      bool       `json:"late"`
	Deadline  string     `json:"deadline,omitempty"`
	DraftedAt string     `json:"drafted_at,omitempty"`
	SentAt    string     `json:"sent_at,omitempty"`
	SignedAt  string     `json:"signed_at,omitempty"`
	Terms     string     `json:"terms,omitempty"`
	LateWhy   string     `json:"late_reason,omitempty"`
	line      string
}

// Line is the rider as /rider status writes it for the audience.
func (r RiderRecord) Line() string { return r.line }

// SessionRecord is one closed-set session.
type SessionRecord struct {
	Seq       uint64         `json:"seq"`
	StartedAt string         `json:"started_at"`
	StartedBy string         `json:"started_by"`
	EndedAt   string         `json:"ended_at,omitempty"`
	EndedBy   string         `json:"ended_by,omitempty"`
	Roster    []RosterRecord `json:"roster"`
	Lock      string         `json:"lock"`
	// Override is the IC's written reason for starting despite missing
	// items: the IC's alone in an export.
	Override string `json:"override_reason,omitempty"`
	card     string
}

// Card is the session as /closedset status writes it.
func (s SessionRecord) Card() string { return s.card }

// RosterRecord is one person on a session's roster.
type RosterRecord struct {
	Person  string `json:"person"`
	Role    Role   `json:"role"`
	AckedAt string `json:"device_ack_at,omitempty"`
}

// HoldRecord is one hold; who called it and why, for the IC (and the
// person who called it) only.
type HoldRecord struct {
	Seq      int    `json:"seq"`
	At       string `json:"at"`
	Session  uint64 `json:"session,omitempty"`
	LiftedAt string `json:"lifted_at,omitempty"`
	CalledBy string `json:"called_by,omitempty"`
	Reason   string `json:"reason,omitempty"`
	LiftedBy string `json:"lifted_by,omitempty"`
}

// ToplineRecord is the top-line summary's level: its version, and the
// beats by consent, never who said what. The beats are those of the
// version posted, what its channel read; the IC alone reads them as
// they stand now (AsItStands) when no version was posted, or one was
// posted before icbot kept what it said. Anyone else then reads no
// beats (Withheld): answers changed since the last post (a withdrawal
// during a hold) are the IC's to post.
type ToplineRecord struct {
	Version    int      `json:"version"`
	PostedAt   string   `json:"posted_at,omitempty"`
	Channel    string   `json:"channel,omitempty"`
	AsItStands bool     `json:"as_it_stands,omitempty"`
	Withheld   bool     `json:"withheld,omitempty"`
	Agreed     []string `json:"agreed"`
	Restricted []string `json:"restricted"`
	Pending    []string `json:"pending"`
	Nudity     []string `json:"nudity_agreed"`
}

// classOverride is the class the export gives a closed set's override
// reason: the IC wrote it about private gaps, so in an export it is the
// IC's alone, as who called a hold and why is (the subject is nobody).
const classOverride = ClassHoldCaller

// recordPart is one part of the scene record: the class it belongs to
// (each performer's private data has that performer as its subject), and
// how to fill it in. A new field of the scene is one more part here.
type recordPart struct {
	class Class
	// perPerformer: the part is about each performer in turn, who is the
	// gate's subject; the part is filled for the performers the audience
	// may read it of.
	perPerformer bool
	fill         func(x *recordBuilder, subject UserID) error
}

var recordParts = []recordPart{
	{class: ClassSceneDetail, fill: (*recordBuilder).sceneDetail},
	{class: ClassReadiness, fill: (*recordBuilder).readinessCounts},
	{class: ClassBoundaries, perPerformer: true, fill: (*recordBuilder).boundaries},
	{class: ClassGarments, perPerformer: true, fill: (*recordBuilder).garments},
	{class: ClassBodyNotes, perPerformer: true, fill: (*recordBuilder).bodyNotes},
	{class: ClassReadiness, perPerformer: true, fill: (*recordBuilder).rider},
	{class: ClassRoster, fill: (*recordBuilder).sessions},
	// Holds are told to the IC, the AD and the scene's performers when
	// called, not to everyone on a roster: readiness, not roster.
	{class: ClassReadiness, fill: (*recordBuilder).holds},
	{class: ClassTopline, fill: (*recordBuilder).topline},
	{class: ClassIntent, fill: (*recordBuilder).intent},
	{class: ClassCoverage, fill: notesFrom(func(n *BeatNotesRecord, b Beat) { n.Camera, n.Conditions = b.Camera, b.Conditions })},
	{class: ClassPropsNotes, fill: notesFrom(func(n *BeatNotesRecord, b Beat) { n.Props = b.Props })},
	{class: ClassStuntsNotes, fill: notesFrom(func(n *BeatNotesRecord, b Beat) { n.Stunts = b.Stunts })},
	{class: ClassChoreography, fill: (*recordBuilder).choreography},
	{class: ClassRehearsal, fill: (*recordBuilder).rehearsals},
	{class: ClassTakes, fill: (*recordBuilder).takes},
}

// withheldParts name what a record leaves out when the audience may not
// read it: a class about the scene or any of its performers, or, with
// only, about nobody in particular.
var withheldParts = []struct {
	class Class
	label string
	only  bool // read about the scene alone, no performer its subject
}{
	{class: ClassSceneDetail, label: ClassSceneDetail.String()},
	{class: ClassReadiness, label: ClassReadiness.String()},
	{class: ClassBoundaries, label: ClassBoundaries.String()},
	{class: ClassRiderDetail, label: ClassRiderDetail.String()},
	{class: ClassGarments, label: ClassGarments.String()},
	{class: ClassBodyNotes, label: ClassBodyNotes.String()},
	{class: ClassRoster, label: ClassRoster.String()},
	{class: ClassHoldCaller, label: "who called each hold and why"},
	{class: classOverride, label: "closed-set override reasons", only: true},
	{class: ClassTopline, label: ClassTopline.String()},
	{class: ClassIntent, label: ClassIntent.String()},
	{class: ClassCoverage, label: ClassCoverage.String()},
	{class: ClassPropsNotes, label: ClassPropsNotes.String()},
	{class: ClassStuntsNotes, label: ClassStuntsNotes.String()},
	{class: ClassChoreography, label: ClassChoreography.String()},
	{class: ClassRehearsal, label: ClassRehearsal.String()},
	{class: ClassTakes, label: ClassTakes.String()},
}

// recordBuilder builds one scene's record in one transaction.
type recordBuilder struct {
	b      *Bot
	tx     Tx
	reader Person
	sc     *Scene
	about  about
	rd     readiness
	rec    SceneRecord
	// consent indexes rec.Consent by performer.
	consent map[UserID]int
	bds     map[UserID]*Boundaries
}

func (x *recordBuilder) may(c Class, subject UserID) bool {
	return x.b.gate.mayRead(x.reader, c, x.about, subject)
}

func (x *recordBuilder) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (x *recordBuilder) handle(id UserID) (string, error) {
	p, err := personOf(x.tx, id)
	return p.Handle(), err
}

// SceneRecord reads one scene's record as aud may read it.
func (b *Bot) SceneRecord(ctx context.Context, id SceneID, aud Audience) (SceneExport, error) {
	var out SceneExport
	err := b.store.View(ctx, func(tx Tx) error {
		reader, head, err := b.recordHead(tx, aud, SceneSchema)
		if err != nil {
			return err
		}
		sc, err := tx.Scene(id)
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "no scene %s", id)
		}
		if err != nil {
			return err
		}
		if !seesScene(reader, &sc) {
			return Errorf(EFORBIDDEN, "%s is not a performer of scene %s, and a performer's record holds only their own scenes", aud, id)
		}
		rec, err := b.sceneRecord(tx, reader, &sc)
		out = SceneExport{RecordHead: head, Scene: rec}
		return err
	})
	return out, err
}

// ProductionRecord reads every scene's record, in script order, as aud
// may read them.
func (b *Bot) ProductionRecord(ctx context.Context, aud Audience) (ProductionExport, error) {
	var out ProductionExport
	err := b.store.View(ctx, func(tx Tx) error {
		reader, head, err := b.recordHead(tx, aud, ProductionSchema)
		if err != nil {
			return err
		}
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		slices.SortFunc(scenes, func(a, b Scene) int { return compareSceneIDs(a.ID, b.ID) })
		out = ProductionExport{RecordHead: head, Scenes: []SceneRecord{}}
		for i := range scenes {
			if !seesScene(reader, &scenes[i]) {
				continue
			}
			rec, err := b.sceneRecord(tx, reader, &scenes[i])
			if err != nil {
				return err
			}
			out.Scenes = append(out.Scenes, rec)
		}
		return nil
	})
	return out, err
}

// seesScene reports whether reader sees sc in a record at all: a
// performer without a leadership role sees only their own scenes, as
// /scene list shows them.
func seesScene(reader Person, sc *Scene) bool {
	return reader.HasAny(leadership...) || !reader.Has(RolePerformer) || sc.IsPerformer(reader.ID)
}

func (b *Bot) recordHead(tx Tx, aud Audience, schema string) (Person, RecordHead, error) {
	reader, err := aud.reader(tx)
	if err != nil {
		return reader, RecordHead{}, err
	}
	info, err := tx.Production()
	if err != nil {
		return reader, RecordHead{}, err
	}
	return reader, RecordHead{Schema: schema, Production: info.Name, Zone: b.zone.String(),
		MadeAt: b.now().Format(time.RFC3339), Audience: aud.String()}, nil
}

func (b *Bot) sceneRecord(tx Tx, reader Person, sc *Scene) (SceneRecord, error) {
	a, err := loadAbout(tx, sc.ID)
	if err != nil {
		return SceneRecord{}, err
	}
	rd, err := b.readinessOf(tx, sc, b.now())
	if err != nil {
		return SceneRecord{}, err
	}
	x := &recordBuilder{b: b, tx: tx, reader: reader, sc: sc, about: a, rd: rd,
		consent: map[UserID]int{}, bds: map[UserID]*Boundaries{}}
	x.rec = SceneRecord{ID: sc.ID, Title: sc.Title, Call: x.when(sc.Call), Status: sc.EffectiveStatus(), Withheld: []string{}}
	if !x.may(ClassCrew, "") {
		// Not on the production: not even the schedule.
		x.rec.Title, x.rec.Call, x.rec.Status = "", "", ""
		x.rec.Withheld = append(x.rec.Withheld, ClassCrew.String())
	}
	for _, part := range recordParts {
		if !part.perPerformer {
			if x.may(part.class, "") {
				if err := part.fill(x, ""); err != nil {
					return x.rec, err
				}
			}
			continue
		}
		for _, p := range sc.Performers {
			if x.may(part.class, p) {
				if err := part.fill(x, p); err != nil {
					return x.rec, err
				}
			}
		}
	}
	for _, w := range withheldParts {
		if w.only && !x.may(w.class, "") || !w.only && !x.mayAny(w.class) {
			x.rec.Withheld = append(x.rec.Withheld, w.label)
		}
	}
	return x.rec, nil
}

// mayAny reports whether the audience may read class c about the scene
// or about any one of its performers.
func (x *recordBuilder) mayAny(c Class) bool {
	if x.may(c, "") {
		return true
	}
	return slices.ContainsFunc(x.sc.Performers, func(p UserID) bool { return x.may(c, p) })
}

func (x *recordBuilder) sceneDetail(UserID) error {
	x.rec.Channel = x.sc.Channel
	for _, p := range x.sc.Performers {
		h, err := x.handle(p)
		if err != nil {
			return err
		}
		x.rec.Performers = append(x.rec.Performers, h)
	}
	for _, bt := range x.sc.Beats {
		br := BeatRecord{ID: bt.ID, Description: bt.Description, Kind: bt.Kind, Areas: bt.Areas, Rev: bt.Rev}
		for _, p := range bt.Performers {
			h, err := x.handle(p)
			if err != nil {
				return err
			}
			br.Performers = append(br.Performers, h)
		}
		x.rec.Beats = append(x.rec.Beats, br)
	}
	return nil
}

func (x *recordBuilder) readinessCounts(UserID) error {
	if x.performerOnly() {
		// A performer reads their own answers and rider; counts beside
		// them would tell what the others answered, which /boundaries
		// status does not show them.
		return nil
	}
	x.rec.Readiness = countsText(x.sc, x.rd)
	return nil
}

// performerOnly reports whether the reader is a performer and nothing
// that reads the whole scene's readiness: their record holds their own
// rider, not the other performers'.
func (x *recordBuilder) performerOnly() bool {
	return x.reader.Has(RolePerformer) && !x.reader.HasAny(leadership...)
}

// consentOf returns the performer's consent entry, made on first use,
// and their latest boundaries (nil when they never answered).
func (x *recordBuilder) consentEntry(p UserID) (*ConsentRecord, *Boundaries, error) {
	if _, seen := x.bds[p]; !seen {
		bd, err := latestBoundaries(x.tx, x.sc.ID, p)
		if err != nil {
			return nil, nil, err
		}
		x.bds[p] = bd
	}
	i, ok := x.consent[p]
	if !ok {
		h, err := x.handle(p)
		if err != nil {
			return nil, nil, err
		}
		x.rec.Consent = append(x.rec.Consent, ConsentRecord{Performer: h})
		i = len(x.rec.Consent) - 1
		x.consent[p] = i
	}
	return &x.rec.Consent[i], x.bds[p], nil
}

func (x *recordBuilder) boundaries(p UserID) error {
	c, bd, err := x.consentEntry(p)
	if err != nil || bd == nil {
		return err
	}
	c.Version, c.At, c.Notes = bd.Version, x.when(bd.At), bd.Notes
	for _, bt := range x.sc.Beats {
		if !bt.Involves(p) {
			continue
		}
		ans := "not answered"
		if a, ok := bd.answerTo(bt); ok {
			ans = string(a)
		}
		if bd.withdrew(bt.ID) {
			ans = "withdrawn"
		}
		c.Answers = append(c.Answers, AnswerRecord{Beat: bt.ID, Answer: ans})
	}
	c.text = boundariesText(x.sc, bd)
	return nil
}

func (x *recordBuilder) garments(p UserID) error {
	c, bd, err := x.consentEntry(p)
	if err == nil && bd != nil {
		c.Garments = bd.Garments
	}
	return err
}

func (x *recordBuilder) bodyNotes(p UserID) error {
	c, bd, err := x.consentEntry(p)
	if err == nil && bd != nil {
		c.Body = bd.Body
	}
	return err
}

func (x *recordBuilder) rider(p UserID) error {
	i := slices.IndexFunc(x.rd.riders, func(r riderView) bool { return r.Performer == p })
	if i < 0 || x.performerOnly() && p != x.reader.ID {
		return nil
	}
	v := x.rd.riders[i]
	who, err := personOf(x.tx, p)
	if err != nil {
		return err
	}
	full := x.may(ClassRiderDetail, p)
	r := RiderRecord{Performer: who.Handle(), State: v.State, Late: v.Late != "", line: x.b.riderLine(who, v, full)}
	if full {
		r.Deadline, r.LateWhy = x.when(v.Deadline), v.Late
		if v.Rider != nil {
			r.DraftedAt, r.SentAt, r.SignedAt, r.Terms = x.when(v.Rider.DraftedAt), x.when(v.Rider.SentAt), x.when(v.Rider.SignedAt), v.Rider.Terms
		}
	}
	x.rec.Riders = append(x.rec.Riders, r)
	return nil
}

func (x *recordBuilder) sessions(UserID) error {
	all, err := x.tx.Sessions(x.sc.ID)
	if err != nil {
		return err
	}
	for i := range all {
		sess := &all[i]
		if sess.Seq <= x.sc.PastSessions {
			continue // an earlier scene's, under the same id
		}
		card, err := x.b.sessionCard(x.tx, x.sc, sess)
		if err != nil {
			return err
		}
		s := SessionRecord{Seq: sess.Seq, StartedAt: x.when(sess.StartedAt), EndedAt: x.when(sess.EndedAt), Lock: sess.Lock.State, card: card, Roster: []RosterRecord{}}
		if s.StartedBy, err = x.handle(sess.StartedBy); err != nil {
			return err
		}
		if !sess.Running() {
			if s.EndedBy, err = x.handle(sess.EndedBy); err != nil {
				return err
			}
		}
		for _, m := range sess.Roster {
			h, err := x.handle(m.User)
			if err != nil {
				return err
			}
			s.Roster = append(s.Roster, RosterRecord{Person: h, Role: m.Role, AckedAt: x.when(m.AckedAt)})
		}
		if x.may(classOverride, "") {
			s.Override = sess.Override
		}
		x.rec.Sessions = append(x.rec.Sessions, s)
	}
	return nil
}

func (x *recordBuilder) holds(UserID) error {
	for _, h := range x.sc.Holds {
		r := HoldRecord{Seq: h.Seq, At: x.when(h.At), Session: h.Session, LiftedAt: x.when(h.LiftedAt)}
		if x.may(ClassHoldCaller, h.CalledBy) {
			var err error
			if r.CalledBy, err = x.handle(h.CalledBy); err != nil {
				return err
			}
			if !h.Active() {
				if r.LiftedBy, err = x.handle(h.LiftedBy); err != nil {
					return err
				}
			}
			r.Reason = h.Reason
		}
		x.rec.Holds = append(x.rec.Holds, r)
	}
	return nil
}

func (x *recordBuilder) topline(UserID) error {
	t := x.sc.Topline
	rec := &ToplineRecord{Version: t.Version, PostedAt: x.when(t.PostedAt), Channel: string(t.Channel)}
	var l ToplineLists
	switch {
	case t.Posted != nil:
		l = *t.Posted
	case x.reader.Has(RoleIC):
		l.Agreed, l.Restricted, l.Pending, l.Nudity = beatsByConsent(x.sc, x.rd)
		rec.AsItStands = true
	default:
		rec.Withheld = true
	}
	rec.Agreed, rec.Restricted, rec.Pending, rec.Nudity = nonNil(l.Agreed), nonNil(l.Restricted), nonNil(l.Pending), nonNil(l.Nudity)
	x.rec.Topline = rec
	return nil
}

func (x *recordBuilder) intent(UserID) error {
	if x.sc.Intent.Text != "" {
		x.notes().Intent = x.sc.Intent.Text
	}
	return nil
}

// notesFrom fills, for every beat with something to say, the notes set
// takes from it.
func notesFrom(set func(*BeatNotesRecord, Beat)) func(*recordBuilder, UserID) error {
	return func(x *recordBuilder, _ UserID) error {
		for _, b := range x.sc.Beats {
			var n BeatNotesRecord
			set(&n, b)
			if n == (BeatNotesRecord{}) {
				continue
			}
			rec := x.notes()
			i := slices.IndexFunc(rec.Beats, func(r BeatNotesRecord) bool { return r.ID == b.ID })
			if i < 0 {
				rec.Beats = append(rec.Beats, BeatNotesRecord{ID: b.ID})
				i = len(rec.Beats) - 1
			}
			set(&rec.Beats[i], b)
		}
		return nil
	}
}

func (x *recordBuilder) choreography(UserID) error {
	for _, b := range x.sc.Beats {
		cur, ok := b.Choreography()
		if !ok {
			continue
		}
		by, err := x.handle(cur.By)
		if err != nil {
			return err
		}
		c := ChoreoRecord{Beat: b.ID, Version: cur.Version, Text: cur.Text, Steps: cur.Steps, By: by, At: x.when(cur.At),
			History: make([]ChoreoVersionRecord, 0, len(b.Choreo))}
		for _, v := range b.Choreo {
			h, err := x.handle(v.By)
			if err != nil {
				return err
			}
			c.History = append(c.History, ChoreoVersionRecord{Version: v.Version, By: h, At: x.when(v.At), Changed: v.Changed})
		}
		x.rec.Choreography = append(x.rec.Choreography, c)
	}
	return nil
}

func (x *recordBuilder) rehearsals(UserID) error {
	for _, r := range x.sc.Rehearsals {
		by, err := x.handle(r.By)
		if err != nil {
			return err
		}
		rr := RehearsalRecord{Seq: r.Seq, At: x.when(r.At), By: by, Present: []string{}, Beats: nonNil(r.Beats), Changes: r.Changes}
		// Which beats were explored tells that someone present had not
		// agreed to them: the IC's alone, as /rehearsal show has it.
		if x.may(ClassBoundaries, "") {
			rr.Explored = r.Explored
		}
		for _, p := range r.Present {
			h, err := x.handle(p)
			if err != nil {
				return err
			}
			rr.Present = append(rr.Present, h)
			if x.sc.IsPerformer(p) {
				rr.Asked++
			}
		}
		for _, c := range r.Confirmations {
			if c.Confirmed {
				rr.Confirmed++
			}
			// A performer's answer, and their note, are theirs and the IC's.
			if !x.may(ClassBoundaries, c.Performer) {
				continue
			}
			h, err := x.handle(c.Performer)
			if err != nil {
				return err
			}
			rr.Confirmations = append(rr.Confirmations, ConfirmationRecord{Performer: h, At: x.when(c.At), Confirmed: c.Confirmed, Note: c.Note})
		}
		x.rec.Rehearsals = append(x.rec.Rehearsals, rr)
	}
	return nil
}

func (x *recordBuilder) takes(UserID) error {
	for _, t := range x.sc.Takes {
		by, err := x.handle(t.By)
		if err != nil {
			return err
		}
		x.rec.Takes = append(x.rec.Takes, TakeRecord{Seq: t.Seq, Session: t.Session, Beat: t.Beat, Choreo: t.Choreo,
			Drifted: t.Drifted, Note: t.Note, By: by, At: x.when(t.At)})
	}
	return nil
}

func (x *recordBuilder) notes() *NotesRecord {
	if x.rec.Notes == nil {
		x.rec.Notes = &NotesRecord{}
	}
	return x.rec.Notes
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Markdown writes the scene export for reading.
func (e SceneExport) Markdown(b *Bot) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# %s: scene %s\n\n", e.Production, e.Scene.ID)
	writeHeadMarkdown(&s, b, e.RecordHead)
	writeSceneMarkdown(&s, b, e.Scene, "##")
	return s.String()
}

// Markdown writes the production export for reading.
func (e ProductionExport) Markdown(b *Bot) string {
	var s strings.Builder
	fmt.Fprintf(&s, "# %s: every scene\n\n", e.Production)
	writeHeadMarkdown(&s, b, e.RecordHead)
	if len(e.Scenes) == 0 {
		s.WriteString("No scenes.\n")
	}
	for _, sc := range e.Scenes {
		writeSceneMarkdown(&s, b, sc, "##")
	}
	return s.String()
}

func writeHeadMarkdown(s *strings.Builder, b *Bot, h RecordHead) {
	made, _ := time.Parse(time.RFC3339, h.MadeAt)
	fmt.Fprintf(s, "For: %s. Made %s (%s). This record holds only what its audience may read; private detail for others is left out.\n\n",
		h.Audience, b.fmtTime(made), h.Schema)
}

func writeSceneMarkdown(s *strings.Builder, b *Bot, r SceneRecord, h string) {
	at := func(v string) string {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "-"
		}
		return b.fmtTime(t)
	}
	if r.Title == "" && r.Call == "" {
		fmt.Fprintf(s, "%s Scene %s\n\n", h, r.ID)
		if r.Notes == nil && !r.HasProductionRecord() {
			s.WriteString("Not readable by this audience.\n\n")
		}
		writeProductionRecordMarkdown(s, at, r, h+"#")
		writeNotesMarkdown(s, r.Notes, h+"#")
		return
	}
	defer writeNotesMarkdown(s, r.Notes, h+"#")
	fmt.Fprintf(s, "%s Scene %s: %s\n\n", h, r.ID, mdText(r.Title))
	fmt.Fprintf(s, "- Call: %s\n- Status: %s\n", at(r.Call), r.Status)
	if len(r.Performers) > 0 {
		fmt.Fprintf(s, "- Performers: %s\n", strings.Join(r.Performers, ", "))
	}
	if r.Channel != "" {
		fmt.Fprintf(s, "- Channel: #%s\n", r.Channel)
	}
	s.WriteString("\n")
	sub := h + "#"
	if len(r.Beats) > 0 {
		fmt.Fprintf(s, "%s Beats\n\n| Beat | Description | Kind | Visible | Performers |\n|---|---|---|---|---|\n", sub)
		for _, bt := range r.Beats {
			who := "all"
			if len(bt.Performers) > 0 {
				who = strings.Join(bt.Performers, ", ")
			}
			fmt.Fprintf(s, "| %s | %s | %s | %s | %s |\n", bt.ID, mdCell(bt.Description), bt.Kind, mdCell(strings.Join(bt.Areas, ", ")), who)
		}
		s.WriteString("\n")
	}
	if r.Readiness != "" || len(r.Consent) > 0 {
		fmt.Fprintf(s, "%s Consent\n\n", sub)
		if r.Readiness != "" {
			fmt.Fprintf(s, "%s\n\n", r.Readiness)
		}
		for _, c := range r.Consent {
			switch {
			case c.text != "":
				fmt.Fprintf(s, "%s, version %d of %s:\n\n```\n%s\n```\n\n", c.Performer, c.Version, at(c.At), fence(c.text))
			case c.Garments != "" || c.Body != "":
				if c.Garments != "" {
					fmt.Fprintf(s, "- %s, garments and barriers: %s\n", c.Performer, mdText(c.Garments))
				}
				if c.Body != "" {
					fmt.Fprintf(s, "- %s, body notes: %s\n", c.Performer, mdText(c.Body))
				}
			default:
				fmt.Fprintf(s, "- %s: nothing given yet\n", c.Performer)
			}
		}
		if len(r.Consent) > 0 && r.Consent[len(r.Consent)-1].text == "" {
			s.WriteString("\n")
		}
	}
	if len(r.Riders) > 0 {
		fmt.Fprintf(s, "%s Riders\n\n", sub)
		for _, rd := range r.Riders {
			fmt.Fprintf(s, "- %s\n", mdText(rd.line))
		}
		s.WriteString("\n")
	}
	if len(r.Sessions) > 0 {
		fmt.Fprintf(s, "%s Closed sets\n\n", sub)
		for _, ss := range r.Sessions {
			fmt.Fprintf(s, "```\n%s\n```\n\n", fence(ss.card))
			if ss.Override != "" {
				fmt.Fprintf(s, "Started over missing items; the IC's reason: %s\n\n", mdText(ss.Override))
			}
		}
	}
	if len(r.Holds) > 0 {
		fmt.Fprintf(s, "%s Holds\n\n| Hold | Called | Session | Lifted | Called by | Reason |\n|---|---|---|---|---|---|\n", sub)
		for _, hd := range r.Holds {
			lifted := "in force"
			if hd.LiftedAt != "" {
				lifted = at(hd.LiftedAt)
			}
			sess := "-"
			if hd.Session > 0 {
				sess = fmt.Sprint(hd.Session)
			}
			fmt.Fprintf(s, "| %d | %s | %s | %s | %s | %s |\n", hd.Seq, at(hd.At), sess, lifted, cmp.Or(hd.CalledBy, "(the IC's to know)"), mdCell(cmp.Or(hd.Reason, "-")))
		}
		s.WriteString("\n")
	}
	if t := r.Topline; t != nil {
		fmt.Fprintf(s, "%s Top-line summary\n\n", sub)
		if t.Version > 0 {
			fmt.Fprintf(s, "Version %d, posted %s to #%s.\n\n", t.Version, at(t.PostedAt), t.Channel)
		} else {
			s.WriteString("Not posted yet.\n\n")
		}
		switch {
		case t.Withheld && t.Version > 0:
			fmt.Fprintf(s, "Its beats are in #%s, as posted.\n\n", t.Channel)
		case t.Withheld:
			s.WriteString("Its beats are the IC's until it is posted.\n\n")
		case t.AsItStands:
			s.WriteString("Its beats as they stand now (the IC's view; the channel reads the version posted):\n\n")
		}
		if !t.Withheld {
			for _, l := range []struct {
				label string
				beats []string
			}{{"Agreed beats", t.Agreed}, {"Restricted beats (not to be filmed as planned)", t.Restricted}, {"Not yet agreed", t.Pending}, {"Nudity as agreed, visible areas", t.Nudity}} {
				fmt.Fprintf(s, "- %s: %s\n", l.label, mdText(cmp.Or(strings.Join(l.beats, "; "), "none")))
			}
			s.WriteString("\n")
		}
	}
	writeProductionRecordMarkdown(s, at, r, sub)
	if len(r.Withheld) > 0 {
		fmt.Fprintf(s, "Left out for this audience: %s.\n\n", strings.Join(r.Withheld, ", "))
	}
}

// HasProductionRecord reports whether the record holds choreography,
// rehearsals or takes.
func (r SceneRecord) HasProductionRecord() bool {
	return len(r.Choreography)+len(r.Rehearsals)+len(r.Takes) > 0
}

// Rows are the record's tables, as cells, shared by the Markdown and the
// PDF so that both print the same.

// ChoreoHistoryRows are every beat's choreography versions: beat,
// version, by, when, what changed.
func (r SceneRecord) ChoreoHistoryRows(at func(string) string) [][]string {
	var rows [][]string
	for _, c := range r.Choreography {
		for _, v := range c.History {
			rows = append(rows, []string{c.Beat, fmt.Sprint(v.Version), v.By, at(v.At), cmp.Or(strings.Join(v.Changed, ", "), "-")})
		}
	}
	return rows
}

// RehearsalRows are the rehearsals: number, when, logged by, present,
// beats (and those explored), what changed, how many confirmed.
func (r SceneRecord) RehearsalRows(at func(string) string) [][]string {
	var rows [][]string
	for _, rh := range r.Rehearsals {
		beats := strings.Join(rh.Beats, ", ")
		if len(rh.Explored) > 0 {
			beats += " (explored: " + strings.Join(rh.Explored, ", ") + ")"
		}
		rows = append(rows, []string{fmt.Sprint(rh.Seq), at(rh.At), rh.By, strings.Join(rh.Present, ", "), beats, cmp.Or(rh.Changes, "-"),
			fmt.Sprintf("%d of %d", rh.Confirmed, rh.Asked)})
	}
	return rows
}

// ConfirmationRows are the performers' answers to the rehearsals'
// records: rehearsal, performer, answer, when, note.
func (r SceneRecord) ConfirmationRows(at func(string) string) [][]string {
	var rows [][]string
	for _, rh := range r.Rehearsals {
		for _, c := range rh.Confirmations {
			answer := "disputed"
			if c.Confirmed {
				answer = "confirmed"
			}
			rows = append(rows, []string{fmt.Sprint(rh.Seq), c.Performer, answer, at(c.At), cmp.Or(c.Note, "-")})
		}
	}
	return rows
}

// TakeRows are the takes: number, when, closed set, beat, choreography
// version, matched or drifted, note.
func (r SceneRecord) TakeRows(at func(string) string) [][]string {
	var rows [][]string
	for _, t := range r.Takes {
		choreo, drift := "none", "matched"
		if t.Choreo > 0 {
			choreo = fmt.Sprintf("v%d", t.Choreo)
		}
		if t.Drifted {
			drift = "drifted"
		}
		rows = append(rows, []string{fmt.Sprint(t.Seq), at(t.At), fmt.Sprint(t.Session), t.Beat, choreo, drift, t.Note})
	}
	return rows
}

// Headers of the tables above.
var (
	ChoreoHistoryHeader = []string{"Beat", "Version", "By", "When", "Changed"}
	RehearsalHeader     = []string{"Rehearsal", "When", "Logged by", "Present", "Beats", "What changed", "Confirmed"}
	ConfirmationHeader  = []string{"Rehearsal", "Performer", "Answer", "When", "Note"}
	TakeHeader          = []string{"Take", "When", "Closed set", "Beat", "Choreography", "Drift", "Note"}
)

// writeProductionRecordMarkdown writes the choreography, rehearsals and
// takes the record holds.
func writeProductionRecordMarkdown(s *strings.Builder, at func(string) string, r SceneRecord, h string) {
	if len(r.Choreography) > 0 {
		fmt.Fprintf(s, "%s Choreography\n\n", h)
		for _, c := range r.Choreography {
			fmt.Fprintf(s, "- %s, version %d, by %s, %s: %s\n", c.Beat, c.Version, c.By, at(c.At), mdText(c.Text))
			for i, st := range c.Steps {
				fmt.Fprintf(s, "  %d. %s\n", i+1, mdText(st))
			}
		}
		s.WriteString("\n")
		mdTable(s, ChoreoHistoryHeader, r.ChoreoHistoryRows(at))
	}
	if len(r.Rehearsals) > 0 {
		fmt.Fprintf(s, "%s Rehearsals\n\n", h)
		mdTable(s, RehearsalHeader, r.RehearsalRows(at))
		if rows := r.ConfirmationRows(at); len(rows) > 0 {
			s.WriteString("The performers' answers to the records:\n\n")
			mdTable(s, ConfirmationHeader, rows)
		}
	}
	if len(r.Takes) > 0 {
		fmt.Fprintf(s, "%s Takes\n\n", h)
		mdTable(s, TakeHeader, r.TakeRows(at))
	}
}

// mdTable writes a table whose cells are free text.
func mdTable(s *strings.Builder, header []string, rows [][]string) {
	fmt.Fprintf(s, "| %s |\n|%s\n", strings.Join(header, " | "), strings.Repeat("---|", len(header)))
	for _, row := range rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = mdCell(c)
		}
		fmt.Fprintf(s, "| %s |\n", strings.Join(cells, " | "))
	}
	s.WriteString("\n")
}

// mdText keeps free text from being read as Markdown markup.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, "#", `\#`, "|", `\|`)

func mdText(v string) string { return mdEscaper.Replace(strings.ReplaceAll(v, "\n", " ")) }

// mdCell is free text in a table cell.
func mdCell(v string) string { return mdText(v) }

// fence keeps text inside a fenced block from closing it.
func fence(v string) string { return strings.ReplaceAll(v, "```", "'''") }

// writeNotesMarkdown writes the intent and the beats' notes, if any.
func writeNotesMarkdown(s *strings.Builder, n *NotesRecord, h string) {
	if n == nil {
		return
	}
	fmt.Fprintf(s, "%s Intent and notes\n\n", h)
	if n.Intent != "" {
		fmt.Fprintf(s, "- Director's intent: %s\n", mdText(n.Intent))
	}
	for _, b := range n.Beats {
		for _, f := range b.Fields() {
			fmt.Fprintf(s, "- %s, %s: %s\n", b.ID, f[0], mdText(f[1]))
		}
	}
	s.WriteString("\n")
}

// Fields are a beat's notes that hold something, as (label, text) pairs.
func (b BeatNotesRecord) Fields() [][2]string {
	var out [][2]string
	for _, f := range [][2]string{{"camera", b.Camera}, {"conditions", b.Conditions}, {"props", b.Props}, {"stunts", b.Stunts}} {
		if f[1] != "" {
			out = append(out, f)
		}
	}
	return out
}
