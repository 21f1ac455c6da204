"""The timing step of a check: the framework the model came from timed as its own baseline."""

import json
import subprocess
import sys

import pytest

from trtlab.check import check

from tests.check.support import FAST
from tests.models import dense_block


def test_mxnet_symbol_file_gets_the_mxnet_executor_baseline(tmp_path):
    _, net = dense_block()
    net.export(str(tmp_path / "net"), epoch=0)
    r = check(str(tmp_path / "net-symbol.json"), ["fp32"], build=False, inputs={"data": (2, 8)},
              timing_options=FAST)
    assert any(t.backend.startswith("MXNet") and "executor" in t.backend for t in r.timing)
    # Params kept elsewhere: given explicitly, they reach the baseline too.
    elsewhere = tmp_path / "weights"
    elsewhere.mkdir()
    moved = (tmp_path / "net-0000.params").rename(elsewhere / "net-0000.params")
    r = check(str(tmp_path / "net-symbol.json"), ["fp32"], build=False, inputs={"data": (2, 8)},
              params=moved, timing_options=FAST)
    assert any(t.backend.startswith("MXNet") and "executor" in t.backend for t in r.timing)


USER_MODULE = '''
import json, sys
import torch
import trtlab
from trtlab.check import check


class MyNet(torch.nn.Module):  # a user's own module, defined in __main__
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(8, 4)

    def forward(self, x):
        return torch.relu(self.fc(x))


x = torch.ones(2, 8)
fast = {"seconds": 0.02, "warmup_ms": 2, "iterations": 3}
direct = check(MyNet(), ["fp32"], build=False, timing_options=fast, inputs={"x": (2, 8)})
loaded = check(trtlab.load(MyNet(), example_inputs=(x,)), ["fp32"], build=False, timing_options=fast)
print(json.dumps([[t.backend for t in r.timing] for r in (direct, loaded)]))
'''


def test_a_users_own_torch_module_gets_its_pytorch_baseline():
    pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    out = subprocess.run([sys.executable, "-c", USER_MODULE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    direct, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert any(b.startswith("PyTorch") for b in direct), direct
    assert any(b.startswith("PyTorch") for b in loaded), loaded


def test_without_engines_one_sentence_says_why_there_is_no_speed_up():
    from trtlab.check.timing import is_tensorrt, speedup_not_measured

    from tests.models import chain_model

    r = check(chain_model(), ["fp32"], build=False, timing_options=FAST)
    sentence = speedup_not_measured(r)
    assert sentence == r.not_done[0]
    assert sentence.startswith("TensorRT's speed-up was not measured: it needs a GPU that the installed TensorRT "
                               "supports. Here: building engines was turned off. Measured instead: ONNX Runtime CPU")
    assert r.timing and not any(is_tensorrt(t) for t in r.timing)
