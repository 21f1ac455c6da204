"""A shape computation handed into a TensorRT subgraph is given to the engine as a constant."""

from __future__ import annotations

from onnx import TensorProto, helper

import trtlab
from trtlab.check import check
from trtlab.check.constant_inputs import follows_from_shapes
from trtlab.installed_tensorrt import find_tensorrt


def shape_across_a_cut():
    """Reshape(Relu(x), Shape(Transpose(x))) with Shape kept out of TensorRT: the subgraph of
    Relu and Reshape reads the int64 shape from outside, a shape tensor for TensorRT."""
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="transpose", perm=[1, 0]),
             helper.make_node("Shape", ["xt"], ["shp"], name="shape"),
             helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shp"], ["y"], name="reshape")]
    graph = helper.make_graph(nodes, "shape_cut", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6, 2])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


def test_what_follows_from_shapes_alone():
    model = trtlab.load(shape_across_a_cut())
    assert follows_from_shapes(model, "shp") and not follows_from_shapes(model, "r")
    assert not follows_from_shapes(model, "x")


def test_the_engine_gets_the_shape_as_a_constant_and_builds():
    result = check(shape_across_a_cut(), ["fp32", "fp16"], timing=False, cache_dir=None, min_block_size=1,
                   exclude_ops={"Shape"})
    assert [s.inputs for s in result.plan.subgraphs] == [["x"], ["x", "shp"]]
    if find_tensorrt() is not None:
        assert all(e.built for e in result.engines), [e.error for e in result.engines]
        assert [v.status for v in result.verdicts] == ["pass", "pass"]
