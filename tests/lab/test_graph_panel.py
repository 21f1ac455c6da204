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
