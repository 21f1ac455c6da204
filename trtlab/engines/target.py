"""What an engine is built for: the visible GPU, or "portable" for TensorRT-RTX."""

from __future__ import annotations

from ..timing.device import Gpu, visible_gpu  # noqa: F401 (re-exported: the GPU an engine is built for)


def build_target(tensorrt) -> str:
    """The part of a cache key that says where the engine can run.

    TensorRT-RTX builds ahead of time for every GPU it supports (no compute capability is set on
    the builder config), so its engines are "portable". Full TensorRT builds for the GPU it sees.
    """
    if tensorrt.distribution == "tensorrt-rtx":
        return "portable"
    gpu = visible_gpu()
    return f"{gpu.name} sm{gpu.compute_capability}" if gpu else "no-gpu"
