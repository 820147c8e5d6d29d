package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The privacy notice tells a person, before icbot first asks them
// anything private, what icbot keeps about them, who can see each part,
// for how long, and their rights. Its text is here and nowhere else; who
// can see each part is read from the need-to-know table (needtoknow.go)
// and the command table, never written out a second time.
//
// A private question is a direct message whose buttons run a command by
// which the person gives icbot private data about themself (see
// answerCommands): the IC's request for boundaries and the news of a
// changed beat, the check-in before a call and the aftercare question
// after a closed set, the request for consent to explore a beat, and the
// request to confirm a rehearsal's record. The closed-set device policy
// (a yes to "no recording device with me"), a rider's change of state
// and a hold's news ask nothing private and are not questions.
//
// The notice goes once per version: through the outbox, in the
// transaction that queues the question, just before it. A person who
// acknowledged the version, or was sent it, is not sent it again; a new
// version goes again to everyone, before their next private question.
//
// Nothing waits for the acknowledgement. Answering, withdrawing consent
// and calling a hold never need it: withdrawing must stay as easy as
// giving, and a performer who wants to say no, or stop, must never meet a
// step in between. The notice has reached them before the question; the
// IC sees with /icbot notice status who has not acknowledged it, and can
// talk to them.

// NoticeVersion is the version of the privacy notice's text (noticeText).
// Change it with any change of substance to the text or to who may see
// what: everyone is then sent the notice again before their next private
// question.
const NoticeVersion = 1

// WithNoticeVersion sets the version the privacy notice is sent and
// acknowledged under (NoticeVersion by default); tests use it to show a
// changed notice sent again.
func WithNoticeVersion(v int) Option {
	return func(b *Bot) { b.noticeVersion, b.baseNoticeVersion = v, v }
}

// answerCommands are the commands by which a person answers icbot with
// private data about themself. A direct message offering one of them as
// a button is a private question, and is preceded by the privacy notice.
var answerCommands = []string{
	"boundaries form", "boundaries answer", // a request for boundaries, the news of a changed beat
	"reminders answer",                       // the check-in, the aftercare question
	"rehearsal consent",                      // consent to explore a beat
	"rehearsal confirm", "rehearsal dispute", // a rehearsal's record
}

// asksPrivate reports whether m is a private question.
func asksPrivate(m Message) bool {
	if m.To.Kind != ToUser {
		return false
	}
	for _, a := range m.Actions {
		for _, c := range answerCommands {
			if a.Command == "/"+c || strings.HasPrefix(a.Command, "/"+c+" ") {
				return true
			}
		}
	}
	return false
}

// withNotice returns msgs with the privacy notice put just before the
// first private question to each person who has been sent neither the
// current version nor acknowledged it, and records in tx that it was
// sent. Everything else is left as it was, in order.
func (b *Bot) withNotice(tx Tx, now time.Time, msgs []Message) ([]Message, error) {
	if !slices.ContainsFunc(msgs, asksPrivate) {
		return msgs, nil
	}
	out := make([]Message, 0, len(msgs)+1)
	seen := map[UserID]bool{}
	for _, m := range msgs {
		if asksPrivate(m) && !seen[m.To.User] {
			seen[m.To.User] = true
			n, due, err := b.noticeDue(tx, m.To.User, now)
			if err != nil {
				return nil, err
			}
			if due {
				out = append(out, n)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// noticeDue returns the notice for p and true when it is due, having
// recorded it as sent at now.
func (b *Bot) noticeDue(tx Tx, p UserID, now time.Time) (Message, bool, error) {
	st, err := noticeState(tx, p)
	if err != nil {
		return Message{}, false, err
	}
	v := b.noticeVersion
	if st.Sent >= v || st.Acked >= v {
		return Message{}, false, nil
	}
	before := st
	st.Sent, st.SentAt = v, now
	if err := tx.PutNotice(st); err != nil {
		return Message{}, false, err
	}
	text, err := b.noticeText(tx, before)
	if err != nil {
		return Message{}, false, err
	}
	return Message{
		To: Destination{Kind: ToUser, User: p}, Class: ClassPersonal, Subject: p, Text: text,
		Actions: []Action{{Label: "I have read it", Command: noticeAckCommand + strconv.Itoa(v)}},
	}, true, nil
}

// noticeAckCommand is the command of the notice's button, before the
// version.
const noticeAckCommand = "/icbot notice ack "

// noticeVersionOf reports whether m is a privacy notice, and its version.
func noticeVersionOf(m Message) (int, bool) {
	if m.To.Kind != ToUser || m.Class != ClassPersonal || len(m.Actions) != 1 {
		return 0, false
	}
	v, ok := strings.CutPrefix(m.Actions[0].Command, noticeAckCommand)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

// noticeAhead holds back d, a private question, while a privacy notice
// to the same person is still waiting to be sent.
func (b *Bot) noticeAhead(ctx context.Context, d Delivery) error {
	var ahead bool
	err := b.store.View(ctx, func(tx Tx) error {
		pending, err := tx.Deliveries()
		for _, p := range pending {
			if _, ok := noticeVersionOf(p.Message); ok && p.Message.To.User == d.Message.To.User {
				ahead = true
			}
		}
		return err
	})
	if err == nil && ahead {
		err = RetryLater(0, Errorf(EUNAVAILABLE, "a privacy notice to the same person is not sent yet"))
	}
	return err
}

// noticeLost records that the notice of version v to p was given up:
// it was not sent, and is due again before p's next private question.
func (o *outbox) noticeLost(ctx context.Context, p UserID, v int) {
	err := o.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		st, err := noticeState(tx, p)
		if err != nil || st.Sent != v {
			return err
		}
		st.Sent, st.SentAt = 0, time.Time{}
		return tx.PutNotice(st)
	})
	if err != nil {
		o.log.Error("recording a privacy notice given up; it will not be sent again", "err", err)
	}
}

// noticeState reads what is recorded of p's notice; the zero state, for
// p, when nothing is.
func noticeState(tx Tx, p UserID) (NoticeState, error) {
	st, err := tx.Notice(p)
	if ErrorCode(err) == ENOTFOUND {
		return NoticeState{User: p}, nil
	}
	return st, err
}

// noticeItem is one part of what icbot keeps about a person, and the
// class of information it travels as, whose row says who may see it.
type noticeItem struct {
	what  string
	class Class
}

// noticeItems are what icbot keeps about a person.
var noticeItems = []noticeItem{
	{"your name as the chat shows it, and your roles on the production", ClassRoles},
	{"for each scene you perform in, your answer to each intimacy beat (yes, no or discuss), your notes, every version of them, and any withdrawal of your consent", ClassBoundaries},
	{"your consent to explore a beat in rehearsal, and its withdrawal", ClassBoundaries},
	{"your answers to check-ins before a call and to how you are after a closed set, and what you add to them", ClassBoundaries},
	{"your garment and barrier needs", ClassGarments},
	{"your body notes (tattoos, body makeup and the like)", ClassBodyNotes},
	{"your nudity riders, with their state, dates and terms", ClassRiderDetail},
	{"the holds you call on a scene, and your reasons", ClassHoldCaller},
	{"the records of rehearsals you were at (the beats, who was there, what changed)", ClassRehearsal},
	{"whether you confirmed or disputed each rehearsal's record, and what you said was wrong", ClassBoundaries},
}

// noticeReaders says in words who may see information of class c about the
// person reading the notice: always they themself, then the row's
// readers.
func noticeReaders(c Class) string {
	row := needToKnow[c]
	who := []string{"you"}
	switch {
	case row.anyone:
		who = append(who, "anyone")
	case row.crew:
		who = append(who, "anyone with a role on the production")
	}
	for _, r := range row.roles {
		if slices.Contains(departments, r) {
			who = append(who, "the "+r.Title()+" department")
		} else {
			who = append(who, "the "+r.Title())
		}
	}
	if row.admins {
		who = append(who, "icbot's admins")
	}
	if row.ownScene {
		who = append(who, "the scene's other performers")
	}
	if row.roster {
		who = append(who, "those on its closed-set roster")
	}
	s := orList(who)
	if i := strings.LastIndex(s, " or "); i >= 0 {
		s = s[:i] + " and " + s[i+len(" or "):]
	}
	if row.channel == privateChannel {
		s += " (also in a private channel only they read)"
	}
	return s
}

// noticeText is the privacy notice, for someone whose notice was before
// in state before.
func (b *Bot) noticeText(tx Tx, before NoticeState) (string, error) {
	ics, err := holders(tx, RoleIC)
	if err != nil {
		return "", err
	}
	v := b.noticeVersion
	var s strings.Builder
	fmt.Fprintf(&s, "Privacy notice from icbot, version %d, for %s.\n", v, productionName(tx))
	if last := max(before.Sent, before.Acked); last > 0 && last < v {
		fmt.Fprintf(&s, "It has changed since version %d, which you were sent before: please read it again.\n", last)
	}
	s.WriteString("icbot is the production's intimacy-coordination assistant. Before it asks you anything private, this is what it keeps about you, who can see each part, for how long, and your rights.\n\n")
	s.WriteString("What icbot keeps about you, and who can see it:\n")
	for _, it := range noticeItems {
		fmt.Fprintf(&s, "  - %s: %s.\n", it.what, noticeReaders(it.class))
	}
	audit := b.commands.byPath["audit show"].access.who()
	fmt.Fprintf(&s, "  - a record of each of these changes, with who made it and when, in the production's audit trail: you and %s.\n", audit)
	s.WriteString("Some of them see less than that: the assistant director, director and producer see whether your consent and rider are in place, never your answers, notes or terms.\n\n")
	keep, err := b.retentionSentence(tx)
	if err != nil {
		return "", err
	}
	s.WriteString("For how long: " + keep + " A signed rider is a contract the production may have to keep for a time; if so you are told what is kept, why, and until when.\n\n")
	s.WriteString("Your rights:\n")
	s.WriteString("  - See all of it, and take it with you: /icbot mydata sends you everything icbot holds about you, by direct message.\n")
	s.WriteString("  - Have it erased: /icbot erase me.\n")
	s.WriteString("  - Withdraw your consent at any moment, to a beat or a whole scene, with /boundaries withdraw, and call a hold with /hold: neither ever waits for this notice.\n")
	if len(ics) > 0 {
		fmt.Fprintf(&s, "  - Ask the IC anything, about this notice or anything else: %s.\n\n", handles(ics))
	} else {
		s.WriteString("  - Ask the IC anything, about this notice or anything else.\n\n")
	}
	fmt.Fprintf(&s, "Let the IC know you have read it with the button, or type /icbot notice ack %d. You need not, to answer icbot or to withdraw. Read it again at any time with /icbot notice show.", v)
	return s.String(), nil
}

func runNoticeShow(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	st, err := noticeState(tx, in.caller.ID)
	if err != nil {
		return err
	}
	text, err := in.b.noticeText(tx, st)
	if err != nil {
		return err
	}
	v := in.b.noticeVersion
	switch {
	case !in.caller.Known() && st.Sent == 0 && st.Acked == 0:
		text += "\nYou have no role on this production, so icbot keeps nothing about you yet."
	case st.Acked >= v:
		text += fmt.Sprintf("\nYou acknowledged version %d on %s.", st.Acked, in.b.fmtTime(st.AckedAt))
	case st.Acked > 0:
		text += fmt.Sprintf("\nYou acknowledged version %d on %s; this one you have not acknowledged yet.", st.Acked, in.b.fmtTime(st.AckedAt))
	default:
		text += "\nYou have not acknowledged it yet."
	}
	in.out.replyOwn(ClassPersonal, "", "%s", text)
	return nil
}

func runNoticeAck(in *input, tx Tx) error {
	v := in.b.noticeVersion
	if a, ok := in.optional(); ok {
		n, err := strconv.Atoi(a.Value)
		switch {
		case err != nil || n < 1 || n > v:
			return Errorf(EINVALID, "%q is not a version of the notice: the notice is version %d", a.Value, v)
		case n != v:
			return Errorf(ECONFLICT, "The notice has changed since version %d: it is version %d now. Nothing was recorded. Read it with /icbot notice show, then acknowledge it with /icbot notice ack %d.", n, v, v)
		}
	}
	if err := in.done(); err != nil {
		return err
	}
	st, err := noticeState(tx, in.caller.ID)
	if err != nil {
		return err
	}
	if st.Acked >= v {
		in.out.replyOwn(ClassPersonal, "", "You already acknowledged version %d of the privacy notice, on %s. Nothing changed.", st.Acked, in.b.fmtTime(st.AckedAt))
		return nil
	}
	st.Acked, st.AckedAt = v, in.now
	if err := tx.PutNotice(st); err != nil {
		return err
	}
	if err := in.audit(tx, "notice.ack", "", "privacy notice version %d acknowledged", v); err != nil {
		return err
	}
	in.out.replyOwn(ClassPersonal, "", "Recorded: you have read version %d of the privacy notice. Questions about it, or anything else, go to the IC. /icbot notice show shows it again.", v)
	return nil
}

func runNoticeStatus(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	people, err := tx.People()
	if err != nil {
		return err
	}
	states, err := tx.Notices()
	if err != nil {
		return err
	}
	byUser := map[UserID]NoticeState{}
	for _, st := range states {
		byUser[st.User] = st
	}
	v := in.b.noticeVersion
	var acked, waiting, unsent []string
	for _, p := range people {
		st, ok := byUser[p.ID]
		switch {
		case ok && st.Acked >= v:
			acked = append(acked, fmt.Sprintf("%s (%s)", p.Handle(), in.b.fmtTime(st.AckedAt)))
		case ok && st.Sent > 0:
			line := fmt.Sprintf("%s (sent version %d %s", p.Handle(), st.Sent, in.b.fmtTime(st.SentAt))
			if st.Acked > 0 {
				line += fmt.Sprintf("; acknowledged version %d", st.Acked)
			}
			waiting = append(waiting, line+")")
		case p.Has(RolePerformer):
			unsent = append(unsent, p.Handle())
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Privacy notice, version %d:", v)
	list := func(label string, names []string) {
		if len(names) == 0 {
			names = []string{"nobody"}
		}
		fmt.Fprintf(&s, "\n  %s: %s", label, strings.Join(names, ", "))
	}
	list("not acknowledged", waiting)
	list("acknowledged", acked)
	list("performers not sent it yet (icbot has asked them nothing private)", unsent)
	s.WriteString("\nNothing waits for an acknowledgement: answering and withdrawing never do. Talk to those who have not acknowledged it.")
	in.out.reply(ClassRoles, "", "%s", s.String())
	return nil
}

// reviseNotice makes a change in what the notice says of how long icbot
// keeps a person's data (production.retention, the wrap date) a new
// version of the notice, sent again to everyone before their next
// private question, as a change of its text in a new icbot is. It runs
// at start, before icbot answers: those settings change only across a
// restart. The version is the notice's own (NoticeVersion) plus the
// number of such changes.
func (b *Bot) reviseNotice(ctx context.Context) error {
	return b.store.Update(ctx, func(tx Tx) error {
		info, err := tx.Production()
		if err != nil {
			return err
		}
		said, err := b.retentionSentence(tx)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(said))
		digest := hex.EncodeToString(sum[:8])
		if info.NoticeFor != digest {
			if info.NoticeFor != "" {
				info.NoticeRevision++
			}
			info.NoticeFor = digest
			if err := tx.PutProduction(info); err != nil {
				return err
			}
		}
		b.noticeVersion = b.baseNoticeVersion + info.NoticeRevision
		return nil
	})
}
