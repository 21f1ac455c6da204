"""trtlab.load for torch modules, the zoo's torch_cnn, and missing-framework errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError


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


def test_load_module_with_example_inputs():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 1))

        def forward(self, x):
            return torch.tanh(self.body(x)).mean(dim=(2, 3))

    torch.manual_seed(0)
    net = Net()
    x = torch.randn(2, 3, 16, 16)
    model = trtlab.load(net, example_inputs=(x,))
    assert net.training  # the caller's mode is restored
    assert {"body.0", "body.1", "body.2"} <= set(model.node_by_name)
    with torch.no_grad():
        ref = net.eval()(x).numpy()
    (out,) = _ort(model, {"input": x.numpy()})
    assert np.max(np.abs(out - ref)) < 1e-5
    # Shapes alone are enough: random example inputs are made.
    shaped = trtlab.load(net, inputs={"img": (1, 3, 20, 20)})
    assert shaped.inputs["img"].shape == (1, 3, 20, 20)
    with pytest.raises(TrtlabError, match="example inputs"):
        trtlab.load(net)


def _without(module: str, code: str) -> subprocess.CompletedProcess:
    prelude = f"import sys\nsys.modules[{module!r}] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)


def test_missing_torch_is_a_clear_error():
    out = _without("torch", """
        from trtlab.errors import MissingDependency
        from trtlab.loaders.torch import load_torch_module
        try:
            load_torch_module(object(), inputs={"x": (1, 3)})
        except MissingDependency as e:
            print(e)
    """)
    assert "needs the 'torch' package" in out.stdout and "trtlab[torch]" in out.stdout, out.stderr


def test_missing_mxnet_is_a_clear_error():
    out = _without("mxnet", """
        from trtlab.errors import MissingDependency
        import trtlab.mxnet
        from trtlab.loaders.mxnet import load_mxnet_object
        for call in (lambda: load_mxnet_object(object(), inputs={"data": (1, 3)}),
                     lambda: trtlab.mxnet.tensorrt_bind(None, data=(1, 3))):
            try:
                call()
            except MissingDependency as e:
                print(e)
    """)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2 and all("'mxnet' package" in ln and "trtlab[mxnet]" in ln for ln in lines), out.stderr
