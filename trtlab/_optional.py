"""Lazy imports of optional heavy packages, each naming the extra that provides it.

Nothing in trtlab imports tensorrt, mxnet, torch, onnxruntime, ipywidgets or plotly at module
import time; code that needs one calls a function here at the moment it needs it.
"""

from __future__ import annotations

import contextlib
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
    """ONNX Runtime, imported with its own warnings kept off the terminal: at import it prints a
    coloured telemetry warning where HOME is not writable, and later ones (a node placed on
    another provider) mean nothing to a user; its errors still raise."""
    import sys

    if "onnxruntime" in sys.modules:
        return sys.modules["onnxruntime"]
    with _native_warnings_dropped("[W:onnxruntime"):
        ort = require("onnxruntime", None, purpose)
    try:
        ort.set_default_logger_severity(3)  # errors and fatal only
    except AttributeError:
        pass
    return ort


@contextlib.contextmanager
def _native_warnings_dropped(prefix: str):
    """While active, lines a native library writes to file descriptor 2 that hold `prefix` are
    dropped; every other line is passed on to stderr when it ends."""
    import os
    import sys
    import tempfile

    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (a notebook kernel may have one)
        yield
        return
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().splitlines(keepends=True) if prefix.encode() not in line]
            if kept:
                os.write(2, b"".join(kept))


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
