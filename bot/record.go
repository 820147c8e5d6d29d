package bot

import (
	"slices"
	"time"
)

// The production's record beyond consent: each beat's choreography, the
// rehearsals, and the takes noted during closed sets. All of it is kept
// with its scene and sealed at rest with the scene's private part; each
// has its own class in the need-to-know table (ClassChoreography,
// ClassRehearsal, ClassTakes).

// ChoreoVersion is one version of a beat's choreography: contact points,
// timing, breath and eyelines, in free text, with optional structured
// steps. Every version is kept, with who wrote it and what it changed.
type ChoreoVersion struct {
	Version int // 1, 2, ... per beat
	Text    string
	Steps   []string // in order; empty when the choreography is text alone
	By      UserID
	At      time.Time
	// Changed names what this version changed from the one before:
	// "text", "steps" (the first version changes both it has).
	Changed []string
}

// ExploreConsent is a performer's own consent to explore a beat marked
// exploratory in rehearsal, before they have agreed to it: to the beat's
// revision Rev, and void once the beat changes.
type ExploreConsent struct {
	Performer UserID
	Rev       int
	At        time.Time
}

// Choreography returns the beat's current choreography; false when none
// was written.
func (b Beat) Choreography() (ChoreoVersion, bool) {
	if len(b.Choreo) == 0 {
		return ChoreoVersion{}, false
	}
	return b.Choreo[len(b.Choreo)-1], true
}

// MayExplore reports whether performer u consented to explore the beat
// at its current revision, and the beat is marked exploratory.
func (b Beat) MayExplore(u UserID) bool {
	return b.Exploratory && slices.ContainsFunc(b.Explore, func(c ExploreConsent) bool {
		return c.Performer == u && c.Rev == b.Rev
	})
}

// Rehearsal is one rehearsal of some of a scene's beats: who was there,
// what changed, and the performers' confirmations of the record.
type Rehearsal struct {
	Seq     int // 1, 2, ... per scene
	At      time.Time
	By      UserID // who logged it
	Present []UserID
	Beats   []string
	// Explored are those of Beats rehearsed on the performers' consent
	// to explore them, before they agreed to them.
	Explored []string
	Changes  string // what changed, in the logger's words
	// Confirmations are the present performers' answers to the record.
	Confirmations []RehearsalConfirmation
}

// RehearsalConfirmation is one performer's answer to a rehearsal's record.
type RehearsalConfirmation struct {
	Performer UserID
	At        time.Time
	// Confirmed is true when the performer says the record is right;
	// false when they say it is not, with Note saying why.
	Confirmed bool
	Note      string
}

// Confirmation returns performer u's answer to the rehearsal's record.
func (r Rehearsal) Confirmation(u UserID) (RehearsalConfirmation, bool) {
	i := slices.IndexFunc(r.Confirmations, func(c RehearsalConfirmation) bool { return c.Performer == u })
	if i < 0 {
		return RehearsalConfirmation{}, false
	}
	return r.Confirmations[i], true
}

// Take is one take noted by the IC during a closed set: what matched the
// choreography and what drifted.
type Take struct {
	Seq     int    // 1, 2, ... per scene
	Session uint64 // the closed-set session it was shot in
	Beat    string
	// Choreo is the choreography version the take was held against, 0
	// when the beat had none.
	Choreo int
	Note   string
	// Drifted is whether the take drifted from the choreography.
	Drifted bool
	By      UserID
	At      time.Time
}
