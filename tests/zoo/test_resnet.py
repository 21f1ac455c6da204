"""ResNet-18 and ResNet-50: torchvision's structure and names, activations of order one."""

from __future__ import annotations

import time

import numpy as np
import onnx

import trtlab
from trtlab import zoo

from .support import run_ort


def test_cnn_activations_stay_of_order_one():
    model = zoo.get("resnet18")
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    listed = {o.name for o in proto.graph.output}
    proto.graph.output.extend(vi for vi in proto.graph.value_info if vi.name not in listed)
    outs = run_ort(trtlab.Model(proto, name="probe", source="test"))
    peak = max(float(np.abs(o).max()) for o in outs)
    assert all(np.isfinite(o).all() for o in outs)
    assert peak < 100, peak  # far inside fp16 range


def test_load_zoo_prefix():
    model = trtlab.load("zoo:resnet18")
    assert model.name == "resnet18"
    assert model.inputs["data"].shape == (1, 3, 224, 224)
    assert model.op_counts["Conv"] == 20  # 17 in the trunk + 3 downsample convs
    assert model.op_counts["BatchNormalization"] == 20
    assert model.node_by_name["layer2.0.downsample.0"].op_type == "Conv"
    assert model.outputs["fc"].shape == (1, 1000)


def test_resnet50_structure_and_build_time():
    start = time.perf_counter()
    model = zoo.get("resnet50", seed=7)  # a seed no other test builds: measures a real build
    elapsed = time.perf_counter() - start
    assert model.op_counts["Conv"] == 53
    assert model.op_counts["Gemm"] == 1 and model.op_counts["MaxPool"] == 1
    assert "layer4.2.conv3" in model.node_by_name
    assert elapsed < 10, elapsed  # a few seconds on a slow CI core
