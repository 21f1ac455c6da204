"""`TimingResult`: one latency measurement as plain data (JSON, optionally a pandas row)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..profiles import shapes_text

# Above this coefficient of variation the numbers move too much to compare: trtexec's own bar.
UNSTABLE_CV = 0.025


@dataclass(frozen=True)
class TimingResult:
    backend: str  # "ONNX Runtime CPU", "PyTorch 2.11 eager", "TensorRT", "MXNet 1.9.1 executor", ...
    precision: str
    device: str  # "CPU: <model name>" or the GPU's name
    batch: int
    samples_ms: list[float] = field(repr=False)
    mean_ms: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    min_ms: float = 0.0
    max_ms: float = 0.0
    throughput: float = 0.0  # samples (batch items) per second
    cv: float = 0.0  # standard deviation / mean
    warmup_ms: float = 0.0
    # GPU only: mean host-to-device, compute and device-to-host times, measured apart.
    h2d_ms: float | None = None
    compute_ms: float | None = None
    d2h_ms: float | None = None
    host_ms: float | None = None  # GPU only: mean wall time of a run on the host, synchronisation included
    # ONNX Runtime ran the TensorRT subgraphs: a latency, never a TensorRT figure or speed-up.
    stand_in: bool = False
    note: str = ""
    shapes: Mapping[str, Sequence[int]] = field(default_factory=dict)  # the input shapes it ran at, where known
    profile: int | None = None  # over optimisation profiles: the profile's number (from 0) it ran in
    point: str = ""  # and which of its points: "min", "opt" or "max"

    def __post_init__(self):
        object.__setattr__(self, "shapes", {k: tuple(int(d) for d in v) for k, v in dict(self.shapes).items()})

    @classmethod
    def from_samples(cls, samples_ms, *, backend: str, precision: str, device: str, batch: int,
                     **extra) -> "TimingResult":
        s = np.asarray(samples_ms, dtype=np.float64)
        if s.size == 0:
            raise ValueError("no timing samples")
        mean = float(s.mean())
        p50, p90, p95, p99 = (float(v) for v in np.percentile(s, [50, 90, 95, 99]))
        return cls(backend=backend, precision=precision, device=device, batch=int(batch),
                   samples_ms=[float(v) for v in s], mean_ms=mean, p50_ms=p50, p90_ms=p90,
                   p95_ms=p95, p99_ms=p99, min_ms=float(s.min()), max_ms=float(s.max()),
                   throughput=1000.0 * batch / mean if mean > 0 else 0.0,
                   cv=float(s.std() / mean) if mean > 0 else 0.0, **extra)

    @property
    def iterations(self) -> int:
        return len(self.samples_ms)

    @property
    def unstable(self) -> bool:
        return self.cv > UNSTABLE_CV

    @property
    def warning(self) -> str:
        if not self.unstable:
            return ""
        return (f"unstable: latency varies by {self.cv:.1%} (cv above {UNSTABLE_CV:.1%}); "
                "close other programs, pin clocks or time longer before comparing")

    def to_dict(self, samples: bool = True) -> dict:
        d = asdict(self)
        if not samples:
            d.pop("samples_ms")
        d["iterations"] = self.iterations
        d["unstable"] = self.unstable
        d["warning"] = self.warning
        return d

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        text = (f"{self.backend} {self.precision} on {self.device}, batch {self.batch}: "
                f"mean {self.mean_ms:.3f} ms, p50 {self.p50_ms:.3f}, p90 {self.p90_ms:.3f}, "
                f"p99 {self.p99_ms:.3f} ms, cv {self.cv:.1%}, {self.throughput:.1f}/s over {self.iterations} runs")
        if self.compute_ms is not None:
            text += f" (H2D {self.h2d_ms:.3f} + compute {self.compute_ms:.3f} + D2H {self.d2h_ms:.3f} ms)"
        if self.note:
            text += f"; {self.note}"
        if self.point:
            text += f"; {self.at_text()}"
        return text + (f" [{self.warning}]" if self.unstable else "")

    def at_text(self) -> str:
        """"at x 1x3x8x8 (profile 1, min)": where over optimisation profiles it ran; "" elsewhere."""
        at = shapes_text(self.shapes)
        return f"at {at} (profile {self.profile + 1}, {self.point})" if self.point else ""

    def __repr__(self) -> str:
        return f"<TimingResult {self.summary()}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


def to_dataframe(results):
    """A pandas DataFrame with one row per result (samples left out); needs pandas."""
    from .._optional import require

    pd = require("pandas", None, "A timing table as a DataFrame")
    return pd.DataFrame([r.to_dict(samples=False) for r in results])
