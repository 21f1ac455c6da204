"""The pieces of a static drawing: a collapsed block's op summary, edge shapes, the graph's own style,
and the model's inputs and outputs drawn as their own shapes."""

from __future__ import annotations

import re
from collections import Counter

import trtlab
from trtlab.views import before_graph
from trtlab.views.static import digraph, op_lines, shape_text


def test_a_blocks_op_summary_puts_the_most_common_first_and_counts_the_rest():
    assert op_lines(Counter({"Relu": 1, "Conv": 3, "Add": 1})) == "Conv\u00d73 Add Relu"
    many = Counter({f"Op{i}": 10 - i for i in range(8)})
    assert op_lines(many, per_line=3, lines=2) == ("Op0\u00d710 Op1\u00d79 Op2\u00d78\nOp3\u00d77 Op4\u00d76 Op5\u00d75\n"
                                                   "+2 more op types")


def test_edges_read_the_tensor_shape_or_a_question_mark():
    model = trtlab.zoo.get("tiny")
    assert shape_text(model, "data") == "1x3x32x32" and shape_text(model, "fc") == "1x10"
    assert shape_text(model, "no-such-tensor") == "?"


def test_a_graph_is_drawn_in_its_direction_with_a_legend():
    g = digraph("a <model>", "LR", legend="green: TensorRT")
    assert "rankdir=LR" in g.source and 'label="green: TensorRT"' in g.source
    assert "labelloc=b" in g.source and "legend" not in digraph("m", "TB", None).source


def test_inputs_and_outputs_are_drawn_with_their_types_and_shapes(mixed):
    svg = before_graph(mixed).svg()
    assert re.search(r'class="node trt-io input" data-name="data"', svg)
    assert "input data: float32 [1x3x32x32]" in svg and "output head.fc: float32 [1x10]" in svg
