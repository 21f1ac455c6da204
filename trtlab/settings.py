"""`PartitionSettings`: how a model is partitioned, as one object.

The coverage source, `min_block_size` and the user's overrides (op types and nodes kept out of
TensorRT or forced in) travel together through `coverage`, `partition`, `check`, the CLI and the
Lab, so no call threads six parameters along.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

from .errors import TrtlabError

SOURCES = ("parser", "tensorrt", "mxnet-1.3")


def check_source(source: str) -> str:
    if source not in SOURCES:
        raise TrtlabError(f"Unknown coverage source {source!r}.", hint=f"Choose one of: {', '.join(SOURCES)}.")
    return source


def _names(values: Iterable[str] | str) -> frozenset:
    if isinstance(values, str):  # a single name, not its letters
        return frozenset([values])
    return frozenset(values)


@dataclass(frozen=True)
class PartitionSettings:
    """What decides a partition besides the model and the precision.

    Overrides apply on top of the coverage source: force-include (ops, then nodes), then
    exclude (ops, then nodes); a node named both ways is excluded.
    """

    coverage: str = "tensorrt"
    min_block_size: int = 1
    exclude_ops: frozenset = field(default_factory=frozenset)
    exclude_nodes: frozenset = field(default_factory=frozenset)
    include_ops: frozenset = field(default_factory=frozenset)
    include_nodes: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        check_source(self.coverage)
        m = self.min_block_size
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise TrtlabError(f"min_block_size must be a whole number of at least 1, not {m!r}.")
        for name in ("exclude_ops", "exclude_nodes", "include_ops", "include_nodes"):
            object.__setattr__(self, name, _names(getattr(self, name)))

    def replace(self, **changes) -> "PartitionSettings":
        return replace(self, **changes)

    @property
    def has_overrides(self) -> bool:
        return bool(self.exclude_ops or self.exclude_nodes or self.include_ops or self.include_nodes)

    def overrides(self) -> dict[str, list[str]]:
        return {"exclude_ops": sorted(self.exclude_ops), "exclude_nodes": sorted(self.exclude_nodes),
                "include_ops": sorted(self.include_ops), "include_nodes": sorted(self.include_nodes)}

    def to_dict(self) -> dict:
        return {"coverage": self.coverage, "min_block_size": self.min_block_size, **self.overrides()}
