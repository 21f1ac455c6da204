"""Element-wise converters (binary, broadcast, with a scalar, unary, clip, dot) against MXNet's own
forward pass."""

from __future__ import annotations

import pytest

from trtlab.loaders.mxnet.parity import relative_error as rel_err

from ..helpers import mx, run_both
from .cases import D4, assert_matches_mxnet, one_var


def _cases():
    c = []
    add = lambda name, fn, shapes=D4: c.append(pytest.param(fn, shapes, id=name))  # noqa: E731
    for op in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div"):
        add(op, lambda s, o=op: getattr(s, o)(s.var("data"), s.var("b"), name="e"), {"data": (2, 3), "b": (2, 3)})
    for op in ("broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_maximum"):
        add(op, lambda s, o=op: getattr(s, o)(s.var("data"), s.var("b"), name="e"), {"data": (2, 3, 4), "b": (2, 1, 4)})
    add("operators_and_scalars", lambda s: one_var(s, lambda x: ((x + 1.5) * 2 - 0.5) / 4 + x * x - 3 / (s.abs(x) + 1)
                                                   - (1 - x)), {"data": (2, 5)})
    add("power_max_min_scalar", lambda s: s.maximum(s.minimum(s.abs(s.var("data")) ** 1.5, 2.0), 0.1), {"data": (3, 4)})
    add("clip", lambda s: s.clip(s.var("data"), a_min=-0.3, a_max=0.6, name="c"))
    add("rsqrt", lambda s: s.rsqrt(s.abs(s.var("data")) + 0.1, name="r"))
    add("unary", lambda s: one_var(s, lambda x: s.exp(s.negative(s.square(x))) + s.sqrt(s.abs(x))), {"data": (3, 4)})
    add("relu_sigmoid_tanh", lambda s: one_var(s, lambda x: s.relu(x) + s.sigmoid(x) * s.tanh(x)), {"data": (3, 4)})
    add("add_n", lambda s: one_var(s, lambda x: s.add_n(x, x * 2, x * 3, name="n")), {"data": (2, 3)})
    add("dot", lambda s: s.dot(s.var("data"), s.var("b"), transpose_b=True, name="d"), {"data": (3, 4), "b": (5, 4)})
    add("batch_dot", lambda s: s.batch_dot(s.var("data"), s.var("b"), name="d"), {"data": (2, 3, 4), "b": (2, 4, 5)})
    return c


@pytest.mark.parametrize("build, shapes", _cases())
def test_op_matches_mxnet(build, shapes):
    assert_matches_mxnet(build, shapes)


def test_clip_before_opset_11_uses_attributes():
    m = mx()
    expected, actual, model = run_both(m.sym.clip(m.sym.var("data"), a_min=0, a_max=0.5, name="c"), D4, opset=10)
    (clip,) = [n for n in model.nodes if n.op_type == "Clip"]
    assert len(clip.input) == 1 and {a.name for a in clip.attribute} == {"min", "max"}
    assert rel_err(actual[0], expected[0]) < 1e-6
