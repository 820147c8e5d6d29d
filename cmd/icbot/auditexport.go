package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"icbot/bot"
	"icbot/config"
	"icbot/storage"
)

// AuditSchema names the format of `icbot audit export`'s lines; a change
// that a reader of an earlier export would misread gets a new version.
// The format is described in docs/audit-export.md.
const AuditSchema = "icbot.audit/1"

// auditExportFlags are icbot audit export's own flags.
type auditExportFlags struct {
	since   string
	out     string
	private bool
}

func (e *auditExportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&e.since, "since", "", `audit export: only records from this time on: "YYYY-MM-DD", "YYYY-MM-DD HH:MM" in the production's zone, or RFC 3339`)
	fs.StringVar(&e.out, "out", "", "audit export: write to this new file (mode 0600) instead of standard output")
	fs.BoolVar(&e.private, "private", false, "audit export: include who called each hold, whose consent changed, and the hold reasons and notes (the IC's alone; see docs/audit-export.md)")
}

// exportHeader is the first line of an export: what it is, and the
// chain it was verified against.
type exportHeader struct {
	Schema     string `json:"schema"`
	Kind       string `json:"kind"` // "header"
	Production string `json:"production"`
	Zone       string `json:"zone"`
	ExportedAt string `json:"exported_at"`
	Chain      string `json:"chain"` // "verified": a broken chain is not exported
	Keyed      bool   `json:"keyed"`
	Records    uint64 `json:"records"`
	Head       string `json:"head"`
	Since      string `json:"since,omitempty"`
	Private    bool   `json:"private"`
}

// exportRecord is one audit record.
type exportRecord struct {
	Schema    string `json:"schema"`
	Kind      string `json:"kind"` // "record"
	Seq       uint64 `json:"seq"`
	Time      string `json:"time"`
	Actor     string `json:"actor"`
	ActorName string `json:"actor_name"`
	Action    string `json:"action"`
	Scene     string `json:"scene"`
	Summary   string `json:"summary"`
	Hash      string `json:"hash"`
	Withheld  bool   `json:"withheld"`
	Private   string `json:"private,omitempty"`
}

// exportEnd is the last line, so that a cut-short file shows it.
type exportEnd struct {
	Schema   string `json:"schema"`
	Kind     string `json:"kind"` // "end"
	Exported int    `json:"exported"`
}

// runAuditExport writes the audit trail as JSON Lines, once its chain
// has verified; it refuses a broken one, naming the break.
func runAuditExport(ctx context.Context, cfg *config.Config, env Env, e auditExportFlags) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.Stderr, "icbot audit export: "+format+"\n", args...)
		return exitError
	}
	since, err := parseExportSince(e.since, cfg.Location())
	if err != nil {
		fmt.Fprintf(env.Stderr, "icbot audit export: %v\n", err)
		return exitUsage
	}
	db := cfg.Storage.Path
	if err := checkDBPath(db, false); err != nil {
		return fail("%v", err)
	}
	key, err := verifyKey(cfg)
	if err != nil {
		return fail("%v", err)
	}
	opts := []storage.Option{storage.WithTimeout(cfg.Storage.OpenTimeout), storage.WithReadOnly()}
	if key != nil {
		opts = append(opts, storage.WithKey(key))
	} else if st, err := storage.Inspect(db, nil, storage.WithTimeout(cfg.Storage.OpenTimeout)); err == nil && st.Encrypted {
		return fail("database %s is encrypted and its audit trail is keyed, so exporting it needs its key: set storage.encryption_key or restore the key file %s",
			db, storage.KeyFile(db))
	}
	st, err := storage.Open(db, opts...)
	if err != nil {
		return fail("%v", plainDBError(db, err))
	}
	defer st.Close()
	warnZone(ctx, st, cfg, env.Stderr, "icbot audit export")
	head, err := st.VerifyAudit(ctx)
	if err != nil {
		return fail("the audit trail of %s is BROKEN, so nothing was exported: %v\n"+
			"An export presents its records as the production's record; one whose chain does not verify cannot be. "+
			"icbot audit verify names the break; restore the database from a backup taken before it.", db, err)
	}
	now := time.Now
	if env.Clock != nil {
		now = env.Clock
	}
	hdr := exportHeader{Schema: AuditSchema, Kind: "header", Zone: cfg.Location().String(), ExportedAt: now().UTC().Format(time.RFC3339),
		Chain: "verified", Keyed: key != nil, Records: head.Records, Head: head.HeadHex(), Private: e.private}
	if !since.IsZero() {
		hdr.Since = since.UTC().Format(time.RFC3339)
	}

	w, finish, err := exportWriter(e.out, env.Stdout)
	if err != nil {
		return fail("%v", err)
	}
	n, err := writeExport(ctx, st, w, hdr, head, since, e.private)
	if err = finish(err); err != nil {
		return fail("%v", err)
	}
	if e.out != "" {
		fmt.Fprintf(env.Stderr, "icbot audit export: %d of %d records written to %s (head %s)\n", n, head.Records, e.out, head.HeadHex())
	}
	if e.private {
		fmt.Fprintln(env.Stderr, "icbot audit export: this export holds private detail (who called each hold, whose consent changed, hold reasons and notes): it is for the IC, not for general distribution.")
	}
	return exitOK
}

// parseExportSince reads --since: a date, a date and time in the
// production's zone, or RFC 3339.
func parseExportSince(s string, zone *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf(`bad --since %q: write "YYYY-MM-DD", "YYYY-MM-DD HH:MM" (in the production's zone, %s) or RFC 3339 ("2026-12-03T10:30:00Z")`, s, zone)
}

// exportWriter opens the destination: a new file of mode 0600 (it holds
// names, and with --private far more), never one that exists, or w.
// finish flushes and closes it, and removes a file left half-written.
func exportWriter(path string, w io.Writer) (*bufio.Writer, func(error) error, error) {
	if path == "" {
		bw := bufio.NewWriter(w)
		return bw, func(err error) error { return errors.Join(err, bw.Flush()) }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (an export never overwrites a file)", err)
	}
	bw := bufio.NewWriter(f)
	return bw, func(err error) error {
		err = errors.Join(err, bw.Flush(), f.Sync(), f.Close())
		if err != nil {
			os.Remove(path)
		}
		return err
	}, nil
}

// writeExport writes the header, the records from since on, oldest
// first, and the end line, in one read transaction. The records read must
// be the chain VerifyAudit vouched for: the same count, ending in the same
// hash.
func writeExport(ctx context.Context, st *storage.Store, w io.Writer, hdr exportHeader, head bot.ChainHead, since time.Time, private bool) (int, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n := 0
	err := st.View(ctx, func(tx bot.Tx) error {
		info, err := tx.Production()
		if err != nil {
			return err
		}
		hdr.Production = info.Name
		if err := enc.Encode(hdr); err != nil {
			return err
		}
		reader, ok := bot.AuditReaderOf(tx)
		if !ok {
			return errors.New("this store cannot read the audit trail")
		}
		var last bot.AuditRecord
		// From the first record at or after since, every record in the
		// chain's order: times are not strictly ordered along the chain
		// (most are kept to the second), and the records written after
		// that one belong to the export whatever their time reads.
		from := false
		for r, err := range reader.AuditRecords() {
			if err != nil {
				return err
			}
			last = r
			from = from || !r.Time.Before(since)
			if !from {
				continue
			}
			line, err := exportLine(tx, r, private)
			if err != nil {
				return err
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
			n++
		}
		if last.Seq != head.Records || (head.Records > 0 && hex.EncodeToString(last.Hash) != head.HeadHex()) {
			return fmt.Errorf("the audit trail changed while it was read (%d records, verified %d): nothing exported", last.Seq, head.Records)
		}
		return enc.Encode(exportEnd{Schema: AuditSchema, Kind: "end", Exported: n})
	})
	return n, err
}

// exportLine is one record as exported: the actor of a private action
// and its summary withheld unless private, its sealed detail only then.
func exportLine(tx bot.Tx, r bot.AuditRecord, private bool) (line exportRecord, err error) {
	line = exportRecord{Schema: AuditSchema, Kind: "record", Seq: r.Seq, Time: r.Time.UTC().Format(time.RFC3339Nano),
		Actor: string(r.Actor), Action: r.Action, Scene: string(r.Scene), Hash: hex.EncodeToString(r.Hash)}
	if line.Summary, err = bot.RenderAuditSummary(tx, r.Summary); err != nil {
		return line, err
	}
	p, err := bot.AuditPrivateOf(tx, r)
	if err != nil {
		return line, err
	}
	switch {
	case p.Withheld && !private:
		line.Actor, line.Summary, line.Withheld = "", p.WithheldSummary, true
	case private:
		line.Private = p.Detail
	}
	if line.Actor != "" {
		who, err := tx.Person(r.Actor)
		switch {
		case err == nil:
			line.ActorName = who.Name
		case bot.ErrorCode(err) != bot.ENOTFOUND:
			return line, err
		}
	}
	return line, nil
}
