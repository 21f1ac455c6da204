"""One self-contained HTML file for a `CheckResult`: the verdicts, what was done and not, the
graphs before and after partitioning as inline SVG, tables, and plotly charts with plotly.js
inlined (no network needed to open it). Written atomically.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from .. import display
from .._io import atomic_write_text
from ..check.result import CheckResult
from ..errors import TrtlabError, one_line
from ..words import counted
from . import engine_build, tables
from .text import ran_on_line

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.fail{color:#c62828;font-weight:bold}.pass{color:#2e7d32}
.notmeasured{color:#8a4b00;font-weight:bold}
.notdone,.warning{color:#8a4b00}.graphs{border:1px solid #ddd;padding:8px}
h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
"""


@display.renders("html_file", CheckResult)
def write_report(result, path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise TrtlabError(f"The report is an HTML file; '{path.name}' does not end in .html.",
                          hint="Give a name such as report.html.")
    return atomic_write_text(path, render_report(result))


def render_report(result) -> str:
    """The whole report: one self-contained HTML document."""
    body = "\n".join(sections(result, drawings=True))
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>trtlab check: {html.escape(result.model.name)}</title><style>{_CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def summary_html(result) -> str:
    """How a result shows in a notebook: the verdicts and what was done first, every other table
    one click away (folded), no graphs or charts: a short output that keeps the notebook readable."""
    parts = sections(result, drawings=False)
    head, rest = parts[:5], parts[5:]  # title, model, partition figures, verdicts, what was done
    text = "\n".join(head) + (f"<details><summary>partition, engines, accuracy and timing tables</summary>"
                              f"{''.join(rest)}</details>" if rest else "")
    for level in (3, 2, 1):  # headings two levels down, to sit inside a notebook's own
        text = text.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return f"<div class='trtlab-check'>{text}</div>"


def sections(result, drawings: bool) -> list[str]:
    e = html.escape
    plan, m = result.plan, result.model
    where = ran_on_line(getattr(result, "ran_on", None))
    notes: list[str] = []
    parts = [f"<h1>trtlab check: {e(m.name)}</h1>",
             f"<p>{e(m.summary())}</p>" + (f"<p class='trtlab-ran-on'>Checked {e(where)}.</p>" if where else ""),
             f"<p>{counted(plan.engine_count, 'TensorRT subgraph')}, {plan.coverage_pct:.1f}% of "
             f"{counted(plan.total_nodes, 'node')} in TensorRT, {counted(len(plan.fallback_nodes), 'fallback node')}; "
             "coverage source "
             f"<b>{e(plan.coverage.source)}</b>.</p>",
             "<h2>Verdicts</h2>" + tables.verdicts_table(result)]
    graphs = _graphs(result, notes) if drawings else ""
    charts = _charts(result, notes) if drawings else ""
    parts.append("<h2>What was done</h2>" + tables.notes_list(result, notes))
    parts.append("<h2>Partition</h2>" + tables.partition_tables(result))
    if graphs:
        parts.append("<h2>Graph before and after partitioning</h2>" + graphs + _overlay_graphs(result, notes))
    if result.engines:
        parts.append("<h2>Engines</h2>" + tables.engines_table(result) + engine_build.sections(result))
    if result.accuracy:
        parts.append("<h2>Accuracy</h2>" + tables.accuracy_table(result))
    if result.kept_fp32 or result.precision_notes:
        parts.append("<h2>Precision transforms</h2>" + tables.kept_fp32_table(result))
    if result.node_errors:
        parts.append(tables.node_error_tables(result))
    if result.searches:
        parts.append(tables.search_tables(result))
    if result.timing:
        parts.append("<h2>Timing</h2>" + tables.timing_table(result))
    if charts:
        parts.append("<h2>Charts</h2>" + charts)
    return parts


def _graphs(result, notes: list[str]) -> str:
    from ..views import before_after

    try:
        return f'<div class="graphs">{before_after(result.plan).html()}</div>'
    except TrtlabError as exc:
        notes.append(f"graphs left out: {one_line(exc)}")
    except Exception as exc:  # graphviz's own errors (no `dot` program, ...)
        notes.append(f"graphs left out: {type(exc).__name__}: {one_line(exc)}")
    return ""


def _overlay_graphs(result, notes: list[str]) -> str:
    """The graph after partitioning, groups closed, coloured by each overlay the check gives
    values for (every registered one but coverage, which the drawings above show)."""
    from ..views import compact_graph_html
    from ..views.overlays import check_values, known, node_data

    values = check_values(result)
    data = node_data(result.model, result.plan, **values)
    out = []
    for overlay in (o for o in known() if o.name != "coverage" and o.shows(data)):
        try:
            drawing = compact_graph_html(result.plan, sides=("after",), overlay=overlay.name, values=values)
        except TrtlabError as exc:
            notes.append(f"the {overlay.label} graph left out: {one_line(exc)}")
            continue
        out.append(f"<h3>By {html.escape(overlay.label)}</h3>{drawing}")
    return "".join(out)


def _charts(result, notes: list[str]) -> str:
    from .charts import check_figures

    try:
        figures = check_figures(result)
    except TrtlabError as exc:  # no plotly
        notes.append(f"charts left out: {one_line(exc)}")
        return ""
    if result.fusion:
        figures.append(engine_build.fusion_figure(result))
    # plotly.js goes in once, with the first figure, so the file opens with no network.
    return "".join(fig.to_html(full_html=False, include_plotlyjs=(i == 0), default_height="420px")
                   for i, fig in enumerate(figures))
