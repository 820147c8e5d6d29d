package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// miniDiscord is the least of Discord icbot needs to start: who the bot
// is, the command registration, the gateway's address, and a gateway that
// says hello and READY; and, for what comes after an interaction, DMs,
// messages and follow-ups. It records the REST calls it is sent.
type miniDiscord struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []string
}

func newMiniDiscord(t *testing.T) *miniDiscord {
	d := &miniDiscord{}
	up := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.calls = append(d.calls, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/api/v9"))
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch p := strings.TrimPrefix(r.URL.Path, "/api/v9"); {
		case r.Method == "GET" && p == "/users/@me":
			io.WriteString(w, `{"id":"BOT","username":"icbot","bot":true}`)
		case r.Method == "PUT" && p == "/applications/4242/guilds/900/commands":
			body, _ := io.ReadAll(r.Body)
			w.Write(body) // echoed, as Discord does (with ids it adds)
		case r.Method == "GET" && p == "/gateway":
			io.WriteString(w, `{"url":"ws://`+r.Host+`/gw"}`)
		// What icbot's answers and notices after an interaction call.
		case r.Method == "POST" && p == "/users/@me/channels":
			var to struct {
				Recipient string `json:"recipient_id"`
			}
			json.NewDecoder(r.Body).Decode(&to)
			io.WriteString(w, `{"id":"7`+to.Recipient+`","type":1}`)
		case r.Method == "POST" && strings.HasPrefix(p, "/channels/") && strings.HasSuffix(p, "/messages"),
			strings.HasPrefix(p, "/webhooks/4242/"):
			d.mu.Lock()
			n := len(d.calls)
			d.mu.Unlock()
			io.WriteString(w, `{"id":"`+strconv.Itoa(900000+n)+`","channel_id":"`+strings.Split(p, "/")[2]+`"}`)
		case r.Method == "POST" && strings.HasPrefix(p, "/interactions/"):
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, `{"message":"404: Not Found","code":0}`, http.StatusNotFound)
		}
	})
	mux.HandleFunc("/gw/", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteJSON(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
		for {
			var f struct {
				Op int `json:"op"`
			}
			if err := c.ReadJSON(&f); err != nil {
				return
			}
			switch f.Op {
			case 1:
				c.WriteJSON(map[string]any{"op": 11})
			case 2:
				c.WriteJSON(map[string]any{"op": 0, "s": 1, "t": "READY", "d": map[string]any{
					"v": 9, "session_id": "s1", "user": map[string]any{"id": "BOT", "username": "icbot", "bot": true},
					"guilds": []any{}, "application": map[string]any{"id": "4242"}}})
			}
		}
	})
	d.srv = httptest.NewServer(mux)
	t.Cleanup(d.srv.Close)
	return d
}

func (d *miniDiscord) took() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

// TestDiscordServer runs icbot with the Discord adapter against a small
// fake Discord through discord.api_url: it checks its token, registers its
// commands in the configured server, opens the gateway, and serves
// /readyz and the signed interactions endpoint until stopped.
func TestDiscordServer(t *testing.T) {
	d := newMiniDiscord(t)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"ICBOT_ADAPTER": "discord", "ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"), "ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_DISCORD_TOKEN": "fake-token", "ICBOT_DISCORD_APPLICATION_ID": "4242", "ICBOT_DISCORD_GUILD_ID": "900",
		"ICBOT_DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "ICBOT_DISCORD_API_URL": d.srv.URL + "/",
		"ICBOT_DISCORD_SET_CHANNEL": "800",
	}
	r := startIcbot(t, env, nil)
	base := r.base
	want := []string{"GET /users/@me", "PUT /applications/4242/guilds/900/commands", "GET /gateway"}
	if got := d.took(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls at start %q, want %q", got, want)
	}
	if resp, err := http.Get(r.admin + "/readyz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %v %v", resp, err)
	}

	post := func(body string, sign bool) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/discord/interactions", strings.NewReader(body))
		if sign {
			stamp := strconv.FormatInt(time.Now().Unix(), 10)
			req.Header.Set("X-Signature-Timestamp", stamp)
			req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(stamp+body))))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := post(`{"type":1,"id":"P","token":"t","application_id":"4242","version":1}`, false); code != http.StatusUnauthorized {
		t.Errorf("unsigned PING: %d, want 401", code)
	}
	if code, body := post(`{"type":1,"id":"P","token":"t","application_id":"4242","version":1}`, true); code != http.StatusOK || strings.TrimSpace(body) != `{"type":1}` {
		t.Errorf("signed PING: %d %s", code, body)
	}
	cmd := `{"type":2,"id":"I1","token":"tok","application_id":"4242","version":1,"channel_id":"800","guild_id":"900",` +
		`"member":{"user":{"id":"U1","username":"zoe"},"roles":[],"permissions":"0","joined_at":"2024-01-01T00:00:00+00:00"},` +
		`"data":{"id":"C","name":"icbot","type":1,"options":[{"name":"whoami","type":1}]}}`
	code, body := post(cmd, true)
	var ans struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
			Flags   int    `json:"flags"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &ans); code != http.StatusOK || err != nil || !strings.Contains(ans.Data.Content, "You are @zoe (id U1)") || ans.Data.Flags != 64 {
		t.Errorf("signed /icbot whoami: %d %s (%v)", code, body, err)
	}

	r.stop(t)
}

// TestDiscordGatewayOnly: without a public key interactions come over the
// gateway alone, so icbot opens no listener on http.addr; the admin
// endpoints are served as ever.
func TestDiscordGatewayOnly(t *testing.T) {
	d := newMiniDiscord(t)
	env := map[string]string{
		"ICBOT_ADAPTER": "discord", "ICBOT_STORAGE_PATH": filepath.Join(t.TempDir(), "icbot.db"),
		"ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0",
		"ICBOT_DISCORD_TOKEN": "fake-token", "ICBOT_DISCORD_APPLICATION_ID": "4242", "ICBOT_DISCORD_GUILD_ID": "900",
		"ICBOT_DISCORD_API_URL": d.srv.URL + "/", "ICBOT_DISCORD_SET_CHANNEL": "800",
	}
	r := startIcbot(t, env, nil)
	defer r.stop(t)
	if r.base != "" {
		t.Errorf("listening on http.addr (%s) with nothing to serve there", r.base)
	}
	resp, err := http.Get(r.admin + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz: %d", resp.StatusCode)
	}
}
