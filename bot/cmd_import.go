package bot

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// runSceneImport reads the screenplay the IC sent with the command
// (Command.Upload) into draft scenes and proposed beats, and answers with
// the breakdown. The bot never opens a path: the adapter hands it the
// file. A revised script is compared with the last import, and the IC is
// sent one summary of what it changes.
func runSceneImport(in *input, tx Tx) error {
	in.rest() // the file's name, as typed: the file itself is the upload
	up := in.cmd.Upload
	if up == nil || len(up.Data) == 0 {
		return Errorf(EINVALID, "no script came with the command: send the screenplay (Fountain or Final Draft .fdx) as a file with /scene import, "+
			"in the direct message with icbot on Slack or as the command's attachment on Discord; in the console, type /scene import path/to/script.fountain.")
	}
	if in.b.readScript == nil {
		return Errorf(EUNAVAILABLE, "icbot cannot read scripts: its script breakdown failed to start (see the log).")
	}
	sbs, err := in.b.readScript(up.Name, up.Data)
	if err != nil {
		if code := ErrorCode(err); code == EINVALID || code == EUNAVAILABLE {
			return err
		}
		return Errorf(EINVALID, "icbot could not read %s as a screenplay: %v.", up.Name, err)
	}
	if len(sbs) == 0 {
		return Errorf(EINVALID, "%s has no scene headings (such as INT. KITCHEN - DAY), so there is nothing to import. Nothing was changed.", up.Name)
	}
	res, err := ApplyImport(tx, sbs, in.caller.ID, in.now)
	if err != nil {
		return err
	}
	in.out.reply(ClassBreakdown, "", "%s", BreakdownText(up.Name, res))
	if res.Revision {
		text, err := RevisionText(tx, res)
		if err != nil {
			return err
		}
		if text != "" {
			in.out.dm(in.caller.ID, ClassBreakdown, "", "", text)
		}
	}
	return nil
}

// BreakdownText is the answer to an import: the scenes, how many are
// flagged, and the lines proposed as beats, quoted.
func BreakdownText(name string, res ImportResult) string {
	var b strings.Builder
	flagged, open := 0, 0
	added := 0
	for i, sc := range res.Scenes {
		if res.Plan.Scenes[i].Existing == nil {
			added++
		}
		if sc.Script != nil && len(sc.Script.Proposals) > 0 {
			flagged++
			open += sc.Script.openProposals()
		}
	}
	fmt.Fprintf(&b, "Script %s: %s (%d new drafts, %d already here), %d flagged for intimacy, %s waiting for you.",
		name, plural(len(res.Scenes), "scene"), added, len(res.Scenes)-added, flagged, plural(open, "proposal"))
	for i, sc := range res.Scenes {
		ps := res.Plan.Scenes[i]
		if sc.Script == nil || (len(sc.Script.Proposals) == 0 && ps.Note == "" && ps.Match != MatchNew) {
			continue
		}
		fmt.Fprintf(&b, "\n\nScene %s: %s (page %d)", sc.ID, sc.Script.Heading, sc.Script.Page)
		if ps.Existing != nil {
			fmt.Fprintf(&b, ", already here (%s)", sc.Status)
		}
		if ps.Note != "" {
			b.WriteString("\n  Note: " + ps.Note)
		}
		if len(sc.Script.Proposals) == 0 {
			b.WriteString(": nothing flagged")
		}
		for _, p := range sc.Script.Proposals {
			if p.State != ProposalGone {
				b.WriteString("\n" + proposalLine(p))
			}
		}
	}
	for _, sc := range res.Plan.Gone {
		fmt.Fprintf(&b, "\n\nScene %s (%s) is no longer in the script: marked removed, not deleted.", sc.ID, sc.Script.Heading)
	}
	if open > 0 {
		b.WriteString("\n\nNothing reaches a performer until you confirm a proposal as a beat: /scene beat confirm ID N, or turn it down with /scene beat decline ID N. " +
			"Map the characters to performers first with /scene cast CHARACTER @person; /scene breakdown ID shows a scene's proposals again.")
	}
	return b.String()
}

// RevisionText is the IC's summary of what a revised script changes, by
// scene and by performer; "" when it changes nothing.
func RevisionText(tx Tx, res ImportResult) (string, error) {
	var scenes []string
	perPerson := map[UserID][]string{}
	for _, r := range res.Revisions {
		if r.quiet() {
			continue
		}
		scenes = append(scenes, sceneRevisionLines(r)...)
		for _, p := range r.Review {
			why := "its line changed"
			if p.Quote == "" || r.What == "removed" {
				why = "its line is no longer in the script"
			}
			bt, ok := sceneBeat(r.Beats, p.Beat)
			for _, u := range r.Performers {
				if !ok || bt.Involves(u) {
					perPerson[u] = append(perPerson[u], fmt.Sprintf("beat %s of scene %s to review (%s)", p.Beat, r.ID, why))
				}
			}
		}
		if r.What == "removed" {
			for _, u := range r.Performers {
				perPerson[u] = append(perPerson[u], fmt.Sprintf("scene %s is no longer in the script", r.ID))
			}
		}
	}
	if len(scenes) == 0 {
		return "", nil
	}
	var b strings.Builder
	b.WriteString("The revised script changes this, by scene:")
	for _, l := range scenes {
		b.WriteString("\n" + l)
	}
	b.WriteString("\nBy performer:")
	if len(perPerson) == 0 {
		b.WriteString("\n  none of the performers' confirmed beats or scenes changed.")
	}
	ids := slices.Sorted(maps.Keys(perPerson))
	for _, u := range ids {
		p, err := personOf(tx, u)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\n  %s: %s", p.Handle(), strings.Join(perPerson[u], "; "))
	}
	b.WriteString("\nNobody else was told: the performers hear of a beat when you confirm it, or say with /scene beat review ID BEAT widens that its change widens it.")
	return b.String(), nil
}

// sceneRevisionLines are one scene's lines of the IC's summary.
func sceneRevisionLines(r SceneRevision) []string {
	head := fmt.Sprintf("  Scene %s (%s):", r.ID, r.Heading)
	var out []string
	switch r.What {
	case "new":
		out = append(out, fmt.Sprintf("%s new in the script, added as a draft, %s.", head, plural(r.Open, "proposal")))
	case "linked":
		out = append(out, head+" linked to the script.")
	case "back":
		out = append(out, head+" in the script again.")
	case "removed":
		if r.Status == StatusDraft {
			out = append(out, fmt.Sprintf("%s no longer in the script: marked removed, not deleted (/scene remove %s deletes it).", head, r.ID))
		} else {
			out = append(out, fmt.Sprintf("%s no longer in the script, but it is %s, so it stays as it is: /scene remove %s if it is cut.", head, r.Status, r.ID))
		}
	default:
		out = append(out, head)
	}
	if r.Renumbered != "" {
		out = append(out, fmt.Sprintf("    renumbered in the script (it was %s); its id stays %s.", r.Renumbered, r.ID))
	}
	for _, l := range r.Added {
		if r.What != "new" {
			out = append(out, fmt.Sprintf("    line added: %q", l))
		}
	}
	for _, c := range r.Changed {
		out = append(out, fmt.Sprintf("    line changed: %q, was %q", c.Now, c.Was))
	}
	for _, l := range r.Removed {
		out = append(out, fmt.Sprintf("    line removed: %q", l))
	}
	for _, p := range r.Review {
		out = append(out, fmt.Sprintf("    beat %s to review: /scene beat review %s %s widens|same", p.Beat, r.ID, p.Beat))
	}
	if r.What != "new" && r.What != "removed" && r.Open > len(r.Review) {
		out = append(out, fmt.Sprintf("    %s waiting for you: /scene breakdown %s", plural(r.Open-len(r.Review), "proposal"), r.ID))
	}
	return out
}

func sceneBeat(beats []Beat, id string) (Beat, bool) {
	i := slices.IndexFunc(beats, func(b Beat) bool { return b.ID == id })
	if i < 0 {
		return Beat{}, false
	}
	return beats[i], true
}

// runSceneBreakdown shows what the script says of a scene: its heading,
// characters and proposals, quoted. The IC's alone.
func runSceneBreakdown(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	if sc.Script == nil {
		in.out.reply(ClassBreakdown, sc.ID, "Scene %s did not come from a script: /scene import reads one.", sc.ID)
		return nil
	}
	info, err := tx.Production()
	if err != nil {
		return err
	}
	s := sc.Script
	var b strings.Builder
	fmt.Fprintf(&b, "Scene %s in the script: %s, page %d", sc.ID, s.Heading, s.Page)
	if s.Number != "" {
		fmt.Fprintf(&b, ", numbered %s", s.Number)
	}
	if s.Removed {
		b.WriteString(" (no longer in the script)")
	}
	chars := make([]string, len(s.Characters))
	for i, c := range s.Characters {
		chars[i] = c
		if u, ok := info.Cast[castKey(c)]; ok {
			p, err := personOf(tx, u)
			if err != nil {
				return err
			}
			chars[i] += " (" + p.Handle() + ")"
		}
	}
	fmt.Fprintf(&b, "\nCharacters: %s", cmpOr(strings.Join(chars, ", "), "none"))
	if len(s.Proposals) == 0 {
		b.WriteString("\nNo line of it suggests intimacy.")
	} else {
		b.WriteString("\nProposals:")
		for _, p := range s.Proposals {
			b.WriteString("\n" + proposalLine(p))
		}
	}
	in.out.reply(ClassBreakdown, sc.ID, "%s", b.String())
	return nil
}

// castKey is how a character is kept in the cast: upper case, as a
// script writes a character's name.
func castKey(c string) string { return strings.ToUpper(strings.Join(strings.Fields(c), " ")) }

// runSceneCast maps a character of the script to the performer who plays
// them, for the whole production; with no words it lists the cast.
func runSceneCast(in *input, tx Tx) error {
	info, err := tx.Production()
	if err != nil {
		return err
	}
	ch, ok := in.optional()
	if !ok {
		return listCast(in, tx, info)
	}
	who, err := in.next("@person: /scene cast CHARACTER @person")
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	name := castKey(ch.Value)
	if err := checkText(textRules["character"], name); err != nil {
		return err
	}
	if name == "" {
		return Errorf(EINVALID, "missing the character, as the script names them")
	}
	p, err := in.person(tx, who.Value, false)
	if err != nil {
		return err
	}
	if !p.Has(RolePerformer) {
		return Errorf(EINVALID, "%s is not a performer: give them the role first with /icbot role add %s performer. Nothing was changed.", p.Handle(), p.Handle())
	}
	if info.Cast[name] == p.ID {
		in.out.reply(ClassRoles, "", "%s is already played by %s: nothing changed.", name, p.Handle())
		return nil
	}
	if info.Cast == nil {
		info.Cast = map[string]UserID{}
	}
	info.Cast[name] = p.ID
	if err := tx.PutProduction(info); err != nil {
		return err
	}
	if err := in.audit(tx, "scene.cast", "", "character %s cast as %s", name, p.ID); err != nil {
		return err
	}
	in.out.reply(ClassRoles, "", "%s is played by %s, in every scene of the script. Beats confirmed before keep their performers.", name, p.Handle())
	return nil
}

// listCast lists the cast, and the characters of the script not cast yet.
func listCast(in *input, tx Tx, info ProductionInfo) error {
	scenes, err := tx.Scenes()
	if err != nil {
		return err
	}
	var uncast []string
	for _, sc := range scenes {
		if sc.Script == nil {
			continue
		}
		for _, c := range sc.Script.Characters {
			if _, ok := info.Cast[castKey(c)]; !ok && !slices.Contains(uncast, castKey(c)) {
				uncast = append(uncast, castKey(c))
			}
		}
	}
	slices.Sort(uncast)
	var b strings.Builder
	if len(info.Cast) == 0 {
		b.WriteString("No character is cast yet: /scene cast CHARACTER @person.")
	} else {
		b.WriteString("Cast:")
		for _, c := range slices.Sorted(maps.Keys(info.Cast)) {
			p, err := personOf(tx, info.Cast[c])
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "\n  %s: %s", c, p.Handle())
		}
	}
	if len(uncast) > 0 {
		fmt.Fprintf(&b, "\nNot cast yet: %s.", strings.Join(uncast, ", "))
	}
	in.out.reply(ClassRoles, "", "%s", b.String())
	return nil
}

// proposalArgs reads a scene and a proposal's number.
func proposalArgs(in *input, tx Tx) (Scene, int, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return Scene{}, 0, err
	}
	word, err := in.next("the proposal's number, from /scene breakdown " + string(sc.ID))
	if err != nil {
		return Scene{}, 0, err
	}
	if err := in.done(); err != nil {
		return Scene{}, 0, err
	}
	n, err := strconv.Atoi(word.Value)
	if err != nil || n <= 0 {
		return Scene{}, 0, Errorf(EINVALID, "%q is not a proposal's number: /scene breakdown %s lists them, numbered 1, 2, ...", word.Value, sc.ID)
	}
	if sc.Script == nil {
		return Scene{}, 0, Errorf(ENOTFOUND, "Scene %s did not come from a script, so it has no proposals.", sc.ID)
	}
	i, ok := sc.Script.proposal(n)
	if !ok {
		return Scene{}, 0, Errorf(ENOTFOUND, "Scene %s has no proposal %d: /scene breakdown %s lists them.", sc.ID, n, sc.ID)
	}
	return sc, i, nil
}

// runBeatConfirm turns a proposal into a beat: its performers are the
// cast of its characters, who hear of it as of any new beat.
func runBeatConfirm(in *input, tx Tx) error {
	sc, i, err := proposalArgs(in, tx)
	if err != nil {
		return err
	}
	p := sc.Script.Proposals[i]
	switch p.State {
	case ProposalConfirmed:
		return Errorf(ECONFLICT, "Proposal %d of scene %s is already beat %s. Nothing was changed.", p.N, sc.ID, p.Beat)
	case ProposalGone:
		return Errorf(ECONFLICT, "The line of proposal %d of scene %s is no longer in the script. Nothing was changed; /scene beat add %s adds a beat by hand.", p.N, sc.ID, sc.ID)
	}
	if err := refuseWhileFilming(&sc, "a new beat"); err != nil {
		return err
	}
	performers, err := castOf(in, tx, &sc, p)
	if err != nil {
		return err
	}
	b, err := confirmedBeat(in, &sc, p)
	if err != nil {
		return err
	}
	var added []UserID
	for _, u := range performers {
		if !sc.IsPerformer(u) {
			added = append(added, u)
			sc.Performers = append(sc.Performers, u)
		}
	}
	sc.Roster = slices.DeleteFunc(sc.Roster, func(m RosterMember) bool { return sc.IsPerformer(m.User) })
	note, err := shareBeats(in, tx, &sc, added)
	if err != nil {
		return err
	}
	b.Performers = performers
	id := sc.addBeat(b)
	b, _ = sc.Beat(id)
	sc.Script.Proposals[i].State, sc.Script.Proposals[i].Beat = ProposalConfirmed, id
	if err := widened(in, tx, &sc, b, "beat.confirm", fmt.Sprintf("proposal %d of scene %s confirmed as beat %s (%s)", p.N, sc.ID, id, b.Kind)); err != nil {
		return err
	}
	told, err := askingNote(tx, &sc)
	if err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Proposal %d of scene %s is now beat %s: %s.%s %s", p.N, sc.ID, id, beatLine(b), note, capitalFirst(told))
	return nil
}

// castOf finds the performers of a proposal's characters, refusing while
// one is not cast: a beat must know whom it asks.
func castOf(in *input, tx Tx, sc *Scene, p Proposal) ([]UserID, error) {
	info, err := tx.Production()
	if err != nil {
		return nil, err
	}
	var missing []string
	var out []UserID
	chars := p.Characters
	if len(chars) == 0 {
		// The breakdown named no one (a name in capitals in action, of
		// someone who never speaks): the cast's names in the line.
		chars = castNamedIn(p.Quote, info.Cast)
	}
	if len(chars) == 0 {
		return nil, Errorf(ECONFLICT, "Proposal %d of scene %s names no character icbot can tell, so it cannot tell whom to ask. Cast the character in its line with /scene cast NAME @person and confirm again, or add the beat by hand with /scene beat add %s. Nothing was changed.",
			p.N, sc.ID, sc.ID)
	}
	for _, c := range chars {
		u, ok := info.Cast[castKey(c)]
		if !ok {
			missing = append(missing, fmt.Sprintf("/scene cast %s @person", quoteIfNeeded(castKey(c))))
			continue
		}
		person, err := personOf(tx, u)
		if err != nil {
			return nil, err
		}
		if !person.Has(RolePerformer) {
			return nil, Errorf(ECONFLICT, "%s, cast as %s, is not a performer now: /icbot role add %s performer first. Nothing was changed.", person.Handle(), castKey(c), person.Handle())
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(ECONFLICT, "Proposal %d of scene %s involves characters not cast yet, so icbot cannot tell whom to ask. Type:\n%s\nthen confirm again. Nothing was changed.",
			p.N, sc.ID, strings.Join(missing, "\n"))
	}
	return out, nil
}

// confirmedBeat is the beat a proposal becomes: its line, its kind (or
// kind=), and for nudity the areas= the IC gives.
func confirmedBeat(in *input, sc *Scene, p Proposal) (Beat, error) {
	b := Beat{Description: descriptionOf(p.Quote), Kind: p.Kind}
	if v, ok := in.key("kind"); ok {
		k, err := ParseBeatKind(v)
		if err != nil {
			return Beat{}, err
		}
		b.Kind = k
	}
	if v, ok := in.key("areas"); ok {
		b.Areas = splitList(v)
	}
	if b.Kind == KindNudity && len(b.Areas) == 0 {
		return Beat{}, Errorf(EINVALID, "proposal %d suggests nudity: say which body areas are visible to camera, as in /scene beat confirm %s %d areas=back,buttocks (or give another kind=). Nothing was changed.", p.N, sc.ID, p.N)
	}
	return b, nil
}

// runBeatDecline turns a proposal down: it stays on record, and the same
// line is not proposed again.
func runBeatDecline(in *input, tx Tx) error {
	sc, i, err := proposalArgs(in, tx)
	if err != nil {
		return err
	}
	p := &sc.Script.Proposals[i]
	switch p.State {
	case ProposalConfirmed:
		return Errorf(ECONFLICT, "Proposal %d of scene %s is beat %s: remove the beat with /scene beat remove %s %s. Nothing was changed.", p.N, sc.ID, p.Beat, sc.ID, p.Beat)
	case ProposalDeclined:
		in.out.reply(ClassBreakdown, sc.ID, "Proposal %d of scene %s was already declined: nothing changed.", p.N, sc.ID)
		return nil
	}
	p.State = ProposalDeclined
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	if err := in.audit(tx, "beat.decline", sc.ID, "proposal %d of scene %s declined", p.N, sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassBreakdown, sc.ID, "Proposal %d of scene %s declined: nobody hears of it, and a new import of the same line does not propose it again.", p.N, sc.ID)
	return nil
}

// runBeatReview settles a confirmed beat whose line the revised script
// changed: widens takes the usual way of a widened beat (answers to it
// stop counting, signed riders need amendment, its performers are told);
// same keeps it as it is.
func runBeatReview(in *input, tx Tx) error {
	sc, bi, pi, widens, err := reviewArgs(in, tx)
	if err != nil {
		return err
	}
	p := sc.Script.Proposals[pi]
	id := sc.Beats[bi].ID
	sc.Script.Proposals[pi].Review, sc.Script.Proposals[pi].Was = false, ""
	if !widens {
		sc.Version++
		sc.Updated = in.now
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		if err := in.audit(tx, "beat.review", sc.ID, "beat %s of scene %s reviewed: the revised line does not widen it", id, sc.ID); err != nil {
			return err
		}
		in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s stays as it is: answers to it still count and signed riders stand.", id, sc.ID)
		return nil
	}
	if err := refuseWhileFilming(&sc, "widening a beat"); err != nil {
		return err
	}
	b := sc.Beats[bi]
	// The beat reads as its new line, unless the IC wrote it otherwise.
	if p.Quote != "" && b.Description == descriptionOf(p.Was) {
		b.Description = descriptionOf(p.Quote)
	}
	b.Rev++
	sc.Beats[bi] = b
	if err := widened(in, tx, &sc, b, "beat.review", fmt.Sprintf("beat %s of scene %s widened by the revised script (revision %d)", id, sc.ID, b.Rev)); err != nil {
		return err
	}
	told, err := askingNote(tx, &sc)
	if err != nil {
		return err
	}
	in.out.reply(ClassSceneDetail, sc.ID, "Beat %s of scene %s widened by the revised script: %s. Earlier answers to it no longer count, and signed riders need amendment; %s", id, sc.ID, beatLine(b), told)
	return nil
}

// reviewArgs reads /scene beat review's scene, beat and verdict, and finds
// the beat and the proposal waiting for review.
func reviewArgs(in *input, tx Tx) (sc Scene, beat, proposal int, widens bool, err error) {
	if sc, err = in.scene(tx); err != nil {
		return
	}
	word, err := in.next("beat id")
	if err != nil {
		return
	}
	verdict, err := in.next("widens or same")
	if err != nil {
		return
	}
	if err = in.done(); err != nil {
		return
	}
	id, err := ParseBeatID(word.Value)
	if err != nil {
		return
	}
	v := strings.ToLower(verdict.Value)
	if v != "widens" && v != "same" {
		err = Errorf(EINVALID, "%q is not a verdict: say widens (the change shows or asks more) or same", verdict.Value)
		return
	}
	if beat = slices.IndexFunc(sc.Beats, func(b Beat) bool { return b.ID == id }); beat < 0 {
		err = Errorf(ENOTFOUND, "Scene %s has no beat %s: /scene show %s lists its beats.", sc.ID, id, sc.ID)
		return
	}
	proposal = -1
	if sc.Script != nil {
		proposal = slices.IndexFunc(sc.Script.Proposals, func(p Proposal) bool { return p.Beat == id && p.Review })
	}
	if proposal < 0 {
		err = Errorf(ECONFLICT, "Beat %s of scene %s has nothing to review: its line in the script has not changed. Nothing was changed.", id, sc.ID)
	}
	return sc, beat, proposal, v == "widens", err
}

// descriptionOf is the description a beat confirmed from a line gets:
// the line, within the description's rule.
func descriptionOf(quote string) string {
	if r := []rune(quote); len(r) > textRules["description"].max {
		return string(r[:textRules["description"].max-1]) + "…"
	}
	return quote
}

// castNamedIn lists the cast's characters named in line, as whole words
// whatever their case, in the order of the line.
func castNamedIn(line string, cast map[string]UserID) []string {
	words := strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
	var out []string
	for i := range words {
		for n := 1; n <= 3 && i+n <= len(words); n++ {
			name := castKey(strings.Join(words[i:i+n], " "))
			if _, ok := cast[name]; ok && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}
