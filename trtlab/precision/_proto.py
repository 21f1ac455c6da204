"""Small helpers shared by the precision transforms."""

from __future__ import annotations

import onnx

from ..model import Model


def as_proto(model: onnx.ModelProto | Model) -> onnx.ModelProto:
    """A private copy of the ModelProto behind `model`, so a transform never edits its input."""
    proto = model.proto if isinstance(model, Model) else model
    if not isinstance(proto, onnx.ModelProto):
        raise TypeError(f"expected an onnx.ModelProto or a trtlab Model, got {type(model).__name__}")
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    return copy


def opset(proto: onnx.ModelProto) -> int:
    for imp in proto.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return imp.version
    return 0


def elem_types(proto: onnx.ModelProto) -> dict[str, int]:
    """Tensor name -> ONNX element type, for every tensor whose type is known."""
    g = proto.graph
    types = {t.name: t.data_type for t in g.initializer}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        if vi.type.HasField("tensor_type"):
            types[vi.name] = vi.type.tensor_type.elem_type
    return types
