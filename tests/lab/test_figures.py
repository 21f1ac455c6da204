"""Plotly figures put into an Output widget as mime bundles, without display()."""

from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from trtlab.lab.figures import PLOTLY_MIME, figure_bundle, set_figures, shown_figures


def test_figures_and_html_replace_what_the_output_shows():
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"title": {"text": "engines"}})
    bundle = figure_bundle(fig)
    assert bundle["text/plain"] == "<plotly figure: engines>"
    assert bundle[PLOTLY_MIME]["config"] == {"displaylogo": False, "responsive": False}
    assert list(bundle[PLOTLY_MIME]["data"][0]["y"]) == [3, 4]
    out = W.Output()
    set_figures(out, fig, "<b>no engine built</b>")
    assert [o["output_type"] for o in out.outputs] == ["display_data", "display_data"]
    assert out.outputs[1]["data"]["text/html"] == "<b>no engine built</b>"
    (shown,) = shown_figures(out)
    assert shown["layout"]["title"]["text"] == "engines"
    set_figures(out)
    assert out.outputs == () and shown_figures(out) == []
    assert figure_bundle(go.Figure())["text/plain"] == "<plotly figure: plotly figure>"


def test_preparing_draws_once_so_a_thread_drawing_later_imports_nothing_new():
    """After `prepare_drawing` (the build button runs it before the check's thread starts), drawing
    the check's charts imports no module for the first time (see trtlab.lab.background)."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import sys
        from trtlab.lab.figures import figure_bundle, prepare_drawing
        prepare_drawing()
        before = set(sys.modules)
        import trtlab
        from trtlab.check import check
        from trtlab.report.charts import check_figures
        from trtlab.report.engine_build import fusion_figure
        r = check(trtlab.load("zoo:tiny"), ["fp32", "fp16"], cache_dir=False,
                  timing_options={"warmup_ms": 5, "iterations": 3, "seconds": 0.01})
        before |= set(sys.modules)  # what the check itself imported
        for fig in check_figures(r) + ([fusion_figure(r)] if r.fusion else []):
            figure_bundle(fig)
        print("fusion drawn:", bool(r.fusion))
        print("new:", sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ("plotly", "_plotly_utils")))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert "new: []" in out.stdout, out.stdout + out.stderr[-2000:]
    import importlib.util

    if importlib.util.find_spec("tensorrt_rtx") is not None:  # the engines were built: their chart too
        assert "fusion drawn: True" in out.stdout, out.stdout
