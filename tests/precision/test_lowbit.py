"""The 16-bit rewriter's building blocks: bf16 rounding, outer-scope names, weights out of range."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from trtlab.precision import PrecisionPolicy
from trtlab.precision.fp16 import convert_fp16
from trtlab.precision.lowbit import KeptNode, bf16_tensor, outer_names


def test_bf16_rounds_to_nearest_even():
    values = np.array([1.0, 1.00390625, 1.01171875, -2.5, 3.0e38], np.float32)
    bits = np.frombuffer(bf16_tensor("t", values).raw_data, np.uint16)
    back = (bits.astype(np.uint32) << 16).view(np.float32)
    # 1 + 2^-8 is halfway between 1 and 1 + 2^-7: it goes to the even one, 1.
    np.testing.assert_array_equal(back[:4], [1.0, 1.0, 1.015625, -2.5])
    assert abs(back[4] - 3.0e38) / 3.0e38 < 2 ** -8


def test_outer_names_are_what_a_body_reads_but_does_not_make():
    body = helper.make_graph([helper.make_node("Add", ["outer", "inner"], ["y"])], "body",
                             [helper.make_tensor_value_info("inner", TensorProto.FLOAT, [1])],
                             [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    assert outer_names(body) == {"outer"}


def test_a_weight_fp16_cannot_hold_keeps_its_node_in_fp32():
    big = numpy_helper.from_array(np.full((2, 2), 1e6, np.float32), "w")
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])], [big])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    _, kept = convert_fp16(model, PrecisionPolicy())
    assert [k.node for k in kept] == ["mm"] and "out of fp16 range" in kept[0].reason
    assert KeptNode("a", "B", "c").to_dict() == {"node": "a", "op": "B", "reason": "c"}


def test_a_mask_filled_with_fp32s_lowest_keeps_its_readers_in_fp32_inside_a_branch():
    """Optimum's T5 decoders fill masks with fp32's lowest value by ConstantOfShape inside the If
    branches, where no fp32 run can be observed: converted, the mask is -inf and times 0 is NaN."""
    import onnx
    import onnxruntime as ort

    lowest = float(np.finfo(np.float32).min)
    body = helper.make_graph([
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["filled"], name="fill",
                         value=helper.make_tensor("v", TensorProto.FLOAT, [1], [lowest])),
        helper.make_node("Mul", ["filled", "keep"], ["masked"], name="mask"),
        helper.make_node("Add", ["x", "masked"], ["y"], name="add")], "branch", [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    g = helper.make_graph([helper.make_node("If", ["cond"], ["out"], name="if", then_branch=body, else_branch=body)],
                          "g", [helper.make_tensor_value_info("cond", TensorProto.BOOL, [1]),
                                helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4]),
                                helper.make_tensor_value_info("keep", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 4])])
    model = onnx.shape_inference.infer_shapes(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]))
    converted, kept = convert_fp16(model, PrecisionPolicy())
    assert "mask" in [k.node for k in kept]
    feeds = {"cond": np.array([True]), "x": np.ones((1, 4), np.float32),
             "keep": np.array([[0, 0, 1, 1]], np.float32)}
    out = ort.InferenceSession(converted.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)[0]
    assert np.isfinite(out[0, :2]).all() and (out[0, 2:] < -1e38).all(), out
