"""The precision each kernel of a real TensorRT-RTX engine runs in, and why."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.fusion import engine_layers, engine_precision, layers_from_inspector
from trtlab.precision import PrecisionPolicy

from tests.models import conv_bn_relu_model
from .support import built, converted


@pytest.fixture(scope="module")
def small():
    return conv_bn_relu_model()


@pytest.fixture(scope="module")
def resnet18():
    return trtlab.load("zoo:resnet18")


def precision_of(model, requested):
    return engine_precision(built(model).log, model, requested)


def test_fp32_engine_runs_in_fp32(small):
    result = precision_of(small, "fp32")
    assert result.layers and set(result.counts) == {"fp32"}
    assert not result.off_target and not result.warning  # mostly fp32, as asked
    assert result.mostly_fp32
    assert result.to_dict()["in_requested"] == len(result.layers)


def test_fp16_engine_computes_in_fp16_and_names_its_fp32_edges(small):
    model = converted(small, "fp16")
    result = precision_of(model, "fp16")
    assert not result.warning and not result.mostly_fp32
    assert result.compute_counts == {"fp16": 2}  # conv+bn+relu, head
    # What stays fp32 only converts the fp32 model input and output.
    assert result.off_target and all(not layer.computes for layer in result.off_target)
    assert any("converts the model's fp32 input" in layer.reason for layer in result.off_target)
    assert any("output" in layer.reason for layer in result.off_target)
    assert "fp16" in result.summary() and repr(result).startswith("<trtlab EnginePrecision")


def test_int8_engine_runs_its_convolutions_in_int8(small):
    model = converted(small, "int8")
    result = precision_of(model, "int8")
    int8_nodes = {n for layer in result.layers if layer.precision == "int8" for n in layer.nodes}
    assert {"conv", "head"} <= int8_nodes
    assert "Int8" in {t.dtype for layer in engine_layers(built(model).log, model) for t in layer.inputs}
    assert all(layer.reason for layer in result.off_target)
    assert not result.warning


def test_an_fp16_model_kept_in_fp32_is_flagged(small):
    policy = PrecisionPolicy(keep_fp32_ops={"Conv", "BatchNormalization", "Relu"})
    model = converted(small, "fp16", policy=policy)
    result = precision_of(model, "fp16")
    assert result.in_requested == 0 and result.mostly_fp32
    assert "mostly in fp32" in result.warning and result.warning in result.summary()
    kept = [layer for layer in result.off_target if layer.computes]
    assert kept and all("the model keeps" in layer.reason for layer in kept)
    assert {n for layer in kept for n in layer.fp32_nodes} == {"conv", "relu", "head"}  # bn folded into conv by sanitizing


def test_resnet18_fp16_engine_is_mostly_fp16(resnet18):
    model = converted(resnet18, "fp16")
    result = precision_of(model, "fp16")
    assert result.in_requested >= 0.9 * len(result.layers), result.summary()
    assert not result.mostly_fp32 and not result.warning
    # The one fp32 kernel casts the fp32 input (and pads its channels) for the first conv.
    assert all("converts the model's fp32 input" in layer.reason for layer in result.off_target)


@pytest.mark.slow
def test_resnet18_int8_engine_runs_every_conv_and_gemm_in_int8(resnet18):
    model = converted(resnet18, "int8")
    result = precision_of(model, "int8")
    # A node can appear in several kernels (its bias add and requantization in a second one);
    # the matrix work is in the kernel that reads int8.
    int8_nodes = {n for layer in result.layers if layer.precision == "int8" for n in layer.nodes}
    heavy = [n.name for n in model.nodes if n.op_type in ("Conv", "Gemm")]
    assert len(heavy) == 21 and set(heavy) <= int8_nodes
    # BatchNormalization/Add/Relu stay fp32 between the Q/DQ pairs; each one says so.
    assert result.counts["fp32"] > 0 and all(layer.reason for layer in result.off_target)


def test_inspector_layers_are_a_source_too(small):
    info = {"Layers": [{"Name": "conv + bn + relu", "LayerType": "CaskConvolution",
                        "Inputs": [{"Name": "x", "Dimensions": [1, 8, 16, 16],
                                    "Format/Datatype": "Row major linear FP32"}],
                        "Outputs": [{"Name": "r1", "Dimensions": [1, 8, 16, 16],
                                     "Format/Datatype": "Row major linear FP32"}],
                        "Metadata": "[ONNX Layer: conv]\x1e[ONNX Layer: bn]\x1e[ONNX Layer: relu]"}]}
    result = engine_precision(layers_from_inspector(info, small), small, "fp16")
    assert result.source == "engine inspector" and result.counts == {"fp32": 1}
    assert "mostly in fp32" in result.warning
    assert result.layers[0].reason.startswith("the model keeps conv, bn, relu")  # an fp32 model


def test_without_kernels_it_says_why_and_checks_the_precision_name(small):
    result = engine_precision([("INFO", "Engine generation completed in 0.2 seconds.")], small.proto, "fp16")
    assert result.layers == [] and "lists no kernels" in result.note and not result.warning
    assert result.note in result.summary()
    with pytest.raises(TrtlabError, match="precision"):
        engine_precision([], small, "fp12")
