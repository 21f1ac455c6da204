"""Nested groups of a model's nodes, so a graph of any size opens as a few dozen boxes.

- Constant nodes (no inputs) are not drawn: they, like initializers, are attributes of the nodes
  that read them (`Hierarchy.constants`).
- Groups come from name scopes when the names carry them ("/layer1/layer1.0/conv1/Conv",
  "stage1_conv0"); names an exporter numbered ("p2o.Conv.0", "Conv@3", "Constant_12") carry none.
  Without scopes, groups come from structure: runs of nodes between points where one tensor
  carries everything onward (a residual block is one such run), marked when they repeat.
- An after-graph groups each TensorRT engine's nodes.
- No level holds more than `FANOUT` items: longer levels are cut into consecutive parts.

Item ids: ``n:<node name>`` for a node, ``g:<path>`` for a group.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    from ..model import Model
    from ..plan import Plan

FANOUT = 30  # most items one level shows
LEAF = 24  # structural groups gather runs up to about this many nodes
SEPARATORS = ("/", ".", "_", "::")
_NUMBERED = re.compile(r"^\d+$")


def node_id(name: str) -> str:
    return "n:" + name


@dataclass
class Group:
    id: str  # "g:3", "g:3.1"
    name: str  # what the box says: a scope, "block 3", "trt_engine_0"
    kind: str  # "scope", "block", "part" or "engine"
    children: list[str]  # item ids, in topological order
    members: list[str] = field(default_factory=list)  # every node inside, topological
    repeats: int = 1  # groups with the same op sequence (this one included)

    _ops: Counter | None = field(default=None, repr=False, compare=False)

    def op_counts(self, model: "Model") -> Counter:
        if self._ops is None:
            self._ops = Counter(model.node_by_name[m].op_type for m in self.members)
        return self._ops


class Hierarchy:
    """Drawn nodes, their groups, and the data edges between drawn nodes."""

    def __init__(self, model: "Model", root: list[str], groups: dict[str, Group],
                 drawn: list[str], constants: dict[str, list[str]]):
        self.model = model
        self.root = root  # item ids of the top level
        self.groups = groups
        self.drawn = drawn  # node names that get a box, topological
        self.constants = constants  # node -> input tensors that are constants or initializers
        self.parent: dict[str, str | None] = {}
        self._chain: dict[str, tuple[str, ...]] = {}  # item -> its groups, outermost first
        stack = [(item, ()) for item in root]
        while stack:
            item, chain = stack.pop()
            self.parent[item] = chain[-1] if chain else None
            self._chain[item] = chain
            if item in groups:
                inner = chain + (item,)
                stack.extend((c, inner) for c in groups[item].children)
        drawn_set = set(drawn)
        self.edges = list(dict.fromkeys(
            (p, c) for p, c, _ in model.edges if p in drawn_set and c in drawn_set))

    def children(self, group: str | None) -> list[str]:
        return self.root if group is None else self.groups[group].children

    def ancestors(self, item: str) -> list[str]:
        """Group ids holding `item`, outermost first."""
        return list(self._chain.get(item, ()))

    def visible(self, item: str, expanded: Iterable[str]) -> str:
        """The item that shows `item` when only the `expanded` groups are open."""
        opened = expanded if isinstance(expanded, (set, frozenset)) else set(expanded)
        for g in self._chain.get(item, ()):
            if g not in opened:
                return g
        return item

    def members(self, item: str) -> list[str]:
        if item.startswith("g:"):
            return self.groups[item].members
        return [item[2:]]

    def find(self, query: str) -> list[str]:
        """Node names whose name contains `query`, or whose op type is it (any case)."""
        q = query.strip().lower()
        if not q:
            return []
        op_of = {n.name: n.op_type.lower() for n in self.model.nodes}
        return [n for n in self.drawn if q in n.lower() or op_of[n] == q]

    def summary(self) -> str:
        return (f"{len(self.drawn)} nodes drawn ({len(self.model.nodes) - len(self.drawn)} constants "
                f"folded), {len(self.groups)} groups, {len(self.root)} items at the top")


# ------------------------------------------------------------------ building
def folded_constants(model: "Model") -> tuple[list[str], dict[str, list[str]]]:
    """(Nodes to draw, node -> constant inputs): Constant nodes become their consumers' attributes."""
    folded = {n.name for n in model.nodes if n.op_type == "Constant" and not any(n.input)}
    const_tensors = set(model.initializer_names)
    for n in model.nodes:
        if n.name in folded:
            const_tensors.update(o for o in n.output if o)
    drawn = [n.name for n in model.nodes if n.name not in folded]
    constants = {}
    for n in model.nodes:
        if n.name not in folded:
            ins = [t for t in n.input if t in const_tensors]
            if ins:
                constants[n.name] = ins
    return drawn, constants


def model_hierarchy(model: "Model", *, fanout: int = FANOUT) -> Hierarchy:
    """Groups for a before-graph: name scopes when names carry them, else structure."""
    drawn, constants = folded_constants(model)
    builder = _Builder(model, fanout)
    scopes = _scopes(model, drawn)
    if len(drawn) <= fanout:
        root = [node_id(n) for n in drawn]
    elif scopes is not None:
        root = builder.scope_tree(drawn, scopes)
    else:
        root = builder.structure(drawn)
    while len(root) == 1 and root[0].startswith("g:"):  # one box says nothing: open it
        root = builder.groups.pop(root[0]).children
    return Hierarchy(model, root, builder.groups, drawn, constants)


def plan_hierarchy(plan: "Plan", *, fanout: int = FANOUT) -> Hierarchy:
    """Groups for an after-graph: one per TensorRT engine; fallback nodes stand alone."""
    model = plan.model
    drawn, constants = folded_constants(model)
    builder = _Builder(model, fanout)
    engine_of = {n: s for s in plan.subgraphs for n in s.nodes}
    seen = set()
    drawn_set = set(drawn)
    for name in drawn:
        sg = engine_of.get(name)
        if sg is not None and sg.id not in seen:
            seen.add(sg.id)
            inside = [n for n in sg.nodes if n in drawn_set]
            gid = f"g:e{sg.id}"
            builder.add(gid, sg.name, "engine", builder.bounded([node_id(n) for n in inside], gid),
                        inside)
    # Engines go where their first node was: re-insert them in topological order.
    first = {gid: model.index[g.members[0]] for gid, g in builder.groups.items() if g.kind == "engine"}
    flat = [node_id(n) for n in drawn if n not in engine_of]
    order = sorted([(model.index[i[2:]], i) for i in flat] + [(v, k) for k, v in first.items()],
                   key=lambda t: t[0])
    root = builder.bounded([i for _, i in order], "g:")
    return Hierarchy(model, root, builder.groups, drawn, constants)


class _Builder:
    def __init__(self, model: "Model", fanout: int):
        self.model = model
        self.fanout = fanout
        self.groups: dict[str, Group] = {}

    def add(self, gid: str, name: str, kind: str, children: list[str], members: list[str]) -> str:
        self.groups[gid] = Group(gid, name, kind, children, members)
        return gid

    def members_of(self, items: Sequence[str]) -> list[str]:
        out: list[str] = []
        for i in items:
            out.extend(self.groups[i].members if i.startswith("g:") else [i[2:]])
        return out

    def bounded(self, items: list[str], prefix: str) -> list[str]:
        """`items` if few enough, else consecutive parts of them (recursively)."""
        if len(items) <= self.fanout:
            return items
        depth = math.ceil(math.log(len(items), self.fanout))
        size = math.ceil(len(items) / math.ceil(len(items) ** (1 / depth)) ** (depth - 1))
        size = max(2, math.ceil(len(items) / math.ceil(len(items) / size)))
        parts = []
        for k in range(0, len(items), size):
            chunk = items[k:k + size]
            if len(chunk) == 1:
                parts.append(chunk[0])
                continue
            gid = f"{prefix}{'.' if prefix != 'g:' else ''}p{k // size}"
            parts.append(self.add(gid, f"part {k // size + 1}", "part", chunk, self.members_of(chunk)))
        return self.bounded(parts, prefix + ("." if prefix != "g:" else "") + "p")

    # ------------------------------------------------------------ scopes
    def scope_tree(self, drawn: list[str], scopes: dict[str, tuple[str, ...]]) -> list[str]:
        tree: dict = {}
        for name in drawn:  # a nested dict per scope; nodes in order under the key None
            level = tree
            for part in scopes[name]:
                level = level.setdefault(part, {})
            level.setdefault(None, []).append(name)
        return self._scope_items(tree, (), "g:")

    def _scope_items(self, level: dict, path: tuple, gid: str) -> list[str]:
        items: list[tuple[int, str]] = [(self.model.index[n], node_id(n)) for n in level.get(None, [])]
        for k, (part, sub) in enumerate((p, s) for p, s in level.items() if p is not None):
            name_path = path + (part,)
            child_gid = f"{gid}{'.' if gid != 'g:' else ''}{k}"
            children = self._scope_items(sub, name_path, child_gid)
            while len(children) == 1 and children[0].startswith("g:"):  # a scope of one scope
                only = self.groups.pop(children[0])
                name_path = name_path + (only.name.rsplit("/", 1)[-1],)
                children = only.children
            if len(children) == 1:  # a scope of one node: the node itself
                items.append((self.model.index[children[0][2:]], children[0]))
                continue
            members = sorted(self.members_of(children), key=self.model.index.__getitem__)
            self.add(child_gid, "/".join(name_path), "scope", children, members)
            items.append((self.model.index[members[0]], child_gid))
        items.sort(key=lambda t: t[0])
        return self.bounded([i for _, i in items], gid)

    # ------------------------------------------------------------ structure
    def structure(self, drawn: list[str]) -> list[str]:
        segments = _segments(self.model, drawn)
        leaves: list[list[str]] = []
        for seg in segments:
            if leaves and len(leaves[-1]) + len(seg) <= LEAF and len(seg) < LEAF // 2:
                leaves[-1].extend(seg)
            else:
                leaves.append(list(seg))
        items: list[str] = []
        op_of = {n.name: n.op_type for n in self.model.nodes}
        alike = Counter(tuple(op_of[m] for m in leaf) for leaf in leaves if len(leaf) > 1)
        for k, leaf in enumerate(leaves):
            if len(leaf) == 1:
                items.append(node_id(leaf[0]))
                continue
            gid = f"g:b{k}"
            children = self.bounded([node_id(n) for n in leaf], gid)
            self.add(gid, f"block {k}", "block", children, leaf)
            self.groups[gid].repeats = alike[tuple(op_of[m] for m in leaf)]
            items.append(gid)
        return self.bounded(items, "g:")


def _segments(model: "Model", names: list[str]) -> list[list[str]]:
    """Runs of nodes between points where a single tensor carries everything onward."""
    index = {n: i for i, n in enumerate(names)}
    last_use: dict[str, int] = {}
    for t, consumers in model.consumers.items():
        uses = [index[c] for c in consumers if c in index]
        if uses and t not in model.initializer_names:
            last_use[t] = max(uses)
    expire: dict[int, list[str]] = {}
    for t, i in last_use.items():
        expire.setdefault(i, []).append(t)
    live: set[str] = {t for t in model.inputs if t in last_use}
    segments, current = [], []
    for i, name in enumerate(names):
        current.append(name)
        live.difference_update(expire.get(i, ()))
        live.update(o for o in model.node_by_name[name].output if last_use.get(o, -1) > i)
        if len(live) <= 1:
            segments.append(current)
            current = []
    if current:
        segments.append(current)
    return segments


def _scope_of(name: str, op: str, sep: str) -> tuple[str, ...]:
    parts = [p for p in name.split(sep) if p]
    while parts and _NUMBERED.match(parts[-1]):
        parts.pop()
    if len(parts) > 1 and parts[-1].lower() == op.lower():
        parts.pop()  # "/layer1/conv1/Conv": the op's own name under its module's
    # The last part names the node itself: "conv1" of "layer2.1.conv1", "Add_1" of "/layer1/Add_1".
    return tuple(parts[:-1])


def _scopes(model: "Model", drawn: list[str]) -> dict[str, tuple[str, ...]] | None:
    """Scope of each drawn node under the first separator that gives a useful tree, or None."""
    op_of = {n.name: n.op_type for n in model.nodes}
    step = max(1, len(drawn) // 3000)  # decide on a sample; big graphs repeat themselves
    for sep in SEPARATORS:
        scopes = {n: _scope_of(n, op_of[n], sep) for n in drawn[::step]}
        scoped = [s for s in scopes.values() if s]
        if len(scoped) * 2 < len(scopes):
            continue
        common = 0  # leading parts every scoped node shares ("model/") say nothing about groups
        first = scoped[0]
        while common < len(first) and all(len(s) > common and s[common] == first[common] for s in scoped):
            common += 1
        tops = Counter(s[common] for s in scopes.values() if len(s) > common)
        if len(tops) < 2 or max(tops.values()) == 1 and len(tops) > 0.8 * len(scopes):
            continue
        if step > 1:
            scopes = {n: _scope_of(n, op_of[n], sep) for n in drawn}
        return scopes  # whole paths: a shared outer scope opens by itself (one box says nothing)
    return None
