"""A compact, static picture of a plan for notebooks: the before- and after-graphs with every
group closed, drawn from the same hierarchy and layout as the graph widget, laid out left to right
at the text's own size, a long chain in rows as text wraps (never clipped, never wider than the
output).

    html = compact_graph_html(plan)
"""

from __future__ import annotations

import html as _html
from typing import TYPE_CHECKING

from ..words import counted
from .hierarchy import model_hierarchy, plan_hierarchy
from .layout import GraphLayout
from .overlays import node_data, paint

if TYPE_CHECKING:
    from ..plan import Plan


# A row of a drawing laid out left to right: narrow enough for a notebook's output area at 1280 px,
# so that its text shows at its own size (10 px and up) instead of shrunk to fit.
ROW_PX = 720


def layout_svg(graph: dict, styles: dict, *, row_px: int = ROW_PX) -> str:
    """SVG of a layout (from `GraphLayout.layout`) at its own size, never wider than its container
    (shrunk only where the container is narrower than a row). A left-to-right layout wider than
    `row_px` is shown in rows, one under the other, cut between boxes, as text wraps."""
    w, h = graph["width"] + 8, graph["height"] + 8
    body = _body(graph, styles)
    rows = _rows(graph, row_px) if graph.get("rankdir") == "LR" else [(-4.0, w - 4.0)]
    return "\n".join(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{x0:.0f} -4 {x1 - x0:.0f} {h:.0f}" '
        f'style="width:100%;max-width:{x1 - x0:.0f}px;height:auto;display:block;margin-bottom:6px" '
        'preserveAspectRatio="xMinYMin meet" '
        f'font-family="Helvetica,Arial,sans-serif" class="trtlab-compact-graph">{body}</svg>'
        for x0, x1 in rows)


# At a cut, a row shows this much of the edge that leaves its last box and the next row this
# much of the edge (with its arrowhead) that enters its first: the reader sees the graph go on.
CUT_STUB = 16


def _rows(graph: dict, row_px: int) -> list[tuple[float, float]]:
    """x ranges of the rows: each cut in a gap between boxes, as wide as `row_px` allows (a box
    wider than that is a row of its own). The edge across a gap shows as a stub leaving one row
    and an arrow entering the next."""
    spans: list[list[float]] = []
    for a, b in sorted((i["x"], i["x"] + i["w"]) for i in graph["items"]):
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    if not spans:
        return [(-4.0, graph["width"] + 4.0)]
    rows, start = [], spans[0][0] - 4
    for (_, prev_end), (a, b) in zip(spans, spans[1:]):
        if b + CUT_STUB - start > row_px:
            stub = max(4.0, min(CUT_STUB, (a - prev_end) / 2))
            rows.append((start, prev_end + stub))
            start = a - stub
    rows.append((start, spans[-1][1] + 4))
    return rows


def _body(graph: dict, styles: dict) -> str:
    out = ['<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0 0L10 5L0 10z" fill="#666"/></marker></defs>']
    boxes = {i["id"]: i for i in graph["items"]}
    for e in graph["edges"]:
        p = e["points"]
        if p:
            d = f"M{p[0][0]},{p[0][1]}" + "".join(
                f" C{p[i][0]},{p[i][1]} {p[i + 1][0]},{p[i + 1][1]} {p[i + 2][0]},{p[i + 2][1]}"
                for i in range(1, len(p) - 2, 3))
        else:
            a, b = boxes.get(e["from"]), boxes.get(e["to"])
            if a is None or b is None:
                continue
            if graph.get("rankdir") == "LR":
                x1, y1, x2, y2 = a["x"] + a["w"], a["y"] + a["h"] / 2, b["x"], b["y"] + b["h"] / 2
                d = f"M{x1},{y1} C{x1 + 30},{y1} {x2 - 30},{y2} {x2},{y2}"
            else:
                x1, y1, x2, y2 = a["x"] + a["w"] / 2, a["y"] + a["h"], b["x"] + b["w"] / 2, b["y"]
                d = f"M{x1},{y1} C{x1},{y1 + 30} {x2},{y2 - 30} {x2},{y2}"
        out.append(f'<path d="{d}" fill="none" stroke="#777" stroke-width="1.2" marker-end="url(#a)"/>')
    for it in graph["items"]:
        s = styles.get(it["id"], {})
        fill = s.get("fill", "#cfe2f3" if it["kind"] in ("input", "output") else "#f7f7f7")
        tip = _html.escape(it["title"] + (f"\n{s['tip']}" if s.get("tip") else ""))
        out.append(f'<g transform="translate({it["x"]},{it["y"]})" data-id="{_html.escape(it["id"], quote=True)}">'
                   f'<title>{tip}</title><rect width="{it["w"]}" height="{it["h"]}" rx="4" fill="{fill}" '
                   f'stroke="#555" stroke-width="{2 if it["kind"] == "group" else 1}"/>')
        for k, line in enumerate(it["lines"]):
            size, weight = (12, "bold") if k == 0 else (10, "normal")
            out.append(f'<text x="{it["w"] / 2}" y="{16 + 14 * k}" text-anchor="middle" font-size="{size}" '
                       f'font-weight="{weight}">{_html.escape(line)}</text>')
        x, total = 6.0, sum(n for _, n in s.get("mix", [])) or 1
        for colour, n in s.get("mix", []):
            width = (it["w"] - 12) * n / total
            out.append(f'<rect x="{x:.1f}" y="{it["h"] - 12}" width="{width:.1f}" height="6" fill="{colour}"/>')
            x += width
        out.append("</g>")
    return "\n".join(out)


def _legend_html(legend: list) -> str:
    return "".join(f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:10px">'
                   f'<span style="width:12px;height:12px;border:1px solid #888;background:{c}"></span>'
                   f"{_html.escape(label)}</span>" for c, label in legend)


def compact_graph_html(plan: "Plan", *, sides: tuple = ("before", "after"), overlay: str = "coverage",
                       values: dict | None = None) -> str:
    """Before and after graphs of `plan` (or the `sides` asked for), groups closed, one above the
    other, each laid out left to right in rows (`layout_svg`), its text at its own size, coloured
    by `overlay` (with per-node `values` for it: see `trtlab.views.overlays.node_data`)."""
    model = plan.model
    data = node_data(model, plan, **(values or {}))
    parts, legend = [], []
    drawn = {"before": (f"{model.name}: before", lambda: model_hierarchy(model)),
             "after": (f"after: {counted(plan.engine_count, 'TensorRT engine')}",
                       lambda: plan_hierarchy(plan))}
    for title, hierarchy in ((drawn[side][0], drawn[side][1]()) for side in sides):
        graph = GraphLayout(hierarchy, rankdir="LR").layout()
        items = {i["id"]: hierarchy.members(i["id"]) for i in graph["items"] if i["kind"] in ("node", "group")}
        styles, legend_part = paint(data, overlay, items)
        legend += [x for x in legend_part if x not in legend]
        parts.append(f'<div style="min-width:0;margin-bottom:6px"><div style="font-weight:bold;overflow-wrap:anywhere">'
                     f"{_html.escape(title)}</div>{layout_svg(graph, styles)}</div>")
    return (f'<div class="trtlab-compact" style="max-width:100%;font-family:Helvetica,Arial,sans-serif;font-size:12px">'
            f'<div style="display:flex;flex-wrap:wrap;gap:2px 0;margin-bottom:4px">{_legend_html(legend)}</div>'
            f'<div style="width:100%">{"".join(parts)}</div></div>')
