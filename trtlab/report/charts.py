"""Plotly figures for check results: latency distributions, speed-ups, accuracy.

Each function returns a plotly Figure titled with what was measured and where; nothing is
shown here. plotly is imported when a figure is made. The HTML report and the notebook widget
both use these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .._optional import require

if TYPE_CHECKING:
    from ..accuracy import AccuracyReport
    from ..timing import TimingResult


def _go():
    return require("plotly.graph_objects", "lab", "Drawing charts")


def _where(timings: Sequence["TimingResult"]) -> str:
    devices = sorted({t.device for t in timings})
    batches = sorted({t.batch for t in timings})
    return f"{' / '.join(devices)}, batch {', '.join(map(str, batches))}"


def label(t: "TimingResult") -> str:
    return f"{t.backend} ({t.precision})"


def latency_figure(timings: Sequence["TimingResult"], title: str | None = None):
    """Per-run latency of each backend and precision, as box plots with every sample."""
    go = _go()
    fig = go.Figure()
    for t in timings:
        fig.add_trace(go.Box(y=list(t.samples_ms), name=label(t), boxpoints="all", jitter=0.3,
                             pointpos=0, marker={"size": 3},
                             hovertemplate="%{y:.3f} ms<extra>" + label(t) + "</extra>"))
    fig.update_layout(title=title or f"Latency per run on {_where(timings)}",
                      yaxis_title="latency (ms)", showlegend=False, template="plotly_white")
    return fig


def speedup_figure(timings: Sequence["TimingResult"], baseline: "TimingResult | None" = None,
                   title: str | None = None):
    """Mean-latency speed-up of each result over `baseline` (default: the first result)."""
    go = _go()
    if not timings:
        raise ValueError("no timing results")
    base = baseline or timings[0]
    names = [label(t) for t in timings]
    speed = [base.mean_ms / t.mean_ms if t.mean_ms else 0.0 for t in timings]
    fig = go.Figure(go.Bar(x=names, y=speed, text=[f"{s:.2f}x" for s in speed], textposition="outside",
                           customdata=[t.mean_ms for t in timings],
                           hovertemplate="%{x}: %{y:.2f}x (mean %{customdata:.3f} ms)<extra></extra>"))
    fig.add_hline(y=1.0, line_dash="dot")
    fig.update_layout(title=title or f"Speed-up over {label(base)}, mean latency, on {_where(timings)}",
                      yaxis_title="speed-up (x)", template="plotly_white")
    return fig


def accuracy_figure(reports: Sequence["AccuracyReport"], title: str | None = None):
    """Max absolute error of each output per precision (log scale), against its tolerance."""
    go = _go()
    fig = go.Figure()
    outputs = sorted({o.output for r in reports for o in r.outputs})
    for name in outputs:
        rows = [(r.precision, o) for r in reports for o in r.outputs if o.output == name]
        fig.add_trace(go.Bar(x=[p for p, _ in rows], y=[max(o.max_abs, 1e-12) for _, o in rows],
                             name=f"{name}: max abs error",
                             marker_color=["#2e7d32" if o.passed else "#c62828" for _, o in rows],
                             hovertemplate="%{x}: max abs %{y:.3g}<extra>" + name + "</extra>"))
        fig.add_trace(go.Scatter(x=[p for p, _ in rows], y=[o.atol for _, o in rows], mode="markers",
                                 marker={"symbol": "line-ew-open", "size": 24}, name=f"{name}: atol"))
    compared = reports[0].label if reports else ""
    fig.update_layout(title=title or f"Max abs error vs fp32 reference ({compared})",
                      yaxis_type="log", yaxis_title="max abs error", barmode="group", template="plotly_white")
    return fig


def check_figures(result) -> list:
    """The figures of a check: latency, speed-up over the first timing (the whole model in ONNX
    Runtime) where there is more than one, accuracy."""
    figs = []
    if result.timing:
        figs.append(latency_figure(result.timing))
    if len(result.timing) > 1:
        figs.append(speedup_figure(result.timing))
    if result.accuracy:
        figs.append(accuracy_figure(result.accuracy))
    return figs
