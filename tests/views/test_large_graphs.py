"""Large graphs: collapsing repeated blocks, expanding one by name, focusing on a neighbourhood."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab.views import before_graph, dom_id, find_blocks, item_styles, restyle_before

from tests.models import residual_chain_model as chain_model


def drawn(svg: str) -> list[str]:
    return [html.unescape(n) for n in
            re.findall(r'class="node trt-(?:node|block)[^"]*" data-name="([^"]*)"', svg)]


def test_resnet50_collapses_by_default_into_named_blocks(resnet50):
    view = before_graph(resnet50)
    items = drawn(view.svg())
    assert len(resnet50.nodes) == 175 and len(items) < 40
    names = {b.name for b in view.blocks}
    assert {"layer1.0", "layer3.5", "layer4.2"} <= names
    block = next(b for b in view.blocks if b.name == "layer2.1")
    assert block.op_counts == {"Conv": 3, "BatchNormalization": 3, "Relu": 3, "Add": 1}
    assert block.repeats >= 10  # the bottlenecks without downsampling share one op sequence
    # every model node is shown by exactly one drawn thing, and blocks list their members
    members = [m for b in view.blocks for m in b.members]
    assert len(members) == len(set(members))
    assert set(view.node_ids) == {n.name for n in resnet50.nodes}
    assert ">10 nodes</text>" in view.svg()


def test_full_resnet50_still_renders(resnet50):
    svg = before_graph(resnet50, collapse=False).svg()
    assert len(drawn(svg)) == 175


def test_expand_one_block_by_name(resnet50):
    view = before_graph(resnet50, collapse=True, expand=["layer2.1"])
    svg = view.svg()
    assert f'id="{dom_id("layer2.1", "b-")}"' not in svg
    for n in ("layer2.1.conv1", "layer2.1.add"):
        assert f'<g id="{dom_id(n)}" class="node trt-node' in svg
    assert 'class="cluster"' in svg
    assert len(drawn(svg)) == len(drawn(before_graph(resnet50).svg())) - 1 + 10
    with pytest.raises(trtlab.TrtlabError, match="No collapsed block named 'layer9.9'"):
        before_graph(resnet50, collapse=True, expand=["layer9.9"])
    with pytest.raises(trtlab.TrtlabError, match="not collapsed"):
        before_graph(resnet50, collapse=False, expand=["layer2.1"])


def test_collapsed_block_turns_mixed_when_one_member_changes(resnet50):
    view = before_graph(resnet50)
    block_id = dom_id("layer3.1", "b-")
    assert item_styles(view.svg())[block_id][0] == "supported"
    plan = trtlab.partition(resnet50, exclude_nodes=["layer3.1.relu2"])
    styles = item_styles(restyle_before(view.svg(), plan))
    assert styles[block_id][0] == "mixed"
    assert "9 of 10 nodes in TensorRT" in styles[block_id][2]
    changed = {k for k, v in item_styles(view.svg()).items() if styles[k][:2] != v[:2]}
    assert changed == {block_id}  # colours: tooltips of the later engine's nodes change too


def test_structural_blocks_when_names_have_no_scopes():
    model = chain_model([f"{op}_{i}" for i, op in
                         zip(range(90), ["Relu", "Sigmoid", "Add"] * 30)])
    blocks = find_blocks(model, max_items=20)
    # Cuts fall after each Add (one live tensor); residual blocks of 3 are packed two by two
    # to fit about 20 items; the lone Identity at the end is no block.
    assert [len(b.members) for b in blocks] == [6] * 15
    assert all(b.name == f"block{i}" for i, b in enumerate(blocks))
    assert blocks[0].members == ("Relu_0", "Sigmoid_1", "Add_2", "Relu_3", "Sigmoid_4", "Add_5")
    assert all(b.repeats == 15 for b in blocks)
    assert "final" not in {m for b in blocks for m in b.members}
    view = before_graph(model, collapse=True)
    assert len(drawn(view.svg())) < len(model.nodes) / 2


def test_focus_keeps_only_the_neighbourhood(resnet50):
    view = before_graph(resnet50, focus="layer3.1.conv2", radius=2)
    svg = view.svg()
    expected = {"layer3.1.relu1", "layer3.1.bn1", "layer3.1.conv2", "layer3.1.bn2", "layer3.1.relu2"}
    assert set(drawn(svg)) == expected
    assert set(view.statuses) == expected
    assert 'class="node trt-node trt-focus supported" data-name="layer3.1.conv2"' in svg
    assert 'class="node trt-stub"' in svg  # the cut edges are marked
    one = before_graph(resnet50, focus="layer3.1.conv2", radius=0)
    assert drawn(one.svg()) == ["layer3.1.conv2"]


def test_focus_by_partial_name_and_unknown_name(resnet50):
    view = before_graph(resnet50, focus="layer4.2.add", radius=1)
    assert set(drawn(view.svg())) == {"layer4.2.add", "layer4.2.bn3", "layer4.1.relu3", "layer4.2.relu3"}
    with pytest.raises(trtlab.TrtlabError, match="No node named 'layer3.1.conv9'") as err:
        before_graph(resnet50, focus="layer3.1.conv9")
    assert "layer3.1.conv" in str(err.value)


def test_a_layers_own_nodes_keep_its_sub_blocks_with_it():
    model = trtlab.zoo.get("transformer")
    view = before_graph(model, collapse=True)
    assert [b.name for b in view.blocks] == ["layers.0", "layers.1"]
    assert view.blocks[0].repeats == 2
    assert all(len(b.members) == 33 for b in view.blocks)


def test_static_drawing_folds_constants_and_groups_numbered_names():
    from .graph_models import numbered_model

    model = numbered_model(60)  # 240 drawn nodes + 120 Constant nodes, no scopes in the names
    view = before_graph(model)
    svg = view.svg()
    assert 'data-name="Constant_' not in svg
    assert len(view.blocks) > 3 and all(b.name.startswith("block") for b in view.blocks)
    assert len(drawn(svg)) < 80
    assert view.node_ids["Constant_0"] == view.node_ids["p2o.Conv.0"]  # shown by its consumer
    full = before_graph(model, collapse=False).svg()
    assert "constant Constant_0 [4x4x1x1]" in html.unescape(full)
