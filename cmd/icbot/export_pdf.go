package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"icbot/bot"
)

// pdfDoc lays out a record for reading and printing: A4, the
// production's name and the time the export was made at the top of
// every page, "page N of M" at the foot, a heading per scene and per
// part, and tables for beats and holds. It prints the record it is
// given, already filtered for its audience, and nothing else.
type pdfDoc struct {
	pdf  *fpdf.Fpdf
	tr   func(string) string
	zone *time.Location
}

// pdfCompress is false in tests that read the page text without a PDF
// reader.
var pdfCompress = true

func writePDF(w io.Writer, head bot.RecordHead, scenes []bot.SceneRecord, title string, zone *time.Location) error {
	d := newPDFDoc(head, title, zone)
	p := d.pdf
	d.para(fmt.Sprintf("For: %s. This record holds only what its audience may read; private detail for others is left out.", head.Audience))
	if len(scenes) == 0 {
		d.para("No scenes.")
	}
	for i, sc := range scenes {
		if i > 0 {
			p.AddPage()
		}
		d.scene(sc)
	}
	if err := p.Error(); err != nil {
		return err
	}
	return p.Output(w)
}

// split cuts text into the lines it takes in a column of width w. The
// core fonts are single-byte (Windows-1252), while fpdf's SplitText
// reads runes: each byte of the translated text goes to it as the rune
// of the same number, so that é or ’ is measured as the byte the page
// holds (given as is, it read an invalid byte as U+FFFD and panicked).
func (d *pdfDoc) split(text string, w float64) []string {
	b := []byte(d.tr(text))
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return d.pdf.SplitText(string(rs), w)
}

// newPDFDoc starts an A4 document of head's record on its first page,
// under title: the production's name and the time the record was made
// at the top of every page, the schema and "Page N of M" at the foot.
// The file is the same for the same record: its dates are the record's,
// not the wall clock's.
func newPDFDoc(head bot.RecordHead, title string, zone *time.Location) *pdfDoc {
	made, _ := time.Parse(time.RFC3339, head.MadeAt)
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(pdfCompress)
	p.SetCreationDate(made)
	p.SetModificationDate(made)
	p.SetCatalogSort(true)
	d := &pdfDoc{pdf: p, tr: p.UnicodeTranslatorFromDescriptor(""), zone: zone}
	p.SetTitle(title, true)
	p.SetCreator("icbot", true)
	p.AliasNbPages("{nb}")
	p.SetMargins(18, 20, 18)
	p.SetAutoPageBreak(true, 18)
	p.SetHeaderFunc(func() {
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(0, 4, d.tr(head.Production), "", 0, "L", false, 0, "")
		p.CellFormat(0, 4, d.tr("Made "+d.when(head.MadeAt)+" for "+head.Audience), "", 1, "R", false, 0, "")
		p.Ln(4)
		p.SetTextColor(0, 0, 0)
	})
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("Helvetica", "", 8)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(0, 4, d.tr(head.Schema), "", 0, "L", false, 0, "")
		p.CellFormat(0, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.AddPage()
	d.heading(16, title)
	return d
}

func (d *pdfDoc) when(v string) string {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || v == "" {
		return "-"
	}
	return t.In(d.zone).Format("Mon 2 Jan 2006 15:04 MST")
}

// room starts a new page unless h millimetres are left on this one, so
// that a heading or a table's header is not left alone at a page's foot.
func (d *pdfDoc) room(h float64) {
	_, pageH := d.pdf.GetPageSize()
	_, _, _, bottom := d.pdf.GetMargins()
	if d.pdf.GetY()+h > pageH-bottom {
		d.pdf.AddPage()
	}
}

func (d *pdfDoc) heading(size float64, text string) {
	d.room(25)
	d.pdf.SetFont("Helvetica", "B", size)
	d.pdf.MultiCell(0, size*0.5, d.tr(text), "", "L", false)
	d.pdf.Ln(2)
}

func (d *pdfDoc) para(text string) {
	d.pdf.SetFont("Helvetica", "", 10)
	d.pdf.MultiCell(0, 5, d.tr(text), "", "L", false)
	d.pdf.Ln(2)
}

func (d *pdfDoc) mono(text string) {
	d.pdf.SetFont("Courier", "", 8.5)
	d.pdf.MultiCell(0, 4, d.tr(text), "", "L", false)
	d.pdf.Ln(2)
}

// table draws a header row and rows, each cell wrapped within its width;
// a table that goes on to a new page repeats its header there.
func (d *pdfDoc) table(widths []float64, header []string, rows [][]string) {
	p := d.pdf
	var row func(cells []string, style string, fill bool)
	row = func(cells []string, style string, fill bool) {
		p.SetFont("Helvetica", style, 9)
		const lh = 4.5
		lines := 1
		for i, c := range cells {
			if n := len(d.split(c, widths[i]-2)); n > lines {
				lines = n
			}
		}
		h := float64(lines)*lh + 1
		_, pageH := p.GetPageSize()
		_, _, _, bottom := p.GetMargins()
		if p.GetY()+h > pageH-bottom {
			p.AddPage()
			if !fill {
				row(header, "B", true)
				p.SetFont("Helvetica", style, 9)
			}
		}
		x, y := p.GetXY()
		for i, c := range cells {
			p.Rect(x, y, widths[i], h, map[bool]string{true: "FD", false: "D"}[fill])
			p.SetXY(x+1, y+0.5)
			p.MultiCell(widths[i]-2, lh, d.tr(c), "", "L", false)
			x += widths[i]
		}
		p.SetXY(p.GetX(), y+h)
		p.SetX(18)
	}
	p.SetFillColor(230, 230, 230)
	d.room(20)
	row(header, "B", true)
	for _, r := range rows {
		row(r, "", false)
	}
	p.Ln(3)
}

func (d *pdfDoc) scene(r bot.SceneRecord) {
	if r.Title == "" && r.Call == "" {
		d.heading(13, "Scene "+string(r.ID))
		if r.Notes == nil && !r.HasProductionRecord() {
			d.para("Not readable by this audience.")
		}
		d.productionRecord(r)
		d.notes(r.Notes)
		return
	}
	defer d.notes(r.Notes)
	d.heading(13, fmt.Sprintf("Scene %s: %s", r.ID, r.Title))
	facts := fmt.Sprintf("Call: %s. Status: %s.", d.when(r.Call), r.Status)
	if len(r.Performers) > 0 {
		facts += " Performers: " + strings.Join(r.Performers, ", ") + "."
	}
	if r.Channel != "" {
		facts += " Channel: #" + string(r.Channel) + "."
	}
	d.para(facts)
	if len(r.Beats) > 0 {
		d.heading(11, "Beats")
		var rows [][]string
		for _, b := range r.Beats {
			rows = append(rows, []string{b.ID, b.Description, string(b.Kind), strings.Join(b.Areas, ", "), cmp.Or(strings.Join(b.Performers, ", "), "all")})
		}
		d.table([]float64{14, 76, 28, 28, 28}, []string{"Beat", "Description", "Kind", "Visible", "Performers"}, rows)
	}
	if r.Readiness != "" || len(r.Consent) > 0 {
		d.heading(11, "Consent")
		if r.Readiness != "" {
			d.para(r.Readiness)
		}
		for _, c := range r.Consent {
			switch {
			case c.Text() != "":
				d.para(fmt.Sprintf("%s, version %d of %s:", c.Performer, c.Version, d.when(c.At)))
				d.mono(c.Text())
			default:
				if c.Garments != "" {
					d.para(c.Performer + ", garments and barriers: " + c.Garments)
				}
				if c.Body != "" {
					d.para(c.Performer + ", body notes: " + c.Body)
				}
			}
		}
	}
	if len(r.Riders) > 0 {
		d.heading(11, "Riders")
		for _, rd := range r.Riders {
			d.para(rd.Line())
		}
	}
	if len(r.Sessions) > 0 {
		d.heading(11, "Closed sets")
		for _, s := range r.Sessions {
			d.mono(s.Card())
			if s.Override != "" {
				d.para("Started over missing items; the IC's reason: " + s.Override)
			}
		}
	}
	if len(r.Holds) > 0 {
		d.heading(11, "Holds")
		var rows [][]string
		for _, h := range r.Holds {
			lifted := "in force"
			if h.LiftedAt != "" {
				lifted = d.when(h.LiftedAt)
			}
			sess := "-"
			if h.Session > 0 {
				sess = fmt.Sprint(h.Session)
			}
			rows = append(rows, []string{fmt.Sprint(h.Seq), d.when(h.At), sess, lifted, cmp.Or(h.CalledBy, "(the IC's to know)"), cmp.Or(h.Reason, "-")})
		}
		d.table([]float64{12, 34, 18, 34, 28, 48}, []string{"Hold", "Called", "Session", "Lifted", "Called by", "Reason"}, rows)
	}
	if t := r.Topline; t != nil {
		d.heading(11, "Top-line summary")
		if t.Version > 0 {
			d.para(fmt.Sprintf("Version %d, posted %s to #%s.", t.Version, d.when(t.PostedAt), t.Channel))
		} else {
			d.para("Not posted yet.")
		}
		switch {
		case t.Withheld && t.Version > 0:
			d.para(fmt.Sprintf("Its beats are in #%s, as posted.", t.Channel))
		case t.Withheld:
			d.para("Its beats are the IC's until it is posted.")
		case t.AsItStands:
			d.para("Its beats as they stand now (the IC's view; the channel reads the version posted):")
		}
		if !t.Withheld {
			for _, l := range []struct {
				label string
				beats []string
			}{{"Agreed beats", t.Agreed}, {"Restricted beats (not to be filmed as planned)", t.Restricted}, {"Not yet agreed", t.Pending}, {"Nudity as agreed, visible areas", t.Nudity}} {
				d.para(l.label + ": " + cmp.Or(strings.Join(l.beats, "; "), "none"))
			}
		}
	}
	d.productionRecord(r)
	if len(r.Withheld) > 0 {
		d.para("Left out for this audience: " + strings.Join(r.Withheld, ", ") + ".")
	}
}

// productionRecord writes the choreography, rehearsals and takes the
// record holds: the same tables as the Markdown.
func (d *pdfDoc) productionRecord(r bot.SceneRecord) {
	if len(r.Choreography) > 0 {
		d.heading(11, "Choreography")
		for _, c := range r.Choreography {
			d.para(fmt.Sprintf("%s, version %d, by %s, %s: %s", c.Beat, c.Version, c.By, d.when(c.At), c.Text))
			for i, st := range c.Steps {
				d.para(fmt.Sprintf("    %d. %s", i+1, st))
			}
		}
		d.table([]float64{14, 16, 30, 46, 68}, bot.ChoreoHistoryHeader, r.ChoreoHistoryRows(d.when))
	}
	if len(r.Rehearsals) > 0 {
		d.heading(11, "Rehearsals")
		d.table([]float64{20, 26, 24, 22, 15, 44, 23}, bot.RehearsalHeader, r.RehearsalRows(d.when))
		if rows := r.ConfirmationRows(d.when); len(rows) > 0 {
			d.para("The performers' answers to the records:")
			d.table([]float64{20, 24, 22, 48, 60}, bot.ConfirmationHeader, rows)
		}
	}
	if len(r.Takes) > 0 {
		d.heading(11, "Takes")
		d.table([]float64{12, 32, 20, 12, 26, 20, 52}, bot.TakeHeader, r.TakeRows(d.when))
	}
}

// notes writes the intent and the beats' notes, if any.
func (d *pdfDoc) notes(n *bot.NotesRecord) {
	if n == nil {
		return
	}
	d.heading(11, "Intent and notes")
	if n.Intent != "" {
		d.para("Director's intent: " + n.Intent)
	}
	for _, b := range n.Beats {
		for _, f := range b.Fields() {
			d.para(b.ID + ", " + f[0] + ": " + f[1])
		}
	}
}
