"""Build results and progress events: plain data that serialises to JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .. import display


@dataclass(frozen=True)
class BuildEvent:
    """One progress report from the builder.

    kind: "phase_start" (step 0 of `total`), "step_complete" (`step` steps of `total` done)
    or "phase_finish" (step == total). `parent` is the enclosing phase, if any.
    """

    engine: str
    kind: str
    phase: str
    step: int
    total: int
    parent: str | None = None


@dataclass
class BuildResult:
    """What happened when one engine was built (or found in the cache).

    `engine` holds the serialized engine; it is None for a cache hit left on disk
    (`build_engines(read_engines=False)`), which `EngineCache.get(key)` reads. `messages` holds
    notes and the builder's messages down to INFO, as "SEVERITY: message"; `log` the builder's
    whole log at ProfilingVerbosity.DETAILED as (severity, message) pairs, where
    `trtlab.fusion.parse_layer_list` finds the engine's kernels and their precisions (a cache
    hit keeps only those lines). Neither `engine` nor `log` goes into `to_dict`.
    """

    name: str
    precision: str
    built: bool
    bytes: int = 0
    build_s: float = 0.0
    cache_hit: bool = False
    builder: str = ""
    messages: list[str] = field(default_factory=list)
    error: str | None = None
    key: str | None = None
    failure: str | None = None  # the kind of a refused build: see `job.BuildOutcome`
    engine: bytes | None = field(default=None, repr=False)
    log: list[tuple[str, str]] = field(default_factory=list, repr=False)
    job: Any = field(default=None, repr=False, compare=False)  # the BuildJob built

    @property
    def profiles(self) -> list[dict]:
        """The optimisation profiles the engine was built with, as {input: {"min", "opt", "max"}}."""
        return self.job.profiles_dict() if self.job is not None else []

    def to_dict(self) -> dict:
        engine, log, job = self.engine, self.log, self.job
        self.engine, self.log, self.job = None, [], None  # asdict would copy them only to be dropped
        try:
            d = asdict(self)
        finally:
            self.engine, self.log, self.job = engine, log, job
        d.pop("engine"), d.pop("log"), d.pop("job")
        d["profiles"] = self.profiles
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    @property
    def status(self) -> str:
        if not self.built:
            return f"failed: {self.error}"
        return "from cache" if self.cache_hit else f"built in {self.build_s:.2f} s"

    def __repr__(self) -> str:
        size = f", {self.bytes / 1e6:.1f} MB" if self.built else ""
        return f"<BuildResult {self.name} {self.precision} ({self.builder}){size}: {self.status}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return display.mimebundle(self)
