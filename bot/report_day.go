package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The end-of-day report is one day of the production's record, in the
// production's zone: the scenes shot and their closed sets, consent
// changes, riders, rehearsals and takes, and what carries into tomorrow.
// It is built for one audience through the need-to-know gate, part by
// part as the scene record is (record_export.go): the IC reads it all;
// the AD and the producer read the counts and the top-line level, never
// an answer, who called a hold or why, an override's reason, or what a
// rehearsal or take record says. It goes to the IC, the ADs and the
// producers at the production's wrap time (RemindDayReport), and to any
// of them on /report day.

// DaySchema names the JSON form of the end-of-day report: DayReport, as
// its fields are tagged. A change that a reader of an earlier report
// would misread gets a new version.
const DaySchema = "icbot.day/1"

// dayRoles are the audiences of the end-of-day report, widest first: a
// person holding several reads the first of them they hold.
var dayRoles = []Role{RoleIC, RoleAD, RoleProducer}

// dayAudienceOf is the version of the report person p reads; false when
// it is none of theirs.
func dayAudienceOf(p Person) (Audience, bool) {
	for _, r := range dayRoles {
		if p.Has(r) {
			return Audience{Role: r}, true
		}
	}
	return Audience{}, false
}

// ParseDayAudience reads the audience of an end-of-day report: ic, ad
// or producer.
func ParseDayAudience(s string) (Audience, error) {
	aud, err := ParseAudience(s)
	if err != nil || !slices.Contains(dayRoles, aud.Role) {
		return Audience{}, Errorf(EINVALID, "the end-of-day report is made for ic, ad or producer, not %q", s)
	}
	return aud, nil
}

// Day is one calendar day in the production's zone, from its midnight to
// the next (23 or 25 hours on a clock-change day).
type Day struct {
	Date       string // YYYY-MM-DD
	Start, End time.Time
}

func (d Day) contains(t time.Time) bool { return !t.Before(d.Start) && t.Before(d.End) }

// dayOf is the day of t in zone.
func dayOf(t time.Time, zone *time.Location) Day {
	w := wallOf(t, zone)
	start := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	return Day{Date: start.Format(time.DateOnly), Start: placeWall(start, zone), End: placeWall(start.AddDate(0, 0, 1), zone)}
}

// dayUsage says how a day is typed.
const dayUsage = `today (when left out), yesterday, -2d (2 days ago) or a date such as 2026-11-30, up to today`

// ParseDay reads the day of an end-of-day report: "" or "today",
// "yesterday", "tomorrow", "-2d", "+1d", or "YYYY-MM-DD", in the
// production's zone. A weekday's name is refused: a report looks back,
// where other commands read "fri" as the next Friday.
func (b *Bot) ParseDay(s string) (Day, error) {
	d, err := b.parseDay(s)
	if err == nil && d.Start.After(b.now()) {
		return Day{}, Errorf(EINVALID, "%s is still to come: a day's report is of today or a day before it", fmtDate(d.Date))
	}
	return d, err
}

func (b *Bot) parseDay(s string) (Day, error) {
	now := b.now()
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		s = "today"
	}
	if wall, err := time.Parse(time.DateOnly, s); err == nil {
		if wall.Year() < minCallYear || wall.Year() > maxCallYear {
			return Day{}, Errorf(EINVALID, "date %q is out of range: a date is between %d and %d", s, minCallYear, maxCallYear)
		}
		return dayOf(placeWall(wall.Add(12*time.Hour), b.zone), b.zone), nil
	}
	if wd, weekday := weekdays[s]; weekday {
		ex := now.In(b.zone).AddDate(0, 0, -1).Format(time.DateOnly)
		return Day{}, Errorf(EINVALID, "%q could be last or next %s: give the date, such as %s, or a day counted from today: %s", s, wd, ex, dayUsage)
	}
	shift, ok := b.daysFromToday(s, now)
	if !ok {
		return Day{}, Errorf(EINVALID, "bad date %q: write %s", s, dayUsage)
	}
	w := wallOf(now, b.zone)
	noon := time.Date(w.Year(), w.Month(), w.Day()+shift, 12, 0, 0, 0, time.UTC)
	if noon.Year() < minCallYear || noon.Year() > maxCallYear {
		return Day{}, Errorf(EINVALID, "date %q is out of range: a date is between %d and %d", s, minCallYear, maxCallYear)
	}
	return dayOf(placeWall(noon, b.zone), b.zone), nil
}

// DayReport is the end-of-day report for one audience. Parts the
// audience may not read are empty and named in Withheld; the counts are
// for every audience.
type DayReport struct {
	RecordHead
	Date       string         `json:"date"` // YYYY-MM-DD, in the production's zone
	Counts     DayCounts      `json:"counts"`
	Scenes     []DayScene     `json:"scenes"`
	Consent    []DayConsent   `json:"consent_changes"`
	Riders     []DayRider     `json:"riders"`
	Rehearsals []DayRehearsal `json:"rehearsals"`
	Takes      []DayTake      `json:"takes"`
	Tomorrow   DayCarry       `json:"tomorrow"`
	// Withheld names what the report leaves out for its audience.
	Withheld []string `json:"withheld"`
}

// DayCounts are the day's totals, the top line every audience reads.
type DayCounts struct {
	Scenes         int `json:"scenes_shot"`
	Sessions       int `json:"closed_sets"`
	Holds          int `json:"holds"`
	Overrides      int `json:"overridden_starts"`
	ConsentChanges int `json:"consent_changes"`
	Withdrawals    int `json:"withdrawals"`
	RidersSent     int `json:"riders_sent"`
	RidersSigned   int `json:"riders_signed"`
	RidersOverdue  int `json:"riders_overdue"`
	Rehearsals     int `json:"rehearsals"`
	Takes          int `json:"takes"`
	AuditRecords   int `json:"audit_records"`
}

// DayScene is a scene shot that day: a closed set ran or a hold was
// called or lifted.
type DayScene struct {
	ID       SceneID      `json:"id"`
	Title    string       `json:"title"`
	Call     string       `json:"call"`
	Status   Status       `json:"status"`
	Sessions []DaySession `json:"closed_sets"`
	Holds    []HoldRecord `json:"holds"`
}

// DaySession is one closed set that ran that day.
type DaySession struct {
	Seq       uint64         `json:"seq"`
	StartedAt string         `json:"started_at"`
	StartedBy string         `json:"started_by"`
	EndedAt   string         `json:"ended_at,omitempty"`
	EndedBy   string         `json:"ended_by,omitempty"`
	Roster    []RosterRecord `json:"roster"`
	// Acked is how many on the roster acknowledged the device policy.
	Acked int `json:"device_acks"`
	// Overridden says the IC started it over missing items; Override
	// is their reason, the IC's alone.
	Overridden bool   `json:"overridden"`
	Override   string `json:"override_reason,omitempty"`
}

// DayConsent is one change to a performer's boundaries that day: for
// the IC (and the performer) only.
type DayConsent struct {
	Scene     SceneID        `json:"scene"`
	Performer string         `json:"performer"`
	At        string         `json:"at"`
	Withdrew  bool           `json:"withdrawal"`
	Version   int            `json:"version,omitempty"`
	Answers   []AnswerRecord `json:"answers,omitempty"`
	Withdrawn []string       `json:"withdrawn,omitempty"`
	Notes     string         `json:"notes,omitempty"`
}

// DayRider is a rider's news: sent, signed or overdue that day, or, in
// what carries into tomorrow, not signed yet (its state). The date is
// the IC's alone.
type DayRider struct {
	Scene     SceneID `json:"scene"`
	Performer string  `json:"performer"`
	Event     string  `json:"event"` // sent, signed, overdue; or the state of an unsigned rider
	At        string  `json:"at,omitempty"`
}

// DayRehearsal is a rehearsal's record: for the IC (and the director).
type DayRehearsal struct {
	Scene       SceneID      `json:"scene"`
	Seq         int          `json:"seq"`
	At          string       `json:"at"`
	Present     []string     `json:"present,omitempty"`
	Beats       []string     `json:"beats,omitempty"`
	Explored    []string     `json:"explored,omitempty"`
	Changes     string       `json:"changes,omitempty"`
	Confirmed   []string     `json:"confirmed,omitempty"`
	Unconfirmed []string     `json:"unconfirmed,omitempty"`
	Disputed    []DayDispute `json:"disputed,omitempty"`
}

// DayDispute is a performer's saying a rehearsal's record is wrong.
type DayDispute struct {
	Performer string `json:"performer"`
	Note      string `json:"note,omitempty"`
}

// DayTake is one take noted that day: for the IC (and the director).
type DayTake struct {
	Scene   SceneID `json:"scene"`
	Seq     int     `json:"seq"`
	Session uint64  `json:"session,omitempty"`
	Beat    string  `json:"beat"`
	Choreo  int     `json:"choreography_version,omitempty"`
	Drifted bool    `json:"drifted"`
	Note    string  `json:"note,omitempty"`
	At      string  `json:"at"`
}

// DayCarry is what carries into the next day.
type DayCarry struct {
	Date string `json:"date"`
	// Scenes are the next day's scenes that are not ready, and why.
	Scenes []DayNotReady `json:"scenes_not_ready"`
	// Holds are the holds in force, on any scene.
	Holds []DayHold `json:"holds_in_force"`
	// Riders are the unsigned riders of scenes still to be shot.
	Riders []DayRider `json:"riders_unsigned"`
	// Rehearsals are those whose record some present performer has not
	// confirmed or says is wrong; OpenRehearsals counts them for all.
	Rehearsals     []DayRehearsal `json:"rehearsals_open,omitempty"`
	OpenRehearsals int            `json:"rehearsals_open_count"`
}

// DayNotReady is one of the next day's scenes not ready.
type DayNotReady struct {
	ID     SceneID  `json:"id"`
	Title  string   `json:"title"`
	Call   string   `json:"call"`
	Status Status   `json:"status"`
	Why    []string `json:"why"`
}

// DayHold is a hold in force.
type DayHold struct {
	Scene SceneID `json:"scene"`
	HoldRecord
}

// Empty reports whether nothing was recorded that day and nothing
// carries into the next: the wrap-time report is then not sent.
func (r DayReport) Empty() bool {
	c := r.Counts
	c.AuditRecords = 0
	t := r.Tomorrow
	return c == (DayCounts{}) && len(t.Scenes) == 0 && len(t.Holds) == 0 && len(t.Riders) == 0 && t.OpenRehearsals == 0
}

// dayPart is one part of the report: the class its audience must read,
// and how to fill it in. Within a part, what is about one performer or
// one hold's caller is gated again with them as the subject.
type dayPart struct {
	class Class
	fill  func(x *dayBuilder) error
}

var dayParts = []dayPart{
	{class: ClassRoster, fill: (*dayBuilder).shot},
	{class: ClassReadiness, fill: (*dayBuilder).consent},
	{class: ClassReadiness, fill: (*dayBuilder).riders},
	{class: ClassReadiness, fill: (*dayBuilder).rehearsals},
	{class: ClassReadiness, fill: (*dayBuilder).takes},
	{class: ClassReadiness, fill: (*dayBuilder).tomorrow},
}

// dayWithheld name what a report leaves out when its audience may not
// read it.
var dayWithheld = []struct {
	class Class
	label string
}{
	{ClassRoster, ClassRoster.String()},
	{ClassReadiness, ClassReadiness.String()},
	{ClassHoldCaller, "who called each hold and why"},
	{classOverride, "closed-set override reasons"},
	{ClassBoundaries, "boundaries (answers and notes)"},
	{ClassRiderDetail, "rider dates"},
	{ClassRehearsal, ClassRehearsal.String()},
	{ClassTakes, ClassTakes.String()},
}

// dayBuilder builds one report in one transaction.
type dayBuilder struct {
	b      *Bot
	tx     Tx
	reader Person
	day    Day
	now    time.Time
	scenes []Scene // every scene, in script order
	rep    DayReport
	names  map[UserID]string
	// history is each performer's boundaries versions by scene, read
	// once: a day's answers are often several versions of the same.
	history map[[2]string][]Boundaries
	// usedVersions is the last version each change was matched to.
	usedVersions map[[2]string]int
}

func (x *dayBuilder) may(c Class, sc *Scene, subject UserID) bool {
	return x.b.gate.mayRead(x.reader, c, about{scene: sc}, subject)
}

func (x *dayBuilder) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// handle names a person, reading each once.
func (x *dayBuilder) handle(id UserID) (string, error) {
	if h, ok := x.names[id]; ok {
		return h, nil
	}
	p, err := personOf(x.tx, id)
	if err != nil {
		return "", err
	}
	x.names[id] = p.Handle()
	return x.names[id], nil
}

func (x *dayBuilder) handles(ids []UserID) ([]string, error) {
	var out []string
	for _, id := range ids {
		h, err := x.handle(id)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// DayReport builds the end-of-day report of day for aud.
func (b *Bot) DayReport(ctx context.Context, day Day, aud Audience) (DayReport, error) {
	var out DayReport
	err := b.store.View(ctx, func(tx Tx) error {
		var err error
		out, err = b.dayReport(tx, day, aud)
		return err
	})
	return out, err
}

func (b *Bot) dayReport(tx Tx, day Day, aud Audience) (DayReport, error) {
	if !slices.Contains(dayRoles, aud.Role) {
		return DayReport{}, Errorf(EINVALID, "the end-of-day report is for the IC, the AD and the producer, not %s", aud)
	}
	reader, head, err := b.recordHead(tx, aud, DaySchema)
	if err != nil {
		return DayReport{}, err
	}
	scenes, err := tx.Scenes()
	if err != nil {
		return DayReport{}, err
	}
	slices.SortFunc(scenes, func(a, b Scene) int { return compareSceneIDs(a.ID, b.ID) })
	x := &dayBuilder{b: b, tx: tx, reader: reader, day: day, now: b.now(), scenes: scenes,
		names: map[UserID]string{}, history: map[[2]string][]Boundaries{}, usedVersions: map[[2]string]int{}}
	x.rep = DayReport{RecordHead: head, Date: day.Date, Scenes: []DayScene{}, Consent: []DayConsent{}, Riders: []DayRider{},
		Rehearsals: []DayRehearsal{}, Takes: []DayTake{}, Withheld: []string{},
		Tomorrow: DayCarry{Scenes: []DayNotReady{}, Holds: []DayHold{}, Riders: []DayRider{}}}
	for _, part := range dayParts {
		if x.may(part.class, nil, "") {
			if err := part.fill(x); err != nil {
				return x.rep, err
			}
		}
	}
	for _, w := range dayWithheld {
		if !x.may(w.class, nil, "") {
			x.rep.Withheld = append(x.rep.Withheld, w.label)
		}
	}
	return x.rep, nil
}

// shot are the scenes shot that day: each closed set that ran in it,
// with its roster and acknowledgements, and each hold called or lifted.
func (x *dayBuilder) shot() error {
	for i := range x.scenes {
		sc := &x.scenes[i]
		ds := DayScene{ID: sc.ID, Title: sc.Title, Call: x.when(sc.Call), Status: sc.EffectiveStatus(), Sessions: []DaySession{}, Holds: []HoldRecord{}}
		if sc.Sessions > sc.PastSessions {
			all, err := x.tx.Sessions(sc.ID)
			if err != nil {
				return err
			}
			for j := range all {
				s := &all[j]
				if s.Seq <= sc.PastSessions || !s.StartedAt.Before(x.day.End) || (!s.Running() && s.EndedAt.Before(x.day.Start)) {
					continue
				}
				d, err := x.session(sc, s)
				if err != nil {
					return err
				}
				ds.Sessions = append(ds.Sessions, d)
			}
		}
		for _, h := range sc.Holds {
			if !x.day.contains(h.At) && !x.day.contains(h.LiftedAt) {
				continue
			}
			r, err := x.hold(sc, h)
			if err != nil {
				return err
			}
			ds.Holds = append(ds.Holds, r)
		}
		if len(ds.Sessions) == 0 && len(ds.Holds) == 0 {
			continue
		}
		c := &x.rep.Counts
		if len(ds.Sessions) > 0 {
			c.Scenes++ // shot: a closed set ran that day; a hold alone is listed, not counted
		}
		c.Sessions += len(ds.Sessions)
		c.Holds += len(ds.Holds)
		for _, s := range ds.Sessions {
			if s.Overridden {
				c.Overrides++
			}
		}
		x.rep.Scenes = append(x.rep.Scenes, ds)
	}
	return nil
}

func (x *dayBuilder) session(sc *Scene, s *Session) (DaySession, error) {
	d := DaySession{Seq: s.Seq, StartedAt: x.when(s.StartedAt), EndedAt: x.when(s.EndedAt), Roster: []RosterRecord{}, Overridden: s.Override != ""}
	var err error
	if d.StartedBy, err = x.handle(s.StartedBy); err != nil {
		return d, err
	}
	if !s.Running() {
		if d.EndedBy, err = x.handle(s.EndedBy); err != nil {
			return d, err
		}
	}
	for _, m := range s.Roster {
		h, err := x.handle(m.User)
		if err != nil {
			return d, err
		}
		d.Roster = append(d.Roster, RosterRecord{Person: h, Role: m.Role, AckedAt: x.when(m.AckedAt)})
		if !m.AckedAt.IsZero() {
			d.Acked++
		}
	}
	if x.may(classOverride, sc, "") {
		d.Override = s.Override
	}
	return d, nil
}

// hold is a hold's times for all; who called it and why for the IC.
func (x *dayBuilder) hold(sc *Scene, h Hold) (HoldRecord, error) {
	r := HoldRecord{Seq: h.Seq, At: x.when(h.At), Session: h.Session, LiftedAt: x.when(h.LiftedAt)}
	if !x.may(ClassHoldCaller, sc, h.CalledBy) {
		return r, nil
	}
	var err error
	if r.CalledBy, err = x.handle(h.CalledBy); err != nil {
		return r, err
	}
	if !h.Active() {
		if r.LiftedBy, err = x.handle(h.LiftedBy); err != nil {
			return r, err
		}
	}
	r.Reason = h.Reason
	return r, nil
}

// consent walks the day's audit trail, newest first, for the changes to
// boundaries: counted for all, told in full, from the boundaries
// history, to those who may read the performer's boundaries.
func (x *dayBuilder) consent() error {
	reader, ok := AuditReaderOf(x.tx)
	if !ok {
		return nil // a store without a readable trail: no consent news
	}
	var changes []AuditRecord
	for r, err := range reader.AuditNewestFirst() {
		if err != nil {
			return err
		}
		if r.Time.Before(x.day.Start) {
			break
		}
		if !r.Time.Before(x.day.End) {
			continue
		}
		x.rep.Counts.AuditRecords++
		if r.Action == "boundaries.answer" || r.Action == "boundaries.withdraw" {
			changes = append(changes, r)
		}
	}
	slices.Reverse(changes) // oldest first
	for _, r := range changes {
		x.rep.Counts.ConsentChanges++
		withdrew := r.Action == "boundaries.withdraw"
		if withdrew {
			x.rep.Counts.Withdrawals++
		}
		sc := x.scene(r.Scene)
		if !x.may(ClassBoundaries, sc, r.Actor) {
			continue
		}
		c, err := x.consentChange(r, withdrew)
		if err != nil {
			return err
		}
		x.rep.Consent = append(x.rep.Consent, c)
	}
	return nil
}

func (x *dayBuilder) consentChange(r AuditRecord, withdrew bool) (DayConsent, error) {
	h, err := x.handle(r.Actor)
	if err != nil {
		return DayConsent{}, err
	}
	c := DayConsent{Scene: r.Scene, Performer: h, At: x.when(r.Time), Withdrew: withdrew}
	k := [2]string{string(r.Scene), string(r.Actor)}
	versions, seen := x.history[k]
	if !seen {
		if versions, err = x.tx.BoundariesHistory(r.Scene, r.Actor); err != nil && ErrorCode(err) != ENOTFOUND {
			return c, err
		}
		x.history[k] = versions
	}
	// The trail keeps its times to the second: two answers in one
	// second are told apart by taking the versions in turn, each once.
	used := x.usedVersions[k]
	i := slices.IndexFunc(versions, func(v Boundaries) bool {
		return v.Version > used && v.At.Truncate(time.Second).Equal(r.Time.Truncate(time.Second))
	})
	if i < 0 {
		return c, nil // the scene was removed since
	}
	v := versions[i]
	x.usedVersions[k] = v.Version
	c.Version, c.Notes, c.Withdrawn = v.Version, v.Notes, v.Withdrawn
	for _, a := range v.Answers {
		c.Answers = append(c.Answers, AnswerRecord{Beat: a.Beat, Answer: string(a.Answer)})
	}
	return c, nil
}

// scene is the scene with id, nil when removed.
func (x *dayBuilder) scene(id SceneID) *Scene {
	i := slices.IndexFunc(x.scenes, func(s Scene) bool { return s.ID == id })
	if i < 0 {
		return nil
	}
	return &x.scenes[i]
}

// riders are the riders sent, signed, and fallen overdue that day: the
// performer and the news for those who read readiness, the time for
// those who read the rider's detail.
func (x *dayBuilder) riders() error {
	upTo := minTime(x.day.End, x.now)
	for i := range x.scenes {
		sc := &x.scenes[i]
		riders, err := x.tx.Riders(sc.ID)
		if err != nil {
			return err
		}
		deadline := sc.Call.Add(-x.b.riderNotice)
		for _, p := range sc.Performers {
			j := slices.IndexFunc(riders, func(r Rider) bool { return r.Performer == p })
			var r *Rider
			if j >= 0 {
				r = &riders[j]
			}
			var events []DayRider
			if r != nil && x.day.contains(r.SentAt) {
				events = append(events, DayRider{Event: "sent", At: x.when(r.SentAt)})
			}
			if r != nil && x.day.contains(r.SignedAt) {
				events = append(events, DayRider{Event: "signed", At: x.when(r.SignedAt)})
			}
			if !deadline.Before(x.day.Start) && !deadline.After(upTo) && sc.Status != StatusWrapped &&
				(r == nil || r.SignedAt.IsZero() || r.SignedAt.After(deadline)) {
				events = append(events, DayRider{Event: "overdue", At: x.when(deadline)})
			}
			for _, e := range events {
				switch e.Event {
				case "sent":
					x.rep.Counts.RidersSent++
				case "signed":
					x.rep.Counts.RidersSigned++
				default:
					x.rep.Counts.RidersOverdue++
				}
				d, err := x.rider(sc, p, e)
				if err != nil {
					return err
				}
				x.rep.Riders = append(x.rep.Riders, d)
			}
		}
	}
	return nil
}

// rider fills in a rider's news as far as the audience may read it.
func (x *dayBuilder) rider(sc *Scene, p UserID, e DayRider) (DayRider, error) {
	e.Scene = sc.ID
	h, err := x.handle(p)
	if err != nil {
		return e, err
	}
	e.Performer = h
	if !x.may(ClassRiderDetail, sc, p) {
		e.At = ""
	}
	return e, nil
}

// rehearsals are the day's rehearsals: counted for all, told to those
// who read rehearsal records.
func (x *dayBuilder) rehearsals() error {
	for i := range x.scenes {
		sc := &x.scenes[i]
		for _, r := range sc.Rehearsals {
			if !x.day.contains(r.At) {
				continue
			}
			x.rep.Counts.Rehearsals++
			if !x.may(ClassRehearsal, sc, "") {
				continue
			}
			d, err := x.rehearsal(sc, r)
			if err != nil {
				return err
			}
			x.rep.Rehearsals = append(x.rep.Rehearsals, d)
		}
	}
	return nil
}

func (x *dayBuilder) rehearsal(sc *Scene, r Rehearsal) (DayRehearsal, error) {
	d := DayRehearsal{Scene: sc.ID, Seq: r.Seq, At: x.when(r.At), Beats: r.Beats, Changes: r.Changes}
	// Which beats were explored, and a performer's answer to the record,
	// are the IC's (and that performer's), as /rehearsal show has them.
	if x.may(ClassBoundaries, sc, "") {
		d.Explored = r.Explored
	}
	var err error
	if d.Present, err = x.handles(r.Present); err != nil {
		return d, err
	}
	for _, p := range r.Present {
		if !sc.IsPerformer(p) {
			continue
		}
		h, err := x.handle(p)
		if err != nil {
			return d, err
		}
		c, ok := r.Confirmation(p)
		switch {
		case !x.may(ClassBoundaries, sc, p):
			// The reader sees the rehearsal, not each performer's answer.
		case !ok:
			d.Unconfirmed = append(d.Unconfirmed, h)
		case c.Confirmed:
			d.Confirmed = append(d.Confirmed, h)
		default:
			d.Disputed = append(d.Disputed, DayDispute{Performer: h, Note: c.Note})
		}
	}
	return d, nil
}

// open reports whether a present performer has not confirmed the
// rehearsal's record, or says it is wrong.
func openRehearsal(sc *Scene, r Rehearsal) bool {
	return slices.ContainsFunc(r.Present, func(p UserID) bool {
		c, ok := r.Confirmation(p)
		return sc.IsPerformer(p) && (!ok || !c.Confirmed)
	})
}

// takes are the day's takes: counted for all, told to those who read
// the take log.
func (x *dayBuilder) takes() error {
	for i := range x.scenes {
		sc := &x.scenes[i]
		for _, t := range sc.Takes {
			if !x.day.contains(t.At) {
				continue
			}
			x.rep.Counts.Takes++
			if x.may(ClassTakes, sc, "") {
				x.rep.Takes = append(x.rep.Takes, DayTake{Scene: sc.ID, Seq: t.Seq, Session: t.Session, Beat: t.Beat,
					Choreo: t.Choreo, Drifted: t.Drifted, Note: t.Note, At: x.when(t.At)})
			}
		}
	}
	return nil
}

// tomorrow is what carries into the next day, as things stand now: the
// next day's scenes that are not ready and why (each gap in full for the
// IC, as a count naming nobody for others), holds in force, riders not
// signed for scenes still to be shot, and rehearsals whose record is not
// confirmed.
func (x *dayBuilder) tomorrow() error {
	next := dayOf(x.day.End.Add(time.Hour), x.b.zone)
	t := &x.rep.Tomorrow
	t.Date = next.Date
	for i := range x.scenes {
		sc := &x.scenes[i]
		if err := x.carryScene(sc, next); err != nil {
			return err
		}
		for _, h := range sc.Holds {
			if !h.Active() {
				continue
			}
			r, err := x.hold(sc, h)
			if err != nil {
				return err
			}
			t.Holds = append(t.Holds, DayHold{Scene: sc.ID, HoldRecord: r})
		}
		for _, r := range sc.Rehearsals {
			if !openRehearsal(sc, r) {
				continue
			}
			t.OpenRehearsals++
			if x.may(ClassRehearsal, sc, "") {
				d, err := x.rehearsal(sc, r)
				if err != nil {
					return err
				}
				d.Changes, d.Beats, d.Explored, d.Present, d.Confirmed = "", nil, nil, nil, nil // what is still open, not the record again
				t.Rehearsals = append(t.Rehearsals, d)
			}
		}
	}
	return nil
}

// carryScene adds the scene's unsigned riders, if it is still to be
// shot, and, if it is called on the next day and not ready, why.
func (x *dayBuilder) carryScene(sc *Scene, next Day) error {
	if !upcoming(sc, x.now) && !next.contains(sc.Call) {
		return nil
	}
	rd, err := x.b.readinessOf(x.tx, sc, x.now)
	if err != nil {
		return err
	}
	t := &x.rep.Tomorrow
	if upcoming(sc, x.now) {
		for _, r := range rd.riders {
			if r.State == RiderSigned {
				continue
			}
			d, err := x.rider(sc, r.Performer, DayRider{Event: string(r.State), At: x.when(r.Deadline)})
			if err != nil {
				return err
			}
			t.Riders = append(t.Riders, d)
		}
	}
	if !next.contains(sc.Call) {
		return nil
	}
	gaps, err := x.b.consentGaps(x.tx, sc, rd)
	if err != nil {
		return err
	}
	_, held := sc.ActiveHold()
	if !held && len(details(gaps)) == 0 {
		return nil
	}
	why := summaries(gaps)
	if x.may(ClassBoundaries, sc, "") && x.may(ClassRiderDetail, sc, "") {
		why = details(gaps)
	}
	if held {
		why = append([]string{"the scene is on hold"}, why...)
	}
	t.Scenes = append(t.Scenes, DayNotReady{ID: sc.ID, Title: sc.Title, Call: x.when(sc.Call), Status: sc.EffectiveStatus(), Why: nonNil(why)})
	return nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Markdown writes the report for reading, in chat as in a file.
func (r DayReport) Markdown(b *Bot) string {
	w := &dayMarkdown{b: b}
	day, _ := time.Parse(time.DateOnly, r.Date)
	fmt.Fprintf(&w.s, "# %s: end-of-day report, %s\n\n", r.Production, day.Format("Mon 2 Jan 2006"))
	writeHeadMarkdown(&w.s, b, r.RecordHead)
	c := r.Counts
	fmt.Fprintf(&w.s, "## The day in numbers\n\n- Scenes shot: %d; closed sets: %d (%d started over missing items); holds: %d\n"+
		"- Consent changes: %d (withdrawals: %d)\n- Riders sent: %d; signed: %d; overdue: %d\n- Rehearsals: %d; takes: %d\n- Audit records: %d\n\n",
		c.Scenes, c.Sessions, c.Overrides, c.Holds, c.ConsentChanges, c.Withdrawals, c.RidersSent, c.RidersSigned, c.RidersOverdue, c.Rehearsals, c.Takes, c.AuditRecords)
	if r.Empty() {
		w.s.WriteString("Nothing recorded that day, and nothing carries into the next.\n\n")
	}
	w.scenes(r.Scenes)
	w.consent(r.Consent)
	w.riders(r.Riders)
	w.rehearsals(r.Rehearsals)
	w.takes(r.Takes)
	w.carry(r.Tomorrow)
	if len(r.Withheld) > 0 {
		fmt.Fprintf(&w.s, "Left out for this audience: %s.\n", strings.Join(r.Withheld, ", "))
	}
	return strings.TrimRight(w.s.String(), "\n") + "\n"
}

// dayMarkdown writes a report's parts.
type dayMarkdown struct {
	b *Bot
	s strings.Builder
}

// at and clock show a report's time, in full or as the time of day.
func (w *dayMarkdown) at(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "-"
	}
	return w.b.fmtTime(t)
}

func (w *dayMarkdown) clock(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return "-"
	}
	return w.b.fmtClock(t)
}

func (w *dayMarkdown) scenes(scenes []DayScene) {
	if len(scenes) > 0 {
		w.s.WriteString("## Scenes shot\n\n")
	}
	for _, sc := range scenes {
		fmt.Fprintf(&w.s, "### Scene %s: %s\n\n- Call: %s. Status: %s.\n", sc.ID, mdText(sc.Title), w.at(sc.Call), sc.Status)
		for _, ss := range sc.Sessions {
			w.session(ss)
		}
		for _, h := range sc.Holds {
			lifted := "in force"
			if h.LiftedAt != "" {
				lifted = "lifted " + w.at(h.LiftedAt)
			}
			line := fmt.Sprintf("- Hold %d: called %s, %s", h.Seq, w.at(h.At), lifted)
			if h.CalledBy != "" {
				line += fmt.Sprintf("; called by %s, reason: %s", h.CalledBy, mdText(cmp.Or(h.Reason, "none given")))
			}
			w.s.WriteString(line + ".\n")
		}
		w.s.WriteString("\n")
	}
}

func (w *dayMarkdown) session(ss DaySession) {
	end := "still open"
	if ss.EndedAt != "" {
		end = "ended " + w.at(ss.EndedAt) + " by " + ss.EndedBy
	}
	fmt.Fprintf(&w.s, "- Closed set %d: started %s by %s, %s. Device policy acknowledged by %d of %d.\n", ss.Seq, w.at(ss.StartedAt), ss.StartedBy, end, ss.Acked, len(ss.Roster))
	var roster []string
	for _, m := range ss.Roster {
		ack := "not acknowledged"
		if m.AckedAt != "" {
			ack = "acknowledged " + w.clock(m.AckedAt)
		}
		roster = append(roster, fmt.Sprintf("%s (%s, %s)", m.Person, m.Role, ack))
	}
	fmt.Fprintf(&w.s, "  - Roster: %s\n", cmp.Or(strings.Join(roster, "; "), "nobody"))
	switch {
	case ss.Override != "":
		fmt.Fprintf(&w.s, "  - Started over missing items; the IC's reason: %s\n", mdText(ss.Override))
	case ss.Overridden:
		w.s.WriteString("  - Started over missing items, on the IC's written reason.\n")
	}
}

func (w *dayMarkdown) consent(cs []DayConsent) {
	if len(cs) == 0 {
		return
	}
	w.s.WriteString("## Consent changes\n\n")
	for _, cc := range cs {
		what := fmt.Sprintf("boundaries version %d", cc.Version)
		if cc.Withdrew {
			what = fmt.Sprintf("withdrew consent (boundaries version %d)", cc.Version)
		}
		var ans []string
		for _, a := range cc.Answers {
			ans = append(ans, a.Beat+" "+a.Answer)
		}
		line := fmt.Sprintf("- Scene %s, %s, %s: %s", cc.Scene, cc.Performer, w.at(cc.At), what)
		if len(ans) > 0 {
			line += "; answers: " + strings.Join(ans, ", ")
		}
		if len(cc.Withdrawn) > 0 {
			line += "; withdrawn: " + strings.Join(cc.Withdrawn, ", ")
		}
		if cc.Notes != "" {
			line += "; notes: " + mdText(cc.Notes)
		}
		w.s.WriteString(line + "\n")
	}
	w.s.WriteString("\n")
}

func (w *dayMarkdown) riders(rs []DayRider) {
	if len(rs) == 0 {
		return
	}
	w.s.WriteString("## Riders\n\n")
	for _, rd := range rs {
		w.s.WriteString(riderNews(rd, w.at) + "\n")
	}
	w.s.WriteString("\n")
}

func (w *dayMarkdown) rehearsals(rs []DayRehearsal) {
	if len(rs) == 0 {
		return
	}
	w.s.WriteString("## Rehearsals\n\n")
	for _, rh := range rs {
		fmt.Fprintf(&w.s, "- Scene %s, rehearsal %d, %s: beats %s; present %s.", rh.Scene, rh.Seq, w.at(rh.At),
			cmp.Or(strings.Join(rh.Beats, ", "), "none named"), cmp.Or(strings.Join(rh.Present, ", "), "nobody named"))
		if len(rh.Explored) > 0 {
			fmt.Fprintf(&w.s, " Explored on the performers' consent: %s.", strings.Join(rh.Explored, ", "))
		}
		if rh.Changes != "" {
			fmt.Fprintf(&w.s, " Changed: %s.", mdText(rh.Changes))
		}
		c := confirmations(rh)
		w.s.WriteString(" " + strings.ToUpper(c[:1]) + c[1:] + "\n")
	}
	w.s.WriteString("\n")
}

func (w *dayMarkdown) takes(ts []DayTake) {
	if len(ts) == 0 {
		return
	}
	w.s.WriteString("## Takes\n\n")
	for _, t := range ts {
		held := "matched"
		if t.Drifted {
			held = "drifted"
		}
		choreo := "no choreography written"
		if t.Choreo > 0 {
			choreo = fmt.Sprintf("choreography version %d", t.Choreo)
		}
		fmt.Fprintf(&w.s, "- Scene %s, take %d, %s, beat %s (%s): %s. %s\n", t.Scene, t.Seq, w.clock(t.At), t.Beat, choreo, held, mdText(t.Note))
	}
	w.s.WriteString("\n")
}

func (w *dayMarkdown) carry(t DayCarry) {
	next, _ := time.Parse(time.DateOnly, t.Date)
	fmt.Fprintf(&w.s, "## Carried into %s\n\n", next.Format("Mon 2 Jan 2006"))
	if len(t.Scenes) == 0 && len(t.Holds) == 0 && len(t.Riders) == 0 && t.OpenRehearsals == 0 {
		w.s.WriteString("Nothing.\n\n")
		return
	}
	for _, sc := range t.Scenes {
		fmt.Fprintf(&w.s, "- Scene %s, %s, call %s, not ready:\n", sc.ID, mdText(sc.Title), w.at(sc.Call))
		for _, why := range sc.Why {
			fmt.Fprintf(&w.s, "  - %s\n", mdText(why))
		}
	}
	for _, h := range t.Holds {
		line := fmt.Sprintf("- Scene %s is on hold since %s", h.Scene, w.at(h.At))
		if h.CalledBy != "" {
			line += fmt.Sprintf(" (called by %s, reason: %s)", h.CalledBy, mdText(cmp.Or(h.Reason, "none given")))
		}
		w.s.WriteString(line + ".\n")
	}
	for _, rd := range t.Riders {
		line := fmt.Sprintf("- Scene %s, %s: rider not signed (%s)", rd.Scene, rd.Performer, rd.Event)
		if rd.At != "" {
			line += ", deadline " + w.at(rd.At)
		}
		w.s.WriteString(line + ".\n")
	}
	switch {
	case len(t.Rehearsals) > 0:
		for _, rh := range t.Rehearsals {
			fmt.Fprintf(&w.s, "- Scene %s, rehearsal %d of %s: %s\n", rh.Scene, rh.Seq, w.at(rh.At), confirmations(rh))
		}
	case t.OpenRehearsals > 0:
		fmt.Fprintf(&w.s, "- Rehearsal records not yet confirmed by every performer: %d.\n", t.OpenRehearsals)
	}
	w.s.WriteString("\n")
}

func riderNews(rd DayRider, at func(string) string) string {
	line := fmt.Sprintf("- Scene %s, %s: rider %s", rd.Scene, rd.Performer, rd.Event)
	if rd.Event == "overdue" {
		line = fmt.Sprintf("- Scene %s, %s: rider overdue, not signed by its deadline", rd.Scene, rd.Performer)
	}
	if rd.At != "" {
		line += " (" + at(rd.At) + ")"
	}
	return line + "."
}

// confirmations say where a rehearsal's record stands with its performers.
func confirmations(rh DayRehearsal) string {
	var parts []string
	if len(rh.Confirmed) > 0 {
		parts = append(parts, "confirmed by "+strings.Join(rh.Confirmed, ", "))
	}
	if len(rh.Unconfirmed) > 0 {
		parts = append(parts, "not yet confirmed by "+strings.Join(rh.Unconfirmed, ", "))
	}
	for _, d := range rh.Disputed {
		parts = append(parts, fmt.Sprintf("disputed by %s: %s", d.Performer, mdText(cmp.Or(d.Note, "no reason given"))))
	}
	if len(parts) == 0 {
		return "No performer to confirm it."
	}
	return strings.Join(parts, "; ") + "."
}

// dayReportClass is the class of a report's message: the IC's version
// holds boundaries and hold callers; the others hold readiness, rosters
// and counts.
func dayReportClass(aud Audience) Class {
	if aud.Role == RoleIC {
		return ClassBoundaries
	}
	return ClassReadiness
}

// runReportDay is /report day [DATE]: the caller's version of the
// report, by direct message.
func runReportDay(in *input, tx Tx) error {
	var typed string
	if a, ok := in.optional(); ok {
		typed = a.Value
	}
	if err := in.done(); err != nil {
		return err
	}
	day, err := in.b.ParseDay(typed)
	if err != nil {
		return err
	}
	aud, ok := dayAudienceOf(in.caller)
	if !ok { // the router lets only the report's audiences in
		return Errorf(EFORBIDDEN, "The end-of-day report is for the IC, the AD and the producer.")
	}
	rep, err := in.b.dayReport(tx, day, aud)
	if err != nil {
		return err
	}
	in.out.dm(in.caller.ID, dayReportClass(aud), "", "", rep.Markdown(in.b))
	in.out.replyOwn(ClassPersonal, "", "The end-of-day report of %s (%s version) is on its way to you by direct message.",
		fmtDate(rep.Date), aud.Role.Title())
	return nil
}

func fmtDate(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return d.Format("Mon 2 Jan 2006")
}

// dayReportMessages are the wrap-time report of day to each of the
// production's ICs, ADs and producers, each in their version; none when
// nothing was recorded that day and nothing carries into the next.
func (b *Bot) dayReportMessages(tx Tx, date string, now time.Time) ([]Message, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, fmt.Errorf("end-of-day report of %q: %w", date, err)
	}
	day := dayOf(placeWall(d.Add(12*time.Hour), b.zone), b.zone)
	people, err := tx.People()
	if err != nil {
		return nil, err
	}
	built := map[Role]DayReport{}
	var out []Message
	for _, p := range people {
		aud, ok := dayAudienceOf(p)
		if !ok {
			continue
		}
		rep, done := built[aud.Role]
		if !done {
			if rep, err = b.dayReport(tx, day, aud); err != nil {
				return nil, err
			}
			built[aud.Role] = rep
		}
		if rep.Empty() {
			return nil, nil // the same for every version
		}
		out = append(out, Message{To: Destination{Kind: ToUser, User: p.ID}, Class: dayReportClass(aud),
			Text: rep.Markdown(b) + "\n/report day " + rep.Date + " shows it again."})
	}
	return out, nil
}

// WithDayReport sends the end-of-day report each day at the production's
// wrap time (WithWrapTime) to the IC, the ADs and the producers.
func WithDayReport() Option { return func(b *Bot) { b.reminders.dayReport = true } }
