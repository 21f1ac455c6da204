"""Models large in node count, written as ONNX bytes: many independent nodes, a long chain."""

from __future__ import annotations

from onnx import TensorProto, helper


def independent_nodes(count: int, shape=(1, 8)) -> bytes:
    """`count` Relu nodes that all read x and each write an output of its own: no node depends on another."""
    nodes = [helper.make_node("Relu", ["x"], [f"y{i}"], name=f"relu{i}") for i in range(count)]
    outputs = [helper.make_tensor_value_info(f"y{i}", TensorProto.FLOAT, list(shape)) for i in range(count)]
    graph = helper.make_graph(nodes, "independent", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                    list(shape))], outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def chain(count: int, shape=(1, 8)) -> bytes:
    """x -> Relu -> Relu -> ... -> y: `count` nodes, no shapes given for the tensors between."""
    nodes, prev = [], "x"
    for i in range(count):
        out = "y" if i == count - 1 else f"t{i}"
        nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        prev = out
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(shape))])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
