package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// outbox sends the messages queued in the store: at once, after the
// change that queued them, and again after a failure that may pass, with
// doubling waits (see transient), until sent or given up. It claims a
// delivery while sending it, so that the follow-up of a command and the
// retry loop never send one twice. What may be sent, and how, is the
// bot's: send makes the checks of delivery time and hands the message to
// the chat.
type outbox struct {
	store Store
	clock Clock
	log   *slog.Logger
	// gate screens what is queued.
	gate gate
	// send makes the checks of delivery time and hands a message to the
	// chat; a failure it returns is retried when it may pass.
	send func(context.Context, Delivery) error
	// others is the rest of the delivery loop's work (the checks of
	// channels' readers); it returns when that next falls due.
	others func(context.Context) time.Time
	// notice puts the privacy notice before a person's private question
	// when it is due (withNotice).
	notice func(Tx, time.Time, []Message) ([]Message, error)

	// mu guards sending: the deliveries being sent right now, and
	// released, closed (and replaced) whenever one is released.
	mu       sync.Mutex
	sending  map[uint64]bool
	released chan struct{}
	// wakeup tells the delivery loop that something changed.
	wakeup chan struct{}
}

// queue screens msgs in tx, the transaction of the change that caused
// them, and stores those that pass for delivery; it returns their ids,
// to deliver once tx is committed. A message the gate refuses is a bug,
// logged without its content.
func (o *outbox) queue(tx Tx, cmd Command, now time.Time, msgs []Message) ([]uint64, error) {
	pass, refused, err := o.gate.screen(tx, msgs)
	if err != nil {
		return nil, err
	}
	for _, m := range refused {
		o.log.Error("need-to-know gate refused a message", "class", m.Class.String(), "to", logDest(m), "scene", string(m.Scene))
	}
	if o.notice != nil {
		if pass, err = o.notice(tx, now, pass); err != nil {
			return nil, err
		}
	}
	return enqueue(tx, cmd, now, pass)
}

// notify screens messages, enqueues those that pass and sends them now.
// They are queued even when icbot is stopping, to go at the next start.
func (o *outbox) notify(ctx context.Context, cmd Command, msgs ...Message) {
	var ids []uint64
	err := o.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		var err error
		ids, err = o.queue(tx, cmd, o.clock().UTC().Truncate(time.Second), msgs)
		return err
	})
	if err != nil {
		o.log.Error("enqueueing a notice", "err", err)
		return
	}
	o.deliver(ctx, ids)
}

// tellCaller screens and enqueues a late reply to the caller of d's
// command, about d's scene when it has one, and sends it. text is told
// of the scene it names, "" when none: when there is one it is named by
// title, which is for the crew.
func (o *outbox) tellCaller(ctx context.Context, d Delivery, text func(scene string) string) {
	m := Message{To: Destination{Kind: ToCaller, User: d.Caller}, Class: ClassPublic, Scene: d.Message.Scene}
	scene := ""
	if m.Scene != "" {
		scene = "scene " + string(m.Scene)
		_ = o.store.View(ctx, func(tx Tx) error {
			sc, err := tx.Scene(m.Scene)
			if err == nil {
				scene, m.Class = sceneNamed(&sc), ClassCrew
			}
			return nil // a scene removed meanwhile is named by its id
		})
	}
	m.Text = text(scene)
	o.notify(ctx, Command{Caller: d.Caller, ReplyHandle: d.Reply}, m)
}

// claim marks deliveries as being sent by this goroutine, so that the
// follow-up of a command and the retry loop never send one twice. It
// returns the ids it claimed.
func (o *outbox) claim(ids []uint64) []uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var got []uint64
	for _, id := range ids {
		if !o.sending[id] {
			o.sending[id] = true
			got = append(got, id)
		}
	}
	return got
}

func (o *outbox) release(id uint64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.sending, id)
	if o.released != nil {
		close(o.released)
	}
	o.released = make(chan struct{})
}

// awaitRelease returns once no goroutine is sending delivery id, or ctx
// is done.
func (o *outbox) awaitRelease(ctx context.Context, id uint64) {
	for {
		o.mu.Lock()
		if !o.sending[id] {
			o.mu.Unlock()
			return
		}
		if o.released == nil {
			o.released = make(chan struct{})
		}
		ch := o.released
		o.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
	}
}

// wake tells the delivery loop that something changed.
func (o *outbox) wake() {
	select {
	case o.wakeup <- struct{}{}:
	default:
	}
}

// deliver sends the given pending deliveries now, in order.
//
// One the retry loop claimed first (it may wake between the commit and
// this call) is waited for while the loop sends it, so that what a
// command says reaches its caller in order before the command's
// follow-up ends: the console's transcript reads as it happened.
func (o *outbox) deliver(ctx context.Context, ids []uint64) {
	for _, id := range ids {
		if len(o.claim([]uint64{id})) == 0 {
			o.awaitRelease(ctx, id)
			continue
		}
		o.attemptClaimed(ctx, id)
		o.release(id)
	}
}

// attemptClaimed reads a delivery this goroutine has claimed, as it is
// now, and attempts it; one already sent (gone) is left alone. Reading it
// under the claim, never using an earlier copy, is what keeps a message
// from being sent twice by the follow-up and the retry loop. It reports
// when to retry, if it will be retried.
func (o *outbox) attemptClaimed(ctx context.Context, id uint64) (time.Time, bool) {
	var d Delivery
	err := o.store.View(ctx, func(tx Tx) error {
		var err error
		d, err = tx.Delivery(id)
		return err
	})
	switch {
	case err == nil:
		return o.attempt(ctx, d)
	case ErrorCode(err) == ENOTFOUND, ctx.Err() != nil:
		// Sent meanwhile; or icbot is stopping, and it stays queued.
	default:
		o.log.Error("reading a pending delivery", "id", id, "err", err)
	}
	return time.Time{}, false
}

// due sends every pending delivery that is due, does the rest of the
// loop's work that is due, and returns when the next of either falls due.
func (o *outbox) due(ctx context.Context) (time.Time, error) {
	var checkNext time.Time
	if o.others != nil {
		checkNext = o.others(ctx)
	}
	next, err := o.deliverDue(ctx)
	if err != nil {
		return next, err
	}
	if next.IsZero() || (!checkNext.IsZero() && checkNext.Before(next)) {
		next = checkNext
	}
	return next, nil
}

// deliverDue sends every pending delivery that is due and returns when
// the next one falls due (zero when none is pending).
func (o *outbox) deliverDue(ctx context.Context) (time.Time, error) {
	var pending []Delivery
	if err := o.store.View(ctx, func(tx Tx) error {
		var err error
		pending, err = tx.Deliveries()
		return err
	}); err != nil {
		return time.Time{}, err
	}
	now := o.clock()
	var next time.Time
	for _, d := range pending {
		if d.NextAttempt.After(now) {
			if next.IsZero() || d.NextAttempt.Before(next) {
				next = d.NextAttempt
			}
			continue
		}
		if len(o.claim([]uint64{d.ID})) == 0 {
			// A command's follow-up is sending it. Should that attempt
			// fail, nothing may wake this loop again: look once more soon.
			if soon := now.Add(firstBackoff); next.IsZero() || soon.Before(next) {
				next = soon
			}
			continue
		}
		if retryAt, retry := o.attemptClaimed(ctx, d.ID); retry && (next.IsZero() || retryAt.Before(next)) {
			next = retryAt
		}
		o.release(d.ID)
	}
	return next, nil
}

// run sends pending deliveries until ctx is done: at once for those left
// by an earlier run, then whenever a retry falls due or a follow-up fails.
func (o *outbox) run(ctx context.Context) error {
	for {
		next, err := o.due(ctx)
		if err != nil && ctx.Err() == nil {
			o.log.Error("delivering pending messages", "err", err)
			next = o.clock().Add(maxBackoff)
		}
		if !sleepUntil(ctx, o.clock, next, o.wakeup) {
			return nil
		}
	}
}

// attempt sends one delivery and records the result: removed when sent or
// abandoned, rescheduled when the failure may pass. It returns when to
// retry, if it will be retried.
func (o *outbox) attempt(ctx context.Context, d Delivery) (time.Time, bool) {
	err := o.send(ctx, d)
	if err == nil {
		o.forget(ctx, d.ID)
		return time.Time{}, false
	}
	d.Attempts++
	wait, retry := transient(err, d.Attempts)
	if retry && d.Attempts < maxAttempts && ctx.Err() == nil {
		d.NextAttempt = o.clock().Add(wait)
		d.LastError = err.Error()
		o.log.Warn("delivery failed; will retry", "id", d.ID, "to", logDest(d.Message), "attempt", d.Attempts, "in", wait, "err", err)
		if perr := o.store.Update(ctx, func(tx Tx) error { return tx.PutDelivery(d) }); perr != nil {
			o.log.Error("recording a failed delivery", "id", d.ID, "err", perr)
		}
		o.wake()
		return d.NextAttempt, true
	}
	if ctx.Err() != nil {
		return time.Time{}, false // shutting down: it stays pending for the next start
	}
	o.log.Error("delivery abandoned", "id", d.ID, "to", logDest(d.Message), "class", d.Message.Class.String(), "attempts", d.Attempts, "err", err)
	o.forget(ctx, d.ID)
	if v, ok := noticeVersionOf(d.Message); ok {
		// Not sent: it goes again before the next question, and the
		// question queued behind it, failing alike, tells the caller.
		o.noticeLost(ctx, d.Message.To.User, v)
		return time.Time{}, false
	}
	if d.Message.To.Kind != ToCaller {
		o.tellCaller(ctx, d, func(scene string) string { return abandonedText(d, err, scene) })
	}
	return time.Time{}, false
}

// abandonedText tells the caller of a command that one of its messages,
// about scene ("" for none), was given up, and what to do instead.
func abandonedText(d Delivery, err error, scene string) string {
	about := ""
	if scene != "" {
		about = " about " + scene
	}
	check := "check that icbot may message them"
	if d.Message.To.Kind == ToChannel {
		check = fmt.Sprintf("check that icbot is in #%s and may post there", d.Message.To.Channel)
	}
	return fmt.Sprintf("Could not deliver a message (%s)%s: %s. It will not be tried again: pass it on another way, and %s.",
		d.Message.To, about, strings.TrimSuffix(ErrorMessage(err), "."), check)
}

// forget removes a delivery sent or given up. It is recorded even when
// icbot is stopping: the message went, and must not go again at the next
// start.
func (o *outbox) forget(ctx context.Context, id uint64) {
	if err := o.store.Update(context.WithoutCancel(ctx), func(tx Tx) error { return tx.DeleteDelivery(id) }); err != nil {
		o.log.Error("removing a sent delivery; it may be sent again", "id", id, "err", err)
	}
}

// sleepUntil waits until next by clock (a day when it is zero: nothing
// pending), or until woken; it reports false when ctx is done.
func sleepUntil(ctx context.Context, clock Clock, next time.Time, wake <-chan struct{}) bool {
	wait := 24 * time.Hour
	if !next.IsZero() {
		wait = max(0, next.Sub(clock()))
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-wake:
	}
	return true
}
