// trtlab graph widget: draws the layout Python computed; pan, zoom, fit, search, select, open/close.
const NS = "http://www.w3.org/2000/svg";

function el(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function html(tag, cls, parent, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

function render({ model, el: root }) {
  root.classList.add("trtlab-graph");
  const uid = Math.random().toString(36).slice(2);
  const bar = html("div", "tg-bar", root);
  const title = html("span", "tg-title", bar);
  const fit = html("button", "tg-fit", bar, "fit");
  const zin = html("button", "tg-zoom-in", bar, "+");
  const zout = html("button", "tg-zoom-out", bar, "\u2212");
  fit.title = "fit the whole graph"; zin.title = "zoom in"; zout.title = "zoom out";
  const search = html("input", "tg-search", bar);
  search.type = "search";
  search.placeholder = "find: name, tensor or op";
  search.title = "whole names or parts of them (h.4 finds h.4.mlp/Add, Conv_45 not Conv_450); Enter: next match, Shift+Enter: previous";
  const regexLabel = html("label", "tg-regex-label", bar, ".*");
  const regex = html("input", "tg-regex", regexLabel);
  regex.type = "checkbox";
  regex.checked = model.get("regex");
  model.on("change:regex", () => { regex.checked = model.get("regex"); });
  regexLabel.title = "search with a regular expression (^Conv_4\\d$)";
  const prev = html("button", "tg-prev", bar, "\u25b2");
  const next = html("button", "tg-next", bar, "\u25bc");
  prev.title = "previous match"; next.title = "next match";
  const count = html("span", "tg-count", bar);
  const overlayLabel = html("label", "tg-overlay-label", bar, "colour by ");
  const overlay = html("select", "tg-overlay", overlayLabel);
  const legend = html("div", "tg-legend", root);
  const frame = html("div", "tg-frame", root);
  const svg = el("svg", { class: "tg-svg", width: "100%", height: "100%" }, frame);
  const defs = el("defs", {}, svg);
  const marker = el("marker", { id: "tg-arrow-" + uid, viewBox: "0 0 10 10", refX: "9", refY: "5",
    markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, defs);
  el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#666" }, marker);
  const world = el("g", { class: "tg-world" }, svg);
  const details = html("div", "tg-details", root);

  let view = { x: 0, y: 0, k: 1 };
  let graphId = null;
  let boxes = new Map();

  function apply() { world.setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`); }

  function size() {
    const r = frame.getBoundingClientRect();
    return { w: r.width || 600, h: r.height || model.get("height") };
  }

  function fitAll() {
    const g = model.get("graph");
    if (!g || !g.width) return;
    const { w, h } = size();
    const k = Math.min(w / (g.width + 20), h / (g.height + 20), 2);
    view = { k, x: (w - g.width * k) / 2, y: Math.max(4, (h - g.height * k) / 2) };
    apply();
  }

  // The first view of a graph: all of it where its smallest text (10 px) stays at least 9 px
  // tall; otherwise, as Netron opens a model, at scale 1 from its first input, and "fit" shows all.
  const READABLE = 0.9;
  function openView() {
    const g = model.get("graph");
    if (!g || !g.width) return;
    const { w, h } = size();
    const k = Math.min(w / (g.width + 20), h / (g.height + 20), 1);
    if (k >= READABLE) {
      view = { k, x: (w - g.width * k) / 2, y: Math.max(4, (h - g.height * k) / 2) };
      apply();
      return;
    }
    const lr = g.rankdir === "LR";
    const byStart = (a, b) => (lr ? a.x - b.x || a.y - b.y : a.y - b.y || a.x - b.x);
    const inputs = g.items.filter((i) => i.kind === "input").sort(byStart);
    const start = inputs[0] || g.items.slice().sort(byStart)[0] || { x: 0, y: 0, w: 0, h: 0 };
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    view = {
      k: 1,
      x: lr ? 10 - start.x : g.width + 20 <= w ? (w - g.width) / 2 : clamp(w / 2 - start.x - start.w / 2, w - g.width - 10, 10),
      y: lr ? clamp(h / 2 - start.y - start.h / 2, h - g.height - 10, 10) : 10 - start.y,
    };
    apply();
  }

  function centre(id) {
    const b = boxes.get(id);
    if (!b) return;
    const { w, h } = size();
    if (view.k < 0.6) view.k = Math.min(1, Math.max(view.k, 0.8));
    view.x = w / 2 - (b.x + b.w / 2) * view.k;
    view.y = h / 2 - (b.y + b.h / 2) * view.k;
    // A box taller or wider than the view: show its start (an opened group's title and first nodes).
    if (b.h * view.k > h - 20) view.y = 12 - b.y * view.k;
    if (b.w * view.k > w - 20) view.x = 12 - b.x * view.k;
    apply();
  }

  function zoomAt(factor, cx, cy) {
    const k = Math.min(8, Math.max(0.02, view.k * factor));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }

  function drawGraph() {
    const g = model.get("graph") || { items: [], edges: [] };
    world.replaceChildren();
    boxes = new Map();
    for (const it of g.items) boxes.set(it.id, it);
    const edges = el("g", { class: "tg-edges" }, world);
    const layer = el("g", { class: "tg-items" }, world);
    for (const it of g.items) {
      const grp = el("g", { class: `tg-item tg-${it.kind}`, "data-id": it.id, "data-name": it.name,
        transform: `translate(${it.x},${it.y})` }, layer);
      const tip = el("title", {}, grp);
      tip.textContent = it.title;
      const shape = it.kind === "input" || it.kind === "output" ? 12 : 4;
      el("rect", { class: "tg-box", width: it.w, height: it.h, rx: shape, ry: shape }, grp);
      if (it.kind === "open") {
        const head = el("g", { class: "tg-head" }, grp);
        el("rect", { class: "tg-head-band", width: it.w, height: 20, rx: 4, ry: 4 }, head);
        const t = el("text", { x: 8, y: 14, class: "tg-head-text", "data-room": it.w - 12 }, head);
        t.textContent = "\u25be " + it.lines[0];
        continue;
      }
      it.lines.forEach((line, i) => {
        const t = el("text", { x: it.w / 2, y: 16 + i * 14, "text-anchor": "middle",
          class: i === 0 ? "tg-l0" : "tg-l", "data-room": it.w - 6 }, grp);
        t.textContent = (it.kind === "group" && i === 0 ? "\u25b8 " : "") + line;
      });
      if (it.kind === "group") el("g", { class: "tg-mix", transform: `translate(6,${it.h - 12})` }, grp);
    }
    for (const e of g.edges) {
      let d;
      if (e.points && e.points.length) {
        const p = e.points;
        d = `M${p[0][0]},${p[0][1]}`;
        for (let i = 1; i + 2 < p.length; i += 3) {
          d += ` C${p[i][0]},${p[i][1]} ${p[i + 1][0]},${p[i + 1][1]} ${p[i + 2][0]},${p[i + 2][1]}`;
        }
      } else {
        const a = boxes.get(e.from), b = boxes.get(e.to);
        if (!a || !b) continue;
        const x1 = a.x + a.w / 2, y1 = a.y + a.h, x2 = b.x + b.w / 2, y2 = b.y;
        const dy = Math.max(30, Math.abs(y2 - y1) / 2);
        d = `M${x1},${y1} C${x1},${y1 + dy} ${x2},${y2 - dy} ${x2},${y2}`;
      }
      el("path", { d, class: e.points && e.points.length ? "tg-edge" : "tg-edge tg-cross",
        "marker-end": `url(#tg-arrow-${uid})` }, edges);
    }
    paint();
    marks();
    requestAnimationFrame(fitLabels);
    if (g.id !== graphId) { graphId = g.id; requestAnimationFrame(openView); }
  }

  function paint() {
    const styles = model.get("styles") || {};
    for (const grp of layer().children) {
      const id = grp.getAttribute("data-id");
      const s = styles[id];
      const box = grp.querySelector(".tg-box");
      if (box) box.style.fill = s ? s.fill : "";
      if (s && s.key) grp.setAttribute("data-status", s.key); else grp.removeAttribute("data-status");
      const tip = grp.querySelector("title");
      const it = boxes.get(id);
      if (tip && it) tip.textContent = it.title + (s && s.tip ? "\n" + s.tip : "");
      const mix = grp.querySelector(".tg-mix");
      if (mix && it) {
        mix.replaceChildren();
        const total = (s && s.mix ? s.mix : []).reduce((a, m) => a + m[1], 0) || 1;
        let x = 0;
        const width = it.w - 12;
        for (const [colour, n] of (s && s.mix) || []) {
          const w = (width * n) / total;
          el("rect", { x, y: 0, width: Math.max(w, 0.5), height: 6, fill: colour, class: "tg-mix-part" }, mix);
          x += w;
        }
      }
    }
    legend.replaceChildren();
    for (const [colour, label, tip] of model.get("legend") || []) {
      const item = html("span", "tg-legend-item", legend);
      if (tip) item.title = tip;
      const sw = html("span", "tg-swatch", item);
      sw.style.background = colour;
      html("span", "tg-legend-text", item, label);
    }
  }

  // Box widths come from an estimate of the text's width; where this browser's font draws a label
  // wider than its box, squeeze the label into the box (the box's <title> has it in full too).
  function fitLabels() {
    for (const t of world.querySelectorAll("text[data-room]")) {
      const used = t.getComputedTextLength();  // 0 while the graph is hidden: fitted when shown
      if (!used) continue;
      const room = +t.getAttribute("data-room");
      if (used > room) { t.setAttribute("textLength", room); t.setAttribute("lengthAdjust", "spacingAndGlyphs"); }
      t.removeAttribute("data-room");
    }
  }

  function layer() { return world.querySelector(".tg-items") || { children: [] }; }

  function marks() {
    const sel = model.get("selected");
    const hi = new Set(model.get("highlight") || []);
    const mk = new Set(model.get("marks") || []);
    const cur = model.get("matches")[model.get("match_index")];
    for (const grp of layer().children) {
      const id = grp.getAttribute("data-id");
      grp.classList.toggle("tg-selected", id === sel);
      grp.classList.toggle("tg-highlight", hi.has(id));
      grp.classList.toggle("tg-match", mk.has(id));
      grp.classList.toggle("tg-current", cur !== undefined && id === "n:" + cur);
    }
    const n = model.get("matches").length, i = model.get("match_index");
    const why = model.get("search_error");
    count.textContent = model.get("query") ? (n ? `${i + 1} of ${n}` : why ? "bad pattern" : "no match") : "";
    count.title = why || "";
  }

  function options() {
    overlay.replaceChildren();
    for (const [value, label] of model.get("overlays") || []) {
      const o = html("option", "", overlay, label);
      o.value = value;
    }
    overlay.value = model.get("overlay");
  }

  // ---- interaction
  let drag = null;
  svg.addEventListener("pointerdown", (ev) => {
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; apply(); }
  });
  svg.addEventListener("pointerup", (ev) => {
    const d = drag;
    drag = null;
    if (!d || d.moved) return;
    const target = document.elementFromPoint(ev.clientX, ev.clientY);
    const grp = target && target.closest ? target.closest(".tg-item") : null;
    if (!grp) return;
    const id = grp.getAttribute("data-id");
    const kind = grp.classList.contains("tg-open") ? "open" : grp.classList.contains("tg-group") ? "group" : "node";
    if (kind === "open" && !(target.closest(".tg-head"))) return;
    if (kind !== "node") model.send({ type: "toggle", id });
    model.set("selected", id);
    model.save_changes();
  });
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  fit.addEventListener("click", fitAll);
  zin.addEventListener("click", () => { const { w, h } = size(); zoomAt(1.25, w / 2, h / 2); });
  zout.addEventListener("click", () => { const { w, h } = size(); zoomAt(0.8, w / 2, h / 2); });
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => { model.set("query", search.value); model.save_changes(); }, 250);
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    clearTimeout(typing);
    if (search.value !== model.get("query")) { model.set("query", search.value); model.save_changes(); }
    else model.send({ type: "next", step: ev.shiftKey ? -1 : 1 });
  });
  regex.addEventListener("change", () => { model.set("regex", regex.checked); model.save_changes(); });
  next.addEventListener("click", () => model.send({ type: "next", step: 1 }));
  prev.addEventListener("click", () => model.send({ type: "next", step: -1 }));
  overlay.addEventListener("change", () => { model.set("overlay", overlay.value); model.save_changes(); });

  function setHeight() { frame.style.height = model.get("height") + "px"; }
  function setTitle() { title.textContent = model.get("title"); title.title = model.get("title"); }
  function setDetails() { details.innerHTML = model.get("details"); details.style.display = model.get("details") ? "" : "none"; }

  model.on("change:graph", drawGraph);
  model.on("change:styles", paint);
  model.on("change:legend", paint);
  for (const t of ["selected", "highlight", "marks", "matches", "match_index", "query", "search_error"]) model.on("change:" + t, marks);
  model.on("change:overlays", options);
  model.on("change:overlay", options);
  model.on("change:focus", () => requestAnimationFrame(() => centre((model.get("focus") || {}).id)));
  model.on("change:height", setHeight);
  model.on("change:title", setTitle);
  model.on("change:details", setDetails);
  setHeight(); setTitle(); setDetails(); options(); drawGraph();
  // The output area may get its width after the first draw: fit again once it is known.
  const ro = new ResizeObserver(() => { fitLabels(); if (!drag && view.k === view.k) fitAllOnce(); });
  let fitted = false;
  function fitAllOnce() { if (!fitted && frame.getBoundingClientRect().width > 0) { fitted = true; openView(); } }
  ro.observe(frame);
  return () => ro.disconnect();
}

export default { render };
