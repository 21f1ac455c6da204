from trtlab.accuracy import Tolerance
from trtlab.check.keep_search import KEPT_BY_SEARCH, search_keep_fp32
from trtlab.accuracy.pernode import expose_intermediates
from trtlab.feeds import random_feeds
from trtlab.ort import run_onnxruntime

from tests.models import fragile_chain


def _reference(model):
    feeds = random_feeds(model, seed=0)
    return feeds, {**feeds, **run_onnxruntime(expose_intermediates(model.proto), feeds, "cpu")}


def test_the_search_keeps_the_node_where_fp16_error_enters():
    model = fragile_chain(bad=(2,))
    feeds, values = _reference(model)
    s = search_keep_fp32(model, "fp16", feeds, values)
    assert s.passed and s.names == ["mm2"] and s.bound == 2  # 10% of 20 nodes
    assert s.before.startswith("fails: y: ") and s.after.startswith("passes: y: every element within")
    assert s.kept[0].adds_max_abs > 0 and s.kept[0].adds_cosine < 0.999  # the error it removed
    assert s.tried >= 2 and s.seconds > 0
    assert s.text().startswith("1 of 20 nodes kept in fp32 by the search (mm2; ")
    assert s.to_dict()["kept"][0]["reason"] == KEPT_BY_SEARCH


def test_two_bad_nodes_are_found_by_doubling_and_bisecting():
    model = fragile_chain(bad=(1, 3))
    feeds, values = _reference(model)
    s = search_keep_fp32(model, "fp16", feeds, values)
    assert s.passed and sorted(s.names) == ["mm1", "mm3"]


def test_where_nothing_under_the_bound_passes_it_says_so_and_shows_the_best():
    model = fragile_chain(bad=(1, 3))
    feeds, values = _reference(model)
    s = search_keep_fp32(model, "fp16", feeds, values, bound=0.05)  # one node of 21
    assert not s.passed and len(s.kept) == 1 and s.kept[0].node in ("mm1", "mm3")
    assert s.text().startswith("no set of at most 1 node (5% of 21) kept in fp32 passes; the best found keeps 1 (")
    assert s.after.startswith("fails: ")


def test_a_model_that_passes_keeps_nothing():
    model = fragile_chain(bad=())
    feeds, values = _reference(model)
    s = search_keep_fp32(model, "fp16", feeds, values)
    assert s.passed and not s.kept and "passes in ONNX Runtime without keeping any node" in s.note


def test_int8_leaves_the_nodes_it_keeps_unquantized():
    from trtlab.precision import PrecisionPolicy, apply_precision
    from trtlab.precision.calibration import input_specs, synthetic

    model = fragile_chain(bad=())
    feeds, values = _reference(model)
    cal = [dict(feeds)] + synthetic(input_specs(model.proto))
    tight = {"int8": Tolerance(0.01, 0.0, 0.9999)}
    s = search_keep_fp32(model, "int8", feeds, values, tolerances=tight, calibration=cal, bound=0.5)
    assert s.passed and s.kept and all(k.op == "MatMul" for k in s.kept)
    q = apply_precision(model.proto, "int8", calibration=cal, policy=PrecisionPolicy(keep_fp32_nodes=set(s.names)))
    dq = {n.output[0] for n in q.graph.node if n.op_type == "DequantizeLinear"}
    for n in q.graph.node:  # what was kept reads no dequantized value
        if n.name in s.names:
            assert not dq.intersection(n.input), n.name
