"""Groups that follow the model: module paths in node names, numbered repeats marked alike."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper

import trtlab
from trtlab.views.hierarchy import model_hierarchy
from trtlab.views.scopes import name_parts, scope_of

from tests.real_models import load_corpus


@pytest.mark.parametrize("name,parts", [
    ("transformer.h.10.mlp.act/Add_1", ["transformer", ".h", ".10", ".mlp", ".act", "/Add_1"]),
    ("/layer1/layer1.0/conv1/Conv", ["layer1", ".0", "/conv1", "/Conv"]),  # TorchScript repeats the path
    ("/layer1/layer1.0/downsample/downsample.0/Conv", ["layer1", ".0", "/downsample", ".0", "/Conv"]),
    ("encoder::block_3::Conv", ["encoder", "::block_3", "::Conv"]),
    ("Conv_45000", ["Conv_45000"]),
])
def test_name_parts_keep_their_separators(name, parts):
    assert name_parts(name) == parts
    assert "".join(parts) == name.lstrip("/").replace("layer1/layer1.0", "layer1.0").replace(
        "downsample/downsample.0", "downsample.0")


def test_a_number_at_the_end_numbers_the_node_not_a_module():
    assert scope_of("p2o.Relu.7") == ("p2o",)
    assert scope_of("Conv_45") == ()
    assert scope_of("h.4.ln_1") == ("h", ".4")
    assert scope_of("resnetv10_stage1_conv0", underscore=True) == ("resnetv10", "_stage1")


def gpt2_like(layers: int) -> trtlab.Model:
    """GPT-2's naming as exported: module paths with `.` and `/`, a scope-less Split inside
    each layer's attention, a mask every layer reads."""
    nodes, prev = [], "x"

    def node(op, name, inputs):
        out = name + ":out"
        nodes.append(helper.make_node(op, inputs, [out], name=name))
        return out

    prev = node("Add", "Add", ["x", "x"])
    for k in range(layers):
        h = f"h.{k}"
        ln = node("Relu", f"{h}.ln_1", [prev])
        qkv = node("MatMul", f"{h}.attn.c_attn/Gemm", [ln, "w"])
        split = node("Identity", f"Split_{k}" if k else "Split", [qkv])
        scores = node("Mul", f"{h}.attn/Mul", [split, "mask"])
        soft = node("Softmax", f"{h}.attn/Softmax", [scores])
        proj = node("MatMul", f"{h}.attn.c_proj/Gemm", [soft, "w"])
        res = node("Add", f"{h}/Add", [proj, prev])
        fc = node("MatMul", f"{h}.mlp.c_fc/Gemm", [res, "w"])
        act = node("Tanh", f"{h}.mlp.act/Tanh", [fc])
        out = node("MatMul", f"{h}.mlp.c_proj/Gemm", [act, "w"])
        prev = node("Add", f"{h}/Add_1", [out, res])
    node("Relu", "ln_f", [prev])
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [4, 4]) for n in ("x", "w", "mask")]
    graph = helper.make_graph(nodes, "gpt2_like", inputs, [helper.make_tensor_value_info("ln_f:out", TensorProto.FLOAT, None)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name="gpt2_like", source="test")


def _depth(h) -> int:
    return max(len(h.ancestors(i)) for g in h.groups.values() for i in g.children)


def test_module_paths_give_the_layers_marked_alike():
    h = model_hierarchy(gpt2_like(12))
    layers = [g for g in h.groups.values() if g.name.startswith("h.") and g.name.count(".") == 1]
    assert [g.name for g in layers] == [f"h.{k}" for k in range(12)]
    assert {g.repeats for g in layers} == {12}
    assert not [g for g in h.groups.values() if g.kind in ("part", "block")]
    # The scope-less Split between two nodes of h.5.attn is drawn inside it.
    attn = next(g for g in h.groups.values() if g.name == "h.5.attn")
    assert "Split_5" in attn.members
    assert _depth(h) <= 4  # the names' own depth: h, h.5, h.5.attn, h.5.attn.c_attn


def test_a_gpt2_export_shows_its_layers():
    model, _ = load_corpus("gpt2")  # GPT-2 from its config, exported by trtlab.load: "h.1.mlp.act/Mul"
    # (its first layer also holds the mask both layers read: "h.0.attn/Where")
    h = model_hierarchy(model)
    layers = sorted(g.name for g in h.groups.values() if g.kind == "scope" and g.name in ("h.0", "h.1"))
    assert layers == ["h.0", "h.1"]
    assert all(g.repeats == 2 for g in h.groups.values() if g.name in ("h.0", "h.1"))
    assert not [g for g in h.groups.values() if g.kind in ("part", "block")]


def test_search_matches_whole_names_regex_and_tensors():
    h = model_hierarchy(gpt2_like(12))
    assert h.find("h.1/Add") == ["h.1/Add"]  # not h.10/Add, h.11/Add
    assert h.find("H.1/ADD") == ["h.1/Add"]  # any case
    assert h.find("h.1") == [n for n in h.drawn if n.startswith("h.1.") or n.startswith("h.1/")]
    assert h.find("Split_1") == ["Split_1"]  # not Split_10, Split_11
    assert h.find("softmax") == [n for n in h.drawn if n.endswith("/Softmax")]  # an op type
    assert h.find(r"^h\.1[01]/Add$", regex=True) == ["h.10/Add", "h.11/Add"]
    assert h.find("h.3.attn/Mul:out") == ["h.3.attn/Mul"]  # a tensor: the node that makes it
    assert h.find("mask") == [n for n in h.drawn if n.endswith("attn/Mul")][:1]  # an input: its first reader
    assert h.find("Conv_4500") == []
    with pytest.raises(trtlab.TrtlabError, match="not a regular expression"):
        h.find("h.1(", regex=True)
