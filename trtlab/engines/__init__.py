"""Engines: build TensorRT engines from ONNX, cache them, and run them where a GPU allows.

    from trtlab.engines import EngineCache, build_engines
    results = build_engines([("sg0", proto)], "fp16", cache=EngineCache())

One engine build is one `BuildJob` (job.py); `build.run_jobs` builds jobs in a worker process
(worker.py, in_worker.py) that makes the TensorRT calls (tensorrt_calls.py).

TensorRT (10.x, 11.x) or TensorRT-RTX is imported when first needed, never at import time.
"""

from __future__ import annotations

from importlib import import_module

# Where each public name lives. Imported on first use, so that the build worker (which imports
# `trtlab.engines.in_worker`) and `import trtlab.engines` stay light.
_PUBLIC = {
    "build_engines": "build", "build_engine": "build", "BuildOptions": "build", "run_jobs": "build",
    "new_job": "build", "BuildJob": "job", "BuildOutcome": "job",
    "CacheEntry": "cache", "EngineCache": "cache", "default_cache_dir": "cache",
    "fingerprint": "digests", "BuildEvent": "result", "BuildResult": "result",
    "EngineRuntime": "runtime", "can_run_engines": "runtime",
    "Gpu": "target", "build_target": "target", "visible_gpu": "target",
}

__all__ = sorted(_PUBLIC, key=str.lower)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'trtlab.engines' has no attribute {name!r}")
    value = getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
