package bot_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// canaries are private texts, each with who may read it, and the last
// of whom the test must see it reach (through a DM or a channel post).
var canaries = map[string][]string{
	"CANARY-NOTE-7d1":    {"paula", "ines"},
	"CANARY-GARMENT-3a9": {"paula", "ines", "cora"},
	"CANARY-BODY-5c2":    {"paula", "ines", "hana"},
	"CANARY-TERMS-9e4":   {"paula", "ines"},
	"CANARY-HOLD-2b8":    {"pete", "ines"},
	"CANARY-INTENT-4f1":  {"paula", "ines", "adam", "dana", "priya"},
	"CANARY-CAMERA-6a3":  {"paula", "ines", "adam", "dana", "cam", "priya"},
	"CANARY-COND-8b7":    {"paula", "ines", "adam", "dana", "cam", "priya"},
	"CANARY-PROPS-1d5":   {"ines", "adam", "pat"},
	"CANARY-STUNTS-0e6":  {"ines", "adam", "sid"},
	"CANARY-CHOREO-3c7":  {"ines", "paula", "dana"},
	"CANARY-STEPS-5e2":   {"ines", "paula", "dana"},
	"CANARY-CHANGES-7a4": {"ines", "dana", "paula"},
	"CANARY-DISPUTE-9f1": {"paula", "ines"},
	"CANARY-TAKE-3c1":    {"ines", "dana"},
	"CANARY-QUOTE-8d3":   {"ines"},
}

// readers are who could read a message: its recipient, or everyone in
// the channel it was posted to.
func readers(s sent) []string {
	if s.Kind == "post" {
		return s.Readers
	}
	return []string{s.To}
}

// TestLeaks puts canary strings into a performer's notes, garments and
// body notes, a rider's terms, a hold's reason, the director's intent,
// a beat's camera, conditions, props and stunts notes, its choreography
// and steps, a rehearsal's changes, a dispute's note, a take's note and
// a line of an imported script (a proposal, not yet a beat), then runs every command as every kind of person. No canary may reach
// anyone outside its audience, any log line or the audit log; and none
// may be in the database file.
func TestLeaks(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, withLocker(&lockingChat{}))
	h.bot = bot.New(h.store, h.chat, bot.WithClock(func() time.Time { return h.now }), bot.WithLogger(logger),
		bot.WithAdmins("root"), bot.WithSetChannel("set"), bot.WithScriptReader(readTestScript))
	h.seed()
	var all []sent
	run := func(caller, line string) {
		r := h.do(caller, line)
		all = append(all, r.sent...)
		for _, m := range r.out.Replies {
			all = append(all, sent{Kind: "reply", To: caller, Class: m.Class, Text: m.Text})
		}
	}
	h.rec.addPrivate("props-room", "pat", "ines")
	h.rec.addPrivate("stunts-room", "sid", "ines")
	run("ines", "/dept channel props #props-room")
	run("ines", "/dept channel stunts #stunts-room")
	run("dana", `/scene intent 12 "CANARY-INTENT-4f1"`)
	run("ines", `/scene beat set 12 b1 camera="CANARY-CAMERA-6a3" conditions="CANARY-COND-8b7" props="CANARY-PROPS-1d5" stunts="CANARY-STUNTS-0e6" widens=no`)
	run("paula", `/boundaries answer 12 b1=yes notes="CANARY-NOTE-7d1" garments="CANARY-GARMENT-3a9" body="CANARY-BODY-5c2"`)
	run("ines", `/rider sent 12 @paula terms="CANARY-TERMS-9e4"`)
	run("ines", "/topline 12")
	run("ines", "/dept notify 12 costume")
	run("ines", "/dept notify 12 hmu")
	run("pete", "/hold 16 CANARY-HOLD-2b8")
	run("ines", `/choreo set 12 b1 "CANARY-CHOREO-3c7" steps="CANARY-STEPS-5e2; second"`)
	run("ines", `/rehearsal log 12 b1 present=@paula,@dana changes="CANARY-CHANGES-7a4"`)
	run("paula", "/rehearsal dispute 12 1 CANARY-DISPUTE-9f1")
	run("ines", `/closedset start 12 force reason="leak test setup"`)
	run("ines", `/take 12 b1 note="CANARY-TAKE-3c1" drift=yes`)
	run("ines", "/closedset end 12")
	run("ines", "/scene import canary.fountain")
	run("ines", "/scene cast ANNA @paula")
	run("ines", "/scene set 40 performers=@paula")

	commands := []string{
		"/icbot whoami", "/icbot role list", "/scene list", "/scene show 12", "/scene show 16",
		"/choreo show 12 b1 all", "/rehearsal show 12", "/rehearsal show 12 1",
		"/boundaries show 12", "/boundaries show 12 @paula", "/boundaries status 12", "/boundaries form 12",
		"/rider status 12", "/closedset status 12", "/closedset status", "/topline 12",
		"/dept notify 12 costume", "/dept notify 12 hmu", "/dept notify 12 props", "/dept notify 12 stunts",
		"/report scene 12", "/report scene 16 format=json",
		"/closedset start 12", "/closedset start 16",
		`/scene beat add 12 "hug" kind=contact`, "/closedset ack 12", "/hold 12", "/hold lift 12",
		"/boundaries answer 12 b1=yes", "/boundaries withdraw 12 b1", "/closedset end 12", "/hold lift 16",
		"/rider signed 12 @paula", `/closedset start 12 force reason="leak test"`, `/take 12 b1 note="a take"`, "/take log 12 session=1", "/take log 12", "/closedset end 12",
		"/report day", "/icbot mydata",
		"/scene breakdown 40", "/scene show 40", "/scene list", "/report scene 40", "/report scene 40 format=json", "/scene cast",
		"/scene beat decline 40 1", "/boundaries request 40", "/topline 40", "/rider status 40", "/closedset status 40",
		"/scene import canary.fountain",
	}
	for _, line := range commands {
		for _, caller := range callers {
			run(caller, line)
		}
	}

	for _, s := range all {
		for canary, audience := range canaries {
			if !strings.Contains(s.Text, canary) {
				continue
			}
			for _, r := range readers(s) {
				if !slices.Contains(audience, r) {
					t.Errorf("%s reached %s through %s %s (class %s): %q", canary, r, s.Kind, s.To, s.Class, s.Text)
				}
			}
		}
	}
	// Each canary did reach its audience: the test saw the data flow.
	for canary, audience := range canaries {
		reached := false
		for _, s := range all {
			if strings.Contains(s.Text, canary) && slices.Contains(readers(s), audience[len(audience)-1]) {
				reached = true
			}
		}
		if !reached {
			t.Errorf("%s never reached %s: the test does not exercise it", canary, audience[len(audience)-1])
		}
	}
	for canary := range canaries {
		if strings.Contains(logs.String(), canary) {
			t.Errorf("%s is in the log", canary)
		}
	}
	h.store.AuditLog(context.Background(), func(r bot.AuditRecord) error {
		for canary := range canaries {
			if strings.Contains(r.Summary, canary) || strings.Contains(string(r.Actor), canary) {
				t.Errorf("%s is in audit record %d", canary, r.Seq)
			}
		}
		return nil
	})
	path := h.store.Path()
	if err := h.store.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for canary := range canaries {
		for _, enc := range encodings(canary) {
			if bytes.Contains(raw, []byte(enc)) {
				t.Errorf("%s is in the database file (as %q)", canary, enc)
			}
		}
	}
}

// encodings are the ways a text can sit in the file readable without the
// key: as itself, or inside base64 (JSON's encoding of bytes) at any of
// the three alignments, with the partial edge characters dropped.
func encodings(s string) []string {
	out := []string{s}
	for pad := 0; pad < 3; pad++ {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, pad), s...))
		out = append(out, enc[4:len(enc)-4])
	}
	return out
}
