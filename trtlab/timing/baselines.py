"""Timing each way of running a model: ONNX Runtime, the hybrid runner, MXNet, PyTorch.

Every function returns a `TimingResult` that records backend, precision, device and batch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from .. import _optional
from ..errors import TrtlabError
from ..model import Model
from .device import cpu_name
from .inputs import batch_of, module_call, mxnet_errors, params_beside as _params_beside
from .harness import time_calls
from .result import TimingResult
from ..words import counted


def time_onnxruntime(model: Model, feeds: Mapping[str, np.ndarray] | None = None, *,
                     provider: str = "auto", precision: str = "fp32", proto=None,
                     threads: int | None = None, **measure_kw) -> TimingResult:
    """The whole model in one ONNX Runtime session (`proto` replaces the model's own, e.g. a
    precision-converted copy with the same inputs)."""
    from ..feeds import check_feeds, random_feeds
    from ..ort import CUDA, make_session, pick_provider, provider_label

    feeds = check_feeds(model, feeds if feeds is not None else random_feeds(model))
    provider = pick_provider(provider)
    if provider == CUDA:  # GPU figures all come from the CUDA-event harness
        from .gpu_baselines import time_onnxruntime_cuda

        return time_onnxruntime_cuda(proto if proto is not None else model.proto, feeds, precision=precision,
                                     **measure_kw)
    session = make_session(proto if proto is not None else model.proto, provider, threads, timed=True)
    names = [o.name for o in session.get_outputs()]
    run = session.run
    samples, warm = time_calls(lambda: run(names, feeds), **measure_kw)
    return TimingResult.from_samples(samples, backend=provider_label(provider), precision=precision,
                                     device=_device(provider), batch=batch_of(feeds), warmup_ms=warm)


def time_hybrid(runner, feeds: Mapping[str, np.ndarray] | None = None, *, precision: str = "fp32",
                **measure_kw) -> TimingResult:
    """A `HybridRunner`, end to end, as its segments are set up. Where ONNX Runtime stands in for
    every TensorRT subgraph the result is marked `stand_in`: a latency of ONNX Runtime, not of
    TensorRT, and never the numerator of a TensorRT speed-up."""
    from ..feeds import check_feeds, random_feeds
    from ..ort import provider_label

    feeds = check_feeds(runner.model, feeds if feeds is not None else random_feeds(runner.model))
    samples, warm = time_calls(lambda: runner.run(feeds), **measure_kw)
    stand_ins = runner.stand_ins
    all_stand_ins = bool(stand_ins) and len(stand_ins) == runner.plan.engine_count
    if all_stand_ins:
        backend = f"{provider_label(runner.provider)}, stand-ins (not TensorRT)"
    elif stand_ins:
        backend = "hybrid (TensorRT engines, some ONNX Runtime stand-ins)"
    else:
        backend = "hybrid (TensorRT engines + ONNX Runtime fallback)"
    device = _device(runner.provider) if all_stand_ins else _engine_device()
    return TimingResult.from_samples(samples, backend=backend, precision=precision, device=device,
                                     batch=batch_of(feeds), warmup_ms=warm, stand_in=all_stand_ins,
                                     note=counted(len(runner.segments), "segment"))


def time_torch(module: Any, feeds: Mapping[str, np.ndarray], *, precision: str = "fp32",
               **measure_kw) -> TimingResult:
    """PyTorch eager on the CPU under inference_mode, inputs by name or in `feeds` order
    (`time_torch_gpu` is the GPU's)."""
    torch = _optional.torch("Timing a PyTorch model")
    module.eval()
    args = [torch.from_numpy(np.asarray(v)) for v in feeds.values()]
    call = module_call(module, list(feeds))
    with torch.inference_mode():
        samples, warm = time_calls(lambda: call(args), **measure_kw)
    return TimingResult.from_samples(samples, backend=f"PyTorch {torch.__version__} eager",
                                     precision=precision, device=cpu_name(), batch=batch_of(feeds),
                                     warmup_ms=warm)


def time_mxnet(source: Any, feeds: Mapping[str, np.ndarray], *, params: str | os.PathLike | None = None,
               precision: str = "fp32", **measure_kw) -> TimingResult:
    """MXNet on the CPU (`time_mxnet_gpu` is the GPU's): a `-symbol.json` path (with its `.params`) through `sym.simple_bind`'s
    executor, or a Gluon HybridBlock called directly."""
    mx = _optional.mxnet("Timing an MXNet model")
    if isinstance(source, (str, os.PathLike)):
        with mxnet_errors(mx):
            forward = _mxnet_executor(mx, Path(source), params, feeds)
        backend = f"MXNet {mx.__version__} executor"
    elif isinstance(source, mx.gluon.HybridBlock):
        source.hybridize()
        args = [mx.nd.array(v, dtype=v.dtype) for v in feeds.values()]

        def forward():
            out = source(*args)
            (out[0] if isinstance(out, (list, tuple)) else out).wait_to_read()

        backend = f"MXNet {mx.__version__} Gluon (hybridized)"
    else:
        raise TrtlabError(f"Can't time an MXNet {type(source).__name__}.",
                          hint="Pass a -symbol.json path or a Gluon HybridBlock.")
    with mxnet_errors(mx):
        samples, warm = time_calls(forward, **measure_kw)
    return TimingResult.from_samples(samples, backend=backend, precision=precision, device=cpu_name(),
                                     batch=batch_of(feeds), warmup_ms=warm)


def _mxnet_executor(mx, symbol_path: Path, params, feeds):
    params_path = Path(params) if params else _params_beside(symbol_path)
    if params_path is None:
        raise TrtlabError(f"No .params file beside {symbol_path.name}.", hint="Pass params=...")
    sym = mx.sym.load(str(symbol_path))
    saved = mx.nd.load(str(params_path))
    arg = {k[4:]: v for k, v in saved.items() if k.startswith("arg:")}
    aux = {k[4:]: v for k, v in saved.items() if k.startswith("aux:")}
    shapes = {k: tuple(np.shape(v)) for k, v in feeds.items()}
    executor = sym.simple_bind(ctx=mx.cpu(), grad_req="null", **shapes)
    executor.copy_params_from(arg, aux, allow_extra_params=True)
    data = {k: mx.nd.array(v, dtype=v.dtype) for k, v in feeds.items()}

    def forward():
        executor.forward(is_train=False, **data)
        executor.outputs[0].wait_to_read()

    return forward


def _engine_device() -> str:
    """Engines run on the GPU: a hybrid run with engines is a GPU figure, fallback and all."""
    from .device import gpu_name

    return gpu_name() or "GPU"


def _device(provider: str) -> str:
    from ..ort import CUDA

    if provider == CUDA:
        from .device import gpu_name

        return gpu_name() or "GPU (CUDA)"
    return cpu_name()
