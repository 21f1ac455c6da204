"""Keep large graphs readable: collapse repeated blocks, or focus on a node's neighbourhood.

Blocks come from name scopes when the exporter left them ("/layer1/layer1.0/conv1/Conv",
"layer1.0.conv1", "stage1_conv0"); the deepest scope level that fits the drawing budget wins.
Models whose names carry no scopes are cut into runs of nodes between single-tensor cut points
(a residual block is such a run). Blocks with the same op sequence are marked as repeats.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import TrtlabError

if TYPE_CHECKING:
    from ..model import Model

# Names a loader or exporter numbered ("Constant_12", "p2o.Conv.0", "Conv@3") carry no scope.
_GENERATED = re.compile(r"^(?:[A-Za-z0-9]+\.)?[A-Za-z]+[_.@]\d+$")


@dataclass(frozen=True)
class Block:
    name: str  # "layer1/layer1.0", "layer1.0", "block3"
    members: tuple[str, ...]  # node names, in topological order
    op_counts: dict = field(default_factory=dict, compare=False)
    repeats: int = 1  # how many blocks (this one included) have the same op sequence

    def op_summary(self, per_line: int = 3) -> str:
        items = [f"{op}\u00d7{n}" if n > 1 else op
                 for op, n in sorted(self.op_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return "\n".join(" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line))


def find_blocks(model: "Model", names: Sequence[str] | None = None, *, max_items: int = 60) -> list[Block]:
    """Group `names` (default: all nodes) into blocks so about `max_items` things are drawn.

    Nodes left out of every block are drawn on their own; a one-node group is not a block.
    """
    names = list(names) if names is not None else [n.name for n in model.nodes]
    groups = _scope_groups(names, max_items)
    if groups is None:
        groups = _cut_groups(model, names, max_items)
    op_of = {n.name: n.op_type for n in model.nodes}
    order = {n: i for i, n in enumerate(names)}
    blocks = []
    for name, members in groups:
        if len(members) < 2:
            continue
        members = tuple(sorted(members, key=order.__getitem__))
        blocks.append(Block(name, members, dict(Counter(op_of[m] for m in members))))
    alike = Counter(tuple(op_of[m] for m in b.members) for b in blocks)
    return [Block(b.name, b.members, b.op_counts, alike[tuple(op_of[m] for m in b.members)])
            for b in blocks]


def match_blocks(blocks: Sequence[Block], queries: Iterable[str]) -> set[str]:
    """Names of the blocks each query means: the full name, or its last part ("layer1.0")."""
    out = set()
    for q in queries:
        hits = [b.name for b in blocks if b.name == q]
        if not hits:
            q2 = q.strip("/.")
            hits = [b.name for b in blocks
                    if re.search(r"(^|[/._])" + re.escape(q2) + r"$", b.name)]
        if not hits:
            close = difflib.get_close_matches(q, [b.name for b in blocks], n=3)
            raise TrtlabError(f"No collapsed block named '{q}'.",
                              hint=(f"Did you mean {', '.join(close)}?" if close else
                                    "The view's .blocks lists the block names."))
        out.update(hits)
    return out


# ------------------------------------------------------------------ focus
def resolve_nodes(model: "Model", queries: str | Iterable[str]) -> list[str]:
    """Node names meant by each query: the exact name, else every node whose name contains it
    ("layer3.1.conv2" finds "/layer3/layer3.1/conv2/Conv")."""
    if isinstance(queries, str):
        queries = [queries]
    names = [n.name for n in model.nodes]
    out: dict[str, None] = {}
    for q in queries:
        if q in model.node_by_name:
            out[q] = None
            continue
        dotted = q.replace("/", ".").strip(".")
        hits = [n for n in names if q in n or dotted in n.replace("/", ".")]
        if not hits:
            close = difflib.get_close_matches(q, names, n=3)
            raise TrtlabError(f"No node named '{q}' in the model.",
                              hint=(f"Did you mean {', '.join(close)}?" if close else
                                    "Use the node names that `trtlab inspect --json` prints."))
        out.update(dict.fromkeys(hits))
    return list(out)


def neighbourhood(model: "Model", centres: Sequence[str], radius: int) -> list[str]:
    """Nodes within `radius` data edges (either direction) of a centre, in topological order."""
    if radius < 0:
        raise TrtlabError(f"radius must be 0 or more, not {radius}.")
    adj: dict[str, set[str]] = {}
    for p, c, _ in model.edges:
        adj.setdefault(p, set()).add(c)
        adj.setdefault(c, set()).add(p)
    seen = set(centres)
    frontier = list(centres)
    for _ in range(radius):
        nxt = []
        for n in frontier:
            for m in adj.get(n, ()):
                if m not in seen:
                    seen.add(m)
                    nxt.append(m)
        frontier = nxt
    return [n.name for n in model.nodes if n.name in seen]


# ------------------------------------------------------------------ grouping
def _scope(name: str, sep: str) -> tuple[str, ...]:
    if _GENERATED.match(name):
        return ()
    parts = [p for p in name.split(sep) if p]
    return tuple(parts[:-1])


def _scope_groups(names: list[str], max_items: int) -> list[tuple[str, list[str]]] | None:
    for sep in ("/", ".", "_"):
        scopes = {n: _scope(n, sep) for n in names}
        if sum(1 for s in scopes.values() if s) * 2 < len(names):
            continue
        depth = max(len(s) for s in scopes.values())
        options = []
        for d in range(depth, 0, -1):  # deepest level that fits the budget shows the most
            keys = _fold({n: s[:d] for n, s in scopes.items()})
            items = sum(1 for k in keys.values() if not k) + len({k for k in keys.values() if k})
            options.append((items, keys))
            if items <= max_items:
                break
        items, keys = options[-1] if options[-1][0] <= max_items else min(options, key=lambda o: o[0])
        if items > 0.8 * len(names):  # scopes too fine to help: try the next convention
            continue
        groups: dict[tuple, list[str]] = {}
        for n in names:
            if keys[n]:
                groups.setdefault(keys[n], []).append(n)
        return [(sep.join(k), members) for k, members in groups.items()]
    return None


def _fold(keys: dict[str, tuple]) -> dict[str, tuple]:
    """Fold a scope into its nearest enclosing scope that holds nodes of its own: a layer's own
    norms and adds belong with its attention and MLP, or the blocks would point back and forth."""
    own = set(keys.values())
    folded = {}
    for k in own:
        folded[k] = next((k[:j] for j in range(1, len(k)) if k[:j] in own), k)
    return {n: folded[k] for n, k in keys.items()}


def _cut_groups(model: "Model", names: list[str], max_items: int) -> list[tuple[str, list[str]]]:
    """Runs of nodes between points where a single tensor carries everything onward."""
    index = {n: i for i, n in enumerate(names)}
    keep = set(names)
    last_use: dict[str, int] = {}
    for t, consumers in model.consumers.items():
        uses = [index[c] for c in consumers if c in keep]
        if uses and t not in model.initializer_names:
            last_use[t] = max(uses)
    live: set[str] = {t for t in model.inputs if t in last_use}
    segments, current = [], []
    for i, name in enumerate(names):
        node = model.node_by_name[name]
        current.append(name)
        live = {t for t in live if last_use[t] > i}
        live.update(o for o in node.output if last_use.get(o, -1) > i)
        if len(live) <= 1:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    limit = max(2, math.ceil(len(names) / max(1, int(max_items * 0.8))))
    groups: list[list[str]] = []
    for seg in segments:
        if groups and len(groups[-1]) + len(seg) <= limit:
            groups[-1].extend(seg)
        else:
            groups.append(list(seg))
    return [(f"block{i}", g) for i, g in enumerate(groups)]
