package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
	"icbot/storage"
)

// TestWrapThenRetentionShreds: `icbot wrap`, with the bot stopped,
// records the wrap; with production.retention set, the first start after
// the retention has passed shreds the consent records before it answers:
// none of either performer's canaries can be read through any command,
// report or export, nor from the file with the storage key; names are
// kept; icbot audit verify passes; and a rekey afterwards works.
func TestWrapThenRetentionShreds(t *testing.T) {
	env := eraseDB(t)
	path := env["ICBOT_STORAGE_PATH"]
	canaries := append(slices.Clone(peteCanaries), paulaCanaries...)
	out, errs, _, code := consoleRun(t, "", env, eraseClock, "wrap")
	if code != 0 || !strings.Contains(out, "Recorded in database "+path+" that the production wrapped on 2026-11-27.") ||
		!strings.Contains(out, "retention: none: consent records are kept until the production deletes them, and nothing is shredded") {
		t.Fatalf("wrap: exit %d: %s%s", code, out, errs)
	}

	env["ICBOT_PRODUCTION_RETENTION"] = "30d"
	out, errs, _, code = consoleRun(t, "", env, eraseClock, "wrap", "2026-11-27")
	if code != 0 || !strings.Contains(out, "was already recorded") ||
		!strings.Contains(out, "retention: 30d after the wrap on 2026-11-27: icbot shreds the consent records on 2026-12-27 at 19:00 (production.wrap_time, UTC)") {
		t.Fatalf("wrap again: exit %d: %s%s", code, out, errs)
	}
	before := everything(t, env)
	for _, c := range canaries {
		if !strings.Contains(before, c) {
			t.Fatalf("before the retention passed, %s reads nowhere", c)
		}
	}

	// icbot was not running at 2026-12-27 19:00; it starts the next day.
	late := time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC)
	out, errs, _, code = consoleRun(t, "@ines /boundaries show 12\n", env, late)
	if code != 0 || !strings.Contains(out, "Retention: icbot shredded the production's consent records (late: icbot was not running at Sun 27 Dec 2026 19:00 UTC), 30 days after wrap (2026-11-27, from icbot wrap)") {
		t.Fatalf("the start after the retention: exit %d: %s\n%s", code, errs, out)
	}
	if strings.Contains(out, "CANARY") {
		t.Errorf("the first command after the start still shows a canary:\n%s", out)
	}

	check := func(t *testing.T, when string) {
		t.Helper()
		after := everything(t, env)
		stored := storedText(t, path)
		for _, c := range canaries {
			if strings.Contains(after, c) {
				t.Errorf("%s: %s is still shown", when, c)
			}
			if strings.Contains(stored, c) {
				t.Errorf("%s: %s still opens with the storage key", when, c)
			}
		}
		noText(t, path, canaries...)
		if !strings.Contains(after, "Notes: "+storage.ErasedText) || !strings.Contains(after, "terms: "+storage.ErasedText) {
			t.Errorf("%s: the notes and terms do not read as erased", when)
		}
		if !strings.Contains(after, "@pete") || !strings.Contains(after, "@paula") {
			t.Errorf("%s: the performers' names are gone", when)
		}
		if out, errs, _, code := consoleRun(t, "", env, late, "audit", "verify"); code != 0 {
			t.Errorf("%s: audit verify: exit %d: %s%s", when, code, out, errs)
		}
	}
	check(t, "after the shredding")
	if out, errs, _, code := consoleRun(t, "", env, late, "audit", "export"); code != 0 || !strings.Contains(out, `"action":"retention.shred"`) {
		t.Errorf("the audit trail has no retention.shred record: exit %d: %s\n%s", code, errs, out)
	}
	if out, errs, _, code := consoleRun(t, "", env, late, "rekey"); code != 0 {
		t.Fatalf("rekey after the shredding: exit %d: %s%s", code, out, errs)
	}
	check(t, "after a rekey")
}

// TestWrapRefusals: a DATE that is not a day, one after today, a wrap
// date set in the configuration, a missing database and a running bot
// are refused with what to do, and none of them changes anything.
func TestWrapRefusals(t *testing.T) {
	env, path := dbEnv(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"wrap"}, exitError, "there is no database at " + path},
	} {
		_, errs, code := icbot(t, "", env, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.want)
		}
	}
	if _, errs, code := icbot(t, rekeyScript, env); code != 0 {
		t.Fatalf("script: exit %d: %s", code, errs)
	}
	wrapDate := func() string {
		t.Helper()
		st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)), storage.WithReadOnly())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var info bot.ProductionInfo
		if err := st.View(t.Context(), func(tx bot.Tx) error {
			var err error
			info, err = tx.Production()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return info.WrapDate
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"wrap", "26/11/2026"}, nil, exitUsage, `"26/11/2026" is not a date YYYY-MM-DD, such as 2026-12-18` + "\n" + wrapUsage},
		{[]string{"wrap", "2026-02-30"}, nil, exitUsage, `"2026-02-30" is not a date YYYY-MM-DD`},
		{[]string{"wrap", "2026-11-26", "2026-11-27"}, nil, exitUsage, `unexpected argument "2026-11-27"`},
		{[]string{"wrap", "2026-11-27"}, nil, exitError, "2026-11-27 is after today (2026-11-26): icbot wrap records a wrap that happened; for one still to come, set production.wrap_date (nothing was changed)"},
		{[]string{"wrap"}, map[string]string{"ICBOT_PRODUCTION_WRAP_DATE": "2026-12-18"}, exitError,
			"production.wrap_date is set to 2026-12-18 in the configuration, and takes precedence over a recorded wrap: change it there, or remove it to use icbot wrap (nothing was changed)"},
		{[]string{"wrap"}, map[string]string{"ICBOT_PRODUCTION_RETENTION": "7 years"}, exitUsage, `production.retention (from ICBOT_PRODUCTION_RETENTION): "7 years" is not a retention`},
	} {
		e := withEnv(env, c.env)
		_, errs, code := icbot(t, "", e, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v %v: exit %d, %q; want %d, %q", c.args, c.env, code, errs, c.code, c.want)
		}
	}
	if got := wrapDate(); got != "" {
		t.Fatalf("after the refusals, a wrap date is recorded: %q", got)
	}

	st, err := storage.Open(path, storage.WithTimeout(time.Second), storage.WithKey(keyOf(t, path)))
	if err != nil {
		t.Fatal(err)
	}
	running := withEnv(env, map[string]string{"ICBOT_STORAGE_OPEN_TIMEOUT": "200ms"})
	_, errs, code := icbot(t, "", running, "wrap", "2026-11-20")
	st.Close()
	if code != exitError || !strings.Contains(errs, "stop icbot before icbot wrap") {
		t.Errorf("bot running: exit %d, %q", code, errs)
	}
	if got := wrapDate(); got != "" {
		t.Fatalf("with the bot running, a wrap date was recorded: %q", got)
	}

	// Stopped, it works, and a second date replaces the first, saying so.
	out, errs, code := icbot(t, "", env, "wrap", "2026-11-20")
	if code != 0 || !strings.Contains(out, "that the production wrapped on 2026-11-20.") {
		t.Fatalf("wrap: exit %d: %s%s", code, out, errs)
	}
	out, errs, code = icbot(t, "", env, "wrap")
	if code != 0 || !strings.Contains(out, "that the production wrapped on 2026-11-26 (it was 2026-11-20).") || wrapDate() != "2026-11-26" {
		t.Fatalf("wrap today: exit %d: %s%s", code, out, errs)
	}
}

// withEnv is a copy of a with b's entries added.
func withEnv(a, b map[string]string) map[string]string {
	out := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestConfigSaysRetention: icbot config says what production.retention
// does: nothing shredded without it, and when it shreds with it.
func TestConfigSaysRetention(t *testing.T) {
	env, _ := dbEnv(t)
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "retention: none: consent records are kept until the production deletes them, and nothing is shredded"},
		{map[string]string{"ICBOT_PRODUCTION_RETENTION": "7y"}, "retention: 7y after wrap, counted from the day icbot wrap records in the database (production.wrap_date is not set)"},
		{map[string]string{"ICBOT_PRODUCTION_RETENTION": "90d", "ICBOT_PRODUCTION_WRAP_DATE": "2026-12-18"},
			"retention: 90d after the wrap on 2026-12-18: icbot shreds the consent records on 2027-03-18 at 19:00 (production.wrap_time, Europe/London), and warns the IC a week before"},
	} {
		out, errs, code := icbot(t, "", withEnv(env, c.env), "config")
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("%v: exit %d: %s\n%s", c.env, code, errs, out)
		}
	}
}
