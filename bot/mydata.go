package bot

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// /icbot mydata sends the caller, by DM, everything icbot holds about
// them (docs/mydata.md): their person record and roles, the scenes they
// perform in and the rosters they are on, every version of their
// boundaries, their riders, the holds they called, their answers to
// check-ins, what the department notices said of their garments and
// body, their rehearsal confirmations and consents to explore, and the
// audit records about them. Nothing about anyone else: a beat they share
// is shown with how many others it involves, never who, and a record
// that names someone else is shown without its words.
//
// Like /report scene, the command queues requests, not files: two files
// (the JSON and the same in readable text) are built when they are sent,
// from the store as it is then.

// MyDataSchema names the JSON format of a person's own data
// (docs/mydata.md). A change that a reader of an earlier file would
// misread gets a new version.
const MyDataSchema = "icbot.mydata/1"

// myDataReport is the FileRequest report of /icbot mydata.
const myDataReport = "mydata"

// myDataFormats are the files /icbot mydata sends, in order.
var myDataFormats = []string{"json", "md"}

// myDataFileName names one of the files of a person's own data.
func myDataFileName(format string) string { return "mydata." + format }

// MyData is everything icbot holds about one person.
type MyData struct {
	Schema     string   `json:"schema"`
	Production string   `json:"production"`
	Zone       string   `json:"zone"`
	MadeAt     string   `json:"made_at"`
	Person     MyPerson `json:"person"`
	// Scenes are the scenes they perform in or are on the planned
	// roster of, with the beats that involve them.
	Scenes []MyScene `json:"scenes"`
	// Sessions are the closed-set sessions whose roster they were on.
	Sessions   []MySession    `json:"sessions"`
	Boundaries []MyBoundaries `json:"boundaries"`
	Riders     []MyRider      `json:"riders"`
	Holds      []MyHold       `json:"holds"`
	// Reminders are the reminders about them: check-ins and aftercare
	// with their answers, and the IC's warnings about their riders.
	Reminders   []MyReminder   `json:"reminders"`
	DeptNotices []MyDeptNotice `json:"department_notices"`
	Rehearsals  []MyRehearsal  `json:"rehearsals"`
	Explore     []MyExplore    `json:"explore_consents"`
	Audit       []MyAudit      `json:"audit"`
}

// MyPerson is the person record: who icbot knows them as.
type MyPerson struct {
	ID UserID `json:"id"`
	// Known is false when icbot holds no person record for them.
	Known bool   `json:"known"`
	Name  string `json:"name"`
	Roles []Role `json:"roles"`
	// Admin says that configuration makes them an admin.
	Admin bool `json:"admin"`
}

// MyScene is a scene they perform in or are on the planned roster of.
type MyScene struct {
	ID     SceneID `json:"id"`
	Title  string  `json:"title"`
	Call   string  `json:"call"`
	Status Status  `json:"status"`
	// Performer says that they perform in it.
	Performer bool `json:"performer"`
	// Roster is their place on the planned closed-set roster, beyond the
	// performers; nil when they have none.
	Roster *MyRosterPlace `json:"roster,omitempty"`
	Beats  []MyBeat       `json:"beats,omitempty"`
}

// MyRosterPlace is a place on a scene's planned roster.
type MyRosterPlace struct {
	Role    Role   `json:"role"`
	AddedAt string `json:"added_at"`
}

// MyBeat is a beat that involves them, as it stands.
type MyBeat struct {
	ID          string   `json:"id"`
	Rev         int      `json:"rev"`
	Kind        BeatKind `json:"kind"`
	Description string   `json:"description"`
	Areas       []string `json:"areas,omitempty"`
	Camera      string   `json:"camera,omitempty"`
	Conditions  string   `json:"conditions,omitempty"`
	Exploratory bool     `json:"exploratory"`
	// Others is how many other performers the beat involves; who they
	// are is theirs.
	Others int `json:"others"`
}

// MySession is a closed-set session they were on the roster of.
type MySession struct {
	Scene   SceneID `json:"scene"`
	Seq     uint64  `json:"seq"`
	Started string  `json:"started"`
	Ended   string  `json:"ended,omitempty"`
	Role    Role    `json:"role"`
	// Acked is when they acknowledged the device policy; "" when they
	// did not.
	Acked string `json:"acked,omitempty"`
}

// MyBoundaries is one version of their answers for a scene.
type MyBoundaries struct {
	Scene     SceneID    `json:"scene"`
	Version   int        `json:"version"`
	At        string     `json:"at"`
	Answers   []MyAnswer `json:"answers"`
	Notes     string     `json:"notes"`
	Garments  string     `json:"garments"`
	Body      string     `json:"body"`
	Withdrawn []string   `json:"withdrawn"`
}

// MyAnswer is the answer to one beat at one revision.
type MyAnswer struct {
	Beat   string `json:"beat"`
	Rev    int    `json:"rev"`
	Answer Answer `json:"answer"`
}

// MyRider is their rider for a scene.
type MyRider struct {
	Scene SceneID `json:"scene"`
	// State is as icbot shows it: a signed rider whose scene has widened
	// since needs amendment.
	State RiderState `json:"state"`
	Terms string     `json:"terms"`
	// Deadline is when it must reach them at the latest (the rider
	// notice before the call), and Late why it misses it ("" when it
	// does not); both "" for a scene removed since.
	Deadline string `json:"deadline,omitempty"`
	Late     string `json:"late,omitempty"`
	Drafted  string `json:"drafted,omitempty"`
	Sent     string `json:"sent,omitempty"`
	Signed   string `json:"signed,omitempty"`
	Updated  string `json:"updated,omitempty"`
}

// MyHold is a hold they called.
type MyHold struct {
	Scene  SceneID `json:"scene"`
	Seq    int     `json:"seq"`
	At     string  `json:"at"`
	Reason string  `json:"reason"`
	Lifted string  `json:"lifted,omitempty"`
}

// MyReminder is a reminder about them, with their answer when it asked
// for one.
type MyReminder struct {
	ID       uint64        `json:"id"`
	Kind     ReminderKind  `json:"kind"`
	Scene    SceneID       `json:"scene"`
	Due      string        `json:"due"`
	State    ReminderState `json:"state"`
	Sent     string        `json:"sent,omitempty"`
	Answer   string        `json:"answer,omitempty"`
	Note     string        `json:"note,omitempty"`
	Answered string        `json:"answered,omitempty"`
}

// MyDeptNotice is what one department notice said about them: the
// garments (costume) or body notes (hair and makeup) of the version of
// their boundaries in force when it was posted.
type MyDeptNotice struct {
	Scene      SceneID   `json:"scene"`
	Department Role      `json:"department"`
	Channel    ChannelID `json:"channel"`
	Posted     string    `json:"posted"`
	// Retracted is when icbot took it down; "" while it is up.
	Retracted string `json:"retracted,omitempty"`
	Said      string `json:"said"`
}

// MyRehearsal is a rehearsal they were at or confirmed.
type MyRehearsal struct {
	Scene    SceneID  `json:"scene"`
	Seq      int      `json:"seq"`
	At       string   `json:"at"`
	Beats    []string `json:"beats"`
	Explored []string `json:"explored,omitempty"`
	Changes  string   `json:"changes,omitempty"`
	Present  bool     `json:"present"`
	// Others is how many others were present.
	Others int `json:"others"`
	// Confirmation is their own, nil when they gave none.
	Confirmation *MyConfirmation `json:"confirmation,omitempty"`
}

// MyConfirmation is their confirmation or dispute of a rehearsal's record.
type MyConfirmation struct {
	At        string `json:"at"`
	Confirmed bool   `json:"confirmed"`
	Note      string `json:"note,omitempty"`
}

// MyExplore is their consent to explore a beat at one revision.
type MyExplore struct {
	Scene SceneID `json:"scene"`
	Beat  string  `json:"beat"`
	Rev   int     `json:"rev"`
	At    string  `json:"at"`
}

// MyAudit is an audit record about them: one they are the actor of, or
// whose summary names them.
type MyAudit struct {
	Seq    uint64  `json:"seq"`
	Time   string  `json:"time"`
	Action string  `json:"action"`
	Scene  SceneID `json:"scene,omitempty"`
	// ByYou says that they are the record's actor; who else acted is
	// not theirs to read.
	ByYou bool `json:"by_you"`
	// Summary is the record's words, or, when they name someone else,
	// only what kind of record it is.
	Summary string `json:"summary"`
}

func runMyData(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	if _, ok := in.b.chat.(FileSender); !ok {
		return Errorf(EUNAVAILABLE, "icbot cannot send files on this platform. Ask the IC or the operator for a copy of what icbot holds about you.")
	}
	u := in.caller.ID
	var ids []uint64
	for _, format := range myDataFormats {
		m := Message{To: Destination{Kind: ToUser, User: u}, Class: ClassPersonal, Subject: u,
			Text: myDataText(format)}
		ok, err := in.b.gate.allowed(tx, m, about{})
		if err != nil {
			return err
		}
		if !ok {
			return Internal(fmt.Errorf("mydata: the gate refused its DM"))
		}
		id, err := tx.Enqueue(Delivery{Message: m, File: &FileRequest{Report: myDataReport, Format: format},
			Caller: u, Reply: in.cmd.ReplyHandle, Created: in.now, NextAttempt: in.now})
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := in.audit(tx, "mydata.export", "", "a copy of their own data asked for"); err != nil {
		return err
	}
	in.out.then(func(ctx context.Context, b *Bot, _ Command) error {
		b.outbox.deliver(ctx, ids)
		return nil
	})
	in.out.replyOwn(ClassPersonal, "", "Everything icbot holds about you is on its way by DM: %s (schema %s) and %s, the same in readable text.",
		myDataFileName("json"), MyDataSchema, myDataFileName("md"))
	return nil
}

// myDataText is the DM that comes with one of the files.
func myDataText(format string) string {
	if format == "json" {
		return fmt.Sprintf("Everything icbot holds about you, as JSON (schema %s, described in icbot's docs/mydata.md): %s.", MyDataSchema, myDataFileName(format))
	}
	return fmt.Sprintf("Everything icbot holds about you, in readable text: %s.", myDataFileName(format))
}

// myDataFile writes reader's own data as they are now.
func (b *Bot) myDataFile(ctx context.Context, reader UserID, format string) (File, error) {
	var d MyData
	err := b.store.View(ctx, func(tx Tx) error {
		var err error
		d, err = b.myData(tx, reader)
		return err
	})
	if err != nil {
		return File{}, err
	}
	var data []byte
	switch format {
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(d)
		data = buf.Bytes()
	case "md":
		data = []byte(d.Markdown(b))
	default:
		err = fmt.Errorf("unknown format %q", format)
	}
	if err != nil {
		b.log.Error("writing a person's own data", "format", format, "err", err)
		return File{}, Errorf(EUNAVAILABLE, "the %s file could not be written; the error has been logged for the operator", format)
	}
	return File{Name: myDataFileName(format), Type: reportFormats[format], Data: data}, nil
}

func (b *Bot) myData(tx Tx, u UserID) (MyData, error) {
	info, err := tx.Production()
	if err != nil {
		return MyData{}, err
	}
	d := MyData{Schema: MyDataSchema, Production: info.Name, Zone: b.zone.String(), MadeAt: b.now().Format(time.RFC3339),
		Scenes: []MyScene{}, Sessions: []MySession{}, Boundaries: []MyBoundaries{}, Riders: []MyRider{}, Holds: []MyHold{},
		Reminders: []MyReminder{}, DeptNotices: []MyDeptNotice{}, Rehearsals: []MyRehearsal{}, Explore: []MyExplore{}, Audit: []MyAudit{}}
	p, err := tx.Person(u)
	switch {
	case err == nil:
		d.Person = MyPerson{ID: u, Known: true, Name: p.Name, Roles: slices.Clone(p.Roles)}
	case ErrorCode(err) == ENOTFOUND:
		p = Person{ID: u}
		d.Person = MyPerson{ID: u}
	default:
		return MyData{}, err
	}
	if d.Person.Roles == nil {
		d.Person.Roles = []Role{}
	}
	d.Person.Admin = b.gate.admins[u]

	people, err := tx.People()
	if err != nil {
		return MyData{}, err
	}
	records, err := auditRecordsOf(tx)
	if err != nil {
		return MyData{}, err
	}
	ids, err := sceneIDsEver(tx, records)
	if err != nil {
		return MyData{}, err
	}
	// consented are the scenes whose boundaries they gave, for the
	// department notices.
	consented := map[SceneID][]Boundaries{}
	for _, id := range ids {
		if err := b.myScene(tx, &d, u, id, consented); err != nil {
			return MyData{}, err
		}
	}
	if err := myDeptNotices(tx, &d, info, consented); err != nil {
		return MyData{}, err
	}
	d.Audit = myAudit(records, p, people)
	return d, nil
}

// auditRecordsOf reads the whole audit trail, oldest first; none when the
// store cannot read it.
func auditRecordsOf(tx Tx) ([]AuditRecord, error) {
	reader, ok := AuditReaderOf(tx)
	if !ok {
		return nil, nil
	}
	var out []AuditRecord
	for r, err := range reader.AuditRecords() {
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// sceneIDsEver lists every scene id icbot has a trace of: the scenes
// there are, and the removed ones whose sessions, reminders or audit
// records are kept, sorted.
func sceneIDsEver(tx Tx, records []AuditRecord) ([]SceneID, error) {
	ids, err := tx.SceneIDs()
	if err != nil {
		return nil, err
	}
	sessions, err := tx.LatestSessions()
	if err != nil {
		return nil, err
	}
	for _, s := range sessions {
		ids = append(ids, s.Scene)
	}
	for _, r := range records {
		if r.Scene != "" {
			ids = append(ids, r.Scene)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// myScene adds what scene id holds about u.
func (b *Bot) myScene(tx Tx, d *MyData, u UserID, id SceneID, consented map[SceneID][]Boundaries) error {
	sc, err := tx.Scene(id)
	exists := err == nil
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	if exists {
		b.mySceneRecord(d, u, &sc)
	}

	sessions, err := tx.Sessions(id)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	for _, s := range sessions {
		i := slices.IndexFunc(s.Roster, func(m RosterMember) bool { return m.User == u })
		if i < 0 {
			continue
		}
		m := s.Roster[i]
		d.Sessions = append(d.Sessions, MySession{Scene: s.Scene, Seq: s.Seq, Started: stamp(s.StartedAt), Ended: stamp(s.EndedAt),
			Role: m.Role, Acked: stamp(m.AckedAt)})
	}

	versions, err := tx.BoundariesHistory(id, u)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	if len(versions) > 0 {
		consented[id] = versions
	}
	for _, v := range versions {
		mb := MyBoundaries{Scene: id, Version: v.Version, At: stamp(v.At), Answers: []MyAnswer{},
			Notes: v.Notes, Garments: v.Garments, Body: v.Body, Withdrawn: slices.Clone(v.Withdrawn)}
		if mb.Withdrawn == nil {
			mb.Withdrawn = []string{}
		}
		for _, a := range v.Answers {
			mb.Answers = append(mb.Answers, MyAnswer{Beat: a.Beat, Rev: a.Rev, Answer: a.Answer})
		}
		d.Boundaries = append(d.Boundaries, mb)
	}

	r, err := tx.Rider(id, u)
	switch {
	case err == nil:
		mr := MyRider{Scene: id, State: r.State, Terms: r.Terms, Drafted: stamp(r.DraftedAt),
			Sent: stamp(r.SentAt), Signed: stamp(r.SignedAt), Updated: stamp(r.Updated)}
		if exists {
			v := b.riderOf(&sc, u, &r, b.now())
			mr.State, mr.Deadline, mr.Late = v.State, stamp(v.Deadline), v.Late
		}
		d.Riders = append(d.Riders, mr)
	case ErrorCode(err) != ENOTFOUND:
		return err
	}

	rems, err := tx.SceneReminders(id)
	if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	for _, r := range rems {
		if r.Performer != u {
			continue
		}
		d.Reminders = append(d.Reminders, MyReminder{ID: r.ID, Kind: r.Kind, Scene: r.Scene, Due: stamp(r.Due), State: r.State,
			Sent: stamp(r.SentAt), Answer: r.Answer, Note: r.Note, Answered: stamp(r.Answered)})
	}
	return nil
}

// mySceneRecord adds what a scene that exists holds about u: the scene
// itself when they perform in it or are on its planned roster, the beats
// that involve them, the holds they called, the rehearsals they were at
// or confirmed and their consents to explore.
func (b *Bot) mySceneRecord(d *MyData, u UserID, sc *Scene) {
	perf := sc.IsPerformer(u)
	ms := MyScene{ID: sc.ID, Title: sc.Title, Call: stamp(sc.Call), Status: sc.EffectiveStatus(), Performer: perf}
	if i := slices.IndexFunc(sc.Roster, func(m RosterMember) bool { return m.User == u }); i >= 0 {
		ms.Roster = &MyRosterPlace{Role: sc.Roster[i].Role, AddedAt: stamp(sc.Roster[i].AddedAt)}
	}
	for _, bt := range sc.Beats {
		if perf && bt.Involves(u) {
			ms.Beats = append(ms.Beats, MyBeat{ID: bt.ID, Rev: bt.Rev, Kind: bt.Kind, Description: bt.Description,
				Areas: slices.Clone(bt.Areas), Camera: bt.Camera, Conditions: bt.Conditions, Exploratory: bt.Exploratory,
				Others: othersIn(sc, bt, u)})
		}
		for _, e := range bt.Explore {
			if e.Performer == u {
				d.Explore = append(d.Explore, MyExplore{Scene: sc.ID, Beat: bt.ID, Rev: e.Rev, At: stamp(e.At)})
			}
		}
	}
	if perf || ms.Roster != nil {
		d.Scenes = append(d.Scenes, ms)
	}
	for _, h := range sc.Holds {
		if h.CalledBy == u {
			d.Holds = append(d.Holds, MyHold{Scene: sc.ID, Seq: h.Seq, At: stamp(h.At), Reason: h.Reason, Lifted: stamp(h.LiftedAt)})
		}
	}
	for _, r := range sc.Rehearsals {
		present := slices.Contains(r.Present, u)
		ci := slices.IndexFunc(r.Confirmations, func(c RehearsalConfirmation) bool { return c.Performer == u })
		if !present && ci < 0 {
			continue
		}
		mr := MyRehearsal{Scene: sc.ID, Seq: r.Seq, At: stamp(r.At), Beats: slices.Clone(r.Beats), Explored: slices.Clone(r.Explored),
			Changes: r.Changes, Present: present, Others: len(slices.DeleteFunc(slices.Clone(r.Present), func(p UserID) bool { return p == u }))}
		if ci >= 0 {
			c := r.Confirmations[ci]
			mr.Confirmation = &MyConfirmation{At: stamp(c.At), Confirmed: c.Confirmed, Note: c.Note}
		}
		d.Rehearsals = append(d.Rehearsals, mr)
	}
}

// othersIn counts the performers other than u that beat b involves.
func othersIn(sc *Scene, b Beat, u UserID) int {
	n := 0
	for _, p := range sc.Performers {
		if p != u && b.Involves(p) {
			n++
		}
	}
	return n
}

// myDeptNotices adds what the costume and hair and makeup notices posted
// for the scenes whose boundaries they gave said about them: the
// garments or body notes of the version in force when each was posted.
func myDeptNotices(tx Tx, d *MyData, info ProductionInfo, consented map[SceneID][]Boundaries) error {
	if len(consented) == 0 {
		return nil
	}
	chans, err := tx.PostChannels()
	if err != nil {
		return err
	}
	for _, ch := range info.DeptChannels {
		chans = append(chans, ch)
	}
	slices.Sort(chans)
	for _, ch := range slices.Compact(chans) {
		posts, err := tx.Posts(ch)
		if err != nil {
			return err
		}
		for _, p := range posts {
			versions, ok := consented[p.Scene]
			if !ok || p.Ref == "" || (p.Class != ClassGarments && p.Class != ClassBodyNotes) {
				continue
			}
			n := MyDeptNotice{Scene: p.Scene, Department: RoleCostume, Channel: ch, Posted: stamp(p.At), Retracted: stamp(p.Retracted), Said: "not given yet"}
			if p.Class == ClassBodyNotes {
				n.Department = RoleHMU
			}
			for _, v := range versions {
				if v.At.After(p.At) {
					break
				}
				n.Said = cmp.Or(v.Garments, "not given yet")
				if p.Class == ClassBodyNotes {
					n.Said = cmp.Or(v.Body, "not given yet")
				}
			}
			d.DeptNotices = append(d.DeptNotices, n)
		}
	}
	return nil
}

// myAudit picks the audit records about p: those p is the actor of, and
// those whose summary names p by handle. A summary that names anyone
// else is left out, with only its action said.
func myAudit(records []AuditRecord, p Person, people []Person) []MyAudit {
	mine := handlesOf(p)
	var others []string
	for _, q := range people {
		if q.ID != p.ID {
			others = append(others, handlesOf(q)...)
		}
	}
	// A handle of someone else that is also one of theirs (a shared
	// display name) names them as much as the other.
	others = slices.DeleteFunc(others, func(h string) bool { return slices.Contains(mine, h) })
	render := func(summary string) string {
		out, _ := renderRefs(summary, func(id UserID) (string, error) {
			if i := slices.IndexFunc(people, func(q Person) bool { return q.ID == id }); i >= 0 {
				return people[i].Handle(), nil
			}
			return Person{ID: id}.Handle(), nil
		})
		return out
	}
	out := []MyAudit{}
	for _, r := range records {
		byYou := r.Actor == p.ID
		if !byYou && !slices.ContainsFunc(mine, func(h string) bool { return mentions(r.Summary, h) }) {
			continue
		}
		a := MyAudit{Seq: r.Seq, Time: stamp(r.Time), Action: r.Action, Scene: r.Scene, ByYou: byYou, Summary: render(r.Summary)}
		if slices.ContainsFunc(others, func(h string) bool { return mentions(r.Summary, h) }) {
			a.Summary = fmt.Sprintf("a %s record that names someone else: its words are theirs", r.Action)
		}
		out = append(out, a)
	}
	return out
}

// handlesOf are the ways an audit summary may name p: by display name,
// and by id for a person written without one.
func handlesOf(p Person) []string {
	hs := []string{"@" + cleanName(string(p.ID)), personRef(p.ID)}
	if n := cleanName(p.Name); n != "" && n != cleanName(string(p.ID)) {
		hs = append(hs, "@"+n)
	}
	return hs
}

// mentions reports whether s holds handle h as a whole: "@pete" is not
// in "@peter".
func mentions(s, h string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], h)
		if j < 0 {
			return false
		}
		end := i + j + len(h)
		if end == len(s) {
			return true
		}
		next := []rune(s[end:])[0]
		if !unicode.IsLetter(next) && !unicode.IsDigit(next) && next != '_' && next != '-' && next != '.' {
			return true
		}
		i += j + 1
	}
}

// stamp writes an instant for the JSON: RFC 3339 in UTC, "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Markdown writes a person's own data as readable text, times in the
// production's zone.
func (d MyData) Markdown(b *Bot) string {
	var s strings.Builder
	at := func(v string) string {
		if v == "" {
			return "-"
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return v
		}
		return b.fmtTime(t)
	}
	none := func(n int) {
		if n == 0 {
			s.WriteString("None.\n")
		}
	}
	text := func(v string) string {
		if v == "" {
			return "-"
		}
		return mdText(v)
	}
	fmt.Fprintf(&s, "# What icbot holds about you\n\n")
	fmt.Fprintf(&s, "Production: %s. Made %s (%s). Schema %s; the JSON file beside this one holds the same.\n\n",
		cmp.Or(d.Production, "this production"), at(d.MadeAt), d.Zone, d.Schema)

	s.WriteString("## You\n\n")
	if !d.Person.Known {
		fmt.Fprintf(&s, "icbot holds no person record for you (id %s).\n", d.Person.ID)
	} else {
		fmt.Fprintf(&s, "- Id: %s\n- Name: %s\n- Roles: %s\n", d.Person.ID, text(d.Person.Name), rolesText(d.Person.Roles))
	}
	if d.Person.Admin {
		s.WriteString("- Admin of icbot, by its configuration\n")
	}

	s.WriteString("\n## Scenes\n\n")
	none(len(d.Scenes))
	for _, sc := range d.Scenes {
		fmt.Fprintf(&s, "### Scene %s: %s\n\n- Call: %s\n- Status: %s\n", sc.ID, text(sc.Title), at(sc.Call), sc.Status)
		if sc.Performer {
			s.WriteString("- You perform in it.\n")
		}
		if sc.Roster != nil {
			fmt.Fprintf(&s, "- On its planned closed-set roster as %s, since %s.\n", sc.Roster.Role, at(sc.Roster.AddedAt))
		}
		for _, bt := range sc.Beats {
			fmt.Fprintf(&s, "- Beat %s (revision %d, %s): %s", bt.ID, bt.Rev, bt.Kind, text(bt.Description))
			if len(bt.Areas) > 0 {
				fmt.Fprintf(&s, "; areas: %s", mdText(strings.Join(bt.Areas, ", ")))
			}
			if bt.Camera != "" {
				fmt.Fprintf(&s, "; camera: %s", mdText(bt.Camera))
			}
			if bt.Conditions != "" {
				fmt.Fprintf(&s, "; conditions: %s", mdText(bt.Conditions))
			}
			if bt.Exploratory {
				s.WriteString("; exploratory")
			}
			switch bt.Others {
			case 0:
				s.WriteString("; you alone\n")
			case 1:
				s.WriteString("; with 1 other performer\n")
			default:
				fmt.Fprintf(&s, "; with %d other performers\n", bt.Others)
			}
		}
		s.WriteString("\n")
	}

	s.WriteString("## Closed sets you were on\n\n")
	none(len(d.Sessions))
	for _, x := range d.Sessions {
		fmt.Fprintf(&s, "- Scene %s, session %d, as %s: started %s, ended %s, device policy acknowledged %s\n",
			x.Scene, x.Seq, x.Role, at(x.Started), at(x.Ended), at(x.Acked))
	}

	s.WriteString("\n## Your boundaries, every version\n\n")
	none(len(d.Boundaries))
	for _, v := range d.Boundaries {
		fmt.Fprintf(&s, "### Scene %s, version %d (%s)\n\n", v.Scene, v.Version, at(v.At))
		for _, a := range v.Answers {
			fmt.Fprintf(&s, "- Beat %s (revision %d): %s\n", a.Beat, a.Rev, a.Answer)
		}
		if len(v.Withdrawn) > 0 {
			fmt.Fprintf(&s, "- Consent withdrawn: %s\n", mdText(strings.Join(v.Withdrawn, ", ")))
		}
		fmt.Fprintf(&s, "- Notes (for the IC): %s\n- Garments and barriers (for costume): %s\n- Body notes (for hair and makeup): %s\n\n",
			text(v.Notes), text(v.Garments), text(v.Body))
	}

	s.WriteString("## Your riders\n\n")
	none(len(d.Riders))
	for _, r := range d.Riders {
		fmt.Fprintf(&s, "- Scene %s: %s; drafted %s, sent %s, signed %s", r.Scene, r.State, at(r.Drafted), at(r.Sent), at(r.Signed))
		if r.Deadline != "" {
			fmt.Fprintf(&s, "; to reach you by %s", at(r.Deadline))
		}
		if r.Late != "" {
			fmt.Fprintf(&s, " (%s)", mdText(r.Late))
		}
		fmt.Fprintf(&s, "; terms: %s\n", text(r.Terms))
	}

	s.WriteString("\n## Holds you called\n\n")
	none(len(d.Holds))
	for _, h := range d.Holds {
		fmt.Fprintf(&s, "- Scene %s, hold %d, %s: %s; lifted %s\n", h.Scene, h.Seq, at(h.At), text(h.Reason), at(h.Lifted))
	}

	s.WriteString("\n## Reminders about you, and your answers\n\n")
	none(len(d.Reminders))
	for _, r := range d.Reminders {
		fmt.Fprintf(&s, "- Reminder %d (%s), scene %s, due %s, %s", r.ID, r.Kind, r.Scene, at(r.Due), r.State)
		if r.Answer != "" || r.Note != "" {
			fmt.Fprintf(&s, "; you answered %s at %s: %s", text(r.Answer), at(r.Answered), text(r.Note))
		}
		s.WriteString("\n")
	}

	s.WriteString("\n## What department notices said about you\n\n")
	none(len(d.DeptNotices))
	for _, n := range d.DeptNotices {
		fmt.Fprintf(&s, "- Scene %s, %s notice in #%s, posted %s", n.Scene, n.Department.Title(), n.Channel, at(n.Posted))
		if n.Retracted != "" {
			fmt.Fprintf(&s, ", taken down %s", at(n.Retracted))
		}
		fmt.Fprintf(&s, ": %s\n", text(n.Said))
	}

	s.WriteString("\n## Rehearsals\n\n")
	none(len(d.Rehearsals))
	for _, r := range d.Rehearsals {
		fmt.Fprintf(&s, "- Scene %s, rehearsal %d, %s: beats %s", r.Scene, r.Seq, at(r.At), mdText(strings.Join(r.Beats, ", ")))
		if len(r.Explored) > 0 {
			fmt.Fprintf(&s, " (explored: %s)", mdText(strings.Join(r.Explored, ", ")))
		}
		if r.Present {
			fmt.Fprintf(&s, "; you were there, with %d other(s)", r.Others)
		}
		if r.Changes != "" {
			fmt.Fprintf(&s, "; changes: %s", mdText(r.Changes))
		}
		if c := r.Confirmation; c != nil {
			word := "disputed"
			if c.Confirmed {
				word = "confirmed"
			}
			fmt.Fprintf(&s, "; you %s it %s", word, at(c.At))
			if c.Note != "" {
				fmt.Fprintf(&s, ": %s", mdText(c.Note))
			}
		}
		s.WriteString("\n")
	}

	s.WriteString("\n## Your consents to explore a beat\n\n")
	none(len(d.Explore))
	for _, e := range d.Explore {
		fmt.Fprintf(&s, "- Scene %s, beat %s (revision %d), %s\n", e.Scene, e.Beat, e.Rev, at(e.At))
	}

	s.WriteString("\n## Audit records about you\n\n")
	none(len(d.Audit))
	for _, a := range d.Audit {
		who := "by someone else"
		if a.ByYou {
			who = "by you"
		}
		fmt.Fprintf(&s, "- %d, %s, %s, %s: %s\n", a.Seq, at(a.Time), a.Action, who, mdText(a.Summary))
	}
	return s.String()
}
