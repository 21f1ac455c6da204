"""A check's record: the JSON `trtlab check --json` writes, read back into a `CheckResult` with
every figure, on any machine (no TensorRT, no ONNX Runtime run, no GPU: onnx and numpy only).

    result = trtlab.load_result("resnet18.json")
    result.verdict("fp16"); result.ran_on["device"]; trtlab.Lab.from_result("resnet18.json")

The record says where it ran (`ran_on`: device, TensorRT and versions) and holds the model's graph
without its weights (see `trtlab.plan_record`): enough for the graphs, their overlays, the tables
and the report, not to run the model again.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
from dataclasses import fields
from pathlib import Path
from typing import Any

from .._io import atomic_write_text, require_regular_file
from ..accuracy import AccuracyReport, NodeError, NodeErrorReport, OutputComparison
from .keep_search import KeepSearch
from ..accuracy.tolerances import tolerances_from_dict
from ..errors import TrtlabError, one_line
from ..fusion import EnginePrecision, FusionSavings, LayerPrecision
from ..plan_record import partition_settings, plan_from_record
from ..timing import TimingResult
from .result import CheckResult, EnginePrecisionRow, EngineRow, FusionRow, Verdict
from .settings import CheckSettings, TimingOptions


def ran_on() -> dict:
    """Where a check runs now, in words and versions: the device line, the TensorRT found (or
    none), the Python, ONNX Runtime and trtlab versions, the system and the time (UTC)."""
    from .._version import __version__
    from ..installed_tensorrt import find_tensorrt
    from ..timing.device import cpu_name, gpu_name

    installed = find_tensorrt()
    gpu, cpu = gpu_name(), cpu_name()
    tensorrt = (None if installed is None else
                {"name": installed.label, "package": installed.package, "version": installed.version})
    return {"device": f"{gpu}; {cpu}" if gpu else cpu, "gpu": gpu, "cpu": cpu, "tensorrt": tensorrt,
            "onnxruntime": _version("onnxruntime"), "trtlab": __version__,
            "python": platform.python_version(), "system": f"{platform.system()} {platform.machine()}",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def save_result(result: CheckResult, path: str | os.PathLike) -> Path:
    """Write the record (the `--json` object) to `path`, atomically."""
    return atomic_write_text(path, result.to_json(indent=1) + "\n")


def load_result(path: str | os.PathLike) -> CheckResult:
    """The `CheckResult` a record holds (a file written by `trtlab check --json` or `save_result`)."""
    file = require_regular_file(path, "check record", hint="Give the JSON file `trtlab check --json` wrote.")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TrtlabError(f"{file} is not a JSON check record ({one_line(exc)}).",
                          hint="Give the JSON file `trtlab check --json` wrote (its stdout, saved).") from None
    if not isinstance(data, dict):
        raise TrtlabError(f"{file} is not a check record (its JSON is a {type(data).__name__}).")
    return result_from_dict(data, where=str(file))


def result_from_dict(d: dict, where: str = "the record") -> CheckResult:
    try:
        return _result(d)
    except TrtlabError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise TrtlabError(f"{where} is not a complete check record: {type(exc).__name__} {one_line(exc)}.",
                          hint="Give a file written by `trtlab check --json` of this trtlab version.") from None


def _result(d: dict) -> CheckResult:
    plan = plan_from_record(d)
    s = d["settings"]
    settings = CheckSettings(
        precisions=tuple(s["precisions"]), partition=partition_settings(s["partition"]),
        feeds="(real inputs, not kept in the record)" if s.get("real_feeds") else None,
        calibration=s.get("calibration"), build=s["build"], build_timeout_s=s["build_timeout_s"],
        timing=s["timing"], timing_options=TimingOptions(**s["timing_options"]), per_node=s["per_node"],
        provider=s.get("provider", "auto"), tolerances=tolerances_from_dict(s.get("tolerances")),
        keep_fp32=tuple(k) if isinstance(k := s.get("keep_fp32"), list) else k,
        keep_fp32_bound=s.get("keep_fp32_bound", 0.1), profiles=s.get("profiles") or (),
        time_shapes=s.get("time_shapes", "opt"))
    by_precision: dict[tuple, list[OutputComparison]] = {}
    for a in d["accuracy"]:
        shapes = tuple((k, tuple(v)) for k, v in (a.get("shapes") or {}).items())
        key = (a["precision"], a["compared"], shapes, a.get("profile"), a.get("point", ""))
        by_precision.setdefault(key, []).append(_make(OutputComparison, a))
    hybrid = d.get("hybrid") or {}
    return CheckResult(
        plan=plan, settings=settings,
        verdicts=[_make(Verdict, v) for v in d["verdicts"]],
        engines=[_make(EngineRow, e) for e in d["engines"]],
        accuracy=[AccuracyReport(p, outs, label, dict(shapes), *where) for (p, label, shapes, *where), outs
                  in by_precision.items()],
        timing=[_make(TimingResult, t) for t in d["timing"]],
        hybrid_max_abs=hybrid.get("max_abs_vs_reference"), segments=list(hybrid.get("segments") or []),
        node_errors={p: NodeErrorReport(p, [_make(NodeError, n) for n in r["nodes"]], list(r["not_compared"]))
                     for p, r in (d.get("node_errors") or {}).items()},
        kept_fp32={p: list(ks) for p, ks in (d.get("kept_fp32") or {}).items()},
        searches={p: KeepSearch.from_dict(k) for p, k in (d.get("keep_fp32_search") or {}).items()},
        precision_notes=list(d.get("precision_notes") or []),
        engine_precision=[EnginePrecisionRow(e["subgraph"], _engine_precision(e)) for e in d.get("engine_precision") or []],
        fusion=[FusionRow(f["subgraph"], _make(FusionSavings, f)) for f in d.get("fusion") or []],
        done=list(d["done"]), not_done=list(d["not_done"]), warnings=list(d["warnings"]),
        builder=d.get("builder"), engines_runnable=bool(d.get("engines_runnable")),
        random_feeds=bool(d.get("random_feeds", True)), cancelled=bool(d.get("cancelled")),
        elapsed_s=dict(d.get("elapsed_s") or {}), ran_on=dict(d.get("ran_on") or {}),
        model_file=d.get("model_file"))


def _engine_precision(d: dict) -> EnginePrecision:
    return _make(EnginePrecision, d, layers=[_make(LayerPrecision, layer) for layer in d["layers"]])


def _make(cls, d: dict, **given: Any):
    """`cls` from the keys of `d` that are its fields (figures derived from them, such as a
    timing's `unstable`, are computed again); `given` fields as they are."""
    names = {f.name for f in fields(cls) if f.init}
    values = {k: v for k, v in d.items() if k in names and k not in given}
    for k, v in values.items():
        if v is None and k in _NON_FINITE.get(cls.__name__, ()):
            values[k] = float("nan")  # JSON has no NaN: the record wrote it as null
    return cls(**values, **given)


# Figures JSON writes as null when they are NaN or infinite: read back as NaN (the verdict says why).
_NON_FINITE = {"OutputComparison": ("max_abs", "mean_abs", "max_rel", "mean_rel", "cosine", "min_atol",
                                    "min_rtol", "p50_abs", "p99_abs", "p999_abs", "fraction_outside"),
               "NodeError": ("max_abs", "max_rel", "cosine")}

