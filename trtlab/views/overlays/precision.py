"""The precision overlay: the precision each node runs in, in its precision's colour, and why
where it was kept in fp32 (nodes a keep_fp32="auto" search kept in a colour of their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...precision.policy import KEPT_BY_SEARCH
from ...precision_registry import PRECISIONS, REFERENCE
from .base import NONE_FILL, Categories, NodeData, Overlay, register, shown_precision

if TYPE_CHECKING:
    from ...check import CheckResult

# Each precision's own colour, and those of kernel types TensorRT may report that trtlab does
# not build to.
PRECISION_FILL = {"tf32": "#c6dbef", "int4": "#dadaeb", "fp4": "#dadaeb", **{p.name: p.colour for p in PRECISIONS}}
SEARCH_KEY, SEARCH_FILL = "fp32-search", "#3182bd"


def categories(data: NodeData, names: list[str]) -> Categories:
    keys = {n: SEARCH_KEY if data.precision_reason.get(n) == KEPT_BY_SEARCH else data.precision.get(n, "unknown")
            for n in names}
    legend = {k: (SEARCH_FILL, f"fp32, {KEPT_BY_SEARCH}") if k == SEARCH_KEY else
              (PRECISION_FILL.get(k, NONE_FILL), k) for k in sorted(set(keys.values()))}
    return keys, legend


def tip(data: NodeData, name: str) -> str | None:
    if name in data.precision_reason:
        return f"{data.precision.get(name, '?')}: {data.precision_reason[name]}"
    return None


def from_check(result: "CheckResult") -> dict[str, dict]:
    """The precision each node ran in: a node of an engine in the check's reduced precision unless
    the transform kept it in fp32 (with why), every other node in fp32."""
    fp32, shown = REFERENCE.name, shown_precision(result)
    engines = {n for s in result.plan.subgraphs for n in s.nodes}
    precision = {n.name: (shown if n.name in engines else fp32) for n in result.model.nodes}
    reason = {}
    for kept in result.kept_fp32.get(shown, []):
        if kept["node"] in precision:
            precision[kept["node"]], reason[kept["node"]] = fp32, kept["reason"]
    return {"precision": precision, "precision_reason": reason}


PRECISION = register(Overlay("precision", "precision", 20, categories, shows=lambda data: bool(data.precision),
                             tip=tip, from_check=from_check))
