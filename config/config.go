// Package config loads and validates icbot's configuration.
//
// A configuration is built in layers, each overriding the one before:
// built-in defaults, an optional YAML file, ICBOT_* environment variables,
// and finally command-line overrides. Every setting is described once, in a
// single key table, so the YAML keys, the environment variable names, the
// --help listing (Keys) and the `icbot config` listing (Config.Redacted)
// cannot drift apart.
//
// Secrets (tokens, signing secrets, encryption keys) are held in the Secret
// type, which prints as "[redacted]" in every format, so a Config can be
// logged or shown in an error without leaking credentials. Error messages
// produced by this package never quote a secret's value.
package config

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Config is icbot's whole configuration.
//
// Build one with Load (or Default for tests), which also validates it. A
// Config built by hand should be checked with Validate before use, because
// Validate also resolves the production's time zone for Location.
type Config struct {
	// Adapter selects the chat platform: "console" (default), "slack" or
	// "discord".
	Adapter string
	// Admins are the platform user ids allowed to manage roles.
	Admins []string

	Log        Log
	Storage    Storage
	HTTP       HTTP
	Production Production
	Slack      Slack
	Discord    Discord

	// loc is the zone named by Production.Timezone, resolved by Validate so
	// that every later use agrees with what was validated.
	loc *time.Location
	// src records where each key's value came from, so that validation
	// errors can point at the file line or environment variable to fix. It
	// is a pointer so that printing a Config shows an address rather than
	// the bookkeeping.
	src *sources
}

// Log configures icbot's own logging.
type Log struct {
	// Level is the minimum level logged: debug, info (default), warn or error.
	Level string
	// Format is the log line format: text (default) or json.
	Format string
}

// Storage configures the on-disk database.
type Storage struct {
	// Path is the database file (default "./icbot.db").
	Path string
	// EncryptionKey, when set, is the base64 encoding of 32 random bytes used
	// to encrypt stored records. Use EncryptionKeyBytes to decode it.
	EncryptionKey Secret
	// OpenTimeout bounds how long opening the database waits for its file
	// lock, so a second icbot on the same file fails fast (default 2s, at
	// most 1m).
	OpenTimeout time.Duration
}

// HTTP configures icbot's two HTTP listeners: one for the platform's
// requests, which the internet reaches through a proxy, and one for
// health checks and metrics, which only the operator's monitoring should.
type HTTP struct {
	// Addr is the host:port of the platform endpoints (default ":8080").
	Addr string
	// AdminAddr is the host:port of /healthz, /readyz and /metrics
	// (default "127.0.0.1:8081", reachable from the machine itself only).
	AdminAddr string
}

// Production describes the film production the bot serves.
type Production struct {
	// Name is shown in messages (default "Untitled production").
	Name string
	// Timezone is the IANA zone the production works in; empty means the
	// system zone. Schedules and wrap times are read in this zone.
	Timezone string
	// RiderNotice is how far ahead of a scene a nudity rider must be agreed
	// (default 48h). Union rules require at least 48 hours, so less is
	// refused.
	RiderNotice time.Duration
	// DigestCron is the standard 5-field cron spec for the daily digest
	// (default "0 8 * * *"), read in the production's time zone.
	DigestCron string
	// RiderWarnings are how long before a rider's deadline the IC and
	// producers are warned (default 168h, 72h and 24h).
	RiderWarnings []time.Duration
	// ReminderGrace is how late a reminder may still be sent after icbot
	// was down (default 24h); older ones go to the next digest as missed.
	ReminderGrace time.Duration
	// WrapTime is the usual end of the shooting day, HH:MM on a 24-hour
	// clock (default "19:00").
	WrapTime string
}

// Slack configures the Slack adapter.
type Slack struct {
	// BotToken is the bot user OAuth token (xoxb-...).
	BotToken Secret
	// SigningSecret verifies requests Slack sends to the HTTP listener
	// (Events API).
	SigningSecret Secret
	// AppToken is the app-level token (xapp-...) used for Socket Mode.
	AppToken Secret
	// APIURL overrides Slack's API base URL, for tests and proxies.
	APIURL string
	// SetChannel is the channel id where set-wide notices are posted.
	SetChannel string
}

// Discord configures the Discord adapter.
type Discord struct {
	// Token is the bot token.
	Token Secret
	// ApplicationID is the numeric id of the Discord application.
	ApplicationID string
	// GuildID, when set, limits command registration to one server (numeric
	// id), which makes new commands appear immediately.
	GuildID string
	// PublicKey is the application's Ed25519 public key in hex (32 bytes),
	// used to verify interactions sent to the HTTP listener.
	PublicKey string
	// APIURL overrides Discord's API base URL, for tests and proxies.
	APIURL string
	// SetChannel is the channel id where set-wide notices are posted.
	SetChannel string
}

// redacted is what a set Secret shows instead of its value.
const redacted = "[redacted]"

// Secret is a string that never prints. String, GoString, Format (every fmt
// verb), MarshalText, MarshalJSON and LogValue all give "[redacted]" when the
// secret is set and "" when it is empty, so an empty secret is still
// distinguishable from a set one. Reveal returns the real value; call it only
// where the value is handed to the service that needs it.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns a quoted "[redacted]" (or ""), so %#v of a Config stays
// valid-looking Go without the value.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format implements fmt.Formatter. Without it, a verb that does not apply to
// strings (for example %d on a struct holding a Secret) makes fmt print the
// raw value in its "%!d(...)" complaint.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		io.WriteString(f, strconv.Quote(s.String()))
	default:
		io.WriteString(f, s.String())
	}
}

// MarshalText implements encoding.TextMarshaler (used by YAML and others).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

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

// Location returns the production's time zone: the zone resolved by
// Validate, or time.Local when Production.Timezone is empty. On a Config
// that was never validated it loads the zone on demand and falls back to
// time.Local if the name is unknown.
func (c *Config) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	if c.Production.Timezone != "" {
		if loc, err := time.LoadLocation(c.Production.Timezone); err == nil {
			return loc
		}
	}
	return time.Local
}

// EncryptionKeyBytes decodes EncryptionKey. It returns nil when no key is
// set or when the key is malformed (which Validate reports), so storage
// code decodes the key exactly as validation accepted it.
func (s Storage) EncryptionKeyBytes() []byte {
	b, ok := decodeKey(string(s.EncryptionKey))
	if !ok {
		return nil
	}
	return b
}

// decodeKey accepts the common base64 spellings of a 32-byte key, because
// key generators differ in padding and alphabet.
func decodeKey(s string) ([]byte, bool) {
	if s == "" {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, true
		}
	}
	return nil, false
}

// KeyInfo describes one configuration key for --help and documentation.
type KeyInfo struct {
	// Name is the dotted key, e.g. "storage.path"; its parts are the YAML
	// keys and it is the name used for command-line overrides.
	Name string
	// Env is the environment variable, e.g. "ICBOT_STORAGE_PATH".
	Env string
	// Secret is true when the value is a credential and is never shown.
	Secret bool
	// Description says what the key is for and what value is expected.
	Description string
	// Default is the built-in value as it would be written in the config
	// file ("" when there is none).
	Default string
}

// Keys lists every configuration key in the order used by Redacted, the
// YAML file layout and error reports.
func Keys() []KeyInfo {
	def := Default()
	out := make([]KeyInfo, len(keyTable))
	for i, k := range keyTable {
		out[i] = KeyInfo{Name: k.name, Env: envName(k.name), Secret: k.secret, Description: k.desc, Default: k.get(def)}
	}
	return out
}

// Redacted returns every key with its value as it would be written in the
// config file, with set secrets shown as "[redacted]", for `icbot config`.
// Iterate Keys for a stable order.
func (c *Config) Redacted() map[string]string {
	out := make(map[string]string, len(keyTable))
	for _, k := range keyTable {
		v := k.get(c)
		if k.secret && v != "" {
			v = redacted
		}
		out[k.name] = v
	}
	return out
}

// key describes one setting. The table of keys is the single source of
// truth: loading, validation, Keys and Redacted all iterate it.
type key struct {
	name   string
	secret bool
	desc   string
	// set parses a value from the file, the environment or an override. It
	// only fails when the text cannot be parsed at all (a bad duration);
	// whether the value is acceptable is check's job, so that every
	// problem is reported together by Validate.
	set func(c *Config, v string) error
	// setList, when non-nil, takes a YAML sequence (only admins).
	setList func(c *Config, v []string)
	// get returns the value as it would be written in the file (secrets
	// included; callers redact).
	get func(c *Config) string
	// check returns nil or a problem with the value, worded without the key
	// name and never quoting a secret.
	check func(c *Config) error
}

// envName derives a key's environment variable from its dotted name.
func envName(name string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(name, ".", "_"))
}

// keyTable is every configuration key, in the order problems are reported.
var keyTable = []key{
	stringKey("adapter", "chat platform: console, slack or discord",
		func(c *Config) *string { return &c.Adapter },
		func(c *Config) error { return oneOf(c.Adapter, "console", "slack", "discord") }),
	{
		name: "admins",
		desc: "platform user ids allowed to manage roles; a YAML list, or comma-separated in the environment",
		set: func(c *Config, v string) error {
			var ids []string
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
			c.Admins = ids
			return nil
		},
		setList: func(c *Config, v []string) {
			ids := make([]string, len(v))
			for i, id := range v {
				ids[i] = strings.TrimSpace(id)
			}
			c.Admins = ids
		},
		get:   func(c *Config) string { return strings.Join(c.Admins, ",") },
		check: checkAdmins,
	},
	stringKey("log.level", "minimum log level: debug, info, warn or error",
		func(c *Config) *string { return &c.Log.Level },
		func(c *Config) error { return oneOf(c.Log.Level, "debug", "info", "warn", "error") }),
	stringKey("log.format", "log line format: text or json",
		func(c *Config) *string { return &c.Log.Format },
		func(c *Config) error { return oneOf(c.Log.Format, "text", "json") }),
	stringKey("storage.path", "database file path, such as ./icbot.db",
		func(c *Config) *string { return &c.Storage.Path },
		func(c *Config) error {
			if c.Storage.Path == "" {
				return errors.New("must not be empty (expected a file path such as ./icbot.db)")
			}
			return nil
		}),
	secretKey("storage.encryption_key", "key that seals private records at rest: base64 of 32 random bytes (openssl rand -base64 32); without it icbot keeps the key in a file beside the database (PATH.key)",
		func(c *Config) *Secret { return &c.Storage.EncryptionKey },
		func(c *Config) error {
			if c.Storage.EncryptionKey == "" {
				return nil
			}
			if _, ok := decodeKey(string(c.Storage.EncryptionKey)); !ok {
				return errors.New("is not base64 of 32 bytes (generate one with: openssl rand -base64 32)")
			}
			return nil
		}),
	durationKey("storage.open_timeout", "how long opening the database waits for its lock: a duration over 0 and at most 1m, such as 2s",
		func(c *Config) *time.Duration { return &c.Storage.OpenTimeout },
		func(c *Config) error {
			switch d := c.Storage.OpenTimeout; {
			case d <= 0:
				return fmt.Errorf("%s must be greater than 0 (expected a duration such as 2s)", formatDuration(d))
			case d > maxOpenTimeout:
				return fmt.Errorf("%s is over the %s maximum", formatDuration(d), formatDuration(maxOpenTimeout))
			}
			return nil
		}),
	stringKey("http.addr", "address of the platform endpoints (/slack/, /discord/), as host:port, such as :8080 or 127.0.0.1:8080",
		func(c *Config) *string { return &c.HTTP.Addr },
		func(c *Config) error { return checkAddr(c.HTTP.Addr, ":8080 or 127.0.0.1:8080") }),
	stringKey("http.admin_addr", "address of /healthz, /readyz and /metrics, as host:port; the default, 127.0.0.1:8081, is reached from this machine only",
		func(c *Config) *string { return &c.HTTP.AdminAddr },
		func(c *Config) error {
			if err := checkAddr(c.HTTP.AdminAddr, "127.0.0.1:8081 or :8081"); err != nil {
				return err
			}
			if samePort(c.HTTP.AdminAddr, c.HTTP.Addr) {
				return fmt.Errorf("%q takes the port of http.addr %q; give the admin endpoints a port of their own, such as 127.0.0.1:8081", c.HTTP.AdminAddr, c.HTTP.Addr)
			}
			return nil
		}),
	stringKey("production.name", "production name shown in messages",
		func(c *Config) *string { return &c.Production.Name },
		func(c *Config) error {
			if strings.TrimSpace(c.Production.Name) == "" {
				return errors.New("must not be empty")
			}
			return nil
		}),
	stringKey("production.timezone", "IANA time zone of the production, such as Europe/London; empty means the system zone",
		func(c *Config) *string { return &c.Production.Timezone },
		nil), // checked in Validate, which also keeps the loaded zone
	durationKey("production.rider_notice", "how far ahead a nudity rider must be agreed: at least 48h (union minimum); Go durations or whole days such as 3d",
		func(c *Config) *time.Duration { return &c.Production.RiderNotice },
		func(c *Config) error {
			if d := c.Production.RiderNotice; d < minRiderNotice {
				return fmt.Errorf("%s is under the %s minimum notice for nudity riders", formatDuration(d), formatDuration(minRiderNotice))
			}
			return nil
		}),
	stringKey("production.digest_cron", "when the daily digest is sent: a 5-field cron spec (minute hour day-of-month month day-of-week) in the production's time zone, such as \"0 8 * * *\"",
		func(c *Config) *string { return &c.Production.DigestCron },
		func(c *Config) error {
			_, err := ParseCron(c.Production.DigestCron)
			return err
		}),
	{
		name: "production.rider_warnings",
		desc: "how long before a rider's deadline the IC and producers are warned: durations, comma-separated or a YAML list, such as 7d,72h,24h",
		set: func(c *Config, v string) error {
			var ds []time.Duration
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part == "" {
					continue
				}
				d, err := parseDuration(part)
				if err != nil {
					return err
				}
				ds = append(ds, d)
			}
			c.Production.RiderWarnings = ds
			return nil
		},
		setList: func(c *Config, v []string) {
			c.Production.RiderWarnings = nil
			for _, part := range v {
				if d, err := parseDuration(part); err == nil {
					c.Production.RiderWarnings = append(c.Production.RiderWarnings, d)
				} else {
					c.Production.RiderWarnings = append(c.Production.RiderWarnings, -1) // refused by check
				}
			}
		},
		get: func(c *Config) string {
			parts := make([]string, len(c.Production.RiderWarnings))
			for i, d := range c.Production.RiderWarnings {
				parts[i] = formatDuration(d)
			}
			return strings.Join(parts, ",")
		},
		check: func(c *Config) error {
			for _, d := range c.Production.RiderWarnings {
				if d <= 0 {
					return errors.New("each warning must be a positive duration, such as 72h or 7d")
				}
			}
			return nil
		},
	},
	durationKey("production.reminder_grace", "how late a reminder may still be sent after icbot was down, such as 24h; older ones are listed as missed in the next digest",
		func(c *Config) *time.Duration { return &c.Production.ReminderGrace },
		func(c *Config) error {
			if c.Production.ReminderGrace <= 0 {
				return errors.New("must be a positive duration, such as 24h")
			}
			return nil
		}),
	stringKey("production.wrap_time", "usual end of the shooting day, HH:MM on a 24-hour clock, such as 19:00",
		func(c *Config) *string { return &c.Production.WrapTime },
		func(c *Config) error {
			if !validClock(c.Production.WrapTime) {
				return fmt.Errorf("%q is not a 24-hour HH:MM time such as 19:00", c.Production.WrapTime)
			}
			return nil
		}),
	secretKey("slack.bot_token", "Slack bot token (xoxb-...); required for the slack adapter",
		func(c *Config) *Secret { return &c.Slack.BotToken },
		func(c *Config) error {
			if c.Adapter == "slack" && c.Slack.BotToken == "" {
				return requiredErr("slack.bot_token", "slack")
			}
			return nil
		}),
	secretKey("slack.signing_secret", "Slack signing secret for the Events API over HTTP; the slack adapter needs this or slack.app_token",
		func(c *Config) *Secret { return &c.Slack.SigningSecret },
		func(c *Config) error {
			if c.Adapter == "slack" && c.Slack.SigningSecret == "" && c.Slack.AppToken == "" {
				return fmt.Errorf("this or slack.app_token is required when adapter is slack; set %s (Events API over HTTP) or %s (Socket Mode)",
					envName("slack.signing_secret"), envName("slack.app_token"))
			}
			return nil
		}),
	secretKey("slack.app_token", "Slack app-level token (xapp-...) for Socket Mode; the slack adapter needs this or slack.signing_secret",
		func(c *Config) *Secret { return &c.Slack.AppToken },
		func(c *Config) error {
			if c.Slack.AppToken != "" && !strings.HasPrefix(string(c.Slack.AppToken), "xapp-") {
				return errors.New(`must start with "xapp-" (an app-level token; bot tokens start with xoxb- and belong in slack.bot_token)`)
			}
			return nil
		}),
	stringKey("slack.api_url", "optional Slack API base URL, an absolute http(s) URL, for tests and proxies; late replies may then also go to its host",
		func(c *Config) *string { return &c.Slack.APIURL },
		func(c *Config) error { return checkURL(c.Slack.APIURL, "https://slack.com/api/") }),
	stringKey("slack.set_channel", "Slack channel id for set-wide notices, such as C0123ABCD",
		func(c *Config) *string { return &c.Slack.SetChannel }, nil),
	secretKey("discord.token", "Discord bot token; required for the discord adapter",
		func(c *Config) *Secret { return &c.Discord.Token },
		func(c *Config) error {
			if c.Adapter == "discord" && c.Discord.Token == "" {
				return requiredErr("discord.token", "discord")
			}
			return nil
		}),
	stringKey("discord.application_id", "numeric Discord application id; required for the discord adapter",
		func(c *Config) *string { return &c.Discord.ApplicationID },
		func(c *Config) error {
			if c.Adapter == "discord" && c.Discord.ApplicationID == "" {
				return requiredErr("discord.application_id", "discord")
			}
			return checkSnowflake(c.Discord.ApplicationID)
		}),
	stringKey("discord.guild_id", "optional numeric Discord server id to register commands in",
		func(c *Config) *string { return &c.Discord.GuildID },
		func(c *Config) error { return checkSnowflake(c.Discord.GuildID) }),
	stringKey("discord.public_key", "Discord application public key, 64 hex digits, for verifying interactions",
		func(c *Config) *string { return &c.Discord.PublicKey },
		func(c *Config) error {
			if c.Discord.PublicKey == "" {
				return nil
			}
			if b, err := hex.DecodeString(c.Discord.PublicKey); err != nil || len(b) != 32 {
				return errors.New("is not hex of 32 bytes (expected the 64 hex digits shown as Public Key in the Discord developer portal)")
			}
			return nil
		}),
	stringKey("discord.api_url", "optional Discord API base URL, an absolute http(s) URL, for tests and proxies",
		func(c *Config) *string { return &c.Discord.APIURL },
		func(c *Config) error { return checkURL(c.Discord.APIURL, "https://discord.com/api/") }),
	stringKey("discord.set_channel", "Discord channel id for set-wide notices",
		func(c *Config) *string { return &c.Discord.SetChannel }, nil),
}

// keyIndex finds keys by dotted name.
var keyIndex = func() map[string]*key {
	m := make(map[string]*key, len(keyTable))
	for i := range keyTable {
		m[keyTable[i].name] = &keyTable[i]
	}
	return m
}()

// stringKey describes a plain string setting.
func stringKey(name, desc string, field func(*Config) *string, check func(*Config) error) key {
	return key{
		name: name, desc: desc, check: check,
		// Surrounding whitespace is never meaningful in these values and
		// creeps in from shells and editors.
		set: func(c *Config, v string) error { *field(c) = strings.TrimSpace(v); return nil },
		get: func(c *Config) string { return *field(c) },
	}
}

// secretKey describes a credential: same as stringKey, but never shown.
func secretKey(name, desc string, field func(*Config) *Secret, check func(*Config) error) key {
	return key{
		name: name, desc: desc, check: check, secret: true,
		// Trimming matters most here: `export X=$(cat token)` keeps the
		// file's trailing newline, and no credential contains whitespace.
		set: func(c *Config, v string) error { *field(c) = Secret(strings.TrimSpace(v)); return nil },
		get: func(c *Config) string { return string(*field(c)) },
	}
}

// durationKey describes a duration setting written as in parseDuration.
func durationKey(name, desc string, field func(*Config) *time.Duration, check func(*Config) error) key {
	return key{
		name: name, desc: desc, check: check,
		set: func(c *Config, v string) error {
			d, err := parseDuration(v)
			if err != nil {
				return err
			}
			*field(c) = d
			return nil
		},
		get: func(c *Config) string { return formatDuration(*field(c)) },
	}
}

// parseDuration accepts Go duration syntax ("48h", "90m") and whole days
// ("2d"), since notice periods are naturally stated in days.
func parseDuration(v string) (time.Duration, error) {
	s := strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(s, "d"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		days, err := strconv.ParseInt(n, 10, 64)
		if err == nil && days <= int64(1<<63-1)/int64(24*time.Hour) {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a duration (expected Go syntax such as 48h or 90m, or whole days such as 2d)", s)
}

// formatDuration writes a duration the way people write it ("48h" rather
// than "48h0m0s"); the result parses back with parseDuration.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// oneOf checks v against a fixed set of words.
func oneOf(v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

// requiredErr names both places a missing adapter setting can be given.
func requiredErr(name, adapter string) error {
	return fmt.Errorf("required when adapter is %s; set %s or %s in the config file", adapter, envName(name), name)
}

// checkAdmins rejects entries that cannot be platform user ids, which
// would otherwise silently never match anyone.
func checkAdmins(c *Config) error {
	var errs []error
	for i, id := range c.Admins {
		switch {
		case id == "":
			errs = append(errs, fmt.Errorf("entry %d is empty", i+1))
		case strings.ContainsAny(id, ", \t\r\n"):
			errs = append(errs, fmt.Errorf("entry %d (%q) is not a platform user id (ids contain no spaces or commas)", i+1, id))
		}
	}
	return errors.Join(errs...)
}

// checkAddr checks a listener's address before the listener tries it.
func checkAddr(addr, example string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		// SplitHostPort accepts an empty or named port ("host:", ":http");
		// the listener is given a number, and saying so here beats a
		// failure at bind time.
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return fmt.Errorf("%q is not host:port with a numeric port (expected an address such as %s)", addr, example)
	}
	return nil
}

// samePort reports whether two listener addresses would bind the same
// port: the same number (other than 0, any free port) on the same host,
// or on any host when either is the wildcard.
func samePort(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil {
		return false
	}
	na, errA := strconv.ParseUint(pa, 10, 16)
	nb, errB := strconv.ParseUint(pb, 10, 16)
	if errA != nil || errB != nil || na == 0 || na != nb {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wildcard(ha) || wildcard(hb)
}

// checkURL checks an optional API base URL override.
func checkURL(v, example string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil {
		return nil
	}
	// A URL with user info carries a credential; do not repeat it.
	shown := strconv.Quote(v)
	if strings.Contains(v, "@") {
		shown = "the value"
	}
	return fmt.Errorf("%s is not an absolute http(s) URL without credentials, such as %s", shown, example)
}

// checkSnowflake checks an optional Discord id, which is always numeric.
func checkSnowflake(v string) error {
	if v == "" {
		return nil
	}
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return fmt.Errorf("%q is not a numeric Discord id", v)
	}
	return nil
}

// validClock reports whether s is HH:MM on a 24-hour clock. It is stricter
// than time.Parse, which also takes "9:00".
func validClock(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	return h < 24 && m < 60
}

// cronParser accepts the standard 5 fields and descriptors such as @daily.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// cronDescriptors are the descriptors the cron parser knows, besides @every.
var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// ParseCron parses a standard 5-field cron spec (minute hour day-of-month
// month day-of-week) or a descriptor such as @daily or "@every 6h", and
// never panics. Time zone prefixes (CRON_TZ=, TZ=) are refused because the
// production's time zone is the zone for every schedule.
//
// The schedule's location is time.Local, which robfig/cron treats as "the
// zone of the time passed to Next", so a scheduler that passes times in
// Config.Location gets the production's zone.
func ParseCron(spec string) (cron.Schedule, error) {
	s := strings.TrimSpace(spec)
	fail := func(format string, a ...any) (cron.Schedule, error) {
		return nil, fmt.Errorf("invalid cron spec %q: %s", s, fmt.Sprintf(format, a...))
	}
	const expected = `expected 5 fields: minute hour day-of-month month day-of-week, such as "0 8 * * *"`
	if s == "" {
		return nil, errors.New("cron spec is empty (" + expected + ")")
	}
	if len(s) > 256 {
		return nil, errors.New("cron spec is longer than 256 bytes")
	}
	if u := strings.ToUpper(s); strings.HasPrefix(u, "CRON_TZ=") || strings.HasPrefix(u, "TZ=") {
		// robfig/cron slices the spec up to the first space after the
		// prefix and panics when there is none ("TZ=", "CRON_TZ=UTC", or a
		// tab instead of a space). The zone belongs in production.timezone
		// anyway, so refuse the prefix outright.
		return fail("remove the CRON_TZ=/TZ= prefix; schedules use production.timezone")
	}
	for _, r := range s {
		if r < ' ' && r != '\t' || r == 0x7f {
			return fail("contains control characters")
		}
	}
	fields := strings.Fields(s)
	switch {
	case fields[0] == "@every":
		if len(fields) != 2 {
			return fail(`"@every" needs one duration, such as "@every 6h"`)
		}
		d, derr := time.ParseDuration(fields[1])
		if derr != nil || d < time.Minute {
			return fail("%q is not a duration of at least 1m", fields[1])
		}
		s = "@every " + fields[1]
	case strings.HasPrefix(fields[0], "@"):
		if len(fields) != 1 || !slices.Contains(cronDescriptors, fields[0]) {
			return fail("unknown descriptor (expected one of %s, or @every with a duration)", strings.Join(cronDescriptors, ", "))
		}
	case len(fields) != 5:
		return fail("has %d fields; %s", len(fields), expected)
	default:
		s = strings.Join(fields, " ")
	}

	sched, err := safeCronParse(s)
	if err != nil {
		return fail("%v", err)
	}
	// A spec like "0 8 30 2 *" (30 February) parses but never fires; the
	// parser's Next gives up after five years and returns the zero time.
	if sched.Next(time.Now()).IsZero() {
		return fail("no date matches it, so it would never run")
	}
	return sched, nil
}

// safeCronParse calls the cron parser, turning a panic into an error. The
// checks in ParseCron avoid every panic known in robfig/cron v3.0.1; this is
// the backstop so that a bad config can never crash the bot.
func safeCronParse(s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, errors.New("the cron parser could not read it")
		}
	}()
	return cronParser.Parse(s)
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

// loadZone resolves production.timezone, "" meaning the system zone.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q (expected an IANA name such as Europe/London)", name)
	}
	return loc, nil
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
		if err := c.set(k, overrides[name], "command line"); err != nil {
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

// readYAML reads and parses the config file into a node tree. Walking the
// nodes ourselves, instead of decoding into a struct, lets every value go
// through the key table's setters and gives each unknown key its line.
func readYAML(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s: not found", path)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in our message
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config file %s: larger than %d bytes; is this really the config file?", path, maxFileSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeNode(dec, &doc); err != nil {
		if err == io.EOF {
			return nil, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("config file %s: %s%s", path, aliasLine(data, err), yamlMessage(err))
	}
	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case err == io.EOF:
	case err != nil:
		return nil, fmt.Errorf("config file %s: %s%s", path, aliasLine(data, err), yamlMessage(err))
	default:
		return nil, fmt.Errorf("config file %s: line %d: only one YAML document is allowed", path, extra.Line)
	}
	return &doc, nil
}

// decodeNode guards against a panic inside the YAML library: a malformed
// config file must produce an error, not crash the bot.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("yaml: the YAML parser could not read it")
		}
	}()
	return dec.Decode(n)
}

// yamlMessage drops the library's "yaml: " prefix so the message reads
// "config file x.yaml: line 3: ...". The library quotes file content in
// only one kind of message, naming an alias ("unknown anchor 'x'
// referenced"), and an unquoted value starting with '*' is read as an
// alias, so quoted text is dropped in case it is a secret.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var b strings.Builder
	for {
		before, rest, ok := strings.Cut(msg, "'")
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		_, after, ok := strings.Cut(rest, "'")
		if !ok {
			b.WriteString("'" + rest)
			return b.String()
		}
		b.WriteString("'...'")
		msg = after
	}
}

// aliasLine returns "line N: " for the library's one message without a
// line, "unknown anchor 'x' referenced", by finding the first *x in the file.
func aliasLine(data []byte, err error) string {
	const prefix = "yaml: unknown anchor '"
	rest, ok := strings.CutPrefix(err.Error(), prefix)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "'")
	i := bytes.Index(data, []byte("*"+name))
	if name == "" || i < 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", bytes.Count(data[:i], []byte("\n"))+1)
}

// resolve follows aliases (*name) to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports an absent value or YAML null (~, null, nothing).
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// sections lists the top-level YAML keys in key-table order: either a key
// ("adapter") or the first part of dotted keys ("storage").
func sections() []string {
	var out []string
	for _, k := range keyTable {
		top, _, _ := strings.Cut(k.name, ".")
		if !slices.Contains(out, top) {
			out = append(out, top)
		}
	}
	return out
}

// childKeys lists the YAML keys inside a section.
func childKeys(section string) []string {
	var out []string
	for _, k := range keyTable {
		if rest, ok := strings.CutPrefix(k.name, section+"."); ok {
			out = append(out, rest)
		}
	}
	return out
}

// applyYAML applies a parsed config file, reporting unknown, repeated and
// misshapen keys with their lines.
func (c *Config) applyYAML(path string, doc *yaml.Node) []error {
	if doc == nil {
		return nil
	}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return nil
	}
	fileErr := func(line int, format string, a ...any) error {
		return fmt.Errorf("config file %s: line %d: %s", path, line, fmt.Sprintf(format, a...))
	}
	if root.Kind != yaml.MappingNode {
		return []error{fileErr(root.Line, "expected a mapping of keys such as \"adapter: console\" (known keys: %s)", strings.Join(sections(), ", "))}
	}
	var errs []error
	walkMapping(root, func(kn, vn *yaml.Node, dup int) {
		if kn == nil {
			errs = append(errs, fileErr(vn.Line, "keys must be plain names"))
			return
		}
		name := kn.Value
		if dup > 0 {
			errs = append(errs, fileErr(kn.Line, "key %q repeats the one on line %d", name, dup))
			return
		}
		if k, ok := keyIndex[name]; ok && !strings.Contains(name, ".") {
			if err := c.setYAML(path, k, kn, vn); err != nil {
				errs = append(errs, err)
			}
			return
		}
		children := childKeys(name)
		if len(children) == 0 {
			errs = append(errs, fileErr(kn.Line, "unknown key %s (known keys: %s)%s", quoteKey(name), strings.Join(sections(), ", "), suggest(name, sections())))
			return
		}
		if isNull(vn) {
			return
		}
		if vn.Kind != yaml.MappingNode {
			errs = append(errs, fileErr(kn.Line, "%s must be a mapping of keys (%s)", name, strings.Join(children, ", ")))
			return
		}
		walkMapping(vn, func(ckn, cvn *yaml.Node, dup int) {
			if ckn == nil {
				errs = append(errs, fileErr(cvn.Line, "keys in %s must be plain names", name))
				return
			}
			full := name + "." + ckn.Value
			if dup > 0 {
				errs = append(errs, fileErr(ckn.Line, "key %q repeats the one on line %d", full, dup))
				return
			}
			k, ok := keyIndex[full]
			if !ok {
				errs = append(errs, fileErr(ckn.Line, "unknown key %s (known keys in %s: %s)%s", quoteKey(full), name, strings.Join(children, ", "), suggest(ckn.Value, children)))
				return
			}
			if err := c.setYAML(path, k, ckn, cvn); err != nil {
				errs = append(errs, err)
			}
		})
	})
	return errs
}

// quoteKey quotes an unknown key for an error message. A long one is not
// shown: real keys are short, so it is likely a value pasted in the wrong
// place, perhaps a secret.
func quoteKey(name string) string {
	if len(name) > 40 {
		return fmt.Sprintf("of %d characters (not shown in case it is a secret)", len(name))
	}
	return strconv.Quote(name)
}

// walkMapping calls fn for each key/value pair of a mapping node. kn is nil
// when the key is not a scalar; dup is the line of an earlier identical key
// (yaml.v3 does not check duplicates when decoding into a Node).
func walkMapping(m *yaml.Node, fn func(kn, vn *yaml.Node, dup int)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := resolve(m.Content[i]), resolve(m.Content[i+1])
		if kn == nil || kn.Kind != yaml.ScalarNode {
			fn(nil, vn, 0)
			continue
		}
		dup := seen[kn.Value]
		if dup == 0 {
			seen[kn.Value] = kn.Line
		}
		fn(kn, vn, dup)
	}
}

// setYAML applies one YAML value. Null leaves the default in place.
func (c *Config) setYAML(path string, k *key, kn, vn *yaml.Node) error {
	where := fmt.Sprintf("config file %s line %d", path, kn.Line)
	switch {
	case isNull(vn):
		return nil
	case vn.Kind == yaml.ScalarNode:
		return c.set(k, vn.Value, where)
	case vn.Kind == yaml.SequenceNode && k.setList != nil:
		c.src.set(k.name, where)
		items := make([]string, 0, len(vn.Content))
		for _, item := range vn.Content {
			item = resolve(item)
			if item == nil || item.Kind != yaml.ScalarNode {
				return c.keyError(k, errors.New("expected a list of plain values"))
			}
			items = append(items, item.Value)
		}
		k.setList(c, items)
		return nil
	default:
		c.src.set(k.name, where)
		what := "a mapping"
		if vn.Kind == yaml.SequenceNode {
			what = "a list"
		}
		return c.keyError(k, fmt.Errorf("expected a single value, not %s", what))
	}
}
