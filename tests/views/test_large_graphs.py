"""Large graphs: the static drawing shows the graph widget's groups, opens one by name, focuses on
a neighbourhood; on real models with no name scopes it is no strip of constants."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab import corpus
from trtlab.views import before_after, before_graph, dom_id, item_styles, restyle_before
from trtlab.views.hierarchy import FANOUT, model_hierarchy
from trtlab.views.layout import GraphLayout
from trtlab.views.selection import resolve_groups
from trtlab.views.svg import svg_size

from tests.models import residual_chain_model as chain_model
from tests.real_models import real_model

from .graph_models import numbered_model

MAX_ASPECT = 6  # measured: collapsed drawings of the PP-OCR models, ResNet-50 and BERT are 1.0-2.5


def drawn(svg: str) -> list[str]:
    return [html.unescape(n) for n in
            re.findall(r'class="node trt-(?:node|block)[^"]*" data-name="([^"]*)"', svg)]


def group_boxes(svg: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'class="node trt-block[^"]*" data-name="([^"]*)"', svg)]


def widget_groups(model: trtlab.Model, expanded=()) -> list[str]:
    """The names of the closed groups the Lab's graph widget shows."""
    layout = GraphLayout(model_hierarchy(model)).layout(expanded)
    return [i["name"] for i in layout["items"] if i["kind"] == "group"]


def aspect(svg: str) -> float:
    w, h = svg_size(svg)
    return max(w / h, h / w)


def test_resnet50_collapses_by_default_into_the_widgets_groups(resnet50):
    view = before_graph(resnet50)
    svg = view.svg()
    assert len(resnet50.nodes) == 175 and len(drawn(svg)) <= FANOUT
    assert sorted(group_boxes(svg)) == sorted(widget_groups(resnet50)) == ["layer1", "layer2", "layer3", "layer4"]
    assert [g.name for g in view.groups] == ["layer1", "layer2", "layer3", "layer4"]
    assert view.hierarchy is not None and view.expanded == []
    assert ">42 ops</text>" in svg  # layer2's box: its op count ...
    assert ">BatchNormalization\u00d713 Conv\u00d713 Relu\u00d712</text>" in html.unescape(svg)  # ... op types
    # every model node is shown by exactly one drawn thing
    assert set(view.node_ids) == {n.name for n in resnet50.nodes}
    members = [m for g in view.groups for m in g.members]
    assert len(members) == len(set(members))
    assert "4 closed groups" in view.summary()
    assert aspect(svg) < MAX_ASPECT


def test_full_resnet50_still_renders(resnet50):
    svg = before_graph(resnet50, collapse=False).svg()
    assert len(drawn(svg)) == 175


def test_expand_a_group_shows_its_children(resnet50):
    view = before_graph(resnet50, expand=["layer2"])
    svg = view.svg()
    layer2 = next(g for g in view.groups if g.name == "layer2")
    assert f'id="{dom_id("layer2", "b-")}"' not in svg  # no box: a cluster of its children
    assert f'<g id="{dom_id("layer2", "c-")}" class="cluster"' in svg
    assert len(drawn(svg)) == len(drawn(before_graph(resnet50).svg())) - 1 + len(layer2.children)
    # the nested groups stay boxes, with their paths, as the widget shows them opened
    # torchvision's "layer2.1.conv1": layer2 holds its four bottleneck blocks
    assert sorted(group_boxes(svg)) == sorted(["layer1", "layer3", "layer4"]
                                              + [f"layer2.{k}" for k in range(4)])
    assert sorted(group_boxes(svg)) == sorted(widget_groups(resnet50, [layer2.id]))


def test_expand_a_nested_path_opens_its_parents(resnet50):
    view = before_graph(resnet50, expand=["layer3.1"])
    svg = view.svg()
    opened = {g.name for g in view.groups if g.id in view.expanded}
    assert opened == {"layer3", "layer3.1"}
    assert 'class="cluster"' in svg and svg.count('class="cluster"') == 2
    part = next(g for g in view.groups if g.id in view.expanded and g.name == "layer3.1")
    for child in part.children:  # its nodes drawn, its groups boxes
        if child.startswith("n:"):
            assert f'<g id="{dom_id(child[2:])}" class="node trt-node' in svg
        else:
            assert f'<g id="{dom_id(view.hierarchy.groups[child].name, "b-")}" class="node trt-block' in svg
    assert "layer3.0" in group_boxes(svg) and "layer3.1" not in group_boxes(svg)
    assert view.source == before_graph(resnet50, expand=[part.id]).source  # an id works too


def test_bad_expand_names_say_what_exists(resnet50):
    with pytest.raises(trtlab.TrtlabError, match="No group named 'layer9'") as err:
        before_graph(resnet50, expand=["layer9"])
    assert "layer1" in str(err.value)
    # The end of a scope path names every group it ends: each layer's second block.
    opened = before_graph(resnet50, expand=["1"])
    assert {g.name for g in opened.groups if g.id in opened.expanded} >= {"layer2.1", "layer3.1"}
    # Two groups of one name (numbered parts under different parents): their paths are asked for.
    h = model_hierarchy(resnet50)
    first, second = (g for g in h.groups.values() if g.name in ("layer2.1", "layer3.1"))
    first.name = second.name = "twin"
    with pytest.raises(trtlab.TrtlabError, match="More than one group is named 'twin'") as err:
        resolve_groups(h, ["twin"])
    assert "layer2/twin" in str(err.value) and "layer3/twin" in str(err.value)
    with pytest.raises(trtlab.TrtlabError, match="not collapsed"):
        before_graph(resnet50, collapse=False, expand=["layer2"])


def test_collapsed_group_turns_mixed_when_one_member_changes(resnet50):
    view = before_graph(resnet50)
    box = dom_id("layer3", "b-")
    assert item_styles(view.svg())[box][0] == "supported"
    plan = trtlab.partition(resnet50, exclude_nodes=["layer3.1.relu2"])
    styles = item_styles(restyle_before(view.svg(), plan))
    assert styles[box][0] == "mixed"
    assert "61 of 62 nodes in TensorRT; 1 excluded" in styles[box][2]
    changed = {k for k, v in item_styles(view.svg()).items() if styles[k][:2] != v[:2]}
    assert changed == {box}
    assert item_styles(view.restyle(plan).svg()) == styles


def test_structural_groups_when_names_have_no_scopes():
    model = chain_model([f"{op}_{i}" for i, op in zip(range(90), ["Relu", "Sigmoid", "Add"] * 30)])
    view = before_graph(model, collapse=True)
    svg = view.svg()
    names = group_boxes(svg)
    assert names and all(re.fullmatch(r"blocks? \d+(\u2013\d+)?", n) for n in names)
    assert names == widget_groups(model)
    assert len(drawn(svg)) <= FANOUT < len(model.nodes)
    assert max(g.repeats for g in view.groups) > 1  # the residual blocks repeat


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
    grouped = before_graph(resnet50, focus="layer3.1.conv2", radius=2, collapse=True)
    assert group_boxes(grouped.svg()) == ["layer3"]  # only the groups holding the neighbourhood


def test_focus_by_partial_name_and_unknown_name(resnet50):
    view = before_graph(resnet50, focus="layer4.2.add", radius=1)
    assert set(drawn(view.svg())) == {"layer4.2.add", "layer4.2.bn3", "layer4.1.relu3", "layer4.2.relu3"}
    with pytest.raises(trtlab.TrtlabError, match="No node named 'layer3.1.conv9'") as err:
        before_graph(resnet50, focus="layer3.1.conv9")
    assert "layer3.1.conv" in str(err.value)


def test_nested_scopes_open_level_by_level():
    model = trtlab.zoo.get("transformer")
    view = before_graph(model, collapse=True)
    assert group_boxes(view.svg()) == widget_groups(model) == ["layers"]
    opened = before_graph(model, expand=["layers.0"])
    assert sorted(group_boxes(opened.svg())) == ["layers.0.attn", "layers.0.ffn", "layers.1"]
    assert opened.svg().count('class="cluster"') == 2  # layers and layers.0


def test_static_drawing_folds_constants_and_groups_numbered_names():
    model = numbered_model(60)  # 240 drawn nodes + 120 Constant nodes, no scopes in the names
    view = before_graph(model)
    svg = view.svg()
    assert 'data-name="Constant_' not in svg
    assert group_boxes(svg) == widget_groups(model) and len(view.groups) > 3
    assert len(drawn(svg)) <= FANOUT
    assert view.node_ids["Constant_0"] == view.node_ids["p2o.Conv.0"]  # shown by its consumer
    full = before_graph(model, collapse=False).svg()
    assert "constant Constant_0 [4x4x1x1]" in html.unescape(full)


@pytest.mark.parametrize("name", ["ppocr-rec", "ppocr-cls", "ppocr-det"])
def test_real_models_without_scopes_draw_the_widgets_groups(name, tmp_path):
    real_model(name)
    model, _ = corpus.load(name)
    plan = trtlab.partition(model)
    view = before_graph(plan)
    svg = view.save(tmp_path / "before.svg").read_text()
    assert 'data-name="Constant_' not in svg and ">Constant\n" not in svg  # no Constant box
    boxes = re.findall(r'<g id="[^"]*" class="node trt-', svg)
    assert len(boxes) <= FANOUT + len(model.inputs) + len(model.outputs)
    assert aspect(svg) < MAX_ASPECT  # before: a 41,855 x 296 pt strip of 420 Constant nodes
    assert group_boxes(svg) == widget_groups(model)
    first = view.groups[0]
    opened = before_graph(plan, expand=[first.name]).svg()
    assert len(drawn(opened)) == len(drawn(svg)) - 1 + len(first.children)
    assert {n for n in drawn(opened)} >= {c[2:] for c in first.children if c.startswith("n:")}
    both = before_after(plan).save(tmp_path / "both.svg").read_text()
    assert aspect(both) < MAX_ASPECT and 'data-name="Constant_' not in both
