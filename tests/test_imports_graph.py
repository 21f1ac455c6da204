"""The import graph, read from the source: every `import` (at the top, inside functions, for type
checking) and every `importlib.import_module` string. It has no cycles but the MXNet op registry's,
and it follows the layers of the README's architecture table, which names every top-level module
and package of trtlab/.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import trtlab

ROOT = Path(trtlab.__file__).parent
README = ROOT.parent / "README.md"

# The MXNet converters register themselves with a decorator, and the registry loads them all.
REGISTRY_LOOP = ["trtlab.loaders.mxnet.ops", "trtlab.loaders.mxnet.ops.elementwise", "trtlab.loaders.mxnet.ops.nn",
                 "trtlab.loaders.mxnet.ops.tensor", "trtlab.loaders.mxnet.registry"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=1)
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py")}


def _absolute(package: str, level: int, name: str | None) -> str:
    base = package.split(".")[:len(package.split(".")) - level + 1]
    return ".".join(base + ([name] if name else []))


def _import_module_targets(call: ast.Call, package: str) -> tuple[set[str], str | None]:
    """What an `import_module(...)` / `__import__(...)` call loads: its literal argument, or for
    a computed one "absolute" or "relative" (resolved from the module's strings by the caller)."""
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        text = arg.value
        dots = len(text) - len(text.lstrip("."))
        return {_absolute(package, dots, text[dots:] or None) if dots else text}, None
    relative = len(call.args) > 1 or any(k.arg == "package" for k in call.keywords)
    return set(), "relative" if relative else "absolute"


def imports_of(name: str) -> set[str]:
    """The trtlab modules `name` imports anywhere. `from P import x` is an edge to P.x where that
    is a module, else to P (x is then a name P defines)."""
    path, known = modules()[name], modules()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found, computed = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(package, node.level, node.module) if node.level else node.module or ""
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
        elif isinstance(node, ast.Call) and node.args and _called(node) in ("import_module", "__import__"):
            targets, kind = _import_module_targets(node, package)
            found |= targets
            computed |= {kind} - {None}
        elif isinstance(node, ast.Call) and _called(node) == "iter_modules" and "__path__" in ast.dump(node):
            # A package that imports every module of its own (a registry filled by its modules).
            found |= {m for m in known if m.rpartition(".")[0] == package}
    if computed:  # a computed name: any string of this module that names a trtlab module may be it
        for text in (n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)):
            text = text.partition(":")[0]  # "module:function" entries
            found.add(text)
            if "relative" in computed:
                found.add(f"{package}.{text}")
    return {m for m in map(_known_prefix, found) if m and m != name}


def _called(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _known_prefix(dotted: str) -> str | None:
    while dotted and dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted or None


@lru_cache(maxsize=1)
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imports_of(name)) for name in modules()}


def cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan's, without recursion)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


# ---------------------------------------------------------------- the README's architecture table

def unit_of(module: str) -> str:
    """The top-level module or package a module belongs to, as the table writes it: `engines/`,
    `model.py`, `__init__.py` for the package itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__.py"
    top = ROOT / parts[1]
    return f"{parts[1]}/" if top.is_dir() else f"{parts[1]}.py"


def table_rows() -> list[list[str]]:
    """The units of each row of the README's architecture table, lowest layer first. A row's units
    are the backquoted names ending in `/` or `.py` in its first cell that has any."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## Architecture\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert section, "README.md has no '## Architecture' section"
    rows = []
    for line in section.group(1).splitlines():
        if not line.lstrip().startswith("|") or re.fullmatch(r"[\s|:-]*", line):
            continue
        for cell in line.strip().strip("|").split("|"):
            names = re.findall(r"`([\w./]+?(?:/|\.py))`", cell)
            if names:
                rows.append(sorted({n.split("/")[0] + "/" if "/" in n else n for n in names}))
                break
    assert rows, "README.md's architecture section has no table naming modules"
    return rows


def layer_of() -> dict[str, int]:
    layers: dict[str, int] = {}
    for row, units in enumerate(table_rows()):
        for unit in units:
            assert unit not in layers, f"README's architecture table names `{unit}` in two rows: keep one"
            layers[unit] = row
    return layers


def on_disk_units() -> set[str]:
    return {unit_of(m) for m in modules()}


def _row_text(row: int) -> str:
    return ", ".join(f"`{u}`" for u in table_rows()[row])


def where_to_add(unit: str) -> str:
    """The row a unit missing from the table belongs in: the lowest that holds all it imports."""
    layers = layer_of()
    imported = {unit_of(m) for name in modules() if unit_of(name) == unit for m in graph()[name]} - {unit}
    rows = [layers[u] for u in imported if u in layers]
    row = max(rows, default=0)
    why = (f"the lowest layer that holds all it imports: {', '.join(sorted(u for u in imported if u in layers))}"
           if rows else "it imports no other part of trtlab")
    return (f"trtlab/{unit} is in no row of the README's architecture table (## Architecture): add `{unit}` to "
            f"the row of {_row_text(row)} ({why}), or to a row above it if that fits its job better.")


# ---------------------------------------------------------------- the tests

def test_no_import_cycles_but_the_mxnet_op_registry():
    found = [c for c in cycles(graph()) if c != REGISTRY_LOOP]
    assert found == [], "import cycles:\n" + "\n".join(
        f"  {len(c)} modules, e.g. " + " imports ".join(shortest_loop(graph(), c)) for c in found)


def unit_graph() -> dict[str, frozenset[str]]:
    units: dict[str, set[str]] = {}
    for name, imported in graph().items():
        units.setdefault(unit_of(name), set()).update(unit_of(m) for m in imported) 
    return {u: frozenset(v - {u}) for u, v in units.items()}


def test_top_level_parts_import_each_other_one_way():
    """engines/ and timing/ (say) may not reach each other, even through different modules."""
    found = cycles(unit_graph())
    assert found == [], "top-level parts that import each other:\n" + "\n".join(
        "  " + "; ".join(_example_edge(a, b) for a, b in zip(loop, loop[1:]))
        for loop in (shortest_loop(unit_graph(), c) for c in found))


def _example_edge(unit: str, other: str) -> str:
    a, b = min((a, b) for a in graph() if unit_of(a) == unit for b in graph()[a] if unit_of(b) == other)
    return f"{a} imports {b}"


def shortest_loop(edges: dict[str, frozenset[str]], members: list[str]) -> list[str]:
    """The shortest loop from the component's first member back to it: [a, b, ..., a]."""
    inside, start = set(members), members[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier and start not in came_from:
        frontier = [came_from.setdefault(b, a) and b for a in frontier for b in sorted(edges[a] & inside)
                    if b not in came_from]
    path = [start]
    while len(path) == 1 or path[-1] != start:
        path.append(came_from[path[-1]])
    return path[::-1]


def test_every_top_level_module_and_package_is_in_the_architecture_table():
    layers = layer_of()
    missing = sorted(on_disk_units() - set(layers))
    assert missing == [], "\n".join(where_to_add(u) for u in missing)
    stale = sorted(set(layers) - on_disk_units())
    assert stale == [], "\n".join(f"README's architecture table names `{u}`, which is not in trtlab/: remove it"
                                  for u in stale)


def test_imports_follow_the_layers_of_the_architecture_table():
    layers = layer_of()
    upward = sorted(f"{a} imports {b}: {unit_of(a)} is below {unit_of(b)} in the README's architecture table"
                    for a, imported in graph().items() for b in imported
                    if unit_of(a) in layers and unit_of(b) in layers and layers[unit_of(a)] < layers[unit_of(b)])
    assert upward == [], ("imports that run upward (move the code, or the module to another row of the table):\n"
                          + "\n".join(upward))


def test_the_graph_sees_lazy_and_string_imports():
    """What this test reads, checked on modules that import each way."""
    computed = graph()["trtlab.cli"]  # subcommands by name through import_module(f".{name}", __name__)
    assert {"trtlab.cli.check", "trtlab.cli.inspect"} <= computed
    assert "trtlab.zoo.mobilenet" in graph()["trtlab.zoo"]  # "module:function" registry entries
    assert "trtlab.fusion.engine_precision" in graph()["trtlab.check.engines"]  # imported inside a function
    assert {"trtlab.loaders.onnx_file", "trtlab.loaders.mxnet"} <= graph()["trtlab.loaders"]  # found on its __path__


def test_cycles_are_found_and_a_chain_is_none():
    assert cycles({"a": frozenset("b"), "b": frozenset("c"), "c": frozenset("a"), "d": frozenset("a")}) == [["a", "b", "c"]]
    assert cycles({"a": frozenset("b"), "b": frozenset("c"), "c": frozenset()}) == []
