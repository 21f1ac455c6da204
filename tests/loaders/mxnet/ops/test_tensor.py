"""Shape and data-movement converters (flatten, reshape, transpose, concat, reductions, pad, split,
slice) against MXNet's own forward pass, and MXNet's reshape codes."""

from __future__ import annotations

import pytest

from trtlab.loaders.mxnet.ops.tensor import mxnet_reshape

from ..helpers import mx
from .cases import D4, assert_matches_mxnet, one_var


def _cases():
    c = []
    add = lambda name, fn, shapes=D4: c.append(pytest.param(fn, shapes, id=name))  # noqa: E731
    add("flatten", lambda s: s.Flatten(s.var("data"), name="f"))
    for spec in ((0, -1), (-1, 0, 9, 9), (0, -2), (-3, -2), (0, -4, 2, -1, -2), (-4, 1, -1, 0, 81), (2, 0, -1)):
        add(f"reshape_{spec}", lambda s, sp=spec: s.Reshape(s.var("data"), shape=sp, name="r"))
    add("reshape_reverse", lambda s: s.Reshape(s.var("data"), shape=(-1, 0), reverse=True, name="r"))
    add("transpose", lambda s: s.transpose(s.var("data"), axes=(0, 2, 3, 1), name="t"))
    add("transpose_default", lambda s: s.transpose(s.var("data"), name="t"))
    add("concat", lambda s: s.Concat(s.var("data"), s.var("b"), dim=1, name="cat"), {"data": (1, 2, 3, 3), "b": (1, 3, 3, 3)})
    add("mean", lambda s: s.mean(s.var("data"), axis=(2, 3), keepdims=True, name="m"))
    add("mean_exclude", lambda s: s.mean(s.var("data"), axis=1, exclude=True, name="m"))
    add("mean_all", lambda s: s.mean(s.var("data"), name="m"))
    add("sum_max", lambda s: one_var(s, lambda x: s.sum(x, axis=1) + s.max(x, axis=1)), {"data": (2, 3, 4)})
    add("sum_all", lambda s: s.sum(s.var("data"), name="m"), {"data": (2, 3, 4)})
    add("pad_constant", lambda s: s.Pad(s.var("data"), mode="constant", pad_width=(0, 0, 0, 0, 1, 2, 2, 1),
                                        constant_value=0.5, name="p"))
    add("pad_edge", lambda s: s.Pad(s.var("data"), mode="edge", pad_width=(0, 0, 0, 0, 1, 2, 2, 1), name="p"))
    add("pad_reflect", lambda s: s.Pad(s.var("data"), mode="reflect", pad_width=(0, 0, 0, 0, 1, 2, 2, 1), name="p"))
    add("copy_blockgrad", lambda s: s.BlockGrad(s._internal._copy(s.var("data")), name="b"))
    add("expand_squeeze", lambda s: s.squeeze(s.expand_dims(s.var("data"), axis=1), axis=1), {"data": (2, 3)})
    add("slice_axis", lambda s: s.slice_axis(s.var("data"), axis=2, begin=1, end=-2, name="sl"))
    add("split", lambda s: s.split(s.var("data"), num_outputs=2, axis=1, name="sp")[1])
    add("split_squeeze", lambda s: s.Group(list(s.split(s.var("data"), num_outputs=4, axis=1, squeeze_axis=True, name="sp"))))
    return c


@pytest.mark.parametrize("build, shapes", _cases())
def test_op_matches_mxnet(build, shapes):
    assert_matches_mxnet(build, shapes)


def test_reshape_codes_match_mxnet():
    m = mx()
    src = (2, 3, 4, 5)
    for spec, reverse in [((0, -1), False), ((-2,), False), ((-3, -3), False), ((0, 0, -3), False),
                          ((-4, 1, 2, -2), False), ((6, -1), False), ((0, -1), True), ((-1, 5), True)]:
        got = mxnet_reshape(src, spec, reverse)
        want = m.nd.zeros(src).reshape(shape=spec, reverse=reverse).shape
        assert got == want, (spec, reverse)
    with pytest.raises(ValueError):
        mxnet_reshape(src, (7, -1))
