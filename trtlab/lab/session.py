"""The Lab's state without widgets: a model, its coverage per source and precision, and plans.

Every control of the Lab maps to one `Settings`; plans are cached by it, so going back to a
setting already seen costs a dictionary look-up.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Mapping

from . import background
from ..coverage import CoverageReport, apply_overrides, coverage
from ..model import Model
from ..partition import partition
from ..plan import Plan
from ..settings import PartitionSettings

PRESETS = (("TensorRT support table", "tensorrt"), ("installed TensorRT parser", "parser"),
           ("MXNet 1.3 integration", "mxnet-1.3"))


@dataclass(frozen=True)
class Settings:
    """One state of the Lab's controls: the precision and the partition settings."""

    precision: str = "fp32"
    partition: PartitionSettings = field(default_factory=PartitionSettings)

    @property
    def source(self) -> str:
        return self.partition.coverage

    def to_dict(self) -> dict:
        return {"precision": self.precision, **self.partition.to_dict()}


class Session:
    """Coverage and plans for one model, cached."""

    def __init__(self, model: Model, *, max_plans: int = 64):
        self.model = model
        self._base: dict[tuple[str, str], CoverageReport] = {}
        self._pending: dict[tuple[str, str], threading.Thread] = {}
        self._plans: OrderedDict[Settings, Plan] = OrderedDict()
        self._max_plans = max_plans

    def base_coverage(self, source: str, precision: str) -> CoverageReport:
        key = (source, precision)
        pending = self._pending.get(key)
        if pending is not None:
            pending.join()  # a prefetch is under way: wait for it rather than parse twice
        if key not in self._base:
            self._base[key] = coverage(self.model, source, precision)
        return self._base[key]

    def prefetch(self, source: str, precision: str) -> None:
        """Compute a coverage in the background (the real parser takes a moment on big models),
        so switching to it later is instant. Errors are left for the switch to report."""
        key = (source, precision)
        if key in self._base or key in self._pending:
            return

        def work():
            try:
                self._base[key] = coverage(self.model, source, precision)
            except Exception:  # reported when the user switches to it
                pass

        self._pending[key] = background.start(work, name=f"trtlab-coverage-{source}")

    def stop(self) -> None:
        """Wait for coverage still being computed in the background."""
        background.stop(list(self._pending.values()))

    def op_defaults(self, source: str, precision: str) -> dict[str, bool]:
        """Op type -> allowed by the source (True when it accepts any node of that type)."""
        base = self.base_coverage(source, precision)
        out: dict[str, bool] = {}
        for v in base.verdicts.values():
            out[v.op] = out.get(v.op, False) or v.supported
        return out

    def op_reasons(self, source: str, precision: str) -> dict[str, str]:
        """Op type -> the source's reason for its first rejected node ('' when all accepted)."""
        out: dict[str, str] = {}
        for v in self.base_coverage(source, precision).verdicts.values():
            if not v.supported and not out.get(v.op):
                out[v.op] = v.reason
            else:
                out.setdefault(v.op, "")
        return out

    def settings_for(self, source: str, precision: str, allowed: Mapping[str, bool],
                     min_block_size: int, base: PartitionSettings | None = None) -> Settings:
        """Turn the op checkboxes into overrides relative to the source's own verdicts; node
        overrides in `base` are kept."""
        defaults = self.op_defaults(source, precision)
        exclude = frozenset(op for op, ok in allowed.items() if not ok and defaults.get(op, False))
        include = frozenset(op for op, ok in allowed.items() if ok and not defaults.get(op, True))
        part = (base or PartitionSettings()).replace(coverage=source, min_block_size=int(min_block_size),
                                                     exclude_ops=exclude, include_ops=include)
        return Settings(precision, part)

    def coverage(self, s: Settings) -> CoverageReport:
        return apply_overrides(self.base_coverage(s.source, s.precision), self.model, s.partition)

    def plan(self, s: Settings) -> Plan:
        plan = self._plans.get(s)
        if plan is None:
            plan = partition(self.model, self.base_coverage(s.source, s.precision), s.precision,
                             settings=s.partition)
            self._plans[s] = plan
            while len(self._plans) > self._max_plans:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(s)
        return plan

    def sweep(self, s: Settings, sizes) -> list[tuple[int, Plan]]:
        """Plans for each min_block_size in `sizes`, other settings fixed."""
        return [(k, self.plan(replace(s, partition=s.partition.replace(min_block_size=int(k))))) for k in sizes]

