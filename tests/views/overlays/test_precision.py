import trtlab
from trtlab.precision.policy import KEPT_BY_SEARCH
from trtlab.precision_registry import PRECISIONS
from trtlab.views.overlays import node_data, paint
from trtlab.views.overlays.precision import PRECISION_FILL, SEARCH_FILL, from_check


def test_nodes_take_their_precisions_colour_and_kept_ones_say_why(mixed):
    plan = trtlab.partition(mixed)
    first, second = plan.subgraphs[0].nodes[:2]
    data = node_data(mixed, plan, precision={first: "fp16"},
                     precision_reason={first: "kept: sensitive", second: KEPT_BY_SEARCH})
    styles, legend = paint(data, "precision", {"n:" + first: [first], "n:" + second: [second]})
    assert styles["n:" + first]["fill"] == PRECISION_FILL["fp16"] and "kept: sensitive" in styles["n:" + first]["tip"]
    assert styles["n:" + second]["fill"] == SEARCH_FILL  # kept by a keep_fp32="auto" search
    assert all(PRECISION_FILL[p.name] == p.colour for p in PRECISIONS)


def test_a_check_gives_each_nodes_precision_and_the_nodes_kept_in_fp32():
    from tests.models import conv_model
    from trtlab.check import check

    r = check(conv_model(), ["fp16"], build=False, timing=False)
    r.kept_fp32["fp16"] = [{"subgraph": 0, "node": "relu", "op": "Relu", "reason": "user: kept"}]
    values = from_check(r)
    assert values["precision"]["conv"] == "fp16" and values["precision"]["relu"] == "fp32"
    assert values["precision_reason"] == {"relu": "user: kept"}
