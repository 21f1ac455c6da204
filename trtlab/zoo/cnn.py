"""Small CNNs for fast tests: `tiny`, and `mixed`, which holds an op TensorRT cannot take.

The unsupported op is MaxRoiPool: float-only, run by ONNX Runtime on CPU, marked "N" in the
onnx-tensorrt operator matrix and refused by the TensorRT(-RTX) parser. With one region of
interest covering each whole image and ``pooled_shape`` equal to the feature map's size, every
pooling bin is one pixel, so the node passes its input through unchanged in value and shape:
the model computes the same thing whichever side of the partition runs it.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import onnx

from ..model import Model
from .builder import ConvShape, GraphBuilder, input_shape, zoo_model

INPUT = "data"
# Nodes of `mixed` that TensorRT cannot take; tests and docs read this.
MIXED_UNSUPPORTED = ("trap.roipool",)


def _tiny_proto(shape: tuple[int, ...], seed: int) -> onnx.ModelProto:
    b = GraphBuilder("tiny", seed)
    x = b.input(INPUT, shape)
    y = b.conv(x, ConvShape(3, 8, 3), "conv1", gain=1.0)
    y = b.relu(b.bn(y, 8, "bn1"), "relu1")
    y = b.maxpool(y, "pool1", k=2, stride=2, pad=0)
    z = b.relu(b.conv(y, ConvShape(8, 8, 3), "conv2", bias=True), "relu2")
    y = b.node("Add", [y, z], "add")
    y = b.flatten(b.global_avgpool(y, "avgpool"), "flatten")
    b.output(b.gemm(y, 8, 10, "fc"), (shape[0], 10))
    return b.to_proto(doc="tiny: a 10-node CNN for fast tests")


def _mixed_proto(shape: tuple[int, ...], seed: int) -> onnx.ModelProto:
    n, _, h, w = shape
    b = GraphBuilder("mixed", seed)
    x = b.input(INPUT, shape)
    a = b.conv(x, ConvShape(3, 16, 3), "stem.conv", gain=1.0)
    a = b.relu(b.bn(a, 16, "stem.bn"), "stem.relu")
    # One region per image, the whole image: [batch index, x1, y1, x2, y2].
    rois = np.array([[i, 0, 0, w - 1, h - 1] for i in range(n)], dtype=np.float32)
    u = b.node("MaxRoiPool", [a, b.init("trap.rois", rois)], "trap.roipool",
               pooled_shape=[h, w], spatial_scale=1.0)
    bb = b.relu(b.conv(u, ConvShape(16, 16, 3), "branch_b.conv", bias=True), "branch_b.relu")
    cc = b.relu(b.conv(a, ConvShape(16, 16, 3), "branch_c.conv", bias=True), "branch_c.relu")
    d = b.relu(b.node("Add", [bb, cc], "merge.add"), "merge.relu")
    y = b.relu(b.conv(d, ConvShape(16, 32, 3, stride=2), "head.conv", bias=True), "head.relu")
    y = b.flatten(b.global_avgpool(y, "head.avgpool"), "head.flatten")
    b.output(b.gemm(y, 32, 10, "head.fc"), (n, 10))
    return b.to_proto(doc=mixed.__doc__ or "")


def tiny(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """A 10-node CNN (Conv, BatchNormalization, Relu, MaxPool, Add, GlobalAveragePool, Flatten,
    Gemm), input "data" of shape batch x 3 x 32 x 32, output "fc" (batch x 10)."""
    shape = input_shape("tiny", INPUT, (batch, 3, 32, 32), inputs, {1: 3})
    return zoo_model("tiny", _tiny_proto, INPUT, shape, seed)


def mixed(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """A small CNN with one node TensorRT cannot take, placed as a cycle trap.

    Input "data" (batch x 3 x 32 x 32), output "head.fc" (batch x 10)::

        stem.conv -> stem.bn -> stem.relu (A)
        A -> trap.roipool (U, MaxRoiPool: unsupported) -> branch_b.conv -> branch_b.relu (B)
        A -> branch_c.conv -> branch_c.relu (C)
        B + C -> merge.add -> merge.relu (D) -> head.conv -> head.relu -> head.avgpool
              -> head.flatten -> head.fc

    The trap: every node but trap.roipool is supported and the supported nodes form one
    connected piece (A reaches D through branch C), so a naive grouping puts stem.*, branch_c.*,
    merge.* and head.* (and branch_b.*) in one TensorRT subgraph. That subgraph would feed
    trap.roipool (from stem.relu) and read back its result (through branch_b into merge.add):
    a cycle A -> U -> B -> D between an engine and a fallback node. A correct partition splits
    at the trap, e.g. {stem.*} | trap.roipool | {branch_b.*, branch_c.*, merge.*, head.*}.
    """
    shape = input_shape("mixed", INPUT, (batch, 3, 32, 32), inputs, {1: 3})
    return zoo_model("mixed", _mixed_proto, INPUT, shape, seed)
