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
	"http.public_url":           {"http://127.0.0.1:8090", "http://127.0.0.1:8090"},
	"production.name":           {"Night Swim", "Night Swim"},
	"production.timezone":       {"Europe/London", "Europe/London"},
	"production.rider_notice":   {"3d", "72h"},
	"production.digest_cron":    {"30 7 * * 1-5", "30 7 * * 1-5"},
	"production.wrap_time":      {"18:30", "18:30"},
	"production.rider_warnings": {"7d, 48h", "168h,48h"},
	"production.reminder_grace": {"12h", "12h"},
	"production.retention":      {" 7Y ", "7y"},
	"production.wrap_date":      {"2026-12-18", "2026-12-18"},
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
		{"production.retention", cfg.Production.Retention, Retention{}},
		{"production.wrap_date", cfg.Production.WrapDate, ""},
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

func TestErrorsJoinable(t *testing.T) {
	// Callers may unwrap individual problems.
	_, err := Load("", mapEnv(map[string]string{"ICBOT_ADAPTER": "x", "ICBOT_LOG_LEVEL": "y"}), nil)
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Errorf("err = %#v, want two joined problems", err)
	}
}
