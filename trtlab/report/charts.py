"""Plotly figures for check results: latency distributions, speed-ups, accuracy.

A speed-up is only drawn between figures of one device and batch, over a named baseline; runs
where ONNX Runtime stood in for TensorRT appear as latency only.

Each function returns a plotly Figure titled with what was measured and where; nothing is
shown here. plotly is imported when a figure is made. The HTML report and the notebook widget
both use these.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from .._optional import require
from ..precision_registry import REFERENCE

if TYPE_CHECKING:
    from ..accuracy import AccuracyReport
    from ..timing import TimingResult


def _go():
    return require("plotly.graph_objects", "lab", "Drawing charts")


# Plotly never wraps a title: one longer than the figure runs off its edge. Lines of at most this
# many characters fit a figure 700 px wide in plotly's 17 px title font.
TITLE_CHARS, SUBTITLE_CHARS = 70, 95
_BREAK = re.compile(r"(?<=[,;:]) |(?= \()")


def wrap(text: str, width: int = TITLE_CHARS) -> str:
    """`text` in lines of at most `width` characters joined by <br>, broken after a comma or
    before a bracket where it can, else between words."""
    lines: list[str] = []
    for chunk in (c.strip() for c in _BREAK.split(text)):
        for word in (chunk.split(" ") if len(chunk) > width else [chunk]):
            if lines and len(lines[-1]) + 1 + len(word) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
    return "<br>".join(line for line in lines if line)


def chart_title(text: str, subtitle: str = "") -> dict:
    """A plotly title, wrapped to fit, its subtitle in smaller type below, at the top of the
    figure; pass it to `titled`, which makes room for it."""
    sub = f"<br><sup>{wrap(subtitle, SUBTITLE_CHARS).replace('<br>', '</sup><br><sup>')}</sup>" if subtitle else ""
    return {"text": wrap(text) + sub, "x": 0.01, "xanchor": "left", "yref": "container", "y": 1,
            "yanchor": "top", "pad": {"t": 20}}


def titled(fig, text: str, subtitle: str = "", above: int = 0):
    """Give `fig` its title and a top margin as tall as the title's lines (plotly keeps a fixed
    margin, so a wrapped title would lie over the plot), plus `above` px for what stands over the
    plot (subplot titles)."""
    t = chart_title(text, subtitle)
    lines = t["text"].split("<br>")
    small = sum(line.startswith("<sup>") for line in lines)
    # 20 px above the title, its lines, 16 px below it for the top tick label to stand in.
    fig.update_layout(title=t, margin={"t": 36 + above + 22 * (len(lines) - small) + 15 * small})
    return fig


def integer_ticks(values, most: int = 8) -> dict:
    """Axis settings for whole-number counts: ticks only at integers, 1, 2 or 5 times a power of
    ten apart, at most about `most` of them (plotly would otherwise tick 0.2, 0.4, ...)."""
    top = max([int(v) for v in values if v is not None], default=1)
    step = 1
    while top > step * most:
        step = _next_step(step)
    return {"tickformat": "d", "dtick": step, "tick0": 0}


def _next_step(step: int) -> int:
    """1 -> 2 -> 5 -> 10 -> 20 -> 50 -> ..."""
    return step * 5 // 2 if str(step)[0] == "2" else step * 2


def _where(timings: Sequence["TimingResult"]) -> str:
    devices = sorted({t.device for t in timings})
    batches = sorted({t.batch for t in timings})
    at = sorted({t.at_text() for t in timings} - {""})  # over profiles: the point of the group
    return f"{' / '.join(devices)}, batch {', '.join(map(str, batches))}{' ' + ', '.join(at) if at else ''}"


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
    titled(fig, title or f"Latency per run on {_where(timings)}")
    fig.update_layout(yaxis_title="latency (ms)", showlegend=False, template="plotly_white")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def like_with_like(timings: Sequence["TimingResult"]) -> list[list["TimingResult"]]:
    """The timings grouped by (device, batch, and over profiles the input shapes), in first-seen
    order: the only groups inside which a speed-up means anything."""
    groups: dict[tuple, list] = {}
    for t in timings:
        groups.setdefault((t.device, t.batch, t.at_text()), []).append(t)
    return list(groups.values())


def pick_baseline(timings: Sequence["TimingResult"]) -> "TimingResult | None":
    """What a speed-up divides by: the model in its own framework (eager, fp32), else ONNX
    Runtime fp32, else the first figure; never a stand-in run or a TensorRT figure."""
    from ..check.timing import is_tensorrt

    plain = [t for t in timings if not t.stand_in and not is_tensorrt(t)]
    framework = [t for t in plain if t.backend.startswith(("PyTorch", "MXNet")) and "CUDA graph" not in t.backend]
    for pool in (framework, [t for t in plain if t.backend.startswith("ONNX Runtime")], plain):
        fp32 = [t for t in pool if t.precision == REFERENCE.name]
        if fp32 or pool:
            return (fp32 or pool)[0]
    return None


def speedup_figure(timings: Sequence["TimingResult"], baseline: "TimingResult | None" = None,
                   title: str | None = None):
    """Mean-latency speed-up of each result over `baseline` (default: `pick_baseline`). Every
    result must have run on the baseline's device at its batch; stand-in runs (ONNX Runtime
    standing in for TensorRT) are left out, as they say nothing about TensorRT."""
    go = _go()
    timings = [t for t in timings if not t.stand_in]
    base = baseline or pick_baseline(timings)
    if base is None:
        raise ValueError("no timing results to compare")
    other = [t for t in timings if (t.device, t.batch, t.shapes) != (base.device, base.batch, base.shapes)]
    if other:
        raise ValueError(f"a speed-up compares like with like: {label(other[0])} ran on {other[0].device} "
                         f"at batch {other[0].batch}{' ' + other[0].at_text() if other[0].point else ''}, "
                         f"the baseline on {base.device} at batch {base.batch}{' ' + base.at_text() if base.point else ''}")
    names = [label(t) for t in timings]
    speed = [base.mean_ms / t.mean_ms if t.mean_ms else 0.0 for t in timings]
    fig = go.Figure(go.Bar(x=names, y=speed, text=[f"{s:.2f}x" for s in speed], textposition="outside",
                           customdata=[t.mean_ms for t in timings],
                           hovertemplate="%{x}: %{y:.2f}x (mean %{customdata:.3f} ms)<extra></extra>"))
    fig.add_hline(y=1.0, line_dash="dot")
    titled(fig, title or f"Speed-up over {label(base)}, mean latency, on {_where([base])}")
    fig.update_layout(yaxis_title=f"speed-up over {label(base)} (x)", template="plotly_white")
    fig.update_traces(cliponaxis=False)  # the "1.23x" above the tallest bar stays whole
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def accuracy_figure(reports: Sequence["AccuracyReport"], title: str | None = None):
    """Per output and precision, the smallest atol that would pass (at the rtol used) against
    the atol used (log scale): a bar above its mark fails element-wise; the hover gives the
    verdict's own sentence. Outputs holding NaN have no bar (their figures are n/a)."""
    go = _go()
    fig = go.Figure()
    outputs = sorted({o.output for r in reports for o in r.outputs})
    several = len({r.profile for r in reports if r.profile is not None}) > 1
    for name in outputs:
        rows = [(_run_name(r, several), o) for r in reports for o in r.outputs
                if o.output == name and o.min_atol == o.min_atol]
        fig.add_trace(go.Bar(x=[p for p, _ in rows], y=[max(o.min_atol, 1e-12) for _, o in rows],
                             name=f"{name}: smallest atol that passes",
                             marker_color=["#2e7d32" if o.passed else "#c62828" for _, o in rows],
                             customdata=[("pass: " if o.passed else "FAIL: ") + o.reason for _, o in rows],
                             hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>"))
        fig.add_trace(go.Scatter(x=[p for p, _ in rows], y=[o.atol for _, o in rows], mode="markers",
                                 marker={"symbol": "line-ew-open", "size": 24}, name=f"{name}: atol used"))
    if title:
        titled(fig, title)
    else:
        titled(fig, "Accuracy: error against tolerance, the smallest atol that passes (at the rtol used)", _compared(reports))
    fig.update_layout(yaxis_type="log", yaxis_title="atol", barmode="group", template="plotly_white")
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _run_name(r: "AccuracyReport", several: bool) -> str:
    """"fp16", or over profiles "fp16 at max" ("fp16 at profile 2 max" with several)."""
    if r.profile is None:
        return r.precision
    return f"{r.precision} at {f'profile {r.profile + 1} ' if several else ''}{r.point}"


def _compared(reports: Sequence["AccuracyReport"]) -> str:
    """What each precision's run was, said once where they differ only by the precision."""
    labels = {r.precision: r.label for r in reports if r.label}
    same = {label.replace(f"in {p},", "in its precision,") for p, label in labels.items()}
    if len(same) == 1 and len(labels) > 1:
        return f"each precision: {same.pop()}"
    return "; ".join(f"{p}: {label}" for p, label in labels.items())


def check_figures(result) -> list:
    """The figures of a check: per device and batch, the latency of each figure and, where more
    than one figure ran there (stand-ins aside), the speed-up over that group's baseline; then
    accuracy. Where TensorRT's speed-up was not measured, the latency titles say what was
    measured instead."""
    from ..check.timing import speedup_not_measured

    figs = []
    instead = " (measured instead of TensorRT's speed-up)" if speedup_not_measured(result) else ""
    for group in like_with_like(result.timing):
        figs.append(latency_figure(group, title=f"Latency per run on {_where(group)}{instead}"))
        comparable = [t for t in group if not t.stand_in]
        if len(comparable) > 1:
            figs.append(speedup_figure(comparable))
    if result.accuracy:
        figs.append(accuracy_figure(result.accuracy))
    return figs
