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
