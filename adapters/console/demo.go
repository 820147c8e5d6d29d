package console

import (
	"context"
	"fmt"
	"strings"
	"time"

	"icbot/bot"
)

// DemoCast returns the demo production's people, in the order the banner
// lists them. Console ids are the names.
func DemoCast() []bot.Person {
	return []bot.Person{
		{ID: "ines", Name: "ines", Roles: []bot.Role{bot.RoleIC}},
		{ID: "adam", Name: "adam", Roles: []bot.Role{bot.RoleAD}},
		{ID: "dana", Name: "dana", Roles: []bot.Role{bot.RoleDirector}},
		{ID: "priya", Name: "priya", Roles: []bot.Role{bot.RoleProducer}},
		{ID: "paula", Name: "paula", Roles: []bot.Role{bot.RolePerformer}},
		{ID: "pete", Name: "pete", Roles: []bot.Role{bot.RolePerformer}},
		{ID: "cora", Name: "cora", Roles: []bot.Role{bot.RoleCostume}},
		{ID: "hana", Name: "hana", Roles: []bot.Role{bot.RoleHMU}},
		{ID: "cam", Name: "cam", Roles: []bot.Role{bot.RoleCamera}},
		{ID: "gary", Name: "gary", Roles: []bot.Role{bot.RoleCrew}},
	}
}

// DemoProduction is the demo's production name.
const DemoProduction = "Night Swim (demo)"

// DemoChannels are the console channels of the demo: the scene's private
// channel, which a closed set locks, and the IC's office.
//
// #scene-12 holds the people who may read everything icbot posts there,
// the top-line summary included: the IC, the AD, the director, the
// producer and the scene's performers. Camera and costume, on the scene's
// roster, are let in for the closed set while nothing there is beyond
// them; hair and makeup and the crew follow it in #set and by DM.
func DemoChannels() []Option {
	return []Option{
		WithChannel("scene-12", true, "ines", "adam", "dana", "priya", "paula", "pete"),
		WithChannel("ic-office", true, "ines"),
	}
}

// SeedDemo writes the demo production into an empty store: the cast, and
// scene 12 with four beats, called for 09:00 the day after now in zone,
// its performers' boundaries given and riders signed. It
// does nothing, and reports false, when the store already holds people or
// scenes or was seeded before.
func SeedDemo(ctx context.Context, store bot.Store, now time.Time, zone *time.Location) (bool, error) {
	// Looked at first in a read: a start on a store that needs no demo
	// writes nothing, so waits for no sync to disk.
	empty := false
	if err := store.View(ctx, func(tx bot.Tx) error {
		var err error
		empty, err = emptyStore(tx)
		return err
	}); err != nil || !empty {
		return false, err
	}
	seeded := false
	err := store.Update(ctx, func(tx bot.Tx) error {
		if empty, err := emptyStore(tx); err != nil || !empty {
			return err
		}
		for _, p := range DemoCast() {
			if err := tx.PutPerson(p); err != nil {
				return err
			}
		}
		now = now.UTC().Truncate(time.Second)
		local := now.In(zone)
		call := time.Date(local.Year(), local.Month(), local.Day()+1, 9, 0, 0, 0, zone).UTC()
		sc := bot.Scene{
			ID: "12", Title: "Night swim at the lake house", Call: call,
			Performers: []bot.UserID{"paula", "pete"},
			Beats: []bot.Beat{
				{ID: "b1", Description: "Kiss at the water's edge", Kind: bot.KindContact},
				{ID: "b2", Description: "Hand on thigh, over the robe", Kind: bot.KindContact},
				{ID: "b3", Description: "Paula leaves the water, back to camera", Kind: bot.KindNudity, Areas: []string{"back", "buttocks"}},
				{ID: "b4", Description: "Simulated sex, side-lying, under a blanket", Kind: bot.KindSimulatedSex},
			},
			NextBeat: 4, Status: bot.StatusReady, Channel: "scene-12",
			Roster: []bot.RosterMember{
				{User: "dana", Role: bot.RoleDirector, AddedBy: "adam", AddedAt: now},
				{User: "cam", Role: bot.RoleCamera, AddedBy: "adam", AddedAt: now},
				{User: "cora", Role: bot.RoleCostume, AddedBy: "adam", AddedAt: now},
			},
			Version: 1, Created: now, Updated: now,
		}
		for i := range sc.Beats {
			sc.Beats[i].Rev = 1
		}
		sc.Scope = 1
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		// Consent given and riders signed three days ago, so that the AD can
		// start the closed set at once; Pete keeps the bed scene's sex
		// simulated under the blanket only, and said no to the hand on thigh.
		sent := now.Add(-72 * time.Hour)
		answers := map[bot.UserID]map[string]bot.Answer{
			"paula": {"b1": bot.AnswerYes, "b2": bot.AnswerYes, "b3": bot.AnswerYes, "b4": bot.AnswerYes},
			"pete":  {"b1": bot.AnswerYes, "b2": bot.AnswerNo, "b3": bot.AnswerYes, "b4": bot.AnswerYes},
		}
		garments := map[bot.UserID]string{"paula": "nude-coloured thong, robe between takes", "pete": "modesty pouch"}
		for _, p := range sc.Performers {
			bd := bot.Boundaries{Scene: sc.ID, Performer: p, Version: 1, At: sent, Garments: garments[p]}
			for _, b := range sc.Beats {
				bd.Answers = append(bd.Answers, bot.BeatAnswer{Beat: b.ID, Rev: b.Rev, Answer: answers[p][b.ID]})
			}
			if err := tx.AddBoundaries(bd); err != nil {
				return err
			}
			r := bot.Rider{Scene: sc.ID, Performer: p, State: bot.RiderSigned, DraftedAt: sent, SentAt: sent, SignedAt: sent, Scope: sc.Scope, Version: 1, Updated: sent}
			if err := tx.PutRider(r); err != nil {
				return err
			}
		}
		if err := tx.PutProduction(bot.ProductionInfo{Name: DemoProduction, Seeded: true}); err != nil {
			return err
		}
		// Written here, not by commands: the start that follows derives
		// the scene's reminders.
		if err := tx.PutReminderInputs(""); err != nil {
			return err
		}
		seeded = true
		return tx.Audit(bot.AuditRecord{Time: now, Actor: "icbot", Action: "demo.seed",
			Summary: fmt.Sprintf("demo production seeded: %d people, scene 12 with boundaries and riders", len(DemoCast()))})
	})
	return seeded, err
}

// emptyStore says whether the store was never seeded and holds no people
// and no scenes. Everyone is read, so that a start on a file whose
// people's records were changed without the key refuses at once; scenes,
// which may be many, are not: their ids are enough.
func emptyStore(tx bot.Tx) (bool, error) {
	info, err := tx.Production()
	if err != nil {
		return false, err
	}
	people, err := tx.People()
	if err != nil || info.Seeded || len(people) > 0 {
		return false, err
	}
	scenes, err := tx.SceneIDs()
	return len(scenes) == 0, err
}

// Banner is printed when the console starts. The production's name and
// the identity come from configuration, and are printed made visible as
// everything else the console prints.
func Banner(production string, zone *time.Location, me bot.UserID, demo bool) string {
	var b strings.Builder
	name := zone.String()
	if name == "Local" {
		abbr, _ := time.Now().In(zone).Zone()
		name = "this machine's, " + abbr + "; set one with --timezone or production.timezone"
	}
	fmt.Fprintf(&b, "icbot console: %s (time zone %s)\n", visible(production), name)
	fmt.Fprintf(&b, "You are @%s in #%s. /as NAME switches who you are; @NAME /command runs one line as NAME; /help lists console commands.\n", visible(string(me)), SetChannel)
	if demo {
		b.WriteString("Demo cast:")
		for _, p := range DemoCast() {
			fmt.Fprintf(&b, " @%s (%s)", p.ID, p.Roles[0])
		}
		b.WriteString("\nTry: /scene show 12   /closedset start 12   @paula /hold 12 \"need a minute\"   /closedset end 12\n")
		b.WriteString("(Start with an empty production instead: icbot --empty --db NEW.db)\n")
	} else {
		b.WriteString("Start with: /icbot help   /icbot role add @name ROLE   /scene add ...\n")
	}
	return b.String()
}
