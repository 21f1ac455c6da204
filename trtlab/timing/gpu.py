"""Timing a TensorRT engine on its GPU with CUDA events, host-to-device, compute and
device-to-host measured apart (as trtexec reports them).

This follows the documented TensorRT runtime API (set_input_shape, set_tensor_address,
execute_async_v3) with torch for CUDA memory, streams and events. Engines cannot run on the
machines trtlab is tested on, so this path is written against the API and kept small.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .. import _optional
from ..errors import TrtlabError
from .baselines import batch_of
from .device import gpu_name
from .measure import measure
from .result import TimingResult


def time_engine(runner, feeds: Mapping[str, np.ndarray], *, precision: str, label: str = "TensorRT",
                **measure_kw) -> TimingResult:
    """Time one `trtlab.engines.EngineRuntime`. Each sample is the GPU time from the first copy
    in to the last copy out, read from CUDA events after an explicit synchronisation."""
    torch = _optional.torch("Timing a TensorRT engine")
    trt = runner.flavour.module
    ctx, engine = runner.context, runner.engine
    pinned = {n: torch.from_numpy(np.ascontiguousarray(feeds[n])).pin_memory() for n in runner.inputs}
    device = {n: torch.empty_like(t, device="cuda") for n, t in pinned.items()}
    for n in runner.inputs:
        ctx.set_input_shape(n, tuple(device[n].shape))
    for n in runner.outputs:
        dtype = torch.from_numpy(np.empty(0, np.dtype(trt.nptype(engine.get_tensor_dtype(n))))).dtype
        shape = tuple(ctx.get_tensor_shape(n))
        device[n] = torch.empty(shape, dtype=dtype, device="cuda")
        pinned[n] = torch.empty(shape, dtype=dtype).pin_memory()
    for n, buf in device.items():
        ctx.set_tensor_address(n, buf.data_ptr())
    stream = torch.cuda.Stream()
    events = [torch.cuda.Event(enable_timing=True) for _ in range(4)]
    parts: list[tuple[float, float, float]] = []

    def once():
        with torch.cuda.stream(stream):
            events[0].record(stream)
            for n in runner.inputs:
                device[n].copy_(pinned[n], non_blocking=True)
            events[1].record(stream)
            if not ctx.execute_async_v3(stream.cuda_stream):
                raise TrtlabError("TensorRT failed to run the engine while timing it.")
            events[2].record(stream)
            for n in runner.outputs:
                pinned[n].copy_(device[n], non_blocking=True)
            events[3].record(stream)
        events[3].synchronize()
        parts.append((events[0].elapsed_time(events[1]), events[1].elapsed_time(events[2]),
                      events[2].elapsed_time(events[3])))

    host_samples, warm = measure(once, **measure_kw)
    # The last len(host_samples) runs were the timed ones; the warm-up runs came before.
    timed = parts[-len(host_samples):]
    h2d, compute, d2h = (float(np.mean([p[i] for p in timed])) for i in range(3))
    return TimingResult.from_samples([sum(p) for p in timed], backend=label, precision=precision,
                                     device=gpu_name() or "GPU", batch=batch_of(feeds), warmup_ms=warm,
                                     h2d_ms=h2d, compute_ms=compute, d2h_ms=d2h)

