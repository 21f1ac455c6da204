"""What a graph goes through to become a Model: unique names, initializers out of the inputs,
fixed input shapes, topological order."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from trtlab import normalise
from trtlab.errors import TrtlabError


def _graph(nodes, inputs=None, inits=()):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])
    return helper.make_graph(nodes, "g", inputs or [x], [y], list(inits))


def test_names_are_unique_and_good_ones_are_kept():
    g = _graph([helper.make_node("Relu", ["x"], ["a"], name="dup"), helper.make_node("Relu", ["a"], ["b"], name="dup"),
                helper.make_node("Relu", ["b"], ["c"]), helper.make_node("Relu", ["c"], ["y"], name="last")])
    normalise.name_nodes(g)
    names = [n.name for n in g.node]
    assert len(set(names)) == 4 and names[3] == "last"
    assert names[:2] == ["dup_0", "dup_1"] and names[2] == "Relu_0"


def test_initializers_leave_the_inputs_and_shapes_are_fixed_only_where_dynamic():
    w = numpy_helper.from_array(np.ones((4,), np.float32), "w")
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4]),
              helper.make_tensor_value_info("w", TensorProto.FLOAT, [4])]
    g = _graph([helper.make_node("Add", ["x", "w"], ["y"])], inputs, [w])
    normalise.drop_initializer_inputs(g)
    assert [vi.name for vi in g.input] == ["x"]
    with pytest.raises(TrtlabError, match="no input named 'z'"):
        normalise.fix_input_shapes(g, {"z": (1, 4)})
    with pytest.raises(TrtlabError, match="fixed dimension 1 of 4, not 5"):
        normalise.fix_input_shapes(g, {"x": (2, 5)})
    with pytest.raises(TrtlabError, match="rank 2"):
        normalise.fix_input_shapes(g, {"x": (2,)})
    normalise.fix_input_shapes(g, {"x": (2, 4)})
    assert [d.dim_value for d in g.input[0].type.tensor_type.shape.dim] == [2, 4]


def test_nodes_are_put_in_order_and_a_cycle_is_refused():
    g = _graph([helper.make_node("Relu", ["a"], ["y"], name="second"), helper.make_node("Relu", ["x"], ["a"], name="first")])
    normalise.toposort(g)
    assert [n.name for n in g.node] == ["first", "second"]
    loop = _graph([helper.make_node("Add", ["x", "b"], ["a"], name="p"), helper.make_node("Relu", ["a"], ["b"], name="q"),
                   helper.make_node("Relu", ["b"], ["y"], name="r")])
    with pytest.raises(TrtlabError, match="cycle"):
        normalise.toposort(loop)
