package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

func runTopline(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	ch := sc.Channel
	if a, ok := in.optional(); ok {
		if ch, err = channelArg(a.Value); err != nil {
			return err
		}
	}
	if err := in.done(); err != nil {
		return err
	}
	if ch == "" {
		return Errorf(EINVALID, "scene %s has no channel: name a private one, as in /topline %s #scene-%s", sc.ID, sc.ID, strings.ToLower(string(sc.ID)))
	}
	if err := in.b.postPurpose(tx, ch, sc.ID); err != nil {
		return err
	}
	in.out.reply(ClassTopline, sc.ID, "Posting the top-line summary of scene %s to #%s, if it is private…", sc.ID, ch)
	in.out.then(toplineEffect(sc.ID, ch, true))
	return nil
}

// refreshTopline re-posts a scene's top-line summary, as a new version
// superseding the last, wherever it was posted: after any change to its
// beats, answers, riders, roster or holds.
//
// While a hold that a performer's consent change caused still stands,
// the summary is not re-posted: its readers would see the beat restricted
// at the moment of the hold, and so who changed it, when the AD and the
// director may know only that the scene is on hold. The IC's /hold lift
// (or an explicit /topline) posts it.
func refreshTopline(in *input, sc *Scene) {
	if sc.Topline.Channel != "" && !heldForConsent(sc) {
		in.out.then(toplineEffect(sc.ID, "", false))
	}
}

// heldForConsent reports whether a hold with the reason icbot writes for
// a consent change stands on sc. A performer who typed such a reason by
// hand only delays the summary until the hold is lifted.
func heldForConsent(sc *Scene) bool {
	for _, h := range sc.Holds {
		if h.Active() && slices.ContainsFunc(consentHoldReasons, func(r struct{ prefix, cause string }) bool { return strings.HasPrefix(h.Reason, r.prefix) }) {
			return true
		}
	}
	return false
}

// toplineEffect posts the next version of a scene's top-line summary to
// ch (or where it was posted before). The platform must first confirm
// the channel is private and everyone in it may see the summary;
// otherwise nothing is posted or recorded, and the IC is told. explicit is set when the IC asked, who then hears the
// outcome.
func toplineEffect(scene SceneID, ch ChannelID, explicit bool) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		b.toplineMu.Lock()
		defer b.toplineMu.Unlock()
		p := toplinePost{scene: scene, explicit: explicit, cmd: cmd}
		purposeErr, err := p.find(ctx, b, ch)
		if purposeErr != nil {
			b.toplineProblem(ctx, cmd, explicit, scene, fmt.Sprintf("The top-line summary of scene %s was not posted again to #%s: %s", scene, p.target, ErrorMessage(purposeErr)))
			return nil
		}
		if err != nil || p.target == "" {
			return err
		}
		if p.refused(ctx, b) {
			return nil
		}
		ids, err := p.record(ctx, b)
		if err != nil {
			return err
		}
		b.deliverIDs(ctx, ids)
		return nil
	}
}

// toplinePost is one posting of a scene's top-line summary, by the IC who
// asked (explicit) or by icbot re-posting it after a change.
type toplinePost struct {
	scene    SceneID
	explicit bool
	cmd      Command
	// owner is who the post is sent for, and actor who it is recorded as:
	// a refresh is icbot's own doing, whoever's change prompted it, and a
	// problem with it goes to the IC.
	owner  Command
	actor  UserID
	target ChannelID // "" when there is nowhere to post now
}

// find works out where the summary goes: ch, or where it went before.
// It returns, apart, why the channel may not take it by its purpose.
func (p *toplinePost) find(ctx context.Context, b *Bot, ch ChannelID) (purposeErr, err error) {
	p.owner, p.actor = p.cmd, p.cmd.Caller
	err = b.store.View(ctx, func(tx Tx) error {
		if !p.explicit {
			ic, err := icCaller(tx)
			if err != nil {
				return err
			}
			p.owner, p.actor = Command{Caller: ic}, "icbot"
		}
		sc, err := tx.Scene(p.scene)
		if err != nil {
			return err
		}
		p.target = ch
		if p.target == "" {
			p.target = sc.Topline.Channel
		}
		if !p.explicit && sc.Filming() && p.target == sc.Channel {
			// During a closed set the scene channel is the roster's,
			// crew included; the set's end brings the latest version.
			p.target = ""
		}
		if p.target != "" {
			// The channel may have been given another purpose since
			// the summary went there.
			purposeErr = b.postPurpose(tx, p.target, p.scene)
		}
		return nil
	})
	return purposeErr, err
}

// refused asks the platform whether the channel may take the summary and,
// when it may not, tells of it and reports true.
func (p *toplinePost) refused(ctx context.Context, b *Bot) bool {
	scene, target := p.scene, p.target
	why, err := b.postRefusal(ctx, Message{To: Destination{Kind: ToChannel, Channel: target}, Class: ClassTopline, Scene: scene})
	if ErrorCode(err) == ENOTFOUND {
		b.toplineProblem(ctx, p.cmd, p.explicit, scene, fmt.Sprintf("The top-line summary of scene %s was not posted: there is no channel #%s, or none that icbot can see. "+
			"Check the name; for a private channel, invite icbot to it first. Nothing was posted.", scene, target))
		return true
	}
	if err != nil {
		if _, retry := transient(err, 1); !retry {
			why = ErrorMessage(err) + "."
		} else {
			// The platform could not be asked now: the summary is
			// queued, and asked about again, with retries, when sent.
			b.log.Warn("could not check the channel before a top-line summary; queued, to be checked when sent", "scene", string(scene), "err", err)
		}
	}
	if why == "" {
		return false
	}
	b.log.Warn("refused to post a top-line summary", "scene", string(scene), "channel", string(target))
	// Its readers may have changed unseen: what icbot posted
	// there before is checked against them.
	b.recheckNow(target, "a post to it was refused")
	b.toplineProblem(ctx, p.cmd, p.explicit, scene, fmt.Sprintf("The top-line summary of scene %s was not posted to #%s: %s Nothing was posted.", scene, target, why))
	return true
}

// record stores the summary's next version with its audit record, and
// queues the post (and, when the IC asked, the answer to them).
func (p *toplinePost) record(ctx context.Context, b *Bot) ([]uint64, error) {
	scene, target := p.scene, p.target
	var ids []uint64
	err := b.store.Update(ctx, func(tx Tx) error {
		sc, err := tx.Scene(scene)
		if err != nil {
			return err
		}
		prev := sc.Topline.Version
		rd, err := b.readinessOf(tx, &sc, b.now())
		if err != nil {
			return err
		}
		agreed, restricted, pending, nudity := beatsByConsent(&sc, rd)
		sc.Topline = ToplineState{Channel: target, Version: prev + 1, PostedAt: b.now(),
			Posted: &ToplineLists{Agreed: agreed, Restricted: restricted, Pending: pending, Nudity: nudity}}
		if err := tx.PutScene(sc); err != nil {
			return err
		}
		if err := tx.Audit(AuditRecord{Time: b.now(), Actor: p.actor, Action: "topline.post", Scene: scene,
			Summary: fmt.Sprintf("top-line summary of scene %s version %d posted", scene, sc.Topline.Version)}); err != nil {
			return err
		}
		text, err := b.toplineText(tx, &sc, prev, rd)
		if err != nil {
			return err
		}
		msgs := []Message{{To: Destination{Kind: ToChannel, Channel: target}, Class: ClassTopline, Scene: scene, Text: text}}
		if p.explicit {
			msgs = append(msgs, Message{To: Destination{Kind: ToCaller, User: p.cmd.Caller}, Class: ClassTopline, Scene: scene,
				Text: fmt.Sprintf("Top-line summary of scene %s, version %d, posted to #%s.", scene, sc.Topline.Version, target)})
		}
		pass, _, err := b.gate.screen(tx, msgs)
		if err != nil {
			return err
		}
		ids, err = enqueue(tx, p.owner, b.now(), pass)
		return err
	})
	return ids, err
}

// toplineProblem tells of a top-line summary not posted: the IC who
// asked for it, or every IC when icbot was re-posting it of itself.
func (b *Bot) toplineProblem(ctx context.Context, cmd Command, explicit bool, scene SceneID, text string) {
	if explicit {
		b.lateReply(ctx, cmd, ClassPublic, scene, text)
		return
	}
	b.tellRole(ctx, RoleIC, scene, ClassPublic, text)
}

// tellRole sends text of class c to everyone holding a role, for
// follow-up problems that concern them rather than the caller.
func (b *Bot) tellRole(ctx context.Context, r Role, scene SceneID, c Class, text string) {
	var ps []Person
	if err := b.store.View(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		ps, err = holders(tx, r)
		return err
	}); err != nil {
		b.log.Error("finding people to tell", "err", err)
		return
	}
	for _, p := range ps {
		b.notify(ctx, Command{Caller: p.ID}, Message{To: Destination{Kind: ToUser, User: p.ID}, Class: c, Scene: scene, Text: text})
	}
}

// toplineText is the top-line summary (as PRODUCT.md defines it): one
// screen per scene, never individual notes or answers, riders by status
// only. prev is the version it supersedes (0 for the first); rd is the
// readiness sc.Topline.Posted was drawn from, read once by record.
func (b *Bot) toplineText(tx Tx, sc *Scene, prev int, rd readiness) (string, error) {
	var s strings.Builder
	fmt.Fprintf(&s, "TOP-LINE SUMMARY, scene %s: %s (version %d", sc.ID, sc.Title, sc.Topline.Version)
	if prev > 0 {
		fmt.Fprintf(&s, ", supersedes version %d", prev)
	}
	fmt.Fprintf(&s, ", %s)\n", b.fmtTime(sc.Topline.PostedAt))
	status := string(sc.EffectiveStatus())
	if status == string(StatusOnHold) {
		status = "ON HOLD: talk to the IC"
	}
	fmt.Fprintf(&s, "Call: %s. Status: %s.\n", b.fmtTime(sc.Call), status)
	perf, err := peopleOf(tx, sc.Performers)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&s, "Performers: %s\n", handles(perf))

	// The beats as record put them in sc.Topline.Posted: what the scene's
	// record shows as posted is this text's.
	l := sc.Topline.Posted
	agreed, restricted, pending, nudity := l.Agreed, l.Restricted, l.Pending, l.Nudity
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			fmt.Fprintf(&s, "%s: none\n", title)
			return
		}
		fmt.Fprintf(&s, "%s:\n", title)
		for _, l := range lines {
			fmt.Fprintf(&s, "  %s\n", l)
		}
	}
	section("Agreed beats", agreed)
	section("Restricted beats (not to be filmed as planned)", restricted)
	section("Not yet agreed", pending)
	if len(nudity) == 0 {
		s.WriteString("Nudity as agreed: none\n")
	} else {
		fmt.Fprintf(&s, "Nudity as agreed, visible areas: %s\n", strings.Join(nudity, "; "))
	}
	var noted, notNoted []Person
	for i, c := range rd.consent {
		if c.Garments {
			noted = append(noted, perf[i])
		} else {
			notNoted = append(notNoted, perf[i])
		}
	}
	fmt.Fprintf(&s, "Garments and barriers: with costume for %s", handles(noted))
	if len(notNoted) > 0 {
		fmt.Fprintf(&s, "; not yet given by %s", handles(notNoted))
	}
	s.WriteString("\n")
	roster, err := rosterOf(tx, sc)
	if err != nil {
		return "", err
	}
	rt, err := rosterText(tx, roster)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&s, "Closed set: required. Roster: %s\n", rt)
	// The conditions are the barriers and closed-set requirements of
	// each beat, which the summary names; the camera, the intent and the
	// departments' notes are not in it.
	var conditions []string
	for _, bt := range sc.Beats {
		if bt.Conditions != "" {
			conditions = append(conditions, fmt.Sprintf("%s: %s", bt.ID, bt.Conditions))
		}
	}
	if len(conditions) > 0 {
		fmt.Fprintf(&s, "Conditions to hold: %s\n", strings.Join(conditions, "; "))
	}
	var riders []string
	for i, r := range rd.riders {
		riders = append(riders, b.riderLine(perf[i], r, false))
	}
	fmt.Fprintf(&s, "Riders: %s", strings.Join(riders, "; "))
	return s.String(), nil
}

// beatsByConsent sorts a scene's beats for its top-line summary. A beat
// is agreed when every performer it involves said yes, and restricted
// when any said no or withdrew; who said what stays private. nudity lists
// the visible areas of the agreed nudity beats.
func beatsByConsent(sc *Scene, rd readiness) (agreed, restricted, pending, nudity []string) {
	for _, bt := range sc.Beats {
		yes, no := 0, 0
		involved := involvedPerformers(sc, bt)
		for _, c := range rd.consent {
			if !slices.Contains(involved, c.Performer) {
				continue
			}
			switch {
			case slices.Contains(c.Refused, bt.ID) || slices.Contains(c.Withdrawn, bt.ID):
				no++
			case slices.Contains(c.Agreed, bt.ID):
				yes++
			}
		}
		line := beatLine(bt)
		switch {
		case no > 0:
			restricted = append(restricted, line)
		case yes == len(involved) && yes > 0:
			agreed = append(agreed, line)
			if bt.Kind == KindNudity {
				nudity = append(nudity, fmt.Sprintf("%s (%s)", strings.Join(bt.Areas, ", "), bt.ID))
			}
		default:
			pending = append(pending, line)
		}
	}
	return agreed, restricted, pending, nudity
}
