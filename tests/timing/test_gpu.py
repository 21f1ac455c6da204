"""The CUDA-event harness and the GPU baselines, on a real GPU (skipped elsewhere)."""

import numpy as np
import pytest

import trtlab
from trtlab.check import check
from trtlab.timing import TimingResult, open_cuda, time_steps, time_torch_gpu, torch_steps
from trtlab.timing.cuda import TorchCuda
from trtlab.timing.gpu import GpuSteps

from .gpu import GPU, NEEDS_CUDA_PYTHON

pytestmark = GPU
FAST = {"warmup_ms": 20, "iterations": 20, "seconds": 0.05}


def conv_net(torch):
    torch.manual_seed(0)
    layers = []
    for _ in range(4):
        layers += [torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU()]
    return torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1), *layers,
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10)).eval()


def parts_add_up(r: TimingResult, within: float = 0.05) -> bool:
    return abs(r.h2d_ms + r.compute_ms + r.d2h_ms - r.mean_ms) <= within * r.mean_ms


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


@pytest.mark.parametrize("precision,tol", [("fp32", 1e-4), ("fp16", 2e-2), ("bf16", 1e-1)])
def test_torch_on_the_gpu_matches_the_cpu_in_each_precision(precision, tol):
    import torch

    net = conv_net(torch)
    x = np.random.default_rng(0).standard_normal((8, 3, 32, 32)).astype(np.float32)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    steps = torch_steps(net, {"x": x}, precision=precision)
    steps.once()
    got = steps.results()["output0"].astype(np.float32)
    np.testing.assert_allclose(got, expected, atol=tol * max(1.0, np.abs(expected).max()), rtol=0)
    assert next(net.parameters()).device.type == "cpu"  # the user's module is left where it was


def test_torch_eager_and_cuda_graph_figures():
    import torch

    net = conv_net(torch)
    feeds = {"x": np.ones((8, 3, 32, 32), np.float32)}
    eager = time_torch_gpu(net, feeds, precision="fp16", **FAST)
    graph = time_torch_gpu(net, feeds, precision="fp16", graph=True, **FAST)
    for r in (eager, graph):
        assert r.precision == "fp16" and r.batch == 8 and parts_add_up(r)
        assert r.backend.startswith(f"PyTorch {torch.__version__} eager")
    assert graph.backend.endswith("+ CUDA graph") and not eager.backend.endswith("CUDA graph")
    # Replaying a graph launches every kernel at once: its compute is not slower than eager.
    assert graph.compute_ms <= eager.compute_ms * 1.1


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
