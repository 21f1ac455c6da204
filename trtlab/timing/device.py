"""Where a measurement ran, in words: "CPU: <model name>" or the GPU's name."""

from __future__ import annotations

import platform
from functools import lru_cache

from ..ort import usable_cores


@lru_cache(maxsize=1)
def cpu_name() -> str:
    name = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    name = name or platform.processor() or platform.machine() or "unknown"
    return f"CPU: {name} ({usable_cores()} cores)"


def gpu_name() -> str | None:
    from ..engines.target import visible_gpu

    gpu = visible_gpu()
    return f"GPU: {gpu}" if gpu else None
