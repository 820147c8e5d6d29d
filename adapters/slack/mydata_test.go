package slack_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// TestMyDataUploadedToDM: /icbot mydata goes through Slack's upload flow
// against the fake, two files shared into the caller's DM. With a canary
// in every field about Paula and about Pete, who shares her scene, a beat
// and a rehearsal, both of Paula's files hold every one of hers and none
// of his.
func TestMyDataUploadedToDM(t *testing.T) {
	paula := map[string]string{
		"name": "paulaCNYS01", "scene title": "CNYS02", "beat description": "CNYS03", "beat areas": "CNYS04",
		"beat camera": "CNYS05", "beat conditions": "CNYS06",
		"boundaries v1 notes": "CNYS07", "boundaries v1 garments": "CNYS08", "boundaries v1 body": "CNYS09",
		"boundaries v2 notes": "CNYS10", "boundaries v2 garments": "CNYS11", "boundaries v2 body": "CNYS12",
		"rider terms": "CNYS13", "rehearsal changes": "CNYS14", "rehearsal dispute note": "CNYS15",
		"hold reason": "CNYS16", "check-in note": "CNYS17",
	}
	pete := map[string]string{
		"name": "peteCNYS51", "scene title": "CNYS52", "beat description": "CNYS53", "beat camera": "CNYS54",
		"boundaries notes": "CNYS55", "boundaries garments": "CNYS56", "boundaries body": "CNYS57",
		"rider terms": "CNYS58", "rehearsal dispute note": "CNYS59", "hold reason": "CNYS60", "check-in note": "CNYS61",
	}
	P, O := paula, pete
	r := newRig(t)
	r.fake.set(func(f *fakeSlack) {
		f.private["GCOSTUME"], f.members["GCOSTUME"] = true, []string{botUser, "UCOSTA", "UINES"}
	})
	for _, l := range []string{
		"/icbot role add <@UINES|ines> ic", "/icbot role add <@UADAM|adam> ad", "/icbot role add <@UCOSTA|costa> costume",
		"/icbot role add <@UPAULA|" + P["name"] + "> performer", "/icbot role add <@UPETE|" + O["name"] + "> performer",
	} {
		r.slash("UROOT", l)
	}
	for _, l := range [][2]string{
		{"UINES", `/scene add 12 title="Night swim ` + P["scene title"] + `" call="2036-12-03 09:00" performers=<@UPAULA>,<@UPETE> channel=<#GSCENE12|scene-12>`},
		{"UINES", `/scene add 14 title="Barn ` + O["scene title"] + `" call="2036-12-03 09:00" performers=<@UPETE>`},
		{"UINES", `/scene beat add 12 "Swim ` + P["beat description"] + `" kind=nudity areas=` + P["beat areas"] + ` camera="` + P["beat camera"] + `" conditions="` + P["beat conditions"] + `"`},
		{"UINES", `/scene beat add 12 "Alone ` + O["beat description"] + `" kind=contact performers=<@UPETE> camera="` + O["beat camera"] + `"`},
		{"UPAULA", `/boundaries answer 12 b1=yes notes="` + P["boundaries v1 notes"] + `" garments="` + P["boundaries v1 garments"] + `" body="` + P["boundaries v1 body"] + `"`},
		{"UPETE", `/boundaries answer 12 b1=yes b2=yes notes="` + O["boundaries notes"] + `" garments="` + O["boundaries garments"] + `" body="` + O["boundaries body"] + `"`},
		{"UINES", "/dept channel costume <#GCOSTUME|costume>"},
		{"UINES", "/dept notify 12 costume"},
		// Logged while both agree to b1.
		{"UINES", `/rehearsal log 12 b1 present=<@UPAULA>,<@UPETE> changes="` + P["rehearsal changes"] + `"`},
		{"UPAULA", "/rehearsal dispute 12 1 " + P["rehearsal dispute note"]},
		{"UPETE", "/rehearsal dispute 12 1 " + O["rehearsal dispute note"]},
		{"UPAULA", `/boundaries answer 12 b1=discuss notes="` + P["boundaries v2 notes"] + `" garments="` + P["boundaries v2 garments"] + `" body="` + P["boundaries v2 body"] + `"`},
		{"UINES", `/rider drafted 12 <@UPAULA> terms="` + P["rider terms"] + `"`},
		{"UINES", `/rider drafted 12 <@UPETE> terms="` + O["rider terms"] + `"`},
		{"UPAULA", "/hold 12 " + P["hold reason"]},
		{"UINES", "/hold lift 12"},
		{"UPETE", "/hold 12 " + O["hold reason"]},
		{"UINES", "/hold lift 12"},
	} {
		r.slash(l[0], l[1])
	}
	if !r.shownHas("GCOSTUME", P["boundaries v1 garments"]) {
		t.Fatalf("no costume notice: %v", r.fake.shows("GCOSTUME"))
	}
	// Their check-ins for scene 12 count as asked, and they answer them.
	checkIn := map[bot.UserID]uint64{}
	if err := r.store.Update(context.Background(), func(tx bot.Tx) error {
		rs, err := tx.SceneReminders("12")
		if err != nil {
			return err
		}
		for _, rem := range rs {
			if rem.Kind == bot.RemindCheckIn && rem.State == bot.ReminderPending {
				rem.State = bot.ReminderSent
				if _, err := tx.PutReminder(rem); err != nil {
					return err
				}
				checkIn[rem.Performer] = rem.ID
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.slash("UPAULA", fmt.Sprintf("/reminders answer %d talk %s", checkIn["UPAULA"], P["check-in note"]))
	r.slash("UPETE", fmt.Sprintf("/reminders answer %d talk %s", checkIn["UPETE"], O["check-in note"]))
	r.fake.took()

	want := "Everything icbot holds about you is on its way by DM: mydata.json (schema " + bot.MyDataSchema + ") and mydata.md, the same in readable text."
	if got := r.slash("UPAULA", "/icbot mydata"); got != want {
		t.Errorf("answer %q, want %q", got, want)
	}
	calls := r.fake.took()
	var flow []string
	for _, m := range methods(calls) {
		if strings.HasPrefix(m, "files.") {
			flow = append(flow, m)
		}
	}
	if want := []string{"files.getUploadURLExternal", "files.completeUploadExternal", "files.getUploadURLExternal", "files.completeUploadExternal"}; !slices.Equal(flow, want) {
		t.Errorf("calls %v, want %v", flow, want)
	}
	if posts := posts(calls, "DUPAULA"); len(posts) != 0 {
		t.Errorf("the export went as a message too: %q", posts)
	}
	files := r.fake.filesIn("DUPAULA")
	if len(files) != 2 || files[0].Title != "mydata.json" || files[1].Title != "mydata.md" {
		t.Fatalf("files in Paula's DM: %+v", files)
	}
	if !strings.Contains(files[0].Comment, "schema "+bot.MyDataSchema) {
		t.Errorf("the JSON's message: %q", files[0].Comment)
	}
	for _, f := range files {
		body := string(f.Data)
		for field, c := range paula {
			if !strings.Contains(body, c) {
				t.Errorf("%s lacks Paula's %s (%s)", f.Title, field, c)
			}
		}
		for field, c := range pete {
			if strings.Contains(body, c) {
				t.Errorf("%s holds Pete's %s (%s)", f.Title, field, c)
			}
		}
		if t.Failed() {
			t.Logf("%s:\n%s", f.Title, body)
		}
	}
	for _, ch := range []string{"GSCENE12", "CSET", "GCOSTUME", "DUPETE", "DUINES"} {
		if fs := r.fake.filesIn(ch); len(fs) != 0 {
			t.Errorf("files shared into %s: %+v", ch, fs)
		}
	}
}
