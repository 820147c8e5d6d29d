package bot

import (
	"fmt"
	"slices"
	"strings"
)

// rosterOf is who is on the scene's closed-set roster now: during a closed
// set, the running session's roster (performers, planned roster, ICs and
// whoever started it); otherwise the performers and the planned roster.
func rosterOf(tx Tx, sc *Scene) ([]RosterMember, error) {
	if sc.Filming() {
		sess, err := tx.Session(sc.ID, sc.Session)
		if err != nil {
			return nil, err
		}
		return sess.Roster, nil
	}
	out := make([]RosterMember, 0, len(sc.Performers)+len(sc.Roster))
	for _, u := range sc.Performers {
		out = append(out, RosterMember{User: u, Role: RolePerformer})
	}
	return append(out, sc.Roster...), nil
}

// onRoster reports whether u is in roster.
func onRoster(roster []RosterMember, u UserID) bool {
	return slices.ContainsFunc(roster, func(m RosterMember) bool { return m.User == u })
}

// rosterText lists roster members with their roles and acknowledgements.
func rosterText(tx Tx, roster []RosterMember) (string, error) {
	if len(roster) == 0 {
		return "nobody", nil
	}
	parts := make([]string, len(roster))
	for i, m := range roster {
		p, err := personOf(tx, m.User)
		if err != nil {
			return "", err
		}
		parts[i] = fmt.Sprintf("%s (%s)", p.Handle(), m.Role)
	}
	return strings.Join(parts, ", "), nil
}
