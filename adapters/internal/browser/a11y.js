// The accessibility checks that read the rendered page: contrast, names of
// controls and images, the document's language, title and headings. The
// keyboard check is driven from Go with real key presses and uses
// focusPrepare and focusState below. Every function returns plain data, so
// that chromedp hands it back to Go by value.
(() => {
  const describe = (el) => {
    if (!el || !el.tagName) return String(el);
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean);
    if (cls.length) s += "." + cls.slice(0, 3).join(".");
    const text = (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
    if (text) s += ' "' + (text.length > 40 ? text.slice(0, 40) + "…" : text) + '"';
    return s;
  };

  // A colour as computed by the browser: rgb() or rgba(), or null when it
  // is in a form this check does not read.
  const parse = (c) => {
    if (!c) return null;
    if (c === "transparent") return [0, 0, 0, 0];
    const m = c.match(/^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?\s*\)$/);
    if (!m) return null;
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[5] === "%") a /= 100;
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a];
  };
  // over puts colour top (with its alpha) over an opaque colour bottom.
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  // WCAG 2.1 relative luminance and contrast ratio.
  const lum = (c) => {
    const ch = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
  };
  const ratio = (a, b) => {
    const la = lum(a), lb = lum(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  };

  const hidden = (el) => {
    // checkVisibility sees what the loop below does not: the content of a
    // closed <details>, which the browser keeps laid out but not shown.
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: false })) return true;
    const closed = el.closest("details:not([open])");
    if (closed && !(el.closest("summary") && el.closest("summary").parentElement === closed)) return true;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === "none" || cs.visibility === "hidden" || cs.visibility === "collapse") return true;
    }
    return el.getClientRects().length === 0;
  };
  // Text a sighted reader cannot see at all (the usual visually-hidden
  // pattern: clipped to a pixel) has no contrast to check.
  const clipped = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const r = e.getBoundingClientRect();
      const cs = getComputedStyle(e);
      if (cs.overflow === "hidden" && r.width <= 1 && r.height <= 1) return true;
      if (cs.clip && cs.clip.replace(/\s/g, "") === "rect(0px,0px,0px,0px)") return true;
      if (cs.clipPath === "inset(50%)" || cs.clipPath === "inset(100%)") return true;
    }
    return false;
  };

  // The colour behind el: its own and its ancestors' backgrounds laid over
  // each other down to the first opaque one, on a white canvas. An image or
  // gradient on the way makes the answer unknown.
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.backgroundImage && cs.backgroundImage !== "none") return { image: describe(e) };
      const c = parse(cs.backgroundColor);
      if (!c) return { unparsed: cs.backgroundColor };
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return { color: bg };
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };

  const contrast = () => {
    const findings = [];
    const seen = new Set();
    let checked = 0;
    let lowest = null; // the text closest to its threshold
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.nodeValue.trim()) continue;
      const el = n.parentElement;
      if (!el || seen.has(el)) continue;
      seen.add(el);
      if (el.closest("script,style,noscript,template,title,option")) continue;
      if (hidden(el) || clipped(el)) continue;
      const cs = getComputedStyle(el);
      const svg = el instanceof SVGElement;
      const fgText = svg ? cs.fill : cs.color;
      let fg = parse(fgText);
      if (!fg) {
        findings.push({ check: "contrast", element: describe(el), detail: "text colour " + fgText + " not read: check by hand" });
        continue;
      }
      const bg = background(svg ? el.closest("svg").parentElement : el);
      if (bg.image) {
        findings.push({ check: "contrast", element: describe(el), detail: "text over a background image or gradient (on " + bg.image + "): check by hand" });
        continue;
      }
      if (bg.unparsed) {
        findings.push({ check: "contrast", element: describe(el), detail: "background colour " + bg.unparsed + " not read: check by hand" });
        continue;
      }
      fg = [fg[0], fg[1], fg[2], fg[3] * opacity(el)];
      const r = ratio(over(fg, bg.color), bg.color);
      const size = parseFloat(cs.fontSize);
      const bold = parseInt(cs.fontWeight, 10) >= 700;
      const large = size >= 24 || (size >= 18.66 && bold);
      const need = large ? 3 : 4.5;
      checked++;
      if (!lowest || r / need < lowest.margin) {
        lowest = { margin: r / need, text: `${r.toFixed(2)}:1 (needs ${need}:1) at ${describe(el)}` };
      }
      if (r + 1e-9 < need) {
        findings.push({
          check: "contrast",
          element: describe(el),
          detail: `ratio ${r.toFixed(2)}:1, needs ${need}:1 (${large ? "large" : "normal"} text ${size}px${bold ? " bold" : ""}; ${fgText} on rgb(${bg.color.slice(0, 3).map(Math.round).join(", ")}))`,
        });
      }
    }
    return { findings, checked, lowest: lowest ? lowest.text : "" };
  };

  const textOf = (el) => (el.innerText || el.textContent || "").trim();
  const byIDs = (ids) =>
    ids.split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)).filter(Boolean).map(textOf).join(" ").trim();
  const imageName = (el) => {
    if (el.tagName.toLowerCase() === "img") return (el.getAttribute("alt") || "").trim();
    const t = el.querySelector(":scope > title");
    return (el.getAttribute("aria-label") || "").trim() || byIDs(el.getAttribute("aria-labelledby") || "") || (t ? t.textContent.trim() : "");
  };
  // The accessible name of a control or link, from the sources WCAG's
  // techniques name: aria-labelledby, aria-label, a label, its own text
  // (with the alt text of images inside it), a button's value.
  const nameOf = (el) => {
    const lb = el.getAttribute("aria-labelledby");
    if (lb && byIDs(lb)) return byIDs(lb);
    const al = (el.getAttribute("aria-label") || "").trim();
    if (al) return al;
    if (el.labels && el.labels.length) {
      const t = Array.from(el.labels).map(textOf).join(" ").trim();
      if (t) return t;
    }
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (tag === "input" && ["submit", "button", "reset"].includes(type)) return (el.value || "").trim();
    if (tag === "input" && type === "image") return (el.getAttribute("alt") || "").trim();
    if (tag === "button" || tag === "a" || tag === "summary" || el.matches(widgets)) {
      let t = textOf(el);
      el.querySelectorAll("img[alt], svg").forEach((i) => (t += " " + imageName(i)));
      return t.trim();
    }
    return "";
  };

  const labels = () => {
    const findings = [];
    let checked = 0;
    for (const el of document.querySelectorAll("input, select, textarea, button, a[href], summary, " + widgets)) {
      if (el.matches("input[type=hidden]") || hidden(el)) continue;
      checked++;
      if (!nameOf(el)) findings.push({ check: "labels", element: describe(el), detail: "has no accessible name (label, aria-label, aria-labelledby or text)" });
    }
    for (const el of document.querySelectorAll("img, svg")) {
      if (el.closest("[aria-hidden=true]")) continue;
      if (el.tagName.toLowerCase() === "svg" && el.parentElement && el.parentElement.closest("svg")) continue;
      checked++;
      if (el.tagName.toLowerCase() === "img") {
        if (!el.hasAttribute("alt") && !["presentation", "none"].includes(el.getAttribute("role"))) {
          findings.push({ check: "labels", element: describe(el), detail: "image has no alt attribute (alt=\"\" if it is decoration)" });
        }
        continue;
      }
      const role = el.getAttribute("role");
      if (role === "presentation" || role === "none") continue;
      if (role !== "img" || !imageName(el)) {
        findings.push({ check: "labels", element: describe(el), detail: "svg needs role=img and a title or aria-label, or aria-hidden=true" });
      }
    }
    return { findings, checked };
  };

  const structure = () => {
    const findings = [];
    const lang = (document.documentElement.getAttribute("lang") || "").trim();
    if (!lang) findings.push({ check: "structure", element: "html", detail: "the lang attribute is missing" });
    if (!document.title.trim()) findings.push({ check: "structure", element: "title", detail: "the page has no title" });
    const hs = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6")).filter((h) => !hidden(h));
    const h1 = hs.filter((h) => h.tagName === "H1").length;
    if (h1 !== 1) findings.push({ check: "structure", element: "h1", detail: `the page has ${h1} h1 headings, want exactly one` });
    let prev = 0;
    for (const h of hs) {
      const level = parseInt(h.tagName.slice(1), 10);
      if (prev === 0 && level !== 1) findings.push({ check: "structure", element: describe(h), detail: `the first heading is h${level}, want h1` });
      else if (prev && level > prev + 1) findings.push({ check: "structure", element: describe(h), detail: `h${level} follows h${prev}: a heading level is skipped` });
      prev = level;
    }
    return { findings, checked: hs.length + 2 };
  };

  // The elements a keyboard user should reach with Tab, in the order they
  // should reach them: the document's order, as no page here sets a
  // positive tabindex (one that does is reported).
  const widgets = "[role=button], [role=link], [role=checkbox], [role=tab], [role=menuitem], [role=switch]";
  const focusables = () =>
    Array.from(
      document.querySelectorAll(
        "a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable=true], " + widgets
      )
    ).filter((el) => {
      if (el.disabled || el.matches("input[type=hidden]")) return false;
      if (el.closest("[inert]")) return false;
      const ti = el.getAttribute("tabindex");
      // A link or a control taken out of the Tab order is still one a
      // keyboard user needs; any other element with tabindex=-1 is only
      // focusable from script.
      if (ti !== null && parseInt(ti, 10) < 0 && !el.matches("a[href], button, input, select, textarea, summary, " + widgets)) return false;
      if (el.tagName === "SUMMARY" && el.parentElement.tagName !== "DETAILS") return false;
      return !hidden(el);
    });
  // Chromium puts a scrolled box on the Tab order when nothing in it can
  // take the focus, so that a keyboard can scroll it: a wide table in a
  // scrolling box on a phone, say. Such a box is expected where it falls.
  const scrollers = () =>
    Array.from(document.body.querySelectorAll("*")).filter((el) => {
      const cs = getComputedStyle(el);
      const scrolls =
        (/(auto|scroll)/.test(cs.overflowX) && el.scrollWidth > el.clientWidth) ||
        (/(auto|scroll)/.test(cs.overflowY) && el.scrollHeight > el.clientHeight);
      return scrolls && !hidden(el) && !el.querySelector("a[href], button, input, select, textarea, summary, [tabindex]");
    });
  const tabbable = () => {
    const all = new Set(focusables().concat(scrollers()));
    return Array.from(document.body.querySelectorAll("*")).filter((el) => all.has(el));
  };
  const focusStyle = (el) => {
    const cs = getComputedStyle(el);
    return { outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`, outlineOn: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0, shadow: cs.boxShadow };
  };

  // focusPrepare notes every focusable element and how it looks unfocused,
  // and reports what the Tab order must be. It runs on a fresh page.
  const focusPrepare = () => {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    const els = tabbable();
    const base = els.map(focusStyle);
    window.__icbotFocus = { els, base };
    const findings = [];
    els.forEach((el) => {
      const ti = el.getAttribute("tabindex");
      if (ti !== null && parseInt(ti, 10) > 0) findings.push({ check: "keyboard", element: describe(el), detail: `tabindex=${ti} changes the order from the document's` });
    });
    const first = els[0];
    let skip = false;
    if (first && first.tagName === "A") {
      const href = first.getAttribute("href") || "";
      skip = href.length > 1 && href[0] === "#" && !!document.getElementById(decodeURIComponent(href.slice(1)));
    }
    if (!skip) findings.push({ check: "keyboard", element: first ? describe(first) : "body", detail: "the first focusable element is not a skip link (a link to an id on the page)" });
    return { count: els.length, names: els.map(describe), findings };
  };

  // focusState says which element has the focus (its index among the noted
  // ones, or -1) and whether it looks different from when it had none.
  const focusState = () => {
    const f = window.__icbotFocus;
    const el = document.activeElement;
    const i = f.els.indexOf(el);
    const res = { index: i, element: describe(el), visible: false, style: "" };
    if (i < 0) return res;
    const now = focusStyle(el), was = f.base[i];
    res.visible = (now.outlineOn && now.outline !== was.outline) || (now.shadow !== "none" && now.shadow !== was.shadow);
    res.style = `outline ${now.outline}, box-shadow ${now.shadow}`;
    return res;
  };

  window.__icbotA11y = { contrast, labels, structure, focusPrepare, focusState };
  return true;
})();
