"""A small ONNX graph builder for the zoo: readable node names, seeded weights, opset 17.

Weights are drawn so that activations stay finite and of order one through deep networks
(He-initialised convolutions, batch norms with non-trivial running statistics), because the
zoo models feed fp16-versus-fp32 accuracy comparisons.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..errors import TrtlabError
from ..model import Model

OPSET = 17


@dataclass(frozen=True)
class ConvShape:
    """A square convolution's shape: `cin` input and `cout` output channels, a `k` x `k` kernel,
    its `stride`, and `group` channel groups (`group == cin` is depthwise). The padding is always
    k // 2, so a stride of 1 keeps the spatial size."""
    cin: int
    cout: int
    k: int
    stride: int = 1
    group: int = 1


class GraphBuilder:
    """Collects inputs, initializers and nodes; `to_proto()` returns a checked ModelProto.

    Each node's (first) output tensor carries the node's name, so "layer1.0.conv1" names both
    the Conv node and the tensor it produces.
    """

    def __init__(self, name: str, seed: int = 0):
        self.name = name
        self.rng = np.random.default_rng(seed)
        self._inputs: list[onnx.ValueInfoProto] = []
        self._outputs: list[onnx.ValueInfoProto] = []
        self._inits: list[onnx.TensorProto] = []
        self._nodes: list[onnx.NodeProto] = []
        self._names: set[str] = set()
        self._tensors: set[str] = set()

    # ---------------------------------------------------------------- graph edges
    def input(self, name: str, shape: Sequence[int], dtype: int = TensorProto.FLOAT) -> str:
        self._claim_tensor(name)
        self._inputs.append(helper.make_tensor_value_info(name, dtype, list(shape)))
        return name

    def output(self, tensor: str, shape: Sequence[int], dtype: int = TensorProto.FLOAT) -> str:
        self._outputs.append(helper.make_tensor_value_info(tensor, dtype, list(shape)))
        return tensor

    def init(self, name: str, array: np.ndarray) -> str:
        self._claim_tensor(name)
        self._inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def ints(self, name: str, values: Sequence[int]) -> str:
        return self.init(name, np.asarray(values, dtype=np.int64))

    def node(self, op: str, inputs: Sequence[str], name: str, *, outputs: int | Sequence[str] = 1,
             **attrs) -> str | list[str]:
        """Add a node; returns its output tensor name (a list when it has several)."""
        if name in self._names:
            raise ValueError(f"duplicate node name {name!r}")  # a bug in a zoo model, not user input
        self._names.add(name)
        if isinstance(outputs, int):
            outs = [name] if outputs == 1 else [f"{name}.{i}" for i in range(outputs)]
        else:
            outs = list(outputs)
        for o in outs:
            self._claim_tensor(o)
        self._nodes.append(helper.make_node(op, list(inputs), outs, name=name, **attrs))
        return outs[0] if len(outs) == 1 else outs

    def to_proto(self, doc: str = "") -> onnx.ModelProto:
        graph = helper.make_graph(self._nodes, self.name, self._inputs, self._outputs, self._inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="trtlab.zoo", doc_string=doc)
        # Keep the IR version readable by older runtimes.
        model.ir_version = min(model.ir_version, 8)
        onnx.checker.check_model(model)
        return model

    def _claim_tensor(self, name: str) -> None:
        if name in self._tensors:
            raise ValueError(f"duplicate tensor name {name!r}")
        self._tensors.add(name)

    # ---------------------------------------------------------------- weights
    def normal(self, shape: Sequence[int], std: float) -> np.ndarray:
        return (self.rng.standard_normal(size=tuple(shape), dtype=np.float32) * np.float32(std))

    def uniform(self, shape: Sequence[int], low: float, high: float) -> np.ndarray:
        return self.rng.uniform(low, high, size=tuple(shape)).astype(np.float32)

    # ---------------------------------------------------------------- layers
    def conv(self, x: str, shape: ConvShape, name: str, *, bias: bool = False, gain: float = 2.0) -> str:
        """A Conv of `shape` with He-style weights (`gain` 2 before a ReLU, 1 otherwise)."""
        cin, cout, k, group = shape.cin, shape.cout, shape.k, shape.group
        fan_in = (cin // group) * k * k
        w = self.init(f"{name}.weight", self.normal((cout, cin // group, k, k), math.sqrt(gain / fan_in)))
        ins = [x, w]
        if bias:
            ins.append(self.init(f"{name}.bias", self.normal((cout,), 0.05)))
        return self.node("Conv", ins, name, kernel_shape=[k, k], strides=[shape.stride, shape.stride],
                         pads=[k // 2] * 4, group=group, dilations=[1, 1])

    def bn(self, x: str, c: int, name: str, *, gamma: float = 1.0) -> str:
        """BatchNormalization with running statistics that are not identity, as after training."""
        scale = self.init(f"{name}.weight", self.uniform((c,), 0.8 * gamma, 1.2 * gamma))
        bias = self.init(f"{name}.bias", self.normal((c,), 0.05))
        mean = self.init(f"{name}.running_mean", self.normal((c,), 0.1))
        var = self.init(f"{name}.running_var", self.uniform((c,), 0.7, 1.3))
        return self.node("BatchNormalization", [x, scale, bias, mean, var], name, epsilon=1e-5)

    def relu(self, x: str, name: str) -> str:
        return self.node("Relu", [x], name)

    def relu6(self, x: str, name: str) -> str:
        lo = self._scalar("zoo.const.zero", 0.0)
        hi = self._scalar("zoo.const.six", 6.0)
        return self.node("Clip", [x, lo, hi], name)

    def maxpool(self, x: str, name: str, k: int = 3, stride: int = 2, pad: int = 1) -> str:
        return self.node("MaxPool", [x], name, kernel_shape=[k, k], strides=[stride, stride],
                         pads=[pad] * 4)

    def global_avgpool(self, x: str, name: str) -> str:
        return self.node("GlobalAveragePool", [x], name)

    def flatten(self, x: str, name: str) -> str:
        return self.node("Flatten", [x], name, axis=1)

    def gemm(self, x: str, cin: int, cout: int, name: str) -> str:
        """Fully connected layer, weight stored (out, in) as PyTorch exports it."""
        w = self.init(f"{name}.weight", self.normal((cout, cin), 1.0 / math.sqrt(cin)))
        b = self.init(f"{name}.bias", self.normal((cout,), 0.05))
        return self.node("Gemm", [x, w, b], name, transB=1)

    def linear(self, x: str, cin: int, cout: int, name: str, *, gain: float = 1.0) -> str:
        """MatMul + Add over the last axis, as transformer exports have it."""
        w = self.init(f"{name}.weight", self.normal((cin, cout), math.sqrt(gain / cin)))
        b = self.init(f"{name}.bias", self.normal((cout,), 0.02))
        y = self.node("MatMul", [x, w], f"{name}.matmul")
        return self.node("Add", [y, b], f"{name}.add")

    def layernorm(self, x: str, c: int, name: str) -> str:
        scale = self.init(f"{name}.weight", self.uniform((c,), 0.9, 1.1))
        bias = self.init(f"{name}.bias", self.normal((c,), 0.02))
        return self.node("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=1e-5)

    def gelu(self, x: str, name: str) -> str:
        """GELU written with Erf, as exporters emit it below opset 20."""
        d = self.node("Div", [x, self._scalar("zoo.const.sqrt2", math.sqrt(2.0))], f"{name}.div")
        e = self.node("Erf", [d], f"{name}.erf")
        a = self.node("Add", [e, self._scalar("zoo.const.one", 1.0)], f"{name}.add")
        m = self.node("Mul", [x, a], f"{name}.mul")
        return self.node("Mul", [m, self._scalar("zoo.const.half", 0.5)], f"{name}.mul_half")

    def _scalar(self, name: str, value: float) -> str:
        if name not in self._tensors:
            self.init(name, np.asarray(value, dtype=np.float32))
        return name


def input_shape(model: str, input_name: str, default: tuple[int, ...],
                inputs: Mapping[str, Sequence[int]] | None, fixed: Mapping[int, int]) -> tuple[int, ...]:
    """The input shape a zoo model is built for: `default`, or the one given in `inputs`.

    `fixed` maps axes that the architecture fixes (channels, model width) to their size.
    """
    if not inputs:
        return default
    unknown = [k for k in inputs if k != input_name]
    if unknown:
        raise TrtlabError(f"zoo:{model} has no input named {', '.join(repr(u) for u in unknown)}.",
                          hint=f"Its input is '{input_name}' with shape {default}.")
    shape = tuple(int(d) for d in inputs[input_name])
    if len(shape) != len(default) or any(d <= 0 for d in shape):
        raise TrtlabError(f"zoo:{model} needs a {len(default)}-d positive shape for '{input_name}', got {shape}.",
                          hint=f"For example {default}.")
    for axis, size in fixed.items():
        if shape[axis] != size:
            raise TrtlabError(f"zoo:{model} input '{input_name}' must have {size} at axis {axis}, got {shape}.",
                              hint=f"For example {default}.")
    return shape


# Built models per (name, seed, input shape), normalised; a few resnet50s are 100 MB each.
_CACHE: "OrderedDict[tuple, onnx.ModelProto]" = OrderedDict()
_CACHE_SIZE = 8


def zoo_model(name: str, build: Callable[[tuple[int, ...], int], onnx.ModelProto],
              input_name: str, shape: tuple[int, ...], seed: int) -> Model:
    """Build (or reuse) a zoo model and wrap it as a fresh `Model` over its own proto copy."""
    key = (name, int(seed), tuple(shape))
    proto = _CACHE.get(key)
    if proto is None:
        model = Model.from_proto(build(tuple(shape), int(seed)), name=name, source=f"zoo:{name}",
                                 inputs={input_name: shape})
        _CACHE[key] = model.proto
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        proto = model.proto
    else:
        _CACHE.move_to_end(key)
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    return Model(copy, name=name, source=f"zoo:{name}")
