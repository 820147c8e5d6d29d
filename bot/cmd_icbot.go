package bot

import (
	"fmt"
	"slices"
	"strings"
)

func runHelp(in *input, tx Tx) error {
	in.out.reply(ClassPublic, "", "%s", in.b.commands.help(in.rest()))
	return nil
}

func runWhoami(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	p := in.caller
	var b strings.Builder
	fmt.Fprintf(&b, "You are %s (id %s) on %s.\n", p.Handle(), p.ID, productionName(tx))
	if p.Known() {
		titles := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			titles[i] = fmt.Sprintf("%s (%s)", r.Title(), r)
		}
		fmt.Fprintf(&b, "Roles: %s.", strings.Join(titles, ", "))
	} else if in.admin {
		b.WriteString("You have no role yet; as an admin you may give yourself one with /icbot role add @you ROLE.")
	} else {
		b.WriteString("You have no role yet: ask an admin, the IC or an AD to add you with /icbot role add @you ROLE.")
	}
	if in.admin {
		b.WriteString("\nYou are an admin: you may give any role.")
	}
	in.out.replyOwn(ClassPersonal, "", "%s", b.String())
	return nil
}

func productionName(tx Tx) string {
	info, err := tx.Production()
	if err != nil || info.Name == "" {
		return "this production"
	}
	return info.Name
}

// roleArgs reads "@person ROLE" and checks that the caller may grant ROLE.
func roleArgs(in *input, tx Tx, allowNew bool) (Person, Role, error) {
	who, err := in.next("@person")
	if err != nil {
		return Person{}, "", err
	}
	word, err := in.next("role")
	if err != nil {
		return Person{}, "", err
	}
	if err := in.done(); err != nil {
		return Person{}, "", err
	}
	role, err := ParseRole(word.Value)
	if err != nil {
		return Person{}, "", err
	}
	p, err := in.person(tx, who.Value, allowNew)
	if err != nil {
		return Person{}, "", err
	}
	if err := mayGrant(in, p, role, allowNew); err != nil {
		return Person{}, "", err
	}
	return p, role, nil
}

// namesake returns someone else icbot knows by the same name as p, if any.
func namesake(tx Tx, p Person) (*Person, error) {
	people, err := tx.People()
	if err != nil {
		return nil, err
	}
	for _, q := range people {
		if q.ID != p.ID && strings.EqualFold(q.Handle(), p.Handle()) {
			return &q, nil
		}
	}
	return nil, nil
}

// mayGrant checks that the caller may give role to p (grant) or take it
// away. Who holds a role decides who reads what it opens, from now on and
// in every channel's history: a role that opens consent data or runs the
// set is an admin's to give, one that opens a private class of notes the
// IC's or an admin's, and nobody but an admin gives a role to themself.
func mayGrant(in *input, p Person, role Role, grant bool) error {
	switch {
	case in.admin:
		return nil
	case role.privileged():
		return Errorf(EFORBIDDEN, "Only an admin may give or take the %s role: it opens consent data or runs the set.", role)
	case grant && p.ID == in.caller.ID:
		return Errorf(EFORBIDDEN, "You cannot give yourself a role: ask an admin, or the IC, to give you %s.", role)
	case role.opensPrivate() && !in.caller.Has(RoleIC):
		return Errorf(EFORBIDDEN, "Only the IC or an admin may give or take the %s role: it opens %s.", role, strings.Join(role.opens(), " and "))
	}
	return nil
}

func runRoleAdd(in *input, tx Tx) error {
	p, role, err := roleArgs(in, tx, true)
	if err != nil {
		return err
	}
	if !p.addRole(role) {
		in.out.reply(ClassRoles, "", "%s already has the role %s.", p.Handle(), role)
		return nil
	}
	if err := tx.PutPerson(p); err != nil {
		return err
	}
	if err := in.audit(tx, "role.add", "", "%s given role %s", personRef(p.ID), role); err != nil {
		return err
	}
	in.out.reply(ClassRoles, "", "%s is now %s (roles: %s).", p.Handle(), role.Title(), rolesText(p.Roles))
	if twin, err := namesake(tx, p); err != nil {
		return err
	} else if twin != nil {
		in.out.reply(ClassRoles, "", "Check that %s (id %s) is who you mean: %s (id %s) has the same name, and messages show people by name.",
			p.Handle(), p.ID, twin.Handle(), twin.ID)
	}
	if scripts := mixedScripts(p.Name); scripts != nil {
		in.out.reply(ClassRoles, "", "Check that %s is who you mean: the name mixes %s letters, as a look-alike of another name would (an id of %s).",
			p.Handle(), strings.Join(scripts, " and "), p.ID)
	}
	if p.ID != in.caller.ID {
		in.out.dm(p.ID, ClassPersonal, "", p.ID, fmt.Sprintf("%s gave you the role %s on %s. Type /icbot help to see what you can do.",
			in.caller.Handle(), role.Title(), productionName(tx)))
	}
	return nil
}

func runRoleRemove(in *input, tx Tx) error {
	p, role, err := roleArgs(in, tx, false)
	if err != nil {
		return err
	}
	if !p.Has(role) {
		return Errorf(EINVALID, "%s does not have the role %s (roles: %s).", p.Handle(), role, rolesText(p.Roles))
	}
	if role == RolePerformer {
		scenes, err := tx.Scenes()
		if err != nil {
			return err
		}
		var cast []string
		for _, sc := range scenes {
			if sc.IsPerformer(p.ID) {
				cast = append(cast, string(sc.ID))
			}
		}
		if len(cast) > 0 {
			return Errorf(ECONFLICT, "%s performs in scene %s: take them off with /scene set ID performers=... first.", p.Handle(), strings.Join(cast, ", "))
		}
	}
	p.removeRole(role)
	if err := tx.PutPerson(p); err != nil {
		return err
	}
	if err := in.audit(tx, "role.remove", "", "%s no longer %s", personRef(p.ID), role); err != nil {
		return err
	}
	// They may still be in channels holding what the role let them read.
	in.out.then(sweepEffect(fmt.Sprintf("%s no longer has the role %s", p.Handle(), role)))
	in.out.reply(ClassRoles, "", "%s no longer has the role %s (roles: %s).", p.Handle(), role, rolesText(p.Roles))
	return nil
}

func runRoleList(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	people, err := tx.People()
	if err != nil {
		return err
	}
	slices.SortFunc(people, func(a, b Person) int {
		return strings.Compare(strings.ToLower(a.Handle()), strings.ToLower(b.Handle()))
	})
	var b strings.Builder
	fmt.Fprintf(&b, "People on %s:", productionName(tx))
	n := 0
	for _, r := range Roles {
		var holders []Person
		for _, p := range people {
			if p.Has(r) {
				holders = append(holders, p)
			}
		}
		if len(holders) > 0 {
			n++
			fmt.Fprintf(&b, "\n  %-9s %s", r, handles(holders))
		}
	}
	if n == 0 {
		b.WriteString("\n  nobody has a role yet: /icbot role add @person ROLE")
	}
	in.out.reply(ClassRoles, "", "%s", b.String())
	return nil
}
