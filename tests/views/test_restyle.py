"""Re-colouring a laid-out graph: exact, equal to a fresh render, fast, and needs no `dot`."""

from __future__ import annotations

import time

import pytest

import trtlab
from trtlab.views import DrawStyle, before_graph, dom_id, item_styles, restyle_before


def _changed(a: dict, b: dict) -> set[str]:
    return {k for k in a if a[k] != b[k]}


def test_restyle_changes_exactly_the_changed_verdicts(resnet50, fresh_layouts):
    base = trtlab.coverage(resnet50)
    no_conv = trtlab.coverage(resnet50, exclude_ops=["Conv"])
    svg = before_graph(resnet50, base, collapse=False).svg()
    restyled = restyle_before(svg, no_conv)
    changed = _changed(item_styles(svg), item_styles(restyled))
    convs = {dom_id(n.name) for n in resnet50.nodes if n.op_type == "Conv"}
    assert changed == convs and len(convs) == 53
    # Nothing but the styles moved: same length of everything outside the changed items.
    assert restyled.count("<g id=") == svg.count("<g id=")
    assert restyled.replace("excluded", "supported").count('class="node trt-node supported"') == 175

    graph_module = __import__("trtlab.views.graph", fromlist=["_LAYOUTS"])
    graph_module._LAYOUTS.clear()
    fresh = before_graph(resnet50, no_conv, collapse=False).svg()
    assert item_styles(fresh) == item_styles(restyled)


def test_restyle_is_fast_on_resnet50(resnet50):
    svg = before_graph(resnet50, collapse=False).svg()
    no_conv = trtlab.coverage(resnet50, exclude_ops=["Conv"])
    start = time.perf_counter()
    for _ in range(5):
        restyle_before(svg, no_conv)
    per_call = (time.perf_counter() - start) / 5
    assert per_call < 0.1, f"restyle took {per_call * 1000:.1f} ms"


def test_cached_layout_is_restyled_without_dot(mixed, fresh_layouts, monkeypatch, tmp_path):
    first = before_graph(mixed)
    first.svg()
    monkeypatch.setenv("PATH", str(tmp_path))  # from here on `dot` can't run
    plan = trtlab.partition(mixed, exclude_ops=["Relu"])
    second = before_graph(mixed, plan)
    styles = item_styles(second.svg())
    relus = {dom_id(n.name) for n in mixed.nodes if n.op_type == "Relu"}
    assert {k for k, v in styles.items() if v[0] == "excluded"} == relus
    # a different drawing (other options) is a different layout: that one needs dot
    with pytest.raises(trtlab.TrtlabError, match="dot"):
        before_graph(mixed, plan, style=DrawStyle(rankdir="LR")).svg()


def test_view_restyle_keeps_statuses_in_step(mixed):
    view = before_graph(mixed)
    plan = trtlab.partition(mixed, exclude_nodes=["merge.add"])
    again = view.restyle(plan)
    assert again.statuses["merge.add"].status == "excluded"
    assert item_styles(again.svg())[dom_id("merge.add")][0] == "excluded"
    assert view.statuses["merge.add"].status == "supported"  # the original is unchanged


def test_restyle_with_another_models_coverage_fails(mixed, resnet50):
    svg = before_graph(mixed).svg()
    with pytest.raises(trtlab.TrtlabError, match="no verdict"):
        restyle_before(svg, trtlab.coverage(resnet50))
