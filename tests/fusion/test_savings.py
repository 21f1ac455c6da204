"""What fusion saves: kernel launches and activation traffic, counted from real engine builds."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.fusion import FusedUnit, engine_layers, fusion_savings, savings_rows, tensorrt_fusion

from tests.models import TENSOR_BYTES as T
from tests.models import conv_bn_relu_model, conv_bn_relu_only
from .support import built, converted

WEIGHTS = 4 * (8 * 8 * 3 * 3 + 4 * 8)  # w1 and the four BatchNormalization vectors, fp32


def test_conv_bn_relu_in_one_kernel_by_hand():
    # x -> conv -> c1 -> bn -> b1 -> relu -> y. Unfused: c1, b1, y written; x, c1, b1 read.
    # Fused: y written, x read. The two intermediates no longer go through memory.
    model = conv_bn_relu_only()
    s = fusion_savings(model, [FusedUnit("k", "fused", ["conv", "bn", "relu"])], "fp32")
    assert (s.kernels_before, s.kernels_after, s.kernels_saved) == (3, 1, 2)
    assert (s.written_before, s.read_before) == (3 * T, 3 * T)
    assert (s.written_after, s.read_after, s.moved_bytes) == (T, T, 0)
    assert s.traffic_saved == 4 * T  # c1 and b1, each written once and read once
    assert s.weight_bytes == {"fp32": WEIGHTS}
    # Two kernels: b1 crosses from the first to the second.
    two = fusion_savings(model, [FusedUnit("a", "fused", ["conv", "bn"]), FusedUnit("b", "act", ["relu"])])
    assert (two.written_after, two.read_after) == (2 * T, 2 * T)
    assert "counted from the engine build, not timed" in s.summary()


def test_a_view_in_no_kernel_passes_its_tensor_through():
    # The relu output read through a node in no kernel (as TensorRT folds Flatten) still
    # crosses from the first kernel to the second.
    model = conv_bn_relu_model()
    s = fusion_savings(model, [FusedUnit("a", "fused", ["conv", "bn"]), FusedUnit("b", "conv", ["head"])])
    assert s.unplaced == ["relu"]
    assert (s.written_after, s.read_after) == (2 * T, 2 * T)  # b1 and y written; x and b1 read


def test_real_build_saves_the_fused_intermediates():
    model = conv_bn_relu_model()
    log = built(model).log
    layers = engine_layers(log, model)
    assert any(layer.nodes == ["conv", "bn", "relu"] for layer in layers)
    s = fusion_savings(model, log, "fp32", by="TensorRT-RTX")
    assert (s.kernels_before, s.kernels_after) == (4, len(layers))
    assert s.written_before - s.written_after == 2 * T and s.read_before - s.read_after == 2 * T
    # The layout moves TensorRT adds (no ONNX node) are counted apart, with their logged sizes.
    assert s.moved_bytes == sum(t.nbytes for layer in layers if not layer.nodes
                                for t in layer.inputs + layer.outputs)
    assert s.engine_weight_bytes["fp32"] > 0 and s.engine_weights_total > 0
    # The same kernels, given as layers instead of the log: same counts, no engine weights.
    same = fusion_savings(model, layers, "fp32")
    assert (same.traffic_after, same.engine_weights_total) == (s.traffic_after, None)


@pytest.fixture(scope="module")
def resnet18():
    return trtlab.load("zoo:resnet18")


def test_resnet18_fp32_69_nodes_become_24_kernels(resnet18):
    assert tensorrt_fusion(resnet18).summary().splitlines()[1].startswith("  69 ONNX nodes -> 24 kernels")
    s = fusion_savings(resnet18, built(resnet18).log, "fp32")
    assert (s.onnx_nodes, s.kernels_before, s.kernels_after) == (69, 69, 24)
    assert s.traffic_after < s.traffic_before / 2
    assert s.unplaced == ["flatten"]  # a view: no kernel, no copy
    # The engine keeps the model's weights, in fp32.
    assert s.engine_weights_total == pytest.approx(s.weight_bytes["fp32"], rel=0.01)
    assert set(s.weight_bytes) == {"fp32"}


def test_resnet18_fp16_halves_weights_and_traffic(resnet18):
    fp32 = fusion_savings(resnet18, built(resnet18).log, "fp32")
    model = converted(resnet18, "fp16")
    fp16 = fusion_savings(model, built(model).log, "fp16")
    assert fp16.kernels_after == 24
    assert sum(fp16.weight_bytes.values()) == pytest.approx(fp32.weight_bytes["fp32"] / 2, rel=0.01)
    assert fp16.engine_weights_total == pytest.approx(fp32.engine_weights_total / 2, rel=0.02)
    assert fp16.traffic_after < 0.6 * fp32.traffic_after
    rows = savings_rows([fp32, fp16])
    assert [(r["precision"], r["kernels_before"], r["kernels_after"]) for r in rows] == [
        ("fp32", 69, 24), ("fp16", 51, 24)]  # 20 BatchNormalizations folded into their Convs, 2 Casts added
    assert rows[1]["activation_bytes_after"] == fp16.traffic_after
    assert rows[0]["counted"] == "counted from the engine build, not timed"
    assert fp16.to_dict()["weight_bytes"] == fp16.weight_bytes


def test_kernels_that_name_no_nodes_are_not_counted_as_savings():
    model = conv_bn_relu_only()
    region = ["Layer(Myelin): {ForeignNode[w1...relu]}, Tactic: 0x0, x (Float[1,8,16,16]) -> y (Float[1,8,16,16])"]
    s = fusion_savings(model, region, "fp32")
    assert s.kernels_after == 1 and s.own_kernels == 0
    assert "not counted" in s.note and s.note in s.summary()
    assert "none" in fusion_savings(model, [], "fp32").note


def test_the_kept_layer_list_lines_give_the_same_counts():
    # What a cache keeps beside an engine (layer_list_lines) is enough to count again.
    from trtlab.fusion import engine_precision, layer_list_lines

    model = conv_bn_relu_model()
    log = built(model).log
    kept = layer_list_lines(log)
    assert 0 < len(kept) < len(log)
    assert fusion_savings(model, kept, "fp32").to_dict() == fusion_savings(model, log, "fp32").to_dict()
    assert engine_precision(kept, model, "fp32").to_dict() == engine_precision(log, model, "fp32").to_dict()


def test_more_kernels_than_nodes_says_why():
    model = conv_bn_relu_only()
    one = fusion_savings(model, [FusedUnit("k", "fused", ["conv", "bn", "relu"])], "fp32")
    assert one.why_more_kernels == "" and "several kernels" not in one.summary()
    # The conv's input quantized in a kernel of its own, then the conv; TensorRT's own reformat:
    # three nodes, four kernels.
    split = fusion_savings(model, [FusedUnit("q", "quantize", ["conv"]), FusedUnit("k", "fused", ["conv", "bn"]),
                                   FusedUnit("r", "act", ["relu"]), FusedUnit("m", "reformat", [])], "int8")
    assert (split.kernels_before, split.kernels_after, split.split_nodes) == (3, 4, 1)
    assert split.why_more_kernels == ("A node can become several kernels: 1 node split over several kernels "
                                      "(an input padded or quantized in an earlier kernel).")
    assert split.why_more_kernels in split.summary() and split.to_dict()["split_nodes"] == 1
    # A real build: said exactly when the engine has more kernels than nodes.
    real = fusion_savings(conv_bn_relu_model(), built(conv_bn_relu_model()).log, "fp32")
    assert real.own_kernels >= 1  # reformats around the fused conv (2 with TensorRT-RTX 1.7)
    assert bool(real.why_more_kernels) == (real.kernels_after > real.kernels_before)
