"""What a check found, as plain data: one verdict per precision, the engines, accuracy, timing,
and in words what was done and what was not.

Its rows are typed and frozen (`Verdict`, `EngineRow`, `AccuracyReport`, `TimingResult`,
`EnginePrecisionRow`, `FusionRow`); each engine's row carries its subgraph id. `to_dict` is the record `trtlab check --json` writes, and
`trtlab.check.record.load_result` reads it back into an equal result."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from .. import display
from ..plan_record import plan_record

if TYPE_CHECKING:
    from ..accuracy import AccuracyReport, NodeErrorReport
    from .keep_search import KeepSearch
    from ..engines import BuildResult
    from ..fusion import EnginePrecision, FusionSavings
    from ..model import Model
    from ..plan import Plan
    from ..timing import TimingResult
    from .settings import CheckSettings

PASS, FAIL, NOT_MEASURED = "pass", "fail", "not measured"


@dataclass(frozen=True)
class Verdict:
    """How one precision ended: `pass` or `fail` only where the converted model ran and was
    compared (`ran` says on what: TensorRT engines or ONNX Runtime stand-ins), else
    `not measured` with the reason."""

    precision: str
    status: str
    reason: str = ""
    ran: str = ""

    @property
    def measured(self) -> bool:
        return self.status != NOT_MEASURED

    def to_dict(self) -> dict:
        return {"precision": self.precision, "status": self.status, "reason": self.reason, "ran": self.ran}

    def text(self) -> str:
        out = f"{self.precision}: {self.status.upper() if self.status == FAIL else self.status}"
        out += f": {self.reason}" if self.reason else ""
        return out + (f". Ran on {self.ran}" if self.ran and self.measured else "")


@dataclass(frozen=True)
class EngineRow:
    """One engine of a check: the subgraph it was built for, in one precision, built or found in
    the cache or not built (with the error). The engine's bytes and builder log stay out."""

    subgraph: int
    precision: str
    built: bool
    bytes: int = 0
    build_s: float = 0.0
    cache_hit: bool = False
    builder: str = ""
    messages: tuple[str, ...] = ()
    error: str | None = None
    key: str | None = None
    failure: str | None = None  # the kind of a refused build ("shape tensor", "memory", ...)
    profiles: tuple[dict, ...] = ()  # optimisation profiles: {input: {"min", "opt", "max"}}

    def __post_init__(self):
        object.__setattr__(self, "messages", tuple(self.messages))
        object.__setattr__(self, "profiles", tuple(self.profiles))

    @classmethod
    def of(cls, subgraph: int, build: "BuildResult") -> "EngineRow":
        return cls(subgraph, build.precision, build.built, build.bytes, build.build_s, build.cache_hit,
                   build.builder, tuple(build.messages), build.error, build.key, build.failure,
                   tuple(build.profiles))

    @property
    def name(self) -> str:
        return f"trt_engine_{self.subgraph}"  # as `Subgraph.name`

    def to_dict(self) -> dict:
        d = asdict(self)
        return {"subgraph": d.pop("subgraph"), "name": self.name, **d, "messages": list(self.messages),
                "profiles": list(self.profiles)}


@dataclass(frozen=True)
class EnginePrecisionRow:
    """What the engine of one subgraph runs in, kernel by kernel, as its build log says."""

    subgraph: int
    kernels: "EnginePrecision"

    @property
    def precision(self) -> str:
        """The precision the engine was built for."""
        return self.kernels.requested

    def to_dict(self) -> dict:
        return {"subgraph": self.subgraph, **self.kernels.to_dict()}


@dataclass(frozen=True)
class FusionRow:
    """What fusing saved in the engine of one subgraph, counted from its build (not timed)."""

    subgraph: int
    savings: "FusionSavings"

    @property
    def precision(self) -> str:
        return self.savings.precision

    def to_dict(self) -> dict:
        return {"subgraph": self.subgraph, **self.savings.to_dict()}


@dataclass
class CheckResult:
    plan: "Plan"
    settings: "CheckSettings"
    verdicts: list[Verdict] = field(default_factory=list)
    engines: list[EngineRow] = field(default_factory=list)
    accuracy: list["AccuracyReport"] = field(default_factory=list)
    timing: list["TimingResult"] = field(default_factory=list)
    hybrid_max_abs: float | None = None
    segments: list[dict] = field(default_factory=list)  # the fp32 hybrid run, segment by segment
    node_errors: dict[str, "NodeErrorReport"] = field(default_factory=dict)
    kept_fp32: dict[str, list] = field(default_factory=dict)  # precision -> nodes kept in fp32, with why
    searches: dict[str, "KeepSearch"] = field(default_factory=dict)  # precision -> its keep_fp32="auto" search
    precision_notes: list[str] = field(default_factory=list)  # what the transforms skipped or changed, and why
    engine_precision: list[EnginePrecisionRow] = field(default_factory=list)  # what each engine's kernels run in
    fusion: list[FusionRow] = field(default_factory=list)  # what fusing saved in each engine
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # done, but read the figures with care
    builder: str | None = None
    engines_runnable: bool = False
    random_feeds: bool = True
    cancelled: bool = False
    elapsed_s: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    # Where the check ran (device, TensorRT, versions, when): see `trtlab.check.record.ran_on`.
    ran_on: dict = field(default_factory=dict)
    model_file: dict | None = None  # the model file checked: its path and sha256, where it was a file

    @property
    def model(self) -> "Model":
        return self.plan.model

    @property
    def precisions(self) -> list[str]:
        return list(self.settings.precisions)

    def verdict(self, precision: str) -> Verdict:
        for v in self.verdicts:
            if v.precision == precision:
                return v
        return Verdict(precision, NOT_MEASURED, "the check stopped before this precision")

    def set_verdict(self, precision: str, status: str, reason: str = "", ran: str = "") -> None:
        """The precision's one status; a later word on the same precision replaces it only
        to make it worse (pass -> fail -> not measured)."""
        rank = {PASS: 0, FAIL: 1, NOT_MEASURED: 2}
        new = Verdict(precision, status, reason, ran)
        for i, v in enumerate(self.verdicts):
            if v.precision == precision:
                if rank[status] >= rank[v.status]:
                    self.verdicts[i] = new
                return
        self.verdicts.append(new)

    def replace_verdict(self, precision: str, status: str, reason: str = "", ran: str = "") -> None:
        """The precision's status, whatever it was (a verified search replaces a fail)."""
        self.verdicts[:] = [v for v in self.verdicts if v.precision != precision]
        self.verdicts.append(Verdict(precision, status, reason, ran))

    @property
    def passed(self) -> bool:
        """Every requested precision measured and passed."""
        return all(self.verdict(p).status == PASS for p in self.precisions)

    @property
    def exit_status(self) -> int:
        """0 when every requested precision was measured and passed; 1 otherwise."""
        return 0 if self.passed else 1

    def to_dict(self) -> dict:
        d = self.plan.to_dict()
        d["settings"] = self.settings.to_dict()
        d["verdicts"] = [self.verdict(p).to_dict() for p in self.precisions]
        d["passed"] = self.passed
        d["engines"] = [e.to_dict() for e in self.engines]
        d["accuracy"] = [{**o.to_dict(), "precision": r.precision, "compared": r.label,
                          "shapes": {k: list(v) for k, v in r.shapes.items()}, **r.where()}
                         for r in self.accuracy for o in r.outputs]
        d["timing"] = [t.to_dict() for t in self.timing]
        d["hybrid"] = {"max_abs_vs_reference": self.hybrid_max_abs, "segments": list(self.segments)}
        if self.node_errors:
            d["node_errors"] = {p: r.to_dict() for p, r in self.node_errors.items()}
        if self.kept_fp32:
            d["kept_fp32"] = {p: list(ks) for p, ks in self.kept_fp32.items()}
        if self.searches:
            d["keep_fp32_search"] = {p: s.to_dict() for p, s in self.searches.items()}
        d["precision_notes"] = list(self.precision_notes)
        if self.engine_precision:
            d["engine_precision"] = [row.to_dict() for row in self.engine_precision]
        if self.fusion:
            d["fusion"] = [row.to_dict() for row in self.fusion]
        d["random_feeds"] = self.random_feeds
        d.update(done=list(self.done), not_done=list(self.not_done), warnings=list(self.warnings),
                 cancelled=self.cancelled, builder=self.builder, engines_runnable=self.engines_runnable)
        d["elapsed_s"] = dict(self.elapsed_s)
        d["ran_on"] = dict(self.ran_on)
        d["model_file"] = self.model_file
        d["record"] = plan_record(self.plan)  # what reopening needs: the graph, coverage, settings
        return _finite(d)

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        return display.text(self)

    def save_html(self, path: str | os.PathLike) -> str:
        return str(display.write_html(self, path))

    def __repr__(self) -> str:
        statuses = ", ".join(f"{v.precision} {v.status}" for v in (self.verdict(p) for p in self.precisions))
        return f"<trtlab.CheckResult {self.model.name!r}: {statuses}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return display.mimebundle(self)


def _finite(value):
    """JSON has no NaN or infinity: they become null (the verdict says why)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
