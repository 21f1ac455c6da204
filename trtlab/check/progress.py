"""Progress and cancellation of a check: numbered steps, each named once, and a cancel flag."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ..cancel import is_cancelled

STAGES = ("load", "partition", "reference", "precision", "build", "accuracy", "timing", "done")


@dataclass(frozen=True)
class CheckEvent:
    """Progress of a check: `stage` (one of STAGES), `done` of `total` steps, a message, and
    the precision and engine it concerns, where it concerns one."""

    stage: str
    done: int
    total: int
    message: str
    precision: str | None = None
    engine: str | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


class Progress:
    """Counts the steps of one check and reports them. Steps are planned up front (`plan_steps`)
    so the count only goes up and each step is named once."""

    def __init__(self, callback: Callable[[CheckEvent], object] | None, cancel: Any = None):
        self.callback, self.cancel = callback, cancel
        self.done, self.total = 0, 1
        self.elapsed: dict[str, float] = {}
        self._stage, self._start = None, time.perf_counter()

    def plan_steps(self, total: int) -> None:
        self.total = max(total, self.done + 1)

    def step(self, stage: str, message: str, **about) -> None:
        """A new step: it counts up one."""
        self._clock(stage)
        self.done = min(self.done + 1, self.total)
        self.event(stage, message, **about)

    def event(self, stage: str, message: str, *, precision: str | None = None,
              engine: str | None = None) -> None:
        """Word from inside the current step (an engine's build phase); the count stays."""
        if self.callback is not None:
            self.callback(CheckEvent(stage, self.done, self.total, message, precision, engine))

    def finish(self) -> None:
        self._clock(None)
        self.done = self.total
        self.event("done", "finished")

    def _clock(self, stage: str | None) -> None:
        now = time.perf_counter()
        if self._stage is not None:
            self.elapsed[self._stage] = self.elapsed.get(self._stage, 0.0) + now - self._start
        self._stage, self._start = stage, now

    @property
    def cancelled(self) -> bool:
        return is_cancelled(self.cancel)
