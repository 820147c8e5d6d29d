package main

import (
	"fmt"
	"html"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// soakSVG plots a soak's samples: resident memory (VmRSS, its anonymous
// and file-backed parts, and the database file's size) in MiB above, goroutines below, against the time since
// the load began. Plain SVG, written here, so that no tool is needed.
func soakSVG(samples []soakSample, shape soakShape) string {
	const w, panelH, left, right, top, gap = 790, 220, 70, 20, 75, 110
	h := top + 2*panelH + gap + 90
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15">%s</text>`+"\n", left,
		html.EscapeString(fmt.Sprintf("icbot soak: %s at %d commands/s, Slack over HTTP, 7%% of Web API calls failed", shape.duration, shape.rate)))
	fmt.Fprintf(&b, `<text x="%d" y="40">%s</text>`+"\n", left,
		html.EscapeString(fmt.Sprintf("sampled every %s; the dashed lines part the thirds that the flatness rule compares", shape.every)))
	end := 0.0
	if len(samples) > 0 {
		end = samples[len(samples)-1].at.Seconds()
	}
	xs := make([]float64, len(samples))
	for i, s := range samples {
		xs[i] = s.at.Seconds()
	}
	series := func(f func(soakSample) float64) []float64 {
		vs := make([]float64, len(samples))
		for i, s := range samples {
			vs[i] = f(s)
		}
		return vs
	}
	p := plotPanel{x: left, y: top, w: w - left - right, h: panelH, xmax: end}
	p.draw(&b, "resident memory and database file, MiB", []plotLine{
		{"VmRSS", "#1f77b4", series(func(s soakSample) float64 { return s.mem.rss / 1024 })},
		{"RssAnon (heap, stacks)", "#ff7f0e", series(func(s soakSample) float64 { return s.mem.anon / 1024 })},
		{"RssFile (mapped files)", "#9467bd", series(func(s soakSample) float64 { return s.mem.file / 1024 })},
		{"database file size", "#8c564b", series(func(s soakSample) float64 { return s.dbFile / 1024 })},
	}, xs)
	p.y += panelH + gap
	p.draw(&b, "goroutines (go_goroutines)", []plotLine{
		{"goroutines", "#2ca02c", series(func(s soakSample) float64 { return s.goroutines })},
	}, xs)
	b.WriteString("</svg>\n")
	return b.String()
}

// timeUnit names the unit of the x axis: minutes for a run of more than
// five, seconds otherwise.
func timeUnit(end float64) string {
	if end > 300 {
		return "minutes"
	}
	return "seconds"
}

type plotLine struct {
	name, color string
	vs          []float64
}

// plotPanel is one chart: its place on the page and its x range, in
// seconds.
type plotPanel struct {
	x, y, w, h int
	xmax       float64
}

func (p plotPanel) draw(b *strings.Builder, title string, lines []plotLine, xs []float64) {
	ymax := 0.0
	for _, l := range lines {
		for _, v := range l.vs {
			ymax = math.Max(ymax, v)
		}
	}
	ystep := niceStep(ymax * 1.15 / 5)
	ytop := math.Max(ystep, math.Ceil(ymax*1.15/ystep)*ystep)
	xmax := math.Max(p.xmax, 1)
	px := func(x float64) float64 { return float64(p.x) + x/xmax*float64(p.w) }
	py := func(y float64) float64 { return float64(p.y+p.h) - y/ytop*float64(p.h) }

	fmt.Fprintf(b, `<text x="%d" y="%d" font-weight="bold">%s</text>`+"\n", p.x, p.y-8, html.EscapeString(title))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>`+"\n", p.x, p.y, p.w, p.h)
	for y := 0.0; y <= ytop+ystep/2; y += ystep {
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", p.x, py(y), p.x+p.w, py(y))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", p.x-6, py(y)+4, trimFloat(y))
	}
	unit := 1.0
	if timeUnit(xmax) == "minutes" {
		unit = 60
	}
	xstep := niceStep(xmax / unit / 8)
	for x := 0.0; x <= xmax/unit+xstep/100; x += xstep {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", px(x*unit), p.y, px(x*unit), p.y+p.h)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", px(x*unit), p.y+p.h+16, trimFloat(x))
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`+"\n", p.x+p.w/2, p.y+p.h+34,
		html.EscapeString("time since the load began, "+timeUnit(xmax)))
	// The thirds the flatness rule compares.
	for _, f := range []float64{1.0 / 3, 2.0 / 3} {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#999" stroke-dasharray="4 4"/>`+"\n", px(f*xmax), p.y, px(f*xmax), p.y+p.h)
	}
	for i, l := range lines {
		var pts []string
		for j, v := range l.vs {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(xs[j]), py(v)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", l.color, strings.Join(pts, " "))
		for _, pt := range pts {
			x, y, _ := strings.Cut(pt, ",")
			fmt.Fprintf(b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`+"\n", x, y, l.color)
		}
		// The legend, in a row under the axis.
		lx := p.x + 220*(i%3)
		ly := p.y + p.h + 56 + 18*(i/3)
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", lx, ly-4, lx+20, ly-4, l.color)
		fmt.Fprintf(b, `<text x="%d" y="%d">%s</text>`+"\n", lx+26, ly, html.EscapeString(l.name))
	}
}

// niceStep rounds a raw step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= raw {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// TestSoakSVG checks that the plot is a whole SVG with a line per series
// and a point per sample.
func TestSoakSVG(t *testing.T) {
	var samples []soakSample
	for i := range 5 {
		samples = append(samples, soakSample{at: time.Duration(i) * time.Minute,
			mem: memory{rss: 20000 + float64(i), anon: 9000, file: 11000}, goroutines: 20})
	}
	svg := soakSVG(samples, soakShape{duration: 4 * time.Minute, every: time.Minute, rate: 10})
	if !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(svg, "</svg>\n") {
		t.Fatalf("not a whole SVG:\n%s", svg)
	}
	if got := strings.Count(svg, "<polyline"); got != 5 {
		t.Errorf("%d lines, want 5", got)
	}
	if got := strings.Count(svg, "<circle"); got != 25 {
		t.Errorf("%d points, want 25", got)
	}
}

// sampleLine is how TestSoak logs a sample (go test -v).
var sampleLine = regexp.MustCompile(`^\s+soak_test\.go:\d+:\s+(\S+)\s+VmRSS\s+([\d.]+) MiB\s+anon\s+([\d.]+) MiB\s+file\s+([\d.]+) MiB\s+goroutines\s+(\d+)\s+database\s+([\d.]+) MiB`)

// TestSoakReplot draws the plot again from the log of a soak run (go test
// -v), for a run whose plot is wanted in another form:
//
//	ICBOT_SOAK_LOG=soak.log ICBOT_SOAK_PLOT=docs/soak.svg go test ./cmd/icbot -run TestSoakReplot
func TestSoakReplot(t *testing.T) {
	in, out := os.Getenv("ICBOT_SOAK_LOG"), os.Getenv("ICBOT_SOAK_PLOT")
	if in == "" || out == "" {
		t.Skip("set ICBOT_SOAK_LOG and ICBOT_SOAK_PLOT")
	}
	text, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var samples []soakSample
	for _, line := range strings.Split(string(text), "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		at, err := time.ParseDuration(m[1])
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		f := make([]float64, 5)
		for i := range f {
			if f[i], err = strconv.ParseFloat(m[i+2], 64); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
		samples = append(samples, soakSample{at: at, mem: memory{rss: f[0] * 1024, anon: f[1] * 1024, file: f[2] * 1024},
			goroutines: f[3], dbFile: f[4] * 1024})
	}
	if len(samples) < 2 {
		t.Fatalf("%d samples in %s", len(samples), in)
	}
	end := samples[len(samples)-1].at
	shape := soakShape{duration: end, every: samples[1].at - samples[0].at, rate: soakShapeFor().rate}
	if err := os.WriteFile(out, []byte(soakSVG(samples, shape)), 0o644); err != nil {
		t.Fatal(err)
	}
}
