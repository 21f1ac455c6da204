import trtlab
from trtlab.views.overlays import NONE_FILL, node_data, paint


def test_each_engine_has_its_colour_and_nodes_outside_none(mixed):
    plan = trtlab.partition(mixed)
    first, fallback = plan.subgraphs[0].nodes[0], plan.fallback_nodes[0].name
    styles, legend = paint(node_data(mixed, plan), "engine", {"n:" + first: [first], "n:" + fallback: [fallback]})
    assert styles["n:" + fallback]["fill"] == NONE_FILL and styles["n:" + fallback]["tip"] == "outside TensorRT"
    assert styles["n:" + first]["key"] == f"e{plan.subgraphs[0].id}"
    assert any(label == plan.subgraphs[0].name for _, label in legend)


def test_a_bare_coverage_has_no_engines_to_show(mixed):
    assert "engine" not in [o for o, _ in node_data(mixed, trtlab.coverage(mixed)).overlays()]
