package bot

import (
	"context"
	"errors"
	"time"
)

// Store keeps icbot's state. Every use case runs in exactly one transaction:
// a state change and its audit record commit together or not at all.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committed (and synced to
	// disk) when fn returns nil and rolled back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction on the store. Values returned are copies: changing
// them changes nothing until they are put back.
type Tx interface {
	// Production returns the production's stored settings; the zero value
	// before any were stored.
	Production() (ProductionInfo, error)
	// PutProduction replaces the production's settings.
	PutProduction(ProductionInfo) error

	// Person returns the person with id; ENOTFOUND when unknown.
	Person(id UserID) (Person, error)
	// People lists everyone in byte order of id.
	People() ([]Person, error)
	// PutPerson adds or replaces the person with the same ID.
	PutPerson(Person) error
	// DeletePerson removes a person; ENOTFOUND when unknown.
	DeletePerson(id UserID) error
	// PeopleVersion changes whenever a person is put or removed, so that
	// what was read of people may be kept until it does.
	PeopleVersion() (uint64, error)

	// Scene returns the scene with id; ENOTFOUND when unknown.
	Scene(id SceneID) (Scene, error)
	// Scenes lists every scene in byte order of id ("10" before "9").
	Scenes() ([]Scene, error)
	// SceneIDs lists every scene's id in byte order, without reading the
	// scenes.
	SceneIDs() ([]SceneID, error)
	// PutScene adds or replaces the scene with the same ID.
	PutScene(Scene) error
	// DeleteScene removes a scene, its boundaries and its riders, but keeps
	// its sessions and reminders on record; ENOTFOUND when unknown.
	DeleteScene(id SceneID) error

	// Session returns a scene's closed-set session seq; ENOTFOUND when unknown.
	Session(scene SceneID, seq uint64) (Session, error)
	// Sessions lists a scene's sessions, oldest first (numbered from 1).
	Sessions(scene SceneID) ([]Session, error)
	// LatestSessions lists the latest session of every scene that has
	// had one, by scene id, deleted scenes' included.
	LatestSessions() ([]Session, error)
	// PutSession adds or replaces session Seq of its scene.
	PutSession(Session) error

	// Audit appends a record to the audit chain; the store assigns its
	// sequence number and hash.
	Audit(AuditRecord) error
	// AuditLen is the number of records in the audit chain.
	AuditLen() (uint64, error)

	// Boundaries returns a performer's latest answers for a scene;
	// ENOTFOUND when they never answered.
	Boundaries(scene SceneID, performer UserID) (Boundaries, error)
	// BoundariesHistory lists every version, oldest first.
	BoundariesHistory(scene SceneID, performer UserID) ([]Boundaries, error)
	// AddBoundaries stores a new version; its Version must be one more than
	// the latest (1 for the first).
	AddBoundaries(Boundaries) error
	// Rider returns a performer's rider for a scene; ENOTFOUND when none.
	Rider(scene SceneID, performer UserID) (Rider, error)
	// Riders lists a scene's riders in byte order of performer id.
	Riders(scene SceneID) ([]Rider, error)
	// PutRider adds or replaces a rider.
	PutRider(Rider) error

	// Reminder returns a reminder by id; ENOTFOUND when unknown.
	Reminder(id uint64) (Reminder, error)
	// ReminderByKey returns the reminder derived under key; ENOTFOUND
	// when none was.
	ReminderByKey(key string) (Reminder, error)
	// SceneReminders lists a scene's reminders, every state, by id.
	SceneReminders(scene SceneID) ([]Reminder, error)
	// PutReminder adds a reminder (ID 0: the store numbers it) or replaces
	// one, and returns its id. Keys are unique; a reminder is never
	// deleted, only cancelled.
	PutReminder(Reminder) (uint64, error)
	// DueReminders lists pending reminders due at or before t, earliest
	// first, at most limit of them (no limit when limit <= 0). A reminder
	// waiting for a retry is due at its NextAttempt.
	DueReminders(t time.Time, limit int) ([]Reminder, error)
	// NextReminder returns the earliest pending reminder; false when none.
	NextReminder() (Reminder, bool, error)
	// MissedReminders lists reminders marked missed and not yet reported.
	MissedReminders() ([]Reminder, error)
	// ReminderInputs returns the stamp of the inputs from configuration
	// that every scene's reminders were last derived with; "" when none
	// is recorded, and they must all be derived again.
	ReminderInputs() (string, error)
	// PutReminderInputs records that stamp; "" asks for every scene's
	// reminders to be derived again at the next start (after scenes
	// were written other than by commands).
	PutReminderInputs(string) error

	// Enqueue stores a message for delivery, in the same transaction as
	// the change that caused it, and returns its id (1, 2, ...).
	Enqueue(Delivery) (uint64, error)
	// Delivery returns a pending delivery; ENOTFOUND once it is gone.
	Delivery(id uint64) (Delivery, error)
	// Deliveries lists the messages not yet delivered, oldest first.
	Deliveries() ([]Delivery, error)
	// PutDelivery records a failed attempt on a pending delivery.
	PutDelivery(Delivery) error
	// DeleteDelivery removes a delivered or abandoned message; removing
	// one that is already gone is not an error.
	DeleteDelivery(id uint64) error

	// FirstSeen records that the request key was handled at now and
	// reports whether this is the first time. Written in the transaction
	// of the request's effect, so that a repeated request has none and a
	// request that failed may be tried again. Keys are forgotten after a
	// day.
	FirstSeen(key string, now time.Time) (bool, error)

	// Notice returns what is recorded of a person's privacy notice;
	// ENOTFOUND when nothing is.
	Notice(id UserID) (NoticeState, error)
	// Notices lists what is recorded of everyone's privacy notice, in
	// byte order of id.
	Notices() ([]NoticeState, error)
	// PutNotice adds or replaces the record of st.User's privacy notice.
	PutNotice(st NoticeState) error

	// ShredPersonKeys destroys every person's data key, as at the end of
	// the retention after wrap: every field sealed under one (boundaries,
	// rider terms, hold reasons, notes) then reads as "[erased]". Names
	// are kept. It returns how many keys it destroyed; an EUNAVAILABLE
	// error says why none can be (a store that seals nothing).
	ShredPersonKeys(now time.Time) (int, error)

	// AddPost records a message icbot posted to a channel in the audience
	// ledger and returns its number in that channel (1, 2, ...).
	AddPost(Post) (uint64, error)
	// Posts lists what icbot posted to a channel, oldest first, retracted
	// posts included.
	Posts(ch ChannelID) ([]Post, error)
	// PutPost replaces a post of the ledger (to record its retraction).
	PutPost(Post) error
	// PostChannels lists the channels with at least one post not
	// retracted, in byte order.
	PostChannels() ([]ChannelID, error)

	// ErasePerson destroys the data key of req.User, so that every
	// sealed field about them reads as "[erased]", except the records
	// req.Keep names, which it seals again first under a new key of
	// theirs; renames them to a pseudonym, drops the messages queued to
	// them, records it in the audit trail and marks the file to be
	// compacted (at the next open, or when the store is closed). An
	// ENOTFOUND error says the store holds nothing about them.
	ErasePerson(req EraseRequest) (Erased, error)
}

// EraseRequest is what ErasePerson is asked to do.
type EraseRequest struct {
	User  UserID
	Actor UserID
	Now   time.Time
	// Keep are the records the production must still keep: sealed
	// again under a new key of the person, which a later erasure
	// destroys.
	Keep []KeepRecord
	// Summary ends the audit record's summary; it names no content.
	Summary string
}

// KeepRecord names a record about the person that an erasure keeps: the
// rider, and the latest version of the boundaries, of a scene.
type KeepRecord struct {
	Scene      SceneID
	Rider      bool
	Boundaries bool
}

// Erased says what ErasePerson did.
type Erased struct {
	// Pseudonym is the name the person now has ("erased-1").
	Pseudonym string
	// Already is set when their key had been erased before, and nothing
	// was sealed under a new one since: only the name was done again.
	Already bool
	// Dropped is how many queued messages to them were dropped.
	Dropped int
	// Kept is how many records were sealed again under a new key.
	Kept int
}

// ProductionInfo is the production-wide state kept in the store.
type ProductionInfo struct {
	Name string
	// Zone is the IANA name of the production's time zone, in which call
	// times are typed and shown (from configuration; kept to notice a change).
	Zone string
	// Seeded records that the console demo was written, so it is written once.
	Seeded bool
	// DeptChannels are the departments' private channels for their notices
	// (costume, hmu, props, stunts).
	DeptChannels map[Role]ChannelID
	// WrapDate is the day the production wrapped, YYYY-MM-DD, as `icbot
	// wrap` recorded it; "" when it did not. production.wrap_date in the
	// configuration takes precedence.
	WrapDate string
	// NoticeFor is a digest of what the privacy notice says of how long
	// icbot keeps a person's data, as last sent; NoticeRevision counts
	// its changes, each a new version of the notice (see notice.go).
	NoticeFor      string
	NoticeRevision int
	// Cast maps the script's characters (as the script names them, upper
	// case) to the performers who play them, for the whole production
	// (/scene cast): a confirmed beat of the script knows its performers.
	Cast map[string]UserID
}

// NoticeState is what icbot records of a person's privacy notice (see
// notice.go): the version last sent to them and when, and the version
// they last acknowledged and when (0 and the zero time for none).
type NoticeState struct {
	User    UserID
	Sent    int
	SentAt  time.Time
	Acked   int
	AckedAt time.Time
}

// Chat is what every chat adapter provides to the bot: post to a channel,
// message a person privately, and say whether a channel is private.
// Replies to the person who typed a command travel back in the Outcome
// that Bot.Handle returns (late ones through Replier), not through Chat.
type Chat interface {
	// Post sends a message to a channel as it is, and returns the
	// platform's reference to what it posted, for Retracter. Need-to-know
	// checks have already been made by the bot.
	Post(ctx context.Context, ch ChannelID, m Message) (PostRef, error)
	// DM sends a message to one person privately.
	DM(ctx context.Context, to UserID, m Message) error
	// IsPrivate reports whether only invited members can read ch. An
	// ENOTFOUND error says the platform has no such channel for icbot.
	IsPrivate(ctx context.Context, ch ChannelID) (bool, error)
}

// FileSender is an optional Chat ability: send one person a file
// privately, with a message that says what it is (a Slack upload into the
// DM, a Discord attachment, a file written beside the console's database
// and its path). The bot builds the file for that person, through the
// need-to-know gate, just before it calls SendFile. An adapter without it
// gets /report scene refused, with the command line's icbot export named
// instead.
type FileSender interface {
	// SendFile sends f with m's text to the person privately. Failures
	// are reported as for DM: RetryLater for those that may pass, a
	// coded error for the platform's final word.
	SendFile(ctx context.Context, to UserID, f File, m Message) error
}

// File is a document icbot sends a person: its name ("scene-12.md"), its
// media type and its bytes.
type File struct {
	Name string
	Type string
	Data []byte
}

// PostRef is an adapter's reference to a message it posted (a Slack
// timestamp, a Discord message id; several, for a message posted in
// parts). Opaque to the domain; kept in the audience ledger.
type PostRef string

// Retracter is an optional Chat ability: delete a message icbot posted.
// The bot retracts its own posts from a channel whose readers now include
// someone who may not read them. An adapter without it cannot retract:
// the bot then refuses to add such readers itself and tells the IC when
// others do.
type Retracter interface {
	// Retract deletes the message(s) ref names from ch. A message already
	// gone is not an error.
	Retract(ctx context.Context, ch ChannelID, ref PostRef) error
}

// Replier is an optional Chat ability: send a late reply that only the
// caller sees, through the reply handle the adapter put in the Command
// (Slack's response_url, a Discord interaction token). An adapter without
// it, or a handle that has expired (ErrReplyExpired), gets a DM instead.
type Replier interface {
	Reply(ctx context.Context, handle string, to UserID, m Message) error
}

// ErrReplyExpired is returned by Replier.Reply when the handle can no
// longer be used; the bot then sends the reply by DM.
var ErrReplyExpired = errors.New("reply handle expired")

// Locker is an optional Chat ability: restrict a channel to a roster for a
// closed set, and undo it. An adapter without it leaves closed sets
// announced and logged but not enforced by the platform.
type Locker interface {
	// Lock makes ch readable by roster (and the bot) only. It is also
	// called again when the roster changes during a session, with the
	// record of the earlier call in prev, and must then reconcile. It
	// returns the whole new record for Unlock. An EUNAVAILABLE error says
	// in words what permission or setting is missing.
	Lock(ctx context.Context, ch ChannelID, roster []UserID, prev LockResult) (LockResult, error)
	// Unlock undoes every Lock of the session exactly.
	Unlock(ctx context.Context, ch ChannelID, lock LockResult) error
}

// LockResult is what a Locker changed on a channel, so it can be undone.
type LockResult struct {
	// Removed are the members the lock took out, restored by Unlock.
	Removed []UserID
	// Restore is the adapter's own record, such as saved permissions.
	Restore []byte
}

// MemberLister is an optional Chat ability: list everyone who can read a
// channel. Before a message meant for a limited audience (a top-line
// summary, a department's notes) is posted to a channel, the bot checks
// that every reader is in that audience; a private channel with the wrong
// people in it is refused like a public one. An adapter without it, or one
// that cannot tell (an error), gets such posts refused.
type MemberLister interface {
	// Members lists the people who can read ch, the bot itself excluded.
	// It returns an EUNAVAILABLE error, in words, when it cannot know
	// (a channel shared with another workspace, a role that grants access).
	Members(ctx context.Context, ch ChannelID) ([]UserID, error)
}

// UserResolver is an optional Chat ability: turn a bare "@name" typed
// without the platform's mention markup into a user. The console, where
// names are ids, has it; platforms whose clients send proper mentions need
// not. It is called inside a store transaction, so it must answer from
// memory, never over the network.
type UserResolver interface {
	ResolveUser(ctx context.Context, name string) (Person, error)
}

// Clock tells the time. Tests inject a fixed or stepping clock.
type Clock func() time.Time
