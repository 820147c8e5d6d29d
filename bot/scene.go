package bot

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SceneID names a scene the way the script does: "12", "12A", "EP2-31".
// Stored upper-case.
type SceneID string

var sceneIDPattern = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,15}$`)

// reservedSceneIDs would read as sub-commands or options.
var reservedSceneIDs = []string{"HELP", "ALL", "LIFT", "FORCE", "STATUS", "LOG"}

// ParseSceneID validates and normalises a scene id.
func ParseSceneID(s string) (SceneID, error) {
	if s == "" {
		return "", Errorf(EINVALID, "missing scene id")
	}
	if !sceneIDPattern.MatchString(s) {
		return "", Errorf(EINVALID, "%q is not a scene id: use letters, digits, '.', '-' or '_' (at most 16), such as 12 or 12A", s)
	}
	id := strings.ToUpper(s)
	if slices.Contains(reservedSceneIDs, id) {
		return "", Errorf(EINVALID, "%q is a reserved word, not a scene id", s)
	}
	return SceneID(id), nil
}

// Status is where a scene is in its life.
type Status string

// Scene statuses. StatusOnHold is never stored: it is how a scene with an
// active hold shows, whatever its stored status.
const (
	StatusDraft   Status = "draft"
	StatusReady   Status = "ready"
	StatusOnHold  Status = "on-hold"
	StatusFilming Status = "filming"
	StatusWrapped Status = "wrapped"
)

// BeatKind classifies an intimacy beat.
type BeatKind string

// Beat kinds.
const (
	KindNudity       BeatKind = "nudity"
	KindContact      BeatKind = "contact"
	KindSimulatedSex BeatKind = "simulated-sex"
	KindOther        BeatKind = "other"
)

// BeatKinds lists the kinds in display order.
var BeatKinds = []BeatKind{KindNudity, KindContact, KindSimulatedSex, KindOther}

// ParseBeatKind reads a beat kind.
func ParseBeatKind(s string) (BeatKind, error) {
	k := BeatKind(strings.ToLower(s))
	if !slices.Contains(BeatKinds, k) {
		return "", Errorf(EINVALID, "unknown beat kind %q: expected nudity, contact, simulated-sex or other", s)
	}
	return k, nil
}

// Beat is one planned intimate action in a scene, which each performer
// answers separately.
type Beat struct {
	ID          string // "b1", "b2": never reused within a scene
	Description string
	Kind        BeatKind
	Areas       []string // body areas visible to camera, for nudity
	// Rev counts changes to the beat (from 1); answers are to a revision.
	Rev int
	// Performers are those the beat involves; empty means every performer
	// of the scene.
	Performers []UserID
	// Camera is the camera and coverage: angles, framing, what is seen.
	// Showing more widens the beat.
	Camera string
	// Conditions are what must hold while it is shot: "barrier between
	// performers", "closed monitors".
	Conditions string
	// Props and Stunts are the notes those departments' notices carry.
	Props  string
	Stunts string
	// Choreo is the beat's choreography, every version, oldest first.
	Choreo []ChoreoVersion
	// Exploratory marks a beat that may be rehearsed, before a performer
	// agrees to it, with that performer's own consent to explore it
	// (Explore).
	Exploratory bool
	Explore     []ExploreConsent
}

// Involves reports whether the beat asks performer u for consent.
func (b Beat) Involves(u UserID) bool {
	return len(b.Performers) == 0 || slices.Contains(b.Performers, u)
}

// ParseBeatID accepts "b3", "B3" or "3".
func ParseBeatID(s string) (string, error) {
	n := strings.TrimPrefix(strings.ToLower(s), "b")
	if v, err := strconv.Atoi(n); err != nil || v <= 0 {
		return "", Errorf(EINVALID, "%q is not a beat id: use the id shown by /scene show, such as b1", s)
	}
	return "b" + n, nil
}

// RosterMember is one person on a closed set's essential-personnel roster.
type RosterMember struct {
	User    UserID
	Role    Role // why they are essential
	AddedBy UserID
	AddedAt time.Time
	// AckedAt is when they acknowledged the device policy, during a session.
	AckedAt time.Time
}

// Hold is a pause of a scene. Who called it is known to the IC only.
type Hold struct {
	Seq      int // 1, 2, ... per scene
	CalledBy UserID
	At       time.Time
	Reason   string // sensitive: shown to the IC only
	Session  uint64 // closed-set session running at the time, 0 if none
	LiftedBy UserID
	LiftedAt time.Time
}

// Active reports whether the hold has not been lifted.
func (h Hold) Active() bool { return h.LiftedAt.IsZero() }

// Scene is a scene with intimacy content and everything icbot tracks for it.
type Scene struct {
	ID         SceneID
	Title      string
	Call       time.Time // call time, an instant; shown in the production's zone
	Performers []UserID
	Beats      []Beat
	NextBeat   int    // number for the next beat id
	Status     Status // stored status: draft, ready, filming or wrapped
	Channel    ChannelID
	// Roster is the planned essential personnel beyond the performers, who
	// are always on it. A session copies it at start.
	Roster []RosterMember
	Holds  []Hold
	// Session is the running closed-set session's number, 0 when none.
	Session  uint64
	Sessions uint64 // how many sessions have been started under this id
	// PastSessions is how many of those belong to an earlier, removed scene
	// with the same id: kept on record, not shown as this scene's.
	PastSessions uint64
	// Scope counts widenings of the scene (a beat added or changed); a
	// rider signed for a smaller scope needs amendment.
	Scope int
	// Intent is the director's intent for the scene, in the director's or
	// the IC's words.
	Intent Intent
	// Rehearsals and Takes are the scene's rehearsal and take logs.
	Rehearsals []Rehearsal
	Takes      []Take
	// Topline is the scene's top-line summary, once posted.
	Topline ToplineState
	// Asking is whether the IC has asked for boundaries yet, and the news
	// of beat changes waiting to go to performers (see beatnews.go).
	Asking Asking
	// Script is what the screenplay says of the scene, when it came from
	// an imported script (see script.go); nil otherwise.
	Script  *SceneScript
	Version int // bumped on every change
	Created time.Time
	Updated time.Time
}

// Intent is what the director means a scene to do, and who wrote it down.
type Intent struct {
	Text string
	By   UserID
	At   time.Time
}

// ActiveHold returns the hold in force, if any.
func (s *Scene) ActiveHold() (Hold, bool) {
	for i := len(s.Holds) - 1; i >= 0; i-- {
		if s.Holds[i].Active() {
			return s.Holds[i], true
		}
	}
	return Hold{}, false
}

// EffectiveStatus is the status people see: on-hold wins over the stored one.
func (s *Scene) EffectiveStatus() Status {
	if _, ok := s.ActiveHold(); ok {
		return StatusOnHold
	}
	return s.Status
}

// Filming reports whether a closed-set session is running.
func (s *Scene) Filming() bool { return s.Session != 0 }

// IsPerformer reports whether u performs in the scene.
func (s *Scene) IsPerformer(u UserID) bool { return slices.Contains(s.Performers, u) }

// Planned reports whether u is on the planned roster beyond the performers.
func (s *Scene) Planned(u UserID) bool {
	return slices.ContainsFunc(s.Roster, func(m RosterMember) bool { return m.User == u })
}

// Beat finds a beat by id.
func (s *Scene) Beat(id string) (Beat, bool) {
	i := slices.IndexFunc(s.Beats, func(b Beat) bool { return b.ID == id })
	if i < 0 {
		return Beat{}, false
	}
	return s.Beats[i], true
}

// addBeat appends b with the next id and returns that id.
func (s *Scene) addBeat(b Beat) string {
	s.NextBeat++
	b.ID = fmt.Sprintf("b%d", s.NextBeat)
	b.Rev = 1
	s.Beats = append(s.Beats, b)
	return b.ID
}

// Session is one closed-set period of a scene, from start to end.
type Session struct {
	Scene     SceneID
	Seq       uint64 // 1, 2, ... per scene
	StartedBy UserID
	StartedAt time.Time
	EndedBy   UserID
	EndedAt   time.Time
	// Roster is who was essential personnel, kept current while running.
	Roster []RosterMember
	// Override is the IC's written reason for starting despite missing
	// preconditions; empty when none were missing.
	Override string
	Lock     LockRecord
}

// Running reports whether the session has not ended.
func (s *Session) Running() bool { return s.EndedAt.IsZero() }

// Member returns u's roster entry.
func (s *Session) Member(u UserID) (*RosterMember, bool) {
	i := slices.IndexFunc(s.Roster, func(m RosterMember) bool { return m.User == u })
	if i < 0 {
		return nil, false
	}
	return &s.Roster[i], true
}

// Users lists the roster's user ids.
func (s *Session) Users() []UserID {
	us := make([]UserID, len(s.Roster))
	for i, m := range s.Roster {
		us[i] = m.User
	}
	return us
}

// LockRecord is what happened to the scene channel's access for a session.
type LockRecord struct {
	// State is "pending" until the adapter has tried, then "enforced",
	// "incomplete", "not enforced", and "released" after the end.
	State string
	// Problem says why the lock is not enforced, in words for the AD.
	Problem string
	// Changes is what the adapter changed, for restoring at the end.
	Changes LockResult
}

// Lock states.
const (
	LockPending     = "pending"
	LockEnforced    = "enforced"
	LockNotEnforced = "not enforced"
	// LockIncomplete: the platform refused part of the lock; what it did
	// is recorded and undone at the end like a full lock.
	LockIncomplete = "incomplete"
	LockReleased   = "released"
)

// Held reports whether the lock changed the channel and must be undone.
func (l LockRecord) Held() bool { return l.State == LockEnforced || l.State == LockIncomplete }

// compareSceneIDs orders scene ids as a script does: by number, then by
// the letters after it (9, 12, 12A, 12B, 120).
func compareSceneIDs(a, b SceneID) int {
	na, ra := leadingNumber(string(a))
	nb, rb := leadingNumber(string(b))
	if na != nb {
		return cmp.Compare(na, nb)
	}
	return cmp.Compare(ra, rb)
}

// leadingNumber splits "12A" into 12 and "A"; an id without digits first
// counts as -1, before every number.
func leadingNumber(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 9 {
		i++
	}
	if i == 0 {
		return -1, s
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}
