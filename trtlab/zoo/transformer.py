"""A small pre-norm transformer encoder, written with the ops exporters emit at opset 17.

MatMul/Add projections, Reshape + Transpose into heads, scaled Softmax attention,
LayerNormalization, and GELU written with Erf (the Gelu op arrived in opset 20).
The input is already embedded: "input" of shape batch x seq x d_model.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import onnx

from ..model import Model
from .builder import GraphBuilder, input_shape, zoo_model

INPUT = "input"
D_MODEL, HEADS, FFN, LAYERS, SEQ = 64, 4, 256, 2, 32


def _attention(b: GraphBuilder, x: str, name: str) -> str:
    head_dim = D_MODEL // HEADS
    # 0 copies batch and sequence from the input, so the graph fits any batch x seq.
    split = b.ints(f"{name}.split_shape", [0, 0, HEADS, head_dim])
    merge = b.ints(f"{name}.merge_shape", [0, 0, D_MODEL])
    heads = {}
    for part in ("q", "k", "v"):
        y = b.linear(x, D_MODEL, D_MODEL, f"{name}.{part}_proj")
        y = b.node("Reshape", [y, split], f"{name}.{part}_split")
        # Keys go straight to (batch, heads, head_dim, seq) for Q @ K^T.
        perm = [0, 2, 3, 1] if part == "k" else [0, 2, 1, 3]
        heads[part] = b.node("Transpose", [y], f"{name}.{part}_heads", perm=perm)
    scores = b.node("MatMul", [heads["q"], heads["k"]], f"{name}.scores")
    scale = b.init(f"{name}.scale", np.asarray(1.0 / math.sqrt(head_dim), dtype=np.float32))
    scores = b.node("Mul", [scores, scale], f"{name}.scaled")
    probs = b.node("Softmax", [scores], f"{name}.softmax", axis=-1)
    y = b.node("MatMul", [probs, heads["v"]], f"{name}.context")
    y = b.node("Transpose", [y], f"{name}.context_seq", perm=[0, 2, 1, 3])
    y = b.node("Reshape", [y, merge], f"{name}.context_merge")
    return b.linear(y, D_MODEL, D_MODEL, f"{name}.out_proj", gain=0.5)


def _layer(b: GraphBuilder, x: str, name: str) -> str:
    y = _attention(b, b.layernorm(x, D_MODEL, f"{name}.norm1"), f"{name}.attn")
    x = b.node("Add", [x, y], f"{name}.residual1")
    y = b.layernorm(x, D_MODEL, f"{name}.norm2")
    y = b.gelu(b.linear(y, D_MODEL, FFN, f"{name}.ffn.fc1", gain=2.0), f"{name}.ffn.gelu")
    y = b.linear(y, FFN, D_MODEL, f"{name}.ffn.fc2", gain=0.5)
    return b.node("Add", [x, y], f"{name}.residual2")


def _transformer_proto(shape: tuple[int, ...], seed: int) -> onnx.ModelProto:
    b = GraphBuilder("transformer", seed)
    x = b.input(INPUT, shape)
    for i in range(LAYERS):
        x = _layer(b, x, f"layers.{i}")
    b.output(b.layernorm(x, D_MODEL, "norm"), shape)
    return b.to_proto(doc="transformer: 2-layer pre-norm encoder, seeded random weights")


def transformer(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """Encoder with 2 layers, d_model 64, 4 heads, FFN 256: input "input" of shape
    batch x 32 x 64 (any sequence length works through ``inputs``), output "norm", same shape."""
    shape = input_shape("transformer", INPUT, (batch, SEQ, D_MODEL), inputs, {2: D_MODEL})
    return zoo_model("transformer", _transformer_proto, INPUT, shape, seed)
