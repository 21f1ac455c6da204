"""`build_engine`: one ONNX model to one serialized engine, built in a worker process.

The build itself (`builder.build_serialized`) runs in a `worker.BuildWorker`, so a crash inside
TensorRT ends that build, not the caller. A failed parse, a crash, a time limit, a cancelled build
or a builder that returns nothing give a `BuildResult` with built=False and the reason, never an
exception (KeyboardInterrupt aside), so the caller can fall back. Builder messages are kept per
engine: the plain ones in `messages`, the whole detailed log in `log`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from .._io import atomic_write_bytes
from ..cancel import Cancel, is_cancelled  # noqa: F401  (is_cancelled: read here by older callers)
from ..installed_tensorrt import TensorRT, require_tensorrt
from ..precision_registry import check_precision, get as get_precision
from .builder import parser_error  # noqa: F401  (parser_error: trtlab.fusion reads it here)
from .result import BuildEvent, BuildResult
from .safe_files import read_regular_file
from .worker import DEFAULT_TIMEOUT_S, BuildWorker

Progress = Callable[[BuildEvent], object]

_PLAIN = ("INTERNAL_ERROR", "ERROR", "WARNING", "INFO")



def build_settings(flavour: TensorRT, precision: str, workspace: int | None) -> dict:
    """Everything besides the ONNX bytes that changes what the builder makes."""
    weak = flavour.weakly_typed_flags
    return {
        "precision": precision,
        "workspace": workspace,
        "network": "weakly-typed" if weak else "strongly-typed",
        "builder_flags": list(get_precision(precision).weak_flags) if weak else [],
    }


def build_engine(onnx_bytes: bytes, *, precision: str = "fp32", name: str = "engine",
                 progress: Progress | None = None, cancel: Cancel = None,
                 timing_cache: str | Path | None = None, workspace: int | None = None,
                 cache=None, flavour: TensorRT | None = None,
                 timeout_s: float | None = DEFAULT_TIMEOUT_S) -> BuildResult:
    """Build one engine from ONNX bytes that are already in `precision`.

    With a strongly typed builder (TensorRT 11, TensorRT-RTX) the types in the model decide the
    precision (see `trtlab.precision`); with TensorRT 10, `precision` also sets the matching
    builder flag. `progress(event)` returning False, or `cancel` (an Event or a callable) becoming
    true, stops the build: built=False, error="cancelled". A build still running after
    `timeout_s` seconds (None: no limit) is stopped too. `timing_cache` is a file loaded into
    the builder and saved after the build (full TensorRT only; TensorRT-RTX has none).
    `cache`: an `EngineCache` to look the engine up in and store it into.
    """
    check_precision(precision)
    flavour = flavour or require_tensorrt()
    if cache is None:
        result = BuildResult(name=name, precision=precision, built=False, builder=flavour.label)
    else:
        key = cache.key(onnx_bytes, build_settings(flavour, precision, workspace), flavour)
        result = from_cache(cache, key, name, precision, flavour)
        if result.built:
            return result
    with BuildWorker(flavour) as worker:
        return build_into(result, onnx_bytes, progress=progress, cancel=cancel, timing_cache=timing_cache,
                          workspace=workspace, cache=cache, flavour=flavour, worker=worker,
                          timeout_s=timeout_s)


def from_cache(cache, key: str, name: str, precision: str, flavour: TensorRT, *,
               read: bool = True) -> BuildResult:
    """The engine cached under `key` as a built result (cache_hit=True), or, on a miss, an unbuilt
    result that carries the key and any note about a bad entry thrown away, for `build_into`.

    A hit is served only after the engine's bytes match the checksum in its sidecar. read=False
    checks them just the same but does not keep them (`engine` is None; `cache.get(key)` reads
    them again): for callers that will not run the engine.
    """
    result = BuildResult(name=name, precision=precision, built=False, builder=flavour.label, key=key)
    start = time.perf_counter()
    meta, engine, note = cache.fetch(key, keep=read)
    if note:
        result.messages.append(note)
    if meta is not None:
        result.built, result.cache_hit, result.bytes = True, True, int(meta["bytes"])
        result.engine = engine
        result.log = _layer_lines(meta.get("layers"))
        result.build_s = time.perf_counter() - start
    return result


def build_into(result: BuildResult, onnx_model, *, progress: Progress | None = None,
               cancel: Cancel = None, timing_cache: str | Path | None = None, workspace: int | None = None,
               cache=None, flavour: TensorRT, worker: BuildWorker,
               timeout_s: float | None = DEFAULT_TIMEOUT_S, keep_engine: bool = True) -> BuildResult:
    """Build `result`'s engine from `onnx_model` (ONNX bytes or a ModelProto) in `worker` and,
    with a cache, store it under `result.key` (this process alone writes the cache). Without
    `keep_engine` and a cache, the engine's bytes are not read back (`result.engine` is None)."""
    own_timing = cache is not None and timing_cache is None and flavour.timing_cache
    if own_timing:
        timing_cache = cache.timing_cache_path(flavour)
    if is_cancelled(cancel):
        result.error = "cancelled"
        return result
    timing = None
    if flavour.timing_cache and timing_cache:
        timing = _read_timing_cache(timing_cache, result, follow_symlinks=not own_timing)
    out = worker.build(onnx_model, name=result.name, precision=result.precision, workspace=workspace,
                       timing_cache=timing, progress=progress, cancel=cancel, timeout_s=timeout_s,
                       keep_engine=keep_engine or cache is not None)
    result.build_s, result.error, result.log = out["build_s"], out["error"], out["log"]
    result.messages.extend(out["notes"])
    result.messages.extend(f"{sev}: {msg}" for sev, msg in out["log"] if sev in _PLAIN)
    if out["built"]:
        result.built, result.engine = True, out["engine"]
        result.bytes = out["engine_bytes"]
        if out["timing_cache"] is not None:
            _save_timing_cache(timing_cache, out["timing_cache"], result, cache)
        if cache is not None:
            note = cache.put(result.key, result.engine, {"name": result.name, "precision": result.precision,
                                                         "builder": result.builder, "build_s": result.build_s,
                                                         "layers": layer_list_log(result.log)})
            if note:
                result.messages.append(note)
        if not keep_engine:
            result.engine = None
    return result


def layer_list_log(log: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The log lines that hold the engine's layer list (what `trtlab.fusion.parse_layer_list`
    reads): small enough to keep in a cache sidecar, so a cache hit still has them."""
    return [(sev, msg) for sev, msg in log
            if "LayerType: " in msg or "Engine Layer Information" in msg or msg.startswith("Layer(")]


def _layer_lines(stored) -> list[tuple[str, str]]:
    """The layer list kept in a sidecar; anything else there (a hand-edited file) is ignored."""
    if not isinstance(stored, list):
        return []
    return [(line[0], line[1]) for line in stored
            if isinstance(line, list) and len(line) == 2 and all(isinstance(p, str) for p in line)]


def _read_timing_cache(path, result: BuildResult, follow_symlinks: bool) -> bytes | None:
    """The timing cache's bytes; a symlink is followed only where the user named the file."""
    path = Path(path)
    try:
        return read_regular_file(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    except OSError as exc:
        result.messages.append(f"timing cache '{path}' unreadable ({exc.strerror or exc}); starting empty")
        return None


def _save_timing_cache(path, data: bytes, result: BuildResult, cache) -> None:
    if cache is not None:
        cache.save_timing_cache(Path(path), data)
        return
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        result.messages.append(f"timing cache not saved to '{path}': {exc.strerror}")
