"""`NodeTable`: a graph's nodes as plain lists, read once; what each node reads includes the
outer tensors its subgraphs read."""

from __future__ import annotations

from onnx import TensorProto, helper

from trtlab.node_table import NodeTable, all_inputs


def _if_graph():
    """a = Relu(x); y = If(c) { else: Identity(x), then: a + x } (outer reads; attributes sorted by name)."""
    then = helper.make_graph([helper.make_node("Add", ["a", "x"], ["t"])], "then", [],
                             [helper.make_tensor_value_info("t", TensorProto.FLOAT, [2])])
    other = helper.make_graph([helper.make_node("Identity", ["x"], ["e"])], "else", [],
                              [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2])])
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("If", ["c"], ["y"], name="branch", then_branch=then, else_branch=other),
             helper.make_node("Clip", ["a", "", "m"], ["z", ""], name="clip")]
    return helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2]) for n in "xcm"],
                             [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])


def test_columns_hold_each_field_as_written():
    g = _if_graph()
    table = NodeTable.of(g.node)
    assert len(table) == 3
    assert table.names == ["relu", "branch", "clip"] and table.ops == ["Relu", "If", "Clip"]
    assert table.domains == ["", "", ""]
    assert table.inputs[2] == ("a", "", "m") and table.outputs[2] == ("z", "")  # empty names kept
    assert table.attributed == [1]


def test_reads_skip_empty_names_and_include_subgraphs_outer_reads():
    g = _if_graph()
    table = NodeTable.of(g.node)
    assert table.reads == [["x"], ["c", "x", "a", "x"], ["a", "m"]]
    assert table.reads[1] == all_inputs(g.node[1])
    assert table.protos == []  # the nodes are let go once their subgraphs are read


def test_reordered_moves_every_column_and_producers_name_the_writer():
    table = NodeTable.of(_if_graph().node)
    moved = table.reordered([2, 0, 1])
    assert moved.names == ["clip", "relu", "branch"] and moved.inputs[0] == ("a", "", "m")
    assert moved.reads == [["a", "m"], ["x"], ["c", "x", "a", "x"]] and moved.attributed == [2]
    assert table.reordered([0, 1, 2]) is table
    assert moved.producers == {"z": 0, "a": 1, "y": 2}
