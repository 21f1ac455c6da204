"""Where error enters, ranked by the error each node adds when it runs alone on exact inputs."""

from __future__ import annotations

import importlib.util
import os
import warnings

import numpy as np
import pytest

import trtlab
from trtlab.accuracy import per_node_error
from trtlab.feeds import random_feeds

from tests import models as rm


def naive_fp16(proto):
    """fp16 the way a plain converter makes it: every weight cast, out-of-range ones clamped."""
    float16 = pytest.importorskip("onnxconverter_common", reason="needs onnxconverter-common").float16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float16.convert_float_to_float16(proto, keep_io_types=True)


def test_a_clamped_batchnorm_is_named_first_not_the_nodes_after_it():
    model = trtlab.load(rm.conv_bn(), name="conv_bn")
    feeds = random_feeds(model)
    report = per_node_error(model, naive_fp16(model.proto), feeds, "fp16")
    first = report.entry_points[0]
    assert first.op == "BatchNormalization" and first.local_cosine < 0.99
    relu = next(n for n in report.nodes if n.op == "Relu")
    # Relu's output is wrong too, but on exact inputs it adds nothing: not where error enters.
    assert not relu.passed and relu.local_passed and not relu.enters_here
    assert "BatchNormalization" in report.summary().splitlines()[1]


def test_the_folded_fp16_model_has_no_such_entry():
    from trtlab.precision import apply_precision

    model = trtlab.load(rm.conv_bn(), name="conv_bn")
    feeds = random_feeds(model)
    report = per_node_error(model, apply_precision(model, "fp16", feeds=feeds), feeds, "fp16")
    assert not report.entry_points
    bn = next(n for n in report.nodes if n.op == "BatchNormalization")
    assert bn.local_max_abs is not None  # the folded Conv computes the BatchNormalization's output


def test_ppocr_det_fp16_names_its_batchnorm_first():
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None:
        pytest.skip("needs the 'rapidocr_onnxruntime' package (its PP-OCRv4 detection model)")
    path = os.path.join(os.path.dirname(spec.origin), "models", "ch_PP-OCRv4_det_infer.onnx")
    model = trtlab.load(path, inputs={"x": (1, 3, 320, 320)})
    feeds = random_feeds(model)
    report = per_node_error(model, naive_fp16(model.proto), feeds, "fp16")
    first = report.entry_points[0]
    assert first.op == "BatchNormalization" and first.enters_here
    assert first.local_max_abs > 1 and first.local_cosine < 0.9
    # The Convs after it that the cumulative view blamed add almost nothing on exact inputs.
    assert all(e.added_error < first.added_error / 10 for e in report.entry_points[1:])
    assert report.to_dict()["entry_points"][0] == first.node
