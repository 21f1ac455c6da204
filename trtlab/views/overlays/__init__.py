"""What colours a graph's boxes: one overlay at a time, chosen in the widget. Each overlay is one
module of this package that registers an `Overlay` (see `base`); importing the package imports
them all, so a new overlay is one module plus its test, and the Lab's overlay menu, the graph
widget, the compact drawings and the report read the registry:

- ``coverage`` (default): TensorRT takes it, can't, excluded, left out (block too small);
- ``engine``: which TensorRT engine holds the node;
- ``precision``: the precision a node runs in (and why, when given; nodes a keep_fp32="auto"
  search kept in fp32 in a colour of their own);
- ``error``: per-node accuracy error, when measured;
- ``fallback``: why a node runs outside TensorRT.

A collapsed group is filled when its members agree and otherwise shows its mix as a bar.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from typing import TYPE_CHECKING, Any, Mapping

from ...precision_registry import REFERENCE
from ..status import node_statuses
from .base import NONE_FILL, NodeData, Overlay, known, reason_key, register, unregister

if TYPE_CHECKING:
    from ...check import CheckResult
    from ...coverage import CoverageReport
    from ...model import Model
    from ...plan import Plan

for _found in pkgutil.iter_modules(__path__):
    importlib.import_module(f".{_found.name}", __name__)

__all__ = ["NodeData", "Overlay", "check_values", "known", "node_data", "overlay_named", "paint", "reason_key",
           "register", "unregister"]


def overlay_named(name: str) -> Overlay:
    """The overlay called `name`; the default (coverage) for a name no overlay has."""
    found = {o.name: o for o in known()}
    return found.get(name) or known()[0]


def node_data(model: "Model", source: "Plan | CoverageReport | None", **values: Mapping[str, Any] | None) -> NodeData:
    """Per-node data from a Plan or a CoverageReport, plus per-node values by name for the
    overlays (``precision=``, ``precision_reason=``, ``error=``, or `check_values(result)`)."""
    names = [n.name for n in model.nodes]
    data = NodeData(node_statuses(source, names))
    if source is not None and hasattr(source, "subgraphs"):
        data.engine_of = {n: s.id for s in source.subgraphs for n in s.nodes}
        data.fallback = {f.name: f.reason for f in source.fallback_nodes}
        for n in names:
            if n not in data.engine_of and n not in data.fallback:
                data.fallback[n] = data.statuses[n].reason or "not in an engine"
        kept = getattr(source.coverage, "precision", REFERENCE.name)
        data.values["precision"] = {n: (kept if n in data.engine_of else REFERENCE.name) for n in names}
        data.source = "plan"
    elif source is not None:
        data.source = f"{getattr(source, 'source', '')} coverage"
    for name, given in values.items():
        if given:
            data.values[name] = {**data.value(name), **given}
    return data


def check_values(result: "CheckResult") -> dict[str, dict]:
    """The per-node values a check gives the overlays (each overlay says which it reads)."""
    out: dict[str, dict] = {}
    for o in known():
        out.update(o.from_check(result))
    return out


def _categories(data: NodeData, overlay_name: str, names):
    return overlay_named(overlay_name).categories(data, list(names))


def paint(data: NodeData, overlay: str, items: Mapping[str, list[str]],
          cache: dict | None = None) -> tuple[dict, list]:
    """Styles of the shown `items` (item id -> member node names) under `overlay`, and the legend.

    Style: {"fill": colour, "mix": [[colour, count], ...] for groups, "tip": one line, "key": the
    category ("supported", "e3", "fp16", ...; "mixed" for a group whose members differ)}.
    """
    counted: dict = {}
    if cache is not None:  # every node's category and each group's counts, once per data and overlay
        if overlay not in cache:
            cache[overlay] = (*_categories(data, overlay, data.statuses), {})
        keys, legend, counted = cache[overlay]
        legend = dict(legend)
    else:
        keys, legend = _categories(data, overlay, {n for members in items.values() for n in members})
    styles, used = {}, set()
    for item, members in items.items():
        counts = counted.get(item)
        if counts is None:
            counts = Counter(keys.get(m, "unknown") for m in members)
            if item.startswith("g:"):
                counted[item] = counts
        used.update(counts)
        fills = [(legend.get(k, (NONE_FILL, k))[0], n) for k, n in counts.most_common()]
        if item.startswith("g:"):
            fill = fills[0][0] if len(fills) == 1 else "#ffffff"
            tip = ", ".join(f"{n} {legend.get(k, (None, k))[1]}" for k, n in counts.most_common())
            key = next(iter(counts)) if len(counts) == 1 else "mixed"
            styles[item] = {"fill": fill, "mix": [[c, n] for c, n in fills], "tip": tip, "key": key}
        elif fills:
            k = next(iter(counts))
            styles[item] = {"fill": fills[0][0], "tip": _node_tip(data, overlay, members[0], legend, k),
                            "key": k}
    return styles, [[c, label] for k, (c, label) in legend.items() if k in used]


def _node_tip(data: NodeData, overlay_name: str, name: str, legend: dict, key: str) -> str:
    said = overlay_named(overlay_name).tip(data, name)
    return said if said is not None else legend.get(key, (None, key))[1]
