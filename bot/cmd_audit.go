package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// auditShowLimit bounds what /audit show lists at once; the rest is
// reached with since= or the command line's export.
const auditShowLimit = 50

// auditQuery is what /audit show was asked for.
type auditQuery struct {
	scene SceneID   // "" for every scene
	since time.Time // zero for the newest records
}

// parseAuditQuery reads "[ID] [since=WHEN]". The scene need not exist
// any more: the trail keeps removed scenes' records.
func parseAuditQuery(in *input) (auditQuery, error) {
	var q auditQuery
	if a, ok := in.optional(); ok {
		id, err := ParseSceneID(a.Value)
		if err != nil {
			return q, err
		}
		q.scene = id
	}
	if err := in.done(); err != nil {
		return q, err
	}
	if v, ok := in.key("since"); ok {
		at, err := in.b.parseWhen("since", v, in.now)
		if err != nil {
			return q, badSince(in, v, err)
		}
		q.since = at
	}
	return q, nil
}

// badSince says how since= is typed, with examples in the past, where
// the call= examples of parseWhen's own message look ahead; an error that
// is not about the form (a year out of range) is kept.
func badSince(in *input, v string, err error) error {
	if !strings.HasPrefix(ErrorMessage(err), "bad since time") {
		return err
	}
	zone := ""
	if z := in.b.inZone(); z != "" {
		zone = fmt.Sprintf(" (%s time)", strings.TrimPrefix(z, " in "))
	}
	return Errorf(EINVALID, "bad since time %q: write since=\"YYYY-MM-DD HH:MM\"%s, such as since=\"%s\", "+
		"or a day counted from today: since=\"today 09:00\", since=\"yesterday 18:00\" or since=\"-2d 00:00\" (2 days ago)",
		v, zone, in.b.fmtWall(in.now.AddDate(0, 0, -7).Truncate(time.Hour)))
}

func (q auditQuery) matches(r AuditRecord) bool {
	return (q.scene == "" || r.Scene == q.scene) && !r.Time.Before(q.since)
}

// runAuditShow lists the audit trail for the IC, newest first: without
// since=, the newest records; with it, the first ones from then on, so
// that since= pages back through the trail. The IC reads everything,
// private detail included; the command is theirs alone (commands.go).
func runAuditShow(in *input, tx Tx) error {
	q, err := parseAuditQuery(in)
	if err != nil {
		return err
	}
	reader, ok := AuditReaderOf(tx)
	if !ok {
		return Errorf(EUNAVAILABLE, "This store cannot read the audit trail.")
	}
	walk := reader.AuditNewestFirst()
	if !q.since.IsZero() {
		walk = reader.AuditRecords()
	}
	var shown []AuditRecord
	var next *AuditRecord // the first record left out, if any
	for r, err := range walk {
		if err != nil {
			return err
		}
		if !q.matches(r) {
			continue
		}
		if len(shown) == auditShowLimit {
			next = &r
			break
		}
		shown = append(shown, r)
	}
	if !q.since.IsZero() {
		slices.Reverse(shown)
	}
	text, err := auditListing(in, tx, q, shown, next)
	if err != nil {
		return err
	}
	in.out.reply(ClassBoundaries, "", "%s", text)
	return nil
}

// auditListing writes the records, one a line, with a heading and, when
// some were left out, how to reach them.
func auditListing(in *input, tx Tx, q auditQuery, shown []AuditRecord, next *AuditRecord) (string, error) {
	var b strings.Builder
	where := "the production"
	if q.scene != "" {
		where = "scene " + string(q.scene)
	}
	since := ""
	if !q.since.IsZero() {
		since = " from " + in.b.fmtTime(q.since)
	}
	if len(shown) == 0 {
		return fmt.Sprintf("No audit records for %s%s.", where, since), nil
	}
	fmt.Fprintf(&b, "Audit trail of %s%s, newest first (%d record(s); private detail, for the IC only):\n", where, since, len(shown))
	for _, r := range shown {
		line, err := auditLine(in, tx, r)
		if err != nil {
			return "", err
		}
		b.WriteString(line + "\n")
	}
	switch {
	case next != nil && q.since.IsZero():
		fmt.Fprintf(&b, "Only the newest %d are shown. For older ones, give the time to start from, as in /audit show %ssince=\"%s\", "+
			"which lists the %d from then on; the operator's icbot audit export writes the whole trail.",
			auditShowLimit, sceneArg(q.scene), in.b.fmtWall(next.Time), auditShowLimit)
	case next != nil:
		fmt.Fprintf(&b, "There are more after these: /audit show %ssince=\"%s\" lists the next ones (from that minute on).",
			sceneArg(q.scene), in.b.fmtWall(next.Time))
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

func sceneArg(id SceneID) string {
	if id == "" {
		return ""
	}
	return string(id) + " "
}

// auditLine is one record for the IC: time in the production's zone,
// actor, action, scene, summary, and the private detail it points at.
func auditLine(in *input, tx Tx, r AuditRecord) (string, error) {
	who, err := personOf(tx, r.Actor)
	if err != nil {
		return "", err
	}
	actor := who.Handle()
	if r.Actor == "icbot" || r.Actor == "" {
		actor = "icbot"
	}
	scene := "-"
	if r.Scene != "" {
		scene = "scene " + string(r.Scene)
	}
	summary, err := RenderAuditSummary(tx, r.Summary)
	if err != nil {
		return "", err
	}
	line := fmt.Sprintf("#%d %s  %s  %s  %s  %s", r.Seq, in.b.fmtTime(r.Time), actor, r.Action, scene, summary)
	priv, err := AuditPrivateOf(tx, r)
	if err != nil {
		return "", err
	}
	if priv.Detail != "" {
		line += fmt.Sprintf(" (IC only: %q)", priv.Detail)
	}
	return line, nil
}

// fmtWall shows an instant as it is typed back: "2026-12-03 10:30", in
// the production's zone.
func (b *Bot) fmtWall(t time.Time) string {
	return t.In(b.zone).Format(callLayout)
}
