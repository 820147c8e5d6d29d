package config

import (
	"os"
	"testing"
)

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
