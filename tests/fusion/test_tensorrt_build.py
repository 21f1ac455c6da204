"""A real TensorRT build of a model, its log kept, and the kernels it chose reported as fused units
(or, where there are none, why)."""

from __future__ import annotations

import trtlab
from trtlab.fusion import tensorrt_fusion

from tests.models import chain_with_unsupported, conv_bn_relu_model
from .support import needs_tensorrt


def test_tensorrt_kernels_come_with_the_onnx_nodes_they_implement():
    needs_tensorrt()
    report = tensorrt_fusion(conv_bn_relu_model())
    assert report.units, report.note
    assert report.unit == "kernels"
    placed = [n for u in report.units for n in u.nodes]
    assert sorted(placed) == sorted(set(placed))  # each node in at most one kernel
    assert set(placed) <= {"conv", "bn", "relu", "head"}
    assert any({"conv", "bn"} <= set(u.nodes) for u in report.units), report.summary()
    assert report.to_dict()["units"][0]["name"] == report.units[0].name


def test_tensorrt_says_why_when_it_cannot_parse():
    needs_tensorrt()
    report = tensorrt_fusion(trtlab.load(chain_with_unsupported()))
    assert report.units == [] and "could not parse" in report.note
    assert report.note in report.summary()


def test_the_build_log_names_its_builder_and_keeps_the_verbose_messages():
    needs_tensorrt()
    from trtlab.fusion import build_log
    from trtlab.installed_tensorrt import find_tensorrt

    built = build_log(conv_bn_relu_model())
    assert built.built and built.note == "" and built.by == f"{find_tensorrt().label} build"
    assert {severity for severity, _ in built.log} >= {"INFO", "VERBOSE"}  # the layer list is logged at VERBOSE
    failed = build_log(trtlab.load(chain_with_unsupported()))
    assert not failed.built and "trtlab.cut.cut_subgraph(plan, 0)" in failed.note
