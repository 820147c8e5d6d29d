// Package storage keeps icbot's state in a single bbolt file and implements
// bot.Store.
//
// Every use case runs in one bbolt transaction (Store.View, Store.Update):
// a state change and its audit record commit together, and a commit is
// synced to disk before Update returns. Concurrent Updates share a
// transaction and its fsyncs (see Commits). The file is created with mode 0600
// (an existing file readable by others is made 0600) and opened with a lock
// timeout, so a second icbot process on the same file fails
// with ErrInUse instead of waiting for ever.
//
// # Schema
//
// Schema version 10. Every bucket is created in the one write transaction
// that Open runs; keys that are numbers are big-endian uint64, so cursor
// order is numeric order. Values are JSON of this package's own record
// types (snake_case field names), not of the bot types, so that a change
// to a bot type does not change the file format by accident.
//
//	meta/
//	    schema_version -> uint64 BE (SchemaVersion)
//	    production     -> JSON production: name, zone, seeded, dept_channels,
//	                      wrap_date (as icbot wrap recorded it), cast (the
//	                      script's characters and who plays them), mac+
//	    audit_head     -> 8-byte BE record count + 32-byte hash of the last
//	                      record; in a keyed file + 32-byte HMAC of those 40
//	                      bytes, and always present
//	    key_id         -> (version 5, encrypted files) 8 hex digits naming the key
//	    key_check      -> (version 5, encrypted files) sealed "icbot key check",
//	                      additional data "meta/key_check/keyed" (version 8;
//	                      "meta/key_check" before)
//	    compact_pending -> (version 5) present while a compaction is owed
//	    reminder_inputs -> the stamp of the inputs every scene's reminders
//	                      were last derived with (text); absent when they
//	                      must all be derived again
//	people/            its sequence moves on with every person put or
//	                   removed (PeopleVersion)
//	    <user id>      -> JSON person: id, name, roles, mac+
//	scenes/
//	    <scene id>     -> JSON scene: id, title, call, performers, beats,
//	                      next_beat, status, channel, roster, holds
//	                      (seq, called_by, at, reason*, session,
//	                      lifted_by, lifted_at),
//	                      running_session, sessions_started,
//	                      past_sessions, scope, topline, asking
//	                      (since, news: performer, delivery, due,
//	                      changes: beat, what), version, created,
//	                      updated, private* (JSON of the director's
//	                      intent, who wrote it and when, and each beat's
//	                      camera, conditions, props and stunts notes,
//	                      its choreography (every version), whether it is
//	                      exploratory and who consented to explore it;
//	                      the rehearsal log and the take log; script: what
//	                      the imported screenplay says of the scene, its
//	                      heading, number, order, page, characters and the
//	                      lines proposed as beats with what became of them;
//	                      absent in a record written before it), confirm_notes
//	                      (version 9: rehearsal, index, performer,
//	                      note*: each performer's note on a rehearsal's
//	                      record, taken out of private)
//	sessions/
//	    <scene id>/    (nested bucket; kept when the scene is deleted)
//	        <seq uint64 BE> -> JSON session: scene, seq, started_by,
//	                           started_at, ended_by, ended_at, roster,
//	                           override (as written before it was
//	                           sealed), override_sealed*, lock
//	audit/
//	    <seq uint64 BE> -> JSON audit record: seq, time, actor, action,
//	                       scene, summary, hash (an HMAC in a keyed file)
//	outbox/            (version 2) messages enqueued with the change that
//	                   caused them, removed once delivered
//	    <id uint64 BE>  -> JSON delivery: id, message (kind, user, channel,
//	                       class, scene, subject, text*, actions), caller, reply,
//	                       created, attempts, next_attempt, last_error*;
//	                       the text is bound to the destination (version 8)
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
//	events/            (version 3) platform events and requests already
//	                   handled, so that a retried or replayed one has no
//	                   second effect (a Slack event id or request signature,
//	                   a Discord interaction id)
//	    <key>           -> 8-byte BE Unix seconds when first seen; pruned
//	                       after EventMemory
//	event_time/        (version 7) the same keys by the time first seen, to
//	                   prune the oldest without reading them all
//	    <unix seconds uint64 BE><key> -> empty
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
//	posts/             (version 7) the audience ledger: what icbot posted
//	                   to each channel, never its text
//	    <channel id>/
//	        <seq uint64 BE> -> JSON post: channel, seq, class, scene,
//	                       subject, what, ref (the platform's message id),
//	                       delivery, at, retracted, retracted_for
//	personkeys/        (version 9) each person's data key; its sequence
//	                   numbers the pseudonyms of erasures
//	    <user id>       -> JSON person key: user, gen, key (the 32-byte
//	                       data key sealed with the storage key, absent
//	                       once erased), erased, pseudonym, mac+
//	notices/           (version 10) each person's privacy notice
//	    <user id>       -> JSON notice: user, sent (the version last sent),
//	                       sent_at, acked (the version last acknowledged),
//	                       acked_at, mac+
//
// Times are stored in UTC as RFC 3339 with nanoseconds; empty lists and
// zero times are left out, and read back as nil and the zero time. Fields
// marked * are sealed in an encrypted file (see Encryption at rest); mac+
// is a MAC that a keyed file's authority records carry (see Keyed
// integrity).
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
// reminders and their four indexes, empty. Version 7 added the audience
// ledger (posts) and the time index of handled keys (event_time), built
// from events. The ledger starts with what the file shows icbot posted
// before it kept one: each scene's last top-line summary where it went,
// and an entry for each department's channel. They have no platform
// reference, so icbot cannot delete them, but they count against new
// readers like any post.
//
// Version 8 keys the file's integrity (see Keyed integrity), which needs
// the key: the migration itself only marks the file, so that an older
// icbot refuses it, and Open does the rest in the same write transaction,
// once it has checked the key. For an encrypted file it verifies the
// SHA-256 audit chain and its head (a chain that does not verify is
// refused, and the file left as it was: chaining it again would make the
// edit look genuine), chains it again with HMAC, gives every person and
// the production their MAC, seals each queued text again bound to its
// destination (a delivery whose text no longer opens is dropped, and
// logged by id), and writes the keyed key check. A file without a key
// stays unkeyed: its chain is plain SHA-256, and its records carry no
// MAC; the first Open with a key keys it when it seals it.
//
// Version 9 added personkeys/, empty, and, like version 8, needs the key
// for the rest: Open, in the same write transaction, opens every sealed
// field about a person (see Person keys; the rehearsals' confirmation
// notes are taken out of each scene's private part) with the storage key and seals
// it again under that person's new data key, then compacts the file, so
// that the values sealed under the storage key alone do not stay in its
// free pages. A file without a key gets its person keys when it is first
// sealed.
// Version 10 added each person's privacy notice (notices), empty. Its
// records carry a MAC, which an older icbot would not keep when it keys
// or rekeys the file: it must refuse the file.
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
// meta/reminder_inputs is written by the bot, which says what it stamps
// (ReminderInputs): its derivation rules and the production's settings
// that reminders are derived from. A start that finds the stamp it would
// write derives no scene's reminders; one that finds another, or none,
// derives them all. Anything that writes scenes other than through a
// command (the console's demo) removes it. It needs no schema version: a
// file without it is derived in full once. An older icbot neither reads
// nor writes it, and derives every scene at each start with its own
// settings: should it run with settings other than the stamp's, and a
// newer icbot then return to the stamp's, reminders stay as the older one
// derived them until each scene changes.
//
// # Encryption at rest
//
// Opened with a key (WithKey, 32 bytes), the store seals the private
// fields of records, marked * in the tree, with AES-256-GCM:
//
//   - boundaries: private, the whole of a version's answers, notes,
//     garment preferences, body notes and withdrawals;
//   - riders: terms;
//   - scenes: the reason of every hold, and private, the director's
//     intent and the beats' camera, conditions, props and stunts notes
//     (a scene written before private existed has none, and reads as
//     holding none);
//   - outbox: a message's text, which can carry a hold reason or an
//     answer on its way to the IC, and last_error, the platform's words
//     about a failed attempt;
//   - reminders: the note a performer wrote in answer to a check-in or
//     aftercare question;
//   - sessions: the IC's reason for starting a closed set over missing
//     items (override_sealed; a session written before it was sealed
//     keeps it in override, in clear, until the file is rekeyed).
//
// The fields about one person (a boundaries version's private part, a
// rider's terms, a hold's reason, a reminder's note) are sealed under
// that person's data key, not the storage key: see Person keys. The
// rest of each record stays readable, for debugging and for
// `icbot audit verify`. A value sealed with the storage key is
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
//	scenes/<scene>/v<scene version>/private
//	outbox/<id>/text/to/<kind>/<user>/<channel>/class/<class>/scene/<scene>/subject/<subject>
//	    /caller/<caller>/reply/<reply>/actions/<n>/<label 1>/<command 1>/... (one string)
//	outbox/<delivery id>/last_error
//	reminders/<reminder id>/<answered>/note
//	meta/key_check/keyed (meta/key_check before version 8)
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
// A queued delivery's text is bound to everything that decides where it
// goes and what it is: the numbers of its destination kind and class, the
// user, channel, scene and subject ids, the caller and reply handle of
// the command that caused it (a Slack response URL, a Discord interaction
// token) and its buttons; <kind> and <class> are the numbers stored. A
// delivery whose destination, reply handle or buttons were changed in the
// file does not open, so its text goes nowhere. An error names it as
// outbox/<id>/text only, never by the destination it is bound to. Such a
// delivery, or one that does not decode or is stored under another id,
// is unreadable: Delivery refuses it with an internal error, Deliveries
// leaves it out (so that it holds up no other), and once the transaction
// that found it has ended the store deletes it from the outbox in a
// write transaction of its own and logs it by id, without content or
// destination. It is not sent, and nobody is told but the log: its
// caller is one of the fields that cannot be trusted. A file written
// before version 8 bound the text to outbox/<id>/text; the migration
// seals it again.
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
// file (ErrNoKey), except read-only, where the sealed fields, the people,
// the production and the audit chain of a keyed file cannot be read
// (ErrNoKey), but sessions, posts and the rest can; `icbot audit verify`
// opens read-only with the key. A new file opened with a key records it.
// A file without a key (written before encryption, or without WithKey,
// which only tests and tools do: icbot always gives a key) is sealed and
// keyed by the first Open with a key, in Open's write transaction, and
// then compacted. A value that already looks sealed in a file without a
// key id means the id was removed: Open refuses the file rather than seal
// ciphertext as if it were text.
//
// icbot takes the key from storage.encryption_key, or else from the key
// file beside the database (KeyFile: PATH.key, base64, mode 0600), which
// it creates on the first run; see cmd/icbot.
//
// Rekey seals every sealed value again with a new key, chains the audit
// log again, gives the head and every authority record a new MAC with
// the keys derived from the new key (having verified them with the old:
// a chain or record that does not verify stops it), and records the key,
// in one write transaction, then compacts the file. Compaction
// (bolt.Compact into PATH.compact, synced, renamed over the database,
// which this process keeps locked throughout) leaves no freed page
// holding old clear text or old ciphertexts. It is owed after sealing an older file and after a
// rekey; meta/compact_pending records the debt in the same transaction, so
// that if the compaction fails or is cut short, the next Open does it.
// The file system may still keep the old file's blocks until it reuses
// them: use disk encryption against that.
//
// # Person keys
//
// From schema version 9, every sealed field about one person is sealed
// under that person's own data key, so that destroying the key erases
// the fields (crypto-shredding) without rewriting the records or the
// audit trail:
//
//   - boundaries: private, under the performer's key;
//   - riders: terms, under the performer's key;
//   - scenes: a hold's reason, under the key of who called it; and the
//     note a performer wrote confirming or disputing a rehearsal's record,
//     taken out of the private part into confirm_notes (rehearsal seq,
//     index of the confirmation, performer, note), under that performer's
//     key, with additional data
//     scenes/<scene>/v<version>/rehearsal/<seq>/confirm/<index>/<performer>/note,
//     and put back when the scene is read;
//   - reminders: the note, under the performer's key (the digest and the
//     day report, which have no performer, keep the storage key).
//
// Under the storage key stay what is about nobody in particular, or about
// several people at once: the rest of a scene's private part (the
// director's intent, the beats' notes, the choreography, the rehearsal
// log's record and who was present, and the take log), a queued
// message's text and last error, and the key check. An
// empty field holds nothing about anyone and is sealed with the storage
// key too.
//
// A data key is 32 random bytes, made the first time something about the
// person is sealed, and stored at personkeys/<user id> sealed with the
// storage key (additional data personkeys/<user>/<gen>/key), in a record
// with a MAC like a person's (place personkeys/<user>). A value sealed
// under it is
//
//	version byte 2 || key generation (uint32 BE) || 12-byte nonce || ciphertext and 16-byte tag
//
// with the same additional data as under the storage key. A key record
// changed, marked erased, copied from another person or removed without
// the storage key makes the fields sealed under it fail closed, with
// ErrTampered or ErrSealBroken, never read as erased; Store.VerifyRecords
// (`icbot audit verify`) names such a record. Reading a value takes the
// key record of the person the record names (the performer, or who
// called the hold): a generation older than the record's, or the
// record's own once erased, reads as ErasedText ("[erased]": a
// boundaries version then has no answers, and its notes, garments and
// body notes read "[erased]"); a missing key record, a newer generation
// or a value that does not open fail as any broken seal does. A value
// with version byte 1 opens with the storage key, as before version 9.
// Each store keeps the keys it has opened in memory, by user and by the
// exact bytes of their record, and a transaction remembers the last one
// it used, so a command pays one bbolt read per person, not an
// unsealing, a MAC and an AES key expansion.
//
// Erase (`icbot erase USER`, bot stopped) writes, in one write
// transaction: the person's key record without the key, with the time
// and a pseudonym ("erased-N", N from the bucket's sequence; kept by
// later erasures of the same person); their name in people/ replaced by
// the pseudonym (roles kept); the messages queued to them dropped; and
// an audit record (action person.erase, actor icbot), appended to the
// chain like any other, which stays verifiable: no record is rewritten.
// Then it compacts the file (see Rekey), so that the sealed key does not
// stay in a free page. A person the file holds neither a key nor a
// record for is refused (ErrNotErasable). The records sealed under the
// erased key stay as they are, unreadable by anyone.
//
// The same transaction body is Tx.ErasePerson, which the bot runs inside
// an ordinary Update while it runs (`/icbot erase me`). It may be told
// to keep some records the production must still keep (a person's rider
// and the latest version of their boundaries for a scene): it reads them
// with the old key, writes a key record of the next generation in place
// of the old one (so the old key is gone and every field sealed under it
// reads "[erased]"), and seals the kept records again under the new key,
// in place (a boundaries version keeps its number). A later erasure
// destroys the new generation. The audit summary says how many records
// were kept, never what they hold. Instead of compacting at once, it sets
// meta/compact_pending: Close compacts a file so marked (unless it is
// open read-only), and so does the next Open if Close could not;
// CompactPending does it at once (`icbot erase`, which now erases
// through the bot's rules, and so through ErasePerson).
//
// After an erasure the bot goes on: a record read with "[erased]" and
// written back (a scene's next version, a rider's new state) stores
// "[erased]" as the bare header of the erased generation, with no new
// key; anything new about the person (new boundaries) is sealed under a
// new key, the next generation, which a later erasure destroys in turn.
// Rekey seals every person key again with the new storage key, and leaves
// erased values as they are (it cannot open them).
//
// Not erased: the person's user id, which keys their records and names
// them in scenes, rosters, sessions, holds (called_by), reminders, the
// ledger and the audit trail; their roles; dates and states; the audit
// summaries, which are in clear, are not rewritten (the chain hashes
// them) and name the person by handle in some actions ("boundaries of
// @pete for scene 12", "rider of @pete ... marked signed"); texts queued
// to others
// about them (a notice to the IC); and every backup or copy of the file
// taken before, which still holds the sealed key and opens with the
// storage key: delete such backups, or rekey and destroy the old storage
// key.
//
// # Retention
//
// When the production's retention after wrap has passed, the bot's
// reminder loop calls Tx.ShredPersonKeys in the transaction that marks
// the shredding sent and appends its audit record (action
// retention.shred, actor icbot): every key record not yet erased is
// written again without its key, with the time, as Erase writes it, but
// keeping the person's name and pseudonym (none is given) and their
// queued messages: the production keeps who worked on it. It sets
// compact_pending in the same transaction, since the running bot cannot
// compact the file under its own transactions: the next Open compacts
// it, so that the sealed keys do not stay in its free pages until then.
// A file without a storage key seals nothing under people's keys and
// refuses to shred (EUNAVAILABLE). What is sealed about someone after
// the shredding goes under a new key, the next generation.
//
// Backups keep shredded data readable. A backup or copy of the file
// taken before the shredding (or before an erasure) still holds every
// person's key sealed with the storage key, and that key opens it. A
// production has two ways to keep its retention: keep backups for a
// short time only, so that none outlives the retention by more than
// that; or rekey after the shredding or an erasure (`icbot rekey`, bot
// stopped) and destroy the old storage key, which leaves every earlier
// backup unreadable.
//
// # Keyed integrity
//
// In an encrypted file of version 8 or later (a keyed file), the records
// that give authority and the audit trail are bound to the key, so that
// someone who can write the file but has not the key cannot give a
// person a role, point a department's channel elsewhere, or rewrite the
// trail. Three HMAC-SHA256 keys are derived from the storage key with
// HKDF-SHA256 (RFC 5869), without salt, one per purpose, the info label
// naming it:
//
//	"icbot/v1 audit chain"  audit record i: HMAC(hash of record i-1 || canonical record i)
//	"icbot/v1 audit head"   meta/audit_head: HMAC(count || hash of the last record)
//	"icbot/v1 record mac"   an authority record: HMAC(place || 0x00 || JSON without its mac)
//
// (The AES-256-GCM key of the sealed fields is the storage key itself, as
// before version 8.) The authority records are every person (people/<id>:
// their name and roles) and the production (meta/production: its name,
// zone, seeded flag and department channels). A person's privacy notice
// (notices/<id>: the versions sent and acknowledged) carries a MAC too,
// though it gives no authority: a made-up acknowledgement would tell the
// IC that someone was told what icbot keeps when they were not. Admins are not stored: they
// come from configuration (admins) at each start, and are as safe as the
// configuration. A record's place is its key path ("people/U1",
// "meta/production"), so a record copied to another place does not
// verify; its JSON is the record as it reads back, without the mac field.
//
// A person, production or notice whose MAC does not verify (edited, copied, added
// or with its MAC removed without the key) is refused when read: the read
// fails closed with an internal error that names the record by its place
// and matches ErrTampered, never showing its content. Everything that
// reads it fails with it: a command by that person, any command that
// lists people, and at start the console's demo and the production's
// settings. Store.VerifyRecords, and so `icbot audit verify`, names every
// such record. To recover, restore the file from a backup, or delete the
// record (icbot then takes the person as unknown, without roles) and grant
// the roles again.
//
// Two further checks keep a keyed file from passing for an older one: its
// key check is sealed with the additional data meta/key_check/keyed, and
// Open refuses a file whose schema version says otherwise (the version was
// set back, so that icbot would take records without MACs and a SHA-256
// chain); and a file without a key id whose records or head carry a MAC
// is refused (its key id was removed), as is one holding sealed values.
//
// A file without a key (written before encryption, or by tests and tools)
// has nothing to key with: its chain is plain SHA-256, its records carry
// no MAC, and anyone who can write it can change them unnoticed. The
// first Open with a key verifies its chain and keys it, with the sealing.
//
// # What the file shows without the key
//
// Someone with the file but not the key learns everything that is not
// sealed: the production's name and zone and its departments' channels;
// people's ids, names and roles; scene ids, titles, call times,
// performers, beats (descriptions, kinds, visible areas), channels and
// rosters; closed-set sessions and their override reasons; who called each
// hold and when (called_by); when boundaries were answered and how many
// versions there are; rider states and dates; the audit log; who each
// queued message is for, its class, scene and subject, its buttons, and
// the caller's reply handle (a Slack response URL or Discord interaction
// token, usable for a short while to reply to that person); every
// reminder but its note: what kind it is, its key (which names the scene,
// performer or time it was derived from), for whom and when it falls due,
// whether it was sent, cancelled or missed, and a performer's answer to a
// check-in or aftercare question ("ok" or "talk") and when they gave it;
// the audience ledger (posts/): for every channel, what icbot posted
// there by class, scene and subject id, the platform's message id, when,
// and whether and why it was retracted, never the text; the request keys
// of events/ and event_time/ (Slack event ids and request signatures,
// Discord interaction ids) and when each was first seen; who was sent
// the privacy notice and who acknowledged it, which versions and when;
// and the length of every sealed value; whose data key seals each value
// about a person, and which people were erased, when, and their
// pseudonyms. The MACs and hashes show nothing more.
//
// # What icbot notices, and what it does not
//
// With the key, icbot notices, and refuses to act on: any change to a
// sealed value, or a sealed value moved to another record, field or
// version; any change to a person, their roles, their privacy notice or the production, or such
// a record added or copied without the key; any change to where a queued
// message goes (destination, class, scene, subject, caller, reply handle,
// buttons); an edited, inserted, removed or reordered audit record, even
// with the chain computed again (`icbot audit verify` names it); records
// removed from the end of the audit log, unless the head is put back as
// an earlier copy held it; a removed or forged head; a keyed file passed
// off as an older one.
//
// It does not notice:
//
//   - a whole record put back as an earlier copy of the file held it: a
//     person's roles before one was taken away, an earlier production, an
//     earlier scene, rider or reminder, a delivery already sent; nor the
//     whole file put back from a backup (a MAC or seal is valid for its
//     place whatever its age);
//   - whole records deleted: a person (who then has no roles), a scene, a
//     queued delivery (never sent), a reminder, a session, a post of the
//     ledger (icbot then does not count it against a channel's new
//     readers), and the latest version of a performer's boundaries, which
//     makes the one before it current again; the audit trail still shows
//     the changes it recorded;
//   - records removed from the end of the audit log together with the
//     head put back as an earlier copy held it; only a head kept outside
//     icbot (bot.ChainHead.HeadHex, printed by `icbot audit verify`) shows
//     that;
//   - edits to the unsealed fields of records that carry no MAC: scene
//     titles, call times, beats, performers, rosters and channels, who
//     called a hold, sessions, rider states and dates, reminders' states
//     and times, the ledger's entries (such as marking a post retracted),
//     the handled request keys. icbot checks again what it can when it
//     sends (a channel must be private and all its readers allowed; a
//     queued message is screened against the roles of now), but it takes
//     these fields as it finds them;
//   - anything in a file without a key;
//   - a file made to look like one from before encryption: with the key
//     id, the key check, every sealed value and every MAC removed, and
//     the chain computed again with SHA-256, the next Open with a key
//     seals and keys it as it finds it. It logs that at warning level;
//     an operator who did not just upgrade from an icbot without
//     encryption should restore the file from a backup.
//
// # Commits
//
// An Update's function runs once, in a bbolt write transaction, and
// Update returns nil only once that transaction has committed and bbolt
// has synced it: the store never sets NoSync, so each commit is bbolt's
// own, with its two fdatasyncs (the new pages, then the meta page that
// points at them).
//
// Concurrent Updates share transactions (group commit). While one
// transaction runs and syncs, the Updates that arrive queue; the first of
// them then takes the whole queue, at most 128, as its group, and runs
// their functions one after another, in the order they came, in one
// transaction, each on its own caller's goroutine (a panic is the
// caller's, as before), then commits once: one pair of fsyncs for the
// group instead of one per Update. An Update that finds nobody committing
// starts at once, alone: nothing waits to gather company, so a lone
// command costs what it did before group commit. Each function sees the
// writes of those before it in its group, which commit with it or not at
// all.
//
// bbolt has no savepoints, so in a group of more than one the writes of
// each function are journaled: a bot.Tx reaches bbolt only through a
// bucket type that notes, before each write, the value or absence of the
// key, a bucket's sequence before NextSequence, the nested buckets it
// creates, and a copy of those it deletes. When a function returns an
// error, panics or exits its goroutine, its journal is played backwards
// before the next function runs, so that the next sees nothing of it and
// the commit holds nothing of it; its error goes to its own caller alone.
// A group whose functions all failed is rolled back, with no fsync; so is
// a function alone that fails, which keeps no journal. Should an undo itself fail,
// the transaction is rolled back whole and every Update of the group
// fails with an internal error: nothing of it was committed. Open, the
// migrations, Rekey, compaction and the dropping of unreadable deliveries
// write to bbolt directly, in transactions of their own.
//
// Why not bbolt's DB.Batch: it waits up to MaxBatchDelay (10 ms by
// default) for a batch to fill, which a lone command would pay, and when
// one function fails it runs the others again, so every function would
// have to be safe to run twice, with its effects outside the transaction
// (what a command will answer, which scenes it touched, which deliveries
// to send) undone in between; the bot's are not written so. Here a
// function runs once. Why not a transaction per function committed with
// NoSync and one fsync for the group: bbolt's crash safety rests on the
// order of its fsyncs. With NoSync a meta page can reach the disk before
// the pages it points at, and the second transaction of a group
// overwrites the meta page of the last synced state (bbolt keeps two, and
// alternates) and may reuse pages that state still needs; a power cut
// before the group's fsync could then leave no valid state at all. A
// SIGKILL would not show it, since the kernel still writes what the
// process wrote. A group here is one ordinary bbolt commit, so it is as
// crash safe as bbolt; TestCrashSafety kills writers sharing commits.
//
// The audit chain and the MACs need nothing more. The functions of a
// group run one after another in one transaction, so each Audit reads the
// head the one before it wrote, and every record's HMAC and the head's
// MAC are computed from what the transaction holds then; a failed
// function's record and head are undone with the rest of its writes, so
// the next record chains from the last one kept, with the next number. A
// group commits whole or not at all, so the head and the records it
// counts reach the disk together. A record's MAC binds it to its place and
// content, not to a transaction, and the journal puts back the exact bytes
// it found.
//
// # Audit chain
//
// Each audit record carries the HMAC-SHA256, with the audit chain key, of
// the previous record's hash and the record's canonical form
// (bot.AuditRecord.Canonical; the first record's previous hash is 32 zero
// bytes); in a file without a key, SHA-256 of the same (bot.ChainHash).
// meta/audit_head repeats the count and the last hash, so that
// Store.VerifyAudit notices records removed from the end, which the chain
// alone cannot show; in a keyed file it carries its own MAC and is always
// there, so that a head written without the key, or removed, is noticed
// too. Removing records and putting back an earlier head together is only
// noticed by comparing the head with a copy kept outside icbot
// (bot.ChainHead.HeadHex). A rekey changes every hash, and so the head:
// `icbot rekey` prints the new one. Appending a record reads the head
// only, never the log: it checks the head's MAC, computes the record's
// HMAC and the new head's MAC, three HMACs in all. Reading a person or
// the production costs one HMAC each.
package storage
