"""One node or group of the graph told in HTML: op, attributes, tensors with shapes and constant
values, coverage, the engine it runs in or why it falls back."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.views.hierarchy import node_id

pytest.importorskip("anywidget", reason="needs anywidget (pip install 'trtlab[lab]')")

from trtlab.lab.graph_widget import GraphWidget  # noqa: E402
from trtlab.lab.node_details import group_details_html, item_details_html  # noqa: E402

from ..views.graph_models import numbered_model  # noqa: E402
from tests.models import chain_with_unsupported, conv_model  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return numbered_model(60)


def test_select_fills_details_with_constants_and_status(model):
    w = GraphWidget.before(model)
    w.selected = node_id("p2o.Conv.3")
    assert "Conv" in w.details and "Constant_6" in w.details and "constant" in w.details
    assert "coverage" in w.details
    w.selected = next(i["id"] for i in w.graph["items"] if i["kind"] == "group")
    assert "ops" in w.details


def test_a_node_of_the_after_graph_names_its_engine_or_why_it_falls_back():
    plan = trtlab.partition(trtlab.load(chain_with_unsupported()), "tensorrt")
    w = GraphWidget.after(plan)
    relu = item_details_html(w.hierarchy, w.data, "r1")
    assert "<b>runs in</b>: TensorRT engine trt_engine_0" in relu and "float32[1x4x4]" in relu
    det = item_details_html(w.hierarchy, w.data, "det")
    assert "<b>falls back</b>: TensorRT 10.1 has no importer for Det" in det
    assert item_details_html(w.hierarchy, w.data, "nope") == "<i>No node named <code>nope</code>.</i>"
    group = group_details_html(plan.model, w.data, "trt_engine_0", ["r1", "r2"])
    assert "<b>trt_engine_0</b>: 2 ops, 2 in TensorRT engines" in group and "Relu×2" in group


def test_attributes_and_small_constants_are_shown_in_full():
    model = conv_model()
    w = GraphWidget.before(model)
    conv = next(n for n in model.nodes if n.op_type == "Conv")
    text = item_details_html(w.hierarchy, w.data, conv.name)
    assert "<code>pads</code>" in text and "[1, 1, 1, 1]" in text
    weight = conv.input[1]
    assert f"<code>{weight}</code>" in text and "constant" in text and ", …]" in text  # a big weight: its first six
    assert "<td><code>b</code></td><td>float32[4]</td><td>constant</td><td>[0, 0, 0, 0]</td>" in text  # a small one


def test_a_large_weight_is_shown_while_a_check_has_the_model_lent():
    from tests.models import matmul_chain
    from trtlab.weight_store import WeightStore, has_references

    model = trtlab.load(matmul_chain(count=1, size=256))  # a weight of 65,536 values: stored by a check
    w = GraphWidget.before(model)
    shown = item_details_html(w.hierarchy, w.data, "matmul0")
    assert "<code>w0</code>" in shown and ", …]" in shown
    with WeightStore(model.proto) as store, store.lend(model):  # as a check running in the background does
        assert has_references(model.proto)
        assert item_details_html(w.hierarchy, w.data, "matmul0") == shown
