"""Latency and throughput, measured the way trtexec does, for every backend side by side.

    from trtlab.timing import time_onnxruntime
    result = time_onnxruntime(model)          # warm-up 200 ms, then >= 10 runs and >= 1 s
    result.p50_ms, result.throughput, result.unstable

Defaults are kept small for CPUs; pass warmup_ms=, iterations=, seconds= for longer runs.
On a GPU every figure comes from one CUDA-event harness (`time_steps`), H2D / compute / D2H apart:

    from trtlab.timing import time_torch_gpu
    time_torch_gpu(module, feeds, precision="fp16", graph=True)   # replayed as a CUDA graph
"""

from __future__ import annotations

from .baselines import time_hybrid, time_mxnet, time_onnxruntime, time_torch
from .device import cpu_name, gpu_name
from .inputs import batch_of, mxnet_symbol_path
from .cuda import CudaPython, TorchCuda, cuda_available, open_cuda
from .gpu import GpuSteps, time_engine, time_steps
from .gpu_baselines import (TORCH_PRECISIONS, mxnet_gpu_available, time_mxnet_gpu, time_onnxruntime_cuda,
                            time_torch_gpu, torch_steps)
from .harness import MIN_ITERATIONS, MIN_SECONDS, WARMUP_MS, harness_overhead_ms, time_calls
from .result import UNSTABLE_CV, TimingResult, to_dataframe

__all__ = [
    "MIN_ITERATIONS", "MIN_SECONDS", "TORCH_PRECISIONS", "UNSTABLE_CV", "WARMUP_MS", "CudaPython", "GpuSteps",
    "TimingResult", "TorchCuda", "batch_of", "cpu_name", "cuda_available", "gpu_name", "harness_overhead_ms",
    "mxnet_gpu_available", "mxnet_symbol_path", "open_cuda", "time_calls", "time_engine", "time_hybrid",
    "time_mxnet", "time_mxnet_gpu", "time_onnxruntime", "time_onnxruntime_cuda", "time_steps", "time_torch",
    "time_torch_gpu", "to_dataframe", "torch_steps",
]
