"""The zoo's graph builder: seeded weights, cached builds, input shapes checked against the architecture."""

from __future__ import annotations

import time

import numpy as np
import pytest
from onnx import numpy_helper

import trtlab
from trtlab import zoo
from trtlab.errors import TrtlabError
from trtlab.zoo.builder import ConvShape, GraphBuilder

from .support import run_ort


def test_seed_and_cache():
    a, b = zoo.get("tiny", seed=3), zoo.get("tiny", seed=3)
    assert a is not b and a.proto is not b.proto  # fresh objects over their own copies
    assert a.to_bytes() == b.to_bytes()
    c = zoo.get("tiny", seed=4)
    assert a.initializers["conv1.weight"].raw_data != c.initializers["conv1.weight"].raw_data
    zoo.get("resnet18")
    start = time.perf_counter()
    zoo.get("resnet18")
    zoo.get("resnet18")
    assert time.perf_counter() - start < 1.0  # cached: copies, no rebuild


def test_batch_and_inputs_set_the_shape():
    model = zoo.get("resnet18", batch=2)
    assert model.inputs["data"].shape == (2, 3, 224, 224)
    assert model.outputs["fc"].shape == (2, 1000)
    model = trtlab.load("zoo:mixed", inputs={"data": (3, 3, 48, 40)})
    (out,) = run_ort(model)
    assert out.shape == (3, 10) and np.isfinite(out).all()
    model = zoo.get("transformer", inputs={"input": (2, 16, 64)})
    assert run_ort(model)[0].shape == (2, 16, 64)


def test_bad_inputs_say_what_to_do():
    with pytest.raises(TrtlabError, match="no input named 'x'"):
        zoo.get("tiny", inputs={"x": (1, 3, 32, 32)})
    with pytest.raises(TrtlabError, match="axis 1"):
        zoo.get("tiny", inputs={"data": (1, 4, 32, 32)})
    with pytest.raises(TrtlabError, match="4-d"):
        zoo.get("resnet18", inputs={"data": (3, 224, 224)})


def test_graph_builder_names_outputs_after_nodes_and_refuses_duplicates():
    b = GraphBuilder("probe", seed=0)
    x = b.input("data", (1, 4, 8, 8))
    y = b.conv(x, ConvShape(4, 4, 3, group=4), "dw", gain=2.0)
    assert y == "dw"
    b.output(b.relu6(y, "act"), (1, 4, 8, 8))
    proto = b.to_proto()
    assert proto.opset_import[0].version == 17 and proto.ir_version <= 8
    weight = next(t for t in proto.graph.initializer if t.name == "dw.weight")
    assert list(weight.dims) == [4, 1, 3, 3]
    with pytest.raises(ValueError, match="duplicate node name 'dw'"):
        b.node("Relu", [x], "dw")
    with pytest.raises(ValueError, match="duplicate tensor name 'data'"):
        b.input("data", (1,))


def test_he_initialised_weights_have_the_planned_spread():
    b = GraphBuilder("probe", seed=1)
    b.output(b.conv(b.input("data", (1, 64, 8, 8)), ConvShape(64, 128, 3), "c", gain=2.0), (1, 128, 8, 8))
    (w,) = [numpy_helper.to_array(t) for t in b.to_proto().graph.initializer]
    assert abs(w.std() - np.sqrt(2.0 / (64 * 9))) < 0.002
