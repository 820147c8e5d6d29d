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
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"
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
	// File is where log lines go: a file path, LogStderr for standard
	// error, or "" (default) for standard error, except for the console,
	// whose log goes to a file beside the database so that log lines do
	// not fall inside the conversation.
	File string
}

// LogStderr is the Log.File that sends log lines to standard error, also
// for the console.
const LogStderr = "stderr"

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
	// PublicURL is the address people reach icbot at, such as
	// https://icbot.example.org: the web board's links start with it.
	// Setting it turns the board on, served under /board/ on Addr (in
	// the console, on the URL's own loopback address). Empty: no board.
	PublicURL string
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
	// Retention is how long consent records are kept after the production
	// wraps; zero (the default) keeps them until the production deletes
	// them, and nothing is shredded.
	Retention Retention
	// WrapDate is the day the production wraps, YYYY-MM-DD. Empty leaves
	// it to `icbot wrap`, which records it in the database; set here, it
	// takes precedence over what was recorded.
	WrapDate string
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

// Location returns the production's time zone: the zone resolved by
// Validate, or the machine's zone under its IANA name (see systemZone)
// when Production.Timezone is empty. On a Config that was never validated
// it loads the zone on demand and falls back to the machine's zone if the
// name is unknown.
func (c *Config) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	if c.Production.Timezone != "" {
		if loc, err := time.LoadLocation(c.Production.Timezone); err == nil {
			return loc
		}
	}
	return systemZone()
}
