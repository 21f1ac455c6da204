"""The transforms on real models from PyPI packages, each case one that used to break."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest

from trtlab.ort import run_onnxruntime
from trtlab.precision import convert_precision, sanitize_with_notes

from .real_models import cosine, load_real


def converted(name: str, precision: str):
    model, feeds = load_real(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = convert_precision(model, precision, feeds=feeds, calibration=[feeds])
    onnx.checker.check_model(result.model)
    want = run_onnxruntime(model, feeds, "cpu")
    got = run_onnxruntime(result.model, feeds, "cpu")
    return result, want, got


def test_ppocr_det_fp16_folds_its_batchnorm_instead_of_clamping_it():
    # Its running variances (1e7-1e8) used to be clamped to 10000 in fp16: cosine 0.02.
    result, want, got = converted("ppocr-det", "fp16")
    names = {n.name for n in result.model.graph.node}
    assert "p2o.BatchNormalization.1" not in names  # the one after a Conv, variance up to 1e8
    assert not any("range" in k.reason for k in result.kept_fp32)
    (key,) = want
    assert cosine(want[key], got[key]) > 0.999 and np.abs(want[key] - got[key]).max() < 1e-3


def test_magika_fp16_keeps_its_casts_consistent():
    # An existing Cast(to=FLOAT) kept its attribute while its output was declared fp16.
    result, want, got = converted("magika", "fp16")
    assert "ONNX Runtime" in result.validated
    for key in want:
        assert cosine(want[key], got[key]) > 0.999
    assert any(k.op == "Exp" and k.reason.startswith("policy") for k in result.kept_fp32)


def test_ppocr_cls_int8_at_opset_11_is_valid():
    # "Unrecognized attribute: axis for operator DequantizeLinear" before the upgrade.
    result, want, got = converted("ppocr-cls", "int8")
    assert any("opset 11 to 13" in n for n in result.notes)
    assert sum(n.op_type == "DequantizeLinear" for n in result.model.graph.node) > 10
    (key,) = want
    assert got[key].shape == want[key].shape and np.isfinite(got[key]).all()


@pytest.mark.parametrize("name", ["silero-vad", "silero-vad-half"])
def test_silero_vad_survives_sanitizing(name, capfd):
    model, feeds = load_real(name)
    out, notes = sanitize_with_notes(model, feeds)
    assert any(n.op_type == "If" for n in out.graph.node)
    # Inlining the If whose condition folds to a constant broke the model: skipped, with a note.
    assert any("If inlining skipped" in n for n in notes)
    want = run_onnxruntime(model, feeds, "cpu")
    got = run_onnxruntime(out, feeds, "cpu")
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-5)
    assert "[W]" not in capfd.readouterr().out  # graphsurgeon's warnings stay off stdout


def test_silero_vad_fp16_converts_inside_its_if():
    result, want, got = converted("silero-vad", "fp16")
    assert result.kept_fp32 and all("If_0" in k.node for k in result.kept_fp32)  # kept nodes are in the bodies
    for key in want:
        assert cosine(want[key], got[key]) > 0.999
