"""What each node's colour means: its status under a coverage report or a partition plan.

Statuses: ``supported`` (TensorRT takes it), ``unsupported`` (TensorRT can't), ``excluded`` (the
user kept it out), ``small-block`` (supported, but the partition left it out, usually because its
block is under ``min_block_size``). A collapsed block whose members differ is ``mixed``; a view
drawn without coverage shows ``unknown``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from ..errors import TrtlabError
from ..words import counted

if TYPE_CHECKING:
    from ..coverage import CoverageReport, NodeSupport
    from ..plan import Plan

FILL = {
    "supported": "#b6e388",
    "unsupported": "#f4a3a3",
    "excluded": "#cdb8ee",
    "small-block": "#ffd966",
    "mixed": "#fbd0a0",
    "unknown": "#f2f2f2",
}
ENGINE_FILL = "#8fd14f"
IO_FILL = "#cfe2f3"

LEGEND = {
    "supported": "TensorRT",
    "unsupported": "not supported",
    "excluded": "excluded by user",
    "small-block": "left out (block too small)",
    "mixed": "block with mixed nodes",
}


@dataclass(frozen=True)
class NodeStatus:
    status: str
    reason: str  # one line for the tooltip

    def line(self) -> str:
        head = {
            "supported": "TensorRT: yes",
            "unsupported": "TensorRT: no",
            "excluded": "TensorRT: excluded by user",
            "small-block": "TensorRT: supported but left out",
            "unknown": "TensorRT: no coverage given",
        }.get(self.status, self.status)
        reason = " ".join(self.reason.split())  # the tooltip's last line: restyling replaces it
        return f"{head} - {reason}" if reason else head


def node_statuses(source: "Plan | CoverageReport | None", names: Iterable[str]) -> dict[str, NodeStatus]:
    """Status of every node in `names` under a Plan, a CoverageReport, or nothing (unknown)."""
    names = list(names)
    if source is None:
        return {n: NodeStatus("unknown", "") for n in names}
    if hasattr(source, "subgraphs") and hasattr(source, "coverage"):
        return _plan_statuses(source, names)
    if hasattr(source, "verdicts"):
        return _coverage_statuses(source, names)
    raise TrtlabError(f"Can't colour a graph by a {type(source).__name__}.",
                      hint="Pass a trtlab Plan (from trtlab.partition) or a CoverageReport (from trtlab.coverage).")


def block_status(members: Iterable[str], statuses: Mapping[str, NodeStatus]) -> NodeStatus:
    """One colour for a collapsed block: its members' status if they agree, else ``mixed``."""
    members = list(members)
    counts: dict[str, int] = {}
    for m in members:
        s = statuses[m].status
        counts[s] = counts.get(s, 0) + 1
    inside = counts.get("supported", 0)
    summary = f"{inside} of {counted(len(members), 'node')} in TensorRT"
    others = ", ".join(f"{n} {s}" for s, n in counts.items() if s != "supported")
    if others:
        summary += f"; {others}"
    status = next(iter(counts)) if len(counts) == 1 else "mixed"
    return NodeStatus(status, summary)


def _verdict(cov: "CoverageReport", name: str) -> "NodeSupport":
    try:
        return cov.verdicts[name]
    except KeyError:
        raise TrtlabError(f"The coverage has no verdict for node '{name}' drawn in this graph.",
                          hint="Colour a graph with the coverage or plan of the same model.") from None


def _excluded(v: "NodeSupport", cov: "CoverageReport") -> bool:
    if v.supported:
        return False
    over = cov.overrides or {}
    return (v.node in over.get("exclude_nodes", ()) or v.op in over.get("exclude_ops", ())
            or v.reason.startswith("excluded by user"))


def _coverage_statuses(cov: "CoverageReport", names: list[str]) -> dict[str, NodeStatus]:
    out = {}
    for n in names:
        v = _verdict(cov, n)
        if v.supported:
            out[n] = NodeStatus("supported", v.reason)
        elif _excluded(v, cov):
            out[n] = NodeStatus("excluded", v.reason)
        else:
            out[n] = NodeStatus("unsupported", v.reason)
    return out


def _plan_statuses(plan: "Plan", names: list[str]) -> dict[str, NodeStatus]:
    cov = plan.coverage
    engine_of = {n: s.id for s in plan.subgraphs for n in s.nodes}
    fallback_reason = {f.name: f.reason for f in plan.fallback_nodes}
    small = set(plan.small_block_nodes)
    out = {}
    made: dict[tuple[str, str], NodeStatus] = {}  # statuses repeat: one object per distinct pair
    for n in names:
        v = _verdict(cov, n)
        if n in engine_of:
            note = f"in TensorRT engine {engine_of[n]}"
            key = ("supported", f"{note} ({v.reason})" if v.reason else note)
        elif n in small or v.supported:
            key = ("small-block", fallback_reason.get(n) or v.reason or "its block is under min_block_size")
        elif _excluded(v, cov):
            key = ("excluded", v.reason or fallback_reason.get(n, ""))
        else:
            key = ("unsupported", v.reason or fallback_reason.get(n, ""))
        st = made.get(key)
        if st is None:
            st = made[key] = NodeStatus(*key)
        out[n] = st
    return out
