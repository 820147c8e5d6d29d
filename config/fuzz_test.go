package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoadYAML checks that no config file makes Load panic, that a file it
// accepts yields a valid config, and that secrets from the environment never
// reach an error message.
func FuzzLoadYAML(f *testing.F) {
	f.Add([]byte("adapter: console\n"))
	f.Add([]byte("storage: {path: ./x.db, open_timeout: 2s}\nproduction:\n  rider_notice: 2d\n"))
	f.Add([]byte("admins: [&a U1, *a]\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, "icbot.yaml")
	env := map[string]string{}
	for _, k := range keyTable {
		if k.secret {
			env[envName(k.name)] = canary
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(path, noEnv, nil)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without error")
			}
			if verr := cfg.Validate(); verr != nil {
				t.Fatalf("Load accepted a config that Validate rejects: %v", verr)
			}
			_ = cfg.Redacted()
		}
		if bytes.Contains(data, []byte(canary)) {
			return
		}
		if _, err := Load(path, mapEnv(env), nil); err != nil && strings.Contains(err.Error(), canary) {
			t.Fatalf("error leaks a secret: %v", err)
		}
	})
}

// FuzzParseCron checks that ParseCron never panics and that an accepted
// spec yields a usable schedule.
func FuzzParseCron(f *testing.F) {
	for _, s := range []string{"0 8 * * *", "CRON_TZ=Europe/London", "TZ=", "@every 1h", "*/5 1-3 1,15 jan-mar mon"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		sched, err := ParseCron(spec)
		if (sched == nil) == (err == nil) {
			t.Fatalf("ParseCron(%q) = %v, %v: want exactly one of schedule and error", spec, sched, err)
		}
	})
}
