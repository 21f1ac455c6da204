"""Small ONNX models built in code for tests."""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper

import trtlab


def dag_model(edges_per_node: list[list[int]], unsupported: set[int], *, shape=(1, 4)) -> trtlab.Model:
    """A model with node i reading the outputs of nodes `edges_per_node[i]` (all < i).

    Supported nodes are Add/Relu chains; unsupported ones are `Det`-free elementwise ops the
    tests exclude by name, so any DAG shape can be built from float ops ONNX Runtime runs.
    """
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))
    nodes = []
    for i, preds in enumerate(edges_per_node):
        ins = [f"t{p}" for p in preds] or ["x"]
        if len(ins) == 1:
            nodes.append(helper.make_node("Relu", ins, [f"t{i}"], name=f"n{i}"))
        else:
            nodes.append(helper.make_node("Sum", ins, [f"t{i}"], name=f"n{i}"))
    read = {p for preds in edges_per_node for p in preds}
    outs = [helper.make_tensor_value_info(f"t{i}", TensorProto.FLOAT, list(shape))
            for i in range(len(edges_per_node)) if i not in read]
    g = helper.make_graph(nodes, "dag", [x], outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.load(m, name="dag")


def chain_with_unsupported() -> onnx.ModelProto:
    """x -> relu -> Det-free chain: relu, (unsupported) Det, relu, add."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="r1"),
        helper.make_node("Det", ["a"], ["b"], name="det"),
        helper.make_node("Relu", ["a"], ["c"], name="r2"),
        helper.make_node("Det", ["c"], ["d"], name="det2"),
        helper.make_node("Add", ["b", "d"], ["y"], name="add"),
    ]
    g = helper.make_graph(nodes, "two_dets", [x], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
