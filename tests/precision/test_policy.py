"""PrecisionPolicy: which ops and nodes stay fp32, and why."""

from __future__ import annotations

import pytest
from onnx import TensorProto

from trtlab.precision import DEFAULT_KEEP_FP32_OPS, PrecisionPolicy, to_bf16, to_fp16

from .support import elem_type, node, typed


@pytest.mark.parametrize("convert, low", [(to_fp16, TensorProto.FLOAT16), (to_bf16, TensorProto.BFLOAT16)])
def test_policy_keeps_listed_ops_and_nodes_in_fp32(cnn, convert, low):
    assert "Softmax" in DEFAULT_KEEP_FP32_OPS
    out = typed(convert(cnn))
    assert elem_type(out, node(out, "softmax").input[0]) == TensorProto.FLOAT

    policy = PrecisionPolicy(keep_fp32_nodes={"fc"})
    policy.keep_fp32_ops.discard("Softmax")
    out = typed(convert(cnn, policy))
    fc = node(out, "fc")
    assert elem_type(out, fc.input[1]) == TensorProto.FLOAT  # the kept node reads fp32 weights
    if convert is to_fp16:  # bf16 Softmax computes in fp32 for ORT; fp16 really goes 16-bit
        assert elem_type(out, node(out, "softmax").input[0]) == low


def test_policy_is_plain_data():
    policy = PrecisionPolicy()
    d = policy.to_dict()
    assert "LayerNormalization" in d["keep_fp32_ops"] and d["keep_fp32_nodes"] == []
    assert "BatchNormalization" not in d["keep_fp32_ops"]


def test_the_reason_says_who_kept_a_node():
    from onnx import helper

    policy = PrecisionPolicy(keep_fp32_nodes={"head", "picked"}, node_reasons={"picked": "kept by the search"})
    softmax = helper.make_node("Softmax", ["x"], ["y"], name="probs")
    assert policy.reason_fp32(softmax) == "policy: Softmax is in keep_fp32_ops"
    assert policy.reason_fp32(helper.make_node("Conv", ["x"], ["y"], name="head")) == "user: listed in keep_fp32_nodes"
    assert policy.reason_fp32(helper.make_node("Conv", ["x"], ["y"], name="picked")) == "kept by the search"
    assert policy.reason_fp32(helper.make_node("Conv", ["x"], ["y"], name="body")) is None
    assert not policy.keeps_fp32(helper.make_node("BatchNormalization", ["x"], ["y"], name="bn"))
    assert policy.to_dict()["node_reasons"] == {"picked": "kept by the search"}
