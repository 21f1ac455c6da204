"""What a reader can't see in an output, measured in the page: anything wider than its output
area, graph text smaller than 9 CSS px at first view, rows hidden in a scroll box.

`layout_problems(locator)` runs on one element (an output area, a report's body) and returns the
offenders as dicts: `kind` (wide, tiny, scrollbox), `what` (the element or text) and `why`.
"""

from __future__ import annotations

MIN_TEXT_PX = 9

LAYOUT_PROBLEMS_JS = r"""
([root, minPx]) => {
  const out = [];
  const name = a => a.tagName.toLowerCase() + (a.classList && a.classList.length
    ? "." + [...a.classList].slice(0, 3).join(".") : "");
  const shown = e => {
    if (!e.getClientRects().length) return false;
    const cs = getComputedStyle(e);
    return cs.visibility !== "hidden" && cs.display !== "none";
  };
  const area = root.getBoundingClientRect();
  const add = (kind, e, why) => out.push({ kind, what: name(e), text: (e.textContent || "").trim().slice(0, 60), why });
  // The graph widget's frame pans its drawing: what lies outside it is reached by dragging.
  const panned = e => e.closest(".tg-frame") && !e.classList.contains("tg-frame");
  // ---- Wider than the area (or left of it).
  for (const e of root.querySelectorAll("*")) {
    // plotly measures text in an svg of its own far off the page (#js-plotly-tester).
    if (panned(e) || e.closest(".modebar, .hoverlayer, .plotly-notifier, #js-plotly-tester") || !shown(e)) continue;
    if (e.closest("svg") && e.tagName.toLowerCase() !== "svg") continue;  // the svg itself is measured
    const r = e.getBoundingClientRect();
    if (!r.width) continue;
    if (r.right > area.right + 1 || r.left < area.left - 1) {
      add("wide", e, `${r.left.toFixed(0)}..${r.right.toFixed(0)} px in an area ${area.left.toFixed(0)}..${area.right.toFixed(0)}`);
      continue;
    }
    const cs = getComputedStyle(e);
    const scrolls = v => v === "auto" || v === "scroll";
    if (scrolls(cs.overflowX) && e.scrollWidth > e.clientWidth + 2)
      add("wide", e, `scrolls sideways: ${e.scrollWidth} px of content in ${e.clientWidth}`);
    if (scrolls(cs.overflowY) && e.scrollHeight > e.clientHeight + 2)
      add("scrollbox", e, `hides rows: ${e.scrollHeight} px of content in a box ${e.clientHeight} px tall`);
  }
  // An SVG shown as an <img> hides its text from these checks: graphs are inline SVG.
  for (const img of root.querySelectorAll("img")) {
    if (shown(img) && /^data:image\/svg|\.svg$/.test(img.getAttribute("src") || ""))
      add("image", img, "an SVG drawn as an image: its text can't be measured (show it as inline SVG)");
  }
  // ---- SVG text: its font size on screen (font-size times the drawing's scale).
  for (const t of root.querySelectorAll("svg text")) {
    if (t.closest(".modebar, .hoverlayer, .draglayer, #js-plotly-tester") || !shown(t) || !(t.textContent || "").trim()) continue;
    const r = t.getBoundingClientRect();
    if (!r.width) continue;
    const frame = t.closest(".tg-frame");
    if (frame) {  // only what the frame shows at first view counts
      const f = frame.getBoundingClientRect();
      if (r.right < f.left || r.left > f.right || r.bottom < f.top || r.top > f.bottom) continue;
    }
    const m = t.getScreenCTM();
    if (!m) continue;
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < minPx - 0.05) add("tiny", t, `text drawn ${px.toFixed(1)} px tall (font ${getComputedStyle(t).fontSize} at scale ${scale.toFixed(2)})`);
  }
  return out;
}
"""


def layout_problems(locator, min_px: float = MIN_TEXT_PX) -> list[dict]:
    """What inside the element `locator` points to is wider than it, too small to read, or hidden
    in a scroll box."""
    return locator.evaluate(f"(root) => ({LAYOUT_PROBLEMS_JS})([root, {min_px}])")
