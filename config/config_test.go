package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// mapEnv returns a lookup over m, standing in for os.LookupEnv.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// noEnv is an empty environment.
var noEnv = mapEnv(nil)

// writeFile writes a config file in a fresh temp dir and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "icbot.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A valid 32-byte key, base64.
const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// sampleValues holds a valid, non-default value for every key, and the value
// get should then report. Tests fail if a key is added without a sample.
var sampleValues = map[string]struct{ in, want string }{
	"adapter":                   {"slack", "slack"},
	"admins":                    {"U1, U2", "U1,U2"},
	"log.level":                 {"debug", "debug"},
	"log.format":                {"json", "json"},
	"log.file":                  {"/var/log/icbot.log", "/var/log/icbot.log"},
	"storage.path":              {"/var/lib/icbot/data.db", "/var/lib/icbot/data.db"},
	"storage.encryption_key":    {testKey, testKey},
	"storage.open_timeout":      {"5s", "5s"},
	"http.addr":                 {"127.0.0.1:9090", "127.0.0.1:9090"},
	"http.admin_addr":           {"0.0.0.0:9091", "0.0.0.0:9091"},
	"production.name":           {"Night Swim", "Night Swim"},
	"production.timezone":       {"Europe/London", "Europe/London"},
	"production.rider_notice":   {"3d", "72h"},
	"production.digest_cron":    {"30 7 * * 1-5", "30 7 * * 1-5"},
	"production.wrap_time":      {"18:30", "18:30"},
	"production.rider_warnings": {"7d, 48h", "168h,48h"},
	"production.reminder_grace": {"12h", "12h"},
	"slack.bot_token":           {"xoxb-sample", "xoxb-sample"},
	"slack.signing_secret":      {"sign-sample", "sign-sample"},
	"slack.app_token":           {"xapp-sample", "xapp-sample"},
	"slack.api_url":             {"http://127.0.0.1:1234/api/", "http://127.0.0.1:1234/api/"},
	"slack.set_channel":         {"C0123", "C0123"},
	"discord.token":             {"discord-sample", "discord-sample"},
	"discord.application_id":    {"123456789012345678", "123456789012345678"},
	"discord.guild_id":          {"876543210987654321", "876543210987654321"},
	"discord.public_key":        {strings.Repeat("ab", 32), strings.Repeat("ab", 32)},
	"discord.api_url":           {"https://discord.example/api/", "https://discord.example/api/"},
	"discord.set_channel":       {"112233", "112233"},
}

func TestSampleValuesCoverEveryKey(t *testing.T) {
	for _, k := range keyTable {
		if _, ok := sampleValues[k.name]; !ok {
			t.Errorf("sampleValues has no entry for key %s", k.name)
		}
	}
	if len(sampleValues) != len(keyTable) {
		t.Errorf("sampleValues has %d entries for %d keys", len(sampleValues), len(keyTable))
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Load("", noEnv, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"adapter", cfg.Adapter, "console"},
		{"admins", len(cfg.Admins), 0},
		{"log.level", cfg.Log.Level, "info"},
		{"log.format", cfg.Log.Format, "text"},
		{"storage.path", cfg.Storage.Path, "./icbot.db"},
		{"storage.encryption_key", cfg.Storage.EncryptionKey, Secret("")},
		{"storage.open_timeout", cfg.Storage.OpenTimeout, 2 * time.Second},
		{"http.addr", cfg.HTTP.Addr, ":8080"},
		{"http.admin_addr", cfg.HTTP.AdminAddr, "127.0.0.1:8081"},
		{"production.name", cfg.Production.Name, "Untitled production"},
		{"production.timezone", cfg.Production.Timezone, ""},
		{"location", cfg.Location().String(), systemZone().String()},
		{"production.rider_notice", cfg.Production.RiderNotice, 48 * time.Hour},
		{"production.digest_cron", cfg.Production.DigestCron, "0 8 * * *"},
		{"production.wrap_time", cfg.Production.WrapTime, "19:00"},
		{"slack.bot_token", cfg.Slack.BotToken, Secret("")},
		{"discord.token", cfg.Discord.Token, Secret("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	t.Run("Default validates", func(t *testing.T) {
		if err := Default().Validate(); err != nil {
			t.Errorf("Default().Validate() = %v", err)
		}
	})
	t.Run("Load equals Default", func(t *testing.T) {
		want, got := Default().Redacted(), cfg.Redacted()
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s = %q, want %q", k, got[k], v)
			}
		}
	})
}

func TestPrecedence(t *testing.T) {
	path := writeFile(t, `
log:
  level: warn
  format: json
storage:
  path: /from/file.db
production:
  name: From File
`)
	env := map[string]string{
		"ICBOT_LOG_FORMAT":      "text",
		"ICBOT_STORAGE_PATH":    "/from/env.db",
		"ICBOT_PRODUCTION_NAME": "", // empty counts as unset
	}
	overrides := map[string]string{"storage.path": "/from/flag.db"}
	cfg, err := Load(path, mapEnv(env), overrides)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct{ name, got, want string }{
		{"default only", cfg.HTTP.Addr, ":8080"},
		{"file over default", cfg.Log.Level, "warn"},
		{"env over file", cfg.Log.Format, "text"},
		{"override over env and file", cfg.Storage.Path, "/from/flag.db"},
		{"empty env is unset", cfg.Production.Name, "From File"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// TestSource checks that Source names where each value in force came
// from, after the layers have overridden one another.
func TestSource(t *testing.T) {
	path := writeFile(t, `
log:
  level: warn
  format: json
storage:
  path: /from/file.db
production:
  name: From File
`)
	env := map[string]string{
		"ICBOT_LOG_FORMAT":      "text",
		"ICBOT_STORAGE_PATH":    "/from/env.db",
		"ICBOT_PRODUCTION_NAME": "",
	}
	cfg, err := Load(path, mapEnv(env), map[string]string{"storage.path": "/from/flag.db"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, tt := range []struct{ key, want string }{
		{"http.addr", FromDefault},
		{"log.level", "config file " + path + " line 3"},
		{"log.format", "ICBOT_LOG_FORMAT"},
		{"storage.path", FromCommandLine},
		{"production.name", "config file " + path + " line 8"},
	} {
		if got := cfg.Source(tt.key); got != tt.want {
			t.Errorf("Source(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := Default().Source("adapter"); got != FromDefault {
		t.Errorf("Source on a Config built by hand = %q", got)
	}
}

// validBase makes the samples valid together: samples set adapter slack,
// which needs its tokens, so a single key is set on top of a config that
// already has them.
func validBase() map[string]string {
	return map[string]string{
		"ICBOT_SLACK_BOT_TOKEN":      "xoxb-base",
		"ICBOT_SLACK_SIGNING_SECRET": "sign-base",
	}
}

func TestEveryKeyFromEnv(t *testing.T) {
	for _, k := range keyTable {
		t.Run(envName(k.name), func(t *testing.T) {
			s := sampleValues[k.name]
			env := validBase()
			env[envName(k.name)] = s.in
			cfg, err := Load("", mapEnv(env), nil)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := k.get(cfg); got != s.want {
				t.Errorf("%s = %q, want %q", k.name, got, s.want)
			}
		})
	}
}

func TestEveryKeyFromOverride(t *testing.T) {
	for _, k := range keyTable {
		t.Run(k.name, func(t *testing.T) {
			s := sampleValues[k.name]
			cfg, err := Load("", mapEnv(validBase()), map[string]string{k.name: s.in})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := k.get(cfg); got != s.want {
				t.Errorf("%s = %q, want %q", k.name, got, s.want)
			}
		})
	}
}

// yamlFor renders the named keys with their sample values as a config file.
func yamlFor(t *testing.T, names ...string) string {
	t.Helper()
	values := map[string]string{}
	for _, name := range names {
		values[name] = sampleValues[name].in
	}
	return yamlOf(t, values)
}

// yamlOf renders dotted keys and values as a config file.
func yamlOf(t *testing.T, values map[string]string) string {
	t.Helper()
	doc := map[string]any{}
	for name, v := range values {
		if sec, leaf, ok := strings.Cut(name, "."); ok {
			m, _ := doc[sec].(map[string]any)
			if m == nil {
				m = map[string]any{}
				doc[sec] = m
			}
			m[leaf] = v
		} else {
			doc[name] = v
		}
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestEveryKeyFromYAML(t *testing.T) {
	t.Run("each key alone", func(t *testing.T) {
		for _, k := range keyTable {
			t.Run(k.name, func(t *testing.T) {
				// The environment would win over the file, so the base
				// tokens go in the file too.
				values := map[string]string{"slack.bot_token": "xoxb-base", "slack.signing_secret": "sign-base"}
				values[k.name] = sampleValues[k.name].in
				path := writeFile(t, yamlOf(t, values))
				cfg, err := Load(path, noEnv, nil)
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got, want := k.get(cfg), sampleValues[k.name].want; got != want {
					t.Errorf("%s = %q, want %q", k.name, got, want)
				}
			})
		}
	})
	t.Run("all keys in one file", func(t *testing.T) {
		path := writeFile(t, yamlFor(t, keyNames()...))
		cfg, err := Load(path, noEnv, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, k := range keyTable {
			if got, want := k.get(cfg), sampleValues[k.name].want; got != want {
				t.Errorf("%s = %q, want %q", k.name, got, want)
			}
		}
		if got := cfg.Location().String(); got != "Europe/London" {
			t.Errorf("Location() = %s, want Europe/London", got)
		}
	})
	t.Run("example layout from the docs", func(t *testing.T) {
		path := writeFile(t, `
adapter: console
admins: [U123, U456]
log: {level: info, format: text}
storage: {path: ./icbot.db, encryption_key: "`+testKey+`", open_timeout: 2s}
http: {addr: ":8080", admin_addr: "127.0.0.1:8081"}
production: {name: "Night Swim", timezone: Europe/London, rider_notice: 48h, digest_cron: "0 8 * * *", wrap_time: "19:00"}
slack: {bot_token: xoxb-1, signing_secret: s, app_token: xapp-1, api_url: "https://slack.com/api/", set_channel: C0123}
discord: {token: t, application_id: "1", guild_id: "2", public_key: "`+strings.Repeat("0f", 32)+`", api_url: "https://discord.com/api/", set_channel: "3"}
`)
		cfg, err := Load(path, noEnv, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if got := strings.Join(cfg.Admins, ","); got != "U123,U456" {
			t.Errorf("admins = %q", got)
		}
		if cfg.Production.Name != "Night Swim" || cfg.Slack.SetChannel != "C0123" {
			t.Errorf("unexpected config %+v", cfg)
		}
		if len(cfg.Storage.EncryptionKeyBytes()) != 32 {
			t.Errorf("EncryptionKeyBytes() length = %d", len(cfg.Storage.EncryptionKeyBytes()))
		}
	})
	t.Run("null values keep defaults", func(t *testing.T) {
		path := writeFile(t, "storage:\nhttp:\n  addr: ~\nlog: {level: null}\n")
		cfg, err := Load(path, noEnv, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if cfg.HTTP.Addr != ":8080" || cfg.Log.Level != "info" {
			t.Errorf("got addr %q level %q", cfg.HTTP.Addr, cfg.Log.Level)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		if _, err := Load(writeFile(t, "# nothing yet\n"), noEnv, nil); err != nil {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("anchors and aliases", func(t *testing.T) {
		path := writeFile(t, "admins: [&a U7, *a]\nslack: {set_channel: *a}\n")
		cfg, err := Load(path, noEnv, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if cfg.Slack.SetChannel != "U7" || strings.Join(cfg.Admins, ",") != "U7,U7" {
			t.Errorf("got set_channel %q admins %q", cfg.Slack.SetChannel, cfg.Admins)
		}
	})
}

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

// wantErr checks err is non-nil and contains every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not contain %q", err, f)
		}
	}
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		fragments []string
	}{
		{"unknown top-level key", "adapter: console\n\nstorge:\n  path: x\n",
			[]string{`line 3: unknown key "storge"`, "known keys: adapter, admins, log, storage, http, production, slack, discord", "did you mean storage?"}},
		{"unknown nested key", "storage:\n  pth: x\n",
			[]string{`line 2: unknown key "storage.pth"`, "known keys in storage: path, encryption_key, open_timeout"}},
		{"dotted key at top level", "storage.path: x\n", []string{`line 1: unknown key "storage.path"`}},
		{"duplicate key", "adapter: console\nadapter: slack\n", []string{`line 2: key "adapter" repeats the one on line 1`}},
		{"section is a scalar", "storage: ./x.db\n", []string{"line 1: storage must be a mapping of keys (path, encryption_key, open_timeout)"}},
		{"leaf is a mapping", "storage:\n  path: {a: b}\n", []string{"storage.path (from config file", "line 2): expected a single value, not a mapping"}},
		{"leaf is a list", "adapter: [console]\n", []string{"adapter (from config file", "expected a single value, not a list"}},
		{"top level is a list", "- adapter\n", []string{"line 1: expected a mapping of keys"}},
		{"syntax error", "adapter: console\nlog:\n  level: [info\n", []string{"icbot.yaml: line", "not valid YAML: a list or mapping in brackets is not closed"}},
		{"tab indentation", "log:\n\tlevel: info\n", []string{"icbot.yaml: line 2: not valid YAML: YAML does not allow tabs for indenting: indent with spaces"}},
		{"key under a value", "adapter: console\n  storage: x\n", []string{`line 2: not valid YAML: there is a ": " where YAML expects none`}},
		{"reserved first character", "production:\n  name: @home\n", []string{"line 2: not valid YAML: a value starts with a character YAML reserves (such as @, ` or %): put the value in quotes"}},
		{"quote not closed", "production:\n  name: \"Night\n", []string{"not valid YAML: a quote or bracket opened here is not closed"}},
		{"indentation", "storage:\n  path: x\n open_timeout: 2s\n", []string{"line 3: not valid YAML: the indentation does not line up with the keys above it"}},
		{"indentation further down", "storage:\n  path: x\n  open_timeout: 2s\nlog:\n  level: info\n format: text\n", []string{"line 6: not valid YAML: the indentation does not line up"}},
		{"on the first line", "adapter: @console\n", []string{"line 1: not valid YAML: a value starts with a character YAML reserves"}},
		{"two documents", "adapter: console\n---\nadapter: slack\n", []string{"only one YAML document"}},
		{"bad duration", "storage:\n  open_timeout: soon\n", []string{"storage.open_timeout (from config file", `"soon" is not a duration`}},
		{"duration without unit", "production:\n  rider_notice: 48\n", []string{"production.rider_notice", `"48" is not a duration`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			_, err := Load(path, noEnv, nil)
			wantErr(t, err, append(tt.fragments, "config file "+path)...)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.yaml")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, "config file "+path+": not found; give the file's path with --config or ICBOT_CONFIG")
	})
	t.Run("directory instead of file", func(t *testing.T) {
		dir := t.TempDir()
		_, err := Load(dir, noEnv, nil)
		wantErr(t, err, "config file "+dir+": is a directory, not a file; give the file's path with --config or ICBOT_CONFIG")
	})
	if os.Getuid() != 0 {
		t.Run("unreadable file", func(t *testing.T) {
			path := writeFile(t, "adapter: console\n")
			if err := os.Chmod(path, 0o200); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, noEnv, nil)
			wantErr(t, err, "config file "+path+": permission denied; make it readable by the user icbot runs as")
		})
	}
	t.Run("no parser wording", func(t *testing.T) {
		for _, content := range []string{"adapter: console\n  storage: x\n", "log:\n\tlevel: info\n", "a: [b\n", "a: \"b\n", "a: @b\n"} {
			_, err := Load(writeFile(t, content), noEnv, nil)
			for _, internal := range []string{" yaml: ", "in this context", "token", "stream", "did not find"} {
				if err != nil && strings.Contains(err.Error(), internal) {
					t.Errorf("%q: %q shows %q", content, err, internal)
				}
			}
		}
	})
	t.Run("all key problems reported together", func(t *testing.T) {
		path := writeFile(t, "storge: 1\nadapter: slak\nlog: {levle: x}\n")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, `unknown key "storge"`, `unknown key "log.levle"`, `adapter (from config file `+path+` line 2): "slak" is not one of console, slack, discord`)
	})
}

func TestEnvErrors(t *testing.T) {
	t.Run("unknown ICBOT_ variable", func(t *testing.T) {
		t.Setenv("ICBOT_STORAGE_PAHT", "/x.db")
		_, err := Load("", os.LookupEnv, nil)
		wantErr(t, err, "ICBOT_STORAGE_PAHT matches no config key", "did you mean ICBOT_STORAGE_PATH?")
	})
	t.Run("nil lookup means the process environment", func(t *testing.T) {
		t.Setenv("ICBOT_LOG_LEVLE", "debug")
		_, err := Load("", nil, nil)
		wantErr(t, err, "ICBOT_LOG_LEVLE")
	})
	t.Run("empty unknown variable is ignored", func(t *testing.T) {
		t.Setenv("ICBOT_NOTHING", "")
		if _, err := Load("", os.LookupEnv, nil); err != nil {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("ICBOT_CONFIG is reserved", func(t *testing.T) {
		t.Setenv(EnvConfigFile, "/etc/icbot.yaml")
		if _, err := Load("", os.LookupEnv, nil); err != nil {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("map lookup ignores the process environment", func(t *testing.T) {
		t.Setenv("ICBOT_STORAGE_PAHT", "/x.db")
		if _, err := Load("", noEnv, nil); err != nil {
			t.Errorf("Load: %v", err)
		}
	})
	t.Run("bad value names the variable", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{"ICBOT_PRODUCTION_RIDER_NOTICE": "two days"}), nil)
		wantErr(t, err, "production.rider_notice (from ICBOT_PRODUCTION_RIDER_NOTICE)", `"two days" is not a duration`)
	})
	t.Run("unknown override", func(t *testing.T) {
		_, err := Load("", noEnv, map[string]string{"storage.pth": "x"})
		wantErr(t, err, `override "storage.pth" matches no config key`, "did you mean storage.path?")
	})
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

// canary is set in every secret key; it must never appear in output.
const canary = "CANARY-s3cr3t-9f8e7d"

// canaryEnv sets every secret key to a value containing the canary, plus
// invalid values elsewhere so that many error paths run.
func canaryEnv() map[string]string {
	env := map[string]string{
		"ICBOT_ADAPTER":                 "slak",
		"ICBOT_PRODUCTION_RIDER_NOTICE": "1h",
		"ICBOT_HTTP_ADDR":               "nope",
		"ICBOT_SLACK_API_URL":           "not a url",
	}
	for _, k := range keyTable {
		if k.secret {
			env[envName(k.name)] = canary
		}
	}
	return env
}

func TestSecretsNeverLeak(t *testing.T) {
	t.Run("errors", func(t *testing.T) {
		// The canary is not valid for encryption_key or app_token, so
		// their own errors run too.
		path := writeFile(t, "slack:\n  bot_token: "+canary+"\n  app_token: [x]\n  unknwn: "+canary+"\nstorage: {encryption_key: {k: "+canary+"}}\n")
		_, err := Load(path, mapEnv(canaryEnv()), map[string]string{"discord.token": canary, "nope": canary})
		if err == nil {
			t.Fatal("expected errors")
		}
		for _, want := range []string{"storage.encryption_key (from ICBOT_STORAGE_ENCRYPTION_KEY)", "slack.app_token (from ICBOT_SLACK_APP_TOKEN)", `"slak"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("error leaks the secret:\n%v", err)
		}
	})
	t.Run("yaml syntax error on a secret line", func(t *testing.T) {
		path := writeFile(t, "slack:\n  bot_token: \""+canary+"\n")
		_, err := Load(path, noEnv, nil)
		if err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("secret pasted as a YAML key", func(t *testing.T) {
		path := writeFile(t, "slack:\n  xoxb-"+canary+"-"+canary+": 1\n")
		_, err := Load(path, noEnv, nil)
		if err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("secret read as a YAML alias", func(t *testing.T) {
		// An unquoted value starting with * is an alias; the YAML library
		// names unknown anchors in its error.
		path := writeFile(t, "slack:\n  bot_token: *"+canary+"\n")
		_, err := Load(path, noEnv, nil)
		wantErr(t, err, "line 2: not valid YAML: a value starts with *, which YAML reads as a reference to another value: put the value in quotes")
		if err != nil && strings.Contains(err.Error(), canary) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("api url with credentials", func(t *testing.T) {
		_, err := Load("", mapEnv(map[string]string{"ICBOT_SLACK_API_URL": "https://user:" + canary + "@slack.example/"}), nil)
		if err == nil || strings.Contains(err.Error(), canary) {
			t.Errorf("err = %v", err)
		}
	})

	env := map[string]string{"ICBOT_STORAGE_ENCRYPTION_KEY": testKey}
	for _, k := range keyTable {
		if k.secret && k.name != "storage.encryption_key" {
			env[envName(k.name)] = "xapp-" + canary
		}
	}
	cfg, err := Load("", mapEnv(env), nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	secrets := []string{canary, testKey}
	var slogText, slogJSON bytes.Buffer
	slog.New(slog.NewTextHandler(&slogText, nil)).Info("config", "cfg", cfg, "value", *cfg, "token", cfg.Slack.BotToken)
	slog.New(slog.NewJSONHandler(&slogJSON, nil)).Info("config", "cfg", cfg, "token", cfg.Slack.BotToken)
	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	yamlOut, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Through an interface so vet accepts the deliberately odd verbs: a
	// careless caller could use them, and they must not leak either.
	var ptr, val any = cfg, *cfg
	outputs := map[string]string{
		"%v":        fmt.Sprintf("%v", cfg),
		"%+v":       fmt.Sprintf("%+v", cfg),
		"%#v":       fmt.Sprintf("%#v", cfg),
		"%s":        fmt.Sprintf("%s", ptr),
		"%q":        fmt.Sprintf("%q", val),
		"%x":        fmt.Sprintf("%x", val),
		"%d":        fmt.Sprintf("%d", val), // without Secret.Format, fmt's %!d(...) shows the raw value
		"%v value":  fmt.Sprintf("%v", *cfg),
		"%#v value": fmt.Sprintf("%#v", *cfg),
		"Println":   fmt.Sprintln(cfg.Slack, cfg.Storage.EncryptionKey),
		"slog text": slogText.String(),
		"slog json": slogJSON.String(),
		"json":      string(jsonOut),
		"yaml":      string(yamlOut),
		"Redacted":  fmt.Sprint(cfg.Redacted()),
		"Keys":      fmt.Sprint(Keys()),
	}
	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("output leaks a secret:\n%s", out)
				}
			}
			if name != "Keys" && !strings.Contains(out, "[redacted]") {
				t.Errorf("output does not show [redacted]:\n%s", out)
			}
		})
	}
	t.Run("Redacted", func(t *testing.T) {
		r := cfg.Redacted()
		for _, k := range Keys() {
			if _, ok := r[k.Name]; !ok {
				t.Errorf("Redacted lacks %s", k.Name)
			}
			if k.Secret && r[k.Name] != "[redacted]" {
				t.Errorf("Redacted()[%s] = %q, want [redacted]", k.Name, r[k.Name])
			}
		}
		if r["slack.set_channel"] != "" || r["http.addr"] != ":8080" {
			t.Errorf("non-secret values wrong: %v", r)
		}
		if got := Default().Redacted()["slack.bot_token"]; got != "" {
			t.Errorf("unset secret shows %q, want empty", got)
		}
	})
	t.Run("Reveal", func(t *testing.T) {
		if cfg.Slack.BotToken.Reveal() != "xapp-"+canary {
			t.Errorf("Reveal() = %q", cfg.Slack.BotToken.Reveal())
		}
	})
}

func TestSecretMethods(t *testing.T) {
	tests := []struct {
		name   string
		secret Secret
		want   string
	}{
		{"set", "hunter2", "[redacted]"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.secret
			text, _ := s.MarshalText()
			js, _ := s.MarshalJSON()
			checks := map[string]string{
				"String":      s.String(),
				"GoString":    s.GoString(),
				"Sprintf %v":  fmt.Sprintf("%v", s),
				"Sprintf %s":  fmt.Sprintf("%s", s),
				"Sprintf %#v": fmt.Sprintf("%#v", s),
				"Sprintf %q":  fmt.Sprintf("%q", s),
				"MarshalText": string(text),
				"MarshalJSON": string(js),
				"LogValue":    s.LogValue().String(),
			}
			for name, got := range checks {
				if strings.Trim(got, `"`) != tt.want {
					t.Errorf("%s = %q, want %q", name, got, tt.want)
				}
			}
			if s.Reveal() != string(tt.secret) {
				t.Errorf("Reveal() = %q", s.Reveal())
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

func TestParseCron(t *testing.T) {
	tests := []struct {
		spec     string
		ok       bool
		fragment string
	}{
		{"0 8 * * *", true, ""},
		{"  30 7 * * mon-fri ", true, ""},
		{"0\t8 * * *", true, ""},
		{"@daily", true, ""},
		{"@every 6h", true, ""},
		{"", false, "cron spec is empty"},
		{"   ", false, "cron spec is empty"},
		{"* * *", false, "has 3 fields; expected 5"},
		{"0 0 8 * * *", false, "has 6 fields"},
		{"CRON_TZ=Europe/London", false, "remove the CRON_TZ=/TZ= prefix; schedules use production.timezone"},
		{"CRON_TZ=", false, "CRON_TZ="},
		{"TZ=", false, "remove the CRON_TZ=/TZ= prefix"},
		{"TZ=UTC\t0", false, "remove the CRON_TZ=/TZ= prefix"},
		{"TZ= 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"cron_tz=UTC 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"CRON_TZ=Nowhere/Zone 0 8 * * *", false, "remove the CRON_TZ=/TZ= prefix"},
		{"61 * * * *", false, `invalid cron spec "61 * * * *": the minute field: 61 is above 59, the highest it can be`},
		{"* 24 * * *", false, "the hour field: 24 is above 23, the highest it can be"},
		{"0 8,25 * * *", false, "the hour field: 25 is above 23"},
		{"*/0 * * * *", false, `the minute field: "*/0" needs a step of 1 or more, such as */15`},
		{"0 8 * * abc", false, `the day-of-week field: "abc" is not a number (a field is a number, a name (mon, jan), a range such as 1-5, a list such as 1,3, a step such as */15, or *)`},
		{"0 8-3 * * *", false, `the hour field: the range "8-3" ends before it begins`},
		{"0 8 * * 1-2-3", false, `the day-of-week field: "1-2-3" is neither a range such as 1-5 nor a step such as */15`},
		{"0 8 30 2 *", false, "never run"},
		{"@every", false, `"@every" needs one duration`},
		{"@every 1s", false, "at least 1m"},
		{"@every -1h", false, "at least 1m"},
		{"@fortnightly", false, "unknown descriptor"},
		{"@daily 0", false, "unknown descriptor"},
		{"0 8 * * *\x00", false, "control characters"},
		{strings.Repeat("1,", 200) + "1 * * * *", false, "longer than 256"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.spec), func(t *testing.T) {
			sched, err := ParseCron(tt.spec)
			if tt.ok {
				if err != nil || sched == nil {
					t.Fatalf("ParseCron = %v, %v", sched, err)
				}
				return
			}
			wantErr(t, err, tt.fragment)
			for _, internal := range []string{"strconv", "parsing", "maximum (", "should be"} {
				if strings.Contains(err.Error(), internal) {
					t.Errorf("%q shows the parser's own wording %q", err, internal)
				}
			}
			if sched != nil {
				t.Errorf("schedule %v returned with error", sched)
			}
		})
	}
	t.Run("schedule follows the caller's zone", func(t *testing.T) {
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			t.Skip("no zoneinfo:", err)
		}
		sched, err := ParseCron("0 8 * * *")
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2025, 7, 1, 9, 0, 0, 0, loc)
		if got, want := sched.Next(from), time.Date(2025, 7, 2, 8, 0, 0, 0, loc); !got.Equal(want) {
			t.Errorf("Next = %v, want %v", got, want)
		}
	})
}

// TestSafeCronParse feeds robfig/cron the inputs that make it panic,
// bypassing ParseCron's pre-checks, to prove the recover backstop works.
func TestSafeCronParse(t *testing.T) {
	for _, spec := range []string{"CRON_TZ=Europe/London", "TZ=", "CRON_TZ=", "TZ=UTC\t0"} {
		t.Run(fmt.Sprintf("%q", spec), func(t *testing.T) {
			sched, err := safeCronParse(spec)
			if err == nil || sched != nil {
				t.Errorf("safeCronParse = %v, %v; want an error", sched, err)
			}
		})
	}
}

func TestDigestCronErrorsNeverPanic(t *testing.T) {
	for _, spec := range []string{"", "* * *", "CRON_TZ=Europe/London", "TZ=", "CRON_TZ=Nowhere/Zone 0 8 * * *", "61 * * * *", "@every"} {
		t.Run(fmt.Sprintf("%q", spec), func(t *testing.T) {
			_, err := Load("", noEnv, map[string]string{"production.digest_cron": spec})
			wantErr(t, err, "production.digest_cron (from command line)")
		})
	}
}

func TestEncryptionKeyBytes(t *testing.T) {
	tests := []struct {
		name string
		key  Secret
		ok   bool
	}{
		{"std padded", testKey, true},
		{"std raw", Secret(strings.TrimRight(testKey, "=")), true},
		{"empty", "", false},
		{"too short", "c2hvcnQ=", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Storage{EncryptionKey: tt.key}.EncryptionKeyBytes()
			if (got != nil) != tt.ok || (tt.ok && string(got) != "0123456789abcdef0123456789abcdef") {
				t.Errorf("EncryptionKeyBytes() = %q", got)
			}
		})
	}
}

func TestLocation(t *testing.T) {
	t.Run("hand-built before Validate", func(t *testing.T) {
		c := Default()
		c.Production.Timezone = "Asia/Tokyo"
		if got := c.Location().String(); got != "Asia/Tokyo" {
			t.Errorf("Location() = %s", got)
		}
		c.Production.Timezone = "Nowhere/Zone"
		if got, want := c.Location().String(), systemZone().String(); got != want {
			t.Errorf("Location() = %v, want the machine's zone %s", got, want)
		}
	})
	t.Run("after Validate", func(t *testing.T) {
		c := Default()
		c.Production.Timezone = "UTC"
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if c.Location() != time.UTC {
			t.Errorf("Location() = %v", c.Location())
		}
	})
}

func TestErrorsJoinable(t *testing.T) {
	// Callers may unwrap individual problems.
	_, err := Load("", mapEnv(map[string]string{"ICBOT_ADAPTER": "x", "ICBOT_LOG_LEVEL": "y"}), nil)
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Errorf("err = %#v, want two joined problems", err)
	}
}

// TestSystemZone checks that the machine's zone is named as people name
// it, not "Local", whenever a name with the same rules can be found.
func TestSystemZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// A machine's zone, as Go names it, whose rules are not London's.
	local := time.FixedZone("Local", 0)
	if sameRules(local, london) {
		t.Fatal("a fixed zone has London's rules")
	}
	noFile := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	noLink := func(string) (string, error) { return "", os.ErrNotExist }
	link := func(target string) func(string) (string, error) {
		return func(string) (string, error) { return target, nil }
	}
	file := func(content string) func(string) ([]byte, error) {
		return func(string) ([]byte, error) { return []byte(content), nil }
	}
	tests := []struct {
		name     string
		local    *time.Location
		env      map[string]string
		readlink func(string) (string, error)
		readFile func(string) ([]byte, error)
		want     string
	}{
		{"TZ names it", local, map[string]string{"TZ": "Asia/Tokyo"}, noLink, noFile, "Asia/Tokyo"},
		{"TZ with a colon", local, map[string]string{"TZ": ":Asia/Tokyo"}, noLink, noFile, "Asia/Tokyo"},
		{"TZ empty is UTC", local, map[string]string{"TZ": ""}, noLink, noFile, "UTC"},
		{"TZ that does not load", local, map[string]string{"TZ": "/some/file"}, link("/usr/share/zoneinfo/Europe/London"), noFile, "Local"},
		{"the link of /etc/localtime", london, nil, link("/usr/share/zoneinfo/Europe/London"), noFile, "Europe/London"},
		{"a relative link", london, nil, link("../usr/share/zoneinfo/Europe/London"), noFile, "Europe/London"},
		{"/etc/timezone", london, nil, noLink, file("Europe/London\n"), "Europe/London"},
		{"a name that disagrees with the zone in use", local, nil, link("/usr/share/zoneinfo/Europe/London"), file("Europe/London\n"), "Local"},
		{"nothing names it", local, nil, noLink, noFile, "Local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := systemZoneFrom(tt.local, mapEnv(tt.env), tt.readlink, tt.readFile)
			if got.String() != tt.want {
				t.Errorf("systemZoneFrom = %s, want %s", got, tt.want)
			}
		})
	}
	t.Run("this machine", func(t *testing.T) {
		if got := systemZone(); !sameRules(got, time.Local) {
			t.Errorf("systemZone() = %s, whose rules are not time.Local's", got)
		}
	})
}
