package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"icbot/adapters/discord"
	"icbot/bot"
)

// TestRegistration: at start icbot replaces the server's commands with
// its own, once, one command per top-level word, with typed options.
func TestRegistration(t *testing.T) {
	r := newRig(t, overGateway)
	var order []string
	for _, c := range r.startCalls {
		order = append(order, c.Method+" "+c.Path)
	}
	want := []string{"GET /users/@me", "PUT /applications/APP/guilds/900/commands", "GET /gateway"}
	if !slices.Equal(order, want) {
		t.Errorf("calls at start:\n got %q\nwant %q", order, want)
	}
	var cmds []*discordgo.ApplicationCommand
	r.fake.set(func(f *fakeDiscord) { cmds = f.Commands[guild] })
	byName := map[string]*discordgo.ApplicationCommand{}
	var got []string
	for _, c := range cmds {
		got = append(got, c.Name)
		byName[c.Name] = c
	}
	wantNames := []string{"icbot", "scene", "closedset", "boundaries", "rider", "topline", "dept", "reminders", "hold", "report", "choreo", "rehearsal", "take", "audit"}
	if !slices.Equal(got, wantNames) {
		t.Fatalf("registered %q, want %q", got, wantNames)
	}
	find := func(opts []*discordgo.ApplicationCommandOption, name string) *discordgo.ApplicationCommandOption {
		t.Helper()
		i := slices.IndexFunc(opts, func(o *discordgo.ApplicationCommandOption) bool { return o.Name == name })
		if i < 0 {
			t.Fatalf("no option %q among %d", name, len(opts))
		}
		return opts[i]
	}
	// Every leaf of every command, as paths; the bot's catalogue has 40.
	var leaves []string
	var walk func(prefix string, opts []*discordgo.ApplicationCommandOption)
	walk = func(prefix string, opts []*discordgo.ApplicationCommandOption) {
		isLeaf := true
		for _, o := range opts {
			if o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
				isLeaf = false
				walk(prefix+" "+o.Name, o.Options)
			}
		}
		if isLeaf {
			leaves = append(leaves, prefix)
		}
	}
	for _, c := range cmds {
		walk(c.Name, c.Options)
	}
	if n := len(r.bot.Catalogue()); len(leaves) != n {
		t.Errorf("%d commands registered, the catalogue has %d: %q", len(leaves), n, leaves)
	}
	if !slices.Contains(leaves, "hold call") || !slices.Contains(leaves, "hold lift") || !slices.Contains(leaves, "scene beat add") {
		t.Errorf("leaves %q lack hold call, hold lift or scene beat add", leaves)
	}

	if d := byName["scene"].Description; d != "Scenes and their intimacy beats" {
		t.Errorf("/scene is described as %q, not by its group's summary", d)
	}
	start := find(byName["closedset"].Options, "start")
	id := find(start.Options, "id")
	if id.Type != discordgo.ApplicationCommandOptionString || !id.Required || !id.Autocomplete {
		t.Errorf("closedset start id = %+v, want a required string with autocomplete", id)
	}
	force := find(start.Options, "force")
	if len(force.Choices) == 0 || force.Required {
		t.Errorf("closedset start force = %+v, want optional choices", force)
	}
	add := find(byName["scene"].Options, "add")
	for _, n := range []string{"performers", "performers2", "performers3", "performers4"} {
		if o := find(add.Options, n); o.Type != discordgo.ApplicationCommandOptionUser {
			t.Errorf("scene add %s is type %d, want a user", n, o.Type)
		}
	}
	if o := find(add.Options, "channel"); o.Type != discordgo.ApplicationCommandOptionChannel {
		t.Errorf("scene add channel is type %d, want a channel", o.Type)
	}
	roleAdd := find(find(byName["icbot"].Options, "role").Options, "add")
	roleOpt := find(roleAdd.Options, "role")
	if !slices.ContainsFunc(roleOpt.Choices, func(c *discordgo.ApplicationCommandOptionChoice) bool { return c.Value == "ic" }) {
		t.Errorf("icbot role add role choices %v lack ic", roleOpt.Choices)
	}
	// Required options come first, as Discord demands.
	var check func(path string, opts []*discordgo.ApplicationCommandOption)
	check = func(path string, opts []*discordgo.ApplicationCommandOption) {
		optional := false
		for _, o := range opts {
			switch o.Type {
			case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
				check(path+" "+o.Name, o.Options)
				continue
			}
			if o.Required && optional {
				t.Errorf("/%s: required option %q after an optional one", path, o.Name)
			}
			optional = optional || !o.Required
			if len(o.Description) == 0 || len([]rune(o.Description)) > 100 || len(o.Name) > 32 {
				t.Errorf("/%s %s: name or description outside Discord's limits", path, o.Name)
			}
		}
	}
	for _, c := range cmds {
		check(c.Name, c.Options)
	}
}

// TestEveryCommandOverTheGateway sends every command as an
// INTERACTION_CREATE dispatch and checks the ephemeral answer and what was
// posted and sent. Commands registered in one server are typed there (a
// performer's answers too: only they see the answer); buttons work in DMs.
func TestEveryCommandOverTheGateway(t *testing.T) {
	r := newRig(t, overGateway).seed()
	type check func(t *testing.T, calls []restCall)
	dmHas := func(user string, want ...string) check {
		return func(t *testing.T, calls []restCall) {
			got := strings.Join(dms(calls, user), "\n")
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s's DMs %q lack %q", names[user], got, w)
				}
			}
		}
	}
	fileHas := func(user, name, want string) check {
		return func(t *testing.T, calls []restCall) {
			var files []fakeFile
			r.fake.set(func(f *fakeDiscord) { files = f.Files["DM"+user] })
			if len(files) != 1 || files[0].Name != name || !strings.Contains(files[0].Data, want) {
				t.Errorf("files in %s's DMs: %+v, want %s holding %q", names[user], files, name, want)
			}
		}
	}
	postHas := func(ch string, want string) check {
		return func(t *testing.T, calls []restCall) {
			if got := strings.Join(posts(calls, ch), "\n"); !strings.Contains(got, want) {
				t.Errorf("posts in %s %q lack %q", ch, got, want)
			}
		}
	}
	reminder := func(kind bot.ReminderKind, who string) string {
		var id uint64
		r.store.View(context.Background(), func(tx bot.Tx) error {
			rs, err := tx.SceneReminders("12")
			for _, rm := range rs {
				if rm.Kind == kind && string(rm.Performer) == who && rm.State == bot.ReminderPending {
					id = rm.ID
				}
			}
			return err
		})
		if id == 0 {
			t.Fatalf("no pending %s reminder for %s", kind, names[who])
		}
		return strconv.FormatUint(id, 10)
	}
	steps := []struct {
		user   string
		w      where
		path   string
		opts   []opt
		answer string
		checks []check
	}{
		{root, in(setCh), "icbot help", nil, "icbot commands", nil},
		{paula, in(setCh), "icbot whoami", nil, "You are @paula", nil},
		{paula, in(setCh), "icbot mydata", nil, "on its way by DM: mydata.json", []check{func(t *testing.T, _ []restCall) {
			var files []fakeFile
			r.fake.set(func(f *fakeDiscord) { files = f.Files["DM"+paula] })
			if len(files) != 2 || files[0].Name != "mydata.json" || !strings.Contains(files[0].Data, `"schema": "icbot.mydata/1"`) || files[1].Name != "mydata.md" {
				t.Errorf("files in paula's DMs: %+v, want mydata.json and mydata.md", files)
			}
		}}},
		{paula, in(setCh), "icbot erase me", nil, "Nothing has changed yet", nil},
		{adam, in(setCh), "icbot role list", nil, "performer @paula, @pete", nil},
		{paula, in(setCh), "icbot board", nil, "on its way to you by DM", []check{dmHas(paula, "https://icbot.example.org/board/login?t=")}},
		{paula, in(setCh), "icbot board", []opt{o("logout", "logout")}, "any unused link is void", nil},
		{ines, in(setCh), "icbot role add", []opt{o("person", newbie), o("role", "performer")}, "@newbie is now performer",
			[]check{dmHas(newbie, "gave you the role performer")}},
		{ines, in(setCh), "icbot role remove", []opt{o("person", newbie), o("role", "performer")}, "@newbie no longer has the role performer", nil},
		{adam, in(setCh), "scene list", nil, "Night swim", nil},
		{paula, in(setCh), "scene show", []opt{o("id", "12")}, "Kiss at the water", nil},
		{ines, in(setCh), "scene add", []opt{o("id", "14"), o("title", "Kitchen"), o("call", "2026-12-04 10:00"), o("performers", pete)}, "Scene 14 added", nil},
		{adam, in(setCh), "scene set", []opt{o("id", "14"), o("title", "Kitchen, morning")}, "Scene 14 updated (title)", nil},
		{adam, in(setCh), "scene rename", []opt{o("id", "14"), o("title", "Kitchen, dawn")}, `Scene 14 is now called "Kitchen, dawn"`, nil},
		{ines, in(setCh), "scene intent", []opt{o("id", "14"), o("intent", "the morning after, tender")}, "Director's intent for scene 14 recorded", nil},
		{ines, in(setCh), "scene beat add", []opt{o("id", "14"), o("description", "hug"), o("kind", "contact")}, "Beat b1 added to scene 14", nil},
		{ines, in(setCh), "scene beat set", []opt{o("id", "14"), o("beat", "b1"), o("description", "long hug")}, "Beat b1", nil},
		{ines, in(setCh), "boundaries request", []opt{o("id", "14")}, "pete", []check{dmHas(pete, "Privacy notice from icbot"), dmHas(pete, "long hug")}},
		{pete, in(setCh), "icbot notice show", nil, "What icbot keeps about you", nil},
		{pete, in(setCh), "icbot notice ack", []opt{o("version", "1")}, "Recorded: you have read version 1", nil},
		{ines, in(setCh), "icbot notice status", nil, "acknowledged: @pete", nil},
		{pete, in(setCh), "boundaries form", []opt{o("id", "14")}, "choose an answer for each beat", nil},
		{pete, in(setCh), "boundaries answer", []opt{o("id", "14"), o("answers", "b1=discuss"), o("notes", "only a short one")}, "saved", nil},
		{pete, in(setCh), "boundaries show", []opt{o("id", "14")}, "only a short one", nil},
		{ines, in(setCh), "boundaries show", []opt{o("id", "14"), o("performers", pete)}, "only a short one", nil},
		{adam, in(setCh), "boundaries status", []opt{o("id", "14")}, "14", nil},
		{pete, in(setCh), "boundaries withdraw", []opt{o("id", "14")}, "withdr", []check{dmHas(ines, "withdr")}},
		{ines, in(setCh), "scene beat remove", []opt{o("id", "14"), o("beat", "b1")}, "Beat b1 removed", nil},
		{ines, in(setCh), "rider status", []opt{o("id", "12")}, "signed", nil},
		{ines, in(setCh), "rider drafted", []opt{o("id", "14"), o("performer", pete), o("terms", "no nudity")}, "drafted", nil},
		{ines, in(setCh), "rider sent", []opt{o("id", "14"), o("performer", pete)}, "sent", nil},
		{ines, in(setCh), "rider signed", []opt{o("id", "14"), o("performer", pete)}, "signed", nil},
		{ines, in(setCh), "hold lift", []opt{o("id", "14")}, "Hold lifted on scene 14", nil},
		{adam, in(setCh), "scene remove", []opt{o("id", "14")}, "Scene 14 (Kitchen, dawn) removed", nil},
		{ines, in(setCh), "topline", []opt{o("id", "12"), o("channel", toplineCh)}, "Posting the top-line summary of scene 12", []check{postHas(toplineCh, "TOP-LINE SUMMARY, scene 12")}},
		{ines, in(setCh), "dept channel", []opt{o("department", "hmu"), o("channel", toplineCh)}, "Checking who reads", []check{followUpHas("@adam is in it, and only the hair and makeup department and the IC may be")}},
		{ines, in(setCh), "dept channel", []opt{o("department", "hmu"), o("channel", hmuCh)}, "Checking who reads", []check{followUpHas("Hair and makeup notices will go to")}},
		{ines, in(setCh), "dept notify", []opt{o("id", "12"), o("department", "hmu")}, "Posting the hmu notice", nil},
		{ines, in(setCh), "reminders list", []opt{o("id", "12")}, "check-in scene 12 for @paula", nil},
		{ines, in(setCh), "reminders snooze", []opt{o("reminder", reminder(bot.RemindCheckIn, paula)), o("by", "1h")}, "now falls due", nil},
		{paula, in(setCh), "reminders answer", []opt{o("reminder", reminder(bot.RemindCheckIn, paula)), o("answer", "ok")}, "has not been asked yet", nil},
		{ines, in(setCh), "reminders cancel", []opt{o("reminder", reminder(bot.RemindCheckIn, pete))}, "cancelled", nil},
		{ines, in(setCh), "choreo set", []opt{o("id", "12"), o("beat", "b1"), o("choreography", "hands at the waist, on four"), o("steps", "eyes; hands")}, "b1", nil},
		{paula, in(setCh), "choreo show", []opt{o("id", "12"), o("beat", "b1"), o("all", "all")}, "hands at the waist", nil},
		{ines, in(setCh), "rehearsal explore", []opt{o("id", "12"), o("beat", "b2"), o("state", "on")}, "b2", nil},
		{paula, in(setCh), "rehearsal consent", []opt{o("id", "12"), o("beat", "b2")}, "b2", nil},
		{ines, in(setCh), "rehearsal log", []opt{o("id", "12"), o("beats", "b1"), o("present", paula), o("changes", "slower on four")}, "Rehearsal 1", []check{dmHas(paula, "slower on four")}},
		{paula, in(setCh), "rehearsal confirm", []opt{o("id", "12"), o("rehearsal", "1")}, "1", nil},
		{paula, in(setCh), "rehearsal dispute", []opt{o("id", "12"), o("rehearsal", "1"), o("note", "it was on three")}, "is not right", []check{dmHas(ines, "it was on three")}},
		{ines, in(setCh), "rehearsal show", []opt{o("id", "12")}, "it was on three", nil},
		{adam, in(setCh), "closedset add", []opt{o("id", "12"), o("person", cam)}, "@cam (camera) is on the roster", []check{dmHas(cam, "scene 12")}},
		{adam, in(setCh), "closedset start", []opt{o("id", "12")}, "Closed set started for scene 12", []check{
			postHas(setCh, "no personal recording devices"), postHas(sceneCh, "locked to the roster")}},
		{paula, in(sceneCh), "closedset ack", []opt{o("id", "12")}, "you confirmed the device policy", nil},
		{adam, in(setCh), "report scene", []opt{o("id", "12"), o("format", "json")}, "on its way by DM (scene-12.json)", []check{fileHas(adam, "scene-12.json", `"schema": "icbot.scene/1"`)}},
		{ines, in(setCh), "report day", nil, "end-of-day report", []check{dmHas(ines, "end-of-day report")}},
		{adam, in(setCh), "closedset status", []opt{o("id", "12")}, "running", nil},
		{gary, in(setCh), "closedset status", nil, "No closed set that you may see is running", nil},
		{adam, in(setCh), "closedset remove", []opt{o("id", "12"), o("person", cam)}, "@cam is no longer on the roster", nil},
		{pete, in(sceneCh), "hold", []opt{o("id", "12"), o("reason", "cold, pain=3")}, "only the IC knows it was you", []check{
			dmHas(ines, "@pete", "cold, pain=3"),
			func(t *testing.T, calls []restCall) {
				if got := strings.Join(dms(calls, adam), "\n"); got != "Scene 12 is on hold: talk to the IC." {
					t.Errorf("AD's DM: %q", got)
				}
			}}},
		{ines, in(setCh), "hold lift", []opt{o("id", "12")}, "Hold lifted on scene 12", nil},
		{ines, in(setCh), "take", []opt{o("id", "12"), o("beat", "b1"), o("note", "kiss held, hands drifted"), o("drift", "yes")}, "Take 1 of scene 12 noted", nil},
		{ines, in(setCh), "take log", []opt{o("id", "12")}, "HOLD 1 called by @pete (reason: cold, pain=3)", nil},
		{adam, in(setCh), "closedset end", []opt{o("id", "12")}, "Closed set for scene 12 ended", nil},
		{paula, in(setCh), "closedset start", []opt{o("id", "12")}, "Only the intimacy coordinator or the assistant director", nil},
		{ines, in(setCh), "audit show", []opt{o("id", "12")}, "closedset.end", nil},
	}
	seen := map[string]bool{}
	for _, s := range steps {
		seen[s.path] = true
		got := r.slash(s.user, s.w, s.path, s.opts...)
		if !strings.Contains(got, s.answer) {
			t.Errorf("%s /%s:\nanswer %q\nlacks  %q", names[s.user], s.path, got, s.answer)
		}
		calls := r.fake.calls()
		for _, c := range calls {
			if c.Refused {
				t.Errorf("%s /%s: Discord refused %v", names[s.user], s.path, c)
			}
		}
		for _, c := range s.checks {
			c(t, calls)
		}
	}
	for _, c := range r.bot.Catalogue() {
		if !seen[c.Path] {
			t.Errorf("/%s was not sent", c.Path)
		}
	}
}

// components lists the custom ids of the buttons and select menus on the
// messages created in channel ch among calls.
func components(calls []restCall, ch string) []string {
	var out []string
	for _, c := range calls {
		if c.Method != "POST" || c.Path != "/channels/"+ch+"/messages" || c.Refused {
			continue
		}
		out = append(out, customIDs(c.Body)...)
	}
	return out
}

// customIDs finds every custom_id in a JSON body.
func customIDs(body []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["custom_id"].(string); ok {
				out = append(out, id)
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		walk(v)
	}
	slices.Sort(out)
	return out
}

// TestConsentInDMThroughComponents: a performer answers their boundaries
// and a check-in with the buttons and select menus of icbot's DMs.
func TestConsentInDMThroughComponents(t *testing.T) {
	r := newRig(t, overGateway).seed()
	r.mustSay(ines, "scene beat add", "Beat b2 added", o("id", "12"), o("description", "Underwater embrace"), o("kind", "contact"), o("performers", paula))
	r.mustSay(ines, "boundaries request", "Asked @paula", o("id", "12"), o("performers", paula))
	calls := r.fake.calls()
	ids := components(calls, "DM"+paula)
	if !slices.Contains(ids, "icbot:/boundaries form 12") {
		t.Fatalf("paula's DM has components %q, want the form's button", ids)
	}
	if got := dms(calls, pete); len(got) != 0 {
		t.Errorf("pete, not in b2, was asked: %q", got)
	}

	// The button opens the form: a select menu per beat, a button for notes.
	form := r.press(paula, inDM, "icbot:/boundaries form 12")
	raw, _ := json.Marshal(form.Data.Components)
	fids := customIDs(raw)
	want := []string{"icbotmodal:/boundaries form 12", "icbotsel:/boundaries answer 12|b1", "icbotsel:/boundaries answer 12|b2"}
	if !slices.Equal(fids, want) || form.Data.Flags&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Fatalf("form components %q (flags %d), want %q, ephemeral", fids, form.Data.Flags, want)
	}
	// Choosing "no" for b2 saves it.
	ans := r.press(paula, inDM, "icbotsel:/boundaries answer 12|b2", "no")
	if !strings.Contains(ans.Data.Content, "b2  Underwater embrace [contact]: no") {
		t.Errorf("select answer: %q", ans.Data.Content)
	}
	// The notes button opens a modal; submitting it saves the notes.
	modal := r.press(paula, inDM, "icbotmodal:/boundaries form 12")
	if modal.Type != int(discordgo.InteractionResponseModal) || modal.Data.CustomID != "icbotsubmit:/boundaries answer 12" {
		t.Fatalf("modal = %+v", modal)
	}
	raw, _ = json.Marshal(modal.Data.Components)
	if got := customIDs(raw); !slices.Equal(got, []string{"body", "garments", "notes"}) {
		t.Errorf("modal inputs %q", got)
	}
	id, body := r.interaction(discordgo.InteractionModalSubmit, paula, inDM, map[string]any{
		"custom_id": "icbotsubmit:/boundaries answer 12",
		"components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "notes", "value": "Cold water: short takes"}}},
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "garments", "value": "nude swimsuit"}}},
		},
	})
	sub := r.send(id, body, true)
	if !strings.Contains(sub.Data.Content, "Cold water: short takes") {
		t.Errorf("modal submit answer: %q", sub.Data.Content)
	}
	calls = r.fake.calls()
	if got := dms(calls, ines); len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), "b2") {
		t.Errorf("the IC was not told of the answer: %q", got)
	}
	for _, who := range []string{adam, pete, cam} {
		if got := strings.Join(dms(calls, who), "\n"); strings.Contains(got, "Cold water") || strings.Contains(got, "swimsuit") {
			t.Errorf("%s received paula's notes: %q", names[who], got)
		}
	}
	for _, ch := range []string{setCh, sceneCh, publicCh, toplineCh} {
		if got := posts(calls, ch); len(got) != 0 {
			t.Errorf("posted in %s: %q", ch, got)
		}
	}
	shown := r.slash(ines, in(setCh), "boundaries show", o("id", "12"), o("performers", paula))
	for _, w := range []string{"b1  Kiss at the water's edge [contact]: yes", "b2  Underwater embrace [contact]: no", "Cold water: short takes", "nude swimsuit"} {
		if !strings.Contains(shown, w) {
			t.Errorf("the IC's view %q lacks %q", shown, w)
		}
	}
	r.fake.calls()

	// The check-in, the day before the call: a DM with two buttons.
	r.clock.Set(time.Date(2026, 12, 2, 9, 1, 0, 0, time.UTC))
	if _, err := r.bot.FireReminders(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls = r.fake.calls()
	var okButton string
	for _, id := range components(calls, "DM"+paula) {
		if strings.HasPrefix(id, "icbot:/reminders answer ") && strings.HasSuffix(id, " ok") {
			okButton = id
		}
	}
	if okButton == "" {
		t.Fatalf("paula's check-in DM %q has no ok button: %q", dms(calls, paula), components(calls, "DM"+paula))
	}
	got := r.press(paula, inDM, okButton)
	if !strings.Contains(got.Data.Content, "Thank you") {
		t.Errorf("check-in answer: %q", got.Data.Content)
	}
	n, _ := strconv.ParseUint(strings.Fields(strings.TrimPrefix(okButton, "icbot:/reminders answer "))[0], 10, 64)
	r.store.View(context.Background(), func(tx bot.Tx) error {
		rm, err := tx.Reminder(n)
		if err != nil || rm.Answer != "ok" || rm.Performer != paula {
			t.Errorf("reminder %d = %+v, %v; want paula's answer ok", n, rm, err)
		}
		return nil
	})
	// Someone else pressing paula's button changes nothing.
	before := r.auditLen()
	other := r.press(pete, inDM, okButton)
	if strings.Contains(other.Data.Content, "Thank you") || r.auditLen() != before {
		t.Errorf("pete answered paula's check-in: %q", other.Data.Content)
	}
}

// TestClosedSetLockWithOverwrites: /closedset start denies @everyone, the
// crew role and members off the roster View Channel and allows the roster
// and icbot; /closedset end puts back exactly the overwrites there were.
func TestClosedSetLockWithOverwrites(t *testing.T) {
	r := newRig(t, overGateway).seed()
	before := r.overwrites(sceneCh)
	r.mustSay(adam, "closedset add", "on the roster", o("id", "12"), o("person", cam))
	r.fake.calls()
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	calls := r.fake.calls()
	during := r.overwrites(sceneCh)
	for _, id := range []string{paula, pete, cam, ines, adam, fakeBotID} {
		if o := during[id]; o.Allow&view == 0 || o.Deny&view != 0 || o.Type != discordgo.PermissionOverwriteTypeMember {
			t.Errorf("%s during the set: %+v, want View Channel allowed", names[id]+id, o)
		}
	}
	for _, id := range []string{guild, crewRole, gary} {
		if o := during[id]; o.Deny&view == 0 || o.Allow&view != 0 {
			t.Errorf("%s during the set: %+v, want View Channel denied", id, o)
		}
	}
	// Other permissions are left as they were.
	if o := during[paula]; o.Allow&discordgo.PermissionAttachFiles == 0 {
		t.Errorf("paula's own Attach Files was lost: %+v", o)
	}
	if o := during[pete]; o.Deny&discordgo.PermissionAttachFiles == 0 {
		t.Errorf("pete's own deny of Attach Files was lost: %+v", o)
	}
	if o := during[crewRole]; o.Allow&discordgo.PermissionSendMessages == 0 {
		t.Errorf("the crew role's Send Messages was lost: %+v", o)
	}
	roster := posts(calls, sceneCh)
	if len(roster) != 1 || !strings.Contains(roster[0], "locked to the roster") {
		t.Errorf("scene channel posts: %q", roster)
	}
	// The roster post came after the lock.
	lockAt, postAt := -1, -1
	for i, c := range calls {
		if c.Method == "PUT" && strings.HasPrefix(c.Path, "/channels/"+sceneCh+"/permissions/") && lockAt < 0 {
			lockAt = i
		}
		if c.Method == "POST" && c.Path == "/channels/"+sceneCh+"/messages" {
			postAt = i
		}
	}
	if lockAt < 0 || postAt < lockAt {
		t.Errorf("lock at call %d, roster post at %d:%s", lockAt, postAt, describe(calls))
	}
	if got := r.slash(adam, in(setCh), "closedset status", o("id", "12")); !strings.Contains(got, "Lock: enforced") {
		t.Errorf("status: %q", got)
	}

	// Someone adds an overwrite by hand during the set; the end removes it.
	r.fake.set(func(f *fakeDiscord) {
		c := f.Channels[sceneCh]
		c.PermissionOverwrites = append(c.PermissionOverwrites, member(hana, view, 0))
	})
	r.mustSay(adam, "closedset end", "ended", o("id", "12"))
	after := r.overwrites(sceneCh)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("overwrites after the set differ from before (-before +after):\n%s", diff)
	}
}

// TestLockRefusedExplained: without Manage Roles the set starts, the lock
// is "not enforced", and the AD is told exactly what is missing.
func TestLockRefusedExplained(t *testing.T) {
	r := newRig(t, overGateway).seed()
	before := r.overwrites(sceneCh)
	r.fake.set(func(f *fakeDiscord) { f.Fail["PUT /channels/*/permissions/*"] = failMissingPermissions })
	got := r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	calls := r.fake.calls()
	told := strings.Join(append(followUps(calls), dms(calls, adam)...), "\n")
	if !strings.Contains(told, "Manage Roles") || !strings.Contains(told, "not enforced") {
		t.Errorf("the AD's answer %q and late replies %q do not say what is missing%s", got, told, describe(calls))
	}
	if got := posts(calls, sceneCh); len(got) != 0 {
		t.Errorf("the roster was posted in an unlocked channel: %q", got)
	}
	if st := r.slash(adam, in(setCh), "closedset status", o("id", "12")); !strings.Contains(st, "not enforced") {
		t.Errorf("status: %q", st)
	}
	if diff := cmp.Diff(before, r.overwrites(sceneCh)); diff != "" {
		t.Errorf("overwrites changed (-before +after):\n%s", diff)
	}
}

// TestSensitivePostToPublicChannelRefused: a top-line summary for a
// channel @everyone can view is not posted; the IC is told why.
func TestSensitivePostToPublicChannelRefused(t *testing.T) {
	r := newRig(t, overGateway).seed()
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", publicCh))
	calls := r.fake.calls()
	if got := posts(calls, publicCh); len(got) != 0 {
		t.Errorf("posted in the public channel: %q", got)
	}
	for _, c := range calls {
		if c.Method == "POST" && strings.HasPrefix(c.Path, "/channels/") && strings.Contains(string(c.Body), "TOP-LINE") {
			t.Errorf("the summary went somewhere: %v", c)
		}
	}
	if told := strings.Join(append(followUps(calls), dms(calls, ines)...), "\n"); !strings.Contains(told, "not a private channel") {
		t.Errorf("the IC was not told why: %q%s", told, describe(calls))
	}
}

// TestToplineToNoSuchChannel: Discord does not know the channel named,
// and the IC reads that there is no such channel, not that it is not
// private.
func TestToplineToNoSuchChannel(t *testing.T) {
	r := newRig(t, overGateway).seed()
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", "C404"))
	calls := r.fake.calls()
	told := strings.Join(append(followUps(calls), dms(calls, ines)...), "\n")
	if !strings.Contains(told, "there is no channel") || strings.Contains(told, "not a private channel") {
		t.Errorf("the IC was told: %q%s", told, describe(calls))
	}
}

// TestFailedCallsRetriedOrReported: a DM Discord fails with a 500 is kept
// and sent when Discord is back; one Discord refuses for good is reported
// to the person who caused it.
func TestFailedCallsRetriedOrReported(t *testing.T) {
	r := newRig(t, overGateway).seed()
	ctx := context.Background()
	r.fake.set(func(f *fakeDiscord) { f.Fail["POST /channels/DM"+cam+"/messages"] = failServerError })
	r.mustSay(adam, "closedset add", "on the roster", o("id", "12"), o("person", cam))
	if got := dms(r.fake.calls(), cam); len(got) != 0 {
		t.Fatalf("a refused DM counted as sent: %q", got)
	}
	r.fake.set(func(f *fakeDiscord) { delete(f.Fail, "POST /channels/DM"+cam+"/messages") })
	r.clock.Set(r.clock.Now().Add(10 * time.Minute))
	if _, err := r.bot.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := dms(r.fake.calls(), cam); len(got) != 1 || !strings.Contains(got[0], "scene 12") {
		t.Errorf("cam's DM after Discord came back: %q", got)
	}

	r.fake.set(func(f *fakeDiscord) { f.Fail["POST /channels/DM"+gary+"/messages"] = failCannotDM })
	r.mustSay(adam, "closedset add", "on the roster", o("id", "12"), o("person", gary))
	calls := r.fake.calls()
	told := strings.Join(append(followUps(calls), dms(calls, adam)...), "\n")
	if !strings.Contains(told, "does not accept direct messages") {
		t.Errorf("the AD was not told gary's DM failed: %q%s", told, describe(calls))
	}

	// Rate limited twice, the announcement waits its turn and arrives.
	r.fake.set(func(f *fakeDiscord) { f.RateLimit["POST /channels/"+setCh+"/messages"] = 2 })
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	calls = r.fake.calls()
	limited := 0
	for _, c := range calls {
		if c.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if got := posts(calls, setCh); limited != 2 || len(got) != 1 || !strings.Contains(got[0], "Closed set in effect") {
		t.Errorf("%d answers 429, then posts %q", limited, got)
	}
}

// TestGatewayReconnect: asked to reconnect, the session resumes and the
// next interaction is answered as before.
func TestGatewayReconnect(t *testing.T) {
	r := newRig(t, overGateway)
	r.fake.askReconnect(t)
	if got := r.slash(root, in(setCh), "icbot whoami"); !strings.Contains(got, "You are @root") {
		t.Errorf("after the reconnect: %q", got)
	}
	var ops []int
	r.fake.set(func(f *fakeDiscord) {
		for _, fr := range f.GatewayFrames {
			ops = append(ops, fr.Op)
		}
	})
	// discordgo may resume twice (its old reader also sees the close); it
	// must never identify again, which would lose the session's events.
	if len(ops) < 2 || ops[0] != 2 || slices.ContainsFunc(ops[1:], func(op int) bool { return op != 6 }) {
		t.Errorf("gateway frames %v, want identify then resumes", ops)
	}
}

// TestGatewayKeepsNoServers: icbot added to 200 other servers, each with
// its channels, keeps none of them in memory; it still knows itself, and
// answers and locks as before.
func TestGatewayKeepsNoServers(t *testing.T) {
	r := newRig(t, overGateway).seed()
	// The interaction after the servers waits its turn behind them.
	r.fake.set(func(f *fakeDiscord) { f.AckDeadline = 0 })
	for i := range 200 {
		id := fmt.Sprint(900_000_000 + i)
		var chans []*discordgo.Channel
		for j := range 10 {
			chans = append(chans, &discordgo.Channel{ID: fmt.Sprintf("%s%02d", id, j), GuildID: id, Name: "general", Type: discordgo.ChannelTypeGuildText})
		}
		r.fake.dispatch(t, "GUILD_CREATE", &discordgo.Guild{ID: id, Name: "elsewhere", Channels: chans})
	}
	if got := r.slash(root, in(setCh), "icbot whoami"); !strings.Contains(got, "You are @root") {
		t.Errorf("after 200 servers: %q", got)
	}
	if n := discord.StateGuilds(r.ad); n != 0 {
		t.Errorf("%d servers kept in memory, want none", n)
	}
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	if o := r.overwrites(sceneCh)[fakeBotID]; o.Allow&view == 0 {
		t.Errorf("icbot's own overwrite during the set: %+v, want View Channel allowed", o)
	}
}

// TestPostWithWrongReadersRefused: a private channel whose member
// overwrites let in someone outside the audience, or where a role may view
// (whose members icbot cannot list), gets no top-line summary; the IC is
// told why and nothing is posted.
func TestPostWithWrongReadersRefused(t *testing.T) {
	r := newRig(t, overGateway).seed()
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", crowdedCh))
	calls := r.fake.calls()
	if got := posts(calls, crowdedCh); len(got) != 0 {
		t.Errorf("posted where cam can read: %q", got)
	}
	if told := strings.Join(followUps(calls), "\n"); !strings.Contains(told, "@cam is in it and may not see it") {
		t.Errorf("the IC was not told who is in the way: %q", told)
	}
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[toplineCh].PermissionOverwrites = append(f.Channels[toplineCh].PermissionOverwrites, role(crewRole, view, 0))
	})
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", toplineCh))
	calls = r.fake.calls()
	if got := posts(calls, toplineCh); len(got) != 0 {
		t.Errorf("posted where a role may view: %q", got)
	}
	if told := strings.Join(followUps(calls), "\n"); !strings.Contains(told, "icbot cannot list a role's members") {
		t.Errorf("the IC was not told why: %q", told)
	}
	// The server's owner sees every channel: one outside the audience
	// stops the post too.
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[toplineCh].PermissionOverwrites = []*discordgo.PermissionOverwrite{role(guild, 0, view), member(ines, view, 0), member(adam, view, 0)}
		f.Guilds[guild].OwnerID = gary
	})
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", toplineCh))
	calls = r.fake.calls()
	if got := posts(calls, toplineCh); len(got) != 0 {
		t.Errorf("posted where the owner, crew, can read: %q", got)
	}
	if told := strings.Join(followUps(calls), "\n"); !strings.Contains(told, "@gary is in it and may not see it") {
		t.Errorf("the IC was not told of the owner: %q", told)
	}
	r.fake.set(func(f *fakeDiscord) { f.Guilds[guild].OwnerID = ines })
	// Without the role, the same channel takes it.
	r.fake.set(func(f *fakeDiscord) {
		f.Channels[toplineCh].PermissionOverwrites = []*discordgo.PermissionOverwrite{role(guild, 0, view), member(ines, view, 0), member(adam, view, 0)}
	})
	r.slash(ines, in(setCh), "topline", o("id", "12"), o("channel", toplineCh))
	if got := posts(r.fake.calls(), toplineCh); len(got) != 1 || !strings.Contains(got[0], "TOP-LINE SUMMARY, scene 12") {
		t.Errorf("top-line posts: %q", got)
	}
}

// TestLongNotesLeftOutOfTheModal: notes longer than a text input holds
// (kept from before typed notes were bounded below it) are not put in the
// modal, so that submitting it leaves them as they are.
func TestLongNotesLeftOutOfTheModal(t *testing.T) {
	r := newRig(t, overGateway).seed()
	long := strings.Repeat("n", 4100)
	r.mustSay(paula, "boundaries answer", "saved", o("id", "12"), o("notes", "short"))
	err := r.store.Update(context.Background(), func(tx bot.Tx) error {
		bd, err := tx.Boundaries("12", paula)
		if err != nil {
			return err
		}
		bd.Version++
		bd.Notes = long
		return tx.AddBoundaries(bd)
	})
	if err != nil {
		t.Fatal(err)
	}
	modal := r.press(paula, inDM, "icbotmodal:/boundaries form 12")
	raw, _ := json.Marshal(modal.Data.Components)
	if got := customIDs(raw); !slices.Equal(got, []string{"body", "garments"}) {
		t.Fatalf("modal inputs %q, want body and garments only", got)
	}
	id, body := r.interaction(discordgo.InteractionModalSubmit, paula, inDM, map[string]any{
		"custom_id": "icbotsubmit:/boundaries answer 12",
		"components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "garments", "value": "robe"}}},
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "body", "value": ""}}},
		},
	})
	r.send(id, body, true)
	shown := r.slash(ines, in(setCh), "boundaries show", o("id", "12"), o("performers", paula))
	shown += strings.Join(followUps(r.fake.calls()), "") // the rest of a long answer
	if !strings.Contains(shown, long) || !strings.Contains(shown, "Garments and barriers: robe") {
		t.Errorf("after the modal, the IC's view lacks the long notes or the garments: %.300q", shown)
	}
}

// TestCategoryNotLocked: a category's overwrites would not keep its
// channels closed, so a scene channel that is not a text channel is not
// "locked": the set starts with "lock not enforced", and says why.
func TestCategoryNotLocked(t *testing.T) {
	r := newRig(t, overHTTP).seed()
	r.fake.set(func(f *fakeDiscord) { f.Channels[sceneCh].Type = discordgo.ChannelTypeGuildCategory })
	before := r.overwrites(sceneCh)
	r.mustSay(adam, "closedset start", "Closed set started", o("id", "12"))
	calls := r.fake.calls()
	if told := strings.Join(followUps(calls), "\n"); !strings.Contains(told, "not a text channel") || !strings.Contains(told, "Lock not enforced") {
		t.Errorf("the AD was told %q", told)
	}
	if diff := cmp.Diff(before, r.overwrites(sceneCh)); diff != "" {
		t.Errorf("a category's overwrites changed (-before +after):\n%s", diff)
	}
}
