"""`build_engines`: one engine per subgraph, each reported on its own."""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path
from typing import Iterable, Mapping

import onnx

from ..errors import TrtlabError
from ..model import Model
from ..precision.apply import apply_precision
from ..precision_registry import check_precision, get as get_precision
from ..precision.calibration import Calibration
from ..precision.policy import PrecisionPolicy
from .build import Cancel, Progress, build_into, build_settings, from_cache, is_cancelled
from .worker import DEFAULT_TIMEOUT_S, BuildWorker
from .cache import EngineCache
from .digests import calibration_digest, fingerprint, transform_id
from ..installed_tensorrt import TensorRT, require_tensorrt
from .result import BuildResult

Item = tuple[str, "onnx.ModelProto | Model | bytes"]


def build_engines(plan_or_models, precision: str = "fp32", *,
                  cache: EngineCache | str | os.PathLike | bool | None = None,
                  progress: Progress | None = None, cancel: Cancel = None,
                  workspace: int | None = None, policy: PrecisionPolicy | None = None,
                  calibration: Calibration | Mapping[str, Calibration] = None,
                  flavour: TensorRT | None = None, fingerprints: Mapping[str, str] | None = None,
                  read_engines: bool = True, timeout_s: float | None = DEFAULT_TIMEOUT_S,
                  worker: BuildWorker | None = None,
                  prepared: Mapping[str, onnx.ModelProto] | None = None) -> list[BuildResult]:
    """Build an engine for each fp32 model, in `precision`.

    `plan_or_models`: a `trtlab.Plan` (one engine per subgraph) or a list of (name, model) pairs,
    a model being an onnx.ModelProto, a trtlab Model or serialized ONNX bytes.
    The precision transform runs here (see `trtlab.precision`), except with TensorRT 10, where
    a precision with `flags_on_fp32` (fp16, bf16) uses the builder flags on the fp32 model.
    `calibration` (the calibrated precisions) is one source for all
    models, or a mapping from engine name to source. `cache`: an EngineCache, a directory, True
    for the default directory, or None for no cache. A failure in one engine is reported in its
    result and the others still build; after `cancel`, the remaining engines report "cancelled".

    Cached engines are keyed on the fp32 model and the transform (precision, policy, calibration
    data, the transform's own code), so a cache hit skips the transform. `fingerprints` maps
    names to `fingerprint(model)` where the caller has them already, as when it builds the same
    models in several precisions. A hit is served only once its bytes match their checksum;
    read_engines=False then drops them (`result.engine` is None; see `from_cache`), for a caller
    that will not run them.

    The builds run one after another in a worker process (see `worker.BuildWorker`), started at
    the first engine not in the cache: a crash inside TensorRT fails that engine ("the builder
    crashed: signal 11 (SIGSEGV)") and the next starts a new worker. A build still running after
    `timeout_s` seconds (None: no limit) is stopped and reported. Cancel stops the worker at
    once; KeyboardInterrupt stops it and is raised again. A caller with several calls to make
    (one per precision) may pass its own `worker`, which is then left running for the next.
    """
    check_precision(precision)
    flavour = flavour or require_tensorrt()
    cache = _as_cache(cache)
    calibration = _materialized(calibration) if get_precision(precision).calibrated else None
    with nullcontext(worker) if worker is not None else BuildWorker(flavour) as worker:
        return [_one(name, model, precision, worker, cache, progress, cancel, workspace, policy,
                     _calibration_for(calibration, name), flavour, fingerprints, read_engines, timeout_s,
                     (prepared or {}).get(name))
                for name, model in _items(plan_or_models)]


def _one(name, model, precision, worker, cache, progress, cancel, workspace, policy, cal, flavour,
         fingerprints, read_engines, timeout_s, prepared=None) -> BuildResult:
    if is_cancelled(cancel):
        return BuildResult(name, precision, built=False, builder=flavour.label, error="cancelled")
    if cache is None:
        result = BuildResult(name, precision, built=False, builder=flavour.label)
    else:
        if prepared is not None:
            digest = fingerprint(prepared)
            settings = dict(build_settings(flavour, precision, workspace),
                            transform={"to": precision, "prepared": True, "code": transform_id()})
        else:
            digest = (fingerprints or {}).get(name) or fingerprint(model)
            settings = _settings(flavour, precision, workspace, policy, cal)
        result = from_cache(cache, cache.key(digest, settings, flavour), name, precision, flavour, read=read_engines)
        if result.built:
            return result
    worker.start()  # it imports TensorRT while the precision transform runs here
    if prepared is None:
        try:
            prepared = _prepare(model, precision, flavour, policy, cal)
        except TrtlabError as exc:
            result.error = f"precision transform failed: {exc}"
            return result
    return build_into(result, prepared, progress=progress, cancel=cancel, workspace=workspace,
                      cache=cache, flavour=flavour, worker=worker, timeout_s=timeout_s,
                      keep_engine=read_engines)


def transformed_precision(flavour: TensorRT, precision: str) -> str:
    """The precision the model is transformed into before the build: with TensorRT 10 a
    precision whose builder flags pick its layers from the fp32 model builds that model."""
    spec = get_precision(precision)
    if flavour.weakly_typed_flags and spec.flags_on_fp32:
        return "fp32"
    return spec.name


def _settings(flavour: TensorRT, precision: str, workspace, policy, calibration) -> dict:
    """The build settings, and how the fp32 model is transformed before the build."""
    to = get_precision(transformed_precision(flavour, precision))
    transform = {"to": to.name, "code": transform_id()}
    if to.reduced and not to.calibrated:
        transform["policy"] = (policy or PrecisionPolicy()).to_dict()
    if to.calibrated:
        transform["calibration"] = calibration_digest(calibration)
    return dict(build_settings(flavour, precision, workspace), transform=transform)


def _items(plan_or_models) -> Iterable[Item]:
    from ..plan import Plan

    if isinstance(plan_or_models, Plan):
        from ..cut import cut_subgraph

        plan = plan_or_models
        return [(sg.name, cut_subgraph(plan, sg.id)) for sg in plan.subgraphs]
    items = list(plan_or_models)
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)):
            raise TrtlabError("build_engines takes a Plan or a list of (name, model) pairs.",
                              hint=f"Got an item of type {type(item).__name__}.")
    names = [n for n, _ in items]
    if len(set(names)) != len(names):
        raise TrtlabError("Engine names must be unique.", hint=f"Got: {', '.join(names)}.")
    return items


def _prepare(model, precision: str, flavour: TensorRT, policy, calibration) -> onnx.ModelProto:
    if isinstance(model, (bytes, bytearray)):
        model = onnx.load_from_string(bytes(model))
    return apply_precision(model, transformed_precision(flavour, precision), policy=policy,
                           calibration=calibration, runnable_in_ort=False)


def _materialized(calibration):
    """Calibration samples as lists, so that one iterator serves every model and its digest."""
    if isinstance(calibration, Mapping):
        return {name: _materialized(source) for name, source in calibration.items()}
    if calibration is None or isinstance(calibration, (str, os.PathLike)):
        return calibration
    return list(calibration)


def _calibration_for(calibration, name: str):
    if isinstance(calibration, Mapping):
        return calibration.get(name)
    return calibration


def _as_cache(cache) -> EngineCache | None:
    if cache is None or cache is False:
        return None
    if cache is True:
        return EngineCache()
    if isinstance(cache, EngineCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return EngineCache(Path(cache))
    raise TrtlabError(f"cache must be an EngineCache, a directory, True or None; got {type(cache).__name__}.")
