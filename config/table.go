package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

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
	stringKey("log.file", "where log lines go: a file path, or stderr; empty means stderr, except for the console, which logs to a file beside the database (icbot.log beside icbot.db)",
		func(c *Config) *string { return &c.Log.File }, nil),
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
		checkEncryptionKey),
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
	stringKey("http.public_url", "the address people reach icbot at, such as https://icbot.example.org: setting it turns the web board on, under /board/ on http.addr (the console serves it on this URL's loopback address); https, or http on a loopback address only",
		func(c *Config) *string { return &c.HTTP.PublicURL },
		checkPublicURL),
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
	{
		name: "production.retention",
		desc: "how long consent records (boundaries, rider terms, hold reasons, notes) are kept after wrap, then shredded: whole years or days, such as 7y or 90d; empty keeps them until the production deletes them, and nothing is shredded",
		set: func(c *Config, v string) error {
			r, err := ParseRetention(v)
			if err != nil {
				return err
			}
			c.Production.Retention = r
			return nil
		},
		get: func(c *Config) string { return c.Production.Retention.String() },
	},
	stringKey("production.wrap_date", "the day the production wraps, YYYY-MM-DD, from which production.retention counts; empty leaves it to icbot wrap, which records it in the database (this key takes precedence)",
		func(c *Config) *string { return &c.Production.WrapDate },
		func(c *Config) error {
			if c.Production.WrapDate == "" {
				return nil
			}
			_, err := ParseWrapDate(c.Production.WrapDate)
			return err
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

// checkPublicURL checks the board's public address: its links carry a
// login token, so they go over TLS, but for a board on this machine
// alone (http on a loopback address), as the console serves it. The
// board lives at /board/ of the site's root: a path would not match the
// routes nor the cookie's path.
func checkPublicURL(c *Config) error {
	v := c.HTTP.PublicURL
	if v == "" {
		return nil
	}
	const example = "https://icbot.example.org, or http://127.0.0.1:8090 for a board on this machine alone"
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		shown := strconv.Quote(v)
		if strings.Contains(v, "@") {
			shown = "the value"
		}
		return fmt.Errorf("%s is not an absolute https URL without credentials, such as %s", shown, example)
	}
	if u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("%q must be the site's root, without a path or query (the board is served at /board/ under it), such as %s", v, example)
	}
	loop := LoopbackHost(u.Hostname())
	if u.Scheme == "http" && !loop {
		return fmt.Errorf("%q is plain http on a host other than this machine: the board's links carry a login token, so give an https URL (TLS at your proxy), such as %s", v, example)
	}
	if c.Adapter == "console" && !loop {
		return fmt.Errorf("%q is not on this machine: the console serves the board on a loopback address only, such as http://127.0.0.1:8090", v)
	}
	if c.Adapter == "console" && u.Port() == "" {
		return fmt.Errorf("%q has no port: the console listens on it, so give one, such as http://127.0.0.1:8090", v)
	}
	return nil
}

// LoopbackHost reports whether host names this machine's loopback
// interface: localhost, 127.0.0.0/8 or ::1.
func LoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
