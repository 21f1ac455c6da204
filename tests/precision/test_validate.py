"""A transformed model is still a model: the onnx checker, a load and a run in ONNX Runtime, and
outputs compared at fp32 rounding."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper

from trtlab.errors import TrtlabError
from trtlab.precision.validate import check_structure, difference, example_feeds, load_error, run


def _relu(elem=TensorProto.FLOAT, shape=("batch", 3)):
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
                              [helper.make_tensor_value_info("x", elem, list(shape))],
                              [helper.make_tensor_value_info("y", elem, list(shape))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_example_feeds_are_seeded_and_read_a_dynamic_axis_as_one():
    a, b = example_feeds(_relu(), seed=3), example_feeds(_relu(), seed=3)
    assert a["x"].shape == (1, 3) and a["x"].dtype == np.float32
    np.testing.assert_array_equal(a["x"], b["x"])
    assert example_feeds(_relu(TensorProto.INT64))["x"].tolist() == [[0, 0, 0]]
    assert example_feeds(_relu(TensorProto.STRING)) is None


def test_run_gives_every_output_and_a_refusal_is_one_clear_error():
    x = np.array([[-1.0, 0.0, 2.0]], np.float32)
    assert run(_relu(), {"x": x, "unused": x})["y"].tolist() == [[0.0, 0.0, 2.0]]
    with pytest.raises(TrtlabError, match="ONNX Runtime cannot run it"):
        run(_relu(), {"x": np.zeros((1, 3), np.float64)})


def test_structure_and_load_problems_are_named():
    assert check_structure(_relu()) is None and load_error(_relu()) is None
    broken = _relu()
    broken.graph.node[0].input[0] = "nowhere"
    assert "nowhere" in check_structure(broken)
    assert load_error(broken) is not None


def test_difference_names_the_output_and_how_far_it_moved():
    ref = {"y": np.array([1.0, 2.0, np.nan], np.float32)}
    assert difference(ref, {"y": ref["y"] + 5e-6}) is None
    assert difference(ref, {"y": np.array([1.0, 2.01, np.nan], np.float32)}) == "output 'y' differs by up to 0.01"
    assert difference(ref, {"y": np.array([1.0, 2.0, 0.0], np.float32)}) == \
        "output 'y' has NaN where the original has none (or the reverse)"
    assert difference(ref, {}) == "output 'y' is missing"
    assert difference(ref, {"y": np.zeros(2)}) == "output 'y' has shape (2,) instead of (3,)"
    assert difference({"i": np.arange(3)}, {"i": np.array([0, 1, 3])}) == "output 'i' differs"
