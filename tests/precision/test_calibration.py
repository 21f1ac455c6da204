"""Calibration data for the Q/DQ precisions: user samples checked against the model's inputs,
synthetic ones where none are given."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from trtlab.errors import TrtlabError
from trtlab.precision.calibration import input_specs, samples, synthetic

from tests.models import INPUT_SHAPE, tiny_cnn


def test_specs_name_each_input_with_its_shape_and_type():
    assert input_specs(tiny_cnn()) == {"x": (INPUT_SHAPE, "float32")}
    dynamic = helper.make_model(helper.make_graph(
        [helper.make_node("Identity", ["ids"], ["y"])], "g",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", 7])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, ["batch", 7])]))
    assert input_specs(dynamic) == {"ids": ((None, 7), "int64")}
    with pytest.raises(TrtlabError, match="dynamic shape"):
        synthetic(input_specs(dynamic))


def test_synthetic_samples_are_seeded_and_typed():
    specs = {"x": ((2, 3), "float32"), "ids": ((4,), "int64")}
    a, b = synthetic(specs, count=3, seed=5), synthetic(specs, count=3, seed=5)
    assert len(a) == 3 and all(np.array_equal(p["x"], q["x"]) for p, q in zip(a, b))
    assert a[0]["x"].dtype == np.float32 and a[0]["ids"].dtype == np.int64 and set(np.unique(a[0]["ids"])) <= {0, 1}


def test_user_samples_are_checked_and_cast():
    model = tiny_cnn()
    got = samples(model, [{"x": np.zeros(INPUT_SHAPE, np.float64)}])
    assert got[0]["x"].dtype == np.float32
    with pytest.raises(TrtlabError, match="holds no samples"):
        samples(model, [])
    with pytest.raises(TrtlabError, match="names 'y', which is not a model input"):
        samples(model, [{"x": np.zeros(INPUT_SHAPE, np.float32), "y": np.zeros(1)}])
    with pytest.warns(UserWarning, match="random synthetic inputs"):
        assert len(samples(model, None)) > 1


def test_samples_of_strings_are_one_clear_error():
    letters = np.full(INPUT_SHAPE, "a")
    with pytest.raises(TrtlabError, match=r"sample 0, input 'x': its <U1 values cannot be read as float32.*"
                                          r"Give float32 arrays"):
        samples(tiny_cnn(), [{"x": letters}])
