"""Lazy imports of optional heavy packages, each naming the extra that provides it.

Nothing in trtlab imports tensorrt, mxnet, torch, onnxruntime, ipywidgets or plotly at module
import time; code that needs one calls a function here at the moment it needs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependency


def require(module: str, extra: str | None, purpose: str) -> ModuleType:
    """Import `module` or raise MissingDependency naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        # A broken install of the package itself must not read as "not installed".
        if exc.name and exc.name.split(".")[0] != module.split(".")[0]:
            raise
        raise MissingDependency(module, extra, purpose) from None


def available(module: str) -> bool:
    try:
        importlib.import_module(module)
    except Exception:
        return False
    return True


def onnxruntime(purpose: str = "Running a model") -> ModuleType:
    return require("onnxruntime", None, purpose)


def mxnet(purpose: str = "Loading MXNet models") -> ModuleType:
    """Import mxnet 1.9 under numpy>=1.24, which removed aliases mxnet still uses."""
    import warnings

    import numpy as np

    with warnings.catch_warnings():
        # numpy warns on the alias lookups below, and mxnet's import touches removed functions.
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        for alias, value in (("bool", bool), ("int", int), ("float", float), ("object", object),
                             ("complex", complex), ("str", str)):
            if not hasattr(np, alias):
                setattr(np, alias, value)
        return require("mxnet", "mxnet", purpose)


def torch(purpose: str = "Loading PyTorch models") -> ModuleType:
    return require("torch", "torch", purpose)
