"""The coverage overlay (the default): TensorRT takes a node, can't, excluded, left out (its block
too small)."""

from __future__ import annotations

from ..status import FILL, LEGEND
from .base import Categories, NodeData, Overlay, register


def categories(data: NodeData, names: list[str]) -> Categories:
    keys = {n: data.statuses[n].status for n in names if n in data.statuses}
    legend = {s: (FILL[s], LEGEND.get(s, s)) for s in FILL if s in set(keys.values())}
    return keys, legend


def tip(data: NodeData, name: str) -> str | None:
    return data.statuses[name].line() if name in data.statuses else None


COVERAGE = register(Overlay("coverage", "coverage status", 0, categories, tip=tip))
