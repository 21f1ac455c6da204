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
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Bar(x=["a"], y=[1]), row=1, col=1)
    fig.add_trace(go.Scatter(x=[0.5], y=[1.0]), row=1, col=2)
    fig.update_layout(title="prepared", template="plotly_white")
    figure_bundle(fig)
    _prepared = True


_prepared = False


def shown_figures(out: W.Output) -> list[dict]:
    """The plotly specs `out` shows (for tests and for readers of the widget state)."""
    return [o["data"][PLOTLY_MIME] for o in out.outputs if PLOTLY_MIME in o.get("data", {})]
