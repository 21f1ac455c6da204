"""The accuracy-error overlay: the error each node adds, where a check measured it (per-node
error), in bins from under 1e-4 to 0.1 or more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import NONE_FILL, Categories, NodeData, Overlay, register, shown_precision

if TYPE_CHECKING:
    from ...check import CheckResult

ERROR_BINS = [(1e-4, "#1a9850", "under 1e-4"), (1e-3, "#91cf60", "1e-4 to 1e-3"),
              (1e-2, "#fee08b", "1e-3 to 1e-2"), (1e-1, "#fc8d59", "1e-2 to 0.1"),
              (float("inf"), "#d73027", "0.1 or more")]


def categories(data: NodeData, names: list[str]) -> Categories:
    keys, legend = {}, {"none": (NONE_FILL, "not measured")}
    for n in names:
        v = data.error.get(n)
        if v is None:
            keys[n] = "none"
            continue
        k = next(k for k, (limit, _, _) in enumerate(ERROR_BINS) if abs(v) < limit)
        keys[n] = f"b{k}"
        legend[f"b{k}"] = ERROR_BINS[k][1:]
    return keys, legend


def tip(data: NodeData, name: str) -> str | None:
    return f"error {data.error[name]:.3g}" if name in data.error else None


def from_check(result: "CheckResult") -> dict[str, dict]:
    """The error each node adds, in the precision the overlays show; nothing where not measured."""
    errors = result.node_errors.get(shown_precision(result))
    return {"error": {e.node: float(e.added_error) for e in errors.nodes}} if errors is not None else {}


ERROR = register(Overlay("error", "accuracy error", 30, categories, shows=lambda data: bool(data.error),
                         tip=tip, from_check=from_check))
