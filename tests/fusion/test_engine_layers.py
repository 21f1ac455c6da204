"""Kernels read from a real TensorRT build log (both of its layer-list formats), and from
IEngineInspector's JSON."""

from __future__ import annotations

import json

from trtlab.fusion import build_log, engine_layers, layers_from_inspector, parse_layer_list
from trtlab.fusion.engine_layers import engine_weights_bytes

from tests.models import conv_bn_relu_model
from .support import needs_tensorrt

# One kernel line as TensorRT-RTX 1.7.1 logs it at DETAILED verbosity (from an fp16 ResNet-18
# build, node names changed to those of conv_bn_relu_model).
RTX_LINE = (
    "Name: __myl_CorrMulAddRelu_myl0_1, LayerType: runtime_fusion, Inputs: [ { Name: __myln_k_arg__bb1_2_myl0, "
    "Dimensions: [1,4,224,224], Strides: [200704,1,896,4], StrideOrder: [3,0,2,1], Datatype: Half, "
    "Format: (NHWC) Channel major format }], Constants: [ { Name: __mye1866_dconst_myl0, Dimensions: [1,64,1,1], "
    "Strides: [64,1,64,64], StrideOrder: [3,0,2,1], Datatype: Float, Format: (NHWC) Channel major format }, "
    "{ Name: __mye1892_dconst_myl0, Dimensions: [64,4,7,7], Strides: [196,1,28,4], StrideOrder: [3,0,2,1], "
    "Datatype: Half, Format: (NHWC) Channel major format }], Outputs: [ { Name: maxpool.1_3_myl0, "
    "Dimensions: [1,64,112,112], Strides: [802816,1,7168,64], StrideOrder: [3,0,2,1], Datatype: Half, "
    "Format: (NHWC) Channel major format }], TacticName: , StreamId: 0, "
    "Metadata: [ONNX Layer: conv]\x1f[ONNX Layer: bn]\x1f[ONNX Layer: relu]"
)


def test_a_build_log_gives_each_kernel_its_tensors_and_types():
    needs_tensorrt()
    model = conv_bn_relu_model()
    built = build_log(model)
    assert built.built, built.note
    layers = engine_layers(built.log, model)
    # The same kernels from (severity, message) pairs and from bare messages.
    assert [l.name for l in engine_layers([m for _, m in built.log], model)] == [l.name for l in layers]
    fused = next(l for l in layers if "conv" in l.nodes)
    assert fused.inputs and fused.outputs and fused.constants
    assert {t.dtype for t in fused.inputs + fused.outputs} == {"Float"}
    assert fused.outputs[0].shape == (1, 8, 16, 16) and fused.outputs[0].nbytes == 4 * 8 * 16 * 16
    assert engine_weights_bytes(built.log) > 0


def test_layer_list_formats():
    # The one-line-per-kernel format (TensorRT-RTX at DETAILED verbosity) and the classic list
    # (here one Myelin region).
    model = conv_bn_relu_model()
    detailed = [
        "Layers:\n" + RTX_LINE + "\n"
        "Name: __mye12_myl0_2, LayerType: signal, Inputs: [], Outputs: [], TacticName: , StreamId: 0, Metadata: \n"
        "Name: head_U1_myl0_3, LayerType: correlation, Inputs: [], Outputs: [], TacticName: , "
        "StreamId: 0, Metadata: [ONNX Layer: head]",
        "Engine Layer Information:\nLayer(Myelin): {ForeignNode[w1...head]}, Tactic: 0x0000000000000000, "
        "x (Float[1,8,16,16]) -> y (Float[1,8,16,16])",
    ]
    units = parse_layer_list(detailed, model)
    assert [(u.kind, u.nodes) for u in units] == [("runtime_fusion", ["conv", "bn", "relu"]),
                                                  ("correlation", ["head"])]
    first = engine_layers(detailed, model)[0]
    assert [(t.shape, t.dtype) for t in first.inputs] == [((1, 4, 224, 224), "Half")]
    assert [t.dtype for t in first.constants] == ["Float", "Half"]
    assert first.outputs[0].nbytes == 2 * 64 * 112 * 112
    classic = engine_layers(detailed[1:], model)
    assert [(u.kind, u.name, u.nodes) for u in classic] == [("Myelin", "{ForeignNode[w1...head]}", [])]
    assert [(t.name, t.dtype, t.shape) for t in classic[0].inputs] == [("x", "Float", (1, 8, 16, 16))]


def test_inspector_json():
    # IEngineInspector's JSON needs an engine that deserializes (a GPU this TensorRT supports),
    # so this is its documented layout written out by hand: TensorRT 10's "Format/Datatype" text
    # and a DETAILED layer's weights; the second layer is a LAYER_NAMES_ONLY entry.
    model = conv_bn_relu_model()
    info = json.dumps({"Layers": [
        {"Name": "conv + bn + relu", "LayerType": "CaskConvolution",
         "Inputs": [{"Name": "x", "Location": "Device", "Dimensions": [1, 8, 16, 16],
                     "Format/Datatype": "Channel major FP16 format where channel % 8 == 0"}],
         "Outputs": [{"Name": "r1", "Location": "Device", "Dimensions": [1, 8, 16, 16],
                      "Format/Datatype": "Row major linear FP32"}],
         "Weights": {"Type": "Half", "Count": 576}, "Bias": {"Type": "Float", "Count": 8},
         "Metadata": "[ONNX Layer: conv]\x1e[ONNX Layer: bn]\x1e[ONNX Layer: relu]"},
        "head",
    ], "Bindings": ["x", "y"]})
    first, second = layers_from_inspector(info, model)
    assert first.nodes == ["conv", "bn", "relu"]
    assert [t.dtype for t in first.inputs + first.outputs] == ["Half", "Float"]
    assert [(t.dtype, t.nbytes) for t in first.constants] == [("Half", 1152), ("Float", 32)]
    assert (second.name, second.nodes, second.inputs) == ("head", ["head"], [])
