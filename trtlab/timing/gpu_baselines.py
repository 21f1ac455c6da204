"""Baselines on the GPU, each timed by the one CUDA-event harness (`trtlab.timing.gpu`):
PyTorch eager (and replayed as a CUDA graph), ONNX Runtime's CUDA provider, MXNet on the GPU.

A TensorRT figure is only compared with these when they ran on the same GPU at the same batch.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .. import _optional
from ..errors import TrtlabError, one_line
from ..precision_registry import PRECISIONS, get as get_precision
from .inputs import batch_of, module_call, mxnet_errors
from .cuda import TorchCuda, open_cuda
from .gpu import GpuSteps, time_steps
from .result import TimingResult

TORCH_PRECISIONS = tuple(p.name for p in PRECISIONS if p.torch_type)


def time_torch_gpu(module: Any, feeds: Mapping[str, np.ndarray], *, precision: str = "fp32",
                   graph: bool = False, **measure_kw) -> TimingResult:
    """PyTorch eager on the GPU: a copy of `module` in `precision` (fp16: .half(), bf16:
    .bfloat16(); float inputs cast likewise) called on inputs in `feeds` order. ``graph=True``
    captures the call as a torch.cuda.CUDAGraph and replays it."""
    steps = torch_steps(module, feeds, precision=precision)
    torch = steps.cuda.torch
    return time_steps(steps, backend=f"PyTorch {torch.__version__} eager", precision=precision,
                      batch=batch_of(feeds), graph=graph, **measure_kw)


def torch_steps(module: Any, feeds: Mapping[str, np.ndarray], *, precision: str = "fp32",
                cuda: TorchCuda | None = None) -> GpuSteps:
    """The three GPU steps of one call of `module`: inputs into fixed device buffers, the call,
    each output tensor back into a pinned host buffer."""
    if precision not in TORCH_PRECISIONS:
        raise TrtlabError(f"PyTorch on the GPU is timed in {', '.join(TORCH_PRECISIONS)}, not {precision}.")
    cuda = cuda or open_cuda("Timing PyTorch on the GPU", prefer="torch")
    torch = cuda.torch
    dtype = getattr(torch, get_precision(precision).torch_type)
    net = copy.deepcopy(module).eval().to(device="cuda", dtype=dtype)
    host, device = [], []
    for value in feeds.values():
        t = torch.from_numpy(np.ascontiguousarray(value))
        t = t.to(dtype) if t.is_floating_point() else t
        host.append(t.pin_memory())
        device.append(torch.empty_like(t, device="cuda"))
    state: dict[str, list] = {"out": []}
    call = module_call(net, list(feeds))

    def copy_in():
        for d, h in zip(device, host):
            cuda.copy_in(d, h)

    def run():
        with torch.no_grad():
            state["out"] = _tensors(call(device))

    cuda.launch(run)
    cuda.synchronize()
    pinned = [torch.empty(t.shape, dtype=t.dtype).pin_memory() for t in state["out"]]

    def copy_out():
        for h, d in zip(pinned, state["out"]):
            cuda.copy_out(h, d)

    names = [f"output{i}" for i in range(len(pinned))]
    return GpuSteps(cuda, copy_in, run, copy_out, outputs=dict(zip(names, pinned)))


def _tensors(out) -> list:
    """The tensors of a module's output, in order: a tensor, tuple/list, dict or ModelOutput."""
    if hasattr(out, "data_ptr"):
        return [out]
    if isinstance(out, Mapping):
        out = list(out.values())
    if isinstance(out, (list, tuple)):
        return [t for o in out for t in _tensors(o)]
    return []


def time_onnxruntime_cuda(proto, feeds: Mapping[str, np.ndarray], *, precision: str = "fp32",
                          **measure_kw) -> TimingResult:
    """The whole model in ONNX Runtime's CUDA provider (onnxruntime-gpu), through an I/O binding
    to device buffers and on the harness's stream, so the copies and the run are timed apart."""
    from ..ort import CUDA, loadable, session_options

    ort = _optional.onnxruntime("Timing ONNX Runtime on the GPU")
    if CUDA not in ort.get_available_providers():
        raise TrtlabError("ONNX Runtime's CUDA provider is not installed.", hint="pip install onnxruntime-gpu")
    cuda = open_cuda("Timing ONNX Runtime on the GPU")
    # The provider runs on the harness's stream, so its events bracket the provider's kernels.
    options = {"device_id": "0", "user_compute_stream": str(cuda.stream_handle)}
    with loadable(proto) as data:  # a large model (or one whose weights are in a store) from files
        session = ort.InferenceSession(data, sess_options=session_options(), providers=[(CUDA, options)])
    feeds = {k: np.ascontiguousarray(v) for k, v in feeds.items()}
    first = session.run(None, feeds)  # output shapes, and the provider's own warm-up
    names = [o.name for o in session.get_outputs()]
    binding = session.io_binding()
    host, device = {}, {}
    for name, value in list(feeds.items()) + list(zip(names, first)):
        host[name] = cuda.host_buffer(value.shape, value.dtype)
        device[name] = cuda.device_buffer(value.shape, value.dtype)
    for name, value in feeds.items():
        cuda.fill(host[name], value)
        binding.bind_input(name, "cuda", 0, value.dtype, list(value.shape), cuda.address(device[name]))
    for name, value in zip(names, first):
        binding.bind_output(name, "cuda", 0, value.dtype, list(value.shape), cuda.address(device[name]))

    def copy_in():
        for name in feeds:
            cuda.copy_in(device[name], host[name])

    def run():
        session.run_with_iobinding(binding)

    def copy_out():
        for name in names:
            cuda.copy_out(host[name], device[name])

    steps = GpuSteps(cuda, copy_in, run, copy_out, outputs={n: host[n] for n in names}, capturable=False)
    return time_steps(steps, backend=f"ONNX Runtime {ort.__version__} CUDA", precision=precision,
                      batch=batch_of(feeds), **measure_kw)


def mxnet_gpu_available() -> bool:
    """True where the installed MXNet is a CUDA build that sees a GPU; never raises."""
    try:
        mx = _optional.mxnet("Timing MXNet on the GPU")
        return mx.context.num_gpus() > 0
    except Exception:
        return False


def time_mxnet_gpu(source: Any, feeds: Mapping[str, np.ndarray], *, params: str | os.PathLike | None = None,
                   precision: str = "fp32", **measure_kw) -> TimingResult:
    """MXNet on GPU 0 (`mx.gpu(0)`): a -symbol.json bound with `simple_bind(ctx=mx.gpu(0))`, or a
    Gluon HybridBlock moved there with `reset_ctx`. MXNet runs on its own streams, so each step
    waits for its arrays (`wait_to_read`) before the harness records the next event: the parts
    are MXNet's wall time per step, which includes its engine's scheduling."""
    mx = _optional.mxnet("Timing MXNet on the GPU")
    if not mxnet_gpu_available():
        raise TrtlabError("This MXNet sees no GPU.", hint="Install a CUDA build of MXNet (e.g. mxnet-cu112).")
    ctx = mx.gpu(0)
    cuda = open_cuda("Timing MXNet on the GPU")
    host = {k: mx.nd.array(v, ctx=mx.cpu_pinned(0), dtype=v.dtype) for k, v in feeds.items()}
    device = {k: mx.nd.zeros(v.shape, ctx=ctx, dtype=v.dtype) for k, v in feeds.items()}
    if isinstance(source, (str, os.PathLike)):
        from .inputs import params_beside as _params_beside

        symbol_path = Path(source)
        params_path = Path(params) if params else _params_beside(symbol_path)
        if params_path is None:
            raise TrtlabError(f"No .params file beside {symbol_path.name}.", hint="Pass params=...")

        with mxnet_errors(mx):
            saved = mx.nd.load(str(params_path))
            executor = mx.sym.load(str(symbol_path)).simple_bind(
                ctx=ctx, grad_req="null", **{k: tuple(v.shape) for k, v in feeds.items()})
            executor.copy_params_from({k[4:]: v for k, v in saved.items() if k.startswith("arg:")},
                                      {k[4:]: v for k, v in saved.items() if k.startswith("aux:")},
                                      allow_extra_params=True)
        for name, array in device.items():
            executor.arg_dict[name] = array

        def forward():
            executor.forward(is_train=False, **device)
            return executor.outputs

        backend = f"MXNet {mx.__version__} executor"
    elif isinstance(source, mx.gluon.HybridBlock):
        source.reset_ctx(ctx)
        source.hybridize()

        def forward():
            out = source(*device.values())
            return list(out) if isinstance(out, (list, tuple)) else [out]

        backend = f"MXNet {mx.__version__} Gluon (hybridized)"
    else:
        raise TrtlabError(f"Can't time an MXNet {type(source).__name__}.",
                          hint="Pass a -symbol.json path or a Gluon HybridBlock.")
    state = {"out": forward()}
    pinned = [mx.nd.zeros(o.shape, ctx=mx.cpu_pinned(0), dtype=o.dtype) for o in state["out"]]

    def copy_in():
        for k in feeds:
            host[k].copyto(device[k]).wait_to_read()

    def run():
        state["out"] = forward()
        for o in state["out"]:
            o.wait_to_read()

    def copy_out():
        for h, o in zip(pinned, state["out"]):
            o.copyto(h).wait_to_read()

    try:
        steps = GpuSteps(cuda, copy_in, run, copy_out, capturable=False)
        return time_steps(steps, backend=backend, precision=precision, batch=batch_of(feeds),
                          note="MXNet's own streams: each step waited for", **measure_kw)
    except Exception as exc:
        if isinstance(exc, TrtlabError):
            raise
        raise TrtlabError(f"MXNet failed on the GPU: {one_line(exc, first=True, limit=None)}") from None
