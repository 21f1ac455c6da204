"""`trtlab.validate`: the first problem of an invalid graph, named with its node, as a TrtlabError."""

from __future__ import annotations

import onnx
import pytest
from onnx import helper

from trtlab.errors import TrtlabError
from trtlab.validate import validate

from .hostile import bad_models


def _bad(name: str) -> onnx.ModelProto:
    return onnx.load_from_string(bad_models.build()[name])


@pytest.mark.parametrize("name, says", [
    ("two_producers", "Node 'p2' (Sigmoid) writes tensor 't', which node 'p1' (Relu) already provides"),
    ("output_nothing_produces", "Graph output 'ghost' is produced by no node"),
    ("opset_9999", "opset 9999 is newer than the installed onnx package knows"),
    ("opset_1", "opset 1 is older than ONNX Runtime runs"),
    ("conv_weight_missing", "Node 'conv' (Conv) reads tensor 'w', which no node, input or initializer provides"),
    ("add_incompatible_shapes", "node name: bad_add"),
    ("cycle_two_nodes", "cycle through node 'n1' (Relu)"),
    ("elem_type_999_input", "Graph input 'x' has element type 999"),
    ("non_utf8_node_name", "is not UTF-8 text"),
    ("nul_in_node_name", "node 'a\\0b' (Relu) holds a NUL character"),
    ("initializer_dims_overflow", "Initializer 'w' promises 18,446,744,073,709,551,616 values"),
    ("unknown_op_default_domain", "Name: mystery OpType: NoSuchOp"),
    ("attribute_type_99", "Attribute 'axis' of node 'flat' (Flatten) has no valid type"),
    ("ir_version_999", "IR version 999 is newer"),
])
def test_first_problem_is_named(name, says):
    with pytest.raises(TrtlabError) as err:
        validate(_bad(name))
    assert says in str(err.value)
    assert "\n" not in str(err.value)


def test_valid_models_pass_unsorted_and_custom_domains_included():
    validate(bad_models.conv_model())
    validate(bad_models.loop_model(3))
    m = bad_models.conv_model()
    nodes = list(m.graph.node)[::-1]  # ONNX asks for sorted nodes; trtlab sorts them itself
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    validate(m)
    m = bad_models.relu()
    m.graph.node[0].domain = "com.example"
    m.opset_import.append(helper.make_opsetid("com.example", 1))
    validate(m)
    m = bad_models.relu()  # an output of unknown rank: its shape is inferred on load
    m.graph.output[0].type.tensor_type.ClearField("shape")
    validate(m)


def test_the_cli_reports_an_invalid_graph_on_one_line(tmp_path):
    from trtlab.cli import main

    path = tmp_path / "two.onnx"
    path.write_bytes(bad_models.build()["two_producers"])
    assert main(["inspect", str(path)]) == 2


def _relu_chain(order=(0, 1)) -> onnx.ModelProto:
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="first"), helper.make_node("Relu", ["a"], ["y"], name="second")]
    g = helper.make_graph([nodes[i] for i in order], "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


def test_what_validation_read_is_kept_for_the_model():
    checked = validate(_relu_chain())
    assert checked.nodes.names == ["first", "second"] and checked.nodes.reads == [["x"], ["a"]]
    inferred = {vi.name: [d.dim_value for d in vi.type.tensor_type.shape.dim] for vi in checked.inferred.graph.value_info}
    assert inferred == {"a": [1, 4]}


def test_an_unsorted_graph_is_checked_on_a_sorted_copy_whose_shapes_are_not_kept():
    checked = validate(_relu_chain(order=(1, 0)))
    assert checked.inferred is None and checked.nodes.names == ["second", "first"]
