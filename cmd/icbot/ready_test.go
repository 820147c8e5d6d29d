package main

import (
	"strings"
	"testing"
)

// TestFirstAnswerSeesDemoReminders: the console's first command on a
// fresh file lists the demo's reminders, derived before icbot answers.
func TestFirstAnswerSeesDemoReminders(t *testing.T) {
	env, _ := dbEnv(t)
	out, errs, code := icbot(t, "@ines /reminders list\n", env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out, "No reminders.") || strings.Count(out, "check-in scene 12") != 2 || !strings.Contains(out, "digest, due") {
		t.Errorf("the first /reminders list on a fresh file lacks the demo's reminders:\n%s", out)
	}
}
