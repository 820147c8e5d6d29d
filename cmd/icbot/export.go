package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

const exportUsage = `usage: icbot export scene ID --format md|json|pdf --audience WHO [--out FILE] [flags]
       icbot export production --format md|json|pdf --audience WHO [--out FILE] [flags]
       icbot export day [DATE] --format md|json|pdf --audience ic|ad|producer [--out FILE] [flags]
WHO is ic, ad, director, producer, costume, hmu or performer:@name: the export holds only what that audience may read.`

// exportFlags are icbot export's own flags.
type exportFlags struct {
	format, audience, out string
}

func (e *exportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.format, "format", "", "export: md (for reading), json (schema icbot.scene/1 or icbot.production/1, see docs/export.md) or pdf (for printing)")
	fs.StringVar(&e.audience, "audience", "", "export: who it is for (required): ic, ad, director, producer, costume, hmu or performer:@name")
	fs.StringVar(&e.out, "out", "", "export: write to this new file (mode 0600) instead of standard output; never overwrites")
}

// parseExportFlags parses an export's flags, given after its words; ok
// is false when parsing ended the command, with code its exit status.
func parseExportFlags(args []string, env Env) (f *flags, e exportFlags, rest []string, code int, ok bool) {
	f = newFlags(env.Stderr)
	e.register(f.fs)
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, e, nil, exitOK, false
		}
		return f, e, nil, exitUsage, false
	}
	return f, e, f.fs.Args(), 0, true
}

// problem says what is wrong with --format and --audience, "" when
// nothing is; made names what the command makes ("an export").
func (e *exportFlags) problem(made string) string {
	switch {
	case e.format != "md" && e.format != "json" && e.format != "pdf":
		return fmt.Sprintf("--format must be md, json or pdf, not %q", e.format)
	case e.audience == "":
		return "--audience is required: " + made + " is made for one audience, and holds only what it may read"
	}
	return ""
}

// runExport is `icbot export scene ID` and `icbot export production`:
// the record, filtered for one audience, read from the database with the
// bot stopped. It changes nothing.
func runExport(ctx context.Context, args []string, env Env) int {
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot export: "+format+"\n%s\n", append(a, exportUsage)...)
		return exitUsage
	}
	if len(args) > 0 && args[0] == "day" {
		return runExportDay(ctx, args[1:], env) // dayreport.go
	}
	if len(args) == 0 || (args[0] != "scene" && args[0] != "production") {
		return usageErr("say what to export: scene ID, production, or day [DATE]")
	}
	what, args := args[0], args[1:]
	var id string
	if what == "scene" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	f, e, rest, code, ok := parseExportFlags(args, env)
	if !ok {
		return code
	}
	if what == "scene" && id == "" && len(rest) > 0 {
		id, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return usageErr("unexpected argument %q", rest[0])
	}
	var scene bot.SceneID
	if what == "scene" {
		if id == "" {
			return usageErr("missing scene id")
		}
		var err error
		if scene, err = bot.ParseSceneID(id); err != nil {
			return usageErr("%s", bot.ErrorMessage(err))
		}
	}
	if why := e.problem("an export"); why != "" {
		return usageErr("%s", why)
	}
	aud, err := bot.ParseAudience(e.audience)
	if err != nil {
		return usageErr("%s", bot.ErrorMessage(err))
	}
	cfg, err := config.Load(f.configPath(env.LookupEnv), env.LookupEnv, f.overrides())
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: configuration: %v\n", err)
		return exitUsage
	}

	fail := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot export: "+format+"\n", a...)
		return exitError
	}
	st, err := openReadOnly(cfg)
	if err != nil {
		return fail("%v", err)
	}
	defer st.Close()
	warnZone(ctx, st, cfg, env.Stderr, "icbot export")
	clock := time.Now
	if env.Clock != nil {
		clock = env.Clock
	}
	b := bot.New(st, nil, bot.WithClock(clock), bot.WithZone(cfg.Location()), bot.WithRiderNotice(cfg.Production.RiderNotice))

	var doc any
	var md func() string
	var pdf func(io.Writer) error
	if what == "scene" {
		rec, err := b.SceneRecord(ctx, scene, aud)
		if err != nil {
			return fail("%s", bot.ErrorMessage(err))
		}
		doc, md = rec, func() string { return rec.Markdown(b) }
		pdf = func(w io.Writer) error {
			return writePDF(w, rec.RecordHead, []bot.SceneRecord{rec.Scene}, fmt.Sprintf("%s: scene %s", rec.Production, rec.Scene.ID), cfg.Location())
		}
	} else {
		rec, err := b.ProductionRecord(ctx, aud)
		if err != nil {
			return fail("%s", bot.ErrorMessage(err))
		}
		doc, md = rec, func() string { return rec.Markdown(b) }
		pdf = func(w io.Writer) error {
			return writePDF(w, rec.RecordHead, rec.Scenes, rec.Production+": every scene", cfg.Location())
		}
	}

	w, finish, err := exportWriter(e.out, env.Stdout)
	if err != nil {
		return fail("%v", err)
	}
	if e.format == "pdf" {
		err = pdf(w)
	} else {
		err = writeRecord(w, e.format, doc, md)
	}
	if err := finish(err); err != nil {
		return fail("%v", err)
	}
	if e.out != "" {
		fmt.Fprintf(env.Stderr, "icbot export: %s for %s written to %s\n", strings.TrimSpace(what+" "+id), aud, e.out)
	}
	return exitOK
}

func writeRecord(w io.Writer, format string, doc any, md func() string) error {
	if format == "md" {
		_, err := io.WriteString(w, md())
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// openReadOnly opens the database read-only with its key, as the audit
// commands do: an encrypted database without its key is refused in words.
func openReadOnly(cfg *config.Config) (*storage.Store, error) {
	db := cfg.Storage.Path
	if err := checkDBPath(db, false); err != nil {
		return nil, err
	}
	key, err := verifyKey(cfg)
	if err != nil {
		return nil, err
	}
	opts := []storage.Option{storage.WithTimeout(cfg.Storage.OpenTimeout), storage.WithReadOnly()}
	if key != nil {
		opts = append(opts, storage.WithKey(key))
	} else if st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout)); err == nil && st.Encrypted {
		return nil, fmt.Errorf("database %s is encrypted, so exporting it needs its key: set storage.encryption_key or restore the key file %s",
			db, storage.KeyFile(db))
	}
	st, err := storage.Open(db, opts...)
	if err != nil {
		return nil, plainDBError(db, err)
	}
	return st, nil
}

// warnZone tells the operator on standard error when the production's
// zone, as icbot last ran, is not the one this command reads times in:
// a day, a "since" and every time shown would then be another zone's.
func warnZone(ctx context.Context, st bot.Store, cfg *config.Config, stderr io.Writer, cmd string) {
	var info bot.ProductionInfo
	if err := st.View(ctx, func(tx bot.Tx) error {
		var err error
		info, err = tx.Production()
		return err
	}); err != nil || info.Zone == "" {
		return
	}
	if here := cfg.Location().String(); info.Zone != here {
		fmt.Fprintf(stderr, "%s: note: icbot last ran in the production's time zone %s, but this reads times in %s: add --timezone %s to read them as the production does\n",
			cmd, info.Zone, here, info.Zone)
	}
}
