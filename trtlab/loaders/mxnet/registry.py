"""Converters by MXNet op name, each with variants per ONNX opset.

    @converter("clip", since=11)
    def clip(ctx, node): ...

`lookup(op, opset)` picks the variant with the highest `since` not above the target opset, so an
opset difference (an attribute that became an input) stays inside one op's module.
"""

from __future__ import annotations

from typing import Callable

Converter = Callable[..., None]

_REGISTRY: dict[str, list[tuple[int, Converter]]] = {}


def converter(*ops: str, since: int = 1) -> Callable[[Converter], Converter]:
    def register(fn: Converter) -> Converter:
        for op in ops:
            variants = _REGISTRY.setdefault(op, [])
            if any(s == since for s, _ in variants):
                raise ValueError(f"two converters for MXNet op {op!r} at opset {since}")
            variants.append((since, fn))
            variants.sort(key=lambda v: v[0])
        return fn
    return register


def lookup(op: str, opset: int) -> Converter | None:
    _load()
    best = None
    for since, fn in _REGISTRY.get(op, ()):
        if since <= opset:
            best = fn
    return best


def supported_ops(opset: int = 17) -> list[str]:
    """MXNet op names that convert at `opset`."""
    _load()
    return sorted(op for op in _REGISTRY if lookup(op, opset) is not None)


def _load() -> None:
    # Importing the op modules fills the registry.
    from . import ops  # noqa: F401
