package main

import (
	"strings"
	"testing"
)

// TestConsoleWideningCameraEdit runs, through the console, a camera edit
// the IC does not say widens (icbot asks, and nothing changes), then the
// same edit with widens=yes: paula's answer no longer counts and her
// signed rider goes back for amendment.
func TestConsoleWideningCameraEdit(t *testing.T) {
	script := `@ines /scene add 30 title="Pool" call="+6d 10:30" performers=@paula
@ines /scene beat add 30 "Kiss in the water" kind=contact camera="wide, from the deck"
@ines /boundaries request 30
@paula /boundaries answer 30 b1=yes
@ines /rider sent 30 @paula
@ines /rider signed 30 @paula
/boundaries status 30
@ines /scene beat set 30 b1 camera="close-up, underwater"
/boundaries status 30
@ines /scene beat set 30 b1 camera="close-up, underwater" widens=yes
/boundaries status 30
@ines /rider status 30
@paula /scene show 30
`
	out, errs, _, code := consoleRun(t, script, tourEnv(t), tourClock)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs)
	}
	// Each in this order in the transcript.
	steps := []string{
		"Scene 30: boundaries confirmed 1 of 1; waiting for answers 0; to discuss with the IC 0; withdrawn 0. Riders signed and in time 1 of 1.",
		"Does the new camera of beat b1 of scene 30 show more than its performers agreed to? icbot cannot tell. Run the command again with widens=yes",
		"Nothing was changed.",
		"Scene 30: boundaries confirmed 1 of 1; waiting for answers 0; to discuss with the IC 0; withdrawn 0. Riders signed and in time 1 of 1.",
		"Beat b1 of scene 30 changed (camera): b1  Kiss in the water [contact]. Earlier answers to it no longer count",
		"[DM to @ines] Scene 30 changed (b1): the signed riders of @paula need amendment",
		"Scene 30: boundaries confirmed 0 of 1; waiting for answers 1; to discuss with the IC 0; withdrawn 0. Riders signed and in time 0 of 1.",
		"@paula: needs amendment",
		"camera: close-up, underwater",
	}
	rest := out
	for _, s := range steps {
		i := strings.Index(rest, s)
		if i < 0 {
			t.Fatalf("the transcript does not show, after the steps before it:\n%s\ntranscript:\n%s", s, out)
		}
		rest = rest[i+len(s):]
	}
}
