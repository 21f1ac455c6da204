"""Layers: convolution, normalisation, activation, pooling, dense, softmax."""

from __future__ import annotations

import math

import numpy as np

from ..context import Context, NodeView
from ..registry import converter
from .tensor import reduce_node

_LAYOUTS = {None, "NCW", "NCHW", "NCDHW"}


def _spatial(ctx: Context, node: NodeView, kernel: tuple[int, ...]) -> dict:
    a = node.attrs
    if a.str("layout") not in _LAYOUTS:
        raise ctx.error(f"layout {a.str('layout')} is not supported; only channels-first (NCHW) is.",
                        hint="Export the model with the default NCHW layout.")
    n = len(kernel)
    pad = a.ints("pad", ()) or (0,) * n
    return {"kernel_shape": list(kernel), "strides": list(a.ints("stride", ()) or (1,) * n),
            "dilations": list(a.ints("dilate", ()) or (1,) * n), "pads": list(pad) + list(pad)}


def _weight_check(ctx: Context, node: NodeView, tensor: str, expected: tuple, what: str) -> None:
    shape = ctx.shape(tensor)
    if len(shape) != len(expected) or any(e is not None and e != s for e, s in zip(expected, shape)):
        want = "x".join("?" if e is None else str(e) for e in expected)
        raise ctx.error(f"{what} '{tensor}' has shape {'x'.join(map(str, shape))}, but the node needs {want}.",
                        hint="Check that the parameters belong to this symbol.")


@converter("Convolution")
def convolution(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    kernel = a.ints("kernel")
    num_filter, group = a.int("num_filter"), a.int("num_group", 1)
    channels = ctx.shape(node.inputs[0])[1]
    _weight_check(ctx, node, node.inputs[1], (num_filter, channels // group, *kernel), "Weight")
    inputs = node.inputs[:2] if a.bool("no_bias", False) else node.inputs[:3]
    if len(inputs) == 3:
        _weight_check(ctx, node, inputs[2], (num_filter,), "Bias")
    ctx.add("Conv", inputs, node.output, name=node.name, group=group, **_spatial(ctx, node, kernel))


@converter("Deconvolution")
def deconvolution(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    kernel = a.ints("kernel")
    n = len(kernel)
    num_filter, group = a.int("num_filter"), a.int("num_group", 1)
    in_shape = ctx.shape(node.inputs[0])
    _weight_check(ctx, node, node.inputs[1], (in_shape[1], num_filter // group, *kernel), "Weight")
    attrs = _spatial(ctx, node, kernel)
    adj = list(a.ints("adj", ()) or (0,) * n)
    target = a.ints("target_shape", ()) or ()
    if target and any(target):
        # MXNet derives pad and adj from the requested output size (Deconvolution InferPad).
        pads = []
        for i in range(n):
            dk = attrs["dilations"][i] * (kernel[i] - 1) + 1
            total = attrs["strides"][i] * (in_shape[2 + i] - 1) + dk - target[i]
            adj[i] = total % 2
            pads.append((total + 1) // 2)
        attrs["pads"] = pads + pads
    inputs = node.inputs[:2] if a.bool("no_bias", True) else node.inputs[:3]
    ctx.add("ConvTranspose", inputs, node.output, name=node.name, group=group,
            output_padding=adj if any(adj) else None, **attrs)


@converter("BatchNorm")
def batch_norm(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x, gamma, beta, mean, var = node.inputs[:5]
    rank = len(ctx.shape(x))
    axis = a.int("axis", 1)
    if axis % rank != 1:
        raise ctx.error(f"normalising over axis {axis} is not supported; only the channel axis 1 is.",
                        hint="Use BatchNorm with axis=1 (channels-first data).")
    channels = ctx.shape(x)[1]
    for t, what in ((gamma, "Gamma"), (beta, "Beta"), (mean, "Moving mean"), (var, "Moving variance")):
        _weight_check(ctx, node, t, (channels,), what)
    if a.bool("fix_gamma", True):
        # MXNet treats gamma as 1 whatever the stored value is.
        gamma = ctx.const(f"{node.name}_gamma_fixed", np.ones(channels, dtype=ctx.np_dtype(x)))
    ctx.add("BatchNormalization", [x, gamma, beta, mean, var], node.output, name=node.name,
            epsilon=a.float("eps", 1e-3))


_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softrelu": "Softplus",
                "softsign": "Softsign"}


@converter("Activation")
def activation(ctx: Context, node: NodeView) -> None:
    act = node.attrs.str("act_type")
    if act == "log_sigmoid":
        s = ctx.add("Sigmoid", node.inputs[:1])
        ctx.add("Log", [s], node.output, name=node.name)
        return
    if act == "mish":
        sp = ctx.add("Softplus", node.inputs[:1])
        t = ctx.add("Tanh", [sp])
        ctx.add("Mul", [node.inputs[0], t], node.output, name=node.name)
        return
    if act not in _ACTIVATIONS:
        raise ctx.error(f"act_type '{act}' has no converter.",
                        hint=f"Supported: {', '.join(sorted(_ACTIVATIONS) + ['log_sigmoid', 'mish'])}.")
    ctx.add(_ACTIVATIONS[act], node.inputs[:1], node.output, name=node.name)


def _gelu(ctx: Context, node: NodeView) -> None:
    # Opsets before 20 have no Gelu: 0.5 * x * (1 + erf(x / sqrt(2))).
    x = node.inputs[0]
    scaled = ctx.add("Mul", [x, ctx.scalar(f"{node.name}_inv_sqrt2", 1 / math.sqrt(2), x)])
    erf = ctx.add("Erf", [scaled])
    one = ctx.add("Add", [erf, ctx.scalar(f"{node.name}_one", 1.0, x)])
    half = ctx.add("Mul", [x, ctx.scalar(f"{node.name}_half", 0.5, x)])
    ctx.add("Mul", [half, one], node.output, name=node.name)


@converter("LeakyReLU", "LeakyRelu")
def leaky_relu(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    act = a.str("act_type", "leaky")
    x = node.inputs[0]
    if act == "leaky":
        ctx.add("LeakyRelu", [x], node.output, name=node.name, alpha=a.float("slope", 0.25))
    elif act == "rrelu":
        # At inference RReLU is a leaky ReLU with the mean of its random slope range.
        slope = (a.float("lower_bound", 0.125) + a.float("upper_bound", 0.334)) / 2
        ctx.add("LeakyRelu", [x], node.output, name=node.name, alpha=slope)
    elif act == "elu":
        ctx.add("Elu", [x], node.output, name=node.name, alpha=a.float("slope", 0.25))
    elif act == "selu":
        ctx.add("Selu", [x], node.output, name=node.name)
    elif act == "gelu":
        _gelu(ctx, node)
    elif act == "prelu":
        rank = len(ctx.shape(x))
        slope = node.inputs[1]
        n = ctx.shape(slope)[0]
        # MXNet broadcasts the per-channel slope over axis 1; ONNX PRelu broadcasts from the right.
        if rank > 2 and n > 1:
            shape = ctx.const(f"{node.name}_slope_shape", np.array([n] + [1] * (rank - 2), dtype=np.int64))
            slope = ctx.add("Reshape", [slope, shape])
        ctx.add("PRelu", [x, slope], node.output, name=node.name)
    else:
        raise ctx.error(f"act_type '{act}' has no converter.", hint="Supported: leaky, prelu, elu, selu, gelu, rrelu.")


@converter("Pooling")
def pooling(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x = node.inputs[0]
    pool = a.str("pool_type", "max")
    rank = len(ctx.shape(x))
    if a.bool("global_pool", False):
        if pool == "sum":
            axes = list(range(2, rank))
            reduce_node(ctx, "ReduceSum", x, axes, True, node.output, node.name)
            return
        op = {"max": "GlobalMaxPool", "avg": "GlobalAveragePool", "lp": "GlobalLpPool"}.get(pool)
        if op is None:
            raise ctx.error(f"pool_type '{pool}' has no converter.", hint="Supported: max, avg, sum, lp.")
        ctx.add(op, [x], node.output, name=node.name, p=a.int("p_value", 2) if pool == "lp" else None)
        return
    kernel = a.ints("kernel")
    attrs = _spatial(ctx, node, kernel)
    attrs.pop("dilations")
    convention = a.str("pooling_convention", "valid")
    if convention not in ("valid", "full"):
        raise ctx.error(f"pooling_convention '{convention}' is not supported; valid and full are.",
                        hint="Use pooling_convention='valid' or 'full'.")
    ceil = 1 if convention == "full" else 0
    if pool == "max":
        ctx.add("MaxPool", [x], node.output, name=node.name, ceil_mode=ceil, **attrs)
    elif pool in ("avg", "sum"):
        include_pad = 1 if a.bool("count_include_pad", True) or pool == "sum" else 0
        out = node.output if pool == "avg" else None
        y = ctx.add("AveragePool", [x], out, name=node.name if pool == "avg" else None,
                    ceil_mode=ceil, count_include_pad=include_pad, **attrs)
        if pool == "sum":
            size = ctx.scalar(f"{node.name}_window", float(np.prod(kernel)), x)
            ctx.add("Mul", [y, size], node.output, name=node.name)
    elif pool == "lp":
        if ceil:
            raise ctx.error("lp pooling with pooling_convention='full' has no converter.")
        ctx.add("LpPool", [x], node.output, name=node.name, p=a.int("p_value", 2), **attrs)
    else:
        raise ctx.error(f"pool_type '{pool}' has no converter.", hint="Supported: max, avg, sum, lp.")


@converter("FullyConnected")
def fully_connected(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x, w = node.inputs[:2]
    num_hidden = a.int("num_hidden")
    no_bias = a.bool("no_bias", False)
    shape = ctx.shape(x)
    flatten = a.bool("flatten", True)
    features = int(np.prod(shape[1:])) if flatten else shape[-1]
    _weight_check(ctx, node, w, (num_hidden, features), "Weight")
    if not no_bias:
        _weight_check(ctx, node, node.inputs[2], (num_hidden,), "Bias")
    if flatten or len(shape) == 2:
        if len(shape) != 2:
            x = ctx.add("Flatten", [x], axis=1)
        ctx.add("Gemm", [x, w] + ([] if no_bias else [node.inputs[2]]), node.output, name=node.name, transB=1)
        return
    # flatten=False on rank > 2: a batched matrix product over the last axis.
    weight = ctx.value(w)
    wt = ctx.const(f"{w}_T", weight.T) if weight is not None else ctx.add("Transpose", [w], perm=[1, 0])
    if no_bias:
        ctx.add("MatMul", [x, wt], node.output, name=node.name)
    else:
        y = ctx.add("MatMul", [x, wt], name=f"{node.name}/matmul")
        ctx.add("Add", [y, node.inputs[2]], node.output, name=node.name)


@converter("Dropout")
def dropout(ctx: Context, node: NodeView) -> None:
    # Inference: dropout passes its input through.
    ctx.add("Identity", node.inputs[:1], node.output, name=node.name)


@converter("softmax", "log_softmax")
def softmax(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    if a.bool("use_length", False):
        raise ctx.error("softmax with use_length=True has no converter.")
    x = node.inputs[0]
    temperature = a.float("temperature", 1.0)
    if temperature != 1.0:
        x = ctx.add("Div", [x, ctx.scalar(f"{node.name}_temperature", temperature, x)])
    op = "LogSoftmax" if node.op == "log_softmax" else "Softmax"
    ctx.add(op, [x], node.output, name=node.name, axis=a.int("axis", -1))


@converter("SoftmaxActivation")
def softmax_activation(ctx: Context, node: NodeView) -> None:
    axis = 1 if node.attrs.str("mode", "instance") == "channel" else -1
    ctx.add("Softmax", node.inputs[:1], node.output, name=node.name, axis=axis)


@converter("SoftmaxOutput", "Softmax")
def softmax_output(ctx: Context, node: NodeView) -> None:
    """The inference side of MXNet's softmax loss layer; the label input is not read.
    multi_output normalises over axis 1, otherwise MXNet normalises over the last axis."""
    axis = 1 if node.attrs.bool("multi_output", False) else -1
    ctx.add("Softmax", node.inputs[:1], node.output, name=node.name, axis=axis)


@converter("LayerNorm", since=17)
def layer_norm(ctx: Context, node: NodeView) -> None:
    a = node.attrs
    x, gamma, beta = node.inputs[:3]
    rank = len(ctx.shape(x))
    axis = a.int("axis", -1) % rank
    if axis != rank - 1:
        raise ctx.error("LayerNorm over an axis other than the last has no converter.")
    ctx.add("LayerNormalization", [x, gamma, beta], node.output, name=node.name,
            axis=-1, epsilon=a.float("eps", 1e-5))


@converter("InstanceNorm")
def instance_norm(ctx: Context, node: NodeView) -> None:
    ctx.add("InstanceNormalization", node.inputs[:3], node.output, name=node.name,
            epsilon=node.attrs.float("eps", 1e-3))


@converter("Embedding")
def embedding(ctx: Context, node: NodeView) -> None:
    data, weight = node.inputs[:2]
    idx = ctx.add("Cast", [data], to=7)  # MXNet feeds indices as floats
    ctx.add("Gather", [weight, idx], node.output, name=node.name, axis=0)
