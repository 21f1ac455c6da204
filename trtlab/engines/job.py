"""`BuildJob`: everything one engine build is made from, as one frozen object.

The engine cache keys on it (`BuildJob.key_fields`), the build worker receives it (without its
model, which travels as a file: `BuildJob.for_worker`), and the `BuildResult` carries it. The
worker answers with a `BuildOutcome`. This module imports nothing heavy: the worker unpickles it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..profiles import Profile

DEFAULT_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Target:
    """The TensorRT that builds (its module, distribution and version) and where the engine runs
    ("portable" for TensorRT-RTX, else the GPU: see `target.build_target`)."""

    module: str
    distribution: str
    version: str
    where: str
    weakly_typed: bool

    @classmethod
    def of(cls, tensorrt) -> "Target":
        from .target import build_target

        return cls(tensorrt.package, tensorrt.distribution, tensorrt.version, build_target(tensorrt),
                   tensorrt.weakly_typed_flags)

    def tensorrt(self):
        """The `installed_tensorrt.TensorRT` this target names (its module imported on first use)."""
        from ..installed_tensorrt import TensorRT

        return TensorRT(self.module, self.distribution, self.version)


@dataclass(frozen=True)
class BuildSettings:
    """The builder's settings. Only `workspace` changes the engine (and the key); the time limit,
    the timing-cache file and whether the engine's bytes are read back do not."""

    workspace: int | None = None
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    timing_cache: str | None = None
    keep_engine: bool = True


@dataclass(frozen=True)
class Transform:
    """How the fp32 model becomes the model built: the precision transform (`trtlab.precision`)
    to `to`, with its policy (fp16/bf16) and calibration samples (int8)."""

    to: str
    policy: Any = None  # a PrecisionPolicy
    calibration: Any = field(default=None, compare=False, repr=False)

    def key_fields(self) -> dict:
        from ..precision.policy import PrecisionPolicy
        from ..precision_registry import get as get_precision
        from .digests import calibration_digest, transform_id

        to = get_precision(self.to)
        out = {"to": to.name, "code": transform_id()}
        if to.reduced and not to.calibrated:
            out["policy"] = (self.policy or PrecisionPolicy()).to_dict()
        if to.calibrated:
            out["calibration"] = calibration_digest(self.calibration)
        return out


@dataclass(frozen=True)
class BuildJob:
    """One engine to build: `model` (ONNX bytes or a ModelProto) with `digest` its fingerprint;
    `transform` how it becomes the model built (None: it is built as it is); the `precision`
    asked for, the `target`, the builder `settings`, optimisation `profiles`, and the TensorRT 10
    `builder_flags` of the precision (from the precision registry; none where strongly typed)."""

    name: str
    precision: str
    model: Any = field(compare=False, repr=False)
    digest: str = ""
    transform: Transform | None = None
    target: Target | None = None
    settings: BuildSettings = BuildSettings()
    profiles: tuple[Profile, ...] = ()
    builder_flags: tuple[str, ...] = ()

    @property
    def network(self) -> str:
        return "weakly-typed" if self.target.weakly_typed else "strongly-typed"

    def key_fields(self) -> dict:
        """What the engine cache keys on, besides the model's digest and the target."""
        return {"precision": self.precision, "workspace": self.settings.workspace, "network": self.network,
                "builder_flags": list(self.builder_flags),
                "transform": self.transform.key_fields() if self.transform else {"prepared": True},
                "profiles": [p.to_dict() for p in self.profiles]}

    def for_worker(self) -> "BuildJob":
        """This job as the worker receives it: no model (a file carries it), no transform."""
        return replace(self, model=None, transform=None)

    def profiles_dict(self) -> list[dict]:
        return [p.to_dict() for p in self.profiles]


@dataclass
class BuildOutcome:
    """The build worker's answer for one job. `engine`: its bytes (None when not read back, or
    not built); `engine_bytes` its size; `failure` the kind of a refused build ("parser", "shape
    tensor", "unsupported layer", "memory", "crash", "time limit", "cancelled", "builder");
    `log` every builder message as (severity, message); `timing_cache` full TensorRT's cache."""

    built: bool = False
    engine: bytes | str | None = None
    engine_bytes: int = 0
    error: str | None = None
    failure: str | None = None
    build_s: float = 0.0
    log: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timing_cache: bytes | None = None


def failed(error: str, elapsed: float = 0.0, failure: str | None = None) -> BuildOutcome:
    return BuildOutcome(error=error, build_s=elapsed, failure=failure)
