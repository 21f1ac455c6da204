"""A sweep's summary: the plain-text table `trtlab sweep` prints, the verdict grid (models by
precisions, coloured by status) and row table in HTML, the verdict heatmap, latency and error
charts, and the self-contained summary.html. A `Sweep` shows itself through these."""

from __future__ import annotations

import html
import os
from pathlib import Path

from .. import display
from ..sweeps.run import Sweep
from .._io import atomic_write_text
from ..errors import TrtlabError, one_line
from ..words import clip, counted
from .html import _CSS
from .tables import Raw, status_cell, table

STATUSES = ("pass", "fail", "not measured")
COLOURS = {"pass": "#2e7d32", "fail": "#c62828", "not measured": "#e0a030"}
REASON_CHARS = 70
NOT_TIMED = ("not timed: a check times each precision's hybrid run where TensorRT engines run; where none "
             "can, only the fp32 run with ONNX Runtime stand-ins")


def _number(value, fmt: str) -> str:
    return "" if value is None else format(value, fmt)


def _rows(sweep) -> list:
    order = {(t.model.label, t.precision): i for i, t in enumerate(sweep.tasks)}
    return sorted(sweep.rows, key=lambda r: order.get((r.model, r.precision), len(order)))


def _note(row) -> str:
    note = row.reason if row.status != "pass" else ""
    if row.origin == "earlier run":
        note = "kept from an earlier run" + (f"; {note}" if note else "")
    return note


def headline(sweep) -> str:
    rows = sweep.rows
    counts = ", ".join(f"{sum(r.status == s for r in rows)} {s}" for s in STATUSES)
    earlier = sum(r.origin == "earlier run" for r in rows)
    line = f"trtlab sweep: {len(rows)} of {counted(sweep.total, 'task')} done: {counts}"
    line += f"; {earlier} kept from an earlier run" if earlier else ""
    if sweep.cancelled:
        line += "; cancelled"
    used = sweep.used_workers
    if used:
        line += f"; ran on {counted(len(used), 'worker')}"
        line += " (each task asked for GPU=1)" if sweep.resources else ""
    return line


def sweep_text(sweep) -> str:
    """The summary table: one line per model and precision."""
    head = ["model", "precision", "status", "latency ms", "max rel err", "cosine", "worker", "s", "note"]
    body = [[r.model, r.precision, r.status, _number(r.latency_ms, ".3f") or "-", _number(r.max_rel, ".2g"),
             _number(r.cosine, ".4f"), r.worker, _number(r.seconds, ".1f"), clip(_note(r), REASON_CHARS)]
            for r in _rows(sweep)]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    lines = [headline(sweep), "  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in body]
    return "\n".join(lines + footnotes(sweep))


def footnotes(sweep) -> list[str]:
    """What the latencies are of, why some are missing, what the converted models ran on."""
    lines = [f"latency: {what}" for what in dict.fromkeys(r.latency_of for r in sweep.rows if r.latency_of)]
    if any(r.latency_ms is None and r.status != "not measured" for r in sweep.rows):
        timed = any(t.settings.timing for t in sweep.tasks)
        lines.append(f"latency -: {NOT_TIMED if timed else 'not timed: timing was turned off'}")
    lines += [f"ran on: {what}" for what in dict.fromkeys(r.ran for r in sweep.rows if r.ran)]
    if sweep.error:
        lines.append(f"not done: {sweep.error}")
    return lines


def grid_table(sweep) -> str:
    """The verdict per model and precision as a table whose cells are coloured by status."""
    precisions = list(dict.fromkeys(t.precision for t in sweep.tasks)) or \
        list(dict.fromkeys(r.precision for r in sweep.rows))
    by_cell = {(r.model, r.precision): r for r in sweep.rows}
    models = list(dict.fromkeys([t.model.label for t in sweep.tasks] + [r.model for r in sweep.rows]))

    def cell(model, precision):
        r = by_cell.get((model, precision))
        if r is None:
            return Raw("<span style='color:#888'>running</span>")
        tip = html.escape(clip(r.reason or r.ran, 300), quote=True)
        return Raw(f"<span title='{tip}' style='display:block;padding:2px 6px;color:white;"
                   f"background:{COLOURS[r.status]}'>{html.escape(r.status)}</span>")

    return table(["model"] + precisions, [[m] + [cell(m, p) for p in precisions] for m in models],
                 "trtlab-sweep-grid")


def rows_table(sweep) -> str:
    """Every task, then what its latency is of and what ran (the same for most rows, so said once)."""
    rows = [[r.model, r.precision, status_cell(r.status), _number(r.latency_ms, ".3f") or "-",
             _number(r.baseline_ms, ".3f"), _number(r.max_rel, ".3g"), _number(r.cosine, ".6f"), r.worker,
             _number(r.seconds, ".1f"), _note(r)] for r in _rows(sweep)]
    notes = "".join(f"<li>{html.escape(line)}</li>" for line in footnotes(sweep))
    return table(["model", "precision", "status", "latency ms", "ONNX Runtime fp32 ms", "max rel error", "cosine",
                  "worker", "seconds", "note"], rows, "trtlab-sweep-rows") + (f"<ul>{notes}</ul>" if notes else "")


def sweep_figures(sweep) -> list:
    """The verdict heatmap, then latency and error where any were measured."""
    from .charts import _go, titled

    go = _go()
    rows = _rows(sweep)
    models = list(dict.fromkeys(r.model for r in rows))
    precisions = list(dict.fromkeys(r.precision for r in rows))
    by_cell = {(r.model, r.precision): r for r in rows}
    code = {s: i for i, s in enumerate(STATUSES)}
    z = [[code[by_cell[(m, p)].status] if (m, p) in by_cell else None for p in precisions] for m in models]
    text = [[by_cell[(m, p)].status if (m, p) in by_cell else "" for p in precisions] for m in models]
    scale = [[i / len(STATUSES), COLOURS[s]] for i, s in enumerate(STATUSES)]
    scale = [x for i, (pos, c) in enumerate(scale) for x in ([pos, c], [(i + 1) / len(STATUSES), c])]
    heat = go.Figure(go.Heatmap(z=z, x=precisions, y=models, text=text, texttemplate="%{text}", zmin=-0.5,
                                zmax=len(STATUSES) - 0.5, colorscale=scale, showscale=False, xgap=2, ygap=2))
    heat.update_yaxes(autorange="reversed")
    figures = [titled(heat, "Verdict per model and precision")]
    timed = [r for r in rows if r.latency_ms is not None]
    if timed:
        fig = go.Figure([go.Bar(name=p, x=[r.model for r in timed if r.precision == p],
                                y=[r.latency_ms for r in timed if r.precision == p]) for p in precisions])
        base = {r.model: r.baseline_ms for r in rows if r.baseline_ms is not None}
        if base:
            fig.add_bar(name="whole model, ONNX Runtime fp32", x=list(base), y=list(base.values()))
        fig.update_layout(barmode="group", yaxis_type="log", yaxis_title="median latency (ms)")
        what = "; ".join(dict.fromkeys(r.latency_of for r in timed))
        figures.append(titled(fig, "Latency of the hybrid run, per model and precision", what))
    compared = [r for r in rows if r.max_rel is not None and r.precision != "fp32"]
    if compared:
        fig = go.Figure([go.Bar(name=p, x=[r.model for r in compared if r.precision == p],
                                y=[max(r.max_rel, 1e-12) for r in compared if r.precision == p]) for p in precisions
                         if p != "fp32"])
        fig.update_layout(barmode="group", yaxis_type="log", yaxis_title="max error / fp32 output scale")
        figures.append(titled(fig, "Error against the whole fp32 model, worst output",
                              "max abs error divided by the largest absolute value of the fp32 output"))
    return figures


def render_sweep(sweep) -> str:
    parts = [f"<h1>trtlab sweep</h1><p>{html.escape(headline(sweep))}</p>",
             "<h2>Verdicts</h2>" + grid_table(sweep), "<h2>Every task</h2>" + rows_table(sweep)]
    try:
        figures = sweep_figures(sweep)
        parts.append("<h2>Charts</h2>" + "".join(
            fig.to_html(full_html=False, include_plotlyjs=(i == 0), default_height="420px")
            for i, fig in enumerate(figures)))
    except TrtlabError as exc:  # no plotly: the tables alone, and why
        parts.append(f"<p class='notdone'>charts left out: {html.escape(one_line(exc))}</p>")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>trtlab sweep</title>"
            f"<style>{_CSS}</style></head><body>\n{''.join(parts)}\n</body></html>\n")


def summary_html(sweep) -> str:
    """How a sweep shows in a notebook: the headline, the grid, every row folded."""
    return (f"<div class='trtlab-sweep'><p>{html.escape(headline(sweep))}</p>{grid_table(sweep)}"
            f"<details><summary>every task</summary>{rows_table(sweep)}</details></div>")


display.renders("text", Sweep)(sweep_text)


@display.renders("mimebundle", Sweep)
def sweep_bundle(sweep) -> dict:
    return {"text/plain": sweep_text(sweep), "text/html": summary_html(sweep)}


@display.renders("html_file", Sweep)
def write_sweep(sweep, path: str | os.PathLike) -> Path:
    return atomic_write_text(path, render_sweep(sweep))

