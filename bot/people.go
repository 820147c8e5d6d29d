package bot

import (
	"fmt"
	"slices"
	"strings"
)

// UserID is a person's id on the chat platform (Slack "U123", a Discord
// snowflake, a console name). It is opaque to the domain.
type UserID string

// ChannelID is a channel's id on the chat platform. Opaque to the domain.
type ChannelID string

// Role is a job on the production that decides what a person may do and see.
type Role string

// The roles icbot knows. Admins are not a role: they come from configuration.
const (
	RoleIC        Role = "ic"
	RoleAD        Role = "ad"
	RoleProducer  Role = "producer"
	RoleDirector  Role = "director"
	RolePerformer Role = "performer"
	RoleCostume   Role = "costume"
	RoleHMU       Role = "hmu"
	RoleProps     Role = "props"
	RoleStunts    Role = "stunts"
	RoleCamera    Role = "camera"
	RoleCrew      Role = "crew"
)

// Roles lists every role in display order.
var Roles = []Role{
	RoleIC, RoleAD, RoleProducer, RoleDirector, RolePerformer,
	RoleCostume, RoleHMU, RoleProps, RoleStunts, RoleCamera, RoleCrew,
}

var roleTitles = map[Role]string{
	RoleIC:        "intimacy coordinator",
	RoleAD:        "assistant director",
	RoleProducer:  "producer",
	RoleDirector:  "director",
	RolePerformer: "performer",
	RoleCostume:   "costume",
	RoleHMU:       "hair and makeup",
	RoleProps:     "props",
	RoleStunts:    "stunts",
	RoleCamera:    "camera",
	RoleCrew:      "crew",
}

// Title is the role's name spelled out for people.
func (r Role) Title() string { return roleTitles[r] }

// privileged roles see consent data or run the set; only admins grant them.
func (r Role) privileged() bool {
	switch r {
	case RoleIC, RoleAD, RoleProducer, RoleDirector:
		return true
	}
	return false
}

// opensPrivate reports whether holding r lets one read a class of private
// information by the need-to-know table: garment notes for costume, body
// notes for hair and makeup. Only the IC or an admin grants such a role.
// Derived from the table, so a role a future class opens is covered.
func (r Role) opensPrivate() bool {
	return len(r.opens()) > 0
}

// opens lists the private classes the role opens, by name.
func (r Role) opens() []string {
	var out []string
	for c, a := range needToKnow {
		if !a.anyone && !a.crew && slices.Contains(a.roles, r) {
			out = append(out, c.String())
		}
	}
	slices.Sort(out)
	return out
}

// ParseRole reads a role name, case-insensitively.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := roleTitles[r]; !ok {
		return "", Errorf(EINVALID, "unknown role %q: expected one of %s", s, roleList())
	}
	return r, nil
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Person is someone icbot knows: a platform user with roles on the production.
type Person struct {
	ID    UserID
	Name  string // display name, as the platform shows it
	Roles []Role // sorted in the order of Roles
}

// Has reports whether p holds role r.
func (p Person) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// HasAny reports whether p holds any of rs.
func (p Person) HasAny(rs ...Role) bool {
	for _, r := range rs {
		if p.Has(r) {
			return true
		}
	}
	return false
}

// Known reports whether p has been given at least one role.
func (p Person) Known() bool { return len(p.Roles) > 0 }

// addRole adds r, keeping Roles in canonical order; it reports whether p changed.
func (p *Person) addRole(r Role) bool {
	if p.Has(r) {
		return false
	}
	p.Roles = append(p.Roles, r)
	slices.SortFunc(p.Roles, func(a, b Role) int {
		return slices.Index(Roles, a) - slices.Index(Roles, b)
	})
	return true
}

// removeRole removes r; it reports whether p changed.
func (p *Person) removeRole(r Role) bool {
	i := slices.Index(p.Roles, r)
	if i < 0 {
		return false
	}
	p.Roles = slices.Delete(p.Roles, i, i+1)
	return true
}

// Handle is how icbot writes a person in messages: "@name".
func (p Person) Handle() string {
	if p.ID == ErasedPerson {
		return string(ErasedPerson)
	}
	if n := cleanName(p.Name); n != "" {
		return "@" + n
	}
	return "@" + cleanName(string(p.ID))
}

func rolesText(rs []Role) string {
	if len(rs) == 0 {
		return "no roles"
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// holders returns everyone with role r.
func holders(tx Tx, r Role) ([]Person, error) {
	people, err := tx.People()
	if err != nil {
		return nil, err
	}
	var out []Person
	for _, p := range people {
		if p.Has(r) {
			out = append(out, p)
		}
	}
	return out, nil
}

// handles writes people as "@a, @b".
func handles(ps []Person) string {
	if len(ps) == 0 {
		return "nobody"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Handle()
	}
	return strings.Join(parts, ", ")
}

// personOf loads a person for display, falling back to the bare id.
func personOf(tx Tx, id UserID) (Person, error) {
	if id == ErasedPerson {
		return Person{ID: id}, nil
	}
	p, err := tx.Person(id)
	if ErrorCode(err) == ENOTFOUND {
		return Person{ID: id}, nil
	}
	return p, err
}

// peopleOf loads people for display, as personOf does.
func peopleOf(tx Tx, ids []UserID) ([]Person, error) {
	out := make([]Person, 0, len(ids))
	for _, id := range ids {
		p, err := personOf(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// roleGivers says who may give which role, from the rules mayGrant
// applies: the privileged roles are an admin's, the roles that open
// private information the IC's or an admin's, the rest also the ADs'.
func roleGivers() string {
	var admin, ic, rest []string
	for _, r := range Roles {
		switch {
		case r.privileged():
			admin = append(admin, string(r))
		case r.opensPrivate():
			ic = append(ic, string(r))
		default:
			rest = append(rest, string(r))
		}
	}
	return fmt.Sprintf("Only an admin may give %s; only the IC or an admin %s, which open private notes; the IC and the ADs may give %s. Nobody but an admin gives a role to themself.",
		orList(admin), orList(ic), orList(rest))
}
