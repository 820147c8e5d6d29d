package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

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
