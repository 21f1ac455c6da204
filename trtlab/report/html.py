"""One self-contained HTML file for a `CheckResult`: what was done and not, the graphs before and
after partitioning as inline SVG, tables, and plotly charts with plotly.js inlined (no network
needed to open it). Written atomically.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import atomic_write_text
from ..errors import TrtlabError, one_line

if TYPE_CHECKING:
    from ..check import CheckResult

_CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1400px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.fail{color:#c62828;font-weight:bold}.pass{color:#2e7d32}
.notdone li{color:#8a4b00}.graphs{overflow:auto;border:1px solid #ddd;padding:8px;max-height:900px}
h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
"""


def write_report(result: "CheckResult", path: str | os.PathLike) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise TrtlabError(f"The report is an HTML file; '{path.name}' does not end in .html.",
                          hint="Give a name such as report.html.")
    return atomic_write_text(path, render_report(result))


def render_report(result: "CheckResult") -> str:
    """The whole report: one self-contained HTML document."""
    body = "\n".join(_sections(result, drawings=True))
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>trtlab check: {html.escape(result.model.name)}</title><style>{_CSS}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


def summary_html(result: "CheckResult") -> str:
    """The report's text and tables without graphs and charts: how a result shows in a notebook."""
    text = "\n".join(_sections(result, drawings=False))
    for level in (3, 2, 1):  # headings two levels down, to sit inside a notebook's own
        text = text.replace(f"<h{level}>", f"<h{level + 2}>").replace(f"</h{level}>", f"</h{level + 2}>")
    return f"<div class='trtlab-check'>{text}</div>"


def _sections(result: "CheckResult", drawings: bool) -> list[str]:
    e = html.escape
    plan, m = result.plan, result.model
    notes: list[str] = []
    parts = [f"<h1>trtlab check: {e(m.name)}</h1>",
             f"<p>{e(m.summary())}</p>",
             f"<p>{plan.engine_count} TensorRT subgraphs, {plan.coverage_pct:.1f}% of {plan.total_nodes} nodes "
             f"in TensorRT, {len(plan.fallback_nodes)} fallback nodes; coverage source "
             f"<b>{e(plan.coverage.source)}</b>; precisions {e(', '.join(result.precisions))}.</p>"]
    parts.append("<h2>Done</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in result.done or ["(nothing beyond the partition)"]) + "</ul>")
    graphs = _graphs(result, notes) if drawings else ""
    charts = _charts(result, notes) if drawings else ""
    not_done = list(result.not_done) + notes
    if not_done:
        parts.append('<h2>Not done</h2><ul class="notdone">' + "".join(f"<li>{e(s)}</li>" for s in not_done) + "</ul>")
    if result.warnings:
        parts.append('<h2>Warnings</h2><ul class="warnings">' + "".join(f"<li>{e(s)}</li>" for s in result.warnings)
                     + "</ul>")
    parts.append("<h2>Partition</h2>" + _table(
        ["subgraph", "nodes", "inputs", "outputs", "ops"],
        [[s.id, len(s.nodes), ", ".join(s.inputs), ", ".join(s.outputs),
          ", ".join(f"{k}×{v}" for k, v in sorted(s.op_counts.items()))] for s in plan.subgraphs]))
    if plan.fallback_nodes:
        parts.append("<h3>Fallback nodes</h3>" + _table(
            ["node", "op", "reason"], [[f.name, f.op, f.reason] for f in plan.fallback_nodes]))
    if result.segments:
        parts.append("<h3>Hybrid run (fp32)</h3>" + _table(
            ["segment", "runs", "nodes", "inputs", "outputs"],
            [[s["index"], s["backend"], len(s["nodes"]), ", ".join(s["inputs"]), ", ".join(s["outputs"])]
             for s in result.segments]))
    if graphs:
        parts.append("<h2>Graph before and after partitioning</h2>" + graphs)
    if result.engines:
        parts.append("<h2>Engines</h2>" + _table(
            ["subgraph", "precision", "built", "size", "build time", "cache", "builder", "error"],
            [[r["subgraph"], r["precision"], "yes" if r["built"] else "NO", f"{r['bytes'] / 1e6:.1f} MB",
              f"{r['build_s']:.2f} s", "hit" if r["cache_hit"] else "", r["builder"], r.get("error") or ""]
             for r in result.engines]))
    if result.accuracy:
        rows = []
        for r in result.accuracy:
            for o in r.outputs:
                rows.append([r.precision, o.output, f"{o.max_abs:.3g}", f"{o.mean_abs:.3g}", f"{o.max_rel:.3g}",
                             f"{o.cosine:.6f}", "-" if o.top1_agree is None else f"{o.top1_agree:.1%}",
                             f"{o.min_atol:.3g}", f"{o.atol:g} / {o.rtol:g}",
                             _Raw('<span class="pass">pass</span>' if o.passed else '<span class="fail">FAIL</span>')])
        # Each precision says what ran it (engines or stand-ins, in which precision).
        labels = "; ".join(dict.fromkeys(r.label for r in result.accuracy))
        parts.append("<h2>Accuracy</h2><p>Compared with the whole fp32 model in ONNX Runtime: "
                     f"{e(labels)}.</p>" + _table(
                         ["precision", "output", "max abs", "mean abs", "max rel", "cosine", "top-1 agree",
                          "min atol to pass", "atol / rtol", "result"], rows))
    for precision, report in result.node_errors.items():
        entries = report.entry_points
        parts.append(f"<h3>Where {e(precision)} error enters</h3>" + (_table(
            ["node", "op", "tensor", "max abs", "max rel"],
            [[n.node, n.op, n.tensor, f"{n.max_abs:.3g}", f"{n.max_rel:.3g}"] for n in entries])
            if entries else "<p>Every compared tensor is within tolerance.</p>"))
    if result.timing:
        parts.append("<h2>Timing</h2>" + _table(
            ["backend", "precision", "device", "batch", "mean ms", "p50", "p90", "p95", "p99", "throughput/s",
             "cv", "runs"],
            [[t.backend, t.precision, t.device, t.batch, f"{t.mean_ms:.3f}", f"{t.p50_ms:.3f}", f"{t.p90_ms:.3f}",
              f"{t.p95_ms:.3f}", f"{t.p99_ms:.3f}", f"{t.throughput:.1f}",
              _Raw(f'<span class="fail">{t.cv:.1%}</span>' if t.unstable else f"{t.cv:.1%}"), t.iterations]
             for t in result.timing]))
    if charts:
        parts.append("<h2>Charts</h2>" + charts)
    return parts


class _Raw(str):
    """Table cell HTML that is already escaped."""


def _table(head, rows) -> str:
    def cell(v):
        return str(v) if isinstance(v, _Raw) else html.escape(str(v))

    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")


def _graphs(result, notes: list[str]) -> str:
    from ..views import before_after

    try:
        return f'<div class="graphs">{before_after(result.plan).svg()}</div>'
    except TrtlabError as exc:
        notes.append(f"graphs left out: {one_line(exc)}")
    except Exception as exc:  # graphviz's own errors (no `dot` program, ...)
        notes.append(f"graphs left out: {type(exc).__name__}: {exc}")
    return ""


def _charts(result, notes: list[str]) -> str:
    from ..views.charts import check_figures

    try:
        figures = check_figures(result)
    except TrtlabError as exc:  # no plotly
        notes.append(f"charts left out: {one_line(exc)}")
        return ""
    # plotly.js goes in once, with the first figure, so the file opens with no network.
    return "".join(fig.to_html(full_html=False, include_plotlyjs=(i == 0), default_height="420px")
                   for i, fig in enumerate(figures))
