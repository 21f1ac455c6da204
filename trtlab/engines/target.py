"""What an engine is built for: the visible GPU, or "portable" for TensorRT-RTX."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache


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


def build_target(flavour) -> str:
    """The part of a cache key that says where the engine can run.

    TensorRT-RTX builds ahead of time for every GPU it supports (no compute capability is set on
    the builder config), so its engines are "portable". Full TensorRT builds for the GPU it sees.
    """
    if flavour.flavour == "tensorrt-rtx":
        return "portable"
    gpu = visible_gpu()
    return f"{gpu.name} sm{gpu.compute_capability}" if gpu else "no-gpu"
