"""Layer converters (convolution, normalisation, activations, pooling, dense, softmax) against MXNet's
own forward pass on a one-op symbol."""

from __future__ import annotations

import pytest

from trtlab.loaders.mxnet.parity import relative_error as rel_err

from ..helpers import mx, run_both
from .cases import D4, assert_matches_mxnet


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
    add("dropout", lambda s: s.Dropout(s.var("data"), p=0.5, name="d"))
    add("softmax", lambda s: s.softmax(s.var("data"), axis=1, name="s"))
    add("softmax_temperature", lambda s: s.softmax(s.var("data"), temperature=2.0, name="s"))
    add("log_softmax", lambda s: s.log_softmax(s.var("data"), name="s"))
    add("softmax_output", lambda s: s.SoftmaxOutput(s.var("data"), name="softmax"), {"data": (3, 10)})
    add("softmax_output_4d", lambda s: s.SoftmaxOutput(s.var("data"), name="softmax"))
    add("softmax_output_multi", lambda s: s.SoftmaxOutput(s.var("data"), multi_output=True, name="softmax"))
    add("softmax_activation", lambda s: s.SoftmaxActivation(s.var("data"), name="s"))
    add("softmax_activation_channel", lambda s: s.SoftmaxActivation(s.var("data"), mode="channel", name="s"))
    add("layernorm", lambda s: s.LayerNorm(s.var("data"), name="ln"), {"data": (2, 3, 8)})
    return c


@pytest.mark.parametrize("build, shapes", _cases())
def test_op_matches_mxnet(build, shapes):
    assert_matches_mxnet(build, shapes)


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
