"""Each node of a transformed model run alone on the reference's exact inputs: the error it adds itself,
not the error it passes on."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

from trtlab.accuracy import expose_intermediates, local_outputs
from trtlab.accuracy.local_error import elem_types
from trtlab.feeds import random_feeds
from trtlab.ort import run_onnxruntime

from tests.models import chain_model


def _reference(model, feeds) -> dict[str, np.ndarray]:
    """The fp32 model's every tensor, plus its inputs: the exact values the local runs are fed."""
    return {**feeds, **run_onnxruntime(expose_intermediates(model.proto), feeds, "cpu")}


def _with_bias_moved(proto: onnx.ModelProto, name: str, by: float) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    for t in out.graph.initializer:
        if t.name == name:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t) + np.float32(by), name))
    return out


def test_only_the_node_that_reads_a_changed_weight_adds_error():
    model = chain_model()
    feeds = random_feeds(model)
    exact = _reference(model, feeds)
    local = local_outputs(_with_bias_moved(model.proto, "b2", 0.5), exact)
    value, op, name = local["add2"]
    assert (op, name) == ("Add", "add2")
    np.testing.assert_allclose(value - exact["add2"], 0.5, atol=1e-6)
    # Every node after it is fed the reference's exact values, so it computes them exactly.
    for tensor in ("relu2", "mm3", "add3", "joined", "y"):
        np.testing.assert_allclose(local[tensor][0], exact[tensor], rtol=1e-6, atol=1e-6)
    assert local["joined"][1:] == ("Mul", "join") and local["y"][1:] == ("Softmax", "softmax")


def test_an_fp16_model_is_traced_through_its_casts_and_rounds_only_locally():
    from trtlab.precision import apply_precision

    model = chain_model()
    feeds = random_feeds(model)
    exact = _reference(model, feeds)
    fp16 = apply_precision(model.proto, "fp16")
    assert any(n.op_type == "Cast" for n in fp16.graph.node)
    local = local_outputs(fp16, exact)
    assert {"mm0", "add0", "relu0", "mm5", "y"} <= set(local)
    for tensor, (value, op, _) in local.items():
        assert op != "Cast" and value.dtype == exact[tensor].dtype and value.shape == exact[tensor].shape
        # One fp16 node on exact inputs: off by fp16 rounding, never by accumulated error.
        np.testing.assert_allclose(value, exact[tensor], rtol=2e-2, atol=2e-2)
    assert any(not np.array_equal(value, exact[t]) for t, (value, _, _) in local.items())  # it did run in fp16


def test_a_node_whose_inputs_the_reference_lacks_is_left_out():
    model = chain_model()
    feeds = random_feeds(model)
    exact = _reference(model, feeds)
    del exact["relu1"]  # mm2 reads it: no exact input, no local run
    local = local_outputs(model.proto, exact)
    assert "mm2" not in local and "relu1" not in local and "add2" in local


def test_element_types_of_inputs_weights_and_outputs():
    model = chain_model()
    types = elem_types(model.proto)
    assert types["x"] == types["w0"] == types["y"] == TensorProto.FLOAT
    assert types["mm0"] == TensorProto.FLOAT  # from the value_info that loading inferred
    del model.proto.graph.value_info[:]
    assert "mm0" not in elem_types(model.proto)  # an untyped intermediate is simply absent
