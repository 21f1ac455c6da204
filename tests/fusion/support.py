"""Helpers of the fusion tests (the models themselves are in tests/models.py)."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.installed_tensorrt import find_tensorrt

def needs_tensorrt():
    if find_tensorrt() is None:
        pytest.skip("needs TensorRT-RTX or TensorRT (pip install 'trtlab[rtx]')")


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
