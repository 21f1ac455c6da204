import pytest

import trtlab
from trtlab.views.hierarchy import FANOUT, model_hierarchy, node_id, plan_hierarchy

from .graph_models import numbered_model, ocr_model


def _levels(h):
    yield h.root
    for g in h.groups.values():
        yield g.children


def test_constants_are_attributes_not_boxes():
    m = numbered_model(3)
    h = model_hierarchy(m)
    assert not [n for n in h.drawn if n.startswith("Constant_")]
    assert len(h.drawn) == 12
    assert h.constants["p2o.Conv.0"] == ["Constant_0"]
    assert h.constants["p2o.Reshape.2"] == ["Constant_5"]
    assert all(not (p.startswith("Constant_") or c.startswith("Constant_")) for p, c in h.edges)


def test_numbered_names_give_structural_blocks_not_one_scope():
    h = model_hierarchy(numbered_model(40))  # 160 drawn nodes, all named "p2o.<Op>.<n>"
    assert all(g.kind in ("block", "part") for g in h.groups.values())
    assert 2 <= len(h.root) <= FANOUT
    assert all(len(level) <= FANOUT for level in _levels(h))
    blocks = [g for g in h.groups.values() if g.kind == "block"]
    assert max(g.repeats for g in blocks) > 1  # the residual blocks repeat
    # Every drawn node sits in exactly one place.
    placed = [i for level in _levels(h) for i in level if i.startswith("n:")]
    assert sorted(placed) == sorted(node_id(n) for n in h.drawn)


def test_scopes_build_the_tree(resnet50):
    h = model_hierarchy(resnet50)
    names = {h.groups[i].name for i in h.root if i.startswith("g:")}
    assert {"layer1", "layer2", "layer3", "layer4"} <= names
    layer1 = next(g for g in h.groups.values() if g.name == "layer1")
    assert {h.groups[c].name for c in layer1.children if c.startswith("g:")} == {"layer1.0", "layer1.1", "layer1.2"}
    node = node_id(layer1.members[0])
    assert h.ancestors(node)[0] == layer1.id
    assert h.visible(node, []) == layer1.id and h.visible(node, h.ancestors(node)) == node


def test_small_graphs_stay_flat(mixed):
    h = model_hierarchy(mixed)
    assert not h.groups and all(i.startswith("n:") for i in h.root)


def test_plan_hierarchy_groups_each_engine(mixed):
    plan = trtlab.partition(mixed)
    h = plan_hierarchy(plan)
    engines = [g for g in h.groups.values() if g.kind == "engine"]
    assert sorted(g.name for g in engines) == sorted(s.name for s in plan.subgraphs)
    fallbacks = {i[2:] for i in h.root if i.startswith("n:")}
    assert fallbacks == {f.name for f in plan.fallback_nodes}


@pytest.mark.parametrize("which,constants", [("rec", 420), ("cls", 308), ("det", 342)])
def test_real_models_without_scopes(which, constants):
    m = ocr_model(which)
    if m is None:
        pytest.skip("needs rapidocr-onnxruntime (its PP-OCR models)")
    h = model_hierarchy(m)
    assert len(m.nodes) - len(h.drawn) == constants
    assert 3 <= len(h.root) <= FANOUT
    assert all(len(level) <= FANOUT for level in _levels(h))
    biggest = max(len(g.members) for g in h.groups.values())
    assert biggest < len(h.drawn) * 0.9  # not one block holding everything
