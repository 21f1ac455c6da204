"""What an ONNX graph goes through to become a `Model` (see `Model.from_proto`): unique node
names, initializers out of the inputs, fixed input shapes, stale value_info dropped, nodes in
topological order, shapes inferred for every tensor."""

from __future__ import annotations

from collections import Counter
from typing import Sequence

import onnx

from .errors import TrtlabError, one_line
from .node_table import NodeTable, all_inputs, has_subgraphs  # noqa: F401 (re-exported)
from .weights import infer_shapes_in_place


def copy_proto(proto: onnx.ModelProto) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    return out


def name_nodes(g: onnx.GraphProto, nodes: NodeTable | None = None) -> None:
    """Give every node a unique, readable name: keep good names, derive the rest. `nodes`, the
    table of `g`'s nodes, gets the new names too."""
    names = nodes.names if nodes is not None else [n.name for n in g.node]
    counts = Counter(names)
    counts.pop("", None)
    if len(counts) == len(names):  # the usual case: every node has a name of its own
        return
    seen: Counter = Counter()
    used = set()
    for i, old in enumerate(names):
        if old and counts[old] == 1:  # a good name stays (and is not written back)
            used.add(old)
            continue
        base = old or f"{g.node[i].op_type}"
        while True:
            seen[base] += 1
            name = f"{base}_{seen[base] - 1}"
            if name not in used and name not in counts:
                break
        g.node[i].name = name
        names[i] = name
        used.add(name)


def drop_initializer_inputs(g: onnx.GraphProto) -> bool:
    """Take initializers out of the graph inputs; whether there were any."""
    inits = {t.name for t in g.initializer}
    keep = [vi for vi in g.input if vi.name not in inits]
    if len(keep) == len(g.input):
        return False
    del g.input[:]
    g.input.extend(keep)
    return True


def fix_input_shapes(g: onnx.GraphProto, shapes: dict[str, Sequence[int]]) -> bool:
    """Give dynamic inputs the sizes in `shapes`; whether the graph changed (value infos and
    output shapes inferred for the old inputs are dropped)."""
    names = [vi.name for vi in g.input]
    unknown = [k for k in shapes if k not in names]
    if unknown:
        raise TrtlabError(
            f"The model has no input named {', '.join(repr(u) for u in unknown)}.",
            hint=f"Its inputs are: {', '.join(names) or '(none)'}.",
        )
    if not shapes:
        return drop_stale_value_info(g)
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
    return True


def drop_stale_value_info(g: onnx.GraphProto) -> bool:
    """Keep the shapes a model carries (custom-domain ops need them: shape inference can't pass
    them), but only for tensors that still exist; whether some were dropped."""
    if not g.value_info:
        return False
    produced = {o for n in g.node for o in n.output}
    keep = [vi for vi in g.value_info if vi.name in produced]
    if len(keep) == len(g.value_info):
        return False
    del g.value_info[:]
    g.value_info.extend(keep)
    return True


def toposort(g: onnx.GraphProto, nodes: NodeTable | None = None) -> NodeTable:
    """Put `g`'s nodes in topological order; returns the table of its nodes in that order, for
    the `Model` to keep rather than walk the nodes again. `nodes`: the table of `g`'s nodes as
    they are, where the caller has it."""
    table = nodes if nodes is not None else NodeTable.of(g.node)
    n = len(table)
    available = {vi.name for vi in g.input} | {t.name for t in g.initializer} | {""}
    producer = table.producers
    reads = table.reads  # once: a subgraph's outer reads take a walk
    # The usual case: nothing to sort, and no sets of dependencies to build for it.
    in_order = all(producer.get(t, -1) < i for i, r in enumerate(reads) for t in r)
    deps = [] if in_order else [{producer[t] for t in r if t in producer} for r in reads]
    order, state = ([], [0] * n) if not in_order else (list(range(n)), [2] * n)
    for start in range(n):
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
                    f"The graph has a cycle through node '{table.names[nxt]}'.",
                    hint="ONNX graphs must be acyclic; re-export the model.",
                )
    missing = {t for r in reads for t in r if t not in producer} - available
    if missing:
        raise TrtlabError(
            f"The graph reads tensors nothing produces: {', '.join(sorted(missing)[:5])}.",
            hint="The ONNX file is incomplete; re-export the model.",
        )
    if order != list(range(n)):
        protos = list(g.node)
        del g.node[:]
        g.node.extend(protos[i] for i in order)
    return table.reordered(order)


def infer_shapes(proto: onnx.ModelProto, nodes: NodeTable | None = None) -> None:
    """ONNX shape inference, with data propagation (shapes computed by Shape -> Gather -> Concat ->
    Reshape) only where no node has a subgraph: inside If branches it writes wrong sizes (an
    Optimum merged decoder's branch gets a ConstantOfShape of 1x1x64 for a 4-element tensor),
    which ONNX Runtime then refuses ("Incompatible dimensions"); the shapes it leaves open there
    come from a run of the model instead (`static_shapes.complete_shapes`). `nodes`: the table of
    the graph's nodes, where the caller has it."""
    try:
        infer_shapes_in_place(proto, check_type=False, strict_mode=False, data_prop=not has_subgraphs(proto.graph, nodes))
    except Exception as exc:  # onnx raises several types here
        raise TrtlabError(
            f"ONNX shape inference failed: {one_line(exc, first=True, limit=None)}.",
            hint="Check the model with onnx.checker.check_model and fix the node it names.",
        ) from None
