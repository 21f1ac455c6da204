"""Converters registered by MXNet op name, with variants per ONNX opset."""

from __future__ import annotations

import pytest

from trtlab.loaders.mxnet import supported_ops
from trtlab.loaders.mxnet.registry import _REGISTRY, converter, lookup


@pytest.fixture()
def scratch_op():
    name = "_registry_test_op"
    yield name
    _REGISTRY.pop(name, None)


def test_supported_ops_cover_the_zoo_and_requirements():
    ops = set(supported_ops(17))
    required = {"Activation", "BatchNorm", "Concat", "Convolution", "Deconvolution", "Dropout", "Flatten",
                "FullyConnected", "LeakyReLU", "Pooling", "Reshape",
                "transpose", "clip", "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div",
                "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "rsqrt", "mean", "Pad",
                "softmax", "SoftmaxOutput", "_copy", "_plus_scalar", "_minus_scalar", "_mul_scalar",
                "_div_scalar"}
    assert required <= ops
    assert {"LayerNorm", "expand_dims"} <= ops
    assert "LayerNorm" not in supported_ops(16)


def test_lookup_picks_the_newest_variant_not_above_the_opset(scratch_op):
    def old(ctx, node): ...
    def new(ctx, node): ...
    converter(scratch_op, since=11)(new)
    converter(scratch_op, since=1)(old)
    assert lookup(scratch_op, 10) is old
    assert lookup(scratch_op, 11) is new and lookup(scratch_op, 17) is new
    assert lookup("_no_such_op", 17) is None
    assert scratch_op in supported_ops(9)


def test_two_converters_for_one_op_and_opset_are_refused(scratch_op):
    converter(scratch_op, since=13)(lambda ctx, node: None)
    with pytest.raises(ValueError, match="two converters for MXNet op '_registry_test_op' at opset 13"):
        converter(scratch_op, since=13)(lambda ctx, node: None)


def test_an_op_that_starts_at_a_later_opset_is_absent_before_it():
    assert lookup("clip", 10) is not lookup("clip", 11)
    assert lookup("expand_dims", 12) is None and lookup("expand_dims", 13) is not None
