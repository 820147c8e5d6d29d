package bot

import (
	"context"
	"slices"
	"time"
)

// The board's pages are built here, for the person behind a session, in
// one read transaction, through the need-to-know gate: each part is read
// as a message of its class about the scene would be, with its
// performer as the subject where it is about one. The scene page is the
// scene's record (record_export.go) for that person; the week page reads
// the schedule, readiness and riders the same way. The web adapter only
// lays out what it is given.

// BoardHead is what every board page says of itself and its reader.
type BoardHead struct {
	Production string
	Zone       string
	// MadeAt is when the page's data was read; Made says it in the zone.
	MadeAt time.Time
	Made   string
	// Viewer is the reader's handle, Roles their roles now.
	Viewer string
	Roles  []Role
	// Reads says, in a sentence, what the board shows this reader.
	Reads string
	// CSRF is the token the page's forms carry (sign out).
	CSRF string
}

// BoardWeek is the week page: each day's scenes, and the rider deadlines
// on a timeline.
type BoardWeek struct {
	BoardHead
	// From and To are the week's first and last dates (YYYY-MM-DD);
	// Prev and Next the first dates of the weeks around it.
	From, To, Prev, Next string
	Days                 []BoardDay
	// Deadlines are the riders' deadlines of the week's scenes, earliest
	// first, each as far as the reader may read it.
	Deadlines []BoardDeadline
	// Start and End bound the timeline: from the earliest deadline (or
	// the week's start) to the week's end.
	Start, End time.Time
	// Withheld names what the page leaves out for this reader.
	Withheld []string
}

// BoardDay is one day of the week, in the production's zone.
type BoardDay struct {
	Date   string // YYYY-MM-DD
	Label  string // "Thu 26 Nov"
	Scenes []BoardRow
}

// BoardRow is one scene on the week page.
type BoardRow struct {
	ID     SceneID
	Title  string
	Call   string // the call time, 15:04 in the zone
	CallAt time.Time
	Status Status
	// Readiness is set for those who read the scene's readiness as a
	// whole: the counts, and whether nothing stands before a closed set.
	Readiness *BoardReadiness
	// Topline is the top-line summary's version, 0 when none was posted
	// or the reader may not read it.
	Topline int
	// Marks are the performers' marks the reader may read.
	Marks []BoardMark
}

// BoardReadiness is a scene's readiness as counts, naming nobody.
type BoardReadiness struct {
	Ready bool
	// Held says the scene is on hold: the consent counts are left out
	// until the IC lifts it, since a withdrawal is what put it there.
	Held                                   bool
	Performers                             int
	Confirmed, Waiting, Discuss, Withdrawn int
	RidersReady                            int
}

// BoardMark is one performer's readiness for a scene. Consent is their
// answers' state (answered, discuss, withdrawn, waiting, or none when no
// beat asks them anything), "" when the reader may not read it; Rider is
// the rider's state, "" when withheld.
type BoardMark struct {
	Performer string
	Consent   string
	Rider     RiderState
	RiderLate bool
}

// BoardDeadline is one rider's deadline: the call time less the notice.
type BoardDeadline struct {
	Scene     SceneID
	Performer string
	At        time.Time
	When      string
	State     RiderState
	Ready     bool
	Late      bool
}

// BoardScene is the scene page: the scene's record as the reader may
// read it, what stands before its closed set, its planned roster, and
// the running closed set, if any.
type BoardScene struct {
	BoardHead
	Record SceneRecord
	// Call is the call time in the zone.
	Call string
	// Gaps are what stands before a closed set: in full for the IC, as
	// counts and rider states for those who read readiness; Ready when
	// nothing does. HasGaps says whether the reader reads them at all.
	Gaps    []string
	Ready   bool
	HasGaps bool
	// Roster is the planned closed-set roster, for those who read it.
	Roster []string
	// Filming says a closed set is running now (for roster readers).
	Filming bool
	// Deadlines are the scene's riders' deadlines the reader may read.
	Deadlines []BoardDeadline
}

// BoardWeek builds the week page for the cookie's session: the seven
// days from `from` (YYYY-MM-DD, "" for today) in the production's zone.
func (b *Bot) BoardWeek(ctx context.Context, cookie, from string) (BoardWeek, error) {
	var out BoardWeek
	err := b.store.View(ctx, func(tx Tx) error {
		p, ss, err := b.boardReader(tx, cookie)
		if err != nil {
			return err
		}
		out, err = b.boardWeek(tx, p, ss, from)
		return err
	})
	return out, err
}

// BoardScene builds the scene page for the cookie's session.
func (b *Bot) BoardScene(ctx context.Context, cookie string, id SceneID) (BoardScene, error) {
	var out BoardScene
	err := b.store.View(ctx, func(tx Tx) error {
		p, ss, err := b.boardReader(tx, cookie)
		if err != nil {
			return err
		}
		out, err = b.boardScene(tx, p, ss, id)
		return err
	})
	return out, err
}

func (b *Bot) boardHead(tx Tx, p Person, ss boardSession) (BoardHead, error) {
	info, err := tx.Production()
	if err != nil {
		return BoardHead{}, err
	}
	now := b.now()
	return BoardHead{Production: info.Name, Zone: b.zone.String(), MadeAt: now, Made: b.fmtTime(now),
		Viewer: p.Handle(), Roles: slices.Clone(p.Roles), Reads: boardReads(p), CSRF: ss.csrf}, nil
}

// boardReads says what the board shows p, by their widest role.
func boardReads(p Person) string {
	switch {
	case p.Has(RoleIC):
		return "As the IC you see everything: each performer's answers, riders with their dates, holds and who called them."
	case p.HasAny(RoleAD, RoleDirector, RoleProducer):
		return "You see the schedule, readiness as counts, rider status and deadlines, and the top-line summaries; never a performer's answers, rider terms, the dates riders were sent or signed, or who called a hold."
	case p.Has(RolePerformer):
		return "You see your own scenes, your own answers and your own riders."
	case p.HasAny(RoleCostume, RoleHMU, RoleProps, RoleStunts, RoleCamera):
		return "You see the schedule and, on each scene's page, what your department's notices carry."
	}
	return "You see the schedule of scenes."
}

// boardView is one page's reading of a scene through the gate.
type boardView struct {
	b      *Bot
	reader Person
	a      about
}

func (v boardView) may(c Class, subject UserID) bool {
	return v.b.gate.mayRead(v.reader, c, v.a, subject)
}

// performerOnly: a performer without a leadership role reads their own
// rider and answers, and no counts that would tell the others'.
func (v boardView) performerOnly() bool {
	return v.reader.Has(RolePerformer) && !v.reader.HasAny(leadership...)
}

// riderVisible reports whether the reader may read q's rider state.
func (v boardView) riderVisible(q UserID) bool {
	return v.may(ClassReadiness, q) && (!v.performerOnly() || q == v.reader.ID)
}

func (b *Bot) boardWeek(tx Tx, p Person, ss boardSession, from string) (BoardWeek, error) {
	head, err := b.boardHead(tx, p, ss)
	if err != nil {
		return BoardWeek{}, err
	}
	first, err := b.parseDay(from)
	if err != nil {
		return BoardWeek{}, err
	}
	wall, _ := time.Parse(time.DateOnly, first.Date)
	dayAt := func(i int) Day { return dayOf(placeWall(wall.AddDate(0, 0, i).Add(12*time.Hour), b.zone), b.zone) }
	w := BoardWeek{BoardHead: head, From: first.Date, To: dayAt(6).Date, Prev: dayAt(-7).Date, Next: dayAt(7).Date,
		Start: first.Start, End: dayAt(6).End}
	for i := range 7 {
		d := dayAt(i)
		w.Days = append(w.Days, BoardDay{Date: d.Date, Label: d.Start.In(b.zone).Format("Mon 2 Jan")})
	}
	scenes, err := tx.Scenes()
	if err != nil {
		return w, err
	}
	slices.SortFunc(scenes, func(x, y Scene) int {
		if c := x.Call.Compare(y.Call); c != 0 {
			return c
		}
		return compareSceneIDs(x.ID, y.ID)
	})
	seen := map[Class]bool{}
	for i := range scenes {
		sc := &scenes[i]
		if sc.Call.Before(w.Start) || !sc.Call.Before(w.End) {
			continue
		}
		v := boardView{b: b, reader: p, a: about{scene: sc}}
		if !v.may(ClassCrew, "") || !seesScene(p, sc) {
			continue
		}
		row, dls, err := b.boardRow(tx, v, sc, seen)
		if err != nil {
			return w, err
		}
		d := dayOf(sc.Call, b.zone)
		if j := slices.IndexFunc(w.Days, func(x BoardDay) bool { return x.Date == d.Date }); j >= 0 {
			w.Days[j].Scenes = append(w.Days[j].Scenes, row)
		}
		w.Deadlines = append(w.Deadlines, dls...)
	}
	slices.SortStableFunc(w.Deadlines, func(x, y BoardDeadline) int { return x.At.Compare(y.At) })
	if len(w.Deadlines) > 0 && w.Deadlines[0].At.Before(w.Start) {
		w.Start = w.Deadlines[0].At
	}
	for _, c := range []Class{ClassReadiness, ClassBoundaries, ClassTopline} {
		if !seen[c] {
			w.Withheld = append(w.Withheld, c.String())
		}
	}
	return w, nil
}

// boardRow reads one scene's row and its riders' deadlines; seen notes
// the classes the reader read any of.
func (b *Bot) boardRow(tx Tx, v boardView, sc *Scene, seen map[Class]bool) (BoardRow, []BoardDeadline, error) {
	row := BoardRow{ID: sc.ID, Title: sc.Title, Call: b.fmtClock(sc.Call), CallAt: sc.Call, Status: sc.EffectiveStatus()}
	if v.may(ClassTopline, "") {
		seen[ClassTopline] = true
		row.Topline = sc.Topline.Version
	}
	needs := v.may(ClassReadiness, "") || slices.ContainsFunc(sc.Performers, func(q UserID) bool {
		return v.riderVisible(q) || v.may(ClassBoundaries, q)
	})
	if !needs {
		return row, nil, nil
	}
	rd, err := b.readinessOf(tx, sc, b.now())
	if err != nil {
		return row, nil, err
	}
	if v.may(ClassReadiness, "") && !v.performerOnly() {
		seen[ClassReadiness] = true
		row.Readiness = boardCounts(rd)
		if _, held := sc.ActiveHold(); held {
			row.Readiness = &BoardReadiness{Held: true, Performers: row.Readiness.Performers, RidersReady: row.Readiness.RidersReady}
		}
	}
	var dls []BoardDeadline
	for i, q := range sc.Performers {
		var mark BoardMark
		if v.may(ClassBoundaries, q) {
			seen[ClassBoundaries] = true
			mark.Consent = consentMark(rd.consent[i])
		}
		if v.riderVisible(q) {
			seen[ClassReadiness] = true
			r := rd.riders[i]
			mark.Rider, mark.RiderLate = r.State, r.Late != ""
			dls = append(dls, BoardDeadline{Scene: sc.ID, At: r.Deadline, When: b.fmtTime(r.Deadline), State: r.State, Ready: r.Ready(), Late: r.Late != ""})
		}
		if mark == (BoardMark{}) {
			continue
		}
		who, err := personOf(tx, q)
		if err != nil {
			return row, nil, err
		}
		mark.Performer = who.Handle()
		if mark.Rider != "" {
			dls[len(dls)-1].Performer = who.Handle()
		}
		row.Marks = append(row.Marks, mark)
	}
	return row, dls, nil
}

// consentMark is a performer's answers in one word; "none" when no beat
// asks them anything.
func consentMark(c consentState) string {
	switch {
	case len(c.Missing)+len(c.Discuss)+len(c.Withdrawn)+len(c.Agreed)+len(c.Refused) == 0:
		return "none"
	case len(c.Withdrawn) > 0:
		return "withdrawn"
	case len(c.Discuss) > 0:
		return "discuss"
	case len(c.Missing) > 0:
		return "waiting"
	}
	return "answered"
}

// boardCounts are the scene's readiness as counts, as /boundaries status
// gives them.
func boardCounts(rd readiness) *BoardReadiness {
	r := &BoardReadiness{Performers: len(rd.consent)}
	for _, c := range rd.consent {
		switch {
		case len(c.Withdrawn) > 0:
			r.Withdrawn++
		case c.Confirmed():
			r.Confirmed++
		case len(c.Discuss) > 0:
			r.Discuss++
		default:
			r.Waiting++
		}
	}
	for _, x := range rd.riders {
		if x.Ready() {
			r.RidersReady++
		}
	}
	r.Ready = r.Confirmed == r.Performers && r.RidersReady == r.Performers
	return r
}

func (b *Bot) boardScene(tx Tx, p Person, ss boardSession, id SceneID) (BoardScene, error) {
	head, err := b.boardHead(tx, p, ss)
	if err != nil {
		return BoardScene{}, err
	}
	sc, err := tx.Scene(id)
	if ErrorCode(err) == ENOTFOUND {
		return BoardScene{}, Errorf(ENOTFOUND, "There is no scene %s.", id)
	}
	if err != nil {
		return BoardScene{}, err
	}
	if !seesScene(p, &sc) || !b.gate.mayRead(p, ClassCrew, about{scene: &sc}, "") {
		// As for a scene that does not exist: a performer does not learn
		// of the other performers' scenes here.
		return BoardScene{}, Errorf(ENOTFOUND, "There is no scene %s among yours.", id)
	}
	rec, err := b.sceneRecord(tx, p, &sc)
	if err != nil {
		return BoardScene{}, err
	}
	a, err := loadAbout(tx, sc.ID)
	if err != nil {
		return BoardScene{}, err
	}
	v := boardView{b: b, reader: p, a: a}
	out := BoardScene{BoardHead: head, Record: rec, Call: b.fmtTime(sc.Call)}
	rd, err := b.readinessOf(tx, &sc, b.now())
	if err != nil {
		return out, err
	}
	if v.may(ClassReadiness, "") && !v.performerOnly() {
		gaps, err := b.consentGaps(tx, &sc, rd)
		if err != nil {
			return out, err
		}
		out.HasGaps, out.Ready = true, len(gaps) == 0
		_, held := sc.ActiveHold()
		switch {
		case v.may(ClassBoundaries, "") && v.may(ClassRiderDetail, ""):
			out.Gaps = details(gaps)
		case held:
			// As /boundaries status: a hold, and nothing of why.
			out.Gaps, out.Ready = []string{"on hold: talk to the IC"}, false
		default:
			out.Gaps = summaries(gaps)
		}
	}
	if v.may(ClassRoster, "") {
		out.Filming = sc.Filming()
		for _, m := range sc.Roster {
			who, err := personOf(tx, m.User)
			if err != nil {
				return out, err
			}
			out.Roster = append(out.Roster, who.Handle()+" ("+string(m.Role)+")")
		}
	}
	for i, q := range sc.Performers {
		if !v.riderVisible(q) {
			continue
		}
		who, err := personOf(tx, q)
		if err != nil {
			return out, err
		}
		r := rd.riders[i]
		out.Deadlines = append(out.Deadlines, BoardDeadline{Scene: sc.ID, Performer: who.Handle(), At: r.Deadline, When: b.fmtTime(r.Deadline),
			State: r.State, Ready: r.Ready(), Late: r.Late != ""})
	}
	return out, nil
}
