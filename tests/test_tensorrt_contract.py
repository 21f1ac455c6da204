"""Every name trtlab calls on TensorRT objects exists in the installed bindings.

No machine here runs an engine, so the runtime's calls never execute in a test: a misspelt or
renamed method would only show on a user's GPU. The names are collected from trtlab's own source
(its AST), not listed by hand, so a new call is checked the day it is written. A TensorRT object
is recognised by the name of what holds it (`builder`, `network`, `parser`, `config`,
`profile`, `runtime`, `engine`, `context`, `tensor`, ...), as trtlab's code names them, and the
module by `trt`, `mod` or `module` (`trt = tensorrt.module`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trtlab

ROOT = Path(trtlab.__file__).parent

# What holds a TensorRT object in trtlab's code -> the binding's class for it.
HOLDERS = {
    "builder": "Builder", "network": "INetworkDefinition", "parser": "OnnxParser",
    "config": "IBuilderConfig", "profile": "IOptimizationProfile", "runtime": "Runtime",
    "engine": "ICudaEngine", "context": "IExecutionContext", "tensor": "ITensor", "inspector": "EngineInspector",
    "err": "ParserError", "error": "ParserError", "e": "ParserError", "serialized": "IHostMemory",
    "timing": "ITimingCache",
}
MODULE = {"trt", "mod", "module"}  # what holds the TensorRT module itself
# Names that are not TensorRT's: Python's own, on any object.
PYTHON = {"__init__", "__class__", "__name__"}


def tensorrt_modules() -> list[Path]:
    """The modules that touch TensorRT: they import it or take its module from a description."""
    marks = ("require_tensorrt", "find_tensorrt", "tensorrt.module", "capturing_logger", "import tensorrt",
             "trt = importlib.import_module")  # the last: the parser's own process (coverage/parser_child.py)
    return sorted(p for p in ROOT.rglob("*.py") if any(m in p.read_text(encoding="utf-8") for m in marks))


def called_names(source: str) -> set[tuple[str, str]]:
    """(class name or "module", attribute) for every attribute trtlab reads on a TensorRT object
    in `source`, and ("module.X", attribute) for chains such as trt.BuilderFlag.FP16."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        root = node.value
        if isinstance(root, ast.Name):
            holder = root.id
        elif isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name) and root.value.id == "self":
            holder = root.attr.lstrip("_")  # self._runtime, self.context, self.module
        elif (isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name) and root.value.id in MODULE):
            found.add((f"module.{root.attr}", node.attr))
            continue
        else:
            continue
        if node.attr in PYTHON:
            continue
        if holder in MODULE:
            found.add(("module", node.attr))
        elif holder in HOLDERS:
            found.add((HOLDERS[holder], node.attr))
    return found


def missing_in(module, names: set[tuple[str, str]]) -> list[str]:
    out = []
    for owner, attr in sorted(names):
        if owner == "module":
            target = module
        elif owner.startswith("module."):
            target = getattr(module, owner.split(".", 1)[1], None)
            if target is None:
                out.append(f"trt.{owner.split('.', 1)[1]}")
                continue
        else:
            target = getattr(module, owner)
        if not hasattr(target, attr):
            out.append(f"{owner}.{attr}")
    return out


def all_called_names() -> dict[tuple[str, str], list[str]]:
    """Every name, with the modules that call it; the builder flags trtlab sets by name (TensorRT
    10's, from the precision registry) too."""
    from trtlab import precision_registry

    out: dict[tuple[str, str], list[str]] = {}
    for path in tensorrt_modules():
        for name in called_names(path.read_text(encoding="utf-8")):
            out.setdefault(name, []).append(str(path.relative_to(ROOT.parent)))
    for p in precision_registry.PRECISIONS:
        for flag in p.weak_flags:
            out.setdefault(("module.BuilderFlag", flag), []).append("trtlab/precision_registry.py")
    return out


def test_the_collector_finds_what_trtlab_calls_and_would_catch_a_misspelling():
    names = all_called_names()
    for expected in [("Builder", "create_optimization_profile"), ("IOptimizationProfile", "set_shape"),
                     ("IOptimizationProfile", "set_shape_input"), ("IBuilderConfig", "add_optimization_profile"),
                     ("Builder", "build_serialized_network"), ("OnnxParser", "parse_from_file"),
                     ("OnnxParser", "supports_model_v2"), ("Runtime", "deserialize_cuda_engine"),
                     ("ICudaEngine", "create_execution_context"), ("IExecutionContext", "set_input_shape"),
                     ("IExecutionContext", "execute_async_v3"), ("ITensor", "is_shape_tensor"),
                     ("module.BuilderFlag", "FP16"), ("module", "OnnxParser"), ("module", "ILogger"),
                     ("Builder", "create_network"), ("ICudaEngine", "is_shape_inference_io"),
                     ("ICudaEngine", "get_tensor_profile_values"), ("ICudaEngine", "get_tensor_profile_shape"),
                     ("ICudaEngine", "num_optimization_profiles"),
                     ("IExecutionContext", "set_optimization_profile_async")]:
        assert expected in names, expected
    assert len(names) > 40
    wrong = called_names("def f(builder, trt):\n    builder.create_optimisation_profile()\n    trt.BuilderFlag.FP17\n")
    assert wrong == {("Builder", "create_optimisation_profile"), ("module", "BuilderFlag"),
                     ("module.BuilderFlag", "FP17")}


@pytest.mark.parametrize("package", ["tensorrt_rtx", "tensorrt"])
def test_every_name_trtlab_calls_exists_in_the_bindings(package):
    extra = "rtx" if package == "tensorrt_rtx" else "tensorrt"
    trt = pytest.importorskip(package, reason=f"needs {package} installed (pip install 'trtlab[{extra}]')")
    names = all_called_names()
    # Names only full TensorRT has (trtlab reads them only where that TensorRT is installed).
    optional = {("module.BuilderFlag", f) for f in ("FP16", "BF16", "INT8", "FP8")} if package == "tensorrt_rtx" else set()
    missing = missing_in(trt, set(names) - optional)
    assert missing == [], "\n".join(f"{m} (called in {', '.join(names[_key(m)])})" for m in missing)


def _key(text: str) -> tuple[str, str]:
    if text.startswith("trt."):
        return next(k for k in all_called_names() if k[0] == "module." + text[4:])
    owner, _, attr = text.rpartition(".")
    return owner, attr
