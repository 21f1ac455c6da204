"""Latency and throughput, measured the way trtexec does, for every backend side by side.

    from trtlab.timing import time_onnxruntime
    result = time_onnxruntime(model)          # warm-up 200 ms, then >= 10 runs and >= 1 s
    result.p50_ms, result.throughput, result.unstable

Defaults are kept small for CPUs; pass warmup_ms=, iterations=, seconds= for longer runs.
"""

from __future__ import annotations

from .baselines import batch_of, mxnet_symbol_path, time_hybrid, time_mxnet, time_onnxruntime, time_torch
from .device import cpu_name, gpu_name
from .gpu import time_engine
from .measure import MIN_ITERATIONS, MIN_SECONDS, WARMUP_MS, harness_overhead_ms, measure
from .result import UNSTABLE_CV, TimingResult, to_dataframe

__all__ = [
    "MIN_ITERATIONS", "MIN_SECONDS", "UNSTABLE_CV", "WARMUP_MS", "TimingResult", "batch_of", "cpu_name",
    "gpu_name", "harness_overhead_ms", "measure", "mxnet_symbol_path", "time_engine", "time_hybrid",
    "time_mxnet", "time_onnxruntime", "time_torch", "to_dataframe",
]
