package bot_test

import (
	"strings"
	"testing"
	"time"

	"icbot/bot"
)

// TestMalformedCommandsChangeNothing: every bad command gets a message that
// says what is wrong and how to type it, and changes nothing.
func TestMalformedCommandsChangeNothing(t *testing.T) {
	tests := []struct {
		name, caller, cmd string
		code              string
		want              []string
	}{
		{"unknown command", "ines", "/scenes list", bot.EINVALID, []string{"unknown command /scenes", "/icbot help"}},
		{"unknown sub-command", "ines", "/scene frobnicate 12", bot.EINVALID, []string{`no sub-command "frobnicate"`, "Its sub-commands: add, list, show, set, ", "Type /scene help"}},
		{"missing sub-command", "adam", "/closedset", bot.EINVALID, []string{"needs a sub-command: start, add, remove, ack, end, status.", "Type /closedset help"}},
		{"missing scene id", "adam", "/closedset start", bot.EINVALID, []string{"missing scene id", "Usage: /closedset start ID"}},
		{"scene does not exist", "adam", "/closedset start 99", bot.ENOTFOUND, []string{"There is no scene 99", "Usage: /closedset start ID"}},
		{"bad scene id", "ines", `/scene add 1/2 title=x call="2026-12-01 09:00"`, bot.EINVALID, []string{"is not a scene id", "Usage: /scene add"}},
		{"bad date", "ines", `/scene add 20 title=x call="2026-13-01 09:00"`, bot.EINVALID, []string{"bad call time", "YYYY-MM-DD HH:MM", "Usage: /scene add"}},
		{"date without quotes", "ines", `/scene add 20 title=x call=2026-12-01 09:00`, bot.EINVALID, []string{`unexpected "09:00"`, "put quotes around", "Usage:"}},
		{"time skipped by the clocks", "ines", `/scene add 20 title=x call="2027-03-28 01:30"`, bot.EINVALID, []string{"does not exist in Europe/London"}},
		{"missing title", "ines", `/scene add 20 call="2026-12-01 09:00"`, bot.EINVALID, []string{"missing title", "Usage: /scene add"}},
		{"unbalanced quote", "ines", `/scene add 20 title="Night swim call="2026-12-01 09:00"`, bot.EINVALID, []string{`the quote opened at title="Night swim is never closed`, `as in title="Night swim" call="..."`}},
		{"quote inside a word", "ines", `/scene set 12 title=Night"swim`, bot.EINVALID, []string{"unexpected quote"}},
		{"unbalanced quote at end", "ines", `/scene set 12 title="Night`, bot.EINVALID, []string{"unbalanced quote"}},
		{"unknown key", "ines", `/scene set 12 colour=red`, bot.EINVALID, []string{"unknown key colour=", "title=, call=", "Usage: /scene set"}},
		{"key twice", "ines", `/scene set 12 title=a title=b`, bot.EINVALID, []string{"title= is given twice"}},
		{"nothing to set", "ines", `/scene set 12`, bot.EINVALID, []string{"nothing to change"}},
		{"unknown person", "adam", "/closedset add 12 @nobody", bot.ENOTFOUND, []string{"@nobody is not known", "/icbot role add @nobody ROLE", "Usage: /closedset add"}},
		{"not a person", "adam", "/closedset add 12 gary", bot.EINVALID, []string{"is not a person"}},
		{"performer without role", "ines", "/scene set 12 performers=@cam", bot.EINVALID, []string{"@cam is not a performer"}},
		{"unknown role", "root", "/icbot role add @gary grip", bot.EINVALID, []string{`unknown role "grip"`, "Usage: /icbot role add"}},
		{"unknown beat kind", "ines", `/scene beat add 12 "x" kind=hug`, bot.EINVALID, []string{`kind="hug" is not a choice: kind= takes nudity, contact, simulated-sex or other`}},
		{"nudity without areas", "ines", `/scene beat add 12 "leaves the water" kind=nudity`, bot.EINVALID, []string{"needs areas="}},
		{"beat without description", "ines", `/scene beat add 12 kind=contact`, bot.EINVALID, []string{"missing the beat's description"}},
		{"unknown beat", "ines", "/scene beat remove 12 b9", bot.ENOTFOUND, []string{"has no beat b9"}},
		{"bad beat id", "ines", "/scene beat remove 12 kiss", bot.EINVALID, []string{"is not a beat id"}},
		{"extra word", "adam", "/closedset start 12 now", bot.EINVALID, []string{`unexpected "now"`, "Usage: /closedset start ID"}},
		{"status by hand", "ines", "/scene set 12 status=filming", bot.EINVALID, []string{`status="filming" is not a choice: status= takes draft, ready or wrapped`}},
		{"list takes only all", "ines", "/scene list everything", bot.EINVALID, []string{`takes only "all"`}},
		{"empty", "ines", "   ", bot.EINVALID, []string{"empty command"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t).seed()
			before := h.auditLen()
			sc := h.scene("12")
			r := h.do(tt.caller, tt.cmd)
			if got := r.code(); got != tt.code {
				t.Fatalf("code = %q, want %q; reply:\n%s", got, tt.code, r.reply)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.reply, w) {
					t.Errorf("reply lacks %q:\n%s", w, r.reply)
				}
			}
			if got := h.auditLen(); got != before {
				t.Errorf("audit log grew %d -> %d", before, got)
			}
			if after := h.scene("12"); after.Version != sc.Version || after.Title != sc.Title {
				t.Errorf("scene 12 changed")
			}
			if len(r.sent) != 0 {
				t.Errorf("messages sent: %+v", r.sent)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	h := newHarness(t)
	tests := []struct{ cmd, want string }{
		{"/icbot help", "/scene: Scenes and their intimacy beats (add, list, show, set, "},
		{"/icbot help all", "/scene beat add ID"},
		{"/icbot help nonsense", "There is no command /nonsense."},
		{"/icbot help scene frob", "There is no command /scene frob. /scene has: add, list,"},
		{"/icbot help scene beat frob", "/scene beat has: add, set, confirm, decline, review, remove."},
		{"/icbot help scene add", "Usage: /scene add ID"},
		{"/scene help", "/scene commands"},
		{"/scene help add", "Usage: /scene add ID"},
		{"/scene add help", "Usage: /scene add ID"},
		{"/scene beat help", "/scene beat add"},
		{"/scene beat add help", "Usage: /scene beat add ID"},
		{"/closedset start help", "Who may run it: the intimacy coordinator or the assistant director."},
		{"/hold help", "Usage: /hold ID [reason]"},
		{"/hold lift help", "Usage: /hold lift ID"},
		{"/icbot role help", "/icbot role add"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			r := h.do("nobody", tt.cmd)
			if r.out.Err != nil || !strings.Contains(r.reply, tt.want) {
				t.Errorf("%s: err %v, reply:\n%s", tt.cmd, r.out.Err, r.reply)
			}
		})
	}
	// Every command and sub-command has its own help.
	all := h.do("nobody", "/icbot help all").reply
	for _, line := range strings.Split(all, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "/") {
			continue
		}
		path := commandPath(line)
		if r := h.do("nobody", path+" help"); !strings.Contains(r.reply, "Usage: "+path) {
			t.Errorf("%s help:\n%s", path, r.reply)
		}
	}
}

func TestSceneLifecycle(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("ines", `/scene add 21a title="Pool, night" call="2026-12-03 21:30" performers=@paula,@pete channel=#scene-21`)
	if !strings.Contains(r.reply, "Scene 21A added") || !strings.Contains(r.reply, "Thu 3 Dec 2026 21:30 GMT") || !strings.Contains(r.reply, "@paula, @pete") {
		t.Errorf("add reply:\n%s", r.reply)
	}
	if r := h.do("ines", `/scene add 21A title=x call="2026-12-03 21:30"`); r.code() != bot.ECONFLICT {
		t.Errorf("duplicate scene: %v", r.out.Err)
	}
	h.must("ines", `/scene beat add 21A "kiss in the water" kind=contact`)
	r = h.must("ines", `/scene beat add 21A "Leaves the pool, back to camera" kind=nudity areas=back,buttocks`)
	if !strings.Contains(r.reply, "Beat b2 added") {
		t.Errorf("beat reply: %q", r.reply)
	}
	h.must("ines", "/scene beat remove 21a 1")
	r = h.must("ines", `/scene beat add 21A "hug" kind=contact`)
	if !strings.Contains(r.reply, "Beat b3") {
		t.Errorf("beat ids must not be reused: %q", r.reply)
	}
	// Summer time: the call is typed and shown in London time.
	r = h.must("adam", `/scene set 21A call="2027-06-01 07:00" title="Pool at dawn"`)
	if !strings.Contains(r.reply, "Tue 1 Jun 2027 07:00 BST") {
		t.Errorf("set reply:\n%s", r.reply)
	}
	if got, want := h.scene("21A").Call, time.Date(2027, 6, 1, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("call stored as %v, want %v", got, want)
	}
	show := h.must("pete", "/scene show 21a").reply
	for _, w := range []string{"Pool at dawn", "b2  Leaves the pool, back to camera [nudity] visible: back, buttocks", "b3  hug", "Channel: #scene-21"} {
		if !strings.Contains(show, w) {
			t.Errorf("show lacks %q:\n%s", w, show)
		}
	}
	if strings.Contains(show, "b1 ") {
		t.Errorf("removed beat still shown:\n%s", show)
	}
	// Performers see their own scenes in the list; the AD sees all.
	if l := h.must("pete", "/scene list").reply; !strings.Contains(l, "21A") || strings.Contains(l, "Lake house") {
		t.Errorf("pete's list:\n%s", l)
	}
	if l := h.must("adam", "/scene list").reply; !strings.Contains(l, "21A") || !strings.Contains(l, "Lake house") || !strings.Contains(l, "on-hold") {
		t.Errorf("adam's list:\n%s", l)
	}
	// No change to beats or performers during a closed set; no removal.
	h.must("ines", `/closedset start 21A force reason="testing the scene's life, no consent needed"`)
	for _, cmd := range []string{`/scene beat add 21A "x" kind=contact`, "/scene beat remove 21A b3", "/scene set 21A performers=@paula", "/scene remove 21A"} {
		if r := h.do("ines", cmd); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "closed set") {
			t.Errorf("%s during a closed set: %v %q", cmd, r.out.Err, r.reply)
		}
	}
	h.must("adam", "/scene set 21A title=Renamed")
	h.must("adam", "/closedset end 21A")
	h.must("adam", "/scene remove 21A")
	if r := h.do("adam", "/scene show 21A"); r.code() != bot.ENOTFOUND {
		t.Errorf("removed scene still there: %v", r.out.Err)
	}
	// Its session stays on record and numbering continues on re-adding.
	h.must("ines", `/scene add 21A title=again call="2026-12-04 09:00" performers=@paula`)
	h.must("ines", `/closedset start 21A force reason="testing"`)
	if s := h.session("21A", 2); !s.Running() {
		t.Errorf("second session: %+v", s)
	}
}

func TestRoles(t *testing.T) {
	h := newHarness(t).seed()
	r := h.must("root", "/icbot role add <@U0NEW|zoe> performer")
	if !strings.Contains(r.reply, "@zoe is now performer") {
		t.Errorf("reply: %q", r.reply)
	}
	if dm := joined(to(r.sent, "dm", "U0NEW")); !strings.Contains(dm, "gave you the role performer") {
		t.Errorf("new member's DM: %q", dm)
	}
	if r := h.do("ines", "/icbot role add @gary director"); r.code() != bot.EFORBIDDEN || !strings.Contains(r.reply, "Only an admin") {
		t.Errorf("IC granted a privileged role: %v %q", r.out.Err, r.reply)
	}
	if r := h.do("ines", "/icbot role remove @paula performer"); r.code() != bot.ECONFLICT || !strings.Contains(r.reply, "performs in scene 12, 15") {
		t.Errorf("removing a cast performer: %v %q", r.out.Err, r.reply)
	}
	if r := h.must("ines", "/icbot role add @gary crew"); !strings.Contains(r.reply, "already has") {
		t.Errorf("re-adding: %q", r.reply)
	}
	list := h.must("adam", "/icbot role list").reply
	if !strings.Contains(list, "performer @paula, @pete, @zoe") {
		t.Errorf("role list:\n%s", list)
	}
	who := h.must("U0NEW", "/icbot whoami").reply
	if !strings.Contains(who, "You are @zoe (id U0NEW)") || !strings.Contains(who, "performer") {
		t.Errorf("whoami: %q", who)
	}
}

// TestHelpShortByDefault: /icbot help is a line per top-level command,
// not every usage line; /icbot help all is the long form, and an unknown
// sub-command names the sub-commands rather than listing every usage.
func TestHelpShortByDefault(t *testing.T) {
	h := newHarness(t)
	short := h.do("nobody", "/icbot help").reply
	long := h.do("nobody", "/icbot help all").reply
	if n, want := strings.Count(short, "\n")+1, len(h.bot.Groups())+1; n != want {
		t.Errorf("the short help has %d lines, want %d, a heading and one per top-level command:\n%s", n, want, short)
	}
	if strings.Contains(short, "Usage") || strings.Contains(short, `title="..."`) {
		t.Errorf("the short help holds usage lines:\n%s", short)
	}
	if strings.Count(long, "\n") < 40 || !strings.Contains(long, `/scene add ID title="..."`) {
		t.Errorf("the long help lacks the usage lines:\n%s", long)
	}
	r := h.do("nobody", "/rider frobnicate 12")
	if strings.Count(r.reply, "\n") > 2 || strings.Contains(r.reply, "@performer") {
		t.Errorf("an unknown sub-command lists usage lines:\n%s", r.reply)
	}
}

// TestRoleHelpFollowsTheRules: the help of /icbot role add names, for
// each role, who may give it as mayGrant decides it.
func TestRoleHelpFollowsTheRules(t *testing.T) {
	h := newHarness(t)
	r := h.do("nobody", "/icbot role add help")
	for _, want := range []string{"only the IC or an admin costume, hmu, props, stunts or camera", "the IC and the ADs may give performer or crew"} {
		if !strings.Contains(r.reply, want) {
			t.Errorf("the help lacks %q:\n%s", want, r.reply)
		}
	}
}
