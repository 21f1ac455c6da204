"""The one CUDA-event harness: every GPU figure in trtlab (TensorRT engines, PyTorch on the GPU,
ONNX Runtime CUDA, MXNet on the GPU) is read here, the same way.

A backend hands over three steps on one stream (`GpuSteps`): copy the inputs to the device, run,
copy the outputs back. Each timed run records four CUDA events around them, waits for the last,
and keeps host-to-device, compute and device-to-host apart (as trtexec reports them). Warm-up is
by time, then at least N runs and T seconds (`time_calls`). With ``graph=True`` the run step is
captured once as a CUDA graph and replayed (trtexec's default in TensorRT 11): a graph launches
all kernels at once, so small batches stop measuring Python and kernel-launch overhead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import TrtlabError
from .device import gpu_name
from .inputs import batch_of
from .harness import time_calls
from .result import TimingResult


@dataclass
class GpuSteps:
    """One inference on a GPU as three steps on the backend's stream. `outputs` are the host
    buffers copy_out fills; `capturable` says whether `run` may be captured as a CUDA graph."""

    cuda: Any  # a TorchCuda or CudaPython (trtlab.timing.cuda)
    copy_in: Callable[[], None]
    run: Callable[[], None]
    copy_out: Callable[[], None]
    outputs: dict = field(default_factory=dict)
    capturable: bool = True

    def once(self) -> None:
        """Run the three steps and wait for them."""
        self.copy_in()
        self.cuda.launch(self.run)
        self.copy_out()
        self.cuda.synchronize()

    def results(self) -> dict[str, np.ndarray]:
        return {n: np.array(self.cuda.as_numpy(h), copy=True) for n, h in self.outputs.items()}


def time_steps(steps: GpuSteps, *, backend: str, precision: str, batch: int, graph: bool = False,
               note: str = "", **measure_kw) -> TimingResult:
    """Time `steps` with CUDA events; the result's samples are first copy in to last copy out."""
    cuda = steps.cuda
    run = steps.run
    steps.once()  # lazy initialisation (cuDNN/cuBLAS handles, TensorRT's) happens before capture
    if graph:
        if not steps.capturable:
            raise TrtlabError(f"{backend} cannot be captured as a CUDA graph.")
        run = cuda.capture(lambda: cuda.launch(steps.run))
    events = [cuda.event() for _ in range(4)]
    parts: list[tuple[float, float, float, float]] = []

    def once():
        cuda.record(events[0])
        steps.copy_in()
        cuda.record(events[1])
        cuda.launch(run)
        cuda.record(events[2])
        steps.copy_out()
        cuda.record(events[3])
        cuda.wait(events[3])
        e = cuda.elapsed_ms
        parts.append((e(events[0], events[1]), e(events[1], events[2]), e(events[2], events[3]),
                      e(events[0], events[3])))

    host, warm = time_calls(once, **measure_kw)
    timed = parts[-len(host):]  # the warm-up runs came first
    h2d, compute, d2h = (float(np.mean([p[i] for p in timed])) for i in range(3))
    return TimingResult.from_samples([p[3] for p in timed], backend=backend + (" + CUDA graph" if graph else ""),
                                     precision=precision, device=gpu_name() or "GPU", batch=batch,
                                     warmup_ms=warm, h2d_ms=h2d, compute_ms=compute, d2h_ms=d2h,
                                     host_ms=float(np.mean(host)), note=note)


def time_engine(runtime, feeds: Mapping[str, np.ndarray], *, precision: str, label: str = "TensorRT",
                graph: bool = True, cuda=None, **measure_kw) -> TimingResult:
    """Time one `trtlab.engines.EngineRuntime` on its GPU (as a CUDA graph by default, like
    trtexec in TensorRT 11), inputs copied in and outputs copied back each run."""
    steps = runtime.bind(feeds, cuda=cuda)
    return time_steps(steps, backend=label, precision=precision, batch=batch_of(feeds), graph=graph,
                      **measure_kw)
