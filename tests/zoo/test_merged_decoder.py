"""The merged decoder: two decoders under an If on use_cache_branch, as Optimum merges them."""

from __future__ import annotations

import numpy as np
import pytest

from trtlab import zoo
from trtlab.check import check
from trtlab.installed_tensorrt import find_tensorrt

PAST = {"min": [1, 1, 32], "opt": [1, 8, 32], "max": [1, 32, 32]}


def feeds(use_cache: bool) -> dict:
    rng = np.random.default_rng(0)
    return {"input_ids": np.array([[1, 5, 9, 63]]), "use_cache_branch": np.array([use_cache]),
            "past_key": rng.standard_normal((1, 8, 32)).astype(np.float32),
            "past_value": rng.standard_normal((1, 8, 32)).astype(np.float32)}


def test_it_is_one_if_holding_both_decoders():
    model = zoo.get("merged_decoder")
    assert [n.op_type for n in model.nodes] == ["If"]
    branches = {a.name: a.g for a in model.nodes[0].attribute}
    assert {n.op_type for n in branches["then_branch"].node} >= {"Gather", "Concat", "Softmax", "MatMul"}
    assert "Concat" not in {n.op_type for n in branches["else_branch"].node}


@pytest.mark.parametrize("use_cache", [True, False], ids=["with-past", "no-past"])
def test_each_branch_checks_at_fp32_and_fp16(use_cache):
    result = check(zoo.get("merged_decoder"), ["fp32", "fp16"], feeds=feeds(use_cache), timing=False,
                   cache_dir=None)
    expected = "pass" if find_tensorrt() is not None else "not measured"
    assert [v.status for v in result.verdicts] == [expected, expected], result.verdicts


def test_random_token_ids_stay_inside_the_embedding_table_read_in_a_branch():
    from trtlab.feeds import random_feeds

    ids = random_feeds(zoo.get("merged_decoder"))["input_ids"]
    assert 0 <= ids.min() and ids.max() < 64


def test_over_a_range_of_past_lengths_the_branches_keep_their_shapes():
    """Loaded at opt, the model's branches hold opt's shapes: opened again for min and max, both
    branches run there, and the engine is built for the range."""
    result = check(zoo.get("merged_decoder"), ["fp32"], profiles=[{"past_key": PAST, "past_value": PAST}],
                   timing=False, cache_dir=None)
    assert [a.shapes["past_key"] for a in result.accuracy] == [(1, 8, 32), (1, 1, 32), (1, 32, 32)]
    if find_tensorrt() is not None:
        assert result.verdict("fp32").status == "pass", result.verdict("fp32")
        assert result.engines[0].profiles[0]["past_key"] == PAST


def _branch_shapes(graph, name):
    for vi in graph.value_info:
        if vi.name == name and vi.type.tensor_type.HasField("shape"):
            dims = vi.type.tensor_type.shape.dim
            if all(d.HasField("dim_value") for d in dims):
                return [d.dim_value for d in dims]
    return None


@pytest.mark.parametrize("where", ["loaded", "sanitized"])
def test_a_tensor_named_alike_in_both_branches_keeps_each_branchs_shape(where):
    """Optimum's branches name their tensors alike; ONNX's data propagation keys what it learns
    by name, so the with-past branch's scores shape (1x4x12) was written into the no-past
    branch's bias (1x4x4), which ONNX Runtime then refused in Optimum's exports."""
    from trtlab.precision.sanitize import sanitize

    model = zoo.get("merged_decoder")
    proto = model.proto if where == "loaded" else sanitize(model)
    branches = {a.name: a.g for a in proto.graph.node[0].attribute}
    for branch, total in (("then_branch", 12), ("else_branch", 4)):
        for name in ("decoder/bias", "decoder/scaled"):
            assert _branch_shapes(branches[branch], name) in (None, [1, 4, total]), (branch, name)


def test_int8_and_fp8_with_nothing_quantized_are_not_measured_and_say_why():
    """Every MatMul is inside the If's branches, which ONNX Runtime's quantizer does not enter:
    the int8 (fp8) model is the fp32 one, and a pass there would be fp32's."""
    result = check(zoo.get("merged_decoder"), ["int8", "fp8"], feeds=feeds(True), timing=False, cache_dir=None)
    for v in result.verdicts:
        assert v.status == "not measured", v
        assert f"nothing was quantized to {v.precision}: its 14 Conv/Gemm/MatMul nodes are inside the bodies of " \
               "If 'optimum::if', which ONNX Runtime's quantizer does not enter" in v.reason, v
        assert "fp16 or bf16" in v.reason and "decoder_with_past_model.onnx" in v.reason
    assert not result.accuracy and not any(e.built for e in result.engines)
