"""Tiny models for the precision and engine tests, built in code with seeded weights."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

INPUT_SHAPE = (2, 3, 8, 8)


def tiny_cnn(seed: int = 0, *, folded_weight: bool = True) -> onnx.ModelProto:
    """Conv -> BatchNorm -> Relu -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.

    With `folded_weight`, the Gemm weight is a Transpose of an initializer: a constant that
    sanitize must fold into a plain initializer.
    """
    rng = np.random.default_rng(seed)
    f32 = np.float32
    inits = [
        numpy_helper.from_array((rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(f32), "conv.w"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "conv.b"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(f32), "bn.scale"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "bn.bias"),
        numpy_helper.from_array(rng.standard_normal(8).astype(f32) * 0.1, "bn.mean"),
        numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(f32), "bn.var"),
        numpy_helper.from_array(rng.standard_normal(5).astype(f32) * 0.1, "fc.b"),
    ]
    fc_w = (rng.standard_normal((8, 5)) * 0.5).astype(f32)
    nodes = [
        helper.make_node("Conv", ["x", "conv.w", "conv.b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
                         name="bn"),
        helper.make_node("Relu", ["bn"], ["r"], name="relu"),
        helper.make_node("GlobalAveragePool", ["r"], ["p"], name="pool"),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
    ]
    if folded_weight:
        inits.append(numpy_helper.from_array(fc_w.T.copy(), "fc.w_t"))
        nodes.append(helper.make_node("Transpose", ["fc.w_t"], ["fc.w"], perm=[1, 0], name="fc.w.transpose"))
    else:
        inits.append(numpy_helper.from_array(fc_w, "fc.w"))
    nodes += [
        helper.make_node("Gemm", ["f", "fc.w", "fc.b"], ["g"], name="fc"),
        helper.make_node("Softmax", ["g"], ["y"], axis=1, name="softmax"),
    ]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(INPUT_SHAPE))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [INPUT_SHAPE[0], 5])
    graph = helper.make_graph(nodes, "tiny_cnn", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def unsupported_op_model() -> onnx.ModelProto:
    """A Relu followed by an op from a custom domain, which no TensorRT parser has an importer for."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")]
    graph = helper.make_graph(nodes, "unsupported", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    model.ir_version = 8
    return model


def inputs(seed: int = 1, count: int = 1) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [{"x": rng.standard_normal(INPUT_SHAPE).astype(np.float32)} for _ in range(count)]


def run_ort(model: onnx.ModelProto, feed: dict[str, np.ndarray]) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feed)[0]


def elem_type(model: onnx.ModelProto, tensor: str) -> int:
    g = model.graph
    for t in g.initializer:
        if t.name == tensor:
            return t.data_type
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        if vi.name == tensor:
            return vi.type.tensor_type.elem_type
    raise KeyError(tensor)


def node(model: onnx.ModelProto, name: str) -> onnx.NodeProto:
    return next(n for n in model.graph.node if n.name == name)


def wide_mlp(width: int = 512, seed: int = 0) -> onnx.ModelProto:
    """x[1, width] @ W[width, width] -> Relu: weights large enough to show in engine sizes."""
    rng = np.random.default_rng(seed)
    w = numpy_helper.from_array((rng.standard_normal((width, width)) * 0.05).astype(np.float32), "w")
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="matmul"),
             helper.make_node("Relu", ["m"], ["y"], name="relu")]
    model = helper.make_model(helper.make_graph(nodes, "wide_mlp", [x], [y], [w]),
                              opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model
