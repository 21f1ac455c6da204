"""fp16: weights and activations in float16, fp32 kept where the policy or the observed values say."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from trtlab.precision import apply_precision


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


def _scale_relu(k: float) -> onnx.ModelProto:
    """y = Relu(x * k) on 4 values."""
    nodes = [helper.make_node("Mul", ["x", "k"], ["big"], name="scale"), helper.make_node("Relu", ["big"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
                              [numpy_helper.from_array(np.array(k, np.float32), "k")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_observed_ranges_are_the_largest_finite_values_of_one_run():
    from trtlab.precision.fp16 import observed_ranges

    proto = _scale_relu(1e5)
    x = np.array([-3.0, 0.5, 2.0, np.inf], np.float32)
    ranges = observed_ranges(proto, {"x": x})
    assert ranges["big"] == 3e5 and ranges["y"] == 2e5  # |-3 x 1e5|; the inf is not counted
    assert [o.name for o in proto.graph.output] == ["y"]  # outputs as they were
    assert observed_ranges(proto, {"x": np.zeros(3, np.float32)}) == {}  # does not run: nothing observed


def test_values_out_of_fp16_range_keep_their_node_in_fp32():
    from trtlab.precision.fp16 import convert_fp16

    proto = _scale_relu(100.0)
    _, kept = convert_fp16(onnx.ModelProto.FromString(proto.SerializeToString()), feeds={"x": np.full(4, 200, np.float32)})
    reasons = {k.node: k.reason for k in kept}
    assert {"scale", "relu"} <= set(reasons) and "tensor 'big' reaches |v| = 2e+04" in reasons["scale"]
    _, kept_small = convert_fp16(onnx.ModelProto.FromString(proto.SerializeToString()), feeds={"x": np.ones(4, np.float32)})
    assert kept_small == []
