package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// Paula's canaries, one in every field icbot holds about her, and Pete's,
// one in every field about him. Each is written once, here, and looked
// for in the export: a field left out of it fails the test by name.
var (
	paulaCanaries = map[string]string{
		"name":                      "paulaCNYP01",
		"scene title":               "CNYP02",
		"shared scene title":        "CNYP03",
		"beat description":          "CNYP04",
		"beat areas":                "CNYP05",
		"beat camera":               "CNYP06",
		"beat conditions":           "CNYP07",
		"boundaries v1 notes":       "CNYP08",
		"boundaries v1 garments":    "CNYP09",
		"boundaries v1 body":        "CNYP10",
		"boundaries v2 notes":       "CNYP11",
		"boundaries v2 garments":    "CNYP12",
		"boundaries v2 body":        "CNYP13",
		"rider terms":               "CNYP14",
		"rehearsal changes":         "CNYP15",
		"rehearsal dispute note":    "CNYP16",
		"hold reason":               "CNYP17",
		"check-in note":             "CNYP18",
		"scene of her closed set":   "CNYP19",
		"aftercare note":            "CNYP20",
		"a second rider's terms":    "CNYP21",
		"a second hold's reason":    "CNYP22",
		"scene she is on roster of": "CNYP23",
	}
	peteCanaries = map[string]string{
		"name":                   "peteCNYO01",
		"scene title":            "CNYO02",
		"beat description":       "CNYO04",
		"beat camera":            "CNYO05",
		"beat conditions":        "CNYO06",
		"boundaries notes":       "CNYO07",
		"boundaries garments":    "CNYO08",
		"boundaries body":        "CNYO09",
		"rider terms":            "CNYO10",
		"rehearsal dispute note": "CNYO11",
		"hold reason":            "CNYO12",
		"check-in note":          "CNYO13",
	}
)

// canaryProduction builds the seeded production with Paula's and Pete's
// canaries in every field about them, through the commands that write
// them where there are any. Paula and Pete share scene 30 and its beat
// b1; b2 is Pete's alone.
func canaryProduction(t *testing.T, h *harness) {
	t.Helper()
	P, O := paulaCanaries, peteCanaries
	err := h.store.Update(context.Background(), func(tx bot.Tx) error {
		for _, p := range []bot.Person{
			{ID: "paula", Name: P["name"], Roles: []bot.Role{bot.RolePerformer}},
			{ID: "pete", Name: O["name"], Roles: []bot.Role{bot.RolePerformer}},
		} {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		// Paula is also on the planned roster of scene 16 (Pete's), as
		// a stand-in would be.
		sc, err := tx.Scene("16")
		if err != nil {
			return err
		}
		sc.Roster = append(sc.Roster, bot.RosterMember{User: "paula", Role: bot.RoleCrew, AddedBy: "adam", AddedAt: t0})
		return tx.PutScene(sc)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []struct{ caller, line string }{
		{"adam", `/scene rename 12 "Lake ` + P["scene title"] + `"`},
		{"adam", `/scene rename 15 "Bedroom ` + P["scene of her closed set"] + `"`},
		{"adam", `/scene rename 16 "Car ` + P["scene she is on roster of"] + `"`},
		{"adam", `/scene rename 14 "Kitchen ` + O["scene title"] + `"`},
		{"ines", `/scene add 30 title="Dock ` + P["shared scene title"] + `" call="2026-12-20 09:00" performers=@paula,@pete channel=#scene-20`},
		{"ines", `/scene beat add 30 "kiss ` + P["beat description"] + `" kind=nudity areas=` + P["beat areas"] + ` performers=@paula,@pete camera="` + P["beat camera"] + `" conditions="` + P["beat conditions"] + `"`},
		{"ines", `/scene beat add 30 "solo ` + O["beat description"] + `" kind=contact performers=@pete camera="` + O["beat camera"] + `" conditions="` + O["beat conditions"] + `"`},
		{"ines", "/boundaries request 30"},
		{"paula", `/boundaries answer 30 b1=yes notes="` + P["boundaries v1 notes"] + `" garments="` + P["boundaries v1 garments"] + `" body="` + P["boundaries v1 body"] + `"`},
		{"pete", `/boundaries answer 30 b1=yes b2=yes notes="` + O["boundaries notes"] + `" garments="` + O["boundaries garments"] + `" body="` + O["boundaries body"] + `"`},
		{"ines", "/dept notify 30 costume"},
		{"ines", "/dept notify 30 hmu"},
		{"paula", `/boundaries answer 30 b1=discuss notes="` + P["boundaries v2 notes"] + `" garments="` + P["boundaries v2 garments"] + `" body="` + P["boundaries v2 body"] + `"`},
		{"ines", `/rider drafted 30 @paula terms="` + P["rider terms"] + `"`},
		{"ines", `/rider sent 12 @paula terms="` + P["a second rider's terms"] + `"`},
		{"ines", `/rider drafted 30 @pete terms="` + O["rider terms"] + `"`},
		{"ines", "/rehearsal explore 30 b1 on"},
		{"paula", "/rehearsal consent 30 b1"},
		{"pete", "/rehearsal consent 30 b1"},
		{"ines", `/rehearsal log 30 b1 present=@paula,@pete changes="slower ` + P["rehearsal changes"] + `"`},
		{"paula", "/rehearsal dispute 30 1 " + P["rehearsal dispute note"]},
		{"pete", "/rehearsal dispute 30 1 " + O["rehearsal dispute note"]},
		{"paula", "/hold 30 " + P["hold reason"]},
		{"ines", "/hold lift 30"},
		{"pete", "/hold 30 " + O["hold reason"]},
		{"ines", "/hold lift 30"},
		{"paula", "/hold 12 " + P["a second hold's reason"]},
		{"paula", "/closedset ack 15"},
		{"paula", "/reminders answer 1 talk " + P["check-in note"]},
	} {
		h.now = h.now.Add(time.Minute)
		h.must(l.caller, l.line)
	}
	// Pete's check-in and Paula's aftercare count as asked, and they
	// answer them.
	answer := func(who bot.UserID, kind bot.ReminderKind, text string) {
		t.Helper()
		var id uint64
		err := h.store.Update(context.Background(), func(tx bot.Tx) error {
			for _, sc := range []bot.SceneID{"12", "14", "15", "16", "30"} {
				rs, err := tx.SceneReminders(sc)
				if err != nil {
					return err
				}
				for _, r := range rs {
					if r.Performer == who && r.Kind == kind && r.State == bot.ReminderPending {
						r.State, r.SentAt = bot.ReminderSent, h.now
						id = r.ID
						_, err := tx.PutReminder(r)
						return err
					}
				}
			}
			// An aftercare reminder is derived at a session's end: add
			// one as the loop would.
			if kind != bot.RemindAftercare {
				return fmt.Errorf("no pending %s reminder for %s", kind, who)
			}
			var err error
			id, err = tx.PutReminder(bot.Reminder{Kind: kind, Key: "aftercare/15/1/" + string(who), Scene: "15", Performer: who, Session: 1,
				Due: h.now, State: bot.ReminderSent, SentAt: h.now, Created: h.now})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		h.must(string(who), fmt.Sprintf("/reminders answer %d talk %s", id, text))
	}
	answer("pete", bot.RemindCheckIn, O["check-in note"])
	answer("paula", bot.RemindAftercare, P["aftercare note"])
}

// myData asks for caller's own data and returns the two files' bodies,
// JSON first, checking the reply and that nothing is left queued.
func myData(t *testing.T, h *harness, caller string) (string, string) {
	t.Helper()
	r := h.must(caller, "/icbot mydata")
	if want := "Everything icbot holds about you is on its way by DM: mydata.json (schema " + bot.MyDataSchema + ") and mydata.md, the same in readable text."; r.reply != want {
		t.Errorf("reply %q, want %q", r.reply, want)
	}
	files := to(r.sent, "file", caller)
	if len(files) != 2 || len(r.sent) != 2 {
		t.Fatalf("sent %+v, want two files to %s", r.sent, caller)
	}
	_, js, ok := strings.Cut(files[0].Text, "mydata.json application/json\n")
	if !ok {
		t.Fatalf("first file is not mydata.json:\n%s", files[0].Text)
	}
	_, md, ok := strings.Cut(files[1].Text, "mydata.md text/markdown; charset=utf-8\n")
	if !ok {
		t.Fatalf("second file is not mydata.md:\n%s", files[1].Text)
	}
	if len(h.pending()) != 0 {
		t.Errorf("deliveries left: %+v", h.pending())
	}
	return js, md
}

// TestMyDataHoldsEveryCanaryAndNoOneElses: Paula's export holds every
// one of her canaries, in the JSON and in the text, and none of Pete's,
// though they share a scene, a beat and a rehearsal; Pete's holds none
// of Paula's own (the shared scene and rehearsal aside); the IC's, who
// wrote much of it, holds none of either's.
func TestMyDataHoldsEveryCanaryAndNoOneElses(t *testing.T) {
	h := newHarness(t).seed()
	canaryProduction(t, h)

	js, md := myData(t, h, "paula")
	for name, file := range map[string]string{"mydata.json": js, "mydata.md": md} {
		for field, c := range paulaCanaries {
			if !strings.Contains(file, c) {
				t.Errorf("%s lacks Paula's %s (%s)", name, field, c)
			}
		}
		for field, c := range peteCanaries {
			if strings.Contains(file, c) {
				t.Errorf("%s holds Pete's %s (%s)", name, field, c)
			}
		}
	}
	if t.Failed() {
		t.Logf("mydata.md:\n%s", md)
	}

	var d bot.MyData
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if d.Schema != bot.MyDataSchema || d.Person.ID != "paula" || !d.Person.Known || !slices.Equal(d.Person.Roles, []bot.Role{bot.RolePerformer}) {
		t.Errorf("head %s, person %+v", d.Schema, d.Person)
	}
	// What the department notices said is derived, not a field of its
	// own: each notice says the version in force when it was posted.
	var said []string
	for _, n := range d.DeptNotices {
		said = append(said, string(n.Department)+":"+n.Said)
	}
	if want := []string{"costume:" + paulaCanaries["boundaries v1 garments"], "hmu:" + paulaCanaries["boundaries v1 body"]}; !slices.Equal(said, want) {
		t.Errorf("department notices said %q, want %q", said, want)
	}
	// The shared beat is there with how many others it involves; Pete's
	// own beat is not.
	i := slices.IndexFunc(d.Scenes, func(s bot.MyScene) bool { return s.ID == "30" })
	if i < 0 || len(d.Scenes[i].Beats) != 1 || d.Scenes[i].Beats[0].ID != "b1" || d.Scenes[i].Beats[0].Others != 1 {
		t.Errorf("scene 30 in the export: %+v", d.Scenes)
	}
	var versions []int
	for _, v := range d.Boundaries {
		if v.Scene == "30" {
			versions = append(versions, v.Version)
		}
	}
	if !slices.Equal(versions, []int{1, 2}) {
		t.Errorf("boundaries versions of scene 30: %v, want every one", versions)
	}
	// Her riders say when each must reach her, from the scene's call.
	j := slices.IndexFunc(d.Riders, func(r bot.MyRider) bool { return r.Scene == "30" })
	if j < 0 || d.Riders[j].State != bot.RiderDrafted || d.Riders[j].Deadline != "2026-12-18T09:00:00Z" {
		t.Errorf("riders %+v, want scene 30's drafted, to reach her by 2026-12-18T09:00:00Z", d.Riders)
	}
	var acts []string
	for _, a := range d.Audit {
		acts = append(acts, a.Action)
		if !a.ByYou && !strings.Contains(a.Summary, paulaCanaries["name"]) {
			t.Errorf("an audit record neither by her nor naming her: %+v", a)
		}
	}
	for _, want := range []string{"boundaries.answer", "rider.drafted", "rehearsal.dispute", "hold.call", "remind.answer", "closedset.ack", "rehearsal.consent"} {
		if !slices.Contains(acts, want) {
			t.Errorf("audit records %v lack %s", acts, want)
		}
	}

	js, md = myData(t, h, "pete")
	own := []string{paulaCanaries["shared scene title"], paulaCanaries["beat description"], paulaCanaries["beat areas"],
		paulaCanaries["beat camera"], paulaCanaries["beat conditions"], paulaCanaries["rehearsal changes"],
		paulaCanaries["scene she is on roster of"]} // his scenes' own words
	for field, c := range paulaCanaries {
		if !slices.Contains(own, c) && (strings.Contains(js, c) || strings.Contains(md, c)) {
			t.Errorf("Pete's export holds Paula's %s (%s)", field, c)
		}
	}
	for field, c := range peteCanaries {
		if !strings.Contains(js, c) || !strings.Contains(md, c) {
			t.Errorf("Pete's export lacks his %s (%s)", field, c)
		}
	}

	js, md = myData(t, h, "ines")
	for _, cs := range []map[string]string{paulaCanaries, peteCanaries} {
		for field, c := range cs {
			if strings.Contains(js+md, c) {
				t.Errorf("the IC's own export holds a performer's %s (%s)", field, c)
			}
		}
	}
	if !strings.Contains(js, `"summary": "a rider.drafted record that names someone else: its words are theirs"`) {
		t.Errorf("the IC's records about others are not shown without their words:\n%s", js)
	}
}

// TestMyDataStranger: someone icbot knows nothing about may ask too; the
// file says it holds no record of them, and nothing of anyone's.
func TestMyDataStranger(t *testing.T) {
	h := newHarness(t).seed()
	canaryProduction(t, h)
	js, md := myData(t, h, "nobody")
	var d bot.MyData
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		t.Fatal(err)
	}
	if d.Person.Known || d.Person.ID != "nobody" || len(d.Scenes)+len(d.Boundaries)+len(d.Riders)+len(d.Holds)+len(d.Reminders) != 0 {
		t.Errorf("a stranger's export: %+v", d)
	}
	if !strings.Contains(md, "icbot holds no person record for you (id nobody).") {
		t.Errorf("mydata.md:\n%s", md)
	}
	// Their only record is their own request.
	if len(d.Audit) != 1 || d.Audit[0].Action != "mydata.export" || !d.Audit[0].ByYou {
		t.Errorf("audit records %+v", d.Audit)
	}
	for _, cs := range []map[string]string{paulaCanaries, peteCanaries} {
		for field, c := range cs {
			if strings.Contains(js+md, c) {
				t.Errorf("a stranger's export holds a performer's %s (%s)", field, c)
			}
		}
	}
}

// TestMyDataRefusals: extra words are refused and queue nothing; a chat
// that cannot send files refuses in words.
func TestMyDataRefusals(t *testing.T) {
	h := newHarness(t).seed()
	before := h.auditLen()
	r := h.do("paula", "/icbot mydata pete")
	if r.code() != bot.EINVALID || !strings.Contains(r.reply, "Usage: /icbot mydata") {
		t.Errorf("%s: %s", r.code(), r.reply)
	}
	if len(r.sent) != 0 || len(h.pending()) != 0 || h.auditLen() != before {
		t.Errorf("a refused request changed something: sent %+v", r.sent)
	}

	fc := &fakeChat{}
	h = newHarness(t, func(o *harnessOpt) {
		fc.private, fc.members = harnessChannels()
		o.chat, o.rec = plainChat{fc}, fc
	}).seed()
	r = h.do("paula", "/icbot mydata")
	if r.code() != bot.EUNAVAILABLE || !strings.Contains(r.reply, "cannot send files") || len(h.pending()) != 0 {
		t.Errorf("%s: %s", r.code(), r.reply)
	}
}

// TestMyDataNamesOnlyWholeHandles: a record naming @paulan does not name
// @paula.
func TestMyDataNamesOnlyWholeHandles(t *testing.T) {
	h := newHarness(t).seed()
	h.must("root", "/icbot role add <@paulan|paulan> crew")
	js, _ := myData(t, h, "paula")
	if strings.Contains(js, "paulan") {
		t.Errorf("Paula's export holds a record about @paulan:\n%s", js)
	}
}
