"""Where a measurement runs: the visible GPU (found without importing CUDA), and in words
"CPU: <model name>" or the GPU's name."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from ..ort import usable_cores


@dataclass(frozen=True)
class Gpu:
    name: str
    compute_capability: str  # "8.6"

    def __str__(self) -> str:
        return f"{self.name} (sm {self.compute_capability})"


@lru_cache(maxsize=1)
def visible_gpu() -> Gpu | None:
    """The first visible NVIDIA GPU, found through nvidia-smi (no CUDA import needed), or None."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) in ("", "-1"):
        return None
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run([smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line for line in out.stdout.splitlines() if "," in line]
    if out.returncode != 0 or not lines:
        return None
    name, cc = (part.strip() for part in lines[0].rsplit(",", 1))
    return Gpu(name, cc)


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
    gpu = visible_gpu()
    return f"GPU: {gpu}" if gpu else None
