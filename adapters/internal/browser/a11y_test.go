package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A page that passes every check: the negative cases below each break one
// thing in a copy of it.
const goodPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Week</title>
<style>
 body { color: #1a1a1a; background: #fff; font: 16px sans-serif; }
 .skip { position: absolute; left: -999px; }
 .skip:focus { left: 8px; }
 .tag { background: #0b5394; color: #fff; }
 .quiet { color: #595959; }
 .big { font-size: 24px; color: #767676; }
 .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); color: #eee; }
 a:focus-visible, button:focus-visible, input:focus-visible, div:focus-visible, summary:focus-visible { outline: 3px solid #0b5394; }
 .scroll { overflow-x: auto; width: 120px; white-space: nowrap; }
</style></head>
<body>
<a class="skip" href="#main">Skip to the week</a>
<nav><a href="/week">Week</a> <a href="/scene/12">Scene 12</a></nav>
<main id="main">
 <h1>The week</h1>
 <h2>Monday</h2>
 <p class="quiet">Call 07:00</p>
 <p class="big">Scene 12</p>
 <span class="tag">ready</span>
 <span class="sr">hidden helper text</span>
 <h3>Scene 12</h3>
 <svg role="img" width="40" height="10"><title>Rider timeline</title><rect width="40" height="10" fill="#0b5394"/></svg>
 <svg aria-hidden="true" width="10" height="10"><circle r="5" cx="5" cy="5"/></svg>
 <img src="data:," alt="">
 <div class="scroll"><table><tr><td>Scene</td><td>12</td><td>a long line that does not fit in the box</td></tr></table></div>
 <details><summary>More</summary><a href="/more">a link inside</a><p class="quiet" style="color:#ccc">folded away</p></details>
 <form><label for="q">Search</label> <input id="q"> <button>Go</button></form>
 <h2>Tuesday</h2>
</main>
</body></html>`

func checkPage(t *testing.T, html string) Report {
	t.Helper()
	ctx := New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(page(t, html))); err != nil {
		t.Fatal(err)
	}
	rep, err := Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", rep.Summary())
	for _, f := range rep.Findings {
		t.Logf("%s", f)
	}
	return rep
}

func TestCheckPassesAGoodPage(t *testing.T) {
	rep := checkPage(t, goodPage)
	if len(rep.Findings) != 0 {
		t.Errorf("a page that meets the checks got %d findings", len(rep.Findings))
	}
	// The check looked at the page: it is not passing an empty one.
	if rep.TextElements < 10 || rep.Named != 8 || rep.Focusable != 7 {
		t.Errorf("checked %d text elements, %d names, %d focusable; want at least 10, and exactly 8 and 7 (what a closed details holds is not counted)", rep.TextElements, rep.Named, rep.Focusable)
	}
	// Closest to its threshold is the large grey text: #767676 on white,
	// 4.54:1 where 3:1 is needed (the grey call time is 7.00:1 of 4.5:1).
	if !strings.HasPrefix(rep.Lowest, "4.54:1 (needs 3:1) at p.big") {
		t.Errorf("lowest contrast %q; want 4.54:1 at p.big", rep.Lowest)
	}
	if len(rep.TabOrder) != 7 || !strings.Contains(rep.TabOrder[0], "Skip to the week") || !strings.Contains(rep.TabOrder[3], "div.scroll") || !strings.Contains(rep.TabOrder[4], "summary") || !strings.Contains(rep.TabOrder[6], "Go") {
		t.Errorf("Tab order %q; want the skip link first, the scrolling box fourth, the closed details' summary fifth and the button last", rep.TabOrder)
	}
}

// Each bad page breaks one rule, and the check says which, where.
func TestCheckFindsEachFault(t *testing.T) {
	cases := []struct {
		name     string
		old, new string // the change to goodPage
		check    string
		want     string // in the finding's element or detail
	}{
		{"grey text too light", `.quiet { color: #595959; }`, `.quiet { color: #999999; }`, "contrast", "ratio 2.85:1, needs 4.5:1"},
		{"large text below 3:1", `.big { font-size: 24px; color: #767676; }`, `.big { font-size: 24px; color: #aaaaaa; }`, "contrast", "needs 3:1 (large text 24px"},
		{"text smaller than large needs 4.5", `.big { font-size: 24px; color: #767676; }`, `.big { font-size: 18px; color: #808080; }`, "contrast", "ratio 3.95:1, needs 4.5:1 (normal text 18px"},
		{"white on a light badge", `.tag { background: #0b5394; color: #fff; }`, `.tag { background: #7fb3e6; color: #fff; }`, "contrast", "span.tag \"ready\""},
		{"translucent text", `.quiet { color: #595959; }`, `.quiet { color: rgba(89, 89, 89, 0.5); }`, "contrast", "p.quiet"},
		{"gradient behind text", `.tag { background: #0b5394; color: #fff; }`, `.tag { background: linear-gradient(#000, #fff); color: #fff; }`, "contrast", "check by hand"},
		{"input without a label", `<label for="q">Search</label>`, `<span>Search</span>`, "labels", "input#q"},
		{"empty button", `<button>Go</button>`, `<button></button>`, "labels", "button"},
		{"link with only an unnamed svg", `<a href="/week">Week</a>`, `<a href="/week"><svg width="5" height="5"></svg></a>`, "labels", "a"},
		{"img without alt", `<img src="data:," alt="">`, `<img src="data:,">`, "labels", "image has no alt"},
		{"svg without a name", `<svg role="img" width="40" height="10"><title>Rider timeline</title>`, `<svg width="40" height="10">`, "labels", "svg needs role=img"},
		{"no lang", `<html lang="en">`, `<html>`, "structure", "lang"},
		{"two h1", `<h2>Tuesday</h2>`, `<h1>Tuesday</h1>`, "structure", "2 h1 headings"},
		{"skipped level", `<h3>Scene 12</h3>`, `<h4>Scene 12</h4>`, "structure", "h4 follows h2"},
		{"no skip link", `<a class="skip" href="#main">Skip to the week</a>`, ``, "keyboard", "not a skip link"},
		{"focus outline removed", `a:focus-visible, button:focus-visible, input:focus-visible, div:focus-visible, summary:focus-visible { outline: 3px solid #0b5394; }`, `*:focus { outline: none; }`, "keyboard", "no visible focus"},
		{"positive tabindex", `<button>Go</button>`, `<button tabindex="1">Go</button>`, "keyboard", "out of order"},
		{"a click-only control", `<a href="/scene/12">Scene 12</a>`, `<a href="/scene/12">Scene 12</a> <span role="button" onclick="">Open</span>`, "keyboard", "span \"Open\": never reached"},
		{"a link taken out of the Tab order", `<a href="/week">Week</a>`, `<a href="/week" tabindex="-1">Week</a>`, "keyboard", "a \"Week\": never reached"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if !strings.Contains(goodPage, c.old) {
				t.Fatalf("the good page has no %q to change", c.old)
			}
			rep := checkPage(t, strings.Replace(goodPage, c.old, c.new, 1))
			for _, f := range rep.Findings {
				if f.Check == c.check && strings.Contains(f.String(), c.want) {
					return
				}
			}
			t.Errorf("no %s finding with %q among %d: %v", c.check, c.want, len(rep.Findings), rep.Findings)
		})
	}
}
