"""The package's shape: modules that read in one sitting, notebook packages kept to the top layers,
tests that mirror the package. The import graph and the layers: test_imports_graph.py."""

from __future__ import annotations

import ast
from pathlib import Path

import trtlab

ROOT = Path(trtlab.__file__).parent
MAX_LINES = 400


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


# Modules with no behaviour of their own: the `python -m trtlab` entry (it runs cli.main, tested in
# tests/cli) and the version string.
NO_BEHAVIOUR = {"__main__.py", "_version.py"}


def test_every_module_has_its_mirror_test():
    """trtlab/PKG/MOD.py is tested in tests/PKG/test_MOD.py (a leading underscore dropped)."""
    tests = Path(__file__).parent
    missing = []
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT)
        if p.name == "__init__.py" or str(rel) in NO_BEHAVIOUR:
            continue
        mirror = tests.joinpath(*rel.parts[:-1], "test_" + p.stem.lstrip("_") + ".py")
        if not mirror.exists():
            missing.append(f"{rel} -> {mirror.relative_to(tests.parent)}")
    assert missing == [], "write the mirror test of: " + ", ".join(missing)


MAX_PARAMETERS = 8


def _parameter_count(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Every parameter a caller can pass: positional-only, positional, keyword-only, and *args and **kwargs
    one each. A method's self or cls is not counted (the caller never passes it)."""
    a = fn.args
    positional = [p.arg for p in a.posonlyargs + a.args]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    return len(positional) + len(a.kwonlyargs) + (a.vararg is not None) + (a.kwarg is not None)


def test_no_function_takes_more_than_8_parameters():
    offenders = []
    for p in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _parameter_count(node) > MAX_PARAMETERS:
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno} {node.name} ({_parameter_count(node)})")
    assert offenders == [], "group related parameters into a small options dataclass: " + ", ".join(offenders)
