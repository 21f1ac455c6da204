"""Shape and data movement: reshape, flatten, transpose, concat, pad, slice, reductions."""

from __future__ import annotations

import numpy as np

from ..context import Context, NodeView
from ..registry import converter

# The opset where each reduction's axes moved from an attribute to an input.
_AXES_INPUT_SINCE = {"ReduceSum": 13, "ReduceMean": 18, "ReduceMax": 18, "ReduceMin": 18, "ReduceProd": 18}


def reduce_node(ctx: Context, op: str, x: str, axes: list[int] | None, keepdims: bool, out: str, name: str) -> None:
    if axes is None:
        axes = list(range(len(ctx.shape(x))))
    if ctx.opset >= _AXES_INPUT_SINCE[op]:
        ax = ctx.const(f"{name}_axes", np.array(axes, dtype=np.int64))
        ctx.add(op, [x, ax], out, name=name, keepdims=int(keepdims))
    else:
        ctx.add(op, [x], out, name=name, axes=list(axes), keepdims=int(keepdims))


@converter("mean", "sum", "max", "min", "prod", "sum_axis")
def reduction(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x = node.inputs[0]
    rank = len(ctx.shape(x))
    axes = a.ints("axis", None)
    axes = list(range(rank)) if axes is None or axes == () else [d % rank for d in axes]
    if a.bool("exclude", False):
        axes = [d for d in range(rank) if d not in axes]
    op = {"mean": "ReduceMean", "sum": "ReduceSum", "sum_axis": "ReduceSum", "max": "ReduceMax",
          "min": "ReduceMin", "prod": "ReduceProd"}[node.op]
    keepdims = a.bool("keepdims", False)
    if keepdims or len(axes) < rank:
        reduce_node(ctx, op, x, axes, keepdims, node.output, node.name)
        return
    # MXNet reduces over every axis to shape (1,), not to a scalar.
    y = ctx.unique(f"{node.name}/reduced")
    reduce_node(ctx, op, x, axes, True, y, y)
    ctx.add("Reshape", [y, ctx.const(f"{node.name}_shape", np.array([1], dtype=np.int64))], node.output,
            name=node.name)


@converter("Flatten", "flatten")
def flatten(ctx: Context, node: NodeView) -> None:
    ctx.add("Flatten", node.inputs[:1], node.output, name=node.name, axis=1)


def mxnet_reshape(src: tuple[int, ...], spec: tuple[int, ...], reverse: bool = False) -> tuple[int, ...]:
    """The output shape of MXNet's Reshape, with its special codes:
    0 copy this dim, -1 infer, -2 copy the rest, -3 merge two dims, -4 split one dim in two."""
    if reverse:
        # -4 is followed by its two sizes; keep that group in order while reversing the rest.
        groups, i = [], 0
        while i < len(spec):
            if spec[i] == -4:
                groups.append(list(spec[i:i + 3]))
                i += 3
            else:
                groups.append([spec[i]])
                i += 1
        rspec = tuple(v for g in reversed(groups) for v in g)
        return tuple(reversed(mxnet_reshape(tuple(reversed(src)), rspec)))
    out: list[int] = []
    infer = -1
    i = j = 0
    while j < len(spec):
        code = spec[j]
        if code == 0:
            out.append(src[i])
            i += 1
        elif code == -1:
            if infer >= 0:
                raise ValueError("more than one -1")
            infer = len(out)
            out.append(1)
            i += 1
        elif code == -2:
            out.extend(src[i:])
            i = len(src)
        elif code == -3:
            out.append(src[i] * src[i + 1])
            i += 2
        elif code == -4:
            d0, d1, d2 = src[i], spec[j + 1], spec[j + 2]
            if d1 == -1:
                d1 = d0 // d2
            if d2 == -1:
                d2 = d0 // d1
            if d1 * d2 != d0:
                raise ValueError(f"cannot split {d0} into {d1}x{d2}")
            out.extend([d1, d2])
            i += 1
            j += 2
        elif code > 0:
            out.append(code)
            i += 1
        else:
            raise ValueError(f"unknown code {code}")
        j += 1
    total = int(np.prod(src))
    if infer >= 0:
        rest = int(np.prod(out)) // out[infer]
        if rest == 0 or total % rest:
            raise ValueError("the -1 dimension does not divide evenly")
        out[infer] = total // rest
    if int(np.prod(out)) != total:
        raise ValueError(f"{total} elements can't take shape {tuple(out)}")
    return tuple(out)


@converter("Reshape", "reshape")
def reshape(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    spec = a.ints("shape", ())
    if not spec:
        raise ctx.error("only Reshape with the 'shape' attribute is supported (not the old target_shape).")
    src = ctx.shape(node.inputs[0])
    try:
        shape = mxnet_reshape(src, spec, a.bool("reverse", False))
    except (ValueError, IndexError) as exc:
        raise ctx.error(f"can't reshape {src} with shape={spec}: {exc}.",
                        hint="Check the input shapes given to the model.") from None
    const = ctx.const(f"{node.name}_shape", np.array(shape, dtype=np.int64))
    ctx.add("Reshape", [node.inputs[0], const], node.output, name=node.name)


@converter("transpose")
def transpose(ctx: Context, node: NodeView) -> None:
    axes = node.attrs.ints("axes", ())
    if not axes:
        axes = tuple(reversed(range(len(ctx.shape(node.inputs[0])))))
    ctx.add("Transpose", node.inputs[:1], node.output, name=node.name, perm=list(axes))


@converter("SwapAxis", "swapaxes")
def swap_axis(ctx: Context, node: NodeView) -> None:
    rank = len(ctx.shape(node.inputs[0]))
    perm = list(range(rank))
    d1, d2 = node.attrs.int("dim1", 0) % rank, node.attrs.int("dim2", 0) % rank
    perm[d1], perm[d2] = perm[d2], perm[d1]
    ctx.add("Transpose", node.inputs[:1], node.output, name=node.name, perm=perm)


@converter("Concat", "concat")
def concat(ctx: Context, node: NodeView) -> None:
    ctx.add("Concat", node.inputs, node.output, name=node.name, axis=node.attrs.int("dim", 1))


@converter("stack")
def stack(ctx: Context, node: NodeView) -> None:
    axis = node.attrs.int("axis", 0)
    rank = len(ctx.shape(node.inputs[0])) + 1
    ax = ctx.const(f"{node.name}_axes", np.array([axis % rank], dtype=np.int64))
    parts = [ctx.add("Unsqueeze", [x, ax]) for x in node.inputs]
    ctx.add("Concat", parts, node.output, name=node.name, axis=axis % rank)


def _pads(ctx: Context, node: NodeView) -> list[int]:
    width = node.attrs.ints("pad_width")
    rank = len(ctx.shape(node.inputs[0]))
    if width is None or len(width) != 2 * rank:
        raise ctx.error(f"pad_width {width} must give a (before, after) pair for each of the {rank} axes.")
    # MXNet: (before0, after0, before1, after1, ...); ONNX: all befores, then all afters.
    return list(width[0::2]) + list(width[1::2])


@converter("Pad", "pad", since=1)
def pad_attr(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    ctx.add("Pad", node.inputs[:1], node.output, name=node.name, mode=_pad_mode(ctx, a.str("mode", "constant")),
            pads=_pads(ctx, node), value=a.float("constant_value", 0.0))


@converter("Pad", "pad", since=11)
def pad(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x = node.inputs[0]
    inputs = [x, ctx.const(f"{node.name}_pads", np.array(_pads(ctx, node), dtype=np.int64))]
    mode = _pad_mode(ctx, a.str("mode", "constant"))
    if mode == "constant":
        inputs.append(ctx.scalar(f"{node.name}_value", a.float("constant_value", 0.0), x))
    ctx.add("Pad", inputs, node.output, name=node.name, mode=mode)


def _pad_mode(ctx: Context, mode: str) -> str:
    if mode not in ("constant", "edge", "reflect"):
        raise ctx.error(f"pad mode '{mode}' is not supported.", hint="Use constant, edge or reflect.")
    return mode


@converter("_copy", "identity", "BlockGrad", "stop_gradient", "_identity_with_attr_like_rhs")
def copy(ctx: Context, node: NodeView) -> None:
    ctx.add("Identity", node.inputs[:1], node.output, name=node.name)


@converter("expand_dims", since=13)
def expand_dims(ctx: Context, node: NodeView) -> None:
    rank = len(ctx.shape(node.inputs[0])) + 1
    ax = ctx.const(f"{node.name}_axes", np.array([node.attrs.int("axis") % rank], dtype=np.int64))
    ctx.add("Unsqueeze", [node.inputs[0], ax], node.output, name=node.name)


@converter("squeeze", since=13)
def squeeze(ctx: Context, node: NodeView) -> None:
    axes = node.attrs.ints("axis", None)
    inputs = node.inputs[:1]
    if axes:
        rank = len(ctx.shape(node.inputs[0]))
        inputs.append(ctx.const(f"{node.name}_axes", np.array([d % rank for d in axes], dtype=np.int64)))
    ctx.add("Squeeze", inputs, node.output, name=node.name)


@converter("slice_axis")
def slice_axis(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    shape = ctx.shape(node.inputs[0])
    axis = a.int("axis") % len(shape)
    begin = a.int("begin", 0)
    end = a.int("end", None)
    end = shape[axis] if end is None else end
    consts = [ctx.const(f"{node.name}_{k}", np.array([v], dtype=np.int64))
              for k, v in (("starts", begin), ("ends", end), ("axes", axis))]
    ctx.add("Slice", [node.inputs[0], *consts], node.output, name=node.name)


@converter("SliceChannel", "split", since=13)
def split(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    shape = ctx.shape(node.inputs[0])
    axis = a.int("axis", 1) % len(shape)
    n = a.int("num_outputs")
    if shape[axis] % n:
        raise ctx.error(f"can't split axis {axis} of size {shape[axis]} into {n} equal parts.")
    sizes = ctx.const(f"{node.name}_split", np.full(n, shape[axis] // n, dtype=np.int64))
    outs = [f"{node.name}_output"] + [f"{node.name}_output{i}" for i in range(1, n)]
    if not a.bool("squeeze_axis", False):
        ctx.add("Split", [node.inputs[0], sizes], outs, name=node.name, axis=axis)
        return
    parts = [f"{o}_unsqueezed" for o in outs]
    ctx.add("Split", [node.inputs[0], sizes], parts, name=node.name, axis=axis)
    ax = ctx.const(f"{node.name}_axes", np.array([axis], dtype=np.int64))
    for p, o in zip(parts, outs):
        ctx.add("Squeeze", [p, ax], o)
    node.outputs[:] = outs


@converter("Cast", "cast")
def cast(ctx: Context, node: NodeView) -> None:
    from onnx import helper

    dtype = node.attrs.str("dtype", "float32")
    try:
        to = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    except TypeError:
        raise ctx.error(f"cast to '{dtype}' is not supported.") from None
    ctx.add("Cast", node.inputs[:1], node.output, name=node.name, to=to)
