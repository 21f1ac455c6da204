"""A sweep's results on disk and as rows: `DIR/<model>/<precision>.json` holds what `check --json`
prints plus a `sweep` object (the task's key, the worker that ran it, the seconds it took); a
`SweepRow` is one line of the summary, read from such a record or made for a task that never
produced one (cancelled, its worker lost)."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .._io import atomic_write_text
from ..check import NOT_MEASURED

if TYPE_CHECKING:
    from .tasks import Task

# Where a row's figures came from.
RAN, EARLIER, NOT_RUN = "ran", "earlier run", "not run"


@dataclass(frozen=True)
class SweepRow:
    """One (model, precision) of a sweep."""

    model: str
    precision: str
    status: str  # pass, fail, not measured
    reason: str = ""
    ran: str = ""  # what the converted model ran on
    worker: str = ""
    seconds: float | None = None
    latency_ms: float | None = None  # median of the hybrid run in this precision, where timed
    latency_of: str = ""  # what that latency is of
    baseline_ms: float | None = None  # median of the whole fp32 model in ONNX Runtime
    max_rel: float | None = None  # worst output's max error relative to its fp32 scale
    cosine: float | None = None  # worst output's cosine similarity to fp32
    origin: str = RAN  # ran now, kept from an earlier run, or not run
    path: str = ""  # its record, where one was written

    def to_dict(self) -> dict:
        return asdict(self)


def record_path(out: str | Path, task: "Task") -> Path:
    return Path(out) / task.model.label / f"{task.precision}.json"


def write_record(out: str | Path, task: "Task", record: dict) -> Path:
    """The record with its task's key, written atomically (a reader never sees half of it)."""
    record["sweep"] = {"key": task.key, "model": task.model.spec, "model_sha256": task.model.digest,
                       "precision": task.precision, **record.get("sweep", {})}
    return atomic_write_text(record_path(out, task), json.dumps(record, indent=1, allow_nan=False) + "\n")


def earlier_record(out: str | Path, task: "Task") -> dict | None:
    """The record an earlier run wrote for this very task (same model bytes and settings), if
    it holds a final answer; a task that failed for a reason a rerun may not meet again (an
    unexpected error, a lost worker) runs again."""
    path = record_path(out, task)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    meta = record.get("sweep") if isinstance(record, dict) else None
    if not isinstance(meta, dict) or meta.get("key") != task.key or not meta.get("final", False):
        return None
    return record


def row_from_record(record: dict, task: "Task", origin: str, path: Path | None) -> SweepRow:
    precision = task.precision
    verdict = next((v for v in record.get("verdicts", []) if v.get("precision") == precision),
                   {"status": NOT_MEASURED, "reason": "the record holds no verdict for this precision"})
    meta = record.get("sweep", {})
    latency, latency_of = _latency(record.get("timing", []), precision)
    outputs = [a for a in record.get("accuracy", []) if a.get("precision") == precision]
    return SweepRow(task.model.label, precision, verdict.get("status", NOT_MEASURED), verdict.get("reason", ""),
                    verdict.get("ran", ""), meta.get("worker", ""), meta.get("seconds"), latency, latency_of,
                    _baseline(record.get("timing", [])), _worst(outputs, "max_rel", max),
                    _worst(outputs, "cosine", min), origin, str(path) if path else "")


def row_not_run(task: "Task", reason: str, worker: str = "") -> SweepRow:
    return SweepRow(task.model.label, task.precision, NOT_MEASURED, reason, worker=worker, origin=NOT_RUN)


def _latency(timings: list[dict], precision: str) -> tuple[float | None, str]:
    """The hybrid run in this precision: TensorRT engines where they ran, else the stand-ins."""
    hybrids = [t for t in timings if t.get("precision") == precision
               and (t.get("stand_in") or str(t.get("backend", "")).startswith("hybrid"))]
    hybrids.sort(key=lambda t: bool(t.get("stand_in")))
    if not hybrids:
        return None, ""
    t = hybrids[0]
    return t.get("p50_ms"), f"{t.get('backend')} on {str(t.get('device', '')).split(' (')[0]}"


def _baseline(timings: list[dict]) -> float | None:
    return next((t.get("p50_ms") for t in timings if str(t.get("backend", "")).startswith("ONNX Runtime")
                 and not t.get("stand_in") and t.get("precision") == "fp32"), None)


def _worst(outputs: list[dict], key: str, pick) -> float | None:
    values = [o[key] for o in outputs if isinstance(o.get(key), (int, float)) and math.isfinite(o[key])]
    return pick(values) if values else None
