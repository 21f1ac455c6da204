"""Small models for the check tests."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab


def det_model() -> trtlab.Model:
    """x -> Relu -> Det -> Abs -> Neg -> y. With Det forced in and Abs kept out, the first
    subgraph holds a Det, which the TensorRT ONNX parser rejects; the second one builds."""
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Det", ["r"], ["d"], name="det"),
             helper.make_node("Abs", ["d"], ["a"], name="abs"),
             helper.make_node("Neg", ["a"], ["y"], name="neg")]
    graph = helper.make_graph(nodes, "det", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="det")


def conv_model() -> trtlab.Model:
    """A tiny CNN with class scores: Conv, Relu, GlobalAveragePool, Flatten, Gemm."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.3, "w")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    fw = numpy_helper.from_array(rng.standard_normal((5, 4)).astype(np.float32), "fw")
    fb = numpy_helper.from_array(np.zeros(5, np.float32), "fb")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 5])], [w, b, fw, fb])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="cnn")
