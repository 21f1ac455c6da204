"""MobileNetV2 with torchvision's structure: ReLU6 as Clip(0, 6), depthwise convolutions, linear
bottlenecks with residual sums."""

from __future__ import annotations

from onnx import numpy_helper

from trtlab import zoo


def _attr(node, name):
    return next(a.i for a in node.attribute if a.name == name)


def test_structure_follows_torchvision():
    model = zoo.get("mobilenetv2")
    ops = model.op_counts
    # 17 inverted residual blocks: 16 expand + 17 depthwise + 17 project, plus the stem and the last 1x1.
    assert ops["Conv"] == 52 and ops["BatchNormalization"] == 52
    assert ops["Add"] == 10  # the blocks with stride 1 and the same width in and out
    assert ops["Clip"] == 35 and "Relu" not in ops
    depthwise = model.node_by_name["features.2.depthwise.conv"]
    assert _attr(depthwise, "group") == 96 and _attr(depthwise, "group") == model.initializers[
        "features.2.depthwise.conv.weight"].dims[0]
    assert "features.1.expand.conv" not in model.node_by_name  # expansion 1: no expand conv
    clip = model.node_by_name["features.0.relu6"]
    bounds = [numpy_helper.to_array(model.initializers[t]).item() for t in clip.input[1:]]
    assert bounds == [0.0, 6.0]
    assert model.outputs["classifier"].shape == (1, 1000)


def test_projections_are_linear():
    model = zoo.get("mobilenetv2")
    projections = [n for n in model.nodes if n.name.endswith(".project.bn")]
    assert len(projections) == 17
    for n in projections:
        readers = [m.op_type for m in model.nodes if n.output[0] in m.input]
        assert readers and set(readers) <= {"Add", "Conv"}, (n.name, readers)
