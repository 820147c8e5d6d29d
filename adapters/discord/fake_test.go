package discord_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// This file is a local Discord: the REST API (the part icbot uses) and the
// gateway, served by one httptest.Server. A real *discordgo.Session talks to
// it when its Client is f.client(); the gateway URL comes from GET /gateway.

// restCall is one REST request the fake received.
type restCall struct {
	Method, Path string // Path without the /api/v9 prefix, e.g. "/channels/C1/messages"
	Query        string // raw query, e.g. "wait=true"
	Body         []byte
	Status       int  // what the fake answered
	Refused      bool // the fake answered an error (>= 400, 429 included)
}

func (c restCall) String() string {
	q := ""
	if c.Query != "" {
		q = "?" + c.Query
	}
	return fmt.Sprintf("%s %s%s -> %d %s", c.Method, c.Path, q, c.Status, c.Body)
}

// failure is an error the fake answers, as Discord does:
// HTTP Status with the JSON body {"message": Message, "code": Code}.
type failure struct {
	Status  int // 400 if 0
	Code    int
	Message string // http.StatusText(Status) if ""
}

// Failures Discord answers that icbot must explain.
var (
	failMissingPermissions = failure{Status: 403, Code: 50013, Message: "Missing Permissions"}
	failMissingAccess      = failure{Status: 403, Code: 50001, Message: "Missing Access"}
	failCannotDM           = failure{Status: 403, Code: 50007, Message: "Cannot send messages to this user"}
	failUnknownChannel     = failure{Status: 404, Code: 10003, Message: "Unknown Channel"}
	failServerError        = failure{Status: 500, Code: 0, Message: "500: Internal Server Error"}
)

// gatewayFrame is one frame a session sent on the gateway (heartbeats excepted).
type gatewayFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

// fakeDiscord is a local Discord REST API and gateway. Its exported fields
// are its state and knobs: read or change them only inside set().
//
// Knob keys ("METHOD /path-pattern") are matched with path.Match against the
// path without /api/v9: "*" stands for one path segment, e.g.
// "PUT /channels/C1/permissions/*"; the method may be "*" for any. An exact
// key wins over patterns, then patterns are tried in sorted order.
type fakeDiscord struct {
	srv       *httptest.Server
	transport *http.Transport
	httpc     *http.Client
	wsURL     string // ws://127.0.0.1:PORT/gw

	mu sync.Mutex

	// Channels answers GET /channels/{id} and holds the permission
	// overwrites PUT/DELETE /channels/{id}/permissions/{target} change.
	// UserChannelCreate adds the DM channel "DM"+recipient here.
	Channels map[string]*discordgo.Channel
	// Users answers GET /users/{id}; "@me" is the bot unless set here.
	Users map[string]*discordgo.User
	// Guilds are the servers GET /guilds/{id} knows.
	Guilds map[string]*discordgo.Guild
	// Commands holds the last bulk overwrite, by guild id ("" = global).
	Commands map[string][]*discordgo.ApplicationCommand
	// Messages holds every message the fake created (channel messages,
	// follow-ups, edits of @original), in order.
	Messages []*discordgo.Message
	// History is what each channel shows whoever may view it, a member
	// let in later included: the messages posted there and not deleted.
	History map[string][]*discordgo.Message
	// Files are the files attached to messages, by channel, in order.
	Files map[string][]fakeFile
	// CDN serves attachments people sent, by path
	// (/ephemeral-attachments/APP/ID/name), as Discord's CDN does: to
	// anyone who has the address.
	CDN map[string][]byte
	// ChannelUpdates makes every change to a channel's permission
	// overwrites send a CHANNEL_UPDATE dispatch with the channel, as
	// Discord does, to a session on the gateway.
	ChannelUpdates bool

	// Fail answers matching requests with that error, every time, until removed.
	Fail map[string]failure
	// RateLimit answers that many 429s to matching requests before serving
	// them; discordgo sleeps retry_after (50 ms) and retries by itself.
	RateLimit map[string]int
	// Hang delays the answer to matching requests (until the fake stops).
	Hang map[string]time.Duration

	// Interaction checks, as Discord does them for interactions sent with
	// dispatch("INTERACTION_CREATE"): a second callback answers 400 code
	// 40060; a callback later than AckDeadline (3 s; 0 = never late)
	// answers 404 code 10062; a follow-up or an edit of @original before
	// the callback answers 404 code 10015. NoInteractionChecks turns all
	// three off. Unknown interaction ids and tokens are never checked.
	NoInteractionChecks bool
	AckDeadline         time.Duration

	// Ready is the READY payload sent after Identify.
	Ready any
	// Identify is the "d" of the last Identify (op 2) a session sent.
	Identify json.RawMessage
	// GatewayFrames are the frames sessions sent, heartbeats excepted.
	GatewayFrames []gatewayFrame
	// GatewayQuery is the query of the last gateway connection ("v=9&encoding=json").
	GatewayQuery string

	recorded     []restCall
	recordedCh   chan struct{} // closed and replaced at each recorded call
	updates      [][]byte      // CHANNEL_UPDATE data to dispatch once the lock is let go
	nextID       int64
	interactions map[string]*fakeInteraction // by interaction id
	tokens       map[string]*fakeInteraction // by interaction token

	// gateway
	wsMu         sync.Mutex // guards writes on conn; taken before mu
	conn         *websocket.Conn
	ready        bool // READY or RESUMED sent on conn
	seq          int64
	history      []sentFrame // dispatches sent, for replay on resume
	heartbeats   int         // heartbeats received
	identifiedCh chan struct{}
	identOnce    sync.Once
	done         chan struct{} // closed when the fake stops
	stopped      bool
	wg           sync.WaitGroup
}

// fakeFile is a file attached to a message: a multipart part named
// files[N], as Discord takes them.
type fakeFile struct {
	Message, Name, ContentType string
	Content, Data              string
}

// fakeAttachments reads the files of a multipart request; none for JSON.
func fakeAttachments(r *http.Request, body []byte) ([]fakeFile, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return nil, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var out []fakeFile
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(part.FormName(), "files[") {
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			out = append(out, fakeFile{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: string(b)})
		}
	}
}

type fakeInteraction struct {
	id, token, channelID string
	at                   time.Time
	acked                bool
}

// fake ids and names
const (
	fakeBotID     = "BOT"
	fakeAppID     = "APP"
	fakeSessionID = "fake-session"
)

var fakeBot = &discordgo.User{ID: fakeBotID, Username: "icbot", Bot: true}

// newFakeDiscord starts a fake Discord; t.Cleanup stops it. Register the
// session's Close with t.Cleanup after this call, so that it runs first.
func newFakeDiscord(t testing.TB) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{
		Channels:     map[string]*discordgo.Channel{},
		Guilds:       map[string]*discordgo.Guild{},
		Users:        map[string]*discordgo.User{},
		Commands:     map[string][]*discordgo.ApplicationCommand{},
		History:      map[string][]*discordgo.Message{},
		Fail:         map[string]failure{},
		RateLimit:    map[string]int{},
		Hang:         map[string]time.Duration{},
		CDN:          map[string][]byte{},
		AckDeadline:  3 * time.Second,
		recordedCh:   make(chan struct{}),
		nextID:       1_300_000_000_000_000_000,
		interactions: map[string]*fakeInteraction{},
		tokens:       map[string]*fakeInteraction{},
		identifiedCh: make(chan struct{}),
		done:         make(chan struct{}),
		Ready: map[string]any{
			"v":           9,
			"session_id":  fakeSessionID,
			"user":        map[string]any{"id": fakeBotID, "username": "icbot", "bot": true},
			"guilds":      []any{},
			"application": map[string]any{"id": fakeAppID},
		},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serveHTTP))
	f.wsURL = "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gw"
	target, _ := url.Parse(f.srv.URL)
	f.transport = &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
	rt := &rewriteTransport{host: target.Host, base: f.transport}
	f.httpc = &http.Client{Transport: rt, Timeout: 20 * time.Second}
	t.Cleanup(f.stop)
	return f
}

// stop closes the gateway connection and the server and waits for the
// fake's goroutines.
func (f *fakeDiscord) stop() {
	close(f.done)
	f.mu.Lock()
	f.stopped = true
	c := f.conn
	f.mu.Unlock()
	if c != nil {
		c.Close()
	}
	f.srv.CloseClientConnections()
	f.srv.Close()
	f.transport.CloseIdleConnections()
	f.wg.Wait()
}

// client is an *http.Client that sends every request (https://discord.com/...)
// to the fake instead; give it to discordgo.Session.Client.
func (f *fakeDiscord) client() *http.Client { return f.httpc }

// rewriteTransport sends every request to host over plain HTTP.
type rewriteTransport struct {
	host string
	base http.RoundTripper
}

func (rt *rewriteTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme = "http"
	r.URL.Host = rt.host
	r.Host = rt.host
	return rt.base.RoundTrip(r)
}

// calls returns the REST calls recorded so far and forgets them.
func (f *fakeDiscord) calls() []restCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.recorded
	f.recorded = nil
	return c
}

// await waits up to 10 s for a recorded call matching key ("METHOD
// /path-pattern", as for the knobs), then returns it and forgets it (other
// calls stay). Use it for calls the session makes from its own goroutines.
func (f *fakeDiscord) await(t testing.TB, key string) restCall {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		for i, c := range f.recorded {
			if fakeMatchKey(key, c.Method, c.Path) {
				f.recorded = slices.Delete(f.recorded, i, i+1)
				f.mu.Unlock()
				return c
			}
		}
		ch := f.recordedCh
		seen := slices.Clone(f.recorded)
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("fake Discord: no %q within 10s; calls: %v", key, seen)
			return restCall{}
		}
	}
}

// set runs fn under the fake's lock, to read or change its state and knobs.
// fn must not call the fake's other methods.
func (f *fakeDiscord) set(fn func(*fakeDiscord)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// identified is closed once a session has sent Identify (op 2).
func (f *fakeDiscord) identified() <-chan struct{} { return f.identifiedCh }

// dispatch sends the gateway dispatch event (op 0, t=event, s=next sequence,
// d=data) to the connected session, once it has been sent READY; it fails
// the test if none is within 10 s. data is marshalled to JSON, except a
// string, []byte or json.RawMessage, which are sent as they are (raw JSON).
// An INTERACTION_CREATE starts the interaction checks (see AckDeadline).
func (f *fakeDiscord) dispatch(t testing.TB, event string, data any) {
	t.Helper()
	var raw []byte
	switch d := data.(type) {
	case string:
		raw = []byte(d)
	case []byte:
		raw = d
	case json.RawMessage:
		raw = d
	default:
		var err error
		if raw, err = json.Marshal(data); err != nil {
			t.Fatalf("fake Discord: dispatch %s: %v", event, err)
		}
	}
	if !json.Valid(raw) {
		t.Fatalf("fake Discord: dispatch %s: invalid JSON %s", event, raw)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.wsMu.Lock()
		f.mu.Lock()
		conn, ready := f.conn, f.ready
		if conn != nil && ready {
			f.seq++
			frame, _ := json.Marshal(map[string]any{"op": 0, "s": f.seq, "t": event, "d": json.RawMessage(raw)})
			f.history = append(f.history, sentFrame{f.seq, frame})
			if event == "INTERACTION_CREATE" {
				f.noteInteraction(raw)
			}
			f.mu.Unlock()
			err := conn.WriteMessage(websocket.TextMessage, frame)
			f.wsMu.Unlock()
			if err != nil {
				t.Fatalf("fake Discord: dispatch %s: %v", event, err)
			}
			return
		}
		f.mu.Unlock()
		f.wsMu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("fake Discord: dispatch %s: no session connected to the gateway within 10s", event)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// noteInteraction remembers a dispatched interaction, under f.mu.
func (f *fakeDiscord) noteInteraction(raw []byte) {
	var in struct {
		ID        string `json:"id"`
		Token     string `json:"token"`
		ChannelID string `json:"channel_id"`
	}
	if json.Unmarshal(raw, &in) != nil || in.ID == "" {
		return
	}
	fi := &fakeInteraction{id: in.ID, token: in.Token, channelID: in.ChannelID, at: time.Now()}
	f.interactions[in.ID] = fi
	if in.Token != "" {
		f.tokens[in.Token] = fi
	}
}

// answeredOverHTTP tells the fake that an interaction sent to icbot's HTTP
// endpoint has been answered (its HTTP response received): until then, as
// on Discord, follow-ups to it are refused with Unknown Webhook. Call
// noteInteraction, under set, before sending it.
func (f *fakeDiscord) answeredOverHTTP(token string) {
	if fi := f.tokens[token]; fi != nil {
		fi.acked = true
	}
}

// ---------------------------------------------------------------------------
// REST

// fakeAPIError is an error answer, as Discord writes it.
type fakeAPIError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

func (fl failure) answer() (int, any) {
	st := fl.Status
	if st == 0 {
		st = http.StatusBadRequest
	}
	msg := fl.Message
	if msg == "" {
		msg = http.StatusText(st)
	}
	return st, fakeAPIError{Message: msg, Code: fl.Code}
}

// fakeMatchKey reports whether key ("METHOD /pattern", or "/pattern" for any
// method) matches the request.
func fakeMatchKey(key, method, p string) bool {
	m, pat, ok := strings.Cut(key, " ")
	if !ok {
		m, pat = "*", key
	}
	if m != "*" && !strings.EqualFold(m, method) {
		return false
	}
	if pat == p {
		return true
	}
	ok, _ = path.Match(pat, p)
	return ok
}

// fakeLookup finds the knob key matching the request: the exact key first, then
// patterns in sorted order; with positive, only keys whose value is > 0.
func fakeLookup[V any](m map[string]V, method, p string, positive func(V) bool) (string, bool) {
	exact := method + " " + p
	if v, ok := m[exact]; ok && (positive == nil || positive(v)) {
		return exact, true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if fakeMatchKey(k, method, p) && (positive == nil || positive(m[k])) {
			return k, true
		}
	}
	return "", false
}

func (f *fakeDiscord) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gw" || r.URL.Path == "/gw/" {
		f.serveGateway(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/ephemeral-attachments/") || strings.HasPrefix(r.URL.Path, "/attachments/") {
		f.serveCDN(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	p := strings.TrimPrefix(r.URL.Path, "/api/v9")
	if p == "" {
		p = "/"
	}

	f.mu.Lock()
	hang := time.Duration(0)
	if k, ok := fakeLookup(f.Hang, r.Method, p, nil); ok {
		hang = f.Hang[k]
	}
	f.mu.Unlock()
	if hang > 0 {
		select {
		case <-time.After(hang):
		case <-f.done:
		case <-r.Context().Done():
		}
	}

	f.mu.Lock()
	status, answer, header := f.route(r, p, body)
	var out []byte
	if answer != nil {
		// Marshalled under the lock: answers share the fake's state.
		var err error
		if out, err = json.Marshal(answer); err != nil {
			status, out = http.StatusInternalServerError, []byte(`{"message":"fake: `+err.Error()+`","code":0}`)
		}
	}
	call := restCall{Method: r.Method, Path: p, Query: r.URL.RawQuery, Body: body, Status: status, Refused: status >= 400}
	f.recorded = append(f.recorded, call)
	close(f.recordedCh)
	f.recordedCh = make(chan struct{})
	updates := f.updates
	f.updates = nil
	f.mu.Unlock()
	for _, u := range updates {
		f.dispatchNow("CHANNEL_UPDATE", u)
	}

	for k, v := range header {
		w.Header()[k] = v
	}
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	w.Write(out)
}

// serveCDN answers a request for an attachment, and records it.
func (f *fakeDiscord) serveCDN(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	data, ok := f.CDN[r.URL.Path]
	status := http.StatusOK
	if !ok || r.Method != http.MethodGet {
		status = http.StatusNotFound
	}
	f.recorded = append(f.recorded, restCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, Refused: status >= 400})
	close(f.recordedCh)
	f.recordedCh = make(chan struct{})
	f.mu.Unlock()
	w.WriteHeader(status)
	if ok {
		w.Write(data)
	}
}

// fakeRetryAfter is how long discordgo waits after each fake 429.
const fakeRetryAfter = 0.05

// route answers one REST request, under f.mu: status, a JSON body (nil for
// none) and extra headers.
func (f *fakeDiscord) route(r *http.Request, p string, body []byte) (int, any, http.Header) {
	if k, ok := fakeLookup(f.RateLimit, r.Method, p, func(n int) bool { return n > 0 }); ok {
		f.RateLimit[k]--
		now := time.Now()
		reset := float64(now.UnixMilli())/1000 + fakeRetryAfter
		h := http.Header{}
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(fakeRetryAfter, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "fakebucket")
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(fakeRetryAfter))))
		return http.StatusTooManyRequests, map[string]any{
			"message": "You are being rate limited.", "retry_after": fakeRetryAfter, "global": false,
		}, h
	}
	if k, ok := fakeLookup(f.Fail, r.Method, p, nil); ok {
		st, a := f.Fail[k].answer()
		return st, a, nil
	}
	st, a := f.serve(r, p, body)
	return st, a, nil
}

var (
	fakeErrUnknownUser    = failure{Status: 404, Code: 10013, Message: "Unknown User"}
	fakeErrUnknownGuild   = failure{Status: 404, Code: 10004, Message: "Unknown Guild"}
	fakeErrUnknownWebhook = failure{Status: 404, Code: 10015, Message: "Unknown Webhook"}
	fakeErrUnknownInter   = failure{Status: 404, Code: 10062, Message: "Unknown interaction"}
	fakeErrAlreadyAcked   = failure{Status: 400, Code: 40060, Message: "Interaction has already been acknowledged."}
	fakeErrInvalidToken   = failure{Status: 401, Code: 50027, Message: "Invalid Webhook Token"}
	fakeErrInvalidBody    = failure{Status: 400, Code: 50035, Message: "Invalid Form Body"}
	fakeErrNotFound       = failure{Status: 404, Code: 0, Message: "404: Not Found"}
	fakeErrUnknownMessage = failure{Status: 404, Code: 10008, Message: "Unknown Message"}
)

// channelUpdated queues a CHANNEL_UPDATE of c when ChannelUpdates is set,
// under f.mu; it is sent once the request is answered.
func (f *fakeDiscord) channelUpdated(c *discordgo.Channel) {
	if !f.ChannelUpdates {
		return
	}
	if raw, err := json.Marshal(c); err == nil {
		f.updates = append(f.updates, raw)
	}
}

// dispatchNow sends a dispatch to the session on the gateway, if one is
// connected and ready; otherwise it is lost, as Discord's are for a
// session that is not there.
func (f *fakeDiscord) dispatchNow(event string, raw []byte) {
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	f.mu.Lock()
	conn, ready := f.conn, f.ready
	if conn == nil || !ready {
		f.mu.Unlock()
		return
	}
	f.seq++
	frame, _ := json.Marshal(map[string]any{"op": 0, "s": f.seq, "t": event, "d": json.RawMessage(raw)})
	f.history = append(f.history, sentFrame{f.seq, frame})
	f.mu.Unlock()
	_ = conn.WriteMessage(websocket.TextMessage, frame)
}

// serve answers the routes the fake knows, under f.mu.
func (f *fakeDiscord) serve(r *http.Request, p string, body []byte) (int, any) {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	is := func(method string, pattern ...string) bool {
		if r.Method != method || len(seg) != len(pattern) {
			return false
		}
		for i, s := range pattern {
			if seg[i] == "" || (s != "*" && s != seg[i]) {
				return false
			}
		}
		return true
	}
	switch {
	case is("GET", "gateway"):
		return 200, map[string]any{"url": f.wsURL}
	case is("GET", "gateway", "bot"):
		return 200, map[string]any{"url": f.wsURL, "shards": 1,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}

	case is("GET", "users", "*"):
		if u, ok := f.Users[seg[1]]; ok {
			return 200, u
		}
		if seg[1] == "@me" {
			return 200, fakeBot
		}
		return fakeErrUnknownUser.answer()
	case is("POST", "users", "@me", "channels"):
		var in struct {
			RecipientID string `json:"recipient_id"`
		}
		if json.Unmarshal(body, &in) != nil || in.RecipientID == "" {
			return fakeErrInvalidBody.answer()
		}
		id := "DM" + in.RecipientID
		c, ok := f.Channels[id]
		if !ok {
			u := f.Users[in.RecipientID]
			if u == nil {
				u = &discordgo.User{ID: in.RecipientID}
			}
			c = &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeDM, Recipients: []*discordgo.User{u}}
			f.Channels[id] = c
		}
		return 200, c

	case is("GET", "guilds", "*"):
		if g, ok := f.Guilds[seg[1]]; ok {
			return 200, g
		}
		return fakeErrUnknownGuild.answer()
	case is("GET", "channels", "*"):
		if c, ok := f.Channels[seg[1]]; ok {
			return 200, c
		}
		return failUnknownChannel.answer()
	case is("PUT", "channels", "*", "permissions", "*"):
		c, ok := f.Channels[seg[1]]
		if !ok {
			return failUnknownChannel.answer()
		}
		var o discordgo.PermissionOverwrite
		if err := json.Unmarshal(body, &o); err != nil {
			return fakeErrInvalidBody.answer()
		}
		o.ID = seg[3]
		i := slices.IndexFunc(c.PermissionOverwrites, func(x *discordgo.PermissionOverwrite) bool { return x.ID == o.ID })
		if i >= 0 {
			c.PermissionOverwrites[i] = &o
		} else {
			c.PermissionOverwrites = append(c.PermissionOverwrites, &o)
		}
		f.channelUpdated(c)
		return 204, nil
	case is("DELETE", "channels", "*", "permissions", "*"):
		c, ok := f.Channels[seg[1]]
		if !ok {
			return failUnknownChannel.answer()
		}
		c.PermissionOverwrites = slices.DeleteFunc(c.PermissionOverwrites, func(x *discordgo.PermissionOverwrite) bool { return x.ID == seg[3] })
		f.channelUpdated(c)
		return 204, nil
	case is("POST", "channels", "*", "messages"):
		st, a := f.newMessage(r, body, seg[1], nil)
		if st == 200 {
			f.History[seg[1]] = append(f.History[seg[1]], f.Messages[len(f.Messages)-1])
		}
		return st, a
	case is("PATCH", "channels", "*", "messages", "*"):
		return f.editMessage(r, body, seg[3])
	case is("DELETE", "channels", "*", "messages", "*"):
		shown := f.History[seg[1]]
		i := slices.IndexFunc(shown, func(m *discordgo.Message) bool { return m.ID == seg[3] })
		if i < 0 {
			return fakeErrUnknownMessage.answer()
		}
		f.History[seg[1]] = slices.Delete(shown, i, i+1)
		return 204, nil

	case is("PUT", "applications", "*", "commands"):
		return f.overwriteCommands(body, seg[1], "")
	case is("PUT", "applications", "*", "guilds", "*", "commands"):
		return f.overwriteCommands(body, seg[1], seg[3])
	case is("GET", "applications", "*", "commands"):
		return 200, fakeNonNil(f.Commands[""])
	case is("GET", "applications", "*", "guilds", "*", "commands"):
		return 200, fakeNonNil(f.Commands[seg[3]])

	case is("POST", "interactions", "*", "*", "callback"):
		fi := f.interactions[seg[1]]
		if fi != nil && !f.NoInteractionChecks {
			switch {
			case fi.token != seg[2]:
				return fakeErrInvalidToken.answer()
			case fi.acked:
				return fakeErrAlreadyAcked.answer()
			case f.AckDeadline > 0 && time.Since(fi.at) > f.AckDeadline:
				return fakeErrUnknownInter.answer()
			}
		}
		if fi == nil {
			fi = f.tokens[seg[2]]
		}
		if fi != nil {
			fi.acked = true
		}
		return 204, nil
	case is("POST", "webhooks", "*", "*"):
		if st, a, bad := f.checkAcked(seg[2]); bad {
			return st, a
		}
		st, a := f.newMessage(r, body, f.webhookChannel(seg[2]), map[string]any{"webhook_id": seg[1], "application_id": seg[1]})
		if st == 200 && r.URL.Query().Get("wait") != "true" {
			return 204, nil // without wait=true Discord answers no content
		}
		return st, a
	case is("PATCH", "webhooks", "*", "*", "messages", "@original"):
		if st, a, bad := f.checkAcked(seg[2]); bad {
			return st, a
		}
		return f.newMessage(r, body, f.webhookChannel(seg[2]), map[string]any{"webhook_id": seg[1], "application_id": seg[1]})
	case is("PATCH", "webhooks", "*", "*", "messages", "*"):
		if st, a, bad := f.checkAcked(seg[2]); bad {
			return st, a
		}
		return f.editMessage(r, body, seg[4])
	case is("DELETE", "webhooks", "*", "*", "messages", "*"):
		return 204, nil
	}
	return fakeErrNotFound.answer()
}

// checkAcked refuses a follow-up on a dispatched interaction not yet answered.
func (f *fakeDiscord) checkAcked(token string) (int, any, bool) {
	if fi := f.tokens[token]; fi != nil && !fi.acked && !f.NoInteractionChecks {
		st, a := fakeErrUnknownWebhook.answer()
		return st, a, true
	}
	return 0, nil, false
}

func (f *fakeDiscord) webhookChannel(token string) string {
	if fi := f.tokens[token]; fi != nil {
		return fi.channelID
	}
	return ""
}

func (f *fakeDiscord) newID() string {
	f.nextID++
	return strconv.FormatInt(f.nextID, 10)
}

// fakePayloadJSON is the JSON of a request: its body, or its payload_json part
// when it is multipart (files attached).
func fakePayloadJSON(r *http.Request, body []byte) []byte {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return body
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if part.FormName() == "payload_json" {
			b, _ := io.ReadAll(part)
			return b
		}
	}
}

// newMessage creates a message from the request's JSON, as Discord echoes
// it, and appends it to f.Messages (an edit of @original too).
func (f *fakeDiscord) newMessage(r *http.Request, body []byte, channelID string, extra map[string]any) (int, any) {
	m := map[string]any{}
	if err := json.Unmarshal(fakePayloadJSON(r, body), &m); err != nil {
		return fakeErrInvalidBody.answer()
	}
	for k, v := range extra {
		m[k] = v
	}
	m["id"] = f.newID()
	m["channel_id"] = channelID
	m["author"] = fakeBot
	m["type"] = 0
	m["timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	if _, ok := m["content"]; !ok {
		m["content"] = ""
	}
	files, err := fakeAttachments(r, body)
	if err != nil {
		return fakeErrInvalidBody.answer()
	}
	var attachments []map[string]any
	for i := range files {
		files[i].Message, files[i].Content = m["id"].(string), fmt.Sprint(m["content"])
		attachments = append(attachments, map[string]any{"id": f.newID(), "filename": files[i].Name,
			"content_type": files[i].ContentType, "size": len(files[i].Data)})
	}
	if len(attachments) > 0 {
		m["attachments"] = attachments
	}
	out, _ := json.Marshal(m)
	var msg discordgo.Message
	if err := json.Unmarshal(out, &msg); err != nil {
		return fakeErrInvalidBody.answer()
	}
	if len(files) > 0 {
		if f.Files == nil {
			f.Files = map[string][]fakeFile{}
		}
		f.Files[channelID] = append(f.Files[channelID], files...)
	}
	f.Messages = append(f.Messages, &msg)
	return 200, json.RawMessage(out)
}

// editMessage answers an edit of message id with the edited fields.
func (f *fakeDiscord) editMessage(r *http.Request, body []byte, id string) (int, any) {
	m := map[string]any{}
	if err := json.Unmarshal(fakePayloadJSON(r, body), &m); err != nil {
		return fakeErrInvalidBody.answer()
	}
	m["id"] = id
	m["author"] = fakeBot
	m["edited_timestamp"] = time.Now().UTC().Format(time.RFC3339Nano)
	return 200, m
}

// overwriteCommands answers a bulk overwrite with the commands, their ids
// filled (kept for a name already registered), and stores them.
func (f *fakeDiscord) overwriteCommands(body []byte, app, guild string) (int, any) {
	var cmds []*discordgo.ApplicationCommand
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) || json.Unmarshal(body, &cmds) != nil {
		return fakeErrInvalidBody.answer() // Discord wants an array; a nil slice marshals to null
	}
	old := f.Commands[guild]
	for _, c := range cmds {
		if c.ID == "" {
			c.ID = f.newID()
			for _, o := range old {
				if o.Name == c.Name {
					c.ID = o.ID
				}
			}
		}
		c.ApplicationID = app
		c.GuildID = guild
		if c.Type == 0 {
			c.Type = discordgo.ChatApplicationCommand
		}
		c.Version = f.newID()
	}
	f.Commands[guild] = cmds
	return 200, fakeNonNil(cmds)
}

func fakeNonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---------------------------------------------------------------------------
// gateway

var fakeUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if f.stopped {
		f.mu.Unlock()
		http.Error(w, "stopped", http.StatusServiceUnavailable)
		return
	}
	f.wg.Add(1)
	f.mu.Unlock()
	defer f.wg.Done()
	conn, err := fakeUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()

	// One connection at a time: a new one replaces the old.
	f.wsMu.Lock()
	f.mu.Lock()
	old := f.conn
	f.conn, f.ready = conn, false
	f.GatewayQuery = r.URL.RawQuery
	f.mu.Unlock()
	if old != nil {
		old.Close()
	}
	err = conn.WriteJSON(map[string]any{"op": 10, "s": nil, "t": nil, "d": map[string]any{"heartbeat_interval": 45000}})
	f.wsMu.Unlock()
	if err != nil {
		return
	}
	defer func() {
		f.mu.Lock()
		if f.conn == conn {
			f.conn, f.ready = nil, false
		}
		f.mu.Unlock()
	}()

	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		var fr gatewayFrame
		if json.Unmarshal(msg, &fr) != nil {
			continue
		}
		switch fr.Op {
		case 1: // heartbeat
			f.mu.Lock()
			f.heartbeats++
			f.mu.Unlock()
			if f.write(conn, map[string]any{"op": 11, "s": nil, "t": nil, "d": nil}, nil) != nil {
				return
			}
			continue
		case 2: // identify
			f.mu.Lock()
			f.Identify = fr.D
			f.GatewayFrames = append(f.GatewayFrames, fr)
			f.mu.Unlock()
			f.identOnce.Do(func() { close(f.identifiedCh) })
			err = f.write(conn, nil, func() any {
				f.seq = 1
				return map[string]any{"op": 0, "s": f.seq, "t": "READY", "d": f.Ready}
			})
		case 6: // resume: missed events are replayed in order, then RESUMED
			var resume struct {
				Seq int64 `json:"seq"`
			}
			_ = json.Unmarshal(fr.D, &resume)
			f.mu.Lock()
			f.GatewayFrames = append(f.GatewayFrames, fr)
			var missed [][]byte
			for _, h := range f.history {
				if h.seq > resume.Seq {
					missed = append(missed, h.frame)
				}
			}
			f.mu.Unlock()
			for _, m := range missed {
				if err = f.write(conn, json.RawMessage(m), nil); err != nil {
					return
				}
			}
			err = f.write(conn, nil, func() any {
				f.seq++
				return map[string]any{"op": 0, "s": f.seq, "t": "RESUMED", "d": map[string]any{}}
			})
		default:
			f.mu.Lock()
			f.GatewayFrames = append(f.GatewayFrames, fr)
			f.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// write sends v, or the frame mk builds under f.mu (which then marks the
// connection ready once sent), on conn under wsMu.
func (f *fakeDiscord) write(conn *websocket.Conn, v any, mk func() any) error {
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	if mk != nil {
		f.mu.Lock()
		v = mk()
		f.mu.Unlock()
	}
	if err := conn.WriteJSON(v); err != nil {
		return err
	}
	if mk != nil {
		f.mu.Lock()
		if f.conn == conn {
			f.ready = true
		}
		f.mu.Unlock()
	}
	return nil
}

// sentFrame is a dispatch sent on the gateway, kept to replay on resume.
type sentFrame struct {
	seq   int64
	frame []byte
}

// askReconnect sends op 7 Reconnect on the current gateway connection, as
// Discord does before it moves a session; dispatches wait until the
// session has resumed on a new connection.
//
// It waits for the session's first heartbeat: discordgo v0.29.0 sends one
// as it connects, and a Reconnect that arrives while that first heartbeat
// is being sent makes it close its new connections again and again, which
// Discord, whose Reconnects come long after, never sees.
func (f *fakeDiscord) askReconnect(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		n := f.heartbeats
		f.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fake Discord: no heartbeat within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // past the heartbeat's write, into its wait
	f.wsMu.Lock()
	defer f.wsMu.Unlock()
	f.mu.Lock()
	conn := f.conn
	f.ready = false
	f.mu.Unlock()
	if conn == nil {
		t.Fatal("fake Discord: no gateway connection to ask to reconnect")
	}
	if err := conn.WriteJSON(map[string]any{"op": 7, "s": nil, "t": nil, "d": nil}); err != nil {
		t.Fatalf("fake Discord: op 7: %v", err)
	}
}
