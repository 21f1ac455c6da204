"""Models for the view tests: zoo models (generated in code) and tiny graphs built here."""

from __future__ import annotations

import shutil

import pytest
from onnx import TensorProto, helper

import trtlab
import trtlab.zoo
from trtlab.views import graph as graph_module

if shutil.which("dot") is None:
    pytest.skip("needs graphviz's `dot` program (apt-get install graphviz)", allow_module_level=True)


def chain_model(names, *, ops=None, name="chain", shape=(1, 4, 8, 8)) -> trtlab.Model:
    """Residual blocks of elementwise nodes: each Add also reads its block's input (a skip edge)."""
    ops = ops or ["Relu", "Sigmoid", "Add"]
    nodes, prev, block_input = [], "x", "x"
    for i, n in enumerate(names):
        op = ops[i % len(ops)]
        out = f"t{i}"
        inputs = [prev, block_input] if op == "Add" else [prev]
        nodes.append(helper.make_node(op, inputs, [out], name=n))
        prev = out
        if op == "Add":
            block_input = out
    nodes.append(helper.make_node("Identity", [prev], ["y"], name="final"))
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name=name, source="test")


@pytest.fixture(scope="session")
def resnet50() -> trtlab.Model:
    return trtlab.zoo.get("resnet50")


@pytest.fixture(scope="session")
def mixed() -> trtlab.Model:
    return trtlab.zoo.get("mixed")


@pytest.fixture
def fresh_layouts():
    """Forget cached layouts, so the next drawing really runs `dot`."""
    graph_module._LAYOUTS.clear()
    yield
    graph_module._LAYOUTS.clear()


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which graphviz's `dot` can't be found."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
