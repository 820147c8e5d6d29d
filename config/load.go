package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// EnvConfigFile is the environment variable a caller may use to name the
// config file. Load does not read it (the caller passes the path), but it
// is reserved so that Load does not reject it as an unknown ICBOT_ variable.
const EnvConfigFile = "ICBOT_CONFIG"

// envPrefix starts every environment variable that configures icbot.
const envPrefix = "ICBOT_"

// Minimums and maximums that validation enforces.
const (
	// minRiderNotice is the union minimum notice for nudity riders.
	minRiderNotice = 48 * time.Hour
	// maxOpenTimeout keeps a stuck database lock from hanging startup.
	maxOpenTimeout = time.Minute
	// maxFileSize guards against pointing Load at something that is not a
	// config file (a log, a database).
	maxFileSize = 1 << 20
)

// Default returns the built-in configuration: the console adapter with
// every setting at its documented default.
func Default() *Config {
	return &Config{
		Adapter: "console",
		Log:     Log{Level: "info", Format: "text"},
		Storage: Storage{Path: "./icbot.db", OpenTimeout: 2 * time.Second},
		HTTP:    HTTP{Addr: ":8080", AdminAddr: "127.0.0.1:8081"},
		Production: Production{
			Name:          "Untitled production",
			RiderNotice:   minRiderNotice,
			DigestCron:    "0 8 * * *",
			WrapTime:      "19:00",
			RiderWarnings: []time.Duration{7 * 24 * time.Hour, 72 * time.Hour, 24 * time.Hour},
			ReminderGrace: 24 * time.Hour,
		},
	}
}

// Validate checks every key and reports all problems at once, in key order,
// each naming the key, where its value came from and what is expected. It
// also resolves the production's time zone for Location.
func (c *Config) Validate() error {
	return errors.Join(c.validate()...)
}

// validate runs every check in key order and returns the problems.
func (c *Config) validate() []error {
	var errs []error
	var loc *time.Location
	for i := range keyTable {
		k := &keyTable[i]
		var err error
		if k.name == "production.timezone" {
			loc, err = loadZone(c.Production.Timezone)
		} else if k.check != nil {
			err = k.check(c)
		}
		if err != nil {
			errs = append(errs, c.keyError(k, err))
		}
	}
	// nil when the zone is invalid, so Location never returns a zone left
	// over from an earlier Validate.
	c.loc = loc
	return errs
}

// keyError prefixes a problem with the key and, when known, where its value
// was set.
func (c *Config) keyError(k *key, err error) error {
	if where := c.src.whereOf(k.name); where != "" {
		return fmt.Errorf("%s (from %s): %w", k.name, where, err)
	}
	return fmt.Errorf("%s: %w", k.name, err)
}

// sources records, per key, where the value in force was set.
type sources struct {
	where map[string]string
}

// set records where a key was last set.
func (s *sources) set(name, where string) {
	if s.where == nil {
		s.where = make(map[string]string)
	}
	s.where[name] = where
}

// Where a value came from, as Source says it, besides a config file's
// "config file PATH line N" and an environment variable's name.
const (
	// FromDefault is a value left at its built-in default.
	FromDefault = "default"
	// FromCommandLine is a value from Load's overrides, which the caller
	// took from its command line.
	FromCommandLine = "command line"
)

// Source says where the value of the key named name came from: FromDefault,
// "config file PATH line N", the environment variable's name, or
// FromCommandLine. A Config built by hand says FromDefault throughout.
func (c *Config) Source(name string) string {
	if where := c.src.whereOf(name); where != "" {
		return where
	}
	return FromDefault
}

// whereOf is safe on a nil *sources (a Config built by hand).
func (s *sources) whereOf(name string) string {
	if s == nil {
		return ""
	}
	return s.where[name]
}

// Load builds the configuration: defaults, then the YAML file at path (if
// path is not ""), then the environment, then overrides (values keyed by
// dotted key name, such as command-line flags). Then it validates the
// result.
//
// lookupEnv is os.LookupEnv in production and a map lookup in tests; nil
// means os.LookupEnv. Empty environment values count as unset. To catch
// typos, an ICBOT_ variable in the process environment that names no key is
// an error, provided lookupEnv also reports it set (so a test's map lookup
// is not affected by the developer's own environment). EnvConfigFile is
// exempt.
//
// Every problem found is reported together. A file that cannot be read or
// parsed is reported on its own, since nothing else can be trusted then.
func Load(path string, lookupEnv func(string) (string, bool), overrides map[string]string) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	c := Default()
	c.src = &sources{}
	var errs []error
	if path != "" {
		root, err := readYAML(path)
		if err != nil {
			return nil, err
		}
		errs = append(errs, c.applyYAML(path, root)...)
	}
	errs = append(errs, c.applyEnv(lookupEnv)...)
	errs = append(errs, c.applyOverrides(overrides)...)
	errs = append(errs, c.validate()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// set applies one value and records its source.
func (c *Config) set(k *key, v, where string) error {
	c.src.set(k.name, where)
	if err := k.set(c, v); err != nil {
		return c.keyError(k, err)
	}
	return nil
}

// applyEnv applies ICBOT_ variables and reports unknown ones.
func (c *Config) applyEnv(lookupEnv func(string) (string, bool)) []error {
	var errs []error
	known := make(map[string]bool, len(keyTable)+1)
	known[EnvConfigFile] = true
	for i := range keyTable {
		k := &keyTable[i]
		env := envName(k.name)
		known[env] = true
		if v, ok := lookupEnv(env); ok && v != "" {
			if err := c.set(k, v, env); err != nil {
				errs = append(errs, err)
			}
		}
	}
	var unknown []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || known[name] {
			continue
		}
		if v, ok := lookupEnv(name); ok && v != "" {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	unknown = slices.Compact(unknown)
	for _, name := range unknown {
		errs = append(errs, fmt.Errorf("environment variable %s matches no config key%s", name, suggest(name, envNames())))
	}
	return errs
}

// applyOverrides applies values keyed by dotted name, such as flags.
func (c *Config) applyOverrides(overrides map[string]string) []error {
	var errs []error
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	// Apply in key order so errors come out in a stable order.
	slices.SortFunc(names, func(a, b string) int { return keyOrder(a) - keyOrder(b) })
	for _, name := range names {
		k, ok := keyIndex[name]
		if !ok {
			errs = append(errs, fmt.Errorf("override %q matches no config key%s", name, suggest(name, keyNames())))
			continue
		}
		if err := c.set(k, overrides[name], FromCommandLine); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// keyOrder is a key's position in keyTable; unknown names sort last.
func keyOrder(name string) int {
	for i := range keyTable {
		if keyTable[i].name == name {
			return i
		}
	}
	return len(keyTable)
}

// keyNames lists the dotted names, for suggestions.
func keyNames() []string {
	out := make([]string, len(keyTable))
	for i, k := range keyTable {
		out[i] = k.name
	}
	return out
}

// envNames lists the environment variables, for suggestions.
func envNames() []string {
	out := make([]string, len(keyTable))
	for i, k := range keyTable {
		out[i] = envName(k.name)
	}
	return out
}

// suggest returns `; did you mean "x"?` for the closest candidate within a
// small edit distance, or "".
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, cand := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(cand)); d < bestDist {
			best, bestDist = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", best)
}

// editDistance is the Levenshtein distance, for typo suggestions.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30 // not worth suggesting for, and bounds the work
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
