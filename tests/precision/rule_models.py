"""Small models built in code, one per rule the precision transforms must keep."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = np.float32


def _model(nodes, inputs, outputs, inits=(), opset: int = 17) -> onnx.ModelProto:
    model = helper.make_model(helper.make_graph(nodes, "rule", inputs, outputs, list(inits)),
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7 if opset < 13 else 8
    onnx.checker.check_model(model)
    return model


def conv_bn(variance: float = 3e7, seed: int = 0) -> onnx.ModelProto:
    """Conv -> BatchNormalization -> Relu with running variances far outside fp16 (as PP-OCR's)."""
    rng = np.random.default_rng(seed)
    c = 4
    inits = [numpy_helper.from_array((rng.standard_normal((c, 3, 3, 3)) * 300).astype(F), "w"),
             numpy_helper.from_array(rng.standard_normal(c).astype(F), "b"),
             numpy_helper.from_array(rng.uniform(0.5, 2, c).astype(F), "scale"),
             numpy_helper.from_array(rng.standard_normal(c).astype(F), "bias"),
             numpy_helper.from_array((rng.standard_normal(c) * 100).astype(F), "mean"),
             numpy_helper.from_array((rng.uniform(0.5, 1.5, c) * variance).astype(F), "var")]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"], name="bn"),
             helper.make_node("Relu", ["n"], ["y"], name="relu")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, 8, 8])], inits)


def gemm_bn(trans_b: int = 1, seed: int = 0) -> onnx.ModelProto:
    """Gemm (alpha, beta, bias) -> BatchNormalization on its 2-D output."""
    rng = np.random.default_rng(seed)
    k, m = 6, 5
    w = rng.standard_normal((m, k) if trans_b else (k, m)).astype(F)
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(rng.standard_normal(m).astype(F), "c"),
             numpy_helper.from_array(rng.uniform(0.5, 2, m).astype(F), "scale"),
             numpy_helper.from_array(rng.standard_normal(m).astype(F), "bias"),
             numpy_helper.from_array(rng.standard_normal(m).astype(F), "mean"),
             numpy_helper.from_array(rng.uniform(0.5, 2, m).astype(F), "var")]
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["g"], transB=trans_b, alpha=0.5, beta=2.0, name="gemm"),
             helper.make_node("BatchNormalization", ["g", "scale", "bias", "mean", "var"], ["y"], name="bn")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, k])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, m])], inits)


def big_weight() -> onnx.ModelProto:
    """x * w + 1 where w holds 1e6: w does not fit fp16, so its reader must stay fp32."""
    w = numpy_helper.from_array(np.array([1e6, -2e6, 3.0, 0.5], F), "w")
    one = numpy_helper.from_array(np.ones(4, F), "one")
    nodes = [helper.make_node("Mul", ["x", "w"], ["m"], name="scale_up"),
             helper.make_node("Add", ["m", "one"], ["y"], name="add")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 4])], [w, one])


def int_input_cast_matmul() -> onnx.ModelProto:
    """magika's pattern: int32 input -> Cast(to=FLOAT) -> MatMul with fp32 weights, plus a
    ConstantOfShape (of a dynamic shape, so it is not folded away) whose fp32 value is added on."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3)).astype(F), "w")
    nodes = [helper.make_node("Cast", ["bytes"], ["f"], to=TensorProto.FLOAT, name="to_float"),
             helper.make_node("MatMul", ["f", "w"], ["m"], name="matmul"),
             helper.make_node("Shape", ["m"], ["shape"], name="shape"),
             helper.make_node("ConstantOfShape", ["shape"], ["half"], name="halves",
                              value=numpy_helper.from_array(np.array([0.5], F))),
             helper.make_node("Add", ["m", "half"], ["y"], name="add")]
    return _model(nodes, [helper.make_tensor_value_info("bytes", TensorProto.INT32, ["n", 4])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 3])], [w])


def conv_opset11(seed: int = 0) -> onnx.ModelProto:
    """Conv -> Relu -> Conv at opset 11, where DequantizeLinear has no per-channel axis."""
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array((rng.standard_normal((4, 3, 3, 3)) * 0.3).astype(F), "w1"),
             numpy_helper.from_array((rng.standard_normal((2, 4, 1, 1)) * 0.3).astype(F), "w2")]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Conv", ["r", "w2"], ["y"], name="conv2")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])], inits, opset=11)


def if_with_outer_scope() -> onnx.ModelProto:
    """h = x @ w; if flag: h * 2 + k else h - k, the branches reading h and k from outside."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 4)).astype(F), "w")
    k = numpy_helper.from_array(rng.standard_normal(4).astype(F), "k")
    two = numpy_helper.from_array(np.array(2.0, F), "two")
    out = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [2, 4])  # noqa: E731
    then = helper.make_graph([helper.make_node("Mul", ["h", "two"], ["t1"], name="then_mul"),
                              helper.make_node("Add", ["t1", "k"], ["t_out"], name="then_add")],
                             "then", [], [out("t_out")])
    other = helper.make_graph([helper.make_node("Sub", ["h", "k"], ["e_out"], name="else_sub")],
                              "else", [], [out("e_out")])
    nodes = [helper.make_node("MatMul", ["x", "w"], ["h"], name="matmul"),
             helper.make_node("If", ["flag"], ["b"], then_branch=then, else_branch=other, name="branch"),
             helper.make_node("Relu", ["b"], ["y"], name="relu")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4]),
                          helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
                  [out("y")], [w, k, two])


def run(model: onnx.ModelProto, feeds: dict) -> list[np.ndarray]:
    import onnxruntime as ort

    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
