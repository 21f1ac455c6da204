"""`Model`: an ONNX graph with unique node names and static, inferred shapes.

Every importer (ONNX file, zoo, MXNet, PyTorch) ends by calling `Model.from_proto`; everything
downstream (coverage, partition, views, engines) reads a `Model` and never a file format.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import onnx

from . import dtypes, normalise
from ._io import atomic_write_bytes
from .errors import TrtlabError, one_line
from .node_table import NodeTable
from .shape_hints import suggested_shapes
from .static_shapes import complete_shapes, is_data_dependent_dim, is_static
from .weights import apply_inferred

if TYPE_CHECKING:
    from .validate import Checked

MAX_IR_VERSION = 10
Shape = tuple  # of int (static) or str (symbolic, only before shapes are fixed)


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str  # numpy-style name: "float32", "int64", ...
    shape: Shape
    # Some dimension follows from the values of the data (after NonZero...); it is a symbol
    # ending in "?", e.g. ("N?", 4).
    data_dependent: bool = False
    range: tuple | None = None  # over an optimisation profile: (shape at min, shape at max)

    @property
    def static(self) -> bool:
        return is_static(self.shape)

    def shape_text(self) -> str:  # "1x3x224x224"; over a profile "1..8x3x224x224"
        dims = [a if a == b else f"{a}..{b}" for a, b in zip(*self.range)] if self.range else self.shape
        return "x".join(map(str, dims)) if self.shape else "scalar"


dtype_name = dtypes.name  # a tensor's type as TensorInfo holds it (see trtlab.dtypes)


def _type_parts(typ: onnx.TypeProto) -> tuple[str, Shape, bool] | None:
    """(dtype, shape, data dependent) of a tensor type; None for other types."""
    if not typ.HasField("tensor_type"):
        return None
    tt = typ.tensor_type
    # A positive dim_value first: HasField is the slow part.
    shape = (tuple(d.dim_value if d.dim_value > 0 or d.HasField("dim_value") else (d.dim_param or "?")
                   for d in tt.shape.dim)
             if tt.HasField("shape") else ("?",))
    dependent = any(is_data_dependent_dim(d) for d in shape if d.__class__ is str)
    return dtype_name(tt.elem_type), shape, dependent


def _info(vi: onnx.ValueInfoProto, ranges: dict | None = None) -> TensorInfo | None:
    parts = _type_parts(vi.type)
    return None if parts is None else TensorInfo(vi.name, *parts, ranges.get(vi.name) if ranges else None)


def _types(value_infos) -> dict[str, tuple[str, Shape, bool]]:
    """`_type_parts` of each tensor value info by name (a later one of the same name wins). Types
    are read once per distinct type: on a graph of 100,000 tensors of a few types, reading each
    type's fields from protobuf would cost most of a second; one serialisation is the key."""
    out: dict[str, tuple] = {}
    by_type: dict[bytes, tuple | None] = {}
    for vi in value_infos:
        typ = vi.type
        key = typ.SerializeToString()
        parts = by_type[key] if key in by_type else by_type.setdefault(key, _type_parts(typ))
        if parts is not None:
            out[vi.name] = parts
    return out


def _unique_reads(nodes: NodeTable) -> dict[str, list[str]]:
    """Node name -> the tensors it reads, each once."""
    return {name: r if len(r) < 2 else list(dict.fromkeys(r)) for name, r in zip(nodes.names, nodes.reads)}


def _of_proto(read):
    """A property read from the model's proto once, kept with the proto it was read from and
    read again when the model holds another (`Model.replace_proto`)."""
    name = read.__name__

    def get(self):
        proto = self.proto
        kept = self.__dict__.get(f"_{name}_of")
        if kept is None or kept[0] is not proto:
            kept = (proto, read(self, proto))
            self.__dict__[f"_{name}_of"] = kept
        return kept[1]

    get.__doc__ = read.__doc__
    return property(get)


def value_text(name: str, info: TensorInfo | None, sep: str = " ") -> str:
    """"x float32[1x3x224x224]"; a sequence or map output (skl2onnx's ZipMap) says it is no tensor."""
    return f"{name}{sep}{info.dtype}[{info.shape_text()}]" if info is not None else f"{name} (not a tensor)"


def parse_shape(text: str) -> tuple[int, ...]:
    """'1x3x224x224' (or '1,3,224,224') -> (1, 3, 224, 224)."""
    parts = text.replace(",", "x").split("x")
    try:
        dims = tuple(int(p) for p in parts if p != "")
    except ValueError:
        raise TrtlabError(f"Bad shape '{text}'.", hint="Write it as numbers joined by x, e.g. 1x3x224x224.") from None
    if not dims or any(d <= 0 for d in dims):
        raise TrtlabError(f"Bad shape '{text}': every dimension must be a positive number.")
    return dims


class Model:
    """An ONNX model ready for analysis. Build one with `trtlab.load`."""

    def __init__(self, proto: onnx.ModelProto, *, name: str, source: str):
        self.proto = proto
        self.name = name
        self.source = source
        # The framework object it was loaded from (a torch module, an MXNet block), for a timing
        # baseline in that framework; None for a file or an ONNX proto.
        self.origin: Any = None
        self._ranges: dict[str, tuple] = {}  # see set_shape_ranges

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_proto(cls, proto: onnx.ModelProto, *, name: str, source: str,
                   inputs: Mapping[str, Sequence[int]] | None = None, copy: bool = True,
                   checked: "Checked | None" = None) -> "Model":
        """Normalise an ONNX model: unique node names, initializers out of the inputs, fixed
        input shapes, inferred shapes for every tensor, nodes in topological order.

        ``copy=False`` lets the Model take `proto` over and edit it in place, for a loader that
        made the proto itself: no second copy of the weights. `checked`: what
        `trtlab.validate.validate` returned for this same proto, whose node table and inferred
        shapes are used rather than computed again (its inferred model is let go here)."""
        if copy:
            proto = normalise.copy_proto(proto)
        ir_version = proto.ir_version
        # Newer onnx writes IR versions ONNX Runtime and TensorRT don't read yet; 10 holds every
        # type and feature trtlab works with.
        proto.ir_version = min(proto.ir_version or MAX_IR_VERSION, MAX_IR_VERSION)
        g = proto.graph
        table, inferred = (checked.nodes, checked.inferred) if checked is not None else (NodeTable.of(g.node), None)
        if checked is not None:
            checked.inferred = None  # held no longer than needed: it holds a copy of the weights
        normalise.name_nodes(g, table)
        changed = normalise.drop_initializer_inputs(g)
        changed = normalise.fix_input_shapes(g, dict(inputs or {})) or changed
        ordered = normalise.toposort(g, table)
        # onnx's shape inference asks of the IR version only whether it is 4 or newer.
        same_ir = (ir_version >= 4) == (proto.ir_version >= 4)
        if inferred is not None and not changed and ordered is table and same_ir:
            apply_inferred(proto, inferred, table.attributed)  # validation inferred this graph: not run again
        else:
            normalise.infer_shapes(proto, ordered)
        del inferred
        model = cls(proto, name=name, source=source)._with_nodes(ordered)
        model._check_static()
        completed = complete_shapes(model)  # written into proto; None when nothing was open
        # A fresh Model: the cached views of the first one were read before the shapes were added.
        return model if completed is None else cls(completed, name=name, source=source)._with_nodes(ordered)

    def _with_nodes(self, nodes: NodeTable) -> "Model":
        """This model, given the table of its nodes and what each reads as the sort found them:
        a long graph is not walked again for them."""
        self.__dict__["node_table"] = nodes
        self.__dict__["_reads"] = _unique_reads(nodes)
        return self

    def replace_proto(self, proto: onnx.ModelProto) -> None:
        """Hold `proto`, this same model with its weights held another way (see
        `WeightStore.lend`), in place of the proto held now: the parts of the old one kept
        here (nodes, initializers, value infos) go with it, even one that another thread was
        reading from the old proto meanwhile (each is kept with the proto it was read from)."""
        self.proto = proto

    # ---------------------------------------------------------------- structure
    @property
    def graph(self) -> onnx.GraphProto:
        return self.proto.graph

    @_of_proto
    def nodes(self, proto: onnx.ModelProto) -> list[onnx.NodeProto]:
        return list(proto.graph.node)

    @cached_property
    def node_table(self) -> NodeTable:
        """The nodes' names, op types, inputs, outputs and reads as plain lists, in `nodes`' order."""
        return NodeTable.of(self.nodes)

    @_of_proto
    def node_by_name(self, proto: onnx.ModelProto) -> dict[str, onnx.NodeProto]:
        return dict(zip(self.node_table.names, proto.graph.node))

    @cached_property
    def index(self) -> dict[str, int]:
        """Node name -> position in topological order."""
        return {name: i for i, name in enumerate(self.node_table.names)}

    @cached_property
    def initializer_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.graph.initializer)

    @_of_proto
    def initializers(self, proto: onnx.ModelProto) -> dict[str, onnx.TensorProto]:
        return {t.name: t for t in proto.graph.initializer}

    @cached_property
    def inputs(self) -> dict[str, TensorInfo]:
        return {vi.name: _info(vi, self._ranges) for vi in self.graph.input}

    @cached_property
    def outputs(self) -> dict[str, TensorInfo]:
        return {vi.name: _info(vi, self._ranges) for vi in self.graph.output}

    def set_shape_ranges(self, ranges: dict[str, tuple]) -> None:
        """Each tensor's (shape at min, shape at max) over an optimisation profile: the views show it."""
        self._ranges = {k: (tuple(lo), tuple(hi)) for k, (lo, hi) in ranges.items()}
        for name in ("inputs", "outputs", "tensors"):
            self.__dict__.pop(name, None)

    @cached_property
    def tensors(self) -> dict[str, TensorInfo]:
        """Every tensor whose type is known: inputs, outputs, intermediates, initializers."""
        ranges = self._ranges
        weights = self.initializer_names if ranges else frozenset()
        return {name: TensorInfo(name, *parts, ranges.get(name) if ranges and name not in weights else None)
                for name, parts in self.tensor_types.items()}

    @cached_property
    def tensor_types(self) -> dict[str, tuple[str, Shape, bool]]:
        """Tensor name -> (dtype, shape, data dependent): what `tensors` holds, without a
        `TensorInfo` made for each (for 100,000 tensors that takes a fifth of a second), for passes
        over every tensor of a long graph."""
        g = self.graph
        out = _types(itertools.chain(g.value_info, g.input, g.output))
        for t in g.initializer:
            out[t.name] = (dtype_name(t.data_type), tuple(t.dims), False)
        return out

    @_of_proto
    def value_infos(self, proto: onnx.ModelProto) -> dict[str, onnx.ValueInfoProto]:
        """The graph's typed value infos by tensor name, as they are (sequence and optional
        types included), for building models out of parts of this one."""
        g = proto.graph
        return {vi.name: vi for vi in list(g.value_info) + list(g.input) + list(g.output)
                if vi.type.WhichOneof("value") is not None}

    @cached_property
    def producer(self) -> dict[str, str]:
        """Tensor name -> name of the node that produces it."""
        t = self.node_table
        return {o: name for name, outs in zip(t.names, t.outputs) for o in outs if o}

    @cached_property
    def _reads(self) -> dict[str, list[str]]:
        return _unique_reads(self.node_table)

    @cached_property
    def consumers(self) -> dict[str, list[str]]:
        """Tensor name -> names of the nodes that read it."""
        out: dict[str, list[str]] = {}
        for name, reads in self._reads.items():
            for i in reads:
                if i in out:
                    out[i].append(name)
                else:
                    out[i] = [name]
        return out

    def node_inputs(self, node: onnx.NodeProto) -> list[str]:
        """Tensors a node reads, including those read inside its subgraphs (If, Loop)."""
        return self._reads[node.name]

    @cached_property
    def edges(self) -> list[tuple[str, str, str]]:
        """(producer node, consumer node, tensor) for every data edge between nodes."""
        out = []
        for n in self.nodes:
            for t in self.node_inputs(n):
                p = self.producer.get(t)
                if p is not None and p != n.name:
                    out.append((p, n.name, t))
        return out

    @cached_property
    def op_counts(self) -> Counter:
        return Counter(self.node_table.ops)

    @property
    def opset(self) -> int:
        for o in self.proto.opset_import:
            if o.domain in ("", "ai.onnx"):
                return o.version
        return 0

    # ---------------------------------------------------------------- output
    def to_bytes(self) -> bytes:
        """The serialised model (a Model is read-only, so this is done once)."""
        from .weight_store import has_references, with_bytes

        if has_references(self.proto):  # lent to a running check's store: its weights read back
            return with_bytes(self.proto).SerializeToString()
        return self._bytes

    @cached_property
    def _bytes(self) -> bytes:
        return self.proto.SerializeToString()

    def save(self, path) -> None:
        """Write the normalised ONNX model (the node names every report uses)."""
        atomic_write_bytes(path, self.to_bytes())

    def summary(self) -> str:
        ins = ", ".join(value_text(n, i, ":") for n, i in self.inputs.items())
        outs = ", ".join(value_text(n, o, ":") for n, o in self.outputs.items())
        return one_line(f"Model '{self.name}' ({self.source}): {len(self.nodes)} nodes, {len(self.op_counts)} "
                        f"op types, opset {self.opset}; inputs {ins}; outputs {outs}", limit=None)  # escaped

    def __repr__(self) -> str:
        return f"<trtlab.Model {self.name!r}: {len(self.nodes)} nodes>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}

    # ---------------------------------------------------------------- checks
    def _check_static(self) -> None:
        open_inputs = {name: info for name, info in self.inputs.items() if info is None or not info.static}
        if not open_inputs:
            return
        # One suggestion for every open input at once: dimensions named alike agree across them.
        examples, ran = suggested_shapes(self.proto, {n: i.shape if i is not None else () for n, i in
                                                      open_inputs.items()})
        examples = {n: s or [1] for n, s in examples.items()}
        name, info = next(iter(open_inputs.items()))
        python = ", ".join(f"'{n}': ({', '.join(map(str, s))}{',' if len(s) == 1 else ''})" for n, s in examples.items())
        cli = " ".join(f"--input {n}:{'x'.join(map(str, s))}" for n, s in examples.items())
        checked = {True: " (ONNX Runtime runs the model at these shapes)",
                   False: " (these are guesses: ONNX Runtime did not run the model at them)"}.get(ran, "")
        more = f" and {len(open_inputs) - 1} more" if len(open_inputs) > 1 else ""
        shape = f"({info.shape_text() if info else 'unknown'})"
        raise TrtlabError(
            f"Inputs '{name}' {shape}{more} have dynamic or unknown shapes." if more else
            f"Input '{name}' has a dynamic or unknown shape {shape}.",
            hint=f"Give {'their shapes' if more else 'its shape'}: trtlab.load(..., inputs={{{python}}}) or {cli}{checked}.")
