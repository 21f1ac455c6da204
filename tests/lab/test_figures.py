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
