"""What colours a graph's boxes: one overlay at a time, chosen in the widget.

- ``coverage`` (default): TensorRT takes it, can't, excluded, left out (block too small);
- ``engine``: which TensorRT engine holds the node;
- ``precision``: the precision a node runs in (and why, when given; nodes a keep_fp32="auto"
  search kept in fp32 in a colour of their own);
- ``error``: per-node accuracy error, when measured (a dict node -> value);
- ``fallback``: why a node runs outside TensorRT.

A collapsed group is filled when its members agree and otherwise shows its mix as a bar.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping

from ..precision.policy import KEPT_BY_SEARCH
from ..precision_registry import PRECISIONS, REFERENCE
from ..words import clip
from .status import FILL, LEGEND, NodeStatus, node_statuses

if TYPE_CHECKING:
    from ..coverage import CoverageReport
    from ..model import Model
    from ..plan import Plan

OVERLAYS = {"coverage": "coverage status", "engine": "engine", "precision": "precision",
            "error": "accuracy error", "fallback": "fallback reason"}
PALETTE = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#ffed6f",
           "#bc80bd", "#ccebc5"]
# Each precision's own colour, and those of kernel types TensorRT may report that trtlab does
# not build to.
PRECISION_FILL = {"tf32": "#c6dbef", "int4": "#dadaeb", "fp4": "#dadaeb", **{p.name: p.colour for p in PRECISIONS}}
NONE_FILL = "#eeeeee"
SEARCH_KEY, SEARCH_FILL = "fp32-search", "#3182bd"
ERROR_BINS = [(1e-4, "#1a9850", "under 1e-4"), (1e-3, "#91cf60", "1e-4 to 1e-3"),
              (1e-2, "#fee08b", "1e-3 to 1e-2"), (1e-1, "#fc8d59", "1e-2 to 0.1"),
              (float("inf"), "#d73027", "0.1 or more")]
MAX_REASONS = 8


@dataclass
class NodeData:
    """Everything an overlay or a details pane says about each node."""

    statuses: dict[str, NodeStatus]
    engine_of: dict[str, int] = field(default_factory=dict)  # node -> engine id (absent: outside)
    precision: dict[str, str] = field(default_factory=dict)
    precision_reason: dict[str, str] = field(default_factory=dict)
    error: dict[str, float] = field(default_factory=dict)
    fallback: dict[str, str] = field(default_factory=dict)  # node -> why it runs outside TensorRT
    source: str = ""  # "tensorrt coverage", "plan"

    def overlays(self) -> list[list[str]]:
        """[value, label] of the overlays this data can show."""
        out = [["coverage", OVERLAYS["coverage"]]]
        if self.engine_of or self.fallback:
            out.append(["engine", OVERLAYS["engine"]])
        if self.precision:
            out.append(["precision", OVERLAYS["precision"]])
        if self.error:
            out.append(["error", OVERLAYS["error"]])
        if self.fallback or self.engine_of:
            out.append(["fallback", OVERLAYS["fallback"]])
        return out


def node_data(model: "Model", source: "Plan | CoverageReport | None", *,
              precision: Mapping[str, str] | None = None,
              precision_reason: Mapping[str, str] | None = None,
              error: Mapping[str, float] | None = None) -> NodeData:
    """Per-node data from a Plan or a CoverageReport, plus optional precision and error dicts."""
    names = [n.name for n in model.nodes]
    data = NodeData(node_statuses(source, names))
    if source is not None and hasattr(source, "subgraphs"):
        data.engine_of = {n: s.id for s in source.subgraphs for n in s.nodes}
        data.fallback = {f.name: f.reason for f in source.fallback_nodes}
        for n in names:
            if n not in data.engine_of and n not in data.fallback:
                data.fallback[n] = data.statuses[n].reason or "not in an engine"
        kept = getattr(source.coverage, "precision", REFERENCE.name)
        data.precision = {n: (kept if n in data.engine_of else REFERENCE.name) for n in names}
        data.source = "plan"
    elif source is not None:
        data.source = f"{getattr(source, 'source', '')} coverage"
    if precision:
        data.precision.update(precision)
    if precision_reason:
        data.precision_reason = dict(precision_reason)
    if error:
        data.error = {k: float(v) for k, v in error.items()}
    return data


def _categories(data: NodeData, overlay: str, names: Iterable[str]):
    """node -> category key, and key -> (fill, legend label), for one overlay."""
    names = list(names)
    if overlay == "engine":
        ids = sorted(set(data.engine_of.values()))
        colours = {i: _colour(k) for k, i in enumerate(ids)}
        keys = {n: (f"e{data.engine_of[n]}" if n in data.engine_of else "out") for n in names}
        legend = {f"e{i}": (colours[i], f"trt_engine_{i}") for i in ids}
        legend["out"] = (NONE_FILL, "outside TensorRT")
        return keys, legend
    if overlay == "precision":  # nodes kept in fp32 by a keep_fp32="auto" search stand out
        keys = {n: SEARCH_KEY if data.precision_reason.get(n) == KEPT_BY_SEARCH else data.precision.get(n, "unknown")
                for n in names}
        legend = {k: (SEARCH_FILL, f"fp32, {KEPT_BY_SEARCH}") if k == SEARCH_KEY else
                  (PRECISION_FILL.get(k, NONE_FILL), k) for k in sorted(set(keys.values()))}
        return keys, legend
    if overlay == "error":
        keys, legend = {}, {"none": (NONE_FILL, "not measured")}
        for n in names:
            v = data.error.get(n)
            if v is None:
                keys[n] = "none"
                continue
            k = next(k for k, (limit, _, _) in enumerate(ERROR_BINS) if abs(v) < limit)
            keys[n] = f"b{k}"
            legend[f"b{k}"] = ERROR_BINS[k][1:]
        return keys, legend
    if overlay == "fallback":
        reasons = Counter(_reason_key(data.fallback[n]) for n in data.fallback)
        top = [r for r, _ in reasons.most_common(MAX_REASONS)]
        legend = {r: (_colour(k), r) for k, r in enumerate(top)}
        keys = {}
        for n in names:
            if n not in data.fallback:
                keys[n] = "in"
            else:
                r = _reason_key(data.fallback[n])
                keys[n] = r if r in legend else "other"
        legend["in"] = (NONE_FILL, "in TensorRT")
        if "other" in keys.values():
            legend["other"] = ("#d9d9d9", "other reasons")
        return keys, legend
    keys = {n: data.statuses[n].status for n in names if n in data.statuses}
    legend = {s: (FILL[s], LEGEND.get(s, s)) for s in FILL if s in set(keys.values())}
    return keys, legend


def _colour(k: int) -> str:
    """The k-th category colour: the palette, then hues spread by the golden angle (no repeats)."""
    if k < len(PALETTE):
        return PALETTE[k]
    return f"hsl({(k * 137.508) % 360:.0f}, 55%, 72%)"


def _reason_key(reason: str) -> str:
    """Reasons that differ only in a node's own details fall under one key."""
    return clip(reason, 60)


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


def _node_tip(data: NodeData, overlay: str, name: str, legend: dict, key: str) -> str:
    if overlay == "coverage" and name in data.statuses:
        return data.statuses[name].line()
    if overlay == "error" and name in data.error:
        return f"error {data.error[name]:.3g}"
    if overlay == "precision" and name in data.precision_reason:
        return f"{data.precision.get(name, '?')}: {data.precision_reason[name]}"
    if overlay == "fallback" and name in data.fallback:
        return data.fallback[name]
    return legend.get(key, (None, key))[1]
