package bot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The web board shows the week's scenes and each scene's state in a
// browser, to the people of the production, each as the need-to-know
// gate lets them read it (board_pages.go). There is no password and no
// account: /icbot board DMs the caller a one-time link, and the link's
// first use opens a session in that browser.
//
// Links and sessions are kept in memory, as SHA-256 hashes of their
// tokens, never in the database: a login secret has no business in the
// production's record or its backups, and a restart that ends every
// session fails safe (each person asks for a new link). The link's DM
// is sent straight to the person after the command, not through the
// outbox, for the same reason.

const (
	// BoardLinkTTL is how long a link from /icbot board may be used.
	BoardLinkTTL = 10 * time.Minute
	// BoardSessionTTL is how long a board session lasts from its login.
	BoardSessionTTL = 12 * time.Hour
)

// ErrBoardLink refuses a link that was used, has expired, or was never
// made: the three look alike to whoever holds it.
var ErrBoardLink = Errorf(EFORBIDDEN, "This link has already been used, has expired (a link lasts %d minutes) or is not one icbot made. Type /icbot board in the chat for a new one.", int(BoardLinkTTL/time.Minute))

// ErrBoardSignedOut refuses a request without a live session: none, an
// expired one, one ended at /icbot board logout, or one whose person has
// lost a role since.
var ErrBoardSignedOut = Errorf(EFORBIDDEN, "You are not signed in to the board, or your session has ended. Type /icbot board in the chat: icbot sends you a link by DM.")

// WithBoard turns the web board on: /icbot board sends links under base,
// the address people reach icbot at (http.public_url), such as
// https://icbot.example.org. Without it, /icbot board says the board is
// not served.
func WithBoard(base string) Option {
	return func(b *Bot) { b.board.base = strings.TrimRight(base, "/") }
}

// boardState holds the board's links and sessions, and the change
// counter its open pages wait on.
type boardState struct {
	base     string
	mu       sync.Mutex
	links    map[[32]byte]boardLink
	sessions map[[32]byte]boardSession
	changes  changeCounter
}

// boardLink is a link not used yet: whose it is and until when.
type boardLink struct {
	person  UserID
	expires time.Time
}

// boardSession is one browser's session: the person, their roles at
// login (losing any of them ends it), and the CSRF token of its forms.
type boardSession struct {
	person           UserID
	roles            []Role
	created, expires time.Time
	csrf             string
}

func newBoardState() *boardState {
	return &boardState{links: map[[32]byte]boardLink{}, sessions: map[[32]byte]boardSession{}}
}

// newToken is 32 random bytes in base64url, and the hash it is kept by.
func newToken() (string, [32]byte, error) {
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", [32]byte{}, err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw[:])
	return tok, sha256.Sum256([]byte(tok)), nil
}

// tokenLen is the length of a token newToken makes.
var tokenLen = base64.RawURLEncoding.EncodedLen(32)

func hashToken(tok string) ([32]byte, bool) {
	if len(tok) != tokenLen {
		return [32]byte{}, false
	}
	return sha256.Sum256([]byte(tok)), true
}

// newLink makes a link token for person, valid until now+BoardLinkTTL.
func (s *boardState) newLink(person UserID, now time.Time) (string, error) {
	tok, h, err := newToken()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune(now)
	s.links[h] = boardLink{person: person, expires: now.Add(BoardLinkTTL)}
	return tok, nil
}

// prune forgets expired links and sessions; s.mu is held.
func (s *boardState) prune(now time.Time) {
	for h, l := range s.links {
		if !now.Before(l.expires) {
			delete(s.links, h)
		}
	}
	for h, ss := range s.sessions {
		if !now.Before(ss.expires) {
			delete(s.sessions, h)
		}
	}
}

// login spends the link token and opens a session for p in one step
// under the lock: a link is used once, even by two requests at once.
// check says whether the link's person may still sign in (p is theirs).
func (s *boardState) login(tok string, now time.Time, check func(UserID) (Person, bool)) (string, boardSession, error) {
	h, ok := hashToken(tok)
	if !ok {
		return "", boardSession{}, ErrBoardLink
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.links[h]
	delete(s.links, h) // spent by its first use, whatever follows
	if !ok || !now.Before(l.expires) {
		return "", boardSession{}, ErrBoardLink
	}
	p, ok := check(l.person)
	if !ok {
		return "", boardSession{}, ErrBoardLink
	}
	stok, sh, err := newToken()
	if err != nil {
		return "", boardSession{}, Internal(err)
	}
	csrf, _, err := newToken()
	if err != nil {
		return "", boardSession{}, Internal(err)
	}
	ss := boardSession{person: p.ID, roles: slices.Clone(p.Roles), created: now, expires: now.Add(BoardSessionTTL), csrf: csrf}
	s.prune(now)
	s.sessions[sh] = ss
	return stok, ss, nil
}

// session finds a live session by its cookie token.
func (s *boardState) session(tok string, now time.Time) (boardSession, bool) {
	h, ok := hashToken(tok)
	if !ok {
		return boardSession{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.sessions[h]
	if ok && !now.Before(ss.expires) {
		delete(s.sessions, h)
		return boardSession{}, false
	}
	return ss, ok
}

// revoke ends every session and unused link of person, and tells the
// open pages; it returns how many sessions it ended.
func (s *boardState) revoke(person UserID) int {
	s.mu.Lock()
	n := 0
	for h, ss := range s.sessions {
		if ss.person == person {
			delete(s.sessions, h)
			n++
		}
	}
	for h, l := range s.links {
		if l.person == person {
			delete(s.links, h)
		}
	}
	s.mu.Unlock()
	if n > 0 {
		s.changes.bump()
	}
	return n
}

// changeCounter counts the store's committed changes; next is closed at
// the next one.
type changeCounter struct {
	mu   sync.Mutex
	n    uint64
	next chan struct{}
}

func (c *changeCounter) bump() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.next != nil {
		close(c.next)
		c.next = nil
	}
}

func (c *changeCounter) since() (uint64, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == nil {
		c.next = make(chan struct{})
	}
	return c.n, c.next
}

// watch wraps store so that each committed Update moves the counter
// (one step on a path that already waits for a disk sync), and ends the
// board sessions of everyone the Update took a role from, or removed.
func (s *boardState) watch(st Store) Store { return &watchedStore{Store: st, board: s} }

type watchedStore struct {
	Store
	board *boardState
}

func (w *watchedStore) Update(ctx context.Context, fn func(Tx) error) error {
	var lost []UserID
	err := w.Store.Update(ctx, func(tx Tx) error {
		lost = nil // a transaction run again starts over
		return fn(&roleWatch{Tx: tx, lost: &lost})
	})
	if err != nil {
		return err
	}
	for _, id := range lost {
		w.board.revoke(id)
	}
	w.board.changes.bump()
	return nil
}

// roleWatch is an Update's transaction that notes who loses a role.
type roleWatch struct {
	Tx
	lost *[]UserID
}

func (t *roleWatch) wrapped() Tx { return t.Tx }

func (t *roleWatch) PutPerson(p Person) error {
	old, err := t.Tx.Person(p.ID)
	if err == nil && slices.ContainsFunc(old.Roles, func(r Role) bool { return !p.Has(r) }) {
		*t.lost = append(*t.lost, p.ID)
	}
	return t.Tx.PutPerson(p)
}

func (t *roleWatch) DeletePerson(id UserID) error {
	*t.lost = append(*t.lost, id)
	return t.Tx.DeletePerson(id)
}

func (t *roleWatch) ErasePerson(req EraseRequest) (Erased, error) {
	*t.lost = append(*t.lost, req.User)
	return t.Tx.ErasePerson(req)
}

// BoardChanges returns how many changes icbot has committed since it
// started (and sessions it has ended), and a channel closed at the next
// one: the board's open pages wait on it to reload.
func (b *Bot) BoardChanges() (uint64, <-chan struct{}) { return b.board.changes.since() }

// BoardLogin spends a link's token and opens a session for its person:
// the returned token goes in the browser's cookie. A link works once,
// within BoardLinkTTL, and only while its person still holds a role.
func (b *Bot) BoardLogin(ctx context.Context, token string) (BoardSession, error) {
	now := b.now()
	// Read the people first, outside the board's lock; the link is
	// checked and spent under it.
	people := map[UserID]Person{}
	err := b.store.View(ctx, func(tx Tx) error {
		all, err := tx.People()
		for _, p := range all {
			people[p.ID] = p
		}
		return err
	})
	if err != nil {
		return BoardSession{}, err
	}
	tok, ss, err := b.board.login(token, now, func(id UserID) (Person, bool) {
		p, ok := people[id]
		return p, ok && p.Known()
	})
	if err != nil {
		return BoardSession{}, err
	}
	b.log.Info("board login", "person", string(ss.person))
	return BoardSession{Token: tok, CSRF: ss.csrf, Person: ss.person, Expires: ss.expires}, nil
}

// BoardSession is a signed-in browser's session, as the web adapter
// needs it: the cookie's token (only at login), the token its forms
// carry against cross-site requests, whose it is and when it ends.
type BoardSession struct {
	Token   string
	CSRF    string
	Person  UserID
	Handle  string
	Roles   []Role
	Expires time.Time
}

// BoardViewer checks the cookie's session and returns it (without its
// token). A session whose person has lost any role they held at login
// is ended here: the role's removal revokes it.
func (b *Bot) BoardViewer(ctx context.Context, cookie string) (BoardSession, error) {
	var out BoardSession
	err := b.store.View(ctx, func(tx Tx) error {
		p, ss, err := b.boardReader(tx, cookie)
		out = BoardSession{CSRF: ss.csrf, Person: p.ID, Handle: p.Handle(), Roles: p.Roles, Expires: ss.expires}
		return err
	})
	return out, err
}

// boardReader is the person behind a live session, with their roles now.
func (b *Bot) boardReader(tx Tx, cookie string) (Person, boardSession, error) {
	ss, ok := b.board.session(cookie, b.now())
	if !ok {
		return Person{}, boardSession{}, ErrBoardSignedOut
	}
	p, err := tx.Person(ss.person)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		b.board.revoke(ss.person)
		return Person{}, boardSession{}, ErrBoardSignedOut
	case err != nil:
		return Person{}, boardSession{}, err
	}
	if !p.Known() || slices.ContainsFunc(ss.roles, func(r Role) bool { return !p.Has(r) }) {
		n := b.board.revoke(p.ID)
		b.log.Info("board sessions ended: a role was taken away", "person", string(p.ID), "sessions", n)
		return Person{}, boardSession{}, ErrBoardSignedOut
	}
	return p, ss, nil
}

// BoardLogout ends every board session of the cookie's person, when the
// request carries the session's CSRF token.
func (b *Bot) BoardLogout(ctx context.Context, cookie, csrf string) error {
	v, err := b.BoardViewer(ctx, cookie)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(csrf), []byte(v.CSRF)) != 1 {
		return Errorf(EFORBIDDEN, "This sign-out did not come from the board's own page; nothing was changed.")
	}
	b.board.revoke(v.Person)
	return nil
}

// runBoard sends the caller a one-time link to the board, by DM; with
// logout, it ends their sessions instead. (One command with a choice,
// not two: Discord cannot have "board" both as a sub-command and as a
// group of them.)
func runBoard(in *input, tx Tx) error {
	if a, ok := in.optional(); ok {
		if !strings.EqualFold(a.Value, "logout") {
			return Errorf(EINVALID, "unexpected %q: /icbot board takes only \"logout\"", a.Value)
		}
		return runBoardLogout(in, tx)
	}
	if err := in.done(); err != nil {
		return err
	}
	base := in.b.board.base
	if base == "" {
		return Errorf(EUNAVAILABLE, "The web board is not served by this icbot: the operator turns it on by setting http.public_url (see the README, The web board).")
	}
	u := in.caller.ID
	m := Message{To: Destination{Kind: ToUser, User: u}, Class: ClassPersonal, Subject: u}
	ok, err := in.b.gate.allowed(tx, m, about{})
	if err != nil {
		return err
	}
	if !ok {
		return Internal(fmt.Errorf("board: the gate refused the link's DM"))
	}
	in.out.then(func(ctx context.Context, b *Bot, _ Command) error {
		tok, err := b.board.newLink(u, b.now())
		if err != nil {
			return Internal(err)
		}
		m.Text = fmt.Sprintf("Your link to icbot's board: %s/board/login?t=%s\n"+
			"It works once, within %d minutes, and only for you: do not pass it on. The board then stays open in that browser for %d hours, until /icbot board logout, or until one of your roles is taken away.",
			base, tok, int(BoardLinkTTL/time.Minute), int(BoardSessionTTL/time.Hour))
		return b.chat.DM(ctx, u, m)
	})
	in.out.replyOwn(ClassPersonal, "", "A link to the board is on its way to you by DM. It works once, within %d minutes.", int(BoardLinkTTL/time.Minute))
	return nil
}

// runBoardLogout ends every board session of the caller.
func runBoardLogout(in *input, tx Tx) error {
	if err := in.done(); err != nil {
		return err
	}
	n := in.b.board.revoke(in.caller.ID)
	switch n {
	case 0:
		in.out.replyOwn(ClassPersonal, "", "You had no board session open; any unused link is void now.")
	case 1:
		in.out.replyOwn(ClassPersonal, "", "Signed out of the board: 1 session ended, and any unused link is void.")
	default:
		in.out.replyOwn(ClassPersonal, "", "Signed out of the board: %d sessions ended, and any unused link is void.", n)
	}
	return nil
}
