"""The fusion figures' small parts: precision labels of element types and tensor sizes."""

from __future__ import annotations

import trtlab
from trtlab.fusion.units import FusionReport, as_model, ordered, precision_label, size_text, static_tensor_bytes

from tests.models import INPUT_SHAPE, tiny_cnn


def test_precision_labels_come_from_the_registry_names():
    assert [precision_label(t) for t in ("float32", "float16", "bfloat16", "int8", "float8_e4m3fn", "float64")] == \
        ["fp32", "fp16", "bf16", "int8", "fp8", "fp64"]
    assert precision_label("float4_e2m1fn") == "fp4" and precision_label("int64") == "int64"


def test_static_tensor_bytes_follow_the_model_types():
    model = as_model(tiny_cnn())
    assert static_tensor_bytes(model, "x") == 4 * INPUT_SHAPE[0] * INPUT_SHAPE[1] * INPUT_SHAPE[2] * INPUT_SHAPE[3]
    assert static_tensor_bytes(model, "no such tensor") is None
    assert size_text(3 * 2**20) == "3.0 MiB" and size_text(2048) == "2.0 KiB"
    assert ordered(model, ["relu", "conv", "relu"]) == ["conv", "relu"]
    assert isinstance(as_model(model), trtlab.Model)


def test_report_without_units_shows_its_note():
    r = FusionReport("m", "TensorRT (not installed)", 3, [], unit="kernels", note="install it")
    assert r.summary().splitlines() == ["m: TensorRT (not installed)", "  install it"]
    assert r._repr_mimebundle_()["text/plain"] == r.summary()
