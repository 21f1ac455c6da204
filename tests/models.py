"""Small models built in code for the runner, cut and check tests."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab


def chain_model(width: int = 8, depth: int = 6, seed: int = 0) -> trtlab.Model:
    """x -> (MatMul, Add, Relu) * depth, with a side branch joining halfway: enough structure
    for several subgraphs and fallback runs when nodes are excluded."""
    rng = np.random.default_rng(seed)
    nodes, inits = [], []
    cur = "x"
    for i in range(depth):
        w = numpy_helper.from_array(rng.standard_normal((width, width)).astype(np.float32) / np.sqrt(width), f"w{i}")
        b = numpy_helper.from_array(rng.standard_normal(width).astype(np.float32), f"b{i}")
        inits += [w, b]
        nodes += [helper.make_node("MatMul", [cur, f"w{i}"], [f"mm{i}"], name=f"mm{i}"),
                  helper.make_node("Add", [f"mm{i}", f"b{i}"], [f"add{i}"], name=f"add{i}"),
                  helper.make_node("Relu", [f"add{i}"], [f"relu{i}"], name=f"relu{i}")]
        cur = f"relu{i}"
        if i == depth // 2:
            nodes.append(helper.make_node("Sigmoid", ["x"], ["side"], name="side"))
            nodes.append(helper.make_node("Mul", [cur, "side"], ["joined"], name="join"))
            cur = "joined"
    nodes.append(helper.make_node("Softmax", [cur], ["y"], name="softmax", axis=-1))
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, width])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, width])], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="chain")


def two_output_model() -> trtlab.Model:
    """Two outputs, one of them also read by later nodes, plus an unsupported op in the middle."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("NonZero", ["a"], ["nz"], name="nonzero"),
             helper.make_node("Shape", ["nz"], ["s"], name="shape"),
             helper.make_node("Cast", ["s"], ["sf"], name="cast", to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["sf"], ["n"], name="count", keepdims=0),
             helper.make_node("Mul", ["a", "n"], ["y"], name="scale"),
             helper.make_node("Exp", ["y"], ["z"], name="exp")]
    graph = helper.make_graph(nodes, "two_outputs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4]),
                               helper.make_tensor_value_info("z", TensorProto.FLOAT, [3, 4])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return trtlab.load(proto, name="two_outputs")
