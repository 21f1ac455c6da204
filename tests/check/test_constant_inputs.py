"""A shape computation handed into a TensorRT subgraph is given to the engine as a constant."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper

import trtlab
from trtlab.check import check
from trtlab.check.constant_inputs import follows_from_shapes
from trtlab.installed_tensorrt import find_tensorrt


def shape_across_a_cut(rows=2):
    """Reshape(Relu(x), Shape(Transpose(x))) with Shape kept out of TensorRT: the subgraph of
    Relu and Reshape reads the int64 shape from outside, a shape tensor for TensorRT. `rows`:
    x's first dimension ("N" for a dynamic one)."""
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="transpose", perm=[1, 0]),
             helper.make_node("Shape", ["xt"], ["shp"], name="shape"),
             helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shp"], ["y"], name="reshape")]
    graph = helper.make_graph(nodes, "shape_cut", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [rows, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6, rows])])
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


ROWS = {"x": {"min": [1, 6], "opt": [2, 6], "max": [4, 6]}}


def test_over_a_profile_a_shape_tensor_that_varies_gets_its_values_in_the_engines_profile():
    """The shape handed in is [6, N]: it varies over the profile, so it stays an input and the
    engine's profile gives its values at min, opt and max (TensorRT's set_shape_input)."""
    result = check(shape_across_a_cut("N"), ["fp32", "fp16"], timing=False, cache_dir=None, min_block_size=1,
                   exclude_ops={"Shape"}, profiles=[ROWS])
    assert [s.inputs for s in result.plan.subgraphs] == [["x"], ["x", "shp"]]
    values = {"min": [6, 1], "opt": [6, 2], "max": [6, 4]}
    assert [e.profiles for e in result.engines if e.subgraph == 1] in ([], [({**ROWS, "shp": {"values": values}},)] * 2)
    assert [v.status for v in result.verdicts] == ["pass", "pass"], result.summary()
    assert [dict(r.shapes)["x"] for r in result.accuracy if r.precision == "fp16"] == [(2, 6), (1, 6), (4, 6)]


@pytest.mark.skipif(find_tensorrt() is None, reason="needs TensorRT or TensorRT-RTX (pip install 'trtlab[rtx]')")
def test_tensorrt_builds_an_engine_whose_shape_tensor_input_has_its_values_in_the_profile():
    """A real build: the engine of Relu + Reshape whose target comes in as an int64 input builds
    with the values in the profile, and is refused (saying why) without them."""
    from trtlab.engines.build import BuildOptions, build_engine
    from trtlab.profiles import Profile, ShapeRange, ValueRange

    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shp"], ["y"], name="reshape")]
    graph = helper.make_graph(nodes, "engine", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 6]),
                                                helper.make_tensor_value_info("shp", TensorProto.INT64, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6, "n"])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    rows = ShapeRange((1, 6), (2, 6), (4, 6))
    with_values = Profile.of({"x": rows}, {"shp": ValueRange((6, 1), (6, 2), (6, 4))})
    built = build_engine(proto, name="shape_input", options=BuildOptions(profiles=with_values))
    assert built.built and built.bytes > 0, built.error
    assert built.profiles == [{"x": rows.to_dict(), "shp": {"values": {"min": [6, 1], "opt": [6, 2], "max": [6, 4]}}}]
    refused = build_engine(proto, name="shape_input", options=BuildOptions(profiles=Profile.of({"x": rows})))
    assert not refused.built and refused.failure == "shape tensor" and "shp" in refused.error


def test_over_a_profile_a_shape_computation_that_does_not_vary_is_still_folded():
    """Reshape(Relu(x), Concat(-1, Shape(x)[1])): the target [-1, 6] is the same at every
    point of the profile, so the engine gets it as a constant, not as an input."""
    import numpy as np
    from onnx import numpy_helper

    nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape", start=1),
             helper.make_node("Concat", ["minus_one", "s"], ["shp"], name="concat", axis=0),
             helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Reshape", ["r", "shp"], ["y"], name="reshape")]
    graph = helper.make_graph(nodes, "fixed_target", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])],
                              [numpy_helper.from_array(np.array([-1], np.int64), "minus_one")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    result = check(proto, ["fp32"], timing=False, cache_dir=None, min_block_size=1, exclude_ops={"Concat"},
                   profiles=[ROWS])
    reshape = next(s for s in result.plan.subgraphs if "shp" in s.inputs)
    rows = [e for e in result.engines if e.subgraph == reshape.id]
    assert result.verdict("fp32").status == "pass", result.summary()
    if find_tensorrt() is not None:
        assert rows and all(e.built for e in rows), [e.error for e in rows]
        assert [set(p) for e in rows for p in e.profiles] == [{"x"}]  # no values: shp was folded
