import trtlab
from trtlab.views.overlays import ERROR_BINS, NONE_FILL, node_data, paint
from trtlab.views.status import FILL


def test_coverage_fills_and_group_mix(mixed):
    plan = trtlab.partition(mixed)
    data = node_data(mixed, plan)
    names = [n.name for n in mixed.nodes]
    fallback = plan.fallback_nodes[0].name
    inside = plan.subgraphs[0].nodes[0]
    styles, legend = paint(data, "coverage", {"n:" + inside: [inside], "n:" + fallback: [fallback],
                                              "g:all": names})
    assert styles["n:" + inside]["fill"] == FILL["supported"]
    assert styles["n:" + fallback]["fill"] != FILL["supported"]
    mix = styles["g:all"]["mix"]
    assert sum(n for _, n in mix) == len(names) and len(mix) >= 2
    assert styles["g:all"]["fill"] == "#ffffff"  # members disagree: the bar tells the mix
    assert styles["g:all"]["key"] == "mixed" and styles["n:" + inside]["key"] == "supported"
    assert [FILL["supported"], "TensorRT"] in legend


def test_engine_precision_error_and_fallback_overlays(mixed):
    plan = trtlab.partition(mixed)
    first = plan.subgraphs[0].nodes[0]
    fallback = plan.fallback_nodes[0]
    data = node_data(mixed, plan, error={first: 3e-3}, precision_reason={first: "kept: sensitive"})
    assert [o[0] for o in data.overlays()] == ["coverage", "engine", "precision", "error", "fallback"]
    items = {"n:" + first: [first], "n:" + fallback.name: [fallback.name]}
    engine, legend = paint(data, "engine", items)
    assert engine["n:" + fallback.name]["fill"] == NONE_FILL
    assert any(label == plan.subgraphs[0].name for _, label in legend)
    error, _ = paint(data, "error", items)
    assert error["n:" + first]["fill"] == ERROR_BINS[2][1] and "0.003" in error["n:" + first]["tip"]
    assert error["n:" + fallback.name]["fill"] == NONE_FILL  # not measured
    precision, _ = paint(data, "precision", items)
    assert "kept: sensitive" in precision["n:" + first]["tip"]
    reasons, legend = paint(data, "fallback", items)
    assert reasons["n:" + fallback.name]["tip"] == fallback.reason
    assert any(label.startswith(fallback.reason[:20]) for _, label in legend)


def test_a_bare_coverage_offers_the_coverage_overlay_only(mixed):
    data = node_data(mixed, trtlab.coverage(mixed))
    assert data.overlays() == [["coverage", "coverage status"]]
