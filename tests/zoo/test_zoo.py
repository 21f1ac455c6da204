"""The zoo: every model is a valid, runnable ONNX graph with unique, readable node names."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnx
import pytest

import trtlab
from trtlab import zoo
from trtlab.errors import TrtlabError

from .support import parser_rejects, run_ort

BUILT_IN = ["tiny", "mixed", "resnet18", "resnet50", "mobilenetv2", "transformer"]
OUTPUT_SHAPES = {
    "tiny": (1, 10), "mixed": (1, 10), "resnet18": (1, 1000), "resnet50": (1, 1000),
    "mobilenetv2": (1, 1000), "transformer": (1, 32, 64),
}


def test_names_lists_builtins_and_lazy_torch_entry():
    assert set(BUILT_IN) <= set(zoo.names())
    assert "torch_cnn" in zoo.names()


@pytest.mark.parametrize("name", BUILT_IN)
def test_model_is_valid_and_runs(name):
    model = zoo.get(name)
    assert isinstance(model, trtlab.Model)
    assert model.name == name and model.source == f"zoo:{name}"
    onnx.checker.check_model(model.proto)
    assert model.opset == 17
    names = [n.name for n in model.nodes]
    assert all(names) and len(set(names)) == len(names)
    assert all(info.static for info in model.inputs.values())
    (out,) = run_ort(model)
    assert out.shape == OUTPUT_SHAPES[name]
    assert np.isfinite(out).all()
    # Weights are scaled so outputs are of order one: neither vanishing nor exploding.
    rms = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
    assert 0.05 < rms < 20, rms


def test_unknown_name_lists_known_ones():
    with pytest.raises(TrtlabError) as info:
        zoo.get("resnet1000")
    assert "resnet1000" in str(info.value) and "resnet18" in str(info.value)
    with pytest.raises(TrtlabError):
        trtlab.load("zoo:nope")


def test_register_callable():
    zoo.register("tiny_again", lambda inputs=None, **kw: zoo.get("tiny", inputs, **kw))
    try:
        assert "tiny_again" in zoo.names()
        assert len(zoo.get("tiny_again").nodes) == 10
    finally:
        del zoo.REGISTRY["tiny_again"]


@pytest.mark.parametrize("name", ["tiny", "resnet18", "mobilenetv2", "transformer"])
def test_tensorrt_parser_takes_supported_models(name):
    assert parser_rejects(zoo.get(name)) == set()


def test_zoo_imports_no_heavy_packages():
    code = ("import sys, trtlab.zoo; trtlab.zoo.get('tiny'); "
            "print(sorted(m for m in ('onnxruntime', 'torch', 'mxnet', 'tensorrt', 'tensorrt_rtx') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_registry_module_is_a_clear_error():
    zoo.register("ghost", "trtlab.zoo.no_such_module:ghost")
    try:
        with pytest.raises(TrtlabError, match="not part of this trtlab install"):
            zoo.get("ghost")
    finally:
        del zoo.REGISTRY["ghost"]
