"""The CUDA-event harness on a real GPU, and a check that times there (skipped elsewhere)."""

import numpy as np
import pytest

import trtlab
from trtlab.check import check
from trtlab.timing import open_cuda, time_steps
from trtlab.timing.cuda import TorchCuda
from trtlab.timing.gpu import GpuSteps

from .gpu import FAST, GPU, NEEDS_CUDA_PYTHON, conv_net, parts_add_up

pytestmark = GPU


def copy_steps(cuda, x: np.ndarray) -> GpuSteps:
    """In, a device-to-device copy as the run, out: the harness with nothing but CUDA in it."""
    host_in, host_out = cuda.host_buffer(x.shape, x.dtype), cuda.host_buffer(x.shape, x.dtype)
    cuda.fill(host_in, x)
    a, b = cuda.device_buffer(x.shape, x.dtype), cuda.device_buffer(x.shape, x.dtype)
    if isinstance(cuda, TorchCuda):
        run = lambda: b.copy_(a, non_blocking=True)  # noqa: E731
    else:
        rt = cuda.rt
        run = lambda: rt.cudaMemcpyAsync(b.ptr, a.ptr, x.nbytes, rt.cudaMemcpyKind.cudaMemcpyDeviceToDevice,  # noqa: E731
                                         cuda.stream)
    return GpuSteps(cuda, lambda: cuda.copy_in(a, host_in), run, lambda: cuda.copy_out(host_out, b),
                    outputs={"y": host_out})


@pytest.mark.parametrize("backend", ["torch", pytest.param("cuda-python", marks=NEEDS_CUDA_PYTHON)])
@pytest.mark.parametrize("graph", [False, True])
def test_harness_moves_data_and_times_each_step(backend, graph):
    cuda = open_cuda("test", prefer=backend)
    assert cuda.name == backend
    x = np.arange(4 * 1024 * 1024, dtype=np.float32).reshape(1024, 4096)  # 16 MB: each step takes time
    steps = copy_steps(cuda, x)
    r = time_steps(steps, backend=f"copy ({backend})", precision="fp32", batch=1024, graph=graph, **FAST)
    np.testing.assert_array_equal(steps.results()["y"], x)
    assert r.device.startswith("GPU: ") and r.iterations >= 20
    assert r.h2d_ms > 0.1 and r.compute_ms > 0.001 and r.d2h_ms > 0.1  # 16 MB over PCIe: > 0.1 ms each way
    assert parts_add_up(r, 0.01)
    assert r.host_ms >= r.mean_ms * 0.9  # the host waited for the GPU every run
    assert ("CUDA graph" in r.backend) == graph


def test_check_on_a_gpu_times_torch_there_and_compares_like_with_like():
    import torch

    from trtlab.check.timing import speedup_not_measured
    from trtlab.report.charts import like_with_like, pick_baseline
    from trtlab.report.text import check_text

    net = conv_net(torch)
    model = trtlab.load(net, example_inputs=(torch.ones(4, 3, 32, 32),))
    r = check(model, ["fp32", "fp16"], timing_options=FAST)
    gpu = [t for t in r.timing if t.device.startswith("GPU: ")]
    assert {(t.precision, t.backend.endswith("CUDA graph")) for t in gpu} >= {
        ("fp32", False), ("fp32", True), ("fp16", False), ("fp16", True)}
    assert all(t.compute_ms is not None and parts_add_up(t) for t in gpu)
    for group in like_with_like(r.timing):
        assert len({(t.device, t.batch) for t in group}) == 1
    base = pick_baseline([t for t in r.timing if t.device.startswith("GPU: ")])
    assert base.backend.endswith("eager") and base.precision == "fp32"
    if not any(t.backend.startswith("TensorRT") for t in r.timing):
        sentence = speedup_not_measured(r)
        assert "needs a GPU that the installed TensorRT supports" in sentence and "PyTorch" in sentence
        assert f"speed-up: {sentence}" in check_text(r)
