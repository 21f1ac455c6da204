"""ResNet-18 and ResNet-50 with torchvision's structure, exported unfused.

Conv, BatchNormalization and Relu stay separate nodes, as an export without BatchNorm folding
writes them; then MaxPool, GlobalAveragePool, Flatten and Gemm.
Node names follow torchvision's module names: "conv1", "layer1.0.conv1", "layer2.0.downsample.0", "fc".
"""

from __future__ import annotations

from typing import Mapping, Sequence

import onnx

from ..model import Model
from .builder import ConvShape, GraphBuilder, input_shape, zoo_model

INPUT = "data"
# The last BN of each residual branch starts small so the sum stays of order one with depth.
RESIDUAL_GAMMA = 0.5


def _basic_block(b: GraphBuilder, x: str, cin: int, planes: int, stride: int, name: str) -> tuple[str, int]:
    y = b.conv(x, ConvShape(cin, planes, 3, stride=stride), f"{name}.conv1")
    y = b.relu(b.bn(y, planes, f"{name}.bn1"), f"{name}.relu1")
    y = b.conv(y, ConvShape(planes, planes, 3), f"{name}.conv2")
    y = b.bn(y, planes, f"{name}.bn2", gamma=RESIDUAL_GAMMA)
    skip = x
    if stride != 1 or cin != planes:
        skip = b.conv(x, ConvShape(cin, planes, 1, stride=stride), f"{name}.downsample.0", gain=1.0)
        skip = b.bn(skip, planes, f"{name}.downsample.1")
    y = b.node("Add", [y, skip], f"{name}.add")
    return b.relu(y, f"{name}.relu2"), planes


def _bottleneck(b: GraphBuilder, x: str, cin: int, planes: int, stride: int, name: str) -> tuple[str, int]:
    out = planes * 4
    y = b.conv(x, ConvShape(cin, planes, 1), f"{name}.conv1")
    y = b.relu(b.bn(y, planes, f"{name}.bn1"), f"{name}.relu1")
    y = b.conv(y, ConvShape(planes, planes, 3, stride=stride), f"{name}.conv2")  # stride here, as in ResNet v1.5
    y = b.relu(b.bn(y, planes, f"{name}.bn2"), f"{name}.relu2")
    y = b.conv(y, ConvShape(planes, out, 1), f"{name}.conv3")
    y = b.bn(y, out, f"{name}.bn3", gamma=RESIDUAL_GAMMA)
    skip = x
    if stride != 1 or cin != out:
        skip = b.conv(x, ConvShape(cin, out, 1, stride=stride), f"{name}.downsample.0", gain=1.0)
        skip = b.bn(skip, out, f"{name}.downsample.1")
    y = b.node("Add", [y, skip], f"{name}.add")
    return b.relu(y, f"{name}.relu3"), out


def _resnet_proto(name: str, block, layers: Sequence[int], shape: tuple[int, ...], seed: int,
                  classes: int = 1000) -> onnx.ModelProto:
    b = GraphBuilder(name, seed)
    x = b.input(INPUT, shape)
    y = b.conv(x, ConvShape(3, 64, 7, stride=2), "conv1", gain=1.0)
    y = b.relu(b.bn(y, 64, "bn1"), "relu")
    y = b.maxpool(y, "maxpool")
    c = 64
    for stage, (count, planes) in enumerate(zip(layers, (64, 128, 256, 512)), start=1):
        for i in range(count):
            stride = 2 if (i == 0 and stage > 1) else 1
            y, c = block(b, y, c, planes, stride, f"layer{stage}.{i}")
    y = b.flatten(b.global_avgpool(y, "avgpool"), "flatten")
    b.output(b.gemm(y, c, classes, "fc"), (shape[0], classes))
    return b.to_proto(doc=f"{name}: torchvision structure, seeded random weights")


def _build(name: str, block, layers, inputs, batch: int, seed: int) -> Model:
    shape = input_shape(name, INPUT, (batch, 3, 224, 224), inputs, {1: 3})
    return zoo_model(name, lambda s, r: _resnet_proto(name, block, layers, s, r), INPUT, shape, seed)


def resnet18(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """ResNet-18 (basic blocks 2-2-2-2), input "data" of shape batch x 3 x 224 x 224, output "fc"."""
    return _build("resnet18", _basic_block, (2, 2, 2, 2), inputs, batch, seed)


def resnet50(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """ResNet-50 (bottlenecks 3-4-6-3, v1.5), input "data" of shape batch x 3 x 224 x 224, output "fc"."""
    return _build("resnet50", _bottleneck, (3, 4, 6, 3), inputs, batch, seed)
