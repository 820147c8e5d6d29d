package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// beatNewsWindow is how long the IC's beat edits of a scene gather before
// its performers hear of them: an IC who adds three beats in a row sends
// each performer one message, not three.
const beatNewsWindow = 5 * time.Minute

// Asking is where the asking of a scene's performers for their boundaries
// stands.
type Asking struct {
	// Since is when the IC first asked for the scene's boundaries
	// (/boundaries request); zero before. Until then beat edits tell
	// nobody: the request shows each performer all of their beats at once.
	Since time.Time
	// News are the beat changes performers have yet to hear of: one entry
	// per performer, each queued in the outbox as one message.
	News []BeatNews
}

// BeatNews is one performer's news of beat changes: one direct message,
// queued to go at Due. A change before then replaces the message with one
// that tells of every change so far.
type BeatNews struct {
	Performer UserID
	// Delivery is the queued message.
	Delivery uint64
	// Due is the first change's time plus beatNewsWindow.
	Due     time.Time
	Changes []BeatChange
}

// BeatChange is one change to a beat, as its performers hear of it.
type BeatChange struct {
	Beat string
	What BeatChangeKind
}

// BeatChangeKind is what happened to a beat.
type BeatChangeKind string

// Beat changes.
const (
	BeatAdded   BeatChangeKind = "added"
	BeatChanged BeatChangeKind = "changed"
	BeatRemoved BeatChangeKind = "removed"
)

// askForBoundaries tells performer p of beats that are new or changed
// (their Rev already moved), which need p's answer again. The news waits
// in the outbox for the IC's further edits, and goes as one message
// beatNewsWindow after the first; before the IC has asked for the
// scene's boundaries it tells nobody. The caller stores sc.
func askForBoundaries(in *input, tx Tx, sc *Scene, p UserID, beats []Beat) error {
	changes := make([]BeatChange, len(beats))
	for i, b := range beats {
		changes[i] = BeatChange{Beat: b.ID, What: BeatChanged}
		if b.Rev <= 1 {
			changes[i].What = BeatAdded
		}
	}
	return queueBeatNews(in, tx, sc, p, changes)
}

// beatRemoved tells the performers beat b involved that it was removed
// from sc, which no longer holds it; one left without any beat hears
// that the scene no longer involves them. The caller stores sc.
func beatRemoved(in *input, tx Tx, sc *Scene, b Beat) error {
	for _, p := range sc.Performers {
		if b.Involves(p) {
			if err := queueBeatNews(in, tx, sc, p, []BeatChange{{Beat: b.ID, What: BeatRemoved}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// requestBoundaries DMs a performer the beats that involve them at once,
// with buttons to answer privately or withdraw: the IC's request. It
// takes the place of any news of beat changes still waiting for them.
func requestBoundaries(in *input, tx Tx, sc *Scene, p UserID, beats []Beat) error {
	if err := dropNews(tx, sc, p, in.now); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The IC asks for your boundaries. Scene %s (%s), call %s. Please tell the IC, privately, whether you agree to each beat: yes, no or discuss.\n",
		sc.ID, sc.Title, in.b.fmtTime(sc.Call))
	for _, bt := range beats {
		b.WriteString("  " + askLines(bt, "") + "\n")
	}
	fmt.Fprintf(&b, "Answer with the button, or type: /boundaries answer %s %s=yes|no|discuss ... notes=\"...\" garments=\"...\" body=\"...\"\n", sc.ID, beats[0].ID)
	b.WriteString(privacyLine)
	in.out.dm(p, ClassSceneDetail, sc.ID, p, b.String())
	in.out.withActions(answerActions(sc.ID)...)
	return nil
}

// privacyLine ends every request for boundaries.
const privacyLine = "Only you and the IC will see your answers and notes. You can change them, or withdraw, at any time."

// answerActions are the buttons of a request for boundaries.
func answerActions(sc SceneID) []Action {
	return []Action{
		{Label: "Answer privately", Command: "/boundaries form " + string(sc)},
		{Label: "Withdraw consent", Command: "/boundaries withdraw " + string(sc)},
	}
}

// asked reports whether the scene's performers have been asked for their
// boundaries: by the IC's request, or by answering, which a performer of
// a scene from before requests were recorded has done.
func asked(tx Tx, sc *Scene) (bool, error) {
	if !sc.Asking.Since.IsZero() {
		return true, nil
	}
	for _, p := range sc.Performers {
		bd, err := latestBoundaries(tx, sc.ID, p)
		if err != nil || bd != nil {
			return bd != nil, err
		}
	}
	return false, nil
}

// queueBeatNews adds changes to p's news of sc and queues it again, as
// one message due at the end of the window the first change opened. A
// message already queued is removed, not sent besides.
func queueBeatNews(in *input, tx Tx, sc *Scene, p UserID, changes []BeatChange) error {
	ok, err := asked(tx, sc)
	if err != nil || !ok {
		return err
	}
	n := BeatNews{Performer: p, Due: in.now.Add(beatNewsWindow)}
	if i := slices.IndexFunc(sc.Asking.News, func(n BeatNews) bool { return n.Performer == p && n.Due.After(in.now) }); i >= 0 {
		n = sc.Asking.News[i]
		n.Changes = slices.Clone(n.Changes)
	}
	if err := dropNews(tx, sc, p, in.now); err != nil {
		return err
	}
	for _, c := range changes {
		n.Changes = mergeChange(n.Changes, c)
	}
	if len(n.Changes) == 0 {
		return nil // a beat added and removed again: nothing to tell
	}
	text, actions, err := beatNewsText(tx, sc, p, n.Changes)
	if err != nil || text == "" {
		return err
	}
	m := Message{To: Destination{Kind: ToUser, User: p}, Class: ClassSceneDetail, Scene: sc.ID, Subject: p, Text: text, Actions: actions}
	// Screened against the scene as the caller will store it (a performer
	// added by this command is already its performer), and again when sent.
	roster, err := rosterOf(tx, sc)
	if err != nil {
		return err
	}
	pass, err := in.b.gate.allowed(tx, m, about{scene: sc, roster: roster})
	if err != nil {
		return err
	}
	if !pass {
		// A handler addressed information to someone the table does
		// not allow: a bug, caught here. Log where, never what.
		in.b.log.Error("need-to-know gate refused a message", "command", specPath(in),
			"class", m.Class.String(), "to", logDest(m), "scene", string(m.Scene))
		return nil
	}
	// The news asks again: the privacy notice goes first when it is due,
	// now, where the news waits.
	first, err := in.b.withNotice(tx, in.now, []Message{m})
	if err != nil {
		return err
	}
	if ids, err := enqueue(tx, in.cmd, in.now, first[:len(first)-1]); err != nil {
		return err
	} else if len(ids) > 0 {
		in.out.then(func(ctx context.Context, b *Bot, _ Command) error { b.deliverIDs(ctx, ids); return nil })
	}
	n.Delivery, err = tx.Enqueue(Delivery{Message: m, Caller: in.cmd.Caller, Reply: in.cmd.ReplyHandle, Created: in.now, NextAttempt: n.Due})
	if err != nil {
		return err
	}
	sc.Asking.News = append(sc.Asking.News, n)
	in.out.then(wakeDeliveries)
	return nil
}

// answeredMeanwhile writes p's news of sc again after p answered: news
// still waiting asks only about what is still unanswered. It reports
// whether the scene changed and must be stored.
func answeredMeanwhile(in *input, tx Tx, sc *Scene, p UserID) (bool, error) {
	if !slices.ContainsFunc(sc.Asking.News, func(n BeatNews) bool { return n.Performer == p && n.Due.After(in.now) }) {
		return false, nil
	}
	return true, queueBeatNews(in, tx, sc, p, nil)
}

// forgetNews drops the news still waiting for each of people in sc: they
// are no longer its performers, or sc is being removed.
func forgetNews(tx Tx, sc *Scene, people []UserID, now time.Time) error {
	for _, p := range people {
		if err := dropNews(tx, sc, p, now); err != nil {
			return err
		}
	}
	return nil
}

// askingNote tells the IC when the performers hear of a beat edit: once
// asked, within the window; before, when the IC asks.
func askingNote(tx Tx, sc *Scene) (string, error) {
	ok, err := asked(tx, sc)
	if err != nil {
		return "", err
	}
	if !ok {
		return fmt.Sprintf("its performers hear of it when you ask for their boundaries (/boundaries request %s).", sc.ID), nil
	}
	return fmt.Sprintf("its performers hear of it within %d minutes, in one message with your other edits of these minutes.", int(beatNewsWindow/time.Minute)), nil
}

// wakeDeliveries tells the delivery loop, after the commit, that a
// message was queued for later.
func wakeDeliveries(ctx context.Context, b *Bot, cmd Command) error {
	b.outbox.wake()
	return nil
}

// dropNews takes p's news of sc out of the scene and its message out of
// the outbox, unless it is due: one due is the outbox's to send. Entries
// that are due are forgotten on the way. The message is removed and a new
// one queued, never rewritten in place: should the outbox be sending it
// at this very moment (its time having come since the command began), the
// performer gets it and then the new one, rather than losing a change.
func dropNews(tx Tx, sc *Scene, p UserID, now time.Time) error {
	var keep []BeatNews
	for _, n := range sc.Asking.News {
		switch {
		case !n.Due.After(now):
			continue
		case n.Performer != p:
			keep = append(keep, n)
			continue
		}
		d, err := tx.Delivery(n.Delivery)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return err
		}
		// Only the message this entry queued: the scene record names it
		// by id alone, and that id must not reach any other.
		m := d.Message
		if m.To.Kind == ToUser && m.To.User == p && m.Scene == sc.ID && m.Class == ClassSceneDetail && d.Attempts == 0 {
			if err := tx.DeleteDelivery(d.ID); err != nil {
				return err
			}
		}
	}
	sc.Asking.News = keep
	return nil
}

// mergeChange adds c to the changes a performer has yet to hear of. A
// beat is listed once: as it now stands, or as removed; one added and
// removed again before they heard of it is not listed at all.
func mergeChange(cs []BeatChange, c BeatChange) []BeatChange {
	i := slices.IndexFunc(cs, func(x BeatChange) bool { return x.Beat == c.Beat })
	switch {
	case i < 0:
		return append(cs, c)
	case c.What != BeatRemoved:
		return cs // added or changed: the message shows it as it stands
	case cs[i].What == BeatAdded:
		return slices.Delete(cs, i, i+1)
	}
	cs[i].What = BeatRemoved
	return cs
}

// beatNewsText is the message that tells p of changes to sc's beats: the
// beats that involve them as they now stand, what changed, and how to
// answer; or, with none left, that the scene no longer involves them.
func beatNewsText(tx Tx, sc *Scene, p UserID, changes []BeatChange) (string, []Action, error) {
	bd, err := latestBoundaries(tx, sc.ID, p)
	if err != nil {
		return "", nil, err
	}
	what := make([]string, len(changes))
	// again are the beats new or changed that p has not answered as they
	// now stand.
	var again []string
	for i, c := range changes {
		what[i] = c.Beat + " " + string(c.What)
		b, ok := sc.Beat(c.Beat)
		if ok && c.What != BeatRemoved && !b.Involves(p) {
			what[i] = "" // it involved them when changed, and no longer does
			continue
		}
		if !ok || c.What == BeatRemoved || !b.Involves(p) {
			continue
		}
		if bd != nil {
			if _, answered := bd.answerTo(b); answered {
				continue
			}
		}
		again = append(again, c.Beat)
	}
	what = slices.DeleteFunc(what, func(w string) bool { return w == "" })
	if len(what) == 0 {
		return "", nil, nil // nothing that concerns them now
	}
	slices.SortFunc(again, func(a, b string) int { return beatOrder(sc, a) - beatOrder(sc, b) })
	beats := beatsOf(sc, p)
	if len(beats) == 0 {
		return fmt.Sprintf("Scene %s (%s) no longer involves you in any intimacy beat (%s). You have nothing to answer for it.",
			sc.ID, sc.Title, strings.Join(what, ", ")), nil, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The IC changed the intimacy beats of scene %s (%s): %s.\nThe beats that involve you now:\n", sc.ID, sc.Title, strings.Join(what, ", "))
	for _, bt := range beats {
		others, err := otherPerformers(tx, sc, bt, p)
		if err != nil {
			return "", nil, err
		}
		with := ""
		if len(others) > 0 {
			with = ", with " + handles(others)
		}
		b.WriteString("  " + askLines(bt, with) + "\n")
	}
	if len(again) == 0 {
		fmt.Fprintf(&b, "Nothing new to answer: your answers to these beats stand (/boundaries show %s).\n", sc.ID)
	} else {
		fmt.Fprintf(&b, "Please tell the IC, privately, whether you agree to %s: yes, no or discuss. An answer given before a beat changed no longer counts.\n", strings.Join(again, ", "))
		fmt.Fprintf(&b, "Answer with the button (/boundaries form %s), or type: /boundaries answer %s", sc.ID, sc.ID)
		for _, id := range again {
			fmt.Fprintf(&b, " %s=yes|no|discuss", id)
		}
		b.WriteString(` notes="..." garments="..." body="..."` + "\n")
	}
	b.WriteString(privacyLine)
	return b.String(), answerActions(sc.ID), nil
}

// otherPerformers are the performers of sc that beat b involves besides p.
func otherPerformers(tx Tx, sc *Scene, b Beat, p UserID) ([]Person, error) {
	var ids []UserID
	for _, u := range sc.Performers {
		if u != p && b.Involves(u) {
			ids = append(ids, u)
		}
	}
	return peopleOf(tx, ids)
}
