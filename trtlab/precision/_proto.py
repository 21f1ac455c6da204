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


def upgraded(proto: onnx.ModelProto, version: int) -> onnx.ModelProto:
    """`proto` converted to opset `version` by onnx's version converter. A model of IR version
    3 (weights listed as graph inputs, which loading drops) makes the converter fail with "Input
    ... is undefined": its initializers are then listed as inputs while it runs, and unlisted after."""
    from onnx import helper, version_converter

    try:
        return version_converter.convert_version(proto, version)
    except Exception:  # noqa: BLE001  (retried below; a second failure is the caller's to report)
        pass
    listed = onnx.ModelProto()
    listed.CopyFrom(proto)
    given = {i.name for i in listed.graph.input}
    added = {t.name for t in listed.graph.initializer if t.name not in given}
    listed.graph.input.extend(helper.make_tensor_value_info(t.name, t.data_type, t.dims)
                              for t in listed.graph.initializer if t.name in added)
    out = version_converter.convert_version(listed, version)
    kept = [i for i in out.graph.input if i.name not in added]
    del out.graph.input[:]
    out.graph.input.extend(kept)
    return out


def toposort(graph: onnx.GraphProto) -> None:
    """Order `graph`'s nodes so each comes after the producers of what it reads, counting the
    outer-scope names its bodies read (tools that ignore those can leave an If before them)."""
    from .lowbit import outer_names, subgraphs

    producer = {o: k for k, n in enumerate(graph.node) for o in n.output}
    needs = []
    for n in graph.node:
        reads = set(i for i in n.input if i)
        for body in subgraphs(n):
            reads |= outer_names(body)
        needs.append({producer[r] for r in reads if r in producer})
    order, placed = [], set()
    pending = list(range(len(graph.node)))
    while pending:
        ready = [k for k in pending if needs[k] <= placed or needs[k] - placed <= {k}]
        if not ready:  # a cycle: leave the rest as it was
            ready = pending[:]
        for k in ready:
            placed.add(k)
        order += ready
        pending = [k for k in pending if k not in placed]
    nodes = [graph.node[k] for k in order]
    copies = []
    for n in nodes:
        c = onnx.NodeProto()
        c.CopyFrom(n)
        copies.append(c)
    del graph.node[:]
    graph.node.extend(copies)
