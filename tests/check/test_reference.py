"""The fp32 reference of a check, run once: the model's outputs, the inputs of each TensorRT subgraph,
every tensor where asked, and calibration samples per subgraph."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab
from trtlab.check.reference import calibration_samples, run_reference, subgraph_inputs
from trtlab.feeds import random_feeds
from trtlab.ort import run_onnxruntime

from tests.models import chain_model, chain_with_unsupported


def test_the_run_keeps_outputs_and_what_the_subgraphs_read():
    model = trtlab.load(chain_with_unsupported())
    plan = trtlab.partition(model, "tensorrt")
    assert subgraph_inputs(plan) == ["b", "d"]  # the Det outputs the second engine reads; "x" is a model input
    feeds = random_feeds(model)
    ref = run_reference(plan, feeds, "cpu")
    expected = run_onnxruntime(model, feeds, "cpu")
    assert list(ref.outputs) == ["y"] and np.array_equal(ref.outputs["y"], expected["y"])
    assert set(ref.values) == {"x", "b", "d", "y"} and ref.nonfinite() == []
    a = np.maximum(feeds["x"], 0)
    np.testing.assert_allclose(ref.values["b"], np.linalg.det(a), rtol=1e-4)
    # The model's own outputs are as they were: the extra outputs were added for the run only.
    assert [o.name for o in model.proto.graph.output] == ["y"]


def test_every_tensor_where_asked_and_nan_named():
    model = chain_model()
    plan = trtlab.partition(model)
    feeds = random_feeds(model)
    every = run_reference(plan, feeds, "cpu", every_tensor=True)
    assert {"mm0", "add3", "relu5", "joined", "side"} <= set(every.values)
    feeds["x"][0, 0] = np.nan
    assert run_reference(plan, feeds, "cpu").nonfinite() == ["y"]


def test_calibration_samples_per_subgraph_from_the_fp32_model():
    model = trtlab.load(chain_with_unsupported())
    plan = trtlab.partition(model, "tensorrt")
    given = [{"x": np.full((1, 4, 4), v, np.float32)} for v in (1.0, 2.0)]
    per_engine, random = calibration_samples(plan, given)
    assert not random and set(per_engine) == {"trt_engine_0", "trt_engine_1"}
    assert [list(s) for s in per_engine["trt_engine_1"]] == [["b", "d"], ["b", "d"]]
    # All-equal rows have determinant 0: the second engine's samples come from running the model.
    assert np.allclose(per_engine["trt_engine_1"][1]["b"], 0, atol=1e-4)
    assert np.array_equal(per_engine["trt_engine_0"][1]["x"], given[1]["x"])
    _, random = calibration_samples(plan, None)
    assert random
    given[1]["x"][0, 0, 0] = np.inf
    with pytest.raises(trtlab.TrtlabError, match="calibration sample 1 has NaN or infinite values in x"):
        calibration_samples(plan, given)
