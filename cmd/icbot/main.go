// Command icbot runs the intimacy-coordination bot. With no configuration it
// starts the console adapter on ./icbot.db with a demo production, so that
// /closedset start 12 can be tried in a terminal.
//
//	icbot [flags]                run the bot
//	icbot audit verify [flags]   check the audit trail and the roles
//	icbot audit export [flags]   write the verified audit trail as JSON Lines
//	icbot export scene ID ...    write one scene's record for one audience
//	icbot export production ...  write every scene's record for one audience
//	icbot export day [DATE] ...  write the end-of-day report for one audience
//	icbot import script FILE     import a screenplay's scenes and proposed beats
//	icbot rekey [flags]          seal the database with a new encryption key
//	icbot erase USER [flags]     erase what icbot holds sealed about a person
//	icbot wrap [DATE] [flags]    record the day the production wrapped
//	icbot config [flags]         print the effective configuration, secrets hidden
//	icbot version                print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata" // the static binary carries the zone database

	"icbot/adapters/slack"
	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

// version, when set at build time with -ldflags "-X main.version=...",
// names a build whose module version is unknown (one built from a
// checkout, where the build info says "(devel)").
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: os.LookupEnv, Interactive: isTerminal(os.Stdin)}
	os.Exit(Run(ctx, os.Args[1:], env))
}

// Env is the process's surroundings, replaceable in tests.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	LookupEnv      func(string) (string, bool)
	// Interactive is true when Stdin is a terminal: the console prompts
	// instead of echoing a script.
	Interactive bool
	// Clock, when set, replaces the wall clock (tests).
	Clock bot.Clock
	// Listening, when set, is told the addresses the HTTP listeners
	// bound, by config key (http.addr, http.admin_addr), once all are
	// listening (tests).
	Listening func(addrs map[string]string)
	// Limits, when set, replaces DefaultLimits for the HTTP servers (tests).
	Limits *Limits
	// SlackOptions are extra options of the Slack adapter (tests: an HTTP
	// client without the Web API's timeout).
	SlackOptions []slack.Option
	// ConnState, when set, is told every change of state of an HTTP
	// connection, with the config key of its listener (tests).
	ConnState func(listener string, c net.Conn, s http.ConnState)
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

const usage = `Usage:
  icbot [flags]                run the bot (the console, unless configured otherwise)
  icbot audit verify [flags]   check the audit trail and the roles (stop the bot first)
  icbot audit export [--since WHEN] [--out FILE] [--private] [flags]
                               write the verified audit trail as JSON Lines (stop the bot first)
  icbot export scene ID --format md|json|pdf --audience WHO [--out FILE] [flags]
  icbot export production --format md|json|pdf --audience WHO [--out FILE] [flags]
                               write the record for one audience (ic, ad, director, producer,
                               costume, hmu, performer:@name); see docs/export.md (stop the bot first)
  icbot export day [DATE] --format md|json|pdf --audience ic|ad|producer [--out FILE] [flags]
                               write the end-of-day report of DATE (today when left out)
  icbot import script FILE [--dry-run] [--json] [flags]
                               import a screenplay (Fountain or .fdx): its scenes become draft scenes, its
                               intimacy lines proposals for the IC (stop the bot first); --dry-run writes
                               nothing and needs no database; see docs/script-import.md
  icbot rekey [--new-key-file PATH] [flags]
                               seal the database with a new encryption key (stop the bot first)
  icbot erase USER [--all] [flags]
                               destroy the person's data key: their sealed fields read as [erased],
                               their name becomes a pseudonym, but for what the production must keep,
                               which is erased when it may go (--all: everything now; stop the bot first)
  icbot wrap [DATE] [flags]    record that the production wrapped on DATE (YYYY-MM-DD, today when
                               left out), from which production.retention counts (stop the bot first)
  icbot config [flags]         print the effective configuration, secrets hidden
  icbot version, --version     print the version: module, revision, commit time
  icbot manifest slack         print the Slack app manifest, drawn from the command table

Flags:
`

// Run runs icbot with args (without the program name) and returns the
// process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	auditSub := ""
	if sub == "audit" {
		if len(args) == 0 || (args[0] != "verify" && args[0] != "export") {
			fmt.Fprintln(env.Stderr, "usage: icbot audit verify [flags] | icbot audit export [--since WHEN] [--out FILE] [--private] [flags]")
			return exitUsage
		}
		auditSub, args = args[0], args[1:]
	}
	var eraseUser bot.UserID
	if sub == "erase" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			fmt.Fprintln(env.Stderr, "icbot erase: missing the user to erase\n"+eraseUsage)
			return exitUsage
		}
		var err error
		if eraseUser, err = parseEraseUser(args[0]); err != nil {
			fmt.Fprintf(env.Stderr, "icbot erase: %v\n%s\n", err, eraseUsage)
			return exitUsage
		}
		args = args[1:]
	}
	wrapDate := ""
	if sub == "wrap" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		var err error
		if wrapDate, err = parseWrapArg(args[0]); err != nil {
			fmt.Fprintf(env.Stderr, "icbot wrap: %v\n%s\n", err, wrapUsage)
			return exitUsage
		}
		args = args[1:]
	}
	switch sub {
	case "", "audit", "config", "rekey", "erase", "wrap":
	case "manifest":
		return runManifest(args, env)
	case "export":
		return runExport(ctx, args, env)
	case "import":
		return runImport(ctx, args, env) // importscript.go
	case "version":
		fmt.Fprint(env.Stdout, versionText())
		return exitOK
	case "help":
		newFlags(env.Stdout).fs.Usage()
		return exitOK
	default:
		fmt.Fprintf(env.Stderr, "icbot: unknown command %q\n%s", sub, usage)
		return exitUsage
	}

	f := newFlags(env.Stderr)
	if sub == "rekey" {
		f.fs.StringVar(&f.newKeyFile, "new-key-file", "", "rekey: the new key, base64 of 32 bytes in a file of mode 0600 (default: a new random key)")
	}
	if sub == "erase" {
		f.fs.BoolVar(&f.eraseAll, "all", false, "erase: erase everything now, what the production would keep included (only when it has agreed)")
	}
	var export auditExportFlags
	if auditSub == "export" {
		export.register(f.fs)
	}
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if f.version {
		fmt.Fprint(env.Stdout, versionText())
		return exitOK
	}
	if f.fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "icbot: unexpected argument %q\n", f.fs.Arg(0))
		return exitUsage
	}
	cfg, err := config.Load(f.configPath(env.LookupEnv), env.LookupEnv, f.overrides())
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: configuration: %v\n", err)
		return exitUsage
	}

	switch sub {
	case "config":
		printConfig(ctx, env.Stdout, cfg, f)
		return exitOK
	case "audit":
		if auditSub == "export" {
			return runAuditExport(ctx, cfg, env, export)
		}
		return verifyAudit(ctx, cfg, env)
	}

	// Said before the log file beside the database is opened, which
	// would otherwise fail first, or be made beside a directory.
	if err := checkDBPath(cfg.Storage.Path, sub == ""); err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", strings.TrimSpace("icbot "+sub), err)
		return exitError
	}
	// The console is the one running, and its conversation on this
	// terminal, unless this is icbot rekey.
	console := sub == "" && cfg.Adapter == "console"
	logs, err := openLog(cfg, env, f.logLevelSet(env.LookupEnv), console)
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", err)
		return exitError
	}
	defer logs.Close()
	if sub == "rekey" {
		return runRekey(ctx, cfg, env, logs.logger, f.newKeyFile)
	}
	if sub == "erase" {
		return runErase(ctx, cfg, env, logs.logger, eraseUser, f.eraseAll)
	}
	if sub == "wrap" {
		return runWrap(ctx, cfg, env, logs.logger, wrapDate)
	}
	if console && cfg.Log.File == "" {
		fmt.Fprintf(env.Stderr, "icbot: log lines go to %s (set log.file, or ICBOT_LOG_FILE=stderr, to have them here)\n", logs.path)
		env.Stdout = &firstWrite{w: env.Stdout, then: logs.chatStarted}
	}
	m := &Main{Config: cfg, Env: env, Empty: f.empty, Logger: logs.logger}
	// A stop asked for while icbot was still starting is a normal stop,
	// not a failure to start.
	if err := m.Run(ctx); err != nil && !(ctx.Err() != nil && errors.Is(err, ctx.Err())) {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", plainDBError(cfg.Storage.Path, err))
		m.Close()
		return exitError
	}
	if err := m.Close(); err != nil {
		fmt.Fprintf(env.Stderr, "icbot: closing: %v\n", err)
		return exitError
	}
	return exitOK
}

// flags are the command line's common flags; each maps to a config key.
type flags struct {
	fs                          *flag.FlagSet
	config, db, adapter, level  string
	timezone, production, admin string
	empty, version              bool
	newKeyFile                  string // rekey only
	eraseAll                    bool   // erase only
}

func newFlags(out io.Writer) *flags {
	f := &flags{fs: flag.NewFlagSet("icbot", flag.ContinueOnError)}
	f.fs.SetOutput(out)
	f.fs.Usage = func() {
		fmt.Fprint(out, usage)
		f.fs.PrintDefaults()
		fmt.Fprintln(out, "\nEvery setting can also come from a YAML file (--config) or the environment; `icbot config` shows them all.")
		for _, k := range config.Keys() {
			fmt.Fprintf(out, "  %-26s %-32s %s\n", k.Name, k.Env, k.Description)
		}
	}
	f.fs.StringVar(&f.config, "config", "", "YAML configuration file (also "+config.EnvConfigFile+")")
	f.fs.StringVar(&f.db, "db", "", "database file (storage.path; default ./icbot.db)")
	f.fs.StringVar(&f.adapter, "adapter", "", "chat adapter: console, slack or discord (adapter)")
	f.fs.StringVar(&f.level, "log-level", "", "debug, info, warn or error (log.level)")
	f.fs.StringVar(&f.timezone, "timezone", "", "production time zone, IANA name (production.timezone)")
	f.fs.StringVar(&f.production, "production", "", "production name (production.name)")
	f.fs.StringVar(&f.admin, "admins", "", "comma-separated admin user ids (admins)")
	f.fs.BoolVar(&f.empty, "empty", false, "console: start without the demo production")
	f.fs.BoolVar(&f.version, "version", false, "print the version and exit")
	return f
}

func (f *flags) configPath(lookup func(string) (string, bool)) string {
	if f.config != "" {
		return f.config
	}
	v, _ := lookup(config.EnvConfigFile)
	return v
}

// keyFlag is a flag that sets a config key.
type keyFlag struct {
	flag, key string
	value     *string
}

// keyFlags lists the flags that set config keys, for overrides and for
// naming the flag a value came from.
func (f *flags) keyFlags() []keyFlag {
	return []keyFlag{
		{"db", "storage.path", &f.db}, {"adapter", "adapter", &f.adapter}, {"log-level", "log.level", &f.level},
		{"timezone", "production.timezone", &f.timezone}, {"production", "production.name", &f.production}, {"admins", "admins", &f.admin},
	}
}

func (f *flags) overrides() map[string]string {
	o := map[string]string{}
	for _, kf := range f.keyFlags() {
		if *kf.value != "" {
			o[kf.key] = *kf.value
		}
	}
	return o
}

// source says where cfg's value of key came from, naming the flag for a
// value from the command line.
func (f *flags) source(cfg *config.Config, key string) string {
	where := cfg.Source(key)
	if where == config.FromCommandLine {
		for _, kf := range f.keyFlags() {
			if kf.key == key {
				return "flag --" + kf.flag
			}
		}
	}
	return where
}

// logLevelSet reports whether the log level was chosen explicitly (flag or
// environment); the console otherwise shows warnings and errors only, so
// that log lines do not crowd the conversation.
func (f *flags) logLevelSet(lookup func(string) (string, bool)) bool {
	if f.level != "" {
		return true
	}
	v, ok := lookup("ICBOT_LOG_LEVEL")
	return ok && v != ""
}

// logs is where icbot's log lines go.
type logs struct {
	logger *slog.Logger
	// path is the log file; "" when the lines go to standard error.
	path string
	file *os.File
	// early is true until the console shows its first line. Until then,
	// warnings also go to standard error, where they come before the
	// conversation: one said at the start (a new key file to back up)
	// is then seen, and none falls inside the transcript.
	early atomic.Bool
}

// logPath is the file log lines go to, "" for standard error: log.file
// when set, else, when the console runs, a file beside the database,
// named as the database with .log for its extension (icbot.db, icbot.log).
func logPath(cfg *config.Config, console bool) string {
	switch file := cfg.Log.File; {
	case file == config.LogStderr:
		return ""
	case file != "":
		return file
	case !console:
		return ""
	}
	dir, base := filepath.Split(cfg.Storage.Path)
	name := strings.TrimSuffix(base, filepath.Ext(base)) + ".log"
	if name == base || name == ".log" {
		name = base + ".log"
	}
	return dir + name
}

// openLog makes the logger: the configured level and format, to the file
// logPath names or to standard error. The console's standard error shows
// warnings and errors only unless the level was chosen (levelSet), so
// that log lines do not crowd the conversation.
func openLog(cfg *config.Config, env Env, levelSet, console bool) (*logs, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
		level = slog.LevelInfo
	}
	l := &logs{path: logPath(cfg, console)}
	handler := func(w io.Writer, level slog.Level) slog.Handler {
		opts := &slog.HandlerOptions{Level: level}
		if cfg.Log.Format == "json" {
			return slog.NewJSONHandler(w, opts)
		}
		return slog.NewTextHandler(w, opts)
	}
	if l.path == "" {
		if cfg.Adapter == "console" && !levelSet && level < slog.LevelWarn {
			level = slog.LevelWarn
		}
		l.logger = slog.New(handler(env.Stderr, level))
		return l, nil
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		why := "it cannot be opened"
		if errors.Is(err, fs.ErrNotExist) {
			why = "its directory does not exist"
		} else if errors.Is(err, fs.ErrPermission) {
			why = "permission denied"
		}
		return nil, fmt.Errorf("cannot write the log file %s: %s; set log.file (ICBOT_LOG_FILE) to a file icbot may write, or to stderr", l.path, why)
	}
	was, err := tightenLog(f, l.path)
	if err != nil {
		f.Close()
		return nil, err
	}
	l.file = f
	l.logger = slog.New(handler(f, level))
	if console {
		l.early.Store(true)
		early := &gated{open: &l.early, h: slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})}
		l.logger = slog.New(slog.NewMultiHandler(handler(f, level), early))
	}
	if was != 0 {
		l.logger.Warn("log file was readable by others; mode set to 0600", "component", "main", "path", l.path, "was", was.String())
	}
	return l, nil
}

// logMode is the log file's mode, the database's: the log names no
// message bodies, but it does name people, scenes and when they filmed.
const logMode os.FileMode = 0o600

// tightenLog makes an existing log file that others could read or write
// private again, as storage does the database: os.OpenFile applies the
// mode only when it creates the file. It returns the mode it replaced
// (0 when none), and refuses when it cannot. A log.file that is not a
// regular file (a terminal, a pipe, /dev/stderr) is left as it is.
func tightenLog(f *os.File, path string) (os.FileMode, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&^logMode == 0 {
		return 0, nil
	}
	if err := f.Chmod(logMode); err != nil {
		return 0, fmt.Errorf("the log file %s is readable by others (mode %v) and could not be made private (icbot must run as the file's owner): chmod 600 it, or set log.file (ICBOT_LOG_FILE) to another file", path, fi.Mode().Perm())
	}
	return fi.Mode().Perm(), nil
}

// checkDBPath says in plain words what is wrong with the database path
// before anything is opened beside it: a directory given for the file,
// or, when icbot would create the database (create), a directory that
// does not exist. Anything else is left to opening it, which words it.
func checkDBPath(db string, create bool) error {
	fi, err := os.Stat(db)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("database path %s is a directory: give the path of a file, such as %s (storage.path or --db)", db, filepath.Join(db, "icbot.db"))
	case err == nil || !create || !errors.Is(err, fs.ErrNotExist):
		return nil
	}
	dir := filepath.Dir(db)
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the directory of database %s does not exist: create it, or check storage.path or --db", db)
	case err == nil && !fi.IsDir():
		return fmt.Errorf("the directory of database %s, %s, is a file: check storage.path or --db", db, dir)
	}
	return nil
}

// chatStarted ends the time when warnings also go to standard error.
func (l *logs) chatStarted() { l.early.Store(false) }

// Close closes the log file, if any.
func (l *logs) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

// gated passes records to h while open is true.
type gated struct {
	open *atomic.Bool
	h    slog.Handler
}

func (g *gated) Enabled(ctx context.Context, level slog.Level) bool {
	return g.open.Load() && g.h.Enabled(ctx, level)
}

func (g *gated) Handle(ctx context.Context, r slog.Record) error {
	if !g.open.Load() {
		return nil
	}
	return g.h.Handle(ctx, r)
}

func (g *gated) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &gated{open: g.open, h: g.h.WithAttrs(attrs)}
}

func (g *gated) WithGroup(name string) slog.Handler {
	return &gated{open: g.open, h: g.h.WithGroup(name)}
}

// firstWrite calls then before the first write to w.
type firstWrite struct {
	w    io.Writer
	then func()
	once sync.Once
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.once.Do(f.then)
	return f.w.Write(p)
}

// printConfig is `icbot config`: the production in use, then every key
// with its value (secrets hidden) and where that value came from.
func printConfig(ctx context.Context, w io.Writer, cfg *config.Config, f *flags) {
	fmt.Fprintln(w, productionInUse(ctx, cfg))
	if cfg.Production.Timezone == "" {
		fmt.Fprintf(w, "time zone in use: %s, this machine's (production.timezone is not set)\n", cfg.Location())
	} else {
		fmt.Fprintf(w, "time zone in use: %s\n", cfg.Location())
	}
	fmt.Fprintln(w, retentionInUse(cfg, cfg.Production.WrapDate))
	red := cfg.Redacted()
	keys := config.Keys()
	width := 0
	for _, k := range keys {
		width = max(width, len(k.Name)+len(red[k.Name]))
	}
	for _, k := range keys {
		line := k.Name + ": " + red[k.Name]
		fmt.Fprintf(w, "%-*s  (%s)\n", width+2, line, f.source(cfg, k.Name))
	}
}

// configReadTimeout bounds how long `icbot config` waits for a database
// that a running icbot holds.
const configReadTimeout = 500 * time.Millisecond

// productionInUse says which production icbot serves: the name stored in
// the database, which production.name replaces at the next start unless it
// is only the default. It reads the database read-only and creates
// nothing; when it cannot, it says why.
func productionInUse(ctx context.Context, cfg *config.Config) string {
	db := cfg.Storage.Path
	name := cfg.Production.Name
	def := config.Default().Production.Name
	next := fmt.Sprintf("production in use: none yet, no database at %s (the first start names it %q)", db, name)
	if cfg.Adapter == "console" && name == def {
		next = fmt.Sprintf("production in use: none yet, no database at %s (the console's first start seeds the demo production; with --empty it is named %q)", db, name)
	}
	ks, err := storage.Inspect(db, nil, storage.WithTimeout(configReadTimeout))
	switch {
	case errors.Is(err, storage.ErrInUse):
		return fmt.Sprintf("production in use: not read, database %s is in use by a running icbot (production.name is %q)", db, name)
	case err != nil:
		return fmt.Sprintf("production in use: not read from database %s (production.name is %q)", db, name)
	case !ks.Exists:
		return next
	}
	stored, err := storedProduction(ctx, cfg)
	if err != nil || stored.Name == "" {
		return fmt.Sprintf("production in use: not read from database %s (production.name is %q)", db, name)
	}
	switch {
	case stored.Name == name:
		return fmt.Sprintf("production in use: %s (stored in %s)", stored.Name, db)
	case name == def:
		return fmt.Sprintf("production in use: %s (stored in %s; production.name is the default, which does not replace it)", stored.Name, db)
	default:
		return fmt.Sprintf("production in use: %s (stored in %s; the next start renames it %q, from production.name)", stored.Name, db, name)
	}
}

// storedProduction reads the production stored in the database, which
// must exist, read-only and with the key icbot audit verify uses.
func storedProduction(ctx context.Context, cfg *config.Config) (bot.ProductionInfo, error) {
	key, err := verifyKey(cfg)
	if err != nil {
		return bot.ProductionInfo{}, err
	}
	opts := []storage.Option{storage.WithTimeout(configReadTimeout), storage.WithReadOnly()}
	if key != nil {
		opts = append(opts, storage.WithKey(key))
	}
	st, err := storage.Open(cfg.Storage.Path, opts...)
	if err != nil {
		return bot.ProductionInfo{}, err
	}
	defer st.Close()
	var info bot.ProductionInfo
	err = st.View(ctx, func(tx bot.Tx) error {
		info, err = tx.Production()
		return err
	})
	return info, err
}

// versionString describes this build, for `icbot version` and the
// start's log line.
func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return describeBuild(version, info)
}

// versionText is what `icbot version` prints: the build, and, for one
// that nothing names (no revision, no module version, no label), how to
// build one that is named.
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	text := "icbot " + describeBuild(version, info) + "\n"
	if unnamedBuild(version, info) {
		text += unnamedHint + "\n"
	}
	return text
}

// unnamedHint says how to build an icbot that `icbot version` can name.
// Go records the revision only when it builds inside a git clone (it does
// not recognise a git worktree, whose .git is a file) and -buildvcs=false
// is not set, on the command line or in GOFLAGS (`go env GOFLAGS`).
const unnamedHint = "Go records the revision when `go build ./cmd/icbot` runs inside a git clone of icbot, unless -buildvcs=false is set " +
	"(see `go env GOFLAGS`); it does not in a git worktree or a copy without .git. " +
	"Otherwise name the build with -ldflags \"-X main.version=...\", as the Docker build does from VERSION."

// unnamedBuild says whether info names nothing that tells builds apart:
// no version control revision, no module version and no label.
func unnamedBuild(label string, info *debug.BuildInfo) bool {
	if label != "" {
		return false
	}
	if info == nil {
		return true
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && s.Value != "" {
			return false
		}
	}
	return true
}

// describeBuild says which build info is: the module version (label
// when the module's is unknown), the version control revision, whether
// the working tree had uncommitted changes, the time of that commit (Go
// records no build time), and the Go version. info may be nil (a binary
// built without module support).
func describeBuild(label string, info *debug.BuildInfo) string {
	v := "(devel)"
	var settings []debug.BuildSetting
	goVersion := ""
	if info != nil {
		if info.Main.Version != "" {
			v = info.Main.Version
		}
		settings, goVersion = info.Settings, info.GoVersion
	}
	if v == "(devel)" && label != "" {
		v = label
	}
	var rev, at string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	parts := []string{v}
	switch {
	case rev == "" && unnamedBuild(label, info):
		parts = append(parts, "revision unknown (built without version control information)")
	case rev == "":
		parts = append(parts, "no revision recorded")
	default:
		r := "revision " + rev
		if modified {
			r += " with uncommitted changes"
		}
		parts = append(parts, r)
		if at != "" {
			parts = append(parts, "committed "+at)
		}
	}
	if goVersion != "" {
		parts = append(parts, "built with "+goVersion)
	}
	return strings.Join(parts, ", ")
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// verifyAudit walks the audit chain and names the first broken record,
// then checks every record that carries authority (people and their
// roles, the production and its department channels) and names each one
// that does not verify. Both are keyed: it needs the database's key,
// which it finds as icbot does but never creates (verifyKey).
func verifyAudit(ctx context.Context, cfg *config.Config, env Env) int {
	db := cfg.Storage.Path
	if err := checkDBPath(db, false); err != nil {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", err)
		return exitError
	}
	key, err := verifyKey(cfg)
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", err)
		return exitError
	}
	opts := []storage.Option{storage.WithTimeout(cfg.Storage.OpenTimeout), storage.WithReadOnly()}
	if key != nil {
		opts = append(opts, storage.WithKey(key))
	} else if st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout)); err == nil && st.Encrypted {
		fmt.Fprintf(env.Stderr, "icbot: database %s is encrypted and its audit trail is keyed, so verifying it needs its key: set storage.encryption_key or restore the key file %s\n",
			db, storage.KeyFile(db))
		return exitError
	}
	st, err := storage.Open(db, opts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", plainDBError(db, err))
		return exitError
	}
	defer st.Close()
	code := exitOK
	head, err := st.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(env.Stderr, "audit trail of %s: BROKEN: %v\n", db, err)
		code = exitError
	} else {
		fmt.Fprintf(env.Stdout, "audit trail of %s: OK, %d records, head %s\n", db, head.Records, head.HeadHex())
		fmt.Fprintln(env.Stdout, "Keep the head hash somewhere outside icbot: a later verify that shows a different head for the same count means the log was rewritten (or the database was rekeyed, which prints the new head).")
	}
	if err := st.VerifyRecords(ctx); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(env.Stderr, "records of %s: BROKEN: %s\n", db, line)
		}
		code = exitError
	} else {
		fmt.Fprintf(env.Stdout, "records of %s: OK, people and their roles, the production and its department channels\n", db)
	}
	if key == nil {
		fmt.Fprintf(env.Stdout, "Database %s has no key: its audit trail is chained with plain SHA-256 and its records carry no MACs, so someone who can write the file can rewrite them unnoticed.\n", db)
	}
	return code
}
