"""Which nodes TensorRT may take, and why not, from a selectable source plus user overrides.

Sources:
- ``parser``: the installed TensorRT or TensorRT-RTX ONNX parser (runs on CPU).
- ``tensorrt``: a static table built from the onnx-tensorrt support matrix, per precision.
- ``mxnet-1.3``: the short operator list of the MXNet 1.3 TensorRT integration, for teaching.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import TrtlabError
from ..model import Model
from ..precisions import check_precision

SOURCES = ("parser", "tensorrt", "mxnet-1.3")


@dataclass(frozen=True)
class Verdict:
    node: str
    op: str
    supported: bool
    reason: str  # why not (or, for supported nodes, a short note such as "forced by user")


@dataclass
class CoverageReport:
    source: str
    precision: str
    verdicts: dict[str, Verdict]  # node name -> verdict, in topological order
    detail: str = ""  # e.g. "TensorRT-RTX 1.7.1 ONNX parser"
    overrides: dict = field(default_factory=dict)

    @property
    def supported_count(self) -> int:
        return sum(v.supported for v in self.verdicts.values())

    @property
    def unsupported_ops(self) -> Counter:
        return Counter(v.op for v in self.verdicts.values() if not v.supported)

    def supported(self, node: str) -> bool:
        return self.verdicts[node].supported

    def reason(self, node: str) -> str:
        return self.verdicts[node].reason


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise TrtlabError(f"Unknown coverage source '{source}'.",
                          hint=f"Choose one of: {', '.join(SOURCES)}.")
    return source




def coverage(
    model: Model,
    source: str = "tensorrt",
    precision: str = "fp32",
    *,
    exclude_ops: Iterable[str] = (),
    exclude_nodes: Iterable[str] = (),
    include_ops: Iterable[str] = (),
    include_nodes: Iterable[str] = (),
) -> CoverageReport:
    """Decide each node of `model`. Overrides apply on top of the source, in this order:
    force-include (ops, then nodes), then exclude (ops, then nodes); a node named both ways
    is excluded."""
    check_source(source)
    check_precision(precision)
    base = _base_verdicts(model, source, precision)
    return apply_overrides(base, model, exclude_ops=exclude_ops, exclude_nodes=exclude_nodes,
                           include_ops=include_ops, include_nodes=include_nodes)


def _base_verdicts(model: Model, source: str, precision: str) -> CoverageReport:
    if source == "tensorrt":
        from .table import table_coverage

        return table_coverage(model, precision)
    if source == "mxnet-1.3":
        from .mxnet13 import mxnet13_coverage

        return mxnet13_coverage(model, precision)
    from .parser import parser_coverage

    return parser_coverage(model, precision)


def apply_overrides(base: CoverageReport, model: Model, *, exclude_ops=(), exclude_nodes=(),
                    include_ops=(), include_nodes=()) -> CoverageReport:
    exclude_ops, exclude_nodes = set(exclude_ops), set(exclude_nodes)
    include_ops, include_nodes = set(include_ops), set(include_nodes)
    unknown = (exclude_nodes | include_nodes) - set(model.node_by_name)
    if unknown:
        raise TrtlabError(f"No node named {', '.join(sorted(map(repr, unknown)))} in the model.",
                          hint="Use the node names that `trtlab inspect --json` prints.")
    if not (exclude_ops or exclude_nodes or include_ops or include_nodes):
        return base
    out: dict[str, Verdict] = {}
    for name, v in base.verdicts.items():
        if name in exclude_nodes:
            v = Verdict(name, v.op, False, "excluded by user (node)")
        elif v.op in exclude_ops:
            v = Verdict(name, v.op, False, f"excluded by user (op type {v.op})")
        elif not v.supported and (name in include_nodes or v.op in include_ops):
            v = Verdict(name, v.op, True, f"forced in by user (source said: {v.reason})")
        out[name] = v
    return CoverageReport(
        base.source, base.precision, out, base.detail,
        overrides={"exclude_ops": sorted(exclude_ops), "exclude_nodes": sorted(exclude_nodes),
                   "include_ops": sorted(include_ops), "include_nodes": sorted(include_nodes)},
    )
