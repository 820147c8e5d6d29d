package bot

import (
	"slices"
	"strings"
	"time"
)

// Answer is a performer's answer to one intimacy beat.
type Answer string

// Answers.
const (
	AnswerYes     Answer = "yes"
	AnswerNo      Answer = "no"
	AnswerDiscuss Answer = "discuss"
)

// ParseAnswer reads yes, no or discuss.
func ParseAnswer(s string) (Answer, error) {
	switch a := Answer(strings.ToLower(s)); a {
	case AnswerYes, AnswerNo, AnswerDiscuss:
		return a, nil
	}
	return "", Errorf(EINVALID, "%q is not an answer: use yes, no or discuss", s)
}

// BeatAnswer is the answer to one beat as it stood at one revision: an
// answer to an earlier revision of a beat that has since changed no longer
// counts.
type BeatAnswer struct {
	Beat   string
	Rev    int
	Answer Answer
}

// Boundaries is one version of a performer's answers for a scene. Private
// to the performer and the IC, and sealed at rest; every answer or
// withdrawal adds a version, and the history is kept.
type Boundaries struct {
	Scene     SceneID
	Performer UserID
	Version   int // 1, 2, ...
	At        time.Time
	Answers   []BeatAnswer
	// Notes are for the IC alone.
	Notes string
	// Garments are garment and barrier preferences, for costume.
	Garments string
	// Body are body notes for hair and makeup (tattoos, body makeup).
	Body string
	// Withdrawn lists the beats whose consent was withdrawn in this
	// version ("*" for all of them); empty when none.
	Withdrawn []string
}

// answerTo returns the answer to the current revision of beat b.
func (bd *Boundaries) answerTo(b Beat) (Answer, bool) {
	for _, a := range bd.Answers {
		if a.Beat == b.ID && a.Rev == b.Rev {
			return a.Answer, true
		}
	}
	return "", false
}

// withdrew reports whether consent to beat id was withdrawn.
func (bd *Boundaries) withdrew(id string) bool {
	return slices.Contains(bd.Withdrawn, "*") || slices.Contains(bd.Withdrawn, id)
}

// RiderState is where a nudity rider is.
type RiderState string

// Rider states. RiderAmend is never stored: a signed rider shows it when
// the scene's scope has widened since.
const (
	RiderNone    RiderState = "none"
	RiderDrafted RiderState = "drafted"
	RiderSent    RiderState = "sent"
	RiderSigned  RiderState = "signed"
	RiderAmend   RiderState = "needs amendment"
)

// Rider is a performer's nudity rider for a scene: the written agreement
// they must receive at least the rider notice (48 hours by default) before
// the call. Its terms are sealed at rest.
type Rider struct {
	Scene     SceneID
	Performer UserID
	State     RiderState // drafted, sent or signed
	Terms     string     // private: the performer and the IC
	DraftedAt time.Time
	// SentAt is when the performer received the rider they signed or are
	// to sign: the notice is counted from it. An amended rider signed
	// without being sent again counts as received when signed.
	SentAt   time.Time
	SignedAt time.Time
	// SentScope is the scene's scope version the sent rider covered.
	SentScope int
	// Scope is the scene's scope version the rider covers: a scene widened
	// since (a new or changed beat) needs an amended rider.
	Scope   int
	Version int // bumped on every change
	Updated time.Time
}

// ToplineState is where a scene's top-line summary was posted and which
// version is current.
type ToplineState struct {
	Channel  ChannelID // where it goes; empty until first posted
	Version  int
	PostedAt time.Time
	// Posted is what the current version said, beat by beat; nil for a
	// version posted before icbot kept it.
	Posted *ToplineLists
}

// ToplineLists are a top-line summary's beats by consent, as posted.
type ToplineLists struct {
	Agreed, Restricted, Pending, Nudity []string
}
