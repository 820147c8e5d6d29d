package bot

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// fireBatch is how many due reminders one transaction sends at most.
const fireBatch = 100

// scheduler sends reminders when they fall due. Reminders are kept as
// data, derived from scenes, riders and sessions (syncReminders, in the
// transaction of the command that changes them), so a change to those
// reschedules or cancels them; the scheduler's loop sleeps until the
// earliest falls due, and queues its messages in the outbox.
type scheduler struct {
	store  Store
	clock  Clock
	log    *slog.Logger
	outbox *outbox
	// compact rewrites the store's file after a shredding or the rest of
	// an erasure (Bot.compactStore).
	compact func()
	// takedown takes down a scene's department notices after an erasure
	// made with the chat stopped (RemindTakedown).
	takedown func(ctx context.Context, scene SceneID) error
	// views are the bot's readings of a scene and its times, as a
	// reminder tells them.
	views sceneViews

	// Settings: the production's zone and rider notice (the bot's), and
	// the reminders' own.
	zone          *time.Location
	riderNotice   time.Duration
	riderWarnings []time.Duration // before a rider's deadline
	grace         time.Duration   // older missed reminders go to the digest instead
	digest        Schedule        // the IC's daily prep digest; nil for none
	wrapHour      int
	wrapMinute    int
	dayReport     bool      // the end-of-day report at the wrap time
	retention     Retention // how long consent records are kept after wrap; zero for ever
	wrapDate      string    // from configuration, YYYY-MM-DD; "" for the one recorded in the store

	// wakeup tells the loop that reminders changed.
	wakeup chan struct{}
	// people is everyone, as the loop last read them.
	people keptPeople
}

// sceneViews is what the scheduler reads through the bot: a scene's
// readiness and riders, times as people read them, and the IC's digest.
type sceneViews interface {
	readinessOf(tx Tx, sc *Scene, now time.Time) (readiness, error)
	eraseRest(tx Tx, r *Reminder, now time.Time) ([]Message, error)
	riderOf(sc *Scene, performer UserID, r *Rider, now time.Time) riderView
	riderLine(p Person, r riderView, full bool) string
	fmtTime(t time.Time) string
	fmtClock(t time.Time) string
	digestText(tx Tx, now time.Time) (string, error)
	dayReportMessages(tx Tx, date string, now time.Time) ([]Message, error)
}

// newScheduler is a scheduler with the default settings, for options to
// change; New gives it the rest.
func newScheduler() *scheduler {
	return &scheduler{
		riderWarnings: []time.Duration{7 * 24 * time.Hour, 72 * time.Hour, 24 * time.Hour},
		grace:         24 * time.Hour,
		wrapHour:      19,
		wakeup:        make(chan struct{}, 1),
	}
}

// wake tells the reminder loop that reminders changed.
func (s *scheduler) wake() {
	select {
	case s.wakeup <- struct{}{}:
	default:
	}
}

// wakeReminders tells the reminder loop that reminders changed: for the
// router, after a command that changed some.
func (b *Bot) wakeReminders() { b.reminders.wake() }

// syncReminders brings a scene's reminders in line with its data, in the
// caller's transaction (see scheduler.syncReminders): for the router, in
// the transaction of every command that writes a scene.
func (b *Bot) syncReminders(tx Tx, id SceneID, now time.Time) (bool, error) {
	return b.reminders.syncReminders(tx, id, now)
}

// RunReminders is the one timer loop: it sleeps until the earliest pending
// reminder falls due, or until reminders change, then sends what is due.
// Reminders that fell due while icbot was down are sent at once; those more
// than the grace period late are listed as missed in the next digest
// instead, except an overdue rider's escalation, which is sent late all
// the same. Nothing is lost: a reminder is marked sent in the transaction
// that queues its messages, and the delivery queue does the sending.
//
// A start derives no scene's reminders unless their inputs changed (see
// StartReminders); then it derives them a batch at a time, sending what
// falls due between two batches, so that neither commands nor due
// reminders wait for the whole.
//
// A failure to start (a record that cannot be read) does not end the loop:
// it is logged, and tried again every minute, so that one damaged record
// does not silence every reminder of the production until a restart.
func (b *Bot) RunReminders(ctx context.Context) error { return b.reminders.run(ctx) }

// FireReminders sends every reminder due now and returns when the next
// falls due (zero when none is pending).
func (b *Bot) FireReminders(ctx context.Context) (time.Time, error) { return b.reminders.fireAll(ctx) }

func (s *scheduler) run(ctx context.Context) error {
	for {
		since := s.clock()
		owed, err := s.start(ctx)
		if err == nil && owed != owesNothing {
			err = s.deriveAll(ctx, since, func() {
				if _, err := s.fireAll(ctx); err != nil && ctx.Err() == nil {
					s.log.Error("sending reminders", "err", err)
				}
			})
		}
		if ctx.Err() != nil {
			return nil // stopped: not a failure
		}
		if err == nil {
			break
		}
		s.log.Error("starting reminders; trying again in a minute", "err", err)
		if !sleepUntil(ctx, s.clock, s.clock().Add(time.Minute), s.wakeup) {
			return nil
		}
	}
	for {
		next, err := s.fireAll(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("sending reminders", "err", err)
			next = s.clock().Add(time.Minute)
		}
		if !sleepUntil(ctx, s.clock, next, s.wakeup) {
			return nil
		}
	}
}

// fireAll sends every reminder due now and returns when the next falls
// due (zero when none is pending). It looks in a read first, so that
// waking with nothing due, as after every command that changes reminders,
// writes nothing and waits for no sync to disk.
func (s *scheduler) fireAll(ctx context.Context) (time.Time, error) {
	for {
		next, err := s.nextReminder(ctx)
		if err != nil || next.IsZero() || next.After(s.clock()) {
			return next, err
		}
		if err := s.fireDue(ctx); err != nil {
			return time.Time{}, err
		}
	}
}

// nextReminder is when the earliest pending reminder falls due (its retry,
// when it waits for one); zero when none is pending.
func (s *scheduler) nextReminder(ctx context.Context) (time.Time, error) {
	var next time.Time
	err := s.store.View(ctx, func(tx Tx) error {
		r, ok, err := tx.NextReminder()
		if ok {
			next = maxTime(r.Due, r.NextAttempt)
		}
		return err
	})
	return next, err
}

// fireDue sends up to fireBatch reminders due now, in one transaction
// that marks them and queues their messages, then delivers those.
func (s *scheduler) fireDue(ctx context.Context) error {
	var ids []uint64
	var shredded bool
	var takedowns []SceneID
	err := s.store.Update(ctx, func(btx Tx) error {
		shredded, takedowns = false, nil
		tx := &peopleOnce{Tx: btx, kept: &s.people}
		now := s.clock()
		due, err := tx.DueReminders(now, fireBatch)
		if err != nil {
			return err
		}
		var msgs []Message
		for _, r := range due {
			if r.Kind == RemindTakedown {
				// Done once the transaction has committed: taking a post
				// down is the platform's work.
				r.State, r.SentAt = ReminderSent, now
				if _, err := tx.PutReminder(r); err != nil {
					return err
				}
				takedowns = append(takedowns, takedownScene(r.Key))
				continue
			}
			m, err := s.fire(tx, &r, now)
			if err != nil {
				return err
			}
			msgs = append(msgs, m...)
			if _, err := tx.PutReminder(r); err != nil {
				return err
			}
			shredded = shredded || r.Kind == RemindRetentionShred || r.Kind == RemindEraseRest
			if r.Kind == RemindDigest {
				if _, err := s.syncDigest(tx, now); err != nil {
					return err
				}
			}
			if r.Kind == RemindDayReport {
				if _, err := s.syncDayReport(tx, now); err != nil { // the next day's
					return err
				}
			}
			if r.Scene != "" && r.Kind == RemindWrap {
				if _, err := s.syncReminders(tx, r.Scene, now); err != nil { // the next day's wrap time
					return err
				}
			}
		}
		if len(msgs) == 0 {
			return nil
		}
		caller, err := icCaller(tx)
		if err != nil {
			return err
		}
		ids, err = s.outbox.queue(tx, Command{Caller: caller}, now, msgs)
		return err
	})
	if err != nil {
		return err
	}
	if shredded && s.compact != nil {
		s.compact()
	}
	for _, scene := range takedowns {
		if s.takedown != nil && scene != "" {
			if err := s.takedown(ctx, scene); err != nil {
				s.log.Error("taking down the departments' notices of a scene after an erasure", "scene", string(scene), "err", err)
			}
		}
	}
	s.outbox.deliver(ctx, ids)
	return nil
}

// peopleOnce is a transaction that reads everyone at most once. Sending
// a reminder looks for the holders of several roles (the IC, producers,
// ADs, and the IC again as the caller of its deliveries), and each look
// reads everyone. One read serves them all, and the loop keeps it for
// the reminders that come after, one transaction each, until the store
// says people changed (PeopleVersion).
type peopleOnce struct {
	Tx
	kept   *keptPeople
	people []Person
	read   bool
	wrote  bool // people written in this transaction: nothing is kept
}

// keptPeople is everyone as the reminder loop last read them, and the
// store's PeopleVersion then.
type keptPeople struct {
	mu      sync.Mutex
	version uint64
	people  []Person
	ok      bool
}

func (t *peopleOnce) People() ([]Person, error) {
	if !t.read {
		ps, err := t.load()
		if err != nil {
			return nil, err
		}
		t.people, t.read = ps, true
	}
	out := make([]Person, len(t.people))
	for i, p := range t.people {
		p.Roles = slices.Clone(p.Roles)
		out[i] = p
	}
	return out, nil
}

func (t *peopleOnce) load() ([]Person, error) {
	if t.wrote || t.kept == nil {
		return t.Tx.People()
	}
	v, err := t.Tx.PeopleVersion()
	if err != nil {
		return nil, err
	}
	k := t.kept
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ok && k.version == v {
		return k.people, nil
	}
	ps, err := t.Tx.People()
	if err != nil {
		return nil, err
	}
	k.version, k.people, k.ok = v, ps, true
	return ps, nil
}

func (t *peopleOnce) PutPerson(p Person) error {
	t.read, t.wrote = false, true
	return t.Tx.PutPerson(p)
}

func (t *peopleOnce) DeletePerson(id UserID) error {
	t.read, t.wrote = false, true
	return t.Tx.DeletePerson(id)
}

// icCaller is who stands as the caller of icbot's own deliveries
// (reminders, top-line refreshes), and so is told when one cannot be
// delivered: the production's IC, the first by id when there are several,
// or icbot itself when there is none.
func icCaller(tx Tx) (UserID, error) {
	ics, err := holders(tx, RoleIC)
	if err != nil || len(ics) == 0 {
		return "icbot", err
	}
	return slices.MinFunc(ics, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) }).ID, nil
}

// fire works out one due reminder's messages and marks it sent, or missed
// when it is more than the grace period late. An overdue rider is never
// missed: the scene must not look ready because icbot was down, so the
// escalation goes out late, saying so. A reminder its scene no longer
// calls for is cancelled instead: the scene was removed, or its call
// passed before a reminder leading up to it could be sent.
func (s *scheduler) fire(tx Tx, r *Reminder, now time.Time) ([]Message, error) {
	var sc *Scene
	if r.Scene != "" {
		got, err := tx.Scene(r.Scene)
		if ErrorCode(err) == ENOTFOUND {
			r.State = ReminderCancelled
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		sc = &got
		if leadsUp(r.Kind) && !upcoming(sc, now) {
			r.State = ReminderCancelled
			return nil, nil
		}
	}
	if r.Kind == RemindEraseRest {
		return s.views.eraseRest(tx, r, now)
	}

	late := now.Sub(maxTime(r.Due, r.NextAttempt)) > s.grace
	if late && (r.Kind == RemindRiderOverdue || retentionKind(r.Kind)) {
		s.log.Warn("reminder sent late: icbot was down", "id", r.ID, "kind", string(r.Kind), "due", r.Due)
	} else if late {
		r.State = ReminderMissed
		if r.Kind == RemindDigest || r.Kind == RemindWrap {
			r.SentAt = now // stale news: not worth listing in the next digest
		}
		s.log.Warn("reminder missed while icbot was down", "id", r.ID, "kind", string(r.Kind), "due", r.Due)
		return nil, nil
	}
	r.State, r.SentAt = ReminderSent, now
	switch r.Kind {
	case RemindRiderWarning, RemindRiderOverdue:
		return s.riderReminder(tx, sc, r, now, late)
	case RemindCheckIn:
		text := fmt.Sprintf("Your %s is tomorrow at %s. Are your boundaries unchanged? Answer with a button, or type /reminders answer %d ok or /reminders answer %d talk. Only the IC hears what you say.",
			sceneNamed(sc), s.views.fmtClock(sc.Call), r.ID, r.ID)
		return []Message{s.ask(r, sc, text, "Unchanged", "I want to talk to the IC")}, nil
	case RemindAftercare:
		text := fmt.Sprintf("How are you after yesterday's closed set for %s? If anything is on your mind, the IC is there for you. Answer with a button, or type /reminders answer %d ok or /reminders answer %d talk; only the IC hears it.",
			sceneNamed(sc), r.ID, r.ID)
		return []Message{s.ask(r, sc, text, "I'm fine", "I'd like to talk to the IC")}, nil
	case RemindWrap:
		if !sc.Filming() || sc.Session != r.Session {
			r.State = ReminderCancelled
			return nil, nil
		}
		sess, err := tx.Session(sc.ID, sc.Session)
		if err != nil {
			return nil, err
		}
		text := fmt.Sprintf("It is wrap time (%02d:%02d) and the closed set for %s is still open, since %s. End it with /closedset end %s when the set is clear.",
			s.wrapHour, s.wrapMinute, sceneNamed(sc), s.views.fmtTime(sess.StartedAt), sc.ID)
		return s.toRoles(tx, ClassRoster, sc.ID, text, RoleAD, RoleIC)
	case RemindDigest:
		text, err := s.views.digestText(tx, now)
		if err != nil {
			return nil, err
		}
		text += "\n\nNext: /scene show ID shows a scene in full, /rider status ID its riders and /boundaries status ID its consent; /reminders list lists what falls due."
		return s.toRoles(tx, ClassBoundaries, "", text, RoleIC)
	case RemindDayReport:
		return s.views.dayReportMessages(tx, dayReportDate(r), now)
	case RemindRetentionWarning:
		return s.retentionWarning(tx, r, now)
	case RemindRetentionShred:
		return s.retentionShred(tx, r, now)
	}
	return nil, nil
}

// ask is a check-in question to a performer, with answer buttons.
func (s *scheduler) ask(r *Reminder, sc *Scene, text, okLabel, talkLabel string) Message {
	return Message{
		To: Destination{Kind: ToUser, User: r.Performer}, Class: ClassSceneDetail, Scene: sc.ID, Subject: r.Performer, Text: text,
		Actions: []Action{
			{Label: okLabel, Command: fmt.Sprintf("/reminders answer %d ok", r.ID)},
			{Label: talkLabel, Command: fmt.Sprintf("/reminders answer %d talk", r.ID)},
		},
	}
}

// toRoles addresses a DM to everyone holding any of roles.
func (s *scheduler) toRoles(tx Tx, c Class, scene SceneID, text string, roles ...Role) ([]Message, error) {
	var out []Message
	seen := map[UserID]bool{}
	for _, r := range roles {
		ps, err := holders(tx, r)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, Message{To: Destination{Kind: ToUser, User: p.ID}, Class: c, Scene: scene, Text: text})
			}
		}
	}
	return out, nil
}

// riderReminder warns of a rider deadline, or escalates one passed: in
// full to the IC, without dates to producers (and ADs, for the escalation),
// who see rider status only. An overdue rider marks the scene not ready.
// An escalation sent late (icbot was down past the grace period) says so,
// with the time it was due for the IC alone.
func (s *scheduler) riderReminder(tx Tx, sc *Scene, r *Reminder, now time.Time, late bool) ([]Message, error) {
	rider, err := tx.Rider(sc.ID, r.Performer)
	var rp *Rider
	if err == nil {
		rp = &rider
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	view := s.views.riderOf(sc, r.Performer, rp, now)
	if view.Ready() || !view.Deadline.Equal(r.Limit) {
		r.State = ReminderCancelled // signed meanwhile, or the call moved
		return nil, nil
	}
	p, err := personOf(tx, r.Performer)
	if err != nil {
		return nil, err
	}
	var icText, others string
	var otherRoles []Role
	named, status := sceneNamed(sc), fmt.Sprintf("/rider status %s shows where the riders stand.", sc.ID)
	if r.Kind == RemindRiderWarning {
		left := spanText(view.Deadline.Sub(now))
		then := " At the deadline, unless it is recorded as signed, the scene is marked not ready and the producers and ADs are told."
		next, ok, err := s.nextWarning(tx, r, now)
		if err != nil {
			return nil, err
		}
		if ok {
			then = fmt.Sprintf(" Next warning: #%d, %s (/reminders snooze %d 2h moves it later).", next.ID, s.views.fmtTime(next.Due), next.ID)
		}
		icText = fmt.Sprintf("Rider deadline in %s, %s: %s. %s%s",
			left, named, s.views.riderLine(p, view, true), riderNextStep(sc, p, view.State), then)
		others = fmt.Sprintf("%s: the nudity rider of %s is not signed yet and its deadline is near (in about %s). The IC is on it; %s",
			capitalFirst(named), p.Handle(), left, status)
		otherRoles = []Role{RoleProducer}
	} else {
		icText = fmt.Sprintf("OVERDUE: the rider deadline for %s has passed without a signed rider: %s. The scene is marked not ready. %s Then, with the call at least %s after the rider reached them (move it with /scene set %s call=\"YYYY-MM-DD HH:MM\" if need be), mark the scene ready with /scene set %s status=ready.",
			named, s.views.riderLine(p, view, true), riderNextStep(sc, p, view.State), spanText(s.riderNotice), sc.ID, sc.ID)
		others = fmt.Sprintf("%s is not ready: the nudity rider of %s was not signed by its %s deadline. Talk to the IC before it is shot; %s",
			capitalFirst(named), p.Handle(), spanAdjective(s.riderNotice), status)
		otherRoles = []Role{RoleProducer, RoleAD}
		if late {
			icText = fmt.Sprintf("(Sent late: icbot was offline when this fell due, %s.) ", s.views.fmtTime(r.Due)) + icText
			others += " (Sent late: icbot was offline when this fell due.)"
		}
		if sc.Status == StatusReady {
			sc.Status, sc.Version, sc.Updated = StatusDraft, sc.Version+1, now
			if err := tx.PutScene(*sc); err != nil {
				return nil, err
			}
			if err := tx.Audit(AuditRecord{Time: now.UTC().Truncate(time.Second), Actor: "icbot", Action: "scene.not-ready", Scene: sc.ID,
				Summary: fmt.Sprintf("scene %s marked not ready: a rider deadline passed unsigned", sc.ID)}); err != nil {
				return nil, err
			}
		}
	}
	msgs, err := s.toRoles(tx, ClassRiderDetail, sc.ID, icText, RoleIC)
	if err != nil {
		return nil, err
	}
	more, err := s.toRoles(tx, ClassReadiness, sc.ID, others, otherRoles...)
	if err != nil {
		return nil, err
	}
	for _, m := range more {
		if !slices.ContainsFunc(msgs, func(x Message) bool { return x.To.User == m.To.User }) {
			msgs = append(msgs, m) // an IC who is also a producer hears it once
		}
	}
	return msgs, nil
}

// nextWarning is the pending warning that follows r for the same rider,
// earliest first; ok is false when only the escalation is left. It looks
// up the keys the derivation gives them, not every reminder of the scene.
func (s *scheduler) nextWarning(tx Tx, r *Reminder, now time.Time) (next Reminder, ok bool, err error) {
	for _, w := range s.riderWarnings {
		key := reminderKey(RemindRiderWarning, r.Scene, r.Performer, r.Limit, w)
		got, err := tx.ReminderByKey(key)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			continue
		case err != nil:
			return Reminder{}, false, err
		}
		if got.ID == r.ID || got.State != ReminderPending || !got.Due.After(now) {
			continue
		}
		if !ok || got.Due.Before(next.Due) {
			next, ok = got, true
		}
	}
	return next, ok, nil
}
