package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// departments that receive notices, and what each may know.
var departments = []Role{RoleCostume, RoleHMU, RoleProps, RoleStunts, RoleCamera}

// deptNames are the departments' names, for the command table.
func deptNames() []string {
	out := make([]string, len(departments))
	for i, d := range departments {
		out[i] = string(d)
	}
	return out
}

func deptArg(in *input) (Role, error) {
	a, err := in.next("department")
	if err != nil {
		return "", err
	}
	r, err := ParseRole(a.Value)
	if err != nil || !slices.Contains(departments, r) {
		return "", Errorf(EINVALID, "%q is not a department with notices: use %s", a.Value, orList(deptNames()))
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
	if err := in.b.givePurpose(tx, ch, purpose{dept: dept}); err != nil {
		return err
	}
	in.out.reply(ClassCrew, "", "Checking who reads #%s before it becomes the %s channel…", ch, dept.Title())
	in.out.then(deptChannelEffect(dept, ch))
	return nil
}

// deptChannelEffect makes ch a department's channel once the platform has
// said who reads it: its notices open garment or body notes, so everyone
// in it must hold the department's role, or be the IC.
func deptChannelEffect(dept Role, ch ChannelID) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		why, err := b.deptReadersRefusal(ctx, dept, ch)
		if err != nil {
			if _, retry := transient(err, 1); retry {
				return Errorf(EUNAVAILABLE, "icbot could not ask the chat platform who reads #%s; nothing was changed: try again in a minute", ch)
			}
			why = ErrorMessage(err)
		}
		if why != "" {
			b.lateReply(ctx, cmd, ClassCrew, "", fmt.Sprintf("#%s was not made the %s channel: %s. Nothing was changed.", ch, dept.Title(), why))
			return nil
		}
		err = b.store.Update(ctx, func(tx Tx) error {
			if err := b.givePurpose(tx, ch, purpose{dept: dept}); err != nil {
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
			return tx.Audit(AuditRecord{Time: b.now(), Actor: cmd.Caller, Action: "dept.channel",
				Summary: fmt.Sprintf("%s notices go to channel %s", dept, ch)})
		})
		if err != nil {
			return err
		}
		b.lateReply(ctx, cmd, ClassCrew, "", fmt.Sprintf("%s notices will go to #%s. Only the %s department and the IC may be in it: icbot checks its readers before every notice.",
			capitalFirst(dept.Title()), ch, dept.Title()))
		return nil
	}
}

// deptReadersRefusal says why ch may not be dept's channel ("" when it
// may): it must be private, and read only by the department and the IC.
func (b *Bot) deptReadersRefusal(ctx context.Context, dept Role, ch ChannelID) (string, error) {
	lister, ok := b.chat.(MemberLister)
	if !ok {
		return "icbot cannot tell who reads channels on this platform", nil
	}
	ids, err := lister.Members(ctx, ch)
	if err != nil {
		return "", err
	}
	var outsiders []Person
	err = b.store.View(ctx, func(tx Tx) error {
		for _, id := range ids {
			p, err := personOf(tx, id)
			if err != nil {
				return err
			}
			if !p.Has(dept) && !p.Has(RoleIC) {
				outsiders = append(outsiders, p)
			}
		}
		return nil
	})
	if err != nil || len(outsiders) == 0 {
		return "", err
	}
	verb := "are"
	if len(outsiders) == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s %s in it, and only the %s department and the IC may be", handles(outsiders), verb, dept.Title()), nil
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
	class, text, err := deptNotice(in, tx, &sc, dept)
	if err != nil {
		return err
	}
	in.out.post(ch, class, sc.ID, text)
	// The notice replaces the department's earlier ones for the scene:
	// what a performer changed, withdrew or no longer needs does not stay
	// in the channel.
	in.out.then(supersedeEffect(ch, class, sc.ID))
	if err := in.audit(tx, "dept.notify", sc.ID, "%s notice for scene %s posted to %s", dept, sc.ID, ch); err != nil {
		return err
	}
	in.out.reply(ClassCrew, sc.ID, "Posting the %s notice for scene %s to #%s, if it is private.", dept, sc.ID, ch)
	return nil
}

// deptNotice is a department's need-to-know for a scene and its class:
// costume gets the garments and barriers, hair and makeup the body notes,
// props and stunts the IC's notes on each beat, never the performers'
// boundaries.
func deptNotice(in *input, tx Tx, sc *Scene, dept Role) (Class, string, error) {
	head := fmt.Sprintf("%s notice, scene %s (%s), call %s. Closed set.", capitalFirst(dept.Title()), sc.ID, sc.Title, in.b.fmtTime(sc.Call))
	switch dept {
	case RoleProps:
		return ClassPropsNotes, head + deptBeatNotes(sc, "Props", func(b Beat) string { return b.Props }), nil
	case RoleStunts:
		return ClassStuntsNotes, head + deptBeatNotes(sc, "Stunts", func(b Beat) string { return b.Stunts }), nil
	case RoleCamera:
		return ClassCoverage, head + deptBeatNotes(sc, "Camera", func(b Beat) string {
			return strings.TrimSpace(strings.Join(slices.DeleteFunc([]string{b.Camera, conditionsNote(b.Conditions)}, func(s string) bool { return s == "" }), "; "))
		}), nil
	}
	if dept != RoleCostume && dept != RoleHMU {
		return ClassCrew, head + " Ask the IC what your department needs for it; performers' boundaries are not shared.", nil
	}
	perf, err := peopleOf(tx, sc.Performers)
	if err != nil {
		return 0, "", err
	}
	var b strings.Builder
	b.WriteString(head)
	class := ClassGarments
	if dept == RoleCostume {
		b.WriteString("\nGarments and barriers:")
	} else {
		b.WriteString("\nBody notes:")
		class = ClassBodyNotes
	}
	for _, p := range perf {
		bd, err := latestBoundaries(tx, sc.ID, p.ID)
		if err != nil {
			return 0, "", err
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
	return class, b.String(), nil
}

// deptNoticeClasses are the classes of the departments' notices.
var deptNoticeClasses = []Class{ClassGarments, ClassBodyNotes, ClassPropsNotes, ClassStuntsNotes, ClassCoverage}

// conditionsNote writes a beat's conditions for the camera's notice.
func conditionsNote(c string) string {
	if c == "" {
		return ""
	}
	return "conditions: " + c
}

// noticesGoneEffect takes down the department notices of scene in every
// department's channel: the department no longer needs what they hold
// about someone taken off the scene, or about a scene removed. The IC is
// told what was taken down and how to post a notice again.
func noticesGoneEffect(scene SceneID, why string, again bool) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		var info ProductionInfo
		if err := b.store.View(ctx, func(tx Tx) error {
			var err error
			info, err = tx.Production()
			return err
		}); err != nil {
			return err
		}
		depts := make([]Role, 0, len(info.DeptChannels))
		for r := range info.DeptChannels {
			depts = append(depts, r)
		}
		slices.Sort(depts)
		var lines []string
		for _, dept := range depts {
			line, err := b.takeDownNotices(ctx, info.DeptChannels[dept], dept, scene, why, again)
			if err != nil {
				return err
			}
			if line != "" {
				lines = append(lines, line)
			}
		}
		if len(lines) > 0 {
			b.tellRole(ctx, RoleIC, scene, ClassChannelReport, strings.Join(lines, "\n"))
		}
		return nil
	}
}

// takeDownNotices retracts scene's notices in one department's channel
// and says what became of them ("" when there were none).
func (b *Bot) takeDownNotices(ctx context.Context, ch ChannelID, dept Role, scene SceneID, why string, again bool) (string, error) {
	unlock := b.audience.locks.lock(ch)
	defer unlock()
	var posts []Post
	named := "scene " + string(scene)
	err := b.store.View(ctx, func(tx Tx) error {
		if sc, err := tx.Scene(scene); err == nil {
			named = sceneNamed(&sc)
		}
		all, err := tx.Posts(ch)
		for _, p := range visible(all) {
			if p.Scene == scene && p.Ref != "" && slices.Contains(deptNoticeClasses, p.Class) {
				posts = append(posts, p)
			}
		}
		return err
	})
	if err != nil || len(posts) == 0 {
		return "", err
	}
	failed, rerr := b.retract(ctx, ch, posts, why)
	if len(failed) > 0 {
		return fmt.Sprintf("NOT taken down: the %s notice of %s in #%s (%s): %s. Delete it by hand.", dept.Title(), named, ch, why, ErrorMessage(rerr)), nil
	}
	text := fmt.Sprintf("Taken down: the %s notice of %s in #%s, since %s.", dept.Title(), named, ch, why)
	if again {
		text += fmt.Sprintf(" Post it again for those still in the scene with /dept notify %s %s.", scene, dept)
	}
	return text, nil
}

// deptBeatNotes lists a department's notes on each beat, by the beat's
// description alone: what a performer agreed to stays private.
func deptBeatNotes(sc *Scene, name string, note func(Beat) string) string {
	var b strings.Builder
	for _, bt := range sc.Beats {
		if v := note(bt); v != "" {
			// The beat by its id alone: what happens in it is scene
			// detail, which the departments do not read.
			fmt.Fprintf(&b, "\n  %s: %s", bt.ID, indentLines(v))
		}
	}
	if b.Len() == 0 {
		return fmt.Sprintf("\n%s notes: none yet; ask the IC what your department needs for it.", name)
	}
	return fmt.Sprintf("\n%s notes:%s\nQuestions go to the IC.", name, b.String())
}
