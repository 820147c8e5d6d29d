package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"icbot/adapters/console"
	"icbot/bot"
	"icbot/bot/breakdown"
	"icbot/config"
)

const importUsage = `usage: icbot import script FILE [--dry-run] [--json] [flags]
FILE is a screenplay, Fountain (.fountain) or Final Draft (.fdx). Without --dry-run its scenes become draft scenes
of the production in the database (stop the bot first); --dry-run writes nothing and opens no database: it shows the
breakdown of the file alone, as a new production would get it. --json prints the breakdown as JSON (schema
icbot.breakdown/1, see docs/script-import.md).`

// BreakdownSchema names the JSON that icbot import script --json prints.
const BreakdownSchema = "icbot.breakdown/1"

// loadAnalyzer builds the script breakdown from the built-in lexicon and
// the production's terms file (production.breakdown_terms), refusing a
// file that cannot be read or is not valid.
func loadAnalyzer(cfg *config.Config) (*breakdown.Analyzer, error) {
	var terms breakdown.Terms
	if path := cfg.Production.BreakdownTerms; path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("production.breakdown_terms: cannot read %s: %v", path, errors.Unwrap(err))
		}
		if terms, err = breakdown.LoadTerms(data); err != nil {
			return nil, fmt.Errorf("production.breakdown_terms: %s: %v", path, err)
		}
	}
	a, err := breakdown.New(terms)
	if err != nil {
		return nil, fmt.Errorf("production.breakdown_terms: %s: %v", cfg.Production.BreakdownTerms, err)
	}
	return a, nil
}

// runImport is `icbot import script FILE`: the script's scenes become
// draft scenes of the production, or with --dry-run its breakdown is
// shown without a database.
func runImport(ctx context.Context, args []string, env Env) int {
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot import: "+format+"\n%s\n", append(a, importUsage)...)
		return exitUsage
	}
	if len(args) == 0 || args[0] != "script" {
		return usageErr("say what to import: script FILE")
	}
	args = args[1:]
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	f := newFlags(env.Stderr)
	var dryRun, asJSON bool
	f.fs.BoolVar(&dryRun, "dry-run", false, "import: write nothing, open no database: the breakdown of the file alone")
	f.fs.BoolVar(&asJSON, "json", false, "import: print the breakdown as JSON (schema "+BreakdownSchema+")")
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	rest := f.fs.Args()
	if file == "" && len(rest) > 0 {
		file, rest = rest[0], rest[1:]
	}
	if file == "" {
		return usageErr("missing the script's file")
	}
	if len(rest) > 0 {
		return usageErr("unexpected argument %q", rest[0])
	}
	cfg, err := config.Load(f.configPath(env.LookupEnv), env.LookupEnv, f.overrides())
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: configuration: %v\n", err)
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(env.Stderr, "icbot import: "+format+"\n", a...)
		return exitError
	}
	a, err := loadAnalyzer(cfg)
	if err != nil {
		return fail("%v", err)
	}
	data, err := console.ReadScript(file)
	if err != nil {
		return fail("%v (nothing was changed)", err)
	}
	name := filepath.Base(file)
	sbs, err := bot.NewScriptReader(a)(name, data)
	if err != nil {
		return fail("%s (nothing was changed)", bot.ErrorMessage(err))
	}
	if len(sbs) == 0 {
		return fail("%s has no scene headings (such as INT. KITCHEN - DAY), so there is nothing to import (nothing was changed)", file)
	}
	now := time.Now
	if env.Clock != nil {
		now = env.Clock
	}
	at := now().UTC().Truncate(time.Second)
	if dryRun {
		res := bot.PreviewImport(nil, sbs, at)
		if asJSON {
			return printBreakdownJSON(env.Stdout, name, res, true)
		}
		fmt.Fprintln(env.Stdout, bot.BreakdownText(name, res))
		fmt.Fprintln(env.Stdout, "\n(--dry-run: nothing was written. The ids are those of a production without scenes: matching against the production's scenes needs the database, without --dry-run.)")
		return exitOK
	}
	return importIntoDB(ctx, cfg, env, name, sbs, at, asJSON)
}

// importIntoDB imports into the database, with the bot stopped.
func importIntoDB(ctx context.Context, cfg *config.Config, env Env, name string, sbs []breakdown.SceneBreakdown, at time.Time, asJSON bool) int {
	logs, err := openLog(cfg, env, false, false)
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot: %v\n", err)
		return exitError
	}
	defer logs.Close()
	st, _, err := openStopped(cfg, logs.logger, "icbot import")
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot import: %v (nothing was changed)\n", err)
		return exitError
	}
	defer st.Close()
	var res bot.ImportResult
	var summary string
	err = st.Update(ctx, func(tx bot.Tx) error {
		var err error
		if res, err = bot.ApplyImport(tx, sbs, "icbot", at); err != nil {
			return err
		}
		if res.Revision {
			summary, err = bot.RevisionText(tx, res)
		}
		return err
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot import: %v (nothing was changed)\n", plainDBError(cfg.Storage.Path, err))
		return exitError
	}
	if asJSON {
		return printBreakdownJSON(env.Stdout, name, res, false)
	}
	fmt.Fprintln(env.Stdout, bot.BreakdownText(name, res))
	if summary != "" {
		fmt.Fprintln(env.Stdout, "\n"+summary)
	}
	fmt.Fprintf(env.Stdout, "\nImported into database %s. The IC confirms or declines each proposal in chat (/scene breakdown ID).\n", cfg.Storage.Path)
	return exitOK
}

// breakdownJSON is the schema icbot.breakdown/1 (docs/script-import.md).
type breakdownJSON struct {
	Schema    string        `json:"schema"`
	File      string        `json:"file"`
	DryRun    bool          `json:"dry_run"`
	Scenes    []sceneJSON   `json:"scenes"`
	Flagged   int           `json:"flagged"`
	Proposals int           `json:"proposals"`
	Removed   []removedJSON `json:"removed"`
}

type sceneJSON struct {
	ID         string         `json:"id"`
	Number     string         `json:"number,omitempty"`
	Order      int            `json:"order"`
	Heading    string         `json:"heading"`
	Page       int            `json:"page"`
	Characters []string       `json:"characters"`
	Match      string         `json:"match"`
	Status     string         `json:"status"`
	Note       string         `json:"note,omitempty"`
	Proposals  []proposalJSON `json:"proposals"`
}

type proposalJSON struct {
	N          int      `json:"n"`
	Flag       string   `json:"flag"`
	Kind       string   `json:"kind"`
	Quote      string   `json:"quote"`
	Line       int      `json:"line,omitempty"`
	Characters []string `json:"characters"`
	Rule       string   `json:"rule,omitempty"`
	State      string   `json:"state"`
	Beat       string   `json:"beat,omitempty"`
	Review     bool     `json:"review,omitempty"`
	Was        string   `json:"was,omitempty"`
}

type removedJSON struct {
	ID      string `json:"id"`
	Heading string `json:"heading"`
	Status  string `json:"status"`
}

func printBreakdownJSON(w io.Writer, name string, res bot.ImportResult, dryRun bool) int {
	out := breakdownJSON{Schema: BreakdownSchema, File: name, DryRun: dryRun, Scenes: []sceneJSON{}, Removed: []removedJSON{}}
	for i, sc := range res.Scenes {
		ps := res.Plan.Scenes[i]
		s := sc.Script
		js := sceneJSON{ID: string(sc.ID), Number: s.Number, Order: s.Order, Heading: s.Heading, Page: s.Page, Characters: nonNil(s.Characters),
			Match: ps.Match, Status: string(sc.Status), Note: ps.Note, Proposals: []proposalJSON{}}
		for _, p := range s.Proposals {
			if p.State == bot.ProposalGone {
				continue
			}
			js.Proposals = append(js.Proposals, proposalJSON{N: p.N, Flag: p.Flag, Kind: string(p.Kind), Quote: p.Quote, Line: p.Line,
				Characters: nonNil(p.Characters), Rule: p.Rule, State: string(p.State), Beat: p.Beat, Review: p.Review, Was: p.Was})
		}
		if len(js.Proposals) > 0 {
			out.Flagged++
			out.Proposals += len(js.Proposals)
		}
		out.Scenes = append(out.Scenes, js)
	}
	for _, sc := range res.Plan.Gone {
		out.Removed = append(out.Removed, removedJSON{ID: string(sc.ID), Heading: sc.Script.Heading, Status: string(sc.Status)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return exitError
	}
	return exitOK
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
