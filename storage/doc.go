// Package storage keeps icbot's state in a single bbolt file and implements
// bot.Store.
//
// Every use case runs in one bbolt transaction (Store.View, Store.Update):
// a state change and its audit record commit together, and a commit is
// synced to disk before Update returns. The file is created with mode 0600
// (an existing file readable by others is made 0600) and opened with a lock
// timeout, so a second icbot process on the same file fails
// with ErrInUse instead of waiting for ever.
//
// # Schema
//
// Schema version 4. Every bucket is created in the one write transaction
// that Open runs; keys that are numbers are big-endian uint64, so cursor
// order is numeric order. Values are JSON of this package's own record
// types (snake_case field names), not of the bot types, so that a change
// to a bot type does not change the file format by accident.
//
//	meta/
//	    schema_version -> uint64 BE (SchemaVersion)
//	    production     -> JSON production: name, zone, seeded, dept_channels
//	    audit_head     -> 8-byte BE record count + 32-byte SHA-256 of the last record
//	people/
//	    <user id>      -> JSON person: id, name, roles
//	scenes/
//	    <scene id>     -> JSON scene: id, title, call, performers, beats,
//	                      next_beat, status, channel, roster, holds,
//	                      running_session, sessions_started,
//	                      past_sessions, scope, topline, version,
//	                      created, updated
//	sessions/
//	    <scene id>/    (nested bucket; kept when the scene is deleted)
//	        <seq uint64 BE> -> JSON session: scene, seq, started_by,
//	                           started_at, ended_by, ended_at, roster,
//	                           override, lock
//	audit/
//	    <seq uint64 BE> -> JSON audit record: seq, time, actor, action,
//	                       scene, summary, hash
//	outbox/            (version 2) messages enqueued with the change that
//	                   caused them, removed once delivered
//	    <id uint64 BE>  -> JSON delivery: id, message (kind, user, channel,
//	                       class, scene, subject, text, actions), caller, reply,
//	                       created, attempts, next_attempt, last_error
//	boundaries/        (version 4) performers' answers, every version kept
//	    <scene id>/
//	        <performer id>/
//	            <version uint64 BE> -> JSON boundaries: scene, performer,
//	                       version, at, private (the answers, notes,
//	                       garments, body notes and withdrawals)
//	riders/            (version 4) nudity riders
//	    <scene id>/
//	        <performer id> -> JSON rider: scene, performer, state, terms,
//	                       drafted_at, sent_at, signed_at, scope, version,
//	                       updated
//	events/            (version 3) platform events already handled, for
//	                   deduplicating retried deliveries (Slack event_id)
//	    <key>           -> 8-byte BE Unix seconds when first seen; pruned
//	                       after EventMemory
//
// Times are stored in UTC as RFC 3339 with nanoseconds; empty lists and
// zero times are left out, and read back as nil and the zero time.
//
// # Migrations
//
// A file records its schema version in meta/schema_version. Open runs the
// migrations from the stored version up to SchemaVersion, in order, inside
// its write transaction, so a failed migration changes nothing. A file
// written by a newer icbot is refused. When the layout changes: add a
// migration, bump SchemaVersion, and redraw the tree above.
//
// # Audit chain
//
// Each audit record carries SHA-256(previous hash || canonical record)
// (see bot.ChainHash). meta/audit_head repeats the count and the last hash,
// so that Store.VerifyAudit notices records removed from the end, which the
// chain alone cannot show. Removing records and rewriting the head together
// is only noticed by comparing the head with a copy kept outside icbot
// (bot.ChainHead.HeadHex).
package storage
