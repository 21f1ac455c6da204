"""`FusedUnit` and `FusionReport`: which original ONNX nodes each fused unit (a node after an
optimiser, or an engine kernel) computes, whatever did the fusing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import onnx

from ..dtypes import tensor_bytes
from ..model import Model
from ..precision_registry import PRECISIONS


@dataclass
class FusedUnit:
    """One node after optimisation, or one engine kernel, and the original nodes it computes."""

    name: str
    kind: str  # op type (ONNX Runtime) or layer type (TensorRT)
    nodes: list[str]  # original node names, in topological order; empty for added kernels

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "nodes": list(self.nodes)}


@dataclass
class FusionReport:
    model: str
    by: str  # what fused: "ONNX Runtime 1.x graph optimiser (...)" or "TensorRT-RTX 1.x build"
    nodes_before: int
    units: list[FusedUnit]
    patterns: Counter = field(default_factory=Counter)  # "Conv+BatchNormalization+Relu" -> count
    intermediate_bytes: int = 0  # tensors produced and consumed inside one unit
    note: str = ""  # why there are no units, or what to keep in mind
    unit: str = "nodes"  # what a unit is: "nodes" (ONNX Runtime) or "kernels" (TensorRT)
    unplaced: list[str] = field(default_factory=list)  # original nodes in no unit

    @property
    def fused(self) -> list[FusedUnit]:
        return [u for u in self.units if len(u.nodes) > 1]

    def to_dict(self) -> dict:
        return {"model": self.model, "by": self.by, "nodes_before": self.nodes_before,
                "units": [u.to_dict() for u in self.units], "patterns": dict(self.patterns),
                "intermediate_bytes": self.intermediate_bytes, "note": self.note, "unit": self.unit,
                "unplaced": list(self.unplaced)}

    def summary(self) -> str:
        lines = [f"{self.model}: {self.by}"]
        if not self.units:
            return "\n".join(lines + [f"  {self.note}"])
        n = len(self.fused)
        lines.append(f"  {self.nodes_before} ONNX nodes -> {len(self.units)} {self.unit}; "
                     f"{n} of them fuse{'s' if n == 1 else ''} several nodes")
        for pattern, count in self.patterns.most_common():
            lines.append(f"  {count:3} x {pattern}")
        lines.append(f"  intermediate tensors kept out of memory: {size_text(self.intermediate_bytes)} "
                     "(each written once and read back at least once when unfused)")
        if self.unplaced:
            lines.append(f"  in no {self.unit[:-1]}: {', '.join(self.unplaced)}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<trtlab FusionReport {self.model!r} by {self.by}: {len(self.units)} units>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


def as_model(model: Model | onnx.ModelProto) -> Model:
    """A `Model` of `model`; an ONNX ModelProto is normalised as `trtlab.load` does."""
    if isinstance(model, Model):
        return model
    return Model.from_proto(model, name=model.graph.name or "model", source="onnx")


def make_report(model: Model, by: str, units: list[FusedUnit], unit: str) -> FusionReport:
    patterns = Counter("+".join(model.node_by_name[n].op_type for n in u.nodes)
                       for u in units if len(u.nodes) > 1)
    placed = {n for u in units for n in u.nodes}
    return FusionReport(model.name, by, len(model.nodes), units, patterns,
                        sum(_inner_bytes(model, u.nodes) for u in units), unit=unit,
                        unplaced=[n.name for n in model.nodes if n.name not in placed])


def size_text(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def ordered(model: Model, names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=model.index.__getitem__)


def static_tensor_bytes(model: Model, name: str) -> int | None:
    """Bytes of tensor `name` at the model's static shape and type; None where unknown."""
    info = model.tensors.get(name)
    if info is None or not info.static:
        return None
    return tensor_bytes(info.shape, info.dtype)


_LABELS = {"float64": "fp64", **{p.numpy_type: p.name for p in PRECISIONS}}


def precision_label(dtype: str) -> str:
    """"float16" -> "fp16", "float8_e4m3fn" -> "fp8", "int8" -> "int8"."""
    if dtype.startswith("float8"):
        return "fp8"
    if dtype.startswith("float4"):
        return "fp4"
    return _LABELS.get(dtype, dtype)


def _inner_bytes(model: Model, nodes: list[str]) -> int:
    """Bytes of the tensors produced and read only inside `nodes` (and not graph outputs)."""
    members = set(nodes)
    total = 0
    for name in nodes:
        for t in model.node_by_name[name].output:
            readers = model.consumers.get(t, [])
            if not t or not readers or t in model.outputs or not members.issuperset(readers):
                continue
            total += static_tensor_bytes(model, t) or 0
    return total
