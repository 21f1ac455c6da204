"""What the Lab says with numbers: plurals that agree with the count, legends shortened with their full
reason kept (integer ticks on the sweep's count axes: test_sweep.py)."""

from __future__ import annotations

import re

import ipywidgets as W

from trtlab.lab import Lab

WRONG_PLURAL = re.compile(r"(?<![\d.])1 (engines|nodes|ops|subgraphs|engine builds|op types|TensorRT engines)\b")


def _texts(widget) -> list[str]:
    """Every string a widget tree shows: values of HTML parts, descriptions, titles, tab titles."""
    out = []
    for name in ("value", "description", "title", "tooltip"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            out.append(v)
    out += [t for t in getattr(widget, "titles", ()) if t]
    for child in getattr(widget, "children", ()):
        if isinstance(child, W.Widget):
            out += _texts(child)
    return out


def test_a_one_engine_plan_says_1_engine_everywhere(small_model):
    lab = Lab(small_model)
    try:
        assert lab.plan.engine_count == 1
        shown = _texts(lab) + [repr(lab), lab.graph.after.title, lab.coverage_panel.figures.value]
        assert any("1 engine" in t for t in shown)
        assert [t for t in shown if WRONG_PLURAL.search(t)] == []
    finally:
        lab.close()


def test_a_shortened_legend_entry_carries_the_full_reason_as_its_tooltip():
    import trtlab
    from trtlab.lab.graph_widget import GraphWidget

    model = trtlab.load("zoo:resnet18")
    widget = GraphWidget.before(trtlab.partition(model, coverage="mxnet-1.3"))
    widget.overlay = "fallback"
    short = [entry for entry in widget.legend if entry[1].endswith("\u2026")]
    assert short, widget.legend
    for _, label, tip in short:
        assert tip.startswith(label[:-1]) and len(tip) > len(label) and not tip.endswith("\u2026")
    assert all(len(entry) == 2 for entry in widget.legend if not entry[1].endswith("\u2026"))
