"""The package's shape: layers that depend one way, modules that read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import trtlab

ROOT = Path(trtlab.__file__).parent
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    """trtlab modules `path` imports anywhere: at the top, inside functions, or for type checking."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "trtlab")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "trtlab":
                continue
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)  # `from . import x` names a module
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    return {name: {m for m in _imports(path, name) if m in files and m != name} for name, path in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def _without_packages(graph):
    """A module importing from its own package's __init__ (which re-exports it) is no cycle."""
    return {v: {w for w in ws if not v.startswith(w + ".")} for v, ws in graph.items()}


# The MXNet converters register themselves with a decorator, and the registry loads them all.
REGISTRIES = [["trtlab.loaders.mxnet.ops", "trtlab.loaders.mxnet.ops.elementwise", "trtlab.loaders.mxnet.ops.nn",
               "trtlab.loaders.mxnet.ops.tensor", "trtlab.loaders.mxnet.registry"]]


def test_no_import_cycles_between_modules():
    assert [c for c in _cycles(_without_packages(_graph())) if c not in REGISTRIES] == []


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_layers_below_the_views_import_no_notebook_packages():
    below = [p for p in ROOT.rglob("*.py") if not {"lab", "report", "views", "cli"} & set(p.relative_to(ROOT).parts)]
    offenders = []
    for p in below:
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            offenders += [f"{p.relative_to(ROOT)}: {n}" for n in names
                          if n.split(".")[0] in ("IPython", "ipywidgets", "plotly", "anywidget")]
    assert offenders == []


def test_tests_mirror_the_package():
    tests = Path(__file__).parent
    missing = [str(d.relative_to(ROOT)) for d in ROOT.iterdir()
               if d.is_dir() and (d / "__init__.py").exists() and not (tests / d.name).is_dir()]
    assert missing == []
