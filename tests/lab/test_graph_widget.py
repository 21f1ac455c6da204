"""The graph widget's state, headless: traitlets and messages as the browser would send them."""

import pytest

import trtlab
from trtlab.views.hierarchy import node_id

pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")

from trtlab.lab.graph_panel import GraphPanel  # noqa: E402
from trtlab.lab.graph_widget import GraphWidget  # noqa: E402

from ..views.graph_models import numbered_model  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return numbered_model(60)


def test_opens_collapsed_and_a_click_toggles_a_group(model):
    w = GraphWidget.before(model)
    top = {i["id"] for i in w.graph["items"]}
    group = next(i for i in top if i.startswith("g:"))
    assert w.styles[group]["mix"] and w.legend
    w._on_msg(w, {"type": "toggle", "id": group}, [])  # what a click in the browser sends
    assert w.expanded == [group] and w.focus["id"] == group
    shown = {i["id"]: i["kind"] for i in w.graph["items"]}
    assert shown[group] == "open" and len(shown) > len(top)
    w.toggle(group)
    assert w.expanded == [] and {i["id"] for i in w.graph["items"]} == top


def test_search_opens_and_centres_each_match_in_turn(model):
    w = GraphWidget.before(model)
    w.query = "reshape"
    assert len(w.matches) == 60 and w.match_index == 0
    first = node_id(w.matches[0])
    assert w.focus["id"] == first and first in {i["id"] for i in w.graph["items"]}
    w._on_msg(w, {"type": "next", "step": 1}, [])
    assert w.match_index == 1 and w.focus["id"] == node_id(w.matches[1])
    w.next_match(-2)
    assert w.match_index == 59  # wraps around
    w.query = "nothing like this"
    assert w.matches == [] and w.marks == []


def test_search_by_whole_name_or_regular_expression(model):
    w = GraphWidget.before(model)
    w.query = "p2o.Conv.1"  # not p2o.Conv.10 ... p2o.Conv.19
    assert w.matches == ["p2o.Conv.1"]
    w.regex = True
    assert w.matches == [n for n in w.hierarchy.drawn if n.startswith("p2o.Conv.1")] and len(w.matches) > 1
    w.query = "p2o.Conv.(1"
    assert w.matches == [] and "not a regular expression" in w.search_error
    w.regex = False
    assert w.matches == [] and w.search_error == ""


def test_overlay_switch_recolours_without_a_new_layout(model):
    plan = trtlab.partition(model, exclude_ops=["Reshape"])
    w = GraphWidget.before(plan)
    graph, styles = w.graph, w.styles
    w.overlay = "engine"
    assert w.graph is graph and w.styles != styles
    assert any("trt_engine_" in label for _, label in w.legend)


def test_panel_links_before_and_after(model):
    errors = []
    panel = GraphPanel(model, errors.append)
    plan = trtlab.partition(model, exclude_ops=["Reshape"])
    panel.show_plan(plan)
    assert not errors and panel.before is not None and panel.after is not None
    engine, node = next((s, n) for s in plan.subgraphs[1:] for n in s.nodes if n.startswith("p2o.Conv"))
    panel.before.reveal(node_id(node))
    panel.before.selected = node_id(node)
    assert panel.after.highlight == [f"g:e{engine.id}"]
    assert panel.after.focus["id"] == f"g:e{engine.id}"
    panel.after.selected = f"g:e{engine.id}"
    assert panel.before.highlight  # the boxes holding that engine's nodes
    graph_id = panel.before.graph["id"]
    panel.show_plan(trtlab.partition(model))  # another plan: re-coloured, not laid out again
    assert panel.before.graph["id"] == graph_id and not errors
    panel.wait()  # the after-graph is laid out again in the background
    assert panel.after.title.endswith("(1 TensorRT engine)")
