package slack_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/slack-go/slack/slacktest"
	"github.com/slack-go/slack/socketmode"

	"icbot/adapters/internal/scripttest"
	"icbot/adapters/slack"
	"icbot/bot"
	"icbot/storage"
)

const (
	secret   = "8f742231b10e8888abcd99yyyzzz85a5"
	botUser  = "UBOT"
	appToken = "xapp-1-A1-1-test"
)

// testKey seals the stores' private fields, as icbot does.
var testKey = []byte("0123456789abcdef0123456789abcdef")

// call is one Web API request the fake received.
type call struct {
	Method  string
	Form    url.Values
	Refused bool // answered 429 or with an error
}

// fakeSlack is a local Slack Web API that records every call, with
// channels that are private or public and have members, and knobs to make
// a method fail, hang or answer 429.
type fakeSlack struct {
	srv *slacktest.Server

	mu        sync.Mutex
	calls     []call
	private   map[string]bool
	shared    map[string]string // channel -> conversations.info flag that says how it is shared
	members   map[string][]string
	names     map[string]string
	fail      map[string]string        // method -> Slack error code
	hang      map[string]time.Duration // method, or "users.info USER", -> delay before answering
	arrived   map[string]int           // method -> requests received, answered or not
	limited   map[string]int           // method -> 429 answers left
	broken    map[string]int           // method -> 500 answers left
	responses []call                   // posts to response_url
	ims       int
	release   chan struct{} // closed to end every hang at once
	// history is what each channel shows its readers, a new member
	// included: every message posted and not deleted.
	history map[string][]shown
	// connections, when set, answers apps.connections.open in place of
	// the fake's own websocket (see socketSlack).
	connections http.HandlerFunc
	// uploads are the bytes received at upload addresses, by file id;
	// files are the files shared into each channel.
	uploads map[string][]byte
	files   map[string][]sharedFile
	// uploadURL, when set, is the upload address files.getUploadURLExternal
	// gives, in place of the fake's own.
	uploadURL string
	// hosted are the files people shared, served at files-pri/NAME to
	// icbot's token (see download); downloads counts the requests for them.
	hosted    map[string][]byte
	downloads int
	// infos are what files.info tells of each file, by id.
	infos map[string]map[string]any
}

// sharedFile is a file shared into a channel by
// files.completeUploadExternal.
type sharedFile struct {
	ID, Title, Comment string
	Data               []byte
}

// shown is one message a channel shows.
type shown struct {
	TS     string
	Text   string
	Blocks string // JSON, "" for none
}

// viewRefused reports whether Slack would refuse a views.open body: more
// than 100 blocks, a title over 24 characters, an input's label over
// 2000, a choice's text over 75, a section over 3000, a text input whose
// value is over 3000 (or its max_length), private metadata over 3000.
func viewRefused(body string) bool {
	type text struct {
		Text string `json:"text"`
	}
	var req struct {
		View struct {
			Title           text   `json:"title"`
			PrivateMetadata string `json:"private_metadata"`
			Blocks          []struct {
				Type    string `json:"type"`
				Text    text   `json:"text"`
				Label   text   `json:"label"`
				Element struct {
					Type         string `json:"type"`
					InitialValue string `json:"initial_value"`
					MaxLength    int    `json:"max_length"`
					Options      []struct {
						Text text `json:"text"`
					} `json:"options"`
				} `json:"element"`
			} `json:"blocks"`
		} `json:"view"`
	}
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		return true
	}
	n := func(s string) int { return len(utf16.Encode([]rune(s))) }
	v := req.View
	if len(v.Blocks) > 100 || n(v.Title.Text) > 24 || n(v.PrivateMetadata) > 3000 {
		return true
	}
	for _, b := range v.Blocks {
		switch b.Type {
		case "section":
			if n(b.Text.Text) > 3000 {
				return true
			}
		case "input":
			if n(b.Label.Text) > 2000 || n(b.Element.InitialValue) > 3000 ||
				b.Element.MaxLength > 3000 || (b.Element.MaxLength > 0 && n(b.Element.InitialValue) > b.Element.MaxLength) {
				return true
			}
			for _, o := range b.Element.Options {
				if n(o.Text.Text) > 75 {
					return true
				}
			}
		}
	}
	return false
}

// blocksRefused is Slack's error for a message's blocks it does not take:
// more than 50, a section of more than 3000 characters, or, past about
// 13,000 characters of text in all, msg_blocks_too_long. "" when it takes
// them.
func blocksRefused(raw string) string {
	if raw == "" {
		return ""
	}
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(raw), &blocks); err != nil || len(blocks) > 50 {
		return "invalid_blocks"
	}
	total := 0
	for _, b := range blocks {
		n := len(utf16.Encode([]rune(b.Text.Text)))
		if b.Type == "section" && n > 3000 {
			return "invalid_blocks"
		}
		total += n
	}
	if total > 13000 {
		return "msg_blocks_too_long"
	}
	return ""
}

func newFakeSlack(t testing.TB) *fakeSlack {
	f := &fakeSlack{
		private: map[string]bool{"GSCENE12": true, "GSCENE20": true, "DIC": true}, shared: map[string]string{},
		members: map[string][]string{
			"GSCENE12": {botUser, "UPAULA", "UPETE", "UINES", "UADAM", "UGARY", "UHANA"},
			"GSCENE20": {botUser, "UPAULA", "UPETE", "UINES", "UADAM", "UGARY", "UHANA"},
		},
		history: map[string][]shown{},
		names: map[string]string{"UINES": "ines", "UADAM": "adam", "UPAULA": "paula", "UPETE": "pete", "UGARY": "gary",
			"UHANA": "hana", "UCAM": "cam", "UROOT": "root", "UNEW": "newbie"},
		fail: map[string]string{}, hang: map[string]time.Duration{}, arrived: map[string]int{}, limited: map[string]int{}, broken: map[string]int{},
		release: make(chan struct{}),
		uploads: map[string][]byte{}, files: map[string][]sharedFile{}, hosted: map[string][]byte{},
		infos: map[string]map[string]any{},
	}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, m := range []string{"auth.test", "chat.postMessage", "chat.delete", "conversations.info", "conversations.open",
			"conversations.members", "conversations.invite", "conversations.kick", "users.info", "views.open",
			"files.getUploadURLExternal", "files.completeUploadExternal", "files.info"} {
			c.Handle("/"+m, f.handler(m))
		}
		c.Handle("/upload/", f.upload)
		c.Handle("/files-pri/", f.download)
		c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			open := f.connections
			f.mu.Unlock()
			if open != nil {
				open(w, r)
				return
			}
			writeJSON(w, map[string]any{"ok": true, "url": f.srv.GetWSURL()})
		})
		c.Handle("/response/", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			delay := f.hang["response"]
			f.mu.Unlock()
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-f.release:
				case <-r.Context().Done():
					return
				}
			}
			f.mu.Lock()
			f.responses = append(f.responses, call{Method: r.URL.Path, Form: url.Values{"body": {string(body)}}})
			f.mu.Unlock()
			w.Write([]byte("ok"))
		})
	})
	f.srv.Start()
	t.Cleanup(func() {
		f.unhang()
		f.srv.Stop()
	})
	return f
}

func (f *fakeSlack) handler(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			// views.open sends JSON: keep the body as the call's "body".
			body, _ := io.ReadAll(r.Body)
			r.PostForm = url.Values{"body": {string(body)}}
		} else {
			_ = r.ParseForm()
		}
		f.mu.Lock()
		f.arrived[method]++
		delay := f.hang[method]
		if d, ok := f.hang[method+" "+r.PostForm.Get("user")]; ok {
			delay = d
		}
		f.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-f.release:
			case <-r.Context().Done():
				return
			}
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if n := f.broken[method]; n > 0 {
			f.broken[method] = n - 1
			f.calls = append(f.calls, call{Method: method, Form: r.PostForm, Refused: true})
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if n := f.limited[method]; n > 0 {
			f.limited[method] = n - 1
			f.calls = append(f.calls, call{Method: method, Form: r.PostForm, Refused: true})
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if code := f.fail[method]; code != "" {
			f.calls = append(f.calls, call{Method: method, Form: r.PostForm, Refused: true})
			writeJSON(w, map[string]any{"ok": false, "error": code, "needed": "groups:write"})
			return
		}
		f.calls = append(f.calls, call{Method: method, Form: r.PostForm})
		ch := r.PostForm.Get("channel")
		switch method {
		case "auth.test":
			writeJSON(w, map[string]any{"ok": true, "user_id": botUser, "team": "Night Swim", "user": "icbot"})
		case "chat.postMessage":
			if code := blocksRefused(r.PostForm.Get("blocks")); code != "" {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": code})
				return
			}
			ts := fmt.Sprintf("%d.0001", len(f.calls))
			// Slack keeps the first 40,000 characters of a text, silently.
			text := r.PostForm.Get("text")
			if u := utf16.Encode([]rune(text)); len(u) > 40000 {
				text = string(utf16.Decode(u[:40000]))
			}
			f.history[ch] = append(f.history[ch], shown{TS: ts, Text: text, Blocks: r.PostForm.Get("blocks")})
			writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
		case "chat.delete":
			ts := r.PostForm.Get("ts")
			n := len(f.history[ch])
			f.history[ch] = slices.DeleteFunc(f.history[ch], func(m shown) bool { return m.TS == ts })
			if len(f.history[ch]) == n {
				writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
		case "conversations.info":
			_, known := f.private[ch]
			if !known && !strings.HasPrefix(ch, "C") {
				writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
				return
			}
			info := map[string]any{"id": ch, "is_private": f.private[ch], "is_im": strings.HasPrefix(ch, "D")}
			if flag := f.shared[ch]; flag != "" {
				info[flag] = true
			}
			writeJSON(w, map[string]any{"ok": true, "channel": info})
		case "conversations.open":
			f.ims++
			writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + r.PostForm.Get("users"), "is_im": true}})
		case "conversations.members":
			// Paged as Slack pages: at most limit (default 100) a page, and
			// an opaque cursor to the next while there is one.
			limit, err := strconv.Atoi(r.PostForm.Get("limit"))
			if err != nil || limit <= 0 {
				limit = 100
			}
			from := 0
			if cur := r.PostForm.Get("cursor"); cur != "" {
				n, err := strconv.Atoi(strings.TrimPrefix(cur, "page-from-"))
				if err != nil || !strings.HasPrefix(cur, "page-from-") || n > len(f.members[ch]) {
					writeJSON(w, map[string]any{"ok": false, "error": "invalid_cursor"})
					return
				}
				from = n
			}
			to := min(from+limit, len(f.members[ch]))
			next := ""
			if to < len(f.members[ch]) {
				next = "page-from-" + strconv.Itoa(to)
			}
			writeJSON(w, map[string]any{"ok": true, "members": slices.Clone(f.members[ch][from:to]), "response_metadata": map[string]string{"next_cursor": next}})
		case "conversations.invite":
			for _, u := range strings.Split(r.PostForm.Get("users"), ",") {
				if !slices.Contains(f.members[ch], u) {
					f.members[ch] = append(f.members[ch], u)
				}
			}
			writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": ch}})
		case "conversations.kick":
			u := r.PostForm.Get("user")
			f.members[ch] = slices.DeleteFunc(f.members[ch], func(m string) bool { return m == u })
			writeJSON(w, map[string]any{"ok": true})
		case "views.open":
			if viewRefused(r.PostForm.Get("body")) {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V1"}})
		case "files.getUploadURLExternal":
			id := fmt.Sprintf("F%d", len(f.calls))
			n, err := strconv.Atoi(r.PostForm.Get("length"))
			if r.PostForm.Get("filename") == "" || err != nil || n <= 0 {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
				return
			}
			target := f.srv.GetAPIURL() + "upload/" + id
			if f.uploadURL != "" {
				target = f.uploadURL + id
			}
			writeJSON(w, map[string]any{"ok": true, "upload_url": target, "file_id": id})
		case "files.completeUploadExternal":
			var files []struct{ ID, Title string }
			if err := json.Unmarshal([]byte(r.PostForm.Get("files")), &files); err != nil || len(files) != 1 {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
				return
			}
			data, ok := f.uploads[files[0].ID]
			if !ok {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": "file_not_found"})
				return
			}
			delete(f.uploads, files[0].ID)
			ch := r.PostForm.Get("channel_id")
			f.files[ch] = append(f.files[ch], sharedFile{ID: files[0].ID, Title: files[0].Title, Comment: r.PostForm.Get("initial_comment"), Data: data})
			writeJSON(w, map[string]any{"ok": true, "files": []map[string]string{{"id": files[0].ID, "title": files[0].Title}}})
		case "files.info":
			info, ok := f.infos[r.PostForm.Get("file")]
			if !ok {
				f.calls[len(f.calls)-1].Refused = true
				writeJSON(w, map[string]any{"ok": false, "error": "file_not_found"})
				return
			}
			writeJSON(w, map[string]any{"ok": true, "file": info, "comments": []any{}, "paging": map[string]any{}})
		case "users.info":
			u := r.PostForm.Get("user")
			writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": u, "name": f.names[u], "profile": map[string]any{"display_name": f.names[u]}}})
		}
	}
}

// upload takes a file's bytes at its upload address, as Slack's file
// host does: a multipart form with the file in "file", and icbot's token.
func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	file, _, err := r.FormFile("file")
	if err != nil || r.Header.Get("Authorization") != "Bearer xoxb-test" {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	data, _ := io.ReadAll(file)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.arrived["upload"]++
	if n := f.broken["upload"]; n > 0 {
		f.broken["upload"] = n - 1
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	f.uploads[id] = data
	fmt.Fprintf(w, "OK - %d", len(data))
}

// download serves a shared file's bytes at its url_private_download, as
// Slack's file host does: to icbot's token only.
func (f *fakeSlack) download(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.downloads++
	data, ok := f.hosted[strings.TrimPrefix(r.URL.Path, "/files-pri/")]
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer xoxb-test" {
		http.Error(w, "not authorized", http.StatusForbidden)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(data)
}

// host serves data as a file shared with icbot, and returns its
// url_private_download.
func (f *fakeSlack) host(name string, data []byte) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hosted[name] = data
	return f.srv.GetAPIURL() + "files-pri/" + name
}

// downloaded is how many downloads of shared files were asked for.
func (f *fakeSlack) downloaded() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.downloads
}

// filesIn lists the files shared into channel ch.
func (f *fakeSlack) filesIn(ch string) []sharedFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.files[ch])
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// shows is what channel ch shows a reader now.
func (f *fakeSlack) shows(ch string) []shown {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.history[ch])
}

// took returns the calls recorded so far, and forgets them.
func (f *fakeSlack) took() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// waitArrival waits until method has been called n times, answered or
// still hanging.
func (f *fakeSlack) waitArrival(t testing.TB, method string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		f.mu.Lock()
		got := f.arrived[method]
		f.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was called %d times, want %d", method, got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// unhang ends every hanging request now.
func (f *fakeSlack) unhang() {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.release:
	default:
		close(f.release)
	}
}

func (f *fakeSlack) set(fn func(f *fakeSlack)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeSlack) channelMembers(ch string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := slices.Clone(f.members[ch])
	slices.Sort(m)
	return m
}

// posts lists the chat.postMessage calls to a channel, by text.
func posts(calls []call, ch string) []string {
	var out []string
	for _, c := range calls {
		if c.Method == "chat.postMessage" && c.Form.Get("channel") == ch && !c.Refused {
			out = append(out, c.Form.Get("text"))
		}
	}
	return out
}

// responseBodies joins the bodies posted to response_url path ("" for
// every path).
func (f *fakeSlack) responseBodies(path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var bodies []string
	for _, c := range f.responses {
		if path == "" || c.Method == path {
			bodies = append(bodies, c.Form.Get("body"))
		}
	}
	return strings.Join(bodies, "\n")
}

// membership lists the invites and removals among calls, in order.
func membership(calls []call) string {
	var changes []string
	for _, c := range calls {
		switch c.Method {
		case "conversations.invite":
			changes = append(changes, "invite "+c.Form.Get("users"))
		case "conversations.kick":
			changes = append(changes, "kick "+c.Form.Get("user"))
		}
	}
	return strings.Join(changes, "; ")
}

func methods(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

// rig is icbot running with the Slack adapter against the fake.
type rig struct {
	t     testing.TB
	fake  *fakeSlack
	store *storage.Store
	path  string
	bot   *bot.Bot
	ad    *slack.Adapter
	srv   *httptest.Server
	// triggers counts the commands typed, for their trigger ids.
	triggers int
}

func newRig(t testing.TB, opts ...func(*rigOpts)) *rig {
	t.Helper()
	o := rigOpts{path: filepath.Join(t.TempDir(), "icbot.db")}
	for _, f := range opts {
		f(&o)
	}
	if o.fake == nil {
		o.fake = newFakeSlack(t)
	}
	st, err := storage.Open(o.path, storage.WithTimeout(time.Second), storage.WithKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, fake: o.fake, store: st, path: o.path}
	cfg := slack.Config{BotToken: "xoxb-test", SigningSecret: secret, APIURL: o.fake.srv.GetAPIURL()}
	if o.socket != nil {
		cfg.AppToken = appToken
		o.adapter = append(o.adapter, slack.WithSocketModeOptions(socketmode.OptionPingInterval(time.Hour)))
	}
	r.ad = slack.New(cfg, append([]slack.Option{slack.WithPace(time.Millisecond)}, o.adapter...)...)
	var bs bot.Store = st
	if o.store != nil {
		bs = o.store(st)
	}
	r.bot = bot.New(bs, r.ad, bot.WithAdmins("UROOT"), bot.WithSetChannel("CSET"), bot.WithScriptReader(scripttest.Read))
	var h slack.Handler = r.bot
	if o.socket != nil {
		h = o.socket(r.bot)
	}
	t.Cleanup(r.close)
	if err := r.ad.Open(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(r.ad.Routes(r.bot))
	return r
}

// overSocket has the rig's adapter open Socket Mode too, handing its
// envelopes to the handler made of the rig's bot (the bot itself when
// handler is nil). Slack's Socket Mode must be ready on the rig's fake
// by then: the fake's own, or a socketSlack made on it and given with
// onFake.
func overSocket(handler func(*bot.Bot) slack.Handler) func(*rigOpts) {
	return func(o *rigOpts) {
		o.socket = handler
		if o.socket == nil {
			o.socket = func(b *bot.Bot) slack.Handler { return b }
		}
	}
}

// onFake has the rig use fake, made before it.
func onFake(fake *fakeSlack) func(*rigOpts) { return func(o *rigOpts) { o.fake = fake } }

type rigOpts struct {
	path    string
	fake    *fakeSlack
	adapter []slack.Option
	// store, when set, wraps the store the bot is given.
	store func(bot.Store) bot.Store
	// socket, when set, has the adapter open Socket Mode, with the
	// handler it makes of the rig's bot (see overSocket).
	socket func(*bot.Bot) slack.Handler
}

func (r *rig) close() {
	if r.srv != nil {
		r.srv.Close()
	}
	r.ad.Close()
	r.store.Close()
}

// hangGuard posts the tests' requests: its timeout only stops a test that
// would otherwise wait forever; it measures nothing.
var hangGuard = &http.Client{Timeout: 30 * time.Second}

// sign signs body as Slack does, at ts.
func sign(req *http.Request, body string, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// post sends a signed request and returns the status and body; headers
// are extra header name/value pairs.
func (r *rig) post(path, contentType, body string, headers ...string) (int, string) {
	r.t.Helper()
	return r.postTo(r.srv, path, contentType, body, headers...)
}

// postTo is post to another server of the adapter's routes.
func (r *rig) postTo(srv *httptest.Server, path, contentType, body string, headers ...string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	sign(req, body, time.Now())
	resp, err := hangGuard.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// slash sends a signed slash command as user and returns the ephemeral
// answer Slack would show.
func (r *rig) slash(user, line string) string {
	r.t.Helper()
	name, text, _ := strings.Cut(line, " ")
	// Slack makes a trigger for each command typed: the same line typed
	// twice is two requests.
	r.triggers++
	form := url.Values{
		"command": {name}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(strings.TrimPrefix(user, "U"))},
		"channel_id": {"CSET"}, "team_id": {"T1"}, "response_url": {r.fake.srv.GetAPIURL() + "response/" + user},
		"trigger_id": {fmt.Sprintf("trig-%d", r.triggers)},
	}
	code, body := r.post("/slack/commands", "application/x-www-form-urlencoded", form.Encode())
	if code != http.StatusOK {
		r.t.Fatalf("%s %s: status %d: %s", user, line, code, body)
	}
	var ans struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &ans); err != nil {
		r.t.Fatalf("answer %q: %v", body, err)
	}
	if ans.ResponseType != "ephemeral" {
		r.t.Errorf("answer is %q, want ephemeral", ans.ResponseType)
	}
	r.ad.Wait() // the follow-up, so that tests see its calls
	return ans.Text
}

// seed gives the production its people through signed slash commands, as
// an admin would.
func (r *rig) seed() *rig {
	for _, l := range []string{
		"/icbot role add <@UINES|ines> ic", "/icbot role add <@UADAM|adam> ad", "/icbot role add <@UPAULA|paula> performer",
		"/icbot role add <@UPETE|pete> performer", "/icbot role add <@UCAM|cam> camera", "/icbot role add <@UGARY|gary> crew",
		"/icbot role add <@UHANA|hana> hmu",
	} {
		r.slash("UROOT", l)
	}
	r.slash("UINES", `/scene add 12 title="Night swim" call="2036-12-03 09:00" performers=<@UPAULA|paula>,<@UPETE|pete> channel=<#GSCENE12|scene-12>`)
	r.slash("UINES", `/scene beat add 12 "Kiss at the water's edge" kind=contact`)
	// Consent and riders, so that the closed set may start.
	r.slash("UPAULA", "/boundaries answer 12 b1=yes")
	r.slash("UPETE", "/boundaries answer 12 b1=yes")
	for _, p := range []string{"<@UPAULA>", "<@UPETE>"} {
		r.slash("UINES", "/rider sent 12 "+p)
		r.slash("UINES", "/rider signed 12 "+p)
	}
	r.fake.took()
	return r
}

func (r *rig) auditLen() uint64 {
	r.t.Helper()
	n, err := r.store.AuditLen(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}
