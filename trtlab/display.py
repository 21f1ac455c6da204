"""How results show themselves, without the data layers importing the rendering layer.

`Plan`, `CheckResult`, `AccuracyReport` and `BuildResult` ask here for their text, notebook bundle
and HTML file. The rendering layer registers a renderer for each type it knows (`renders`) when it
is imported, and `trtlab/__init__` imports it: the registry is filled from above and read from
below, and nothing here imports upward.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import TrtlabError

KINDS = ("text", "mimebundle", "html_file")
_RENDERERS: dict[tuple[str, type], Callable] = {}


def renders(kind: str, cls: type) -> Callable:
    """Register a renderer of `kind` ("text", "mimebundle", "html_file") for `cls` and its subclasses."""
    if kind not in KINDS:
        raise ValueError(f"unknown renderer kind {kind!r}; one of {', '.join(KINDS)}")

    def register(fn: Callable) -> Callable:
        _RENDERERS[(kind, cls)] = fn
        return fn
    return register


def _renderer(kind: str, obj: Any) -> Callable:
    for cls in type(obj).__mro__:
        if (kind, cls) in _RENDERERS:
            return _RENDERERS[(kind, cls)]
    raise TrtlabError(f"Nothing renders a {type(obj).__name__} as {kind}.",
                      hint="Import trtlab (its package registers the renderers of trtlab.report).")


def text(obj: Any) -> str:
    return _renderer("text", obj)(obj)


def mimebundle(obj: Any) -> dict:
    return _renderer("mimebundle", obj)(obj)


def write_html(obj: Any, path) -> Any:
    return _renderer("html_file", obj)(obj, path)
