"""The `gpu` marker with its skip: these tests run wherever torch sees a CUDA GPU."""

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
