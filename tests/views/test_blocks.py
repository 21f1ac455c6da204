"""Blocks of scope-less models: cut where the model repeats itself, never in a repeated block's middle."""

from __future__ import annotations

from onnx import TensorProto, helper

import trtlab
from trtlab.views.blocks import blocks, repeats, segments
from trtlab.views.hierarchy import model_hierarchy

UNIT = ["Relu", "Sigmoid", "Add", "Mul", "Relu"]  # one repeated block, 5 nodes


def unit_chain(units: int, *, mask: bool = False) -> trtlab.Model:
    """`units` blocks with exporter-numbered names ("Relu_12"): r = Relu(b), s = Sigmoid(r),
    a = Add(s, s or the mask), m = Mul(a, s), out = Relu(m). One tensor is alive after r, s, m
    and out: segments of 1-2 nodes, so cuts by size alone land inside blocks. With `mask`, every
    block also reads one model input, as a transformer's layers read their attention mask."""
    nodes, prev, count = [], "x", 0

    def node(op, inputs):
        nonlocal count
        out = f"t{count}"
        nodes.append(helper.make_node(op, inputs, [out], name=f"{op}_{count}"))
        count += 1
        return out

    for _ in range(units):
        r = node("Relu", [prev])
        s = node("Sigmoid", [r])
        a = node("Add", [s, "mask" if mask else s])
        m = node("Mul", [a, s])
        prev = node("Relu", [m])
    inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 8]) for n in (["x", "mask"] if mask else ["x"])]
    graph = helper.make_graph(nodes, "units", inputs, [helper.make_tensor_value_info(prev, TensorProto.FLOAT, None)])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name="units", source="test")


def _whole_units(model, nodes) -> bool:
    index = {n.name: i for i, n in enumerate(model.nodes)}
    return len(nodes) % len(UNIT) == 0 and index[nodes[0]] % len(UNIT) == 0


def test_repeats_finds_the_period_that_covers_most():
    assert repeats([9, 0, 1, 0, 1, 0, 1, 2]) == [(0, 1, 1), (1, 2, 3), (7, 1, 1)]
    assert repeats([5, 5, 5, 5]) == [(0, 1, 4)]  # the shortest period among equals
    assert repeats([1, 2, 3]) == [(0, 1, 1), (1, 1, 1), (2, 1, 1)]
    assert repeats([]) == []


def test_repeated_blocks_are_cut_at_their_boundaries():
    model = unit_chain(200)
    names = [n.name for n in model.nodes]
    assert max(len(s) for s in segments(model, names)) < len(UNIT)  # cuts inside each block exist
    found = blocks(model, names)
    assert sum(len(b.nodes) for b in found) == len(names)
    assert all(_whole_units(model, b.nodes) for b in found)
    h = model_hierarchy(model)
    groups = [g for g in h.groups.values() if g.kind == "block"]
    assert groups and all(_whole_units(model, g.members) for g in groups)
    assert max(g.repeats for g in groups) > 1


def test_a_tensor_every_block_reads_does_not_hide_the_blocks():
    model = unit_chain(60, mask=True)  # "mask" is alive from the first node to the last
    found = blocks(model, [n.name for n in model.nodes])
    assert len(found) > 5 and all(_whole_units(model, b.nodes) for b in found)


def test_nesting_is_at_most_two_levels_on_a_large_scopeless_chain():
    model = unit_chain(3000)  # 15,000 nodes
    h = model_hierarchy(model)
    depth = {i: len(h.ancestors(i)) for g in h.groups.values() for i in g.children}
    assert max(depth.values()) == 2  # parts, blocks, nodes
    assert len(h.root) <= 40 and all(len(g.children) <= 40 for g in h.groups.values())
    assert all(_whole_units(model, g.members) for g in h.groups.values())
