"""CUDA memory, one stream, events and graph capture, through torch or through cuda-python.

Everything that runs on a GPU in trtlab (the engine runtime, engine timing, the GPU baselines)
goes through one of these two, so the same code path moves the data and reads the clocks:

- `TorchCuda`: torch's caching allocator, pinned host tensors, torch.cuda.Event / CUDAGraph;
- `CudaPython`: the CUDA runtime through NVIDIA's cuda-python bindings (what TensorRT's own
  Python samples use), for machines with TensorRT but no torch.

Buffers: `device_buffer(shape, dtype)` and `host_buffer(shape, dtype)` (page-locked, so copies
are asynchronous); `address(buf)` is the device pointer TensorRT's set_tensor_address takes.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable

import numpy as np

from .. import _optional
from ..errors import MissingDependency, TrtlabError


def cuda_available() -> bool:
    """True where a CUDA device can be used from Python (torch or cuda-python); never raises."""
    from .device import visible_gpu

    if visible_gpu() is None:  # nvidia-smi first: no CUDA import on machines without a GPU
        return False
    if _optional.available("torch"):
        import torch

        return bool(torch.cuda.is_available())
    try:
        rt = _cudart()
        err, count = rt.cudaGetDeviceCount()
        return int(err) == 0 and count > 0
    except Exception:
        return False


def open_cuda(purpose: str, prefer: str | None = None) -> "TorchCuda | CudaPython":
    """A CUDA backend on device 0 with a fresh stream: torch where installed, else cuda-python."""
    if prefer not in (None, "torch", "cuda-python"):
        raise TrtlabError(f"Unknown CUDA backend {prefer!r}.", hint="Use 'torch' or 'cuda-python'.")
    if prefer != "cuda-python" and _optional.available("torch"):
        import torch

        if torch.cuda.is_available():
            return TorchCuda()
        if prefer == "torch":
            raise TrtlabError(f"{purpose} needs a CUDA GPU, and torch sees none "
                              f"(torch {torch.__version__}, CUDA {torch.version.cuda}).",
                              hint="Run on a machine with an NVIDIA GPU and a CUDA build of torch.")
    try:
        return CudaPython()
    except MissingDependency:
        raise TrtlabError(f"{purpose} needs a CUDA GPU reachable from Python.",
                          hint="Install a CUDA build of torch, or cuda-python (pip install cuda-python), "
                               "on a machine with an NVIDIA GPU.") from None


class TorchCuda:
    """CUDA through torch: buffers are torch tensors, the stream a torch.cuda.Stream."""

    name = "torch"

    def __init__(self):
        self.torch = torch = _optional.torch("Timing on a GPU")
        self.stream = torch.cuda.Stream()

    @property
    def stream_handle(self) -> int:
        return int(self.stream.cuda_stream)

    def device_buffer(self, shape, dtype):
        return self.torch.empty(tuple(shape), dtype=_torch_dtype(self.torch, dtype), device="cuda")

    def host_buffer(self, shape, dtype):
        return self.torch.empty(tuple(shape), dtype=_torch_dtype(self.torch, dtype)).pin_memory()

    def as_numpy(self, host) -> np.ndarray:
        if host.dtype == self.torch.bfloat16:  # numpy has no bfloat16: hand back float32 values
            return host.float().numpy()
        return host.numpy()

    def fill(self, host, values: np.ndarray) -> None:
        host.copy_(self.torch.from_numpy(np.ascontiguousarray(values)).to(host.dtype))

    def address(self, device) -> int:
        return int(device.data_ptr())

    def copy_in(self, device, host) -> None:
        with self.torch.cuda.stream(self.stream):
            device.copy_(host, non_blocking=True)

    def copy_out(self, host, device) -> None:
        with self.torch.cuda.stream(self.stream):
            host.copy_(device, non_blocking=True)

    def launch(self, fn: Callable[[], Any]):
        """Run `fn` with this stream current (torch work in it lands on the stream)."""
        with self.torch.cuda.stream(self.stream):
            return fn()

    def event(self):
        return self.torch.cuda.Event(enable_timing=True)

    def record(self, event) -> None:
        event.record(self.stream)

    def elapsed_ms(self, start, end) -> float:
        return float(start.elapsed_time(end))

    def wait(self, event) -> None:
        event.synchronize()

    def synchronize(self) -> None:
        self.stream.synchronize()

    def capture(self, fn: Callable[[], Any]) -> Callable[[], None]:
        """`fn` captured once as a CUDA graph; the returned callable replays it on the stream."""
        torch = self.torch
        graph = torch.cuda.CUDAGraph()
        self.stream.synchronize()
        with torch.cuda.graph(graph, stream=self.stream):
            fn()
        self._graph = graph  # kept alive with this backend

        def replay():
            with torch.cuda.stream(self.stream):
                graph.replay()

        return replay


class CudaPython:
    """CUDA through cuda-python's runtime bindings: raw allocations, events and graphs."""

    name = "cuda-python"

    def __init__(self):
        self.rt = rt = _cudart()
        self.stream = _check(rt.cudaStreamCreateWithFlags(rt.cudaStreamNonBlocking), "cudaStreamCreate")
        self._owned: list[tuple[str, Any]] = []  # what __del__ hands back to CUDA

    @property
    def stream_handle(self) -> int:
        return int(self.stream)

    def device_buffer(self, shape, dtype) -> "DeviceArray":
        dtype = np.dtype(dtype)
        nbytes = max(1, int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        ptr = _check(self.rt.cudaMalloc(nbytes), "cudaMalloc")
        self._owned.append(("cudaFree", ptr))
        return DeviceArray(int(ptr), tuple(shape), dtype)

    def host_buffer(self, shape, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        ptr = _check(self.rt.cudaMallocHost(max(1, count * dtype.itemsize)), "cudaMallocHost")
        self._owned.append(("cudaFreeHost", ptr))
        raw = (ctypes.c_byte * max(1, count * dtype.itemsize)).from_address(int(ptr))
        return np.frombuffer(raw, dtype=dtype, count=count).reshape(tuple(shape))

    def as_numpy(self, host: np.ndarray) -> np.ndarray:
        return host

    def fill(self, host: np.ndarray, values: np.ndarray) -> None:
        host[...] = values

    def address(self, device: "DeviceArray") -> int:
        return device.ptr

    def copy_in(self, device: "DeviceArray", host: np.ndarray) -> None:
        rt = self.rt
        _check(rt.cudaMemcpyAsync(device.ptr, host.ctypes.data, host.nbytes,
                                  rt.cudaMemcpyKind.cudaMemcpyHostToDevice, self.stream), "cudaMemcpyAsync")

    def copy_out(self, host: np.ndarray, device: "DeviceArray") -> None:
        rt = self.rt
        _check(rt.cudaMemcpyAsync(host.ctypes.data, device.ptr, host.nbytes,
                                  rt.cudaMemcpyKind.cudaMemcpyDeviceToHost, self.stream), "cudaMemcpyAsync")

    def launch(self, fn: Callable[[], Any]):
        return fn()  # the work is given this stream's handle by its caller

    def event(self):
        ev = _check(self.rt.cudaEventCreate(), "cudaEventCreate")
        self._owned.append(("cudaEventDestroy", ev))
        return ev

    def record(self, event) -> None:
        _check(self.rt.cudaEventRecord(event, self.stream), "cudaEventRecord")

    def elapsed_ms(self, start, end) -> float:
        return float(_check(self.rt.cudaEventElapsedTime(start, end), "cudaEventElapsedTime"))

    def wait(self, event) -> None:
        _check(self.rt.cudaEventSynchronize(event), "cudaEventSynchronize")

    def synchronize(self) -> None:
        _check(self.rt.cudaStreamSynchronize(self.stream), "cudaStreamSynchronize")

    def capture(self, fn: Callable[[], Any]) -> Callable[[], None]:
        rt = self.rt
        self.synchronize()
        mode = rt.cudaStreamCaptureMode.cudaStreamCaptureModeThreadLocal
        _check(rt.cudaStreamBeginCapture(self.stream, mode), "cudaStreamBeginCapture")
        try:
            fn()
        finally:
            graph = _check(rt.cudaStreamEndCapture(self.stream), "cudaStreamEndCapture")
        self._owned.append(("cudaGraphDestroy", graph))
        executable = _check(rt.cudaGraphInstantiate(graph, 0), "cudaGraphInstantiate")
        self._owned.append(("cudaGraphExecDestroy", executable))

        def replay():
            _check(rt.cudaGraphLaunch(executable, self.stream), "cudaGraphLaunch")

        return replay

    def __del__(self):
        rt = getattr(self, "rt", None)
        if rt is None:
            return
        try:
            rt.cudaStreamSynchronize(self.stream)
            for free, handle in reversed(self._owned):
                getattr(rt, free)(handle)
            rt.cudaStreamDestroy(self.stream)
        except Exception:  # at interpreter exit the bindings may already be gone
            pass


class DeviceArray:
    """A cudaMalloc'ed buffer: its address, shape and dtype (freed with its `CudaPython`)."""

    def __init__(self, ptr: int, shape: tuple, dtype: np.dtype):
        self.ptr, self.shape, self.dtype = ptr, shape, dtype


def _cudart():
    try:
        from cuda.bindings import runtime
    except ImportError:
        try:
            from cuda import cudart as runtime  # cuda-python before 12.6
        except ImportError:
            raise MissingDependency("cuda-python", None, "Using CUDA without torch") from None
    return runtime


def _check(result, call: str):
    """cuda-python returns (error, value...): raise on an error, else the value (or None)."""
    err, *values = result if isinstance(result, tuple) else (result,)
    if int(err) != 0:
        raise TrtlabError(f"CUDA call {call} failed: {getattr(err, 'name', err)}")
    return values[0] if len(values) == 1 else (values or None)


def _torch_dtype(torch, dtype):
    if isinstance(dtype, torch.dtype):
        return dtype
    return torch.from_numpy(np.empty(0, np.dtype(dtype))).dtype
