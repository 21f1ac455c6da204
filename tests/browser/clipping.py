"""Finding text a reader can't read in full: clipped by its box or an ancestor, or cut short with
an ellipsis and no tooltip giving the whole of it.

`clipped_texts(locator)` runs in the page on one element (a Lab) and returns the offenders as
dicts: `kind` (html, select, placeholder, plotly, graph), `text`, `why` and `where` (the classes
of the element holding it).
"""

from __future__ import annotations

CLIPPED_TEXTS_JS = r"""
(root) => {
  const out = [];
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const name = a => a.tagName.toLowerCase() + (a.classList.length ? "." + [...a.classList].join(".") : "");
  const where = e => {
    const p = [];
    for (let a = e, i = 0; a && i < 4; a = a.parentElement, i++) p.push(name(a));
    return p.join(" < ");
  };
  const px = v => v.toFixed(0);
  // "abc…xyz" is given in full by a title holding "abc" and "xyz".
  const covers = (title, text) => {
    const parts = text.split(/…|\.\.\./).map(norm).filter(Boolean);
    return parts.length > 0 && parts.every(p => title.includes(p));
  };
  // The element, or an ancestor within 2 levels, has a title giving the full text.
  const titled = (e, text) => {
    for (let a = e, i = 0; a && i < 3; a = a.parentElement, i++) {
      const t = norm(a.getAttribute && a.getAttribute("title"));
      if (t && covers(t, text)) return true;
    }
    return false;
  };
  const shown = e => {
    if (!e.getClientRects().length) return false;
    const cs = getComputedStyle(e);
    return cs.visibility !== "hidden" && cs.display !== "none" && parseFloat(cs.opacity) > 0;
  };
  const add = (kind, e, text, why) => out.push({ kind, text, why, where: where(e) });
  const ellipsised = text => /(…|\.\.\.)$/.test(text);

  // ---- HTML text: each text node against its element and the ancestors that clip it.
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = norm(n.textContent);
    const e = n.parentElement;
    if (!text || !e || e.closest("svg, script, style, option, select, .modebar, .hoverlayer")) continue;
    if (!shown(e)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    let why = "";
    for (let a = e; a && a !== document.body && !why; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.display === "inline" || cs.display === "contents") continue;  // overflow does not apply
      const ox = cs.overflowX, oy = cs.overflowY;
      if (ox === "auto" || ox === "scroll" || oy === "auto" || oy === "scroll") break;  // reachable by scrolling
      if (ox === "hidden" || ox === "clip") {
        if (a.scrollWidth > a.clientWidth + 1 && a === e)
          why = `scrollWidth ${a.scrollWidth} > clientWidth ${a.clientWidth}`;
        const b = a.getBoundingClientRect(), left = b.left + a.clientLeft, right = left + a.clientWidth;
        if (!why && (r.right > right + 1 || r.left < left - 1))
          why = `text ${px(r.left)}..${px(r.right)} px beyond ${name(a)} ${px(left)}..${px(right)}`;
      }
      if (!why && (oy === "hidden" || oy === "clip")) {
        const b = a.getBoundingClientRect(), top = b.top + a.clientTop, bottom = top + a.clientHeight;
        if (r.bottom > bottom + 1 || r.top < top - 1)
          why = `text ${px(r.top)}..${px(r.bottom)} px outside ${name(a)} rows ${px(top)}..${px(bottom)}`;
      }
    }
    if (!why && ellipsised(text)) why = "ends with an ellipsis";
    if (why && !titled(e, text)) add("html", e, text, why);
  }

  // ---- The option a <select> shows, and placeholders, measured in their own font.
  const ctx = document.createElement("canvas").getContext("2d");
  const room = e => { const cs = getComputedStyle(e);
    return e.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); };
  for (const s of root.querySelectorAll("select")) {
    if (!shown(s) || s.multiple || s.size > 1) continue;
    const o = s.selectedOptions[0];
    if (!o) continue;
    const text = norm(o.text);
    ctx.font = getComputedStyle(s).font;
    const w = ctx.measureText(text).width;
    // A drop-down's own arrow takes about 16 px where the style leaves no padding for it.
    const arrow = parseFloat(getComputedStyle(s).paddingRight) >= 12 ? 0 : 16;
    if (w > room(s) - arrow + 1 && !titled(s, text))
      add("select", s, text, `shown option needs ${w.toFixed(0)} px, has ${(room(s) - arrow).toFixed(0)}`);
  }
  for (const i of root.querySelectorAll("input[placeholder], textarea[placeholder]")) {
    const text = norm(i.placeholder);
    if (!text || i.value || !shown(i)) continue;
    ctx.font = getComputedStyle(i).font;
    const w = ctx.measureText(text).width;
    if (w > room(i) + 1 && !titled(i, text))
      add("placeholder", i, text, `placeholder needs ${w.toFixed(0)} px, has ${room(i).toFixed(0)}`);
  }

  // ---- SVG text: within its svg and the clip paths around it; an ellipsis needs a <title>.
  const clipRect = a => {
    const ref = a.getAttribute("clip-path") || a.style.clipPath || "";
    const m = /#([^'")\s]+)/.exec(ref);
    const cp = m && document.getElementById(m[1]);
    const shape = cp && cp.querySelector("rect");
    const ctm = a.getScreenCTM && a.getScreenCTM();
    if (!shape || !ctm) return null;
    const x = +shape.getAttribute("x") || 0, y = +shape.getAttribute("y") || 0;
    const w = +shape.getAttribute("width") || 0, h = +shape.getAttribute("height") || 0;
    const p = new DOMPoint(x, y).matrixTransform(ctm), q = new DOMPoint(x + w, y + h).matrixTransform(ctm);
    return { left: Math.min(p.x, q.x), right: Math.max(p.x, q.x), top: Math.min(p.y, q.y), bottom: Math.max(p.y, q.y) };
  };
  const outside = (r, b) => r.left < b.left - 1 || r.right > b.right + 1
    || r.top < b.top - 1 || r.bottom > b.bottom + 1;
  const box = (r) => `${r.left.toFixed(0)},${r.top.toFixed(0)}..${r.right.toFixed(0)},${r.bottom.toFixed(0)}`;

  for (const plot of root.querySelectorAll(".js-plotly-plot")) {
    if (!shown(plot)) continue;
    for (const t of plot.querySelectorAll("svg text")) {
      const text = norm(t.textContent);
      if (!text || t.closest(".hoverlayer, .modebar, .draglayer") || !shown(t)) continue;
      const r = t.getBoundingClientRect();
      if (!r.width) continue;
      const kind = [...t.classList].join(".") || t.parentElement.getAttribute("class") || "text";
      let why = "";
      const svg = t.ownerSVGElement.getBoundingClientRect();
      if (outside(r, svg)) why = `${kind} ${box(r)} outside its svg ${box(svg)}`;
      for (let a = t; a && a !== t.ownerSVGElement && !why; a = a.parentElement) {
        const c = clipRect(a);
        if (c && outside(r, c)) why = `${kind} ${box(r)} outside its clip path ${box(c)}`;
      }
      if (!why && ellipsised(text)) why = `${kind} ends with an ellipsis`;
      if (why) add("plotly", t, text, why);
    }
    // A title lying over tick labels, a legend or an axis title can't be read either.
    const texts = [...plot.querySelectorAll("svg text")].filter(t => norm(t.textContent) && shown(t)
      && !t.closest(".hoverlayer, .modebar, .draglayer") && t.getBoundingClientRect().width);
    for (const t of texts.filter(t => t.classList.contains("gtitle"))) {
      const r = t.getBoundingClientRect();
      for (const o of texts) {
        if (o === t) continue;
        const q = o.getBoundingClientRect();
        const w = Math.min(r.right, q.right) - Math.max(r.left, q.left);
        const h = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
        if (w > 1 && h > 1) add("plotly", t, norm(t.textContent), `the title lies over '${norm(o.textContent)}'`);
      }
    }
  }

  for (const item of root.querySelectorAll(".trtlab-graph .tg-item")) {
    if (!shown(item)) continue;
    const rect = item.querySelector(":scope > .tg-box");
    const title = norm((item.querySelector(":scope > title") || {}).textContent);
    const w = +rect.getAttribute("width"), h = +rect.getAttribute("height");
    for (const t of item.querySelectorAll(":scope > text, :scope > .tg-head > text")) {
      const text = norm(t.textContent);
      if (!text) continue;
      const b = t.getBBox();  // in the item's own coordinates, whatever the pan and zoom
      let why = "";
      if (b.x < -1 || b.x + b.width > w + 1 || b.y < -1 || b.y + b.height > h + 1)
        why = `label ${b.x.toFixed(0)}..${(b.x + b.width).toFixed(0)} px in a box 0..${w.toFixed(0)} wide`;
      else if (text.includes("…") && !covers(title, text.replace(/^[▸▾] /, "")))
        why = "shortened with an ellipsis, and the box's <title> does not give it in full";
      if (why) add("graph", t, text, why);
    }
  }
  return out;
}
"""


def clipped_texts(locator) -> list[dict]:
    """The texts inside the element `locator` points to that can't be read in full."""
    return locator.evaluate(CLIPPED_TEXTS_JS)
