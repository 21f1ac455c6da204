"""Where an engine can run, as its cache key says: "portable" for TensorRT-RTX, else the GPU it was built on."""

from __future__ import annotations

import dataclasses

import pytest

from trtlab.engines.target import build_target
from trtlab.installed_tensorrt import find_tensorrt


@pytest.fixture
def rtx():
    tensorrt = find_tensorrt()
    if tensorrt is None or tensorrt.distribution != "tensorrt-rtx":
        pytest.skip("needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    return tensorrt


def test_tensorrt_rtx_builds_for_every_gpu_it_supports(rtx, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")
    assert build_target(rtx) == "portable"


def test_full_tensorrt_builds_for_the_gpu_it_sees(rtx, monkeypatch):
    full = dataclasses.replace(rtx, distribution="tensorrt")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "-1")  # no GPU visible: an engine for no GPU, said so
    assert build_target(full) == "no-gpu"
