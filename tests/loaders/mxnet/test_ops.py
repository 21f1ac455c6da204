"""Each converter against MXNet's own forward pass on a one-op (or few-op) symbol."""

from __future__ import annotations

import pytest

from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet.parity import relative_error as rel_err

from .helpers import mx, run_both

D4 = {"data": (2, 4, 9, 9)}


def _one(s, fn):
    # One variable used several times (each s.var call would make a separate argument).
    return fn(s.var("data"))


def _cases():
    """(id, builder(sym module) -> symbol, input shapes)."""
    c = []
    add = lambda name, fn, shapes=D4: c.append(pytest.param(fn, shapes, id=name))  # noqa: E731
    add("conv", lambda s: s.Convolution(s.var("data"), kernel=(3, 3), num_filter=5, pad=(1, 1), stride=(2, 2), name="c"))
    add("conv_group_dilate_nobias", lambda s: s.Convolution(s.var("data"), kernel=(3, 3), num_filter=8, num_group=2,
                                                            dilate=(2, 2), no_bias=True, name="c"))
    add("conv1d", lambda s: s.Convolution(s.var("data"), kernel=(3,), num_filter=3, name="c"), {"data": (1, 4, 10)})
    add("deconv", lambda s: s.Deconvolution(s.var("data"), kernel=(4, 4), num_filter=3, stride=(2, 2), pad=(1, 1),
                                            adj=(1, 1), no_bias=False, name="d"))
    for fix_gamma in (True, False):
        add(f"batchnorm_fix_gamma_{fix_gamma}", lambda s, f=fix_gamma: s.BatchNorm(s.var("data"), fix_gamma=f, eps=1e-4, name="bn"))
    add("batchnorm_2d", lambda s: s.BatchNorm(s.var("data"), fix_gamma=False, name="bn"), {"data": (3, 6)})
    for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign"):
        add(f"act_{act}", lambda s, a=act: s.Activation(s.var("data"), act_type=a, name="a"))
    for act, extra in (("leaky", {"slope": 0.1}), ("elu", {"slope": 0.7}), ("selu", {}), ("gelu", {}), ("prelu", {})):
        add(f"leaky_{act}", lambda s, a=act, e=extra: s.LeakyReLU(s.var("data"), act_type=a, name="l", **e))
    pools = [("max", "valid", True), ("avg", "valid", True), ("avg", "valid", False), ("max", "full", True),
             ("avg", "full", True), ("avg", "full", False), ("sum", "valid", True)]
    for pool, conv, incl in pools:
        add(f"pool_{pool}_{conv}_incl{int(incl)}",
            lambda s, p=pool, cv=conv, i=incl: s.Pooling(s.var("data"), kernel=(3, 3), stride=(2, 2), pad=(1, 1),
                                                          pool_type=p, pooling_convention=cv, count_include_pad=i, name="p"),
            {"data": (1, 3, 10, 10)})
    for pool in ("max", "avg", "sum"):
        add(f"pool_global_{pool}", lambda s, p=pool: s.Pooling(s.var("data"), kernel=(1, 1), global_pool=True, pool_type=p, name="p"))
    add("fc_flatten", lambda s: s.FullyConnected(s.var("data"), num_hidden=7, name="fc"))
    add("fc_no_flatten", lambda s: s.FullyConnected(s.var("data"), num_hidden=7, flatten=False, name="fc"))
    add("fc_no_bias", lambda s: s.FullyConnected(s.var("data"), num_hidden=7, no_bias=True, name="fc"), {"data": (3, 5)})
    add("flatten", lambda s: s.Flatten(s.var("data"), name="f"))
    for spec in ((0, -1), (-1, 0, 9, 9), (0, -2), (-3, -2), (0, -4, 2, -1, -2), (-4, 1, -1, 0, 81), (2, 0, -1)):
        add(f"reshape_{spec}", lambda s, sp=spec: s.Reshape(s.var("data"), shape=sp, name="r"))
    add("reshape_reverse", lambda s: s.Reshape(s.var("data"), shape=(-1, 0), reverse=True, name="r"))
    add("transpose", lambda s: s.transpose(s.var("data"), axes=(0, 2, 3, 1), name="t"))
    add("transpose_default", lambda s: s.transpose(s.var("data"), name="t"))
    add("concat", lambda s: s.Concat(s.var("data"), s.var("b"), dim=1, name="cat"), {"data": (1, 2, 3, 3), "b": (1, 3, 3, 3)})
    for op in ("elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div"):
        add(op, lambda s, o=op: getattr(s, o)(s.var("data"), s.var("b"), name="e"), {"data": (2, 3), "b": (2, 3)})
    for op in ("broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_maximum"):
        add(op, lambda s, o=op: getattr(s, o)(s.var("data"), s.var("b"), name="e"), {"data": (2, 3, 4), "b": (2, 1, 4)})
    add("operators_and_scalars", lambda s: _one(s, lambda x: ((x + 1.5) * 2 - 0.5) / 4 + x * x - 3 / (s.abs(x) + 1)
                                                - (1 - x)), {"data": (2, 5)})
    add("power_max_min_scalar", lambda s: s.maximum(s.minimum(s.abs(s.var("data")) ** 1.5, 2.0), 0.1), {"data": (3, 4)})
    add("clip", lambda s: s.clip(s.var("data"), a_min=-0.3, a_max=0.6, name="c"))
    add("rsqrt", lambda s: s.rsqrt(s.abs(s.var("data")) + 0.1, name="r"))
    add("mean", lambda s: s.mean(s.var("data"), axis=(2, 3), keepdims=True, name="m"))
    add("mean_exclude", lambda s: s.mean(s.var("data"), axis=1, exclude=True, name="m"))
    add("mean_all", lambda s: s.mean(s.var("data"), name="m"))
    add("sum_max", lambda s: _one(s, lambda x: s.sum(x, axis=1) + s.max(x, axis=1)), {"data": (2, 3, 4)})
    add("sum_all", lambda s: s.sum(s.var("data"), name="m"), {"data": (2, 3, 4)})
    add("pad_constant", lambda s: s.Pad(s.var("data"), mode="constant", pad_width=(0, 0, 0, 0, 1, 2, 2, 1),
                                        constant_value=0.5, name="p"))
    add("pad_edge", lambda s: s.Pad(s.var("data"), mode="edge", pad_width=(0, 0, 0, 0, 1, 2, 2, 1), name="p"))
    add("pad_reflect", lambda s: s.Pad(s.var("data"), mode="reflect", pad_width=(0, 0, 0, 0, 1, 2, 2, 1), name="p"))
    add("dropout", lambda s: s.Dropout(s.var("data"), p=0.5, name="d"))
    add("softmax", lambda s: s.softmax(s.var("data"), axis=1, name="s"))
    add("softmax_temperature", lambda s: s.softmax(s.var("data"), temperature=2.0, name="s"))
    add("log_softmax", lambda s: s.log_softmax(s.var("data"), name="s"))
    add("softmax_output", lambda s: s.SoftmaxOutput(s.var("data"), name="softmax"), {"data": (3, 10)})
    add("softmax_output_4d", lambda s: s.SoftmaxOutput(s.var("data"), name="softmax"))
    add("softmax_output_multi", lambda s: s.SoftmaxOutput(s.var("data"), multi_output=True, name="softmax"))
    add("copy_blockgrad", lambda s: s.BlockGrad(s._internal._copy(s.var("data")), name="b"))
    add("unary", lambda s: _one(s, lambda x: s.exp(s.negative(s.square(x))) + s.sqrt(s.abs(x))), {"data": (3, 4)})
    add("relu_sigmoid_tanh", lambda s: _one(s, lambda x: s.relu(x) + s.sigmoid(x) * s.tanh(x)), {"data": (3, 4)})
    add("add_n", lambda s: _one(s, lambda x: s.add_n(x, x * 2, x * 3, name="n")), {"data": (2, 3)})
    add("softmax_activation", lambda s: s.SoftmaxActivation(s.var("data"), name="s"))
    add("softmax_activation_channel", lambda s: s.SoftmaxActivation(s.var("data"), mode="channel", name="s"))
    add("expand_squeeze", lambda s: s.squeeze(s.expand_dims(s.var("data"), axis=1), axis=1), {"data": (2, 3)})
    add("slice_axis", lambda s: s.slice_axis(s.var("data"), axis=2, begin=1, end=-2, name="sl"))
    add("split", lambda s: s.split(s.var("data"), num_outputs=2, axis=1, name="sp")[1])
    add("split_squeeze", lambda s: s.Group(list(s.split(s.var("data"), num_outputs=4, axis=1, squeeze_axis=True, name="sp"))))
    add("layernorm", lambda s: s.LayerNorm(s.var("data"), name="ln"), {"data": (2, 3, 8)})
    add("dot", lambda s: s.dot(s.var("data"), s.var("b"), transpose_b=True, name="d"), {"data": (3, 4), "b": (5, 4)})
    add("batch_dot", lambda s: s.batch_dot(s.var("data"), s.var("b"), name="d"), {"data": (2, 3, 4), "b": (2, 4, 5)})
    return c


@pytest.mark.parametrize("build, shapes", _cases())
def test_op_matches_mxnet(build, shapes):
    m = mx()
    expected, actual, _ = run_both(build(m.sym), shapes)
    assert len(expected) == len(actual)
    for e, a in zip(expected, actual):
        assert a.shape == e.shape
        assert rel_err(a, e) < 1e-5


def test_deconvolution_target_shape_is_mxnet_pad_and_adj():
    # MXNet's CPU (MKLDNN) kernel can't run target_shape itself: compare with the pad/adj MXNet
    # derives for it (stride 2, kernel 3, 9 -> 18: pad 1, adj 1) and with MXNet's inferred shape.
    m = mx()
    s = m.sym
    target = s.Deconvolution(s.var("data"), kernel=(3, 3), num_filter=2, stride=(2, 2), target_shape=(18, 18), name="d")
    explicit = s.Deconvolution(s.var("data"), kernel=(3, 3), num_filter=2, stride=(2, 2), pad=(1, 1), adj=(1, 1), name="d")
    shapes = {"data": (2, 4, 9, 9)}
    assert target.infer_shape(**shapes)[1] == [(2, 2, 18, 18)]
    expected, _, _ = run_both(explicit, shapes)
    _, actual, _ = run_both(target, shapes, run_mxnet=False)
    assert actual[0].shape == (2, 2, 18, 18)
    assert rel_err(actual[0], expected[0]) < 1e-5


def test_rrelu_is_leaky_with_mean_slope_and_drops_its_mask():
    m = mx()
    expected, actual, model = run_both(m.sym.LeakyReLU(m.sym.var("data"), act_type="rrelu", name="l"), D4)
    assert len(expected) == 2 and len(actual) == 1  # MXNet also returns the training mask
    assert list(model.outputs) == ["l_output"]
    assert rel_err(actual[0], expected[0]) < 1e-5


def test_onnx_node_names_are_mxnet_names():
    m = mx()
    s = m.sym
    x = s.Convolution(s.var("data"), kernel=(3, 3), num_filter=4, name="stem_conv")
    x = s.Activation(s.BatchNorm(x, name="stem_bn"), act_type="relu", name="stem_relu")
    x = s.FullyConnected(x, num_hidden=3, name="head")
    _, _, model = run_both(x, D4)
    names = [n.name for n in model.nodes]
    assert names[:3] == ["stem_conv", "stem_bn", "stem_relu"]
    assert "head" in names and len(set(names)) == len(names)
    assert list(model.outputs) == ["head_output"]


def test_clip_before_opset_11_uses_attributes():
    m = mx()
    expected, actual, model = run_both(m.sym.clip(m.sym.var("data"), a_min=0, a_max=0.5, name="c"), D4, opset=10)
    (clip,) = [n for n in model.nodes if n.op_type == "Clip"]
    assert len(clip.input) == 1 and {a.name for a in clip.attribute} == {"min", "max"}
    assert rel_err(actual[0], expected[0]) < 1e-6


def test_op_without_converter_names_op_and_node():
    m = mx()
    sym = m.sym.topk(m.sym.var("data"), k=2, name="pick_best")
    with pytest.raises(TrtlabError, match=r"'topk' \(node 'pick_best'\) has no ONNX converter"):
        run_both(sym, {"data": (2, 5)})


def test_reshape_codes_match_mxnet():
    from trtlab.loaders.mxnet.ops.tensor import mxnet_reshape

    m = mx()
    src = (2, 3, 4, 5)
    for spec, reverse in [((0, -1), False), ((-2,), False), ((-3, -3), False), ((0, 0, -3), False),
                          ((-4, 1, 2, -2), False), ((6, -1), False), ((0, -1), True), ((-1, 5), True)]:
        got = mxnet_reshape(src, spec, reverse)
        want = m.nd.zeros(src).reshape(shape=spec, reverse=reverse).shape
        assert got == want, (spec, reverse)
    with pytest.raises(ValueError):
        mxnet_reshape(src, (7, -1))


def test_supported_ops_cover_the_zoo_and_requirements():
    from trtlab.loaders.mxnet import supported_ops

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
