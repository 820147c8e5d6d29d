package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Erasure at a person's own request (/icbot erase me): the store destroys
// their data key (Tx.ErasePerson), so that every sealed field about them
// reads "[erased]". What the production must still keep is sealed again
// under a new key of theirs first, and erased when it may go:
//
//   - while they perform in a scene that has not wrapped, their rider and
//     the boundaries in force for it, until it wraps: the set works from
//     them;
//   - a signed rider, a contract, until the production's retention runs
//     out: its wrap date plus its retention period (production.wrap_date
//     or icbot wrap, and production.retention: the same end as the
//     retention shredding's, retention.go). Until both are set it is kept
//     until the production sets them.
//
// One reminder per person (RemindEraseRest) looks again when the next
// kept record may go, or an hour later while a scene's wrap or the
// retention are not known, and erases what may go then.

// eraseRecheck is how soon a kept record without a date (a scene not
// wrapped, a retention not set) is looked at again.
const eraseRecheck = time.Hour

// eraseNow lists what an erasure takes at once, besides what is kept.
var eraseNow = []string{
	"your boundary answers and notes, every version (but those kept below)",
	"your riders' terms (but those kept below)",
	"the reasons of the holds you called",
	"your check-in and aftercare notes",
	"your notes on rehearsal records",
	"your name, replaced by a pseudonym",
	"the messages icbot has not yet sent you",
}

// keptRecord is one record an erasure keeps, and why.
type keptRecord struct {
	rec   KeepRecord
	what  string
	why   string
	until string    // in words
	at    time.Time // when it may go; zero when not known yet
}

// erasePlan is what an erasure of user does now.
type erasePlan struct {
	user UserID
	kept []keptRecord
	// next is when to look again; zero when nothing is kept.
	next time.Time
}

// fingerprint names the kept records (scenes and kinds, no content), to
// notice when the set shrinks.
func (p erasePlan) fingerprint() string {
	parts := make([]string, 0, len(p.kept))
	for _, k := range p.kept {
		s := string(k.rec.Scene) + ":"
		if k.rec.Rider {
			s += "r"
		}
		if k.rec.Boundaries {
			s += "b"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

// keep lists the records to keep, for ErasePerson.
func (p erasePlan) keep() []KeepRecord {
	out := make([]KeepRecord, len(p.kept))
	for i, k := range p.kept {
		out[i] = k.rec
	}
	return out
}

// planErasure works out what erasing user's data keeps at now.
func (b *Bot) planErasure(tx Tx, user UserID, now time.Time) (erasePlan, error) {
	plan := erasePlan{user: user}
	scenes, err := tx.Scenes()
	if err != nil {
		return plan, err
	}
	ret, endKnown, err := b.reminders.retentionPlan(tx)
	if err != nil {
		return plan, err
	}
	end := ret.shredAt
	undated := false
	for _, sc := range scenes {
		rider, err := tx.Rider(sc.ID, user)
		hasRider := err == nil
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return plan, err
		}
		_, err = tx.Boundaries(sc.ID, user)
		hasBounds := err == nil
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return plan, err
		}
		active := sc.Status != StatusWrapped && sc.IsPerformer(user)
		signed := hasRider && rider.State == RiderSigned && (!endKnown || now.Before(end))
		if active && hasBounds {
			plan.kept = append(plan.kept, keptRecord{rec: KeepRecord{Scene: sc.ID, Boundaries: true},
				what:  fmt.Sprintf("your boundaries for scene %s (the version in force)", sc.ID),
				why:   fmt.Sprintf("you perform in scene %s, which has not wrapped: the IC and the set work from them", sc.ID),
				until: fmt.Sprintf("until scene %s wraps (erased within the hour after)", sc.ID)})
			undated = true
		}
		if !hasRider || (!active && !signed) {
			continue
		}
		k := keptRecord{rec: KeepRecord{Scene: sc.ID, Rider: true}}
		var whys, untils []string
		if active {
			k.what = fmt.Sprintf("your rider for scene %s", sc.ID)
			whys = append(whys, fmt.Sprintf("you perform in scene %s, which has not wrapped", sc.ID))
			untils = append(untils, fmt.Sprintf("until scene %s wraps (erased within the hour after)", sc.ID))
			undated = true
		}
		if signed {
			k.what = fmt.Sprintf("your signed rider for scene %s", sc.ID)
			whys = append(whys, "a signed rider is a contract the production may have to keep")
			switch {
			case endKnown:
				k.at = end
				untils = append(untils, fmt.Sprintf("until %s (%s after the production's wrap date, %s)",
					b.fmtDate(end), b.reminders.retention, fmtDate(ret.wrap)))
			case !b.reminders.retention.IsZero():
				untils = append(untils, fmt.Sprintf("until %s after the production wraps (its wrap date is not set yet)", b.reminders.retention))
				undated = true
			default:
				untils = append(untils, "until the production sets how long it keeps signed riders after it wraps (it has not yet)")
				undated = true
			}
		}
		k.why, k.until = strings.Join(whys, ", and "), strings.Join(untils, " or ")
		if len(untils) > 1 {
			k.until += ", whichever is later"
		}
		plan.kept = append(plan.kept, k)
	}
	if len(plan.kept) == 0 {
		return plan, nil
	}
	for _, k := range plan.kept {
		if !k.at.IsZero() && (plan.next.IsZero() || k.at.Before(plan.next)) {
			plan.next = k.at
		}
	}
	if undated && (plan.next.IsZero() || now.Add(eraseRecheck).Before(plan.next)) {
		plan.next = now.Add(eraseRecheck)
	}
	return plan, nil
}

// fmtDate is a date as people read it, in the production's zone.
func (b *Bot) fmtDate(t time.Time) string { return t.In(b.zone).Format("Mon 2 Jan 2006") }

// text says what the erasure does, for the person.
func (p erasePlan) text() string {
	var s strings.Builder
	s.WriteString("Erased at once:\n")
	for _, w := range eraseNow {
		fmt.Fprintf(&s, "  - %s\n", w)
	}
	if len(p.kept) == 0 {
		s.WriteString("Nothing is kept: the production need not keep anything of yours.\n")
	} else {
		s.WriteString("Kept for now, because the production must keep it, and then erased:\n")
		for _, k := range p.kept {
			fmt.Fprintf(&s, "  - %s: %s; kept %s.\n", k.what, k.why, k.until)
		}
		s.WriteString("Kept records stay sealed, readable only by you and the IC as before.\n")
	}
	s.WriteString("Also kept, as they hold nothing you wrote: your user id and roles, the scenes you are on, the dates and states of your records " +
		"(when you called a hold, your check-in answers such as ok or talk, whether you confirmed a rehearsal's record), and the audit trail, " +
		"which keeps what was done and when but no longer who: where it named you, it reads [erased]. Your consents to explore beats are taken off them.")
	return s.String()
}

// token names the plan, so that a confirmation is of the plan shown.
func (p erasePlan) token(name string) string {
	sum := sha256.Sum256([]byte(string(p.user) + "\x00" + name + "\x00" + p.text()))
	return hex.EncodeToString(sum[:3])
}

const eraseMeUsage = "usage: /icbot erase me, then /icbot erase me confirm CODE with the code it gives"

func runEraseMe(in *input, tx Tx) error {
	confirm, hasConfirm := in.optional()
	code, hasCode := in.optional()
	if err := in.done(); err != nil {
		return err
	}
	if hasConfirm && !strings.EqualFold(confirm.Value, "confirm") {
		return Errorf(EINVALID, "%q is not confirm: %s", confirm.Value, eraseMeUsage)
	}
	if hasConfirm && !hasCode {
		return Errorf(EINVALID, "missing the code: %s", eraseMeUsage)
	}
	u := in.caller.ID
	person, err := tx.Person(u)
	if ErrorCode(err) == ENOTFOUND {
		in.out.reply(ClassPublic, "", "icbot holds nothing about you: nobody has given you a role on this production, so there is nothing to erase.")
		return nil
	} else if err != nil {
		return err
	}
	plan, err := in.b.planErasure(tx, u, in.now)
	if err != nil {
		return err
	}
	// The code names the plan and who the person is now: once erased,
	// they carry their pseudonym, so the same code does not erase again.
	token := plan.token(person.Name)
	if !hasConfirm {
		confirmCmd := "/icbot erase me confirm " + token
		in.out.replyOwn(ClassPersonal, "", "You asked icbot to erase what it holds about you. Nothing has changed yet.\n\n%s\n\nTo go ahead, type %s (or use the button). It cannot be undone.",
			plan.text(), confirmCmd)
		in.out.replies[len(in.out.replies)-1].Actions = []Action{{Label: "Erase my data", Command: confirmCmd}}
		return nil
	}
	if !strings.EqualFold(code.Value, token) {
		return Errorf(ECONFLICT, "The code %s is not the code of what icbot would erase now: it was given for an earlier answer (an erasure already done, or what icbot holds about you has changed since), or for someone else. Nothing was changed: type /icbot erase me to see it again.", code.Value)
	}
	summary := "at their own request"
	if len(plan.kept) > 0 {
		summary += "; the rest is scheduled"
	}
	done, err := erasePerson(tx, EraseRequest{User: u, Actor: u, Now: in.now, Keep: plan.keep(), Summary: summary})
	if err != nil {
		return err
	}
	if err := in.b.scheduleEraseRest(tx, u, plan, in.now); err != nil {
		return err
	}
	in.out.then(compactEffect)
	// The departments' notices posted already hold their garments and
	// body notes in the departments' channels: taken down; the IC may
	// post them again, without what was erased.
	scenes, err := tx.Scenes()
	if err != nil {
		return err
	}
	for _, sc := range scenes {
		if sc.IsPerformer(u) {
			in.out.then(noticesGoneEffect(sc.ID, "a performer's data was erased", true))
		}
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Done: icbot has erased what it held about you, and you are now %s on this production.", done.Pseudonym)
	if len(plan.kept) == 0 {
		s.WriteString(" Nothing of yours is kept.")
	} else {
		s.WriteString(" What remains, and until when:\n")
		for _, k := range plan.kept {
			fmt.Fprintf(&s, "  - %s, kept %s (%s).\n", k.what, k.until, k.why)
		}
		s.WriteString("icbot erases each of them when its time comes, by itself.")
	}
	s.WriteString("\nThe IC and the producers are told that you asked, not what icbot held.")
	in.out.replyOwn(ClassPersonal, "", "%s", s.String())
	text := fmt.Sprintf("@%s asked icbot to erase their data. icbot has erased it", done.Pseudonym)
	if len(plan.kept) > 0 {
		text += ", but for what the production must keep for now, which it erases when it may go; you will be told when it has"
	}
	text += ". You are not told what it held. /icbot help icbot erase me says what an erasure does."
	return tellErasure(&in.out, tx, text, u)
}

// tellErasure tells the IC and the producers, by DM, that an erasure
// request of user exists or is complete: never what it erased or keeps.
func tellErasure(o *out, tx Tx, text string, user UserID) error {
	seen := map[UserID]bool{user: true}
	for _, r := range []Role{RoleIC, RoleProducer} {
		ps, err := holders(tx, r)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				o.dm(p.ID, ClassRoles, "", "", text)
			}
		}
	}
	return nil
}

// eraseRestKey is the key of user's erase-rest reminder: one per person.
func eraseRestKey(user UserID) string { return string(RemindEraseRest) + "/" + string(user) }

// scheduleEraseRest puts user's erase-rest reminder at plan.next, or
// ends it when nothing is kept. Its Answer holds the plan's fingerprint
// (the kept records' scenes and kinds), so that a later look erases
// again only when the set has shrunk.
func (b *Bot) scheduleEraseRest(tx Tx, user UserID, plan erasePlan, now time.Time) error {
	r, err := tx.ReminderByKey(eraseRestKey(user))
	switch {
	case ErrorCode(err) == ENOTFOUND:
		if len(plan.kept) == 0 {
			return nil
		}
		r = Reminder{Kind: RemindEraseRest, Key: eraseRestKey(user), Performer: user, Created: now}
	case err != nil:
		return err
	}
	if len(plan.kept) == 0 {
		if r.State != ReminderPending {
			return nil
		}
		r.State, r.SentAt = ReminderSent, now
	} else {
		r.State, r.Due, r.NextAttempt, r.Attempts = ReminderPending, plan.next, time.Time{}, 0
	}
	r.Answer = plan.fingerprint()
	_, err = tx.PutReminder(r)
	return err
}

// eraseRest is an erase-rest reminder falling due: it erases what may go
// now of what an erasure kept, and looks again later for the rest. It
// is never missed: icbot down when it fell due erases late.
func (b *Bot) eraseRest(tx Tx, r *Reminder, now time.Time) ([]Message, error) {
	plan, err := b.planErasure(tx, r.Performer, now)
	if err != nil {
		return nil, err
	}
	if fp := plan.fingerprint(); fp != r.Answer {
		summary := "the rest of an erasure they asked for, as it fell due"
		if len(plan.kept) > 0 {
			summary = "part of the rest of an erasure they asked for; the rest is scheduled"
		}
		if _, err := tx.ErasePerson(EraseRequest{User: r.Performer, Actor: "icbot", Now: now, Keep: plan.keep(), Summary: summary}); err != nil {
			return nil, err
		}
	}
	r.Answer = plan.fingerprint()
	if len(plan.kept) > 0 {
		r.State, r.Due, r.SentAt = ReminderPending, plan.next, time.Time{}
		return nil, nil
	}
	r.State, r.SentAt = ReminderSent, now
	p, err := personOf(tx, r.Performer)
	if err != nil {
		return nil, err
	}
	msgs := []Message{{To: Destination{Kind: ToUser, User: r.Performer}, Class: ClassPersonal, Subject: r.Performer,
		Text: "icbot has now erased the rest of what it held about you, which the production had to keep until now. /icbot mydata shows what is left: nothing you wrote."}}
	var o out
	if err := tellErasure(&o, tx, fmt.Sprintf("The erasure that @%s asked for is complete: what the production had to keep is erased too. /icbot help icbot erase me says what an erasure does.", p.Name), r.Performer); err != nil {
		return nil, err
	}
	return append(msgs, o.notices...), nil
}

// theirs turns a kept record's words for the person into words about
// them, for the operator.
var theirs = strings.NewReplacer("your ", "their ", "you perform", "they perform")

// Erase erases what icbot holds about user for the command line's icbot
// erase (actor names who did it), in one transaction, by the same rules
// as /icbot erase me once confirmed: what the production must keep is
// sealed again under a new key and its erasure scheduled, unless all is
// set, when everything goes now. kept says, for the operator, each
// record kept, why and until when. Unlike /icbot erase me, nobody is
// told by DM: the operator acts for the production. The store is left
// marked for compaction (see Tx.ErasePerson).
func (b *Bot) Erase(ctx context.Context, user, actor UserID, all bool) (done Erased, kept []string, err error) {
	now := b.now()
	err = b.store.Update(ctx, func(tx Tx) error {
		plan, err := b.planErasure(tx, user, now)
		if err != nil {
			return err
		}
		if all {
			plan.kept, plan.next = nil, time.Time{}
		}
		summary := "by the operator"
		if all {
			summary += ", all of it at once"
		} else if len(plan.kept) > 0 {
			summary += "; the rest is scheduled"
		}
		if done, err = erasePerson(tx, EraseRequest{User: user, Actor: actor, Now: now, Keep: plan.keep(), Summary: summary}); err != nil {
			return err
		}
		if err := scheduleTakedowns(tx, user, now); err != nil {
			return err
		}
		kept = kept[:0]
		if done.Kept > 0 {
			for _, k := range plan.kept {
				kept = append(kept, theirs.Replace(fmt.Sprintf("%s, kept %s (%s)", k.what, k.until, k.why)))
			}
		}
		return b.scheduleEraseRest(tx, user, plan, now)
	})
	if err != nil {
		return Erased{}, nil, err
	}
	return done, kept, nil
}

// erasePerson has the store destroy the person's data key, and takes
// their consents to explore beats off the scenes: a consent is theirs,
// kept on the beat in the scene's record, not sealed under their key.
func erasePerson(tx Tx, req EraseRequest) (Erased, error) {
	done, err := tx.ErasePerson(req)
	if err != nil {
		return done, err
	}
	scenes, err := tx.Scenes()
	if err != nil {
		return done, err
	}
	for _, sc := range scenes {
		changed := false
		for i := range sc.Beats {
			b := &sc.Beats[i]
			n := len(b.Explore)
			b.Explore = slices.DeleteFunc(b.Explore, func(c ExploreConsent) bool { return c.Performer == req.User })
			changed = changed || len(b.Explore) != n
		}
		if changed {
			sc.Version++
			sc.Updated = req.Now
			if err := tx.PutScene(sc); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// compactEffect has the store rewrite its file once an erasure has
// committed, so that the destroyed key does not stay in its free pages
// while icbot runs on (a store without the ability compacts at its next
// start).
func compactEffect(ctx context.Context, b *Bot, _ Command) error {
	b.compactStore()
	return nil
}

// compactStore compacts the store when an erasure or a shredding marked
// it for compaction. Commands wait while it runs; a failure is logged,
// and the next start compacts.
func (b *Bot) compactStore() {
	c, ok := b.store.(Compacter)
	if !ok {
		return
	}
	did, err := c.CompactPending()
	switch {
	case err != nil:
		b.log.Error("compacting the database after an erasure failed; the destroyed keys stay in its free pages until the next start", "err", err)
	case did:
		b.log.Info("compacted the database after an erasure: the destroyed keys are gone from the file")
	}
}

// takedownKey is the key of the reminder that takes down scene's
// department notices after user's erasure.
func takedownKey(scene SceneID, user UserID) string {
	return string(RemindTakedown) + "/" + string(scene) + "/" + string(user)
}

// takedownScene is the scene a takedown reminder's key names.
func takedownScene(key string) SceneID {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) < 3 {
		return ""
	}
	return SceneID(parts[1])
}

// scheduleTakedowns has the departments' notices of every scene user
// performs in taken down at the next start: an erasure made with the
// chat stopped cannot take them down itself, as /icbot erase me does.
func scheduleTakedowns(tx Tx, user UserID, now time.Time) error {
	scenes, err := tx.Scenes()
	if err != nil {
		return err
	}
	for _, sc := range scenes {
		if !sc.IsPerformer(user) {
			continue
		}
		r := Reminder{Kind: RemindTakedown, Key: takedownKey(sc.ID, user), Performer: user, Due: now, State: ReminderPending, Created: now}
		if have, err := tx.ReminderByKey(r.Key); err == nil {
			r.ID = have.ID
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		if _, err := tx.PutReminder(r); err != nil {
			return err
		}
	}
	return nil
}
