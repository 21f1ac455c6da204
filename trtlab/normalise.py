"""What an ONNX graph goes through to become a `Model` (see `Model.from_proto`): unique node
names, initializers out of the inputs, fixed input shapes, stale value_info dropped, nodes in
topological order, shapes inferred for every tensor."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import onnx

from .errors import TrtlabError, one_line
from .weights import infer_shapes_in_place


def copy_proto(proto: onnx.ModelProto) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    return out


def all_inputs(node: onnx.NodeProto) -> list[str]:
    """The tensors `node` reads: its inputs, then what its subgraphs (If, Loop) read from outside."""
    reads = [i for i in node.input if i]
    for attr in node.attribute:
        graphs = [attr.g] if attr.HasField("g") else list(attr.graphs)
        for sub in graphs:
            inner = {o for n in sub.node for o in n.output} | {i.name for i in sub.input} | {
                t.name for t in sub.initializer}
            for n in sub.node:
                reads.extend(i for i in all_inputs(n) if i not in inner)
    return reads


def has_subgraphs(g: onnx.GraphProto) -> bool:
    """Whether a node of `g` holds a graph (If, Loop, Scan)."""
    return any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) for n in g.node for a in n.attribute)


def name_nodes(g: onnx.GraphProto) -> None:
    """Give every node a unique, readable name: keep good names, derive the rest."""
    seen: Counter = Counter()
    used = set()
    counts = Counter(n.name for n in g.node if n.name)
    for n in g.node:
        old = n.name
        if old and counts[old] == 1:  # a good name stays (and is not written back)
            used.add(old)
            continue
        base = old or f"{n.op_type}"
        while True:
            seen[base] += 1
            name = f"{base}_{seen[base] - 1}"
            if name not in used and name not in counts:
                break
        n.name = name
        used.add(name)


def drop_initializer_inputs(g: onnx.GraphProto) -> None:
    inits = {t.name for t in g.initializer}
    keep = [vi for vi in g.input if vi.name not in inits]
    if len(keep) != len(g.input):
        del g.input[:]
        g.input.extend(keep)


def fix_input_shapes(g: onnx.GraphProto, shapes: dict[str, Sequence[int]]) -> None:
    names = [vi.name for vi in g.input]
    unknown = [k for k in shapes if k not in names]
    if unknown:
        raise TrtlabError(
            f"The model has no input named {', '.join(repr(u) for u in unknown)}.",
            hint=f"Its inputs are: {', '.join(names) or '(none)'}.",
        )
    if not shapes:
        drop_stale_value_info(g)
        return
    for vi in g.input:
        if vi.name not in shapes:
            continue
        dims = tuple(int(d) for d in shapes[vi.name])
        tt = vi.type.tensor_type
        old = list(tt.shape.dim) if tt.HasField("shape") else []
        if old and len(old) != len(dims):
            raise TrtlabError(
                f"Input '{vi.name}' has rank {len(old)} but the given shape {dims} has rank {len(dims)}.",
                hint="Give one number per dimension.",
            )
        for i, d in enumerate(old):
            if d.HasField("dim_value") and d.dim_value > 0 and d.dim_value != dims[i]:
                raise TrtlabError(
                    f"Input '{vi.name}' has a fixed dimension {i} of {d.dim_value}, not {dims[i]}.",
                    hint="Only dynamic dimensions can be set.",
                )
        tt.shape.Clear()
        for d in dims:
            tt.shape.dim.add().dim_value = d
    # Shapes inferred for the old dynamic inputs are stale now.
    del g.value_info[:]
    for o in g.output:
        if o.type.HasField("tensor_type") and o.type.tensor_type.HasField("shape"):
            # -1 is how some exporters write "dynamic".
            if any(not d.HasField("dim_value") or d.dim_value < 0 for d in o.type.tensor_type.shape.dim):
                o.type.tensor_type.ClearField("shape")


def drop_stale_value_info(g: onnx.GraphProto) -> None:
    """Keep the shapes a model carries (custom-domain ops need them: shape inference can't pass
    them), but only for tensors that still exist."""
    if not g.value_info:
        return
    produced = {o for n in g.node for o in n.output}
    keep = [vi for vi in g.value_info if vi.name in produced]
    if len(keep) != len(g.value_info):
        del g.value_info[:]
        g.value_info.extend(keep)


def toposort(g: onnx.GraphProto) -> list[list[str]]:
    """Put `g`'s nodes in topological order; returns what each node reads (`all_inputs`), in
    that order, for the `Model` to keep rather than walk the nodes again."""
    nodes = list(g.node)
    available = {vi.name for vi in g.input} | {t.name for t in g.initializer} | {""}
    producer = {o: i for i, n in enumerate(nodes) for o in n.output}
    reads = [all_inputs(n) for n in nodes]  # once: a subgraph's outer reads take a walk
    # The usual case: nothing to sort, and no sets of dependencies to build for it.
    in_order = all(producer.get(t, -1) < i for i, r in enumerate(reads) for t in r)
    deps = [] if in_order else [{producer[t] for t in r if t in producer} for r in reads]
    order, state = ([], [0] * len(nodes)) if not in_order else (list(range(len(nodes))), [2] * len(nodes))
    for start in range(len(nodes)):
        if state[start]:
            continue
        stack = [(start, iter(sorted(deps[start])))]
        state[start] = 1
        while stack:
            i, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                state[i] = 2
                order.append(i)
            elif state[nxt] == 0:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(deps[nxt]))))
            elif state[nxt] == 1:
                raise TrtlabError(
                    f"The graph has a cycle through node '{nodes[nxt].name}'.",
                    hint="ONNX graphs must be acyclic; re-export the model.",
                )
    missing = {t for r in reads for t in r if t not in producer} - available
    if missing:
        raise TrtlabError(
            f"The graph reads tensors nothing produces: {', '.join(sorted(missing)[:5])}.",
            hint="The ONNX file is incomplete; re-export the model.",
        )
    if order != list(range(len(nodes))):
        del g.node[:]
        g.node.extend(nodes[i] for i in order)
    return [reads[i] for i in order]


def infer_shapes(proto: onnx.ModelProto) -> None:
    """ONNX shape inference, with data propagation (shapes computed by Shape -> Gather -> Concat ->
    Reshape) only where no node has a subgraph: inside If branches it writes wrong sizes (an
    Optimum merged decoder's branch gets a ConstantOfShape of 1x1x64 for a 4-element tensor),
    which ONNX Runtime then refuses ("Incompatible dimensions"); the shapes it leaves open there
    come from a run of the model instead (`static_shapes.complete_shapes`)."""
    try:
        infer_shapes_in_place(proto, check_type=False, strict_mode=False, data_prop=not has_subgraphs(proto.graph))
    except Exception as exc:  # onnx raises several types here
        raise TrtlabError(
            f"ONNX shape inference failed: {one_line(exc, first=True, limit=None)}.",
            hint="Check the model with onnx.checker.check_model and fix the node it names.",
        ) from None
