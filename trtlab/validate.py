"""`validate(proto)`: is an ONNX model a graph trtlab can work on? The first problem found, with the
node it is at, is raised as a TrtlabError before any analysis starts.

Checked, cheapest first: names are text (UTF-8, no NUL), the opset and IR version are ones ONNX
Runtime and the onnx package read, types are real types, initializers hold the values their
dims promise, every tensor has one producer and every read tensor has one, every graph output is
produced; then the onnx checker with its full checks (strict shape inference: an Add of
incompatible shapes) where the model is small enough for that to be cheap.

What it read is returned (`Checked`: the nodes as a `NodeTable`, the shapes strict inference
found) for `Model.from_proto` to use rather than read and infer again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import onnx
from onnx import TensorProto

from .errors import TrtlabError, one_line
from .node_table import NodeTable, has_subgraphs
from .words import printable

ORT_MIN_OPSET = 7  # the oldest default-domain opset ONNX Runtime runs
_HINT = "The ONNX file is invalid: fix or re-export the model."
_DATA_TYPES = frozenset(TensorProto.DataType.values()) - {TensorProto.UNDEFINED}
# Checker complaints about what trtlab fills in itself (outputs of unknown rank get inferred shapes).
_TOLERATED = ("Field 'shape' of 'type' is required but missing",)
_PACKED_TYPES = frozenset(getattr(TensorProto, n) for n in ("INT4", "UINT4", "FLOAT4E2M1", "INT2", "UINT2")
                          if hasattr(TensorProto, n))
_ATTRIBUTE_TYPES = frozenset(onnx.AttributeProto.AttributeType.values()) - {onnx.AttributeProto.UNDEFINED}


@dataclass
class Checked:
    """What validation read of a model, for `Model.from_proto` to reuse rather than compute again:
    its nodes as a `NodeTable`, and the model with the shapes strict shape inference found (data
    propagation on), or None where that check did not run on the graph as it is ordered."""

    nodes: NodeTable
    inferred: onnx.ModelProto | None


def validate(proto: onnx.ModelProto) -> Checked:
    """Raise TrtlabError for the first problem that makes `proto` an invalid model."""
    g = proto.graph
    nodes = NodeTable.of(g.node)
    _check_versions(proto, nodes)
    _check_names(g, nodes)
    _check_types(g, nodes)
    _check_initializers(g)
    order = _check_dataflow(g, nodes)
    return Checked(nodes, _check_with_onnx(proto, nodes, order))


def _fail(message: str) -> None:
    raise TrtlabError(message, hint=_HINT)


def _node(i: int, nodes: NodeTable) -> str:
    name, op = _shown(nodes.names[i]), _shown(nodes.ops[i])
    return f"node '{name}' ({op})" if name else f"node {i} ({op})"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(text) -> str:
    """A name as it can be printed on one line: control characters and bytes that are not UTF-8 as escapes."""
    return printable(text)[:80]


# ---------------------------------------------------------------------- versions
def _check_versions(proto: onnx.ModelProto, nodes: NodeTable) -> None:
    if proto.ir_version > onnx.IR_VERSION:
        _fail(f"The model's IR version {proto.ir_version} is newer than this onnx package reads "
              f"(up to {onnx.IR_VERSION}).")
    default = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
    uses_default = any(d in ("", "ai.onnx") for d in nodes.domains)
    if not default:
        if uses_default or not proto.opset_import:
            _fail("The model declares no ONNX opset (opset_import is empty).")
        return
    version, newest = default[0], onnx.defs.onnx_opset_version()
    if version < ORT_MIN_OPSET:
        _fail(f"The model's opset {version} is older than ONNX Runtime runs ({ORT_MIN_OPSET} to {newest}).")
    if version > newest:
        _fail(f"The model's opset {version} is newer than the installed onnx package knows (up to {newest}).")
    ort_newest = _ort_newest_opset(version)
    if ort_newest is not None and version > ort_newest:
        _fail(f"The model's opset {version} is newer than the installed ONNX Runtime runs (up to {ort_newest}).")


def _ort_newest_opset(version: int) -> int | None:
    """The newest default-domain opset ONNX Runtime has kernels for; only asked about opsets
    newer than every ONNX Runtime trtlab supports runs (listing kernels takes a moment)."""
    if version <= 21:
        return None
    try:
        from ._optional import onnxruntime

        onnxruntime()  # imported quietly first
        from onnxruntime.capi import _pybind_state

        kernels = _pybind_state.get_all_opkernel_def()
        return max(k.version_range[0] for k in kernels if k.domain in ("", "ai.onnx"))
    except Exception:  # an ONNX Runtime without this listing: its session says so later
        return None


# ---------------------------------------------------------------------- names and types
def _bad_text(text) -> str | None:
    if isinstance(text, bytes):
        return "is not UTF-8 text"
    if "\0" in text:
        return "holds a NUL character"
    return None


def _check_names(g: onnx.GraphProto, nodes: NodeTable) -> None:
    if _all_good_text(g, nodes):  # the usual case, checked at once; the walk below names the first bad one
        return
    for what, items in (("graph input", g.input), ("graph output", g.output), ("initializer", g.initializer)):
        for item in items:
            problem = _bad_text(item.name)
            if problem:
                _fail(f"The name of {what} '{_shown(item.name)}' {problem}.")
    for i in range(len(nodes)):
        for field, value in (("name", nodes.names[i]), ("op type", nodes.ops[i]), ("domain", nodes.domains[i])):
            problem = _bad_text(value)
            if problem:
                _fail(f"The {field} of {_node(i, nodes)} {problem}.")
        for t in nodes.inputs[i] + nodes.outputs[i]:
            problem = _bad_text(t)
            if problem:
                _fail(f"{_cap(_node(i, nodes))} names a tensor '{_shown(t)}' that {problem}.")
        if not nodes.ops[i]:
            _fail(f"{_cap(_node(i, nodes))} has no op type.")


def _all_good_text(g: onnx.GraphProto, nodes: NodeTable) -> bool:
    """Whether every name, op type, domain and tensor name of `g`'s nodes, inputs, outputs and
    initializers is text without NUL, and every node has an op type."""
    if not all(nodes.ops):
        return False
    texts = [item.name for items in (g.input, g.output, g.initializer) for item in items]
    texts += nodes.names
    texts += nodes.ops
    texts += nodes.domains
    for column in (nodes.inputs, nodes.outputs):
        for names in column:
            texts += names
    return all(t.__class__ is str for t in texts) and "\0" not in "".join(texts)


def _check_types(g: onnx.GraphProto, nodes: NodeTable) -> None:
    for what, items in (("input", g.input), ("output", g.output), ("tensor", g.value_info)):
        for vi in items:
            if vi.type.WhichOneof("value") != "tensor_type":
                continue
            elem = vi.type.tensor_type.elem_type
            if elem not in _DATA_TYPES and (elem != TensorProto.UNDEFINED or what == "input"):
                _fail(f"Graph {what} '{vi.name}' has element type {elem}, which is no ONNX data type.")
            for d in vi.type.tensor_type.shape.dim:
                # -1 is a common spelling of "dynamic" (Paddle exports use it); below that is wrong.
                if d.HasField("dim_value") and d.dim_value < -1:
                    _fail(f"Graph {what} '{vi.name}' has a negative dimension ({d.dim_value}).")
    for i in nodes.attributed:
        for a in g.node[i].attribute:
            if a.type not in _ATTRIBUTE_TYPES:
                _fail(f"Attribute '{a.name}' of {_node(i, nodes)} has no valid type.")


def _check_initializers(g: onnx.GraphProto) -> None:
    for t in g.initializer:
        if t.data_type not in _DATA_TYPES:
            _fail(f"Initializer '{t.name}' has element type {t.data_type}, which is no ONNX data type.")
        if any(d < 0 for d in t.dims):
            _fail(f"Initializer '{t.name}' has a negative dimension {tuple(t.dims)}.")
        if t.data_location == TensorProto.EXTERNAL:
            continue
        count = math.prod(t.dims)
        held = _values_held(t)
        if held is not None and held != count:
            dims = "x".join(map(str, t.dims)) or "scalar"
            _fail(f"Initializer '{t.name}' promises {count:,} values ({dims}) but holds {held:,}: the file is "
                  "damaged or was cut short.")


def _values_held(t: onnx.TensorProto) -> int | None:
    """How many values an initializer's data holds, counted without decoding it; None when the
    type packs values in ways not counted here (strings, 4-bit and 2-bit types)."""
    import numpy as np

    from onnx import helper

    if t.data_type == TensorProto.STRING:
        return len(t.string_data)
    try:
        itemsize = np.dtype(helper.tensor_dtype_to_np_dtype(t.data_type)).itemsize
    except Exception:
        return None
    if t.data_type in _PACKED_TYPES:
        return None
    if t.HasField("raw_data"):
        size = len(t.raw_data)
        return size // itemsize if size % itemsize == 0 else -1
    field = helper.tensor_dtype_to_field(t.data_type)
    held = len(getattr(t, field))
    if t.data_type in (TensorProto.COMPLEX64, TensorProto.COMPLEX128):
        held //= 2
    return held


# ---------------------------------------------------------------------- dataflow
def _check_dataflow(g: onnx.GraphProto, nodes: NodeTable) -> list[int]:
    producer: dict[str, str | int] = {}  # a node's position, worded only for a message
    for vi in g.input:
        if vi.name in producer:
            _fail(f"Two graph inputs are named '{vi.name}'.")
        producer[vi.name] = "a graph input"
    for t in g.initializer:
        if t.name in producer and producer[t.name] != "a graph input":
            _fail(f"Two initializers are named '{t.name}'.")
        producer[t.name] = producer.get(t.name, "an initializer")
    for i, outs in enumerate(nodes.outputs):
        for out in outs:
            if not out:
                continue
            if out in producer:
                first = producer[out]
                first = _node(first, nodes) if isinstance(first, int) else first
                _fail(f"{_cap(_node(i, nodes))} writes tensor '{out}', which {first} already provides: "
                      "each tensor must have one producer.")
            producer[out] = i
    for i, ins in enumerate(nodes.inputs):
        for t in ins:
            if t and t not in producer:
                _fail(f"{_cap(_node(i, nodes))} reads tensor '{t}', which no node, input or initializer provides.")
    for o in g.output:
        if o.name not in producer:
            _fail(f"Graph output '{o.name}' is produced by no node.")
    return _topological_order(nodes, producer)


def _topological_order(nodes: NodeTable, producer: dict[str, str | int]) -> list[int]:
    """Node positions in an order where each node comes after those it reads (subgraphs'
    reads of outer tensors included); a cycle is an error naming a node on it. ONNX asks for
    this order in the file, but trtlab sorts graphs itself, so an unsorted graph is accepted.
    `producer`: tensor name -> the position of the node that writes it (or words for a graph
    input or initializer)."""
    reads = nodes.reads
    # The usual case first: every node after what it reads, found without a set per node.
    if all((p := producer.get(t)).__class__ is not int or p < i for i, r in enumerate(reads) for t in r):
        return list(range(len(reads)))
    waits = [{p for t in r if (p := producer.get(t)).__class__ is int} for r in reads]
    users: dict[int, list[int]] = {}
    for i, deps in enumerate(waits):
        for d in deps:
            users.setdefault(d, []).append(i)
    left = [len(d) for d in waits]
    ready = [i for i, c in enumerate(left) if c == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for u in users.get(i, ()):
            left[u] -= 1
            if left[u] == 0:
                ready.append(u)
    if len(order) != len(nodes):
        stuck = min(i for i, c in enumerate(left) if c)
        _fail(f"The graph has a cycle through {_node(stuck, nodes)}: it reads, through other nodes, "
              "its own output.")
    return order


# ---------------------------------------------------------------------- the onnx checker
def _check_with_onnx(proto: onnx.ModelProto, nodes: NodeTable, order: list[int]) -> onnx.ModelProto | None:
    """The onnx checker, then strict shape inference; returns the model as that inference
    wrote it, where it ran on `proto`'s own order (not on a sorted copy), with data propagation
    where `normalise.infer_shapes` uses it (no node holds a subgraph). A large model is checked
    on a copy without its large weights (`weights.light_copy`: their types and shapes are what
    the checks read, their sizes were checked above), as the checker and shape inference each
    serialise the model they get: two or three more copies of the weights at once."""
    from .weights import is_large, light_copy

    light = is_large(proto)
    in_order = order == list(range(len(order)))
    if not in_order:  # the checker wants the nodes sorted: give it a sorted copy
        sorted_proto = light_copy(proto) if light else onnx.ModelProto()
        if not light:
            sorted_proto.CopyFrom(proto)
        nodes = [sorted_proto.graph.node[i] for i in order]
        copies = [onnx.NodeProto() for _ in nodes]
        for c, n in zip(copies, nodes):
            c.CopyFrom(n)
        del sorted_proto.graph.node[:]
        sorted_proto.graph.node.extend(copies)
        proto = sorted_proto
    elif light:
        proto = light_copy(proto)
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as exc:
        if not any(t in str(exc) for t in _TOLERATED):
            _fail(f"The onnx checker rejects the model: {_checker_message(exc)}")
    except ValueError:
        return None  # too large to check in memory; the checks above have run
    # The checker's full check, without its demand for declared output shapes. Its result is
    # what `Model.from_proto` infers itself (with data propagation where that uses it): one run
    # instead of two. Propagation can fail where the check without it passes; that check decides.
    data_prop, inferred = not has_subgraphs(proto.graph, nodes if in_order else None), None
    if data_prop:
        try:
            inferred = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True, data_prop=True)
        except Exception:
            pass
    if inferred is None:
        try:
            plain = onnx.shape_inference.infer_shapes(proto, check_type=True, strict_mode=True)
        except (onnx.shape_inference.InferenceError, onnx.checker.ValidationError) as exc:
            _fail(f"Shape inference rejects the model: {_checker_message(exc)}")
        inferred = None if data_prop else plain
    return inferred if in_order else None


def _checker_message(exc: Exception) -> str:
    text = str(exc)
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    gist = one_line(exc, first=True, limit=None)
    for line in lines:  # the checker names the node on a context line
        if "Name:" in line and "OpType:" in line:
            node = line[line.index("Name:"):]
            return f"{gist} ({node.strip()})"
    return gist
