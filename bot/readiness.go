package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// consentState is where one performer's boundaries for a scene stand. Its
// detail (which beats, which answers) is for the performer and the IC.
type consentState struct {
	Performer UserID
	Version   int      // latest boundaries version; 0 when never answered
	Missing   []string // beats not answered at their current revision
	Discuss   []string // beats the performer wants to discuss
	Withdrawn []string // beats whose consent was withdrawn
	Agreed    []string // beats answered yes
	Refused   []string // beats answered no
	Garments  bool     // garment and barrier preferences given
	Body      bool     // body notes given
}

// Confirmed reports whether every beat involving the performer has a yes
// or no to its current revision, with nothing to discuss or withdrawn.
func (c consentState) Confirmed() bool {
	return len(c.Missing) == 0 && len(c.Discuss) == 0 && len(c.Withdrawn) == 0
}

// consentOf works out a performer's consent from their latest boundaries
// (nil when they never answered).
func consentOf(sc *Scene, performer UserID, bd *Boundaries) consentState {
	c := consentState{Performer: performer}
	if bd != nil {
		c.Version, c.Garments, c.Body = bd.Version, bd.Garments != "", bd.Body != ""
	}
	for _, b := range sc.Beats {
		if !b.Involves(performer) {
			continue
		}
		if bd != nil && bd.withdrew(b.ID) {
			c.Withdrawn = append(c.Withdrawn, b.ID)
			continue
		}
		var a Answer
		ok := false
		if bd != nil {
			a, ok = bd.answerTo(b)
		}
		switch {
		case !ok:
			c.Missing = append(c.Missing, b.ID)
		case a == AnswerDiscuss:
			c.Discuss = append(c.Discuss, b.ID)
		case a == AnswerYes:
			c.Agreed = append(c.Agreed, b.ID)
		default:
			c.Refused = append(c.Refused, b.ID)
		}
	}
	return c
}

// riderView is a performer's rider as it stands for a scene now.
type riderView struct {
	Performer UserID
	Rider     *Rider     // nil when none was recorded
	State     RiderState // none, drafted, sent, signed or needs amendment
	Deadline  time.Time  // call time minus the rider notice
	// Late says why the rider misses the notice, "" when it does not.
	Late string
}

// Ready reports whether the rider is signed, covers the scene's current
// scope, and reached the performer in time.
func (r riderView) Ready() bool { return r.State == RiderSigned && r.Late == "" }

// riderOf works out a rider's state against the scene and the notice.
func (b *Bot) riderOf(sc *Scene, performer UserID, r *Rider, now time.Time) riderView {
	v := riderView{Performer: performer, Rider: r, State: RiderNone, Deadline: sc.Call.Add(-b.riderNotice)}
	if r != nil {
		v.State = r.State
		if r.State == RiderSigned && r.Scope < sc.Scope {
			v.State = RiderAmend
		}
	}
	sent := time.Time{}
	if r != nil {
		sent = r.SentAt
		if sent.IsZero() && r.State == RiderSigned {
			sent = r.SignedAt
		}
	}
	switch {
	case v.State == RiderSigned && !sent.IsZero() && sent.After(v.Deadline):
		v.Late = fmt.Sprintf("it reached them on %s, less than %s before the call", b.fmtTime(sent), noticeLength(b.riderNotice))
	case v.State != RiderSigned && now.After(v.Deadline):
		v.Late = fmt.Sprintf("the %s deadline (%s) has passed", noticeAdjective(b.riderNotice), b.fmtTime(v.Deadline))
	}
	return v
}

// The rider notice is said in hours below four days ("48 hours", as the
// union rules say it) and in days from there when it is whole days ("5
// days"); as a modifier it takes a hyphen: "the 48-hour deadline".
func noticeLength(d time.Duration) string {
	n, unit, ok := noticeUnits(d)
	if !ok {
		return fmtDuration(d)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// noticeAdjective is noticeLength before a noun: "48-hour", "5-day".
func noticeAdjective(d time.Duration) string {
	n, unit, ok := noticeUnits(d)
	if !ok {
		return fmtDuration(d)
	}
	return fmt.Sprintf("%d-%s", n, unit)
}

func noticeUnits(d time.Duration) (int, string, bool) {
	const day = 24 * time.Hour
	switch {
	case d >= 4*day && d%day == 0:
		return int(d / day), "day", true
	case d >= 2*time.Hour && d%time.Hour == 0:
		return int(d / time.Hour), "hour", true
	}
	return 0, "", false
}

// readiness is a scene's consent and riders, per performer.
type readiness struct {
	consent []consentState
	riders  []riderView
}

func (b *Bot) readinessOf(tx Tx, sc *Scene, now time.Time) (readiness, error) {
	var r readiness
	for _, p := range sc.Performers {
		bd, err := tx.Boundaries(sc.ID, p)
		var bp *Boundaries
		switch {
		case err == nil:
			bp = &bd
		case ErrorCode(err) != ENOTFOUND:
			return r, err
		}
		r.consent = append(r.consent, consentOf(sc, p, bp))
		rd, err := tx.Rider(sc.ID, p)
		var rp *Rider
		switch {
		case err == nil:
			rp = &rd
		case ErrorCode(err) != ENOTFOUND:
			return r, err
		}
		r.riders = append(r.riders, b.riderOf(sc, p, rp, now))
	}
	return r, nil
}

// gap is one thing missing before a closed set may start, said in full
// for the IC and without private detail for everyone else.
type gap struct {
	detail  string // for the IC: which beats, which dates; "" when none
	summary string // for the AD and others: no answers, no dates; "" when none
}

// details and summaries are the lines of gaps each audience reads.
func details(gaps []gap) []string   { return gapLines(gaps, func(g gap) string { return g.detail }) }
func summaries(gaps []gap) []string { return gapLines(gaps, func(g gap) string { return g.summary }) }

func gapLines(gaps []gap, line func(gap) string) []string {
	var out []string
	for _, g := range gaps {
		if l := line(g); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// consentGaps lists what stops the scene's consent from being complete.
// The IC reads each performer's gap; everyone else reads the consent gaps
// as one count that names nobody (who withdrew or has not confirmed is
// theirs and the IC's), and the riders by status.
func (b *Bot) consentGaps(tx Tx, sc *Scene, rd readiness) ([]gap, error) {
	gaps, err := boundaryGaps(tx, sc, rd)
	if err != nil {
		return nil, err
	}
	riders, err := riderGaps(tx, sc, rd)
	return append(gaps, riders...), err
}

// boundaryGaps are the performers' unconfirmed boundaries: one gap each
// for the IC, and one count that names nobody for everyone else.
func boundaryGaps(tx Tx, sc *Scene, rd readiness) ([]gap, error) {
	var gaps []gap
	open, withdrawn := 0, 0
	for _, c := range rd.consent {
		var parts []string
		if len(c.Withdrawn) > 0 {
			parts = append(parts, "withdrew consent to "+strings.Join(c.Withdrawn, ", "))
		}
		if len(c.Missing) > 0 {
			parts = append(parts, "has not answered "+strings.Join(c.Missing, ", "))
		}
		if len(c.Discuss) > 0 {
			parts = append(parts, "wants to discuss "+strings.Join(c.Discuss, ", "))
		}
		if len(parts) == 0 {
			continue
		}
		p, err := personOf(tx, c.Performer)
		if err != nil {
			return nil, err
		}
		open++
		if len(c.Withdrawn) > 0 {
			withdrawn++
		}
		gaps = append(gaps, gap{
			detail: fmt.Sprintf("%s %s (/boundaries request %s)", p.Handle(), strings.Join(parts, "; "), sc.ID),
		})
	}
	if open > 0 {
		summary := fmt.Sprintf("boundaries not confirmed by %d of %d performers", open, len(rd.consent))
		if withdrawn > 0 {
			summary += fmt.Sprintf(", consent withdrawn by %d", withdrawn)
		}
		gaps = append(gaps, gap{summary: summary + " (talk to the IC)"})
	}
	return gaps, nil
}

// riderGaps are the riders not ready: dates for the IC, status for others.
func riderGaps(tx Tx, sc *Scene, rd readiness) ([]gap, error) {
	var gaps []gap
	for _, r := range rd.riders {
		if r.Ready() {
			continue
		}
		p, err := personOf(tx, r.Performer)
		if err != nil {
			return nil, err
		}
		var detail, summary string
		switch r.State {
		case RiderNone:
			detail, summary = "no rider recorded", "no rider"
		case RiderDrafted, RiderSent:
			detail, summary = "rider "+string(r.State)+", not signed", "rider not signed"
		case RiderAmend:
			detail, summary = "rider signed for an earlier version of the scene: it needs amendment", "rider needs amendment"
		case RiderSigned:
			detail, summary = "rider signed", "rider late"
		}
		if r.Late != "" {
			detail += "; " + r.Late
			if r.State != RiderSigned {
				summary += ", deadline passed"
			}
		}
		gaps = append(gaps, gap{
			detail:  fmt.Sprintf("%s: %s (/rider status %s)", p.Handle(), detail, sc.ID),
			summary: p.Handle() + ": " + summary,
		})
	}
	return gaps, nil
}

// countsText is /boundaries status: counts only.
func countsText(sc *Scene, rd readiness) string {
	confirmed, waiting, discuss, withdrawn := 0, 0, 0, 0
	for _, c := range rd.consent {
		switch {
		case len(c.Withdrawn) > 0:
			withdrawn++
		case c.Confirmed():
			confirmed++
		case len(c.Discuss) > 0:
			discuss++
		default:
			waiting++
		}
	}
	signed := 0
	for _, r := range rd.riders {
		if r.Ready() {
			signed++
		}
	}
	n := len(rd.consent)
	if _, held := sc.ActiveHold(); held {
		// A withdrawal puts the scene on hold: those who read counts hear
		// only of the hold, as from any other, until the IC lifts it.
		return fmt.Sprintf("Scene %s is on hold: talk to the IC. Its consent counts show again when the hold is lifted. Riders signed and in time %d of %d.", sc.ID, signed, n)
	}
	return fmt.Sprintf("Scene %s: boundaries confirmed %d of %d; waiting for answers %d; to discuss with the IC %d; withdrawn %d. Riders signed and in time %d of %d.",
		sc.ID, confirmed, n, waiting, discuss, withdrawn, signed, n)
}

// involvedPerformers lists the scene's performers a beat involves.
func involvedPerformers(sc *Scene, b Beat) []UserID {
	return slices.DeleteFunc(slices.Clone(sc.Performers), func(u UserID) bool { return !b.Involves(u) })
}
