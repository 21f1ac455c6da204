"""The zoo's PyTorch model: a seeded residual CNN, and its ONNX export that matches it."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab


def _ort(model, feeds):
    import onnxruntime as ort

    return ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"]).run(None, feeds)


def test_zoo_torch_cnn_matches_torch():
    pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    import torch

    from trtlab.zoo.torch_models import build_torch_cnn

    module, (x,) = build_torch_cnn()
    model = trtlab.load("zoo:torch_cnn")
    assert model.opset == 17 and list(model.inputs) == ["x"] and list(model.outputs) == ["probs"]
    with torch.no_grad():
        ref = module(x).numpy()
    (out,) = _ort(model, {"x": x.numpy()})
    assert np.max(np.abs(out - ref)) < 1e-5
    names = set(model.node_by_name)
    assert {"layer1.0.conv1", "layer2.0.conv2", "se.fc1", "fc", "layer1.0/Add"} <= names


def test_the_module_is_seeded_in_eval_mode_and_shaped_by_inputs():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    from trtlab.zoo.torch_models import build_torch_cnn

    a, (xa,) = build_torch_cnn(seed=3)
    b, (xb,) = build_torch_cnn(seed=3)
    c, _ = build_torch_cnn(seed=4)
    assert not a.training and torch.equal(xa, xb)
    assert torch.equal(a.stem[0].weight, b.stem[0].weight) and not torch.equal(a.stem[0].weight, c.stem[0].weight)
    _, (x,) = build_torch_cnn({"x": (2, 3, 40, 48)})
    assert tuple(x.shape) == (2, 3, 40, 48)
    with torch.no_grad():
        probs = a(x)
    assert tuple(probs.shape) == (2, 10)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(2))
