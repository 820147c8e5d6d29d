package bot_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// auditSeqs lists the record numbers of an /audit show reply, in the
// order shown.
func auditSeqs(t *testing.T, reply string) []int {
	t.Helper()
	var seqs []int
	for _, m := range regexp.MustCompile(`(?m)^#(\d+) `).FindAllStringSubmatch(reply, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, n)
	}
	return seqs
}

func TestAuditShowListsNewestFirstForTheIC(t *testing.T) {
	h := newHarness(t).seed()
	h.now = t0.Add(time.Hour)
	h.must("ines", `/scene set 12 title="Lake house, dusk"`)
	h.now = t0.Add(2 * time.Hour)
	h.must("adam", "/closedset add 12 @gary")
	n := int(h.auditLen())

	r := h.must("ines", "/audit show")
	seqs := auditSeqs(t, r.reply)
	if len(seqs) != n {
		t.Fatalf("%d records shown of %d:\n%s", len(seqs), n, r.reply)
	}
	for i := range seqs {
		if seqs[i] != n-i {
			t.Fatalf("records not newest first: %v\n%s", seqs, r.reply)
		}
	}
	lines := strings.Split(r.reply, "\n")
	// The newest: the AD's roster change, at 10:30 in London (GMT).
	for _, want := range []string{"#" + strconv.Itoa(n) + " Thu 26 Nov 2026 10:30 GMT", "@adam", "roster.add", "scene 12", "@gary (crew) added to the roster of scene 12"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("newest line %q lacks %q", lines[1], want)
		}
	}
	if !strings.Contains(r.reply, "@ines  scene.set  scene 12  scene 12 changed: title") {
		t.Errorf("the IC's change is not listed as expected:\n%s", r.reply)
	}
	if strings.Contains(r.reply, "Only the newest") {
		t.Errorf("a short trail says records were left out:\n%s", r.reply)
	}
}

func TestAuditShowFiltersByScene(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", `/scene set 12 title="Lake house, dusk"`)
	h.must("ines", `/scene set 14 title="Kitchen, dawn"`)
	r := h.must("ines", "/audit show 14")
	body := strings.SplitN(r.reply, "\n", 2)[1]
	if !strings.Contains(r.reply, "scene 14 changed") || strings.Contains(body, "scene 12") || strings.Contains(body, "scene 15") {
		t.Errorf("/audit show 14 should list scene 14's records alone:\n%s", r.reply)
	}
	// A scene removed since keeps its records.
	h.must("ines", "/scene remove 14")
	if r := h.must("ines", "/audit show 14"); !strings.Contains(r.reply, "scene 14 removed") || !strings.Contains(r.reply, "scene 14 changed") {
		t.Errorf("a removed scene's records are gone:\n%s", r.reply)
	}
	if r := h.must("ines", "/audit show 99"); r.reply != "No audit records for scene 99." {
		t.Errorf("reply %q", r.reply)
	}
}

func TestAuditShowSince(t *testing.T) {
	h := newHarness(t).seed()
	h.now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	h.must("ines", `/scene set 12 title="Day two"`)
	h.now = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	h.must("ines", `/scene set 12 title="Day three"`)
	r := h.must("ines", `/audit show since="2026-11-27 08:00"`)
	if got := auditSeqs(t, r.reply); len(got) != 2 || got[0] < got[1] {
		t.Errorf("since= should list the two changes, newest first; got %v:\n%s", got, r.reply)
	}
	// The relative forms of call= work too.
	r = h.must("ines", `/audit show 12 since="today 00:00"`)
	if got := auditSeqs(t, r.reply); len(got) != 1 || !strings.Contains(r.reply, "Sat 28 Nov 2026 09:00") {
		t.Errorf("since=today: %v\n%s", got, r.reply)
	}
	r = h.must("ines", `/audit show 12 since="-1d 00:00"`)
	if got := auditSeqs(t, r.reply); len(got) != 2 {
		t.Errorf("since=-1d: %v\n%s", got, r.reply)
	}
}

func TestAuditShowIsBounded(t *testing.T) {
	h := newHarness(t).seed()
	for i := range 60 {
		h.now = t0.Add(time.Duration(i+1) * time.Minute)
		h.must("ines", `/scene set 14 title="Take `+strconv.Itoa(i)+`"`)
	}
	n := int(h.auditLen())
	r := h.must("ines", "/audit show")
	seqs := auditSeqs(t, r.reply)
	if len(seqs) != 50 || seqs[0] != n || seqs[49] != n-49 {
		t.Fatalf("want the newest 50 (%d down to %d), got %d: %v", n, n-49, len(seqs), seqs)
	}
	// The 51st newest was written at 08:40 (GMT, London's zone in November).
	want := `/audit show since="2026-11-26 08:40"`
	if !strings.Contains(r.reply, "Only the newest 50 are shown") || !strings.Contains(r.reply, want) || !strings.Contains(r.reply, "icbot audit export") {
		t.Fatalf("no line on how to see older ones (want %s):\n%s", want, r.reply)
	}
	// Paging: since= lists the 50 from then on, and says where the next are.
	r = h.must("ines", `/audit show since="2026-11-26 08:30"`)
	seqs = auditSeqs(t, r.reply)
	if len(seqs) != 50 || seqs[0] < seqs[49] {
		t.Fatalf("since= page: %v", seqs)
	}
	if !strings.Contains(r.reply, "There are more after these") {
		t.Errorf("a full page says nothing of the rest:\n%s", r.reply)
	}
}

func TestAuditShowBadInputChangesNothing(t *testing.T) {
	h := newHarness(t).seed()
	for _, tc := range []struct{ text, want string }{
		{`/audit show since="someday"`, `bad since time "someday": write since="YYYY-MM-DD HH:MM" (Europe/London time), such as since="2026-11-19 08:00"`},
		{`/audit show 12 since="1999-01-01 00:00"`, `out of range`},
		{`/audit show 12 14`, `unexpected "14"`},
		{`/audit show 12 when=today`, "when"},
		{`/audit show "1 2"`, "scene"},
	} {
		t.Run(tc.text, func(t *testing.T) {
			before := h.auditLen()
			r := h.do("ines", tc.text)
			if r.code() != bot.EINVALID {
				t.Fatalf("code %q, want invalid; reply %q", r.code(), r.reply)
			}
			if !strings.Contains(r.reply, tc.want) || !strings.Contains(r.reply, "/audit show [ID]") {
				t.Errorf("reply %q lacks %q or the usage line", r.reply, tc.want)
			}
			if h.auditLen() != before || len(r.sent) != 0 {
				t.Errorf("bad input changed something: audit %d -> %d, sent %v", before, h.auditLen(), r.sent)
			}
		})
	}
}

// TestAuditPrivateDetailReachesOnlyTheIC puts canaries in a hold's reason,
// a consent note and a check-in note: /audit show gives them, and the
// names of who called the hold and whose consent changed, to the IC, and
// to nobody else, whatever their role.
func TestAuditPrivateDetailReachesOnlyTheIC(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/hold 12 CANARY-hold-reason")
	h.must("ines", `/scene beat add 12 "hug" kind=contact`)
	h.must("paula", `/boundaries answer 12 b1=yes b2=yes notes="CANARY-consent-note"`)
	h.must("paula", `/reminders answer 1 talk CANARY-checkin-note`)
	h.rec.take()

	r := h.must("ines", "/audit show 12")
	for _, want := range []string{"CANARY-hold-reason", "CANARY-consent-note", "CANARY-checkin-note",
		"@paula  hold.call", "@paula  boundaries.answer", "@paula  remind.answer"} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("the IC's /audit show lacks %q:\n%s", want, r.reply)
		}
	}
	for _, c := range r.out.Replies {
		if c.Class != bot.ClassBoundaries {
			t.Errorf("reply of class %v, want boundaries (the IC and no one else)", c.Class)
		}
	}
	for _, caller := range callers {
		if caller == "ines" {
			continue
		}
		for _, text := range []string{"/audit show", "/audit show 12"} {
			r := h.do(caller, text)
			if r.code() != bot.EFORBIDDEN {
				t.Errorf("%s: %s: code %q, want forbidden", caller, text, r.code())
			}
			all := r.reply + joined(r.sent)
			if strings.Contains(all, "CANARY") || strings.Contains(all, "hold.call") {
				t.Errorf("%s: %s: private detail leaked:\n%s", caller, text, all)
			}
		}
	}
}

// TestAuditPrivateOf: the actions whose actor is private, and the
// sealed content each points at.
func TestAuditPrivateOf(t *testing.T) {
	h := newHarness(t).seed()
	h.must("paula", "/hold 12 CANARY-r")
	err := h.store.View(context.Background(), func(tx bot.Tx) error {
		reader, ok := bot.AuditReaderOf(tx)
		if !ok {
			t.Fatal("the store's transaction cannot read the audit trail")
		}
		for r, err := range reader.AuditNewestFirst() {
			if err != nil {
				return err
			}
			p, err := bot.AuditPrivateOf(tx, r)
			if err != nil {
				return err
			}
			switch r.Action {
			case "hold.call":
				if !p.Withheld || p.Detail != "CANARY-r" || p.WithheldSummary != "a hold was called on scene 12" {
					t.Errorf("hold.call: %+v", p)
				}
			default:
				if p.Withheld || p.Detail != "" {
					t.Errorf("%s: %+v", r.Action, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditHoldReasonsByNumber: each hold.call record shows its own
// hold's reason, though one person called several in one second (a
// withdrawal's hold, then their own).
func TestAuditHoldReasonsByNumber(t *testing.T) {
	h := newHarness(t).seed()
	h.must("ines", "/closedset start 12")
	h.must("paula", "/boundaries withdraw 12 b1")
	h.must("paula", `/hold 12 "reason-X1"`)
	h.must("paula", `/hold 12 "reason-Y1"`)
	h.must("paula", `/hold 12 "reason-Y2"`)
	log := h.must("ines", "/audit show 12").reply
	for _, line := range strings.Split(log, "\n") {
		for n, want := range map[string]string{"hold 1 called": "consent withdrawn: b1", "hold 2 called": "reason-X1", "hold 3 called": "reason-Y1", "hold 4 called": "reason-Y2"} {
			if strings.Contains(line, n) && !strings.Contains(line, want) {
				t.Errorf("%s: the record reads %q, want its reason %s", n, line, want)
			}
		}
	}
	for _, want := range []string{"hold 1 called", "hold 2 called", "hold 3 called", "hold 4 called"} {
		if !strings.Contains(log, want) {
			t.Fatalf("no record of %s:\n%s", want, log)
		}
	}
}
