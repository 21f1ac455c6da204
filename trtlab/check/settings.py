"""`CheckSettings`: everything a check does besides the model, as one object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any, Mapping, Sequence

from ..accuracy.tolerances import tolerances_dict
from ..errors import TrtlabError
from ..precision_registry import REFERENCE, check_precision
from ..profiles import as_profiles
from ..settings import PartitionSettings

# The default limit on one engine build: deep graphs can take minutes, a stuck build never ends.
BUILD_TIMEOUT_S = 600.0
TIME_SHAPES = ("opt", "all")  # where a check over profiles times: at opt, or at every point


@dataclass(frozen=True)
class TimingOptions:
    """trtexec-style: warm up for `warmup_ms`, then at least `iterations` runs and `seconds`."""

    warmup_ms: float = 200.0
    iterations: int = 10
    seconds: float = 1.0

    def to_dict(self) -> dict:
        return {"warmup_ms": self.warmup_ms, "iterations": self.iterations, "seconds": self.seconds}


@dataclass(frozen=True)
class CheckSettings:
    """What `trtlab.check` does.

    - ``precisions``: the precisions to measure, each ending in one status (pass, fail, not measured).
    - ``partition``: coverage source, min_block_size and overrides (a `PartitionSettings`).
    - ``inputs`` fixes dynamic input shapes; ``params`` is an MXNet .params file; ``feeds`` real
      input values (a dict or an .npz path) instead of random ones.
    - ``calibration``: samples for the calibrated (Q/DQ) precisions (a directory of .npy/.npz files or a list of {input: array}).
    - ``cache_dir``: engine cache directory; True for the default one, None/False for none.
    - ``build_timeout_s``: time limit of one engine build (None: no limit).
    - ``reference_timeout_s``: time limit of the fp32 reference run (None: `trtlab.limits`' default).
    - ``per_node``: also find the nodes where reduced-precision error enters.
    - ``tolerances``: {precision or "precision:output": Tolerance, a number or (atol, rtol)}
      over the defaults (see `trtlab.accuracy.tolerances`).
    - ``keep_fp32``: node names to keep in fp32 at every reduced precision (left unquantized at
      int8), or "auto": where a precision fails, search for a small set that makes it pass and
      verify it with engines built that way (at most ``keep_fp32_bound`` of the nodes).
    - ``profiles``: optimisation profiles (`trtlab.profiles.Profile`, or {input: {"min", "opt",
      "max"}}, or a list of them): the check runs at the first one's opt shapes, builds engines
      with every profile, and measures accuracy at each one's min, opt and max too.
    - ``time_shapes``: "opt" times at the check's own shapes; "all" at every point of the
      profiles too, a timing row per point, each saying its shapes.
    """

    precisions: tuple[str, ...] = ("fp32",)
    partition: PartitionSettings = field(default_factory=PartitionSettings)
    inputs: Mapping[str, Sequence[int]] | None = None
    params: str | os.PathLike | None = None
    feeds: Any = None
    calibration: Any = None
    cache_dir: str | os.PathLike | bool | None = True
    build: bool = True
    build_timeout_s: float | None = BUILD_TIMEOUT_S
    reference_timeout_s: float | None = None  # the fp32 reference run's limit (None: the default)
    timing: bool = True
    timing_options: TimingOptions = field(default_factory=TimingOptions)
    per_node: bool = False
    tolerances: Mapping | None = None
    provider: str = "auto"
    keep_fp32: Sequence[str] | str | None = None
    keep_fp32_bound: float = 0.1
    profiles: Any = ()
    time_shapes: str = "opt"

    def __post_init__(self):
        object.__setattr__(self, "profiles", as_profiles(self.profiles))
        if self.time_shapes not in TIME_SHAPES:
            raise TrtlabError(f"time_shapes is one of {', '.join(TIME_SHAPES)}; got {self.time_shapes!r}.",
                              hint='"opt" times at the profile\'s opt shapes only, "all" at each min, opt and max.')
        precisions = [self.precisions] if isinstance(self.precisions, str) else list(self.precisions)
        object.__setattr__(self, "precisions", tuple(dict.fromkeys(check_precision(p) for p in precisions))
                           or (REFERENCE.name,))
        keep = self.keep_fp32
        if keep is not None and keep != "auto":
            object.__setattr__(self, "keep_fp32", tuple([keep] if isinstance(keep, str) else keep) or None)
        if not 0 < self.keep_fp32_bound <= 1:
            raise TrtlabError(f"keep_fp32_bound is a share of the model's nodes, above 0 and at most 1; "
                              f"got {self.keep_fp32_bound!r}.")
        if isinstance(self.timing_options, Mapping):
            object.__setattr__(self, "timing_options", TimingOptions(**self.timing_options))

    @classmethod
    def make(cls, settings: "CheckSettings | str | Sequence[str] | None" = None, **options) -> "CheckSettings":
        """Settings from an object, a list of precisions, or keywords (`check`'s own shorthand):
        partition keywords (coverage, min_block_size, exclude_ops, ...) go into `partition`."""
        if isinstance(settings, (str, list, tuple)):
            options.setdefault("precisions", settings)
            settings = None
        base = settings or cls()
        names = {f.name for f in fields(cls)}
        part = {k: options.pop(k) for k in list(options) if k in {f.name for f in fields(PartitionSettings)}}
        unknown = set(options) - names
        if unknown:
            raise TypeError(f"check() got unknown settings: {', '.join(sorted(unknown))}")
        if part:
            options["partition"] = options.get("partition", base.partition).replace(**part)
        return replace(base, **options) if options else base

    def load_shapes(self) -> dict | None:
        """The input shapes the model is loaded at: those of the `feeds`' arrays, then `inputs`,
        then the first profile's opt shapes, each over the one before (as on the command line)."""
        shapes = {}
        if self.feeds is not None:
            from ..feeds import feed_shapes

            shapes.update(feed_shapes(self.feeds))
        shapes.update(dict(self.inputs or {}))
        if self.profiles:
            shapes.update(self.profiles[0].at("opt"))
        return shapes or None

    def to_dict(self) -> dict:
        return {"precisions": list(self.precisions), "partition": self.partition.to_dict(),
                "build": self.build, "build_timeout_s": self.build_timeout_s, "timing": self.timing,
                "timing_options": self.timing_options.to_dict(), "per_node": self.per_node,
                "provider": self.provider, "real_feeds": self.feeds is not None,
                "tolerances": tolerances_dict(self.precisions, self.tolerances),
                "keep_fp32": self.keep_fp32 if self.keep_fp32 in (None, "auto") else list(self.keep_fp32),
                "keep_fp32_bound": self.keep_fp32_bound,
                "profiles": [p.to_dict() for p in self.profiles], "time_shapes": self.time_shapes,
                "calibration": None if self.calibration is None else str(self.calibration)
                if isinstance(self.calibration, (str, os.PathLike)) else "given"}
