package bot_test

import (
	"slices"
	"strings"
	"testing"

	"icbot/bot"
)

// TestPermissionMatrix runs every command as every kind of person on a
// fresh copy of the seeded production. "y" means it runs and succeeds, "-"
// that it is refused as forbidden. The expectations are written out from
// PRODUCT.md, not derived from the command table.
func TestPermissionMatrix(t *testing.T) {
	matrix := []struct {
		allow string
		cmd   string
	}{
		//paula pete ines adam dana priya cam cora hana pat sid  gary root nobody
		{"y     y    y    y    y    y     y   y    y    y   y   y    y    y", "/icbot help"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    y    y", "/icbot whoami"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    y    y", "/icbot mydata"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    y    y", "/icbot erase me"},
		{"-     -    y    y    -    y     -   -    -    -   -   -    y    -", "/icbot role list"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/icbot board"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/icbot board logout"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    y    y", "/icbot notice show"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/icbot notice ack"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/icbot notice ack 1"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/icbot notice status"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary props"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary stunts"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary camera"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    y    -", "/icbot role add @cora crew"},
		{"-     -    -    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary ad"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary costume"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/icbot role add @gary hmu"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    y    -", "/icbot role remove @gary crew"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", `/scene add 20 title=x call="2026-12-01 09:00"`},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/scene list"},
		{"y     -    y    y    y    y     -   -    -    -   -   -    -    -", "/scene show 12"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/scene set 12 title=y"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", `/scene rename 12 "Lake house, night"`},
		{"-     -    y    -    y    -     -   -    -    -   -   -    -    -", `/scene intent 12 "the moment they stop pretending"`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat add 12 "hug" kind=contact`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat add 12 "hug" kind=contact camera="wide" conditions="closed monitors" props="blanket" stunts="none"`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/scene beat remove 12 b1"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/scene remove 14"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/closedset start 12"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/closedset add 12 @gary"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/closedset remove 12 @cam"},
		{"y     -    y    y    -    -     y   -    -    -   -   -    -    -", "/closedset ack 15"},
		{"-     -    y    y    -    -     -   -    -    -   -   -    -    -", "/closedset end 15"},
		{"y     -    y    y    y    y     y   -    -    -   -   -    -    -", "/closedset status 12"},
		{"y     y    y    y    y    y     y   y    y    y   y   y    -    -", "/closedset status"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/boundaries request 12"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/boundaries form 12"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/boundaries answer 12 b1=no"},
		{"y     -    y    -    -    -     -   -    -    -   -   -    -    -", "/boundaries show 12"},
		{"-     -    y    y    y    y     -   -    -    -   -   -    -    -", "/boundaries status 12"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/boundaries withdraw 12"},
		{"y     -    y    y    y    y     -   -    -    -   -   -    -    -", "/rider status 12"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/rider drafted 12 @paula"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/rider sent 12 @paula"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/rider signed 12 @paula"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/topline 12"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    y    -", "/dept channel costume #costume-room"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/dept notify 12 costume"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat set 12 b1 "a longer kiss"`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat set 12 b1 camera="close-up" widens=yes`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat set 12 b1 conditions="barrier between performers" widens=no`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/scene beat set 12 b1 props="blanket" stunts="fall onto mat"`},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/reminders list"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/reminders snooze 2 1h"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/reminders cancel 2"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/reminders answer 1 ok"},
		{"y     -    y    y    -    -     y   -    -    -   -   -    -    -", "/hold 12"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/hold lift 16"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/audit show 16"},
		{"y     -    y    y    y    y     y   y    y    y   y   y    -    -", "/report scene 12"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/choreo set 12 b1 "hands on the waist, on four" steps="eyes; hands"`},
		{"y     -    y    -    y    -     -   -    -    -   -   -    -    -", "/choreo show 12 b1 all"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", "/rehearsal explore 12 b1 on"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/rehearsal consent 12 b1"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/rehearsal log 12 b1 present=@paula changes="slower"`},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/rehearsal confirm 12 1"},
		{"y     -    -    -    -    -     -   -    -    -   -   -    -    -", "/rehearsal dispute 12 1 not the right beat"},
		{"y     -    y    -    y    -     -   -    -    -   -   -    -    -", "/rehearsal show 12"},
		{"-     -    y    -    -    -     -   -    -    -   -   -    -    -", `/take 12 b1 note="hands drifted" drift=yes`},
		{"-     -    y    -    y    -     -   -    -    -   -   -    -    -", "/take log 12"},
		{"-     -    y    y    -    y     -   -    -    -   -   -    -    -", "/report day"},
		{"-     -    y    y    -    y     -   -    -    -   -   -    -    -", "/report day yesterday"},
	}
	// What a row's command needs done first, by whom.
	setup := map[string][][2]string{
		`/take 12 b1 note="hands drifted" drift=yes`: {{"ines", `/closedset start 12 force reason="matrix"`}},
		"/take log 12":                               {{"ines", `/closedset start 12 force reason="matrix"`}, {"ines", `/take 12 b1 note="a take"`}},
		"/rehearsal consent 12 b1":                   {{"ines", "/rehearsal explore 12 b1 on"}},
		"/rehearsal confirm 12 1":                    {{"ines", "/rehearsal log 12 b1 present=@paula"}},
		"/rehearsal dispute 12 1 not the right beat": {{"ines", "/rehearsal log 12 b1 present=@paula"}},
	}
	for _, row := range matrix {
		cells := strings.Fields(row.allow)
		if len(cells) != len(callers) {
			t.Fatalf("%s: %d cells for %d callers", row.cmd, len(cells), len(callers))
		}
		for i, caller := range callers {
			t.Run(row.cmd+"/"+caller, func(t *testing.T) {
				h := newHarness(t).seed()
				for _, s := range setup[row.cmd] {
					h.must(s[0], s[1])
				}
				before := h.auditLen()
				r := h.do(caller, row.cmd)
				switch cells[i] {
				case "y":
					if r.out.Err != nil {
						t.Fatalf("refused or failed: %v\n%s", r.out.Err, r.reply)
					}
				case "-":
					if got := r.code(); got != bot.EFORBIDDEN {
						t.Fatalf("code %q, want forbidden; reply:\n%s", got, r.reply)
					}
					if got := h.auditLen(); got != before {
						t.Errorf("a refused command changed the audit log: %d -> %d", before, got)
					}
					if len(r.sent) > 0 {
						t.Errorf("a refused command sent messages: %+v", r.sent)
					}
				}
			})
		}
	}
	// Every command in the table must be in the matrix.
	h := newHarness(t)
	help := h.do("nobody", "/icbot help all").reply
	for _, line := range strings.Split(help, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "/") {
			continue
		}
		p := commandPath(line)
		if !slices.ContainsFunc(matrix, func(row struct{ allow, cmd string }) bool {
			return commandPath(row.cmd) == p || strings.HasPrefix(row.cmd+" ", p+" ")
		}) {
			t.Errorf("command %q is missing from the permission matrix", p)
		}
	}
}

// commandPath is the command's words before its arguments: "/scene beat add".
func commandPath(line string) string {
	var words []string
	for _, w := range strings.Fields(line) {
		if w != strings.ToLower(w) || strings.ContainsAny(w, "0123456789@\"=[#<|") {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func TestForbiddenSaysWhy(t *testing.T) {
	h := newHarness(t).seed()
	r := h.do("paula", "/closedset start 12")
	if r.code() != bot.EFORBIDDEN {
		t.Fatalf("code %q, want forbidden", r.code())
	}
	for _, want := range []string{"intimacy coordinator", "assistant director", "/closedset start", "performer"} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("refusal %q does not mention %q", r.reply, want)
		}
	}
	r = h.do("nobody", "/scene list")
	if !strings.Contains(r.reply, "no role") {
		t.Errorf("a stranger's refusal should say they have no role: %q", r.reply)
	}
}

// TestFormerRemindName: /remind became /reminders (Slack keeps /remind for
// itself); buttons sent before the rename, and people used to the old
// name, still reach the same commands.
func TestFormerRemindName(t *testing.T) {
	h := newHarness(t).seed()
	if got, want := h.must("ines", "/remind list").reply, h.must("ines", "/reminders list").reply; got != want {
		t.Errorf("/remind list answered\n%s\nwant, as /reminders list:\n%s", got, want)
	}
	if r := h.do("paula", "/remind answer 1 ok"); r.out.Err != nil || !strings.Contains(r.reply, "Thank you") {
		t.Errorf("/remind answer 1 ok as paula: %v\n%s", r.out.Err, r.reply)
	}
}
