"""The TensorRT calls of one build: optimisation profiles, shape tensors, refusals in TensorRT's words."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

from trtlab.engines import BuildOptions, build_engine  # noqa: E402
from trtlab.engines.tensorrt_calls import refusal  # noqa: E402
from trtlab.profiles import Profile, ShapeRange  # noqa: E402

from tests.models import dynamic_cnn, shape_input_reshape  # noqa: E402

RANGE = {"x": {"min": [1, 3, 8, 8], "opt": [2, 3, 16, 16], "max": [4, 3, 32, 32]}}


def test_a_dynamic_input_builds_with_its_profile_and_the_result_records_it():
    result = build_engine(dynamic_cnn(), name="cnn", options=BuildOptions(profiles=RANGE))
    assert result.built, result.error
    assert result.profiles == [RANGE] and result.to_dict()["profiles"] == [RANGE]


def test_a_dynamic_input_without_a_profile_is_refused_with_the_reason():
    result = build_engine(dynamic_cnn(), name="cnn")
    assert not result.built
    assert "input x of engine cnn has a dynamic shape" in result.error and "--min-shapes" in result.error


def test_a_profile_naming_no_input_is_refused_by_name():
    wrong = {"images": RANGE["x"]}
    result = build_engine(dynamic_cnn(), name="cnn", options=BuildOptions(profiles=wrong))
    assert not result.built and "images is not an input of engine cnn (its inputs: x)" in result.error


def test_a_shape_tensor_needs_its_values_in_the_profile():
    refused = build_engine(shape_input_reshape(), name="reshape")
    assert not refused.built and refused.failure == "shape tensor"
    assert "input shape of engine reshape is a shape tensor" in refused.error
    values = Profile.of({"shape": ShapeRange((2,), (2,), (2,))},
                        values={"shape": ShapeRange((2, 3), (2, 3), (2, 3))})
    built = build_engine(shape_input_reshape(), name="reshape", options=BuildOptions(profiles=values))
    assert built.built, built.error
    assert built.profiles[0]["shape"]["values"] == {"min": [2, 3], "opt": [2, 3], "max": [2, 3]}


def test_refusals_are_classified_from_tensorrts_own_words():
    assert refusal([("ERROR", "Could not find any implementation for node conv.")])[0] == "unsupported layer"
    kind, why = refusal([("INFO", "x"), ("ERROR", "Network has dynamic or shape inputs, but no optimization "
                                                 "profile has been defined.")])
    assert kind == "shape tensor" and why.endswith("no optimization profile has been defined.")
    assert refusal([("ERROR", "Requested amount of GPU memory could not be allocated: out of memory")])[0] == "memory"
    assert refusal([("ERROR", "something else")]) == ("builder", "TensorRT refused the build: something else")
    assert refusal([])[0] == "builder"
