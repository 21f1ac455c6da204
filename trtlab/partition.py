"""Subgraph partitioning, as the MXNet-TensorRT integration designed it, plus `min_block_size`.

A subgraph is valid for TensorRT when every node in it is supported and replacing it by one node
creates no cycle. The algorithm:

1. For each unsupported node u, its ancestors (reverse BFS) and descendants (BFS) form a pair of
   *incompatible groups*: a subgraph holding a node of one group can hold none of the other, since
   u would sit on a path that leaves the subgraph and comes back.
2. Subgraphs are added one at a time: start from a supported node not yet placed and grow
   depth-first over inputs and outputs, inputs first. A node joins when it is supported, in no
   other subgraph, and not incompatible with the subgraph so far; each new member adds its own
   incompatible nodes.
3. That rule looks at one subgraph at a time, so two subgraphs can still close a cycle
   between them (A -> unsupported -> B and B -> unsupported -> A). When the contracted result
   has a cycle, the subgraphs are grown again with each finished subgraph acting as a blocker
   for the later ones, like an unsupported node.
4. Subgraphs under `min_block_size` nodes fall back (as in Torch-TensorRT). Their nodes now sit
   outside TensorRT like unsupported ones, so the partition is recomputed with them fixed as
   fallback until nothing changes.
5. Subgraphs no path connects go into one engine (an engine may hold disconnected parts: 10,000
   independent nodes are 10 builds, not 10,000). Each subgraph gets a level, the longest path to
   it in the contracted graph, and those of one level merge, up to `MERGED_NODES` nodes an
   engine: every path of the contracted graph climbs in level, so none can leave a merged engine
   and come back, and no cycle forms.
6. Past `MAX_ENGINES` engines, the smallest fall back, with the reason: each engine is a build
   of its own and a hand-over at every run, which past that many costs more than it saves.

Node sets are Python integers used as bitsets (bit i = i-th node in topological order), which
keeps ancestor/descendant sets and the incompatibility test cheap on graphs of 10,000+ nodes.
"""

from __future__ import annotations

from collections import Counter

from .coverage import CoverageReport, apply_overrides, as_settings, coverage as compute_coverage
from .errors import TrtlabError
from .model import Model
from .plan import Fallback, Plan, Subgraph
from .settings import PartitionSettings
from .words import counted

# The most engines a plan holds (see step 6 of the module's text).
MAX_ENGINES = 128
# Merged subgraphs stop growing at this many nodes: TensorRT's build time grows faster than the
# layer count (independent layers on a CPU here: 1,000 in 9 s, 2,000 in 55 s, 4,000 in 325 s).
MERGED_NODES = 1000


def partition(model: Model, coverage: "str | PartitionSettings | CoverageReport" = "tensorrt",
              precision: str = "fp32", *, settings: PartitionSettings | None = None, **overrides) -> Plan:
    """Split `model` into TensorRT subgraphs and fallback nodes.

    `coverage` is a source name, a `PartitionSettings`, or a `CoverageReport` already computed for
    this model (its source's own verdicts; `settings` and the overrides apply on top). Keyword
    overrides (``min_block_size=``, ``exclude_ops=``, ...) are the short way to give settings.
    """
    if isinstance(coverage, CoverageReport):
        if coverage.verdicts.keys() != model.node_by_name.keys():
            raise TrtlabError("The coverage report was made for another model: its nodes differ.",
                              hint="Compute it with trtlab.coverage(model, ...) for this model.")
        settings = as_settings(settings or PartitionSettings(coverage=coverage.source), **overrides)
        report = apply_overrides(coverage, model, settings)
    else:
        settings = as_settings(settings or coverage, **overrides)
        report = compute_coverage(model, settings, precision)
    min_block_size = settings.min_block_size
    graph = _Graph(model)
    verdicts = report.verdicts
    supported = [verdicts[name].supported for name in model.node_table.names]
    small: dict[int, int] = {}  # node index -> size of the too-small block it was in
    constant: set[int] = set()  # nodes of blocks that compute only from constants
    while True:
        groups = graph.grow(supported)
        if not graph.contracted_acyclic(groups):
            groups = graph.grow(supported, exact=True)
        newly_small = [g for g in groups if len(g) < min_block_size]
        newly_constant = [g for g in groups if len(g) >= min_block_size and _constant_only(model, g)]
        if not newly_small and not newly_constant:
            break
        for g in newly_small:
            for i in g:
                small[i] = len(g)
                supported[i] = False
        for g in newly_constant:
            constant.update(g)
            for i in g:
                supported[i] = False
    groups = graph.merged_by_level(groups)
    capped: dict[int, int] = {}  # node index -> size of the block left out by the engine cap
    for g in sorted(groups, key=len, reverse=True)[MAX_ENGINES:]:
        for i in g:
            capped[i] = len(g)
    groups = [g for g in groups if g[0] not in capped]
    return _make_plan(model, graph, report, groups, (small, capped, constant), settings)


def _constant_only(model: Model, group: list[int]) -> bool:
    """Whether a block reads nothing but constants (a lone Constant node): an engine of it would
    have no input, and ONNX Runtime folds it."""
    table = model.node_table
    produced = {o for i in group for o in table.outputs[i]}
    return all(t in produced or t in model.initializer_names for i in group for t in table.reads[i])


class _Graph:
    """Adjacency and reachability of a model's nodes, by topological index."""

    def __init__(self, model: Model):
        table = model.node_table
        n = len(table)
        self.n = n
        made_by = table.producers
        self.preds: list[list[int]] = []
        self.succs: list[list[int]] = [[] for _ in range(n)]
        preds, succs = self.preds, self.succs
        for ci, r in enumerate(table.reads):
            if len(r) == 1:  # the usual case, without a set
                p = made_by.get(r[0], ci)
                ps = [p] if p != ci else []
            else:
                ps = {made_by[t] for t in r if t in made_by}
                ps.discard(ci)
                ps = sorted(ps)
            preds.append(ps)
            for pi in ps:
                succs[pi].append(ci)  # in rising order of ci: sorted, each once

    def incompatible(self, supported: list[bool], clusters: list[list[int]] = ()) -> list[int]:
        """For each node, the nodes it may not share a subgraph with, as a bitset.

        A *blocker* is an unsupported node or an already formed subgraph (contracted to one
        node). For a blocker b with ancestors A(b) and descendants D(b), every node in A(b) is
        incompatible with all of D(b) and the other way round. Per node v that is the union of
        D(b) over blockers below v and of A(b) over blockers above v: two dynamic programmes
        over a topological order of the contracted graph.
        """
        if not clusters and all(supported):
            return [0] * self.n  # no blocker, nothing incompatible (a long chain: no n² bitsets)
        mask = [1 << i for i in range(self.n)]
        blocker = [not s for s in supported]
        for c in clusters:
            m = 0
            for i in c:
                m |= 1 << i
            mask[c[0]] = m
            blocker[c[0]] = True
        if clusters:
            rep, reps, preds, succs = self._contract(clusters)
            order = _topological(reps, preds, succs)
        else:
            rep, preds, succs = list(range(self.n)), self.preds, self.succs
            order = rep
        anc: dict[int, int] | list[int] = {} if clusters else [0] * self.n
        up: dict[int, int] | list[int] = {} if clusters else [0] * self.n
        for v in order:
            a = u = 0
            for p in preds[v]:
                a |= anc[p] | mask[p]
                u |= up[p]
                if blocker[p]:
                    u |= anc[p]
            anc[v], up[v] = a, u
        desc: dict[int, int] | list[int] = {} if clusters else [0] * self.n
        down: dict[int, int] | list[int] = {} if clusters else [0] * self.n
        for v in reversed(order):
            d = w = 0
            for s in succs[v]:
                d |= desc[s] | mask[s]
                w |= down[s]
                if blocker[s]:
                    w |= desc[s]
            desc[v], down[v] = d, w
        return [up[rep[v]] | down[rep[v]] for v in range(self.n)]

    def grow(self, supported: list[bool], exact: bool = False) -> list[list[int]]:
        """The design's subgraphs, as sorted lists of node indices.

        With `exact`, each finished subgraph becomes a blocker for the ones grown after it, so
        no chain of subgraphs can close a cycle (the design's rule alone can allow one).
        """
        inc = self.incompatible(supported)
        placed = [False] * self.n
        groups: list[list[int]] = []
        for start in range(self.n):
            if placed[start] or not supported[start]:
                continue
            members = [start]
            placed[start] = True
            banned = inc[start]
            stack = self._neighbours(start)
            while stack:
                v = stack.pop()
                if placed[v] or not supported[v] or (banned >> v) & 1:
                    continue
                placed[v] = True
                members.append(v)
                banned |= inc[v]
                stack.extend(self._neighbours(v))
            groups.append(sorted(members))
            if exact:
                inc = self.incompatible(supported, groups)
        return groups

    def merged_by_level(self, groups: list[list[int]]) -> list[list[int]]:
        """`groups` with those of one level in the contracted graph merged (step 5 above)."""
        if len(groups) < 2:
            return groups
        rep, reps, preds, succs = self._contract(groups)
        level: dict[int, int] = {}
        for r in _topological(reps, preds, succs):
            level[r] = max((level[p] + 1 for p in preds[r]), default=0)
        bins: dict[int, list[list[int]]] = {}  # level -> its merged engines, each up to MERGED_NODES
        for g in groups:
            filling = bins.setdefault(level[g[0]], [[]])
            if filling[-1] and len(filling[-1]) + len(g) > MERGED_NODES:
                filling.append([])
            filling[-1].extend(g)
        return sorted((sorted(b) for level_bins in bins.values() for b in level_bins), key=lambda g: g[0])

    def contracted_acyclic(self, groups: list[list[int]]) -> bool:
        _, reps, preds, succs = self._contract(groups)
        return len(_topological(reps, preds, succs, strict=False)) == len(reps)

    def _contract(self, groups: list[list[int]]):
        """The graph with each group replaced by its first node: (rep of each node, the reps,
        their predecessors, their successors)."""
        rep = list(range(self.n))
        for g in groups:
            for i in g:
                rep[i] = g[0]
        reps = [i for i in range(self.n) if rep[i] == i]
        preds: dict[int, set[int]] = {r: set() for r in reps}
        succs: dict[int, set[int]] = {r: set() for r in reps}
        for v in range(self.n):
            for s in self.succs[v]:
                a, b = rep[v], rep[s]
                if a != b:
                    succs[a].add(b)
                    preds[b].add(a)
        return rep, reps, preds, succs

    def _neighbours(self, v: int) -> list[int]:
        # Popped from the end: inputs are pushed last so they are explored first.
        return self.succs[v][::-1] + self.preds[v][::-1]


def _topological(nodes: list[int], preds: dict, succs: dict, strict: bool = True) -> list[int]:
    """Kahn's algorithm, smallest index first. Returns fewer nodes than given on a cycle."""
    import heapq

    indeg = {v: len(preds[v]) for v in nodes}
    ready = [v for v in nodes if indeg[v] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        v = heapq.heappop(ready)
        order.append(v)
        for s in succs[v]:
            indeg[s] -= 1
            if indeg[s] == 0:
                heapq.heappush(ready, s)
    if strict and len(order) != len(nodes):
        raise AssertionError("contracted graph has a cycle")
    return order


def _make_plan(model: Model, graph: _Graph, report: CoverageReport, groups: list[list[int]], left_out: tuple,
               settings: PartitionSettings) -> Plan:
    """`left_out`: node index -> the size of its too-small block, the same for the blocks past the
    engine cap, and the nodes of constant-only blocks."""
    table, min_block_size = model.node_table, settings.min_block_size
    node_names, ops, node_outputs = table.names, table.ops, table.outputs
    small, capped, constant = left_out
    graph_outputs = set(model.outputs)
    owner = [-1] * len(table)  # node index -> its group, -1 for none
    for gi, g in enumerate(groups):
        for i in g:
            owner[i] = gi
    subgraphs = []
    reads, succs, constants = table.reads, graph.succs, model.initializer_names
    for gi, g in enumerate(groups):
        names = [node_names[i] for i in g]
        produced = [o for i in g for o in node_outputs[i] if o]
        produced_set = set(produced)
        inputs, seen = [], set()
        for i in g:
            for t in reads[i]:
                if t in produced_set or t in constants or t in seen:
                    continue
                seen.add(t)
                inputs.append(t)
        # Read outside: what a node of another group (or none) reads of this group's nodes.
        read_outside = {t for i in g for s in succs[i] if owner[s] != gi
                        for t in node_outputs[i] if t in reads[s]}
        outputs = [t for t in produced if t in graph_outputs or t in read_outside]
        subgraphs.append(Subgraph(id=gi, nodes=names, inputs=inputs, outputs=outputs,
                                  op_counts=dict(Counter(ops[i] for i in g))))
    fallback = []
    for i, name in enumerate(node_names):
        if owner[i] >= 0:
            continue
        if i in small:
            reason = (f"supported, but its TensorRT block has only {counted(small[i], 'node')}, "
                      f"under min_block_size={min_block_size}")
        elif i in capped:
            reason = (f"supported, but its TensorRT block ({counted(capped[i], 'node')}) is not among the "
                      f"{MAX_ENGINES} largest: past {MAX_ENGINES} engines each more costs a build and a "
                      "hand-over at every run than it saves")
        elif i in constant:
            reason = ("supported, but its TensorRT block computes only from constants: an engine of it "
                      "would have no input (ONNX Runtime computes it once)")
        else:
            reason = report.verdicts[name].reason
        fallback.append(Fallback(name, ops[i], reason))
    return Plan(model=model, coverage=report, min_block_size=min_block_size, subgraphs=subgraphs,
                fallback_nodes=fallback, small_block_nodes=[node_names[i] for i in sorted(small)],
                settings=settings)


def recommend_min_block_size(plan: Plan, tolerance_pct: float = 5.0) -> tuple[int, str]:
    """(value, why): the `min_block_size` that drops the most small engines while keeping
    TensorRT coverage within `tolerance_pct` points of what `min_block_size=1` reaches (fewer,
    larger engines, each saving its boundary copies and launch, for little lost coverage:
    Torch-TensorRT's dry run makes the same trade), at the smallest value that gives that
    partition, so a model of one block is never told to need a block of its whole size."""
    base = plan if plan.min_block_size == 1 else partition(plan.model, plan.coverage)
    if len(base.subgraphs) == 1 and len(base.subgraphs[0].nodes) > 1:  # what the loop finds, without
        return 1, f"every value up to {len(base.subgraphs[0].nodes)} gives the same 1 engine"  # partitioning again
    by_value = {1: base}
    for m in sorted({len(s.nodes) for s in base.subgraphs} - {1}):
        candidate = partition(plan.model, plan.coverage, min_block_size=m)
        if candidate.coverage_pct >= base.coverage_pct - tolerance_pct:
            by_value[m] = candidate
    chosen = by_value[max(by_value)]
    value = min(m for m, p in by_value.items() if _same_engines(p, chosen))
    if value == 1 or _same_engines(chosen, base):
        return value, (f"every value up to {max(by_value)} gives the same {counted(base.engine_count, 'engine')}"
                       if max(by_value) > 1 else "no smaller engines to drop")
    dropped = base.engine_count - chosen.engine_count
    return value, (f"drops {counted(dropped, 'engine')} under {counted(value, 'node')}: "
                   f"{counted(chosen.engine_count, 'engine')}, coverage {chosen.coverage_pct:.1f}% "
                   f"instead of {base.coverage_pct:.1f}%")


def _same_engines(a: Plan, b: Plan) -> bool:
    return sorted(map(sorted, (s.nodes for s in a.subgraphs))) == sorted(map(sorted, (s.nodes for s in b.subgraphs)))


def compare_with_parser(plan: Plan) -> str:
    """How the TensorRT ONNX parser's own partition (`supports_model_v2`) differs from `plan`."""
    from .coverage.parser import ask_parser

    result = ask_parser(plan.model)
    ours = [set(s.nodes) for s in plan.subgraphs]
    theirs = [set(s) for s in result.subgraphs if s]
    lines = [f"{result.label} parser: {counted(len(theirs), 'subgraph')}; trtlab: {counted(len(ours), 'engine')}."]
    same = [s for s in theirs if s in ours]
    if len(same) == len(theirs) == len(ours):
        lines.append("The two partitions are identical.")
        return "\n".join(lines)
    lines.append(
        "The parser cuts the nodes' topological order into runs at each unsupported node, so "
        "branches that are independent of an unsupported node still end up on one side of it; "
        "trtlab grows subgraphs along the graph's edges (the MXNet-TensorRT algorithm), so such branches "
        "can join the subgraph they connect to.")
    fallback = {f.name for f in plan.fallback_nodes}
    for i, s in enumerate(theirs):
        if s in ours:
            continue
        split = sorted({plan.placement()[n] for n in s if n not in fallback} - {None})
        lines.append(f"  parser subgraph {i}, {counted(len(s), 'node')}, maps to trtlab {'engine' if len(split) == 1 else 'engines'} "
                     f"{', '.join(map(str, split)) or '(none)'}"
                     + (f"; {len(s & fallback)} of its nodes fall back in trtlab" if s & fallback else ""))
    rejected = set(result.errors) | {n.name for n in plan.model.nodes if n.op_type in result.unknown_ops}
    only_ours = rejected - fallback
    if only_ours:
        lines.append(f"  nodes the parser rejects but this plan keeps in TensorRT (coverage source "
                     f"'{plan.coverage.source}'): {', '.join(sorted(only_ours)[:10])}")
    return "\n".join(lines)
