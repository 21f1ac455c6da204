"""What a converter works with: the ONNX nodes and constants built so far, and tensor shapes.

Shapes are inferred node by node as the graph grows (ONNX shape inference on just the new nodes),
so a converter can read the static shape of any input, and a parameter whose shape does not fit
the symbol is caught at the node that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

from ...errors import TrtlabError
from .symbol import Attrs, SymNode

# Constants up to this size go into the per-node inference model so shape inputs (Reshape,
# Pad, ...) can be read; larger ones go in as typed inputs only.
_SMALL_CONST = 4096


@dataclass
class NodeView:
    """One MXNet node as a converter sees it: ONNX tensor names in and out, typed attributes."""

    name: str
    op: str
    attrs: Attrs
    inputs: list[str]
    outputs: list[str]

    @property
    def output(self) -> str:
        return self.outputs[0]


def view(node: SymNode, inputs: list[str], outputs: list[str]) -> NodeView:
    return NodeView(node.name, node.op, Attrs(node), inputs, outputs)


class Context:
    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list[onnx.NodeProto] = []
        self.constants: dict[str, np.ndarray] = {}
        self.types: dict[str, tuple[int, tuple[int, ...] | None]] = {}  # tensor -> (elem type, shape)
        self._names: set[str] = set()
        self._current: NodeView | None = None
        self._pending: list[onnx.NodeProto] = []

    # ------------------------------------------------------------------ building
    def unique(self, base: str) -> str:
        name, i = base, 1
        while name in self._names or name in self.types:
            name, i = f"{base}_{i}", i + 1
        self._names.add(name)
        return name

    def add(self, op_type: str, inputs: list[str], outputs: list[str] | str | None = None, *,
            name: str | None = None, **attrs) -> str:
        """Add an ONNX node; returns its first output. `name` defaults to a name derived from
        the MXNet node being converted, which keeps helper nodes readable and unique."""
        node_name = self.unique(name or f"{self._current.name}/{op_type.lower()}")
        if outputs is None:
            outputs = [node_name]
        elif isinstance(outputs, str):
            outputs = [outputs]
        for o in outputs:
            self._names.add(o)
        attrs = {k: v for k, v in attrs.items() if v is not None}
        node = helper.make_node(op_type, list(inputs), list(outputs), name=node_name, **attrs)
        self.nodes.append(node)
        self._pending.append(node)
        return outputs[0]

    def const(self, base: str, value, dtype=None) -> str:
        """A constant tensor (an initializer), under a fresh name derived from `base`."""
        array = np.asarray(value, dtype=dtype)
        name = self.unique(base)
        self.set_constant(name, array)
        return name

    def set_constant(self, name: str, array: np.ndarray) -> None:
        self.constants[name] = array
        self._names.add(name)
        self.types[name] = (helper.np_dtype_to_tensor_dtype(array.dtype), tuple(array.shape))

    def set_input(self, name: str, elem_type: int, shape: tuple[int, ...]) -> None:
        self.types[name] = (elem_type, tuple(shape))
        self._names.add(name)

    # ------------------------------------------------------------------ reading
    def value(self, tensor: str) -> np.ndarray | None:
        """The value of a constant (a parameter), or None for a computed tensor."""
        return self.constants.get(tensor)

    def shape(self, tensor: str) -> tuple[int, ...]:
        info = self.types.get(tensor)
        if info is None or info[1] is None:
            raise TrtlabError(f"Node '{self._current.name if self._current else '?'}' needs the static shape "
                              f"of '{tensor}', which could not be inferred.",
                              hint="Give every input's full shape with inputs={'data': (1, 3, 224, 224)}.")
        return info[1]

    def elem_type(self, tensor: str) -> int:
        info = self.types.get(tensor)
        return info[0] if info else onnx.TensorProto.FLOAT

    def np_dtype(self, tensor: str) -> np.dtype:
        return helper.tensor_dtype_to_np_dtype(self.elem_type(tensor))

    def scalar(self, base: str, value: float, like: str) -> str:
        """A 0-d constant with the element type of tensor `like`."""
        return self.const(base, np.asarray(value, dtype=self.np_dtype(like)))

    def error(self, message: str, hint: str | None = None) -> TrtlabError:
        node = self._current
        where = f"Node '{node.name}' ({node.op})" if node else "The symbol"
        return TrtlabError(f"{where}: {message}", hint=hint)

    # ------------------------------------------------------------------ per-node shapes
    def begin(self, node: NodeView) -> None:
        self._current = node
        self._pending = []

    def finish(self) -> None:
        """Infer shapes for the nodes the current converter added."""
        if not self._pending:
            return
        produced = {o for n in self._pending for o in n.output}
        read = [t for n in self._pending for t in n.input if t and t not in produced]
        inputs, inits = [], []
        for t in dict.fromkeys(read):
            if t in self.constants and self.constants[t].size <= _SMALL_CONST:
                inits.append(numpy_helper.from_array(self.constants[t], t))
                continue
            elem, shape = self.types.get(t, (onnx.TensorProto.FLOAT, None))
            inputs.append(helper.make_tensor_value_info(t, elem, shape))
        outputs = [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None) for o in produced]
        graph = helper.make_graph(self._pending, "step", inputs, outputs, initializer=inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)])
        try:
            inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
        except Exception as exc:
            detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            shapes = ", ".join(f"{t}{list(self.types[t][1] or [])}" for t in dict.fromkeys(read) if t in self.types)
            raise self.error(f"the shapes of its inputs don't fit together ({shapes}): {detail}",
                             hint="Check that the .params file belongs to this symbol and the input shapes are right.") from None
        for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
            if vi.name not in produced or not vi.type.HasField("tensor_type"):
                continue
            tt = vi.type.tensor_type
            shape = None
            if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
                shape = tuple(d.dim_value for d in tt.shape.dim)
            self.types[vi.name] = (tt.elem_type, shape)
        self._pending = []
