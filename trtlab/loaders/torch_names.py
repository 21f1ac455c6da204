"""Readable node names for exported PyTorch modules: the module path that made each node.

TorchScript names nodes by scope ("/layer1/layer1.0/conv1/Conv"); the dynamo exporter records
the module path in each node's metadata ("pkg.torch.onnx.name_scopes"). Both become
"layer1.0.conv1" where that module made only that node, "layer1.0/Add" otherwise.
"""

from __future__ import annotations

import re
from collections import Counter

import onnx

_SCOPE = re.compile(r"^/(.*)/([A-Za-z]+)(_\d+)?$")
_SCOPES_KEY = "pkg.torch.onnx.name_scopes"
# Per-node metadata the dynamo exporter writes that nothing here reads: the Python stack and the
# FX node text, often larger than the node itself.
_BULKY_METADATA = ("pkg.torch.onnx.stack_trace", "pkg.torch.onnx.fx_node")


def readable_names(graph: onnx.GraphProto, strip_prefix: str = "") -> None:
    """Rename the nodes of a TorchScript export: '/layer1/layer1.0/conv1/Conv' -> 'layer1.0.conv1'
    when that module made only that node; otherwise the op is kept: 'layer1.0/Add', 'se/Mul';
    '/Relu_1' -> 'Relu_1'. `strip_prefix` drops a wrapper's attribute name ("inner.")."""
    def module_path(scope: str) -> str:
        path, prev = "", ""
        for part in scope.split("/"):
            # TorchScript scopes repeat the parent's name: layer1 / layer1.0 / conv1, down / down.0.
            if prev and part.startswith(prev + "."):
                path = path[:len(path) - len(prev)] + part
            else:
                path = f"{path}.{part}" if path else part
            prev = part
        return path

    parsed = {}
    for n in graph.node:
        m = _SCOPE.match(n.name)
        if m:
            path = module_path(m.group(1))
            if strip_prefix and (path + ".").startswith(strip_prefix):
                path = path[len(strip_prefix):]
            parsed[n.name] = (path, m.group(2) + (m.group(3) or ""))
    _apply(graph, parsed, fallback=lambda n: n.name.lstrip("/") or n.op_type)


def strip_wrapper(graph: onnx.GraphProto, attribute: str) -> None:
    """Tensor names of a module exported inside a wrapper, as if exported alone:
    '/inner/embeddings/Add_output_0' -> '/embeddings/Add_output_0', 'inner.fc.weight' -> 'fc.weight'."""
    scope, dotted = f"/{attribute}/", f"{attribute}."

    def new(name: str) -> str:
        if name.startswith(scope):
            return "/" + name[len(scope):]
        return name[len(dotted):] if name.startswith(dotted) else name

    graphs, todo = [], [graph]
    while todo:
        g = todo.pop()
        graphs.append(g)
        todo.extend(sub for n in g.node for a in n.attribute for sub in ([a.g] if a.HasField("g") else a.graphs))
    names = set()
    for g in graphs:
        names.update(t for n in g.node for t in (*n.input, *n.output))
        names.update(t.name for t in g.initializer)
        names.update(vi.name for vi in (*g.input, *g.output, *g.value_info))
    renamed = {t: new(t) for t in names if new(t) != t}
    if not renamed or set(renamed.values()) & (names - set(renamed)):
        return  # a stripped name would collide with one already there
    for g in graphs:
        for n in g.node:
            for field in (n.input, n.output):
                for i, t in enumerate(field):
                    field[i] = renamed.get(t, t)
        for item in (*g.initializer, *g.input, *g.output, *g.value_info):
            item.name = renamed.get(item.name, item.name)


def readable_dynamo_names(graph: onnx.GraphProto) -> None:
    """Rename the nodes of a dynamo export from their recorded module path, and drop the bulky
    per-node metadata."""
    parsed = {}
    for n in graph.node:
        meta = {p.key: p.value for p in n.metadata_props}
        scopes = _literal_list(meta.get(_SCOPES_KEY, ""))
        # ['', 'layer1', 'layer1.0', 'add']: module paths, then the traced op's own name.
        path = scopes[-2] if len(scopes) >= 3 else ""
        parsed[n.name] = (path, n.op_type)
        keep = [p for p in n.metadata_props if p.key not in _BULKY_METADATA]
        if len(keep) != len(n.metadata_props):
            del n.metadata_props[:]
            n.metadata_props.extend(keep)
    _apply(graph, parsed, fallback=lambda n: n.op_type)


def _apply(graph: onnx.GraphProto, parsed: dict, fallback) -> None:
    per_module = Counter(path for path, _ in parsed.values() if path)
    # A module whose submodules also made nodes (a residual block's Add) keeps the op in the name.
    parents = {path.rsplit(".", i)[0] for path in per_module for i in range(1, path.count(".") + 1)}
    wanted = []
    for n in graph.node:
        if n.name in parsed:
            path, op = parsed[n.name]
            if not path:
                wanted.append(op)
            else:
                wanted.append(path if per_module[path] == 1 and path not in parents else f"{path}/{op}")
        else:
            wanted.append(fallback(n))
    counts, seen = Counter(wanted), Counter()
    taken = set(w for w in wanted if counts[w] == 1)
    for n, new in zip(graph.node, wanted):
        if counts[new] > 1:
            # The same op twice in one module: 'encoder.layer.0.attention/MatMul_1'.
            while True:
                seen[new] += 1
                candidate = new if seen[new] == 1 else f"{new}_{seen[new] - 1}"
                if candidate not in taken:
                    break
            new = candidate
            taken.add(new)
        n.name = new


def _literal_list(text: str) -> list[str]:
    """"['', 'a', 'a.b']" -> ['', 'a', 'a.b'] without evaluating anything."""
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return []
    return [m.group(2) for m in re.finditer(r"(['\"])(.*?)\1", text[1:-1])]
