"""Fusion reports from ONNX Runtime's optimiser and from a real TensorRT build."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from tests.graphs import chain_with_unsupported
from trtlab.errors import TrtlabError
from trtlab.fusion import FusionReport, ort_fused, ort_fusion, parse_layer_list, tensorrt_fusion
from trtlab.installed_tensorrt import find_tensorrt

SHAPE = [1, 8, 16, 16]


def conv_bn_relu_model() -> trtlab.Model:
    """x -> Conv -> BatchNormalization -> Relu -> Conv -> y, with seeded weights."""
    rng = np.random.default_rng(0)

    def init(name, *shape, low=-1.0, high=1.0):
        return numpy_helper.from_array(rng.uniform(low, high, shape).astype(np.float32), name)

    inits = [init("w1", 8, 8, 3, 3), init("gamma", 8), init("beta", 8), init("mean", 8),
             init("var", 8, low=0.5, high=2.0), init("w2", 8, 8, 1, 1)]
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["b1"], name="bn"),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu"),
        helper.make_node("Conv", ["r1", "w2"], ["y"], name="head"),
    ]
    g = helper.make_graph(nodes, "cbr", [helper.make_tensor_value_info("x", TensorProto.FLOAT, SHAPE)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, SHAPE)], inits)
    return trtlab.load(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), name="cbr")


def test_basic_level_folds_batchnorm_into_the_conv():
    pytest.importorskip("onnxruntime", reason="needs onnxruntime")
    report = ort_fusion(conv_bn_relu_model(), "basic")
    assert [(u.kind, u.nodes) for u in report.units] == [
        ("Conv", ["conv", "bn"]), ("Relu", ["relu"]), ("Conv", ["head"])]
    assert report.patterns == {"Conv+BatchNormalization": 1}
    assert report.intermediate_bytes == 4 * int(np.prod(SHAPE))  # c1, read only by bn
    assert "ONNX Runtime" in report.by and "not TensorRT" in report.by


def test_extended_level_makes_a_fusedconv_that_loads_with_shapes_and_computes_the_same():
    ort = pytest.importorskip("onnxruntime", reason="needs onnxruntime")
    model = conv_bn_relu_model()
    fused = ort_fused(model, "extended")
    node = fused.nodes[0]
    assert (node.op_type, node.domain, node.name) == ("FusedConv", "com.microsoft", "conv")
    assert len(fused.nodes) == 2
    # ONNX shape inference can't see through FusedConv; the shapes come over from the original.
    assert fused.tensors["r1"].shape == tuple(SHAPE)
    x = np.random.default_rng(1).standard_normal(SHAPE).astype(np.float32)

    def run(m):
        sess = ort.InferenceSession(m.to_bytes(), providers=["CPUExecutionProvider"])
        return sess.run(None, {"x": x})[0]

    np.testing.assert_allclose(run(fused), run(model), rtol=1e-4, atol=1e-4)
    report = ort_fusion(model, "extended")
    assert [u.nodes for u in report.fused] == [["conv", "bn", "relu"]]
    assert report.intermediate_bytes == 2 * 4 * int(np.prod(SHAPE))  # c1 and b1
    assert "Conv+BatchNormalization+Relu" in report.summary()


def test_unknown_level():
    with pytest.raises(TrtlabError, match="level"):
        ort_fused(conv_bn_relu_model(), "all")


def test_tensorrt_kernels_come_with_the_onnx_nodes_they_implement():
    if find_tensorrt() is None:
        pytest.skip("needs TensorRT or TensorRT-RTX (pip install 'trtlab[rtx]')")
    report = tensorrt_fusion(conv_bn_relu_model())
    assert report.units, report.note
    assert report.unit == "kernels"
    placed = [n for u in report.units for n in u.nodes]
    assert sorted(placed) == sorted(set(placed))  # each node in at most one kernel
    assert set(placed) <= {"conv", "bn", "relu", "head"}
    assert any({"conv", "bn"} <= set(u.nodes) for u in report.units), report.summary()
    assert report.to_dict()["units"][0]["name"] == report.units[0].name


def test_tensorrt_says_why_when_it_cannot_parse():
    if find_tensorrt() is None:
        pytest.skip("needs TensorRT or TensorRT-RTX (pip install 'trtlab[rtx]')")
    report = tensorrt_fusion(trtlab.load(chain_with_unsupported()))
    assert report.units == [] and "could not parse" in report.note
    assert report.note in report.summary()


def test_layer_list_formats():
    # Lines as TensorRT-RTX 1.7 logs them at DETAILED verbosity (one per kernel) and at the
    # default verbosity (the classic list, here one Myelin region).
    model = conv_bn_relu_model()
    detailed = [
        "Layers:\nName: __myl_CorrMulAddRelu_myl0_1, LayerType: runtime_fusion, Inputs: [ { Name: x, "
        "Dimensions: [1,8,16,16] }], Outputs: [], TacticName: , StreamId: 0, "
        "Metadata: [ONNX Layer: relu][ONNX Layer: conv][ONNX Layer: bn]\n"
        "Name: __mye12_myl0_2, LayerType: signal, Inputs: [], Outputs: [], TacticName: , StreamId: 0, Metadata: \n"
        "Name: head_U1_myl0_3, LayerType: correlation, Inputs: [], Outputs: [], TacticName: , "
        "StreamId: 0, Metadata: [ONNX Layer: head]",
        "Engine Layer Information:\nLayer(Myelin): {ForeignNode[w1...head]}, Tactic: 0x0000000000000000, "
        "x (Float[1,8,16,16]) -> y (Float[1,8,16,16])",
    ]
    units = parse_layer_list(detailed, model)
    assert [(u.kind, u.nodes) for u in units] == [("runtime_fusion", ["conv", "bn", "relu"]),
                                                  ("correlation", ["head"])]
    classic = parse_layer_list(detailed[1:], model)
    assert [(u.kind, u.name, u.nodes) for u in classic] == [("Myelin", "{ForeignNode[w1...head]}", [])]


def test_report_without_units_shows_its_note():
    r = FusionReport("m", "TensorRT (not installed)", 3, [], unit="kernels", note="install it")
    assert r.summary().splitlines() == ["m: TensorRT (not installed)", "  install it"]
    assert r._repr_mimebundle_()["text/plain"] == r.summary()
