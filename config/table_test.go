package config

import (
	"strings"
	"testing"
	"time"
)

func TestAdmins(t *testing.T) {
	tests := []struct {
		name string
		env  string
		file string
		want []string
	}{
		{name: "env comma list trimmed", env: " U1 ,U2,  U3 ", want: []string{"U1", "U2", "U3"}},
		{name: "env trailing comma", env: "U1,U2,", want: []string{"U1", "U2"}},
		{name: "env single", env: "U1", want: []string{"U1"}},
		{name: "yaml list", file: "admins: [U1, ' U2 ']\n", want: []string{"U1", "U2"}},
		{name: "yaml block list", file: "admins:\n  - U1\n  - U2\n", want: []string{"U1", "U2"}},
		{name: "yaml comma string", file: "admins: U1, U2\n", want: []string{"U1", "U2"}},
		{name: "env replaces yaml", file: "admins: [U9]\n", env: "U1", want: []string{"U1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			env := map[string]string{"ICBOT_ADMINS": tt.env}
			cfg, err := Load(path, mapEnv(env), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if strings.Join(cfg.Admins, "|") != strings.Join(tt.want, "|") {
				t.Errorf("admins = %q, want %q", cfg.Admins, tt.want)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		fragments []string
	}{
		{"adapter", map[string]string{"ICBOT_ADAPTER": "slak"},
			[]string{`adapter (from ICBOT_ADAPTER): "slak" is not one of console, slack, discord`}},
		{"admins with space", map[string]string{"ICBOT_ADMINS": "U1,U 2"},
			[]string{`admins (from ICBOT_ADMINS): entry 2 ("U 2") is not a platform user id`}},
		{"log.level", map[string]string{"ICBOT_LOG_LEVEL": "verbose"},
			[]string{`log.level (from ICBOT_LOG_LEVEL): "verbose" is not one of debug, info, warn, error`}},
		{"log.format", map[string]string{"ICBOT_LOG_FORMAT": "xml"},
			[]string{`log.format (from ICBOT_LOG_FORMAT): "xml" is not one of text, json`}},
		{"storage.encryption_key", map[string]string{"ICBOT_STORAGE_ENCRYPTION_KEY": "c2hvcnQ="},
			[]string{"storage.encryption_key (from ICBOT_STORAGE_ENCRYPTION_KEY): is not base64 of 32 bytes"}},
		{"storage.open_timeout zero", map[string]string{"ICBOT_STORAGE_OPEN_TIMEOUT": "0s"},
			[]string{"storage.open_timeout (from ICBOT_STORAGE_OPEN_TIMEOUT): 0s must be greater than 0"}},
		{"storage.open_timeout too long", map[string]string{"ICBOT_STORAGE_OPEN_TIMEOUT": "90s"},
			[]string{"storage.open_timeout (from ICBOT_STORAGE_OPEN_TIMEOUT): 1m30s is over the 1m maximum"}},
		{"http.addr no port", map[string]string{"ICBOT_HTTP_ADDR": "localhost"},
			[]string{`http.addr (from ICBOT_HTTP_ADDR): "localhost" is not host:port`}},
		{"http.addr named port", map[string]string{"ICBOT_HTTP_ADDR": ":http"},
			[]string{`http.addr (from ICBOT_HTTP_ADDR): ":http" is not host:port with a numeric port`}},
		{"http.addr port too big", map[string]string{"ICBOT_HTTP_ADDR": ":70000"},
			[]string{`http.addr (from ICBOT_HTTP_ADDR): ":70000"`}},
		{"http.admin_addr no port", map[string]string{"ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1"},
			[]string{`http.admin_addr (from ICBOT_HTTP_ADMIN_ADDR): "127.0.0.1" is not host:port with a numeric port (expected an address such as 127.0.0.1:8081 or :8081)`}},
		{"http.admin_addr the port of http.addr", map[string]string{"ICBOT_HTTP_ADMIN_ADDR": ":8080"},
			[]string{`http.admin_addr (from ICBOT_HTTP_ADMIN_ADDR): ":8080" takes the port of http.addr ":8080"; give the admin endpoints a port of their own`}},
		{"http.admin_addr on loopback, http.addr on every address", map[string]string{"ICBOT_HTTP_ADDR": ":9000", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:9000"},
			[]string{`http.admin_addr (from ICBOT_HTTP_ADMIN_ADDR): "127.0.0.1:9000" takes the port of http.addr ":9000"`}},
		{"http.public_url relative", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "icbot.example.org"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): "icbot.example.org" is not an absolute https URL without credentials`}},
		{"http.public_url plain http elsewhere", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "http://icbot.example.org"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): "http://icbot.example.org" is plain http on a host other than this machine: the board's links carry a login token, so give an https URL`}},
		{"http.public_url with a path", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "https://example.org/icbot"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): "https://example.org/icbot" must be the site's root, without a path or query`}},
		{"http.public_url with credentials", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "https://me:pw@example.org"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): the value is not an absolute https URL without credentials`}},
		{"http.public_url console elsewhere", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "https://icbot.example.org"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): "https://icbot.example.org" is not on this machine: the console serves the board on a loopback address only`}},
		{"http.public_url console without a port", map[string]string{"ICBOT_HTTP_PUBLIC_URL": "http://127.0.0.1"},
			[]string{`http.public_url (from ICBOT_HTTP_PUBLIC_URL): "http://127.0.0.1" has no port`}},
		{"storage.path blank", map[string]string{"ICBOT_STORAGE_PATH": " "},
			// whitespace-only env is set (not empty), trimmed to "".
			[]string{"storage.path (from ICBOT_STORAGE_PATH): must not be empty"}},
		{"production.name blank", map[string]string{"ICBOT_PRODUCTION_NAME": "   "},
			// whitespace-only env is set (not empty), trimmed to "".
			[]string{"production.name (from ICBOT_PRODUCTION_NAME): must not be empty"}},
		{"production.timezone", map[string]string{"ICBOT_PRODUCTION_TIMEZONE": "Europe/Londn"},
			[]string{`production.timezone (from ICBOT_PRODUCTION_TIMEZONE): unknown time zone "Europe/Londn" (expected an IANA name such as Europe/London)`}},
		{"production.rider_notice", map[string]string{"ICBOT_PRODUCTION_RIDER_NOTICE": "24h"},
			[]string{"production.rider_notice (from ICBOT_PRODUCTION_RIDER_NOTICE): 24h is under the 48h minimum notice for nudity riders"}},
		{"production.digest_cron", map[string]string{"ICBOT_PRODUCTION_DIGEST_CRON": "61 * * * *"},
			[]string{`production.digest_cron (from ICBOT_PRODUCTION_DIGEST_CRON): invalid cron spec "61 * * * *"`}},
		{"production.rider_warnings", map[string]string{"ICBOT_PRODUCTION_RIDER_WARNINGS": "72h,0s"},
			[]string{"production.rider_warnings (from ICBOT_PRODUCTION_RIDER_WARNINGS): each warning must be a positive duration"}},
		{"production.reminder_grace", map[string]string{"ICBOT_PRODUCTION_REMINDER_GRACE": "0s"},
			[]string{"production.reminder_grace (from ICBOT_PRODUCTION_REMINDER_GRACE): must be a positive duration"}},
		{"production.wrap_time", map[string]string{"ICBOT_PRODUCTION_WRAP_TIME": "7pm"},
			[]string{`production.wrap_time (from ICBOT_PRODUCTION_WRAP_TIME): "7pm" is not a 24-hour HH:MM time`}},
		{"production.wrap_time 24:00", map[string]string{"ICBOT_PRODUCTION_WRAP_TIME": "24:00"},
			[]string{`production.wrap_time (from ICBOT_PRODUCTION_WRAP_TIME): "24:00"`}},
		{"production.retention unit", map[string]string{"ICBOT_PRODUCTION_RETENTION": "7 years"},
			[]string{`production.retention (from ICBOT_PRODUCTION_RETENTION): "7 years" is not a retention (expected whole years or days after wrap, such as 7y or 90d; leave it empty to keep consent records until the production deletes them)`}},
		{"production.retention months", map[string]string{"ICBOT_PRODUCTION_RETENTION": "18m"},
			[]string{`production.retention (from ICBOT_PRODUCTION_RETENTION): "18m" is not a retention`}},
		{"production.retention zero", map[string]string{"ICBOT_PRODUCTION_RETENTION": "0d"},
			[]string{`production.retention (from ICBOT_PRODUCTION_RETENTION): "0d" keeps nothing after wrap: give at least 1d, or leave it empty`}},
		{"production.retention too long", map[string]string{"ICBOT_PRODUCTION_RETENTION": "101y"},
			[]string{`production.retention (from ICBOT_PRODUCTION_RETENTION): "101y" is over the 100y maximum`}},
		{"production.wrap_date", map[string]string{"ICBOT_PRODUCTION_WRAP_DATE": "18/12/2026"},
			[]string{`production.wrap_date (from ICBOT_PRODUCTION_WRAP_DATE): "18/12/2026" is not a date YYYY-MM-DD, such as 2026-12-18`}},
		{"production.wrap_date no such day", map[string]string{"ICBOT_PRODUCTION_WRAP_DATE": "2026-02-30"},
			[]string{`production.wrap_date (from ICBOT_PRODUCTION_WRAP_DATE): "2026-02-30" is not a date YYYY-MM-DD`}},
		{"slack needs bot token and a secret", map[string]string{"ICBOT_ADAPTER": "slack"},
			[]string{"slack.bot_token: required when adapter is slack; set ICBOT_SLACK_BOT_TOKEN",
				"slack.signing_secret: this or slack.app_token is required when adapter is slack; set ICBOT_SLACK_SIGNING_SECRET (Events API over HTTP) or ICBOT_SLACK_APP_TOKEN (Socket Mode)"}},
		{"slack.app_token prefix", map[string]string{"ICBOT_SLACK_APP_TOKEN": "xoxb-wrong"},
			[]string{`slack.app_token (from ICBOT_SLACK_APP_TOKEN): must start with "xapp-"`}},
		{"slack.api_url relative", map[string]string{"ICBOT_SLACK_API_URL": "/api"},
			[]string{`slack.api_url (from ICBOT_SLACK_API_URL): "/api" is not an absolute http(s) URL`}},
		{"slack.api_url scheme", map[string]string{"ICBOT_SLACK_API_URL": "ftp://slack.com/api"},
			[]string{`slack.api_url (from ICBOT_SLACK_API_URL): "ftp://slack.com/api" is not an absolute http(s) URL`}},
		{"discord needs token and application id", map[string]string{"ICBOT_ADAPTER": "discord"},
			[]string{"discord.token: required when adapter is discord; set ICBOT_DISCORD_TOKEN",
				"discord.application_id: required when adapter is discord; set ICBOT_DISCORD_APPLICATION_ID"}},
		{"discord.application_id numeric", map[string]string{"ICBOT_DISCORD_APPLICATION_ID": "my-app"},
			[]string{`discord.application_id (from ICBOT_DISCORD_APPLICATION_ID): "my-app" is not a numeric Discord id`}},
		{"discord.guild_id numeric", map[string]string{"ICBOT_DISCORD_GUILD_ID": "guild"},
			[]string{`discord.guild_id (from ICBOT_DISCORD_GUILD_ID): "guild" is not a numeric Discord id`}},
		{"discord.public_key", map[string]string{"ICBOT_DISCORD_PUBLIC_KEY": "abcd"},
			[]string{"discord.public_key (from ICBOT_DISCORD_PUBLIC_KEY): is not hex of 32 bytes"}},
		{"discord.api_url", map[string]string{"ICBOT_DISCORD_API_URL": "discord.com/api"},
			[]string{`discord.api_url (from ICBOT_DISCORD_API_URL): "discord.com/api" is not an absolute http(s) URL`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("", mapEnv(tt.env), nil)
			wantErr(t, err, tt.fragments...)
		})
	}

	t.Run("every checked key has a failing case", func(t *testing.T) {
		covered := map[string]bool{}
		for _, tt := range tests {
			for _, f := range tt.fragments {
				name, _, _ := strings.Cut(f, " ")
				covered[strings.TrimSuffix(name, ":")] = true
			}
		}
		for _, k := range keyTable {
			if (k.check != nil || k.name == "production.timezone") && !covered[k.name] {
				t.Errorf("no failing validation case for %s", k.name)
			}
		}
	})

	t.Run("listeners may share a host, or both take any free port", func(t *testing.T) {
		for _, env := range []map[string]string{
			{"ICBOT_HTTP_ADDR": "127.0.0.1:8080", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:8081"},
			{"ICBOT_HTTP_ADDR": "10.0.0.5:8080", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:8080"},
			{"ICBOT_HTTP_ADDR": "127.0.0.1:0", "ICBOT_HTTP_ADMIN_ADDR": "127.0.0.1:0"},
		} {
			if _, err := Load("", mapEnv(env), nil); err != nil {
				t.Errorf("%v: %v", env, err)
			}
		}
	})
	t.Run("storage.path empty by override", func(t *testing.T) {
		_, err := Load("", noEnv, map[string]string{"storage.path": ""})
		wantErr(t, err, "storage.path (from command line): must not be empty")
	})
	t.Run("file origin names the line", func(t *testing.T) {
		path := writeFile(t, "production:\n  name: x\n  timezone: Mars/Olympus\n")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, "production.timezone (from config file "+path+" line 3): unknown time zone")
	})
	t.Run("admins empty entry in YAML", func(t *testing.T) {
		path := writeFile(t, "admins: [U1, '']\n")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, "admins (from config file", "entry 2 is empty")
	})
	t.Run("admins non-scalar entry in YAML", func(t *testing.T) {
		path := writeFile(t, "admins: [U1, [U2]]\n")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, "admins (from config file", "expected a list of plain values")
	})
	t.Run("Validate on a hand-built config has no origin", func(t *testing.T) {
		c := Default()
		c.Adapter = "irc"
		wantErr(t, c.Validate(), `adapter: "irc" is not one of`)
	})
	t.Run("all problems at once in key order", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{
			"ICBOT_PRODUCTION_WRAP_TIME":    "25:00",
			"ICBOT_ADAPTER":                 "slak",
			"ICBOT_PRODUCTION_RIDER_NOTICE": "1h",
		}), nil)
		if err == nil {
			t.Fatal("no error")
		}
		msg := err.Error()
		a, r, w := strings.Index(msg, "adapter"), strings.Index(msg, "production.rider_notice"), strings.Index(msg, "production.wrap_time")
		if a < 0 || r < 0 || w < 0 || !(a < r && r < w) {
			t.Errorf("problems missing or out of key order:\n%s", msg)
		}
	})
	t.Run("slack with app token only is enough", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{"ICBOT_ADAPTER": "slack", "ICBOT_SLACK_BOT_TOKEN": "xoxb-1", "ICBOT_SLACK_APP_TOKEN": "xapp-1"}), nil)
		if err != nil {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("discord with token and application id is enough", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{"ICBOT_ADAPTER": "discord", "ICBOT_DISCORD_TOKEN": "t", "ICBOT_DISCORD_APPLICATION_ID": "42"}), nil)
		if err != nil {
			t.Errorf("Load: %v", err)
		}
	})
}

func TestRiderNotice(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // 0 means refused
	}{
		{"47h", 0},
		{"47h59m", 0},
		{"1d", 0},
		{"-3d", 0},
		{"48h", 48 * time.Hour},
		{"2d", 48 * time.Hour},
		{"2880m", 48 * time.Hour},
		{"3d", 72 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := Load("", mapEnv(map[string]string{"ICBOT_PRODUCTION_RIDER_NOTICE": tt.in}), nil)
			if tt.want == 0 {
				wantErr(t, err, "production.rider_notice (from ICBOT_PRODUCTION_RIDER_NOTICE)")
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Production.RiderNotice != tt.want {
				t.Errorf("rider notice = %v, want %v", cfg.Production.RiderNotice, tt.want)
			}
		})
	}
	t.Run("47h message", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{"ICBOT_PRODUCTION_RIDER_NOTICE": "47h"}), nil)
		wantErr(t, err, "47h is under the 48h minimum notice for nudity riders")
	})
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"48h", 48 * time.Hour, true},
		{"90m", 90 * time.Minute, true},
		{" 2d ", 48 * time.Hour, true},
		{"0d", 0, true},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"2d3h", 0, false},
		{"99999999999999999d", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestKeys(t *testing.T) {
	keys := Keys()
	if len(keys) != len(keyTable) {
		t.Fatalf("Keys() has %d entries, want %d", len(keys), len(keyTable))
	}
	envs := map[string]string{
		"adapter":                 "ICBOT_ADAPTER",
		"admins":                  "ICBOT_ADMINS",
		"storage.path":            "ICBOT_STORAGE_PATH",
		"slack.bot_token":         "ICBOT_SLACK_BOT_TOKEN",
		"production.rider_notice": "ICBOT_PRODUCTION_RIDER_NOTICE",
	}
	secret := map[string]bool{
		"storage.encryption_key": true, "slack.bot_token": true, "slack.signing_secret": true,
		"slack.app_token": true, "discord.token": true,
	}
	seen := map[string]bool{}
	for _, k := range keys {
		t.Run(k.Name, func(t *testing.T) {
			if want, ok := envs[k.Name]; ok && k.Env != want {
				t.Errorf("Env = %s, want %s", k.Env, want)
			}
			if k.Secret != secret[k.Name] {
				t.Errorf("Secret = %v, want %v", k.Secret, secret[k.Name])
			}
			if k.Description == "" {
				t.Error("no description")
			}
			if seen[k.Env] {
				t.Errorf("duplicate env var %s", k.Env)
			}
			seen[k.Env] = true
		})
	}
	t.Run("defaults", func(t *testing.T) {
		for _, k := range keys {
			if k.Name == "production.rider_notice" && k.Default != "48h" {
				t.Errorf("rider_notice default = %q", k.Default)
			}
		}
	})
}

// TestPublicURL: the board's address is https anywhere, or http on this
// machine's loopback; the console takes a loopback address with a port.
func TestPublicURL(t *testing.T) {
	for _, tt := range []struct {
		adapter, url string
		ok           bool
	}{
		{"slack", "", true},
		{"slack", "https://icbot.example.org", true},
		{"slack", "https://icbot.example.org/", true},
		{"discord", "https://icbot.example.org:8443", true},
		{"slack", "http://127.0.0.1:8080", true},
		{"slack", "http://[::1]:8080", true},
		{"slack", "http://localhost:8080", true},
		{"slack", "http://10.0.0.5:8080", false},
		{"slack", "ftp://icbot.example.org", false},
		{"slack", "https://icbot.example.org/?x=1", false},
		{"console", "http://127.0.0.1:8090", true},
		{"console", "https://localhost:8443", true},
		{"console", "http://127.0.0.1", false},
		{"console", "https://icbot.example.org", false},
	} {
		t.Run(tt.adapter+" "+tt.url, func(t *testing.T) {
			c := Default()
			c.Adapter, c.HTTP.PublicURL = tt.adapter, tt.url
			if err := checkPublicURL(c); (err == nil) != tt.ok {
				t.Errorf("%v, want ok %v", err, tt.ok)
			}
		})
	}
}
