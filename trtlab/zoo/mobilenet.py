"""MobileNetV2 with torchvision's structure: Clip(0, 6) as ReLU6, depthwise convs via `group`."""

from __future__ import annotations

from typing import Mapping, Sequence

import onnx

from ..model import Model
from .builder import ConvShape, GraphBuilder, input_shape, zoo_model

INPUT = "data"
# (expansion t, output channels c, repeats n, first stride s), as in the paper and torchvision.
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
            (6, 160, 3, 2), (6, 320, 1, 1))


def _conv_bn(b: GraphBuilder, x: str, shape: ConvShape, name: str, *, act: bool = True, gain: float = 2.0,
             gamma: float = 1.0) -> str:
    y = b.conv(x, shape, f"{name}.conv", gain=gain)
    y = b.bn(y, shape.cout, f"{name}.bn", gamma=gamma)
    return b.relu6(y, f"{name}.relu6") if act else y


def _inverted_residual(b: GraphBuilder, x: str, cin: int, cout: int, stride: int, t: int, name: str) -> str:
    hidden = cin * t
    y = x
    if t != 1:
        y = _conv_bn(b, y, ConvShape(cin, hidden, 1), f"{name}.expand")
    y = _conv_bn(b, y, ConvShape(hidden, hidden, 3, stride=stride, group=hidden), f"{name}.depthwise")
    residual = stride == 1 and cin == cout
    # The projection is linear (no ReLU6): unit gain, and a small BN scale when it feeds a sum.
    y = _conv_bn(b, y, ConvShape(hidden, cout, 1), f"{name}.project", act=False, gain=1.0,
                 gamma=0.5 if residual else 1.0)
    return b.node("Add", [x, y], f"{name}.add") if residual else y


def _mobilenetv2_proto(shape: tuple[int, ...], seed: int, classes: int = 1000) -> onnx.ModelProto:
    b = GraphBuilder("mobilenetv2", seed)
    x = b.input(INPUT, shape)
    y = _conv_bn(b, x, ConvShape(3, 32, 3, stride=2), "features.0", gain=1.0)
    c, index = 32, 1
    for t, cout, n, s in SETTINGS:
        for i in range(n):
            y = _inverted_residual(b, y, c, cout, s if i == 0 else 1, t, f"features.{index}")
            c, index = cout, index + 1
    y = _conv_bn(b, y, ConvShape(c, 1280, 1), f"features.{index}")
    y = b.flatten(b.global_avgpool(y, "avgpool"), "flatten")
    b.output(b.gemm(y, 1280, classes, "classifier"), (shape[0], classes))
    return b.to_proto(doc="mobilenetv2: torchvision structure, seeded random weights")


def mobilenetv2(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """MobileNetV2 (width 1.0), input "data" of shape batch x 3 x 224 x 224, output "classifier"."""
    shape = input_shape("mobilenetv2", INPUT, (batch, 3, 224, 224), inputs, {1: 3})
    return zoo_model("mobilenetv2", _mobilenetv2_proto, INPUT, shape, seed)
