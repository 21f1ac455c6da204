"""Sanitizing before a precision transform: what constant folding leaves must stay a valid model."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from trtlab.ort import run_onnxruntime
import trtlab
from trtlab.precision import convert_precision, sanitize

from .support import node, run_ort


def constant_output_model() -> onnx.ModelProto:
    """y = Relu(x @ w) + 0, and `state`, zeros of x's shape: an output that folds to a constant, as
    an LSTM's zero initial state does once shapes are fixed (the MatMul gives int8 something to
    quantize)."""
    zero = numpy_helper.from_array(np.array([0.0], np.float32))
    w = numpy_helper.from_array(np.eye(3, dtype=np.float32) * 0.5, "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="matmul"),
             helper.make_node("Relu", ["m"], ["r"], name="relu"),
             helper.make_node("Shape", ["x"], ["s"], name="shape"),
             helper.make_node("ConstantOfShape", ["s"], ["zeros"], name="zeros", value=zero),
             helper.make_node("Add", ["r", "zeros"], ["y"], name="add"),
             helper.make_node("Identity", ["zeros"], ["state"], name="state_out")]
    graph = helper.make_graph(nodes, "constant_output", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3]),
                               helper.make_tensor_value_info("state", TensorProto.FLOAT, [2, 3])], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16", "int8"])
def test_an_output_folded_to_a_constant_stays_the_output_of_a_node(precision):
    converted = convert_precision(constant_output_model(), precision).model
    onnx.checker.check_model(converted)
    producer = {o: n for n in converted.graph.node for o in n.output}
    assert "state" in producer  # an Identity (or the Cast back to fp32 after it)
    x = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
    out = run_onnxruntime(converted, {"x": x})
    assert np.array_equal(np.asarray(out["state"], np.float32), np.zeros((2, 3), np.float32))


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
