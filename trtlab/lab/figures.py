"""Putting plotly figures into widgets without display().

An `ipywidgets.Output` holding a plotly mime bundle is drawn by the plotly extension that ships
with the plotly package (JupyterLab 4, Notebook 7); the kernel never calls display().
"""

from __future__ import annotations

import json

import ipywidgets as W

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def figure_bundle(fig) -> dict:
    import plotly.io as pio

    spec = json.loads(pio.to_json(fig, validate=False))
    # Not plotly's own "responsive": in JupyterLab it sizes the chart to its output's height, which is
    # none, so a taller window drew every chart 0 px high; JupyterLab's renderer follows the width.
    spec.setdefault("config", {"displaylogo": False, "responsive": False})
    title = ((spec.get("layout") or {}).get("title") or {}).get("text") or "plotly figure"
    return {PLOTLY_MIME: spec, "text/plain": f"<plotly figure: {title}>"}


def set_figures(out: W.Output, *figs) -> None:
    """Replace what `out` shows with `figs` (plotly figures, or HTML strings)."""
    outputs = []
    for f in figs:
        data = {"text/html": f, "text/plain": f} if isinstance(f, str) else figure_bundle(f)
        outputs.append({"output_type": "display_data", "data": data, "metadata": {}})
    out.outputs = tuple(outputs)


def prepare_drawing() -> None:
    """Draw and serialise one small chart, once, in the calling thread: plotly imports most of
    itself on a figure's first use, which a background thread must not be the first to do (see
    `trtlab.lab.background`). Without plotly, nothing."""
    global _prepared
    if _prepared:
        return
    try:
        from plotly.subplots import make_subplots
        import plotly.graph_objects as go
    except ImportError:
        return
    # The trace types and parts the check's charts use (trtlab.report.charts, .engine_build):
    # plotly imports each on its first use.
    fig = make_subplots(rows=1, cols=2, subplot_titles=("a", "b"))
    fig.add_trace(go.Bar(x=["a"], y=[1], marker_color="#9e9e9e"), row=1, col=1)
    fig.add_trace(go.Box(y=[1.0, 2.0], boxpoints="all", marker={"size": 3}), row=1, col=2)
    fig.add_trace(go.Scatter(x=["a"], y=[1.0], mode="markers", marker={"symbol": "line-ew-open"}), row=1, col=2)
    fig.update_layout(title={"text": "prepared", "pad": {"b": 4}}, template="plotly_white", barmode="group")
    fig.update_yaxes(tickformat="d", row=1, col=1)
    figure_bundle(fig)
    _prepared = True


_prepared = False


def shown_figures(out: W.Output) -> list[dict]:
    """The plotly specs `out` shows (for tests and for readers of the widget state)."""
    return [o["data"][PLOTLY_MIME] for o in out.outputs if PLOTLY_MIME in o.get("data", {})]
