package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// /report scene ID [format=md|json|pdf] sends the caller the scene's
// record as a file, by DM, holding what the caller may read and nothing
// else. The command queues a request in the outbox, not the file: the
// file is built when the delivery is sent, for the recipient with their
// roles of then, through the same gate as every message. A failed upload
// is retried like any delivery, and a stop loses nothing acknowledged;
// no private content is stored twice.

// FileRequest is a file a delivery builds when it is sent.
type FileRequest struct {
	// Report is what the file holds: "scene", the record of the
	// delivery message's scene; "mydata", everything icbot holds about
	// the recipient (mydata.go).
	Report string
	// Format is md, json or pdf.
	Format string
}

// Renderer writes a scene's record, already filtered for its reader, in
// one format (the PDF of icbot export).
type Renderer func(SceneExport) ([]byte, error)

// WithRenderer adds a format for /report scene beyond md and json, which
// the bot writes itself (pdf, written by the command line's exporter).
func WithRenderer(format string, r Renderer) Option {
	return func(b *Bot) {
		if b.renderers == nil {
			b.renderers = map[string]Renderer{}
		}
		b.renderers[format] = r
	}
}

// reportFormats are the formats /report scene takes, with each file's
// media type.
var reportFormats = map[string]string{
	"md":   "text/markdown; charset=utf-8",
	"json": "application/json",
	"pdf":  "application/pdf",
}

// reportFileName names the file of a scene's record.
func reportFileName(id SceneID, format string) string {
	return fmt.Sprintf("scene-%s.%s", id, format)
}

func runReportScene(in *input, tx Tx) error {
	sc, err := in.scene(tx)
	if err != nil {
		return err
	}
	if err := in.done(); err != nil {
		return err
	}
	if !seesScene(in.caller, &sc) {
		return Errorf(EFORBIDDEN, "You are not a performer of scene %s: a performer's record holds only their own scenes.", sc.ID)
	}
	format := "md"
	if v, ok := in.key("format"); ok {
		format = v
	}
	if _, ok := in.b.chat.(FileSender); !ok {
		return Errorf(EUNAVAILABLE, "icbot cannot send files on this platform. The operator can write the record with icbot export scene %s --format %s --audience ROLE.", sc.ID, format)
	}
	if format != "md" && format != "json" && in.b.renderers[format] == nil {
		return Errorf(EUNAVAILABLE, "This icbot cannot write %s reports: ask for format=md or format=json, or ask the operator for icbot export scene %s --format %s.", format, sc.ID, format)
	}
	name := reportFileName(sc.ID, format)
	m := Message{To: Destination{Kind: ToUser, User: in.caller.ID}, Class: ClassCrew, Scene: sc.ID,
		Text: fmt.Sprintf("The record of scene %s (%s), as your roles on the production let you read it: %s. What others may read and you may not is left out.",
			sc.ID, sc.Title, name)}
	a, err := loadAbout(tx, sc.ID)
	if err != nil {
		return err
	}
	ok, err := in.b.gate.allowed(tx, m, a)
	if err != nil {
		return err
	}
	if !ok {
		return Internal(fmt.Errorf("report of scene %s: the gate refused its DM", sc.ID))
	}
	id, err := tx.Enqueue(Delivery{Message: m, File: &FileRequest{Report: "scene", Format: format},
		Caller: in.caller.ID, Reply: in.cmd.ReplyHandle, Created: in.now, NextAttempt: in.now})
	if err != nil {
		return err
	}
	if err := in.audit(tx, "report.scene", sc.ID, "record of scene %s asked for as %s", sc.ID, format); err != nil {
		return err
	}
	in.out.then(func(ctx context.Context, b *Bot, _ Command) error {
		b.outbox.deliver(ctx, []uint64{id})
		return nil
	})
	in.out.reply(ClassPublic, sc.ID, "The report of scene %s is on its way by DM (%s).", sc.ID, name)
	return nil
}

// sendFile builds the file a delivery asks for, for its recipient as
// they are now, and sends it with the delivery's message.
func (b *Bot) sendFile(ctx context.Context, m Message, req FileRequest) error {
	fs, ok := b.chat.(FileSender)
	if !ok {
		return Errorf(EUNAVAILABLE, "icbot cannot send files on this platform")
	}
	var f File
	var err error
	switch req.Report {
	case "scene":
		f, err = b.sceneFile(ctx, m.To.User, m.Scene, req.Format)
	case myDataReport:
		f, err = b.myDataFile(ctx, m.To.User, req.Format)
	default:
		return Internal(fmt.Errorf("unknown report %q", req.Report))
	}
	if err != nil {
		return err
	}
	return fs.SendFile(ctx, m.To.User, f, m)
}

// sceneFile writes scene id's record for reader as they are now: the
// person with their current roles, read exactly as the gate reads a
// message to them.
func (b *Bot) sceneFile(ctx context.Context, reader UserID, id SceneID, format string) (File, error) {
	var e SceneExport
	err := b.store.View(ctx, func(tx Tx) error {
		p, err := personOf(tx, reader)
		if err != nil {
			return err
		}
		sc, err := tx.Scene(id)
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(ENOTFOUND, "scene %s was removed before its record could be sent", id)
		}
		if err != nil {
			return err
		}
		info, err := tx.Production()
		if err != nil {
			return err
		}
		rec, err := b.sceneRecord(tx, p, &sc)
		e = SceneExport{RecordHead: RecordHead{Schema: SceneSchema, Production: info.Name, Zone: b.zone.String(),
			MadeAt: b.now().Format(time.RFC3339), Audience: fmt.Sprintf("%s (%s)", p.Handle(), rolesText(p.Roles))}, Scene: rec}
		return err
	})
	if err != nil {
		return File{}, err
	}
	var data []byte
	switch format {
	case "md":
		data = []byte(e.Markdown(b))
	case "json":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(e)
		data = buf.Bytes()
	default:
		r := b.renderers[format]
		if r == nil {
			return File{}, Errorf(EUNAVAILABLE, "this icbot cannot write %s reports", format)
		}
		data, err = renderSafely(r, e)
	}
	if err != nil {
		b.log.Error("writing a scene's record", "scene", string(id), "format", format, "err", err)
		return File{}, Errorf(EUNAVAILABLE, "the %s file could not be written; the error has been logged for the operator", format)
	}
	return File{Name: reportFileName(id, format), Type: reportFormats[format], Data: data}, nil
}

// renderSafely runs an injected renderer; a panic in it is an error of
// this one file, never a crash of icbot (a queued file would otherwise
// crash every start that tried it again).
func renderSafely(r Renderer, e SceneExport) (data []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the renderer panicked: %v", v)
		}
	}()
	return r(e)
}
