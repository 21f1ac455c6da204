"""Readable node names for exported PyTorch modules: the module path that made each node."""

from __future__ import annotations

import pytest
from onnx import helper

import trtlab
from trtlab.loaders.torch_names import readable_dynamo_names, readable_names, strip_wrapper


def _graph(names, metadata=None):
    nodes = []
    for i, name in enumerate(names):
        op = name.rsplit("/", 1)[-1].split("_")[0] or "Identity"
        node = helper.make_node(op, [f"t{i}"], [f"t{i + 1}"], name=name)
        for key, value in (metadata or {}).get(name, {}).items():
            node.metadata_props.add(key=key, value=value)
        nodes.append(node)
    return helper.make_graph(nodes, "g", [], [])


def test_torchscript_scopes_become_module_paths():
    g = _graph(["/stem/conv/Conv", "/layer1/layer1.0/conv1/Conv", "/layer1/layer1.0/Add",
                "/layer1/layer1.0/relu/Relu", "/se/Mul", "/se/Mul_1", "/Relu_1", "/inner/fc/Gemm"])
    readable_names(g, strip_prefix="inner.")
    assert [n.name for n in g.node] == ["stem.conv", "layer1.0.conv1", "layer1.0/Add", "layer1.0.relu",
                                        "se/Mul", "se/Mul_1", "Relu_1", "fc"]


def test_the_same_op_twice_in_one_module_gets_numbered():
    scope = {"pkg.torch.onnx.name_scopes": "['', 'attn', 'matmul']"}
    g = _graph(["MatMul_1", "MatMul_2"], {"MatMul_1": scope, "MatMul_2": scope})
    readable_dynamo_names(g)
    assert [n.name for n in g.node] == ["attn/MatMul", "attn/MatMul_1"]


def test_dynamo_names_come_from_recorded_scopes_and_bulky_metadata_goes():
    scopes = "pkg.torch.onnx.name_scopes"
    g = _graph(["Conv_0", "Add_1", "Relu_2"], {
        "Conv_0": {scopes: "['', 'layer1', 'layer1.0', 'layer1.0.conv1', 'conv2d']",
                      "pkg.torch.onnx.stack_trace": "File x.py, line 1 ..." * 50},
        "Add_1": {scopes: "['', 'layer1', 'layer1.0', 'add']"},
    })
    readable_dynamo_names(g)
    assert [n.name for n in g.node] == ["layer1.0.conv1", "layer1.0/Add", "Relu"]
    assert [p.key for p in g.node[0].metadata_props] == [scopes]


def test_strip_wrapper_renames_tensors_unless_that_collides():
    g = helper.make_graph([helper.make_node("Relu", ["/inner/x"], ["inner.fc.weight"], name="r")], "g", [], [])
    strip_wrapper(g, "inner")
    assert list(g.node[0].input) == ["/x"] and list(g.node[0].output) == ["fc.weight"]
    clash = helper.make_graph([helper.make_node("Add", ["/inner/x", "/x"], ["y"], name="a")], "g", [], [])
    strip_wrapper(clash, "inner")
    assert list(clash.node[0].input) == ["/inner/x", "/x"]


def test_dynamo_node_names_are_module_paths():
    pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    from trtlab.zoo.torch_models import build_torch_cnn

    module, example = build_torch_cnn()
    m = trtlab.load(module, example_inputs=example, exporter="dynamo")
    names = set(m.node_by_name)
    assert {"se.fc1", "se.fc2", "fc", "layer1.0/Add", "stem.2"} <= names, sorted(names)
    assert not any(n.startswith("node_") for n in names)
    # The bulky per-node stack traces the exporter records are not kept.
    assert not any(p.key.endswith("stack_trace") for n in m.nodes for p in n.metadata_props)
