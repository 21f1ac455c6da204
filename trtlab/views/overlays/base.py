"""What every overlay shares: the `Overlay` it registers, the per-node data it reads (`NodeData`),
and the colours and keys overlays agree on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ...precision_registry import REFERENCE
from ...words import clip
from ..status import NodeStatus

if TYPE_CHECKING:
    from ...check import CheckResult

PALETTE = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#ffed6f",
           "#bc80bd", "#ccebc5"]
NONE_FILL = "#eeeeee"

# node -> category key, and key -> (fill, legend label)
Categories = tuple[dict[str, str], dict[str, tuple[str, str]]]


@dataclass
class NodeData:
    """Everything an overlay or a details pane says about each node: the plan's own facts
    (coverage status, engine, why a node falls back) and per-node values by name ("precision",
    "precision_reason", "error", or a new overlay's own), given by a check or a caller."""

    statuses: dict[str, NodeStatus]
    engine_of: dict[str, int] = field(default_factory=dict)  # node -> engine id (absent: outside)
    fallback: dict[str, str] = field(default_factory=dict)  # node -> why it runs outside TensorRT
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = ""  # "tensorrt coverage", "plan"

    def value(self, name: str) -> dict[str, Any]:
        return self.values.get(name, {})

    @property
    def precision(self) -> dict[str, str]:
        return self.value("precision")

    @property
    def precision_reason(self) -> dict[str, str]:
        return self.value("precision_reason")

    @property
    def error(self) -> dict[str, float]:
        return self.value("error")

    def overlays(self) -> list[list[str]]:
        """[value, label] of the overlays this data can show, in their order."""
        return [[o.name, o.label] for o in known() if o.shows(self)]


@dataclass(frozen=True)
class Overlay:
    """One way of colouring a graph's boxes. `categories(data, names)` gives each node's category
    and the legend; `tip(data, name)` one node's tooltip (None: its category's label);
    `shows(data)` whether the data can show it; `from_check(result)` the per-node values a check
    gives it, by name (see `NodeData.values`)."""

    name: str
    label: str  # in the overlay menu: "accuracy error"
    order: int  # place in the menu
    categories: Callable[[NodeData, list[str]], Categories]
    shows: Callable[[NodeData], bool] = lambda data: True
    tip: Callable[[NodeData, str], str | None] = lambda data, name: None
    from_check: Callable[["CheckResult"], dict[str, dict]] = lambda result: {}

    @property
    def module(self) -> str:
        """The module that defines it (its test mirrors that module)."""
        return self.categories.__module__


_OVERLAYS: dict[str, Overlay] = {}


def register(overlay: Overlay) -> Overlay:
    """Add an overlay (one of the same name is replaced)."""
    _OVERLAYS[overlay.name] = overlay
    return overlay


def unregister(name: str) -> None:
    _OVERLAYS.pop(name, None)


def known() -> list[Overlay]:
    return sorted(_OVERLAYS.values(), key=lambda o: o.order)


def colour(k: int) -> str:
    """The k-th category colour: the palette, then hues spread by the golden angle (no repeats)."""
    if k < len(PALETTE):
        return PALETTE[k]
    return f"hsl({(k * 137.508) % 360:.0f}, 55%, 72%)"


def reason_key(reason: str) -> str:
    """Reasons that differ only in a node's own details fall under one key."""
    return clip(reason, 60)


def shown_precision(result: "CheckResult") -> str:
    """The precision a check's overlays show: its last reduced precision that ran (measured, or
    the transform alone under --no-build), else fp32."""
    ran = {r.precision for r in result.accuracy}
    reduced = [p for p in result.precisions if p != REFERENCE.name and p in ran]
    return reduced[-1] if reduced else REFERENCE.name
