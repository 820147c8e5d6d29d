package bot

import (
	"fmt"
	"slices"
	"strings"
)

// departments that receive notices, and what each may know.
var departments = []Role{RoleCostume, RoleHMU, RoleProps, RoleStunts}

func deptArg(in *input) (Role, error) {
	a, err := in.next("department")
	if err != nil {
		return "", err
	}
	r, err := ParseRole(a.Value)
	if err != nil || !slices.Contains(departments, r) {
		return "", Errorf(EINVALID, "%q is not a department with notices: use costume, hmu, props or stunts", a.Value)
	}
	return r, nil
}

func runDeptChannel(in *input, tx Tx) error {
	dept, err := deptArg(in)
	if err != nil {
		return err
	}
	a, err := in.next("#channel")
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	ch, err := channelArg(a.Value)
	if err != nil {
		return err
	}
	info, err := tx.Production()
	if err != nil {
		return err
	}
	if info.DeptChannels == nil {
		info.DeptChannels = map[Role]ChannelID{}
	}
	info.DeptChannels[dept] = ch
	if err := tx.PutProduction(info); err != nil {
		return err
	}
	if err := in.audit(tx, "dept.channel", "", "%s notices go to channel %s", dept, ch); err != nil {
		return err
	}
	in.out.reply(ClassCrew, "", "%s notices will go to #%s. It must be a private channel of that department: icbot checks before every notice.", strings.ToUpper(dept.Title()[:1])+dept.Title()[1:], ch)
	return nil
}

func runDeptNotify(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	dept, err := deptArg(in)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	info, err := tx.Production()
	if err != nil {
		return err
	}
	ch := info.DeptChannels[dept]
	if ch == "" {
		return Errorf(EINVALID, "no %s channel is set: /dept channel %s #private-channel", dept, dept)
	}
	perf, err := peopleOf(tx, sc.Performers)
	if err != nil {
		return err
	}
	head := fmt.Sprintf("%s notice, scene %s (%s), call %s. Closed set.", strings.ToUpper(dept.Title()[:1])+dept.Title()[1:], sc.ID, sc.Title, in.b.fmtTime(sc.Call))
	var text string
	class := ClassCrew
	switch dept {
	case RoleCostume, RoleHMU:
		var b strings.Builder
		b.WriteString(head)
		if dept == RoleCostume {
			b.WriteString("\nGarments and barriers:")
			class = ClassGarments
		} else {
			b.WriteString("\nBody notes:")
			class = ClassBodyNotes
		}
		for _, p := range perf {
			bd, err := latestBoundaries(tx, sc.ID, p.ID)
			if err != nil {
				return err
			}
			v := ""
			if bd != nil {
				v = bd.Garments
				if dept == RoleHMU {
					v = bd.Body
				}
			}
			if v == "" {
				v = "not given yet"
			}
			fmt.Fprintf(&b, "\n  %s: %s", p.Handle(), v)
		}
		b.WriteString("\nQuestions go to the IC.")
		text = b.String()
	default:
		text = head + " Ask the IC what your department needs for it; performers' boundaries are not shared."
	}
	in.out.post(ch, class, sc.ID, text)
	if err := in.audit(tx, "dept.notify", sc.ID, "%s notice for scene %s posted to %s", dept, sc.ID, ch); err != nil {
		return err
	}
	in.out.reply(ClassCrew, sc.ID, "Posting the %s notice for scene %s to #%s, if it is private.", dept, sc.ID, ch)
	return nil
}
