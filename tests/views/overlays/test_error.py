import trtlab
from trtlab.views.overlays import NONE_FILL, node_data, paint
from trtlab.views.overlays.error import ERROR_BINS, from_check


def test_errors_fall_in_bins_and_unmeasured_nodes_say_so(mixed):
    plan = trtlab.partition(mixed)
    first, fallback = plan.subgraphs[0].nodes[0], plan.fallback_nodes[0].name
    data = node_data(mixed, plan, error={first: 3e-3})
    styles, legend = paint(data, "error", {"n:" + first: [first], "n:" + fallback: [fallback]})
    assert styles["n:" + first]["fill"] == ERROR_BINS[2][1] and "0.003" in styles["n:" + first]["tip"]
    assert styles["n:" + fallback]["fill"] == NONE_FILL and [NONE_FILL, "not measured"] in legend
    assert "error" not in [o for o, _ in node_data(mixed, plan).overlays()]  # nothing measured: not offered


def test_a_check_gives_the_error_each_node_adds():
    from tests.models import conv_model
    from trtlab.check import check

    model = conv_model()
    measured = check(model, ["fp16"], per_node=True, build=False, timing=False)
    error = from_check(measured)["error"]
    assert error and set(error) <= {n.name for n in model.nodes} and all(v >= 0 for v in error.values())
    assert from_check(check(model, ["fp16"], per_node=False, build=False, timing=False)) == {}
