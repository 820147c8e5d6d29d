package bot

import (
	"fmt"
	"slices"
	"strings"
)

// runSceneAdd adds a scene as a draft, with its title and call, and its
// performers and channel when given.
func runSceneAdd(in *input, tx Tx) error {
	sc, err := newScene(in, tx)
	if err != nil {
		return err
	}
	if v, ok := in.key("performers"); ok {
		if err := setPerformers(in, tx, &sc, v); err != nil {
			return err
		}
	}
	if v, ok := in.key("channel"); ok {
		if sc.Channel, err = channelArg(v); err != nil {
			return err
		}
		if err := in.b.givePurpose(tx, sc.Channel, purpose{scene: sc.ID}); err != nil {
			return err
		}
	}
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "scene.add", sc.ID, "scene %s added, call %s", sc.ID, in.b.fmtTime(sc.Call)); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Scene %s added as a draft.\n%s\nNext: add its intimacy beats with /scene beat add %s \"description\" kind=KIND.",
		sc.ID, in.b.sceneCard(tx, &sc), sc.ID)
	return nil
}

// newScene reads the id, title= and call= (and past) of /scene add into a
// draft scene with an id not in use.
func newScene(in *input, tx Tx) (Scene, error) {
	confirmedPast := in.confirmed("past")
	id, err := in.sceneID()
	if err != nil {
		return Scene{}, err
	}
	if err := in.done(); err != nil {
		return Scene{}, err
	}
	title, ok := in.key("title")
	if !ok || strings.TrimSpace(title) == "" {
		return Scene{}, Errorf(EINVALID, "missing title=\"...\"")
	}
	callText, ok := in.key("call")
	if !ok {
		return Scene{}, Errorf(EINVALID, "missing call=\"YYYY-MM-DD HH:MM\", or a day counted from today, as in call=\"tomorrow 10:30\"")
	}
	call, err := in.b.parseWhen("call", callText, in.now)
	if err != nil {
		return Scene{}, err
	}
	if err := in.refusePastCall(call, confirmedPast); err != nil {
		return Scene{}, err
	}
	if _, err := tx.Scene(id); err == nil {
		return Scene{}, Errorf(ECONFLICT, "Scene %s already exists: change it with /scene set %s key=value.", id, id)
	} else if ErrorCode(err) != ENOTFOUND {
		return Scene{}, err
	}
	// Sessions of an earlier scene with this id stay on record; number on.
	past, err := tx.Sessions(id)
	if err != nil {
		return Scene{}, err
	}
	return Scene{
		ID: id, Title: strings.TrimSpace(title), Call: call, Status: StatusDraft,
		Sessions: uint64(len(past)), PastSessions: uint64(len(past)), Version: 1, Created: in.now, Updated: in.now,
	}, nil
}

// setPerformers replaces the scene's performers with the mentioned people,
// who must hold the performer role.
func setPerformers(in *input, tx Tx, sc *Scene, list string) error {
	ps, err := in.people(tx, list)
	if err != nil {
		return err
	}
	ids := make([]UserID, 0, len(ps))
	for _, p := range ps {
		if !p.Has(RolePerformer) {
			return Errorf(EINVALID, "%s is not a performer: give them the role first with /icbot role add %s performer", p.Handle(), p.Handle())
		}
		ids = append(ids, p.ID)
	}
	// A beat that names a performer taken off the scene would be left
	// with someone who is not in it: its consent could no longer be asked
	// or counted. The beats change first.
	for _, bt := range sc.Beats {
		for _, u := range bt.Performers {
			if !slices.Contains(ids, u) {
				p, err := personOf(tx, u)
				if err != nil {
					return err
				}
				return Errorf(ECONFLICT, "%s is in beat %s of scene %s: take them off the beat first (/scene beat set %s %s performers=@...) or remove it (/scene beat remove %s %s). Nothing was changed.",
					p.Handle(), bt.ID, sc.ID, sc.ID, bt.ID, sc.ID, bt.ID)
			}
		}
	}
	sc.Performers = ids
	// A performer is always on the roster: drop them from the planned
	// non-performer part so nobody is listed twice.
	sc.Roster = slices.DeleteFunc(sc.Roster, func(m RosterMember) bool { return sc.IsPerformer(m.User) })
	return nil
}

func runSceneList(in *input, tx Tx) error {
	all := false
	if a, ok := in.optional(); ok {
		if !strings.EqualFold(a.Value, "all") {
			return Errorf(EINVALID, "unexpected %q: /scene list takes only \"all\"", a.Value)
		}
		all = true
	}
	if err := in.done(); err != nil {
		return err
	}
	scenes, err := tx.Scenes()
	if err != nil {
		return err
	}
	slices.SortFunc(scenes, func(a, b Scene) int { return compareSceneIDs(a.ID, b.ID) })
	// Performers without a production-wide role see their own scenes.
	ownOnly := !in.caller.HasAny(leadership...) && in.caller.Has(RolePerformer) && !in.admin
	var b strings.Builder
	n := 0
	for _, sc := range scenes {
		if (!all && sc.Status == StatusWrapped) || (ownOnly && !sc.IsPerformer(in.caller.ID)) {
			continue
		}
		n++
		fmt.Fprintf(&b, "\n  %-6s %-28s %s  %s", sc.ID, truncate(sc.Title, 28), in.b.fmtTime(sc.Call), sc.EffectiveStatus())
	}
	switch {
	case n == 0 && len(scenes) == 0:
		in.out.reply(ClassCrew, "", "No scenes yet. Add one with /scene add ID title=\"...\" call=\"YYYY-MM-DD HH:MM\" (or call=\"tomorrow 10:30\", call=\"fri 10:30\").")
	case n == 0:
		in.out.reply(ClassCrew, "", "No scenes to show (/scene list all includes wrapped ones).")
	default:
		in.out.reply(ClassCrew, "", "Scenes:%s", b.String())
	}
	return nil
}

func runSceneShow(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if err := in.authorizeScene(tx, &sc); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "%s", in.b.sceneCard(tx, &sc))
	in.sceneExtras(&sc)
	return nil
}

// sceneCard is the scene as shown to those who may see its details.
func (b *Bot) sceneCard(tx Tx, sc *Scene) string {
	var s strings.Builder
	fmt.Fprintf(&s, "Scene %s: %s\n", sc.ID, sc.Title)
	fmt.Fprintf(&s, "  Call: %s\n", b.fmtTime(sc.Call))
	status := string(sc.EffectiveStatus())
	if sc.Filming() {
		status += fmt.Sprintf(" (closed set running, session %d)", sc.Session)
	}
	fmt.Fprintf(&s, "  Status: %s\n", status)
	perf, _ := peopleOf(tx, sc.Performers)
	fmt.Fprintf(&s, "  Performers: %s\n", handles(perf))
	ch := "none (set one with /scene set " + string(sc.ID) + " channel=#name)"
	if sc.Channel != "" {
		ch = "#" + string(sc.Channel)
	}
	fmt.Fprintf(&s, "  Channel: %s\n", ch)
	roster := make([]UserID, len(sc.Roster))
	for i, m := range sc.Roster {
		roster[i] = m.User
	}
	crew, _ := peopleOf(tx, roster)
	fmt.Fprintf(&s, "  Roster beyond performers: %s\n", handles(crew))
	if len(sc.Beats) == 0 {
		s.WriteString("  Beats: none yet")
	} else {
		s.WriteString("  Beats:")
		for _, bt := range sc.Beats {
			fmt.Fprintf(&s, "\n    %s  %s [%s]", bt.ID, bt.Description, bt.Kind)
			if len(bt.Areas) > 0 {
				fmt.Fprintf(&s, " visible: %s", strings.Join(bt.Areas, ", "))
			}
		}
	}
	return s.String()
}

// runSceneSet changes a scene's title, call, performers, channel or
// status; performers new to it are asked about the beats they share.
func runSceneSet(in *input, tx Tx) error {
	past := in.confirmed("past")
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if len(in.named) == 0 {
		return Errorf(EINVALID, "nothing to change: give at least one of %s", keyList(in.spec.keys))
	}
	if _, moves := in.key("call"); past && !moves {
		return Errorf(EINVALID, "past confirms a call time in the past: it goes with call=, as in /scene set %s call=\"2026-01-01 09:00\" past", sc.ID)
	}
	var changed []string
	// added are the performers new to the scene.
	var added []UserID
	for _, k := range in.spec.keys { // in table order, so the audit reads the same every time
		v, ok := in.key(k)
		if !ok {
			continue
		}
		if sc.Filming() && k != "title" {
			return Errorf(ECONFLICT, "Scene %s is in a closed set: its %s cannot change until /closedset end %s.", sc.ID, k, sc.ID)
		}
		newcomers, err := setSceneKey(in, tx, &sc, k, v, past)
		if err != nil {
			return err
		}
		added = append(added, newcomers...)
		changed = append(changed, k)
	}
	note, err := shareBeats(in, tx, &sc, added)
	if err != nil {
		return err
	}
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "scene.set", sc.ID, "scene %s changed: %s", sc.ID, strings.Join(changed, ", ")); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Scene %s updated (%s).%s\n%s", sc.ID, strings.Join(changed, ", "), note, in.b.sceneCard(tx, &sc))
	refreshTopline(in, &sc)
	return nil
}

// setSceneKey sets one key of /scene set on sc, and returns the
// performers a performers= change adds.
func setSceneKey(in *input, tx Tx, sc *Scene, k, v string, past bool) (added []UserID, err error) {
	switch k {
	case "title":
		if strings.TrimSpace(v) == "" {
			return nil, Errorf(EINVALID, "title= cannot be empty")
		}
		sc.Title = strings.TrimSpace(v)
	case "call":
		if sc.Call, err = in.b.parseWhen("call", v, in.now); err != nil {
			return nil, err
		}
		return nil, in.refusePastCall(sc.Call, past)
	case "performers":
		return changePerformers(in, tx, sc, v)
	case "channel":
		if sc.Channel, err = channelArg(v); err != nil {
			return nil, err
		}
		return nil, in.b.givePurpose(tx, sc.Channel, purpose{scene: sc.ID})
	case "status":
		st := Status(strings.ToLower(v))
		if st != StatusDraft && st != StatusReady && st != StatusWrapped {
			return nil, Errorf(EINVALID, "status=%s cannot be set by hand: use draft, ready or wrapped (holds and closed sets set the others)", v)
		}
		if st == StatusReady && sc.Status != StatusReady {
			if err := readyToFilm(in, tx, sc); err != nil {
				return nil, err
			}
		}
		sc.Status = st
	}
	return nil, nil
}

// changePerformers replaces the scene's performers and returns those new
// to it; what those taken off may no longer read is swept away.
func changePerformers(in *input, tx Tx, sc *Scene, list string) ([]UserID, error) {
	before := slices.Clone(sc.Performers)
	if err := setPerformers(in, tx, sc, list); err != nil {
		return nil, err
	}
	if gone := slices.DeleteFunc(slices.Clone(before), sc.IsPerformer); len(gone) > 0 {
		// Someone no longer in the scene may still read its
		// channel: what they may no longer read is taken down.
		in.out.then(sweepEffect("performers were taken off scene "+string(sc.ID), sc.Channel, sc.Topline.Channel))
		// The departments no longer need their garment and body notes.
		in.out.then(noticesGoneEffect(sc.ID, "performers were taken off the scene", true))
		// Nor are they sent news of its beats still waiting; the news
		// of those who stay is written again without them.
		if err := forgetNews(tx, sc, gone, in.now); err != nil {
			return nil, err
		}
		for _, p := range sc.Performers {
			if _, err := answeredMeanwhile(in, tx, sc, p); err != nil {
				return nil, err
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(sc.Performers), func(u UserID) bool { return slices.Contains(before, u) }), nil
}

// shareBeats widens the beats that new performers share: a beat shared
// with a new performer is a different beat for everyone in it, so
// earlier answers to it stop counting and signed riders need amendment.
// It returns what to add to the reply.
func shareBeats(in *input, tx Tx, sc *Scene, added []UserID) (string, error) {
	var shared []Beat
	for i, b := range sc.Beats {
		if slices.ContainsFunc(added, b.Involves) {
			b.Rev++
			sc.Beats[i] = b
			shared = append(shared, b)
		}
	}
	if len(shared) == 0 {
		return "", nil
	}
	ps, err := peopleOf(tx, added)
	if err != nil {
		return "", err
	}
	ids := make([]string, len(shared))
	for i, b := range shared {
		ids[i] = b.ID
	}
	if err := widen(in, tx, sc, shared, fmt.Sprintf("Scene %s has a new performer, %s, in beats %s.", sc.ID, handles(ps), strings.Join(ids, ", "))); err != nil {
		return "", err
	}
	told, err := askingNote(tx, sc)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("\nBeats %s now involve %s: earlier answers to them no longer count; %s", strings.Join(ids, ", "), handles(ps), told), nil
}

// refuseWhileFilming is the rule for changes that need fresh consent.
func refuseWhileFilming(sc *Scene, what string) error {
	if sc.Filming() {
		return Errorf(ECONFLICT, "Scene %s is in a closed set: %s must wait until /closedset end %s, and then needs fresh consent.", sc.ID, what, sc.ID)
	}
	return nil
}

func runBeatAdd(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	desc := strings.TrimSpace(in.rest())
	if desc == "" {
		return Errorf(EINVALID, "missing the beat's description, in quotes")
	}
	if err := checkText(textRules["description"], desc); err != nil {
		return err
	}
	if _, ok := in.key("kind"); !ok {
		return Errorf(EINVALID, "missing kind=nudity|contact|simulated-sex|other")
	}
	if err := refuseWhileFilming(&sc, "a new beat"); err != nil {
		return err
	}
	b := Beat{Description: desc}
	if err := beatFields(in, tx, &sc, &b); err != nil {
		return err
	}
	id := sc.addBeat(b)
	b, _ = sc.Beat(id)
	if err := widened(in, tx, &sc, b, "beat.add", fmt.Sprintf("beat %s (%s) added to scene %s", id, b.Kind, sc.ID)); err != nil {
		return err
	}
	told, err := askingNote(tx, &sc)
	if err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s added to scene %s: %s [%s]. %s", id, sc.ID, desc, b.Kind, capitalFirst(told))
	return nil
}

// beatFields reads kind=, areas=, camera=, conditions=, props=, stunts=
// and performers= into b. An empty camera= and the like clears it.
func beatFields(in *input, tx Tx, sc *Scene, b *Beat) error {
	if v, ok := in.key("kind"); ok {
		kind, err := ParseBeatKind(v)
		if err != nil {
			return err
		}
		b.Kind = kind
	}
	if v, ok := in.key("areas"); ok {
		b.Areas = splitList(v)
	}
	if b.Kind == KindNudity && len(b.Areas) == 0 {
		return Errorf(EINVALID, "a nudity beat needs areas=: the body areas visible to camera, such as areas=back,buttocks")
	}
	for k, field := range map[string]*string{"camera": &b.Camera, "conditions": &b.Conditions, "props": &b.Props, "stunts": &b.Stunts} {
		if v, ok := in.key(k); ok {
			*field = strings.TrimSpace(v)
		}
	}
	if v, ok := in.key("performers"); ok {
		ps, err := in.people(tx, v)
		if err != nil {
			return err
		}
		b.Performers = nil
		for _, p := range ps {
			if !sc.IsPerformer(p.ID) {
				return Errorf(EINVALID, "%s does not perform in scene %s", p.Handle(), sc.ID)
			}
			b.Performers = append(b.Performers, p.ID)
		}
	}
	return nil
}

// widened records a new or changed beat: the scene's scope grows, so
// answers to the beat must be given again and signed riders need
// amendment; the performers it involves are asked, the IC is told about
// the riders, and the top-line summary is re-posted.
func widened(in *input, tx Tx, sc *Scene, b Beat, action, summary string) error {
	sc.Version++
	sc.Updated = in.now
	if err := widen(in, tx, sc, []Beat{b}, fmt.Sprintf("Scene %s has a new or changed beat, %s.", sc.ID, b.ID)); err != nil {
		return err
	}
	if err := tx.PutScene(*sc); err != nil {
		return err
	}
	if err := in.audit(tx, action, sc.ID, "%s", summary); err != nil {
		return err
	}
	refreshTopline(in, sc)
	return nil
}

// widen grows the scene's scope for beats that are new or changed (their
// Rev already moved): everyone they involve is asked about them, and the
// IC hears which signed riders now need amendment. The caller stores sc.
func widen(in *input, tx Tx, sc *Scene, beats []Beat, why string) error {
	sc.Scope++
	for _, p := range sc.Performers {
		var theirs []Beat
		for _, b := range beats {
			if b.Involves(p) {
				theirs = append(theirs, b)
			}
		}
		if len(theirs) > 0 {
			if err := askForBoundaries(in, tx, sc, p, theirs); err != nil {
				return err
			}
		} else if _, err := answeredMeanwhile(in, tx, sc, p); err != nil {
			// News still waiting may name a beat that involved them
			// until now: it is written again without it.
			return err
		}
	}
	ids := make([]string, len(beats))
	for i, b := range beats {
		ids[i] = b.ID
	}
	riders, err := tx.Riders(sc.ID)
	if err != nil {
		return err
	}
	var amend []UserID
	for _, r := range riders {
		if r.State == RiderSigned && r.Scope < sc.Scope && sc.IsPerformer(r.Performer) {
			amend = append(amend, r.Performer)
		}
	}
	if len(amend) > 0 {
		ps, err := peopleOf(tx, amend)
		if err != nil {
			return err
		}
		ics, err := holders(tx, RoleIC)
		if err != nil {
			return err
		}
		for _, ic := range ics {
			in.out.dm(ic.ID, ClassRiderDetail, sc.ID, "", fmt.Sprintf("Scene %s changed (%s): the signed riders of %s need amendment, to reach them by %s.",
				sc.ID, strings.Join(ids, ", "), handles(ps), in.b.fmtTime(sc.Call.Add(-in.b.riderNotice))))
		}
	}
	return nil
}

// beatSetArgs reads /scene beat set's scene, beat and description, and
// refuses an edit that names nothing to change. It returns the scene and
// the index of the beat in it.
func beatSetArgs(in *input, tx Tx) (Scene, int, string, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return Scene{}, 0, "", err
	}
	word, err := in.next("beat id")
	if err != nil {
		return Scene{}, 0, "", err
	}
	id, err := ParseBeatID(word.Value)
	if err != nil {
		return Scene{}, 0, "", err
	}
	desc := strings.TrimSpace(in.rest())
	if err := checkText(textRules["description"], desc); err != nil {
		return Scene{}, 0, "", err
	}
	i := slices.IndexFunc(sc.Beats, func(b Beat) bool { return b.ID == id })
	if i < 0 {
		return Scene{}, 0, "", Errorf(ENOTFOUND, "Scene %s has no beat %s: /scene show %s lists its beats.", sc.ID, id, sc.ID)
	}
	_, onlyWidens := in.key("widens")
	if desc == "" && (len(in.named) == 0 || onlyWidens && len(in.named) == 1) {
		return Scene{}, 0, "", Errorf(EINVALID, "nothing to change: give a new description or kind=, areas=, performers=, camera=, conditions=, props= or stunts=")
	}
	return sc, i, desc, nil
}

func runBeatSet(in *input, tx Tx) error {
	sc, i, desc, err := beatSetArgs(in, tx)
	if err != nil {
		return err
	}
	id := sc.Beats[i].ID
	if err := refuseWhileFilming(&sc, "changing a beat"); err != nil {
		return err
	}
	b := sc.Beats[i]
	if desc != "" {
		b.Description = desc
	}
	if err := beatFields(in, tx, &sc, &b); err != nil {
		return err
	}
	edit := in.editOf(desc, sc.Beats[i], b)
	widens, err := in.widens(&sc, id, edit)
	if err != nil {
		return err
	}
	changed := strings.Join(edit.fields(), ", ")
	if changed == "" && !widens {
		in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s already reads so: nothing changed.", id, sc.ID)
		return nil
	}
	if changed == "" {
		changed = "nothing new, widened as you said"
	}
	if !widens {
		return beatNotWidened(in, tx, &sc, i, b, changed)
	}
	b.Rev++
	sc.Beats[i] = b
	if err := widened(in, tx, &sc, b, "beat.set", fmt.Sprintf("beat %s of scene %s changed (revision %d: %s)", id, sc.ID, b.Rev, changed)); err != nil {
		return err
	}
	told, err := askingNote(tx, &sc)
	if err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s changed (%s): %s. Earlier answers to it no longer count; %s", id, sc.ID, changed, beatLine(b), told)
	return nil
}

// beatNotWidened stores an edit that does not widen beat i: its revision
// stays, so answers to it still count and signed riders stand.
func beatNotWidened(in *input, tx Tx, sc *Scene, i int, b Beat, changed string) error {
	sc.Beats[i] = b
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(*sc); err != nil {
		return err
	}
	if err := in.audit(tx, "beat.set", sc.ID, "beat %s of scene %s changed without widening (%s)", b.ID, sc.ID, changed); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s changed (%s) without widening it: answers to it still count and signed riders stand.", b.ID, sc.ID, changed)
	// The top-line summary names the conditions, nothing else of these.
	if strings.Contains(changed, "conditions") {
		refreshTopline(in, sc)
	}
	return nil
}

func runBeatRemove(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	word, err := in.next("beat id")
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	id, err := ParseBeatID(word.Value)
	if err != nil {
		return err
	}
	removed, ok := sc.Beat(id)
	if !ok {
		return Errorf(ENOTFOUND, "Scene %s has no beat %s: /scene show %s lists its beats.", sc.ID, id, sc.ID)
	}
	if err := refuseWhileFilming(&sc, "removing a beat"); err != nil {
		return err
	}
	sc.Beats = slices.DeleteFunc(sc.Beats, func(b Beat) bool { return b.ID == id })
	if err := beatRemoved(in, tx, &sc, removed); err != nil {
		return err
	}
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "beat.remove", sc.ID, "beat %s removed from scene %s", id, sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s removed from scene %s.", id, sc.ID)
	refreshTopline(in, &sc)
	return nil
}

func runSceneRemove(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if sc.Filming() {
		return Errorf(ECONFLICT, "Scene %s is in a closed set: end it with /closedset end %s before removing the scene.", sc.ID, sc.ID)
	}
	if _, held := sc.ActiveHold(); held {
		// Removing the scene would erase a performer's hold, which only the IC lifts.
		return Errorf(ECONFLICT, "Scene %s is on hold: the IC must lift the hold (/hold lift %s) before the scene can be removed.", sc.ID, sc.ID)
	}
	if sc.Sessions > sc.PastSessions {
		last, err := tx.Session(sc.ID, sc.Sessions)
		if err != nil {
			return err
		}
		if last.Lock.Held() {
			return Errorf(ECONFLICT, "The channel of scene %s is still being restored after its closed set; try again in a minute.", sc.ID)
		}
	}
	// News of its beats still waiting goes with it.
	var waiting []UserID
	for _, n := range sc.Asking.News {
		waiting = append(waiting, n.Performer)
	}
	if err := forgetNews(tx, &sc, waiting, in.now); err != nil {
		return err
	}
	if err := tx.DeleteScene(sc.ID); err != nil {
		return err
	}
	in.out.then(noticesGoneEffect(sc.ID, "the scene was removed", false))
	if err := in.audit(tx, "scene.remove", sc.ID, "scene %s removed", sc.ID); err != nil {
		return err
	}
	// Its performers no longer count as its own: what icbot posted about
	// it is checked against the readers of its channels again.
	in.out.then(sweepEffect("scene "+string(sc.ID)+" was removed", sc.Channel, sc.Topline.Channel))
	in.out.reply(ClassCrew, sc.ID, "Scene %s (%s) removed. Its past closed-set sessions stay on record.", sc.ID, sc.Title)
	return nil
}

// runSceneRename gives a scene a new title. A title may change at any
// time, during a closed set too; the top-line summary follows.
func runSceneRename(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	a, err := in.next(`the new title, in quotes`)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	title := strings.TrimSpace(a.Value)
	if title == "" {
		return Errorf(EINVALID, "the new title cannot be empty")
	}
	if err := checkText(textRules["title"], title); err != nil {
		return err
	}
	if title == sc.Title {
		in.out.reply(ClassCrew, sc.ID, "Scene %s is already called %q: nothing changed.", sc.ID, title)
		return nil
	}
	old := sc.Title
	sc.Title = title
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "scene.rename", sc.ID, "scene %s renamed", sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassCrew, sc.ID, "Scene %s is now called %q (was %q).", sc.ID, title, old)
	refreshTopline(in, &sc)
	return nil
}

// readyToFilm refuses to mark a scene ready while icbot itself would mark
// it not ready: a performer's rider deadline has passed unsigned. Consent
// may still come after; /closedset start checks it. What is missing is
// said in full to the IC only.
func readyToFilm(in *input, tx Tx, sc *Scene) error {
	rd, err := in.b.readinessOf(tx, sc, in.now)
	if err != nil {
		return err
	}
	var gaps []gap
	for _, r := range rd.riders {
		if r.State == RiderSigned || in.now.Before(r.Deadline) {
			continue
		}
		p, err := personOf(tx, r.Performer)
		if err != nil {
			return err
		}
		gaps = append(gaps, gap{
			detail:  fmt.Sprintf("%s: the rider deadline (%s) passed without a signed rider (/rider status %s)", p.Handle(), in.b.fmtTime(r.Deadline), sc.ID),
			summary: p.Handle() + ": rider deadline passed unsigned",
		})
	}
	if len(gaps) == 0 {
		return nil
	}
	return Errorf(ECONFLICT, "Scene %s cannot be marked ready:\n%s\nRecord the signed rider (/rider signed %s @performer) or move the call (/scene set %s call=...) first. Nothing was changed.", sc.ID, gapList(in, gaps), sc.ID, sc.ID)
}
