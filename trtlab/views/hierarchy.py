"""Nested groups of a model's nodes, so a graph of any size opens as a few dozen boxes.

- Constant nodes (no inputs) are not drawn: they, like initializers, are attributes of the nodes
  that read them (`Hierarchy.constants`).
- Groups come first from the module paths names carry ("/layer1/layer1.0/conv1/Conv",
  "transformer.h.10.mlp.act/Add_1", "stage1_conv0"; see `scopes`), the numbered repeats of a
  module ("h.0" ... "h.11") marked alike. Names an exporter numbered ("p2o.Conv.0", "Conv_3")
  carry none: groups then come from structure, blocks cut where the model repeats itself (see
  `blocks`), never in the middle of a repeated block.
- An after-graph groups each TensorRT engine's nodes.
- A level holds about `FANOUT` items; a longer one is cut into consecutive parts, at most two
  levels of them, so nesting is at most two levels deeper than the model's own scopes.

Item ids: ``n:<node name>`` for a node, ``g:<path>`` for a group.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from ..errors import TrtlabError
from ..words import counted, short
from .blocks import LEAF, blocks
from .scopes import scopes

if TYPE_CHECKING:
    from ..model import Model
    from ..plan import Plan

FANOUT = 30  # about the most items one level shows
_NUMBERED_PART = re.compile(r"(?<=[./:_])\d+(?=$|[./:])")  # "h.0", "layer1.0": not "layer1"


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

    def find(self, query: str, *, regex: bool = False) -> list[str]:
        """Drawn nodes that `query` names, in order: a node whose whole name is it, or a whole
        part of it ("h.4" finds "h.4.mlp.act/Add_1"; "Conv_4500" not "Conv_45000", "h.1/Add"
        not "h.1/Add_1"), a node of
        that op type, or the node that makes (or the first that reads) a tensor so named; any
        case. With `regex`, a node or tensor name the pattern matches anywhere
        (``^Conv_45\\d$``)."""
        q = query.strip()
        if not q:
            return []
        try:
            pattern = re.compile(q if regex else rf"(?<![^\W_]){re.escape(q)}(?![^\W_]|_\d)", re.I)
        except re.error as exc:
            raise TrtlabError(f"'{q}' is not a regular expression: {exc}.",
                              hint="Escape characters such as ( [ * with a backslash, or search as plain text.") from None
        wanted = set()
        for n in self.model.nodes:
            if pattern.search(n.name) or (not regex and n.op_type.lower() == q.lower()):
                wanted.add(n.name)
            for t in n.output:
                if t and t != n.name and pattern.search(t):
                    wanted.add(n.name)
        for t in self.model.inputs:
            if pattern.search(t):
                wanted.update(self.model.consumers.get(t, ())[:1])
        drawn_set = set(self.drawn)
        for n in list(wanted - drawn_set):  # a folded Constant: the node that reads it
            for t in self.model.node_by_name[n].output:
                wanted.update(c for c in self.model.consumers.get(t, ()) if c in drawn_set)
        return [n for n in self.drawn if n in wanted]

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
    """Groups for a before-graph: module paths when names carry them, else repeated blocks."""
    drawn, constants = folded_constants(model)
    builder = _Builder(model, fanout)
    found = scopes(model, drawn) if len(drawn) > fanout else None
    if len(drawn) <= fanout:
        root = [node_id(n) for n in drawn]
    elif found is not None:
        root = builder.scope_tree(drawn, found)
    else:
        root = builder.structure(drawn)
    while len(root) == 1 and root[0].startswith("g:"):  # one box says nothing: open it
        root = builder.groups.pop(root[0]).children
    builder.mark_repeats()
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
    items = [i for _, i in order]
    if len(items) > fanout:  # runs of fallback nodes, then parts that say what they hold
        items = builder.fallback_runs(items)
    root = builder.bounded(items, "g:", name=builder.after_part_name)
    return Hierarchy(model, root, builder.groups, drawn, constants)


class _Builder:
    def __init__(self, model: "Model", fanout: int):
        self.model = model
        self.fanout = fanout
        self.groups: dict[str, Group] = {}
        self._signatures: dict[str, tuple] = {}  # block -> its op sequence, as `blocks` found it

    def add(self, gid: str, name: str, kind: str, children: list[str], members: list[str]) -> str:
        self.groups[gid] = Group(gid, name, kind, children, members)
        return gid

    def members_of(self, items: Sequence[str]) -> list[str]:
        out: list[str] = []
        for i in items:
            out.extend(self.groups[i].members if i.startswith("g:") else [i[2:]])
        return out

    def bounded(self, items: list[str], prefix: str, levels: int = 2,
                name: Callable[[int, list[str]], str] | None = None) -> list[str]:
        """`items` if few enough, else consecutive parts of them: one level of parts, or two
        where one would hold more than `fanout` parts (up to `levels`). A level holds at most
        `fanout` parts; with more items than that many levels hold, the lowest parts grow
        rather than nest deeper. `name(k, chunk)` names part k."""
        n = len(items)
        if n <= self.fanout:
            return items
        depth = 1 if levels == 1 or n <= self.fanout ** 2 else 2
        size = math.ceil(n / min(self.fanout ** depth, math.ceil(n / self.fanout)))
        parts = []
        dot = "." if prefix != "g:" else ""
        for k in range(0, n, size):
            chunk = items[k:k + size]
            if len(chunk) == 1:
                parts.append(chunk[0])
                continue
            gid = f"{prefix}{dot}p{k // size}"
            label = name(k // size + 1, chunk) if name else f"part {k // size + 1}"
            parts.append(self.add(gid, label, "part", chunk, self.members_of(chunk)))
        return parts if depth == 1 else self.bounded(parts, f"{prefix}{dot}p", levels=1, name=name)

    # ------------------------------------------------------------ after-graphs
    def fallback_runs(self, items: list[str]) -> list[str]:
        """Consecutive nodes outside the engines, two or more, as one group each."""
        out: list[str] = []
        run: list[str] = []
        for item in items + ["g:end"]:
            if item.startswith("n:"):
                run.append(item)
                continue
            if len(run) > 1:
                gid = f"g:f{len(self.groups)}"
                label = f"{counted(len(run), 'node')} outside TensorRT from {short(run[0][2:], 30)}"
                out.append(self.add(gid, label, "fallback", run, [n[2:] for n in run]))
            else:
                out.extend(run)
            run = []
            out.append(item)
        return out[:-1]

    def after_part_name(self, k: int, chunk: list[str]) -> str:
        engines = sum(1 for i in chunk if i in self.groups and self.groups[i].kind == "engine")
        outside = len(self.members_of([i for i in chunk if i not in self.groups or self.groups[i].kind != "engine"]))
        held = [counted(engines, "engine")] if engines else []
        held += [f"{counted(outside, 'node')} outside TensorRT"] if outside else []
        return f"part {k}: {', '.join(held)}"

    def mark_repeats(self) -> None:
        """Groups alike: blocks with the same op sequence; scopes that are numbered repeats of
        one module ("h.0" ... "h.11": an exporter may put a layer's shared mask in the first)."""
        key = {gid: self._signatures[gid] if g.kind == "block" else (_NUMBERED_PART.sub("#", g.name),)
               for gid, g in self.groups.items()
               if g.kind == "block" or g.kind == "scope" and _NUMBERED_PART.search(g.name)}
        alike = Counter(key.values())
        for gid, k in key.items():
            self.groups[gid].repeats = alike[k]

    # ------------------------------------------------------------ scopes
    def scope_tree(self, drawn: list[str], found: dict[str, tuple[str, ...]]) -> list[str]:
        tree: dict = {}
        for name in drawn:  # a nested dict per scope; nodes in order under the key None
            level = tree
            for part in found[name]:
                level = level.setdefault(part, {})
            level.setdefault(None, []).append(name)
        return self._scope_items(tree, "", "g:")

    def _scope_items(self, level: dict, path: str, gid: str) -> list[str]:
        items: list[tuple[int, str]] = [(self.model.index[n], node_id(n)) for n in level.get(None, [])]
        for k, (part, sub) in enumerate((p, s) for p, s in level.items() if p is not None):
            name = path + part if path else part.lstrip("/.:_")
            child_gid = f"{gid}{'.' if gid != 'g:' else ''}{k}"
            while len(sub) == 1 and None not in sub:  # a scope of one scope: one box, the longer name
                (inner, sub), = sub.items()
                name += inner
            children = self._scope_items(sub, name, child_gid)
            if len(children) == 1:  # a scope of one item: the item itself
                only = children[0]
                items.append((self.model.index[self.members_of([only])[0]], only))
                continue
            members = sorted(self.members_of(children), key=self.model.index.__getitem__)
            self.add(child_gid, name, "scope", children, members)
            items.append((self.model.index[members[0]], child_gid))
        items.sort(key=lambda t: t[0])
        return self.bounded([i for _, i in items], gid)

    # ------------------------------------------------------------ structure
    def structure(self, drawn: list[str]) -> list[str]:
        """Blocks at the model's repeats, each a group; a long list of them cut into parts. A
        block holds about the cube root of the node count (24 at least), so that parts, blocks
        and nodes are three levels of about equal width."""
        items: list[str] = []
        unit = 1  # blocks are numbered by the repeats they hold: "block 7", "blocks 9-12"
        leaf = max(LEAF, math.ceil(len(drawn) ** (1 / 3)))
        for k, block in enumerate(blocks(self.model, drawn, leaf)):
            first, unit = unit, unit + block.units
            if len(block.nodes) == 1:
                items.append(node_id(block.nodes[0]))
                continue
            gid = f"g:b{k}"
            children = [node_id(n) for n in block.nodes]
            if len(children) > 2 * self.fanout:  # one unit too big to show flat
                children = self.bounded(children, gid, levels=1)
            name = f"block {first}" if block.units == 1 else f"blocks {first}\u2013{unit - 1}"
            self.add(gid, name, "block", children, block.nodes)
            self._signatures[gid] = block.signature
            items.append(gid)
        return self.bounded(items, "g:", levels=1)
