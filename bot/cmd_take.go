package bot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Takes, for repeatability: during a closed set the IC notes each take of
// a beat, what matched its choreography and what drifted, against the
// choreography version in force. The take log is the IC's and the
// director's (ClassTakes); in the IC's view the holds of the same closed
// set fall between the takes, with who called them and why, which is the
// IC's alone (ClassHoldCaller).

// runTake notes a take: /take ID BEAT note="..." [drift=yes|no].
func runTake(in *input, tx Tx) error {
	sc, beat, note, err := takeArgs(in, tx)
	if err != nil {
		return err
	}
	t := Take{Seq: nextTakeSeq(sc.Takes), Session: sc.Session, Beat: beat.ID, Note: note, By: in.caller.ID, At: in.now}
	if v, ok := beat.Choreography(); ok {
		t.Choreo = v.Version
	}
	if d, ok := in.key("drift"); ok {
		t.Drifted = d == "yes"
	}
	sc.Takes = append(sc.Takes, t)
	sc.Version++
	sc.Updated = in.now
	if err := tx.PutScene(sc); err != nil {
		return err
	}
	// The audit names who noted which take, never what the note says.
	if err := in.audit(tx, "take.note", sc.ID, "take %d of scene %s noted (beat %s, closed set %d)", t.Seq, sc.ID, t.Beat, t.Session); err != nil {
		return err
	}
	warn, err := takeWarnings(in, tx, &sc, beat)
	if err != nil {
		return err
	}
	in.out.reply(ClassTakes, sc.ID, "Take %d of scene %s noted at %s, closed set %d:\n%s\n/take log %s shows the log.%s",
		t.Seq, sc.ID, in.b.fmtClock(t.At), t.Session, takeLine(t), sc.ID, warn)
	return nil
}

// takeWarnings flags a take noted while the scene is on hold, or of a
// beat not every performer in it agrees to as it stands: the take is
// the record of what happened, so it is noted, and the IC, who alone
// notes takes, is told plainly.
func takeWarnings(in *input, tx Tx, sc *Scene, b Beat) (string, error) {
	var w strings.Builder
	if h, ok := sc.ActiveHold(); ok {
		fmt.Fprintf(&w, "\nScene %s is on hold since %s (hold %d): nothing is filmed until you lift it (/hold lift %s).", sc.ID, in.b.fmtClock(h.At), h.Seq, sc.ID)
	}
	var not []string
	for _, p := range sc.Performers {
		if !b.Involves(p) {
			continue
		}
		st, err := stanceOn(tx, sc, p, b)
		if err != nil {
			return "", err
		}
		if st != agreed {
			who, err := personOf(tx, p)
			if err != nil {
				return "", err
			}
			not = append(not, who.Handle())
		}
	}
	if len(not) > 0 {
		fmt.Fprintf(&w, "\nBeat %s is not agreed, as it stands, by %s: it may not be filmed as written. Talk with them before another take.", b.ID, strings.Join(not, ", "))
	}
	return w.String(), nil
}

// takeArgs reads and checks /take's scene, beat and note. A take is
// noted only during the scene's running closed set, of one of its beats,
// with something said of it; otherwise nothing changes.
func takeArgs(in *input, tx Tx) (Scene, Beat, string, error) {
	sc, err := in.scene(tx)
	if err != nil {
		return Scene{}, Beat{}, "", err
	}
	word, err := in.next("beat id, such as b1")
	if err != nil {
		return Scene{}, Beat{}, "", err
	}
	if err := in.done(); err != nil {
		return Scene{}, Beat{}, "", err
	}
	id, err := ParseBeatID(word.Value)
	if err != nil {
		return Scene{}, Beat{}, "", err
	}
	if !sc.Filming() {
		return Scene{}, Beat{}, "", Errorf(EINVALID, "Scene %s has no closed set running: takes are noted during one (/closedset start %s). Nothing was noted.", sc.ID, sc.ID)
	}
	beat, ok := sc.Beat(id)
	if !ok {
		return Scene{}, Beat{}, "", Errorf(ENOTFOUND, "Scene %s has no beat %s: /scene show %s lists its beats. Nothing was noted.", sc.ID, id, sc.ID)
	}
	note, given := in.key("note")
	note = strings.TrimSpace(note)
	switch {
	case !given:
		return Scene{}, Beat{}, "", Errorf(EINVALID, "missing note=: say what matched the choreography and what drifted, as in note=\"kiss held at three counts; hand drifted to the waist\"")
	case note == "":
		return Scene{}, Beat{}, "", Errorf(EINVALID, "the note cannot be empty: say what matched the choreography and what drifted. Nothing was noted.")
	}
	if err := checkText(textRules["note"], note); err != nil {
		return Scene{}, Beat{}, "", err
	}
	return sc, beat, note, nil
}

// nextTakeSeq numbers a scene's next take.
func nextTakeSeq(ts []Take) int {
	n := 0
	for _, t := range ts {
		n = max(n, t.Seq)
	}
	return n + 1
}

// takeLine writes a take: "take 3, b1, against choreography v2: drifted:
// the note".
func takeLine(t Take) string {
	against := "no choreography written"
	if t.Choreo > 0 {
		against = fmt.Sprintf("against choreography v%d", t.Choreo)
	}
	drift := "matched"
	if t.Drifted {
		drift = "drifted"
	}
	return fmt.Sprintf("  take %d  %s (%s), %s: %s", t.Seq, t.Beat, against, drift, strings.ReplaceAll(t.Note, "\n", "\n      "))
}

// runTakeLog shows the take log of one closed set of a scene: /take log
// ID [session=N], the running one or the latest by default.
func runTakeLog(in *input, tx Tx) error {
	sc, err := in.onlyScene(tx)
	if err != nil {
		return err
	}
	seq, err := logSession(in, &sc)
	if err != nil {
		return err
	}
	if seq == 0 {
		in.out.reply(ClassTakes, sc.ID, "Scene %s has had no closed set yet, so no takes.", sc.ID)
		return nil
	}
	sess, err := tx.Session(sc.ID, seq)
	if err != nil {
		return err
	}
	// The holds' callers and reasons are the IC's alone: asked of the
	// gate, so that the director's log holds the takes and nothing more.
	withHolds := in.mayRead(ClassHoldCaller, &sc)
	entries, err := takeLogEntries(in, tx, &sc, seq, withHolds)
	if err != nil {
		return err
	}
	state := "running"
	if !sess.Running() {
		state = "ended " + in.b.fmtTime(sess.EndedAt)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Take log of scene %s, closed set %d (started %s, %s):", sc.ID, seq, in.b.fmtTime(sess.StartedAt), state)
	takes := 0
	for _, e := range entries {
		fmt.Fprintf(&s, "\n%s%s", in.b.fmtClock(e.at), e.text)
		if e.take {
			takes++
		}
	}
	if takes == 0 {
		fmt.Fprintf(&s, "\nNo takes noted in this closed set.")
	}
	class := ClassTakes
	if len(entries) > takes {
		class = ClassHoldCaller // it names who called each hold and why
	}
	in.out.reply(class, sc.ID, "%s", s.String())
	return nil
}

// logSession reads session=N, or picks the running closed set, or else
// the latest; 0 when the scene has had none.
func logSession(in *input, sc *Scene) (uint64, error) {
	first, last := sc.PastSessions+1, sc.Sessions
	v, given := in.key("session")
	if !given {
		if sc.Session != 0 {
			return sc.Session, nil
		}
		if last < first {
			return 0, nil
		}
		return last, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	switch {
	case err != nil || n == 0:
		return 0, Errorf(EINVALID, "session=%s is not a closed set's number: use one of /closedset status %s's, such as session=1", quote(v), sc.ID)
	case last < first:
		return 0, Errorf(EINVALID, "Scene %s has had no closed set yet, so there is no session=%d.", sc.ID, n)
	case n < first || n > last:
		return 0, Errorf(EINVALID, "Scene %s has no closed set %d: its closed sets are %s.", sc.ID, n, sessionRange(first, last))
	}
	return n, nil
}

func sessionRange(first, last uint64) string {
	if first == last {
		return fmt.Sprintf("number %d", first)
	}
	return fmt.Sprintf("numbers %d to %d", first, last)
}

// logEntry is one line of a take log.
type logEntry struct {
	at   time.Time
	take bool
	seq  int
	text string
}

// takeLogEntries lists the takes of closed set seq, and with holds its
// holds, in time order (a hold and a take at the same minute: the take
// first, as it was noted before the hold stopped the set).
func takeLogEntries(in *input, tx Tx, sc *Scene, seq uint64, holds bool) ([]logEntry, error) {
	var out []logEntry
	for _, t := range sc.Takes {
		if t.Session == seq {
			out = append(out, logEntry{at: t.At, take: true, seq: t.Seq, text: takeLine(t)})
		}
	}
	if holds {
		for _, h := range sc.Holds {
			if h.Session != seq {
				continue
			}
			text, err := holdLogLine(in, tx, h)
			if err != nil {
				return nil, err
			}
			out = append(out, logEntry{at: h.At, seq: h.Seq, text: text})
		}
	}
	slices.SortStableFunc(out, func(a, b logEntry) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.take != b.take {
			if a.take {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.seq, b.seq)
	})
	return out, nil
}

// holdLogLine writes a hold for the IC's take log: who called it and why,
// and who lifted it when.
func holdLogLine(in *input, tx Tx, h Hold) (string, error) {
	by, err := personOf(tx, h.CalledBy)
	if err != nil {
		return "", err
	}
	why := "no reason given"
	if h.Reason != "" {
		why = "reason: " + strings.ReplaceAll(h.Reason, "\n", " ")
	}
	lifted := "still in force"
	if !h.Active() {
		lp, err := personOf(tx, h.LiftedBy)
		if err != nil {
			return "", err
		}
		lifted = fmt.Sprintf("lifted %s by %s", in.b.fmtClock(h.LiftedAt), lp.Handle())
	}
	return fmt.Sprintf("  HOLD %d called by %s (%s); %s", h.Seq, by.Handle(), why, lifted), nil
}
