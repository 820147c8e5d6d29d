package browser

import (
	"context"
	_ "embed"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

//go:embed a11y.js
var a11yJS string

// A Finding is one place where a page falls short of WCAG 2.1 AA in what
// the check reads.
type Finding struct {
	Check   string `json:"check"` // contrast, labels, keyboard or structure
	Element string `json:"element"`
	Detail  string `json:"detail"`
}

func (f Finding) String() string { return f.Check + ": " + f.Element + ": " + f.Detail }

// A Report is what Check found on one page, and how much it looked at.
type Report struct {
	Findings []Finding
	// TextElements is how many elements' text had its contrast measured,
	// Named how many controls, links and images had their name checked,
	// Focusable how many elements the keyboard should reach.
	TextElements, Named, Focusable int
	// TabOrder is what the Tab key reached, in order.
	TabOrder []string
	// Lowest is the text closest to its contrast threshold, and its ratio.
	Lowest string
}

type part struct {
	Findings []Finding `json:"findings"`
	Checked  int       `json:"checked"`
	Lowest   string    `json:"lowest"`
}

// Check reloads the page open in ctx and checks it in the browser:
//   - contrast: every visible text element's computed colour against the
//     background behind it, by WCAG 2.1's formula, 4.5:1 for normal text
//     and 3:1 for large text (24px, or 18.66px bold);
//   - labels: every input, select, textarea, button, link and summary has an
//     accessible name; every img has alt, every svg role=img with a title or
//     aria-label, or aria-hidden=true;
//   - keyboard: pressing Tab reaches every link, button and field in the
//     document's order, none skipped, each looking different (outline or box
//     shadow) while it has the focus, and the first is a skip link;
//   - structure: html lang, a title, exactly one h1, headings that do not
//     skip a level.
//
// It reloads so that the Tab key starts from the top of a fresh page.
func Check(ctx context.Context) (Report, error) {
	var rep Report
	if err := chromedp.Do(ctx, chromedp.Reload()); err != nil {
		return rep, fmt.Errorf("reloading the page to check it: %w", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](a11yJS)); err != nil {
		return rep, fmt.Errorf("loading the checks into the page: %w", err)
	}
	for _, name := range []string{"structure", "labels", "contrast"} {
		p, err := chromedp.Run(ctx, chromedp.Evaluate[part]("window.__icbotA11y."+name+"()"))
		if err != nil {
			return rep, fmt.Errorf("%s check: %w", name, err)
		}
		rep.Findings = append(rep.Findings, p.Findings...)
		switch name {
		case "labels":
			rep.Named = p.Checked
		case "contrast":
			rep.TextElements, rep.Lowest = p.Checked, p.Lowest
		}
	}
	if err := keyboard(ctx, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

type prepared struct {
	Count    int       `json:"count"`
	Names    []string  `json:"names"`
	Findings []Finding `json:"findings"`
}

type focused struct {
	Index   int    `json:"index"`
	Element string `json:"element"`
	Visible bool   `json:"visible"`
	Style   string `json:"style"`
}

// keyboard presses Tab once for every element that should be reached and
// compares what got the focus with the document's order.
func keyboard(ctx context.Context, rep *Report) error {
	p, err := chromedp.Run(ctx, chromedp.Evaluate[prepared](`window.__icbotA11y.focusPrepare()`))
	if err != nil {
		return fmt.Errorf("keyboard check: %w", err)
	}
	rep.Focusable = p.Count
	rep.Findings = append(rep.Findings, p.Findings...)
	reached := make([]bool, p.Count)
	next := 0 // the index the next Tab should reach
	for range p.Count {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			return fmt.Errorf("pressing Tab: %w", err)
		}
		f, err := chromedp.Run(ctx, chromedp.Evaluate[focused](`window.__icbotA11y.focusState()`))
		if err != nil {
			return fmt.Errorf("keyboard check: %w", err)
		}
		rep.TabOrder = append(rep.TabOrder, f.Element)
		switch {
		case f.Index < 0:
			rep.Findings = append(rep.Findings, Finding{"keyboard", f.Element, fmt.Sprintf("Tab press %d reached an element that is not among the page's focusable ones", len(rep.TabOrder))})
			continue
		case reached[f.Index]:
			rep.Findings = append(rep.Findings, Finding{"keyboard", f.Element, fmt.Sprintf("Tab press %d came back to an element already reached", len(rep.TabOrder))})
		case f.Index != next:
			rep.Findings = append(rep.Findings, Finding{"keyboard", f.Element, fmt.Sprintf("reached out of order: Tab press %d reached element %d of %d, want %s", len(rep.TabOrder), f.Index+1, p.Count, p.Names[next])})
		}
		if !reached[f.Index] && !f.Visible {
			rep.Findings = append(rep.Findings, Finding{"keyboard", f.Element, "no visible focus: outline and box-shadow are the same as without focus (" + f.Style + ")"})
		}
		reached[f.Index] = true
		next = f.Index + 1
		if next >= p.Count {
			next = 0
		}
	}
	for i, ok := range reached {
		if !ok {
			rep.Findings = append(rep.Findings, Finding{"keyboard", p.Names[i], "never reached with the Tab key"})
		}
	}
	return nil
}

// Summary is one line on what a report covered and found.
func (r Report) Summary() string {
	by := map[string]int{}
	for _, f := range r.Findings {
		by[f.Check]++
	}
	var found []string
	for _, c := range []string{"contrast", "labels", "keyboard", "structure"} {
		if by[c] > 0 {
			found = append(found, fmt.Sprintf("%d %s", by[c], c))
		}
	}
	if len(found) == 0 {
		found = []string{"nothing"}
	}
	return fmt.Sprintf("%d text elements, %d names, %d focusable elements checked; found %s; lowest contrast %s",
		r.TextElements, r.Named, r.Focusable, strings.Join(found, ", "), r.Lowest)
}
