"""TensorRTExecutor: an MXNet-shaped executor over the symbol's partition, each TensorRT subgraph run by
ONNX Runtime standing in for its engine (no TensorRT engine can run here), and saying so."""

from __future__ import annotations

import numpy as np
import pytest

from trtlab.errors import TrtlabError

from ..loaders.mxnet.helpers import mx

SHAPE = (2, 3, 8, 8)


@pytest.fixture(scope="module")
def small():
    """A Conv + BatchNorm + ReLU + FullyConnected symbol with seeded parameters."""
    m = mx()
    s = m.sym
    x = s.Activation(s.BatchNorm(s.Convolution(s.var("data"), kernel=(3, 3), num_filter=4, name="conv"),
                                 fix_gamma=False, name="bn"), act_type="relu", name="relu")
    sym = s.FullyConnected(x, num_hidden=5, name="fc")
    rng = np.random.default_rng(0)
    arg_shapes, _, aux_shapes = sym.infer_shape(data=SHAPE)
    args = {n: m.nd.array(rng.normal(0, 0.5, sh)) for n, sh in zip(sym.list_arguments(), arg_shapes) if n != "data"}
    aux = {n: m.nd.array(rng.uniform(0.5, 1.5, sh)) for n, sh in zip(sym.list_auxiliary_states(), aux_shapes)}
    return sym, args, aux


def _mxnet_answer(m, sym, args, aux, x):
    ex = sym.simple_bind(ctx=m.cpu(), data=SHAPE, grad_req="null")
    ex.copy_params_from(args, aux)
    return ex.forward(is_train=False, data=x)[0].asnumpy()


def _executor(monkeypatch, sym, args, aux, *, warned=True):
    """A TensorRTExecutor; `warned` says whether its once-per-process warning has been given (restored after
    the test, so the walkthrough test sees the process as it was)."""
    from trtlab.mxnet import executor

    monkeypatch.setattr(executor, "_warned", warned)
    return executor.TensorRTExecutor(sym, args, aux, {"data": SHAPE}, ctx=mx().cpu())


def test_forward_gives_mxnets_answer_and_says_what_ran(small, monkeypatch):
    m = mx()
    sym, args, aux = small
    with pytest.warns(RuntimeWarning, match="no runnable TensorRT here"):
        ex = _executor(monkeypatch, sym, args, aux, warned=False)
    x = m.nd.array(np.random.default_rng(1).standard_normal(SHAPE))
    (out,) = ex.forward(data=x)
    np.testing.assert_allclose(out.asnumpy(), _mxnet_answer(m, sym, args, aux, x), rtol=1e-4, atol=1e-5)
    assert list(ex.output_dict) == ["fc_output"] and ex.output_dict["fc_output"] is out
    assert ex.backend == ("TensorRT subgraphs executed by ONNX Runtime (CPU): no runnable TensorRT here; "
                          "1 TensorRT subgraph, 0 fallback nodes")
    assert "no runnable TensorRT here" in ex._repr_mimebundle_()["text/plain"]


def test_new_weights_rebuild_the_engines(small, monkeypatch):
    m = mx()
    sym, args, aux = small
    ex = _executor(monkeypatch, sym, args, aux)
    x = m.nd.ones(SHAPE)
    before = ex.forward(data=x)[0].asnumpy()
    doubled = {"fc_weight": args["fc_weight"] * 2}
    ex.copy_params_from(doubled)
    after = ex.forward(data=x)[0].asnumpy()
    np.testing.assert_allclose(after, _mxnet_answer(m, sym, {**args, **doubled}, aux, x), rtol=1e-4, atol=1e-5)
    assert not np.allclose(before, after)
    with pytest.raises(TrtlabError, match="Parameters not in the symbol: stray_weight"):
        ex.copy_params_from({"stray_weight": args["fc_weight"]})
    ex.copy_params_from({"stray_weight": args["fc_weight"]}, allow_extra_params=True)


def test_tensorrt_executor_refuses_training_and_wrong_inputs(small, monkeypatch):
    m = mx()
    ex = _executor(monkeypatch, *small)
    with pytest.raises(TrtlabError, match="inference only"):
        ex.forward(is_train=True, data=m.nd.zeros(SHAPE))
    with pytest.raises(TrtlabError, match=r"has shape \(1, 3, 8, 8\), but the executor was bound for \(2, 3, 8, 8\)"):
        ex.forward(data=m.nd.zeros((1, 3, 8, 8)))
    with pytest.raises(TrtlabError, match="Unknown input 'image'"):
        ex.forward(image=m.nd.zeros(SHAPE))
