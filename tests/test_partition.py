from __future__ import annotations

import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import trtlab
from trtlab.errors import TrtlabError

from tests.models import chain_with_unsupported, dag_model


@st.composite
def dags(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    preds = []
    for i in range(n):
        if i == 0:
            preds.append([])
            continue
        k = draw(st.integers(min_value=1, max_value=min(3, i)))
        preds.append(sorted(set(draw(st.lists(st.integers(0, i - 1), min_size=1, max_size=k)))))
    unsupported = draw(st.sets(st.integers(0, n - 1), max_size=max(1, n // 3)))
    min_block = draw(st.integers(min_value=1, max_value=4))
    return preds, unsupported, min_block


def contracted_is_acyclic(plan: trtlab.Plan) -> bool:
    """Replace each subgraph by one node and look for a cycle (Kahn's algorithm)."""
    placement = plan.placement()
    key = {n: (f"S{placement[n]}" if placement[n] is not None else n) for n in placement}
    succ: dict[str, set[str]] = {k: set() for k in key.values()}
    indeg = {k: 0 for k in succ}
    for p, c, _ in plan.model.edges:
        a, b = key[p], key[c]
        if a != b and b not in succ[a]:
            succ[a].add(b)
            indeg[b] += 1
    ready = [k for k, d in indeg.items() if d == 0]
    seen = 0
    while ready:
        k = ready.pop()
        seen += 1
        for s in succ[k]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    return seen == len(succ)


@settings(max_examples=150, deadline=None)
@given(dags())
def test_partition_properties_on_random_dags(case):
    preds, unsupported, min_block = case
    model = dag_model(preds, unsupported)
    plan = trtlab.partition(model, "tensorrt", exclude_nodes={f"n{i}" for i in unsupported},
                            min_block_size=min_block)
    names = [n.name for n in model.nodes]
    # Each node in exactly one place.
    in_subgraphs = [n for s in plan.subgraphs for n in s.nodes]
    in_fallback = [f.name for f in plan.fallback_nodes]
    assert sorted(in_subgraphs + in_fallback) == sorted(names)
    assert len(set(in_subgraphs)) == len(in_subgraphs)
    # No subgraph holds an unsupported node, and none is under min_block_size.
    for s in plan.subgraphs:
        assert not {f"n{i}" for i in unsupported} & set(s.nodes)
        assert len(s.nodes) >= min_block
    # The contracted graph is acyclic.
    assert contracted_is_acyclic(plan)


def test_partition_avoids_the_cycle_trap():
    # a -> u(unsupported) -> b, a -> c, (b, c) -> d: {a, c, d} would make a cycle through u.
    preds = [[], [0], [1], [0], [2, 3]]
    model = dag_model(preds, {1})
    plan = trtlab.partition(model, "tensorrt", exclude_nodes={"n1"})
    assert contracted_is_acyclic(plan)
    where = plan.placement()
    assert where["n0"] != where["n4"]  # the input side and the output side of n1 are apart


def test_partition_groups_the_naive_case_together():
    preds = [[], [0], [1], [0], [2, 3]]
    model = dag_model(preds, set())
    plan = trtlab.partition(model, "tensorrt")
    assert plan.engine_count == 1 and plan.coverage_pct == 100.0
    assert plan.subgraphs[0].inputs == ["x"] and plan.subgraphs[0].outputs == ["t4"]


def test_min_block_size_sends_small_blocks_back_with_a_reason():
    model = trtlab.load(chain_with_unsupported())
    plan = trtlab.partition(model, "tensorrt", min_block_size=2)
    assert [s.nodes for s in plan.subgraphs] == [["r1", "r2"]]
    reasons = {f.name: f.reason for f in plan.fallback_nodes}
    assert "under min_block_size=2" in reasons["add"]
    assert "Det" in reasons["det"]


def test_boundaries_and_figures():
    model = trtlab.load(chain_with_unsupported())
    plan = trtlab.partition(model, "tensorrt")
    first, second = plan.subgraphs
    assert first.inputs == ["x"] and first.outputs == ["a", "c"]
    assert second.inputs == ["b", "d"] and second.outputs == ["y"]
    assert plan.engine_count == 2
    assert plan.coverage_pct == pytest.approx(60.0)
    assert plan.ops_per_engine == pytest.approx(1.5)


def test_two_subgraphs_cannot_close_a_cycle_between_them():
    # a=n1 and b=n2 hang off an unsupported n0; n3 (unsupported) sits on b -> n3 -> c=n4 and
    # n5 (unsupported) on a -> n5 -> d=n6. The design's rule alone groups {a, c} and {b, d}:
    # each is fine on its own, but contracted together they form {a,c} -> n5 -> {b,d} -> n3 -> {a,c}.
    from trtlab.partition import _Graph

    preds = [[], [0], [0], [2], [1, 3], [1], [2, 5]]
    unsupported = {0, 3, 5}
    model = dag_model(preds, unsupported)
    supported = [i not in unsupported for i in range(len(preds))]
    graph = _Graph(model)
    design_rule_only = graph.grow(supported)
    assert sorted(design_rule_only) == [[1, 4], [2, 6]]
    assert not graph.contracted_acyclic(design_rule_only)
    plan = trtlab.partition(model, "tensorrt", exclude_nodes={f"n{i}" for i in unsupported})
    assert contracted_is_acyclic(plan)
    assert sorted(sorted(s.nodes) for s in plan.subgraphs) == [["n1", "n4"], ["n2"], ["n6"]]


def test_overrides_apply_to_a_given_coverage_report():
    from trtlab.coverage import coverage

    model = trtlab.load(chain_with_unsupported())
    report = coverage(model, "tensorrt")
    plan = trtlab.partition(model, report, exclude_nodes=["r2"])
    assert "r2" in {f.name for f in plan.fallback_nodes}
    assert trtlab.partition(model, report).placement()["r2"] is not None


def test_a_coverage_report_of_another_model_is_refused():
    from trtlab.coverage import coverage

    other = coverage(trtlab.load("zoo:tiny"), "tensorrt")
    with pytest.raises(TrtlabError, match="another model"):
        trtlab.partition(trtlab.load(chain_with_unsupported()), other)


def test_the_min_block_size_recommendation_drops_small_engines_at_the_smallest_value():
    from trtlab.partition import recommend_min_block_size

    model = trtlab.zoo.get("transformer")
    value, why = recommend_min_block_size(trtlab.partition(model, exclude_ops=["Add"]))
    assert (value, why) == (2, "drops 1 engine under 2 nodes: 10 engines, coverage 71.6% instead of 73.1%")
    assert recommend_min_block_size(trtlab.partition(model))[0] == 1  # one engine: nothing to drop


def test_independent_nodes_share_engines_up_to_the_merge_limit():
    from trtlab.partition import MERGED_NODES

    from tests.hostile.scale import independent_nodes

    model = trtlab.load(onnx.load_from_string(independent_nodes(2500)))
    plan = trtlab.partition(model, "tensorrt")
    assert [len(s.nodes) for s in plan.subgraphs] == [MERGED_NODES, MERGED_NODES, 500]
    assert plan.coverage_pct == 100.0 and contracted_is_acyclic(plan)
    assert plan.subgraphs[0].inputs == ["x"] and len(plan.subgraphs[0].outputs) == MERGED_NODES


def test_parts_with_a_path_between_them_are_not_merged():
    # n0 -> n1 (unsupported) -> n2 and a separate n3 beside n0: n0 and n3 merge, n2 stays apart.
    preds = [[], [0], [1], [0]]
    model = dag_model(preds, {1})
    plan = trtlab.partition(model, "tensorrt", exclude_nodes={"n1"})
    where = plan.placement()
    assert where["n0"] == where["n3"] != where["n2"]
    assert contracted_is_acyclic(plan)


def test_engines_past_the_cap_fall_back_with_a_reason(monkeypatch):
    import importlib

    monkeypatch.setattr(importlib.import_module("trtlab.partition"), "MAX_ENGINES", 3)
    preds = [[]] + [[i] for i in range(11)]  # a chain: supported and unsupported in turn
    model = dag_model(preds, set(range(1, 12, 2)))
    plan = trtlab.partition(model, "tensorrt", exclude_nodes={f"n{i}" for i in range(1, 12, 2)})
    assert plan.engine_count == 3
    reasons = {f.name: f.reason for f in plan.fallback_nodes}
    capped = [n for n, r in reasons.items() if "not among the 3 largest" in r]
    assert len(capped) == 3 and contracted_is_acyclic(plan)


def test_no_engine_of_constants_only():
    """A supported block that reads nothing but constants (a Constant feeding a fallback node)
    makes no engine: it would have no input. It falls back, saying so."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    nodes = [helper.make_node("Constant", [], ["c"], name="const", value=numpy_helper.from_array(np.ones((2, 3), np.float32))),
             helper.make_node("NonZero", ["c"], ["nz"], name="nonzero"),
             helper.make_node("Cast", ["nz"], ["nzf"], name="cast", to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["nzf"], ["n"], name="sum", keepdims=0),
             helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Mul", ["r", "n"], ["y"], name="mul")]
    graph = helper.make_graph(nodes, "constants", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    plan = trtlab.partition(trtlab.load(proto), min_block_size=1, exclude_ops={"NonZero"})
    assert [s.nodes for s in plan.subgraphs] == [["cast", "sum", "relu", "mul"]]
    assert "computes only from constants" in {f.name: f.reason for f in plan.fallback_nodes}["const"]


def test_parser_partition_comparison_explains_the_difference():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    from trtlab.partition import compare_with_parser

    plan = trtlab.partition(trtlab.load("zoo:mixed"), "parser")
    text = compare_with_parser(plan)
    assert "topological order" in text and "maps to trtlab engines 0, 1" in text
    same = compare_with_parser(trtlab.partition(trtlab.load("zoo:tiny"), "parser"))
    assert "identical" in same
