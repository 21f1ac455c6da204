"""MXNet 1.3's short TensorRT operator list, mapped to ONNX ops."""

from __future__ import annotations

import trtlab
from trtlab.coverage import coverage

from tests.models import chain_with_unsupported


def test_mxnet13_list_is_short():
    model = trtlab.load("zoo:resnet18")
    report = coverage(model, "mxnet-1.3")
    assert report.unsupported_ops == {"MaxPool": 1, "GlobalAveragePool": 1}
    assert "MXNet 1.3" in report.reason("maxpool")
    assert report.supported("conv1")


def test_each_op_is_named_as_mxnet_knew_it():
    from trtlab.coverage.mxnet13 import mxnet13_coverage

    report = mxnet13_coverage(trtlab.load(chain_with_unsupported()), "fp16")
    assert report.source == "mxnet-1.3" and report.precision == "fp16"
    assert report.reason("r1") == "on MXNet 1.3's TensorRT list as Activation (relu, tanh, sigmoid)"
    assert report.reason("add") == "on MXNet 1.3's TensorRT list as elemwise_add"
    assert report.reason("det") == "Det is not on MXNet 1.3's TensorRT operator list"
    assert report.unsupported_ops == {"Det": 2}
