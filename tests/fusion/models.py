"""Tiny models for the fusion tests, built in code with seeded weights."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.installed_tensorrt import find_tensorrt

SHAPE = [1, 8, 16, 16]
TENSOR_BYTES = 4 * int(np.prod(SHAPE))  # one fp32 activation of SHAPE


def needs_tensorrt():
    if find_tensorrt() is None:
        pytest.skip("needs TensorRT-RTX or TensorRT (pip install 'trtlab[rtx]')")


def _model(nodes, inits, name: str) -> trtlab.Model:
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, SHAPE)], inits)
    return trtlab.load(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), name=name)


def _weights(seed: int = 0):
    rng = np.random.default_rng(seed)

    def init(name, *shape, low=-1.0, high=1.0):
        return numpy_helper.from_array(rng.uniform(low, high, shape).astype(np.float32), name)

    return [init("w1", 8, 8, 3, 3), init("gamma", 8), init("beta", 8), init("mean", 8),
            init("var", 8, low=0.5, high=2.0), init("w2", 8, 8, 1, 1)]


def conv_bn_relu_model() -> trtlab.Model:
    """x -> Conv -> BatchNormalization -> Relu -> Conv -> y, with seeded weights."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["b1"], name="bn"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu"),
        helper.make_node("Conv", ["r1", "w2"], ["y"], name="head"),
    ]
    return _model(nodes, _weights(), "cbr")


def conv_bn_relu_only() -> trtlab.Model:
    """x -> Conv -> BatchNormalization -> Relu -> y: three nodes, two intermediate tensors."""
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["b1"], name="bn"),
        helper.make_node("Relu", ["b1"], ["y"], name="relu"),
    ]
    return _model(nodes, _weights()[:5], "cbr3")


def converted(model: trtlab.Model, precision: str, **options) -> trtlab.Model:
    """`model` in `precision` as trtlab builds it (int8 calibrated on two seeded random samples)."""
    from trtlab.precision import apply_precision
    from trtlab.precision.calibration import input_specs, synthetic

    if precision == "fp32":
        return model
    if precision == "int8":
        options.setdefault("calibration", synthetic(input_specs(model.proto), count=2))
    return trtlab.load(apply_precision(model, precision, **options), name=f"{model.name}-{precision}")


def built(model: trtlab.Model):
    """The model's real build log; fails the test where TensorRT builds no engine."""
    from trtlab.fusion import build_log

    needs_tensorrt()
    result = build_log(model)
    assert result.built, result.note
    return result
