package bot

import (
	"fmt"
	"testing"
)

// TestNeedToKnowTable checks every class of information against every kind
// of recipient. The expectations are written out here, from PRODUCT.md,
// rather than derived from the table under test.
func TestNeedToKnowTable(t *testing.T) {
	sc := &Scene{ID: "12", Performers: []UserID{"paula", "pia"}, Roster: []RosterMember{{User: "cam", Role: RoleCamera}}}
	a := about{scene: sc, roster: []RosterMember{{User: "paula", Role: RolePerformer}, {User: "cam", Role: RoleCamera}}}
	recipients := []struct {
		name string
		p    Person
	}{
		{"the performer themself", Person{ID: "paula", Roles: []Role{RolePerformer}}},
		{"a co-performer in the scene", Person{ID: "pia", Roles: []Role{RolePerformer}}},
		{"another scene's performer", Person{ID: "pete", Roles: []Role{RolePerformer}}},
		{"ic", Person{ID: "ines", Roles: []Role{RoleIC}}},
		{"ad", Person{ID: "adam", Roles: []Role{RoleAD}}},
		{"director", Person{ID: "dana", Roles: []Role{RoleDirector}}},
		{"producer", Person{ID: "priya", Roles: []Role{RoleProducer}}},
		{"department on the roster", Person{ID: "cam", Roles: []Role{RoleCamera}}},
		{"department off the roster", Person{ID: "cora", Roles: []Role{RoleCostume}}},
		{"hair and makeup", Person{ID: "hana", Roles: []Role{RoleHMU}}},
		{"crew", Person{ID: "gary", Roles: []Role{RoleCrew}}},
		{"admin without a role", Person{ID: "root"}},
		{"stranger", Person{ID: "nobody"}},
	}
	// One column per recipient above, in order; the subject of personal
	// data is the performer "paula".
	want := map[Class]string{
		//                   paula pia  pete ines adam dana priya cam  cora hana gary root nobody
		ClassPublic:        "  y    y    y    y    y    y    y    y    y    y    y    y    y",
		ClassCrew:          "  y    y    y    y    y    y    y    y    y    y    y    y    -",
		ClassPersonal:      "  y    -    -    -    -    -    -    -    -    -    -    -    -",
		ClassRoles:         "  -    -    -    y    y    -    y    -    -    -    -    y    -",
		ClassSceneDetail:   "  y    y    -    y    y    y    y    -    -    -    -    -    -",
		ClassRoster:        "  y    y    -    y    y    y    y    y    -    -    -    -    -",
		ClassHoldCaller:    "  y    -    -    y    -    -    -    -    -    -    -    -    -",
		ClassBoundaries:    "  y    -    -    y    -    -    -    -    -    -    -    -    -",
		ClassReadiness:     "  y    y    -    y    y    y    y    -    -    -    -    -    -",
		ClassRiderDetail:   "  y    -    -    y    -    -    -    -    -    -    -    -    -",
		ClassTopline:       "  y    y    -    y    y    y    y    -    -    -    -    -    -",
		ClassGarments:      "  y    -    -    y    -    -    -    -    y    -    -    -    -",
		ClassBodyNotes:     "  y    -    -    y    -    -    -    -    -    y    -    -    -",
		ClassChannelReport: "-    -    -    y    -    -    -    -    -    -    -    y    -",
		ClassIntent:        "  y    y    -    y    y    y    y    -    -    -    -    -    -",
		ClassCoverage:      "  y    y    -    y    y    y    y    y    -    -    -    -    -",
		ClassPropsNotes:    "  -    -    -    y    y    -    -    -    -    -    -    -    -",
		ClassStuntsNotes:   "  -    -    -    y    y    -    -    -    -    -    -    -    -",
		ClassChoreography:  "  y    y    -    y    -    y    -    -    -    -    -    -    -",
		ClassRehearsal:     "  y    y    -    y    -    y    -    -    -    -    -    -    -",
		ClassTakes:         "  -    -    -    y    -    y    -    -    -    -    -    -    -",
		ClassBreakdown:     "  -    -    -    y    -    -    -    -    -    -    -    -    -",
	}
	g := gate{admins: map[UserID]bool{"root": true}}
	for class, row := range want {
		cells := splitCells(row)
		if len(cells) != len(recipients) {
			t.Fatalf("%s: %d cells for %d recipients", class, len(cells), len(recipients))
		}
		for i, r := range recipients {
			t.Run(fmt.Sprintf("%s/%s", class, r.name), func(t *testing.T) {
				if got, want := g.mayRead(r.p, class, a, "paula"), cells[i] == "y"; got != want {
					t.Errorf("mayRead = %v, want %v", got, want)
				}
			})
		}
	}
	if len(want) != len(needToKnow) {
		t.Errorf("the test covers %d classes, the table has %d: add the new class here", len(want), len(needToKnow))
	}
}

func splitCells(row string) []string {
	var cells []string
	for _, f := range []rune(row) {
		if f == 'y' || f == '-' {
			cells = append(cells, string(f))
		}
	}
	return cells
}

func TestNeedToKnowChannels(t *testing.T) {
	want := map[Class]channelRule{
		ClassPublic:        anyChannel,
		ClassCrew:          privateChannel,
		ClassPersonal:      noChannel,
		ClassRoles:         noChannel,
		ClassSceneDetail:   privateChannel,
		ClassRoster:        privateChannel,
		ClassHoldCaller:    noChannel,
		ClassBoundaries:    noChannel,
		ClassReadiness:     privateChannel,
		ClassRiderDetail:   noChannel,
		ClassTopline:       privateChannel,
		ClassGarments:      privateChannel,
		ClassBodyNotes:     privateChannel,
		ClassChannelReport: noChannel,
		ClassIntent:        privateChannel,
		ClassCoverage:      privateChannel,
		ClassPropsNotes:    privateChannel,
		ClassStuntsNotes:   privateChannel,
		ClassChoreography:  noChannel,
		ClassRehearsal:     noChannel,
		ClassTakes:         noChannel,
		ClassBreakdown:     noChannel,
	}
	for c, rule := range want {
		if got := needToKnow[c].channel; got != rule {
			t.Errorf("%s: channel rule %d, want %d", c, got, rule)
		}
	}
	if _, ok := needToKnow[Class(0)]; ok {
		t.Errorf("the zero Class must be unclassified, so a message without a class goes nowhere")
	}
	if (gate{}).mayRead(Person{ID: "ines", Roles: []Role{RoleIC}}, Class(0), about{}, "") {
		t.Errorf("an unclassified message was allowed")
	}
}

// TestNeedToKnowDepartmentNotes checks the classes of the beats' notes
// against the departments, which the table above has no column for: each
// department reads its own notes, and no other department reads them.
func TestNeedToKnowDepartmentNotes(t *testing.T) {
	a := about{scene: &Scene{ID: "12", Performers: []UserID{"paula"}}}
	depts := []Person{
		{ID: "pat", Roles: []Role{RoleProps}},
		{ID: "sid", Roles: []Role{RoleStunts}},
		{ID: "cam", Roles: []Role{RoleCamera}},
		{ID: "cora", Roles: []Role{RoleCostume}},
		{ID: "hana", Roles: []Role{RoleHMU}},
	}
	want := map[Class]string{
		//                 pat  sid  cam  cora hana
		ClassIntent:      " -    -    -    -    -",
		ClassCoverage:    " -    -    y    -    -",
		ClassPropsNotes:  " y    -    -    -    -",
		ClassStuntsNotes: " -    y    -    -    -",
		ClassTakes:       " -    -    -    -    -",
		ClassBreakdown:   " -    -    -    -    -",
	}
	g := gate{}
	for class, row := range want {
		cells := splitCells(row)
		for i, p := range depts {
			if got, want := g.mayRead(p, class, a, ""), cells[i] == "y"; got != want {
				t.Errorf("%s to %s: mayRead = %v, want %v", class, p.ID, got, want)
			}
		}
	}
}
