"""How results show themselves, without the data layers importing the rendering layer.

`Plan` and `CheckResult` ask here for their text, notebook bundle and HTML file; `trtlab.report`
registers the renderers (the `renders` decorator) when it is imported, which `_renderer` does on
first use by name. This registry is the one place where a lower layer reaches a higher one.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

_RENDERERS: dict[tuple[str, str], Callable] = {}


def renders(kind: str, type_name: str) -> Callable:
    """Register a renderer of `kind` ("text", "mimebundle", "html_file") for objects whose class
    is called `type_name`."""
    def register(fn: Callable) -> Callable:
        _RENDERERS[(kind, type_name)] = fn
        return fn
    return register


def _renderer(kind: str, obj: Any) -> Callable:
    key = (kind, type(obj).__name__)
    if key not in _RENDERERS:
        importlib.import_module("trtlab.report")
    return _RENDERERS[key]


def text(obj: Any) -> str:
    return _renderer("text", obj)(obj)


def mimebundle(obj: Any) -> dict:
    return _renderer("mimebundle", obj)(obj)


def write_html(obj: Any, path) -> Any:
    return _renderer("html_file", obj)(obj, path)
