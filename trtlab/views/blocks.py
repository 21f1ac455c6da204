"""Blocks of a model whose names carry no scopes, cut where the model repeats itself.

A segment is a run of nodes between points where one tensor carries everything onward (a
residual block ends at one); a tensor many distant nodes read (an attention mask, position ids)
does not count against a cut. A sequence of segments that repeats (a residual block of one
segment, a transformer layer of two) is a unit, and blocks hold whole units: a repeated block
is cut at its boundaries, never in its middle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from ..model import Model

LEAF = 24  # a block gathers small units or segments up to about this many nodes
MAX_PERIOD = 8  # the most segments one repeated unit spans
_BROADCAST_READERS = 3  # a tensor read this often, far apart, is a side input of every block


@dataclass
class Block:
    nodes: list[str]
    signature: tuple  # op types of its nodes, in order: equal signatures repeat
    units: int = 1  # how many repeats of one unit it holds (1 for gathered odd segments)


def segments(model: "Model", names: list[str]) -> list[list[str]]:
    """Runs of nodes between points where a single tensor (broadcast tensors aside) carries
    everything onward."""
    index = {n: i for i, n in enumerate(names)}
    last_use: dict[str, int] = {}
    broadcast: set[str] = set()
    weights = model.initializer_names
    for t, consumers in model.consumers.items():
        if t in weights:
            continue
        uses = [index[c] for c in consumers if c in index]
        if uses:
            last_use[t] = last = max(uses)
            if len(uses) >= _BROADCAST_READERS and last - min(uses) > 2 * LEAF:
                broadcast.add(t)
    expire: dict[int, list[str]] = {}
    for t, i in last_use.items():
        expire.setdefault(i, []).append(t)
    live: set[str] = {t for t in model.inputs if t in last_use and t not in broadcast}
    out, current = [], []
    node_by_name = model.node_by_name
    for i, name in enumerate(names):
        current.append(name)
        if i in expire:
            live.difference_update(expire[i])
        for o in node_by_name[name].output:
            if last_use.get(o, -1) > i and o not in broadcast:
                live.add(o)
        if len(live) <= 1:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def repeats(signatures: Sequence) -> list[tuple[int, int, int]]:
    """(start, period, count) runs covering `signatures` in order: `count` repeats of the
    `period` items from `start`, or (start, 1, 1) for an item that does not repeat. The period
    that covers the most items wins; the shortest among equals."""
    out, i, n = [], 0, len(signatures)
    while i < n:
        best_cover, best = 1, (i, 1, 1)
        for p in range(1, min(MAX_PERIOD, (n - i) // 2) + 1):
            unit = signatures[i:i + p]
            count = 1
            while signatures[i + count * p:i + (count + 1) * p] == unit:
                count += 1
            if count > 1 and count * p > best_cover:
                best_cover, best = count * p, (i, p, count)
        out.append(best)
        i += best[1] * best[2]
    return out


def blocks(model: "Model", names: list[str], leaf: int = LEAF) -> list[Block]:
    """The model's nodes as blocks: each holds whole repeats of one unit (as many as fit in
    `leaf` nodes, one at least), or consecutive segments that do not repeat (up to `leaf`)."""
    op_of = {n.name: n.op_type for n in model.nodes}
    segs = segments(model, names)
    sigs = [tuple(op_of[m] for m in s) for s in segs]
    ids: dict[tuple, int] = {}
    runs = repeats([ids.setdefault(s, len(ids)) for s in sigs])  # small ints compare fast
    out: list[Block] = []
    loose = False  # the last block gathers segments that do not repeat
    for start, period, count in runs:
        if count == 1:
            seg = segs[start]
            if loose and len(out[-1].nodes) + len(seg) <= leaf and len(seg) < leaf // 2:
                out[-1].nodes.extend(seg)
                out[-1].signature += sigs[start]
            else:
                out.append(Block(list(seg), sigs[start]))
            loose = True
            continue
        unit_nodes = sum(len(s) for s in segs[start:start + period])
        per_block = max(1, leaf // unit_nodes)
        for first in range(0, count, per_block):
            units = min(per_block, count - first)
            chosen = segs[start + first * period:start + (first + units) * period]
            out.append(Block([m for s in chosen for m in s], sum(sigs[start:start + period], ()) * units, units))
        loose = False
    return out
