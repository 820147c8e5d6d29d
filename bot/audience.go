package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The audience of a channel over time.
//
// What icbot posts to a channel stays readable there: whoever joins later
// reads its history. So icbot keeps an audience ledger of what it posted
// to each channel (class, scene, subject and the platform's reference,
// never the text), and keeps one invariant:
//
//	every reader of a channel may read every post of icbot's still
//	visible there.
//
// The need-to-know gate checks each post against the readers of its
// moment. The rest of the invariant is kept here, whenever readers change:
//
//   - icbot never adds a reader who may not read everything it posted to
//     the channel. The closed-set lock lets in only the roster members who
//     may; the others stay out and the AD is told why ("#scene-12 holds
//     the top-line summary of scene 12"). They still get the roster's DMs.
//   - When a closed set ends, the people the lock took out come back. What
//     was posted during the session that they may not read (the roster
//     post above all) is retracted first: deleted on the platform, kept in
//     the ledger and the audit trail. If it cannot be, the channel stays
//     locked and the AD is told.
//   - Readers icbot did not add (a member invited by hand, a permission
//     changed, a channel made public) and readers whose roles or scenes
//     changed are noticed (platform events, role and cast changes, every
//     start); icbot retracts what they may not read and tells the IC who
//     can now read what.
//
// Posts of a class anyone may read (the set channel's announcements) are
// not recorded: no reader can be refused them.

// channelLocks serializes, per channel, the changes to its history and to
// its readers, so that no post slips in between a check of the readers and
// the widening it allows, nor a new reader between a post's check and the
// post. Entries live only while held, so the map stays as small as the
// work in progress.
type channelLocks struct {
	mu    sync.Mutex
	locks map[ChannelID]*channelLock
}

type channelLock struct {
	mu    sync.Mutex
	users int
}

// lock takes ch's lock and returns its release.
func (c *channelLocks) lock(ch ChannelID) (unlock func()) {
	c.mu.Lock()
	if c.locks == nil {
		c.locks = map[ChannelID]*channelLock{}
	}
	l := c.locks[ch]
	if l == nil {
		l = &channelLock{}
		c.locks[ch] = l
	}
	l.users++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.users--; l.users == 0 {
			delete(c.locks, ch)
		}
		c.mu.Unlock()
	}
}

// readers owns the channel side of need-to-know over time: the per-channel
// locks, and who icbot last knew to read each channel it posted to, so
// that a platform event can be told apart from nothing new.
type readers struct {
	locks channelLocks
	mu    sync.Mutex
	known map[ChannelID][]UserID
	// pending are the channels to check again, and nextSweep when every
	// channel is checked next (checkDue).
	pending   map[ChannelID]pendingCheck
	nextSweep time.Time
}

// readersWere records who read ch after icbot checked it, and returns who
// read it before; known is false when icbot had not checked it since its
// start.
func (a *readers) readersWere(ch ChannelID, now []UserID) (before []UserID, known bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known == nil {
		a.known = map[ChannelID][]UserID{}
	}
	before, known = a.known[ch]
	if now == nil {
		delete(a.known, ch)
	} else {
		a.known[ch] = slices.Clone(now)
	}
	return before, known
}

// recordable reports whether a channel post goes in the ledger: every
// class but those anyone may read.
func recordable(c Class) bool {
	a, ok := needToKnow[c]
	return !ok || !a.anyone
}

// postLabel names a post without its content.
func postLabel(m Message) string {
	if m.Scene != "" {
		return fmt.Sprintf("%s of scene %s", m.Class, m.Scene)
	}
	return m.Class.String()
}

// visible filters the posts still on the platform.
func visible(posts []Post) []Post {
	var out []Post
	for _, p := range posts {
		if p.Visible() {
			out = append(out, p)
		}
	}
	return out
}

// unreadable lists, for each of people, the posts of posts they may not
// read; people who may read them all are left out.
func (b *Bot) unreadable(tx Tx, posts []Post, people []UserID) (map[UserID][]Post, error) {
	out := map[UserID][]Post{}
	abouts := map[SceneID]about{}
	for _, id := range people {
		p, err := personOf(tx, id)
		if err != nil {
			return nil, err
		}
		for _, post := range posts {
			a, seen := abouts[post.Scene]
			if !seen {
				if a, err = loadAbout(tx, post.Scene); err != nil {
					return nil, err
				}
				abouts[post.Scene] = a
			}
			if !b.gate.mayRead(p, post.Class, a, post.Subject) {
				out[id] = append(out[id], post)
			}
		}
	}
	return out, nil
}

// postsText lists posts for the IC or the AD: what they are, never what
// they say.
func postsText(posts []Post) string {
	var parts []string
	for _, p := range posts {
		parts = append(parts, p.What)
	}
	return strings.Join(slices.Compact(parts), "; ")
}

// admit splits people into those who may read everything icbot posted to
// ch and those who may not, with the posts in the way; the caller holds
// ch's lock.
func (b *Bot) admit(ctx context.Context, ch ChannelID, people []UserID) (in []UserID, out map[UserID][]Post, err error) {
	err = b.store.View(ctx, func(tx Tx) error {
		posts, err := tx.Posts(ch)
		if err != nil {
			return err
		}
		out, err = b.unreadable(tx, visible(posts), people)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, u := range people {
		if _, blocked := out[u]; !blocked {
			in = append(in, u)
		}
	}
	return in, out, nil
}

// keptOutText says who a change of readers left out, and why.
func (b *Bot) keptOutText(ctx context.Context, ch ChannelID, out map[UserID][]Post) string {
	ids := make([]UserID, 0, len(out))
	for u := range out {
		ids = append(ids, u)
	}
	slices.Sort(ids)
	var parts []string
	_ = b.store.View(ctx, func(tx Tx) error {
		for _, u := range ids {
			p, err := personOf(tx, u)
			if err != nil {
				return err
			}
			parts = append(parts, p.Handle())
		}
		return nil
	})
	var all []Post
	for _, u := range ids {
		all = append(all, out[u]...)
	}
	slices.SortFunc(all, func(a, b Post) int { return int(a.Seq) - int(b.Seq) })
	all = slices.CompactFunc(all, func(a, b Post) bool { return a.Seq == b.Seq })
	return fmt.Sprintf("%s not let into #%s: it holds the %s, which they may not read. They keep their DMs; the IC may post elsewhere what they need.",
		strings.Join(parts, ", "), ch, postsText(all))
}

// retract deletes posts from ch on the platform and records it, with an
// audit record each; the caller holds ch's lock. It returns the posts it
// could not retract, with the first error.
func (b *Bot) retract(ctx context.Context, ch ChannelID, posts []Post, why string) ([]Post, error) {
	r, ok := b.chat.(Retracter)
	if !ok {
		return posts, Errorf(EUNAVAILABLE, "this chat adapter cannot delete icbot's messages")
	}
	var failed []Post
	var first error
	for _, p := range posts {
		if p.Ref == "" {
			// Recorded before a post that a stop interrupted, or before
			// icbot kept a ledger: it may be on the platform, but icbot
			// cannot tell which message it is.
			failed = append(failed, p)
			if first == nil {
				first = Errorf(EUNAVAILABLE, "a copy may be on the platform (its post was cut short, its answer lost, or it was made before icbot kept a record), and icbot does not know which message it is, so it cannot delete it")
			}
			continue
		}
		if err := r.Retract(ctx, ch, p.Ref); err != nil {
			b.log.Warn("could not retract a post", "channel", string(ch), "post", p.Seq, "class", p.Class.String(), "err", err)
			failed = append(failed, p)
			if first == nil {
				first = err
			}
			continue
		}
		// Recorded even when icbot is stopping: the post is gone.
		err := b.store.Update(context.WithoutCancel(ctx), func(tx Tx) error {
			p.Retracted, p.RetractedFor = b.now(), why
			if err := tx.PutPost(p); err != nil {
				return err
			}
			return tx.Audit(AuditRecord{Time: b.now(), Actor: "icbot", Action: "post.retract", Scene: p.Scene,
				Summary: fmt.Sprintf("%s retracted from channel %s (post %d): %s", p.What, ch, p.Seq, why)})
		})
		if err != nil {
			return append(failed, p), err
		}
	}
	return failed, first
}

// readersChanged checks a channel icbot posted to against its readers now:
// what a reader may not read is retracted, and the IC is told who can now
// read the channel, and what was retracted. cause says what prompted the
// check ("a platform event", "a role change"); quiet checks report only
// when something had to be retracted or could not be. It returns
// transient failures, to try again.
func (b *Bot) readersChanged(ctx context.Context, ch ChannelID, cause string, quiet bool) error {
	unlock := b.audience.locks.lock(ch)
	report, err := b.checkReaders(ctx, ch, cause, quiet)
	unlock()
	if report != "" {
		b.tellRole(ctx, RoleIC, "", ClassChannelReport, report)
	}
	return err
}

// checkReaders does readersChanged's work under ch's lock and returns the
// report for the IC ("" for none).
func (b *Bot) checkReaders(ctx context.Context, ch ChannelID, cause string, quiet bool) (string, error) {
	rc, err := b.lookAtReaders(ctx, ch)
	if err != nil || rc == nil {
		return "", err
	}
	down, why := rc.toTakeDown()
	if len(down) == 0 && (quiet || len(rc.joined) == 0) {
		return "", nil
	}
	var s strings.Builder
	rc.describe(&s, cause, down, why)
	if len(down) == 0 {
		fmt.Fprintf(&s, " Every one of them may read what icbot posted there (%s); nothing was taken down.", postsText(rc.posts))
		return s.String(), nil
	}
	for _, l := range b.takeDown(ctx, ch, down, why, rc.everyone) {
		s.WriteString("\n  " + l)
	}
	return s.String(), nil
}

// readerCheck is what checkReaders found: the channel's visible posts of
// icbot's, who reads the channel now, and what of it each may not read.
type readerCheck struct {
	ch      ChannelID
	posts   []Post
	readers []UserID
	// everyone: the platform no longer says who reads the channel (made
	// public, shared, opened to a role), which is as good as everyone.
	everyone   bool
	membersErr error
	blocked    map[UserID][]Post // by reader, what they may not read
	names      map[UserID]string // the readers' handles
	joined     []string          // handles of readers new since the last check
}

// lookAtReaders asks the platform who reads ch and what of icbot's posts
// there each may not read. It returns nil when there is nothing to check:
// no visible post, or a platform that cannot list members (to which
// nothing sensitive was ever posted).
func (b *Bot) lookAtReaders(ctx context.Context, ch ChannelID) (*readerCheck, error) {
	rc := &readerCheck{ch: ch}
	if err := b.store.View(ctx, func(tx Tx) error {
		all, err := tx.Posts(ch)
		rc.posts = visible(all)
		return err
	}); err != nil || len(rc.posts) == 0 {
		return nil, err
	}
	lister, ok := b.chat.(MemberLister)
	if !ok {
		return nil, nil
	}
	rc.readers, rc.membersErr = lister.Members(ctx, ch)
	if rc.membersErr != nil {
		if _, retry := transient(rc.membersErr, 1); retry {
			return nil, rc.membersErr
		}
		rc.everyone = true
	}
	err := b.store.View(ctx, func(tx Tx) error {
		var err error
		if !rc.everyone {
			if rc.blocked, err = b.unreadable(tx, rc.posts, rc.readers); err != nil {
				return err
			}
		}
		rc.names = map[UserID]string{}
		for _, u := range rc.readers {
			p, err := personOf(tx, u)
			if err != nil {
				return err
			}
			rc.names[u] = p.Handle()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	seen := rc.readers
	if rc.everyone {
		seen = nil
	}
	before, known := b.audience.readersWere(ch, seen)
	for _, u := range rc.readers {
		if known && !slices.Contains(before, u) {
			rc.joined = append(rc.joined, rc.names[u])
		}
	}
	return rc, nil
}

// toTakeDown lists the posts some reader may not read, in post order,
// with why: the readers who may not read each, or, when icbot cannot
// tell who reads the channel, that.
func (rc *readerCheck) toTakeDown() (down []Post, why map[uint64][]string) {
	why = map[uint64][]string{}
	if rc.everyone {
		for _, p := range rc.posts {
			why[p.Seq] = []string{"icbot can no longer tell who reads the channel (" + ErrorMessage(rc.membersErr) + ")"}
		}
		return rc.posts, why
	}
	ids := make([]UserID, 0, len(rc.blocked))
	for u := range rc.blocked {
		ids = append(ids, u)
	}
	slices.Sort(ids)
	for _, u := range ids {
		for _, p := range rc.blocked[u] {
			if !slices.ContainsFunc(down, func(d Post) bool { return d.Seq == p.Seq }) {
				down = append(down, p)
			}
			why[p.Seq] = append(why[p.Seq], rc.names[u])
		}
	}
	slices.SortFunc(down, func(a, b Post) int { return int(a.Seq) - int(b.Seq) })
	return down, why
}

// describe writes the report's first line: the channel, the cause, and
// who reads it now (or that icbot cannot tell).
func (rc *readerCheck) describe(s *strings.Builder, cause string, down []Post, why map[uint64][]string) {
	fmt.Fprintf(s, "#%s: its readers changed (%s).", rc.ch, cause)
	if rc.everyone {
		fmt.Fprintf(s, " %s.", strings.TrimSuffix(why[down[0].Seq][0], "."))
		return
	}
	if len(rc.joined) > 0 {
		fmt.Fprintf(s, " New: %s.", strings.Join(rc.joined, ", "))
	}
	all := make([]string, 0, len(rc.readers))
	for _, u := range rc.readers {
		all = append(all, rc.names[u])
	}
	slices.Sort(all)
	fmt.Fprintf(s, " Who can read it now: %s.", strings.Join(all, ", "))
}

// takeDown retracts each post and returns the report's lines, one per
// kind of post, reason and outcome: two versions of a summary taken down
// for the same reader read as one line.
func (b *Bot) takeDown(ctx context.Context, ch ChannelID, down []Post, why map[uint64][]string, everyone bool) []string {
	var lines []string
	count := map[string]int{}
	for _, p := range down {
		reason := "may not be read by " + strings.Join(why[p.Seq], ", ")
		if everyone {
			reason = why[p.Seq][0]
		}
		failed, rerr := b.retract(ctx, ch, []Post{p}, reason)
		line := fmt.Sprintf("Taken down: the %s\x00, which %s. icbot keeps its record; post it again where its audience alone reads it.", p.What, reason)
		if len(failed) > 0 {
			line = fmt.Sprintf("NOT taken down: the %s\x00 (%s): %s. Delete it by hand, or take them out of the channel.", p.What, reason, ErrorMessage(rerr))
		}
		if count[line] == 0 {
			lines = append(lines, line)
		}
		count[line]++
	}
	for i, l := range lines {
		n := ""
		if count[l] > 1 {
			n = fmt.Sprintf(" (%d posts)", count[l])
		}
		lines[i] = strings.Replace(l, "\x00", n, 1)
	}
	return lines
}

// supersedeEffect takes down, once a newer one is posted, the earlier
// posts of class about scene in ch. It runs after the command's notices
// were sent; when the newest has not gone yet (it waits for a retry),
// nothing is taken down.
func supersedeEffect(ch ChannelID, class Class, scene SceneID) effect {
	return func(ctx context.Context, b *Bot, cmd Command) error {
		unlock := b.audience.locks.lock(ch)
		defer unlock()
		var old []Post
		err := b.store.View(ctx, func(tx Tx) error {
			posts, err := tx.Posts(ch)
			if err != nil {
				return err
			}
			var same []Post
			for _, p := range visible(posts) {
				if p.Class == class && p.Scene == scene {
					same = append(same, p)
				}
			}
			if len(same) < 2 || same[len(same)-1].Ref == "" {
				return nil
			}
			for _, p := range same[:len(same)-1] {
				if p.Ref != "" {
					old = append(old, p)
				}
			}
			return nil
		})
		if err != nil || len(old) == 0 {
			return err
		}
		if failed, err := b.retract(ctx, ch, old, "superseded by a newer notice"); len(failed) > 0 {
			b.log.Warn("could not take down a superseded notice", "channel", string(ch), "err", err)
		}
		return nil
	}
}

// noteReaders records who reads ch after a change icbot made; the caller
// holds ch's lock.
func (b *Bot) noteReaders(ctx context.Context, ch ChannelID) {
	lister, ok := b.chat.(MemberLister)
	if !ok {
		return
	}
	if ids, err := lister.Members(ctx, ch); err == nil {
		b.audience.readersWere(ch, ids)
	}
}
