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
// Schema version 6. Every bucket is created in the one write transaction
// that Open runs; keys that are numbers are big-endian uint64, so cursor
// order is numeric order. Values are JSON of this package's own record
// types (snake_case field names), not of the bot types, so that a change
// to a bot type does not change the file format by accident.
//
//	meta/
//	    schema_version -> uint64 BE (SchemaVersion)
//	    production     -> JSON production: name, zone, seeded, dept_channels
//	    audit_head     -> 8-byte BE record count + 32-byte SHA-256 of the last record
//	    key_id         -> (version 5, encrypted files) 8 hex digits naming the key
//	    key_check      -> (version 5, encrypted files) sealed "icbot key check",
//	                      additional data "meta/key_check"
//	    compact_pending -> (version 5) present while a compaction is owed
//	people/
//	    <user id>      -> JSON person: id, name, roles
//	scenes/
//	    <scene id>     -> JSON scene: id, title, call, performers, beats,
//	                      next_beat, status, channel, roster, holds
//	                      (seq, called_by, at, reason*, session,
//	                      lifted_by, lifted_at),
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
//	                       class, scene, subject, text*, actions), caller, reply,
//	                       created, attempts, next_attempt, last_error*
//	boundaries/        (version 4) performers' answers, every version kept
//	    <scene id>/
//	        <performer id>/
//	            <version uint64 BE> -> JSON boundaries: scene, performer,
//	                       version, at, private* (JSON of the answers,
//	                       notes, garments, body notes and withdrawals)
//	riders/            (version 4) nudity riders
//	    <scene id>/
//	        <performer id> -> JSON rider: scene, performer, state, terms*,
//	                       drafted_at, sent_at, signed_at, scope,
//	                       sent_scope, version, updated
//	events/            (version 3) platform events already handled, for
//	                   deduplicating retried deliveries (Slack event_id)
//	    <key>           -> 8-byte BE Unix seconds when first seen; pruned
//	                       after EventMemory
//	reminders/         (version 6) scheduled reminders, never deleted
//	    <id uint64 BE>  -> JSON reminder: id, kind, key, scene, performer,
//	                       session, due, limit, state, cancelled_by,
//	                       attempts, next_attempt, created, sent_at,
//	                       answer, note*, answered
//	reminder_due/      (version 6) pending reminders only, by due time
//	    <due unix nanos uint64 BE><id uint64 BE> -> empty
//	reminder_key/      (version 6) the key each reminder was derived under
//	    <key>           -> id (uint64 BE)
//	reminder_scene/    (version 6) reminders by scene, every state
//	    <scene id>/    (nested bucket; kept when the scene is deleted)
//	        <id uint64 BE> -> empty
//	reminder_missed/   (version 6) missed reminders no digest has reported
//	    <id uint64 BE>  -> empty
//
// Times are stored in UTC as RFC 3339 with nanoseconds; empty lists and
// zero times are left out, and read back as nil and the zero time. Fields
// marked * are sealed in an encrypted file (see Encryption at rest).
//
// # Migrations
//
// A file records its schema version in meta/schema_version. Open runs the
// migrations from the stored version up to SchemaVersion, in order, inside
// its write transaction, so a failed migration changes nothing. A file
// written by a newer icbot is refused. When the layout changes: add a
// migration, bump SchemaVersion, and redraw the tree above.
//
// Version 5 changed no bucket: it marks files whose fields may be sealed,
// so that an icbot from before encryption, which would show a sealed value
// as text or send it in a message, refuses them. Version 6 added the
// reminders and their four indexes, empty.
//
// A field added to a record, such as a reminder's cancelled_by, needs no
// new version: a record written before it reads the field as empty.
//
// # Reminders
//
// A reminder (bot.Reminder) is stored once, in reminders/, under an id
// from that bucket's sequence (NextSequence), so ids are never reused;
// reminders are not deleted, only cancelled. The other four buckets are
// indexes, kept in step by PutReminder in the same transaction: it reads
// the stored record to find the entries to remove (never the caller's
// copy), then writes the record and its new entries.
//
//   - reminder_due holds exactly the pending reminders, keyed by the time
//     they fall due and then by id, so a cursor from First gives them in
//     the order they fall due: NextReminder reads the first entry, and
//     DueReminders reads from the first up to the given time, never the
//     whole bucket. The time is NextAttempt when it is set and later than
//     Due (a reminder whose send failed waits for its retry), and Due
//     otherwise; as Unix nanoseconds it must lie between 1970 and 2262, so
//     a pending reminder without a Due is refused. Sent, cancelled and
//     missed reminders have no entry.
//   - reminder_key maps each derivation key to its reminder; a key is
//     unique, and putting a reminder whose key belongs to another one is
//     an internal error. A reminder without a key has no entry.
//   - reminder_scene lists each scene's reminders in every state. It is
//     not touched by DeleteScene (the bot cancels a deleted scene's
//     reminders itself), so after a scene is added again under the same
//     id its old reminders are listed with the new ones. The digest's
//     reminders have no scene and no entry.
//   - reminder_missed holds the reminders in state missed whose SentAt is
//     zero: the ones the next digest must report. Setting SentAt, or
//     any other state, removes the entry.
//
// A read through an index checks the record it names (pending and due at
// the indexed time, the same key or scene, missed and unreported) and
// fails with an internal error when they disagree, rather than act on a
// damaged index.
//
// # Encryption at rest
//
// Opened with a key (WithKey, 32 bytes), the store seals the private
// fields of records, marked * in the tree, with AES-256-GCM:
//
//   - boundaries: private, the whole of a version's answers, notes,
//     garment preferences, body notes and withdrawals;
//   - riders: terms;
//   - scenes: the reason of every hold;
//   - outbox: a message's text, which can carry a hold reason or an
//     answer on its way to the IC, and last_error, the platform's words
//     about a failed attempt;
//   - reminders: the note a performer wrote in answer to a check-in or
//     aftercare question.
//
// The rest of each record stays readable, for debugging and for
// `icbot audit verify`. A sealed value is
//
//	version byte 1 || 12-byte random nonce || ciphertext and 16-byte tag
//
// stored as bytes in []byte fields (base64 in the JSON) and as base64 text
// in string fields. Its additional data names where it belongs, from the
// record's key path, its version and the field, with each id
// path-escaped:
//
//	boundaries/<scene>/<performer>/<version>/private
//	riders/<scene>/<performer>/v<rider version>/terms
//	scenes/<scene>/v<scene version>/hold/<hold seq>/reason
//	outbox/<delivery id>/text
//	outbox/<delivery id>/last_error
//	reminders/<reminder id>/<answered>/note
//	meta/key_check
//
// so a sealed value changed, copied to another record, field or version,
// or sealed with another key does not open; a whole record copied under
// another key is refused because its ids disagree with the key. Every
// sealed field is sealed even when empty, so a removed one is noticed.
// Such a read fails with an internal error that names the value by its
// additional data and matches ErrSealBroken; it never returns the bytes,
// nor any content. A scene's version is part of the additional data of
// its holds' reasons, so every PutScene seals them afresh.
//
// A reminder has no version: in its place, <answered> is the reminder's
// Answered time as the record holds it (RFC 3339 in UTC with nanoseconds,
// 2031-06-14T05:30:00.000000005Z), or "unanswered" when it is zero. A
// performer who answers again gets a new answer time, so an earlier note
// put back alone does not open; every PutReminder seals the note afresh.
//
// The key: meta/key_id is the first 8 hex digits of SHA-256 of the key
// (KeyID), and meta/key_check is a known text sealed with it. Open with
// the key checks the one with the other and refuses a wrong key
// (ErrWrongKey, naming both ids); Open without a key refuses an encrypted
// file (ErrNoKey), except read-only (`icbot audit verify`), where the
// sealed fields cannot be read but the audit log can. A new file opened
// with a key records it. A file without a key (written before encryption,
// or without WithKey, which only tests and tools do: icbot always gives a
// key) is sealed by the first Open with a key, in Open's write
// transaction, and then compacted. A value that already looks sealed in a
// file without a key id means the id was removed: Open refuses the file
// rather than seal ciphertext as if it were text.
//
// icbot takes the key from storage.encryption_key, or else from the key
// file beside the database (KeyFile: PATH.key, base64, mode 0600), which
// it creates on the first run; see cmd/icbot.
//
// Rekey seals every sealed value again with a new key and records it, in
// one write transaction, then compacts the file. Compaction (bolt.Compact
// into PATH.compact, synced, renamed over the database, which this process
// keeps locked throughout) leaves no freed page holding old clear text or
// old ciphertexts. It is owed after sealing an older file and after a
// rekey; meta/compact_pending records the debt in the same transaction, so
// that if the compaction fails or is cut short, the next Open does it.
// The file system may still keep the old file's blocks until it reuses
// them: use disk encryption against that.
//
// Someone with the file but not the key learns everything that is not
// sealed: the production's name and zone, people's ids, names and roles,
// scene ids, titles, call times, performers, beats (descriptions, kinds,
// visible areas) and rosters, closed-set sessions and their override
// reasons, who called each hold and when (called_by), when boundaries
// were answered and how many versions there are, rider states and dates,
// the audit log, who each message is for and what kind it is, and every
// reminder but its note: what kind it is, its key (which names the scene,
// performer or time it was derived from), for whom and when it falls due,
// whether it was sent, cancelled or missed, and a performer's answer to a
// check-in or aftercare question ("ok" or "talk") and when they gave it;
// and the length of every sealed value. They cannot read, nor change unnoticed,
// the sealed fields. They can put back a whole record as an earlier copy
// of the file held it: the seal does not notice that.
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
