"""A rough compute cost of a set of nodes, from the shapes the model already knows.

Used to size ONNX Runtime's thread pool per segment: handing a few hundred thousand
multiply-adds to a pool of threads costs more in wake-ups than it saves.
"""

from __future__ import annotations

from math import prod
from typing import Iterable

from ..model import Model


def macs(model: Model, nodes: Iterable[str]) -> int:
    """Multiply-accumulates of Conv, ConvTranspose, MatMul and Gemm nodes, plus one per output
    element of every other node."""
    total = 0
    for name in nodes:
        node = model.node_by_name[name]
        out = model.tensors.get(node.output[0]) if node.output else None
        if out is None or not out.static:
            continue
        elements = prod(out.shape)
        weight = model.tensors.get(node.input[1]) if len(node.input) > 1 else None
        if node.op_type in ("Conv", "ConvTranspose") and weight is not None and weight.static:
            per_output = prod(weight.shape[1:])  # input channels per group x kernel
        elif node.op_type in ("MatMul", "Gemm"):
            a = model.tensors.get(node.input[0])
            transposed = any(at.name == "transA" and at.i for at in node.attribute)
            per_output = (a.shape[-2] if transposed else a.shape[-1]) if a is not None and a.static and a.shape else 1
        else:
            per_output = 1
        total += elements * per_output
    return total
