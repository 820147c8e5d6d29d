package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"icbot/adapters/slack"
	"icbot/bot"
	"icbot/storage"
)

// icbotSide is icbot as cmd/icbot wires it for Slack over HTTP: the
// adapter's endpoints, the bot and a store sealed with a key, with the
// delivery and reminder loops running, and the Web API pointed at a fake
// that answers ok. Logs are discarded.
type icbotSide struct {
	fake  *fakeAPI
	store *storage.Store
	ad    *slack.Adapter
	srv   *http.Server
	ln    net.Listener
	stop  context.CancelFunc
	loops sync.WaitGroup
	// before is the audit log's length once seeded.
	before uint64
}

func startIcbot(dir string, clients int) (server, error) {
	key := make([]byte, 32)
	rand.Read(key)
	st, err := storage.Open(filepath.Join(dir, "icbot.db"), storage.WithTimeout(time.Second), storage.WithKey(key))
	if err != nil {
		return nil, err
	}
	s := &icbotSide{store: st}
	if s.fake, err = startFakeAPI(); err != nil {
		st.Close()
		return nil, err
	}
	s.ad = slack.New(slack.Config{BotToken: "xoxb-bench", SigningSecret: signingSecret, APIURL: s.fake.apiURL()})
	b := bot.New(st, s.ad, bot.WithAdmins("UROOT"), bot.WithSetChannel("CSET"))
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	if err := s.ad.Open(ctx, b); err != nil {
		s.close()
		return nil, err
	}
	if err := b.Recover(ctx); err != nil {
		s.close()
		return nil, err
	}
	s.loops.Go(func() { _ = b.RunDeliveries(ctx) })
	s.loops.Go(func() { _ = b.RunReminders(ctx) })
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.close()
		return nil, err
	}
	s.srv = &http.Server{Handler: s.ad.Routes(b), ReadHeaderTimeout: 5 * time.Second}
	go s.srv.Serve(s.ln)
	if err := s.seed(ctx, b, clients); err != nil {
		s.close()
		return nil, fmt.Errorf("seeding: %w", err)
	}
	return s, nil
}

// seed gives the production its IC, AD and performers, and each load
// client a scene of its own, as the real commands do.
func (s *icbotSide) seed(ctx context.Context, b *bot.Bot, clients int) error {
	lines := []struct{ caller, text string }{
		{"UROOT", "/icbot role add <@UINES|ines> ic"}, {"UROOT", "/icbot role add <@UADAM|adam> ad"},
		{"UROOT", "/icbot role add <@UPAULA|paula> performer"}, {"UROOT", "/icbot role add <@UPETE|pete> performer"},
	}
	for c := range clients {
		lines = append(lines, struct{ caller, text string }{"UINES", fmt.Sprintf(
			`/scene add %s title="Night swim" call="2036-12-03 09:00" performers=<@UPAULA|paula>,<@UPETE|pete> channel=<#G%s|%s>`, sceneOf(c), sceneOf(c), strings.ToLower(sceneOf(c)))})
	}
	for _, l := range lines {
		o := b.Handle(ctx, bot.Command{Caller: bot.UserID(l.caller), Text: l.text})
		if o.Err != nil {
			return fmt.Errorf("%s: %w", l.text, o.Err)
		}
		b.FollowUp(ctx, o)
	}
	s.ad.Wait()
	var err error
	s.before, err = s.store.AuditLen(ctx)
	return err
}

func (s *icbotSide) url() string         { return "http://" + s.ln.Addr().String() }
func (s *icbotSide) responseURL() string { return s.fake.url + "/response/UADAM" }

// check counts the audit records written since seeding: each command
// acknowledged wrote one, in its own transaction.
func (s *icbotSide) check(acked uint64) error {
	n, err := s.store.AuditLen(context.Background())
	if err != nil {
		return err
	}
	if got := n - s.before; got != acked {
		return fmt.Errorf("icbot: %d audit records for %d acknowledged commands", got, acked)
	}
	return nil
}

func (s *icbotSide) close() error {
	var errs []error
	if s.srv != nil {
		errs = append(errs, s.srv.Close())
	}
	if s.ad != nil {
		s.ad.Wait()
	}
	if s.stop != nil {
		s.stop()
	}
	s.loops.Wait()
	if s.fake != nil {
		errs = append(errs, s.fake.close())
	}
	errs = append(errs, s.store.Close())
	return errors.Join(errs...)
}

// fakeAPI is a Slack Web API that answers ok to every method the adapter
// calls, with every channel private and everyone in it.
type fakeAPI struct {
	url   string
	srv   *http.Server
	ln    net.Listener
	calls atomic.Uint64
}

func startFakeAPI() (*fakeAPI, error) {
	f := &fakeAPI{}
	var err error
	if f.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	f.url = "http://" + f.ln.Addr().String()
	f.srv = &http.Server{Handler: http.HandlerFunc(f.serve), ReadHeaderTimeout: 5 * time.Second}
	go f.srv.Serve(f.ln)
	return f, nil
}

func (f *fakeAPI) apiURL() string { return f.url + "/api/" }

func (f *fakeAPI) close() error { return f.srv.Close() }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if strings.HasPrefix(r.URL.Path, "/response/") {
		w.Write([]byte("ok"))
		return
	}
	_ = r.ParseForm()
	ch := r.PostForm.Get("channel")
	var ans map[string]any
	switch path.Base(r.URL.Path) {
	case "auth.test":
		ans = map[string]any{"user_id": "UBOT", "team": "Night Swim", "user": "icbot"}
	case "chat.postMessage", "chat.postEphemeral", "chat.delete", "chat.update":
		ans = map[string]any{"channel": ch, "ts": fmt.Sprintf("%d.000100", f.calls.Load())}
	case "conversations.info":
		ans = map[string]any{"channel": map[string]any{"id": ch, "is_private": true}}
	case "conversations.open":
		ans = map[string]any{"channel": map[string]any{"id": "D" + r.PostForm.Get("users"), "is_im": true}}
	case "conversations.members":
		ans = map[string]any{"members": []string{"UBOT", "UINES", "UADAM", "UPAULA", "UPETE"}, "response_metadata": map[string]string{"next_cursor": ""}}
	case "users.info":
		u := r.PostForm.Get("user")
		name := strings.ToLower(strings.TrimPrefix(u, "U"))
		ans = map[string]any{"user": map[string]any{"id": u, "name": name, "profile": map[string]any{"display_name": name}}}
	case "views.open":
		ans = map[string]any{"view": map[string]any{"id": "V1"}}
	default:
		ans = map[string]any{}
	}
	ans["ok"] = true
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ans)
}
