"""The Lab's graph panel, headless: what the old SVG-in-HTML panel's tests checked, on the widget."""

import pytest

pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")

from trtlab.lab import Lab  # noqa: E402


def _fills(widget) -> dict[str, str]:
    return {i: s["fill"] for i, s in widget.styles.items()}


def test_first_draw_colours_tensorrt_nodes(small_model):
    lab = Lab(small_model)
    before, after = lab.graph.before, lab.graph.after
    styles = before.styles
    assert styles["n:conv1"]["tip"].startswith("TensorRT: yes")
    assert styles["n:roipool"]["tip"].startswith("TensorRT: no")
    kinds = {i["id"]: i["kind"] for i in after.graph["items"]}
    assert [k for i, k in kinds.items() if i.startswith("g:e")] == ["group"] * lab.plan.engine_count
    assert kinds["n:roipool"] == "node"


def test_unticking_an_op_recolours_before_and_redraws_after(small_model):
    lab = Lab(small_model)
    before_graph, after_graph = lab.graph.before.graph, lab.graph.after.graph
    fills = _fills(lab.graph.before)
    lab.coverage_panel.op_checks["Add"].value = False
    assert lab.graph.before.styles["n:add"]["tip"].startswith("TensorRT: excluded")  # at once
    lab.graph.wait()  # the after-graph is laid out in the background
    assert _fills(lab.graph.before) != fills
    assert lab.graph.before.graph is before_graph  # re-coloured, not laid out again
    assert lab.graph.after.graph["id"] != after_graph["id"]
    assert len(lab.graph.after.graph["items"]) > len(after_graph["items"])  # the split engines


def test_search_selects_and_details(small_model):
    lab = Lab(small_model)
    before = lab.graph.before
    before.query = "relu"
    assert before.matches == ["relu1", "relu2"] and before.focus["id"] == "n:relu1"
    before.query = "roipool"
    before.selected = "n:" + before.matches[0]
    details = before.details
    assert "MaxRoiPool" in details and "falls back" in details and "1x4x2x2" in details
    assert "pooled_shape" in details and "constant" in details  # the rois initializer
    assert lab.graph.after.highlight == ["n:roipool"]
    before.selected = "n:conv1"
    assert "pads" in before.details and "trt_engine_" in before.details


def test_graphs_gives_both_widgets_of_a_plan_linked(small_model):
    import trtlab
    from trtlab.lab import graphs

    plan = trtlab.partition(small_model)
    panel = graphs(plan, height=300)
    assert panel.before.height == panel.after.height == 300
    assert "roipool" in {i.get("name") for i in panel.before.graph["items"]}
    panel.before.selected = "n:conv1"  # selecting on the left highlights its engine on the right
    assert panel.after.highlight and panel.after.highlight[0].startswith("g:e")


def test_the_op_table_shows_every_row_under_the_graphs_and_tabs_keep_one_height(small_model):
    """No scroll box hides op types; the tabs' CSS stacks them so that each takes the tallest's
    height (the browser test measures it)."""
    lab = Lab(small_model)
    table = lab.coverage_panel.op_table
    assert table.layout.max_height is None and table.layout.overflow is None
    assert lab.tabs.children[0].children == (lab.graph, table)
    assert lab.build_panel.progress.layout.max_height is None
    assert "trtlab-tabs" in lab.tabs._dom_classes and "grid-area: 1 / 1" in lab.children[0].value
