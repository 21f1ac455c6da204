"""The CUDA backends' behaviour where there is no GPU: plain words, no CUDA import."""

import subprocess
import sys

import pytest

import trtlab
from trtlab.timing import cuda_available, open_cuda

from .gpu import torch_sees_a_gpu


def test_without_a_gpu_opening_cuda_says_what_is_needed():
    if torch_sees_a_gpu():
        pytest.skip("this machine has a CUDA GPU")
    assert cuda_available() is False
    with pytest.raises(trtlab.TrtlabError, match="needs a CUDA GPU"):
        open_cuda("Timing on the GPU")
    with pytest.raises(trtlab.TrtlabError, match="Unknown CUDA backend"):
        open_cuda("x", prefer="opencl")


def test_importing_the_harness_imports_no_gpu_framework():
    code = ("import sys, trtlab.timing, trtlab.engines.runtime; "
            "print([m for m in ('torch', 'cuda', 'tensorrt', 'tensorrt_rtx', 'mxnet') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
