"""`Plan`: the result of partitioning, as plain data that serialises to JSON.

The CLI, the views, the widgets, the engine builder and the hybrid runner all read a Plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Mapping

from . import display
from .words import counted

if TYPE_CHECKING:
    from .coverage import CoverageReport
    from .model import Model
    from .settings import PartitionSettings


@dataclass
class Subgraph:
    """A set of nodes TensorRT takes as one engine."""

    id: int
    nodes: list[str]  # node names, in the model's topological order
    inputs: list[str]  # activation tensors read from outside (graph inputs or fallback outputs)
    outputs: list[str]  # tensors read outside the subgraph or graph outputs
    op_counts: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"trt_engine_{self.id}"

    def to_dict(self) -> dict:
        return {"id": self.id, "nodes": list(self.nodes), "inputs": list(self.inputs),
                "outputs": list(self.outputs)}


@dataclass
class Fallback:
    """A node left to the framework (ONNX Runtime, MXNet, PyTorch), with the reason."""

    name: str
    op: str
    reason: str

    def to_dict(self) -> dict:
        return {"name": self.name, "op": self.op, "reason": self.reason}


@dataclass
class Plan:
    model: "Model" = field(repr=False)
    coverage: "CoverageReport" = field(repr=False)
    min_block_size: int
    subgraphs: list[Subgraph]
    fallback_nodes: list[Fallback]
    # Nodes supported by TensorRT but left out because their block was under min_block_size.
    small_block_nodes: list[str] = field(default_factory=list)
    settings: "PartitionSettings | None" = field(default=None, repr=False)  # what made this plan

    # ------------------------------------------------------------ figures
    @property
    def total_nodes(self) -> int:
        return len(self.model.node_table)  # not the protobuf nodes: a long graph's list is slow to make

    @property
    def supported_nodes(self) -> int:
        return self.coverage.supported_count

    @property
    def engine_count(self) -> int:
        return len(self.subgraphs)

    @property
    def nodes_in_engines(self) -> int:
        return sum(len(s.nodes) for s in self.subgraphs)

    @property
    def coverage_pct(self) -> float:
        """Share of nodes that run inside TensorRT engines under this plan."""
        return 100.0 * self.nodes_in_engines / self.total_nodes if self.total_nodes else 0.0

    @property
    def ops_per_engine(self) -> float:
        return self.nodes_in_engines / self.engine_count if self.engine_count else 0.0

    def placement(self) -> dict[str, int | None]:
        """Node name -> subgraph id, or None for a fallback node."""
        out: dict[str, int | None] = dict.fromkeys(self.model.node_table.names)
        for s in self.subgraphs:
            for n in s.nodes:
                out[n] = s.id
        return out

    def subgraph(self, id: int) -> Subgraph:
        for s in self.subgraphs:
            if s.id == id:
                return s
        raise KeyError(id)

    # ------------------------------------------------------------ editing
    def without_subgraphs(self, reasons: Mapping[int, str]) -> "Plan":
        """This plan with the subgraphs in `reasons` (id -> why) turned into fallback nodes, each
        given the reason. Removing whole subgraphs keeps the plan valid: the rest stay as they were."""
        fallback = list(self.fallback_nodes)
        for s in self.subgraphs:
            if s.id in reasons:
                fallback += [Fallback(n, self.model.node_by_name[n].op_type, reasons[s.id]) for n in s.nodes]
        order = self.model.index
        fallback.sort(key=lambda f: order[f.name])
        return replace(self, subgraphs=[s for s in self.subgraphs if s.id not in reasons],
                       fallback_nodes=fallback)

    # ------------------------------------------------------------ output
    def to_dict(self) -> dict:
        """The `--json` object of `trtlab inspect`."""
        m, c = self.model, self.coverage
        return {
            "model": {"name": m.name, "nodes": self.total_nodes, "inputs": list(m.inputs),
                      "outputs": list(m.outputs)},
            "coverage": {"source": c.source, "supported_nodes": c.supported_count,
                         "total_nodes": self.total_nodes, "unsupported_ops": dict(c.unsupported_ops)},
            "partition": {"min_block_size": self.min_block_size,
                          "subgraphs": [s.to_dict() for s in self.subgraphs],
                          "fallback_nodes": [f.to_dict() for f in self.fallback_nodes]},
        }

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def report(self) -> str:
        """The dry-run report `trtlab inspect` prints."""
        return display.text(self)

    def __repr__(self) -> str:
        return (f"<trtlab.Plan {self.model.name!r}: {counted(self.engine_count, 'engine')}, "
                f"{self.coverage_pct:.1f}% of nodes in TensorRT>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In a notebook: the report and a compact graph."""
        return display.mimebundle(self)
