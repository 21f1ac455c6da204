"""Where error enters: every intermediate tensor compared with the reference's, each node ranked by the error
it adds when it runs alone on exact inputs."""

from __future__ import annotations

import importlib.util
import os
import warnings

import numpy as np
import pytest
from onnx import numpy_helper

import trtlab
from trtlab.accuracy import Tolerance, per_node_error
from trtlab.feeds import random_feeds

from tests import models as rm
from tests.models import chain_model


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


def test_per_node_error_finds_where_error_enters():
    m = chain_model()
    # The same model with one bias changed: error must enter at the Add reading it, nowhere before.
    proto = m.proto.__class__()
    proto.CopyFrom(m.proto)
    for i, t in enumerate(proto.graph.initializer):
        if t.name == "b2":
            arr = numpy_helper.to_array(t) + 0.5
            proto.graph.initializer[i].CopyFrom(numpy_helper.from_array(arr.astype(np.float32), "b2"))
    report = per_node_error(m, proto, random_feeds(m), "fp32")
    assert [n.node for n in report.entry_points] == ["add2"]
    names = [n.node for n in report.nodes]
    assert all(n.passed for n in report.nodes[:names.index("add2")])
    assert report.first_failure.node == "add2"
    assert "add2" in report.summary()


def test_per_node_error_of_an_fp16_model():
    from trtlab.precision import apply_precision

    m = chain_model()
    report = per_node_error(m, apply_precision(m.proto, "fp16"), random_feeds(m), "fp16",
                            tolerances={"fp16": Tolerance(1e-6, 0)})
    assert report.nodes and report.entry_points  # fp16 rounding shows up against a 1e-6 bar
    entries = report.entry_points
    # Each node ran alone on exact inputs, and the ranking puts the one adding most error first.
    assert all(e.local_max_abs is not None and not e.local_passed for e in entries)
    assert [e.added_error for e in entries] == sorted((e.added_error for e in entries), reverse=True)
    assert report.first_failure.node in {e.node for e in entries}
