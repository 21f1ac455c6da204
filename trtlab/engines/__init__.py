"""Engines: build TensorRT engines from ONNX, cache them, and run them where a GPU allows.

    from trtlab.engines import EngineCache, build_engines
    results = build_engines([("sg0", proto)], "fp16", cache=EngineCache())

TensorRT (10.x, 11.x) or TensorRT-RTX is imported when first needed, never at import time.
"""

from __future__ import annotations

from .batch import build_engines
from .build import build_engine, build_settings
from .cache import CacheEntry, EngineCache, default_cache_dir
from .digests import fingerprint
from .result import BuildEvent, BuildResult
from .runtime import EngineRuntime, can_run_engines
from .target import Gpu, build_target, visible_gpu

__all__ = [
    "BuildEvent", "BuildResult", "CacheEntry", "EngineCache", "EngineRuntime", "Gpu",
    "build_engine", "build_engines", "build_settings", "build_target", "can_run_engines",
    "default_cache_dir", "fingerprint", "visible_gpu",
]
