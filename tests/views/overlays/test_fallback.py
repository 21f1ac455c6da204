import trtlab
from trtlab.views.overlays import node_data, paint


def test_a_fallback_node_shows_its_reason(mixed):
    plan = trtlab.partition(mixed)
    fallback, inside = plan.fallback_nodes[0], plan.subgraphs[0].nodes[0]
    styles, legend = paint(node_data(mixed, plan), "fallback",
                           {"n:" + fallback.name: [fallback.name], "n:" + inside: [inside]})
    assert styles["n:" + fallback.name]["tip"] == fallback.reason
    assert styles["n:" + inside]["key"] == "in"
    assert any(label.startswith(fallback.reason[:20]) for _, label in legend)
