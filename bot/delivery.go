package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery is a message waiting to be sent. Notices are enqueued in the
// transaction of the change that caused them and removed once sent, so a
// crash between the caller's answer and the notices loses nothing: they
// are sent when icbot is back. A crash between sending and removing sends
// that one message twice.
type Delivery struct {
	ID      uint64
	Message Message
	// Caller is who ran the command, told when a notice cannot be sent.
	Caller UserID
	// Reply is the caller's reply handle, for late replies (ToCaller).
	Reply       string
	Created     time.Time
	Attempts    int
	NextAttempt time.Time
	// LastError says why the last attempt failed, without content.
	LastError string
	// File, when set, asks for a file to be built at delivery time for
	// the recipient, with their roles of then, and sent with Message
	// (FileSender): the outbox holds the request, never the file.
	File *FileRequest
}

// Delivery retry policy: transient failures are retried with doubling
// waits up to maxBackoff, and given up (with the caller told) after
// maxAttempts, which at the cap is over four hours of trying.
const (
	firstBackoff = time.Second
	maxBackoff   = 5 * time.Minute
	maxAttempts  = 60
)

// ErrNotPosted marks a failed post or message that the platform certainly
// did not take: a refusal, a rate limit, a request never sent. A failure
// without it may have posted (a timeout after the request went): icbot
// then counts that attempt as a copy on the platform that it cannot find.
var ErrNotPosted = errors.New("not posted")

// NotPosted marks err as a failure after which nothing is on the platform.
func NotPosted(err error) error {
	if err == nil {
		return nil
	}
	return &notPosted{err: err}
}

type notPosted struct{ err error }

func (e *notPosted) Error() string        { return e.err.Error() }
func (e *notPosted) Unwrap() error        { return e.err }
func (e *notPosted) Is(target error) bool { return target == ErrNotPosted }

// RetryLater marks err as transient: the delivery is tried again after
// the given wait (0: the usual backoff). Adapters use it for rate limits
// and unreachable platforms.
func RetryLater(after time.Duration, err error) error {
	return &retryError{after: after, err: err}
}

type retryError struct {
	after time.Duration
	err   error
}

func (e *retryError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.after, e.err)
}
func (e *retryError) Unwrap() error { return e.err }

// transient reports whether a failed send is worth retrying, and how soon.
// A coded error (other than internal) is the platform's final word, such
// as a missing permission; anything else (network, rate limit) may pass.
func transient(err error, attempts int) (time.Duration, bool) {
	var r *retryError
	if errors.As(err, &r) {
		if r.after > 0 {
			return r.after, true
		}
		return backoff(attempts), true
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return 0, false
	}
	return backoff(attempts), true
}

// Transient reports whether a failure may pass, and how long to wait
// before trying again, for adapters that retry a send of their own (an
// answer sent after the acknowledgement).
func Transient(err error, attempts int) (time.Duration, bool) { return transient(err, attempts) }

func backoff(attempts int) time.Duration {
	d := firstBackoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// enqueue stores screened notices for delivery and returns their ids.
func enqueue(tx Tx, cmd Command, now time.Time, msgs []Message) ([]uint64, error) {
	ids := make([]uint64, 0, len(msgs))
	for _, m := range msgs {
		id, err := tx.Enqueue(Delivery{Message: m, Caller: cmd.Caller, Reply: cmd.ReplyHandle, Created: now, NextAttempt: now})
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// deliverIDs sends the given pending deliveries now, in order: for the
// handlers that queue messages of their own.
func (b *Bot) deliverIDs(ctx context.Context, ids []uint64) { b.outbox.deliver(ctx, ids) }

// notify screens messages, enqueues those that pass and sends them now.
// They are queued even when icbot is stopping, to go at the next start.
func (b *Bot) notify(ctx context.Context, cmd Command, msgs ...Message) {
	b.outbox.notify(ctx, cmd, msgs...)
}

// DeliverDue sends every pending delivery that is due, makes the checks of
// channels' readers that are due, and returns when the next of either
// falls due.
func (b *Bot) DeliverDue(ctx context.Context) (time.Time, error) { return b.outbox.due(ctx) }

// RunDeliveries sends pending deliveries until ctx is done: at once for
// those left by an earlier run, then whenever a retry falls due or a
// follow-up fails.
func (b *Bot) RunDeliveries(ctx context.Context) error { return b.outbox.run(ctx) }

// send makes the delivery-time checks and hands the message to the chat.
// A message to a person is screened again with the roles and rosters of
// now, which may have changed since it was queued (and a tampered queue
// gains nothing). A post to a channel goes only where the platform says
// the channel is private and every reader may read it.
func (b *Bot) send(ctx context.Context, d Delivery) error {
	m := d.Message
	switch m.To.Kind {
	case ToUser, ToCaller:
		ok, err := b.stillAllowed(ctx, m)
		if err != nil {
			return err
		}
		if !ok {
			b.log.Warn("dropped a queued message its recipient may no longer read", "class", m.Class.String(), "scene", string(m.Scene), "to", logDest(m))
			return nil // handled: nothing is sent
		}
		if asksPrivate(m) {
			// The privacy notice goes first: a question queued after it
			// waits while it waits for a retry.
			if err := b.noticeAhead(ctx, d); err != nil {
				return err
			}
		}
		if m.To.Kind == ToUser && d.File != nil {
			return b.sendFile(ctx, m, *d.File)
		}
		if m.To.Kind == ToUser {
			return b.chat.DM(ctx, m.To.User, m)
		}
		if r, ok := b.chat.(Replier); ok {
			if err := r.Reply(ctx, d.Reply, m.To.User, m); !errors.Is(err, ErrReplyExpired) {
				return err
			}
		}
		return b.chat.DM(ctx, m.To.User, m)
	case ToChannel:
		// Nobody joins the channel through icbot between the check of
		// its readers and the post.
		unlock := b.audience.locks.lock(m.To.Channel)
		defer unlock()
		why, err := b.postRefusal(ctx, m)
		if err != nil {
			return err
		}
		if why != "" {
			b.log.Warn("refused to post to a channel", "class", m.Class.String(), "channel", string(m.To.Channel), "scene", string(m.Scene))
			b.outbox.tellCaller(ctx, d, func(scene string) string {
				text := fmt.Sprintf("Not posted to #%s: %s", m.To.Channel, why)
				if scene != "" {
					text += fmt.Sprintf(" (It was about %s.)", scene)
				}
				return text
			})
			// Its readers are not who they were: what icbot posted there
			// before is checked against them at once.
			b.recheckNow(m.To.Channel, "a post to it was refused")
			return nil // handled: nothing is posted, the caller knows
		}
		if !recordable(m.Class) {
			_, err := b.chat.Post(ctx, m.To.Channel, m)
			return err
		}
		return b.postRecorded(ctx, d)
	}
	return Internal(fmt.Errorf("delivery %d has no destination", d.ID))
}

// postRecorded posts d's message and keeps it in the audience ledger. The
// entry is written first, so that a post a stop interrupts still counts
// against new readers; the platform's reference is added once posted. A
// retry of the same delivery finishes the same entry. The caller holds
// the channel's lock.
func (b *Bot) postRecorded(ctx context.Context, d Delivery) error {
	m := d.Message
	var entry Post
	err := b.store.Update(ctx, func(tx Tx) error {
		posts, err := tx.Posts(m.To.Channel)
		if err != nil {
			return err
		}
		// An entry whose last attempt certainly posted nothing is used
		// again; one whose attempt may have posted (cut short by a stop,
		// or its answer lost) stands for that possible copy, and this
		// attempt gets an entry of its own.
		for _, p := range posts {
			if p.Delivery == d.ID && p.Ref == "" && p.Visible() && !p.Tried {
				entry = p
				break
			}
		}
		entry.Tried = true
		if entry.Seq != 0 {
			return tx.PutPost(entry)
		}
		entry = Post{Channel: m.To.Channel, Class: m.Class, Scene: m.Scene, Subject: m.Subject,
			What: postLabel(m), Delivery: d.ID, At: b.now(), Tried: true}
		entry.Seq, err = tx.AddPost(entry)
		return err
	})
	if err != nil {
		return err
	}
	ref, err := b.chat.Post(ctx, m.To.Channel, m)
	switch {
	case err == nil:
		b.closeEntry(ctx, entry, ref, "")
	case !errors.Is(err, ErrNotPosted):
		// It may be on the platform, where icbot cannot find it: the
		// entry stays, counting against new readers, and the IC hears
		// of it whenever someone who may not read it joins.
		b.log.Warn("a post may have reached the channel although it failed; it counts as posted", "channel", string(m.To.Channel), "post", entry.Seq, "err", err)
	case isFinal(err, d.Attempts+1):
		b.closeEntry(ctx, entry, "", "not posted: the platform refused it")
	default:
		b.closeEntry(ctx, entry, "", "")
	}
	return err
}

// isFinal reports whether a failed send will not be tried again.
func isFinal(err error, attempts int) bool {
	_, retry := transient(err, attempts)
	return !retry || attempts >= maxAttempts
}

// closeEntry finishes a ledger entry's attempt: with the platform's
// reference once posted; marked as never posted (unposted says why) when
// it was refused for good; or, with neither, ready for the next attempt,
// nothing having reached the platform.
func (b *Bot) closeEntry(ctx context.Context, p Post, ref PostRef, unposted string) {
	// Recorded even when icbot is stopping: the post is on the platform.
	err := b.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
		p.Tried = false
		switch {
		case unposted != "":
			p.Retracted, p.RetractedFor = b.now(), unposted
		case ref != "":
			p.Ref, p.At = ref, b.now()
		}
		return tx.PutPost(p)
	})
	if err != nil {
		// The entry stays as it was: it still counts against new
		// readers, but icbot cannot retract the post.
		b.log.Error("recording a post in the audience ledger", "channel", string(p.Channel), "post", p.Seq, "err", err)
	}
}

// logDest is where a message goes, as a log line may say it: a person is
// named only for a message anyone with a role may read. Who received a
// hold's confirmation, a withdrawal or a check-in answer, even by failing
// to, is for the IC alone.
func logDest(m Message) string {
	if m.To.Kind == ToChannel {
		return m.To.String()
	}
	if a, ok := needToKnow[m.Class]; ok && (a.anyone || a.crew) {
		return m.To.String()
	}
	switch m.To.Kind {
	case ToCaller:
		return "reply to the caller (withheld)"
	case ToUser:
		return "DM (withheld)"
	}
	return m.To.String()
}

// stillAllowed screens a queued message to a person again, now.
func (b *Bot) stillAllowed(ctx context.Context, m Message) (bool, error) {
	var ok bool
	err := b.store.View(ctx, func(tx Tx) error {
		a, err := loadAbout(tx, m.Scene)
		if err != nil {
			return err
		}
		ok, err = b.gate.allowed(tx, m, a)
		return err
	})
	return ok, err
}

// postRefusal says why m may not be posted to its channel now, with what
// to do about it; "" when it may. A class for private channels needs the
// platform to say the channel is private and every reader in it to be
// allowed to see the class.
func (b *Bot) postRefusal(ctx context.Context, m Message) (string, error) {
	ok, err := channelAllows(ctx, b.chat, m)
	if err != nil {
		return "", err
	}
	if !ok {
		return "it is not a private channel, and this message is for its audience only. Make the channel private (or use another) and try again.", nil
	}
	if needToKnow[m.Class].channel != privateChannel {
		return "", nil
	}
	why, err := b.readersRefusal(ctx, m)
	if why == "" || err != nil {
		return "", err
	}
	return fmt.Sprintf("%s. Everyone in the channel must be allowed to see it (%s): post it to a channel that holds only them, or take the others out.", why, m.Class), nil
}

// readersRefusal asks the platform who can read m's channel and says why
// the post may not go there ("" when everyone may read it). A failure
// that may pass is returned as an error, to try again.
func (b *Bot) readersRefusal(ctx context.Context, m Message) (string, error) {
	lister, ok := b.chat.(MemberLister)
	if !ok {
		return "icbot cannot tell who reads channels on this platform", nil
	}
	ids, err := lister.Members(ctx, m.To.Channel)
	if err != nil {
		if _, retry := transient(err, 1); retry {
			return "", err
		}
		return "icbot cannot tell who reads it (" + ErrorMessage(err) + ")", nil
	}
	// Who read it when icbot last looked, so that a later change made
	// outside icbot can say who is new.
	b.audience.readersWere(m.To.Channel, ids)
	var outsiders []Person
	err = b.store.View(ctx, func(tx Tx) error {
		a, err := loadAbout(tx, m.Scene)
		if err != nil {
			return err
		}
		for _, id := range ids {
			p, err := personOf(tx, id)
			if err != nil {
				return err
			}
			if !b.gate.mayRead(p, m.Class, a, m.Subject) {
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
	return fmt.Sprintf("%s %s in it and may not see it", handles(outsiders), verb), nil
}
