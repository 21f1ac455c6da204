"""Each rule that keeps a 16-bit or int8 model right, on a small model built for it."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from trtlab.precision import ConversionInvalid, ConvertedModel, convert_precision, sanitize, sanitize_with_notes
from trtlab.precision.convert import validate_converted
from trtlab.precision.sanitize import sanitize_checked

from tests import models as rm

from .rule_support import run


def cosine(a, b) -> float:
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def ops(model):
    return [n.op_type for n in model.graph.node]


def test_fp16_of_a_batchnorm_with_huge_variance_folds_it_first():
    # Converting the BatchNormalization itself would clamp its variance (3e7) to fp16: wrong answers.
    model = rm.conv_bn()
    x = np.random.default_rng(2).standard_normal((1, 3, 8, 8)).astype(np.float32)
    result = convert_precision(model, "fp16", feeds={"x": x})
    assert "BatchNormalization" not in ops(result.model) and result.kept_fp32 == []
    want, got = run(model, {"x": x})[0], run(result.model, {"x": x})[0]
    assert cosine(want, got) > 0.9999
    assert "ONNX Runtime" in result.validated


def test_a_weight_out_of_fp16_range_stays_fp32_behind_a_cast():
    model = rm.big_weight()
    result = convert_precision(model, "fp16")
    kept = {k.node: k for k in result.kept_fp32}
    assert "scale_up" in kept and "out of fp16 range" in kept["scale_up"].reason and "2e+06" in kept["scale_up"].reason
    assert "add" in kept and "tensor 'm'" in kept["add"].reason  # it reads values of 1e6: fp32 too
    weights = {t.name: t for t in result.model.graph.initializer}
    assert weights["w"].data_type == TensorProto.FLOAT  # not clamped to 65504
    mul = next(n for n in result.model.graph.node if n.name == "scale_up")
    assert mul.input[1] == "w"
    x = np.array([[1.0, 1.0, 1.0, 1.0], [0.5, 0.25, 2.0, -1.0]], np.float32)
    want, got = run(model, {"x": x})[0], run(result.model, {"x": x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-3)
    # bf16 reaches 3e38: nothing to keep there.
    assert not [k for k in convert_precision(model, "bf16").kept_fp32 if "range" in k.reason]


def test_cast_and_dtype_attributes_agree_with_the_converted_types():
    model = rm.int_input_cast_matmul()
    result = convert_precision(model, "fp16")
    typed = onnx.shape_inference.infer_shapes(result.model, strict_mode=True)
    types = {vi.name: vi.type.tensor_type.elem_type for vi in typed.graph.value_info}
    cast = next(n for n in typed.graph.node if n.name == "to_float")
    to = next(a.i for a in cast.attribute if a.name == "to")
    assert to == types[cast.output[0]] == TensorProto.FLOAT16  # retargeted with its declared type
    halves = next(n for n in typed.graph.node if n.name == "halves")
    value = next(a.t for a in halves.attribute if a.name == "value")
    assert value.data_type == types[halves.output[0]] == TensorProto.FLOAT  # kept, and read through a Cast
    feeds = {"bytes": np.arange(8, dtype=np.int32).reshape(2, 4)}
    np.testing.assert_allclose(run(result.model, feeds)[0], run(model, feeds)[0], rtol=1e-2, atol=1e-2)


def test_a_cast_that_disagrees_with_its_declared_type_is_refused():
    # What a converter that retypes tensors but not attributes leaves behind (magika's fp16 model).
    model = rm.int_input_cast_matmul()
    broken = onnx.ModelProto()
    broken.CopyFrom(model)
    w = next(t for t in broken.graph.initializer if t.name == "w")
    w.CopyFrom(onnx.numpy_helper.from_array(onnx.numpy_helper.to_array(w).astype(np.float16), "w"))
    broken.graph.value_info.append(helper.make_tensor_value_info("f", TensorProto.FLOAT16, [2, 4]))
    with pytest.raises(ConversionInvalid, match="fp16 model is invalid") as info:
        validate_converted(model, ConvertedModel("fp16", broken))
    assert info.value.precision == "fp16"
    # A large model is not kept for this: what sanitizing learnt of it gives the same verdicts.
    _, _, facts = sanitize_checked(model)
    assert facts.structure_ok and facts.loads and facts.run_error is None and facts.feeds
    with pytest.raises(ConversionInvalid, match="fp16 model is invalid") as info:
        validate_converted(facts, ConvertedModel("fp16", broken))
    good = convert_precision(model, "fp16").model
    assert validate_converted(facts, ConvertedModel("fp16", good)) == "the onnx checker and a run in ONNX Runtime"


def test_int8_of_an_opset_11_model_is_valid_and_runs():
    model = rm.conv_opset11()
    x = np.random.default_rng(3).standard_normal((1, 3, 8, 8)).astype(np.float32)
    result = convert_precision(model, "int8", calibration=[{"x": x}], feeds={"x": x})
    onnx.checker.check_model(result.model)
    assert any("opset 11 to 13" in n for n in result.notes)
    dq = [n for n in result.model.graph.node if n.op_type == "DequantizeLinear"]
    assert any(a.name == "axis" for n in dq for a in n.attribute)  # per-channel weights, valid at 13
    assert "ONNX Runtime" in result.validated
    assert cosine(run(result.model, {"x": x})[0], run(model, {"x": x})[0]) > 0.99


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16", "int8"])
def test_an_if_body_and_its_outer_scope_names_survive(precision):
    model = rm.if_with_outer_scope()
    x = np.random.default_rng(4).standard_normal((2, 4)).astype(np.float32)
    for flag in (True, False):
        feeds = {"x": x, "flag": np.array(flag)}
        result = convert_precision(model, precision, feeds=feeds, calibration=[feeds])
        branch = next(n for n in result.model.graph.node if n.op_type == "If")
        assert {a.name for a in branch.attribute} == {"then_branch", "else_branch"}
        assert cosine(run(result.model, feeds)[0], run(model, feeds)[0]) > 0.999


def test_sanitize_keeps_an_if_and_its_answers():
    model = rm.if_with_outer_scope()
    out, notes = sanitize_with_notes(model)
    assert "If" in ops(out) and notes == []
    x = np.ones((2, 4), np.float32)
    for flag in (True, False):
        feeds = {"x": x, "flag": np.array(flag)}
        np.testing.assert_allclose(run(out, feeds)[0], run(model, feeds)[0], rtol=1e-6)


def test_16_bit_if_bodies_are_converted_with_fp32_boundaries():
    result = convert_precision(rm.if_with_outer_scope(), "fp16", feeds={"x": np.ones((2, 4), np.float32),
                                                                        "flag": np.array(True)})
    branch = next(n for n in result.model.graph.node if n.op_type == "If")
    then = next(a.g for a in branch.attribute if a.name == "then_branch")
    assert "Cast" in [n.op_type for n in then.node]  # the body computes in fp16 ...
    assert then.output[0].type.tensor_type.elem_type == TensorProto.FLOAT  # ... and hands back fp32
    assert sanitize(result.model) is not None
