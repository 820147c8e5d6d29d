package console_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"icbot/adapters/console"
	"icbot/bot"
	"icbot/storage"
)

// TestMyDataWrittenBesideTheDB: /icbot mydata in the console writes
// Paula's two files (JSON and text, mode 0600) into her folder under the
// reports folder and DMs her their paths. With a canary in every field
// about her and about Pete, who shares her scene, a beat and a
// rehearsal, both files hold every one of hers and none of his.
func TestMyDataWrittenBesideTheDB(t *testing.T) {
	paula := map[string]string{
		"name": "paulaCNYC01", "scene title": "CNYC02", "beat description": "CNYC03", "beat areas": "CNYC04",
		"beat camera": "CNYC05", "beat conditions": "CNYC06",
		"boundaries v1 notes": "CNYC07", "boundaries v1 garments": "CNYC08", "boundaries v1 body": "CNYC09",
		"boundaries v2 notes": "CNYC10", "boundaries v2 garments": "CNYC11", "boundaries v2 body": "CNYC12",
		"rider terms": "CNYC13", "rehearsal changes": "CNYC14", "rehearsal dispute note": "CNYC15",
		"hold reason": "CNYC16", "check-in note": "CNYC17",
	}
	pete := map[string]string{
		"name": "peteCNYC51", "scene title": "CNYC52", "beat description": "CNYC53", "beat camera": "CNYC54",
		"boundaries notes": "CNYC55", "boundaries garments": "CNYC56", "boundaries body": "CNYC57",
		"rider terms": "CNYC58", "rehearsal dispute note": "CNYC59", "hold reason": "CNYC60", "check-in note": "CNYC61",
	}

	ctx := context.Background()
	st, err := storage.Open(filepath.Join(t.TempDir(), "icbot.db"), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if seeded, err := console.SeedDemo(ctx, st, now, time.UTC); err != nil || !seeded {
		t.Fatalf("seed: %v %v", seeded, err)
	}
	dir := filepath.Join(t.TempDir(), "reports")
	var out bytes.Buffer
	a := console.New(&out, append(console.DemoChannels(), console.WithIdentity("adam"), console.WithEcho(true), console.WithReports(dir),
		console.WithChannel("costume-room", true, "cora", "ines"))...)
	b := bot.New(st, a, bot.WithClock(func() time.Time { return now }), bot.WithSetChannel(console.SetChannel))
	if err := b.StartReminders(ctx); err != nil {
		t.Fatal(err)
	}
	// Their display names carry canaries, and their check-ins for scene
	// 12 count as asked.
	checkIn := map[bot.UserID]uint64{}
	if err := st.Update(ctx, func(tx bot.Tx) error {
		for id, name := range map[bot.UserID]string{"paula": paula["name"], "pete": pete["name"]} {
			if err := tx.PutPerson(bot.Person{ID: id, Name: name, Roles: []bot.Role{bot.RolePerformer}}); err != nil {
				return err
			}
		}
		rs, err := tx.SceneReminders("12")
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Kind == bot.RemindCheckIn && r.State == bot.ReminderPending {
				r.State, r.SentAt = bot.ReminderSent, now
				if _, err := tx.PutReminder(r); err != nil {
					return err
				}
				checkIn[r.Performer] = r.ID
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if checkIn["paula"] == 0 || checkIn["pete"] == 0 {
		t.Fatalf("check-ins: %v", checkIn)
	}

	P, O := paula, pete
	script := strings.Join([]string{
		`@ines /scene add 30 title="Pier ` + P["scene title"] + `" call="2026-12-20 09:00" performers=@paula`,
		`@ines /scene add 31 title="Barn ` + O["scene title"] + `" call="2026-12-20 09:00" performers=@pete`,
		`@ines /scene beat add 12 "Swim ` + P["beat description"] + `" kind=nudity areas=` + P["beat areas"] + ` camera="` + P["beat camera"] + `" conditions="` + P["beat conditions"] + `"`,
		`@ines /scene beat add 12 "Alone ` + O["beat description"] + `" kind=contact performers=@pete camera="` + O["beat camera"] + `"`,
		`@paula /boundaries answer 12 b5=yes notes="` + P["boundaries v1 notes"] + `" garments="` + P["boundaries v1 garments"] + `" body="` + P["boundaries v1 body"] + `"`,
		`@pete /boundaries answer 12 b5=yes b6=yes notes="` + O["boundaries notes"] + `" garments="` + O["boundaries garments"] + `" body="` + O["boundaries body"] + `"`,
		`@ines /dept channel costume #costume-room`,
		`@ines /dept notify 12 costume`,
		`@paula /boundaries answer 12 b5=discuss notes="` + P["boundaries v2 notes"] + `" garments="` + P["boundaries v2 garments"] + `" body="` + P["boundaries v2 body"] + `"`,
		`@ines /rider drafted 30 @paula terms="` + P["rider terms"] + `"`,
		`@ines /rider drafted 31 @pete terms="` + O["rider terms"] + `"`,
		`@ines /rehearsal log 12 b1 present=@paula,@pete changes="` + P["rehearsal changes"] + `"`,
		`@paula /rehearsal dispute 12 1 ` + P["rehearsal dispute note"],
		`@pete /rehearsal dispute 12 1 ` + O["rehearsal dispute note"],
		`@paula /hold 12 ` + P["hold reason"],
		`@ines /hold lift 12`,
		`@pete /hold 12 ` + O["hold reason"],
		`@ines /hold lift 12`,
		fmt.Sprintf(`@paula /reminders answer %d talk %s`, checkIn["paula"], P["check-in note"]),
		fmt.Sprintf(`@pete /reminders answer %d talk %s`, checkIn["pete"], O["check-in note"]),
		`@paula /icbot mydata`,
	}, "\n") + "\n"
	if err := a.Run(ctx, strings.NewReader(script), b); err != nil {
		t.Fatal(err)
	}
	transcript := out.String()

	js, md := filepath.Join(dir, "paula", "mydata.json"), filepath.Join(dir, "paula", "mydata.md")
	for _, want := range []string{
		"Everything icbot holds about you is on its way by DM: mydata.json (schema " + bot.MyDataSchema + ") and mydata.md",
		"DM to @paula", "file: " + js, "file: " + md,
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, transcript)
		}
	}
	for _, path := range []string{js, md} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v\n%s", err, transcript)
		}
		for field, c := range paula {
			if !strings.Contains(string(data), c) {
				t.Errorf("%s lacks Paula's %s (%s)", filepath.Base(path), field, c)
			}
		}
		for field, c := range pete {
			if strings.Contains(string(data), c) {
				t.Errorf("%s holds Pete's %s (%s)", filepath.Base(path), field, c)
			}
		}
		if fi, err := os.Stat(path); err != nil {
			t.Error(err)
		} else if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
		}
		if t.Failed() {
			t.Logf("%s:\n%s", path, data)
		}
	}
	// The files are written, not printed.
	if strings.Contains(transcript, "What icbot holds about you") {
		t.Errorf("the export was printed in the transcript:\n%s", transcript)
	}
}
