import trtlab
from trtlab.views.overlays import node_data, paint
from trtlab.views.status import FILL


def test_nodes_take_their_coverage_status_and_its_line_as_tip(mixed):
    plan = trtlab.partition(mixed)
    data = node_data(mixed, plan)
    inside, fallback = plan.subgraphs[0].nodes[0], plan.fallback_nodes[0].name
    styles, legend = paint(data, "coverage", {"n:" + inside: [inside], "n:" + fallback: [fallback]})
    assert styles["n:" + inside]["fill"] == FILL["supported"] and styles["n:" + inside]["key"] == "supported"
    assert styles["n:" + fallback]["fill"] != FILL["supported"]
    assert styles["n:" + inside]["tip"] == data.statuses[inside].line()
    assert [FILL["supported"], "TensorRT"] in legend


def test_an_unknown_overlay_name_paints_coverage(mixed):
    data = node_data(mixed, trtlab.partition(mixed))
    name = mixed.nodes[0].name
    assert paint(data, "no such overlay", {"n:" + name: [name]}) == paint(data, "coverage", {"n:" + name: [name]})
