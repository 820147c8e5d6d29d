package bot

import "time"

// Post is one message icbot posted to a channel, as the audience ledger
// keeps it: what kind of information it holds and about whom, never its
// text. Whoever joins a channel later reads its history, so before anyone
// is added to a channel, and whenever its readers change, every post
// still visible there is checked against every reader.
type Post struct {
	Channel ChannelID
	// Seq numbers the channel's posts from 1; the store assigns it.
	Seq     uint64
	Class   Class
	Scene   SceneID
	Subject UserID
	// What names the post for people without its content: "top-line
	// summary version 3", "costume notice".
	What string
	// Ref is the adapter's reference to the message(s) on the platform,
	// with which it can be retracted (PostRef). Empty while it is being
	// posted: the entry is written before the post, so that a post a stop
	// interrupts still counts against new readers.
	Ref PostRef
	// Delivery is the outbox delivery that made the post, so that a retry
	// finishes the same entry when the attempt before certainly posted
	// nothing.
	Delivery uint64
	// Tried is set while an attempt to post is under way; it stays set
	// when the attempt may have posted without icbot learning where (a
	// stop cut it short, or the platform's answer was lost). Such an
	// entry stands for a copy icbot cannot find, and the next attempt
	// gets an entry of its own.
	Tried bool
	At    time.Time
	// Retracted is when icbot deleted the post from the platform because
	// a reader of the channel may not read it; zero while visible.
	Retracted time.Time
	// RetractedFor says why, in words, for the IC and the audit trail.
	RetractedFor string
}

// Visible reports whether the post is still on the platform.
func (p Post) Visible() bool { return p.Retracted.IsZero() }
