"""The GPU baselines: PyTorch on the GPU gives the CPU's answers in each precision, eager and as a CUDA
graph (skipped without a CUDA GPU); what can't run on the GPU says so on any machine."""

import numpy as np
import pytest

from trtlab.errors import TrtlabError
from trtlab.timing import time_torch_gpu, torch_steps
from trtlab.timing.gpu_baselines import (TORCH_PRECISIONS, _tensors, mxnet_gpu_available, time_mxnet_gpu,
                                         time_onnxruntime_cuda)

from .gpu import FAST, NEEDS_GPU, conv_net, parts_add_up


@pytest.mark.gpu
@NEEDS_GPU
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


@pytest.mark.gpu
@NEEDS_GPU
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


def test_torch_is_timed_only_in_the_precisions_torch_has():
    assert {"fp32", "fp16", "bf16"} <= set(TORCH_PRECISIONS) and "int8" not in TORCH_PRECISIONS
    with pytest.raises(TrtlabError, match="PyTorch on the GPU is timed in fp32, .*not int8"):
        torch_steps(object(), {}, precision="int8")


def test_outputs_of_any_shape_are_flattened_to_tensors():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    a, b, c = torch.zeros(1), torch.ones(2), torch.full((3,), 2.0)
    assert [t.numel() for t in _tensors({"logits": a, "extra": (b, [c]), "note": "text"})] == [1, 2, 3]


def test_without_a_gpu_build_the_other_baselines_say_what_to_install():
    import onnxruntime as ort

    from trtlab.ort import CUDA

    if CUDA not in ort.get_available_providers():
        with pytest.raises(TrtlabError, match="CUDA provider is not installed") as err:
            time_onnxruntime_cuda(None, {})
        assert "onnxruntime-gpu" in err.value.hint
    if not mxnet_gpu_available():
        with pytest.raises(TrtlabError, match="sees no GPU|needs the 'mxnet' package") as err:
            time_mxnet_gpu("net-symbol.json", {})
    if CUDA in ort.get_available_providers() and mxnet_gpu_available():
        pytest.skip("onnxruntime-gpu and a CUDA MXNet are installed: their GPU timings are tested on the GPU")
