import trtlab
from trtlab.views.overlays import node_data, paint
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


def test_the_overlays_a_plan_with_check_values_offers_in_their_order(mixed):
    plan = trtlab.partition(mixed)
    first = plan.subgraphs[0].nodes[0]
    data = node_data(mixed, plan, error={first: 3e-3}, precision_reason={first: "kept: sensitive"})
    assert [o[0] for o in data.overlays()] == ["coverage", "engine", "precision", "error", "fallback"]
    assert data.error == {first: 3e-3} and data.precision[first] == "fp32"


def test_a_bare_coverage_offers_the_coverage_overlay_only(mixed):
    data = node_data(mixed, trtlab.coverage(mixed))
    assert data.overlays() == [["coverage", "coverage status"]]


def _op_categories(data, names):
    ops = data.value("op_type")
    keys = {n: ops.get(n, "?") for n in names}
    return keys, {op: ("#abcdef" if op == "Conv" else "#fedcba", f"op {op}") for op in set(keys.values())}


def test_a_registered_overlay_is_offered_painted_and_fed_by_a_check():
    """A new overlay is one registration: the widget's menu offers it where its values are given,
    it paints, a check's values for it come from its own `from_check`, and the report draws by it."""
    from tests.models import conv_model
    from trtlab.check import check
    from trtlab.lab.graph_widget import GraphWidget
    from trtlab.views.overlays import Overlay, check_values, register, unregister

    register(Overlay("op type (test)", "op type", 25, _op_categories, shows=lambda d: bool(d.value("op_type")),
                     from_check=lambda r: {"op_type": {n.name: n.op_type for n in r.model.nodes}}))
    try:
        r = check(conv_model(), ["fp32"], build=False, timing=False)
        values = check_values(r)
        assert values["op_type"]["conv"] == "Conv"
        widget = GraphWidget.after(r.plan, values=values)
        menu = [name for name, _ in widget.overlays]
        assert menu.index("precision") < menu.index("op type (test)") < menu.index("fallback")
        widget.overlay = "op type (test)"
        fills = [f for style in widget.styles.values() for f in [style["fill"], *(c for c, _ in style.get("mix", []))]]
        assert "#abcdef" in fills and ["#abcdef", "op Conv"] in widget.legend
        assert "op type (test)" not in [o for o, _ in node_data(r.model, r.plan).overlays()]
        from trtlab.report.html import render_report

        assert "<h3>By op type</h3>" in render_report(r)  # the report draws the graph by it too
    finally:
        unregister("op type (test)")


def test_every_overlay_has_a_mirror_test():
    from pathlib import Path

    from trtlab.views.overlays import known

    here = Path(__file__).parent
    names = [o.name for o in known()]
    assert names[:1] == ["coverage"] and {"engine", "precision", "error", "fallback"} <= set(names)
    missing = [f"{o.name}: {o.module}" for o in known()
               if not (here / f"test_{o.module.rpartition('.')[2]}.py").exists()]
    assert missing == []
