"""ONNX models written to a file one weight at a time, never as one serialized copy in memory.

`ModelProto.SerializeToString()` builds the whole file in memory: for a 500 MB model, 500 MB more
beside the model. A ModelProto is a protobuf message whose `graph` field holds its `initializer`
entries; protobuf lets a message's fields come in any order and repeated entries one after
another, so the file can be written as: the model's other fields, the graph field's header (its
length is known from each part's `ByteSize()`), the graph's other fields, then each initializer.

With `external_data`, the weights go to a second file next to the model, each at an offset
aligned to 64 KiB, and the model says where: ONNX Runtime maps such a file into memory instead
of reading it into its own buffers, and the TensorRT parser reads it from the model's folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import BinaryIO, Callable

import onnx

from .weight_store import aligned_end, length_delimited_tag as _tag, reference, set_field, store_of, varint as _varint

_GRAPH = onnx.ModelProto.DESCRIPTOR.fields_by_name["graph"].number
_INITIALIZER = onnx.GraphProto.DESCRIPTOR.fields_by_name["initializer"].number
_RAW_DATA = onnx.TensorProto.DESCRIPTOR.fields_by_name["raw_data"].number
EXTERNAL_MIN_BYTES = 1024  # smaller weights stay in the model file


def write_model(proto: onnx.ModelProto, path: str | os.PathLike, *, external_data: str | None = None) -> Path:
    """Write `proto` to `path` (weights inline, or with `external_data` in that file name next to
    it); at most one weight's bytes are copied at a time. `proto` is not changed. A reference to
    a `WeightStore` stays one where the store's file is reachable from the model file's folder
    (its own folder, or a link to it: `WeightStore.link_into`); anywhere else the weight's bytes
    are written from the store, like any other weight's."""
    path = Path(path)
    # Fields before and after `graph` in number order: the file is byte for byte what
    # protobuf itself would write.
    head = _without(proto, onnx.ModelProto(), "graph", below=_GRAPH)
    tail = _without(proto, onnx.ModelProto(), "graph", above=_GRAPH)
    graph = _without(proto.graph, onnx.GraphProto(), "initializer", below=_INITIALIZER)
    graph_tail = _without(proto.graph, onnx.GraphProto(), "initializer", above=_INITIALIZER)
    weights = open(path.parent / external_data, "wb") if external_data else None
    try:
        entries = [_entry(t, weights, external_data, path.parent) for t in proto.graph.initializer]
        body = graph.ByteSize() + graph_tail.ByteSize() + sum(_field_size(_INITIALIZER, size) for size, _ in entries)
        with open(path, "wb") as f:
            f.write(head.SerializeToString())
            if proto.HasField("graph"):
                f.write(_tag(_GRAPH) + _varint(body))
                f.write(graph.SerializeToString())
                for (size, write), source in zip(entries, proto.graph.initializer):
                    f.write(_tag(_INITIALIZER) + _varint(size))
                    if write is None:
                        f.write(source.SerializeToString())
                    else:
                        write(f)
                f.write(graph_tail.SerializeToString())
            f.write(tail.SerializeToString())
    finally:
        if weights is not None:
            weights.close()
    return path


def _entry(t: onnx.TensorProto, weights, location: str | None, folder: Path
           ) -> tuple[int, Callable[[BinaryIO], object] | None]:
    """(serialized size, what writes the tensor, or None to write `t` itself); with `weights`, a
    tensor with raw data has it written there and is replaced by a reference to it. A weight of
    a `WeightStore` is copied from the store's file a piece at a time."""
    store = store_of(t)
    if store is not None:
        if store.reachable_from(folder):
            return t.ByteSize(), None
        if weights is None:  # inline: the tensor without its data, then its raw_data field
            bare = _without(t, onnx.TensorProto(), "external_data")
            bare.ClearField("data_location")
            length = store.length(t)
            head = bare.SerializeToString() + _tag(_RAW_DATA) + _varint(length)

            def inline(f) -> None:
                f.write(head)
                store.copy_to(t, f)
            return len(head) + length, inline
        offset = aligned_end(weights)
        store.copy_to(t, weights)
        length = store.length(t)
    elif weights is None or not t.HasField("raw_data"):
        return t.ByteSize(), None
    else:
        data = t.raw_data  # one weight's bytes, copied once
        if len(data) < EXTERNAL_MIN_BYTES:
            return t.ByteSize(), None
        offset = aligned_end(weights)
        weights.write(data)
        length = len(data)
    ref = reference(t, location, offset, length)
    return ref.ByteSize(), lambda f: f.write(ref.SerializeToString())


def _without(source, out, skip: str, *, below: int | None = None, above: int | None = None):
    """`out` given every field of `source` but `skip` (which is not copied), or only those
    numbered below or above a number."""
    for fd, value in source.ListFields():
        if fd.name == skip or (below is not None and fd.number > below) or (above is not None and fd.number < above):
            continue
        set_field(out, fd, value)
    return out


def _field_size(number: int, size: int) -> int:
    return len(_tag(number)) + len(_varint(size)) + size
