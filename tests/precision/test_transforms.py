from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, shape_inference

import trtlab
from trtlab.errors import TrtlabError
from trtlab.precision import (DEFAULT_KEEP_FP32_OPS, PrecisionPolicy, apply_precision, sanitize, to_bf16,
                              to_fp16)

from tests.models import tiny_cnn

from .support import elem_type, inputs, node, run_ort


def typed(model: onnx.ModelProto) -> onnx.ModelProto:
    return shape_inference.infer_shapes(model)


@pytest.fixture(scope="module")
def cnn():
    return tiny_cnn()


@pytest.fixture(scope="module")
def reference(cnn):
    feed = inputs()[0]
    return feed, run_ort(cnn, feed)


def test_sanitize_folds_computed_weights_into_initializers(cnn):
    out = sanitize(cnn)
    assert "Transpose" not in {n.op_type for n in out.graph.node}
    gemm = node(out, "fc")
    weights = {t.name: t for t in out.graph.initializer}
    assert gemm.input[1] in weights and list(weights[gemm.input[1]].dims) == [8, 5]
    assert len(out.graph.value_info) > 0  # shapes inferred
    assert cnn.graph.node[-2].op_type == "Gemm" and any(n.op_type == "Transpose" for n in cnn.graph.node)


def test_sanitize_accepts_a_trtlab_model_and_keeps_the_answer(cnn, reference):
    feed, ref = reference
    model = trtlab.Model.from_proto(cnn, name="cnn", source="test")
    np.testing.assert_allclose(run_ort(sanitize(model), feed), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("precision, low_type, atol", [("fp16", TensorProto.FLOAT16, 5e-3),
                                                       ("bf16", TensorProto.BFLOAT16, 3e-2)])
def test_16_bit_models_run_in_ort_close_to_fp32(cnn, reference, precision, low_type, atol):
    feed, ref = reference
    out = apply_precision(cnn, precision)
    onnx.checker.check_model(out)
    assert elem_type(out, "x") == TensorProto.FLOAT and elem_type(out, "y") == TensorProto.FLOAT
    conv_weight = node(out, "conv").input[1]
    weights = {t.name: t for t in out.graph.initializer}
    # bf16 weights reach the ORT-runnable Conv through a Cast to fp32.
    stored = conv_weight if conv_weight in weights else next(
        n.input[0] for n in out.graph.node if n.output[0] == conv_weight)
    assert weights[stored].data_type == low_type
    got = run_ort(out, feed)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, atol=atol)
    assert not np.array_equal(got, ref)  # it really computed in lower precision


def test_bf16_rounds_activations_between_ops(cnn):
    out = typed(to_bf16(cnn))
    relu = node(out, "relu")
    assert elem_type(out, relu.output[0]) == TensorProto.FLOAT  # computes in fp32 for ORT ...
    consumer = next(n for n in out.graph.node if relu.output[0] in n.input)
    assert consumer.op_type == "Cast" and consumer.attribute[0].i == TensorProto.BFLOAT16  # ... stored bf16


def test_bf16_for_tensorrt_computes_in_bf16(cnn):
    out = to_bf16(cnn, runnable_in_ort=False)
    conv = node(out, "conv")
    assert all(elem_type(out, t) == TensorProto.BFLOAT16 for t in conv.input[:2])
    types = {vi.name: vi.type.tensor_type.elem_type for vi in out.graph.value_info}
    assert types[conv.output[0]] == TensorProto.BFLOAT16
    assert elem_type(out, "y") == TensorProto.FLOAT


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


def test_fp32_is_sanitized_and_unknown_precision_is_refused(cnn, reference):
    feed, ref = reference
    np.testing.assert_allclose(run_ort(apply_precision(cnn, "fp32"), feed), ref, rtol=1e-5, atol=1e-6)
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'.*fp32, fp16, bf16, int8, fp8"):
        apply_precision(cnn, "fp9")


def test_transforms_leave_their_input_alone(cnn):
    before = cnn.SerializeToString()
    to_fp16(cnn), to_bf16(cnn)
    assert cnn.SerializeToString() == before


def test_fp16_output_that_nodes_also_read_keeps_types_consistent():
    # A cut subgraph often exports a tensor that its own nodes read on: the zoo's mixed model's
    # first TensorRT subgraph exports stem.relu, which branch_c.conv reads too.
    import onnxruntime as ort

    import trtlab
    from trtlab.cut import cut_subgraph

    plan = trtlab.partition(trtlab.load("zoo:mixed"))
    sub = cut_subgraph(plan, 0)
    out = apply_precision(sub, "fp16")
    types = {vi.name: vi.type.tensor_type.elem_type for vi in
             list(onnx.shape_inference.infer_shapes(out).graph.value_info) + list(out.graph.input)}
    inits = {t.name: t.data_type for t in out.graph.initializer}
    for node in out.graph.node:
        if node.op_type == "Conv":
            assert types[node.input[0]] == inits[node.input[1]] == TensorProto.FLOAT16, node.name
    x = np.random.default_rng(0).random((1, 3, 32, 32), dtype=np.float32)
    want = ort.InferenceSession(sub.SerializeToString()).run(None, {"data": x})
    got = ort.InferenceSession(out.SerializeToString()).run(None, {"data": x})
    for w, g in zip(want, got):
        assert g.dtype == np.float32 and np.abs(w - g).max() < 1e-2


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_an_ir3_opset9_model_upgrades_with_its_weights_listed_as_inputs(precision):
    """IR version 3 lists weights as graph inputs; loading drops them there, and onnx's version
    converter then found them "undefined". The upgrade lists them while it runs."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    import trtlab
    from trtlab.precision import convert_precision

    w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((4, 3, 3, 3)).astype(np.float32) / 5, "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "ir3", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8]),
                                             helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    proto.ir_version = 3
    converted = convert_precision(trtlab.load(proto), precision).model
    assert converted.opset_import[0].version >= 13
    assert [i.name for i in converted.graph.input] == ["x"]
