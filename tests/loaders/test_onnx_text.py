"""ONNX models saved as text load as the same model, and a damaged one is one clear error."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.ort import run_onnxruntime


@pytest.mark.parametrize("suffix", [".onnxtxt", ".txtpb", ".onnxjson"])
def test_a_model_saved_as_text_loads_as_the_same_model(tmp_path, suffix):
    model = trtlab.load("zoo:tiny")
    path = tmp_path / f"tiny{suffix}"
    onnx.save(model.proto, str(path))  # onnx picks the text format from the suffix
    again = trtlab.load(path)
    assert again.name == "tiny" and [n.name for n in again.nodes] == [n.name for n in model.nodes]
    x = np.random.default_rng(0).standard_normal((1, 3, 32, 32), np.float32)
    assert np.array_equal(run_onnxruntime(again, {"data": x})["fc"], run_onnxruntime(model, {"data": x})["fc"])


def test_damaged_text_is_one_clear_error(tmp_path):
    path = tmp_path / "bad.onnxtxt"
    path.write_text("<ir_version: 8> g (float[1] x) => (float[1] y) { y = Relu(")
    with pytest.raises(TrtlabError, match=r"bad\.onnxtxt is not an ONNX model in onnxtxt text"):
        trtlab.load(path)
