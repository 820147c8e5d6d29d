package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// peteCanaries are every sealed field about @pete in eraseDB: his
// boundary notes, garments and body notes, his rider's terms, the reason
// of the hold he called, his dispute of the rehearsal's record and his
// aftercare note.
var peteCanaries = []string{"CANARY-NOTES-pete", "CANARY-GARMENTS-pete", "CANARY-BODY-pete", "CANARY-TERMS-pete", "CANARY-HOLD-pete", "CANARY-REH-DISPUTE", "CANARY-REMNOTE-pete"}

// paulaCanaries are @paula's, which an erasure of @pete leaves alone.
var paulaCanaries = []string{"CANARY-NOTES-paula", "CANARY-GARMENTS-paula", "CANARY-BODY-paula", "CANARY-TERMS-paula", "CANARY-REMNOTE-paula"}

// eraseClock is when the aftercare check-ins of leakScript's closed set
// are due, and answered.
var eraseClock = tourClock.Add(25 * time.Hour)

// eraseDB is leakDB with both performers' aftercare answered with a note.
func eraseDB(t *testing.T) map[string]string {
	t.Helper()
	env := leakDB(t)
	// Asked, as the reminder loop asks them when they fall due.
	path := env["ICBOT_STORAGE_PATH"]
	st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(t.Context(), func(tx bot.Tx) error {
		for _, id := range []uint64{6, 7} {
			r, err := tx.Reminder(id)
			if err != nil {
				return err
			}
			r.State, r.SentAt = bot.ReminderSent, eraseClock
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
		}
		return nil
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errs, _, code := consoleRun(t, "@paula /reminders answer 6 talk CANARY-REMNOTE-paula\n@pete /reminders answer 7 talk CANARY-REMNOTE-pete\n", env, eraseClock)
	if code != 0 || !strings.Contains(out, "They wrote: CANARY-REMNOTE-pete") || !strings.Contains(out, "They wrote: CANARY-REMNOTE-paula") {
		t.Fatalf("answering the aftercare: exit %d: %s\n%s", code, errs, out)
	}
	return env
}

// eraseShowScript is every command that shows a sealed field of scene 12,
// as the IC and as each performer.
const eraseShowScript = `@ines /boundaries show 12
@pete /boundaries show 12
@paula /boundaries show 12
@ines /rider status 12
@pete /rider status 12
@paula /rider status 12
@ines /reminders list
@ines /scene show 12
@ines /audit 12
@ines /report day 2026-11-26
`

// everything is what every command, report and export shows of the
// database of env: eraseShowScript, the audit trail with its private
// details, and scene 12 and the production exported for every audience
// in Markdown and JSON.
func everything(t *testing.T, env map[string]string) string {
	t.Helper()
	var all strings.Builder
	out, errs, _, code := consoleRun(t, eraseShowScript, env, eraseClock)
	if code != 0 {
		t.Fatalf("commands: exit %d: %s", code, errs)
	}
	all.WriteString(out)
	out, errs, _, code = consoleRun(t, "", env, eraseClock, "audit", "export", "--private")
	if code != 0 {
		t.Fatalf("audit export: exit %d: %s", code, errs)
	}
	all.WriteString(out)
	for _, aud := range exportAudiences {
		for _, what := range [][]string{{"scene", "12"}, {"production"}, {"day", "2026-11-26"}} {
			if what[0] == "day" && !slices.Contains([]string{"ic", "ad", "producer"}, aud) {
				continue
			}
			for _, f := range []string{"md", "json"} {
				args := append(append([]string{"export"}, what...), "--format", f, "--audience", aud)
				out, errs, _, code := consoleRun(t, "", env, eraseClock, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errs)
				}
				all.WriteString(out)
			}
		}
	}
	return all.String()
}

// storedText is every record with sealed fields read through the store
// with the storage key: what the file gives someone who holds the key.
func storedText(t *testing.T, path string) string {
	t.Helper()
	st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)), storage.WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out strings.Builder
	err = st.View(t.Context(), func(tx bot.Tx) error {
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		fmt.Fprintf(&out, "%+v\n", scenes)
		for _, sc := range scenes {
			riders, err := tx.Riders(sc.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "%+v\n", riders)
			for _, p := range sc.Performers {
				hist, err := tx.BoundariesHistory(sc.ID, p)
				if err != nil {
					return err
				}
				fmt.Fprintf(&out, "%+v\n", hist)
			}
			rems, err := tx.SceneReminders(sc.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(&out, "%+v\n", rems)
		}
		ds, err := tx.Deliveries()
		fmt.Fprintf(&out, "%+v\n", ds)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestErase: after `icbot erase @pete --all`, none of his canaries can be read
// through any command, report or export, nor from the file, in clear or
// with the storage key; @paula's read as before; icbot audit verify
// passes; and a rekey afterwards works, with his fields still erased.
func TestErase(t *testing.T) {
	env := eraseDB(t)
	path := env["ICBOT_STORAGE_PATH"]
	before := everything(t, env) + storedText(t, path)
	for _, c := range append(slices.Clone(peteCanaries), paulaCanaries...) {
		if !strings.Contains(before, c) {
			t.Fatalf("before the erasure, %s reads nowhere", c)
		}
	}

	out, errs, _, code := consoleRun(t, "", env, eraseClock, "erase", "@pete", "--all")
	if code != 0 {
		t.Fatalf("erase: exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{"Erased the data key of pete in database " + path, "they are named erased-1",
		"Backups taken before now still hold their key"} {
		if !strings.Contains(out, want) {
			t.Errorf("erase output lacks %q:\n%s", want, out)
		}
	}

	check := func(t *testing.T, when string) {
		t.Helper()
		after := everything(t, env)
		stored := storedText(t, path)
		for _, c := range peteCanaries {
			if strings.Contains(after, c) {
				t.Errorf("%s: %s is still shown", when, c)
			}
			if strings.Contains(stored, c) {
				t.Errorf("%s: %s still opens with the storage key", when, c)
			}
		}
		noText(t, path, peteCanaries...)
		for _, c := range paulaCanaries {
			if !strings.Contains(after, c) {
				t.Errorf("%s: @paula's %s is no longer shown", when, c)
			}
		}
		if !strings.Contains(after, "Notes: "+storage.ErasedText) || !strings.Contains(after, "terms: "+storage.ErasedText) {
			t.Errorf("%s: @pete's notes and terms do not read as erased", when)
		}
		if out, errs, _, code := consoleRun(t, "", env, eraseClock, "audit", "verify"); code != 0 {
			t.Errorf("%s: audit verify: exit %d: %s%s", when, code, out, errs)
		}
	}
	check(t, "after the erasure")

	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "rekey"); code != 0 {
		t.Fatalf("rekey after the erasure: exit %d: %s%s", code, out, errs)
	}
	check(t, "after a rekey")

	// Pete goes on: what he writes now is sealed under a new key, and
	// reads back; what was erased stays erased.
	out, errs, _, code = consoleRun(t, "@pete /boundaries answer 12 b1=yes notes=\"CANARY-NEW-pete\"\n@ines /boundaries show 12\n", env, eraseClock)
	if code != 0 || !strings.Contains(out, "CANARY-NEW-pete") {
		t.Errorf("new boundaries after the erasure: exit %d: %s\n%s", code, errs, out)
	}
	if strings.Contains(out, "CANARY-GARMENTS-pete") {
		t.Error("new boundaries brought the erased garments back")
	}
}

// TestEraseRefusals: a missing or malformed user is a usage error, a
// user the database holds nothing about is refused, and a running bot
// keeps icbot erase out; none of them changes anything.
func TestEraseRefusals(t *testing.T) {
	env, path := dbEnv(t)
	if _, errs, code := icbot(t, rekeyScript, env); code != 0 {
		t.Fatalf("script: exit %d: %s", code, errs)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"erase"}, exitUsage, "missing the user to erase"},
		{[]string{"erase", "--db", path}, exitUsage, "missing the user to erase"},
		{[]string{"erase", "@"}, exitUsage, `"@" is not a user id`},
		{[]string{"erase", "pete", "paula"}, exitUsage, `unexpected argument "paula"`},
		{[]string{"erase", "@nobody"}, exitError, "holds nothing about nobody: check the user id (nothing was changed)"},
	} {
		_, errs, code := icbot(t, "", env, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.want)
		}
	}
	if out, _, code := icbot(t, "@ines /boundaries show 30\n", env); code != 0 || !strings.Contains(out, "CANARY-rekey-notes") {
		t.Errorf("after the refusals: exit %d\n%s", code, out)
	}

	st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env["ICBOT_STORAGE_OPEN_TIMEOUT"] = "200ms"
	_, errs, code := icbot(t, "", env, "erase", "pete")
	if code != exitError || !strings.Contains(errs, "stop icbot before icbot erase") {
		t.Errorf("bot running: exit %d, %q", code, errs)
	}
}

// TestEraseMeOnline: @pete erases his own data with /icbot erase me
// while icbot runs, confirming with the code its first answer gives.
// What the production must keep (his signed rider for scene 12, with no
// retention set) still reads; every other canary of his reads
// nowhere, nor opens with the storage key, nor is in the file once
// icbot has stopped; icbot audit verify passes after the restart.
func TestEraseMeOnline(t *testing.T) {
	env := eraseDB(t)
	path := env["ICBOT_STORAGE_PATH"]
	out, errs, _, code := consoleRun(t, "@pete /icbot erase me\n", env, eraseClock)
	m := regexp.MustCompile(`/icbot erase me confirm ([0-9a-f]+)`).FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("erase me: exit %d: %s\n%s", code, errs, out)
	}
	if !strings.Contains(storedText(t, path), "CANARY-HOLD-pete") {
		t.Fatal("the first /icbot erase me erased something")
	}
	out, errs, _, code = consoleRun(t, "@pete /icbot erase me confirm "+m[1]+"\n", env, eraseClock)
	if code != 0 || !strings.Contains(out, "What remains, and until when:") || !strings.Contains(out, "your signed rider for scene 12, kept until the production sets how long it keeps signed riders") {
		t.Fatalf("erase me confirm: exit %d: %s\n%s", code, errs, out)
	}
	kept := []string{"CANARY-TERMS-pete"}
	after := everything(t, env)
	stored := storedText(t, path)
	for _, c := range peteCanaries {
		if slices.Contains(kept, c) {
			if !strings.Contains(stored, c) {
				t.Errorf("%s, of a signed rider the production keeps, no longer reads", c)
			}
			continue
		}
		if strings.Contains(after, c) || strings.Contains(stored, c) {
			t.Errorf("%s still reads after /icbot erase me", c)
		}
	}
	noText(t, path, peteCanaries...)
	for _, c := range paulaCanaries {
		if !strings.Contains(after, c) {
			t.Errorf("@paula's %s is no longer shown", c)
		}
	}
	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "audit", "verify"); code != 0 {
		t.Errorf("audit verify after an online erasure and a restart: exit %d: %s%s", code, out, errs)
	}
	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "rekey"); code != 0 {
		t.Fatalf("rekey after an online erasure: exit %d: %s%s", code, out, errs)
	}
	if stored := storedText(t, path); !strings.Contains(stored, "CANARY-TERMS-pete") || strings.Contains(stored, "CANARY-HOLD-pete") {
		t.Error("after a rekey, the kept rider does not read, or an erased field does")
	}
	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "audit", "verify"); code != 0 {
		t.Errorf("audit verify after a rekey: exit %d: %s%s", code, out, errs)
	}
}

// TestEraseKeepsSignedRider: `icbot erase @pete` keeps his signed rider
// for scene 12, as /icbot erase me does, and says so, with why and until
// when; everything else of his is erased, and the file verifies. With
// --all, the rider goes too.
func TestEraseKeepsSignedRider(t *testing.T) {
	env := eraseDB(t)
	path := env["ICBOT_STORAGE_PATH"]
	out, errs, _, code := consoleRun(t, "", env, eraseClock, "erase", "@pete")
	if code != 0 {
		t.Fatalf("erase: exit %d: %s%s", code, out, errs)
	}
	if want := "  - their signed rider for scene 12, kept until the production sets how long it keeps signed riders after it wraps (it has not yet) (a signed rider is a contract the production may have to keep)"; !strings.Contains(out, want) {
		t.Errorf("erase output lacks %q:\n%s", want, out)
	}
	stored := storedText(t, path)
	after := everything(t, env)
	for _, c := range peteCanaries {
		if c == "CANARY-TERMS-pete" {
			if !strings.Contains(stored, c) || !strings.Contains(after, c) {
				t.Errorf("the kept %s no longer reads", c)
			}
			continue
		}
		if strings.Contains(stored, c) || strings.Contains(after, c) {
			t.Errorf("%s still reads", c)
		}
	}
	noText(t, path, peteCanaries...)
	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "audit", "verify"); code != 0 {
		t.Errorf("audit verify: exit %d: %s%s", code, out, errs)
	}
	if out, errs, _, code := consoleRun(t, "", env, eraseClock, "erase", "@pete", "--all"); code != 0 || strings.Contains(out, "Kept for now") {
		t.Fatalf("erase --all: exit %d: %s%s", code, out, errs)
	}
	if strings.Contains(storedText(t, path), "CANARY-TERMS-pete") {
		t.Error("erase --all kept the signed rider")
	}
}
