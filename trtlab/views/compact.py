"""A compact, static picture of a plan for notebooks: the before- and after-graphs with every
group closed, drawn from the same hierarchy and layout as the graph widget, laid out left to right, each scaled to the
output width (never clipped, never wider than the output) and at most `height` px tall.

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


def layout_svg(graph: dict, styles: dict, *, max_height: int | None = None) -> str:
    """An <svg> of a layout (from `GraphLayout.layout`) that shrinks to its container's width and
    never grows past its own size (a graph of three boxes stays three boxes tall)."""
    w, h = graph["width"] + 8, graph["height"] + 8
    cap = f"max-height:{max_height}px;" if max_height else ""
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 {w:.0f} {h:.0f}" '
           f'style="width:100%;max-width:{w:.0f}px;height:auto;{cap}display:block" '
           'preserveAspectRatio="xMidYMin meet" '
           f'font-family="Helvetica,Arial,sans-serif" class="trtlab-compact-graph">',
           '<defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
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
    out.append("</svg>")
    return "\n".join(out)


def _legend_html(legend: list) -> str:
    return "".join(f'<span style="display:inline-flex;align-items:center;gap:4px;margin-right:10px">'
                   f'<span style="width:12px;height:12px;border:1px solid #888;background:{c}"></span>'
                   f"{_html.escape(label)}</span>" for c, label in legend)


def compact_graph_html(plan: "Plan", *, height: int = 360, sides: tuple = ("before", "after")) -> str:
    """Before and after graphs of `plan` (or the `sides` asked for), groups closed, one above the
    other, each laid out left to right so that a long chain of blocks uses the output's width."""
    model = plan.model
    data = node_data(model, plan)
    parts, legend = [], []
    drawn = {"before": (f"{model.name}: before", lambda: model_hierarchy(model)),
             "after": (f"after: {counted(plan.engine_count, 'TensorRT engine')}",
                       lambda: plan_hierarchy(plan))}
    for title, hierarchy in ((drawn[side][0], drawn[side][1]()) for side in sides):
        graph = GraphLayout(hierarchy, rankdir="LR").layout()
        items = {i["id"]: hierarchy.members(i["id"]) for i in graph["items"] if i["kind"] in ("node", "group")}
        styles, legend_part = paint(data, "coverage", items)
        legend += [x for x in legend_part if x not in legend]
        parts.append(f'<div style="min-width:0;margin-bottom:6px"><div style="font-weight:bold;overflow-wrap:anywhere">'
                     f"{_html.escape(title)}</div>{layout_svg(graph, styles, max_height=height)}</div>")
    return (f'<div class="trtlab-compact" style="max-width:100%;font-family:Helvetica,Arial,sans-serif;font-size:12px">'
            f'<div style="display:flex;flex-wrap:wrap;gap:2px 0;margin-bottom:4px">{_legend_html(legend)}</div>'
            f'<div style="width:100%">{"".join(parts)}</div></div>')
