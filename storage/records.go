package storage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"icbot/bot"
)

// The record types below are the file format. They mirror the bot types
// field by field but belong to this package, so a change to a bot type
// does not change what is on disk until a record (and, if needed, a
// migration) is changed here too. TestRecordFormat pins their encoding.

// productionRecord and personRecord carry authority (department
// channels, roles): in a keyed file each carries a MAC of the rest of the
// record and its place (see integrity.go).
type productionRecord struct {
	Name         string            `json:"name,omitempty"`
	Zone         string            `json:"zone,omitempty"`
	Seeded       bool              `json:"seeded,omitempty"`
	DeptChannels map[string]string `json:"dept_channels,omitempty"`
	WrapDate     string            `json:"wrap_date,omitempty"`
	NoticeFor    string            `json:"notice_for,omitempty"`
	NoticeRev    int               `json:"notice_revision,omitempty"`
	// Cast maps the script's characters to performers; absent when
	// none were cast.
	Cast map[string]string `json:"cast,omitempty"`
	MAC  []byte            `json:"mac,omitempty"`
}

type personRecord struct {
	ID    string   `json:"id"`
	Name  string   `json:"name,omitempty"`
	Roles []string `json:"roles,omitempty"`
	MAC   []byte   `json:"mac,omitempty"`
}

type beatRecord struct {
	ID          string   `json:"id"`
	Description string   `json:"description,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	Areas       []string `json:"areas,omitempty"`
	Rev         int      `json:"rev,omitempty"`
	Performers  []string `json:"performers,omitempty"`
}

type rosterRecord struct {
	User    string    `json:"user"`
	Role    string    `json:"role,omitempty"`
	AddedBy string    `json:"added_by,omitempty"`
	AddedAt time.Time `json:"added_at,omitzero"`
	AckedAt time.Time `json:"acked_at,omitzero"`
}

type holdRecord struct {
	Seq      int       `json:"seq"`
	CalledBy string    `json:"called_by,omitempty"`
	At       time.Time `json:"at,omitzero"`
	Reason   string    `json:"reason,omitempty"`
	Session  uint64    `json:"session,omitempty"`
	LiftedBy string    `json:"lifted_by,omitempty"`
	LiftedAt time.Time `json:"lifted_at,omitzero"`
}

type sceneRecord struct {
	ID              string         `json:"id"`
	Title           string         `json:"title,omitempty"`
	Call            time.Time      `json:"call,omitzero"`
	Performers      []string       `json:"performers,omitempty"`
	Beats           []beatRecord   `json:"beats,omitempty"`
	NextBeat        int            `json:"next_beat,omitempty"`
	Status          string         `json:"status,omitempty"`
	Channel         string         `json:"channel,omitempty"`
	Roster          []rosterRecord `json:"roster,omitempty"`
	Holds           []holdRecord   `json:"holds,omitempty"`
	RunningSession  uint64         `json:"running_session,omitempty"`
	SessionsStarted uint64         `json:"sessions_started,omitempty"`
	PastSessions    uint64         `json:"past_sessions,omitempty"`
	Scope           int            `json:"scope,omitempty"`
	Topline         toplineRecord  `json:"topline,omitzero"`
	Asking          askingRecord   `json:"asking,omitzero"`
	Version         int            `json:"version,omitempty"`
	Created         time.Time      `json:"created,omitzero"`
	Updated         time.Time      `json:"updated,omitzero"`
	// Private is the JSON of scenePrivate, sealed in an encrypted file;
	// empty in a record written before it, read as no intent and no notes.
	Private string `json:"private,omitempty"`
	// ConfirmNotes are the notes of the rehearsals' confirmations, each
	// sealed under its performer's key (schema version 9), taken out of
	// Private when it is sealed and put back when it is opened.
	ConfirmNotes []confirmNoteRecord `json:"confirm_notes,omitempty"`
}

// confirmNoteRecord is the note of confirmation Index of rehearsal
// Rehearsal, by Performer.
type confirmNoteRecord struct {
	Rehearsal int    `json:"rehearsal"`
	Index     int    `json:"index"`
	Performer string `json:"performer"`
	Note      string `json:"note"`
}

// scenePrivate is the part of a scene sealed at rest: the director's
// intent and each beat's camera, conditions, props and stunts notes.
type scenePrivate struct {
	Intent   string        `json:"intent,omitempty"`
	IntentBy string        `json:"intent_by,omitempty"`
	IntentAt time.Time     `json:"intent_at,omitzero"`
	Beats    []beatPrivate `json:"beats,omitempty"`
	// Rehearsals and Takes are the scene's rehearsal and take logs.
	Rehearsals []rehearsalRecord `json:"rehearsals,omitempty"`
	Takes      []takeRecord      `json:"takes,omitempty"`
	// Script is what the imported screenplay says of the scene: its
	// heading, characters and the lines proposed as beats.
	Script *scriptRecord `json:"script,omitempty"`
}

type scriptRecord struct {
	Heading      string           `json:"heading,omitempty"`
	Number       string           `json:"number,omitempty"`
	Order        int              `json:"order,omitempty"`
	Page         int              `json:"page,omitempty"`
	Characters   []string         `json:"characters,omitempty"`
	Removed      bool             `json:"removed,omitempty"`
	Imported     time.Time        `json:"imported,omitzero"`
	Proposals    []proposalRecord `json:"proposals,omitempty"`
	NextProposal int              `json:"next_proposal,omitempty"`
}

type proposalRecord struct {
	N          int      `json:"n"`
	Quote      string   `json:"quote,omitempty"`
	Line       int      `json:"line,omitempty"`
	Flag       string   `json:"flag,omitempty"`
	Kind       string   `json:"kind,omitempty"`
	Characters []string `json:"characters,omitempty"`
	Rule       string   `json:"rule,omitempty"`
	State      string   `json:"state,omitempty"`
	Beat       string   `json:"beat,omitempty"`
	Review     bool     `json:"review,omitempty"`
	Was        string   `json:"was,omitempty"`
}

func scriptToRecord(s *bot.SceneScript) *scriptRecord {
	if s == nil {
		return nil
	}
	return &scriptRecord{Heading: s.Heading, Number: s.Number, Order: s.Order, Page: s.Page, Characters: slices.Clone(s.Characters),
		Removed: s.Removed, Imported: utc(s.Imported), NextProposal: s.NextProposal,
		Proposals: convert(s.Proposals, func(p bot.Proposal) proposalRecord {
			return proposalRecord{N: p.N, Quote: p.Quote, Line: p.Line, Flag: p.Flag, Kind: string(p.Kind), Characters: slices.Clone(p.Characters),
				Rule: p.Rule, State: string(p.State), Beat: p.Beat, Review: p.Review, Was: p.Was}
		})}
}

func (r *scriptRecord) bot() *bot.SceneScript {
	if r == nil {
		return nil
	}
	return &bot.SceneScript{Heading: r.Heading, Number: r.Number, Order: r.Order, Page: r.Page, Characters: slices.Clone(r.Characters),
		Removed: r.Removed, Imported: r.Imported, NextProposal: r.NextProposal,
		Proposals: convert(r.Proposals, func(p proposalRecord) bot.Proposal {
			return bot.Proposal{N: p.N, Quote: p.Quote, Line: p.Line, Flag: p.Flag, Kind: bot.BeatKind(p.Kind), Characters: slices.Clone(p.Characters),
				Rule: p.Rule, State: bot.ProposalState(p.State), Beat: p.Beat, Review: p.Review, Was: p.Was}
		})}
}

type beatPrivate struct {
	ID          string          `json:"id"`
	Camera      string          `json:"camera,omitempty"`
	Conditions  string          `json:"conditions,omitempty"`
	Props       string          `json:"props,omitempty"`
	Stunts      string          `json:"stunts,omitempty"`
	Choreo      []choreoRecord  `json:"choreo,omitempty"`
	Exploratory bool            `json:"exploratory,omitempty"`
	Explore     []exploreRecord `json:"explore,omitempty"`
}

// has reports whether the beat has anything private.
func (p beatPrivate) has() bool {
	return p.Camera != "" || p.Conditions != "" || p.Props != "" || p.Stunts != "" ||
		len(p.Choreo) > 0 || p.Exploratory || len(p.Explore) > 0
}

type choreoRecord struct {
	Version int       `json:"version"`
	Text    string    `json:"text,omitempty"`
	Steps   []string  `json:"steps,omitempty"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Changed []string  `json:"changed,omitempty"`
}

type exploreRecord struct {
	Performer string    `json:"performer"`
	Rev       int       `json:"rev"`
	At        time.Time `json:"at,omitzero"`
}

type rehearsalRecord struct {
	Seq           int                  `json:"seq"`
	At            time.Time            `json:"at,omitzero"`
	By            string               `json:"by,omitempty"`
	Present       []string             `json:"present,omitempty"`
	Beats         []string             `json:"beats,omitempty"`
	Explored      []string             `json:"explored,omitempty"`
	Changes       string               `json:"changes,omitempty"`
	Confirmations []confirmationRecord `json:"confirmations,omitempty"`
}

type confirmationRecord struct {
	Performer string    `json:"performer"`
	At        time.Time `json:"at,omitzero"`
	Confirmed bool      `json:"confirmed"`
	Note      string    `json:"note,omitempty"`
}

type takeRecord struct {
	Seq     int       `json:"seq"`
	Session uint64    `json:"session,omitempty"`
	Beat    string    `json:"beat"`
	Choreo  int       `json:"choreo,omitempty"`
	Note    string    `json:"note,omitempty"`
	Drifted bool      `json:"drifted,omitempty"`
	By      string    `json:"by,omitempty"`
	At      time.Time `json:"at,omitzero"`
}

func choreoToRecord(c bot.ChoreoVersion) choreoRecord {
	return choreoRecord{Version: c.Version, Text: c.Text, Steps: c.Steps, By: string(c.By), At: utc(c.At), Changed: c.Changed}
}

func (r choreoRecord) bot() bot.ChoreoVersion {
	return bot.ChoreoVersion{Version: r.Version, Text: r.Text, Steps: r.Steps, By: bot.UserID(r.By), At: r.At, Changed: r.Changed}
}

func exploreToRecord(c bot.ExploreConsent) exploreRecord {
	return exploreRecord{Performer: string(c.Performer), Rev: c.Rev, At: utc(c.At)}
}

func (r exploreRecord) bot() bot.ExploreConsent {
	return bot.ExploreConsent{Performer: bot.UserID(r.Performer), Rev: r.Rev, At: r.At}
}

func rehearsalToRecord(h bot.Rehearsal) rehearsalRecord {
	return rehearsalRecord{Seq: h.Seq, At: utc(h.At), By: string(h.By), Present: convert(h.Present, toString[bot.UserID]),
		Beats: h.Beats, Explored: h.Explored, Changes: h.Changes,
		Confirmations: convert(h.Confirmations, func(c bot.RehearsalConfirmation) confirmationRecord {
			return confirmationRecord{Performer: string(c.Performer), At: utc(c.At), Confirmed: c.Confirmed, Note: c.Note}
		})}
}

func (r rehearsalRecord) bot() bot.Rehearsal {
	return bot.Rehearsal{Seq: r.Seq, At: r.At, By: bot.UserID(r.By), Present: convert(r.Present, fromString[bot.UserID]),
		Beats: r.Beats, Explored: r.Explored, Changes: r.Changes,
		Confirmations: convert(r.Confirmations, func(c confirmationRecord) bot.RehearsalConfirmation {
			return bot.RehearsalConfirmation{Performer: bot.UserID(c.Performer), At: c.At, Confirmed: c.Confirmed, Note: c.Note}
		})}
}

func takeToRecord(t bot.Take) takeRecord {
	return takeRecord{Seq: t.Seq, Session: t.Session, Beat: t.Beat, Choreo: t.Choreo, Note: t.Note, Drifted: t.Drifted, By: string(t.By), At: utc(t.At)}
}

func (r takeRecord) bot() bot.Take {
	return bot.Take{Seq: r.Seq, Session: r.Session, Beat: r.Beat, Choreo: r.Choreo, Note: r.Note, Drifted: r.Drifted, By: bot.UserID(r.By), At: r.At}
}

// scenePrivateOf gathers the private part of s; ok is false when it holds
// nothing.
func scenePrivateOf(s bot.Scene) (p scenePrivate, ok bool) {
	p = scenePrivate{Intent: s.Intent.Text, IntentBy: string(s.Intent.By), IntentAt: utc(s.Intent.At),
		Rehearsals: convert(s.Rehearsals, rehearsalToRecord), Takes: convert(s.Takes, takeToRecord), Script: scriptToRecord(s.Script)}
	for _, b := range s.Beats {
		bp := beatPrivate{ID: b.ID, Camera: b.Camera, Conditions: b.Conditions, Props: b.Props, Stunts: b.Stunts,
			Choreo: convert(b.Choreo, choreoToRecord), Exploratory: b.Exploratory, Explore: convert(b.Explore, exploreToRecord)}
		if bp.has() {
			p.Beats = append(p.Beats, bp)
		}
	}
	return p, p.Intent != "" || p.IntentBy != "" || !p.IntentAt.IsZero() || len(p.Beats) > 0 ||
		len(p.Rehearsals) > 0 || len(p.Takes) > 0 || p.Script != nil
}

// encodePrivate is the JSON of the private part, "" when it holds nothing.
func encodePrivate(s bot.Scene) string {
	p, ok := scenePrivateOf(s)
	if !ok {
		return ""
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // strings and a time: cannot fail
	}
	return string(b)
}

// decodePrivate reads the private part of a record once opened; openScene
// has refused one that does not decode.
func (r sceneRecord) decodePrivate() (scenePrivate, error) {
	var p scenePrivate
	if r.Private == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(r.Private), &p); err != nil {
		return p, fmt.Errorf("storage: scene %s: its private part does not decode: %w", r.ID, err)
	}
	return p, nil
}

// askingRecord is whether the IC has asked a scene's performers for their
// boundaries, and the news of beat changes queued for them. A scene
// written before it reads as never asked, with no news.
type askingRecord struct {
	Since time.Time        `json:"since,omitzero"`
	News  []beatNewsRecord `json:"news,omitempty"`
}

type beatNewsRecord struct {
	Performer string             `json:"performer"`
	Delivery  uint64             `json:"delivery"`
	Due       time.Time          `json:"due,omitzero"`
	Changes   []beatChangeRecord `json:"changes,omitempty"`
}

type beatChangeRecord struct {
	Beat string `json:"beat"`
	What string `json:"what"`
}

type toplineRecord struct {
	Channel  string    `json:"channel,omitempty"`
	Version  int       `json:"version,omitempty"`
	PostedAt time.Time `json:"posted_at,omitzero"`
	// Posted is what the version posted said (beat lines, in clear like
	// the beats); absent for one posted before icbot kept it.
	Posted *toplineListsRecord `json:"posted,omitempty"`
}

type toplineListsRecord struct {
	Agreed     []string `json:"agreed,omitempty"`
	Restricted []string `json:"restricted,omitempty"`
	Pending    []string `json:"pending,omitempty"`
	Nudity     []string `json:"nudity,omitempty"`
}

func toplineListsToRecord(l *bot.ToplineLists) *toplineListsRecord {
	if l == nil {
		return nil
	}
	return &toplineListsRecord{Agreed: slices.Clone(l.Agreed), Restricted: slices.Clone(l.Restricted), Pending: slices.Clone(l.Pending), Nudity: slices.Clone(l.Nudity)}
}

func (r *toplineListsRecord) bot() *bot.ToplineLists {
	if r == nil {
		return nil
	}
	return &bot.ToplineLists{Agreed: slices.Clone(r.Agreed), Restricted: slices.Clone(r.Restricted), Pending: slices.Clone(r.Pending), Nudity: slices.Clone(r.Nudity)}
}

// answerRecord is one beat's answer, inside the sealed part of a
// boundaries record.
type answerRecord struct {
	Beat   string `json:"beat"`
	Rev    int    `json:"rev"`
	Answer string `json:"answer"`
}

// boundariesPrivate is the part of a boundaries version that is sealed at
// rest: the answers and everything the performer wrote.
type boundariesPrivate struct {
	Answers   []answerRecord `json:"answers,omitempty"`
	Notes     string         `json:"notes,omitempty"`
	Garments  string         `json:"garments,omitempty"`
	Body      string         `json:"body,omitempty"`
	Withdrawn []string       `json:"withdrawn,omitempty"`
}

// boundariesRecord is one version of a performer's boundaries for a scene;
// Private holds boundariesPrivate as JSON.
type boundariesRecord struct {
	Scene     string    `json:"scene"`
	Performer string    `json:"performer"`
	Version   int       `json:"version"`
	At        time.Time `json:"at,omitzero"`
	Private   []byte    `json:"private"`
}

type riderRecord struct {
	Scene     string    `json:"scene"`
	Performer string    `json:"performer"`
	State     string    `json:"state,omitempty"`
	Terms     []byte    `json:"terms,omitempty"` // the terms as UTF-8
	DraftedAt time.Time `json:"drafted_at,omitzero"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	SignedAt  time.Time `json:"signed_at,omitzero"`
	Scope     int       `json:"scope,omitempty"`
	SentScope int       `json:"sent_scope,omitempty"`
	Version   int       `json:"version,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}

type lockRecord struct {
	State   string   `json:"state,omitempty"`
	Problem string   `json:"problem,omitempty"`
	Removed []string `json:"removed,omitempty"`
	Restore []byte   `json:"restore,omitempty"`
}

type sessionRecord struct {
	Scene     string         `json:"scene"`
	Seq       uint64         `json:"seq"`
	StartedBy string         `json:"started_by,omitempty"`
	StartedAt time.Time      `json:"started_at,omitzero"`
	EndedBy   string         `json:"ended_by,omitempty"`
	EndedAt   time.Time      `json:"ended_at,omitzero"`
	Roster    []rosterRecord `json:"roster,omitempty"`
	// Override is the IC's reason as sessions written before it was
	// sealed keep it; OverrideSealed holds it since, sealed in an
	// encrypted file.
	Override       string     `json:"override,omitempty"`
	OverrideSealed string     `json:"override_sealed,omitempty"`
	Lock           lockRecord `json:"lock,omitzero"`
}

type messageRecord struct {
	Kind    int            `json:"kind"`
	User    string         `json:"user,omitempty"`
	Channel string         `json:"channel,omitempty"`
	Class   int            `json:"class"`
	Scene   string         `json:"scene,omitempty"`
	Subject string         `json:"subject,omitempty"`
	Text    string         `json:"text"`
	Actions []actionRecord `json:"actions,omitempty"`
}

type actionRecord struct {
	Label   string `json:"label"`
	Command string `json:"command"`
}

type deliveryRecord struct {
	ID          uint64        `json:"id"`
	Message     messageRecord `json:"message"`
	Caller      string        `json:"caller,omitempty"`
	Reply       string        `json:"reply,omitempty"`
	Created     time.Time     `json:"created,omitzero"`
	Attempts    int           `json:"attempts,omitempty"`
	NextAttempt time.Time     `json:"next_attempt,omitzero"`
	LastError   string        `json:"last_error,omitempty"`
	// File is a file to build when the delivery is sent: what it holds
	// and its format, never the file itself.
	File *fileRequestRecord `json:"file,omitempty"`
}

type fileRequestRecord struct {
	Report string `json:"report"`
	Format string `json:"format"`
}

// reminderRecord is one scheduled reminder; Note is sealed in an
// encrypted file (see sealReminder).
type reminderRecord struct {
	ID          uint64    `json:"id"`
	Kind        string    `json:"kind,omitempty"`
	Key         string    `json:"key,omitempty"`
	Scene       string    `json:"scene,omitempty"`
	Performer   string    `json:"performer,omitempty"`
	Session     uint64    `json:"session,omitempty"`
	Due         time.Time `json:"due,omitzero"`
	Limit       time.Time `json:"limit,omitzero"`
	State       string    `json:"state,omitempty"`
	CancelledBy string    `json:"cancelled_by,omitempty"`
	Attempts    int       `json:"attempts,omitempty"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Created     time.Time `json:"created,omitzero"`
	SentAt      time.Time `json:"sent_at,omitzero"`
	Answer      string    `json:"answer,omitempty"`
	Note        string    `json:"note,omitempty"`
	Answered    time.Time `json:"answered,omitzero"`
}

// auditRecord keeps every field, even empty ones: the record is evidence.
type auditRecord struct {
	// V is 2 for a record whose people are sealed (auditseal.go): its
	// Actor is empty, its actor is in ActorSealed, and its Summary holds
	// placeholders for the people sealed in Refs. 0 for one in clear.
	V           int       `json:"v,omitempty"`
	Seq         uint64    `json:"seq"`
	Time        time.Time `json:"time"`
	Actor       string    `json:"actor"`
	ActorSealed string    `json:"actor_sealed,omitempty"`
	Action      string    `json:"action"`
	Scene       string    `json:"scene"`
	Summary     string    `json:"summary"`
	Refs        []string  `json:"refs,omitempty"`
	Hash        []byte    `json:"hash"`
}

// utc stores instants without the writer's zone; the zero time stays zero.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// convert maps a slice, returning nil for an empty one so that empty and
// nil lists read back alike.
func convert[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func toString[S ~string](s S) string   { return string(s) }
func fromString[S ~string](s string) S { return S(s) }

// cloneBytes copies b, nil for empty.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

func productionToRecord(p bot.ProductionInfo) productionRecord {
	var depts map[string]string
	for role, ch := range p.DeptChannels {
		if depts == nil {
			depts = map[string]string{}
		}
		depts[string(role)] = string(ch)
	}
	var cast map[string]string
	for c, u := range p.Cast {
		if cast == nil {
			cast = map[string]string{}
		}
		cast[c] = string(u)
	}
	return productionRecord{Name: p.Name, Zone: p.Zone, Seeded: p.Seeded, DeptChannels: depts, WrapDate: p.WrapDate,
		NoticeFor: p.NoticeFor, NoticeRev: p.NoticeRevision, Cast: cast}
}

func (r productionRecord) bot() bot.ProductionInfo {
	var depts map[bot.Role]bot.ChannelID
	for role, ch := range r.DeptChannels {
		if depts == nil {
			depts = map[bot.Role]bot.ChannelID{}
		}
		depts[bot.Role(role)] = bot.ChannelID(ch)
	}
	var cast map[string]bot.UserID
	for c, u := range r.Cast {
		if cast == nil {
			cast = map[string]bot.UserID{}
		}
		cast[c] = bot.UserID(u)
	}
	return bot.ProductionInfo{Name: r.Name, Zone: r.Zone, Seeded: r.Seeded, DeptChannels: depts, WrapDate: r.WrapDate,
		NoticeFor: r.NoticeFor, NoticeRevision: r.NoticeRev, Cast: cast}
}

func personToRecord(p bot.Person) personRecord {
	return personRecord{ID: string(p.ID), Name: p.Name, Roles: convert(p.Roles, toString[bot.Role])}
}

func (r personRecord) bot() bot.Person {
	return bot.Person{ID: bot.UserID(r.ID), Name: r.Name, Roles: convert(r.Roles, fromString[bot.Role])}
}

func beatToRecord(b bot.Beat) beatRecord {
	return beatRecord{ID: b.ID, Description: b.Description, Kind: string(b.Kind), Areas: convert(b.Areas, toString[string]),
		Rev: b.Rev, Performers: convert(b.Performers, toString[bot.UserID])}
}

func (r beatRecord) bot() bot.Beat {
	return bot.Beat{ID: r.ID, Description: r.Description, Kind: bot.BeatKind(r.Kind), Areas: convert(r.Areas, toString[string]),
		Rev: r.Rev, Performers: convert(r.Performers, fromString[bot.UserID])}
}

func rosterToRecord(m bot.RosterMember) rosterRecord {
	return rosterRecord{User: string(m.User), Role: string(m.Role), AddedBy: string(m.AddedBy), AddedAt: utc(m.AddedAt), AckedAt: utc(m.AckedAt)}
}

func (r rosterRecord) bot() bot.RosterMember {
	return bot.RosterMember{User: bot.UserID(r.User), Role: bot.Role(r.Role), AddedBy: bot.UserID(r.AddedBy), AddedAt: r.AddedAt, AckedAt: r.AckedAt}
}

func holdToRecord(h bot.Hold) holdRecord {
	return holdRecord{
		Seq: h.Seq, CalledBy: string(h.CalledBy), At: utc(h.At), Reason: h.Reason,
		Session: h.Session, LiftedBy: string(h.LiftedBy), LiftedAt: utc(h.LiftedAt),
	}
}

func (r holdRecord) bot() bot.Hold {
	return bot.Hold{
		Seq: r.Seq, CalledBy: bot.UserID(r.CalledBy), At: r.At, Reason: r.Reason,
		Session: r.Session, LiftedBy: bot.UserID(r.LiftedBy), LiftedAt: r.LiftedAt,
	}
}

func sceneToRecord(s bot.Scene) sceneRecord {
	return sceneRecord{
		ID:              string(s.ID),
		Title:           s.Title,
		Call:            utc(s.Call),
		Performers:      convert(s.Performers, toString[bot.UserID]),
		Beats:           convert(s.Beats, beatToRecord),
		NextBeat:        s.NextBeat,
		Status:          string(s.Status),
		Channel:         string(s.Channel),
		Roster:          convert(s.Roster, rosterToRecord),
		Holds:           convert(s.Holds, holdToRecord),
		RunningSession:  s.Session,
		SessionsStarted: s.Sessions,
		PastSessions:    s.PastSessions,
		Scope:           s.Scope,
		Topline:         toplineRecord{Channel: string(s.Topline.Channel), Version: s.Topline.Version, PostedAt: utc(s.Topline.PostedAt), Posted: toplineListsToRecord(s.Topline.Posted)},
		Asking:          askingToRecord(s.Asking),
		Version:         s.Version,
		Created:         utc(s.Created),
		Updated:         utc(s.Updated),
		Private:         encodePrivate(s),
	}
}

func (r sceneRecord) bot() bot.Scene {
	priv, _ := r.decodePrivate()
	sc := bot.Scene{
		ID:           bot.SceneID(r.ID),
		Title:        r.Title,
		Call:         r.Call,
		Performers:   convert(r.Performers, fromString[bot.UserID]),
		Beats:        convert(r.Beats, beatRecord.bot),
		NextBeat:     r.NextBeat,
		Status:       bot.Status(r.Status),
		Channel:      bot.ChannelID(r.Channel),
		Roster:       convert(r.Roster, rosterRecord.bot),
		Holds:        convert(r.Holds, holdRecord.bot),
		Session:      r.RunningSession,
		Sessions:     r.SessionsStarted,
		PastSessions: r.PastSessions,
		Scope:        r.Scope,
		Topline:      bot.ToplineState{Channel: bot.ChannelID(r.Topline.Channel), Version: r.Topline.Version, PostedAt: r.Topline.PostedAt, Posted: r.Topline.Posted.bot()},
		Asking:       r.Asking.bot(),
		Version:      r.Version,
		Created:      r.Created,
		Updated:      r.Updated,
		Intent:       bot.Intent{Text: priv.Intent, By: bot.UserID(priv.IntentBy), At: priv.IntentAt},
		Rehearsals:   convert(priv.Rehearsals, rehearsalRecord.bot),
		Takes:        convert(priv.Takes, takeRecord.bot),
		Script:       priv.Script.bot(),
	}
	for i := range sc.Beats {
		for _, p := range priv.Beats {
			if p.ID == sc.Beats[i].ID {
				b := &sc.Beats[i]
				b.Camera, b.Conditions, b.Props, b.Stunts = p.Camera, p.Conditions, p.Props, p.Stunts
				b.Choreo, b.Exploratory, b.Explore = convert(p.Choreo, choreoRecord.bot), p.Exploratory, convert(p.Explore, exploreRecord.bot)
			}
		}
	}
	return sc
}

func askingToRecord(a bot.Asking) askingRecord {
	return askingRecord{Since: utc(a.Since), News: convert(a.News, func(n bot.BeatNews) beatNewsRecord {
		return beatNewsRecord{Performer: string(n.Performer), Delivery: n.Delivery, Due: utc(n.Due),
			Changes: convert(n.Changes, func(c bot.BeatChange) beatChangeRecord { return beatChangeRecord{Beat: c.Beat, What: string(c.What)} })}
	})}
}

func (r askingRecord) bot() bot.Asking {
	return bot.Asking{Since: r.Since, News: convert(r.News, func(n beatNewsRecord) bot.BeatNews {
		return bot.BeatNews{Performer: bot.UserID(n.Performer), Delivery: n.Delivery, Due: n.Due,
			Changes: convert(n.Changes, func(c beatChangeRecord) bot.BeatChange {
				return bot.BeatChange{Beat: c.Beat, What: bot.BeatChangeKind(c.What)}
			})}
	})}
}

func sessionToRecord(s bot.Session) sessionRecord {
	return sessionRecord{
		Scene:          string(s.Scene),
		Seq:            s.Seq,
		StartedBy:      string(s.StartedBy),
		StartedAt:      utc(s.StartedAt),
		EndedBy:        string(s.EndedBy),
		EndedAt:        utc(s.EndedAt),
		Roster:         convert(s.Roster, rosterToRecord),
		OverrideSealed: s.Override,
		Lock: lockRecord{
			State:   s.Lock.State,
			Problem: s.Lock.Problem,
			Removed: convert(s.Lock.Changes.Removed, toString[bot.UserID]),
			Restore: cloneBytes(s.Lock.Changes.Restore),
		},
	}
}

func (r sessionRecord) bot() bot.Session {
	return bot.Session{
		Scene:     bot.SceneID(r.Scene),
		Seq:       r.Seq,
		StartedBy: bot.UserID(r.StartedBy),
		StartedAt: r.StartedAt,
		EndedBy:   bot.UserID(r.EndedBy),
		EndedAt:   r.EndedAt,
		Roster:    convert(r.Roster, rosterRecord.bot),
		Override:  cmp.Or(r.OverrideSealed, r.Override),
		Lock: bot.LockRecord{
			State:   r.Lock.State,
			Problem: r.Lock.Problem,
			Changes: bot.LockResult{
				Removed: convert(r.Lock.Removed, fromString[bot.UserID]),
				Restore: cloneBytes(r.Lock.Restore),
			},
		},
	}
}

func auditToRecord(a bot.AuditRecord) auditRecord {
	return auditRecord{
		Seq: a.Seq, Time: utc(a.Time), Actor: string(a.Actor), Action: a.Action,
		Scene: string(a.Scene), Summary: a.Summary, Hash: cloneBytes(a.Hash),
	}
}

// bot is the record as stored: a record of version 2 keeps its people
// sealed (its Stored form is what the chain covers); a transaction opens
// them (openAuditPeople).
func (r auditRecord) bot() bot.AuditRecord {
	return bot.AuditRecord{
		Seq: r.Seq, Time: r.Time, Actor: bot.UserID(r.Actor), Action: r.Action,
		Scene: bot.SceneID(r.Scene), Summary: r.Summary, Hash: cloneBytes(r.Hash),
		Stored: r.storedForm(),
	}
}

func deliveryToRecord(d bot.Delivery) deliveryRecord {
	m := d.Message
	return deliveryRecord{
		ID: d.ID,
		Message: messageRecord{Kind: int(m.To.Kind), User: string(m.To.User), Channel: string(m.To.Channel),
			Class: int(m.Class), Scene: string(m.Scene), Subject: string(m.Subject), Text: m.Text,
			Actions: convert(m.Actions, func(a bot.Action) actionRecord { return actionRecord{Label: a.Label, Command: a.Command} })},
		Caller: string(d.Caller), Reply: d.Reply, Created: utc(d.Created), Attempts: d.Attempts,
		NextAttempt: utc(d.NextAttempt), LastError: d.LastError,
		File: fileRequestToRecord(d.File),
	}
}

func fileRequestToRecord(f *bot.FileRequest) *fileRequestRecord {
	if f == nil {
		return nil
	}
	return &fileRequestRecord{Report: f.Report, Format: f.Format}
}

func (r deliveryRecord) bot() bot.Delivery {
	m := r.Message
	return bot.Delivery{
		ID: r.ID,
		Message: bot.Message{
			To:    bot.Destination{Kind: bot.DestKind(m.Kind), User: bot.UserID(m.User), Channel: bot.ChannelID(m.Channel)},
			Class: bot.Class(m.Class), Scene: bot.SceneID(m.Scene), Subject: bot.UserID(m.Subject), Text: m.Text,
			Actions: convert(m.Actions, func(a actionRecord) bot.Action { return bot.Action{Label: a.Label, Command: a.Command} }),
		},
		Caller: bot.UserID(r.Caller), Reply: r.Reply, Created: r.Created, Attempts: r.Attempts,
		NextAttempt: r.NextAttempt, LastError: r.LastError,
		File: r.File.bot(),
	}
}

func (r *fileRequestRecord) bot() *bot.FileRequest {
	if r == nil {
		return nil
	}
	return &bot.FileRequest{Report: r.Report, Format: r.Format}
}

func boundariesPrivateOf(b bot.Boundaries) boundariesPrivate {
	return boundariesPrivate{
		Answers: convert(b.Answers, func(a bot.BeatAnswer) answerRecord {
			return answerRecord{Beat: a.Beat, Rev: a.Rev, Answer: string(a.Answer)}
		}),
		Notes: b.Notes, Garments: b.Garments, Body: b.Body, Withdrawn: convert(b.Withdrawn, toString[string]),
	}
}

func (p boundariesPrivate) into(b *bot.Boundaries) {
	b.Answers = convert(p.Answers, func(a answerRecord) bot.BeatAnswer {
		return bot.BeatAnswer{Beat: a.Beat, Rev: a.Rev, Answer: bot.Answer(a.Answer)}
	})
	b.Notes, b.Garments, b.Body, b.Withdrawn = p.Notes, p.Garments, p.Body, convert(p.Withdrawn, toString[string])
}

func riderToRecord(r bot.Rider) riderRecord {
	return riderRecord{
		Scene: string(r.Scene), Performer: string(r.Performer), State: string(r.State), Terms: []byte(r.Terms),
		DraftedAt: utc(r.DraftedAt), SentAt: utc(r.SentAt), SignedAt: utc(r.SignedAt),
		Scope: r.Scope, SentScope: r.SentScope, Version: r.Version, Updated: utc(r.Updated),
	}
}

func (r riderRecord) bot() bot.Rider {
	sentScope := r.SentScope
	if sentScope == 0 && !r.SentAt.IsZero() {
		sentScope = r.Scope // written before sent_scope: the scope it was last marked at
	}
	return bot.Rider{
		Scene: bot.SceneID(r.Scene), Performer: bot.UserID(r.Performer), State: bot.RiderState(r.State), Terms: string(r.Terms),
		DraftedAt: r.DraftedAt, SentAt: r.SentAt, SignedAt: r.SignedAt, Scope: r.Scope, SentScope: sentScope,
		Version: r.Version, Updated: r.Updated,
	}
}

func reminderToRecord(r bot.Reminder) reminderRecord {
	return reminderRecord{
		ID: r.ID, Kind: string(r.Kind), Key: r.Key, Scene: string(r.Scene), Performer: string(r.Performer), Session: r.Session,
		Due: utc(r.Due), Limit: utc(r.Limit), State: string(r.State), CancelledBy: string(r.CancelledBy), Attempts: r.Attempts, NextAttempt: utc(r.NextAttempt),
		Created: utc(r.Created), SentAt: utc(r.SentAt), Answer: r.Answer, Note: r.Note, Answered: utc(r.Answered),
	}
}

func (r reminderRecord) bot() bot.Reminder {
	return bot.Reminder{
		ID: r.ID, Kind: bot.ReminderKind(r.Kind), Key: r.Key, Scene: bot.SceneID(r.Scene), Performer: bot.UserID(r.Performer), Session: r.Session,
		Due: r.Due, Limit: r.Limit, State: bot.ReminderState(r.State), CancelledBy: bot.UserID(r.CancelledBy), Attempts: r.Attempts, NextAttempt: r.NextAttempt,
		Created: r.Created, SentAt: r.SentAt, Answer: r.Answer, Note: r.Note, Answered: r.Answered,
	}
}
