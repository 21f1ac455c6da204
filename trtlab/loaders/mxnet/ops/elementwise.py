"""Element-wise maths: binary (same-shape and broadcast), with a scalar, unary, clip."""

from __future__ import annotations

import numpy as np

from ..context import Context, NodeView
from ..registry import converter

# MXNet's many spellings of the same binary op -> the ONNX op (ONNX ops broadcast numpy-style).
_BINARY = {
    "Add": ("elemwise_add", "broadcast_add", "broadcast_plus", "_Plus", "_plus", "_add", "_npi_add"),
    "Sub": ("elemwise_sub", "broadcast_sub", "broadcast_minus", "_Minus", "_minus", "_sub", "_npi_subtract"),
    "Mul": ("elemwise_mul", "broadcast_mul", "_Mul", "_mul", "_npi_multiply"),
    "Div": ("elemwise_div", "broadcast_div", "_Div", "_div", "_npi_true_divide"),
    "Max": ("_Maximum", "_maximum", "broadcast_maximum"),
    "Min": ("_Minimum", "_minimum", "broadcast_minimum"),
    "Pow": ("_Power", "_power", "broadcast_power"),
}
_OP_OF = {mx: onnx_op for onnx_op, names in _BINARY.items() for mx in names}


@converter(*_OP_OF)
def binary(ctx: Context, node: NodeView) -> None:
    ctx.add(_OP_OF[node.op], node.inputs[:2], node.output, name=node.name)


@converter("add_n", "ElementWiseSum", "_sum")
def add_n(ctx: Context, node: NodeView) -> None:
    ctx.add("Sum", node.inputs, node.output, name=node.name)


# op -> (ONNX op, scalar on the right?)
_SCALAR = {
    "_plus_scalar": ("Add", True), "_PlusScalar": ("Add", True),
    "_minus_scalar": ("Sub", True), "_MinusScalar": ("Sub", True),
    "_rminus_scalar": ("Sub", False), "_RMinusScalar": ("Sub", False),
    "_mul_scalar": ("Mul", True), "_MulScalar": ("Mul", True),
    "_div_scalar": ("Div", True), "_DivScalar": ("Div", True),
    "_rdiv_scalar": ("Div", False), "_RDivScalar": ("Div", False),
    "_power_scalar": ("Pow", True), "_PowerScalar": ("Pow", True),
    "_rpower_scalar": ("Pow", False), "_RPowerScalar": ("Pow", False),
    "_maximum_scalar": ("Max", True), "_MaximumScalar": ("Max", True),
    "_minimum_scalar": ("Min", True), "_MinimumScalar": ("Min", True),
}


@converter(*_SCALAR)
def with_scalar(ctx: Context, node: NodeView) -> None:
    op, right = _SCALAR[node.op]
    x = node.inputs[0]
    s = ctx.scalar(f"{node.name}_scalar", node.attrs.float("scalar", 0.0), x)
    ctx.add(op, [x, s] if right else [s, x], node.output, name=node.name)


_UNARY = {"exp": "Exp", "log": "Log", "sqrt": "Sqrt", "abs": "Abs", "negative": "Neg",
          "reciprocal": "Reciprocal", "floor": "Floor", "ceil": "Ceil", "erf": "Erf", "sin": "Sin",
          "cos": "Cos", "sign": "Sign", "round": "Round", "relu": "Relu", "sigmoid": "Sigmoid",
          "tanh": "Tanh"}


@converter(*_UNARY)
def unary(ctx: Context, node: NodeView) -> None:
    ctx.add(_UNARY[node.op], node.inputs[:1], node.output, name=node.name)


@converter("square")
def square(ctx: Context, node: NodeView) -> None:
    ctx.add("Mul", [node.inputs[0], node.inputs[0]], node.output, name=node.name)


@converter("rsqrt")
def rsqrt(ctx: Context, node: NodeView) -> None:
    root = ctx.add("Sqrt", node.inputs[:1])
    ctx.add("Reciprocal", [root], node.output, name=node.name)


@converter("clip", since=1)
def clip_attr(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    ctx.add("Clip", node.inputs[:1], node.output, name=node.name,
            min=a.float("a_min", -np.inf), max=a.float("a_max", np.inf))


@converter("clip", since=11)
def clip(ctx: Context, node: NodeView) -> None:
    # Since opset 11, Clip takes its bounds as inputs.
    a = node.attrs
    x = node.inputs[0]
    lo = ctx.scalar(f"{node.name}_min", a.float("a_min", -np.inf), x)
    hi = ctx.scalar(f"{node.name}_max", a.float("a_max", np.inf), x)
    ctx.add("Clip", [x, lo, hi], node.output, name=node.name)


@converter("dot", "batch_dot")
def dot(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    ins = []
    for x, flag in zip(node.inputs[:2], ("transpose_a", "transpose_b")):
        if a.bool(flag, False):
            rank = len(ctx.shape(x))
            perm = list(range(rank - 2)) + [rank - 1, rank - 2]
            x = ctx.add("Transpose", [x], perm=perm)
        ins.append(x)
    ctx.add("MatMul", ins, node.output, name=node.name)
