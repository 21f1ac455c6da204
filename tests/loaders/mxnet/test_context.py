"""What a converter works with: unique names, constants, and shapes inferred node by node."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet.context import Context, NodeView
from trtlab.loaders.mxnet.symbol import Attrs, SymNode


def _begin(ctx, name="fc1", op="FullyConnected"):
    node = NodeView(name, op, Attrs(SymNode(0, op, name, {})), ["data"], [f"{name}_output"])
    ctx.begin(node)
    return node


def test_names_are_unique_and_derived_from_the_node():
    ctx = Context(17)
    ctx.set_input("data", onnx.TensorProto.FLOAT, (2, 3))
    _begin(ctx)
    a = ctx.add("Relu", ["data"])
    b = ctx.add("Relu", [a])
    assert (a, b) == ("fc1/relu", "fc1/relu_1")
    assert ctx.unique("data") == "data_1"  # an input's name is taken
    assert [n.name for n in ctx.nodes] == ["fc1/relu", "fc1/relu_1"]


def _matmul(weight_shape):
    """A context holding data (2, 3) @ a constant of `weight_shape`, not yet shape-inferred."""
    ctx = Context(17)
    ctx.set_input("data", onnx.TensorProto.FLOAT, (2, 3))
    node = _begin(ctx)
    w = ctx.const("fc1_w", np.ones(weight_shape, np.float32))
    ctx.add("MatMul", ["data", w], node.output, name="fc1")
    return ctx, w


def test_shapes_are_inferred_for_each_new_node():
    ctx, w = _matmul((3, 5))
    ctx.finish()
    assert ctx.shape("fc1_output") == (2, 5)
    assert ctx.np_dtype("fc1_output") == np.float32
    assert ctx.value(w).shape == (3, 5) and ctx.value("fc1_output") is None
    half = ctx.scalar("half", 0.5, "fc1_output")
    assert ctx.value(half).dtype == np.float32 and ctx.value(half).shape == ()


def test_shapes_that_do_not_fit_name_the_node_and_the_shapes():
    ctx, _ = _matmul((4, 5))
    with pytest.raises(TrtlabError, match=r"Node 'fc1' \(FullyConnected\): the shapes of its inputs don't fit together "
                                          r"\(data\[2, 3\], fc1_w\[4, 5\]\)"):
        ctx.finish()


def test_an_unknown_shape_is_a_clear_error():
    ctx = Context(17)
    _begin(ctx, "pool")
    with pytest.raises(TrtlabError, match="Node 'pool' needs the static shape of 'mystery'") as err:
        ctx.shape("mystery")
    assert "inputs=" in err.value.hint
