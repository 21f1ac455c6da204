"""The transforms' shared helpers: private copies, the opset, upgrades of old models, node order."""

from __future__ import annotations

import pytest

from trtlab.precision import to_bf16, to_fp16


def test_transforms_leave_their_input_alone(cnn):
    before = cnn.SerializeToString()
    to_fp16(cnn), to_bf16(cnn)
    assert cnn.SerializeToString() == before


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_an_ir3_opset9_model_upgrades_with_its_weights_listed_as_inputs(precision):
    """IR version 3 lists weights as graph inputs; loading drops them there, and onnx's version
    converter then found them "undefined". The upgrade lists them while it runs."""
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    import trtlab
    from trtlab.precision import convert_precision

    w = numpy_helper.from_array(np.random.default_rng(0).standard_normal((4, 3, 3, 3)).astype(np.float32) / 5, "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "ir3", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8]),
                                             helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
    proto.ir_version = 3
    converted = convert_precision(trtlab.load(proto), precision).model
    assert converted.opset_import[0].version >= 13
    assert [i.name for i in converted.graph.input] == ["x"]



def test_as_proto_copies_and_refuses_what_is_not_a_model():
    import trtlab
    from trtlab.precision._proto import as_proto, opset

    model = trtlab.load("zoo:tiny")
    copy = as_proto(model)
    assert copy is not model.proto and copy.SerializeToString() == model.proto.SerializeToString()
    assert opset(copy) == 17
    with pytest.raises(TypeError, match="expected an onnx.ModelProto or a trtlab Model, got str"):
        as_proto("model.onnx")


def test_toposort_puts_producers_first_and_leaves_a_cycle_as_it_was():
    from onnx import helper

    from trtlab.precision._proto import toposort

    graph = helper.make_graph([helper.make_node("Relu", ["b"], ["c"], name="second"),
                               helper.make_node("Relu", ["a"], ["b"], name="first"),
                               helper.make_node("Relu", ["c"], ["d"], name="third")], "g", [], [])
    toposort(graph)
    assert [n.name for n in graph.node] == ["first", "second", "third"]
    loop = helper.make_graph([helper.make_node("Add", ["y", "x"], ["z"], name="p"),
                              helper.make_node("Relu", ["z"], ["y"], name="q")], "g", [], [])
    toposort(loop)
    assert [n.name for n in loop.node] == ["p", "q"]
