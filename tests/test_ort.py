"""ONNX Runtime sessions as trtlab makes them: what they compute is what the model says."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper

from trtlab.ort import make_session


def _relu_then_float8_qdq() -> onnx.ModelProto:
    zero = helper.make_tensor("zero", TensorProto.FLOAT8E4M3FN, [], [0.0])
    scale = helper.make_tensor("scale", TensorProto.FLOAT, [], [1.0])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("QuantizeLinear", ["r", "scale", "zero"], ["q"], name="q"),
             helper.make_node("DequantizeLinear", ["q", "scale", "zero"], ["y"], name="dq")]
    graph = helper.make_graph(nodes, "relu_fp8", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8])], [zero, scale])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    model.ir_version = 9
    return model


def test_a_relu_before_a_float8_quantize_is_kept():
    # ONNX Runtime's ReluQuantRewrite would drop the Relu: float8's zero point does not clip negatives.
    x = np.array([-4, -2, -1, -0.5, 0.5, 1, 2, 4], np.float32)
    (y,) = make_session(_relu_then_float8_qdq()).run(None, {"x": x})
    np.testing.assert_array_equal(y, np.maximum(x, 0))
