"""The `gpu` marker with its skip (these tests run wherever torch sees a CUDA GPU), and the GPU tests' small net."""

import pytest

from trtlab.timing.device import visible_gpu


def torch_sees_a_gpu() -> bool:
    if visible_gpu() is None:  # no torch import on machines without an NVIDIA GPU
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def cuda_python_installed() -> bool:
    try:
        from trtlab.timing.cuda import _cudart

        _cudart()
    except Exception:
        return False
    return True


NEEDS_GPU = pytest.mark.skipif(not torch_sees_a_gpu(), reason="needs a CUDA GPU (torch.cuda.is_available())")
GPU = [pytest.mark.gpu, NEEDS_GPU]
NEEDS_CUDA_PYTHON = pytest.mark.skipif(not cuda_python_installed(), reason="needs cuda-python (pip install cuda-python)")
FAST = {"warmup_ms": 20, "iterations": 20, "seconds": 0.05}


def conv_net(torch):
    """A seeded 5-conv net with BatchNorm, in eval mode."""
    torch.manual_seed(0)
    layers = []
    for _ in range(4):
        layers += [torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU()]
    return torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, padding=1), *layers,
                               torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 10)).eval()


def parts_add_up(r, within: float = 0.05) -> bool:
    """Copy in, compute and copy out add up to the mean within `within` of it."""
    return abs(r.h2d_ms + r.compute_ms + r.d2h_ms - r.mean_ms) <= within * r.mean_ms
