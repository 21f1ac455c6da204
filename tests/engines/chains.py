"""Chains of Relu nodes: the deeper the chain, the deeper TensorRT's builder recurses."""

from __future__ import annotations

from onnx import TensorProto, helper


def relu_chain(depth: int) -> bytes:
    """x -> Relu -> Relu -> ... -> y, `depth` nodes, as serialized ONNX."""
    nodes, prev = [], "x"
    for i in range(depth):
        out = "y" if i == depth - 1 else f"t{i}"
        nodes.append(helper.make_node("Relu", [prev], [out], name=f"relu{i}"))
        prev = out
    graph = helper.make_graph(nodes, "relu_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
