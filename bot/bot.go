// Package bot is icbot's domain: scenes and their intimacy beats, people and
// roles, closed sets and holds, the command grammar and router, the
// need-to-know gate every message passes, and the tamper-evident audit
// chain. It imports no chat SDK and no database: adapters translate platform
// payloads into Commands and render Messages; a Store keeps the state.
package bot

import (
	"log/slog"
	"sync"
	"time"
)

// Bot runs commands against the store and says what should be sent where.
// What it queues goes out through its outbox, and what falls due with time
// through its reminder scheduler: each owns its own state.
type Bot struct {
	// outbox sends queued messages, and retries them.
	outbox *outbox
	// reminders sends reminders when they fall due.
	reminders *scheduler
	// lockMu runs channel locks and unlocks one at a time.
	lockMu sync.Mutex
	// toplineMu numbers top-line versions one at a time.
	toplineMu sync.Mutex
	// audience keeps the readers of channels in line with the ledger.
	audience readers

	store       Store
	chat        Chat
	clock       Clock
	log         *slog.Logger
	zone        *time.Location
	setChannel  ChannelID
	gate        gate
	commands    *registry
	observe     Observer
	riderNotice time.Duration
	// renderers write a scene's record in formats other than md and json
	// (pdf), for /report scene; set by WithRenderer.
	renderers map[string]Renderer
	// noticeVersion is the privacy notice's version: its text's
	// (baseNoticeVersion, NoticeVersion) plus the changes of how long it
	// says data is kept (reviseNotice).
	noticeVersion, baseNoticeVersion int
	// board holds the web board's links and sessions, and counts the
	// store's changes for its open pages (board.go).
	board *boardState
	// keep says what an erasure keeps, and until when (erase.go).
}

// Option configures a Bot.
type Option func(*Bot)

// WithClock sets the clock; the default is time.Now.
func WithClock(c Clock) Option { return func(b *Bot) { b.clock = c } }

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(b *Bot) { b.log = l } }

// WithZone sets the production's time zone, in which call times are typed
// and shown; the default is UTC.
func WithZone(z *time.Location) Option { return func(b *Bot) { b.zone = z } }

// WithAdmins names the people, by platform id, who may grant any role.
func WithAdmins(ids ...UserID) Option {
	return func(b *Bot) {
		for _, id := range ids {
			b.gate.admins[id] = true
		}
	}
}

// Observer hears of every command handled: its path ("closedset start",
// "" when unparsable), its outcome ("ok" or an error code) and how long it
// took. For metrics; it must not block.
type Observer func(command, outcome string, took time.Duration)

// WithObserver sets the observer of handled commands.
func WithObserver(o Observer) Option { return func(b *Bot) { b.observe = o } }

// WithRiderNotice sets how long before the call a performer must have
// their nudity rider (48 hours by default, which configuration refuses to
// shorten).
func WithRiderNotice(d time.Duration) Option { return func(b *Bot) { b.riderNotice = d } }

// WithRiderWarnings sets how long before a rider's deadline the IC and
// producers are warned (7 days, 72 and 24 hours by default).
func WithRiderWarnings(ds ...time.Duration) Option {
	return func(b *Bot) { b.reminders.riderWarnings = ds }
}

// WithReminderGrace sets how late a reminder may still be sent after icbot
// was down (24 hours by default); older ones are listed as missed in the
// next digest instead.
func WithReminderGrace(d time.Duration) Option { return func(b *Bot) { b.reminders.grace = d } }

// WithDigest schedules the IC's daily prep digest, read as wall-clock
// times in the production's zone.
func WithDigest(s Schedule) Option { return func(b *Bot) { b.reminders.digest = s } }

// WithWrapTime sets the production's usual wrap time (19:00 by default),
// when a closed set still open is brought to the AD's and IC's attention.
func WithWrapTime(hour, minute int) Option {
	return func(b *Bot) { b.reminders.wrapHour, b.reminders.wrapMinute = hour, minute }
}

// WithSetChannel names the channel where closed sets and holds are
// announced to the crew (without sensitive content).
func WithSetChannel(ch ChannelID) Option { return func(b *Bot) { b.setChannel = ch } }

// New returns a Bot over store that talks through chat.
func New(store Store, chat Chat, opts ...Option) *Bot {
	board := newBoardState()
	store = board.watch(store)
	b := &Bot{
		board:    board,
		store:    store,
		chat:     chat,
		clock:    time.Now,
		log:      slog.New(slog.DiscardHandler),
		zone:     time.UTC,
		gate:     gate{admins: map[UserID]bool{}},
		commands: commandTable(),
		// The union minimum; configuration may only lengthen it.
		riderNotice:   48 * time.Hour,
		reminders:     newScheduler(),
		noticeVersion: NoticeVersion, baseNoticeVersion: NoticeVersion,
	}
	for _, o := range opts {
		o(b)
	}
	b.log = b.log.With("component", "bot")
	b.outbox = &outbox{store: store, clock: b.clock, log: b.log, gate: b.gate, send: b.send, others: b.checkDue, notice: b.withNotice,
		sending: map[uint64]bool{}, wakeup: make(chan struct{}, 1)}
	s := b.reminders
	s.store, s.clock, s.log, s.outbox, s.views = store, b.clock, b.log, b.outbox, b
	s.zone, s.riderNotice = b.zone, b.riderNotice
	return b
}

// Zone is the production's time zone.
func (b *Bot) Zone() *time.Location { return b.zone }

func (b *Bot) now() time.Time { return b.clock().UTC().Truncate(time.Second) }

// isAdmin reports whether id is an admin from configuration.
func (b *Bot) isAdmin(id UserID) bool { return b.gate.admins[id] }
