"""`NodeTable`: a graph's nodes as plain Python lists (names, op types, domains, inputs, outputs,
what each reads), read from the protobuf nodes once.

Reading a field of a protobuf node from Python costs about a microsecond: on a graph of 100,000
nodes every walk over the nodes costs a tenth of a second or more per field. Validation,
normalisation, the `Model`'s indexes, coverage and the partition read these lists instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence

import onnx


def all_inputs(node: onnx.NodeProto) -> list[str]:
    """The tensors `node` reads: its inputs, then what its subgraphs (If, Loop) read from outside."""
    reads = [i for i in node.input if i]
    for attr in node.attribute:
        graphs = [attr.g] if attr.HasField("g") else list(attr.graphs)
        for sub in graphs:
            inner = {o for n in sub.node for o in n.output} | {i.name for i in sub.input} | {
                t.name for t in sub.initializer}
            for n in sub.node:
                reads.extend(i for i in all_inputs(n) if i not in inner)
    return reads


def has_subgraphs(g: onnx.GraphProto, nodes: "NodeTable | None" = None) -> bool:
    """Whether a node of `g` holds a graph (If, Loop, Scan); with `nodes`, the table of `g`'s
    nodes, only the nodes that have attributes are looked at."""
    positions = nodes.attributed if nodes is not None else range(len(g.node))
    kinds = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
    return any(a.type in kinds for i in positions for a in g.node[i].attribute)


@dataclass(eq=False)
class NodeTable:
    """Column i of every list describes the graph's i-th node. Names and text fields are as
    protobuf gives them (`bytes` where a file holds text that is not UTF-8: validation says so)."""

    names: list
    ops: list
    domains: list
    inputs: list[tuple]  # as written, empty names included
    outputs: list[tuple]
    attributed: list[int]  # positions of the nodes that have attributes (where subgraphs are)
    protos: list = field(repr=False)  # the nodes themselves, until `reads` has read their subgraphs

    @classmethod
    def of(cls, nodes: Iterable[onnx.NodeProto]) -> "NodeTable":
        nodes = list(nodes)
        return cls([n.name for n in nodes], [n.op_type for n in nodes], [n.domain for n in nodes],
                   [tuple(n.input) for n in nodes], [tuple(n.output) for n in nodes],
                   [i for i, n in enumerate(nodes) if len(n.attribute)], nodes)

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def reads(self) -> list[list[str]]:
        """`all_inputs` of each node: its inputs, then its subgraphs' reads from outside, in order
        (subgraphs are walked only in nodes with attributes)."""
        reads = [[t for t in ins if t] for ins in self.inputs]
        for i in self.attributed:
            reads[i] = all_inputs(self.protos[i])
        self.protos = []  # needed for this only: not kept alive (nodes moved by a sort are copies)
        return reads

    def reordered(self, order: Sequence[int]) -> "NodeTable":
        """The table of the same nodes in `order` (positions in this table)."""
        if list(order) == list(range(len(self))):
            return self
        where = {old: new for new, old in enumerate(order)}
        columns = (self.names, self.ops, self.domains, self.inputs, self.outputs)
        protos = [self.protos[i] for i in order] if self.protos else []
        out = NodeTable(*([column[i] for i in order] for column in columns),
                        sorted(where[i] for i in self.attributed), protos)
        if "reads" in self.__dict__:
            out.__dict__["reads"] = [self.reads[i] for i in order]
        return out

    @cached_property
    def producers(self) -> dict[str, int]:
        """Tensor name -> position of the node that writes it (the last one, should two)."""
        return {o: i for i, outs in enumerate(self.outputs) for o in outs if o}
