"""ONNX models with big weights, handled without copying the weights: shape inference and the
onnx checker on a copy that leaves them out, results written back, weight sizes from shapes."""

from __future__ import annotations

import contextlib
import math
from typing import Iterable, Iterator

import onnx
from onnx import helper, shape_inference


# Initializers up to this many elements go to shape inference as they are (shape arithmetic reads
# their values); larger ones are weights, of which inference needs only the type and shape.
INLINE_ELEMENTS = 16 * 1024


def infer_shapes_in_place(proto: onnx.ModelProto, **options) -> None:
    """ONNX shape inference written into `proto` itself (value infos, output types, the bodies of
    If/Loop/Scan nodes), run on `light_copy(proto)`: onnx's own `infer_shapes` serialises the
    whole model and parses it back, several copies of the weights at once."""
    apply_inferred(proto, shape_inference.infer_shapes(light_copy(proto), **options))


def light_copy(proto: onnx.ModelProto, *, stubs: bool = False) -> onnx.ModelProto:
    """`proto` without its large weights: each initializer of more than 16384 elements becomes a
    graph input of the same type and shape (shape inference and the onnx checker's graph checks
    read no more), or with `stubs` an initializer with its name, type and shape but no data.
    The copy refers to nothing of `proto`: holding it keeps no weights alive."""
    g = proto.graph
    light = onnx.ModelProto()
    for field in ("ir_version", "producer_name", "producer_version", "domain", "model_version", "doc_string"):
        if proto.HasField(field):
            setattr(light, field, getattr(proto, field))
    light.opset_import.extend(proto.opset_import)
    light.functions.extend(proto.functions)
    light.metadata_props.extend(proto.metadata_props)
    lg = light.graph
    lg.name = g.name
    lg.node.extend(g.node)
    lg.input.extend(g.input)
    lg.output.extend(g.output)
    lg.value_info.extend(g.value_info)
    lg.sparse_initializer.extend(g.sparse_initializer)
    declared = {vi.name for vi in g.input}
    for t in g.initializer:
        if math.prod(t.dims) <= INLINE_ELEMENTS:
            lg.initializer.append(t)
        elif stubs:
            stub = lg.initializer.add()
            stub.name, stub.data_type = t.name, t.data_type
            stub.dims.extend(t.dims)
        elif t.name not in declared:
            lg.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    return light


def shapes_only(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `proto` whose large initializers keep their name, type and shape but not their
    data: for readers that need a model's structure and weight sizes only."""
    return light_copy(proto, stubs=True)


def compacted(proto: onnx.ModelProto) -> onnx.ModelProto:
    """`proto` in a message of its own. A protobuf message keeps in memory everything it ever
    held until it is freed whole: weights replaced in place (an fp16 conversion) still take their
    fp32 bytes. A copy holds only what is there now; the caller drops the original."""
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    return out


@contextlib.contextmanager
def outputs_added(proto: onnx.ModelProto, outputs: Iterable[onnx.ValueInfoProto]) -> Iterator[onnx.ModelProto]:
    """`proto` itself with `outputs` added as graph outputs for the `with` block, then as it
    was: a run that reads some intermediate tensors without a copy of the model's weights."""
    g = proto.graph
    before = len(g.output)
    present = {o.name for o in g.output}
    g.output.extend(o for o in outputs if o.name not in present)
    try:
        yield proto
    finally:
        del g.output[before:]


def apply_inferred(proto: onnx.ModelProto, inferred: onnx.ModelProto,
                   attributed: Iterable[int] | None = None) -> None:
    """Write what shape inference found on `light_copy(proto)` into `proto`. `attributed`: the
    positions of the nodes that have attributes, where the caller knows them (subgraphs are
    looked for there only)."""
    g, ig = proto.graph, inferred.graph
    del g.value_info[:]
    g.value_info.extend(ig.value_info)
    del g.output[:]
    g.output.extend(ig.output)
    positions = range(len(ig.node)) if attributed is None else attributed
    for i in positions:  # shapes inside subgraphs
        node = ig.node[i]
        if len(node.attribute) and any(a.HasField("g") or len(a.graphs) for a in node.attribute):
            name = g.node[i].name  # `inferred` may have been made before the nodes were named
            g.node[i].CopyFrom(node)
            g.node[i].name = name


# Past this size of weights a model is handled as large: ONNX Runtime maps it from files, a
# check keeps its weights in a `WeightStore`, and gives freed copies back between its steps.
LARGE_MODEL_BYTES = 8 * 1024**2


def is_large(proto: onnx.ModelProto) -> bool:
    return weight_bytes(proto) > LARGE_MODEL_BYTES


def weight_bytes(proto: onnx.ModelProto) -> int:
    """The size of the model's initializers, from their shapes (`ByteSize()` would serialise the
    whole model to count it)."""
    total = 0
    for t in proto.graph.initializer:
        try:
            size = helper.tensor_dtype_to_np_dtype(t.data_type).itemsize
        except Exception:
            size = 1
        total += math.prod(t.dims) * size
    return total
