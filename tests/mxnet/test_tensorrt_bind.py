"""The MXNet 1.3 TensorRT walkthrough (tensorrt_bind) with one import changed."""

from __future__ import annotations

import numpy as np
import pytest

from trtlab.errors import TrtlabError

from ..loaders.mxnet.helpers import mx


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    m = mx()
    from mxnet.gluon.model_zoo import vision

    from trtlab.loaders.mxnet.parity import randomize

    batch_shape = (1, 3, 64, 64)
    net = vision.resnet18_v2(pretrained=False)
    randomize(net, seed=3)
    net.hybridize()
    net.forward(m.nd.zeros(batch_shape))
    prefix = str(tmp_path_factory.mktemp("ckpt") / "resnet18_v2")
    net.export(prefix)
    sym, arg_params, aux_params = m.model.load_checkpoint(prefix, 0)
    return sym, arg_params, aux_params, batch_shape


def test_walkthrough_both_paths(checkpoint, monkeypatch):
    m = mx()
    import trtlab.mxnet

    sym, arg_params, aux_params, batch_shape = checkpoint
    x = m.nd.random.uniform(shape=batch_shape)

    monkeypatch.setenv("MXNET_USE_TENSORRT", "0")
    executor = sym.simple_bind(ctx=m.cpu(), data=batch_shape, grad_req="null", force_rebind=True)
    executor.copy_params_from(arg_params, aux_params)
    reference = executor.forward(is_train=False, data=x)[0].asnumpy()

    monkeypatch.setenv("MXNET_USE_TENSORRT", "1")
    all_params = {**arg_params, **aux_params}
    all_params = {k: v.as_in_context(m.cpu()) for k, v in all_params.items()}
    with pytest.warns(RuntimeWarning, match="no runnable TensorRT here") if not trtlab.mxnet.executor._warned \
            else _nothing():
        executor = trtlab.mxnet.tensorrt_bind(sym, ctx=m.cpu(), all_params=all_params, data=batch_shape,
                                              grad_req="null", force_rebind=True)
    y = executor.forward(is_train=False, data=x)
    y[0].wait_to_read()
    assert isinstance(y[0], m.nd.NDArray) and executor.outputs[0] is y[0]
    out = y[0].asnumpy()
    assert out.shape == reference.shape
    assert np.max(np.abs(out - reference)) / np.max(np.abs(reference)) < 1e-4
    assert "TensorRT subgraphs executed by ONNX Runtime (CPU): no runnable TensorRT here" in executor.backend
    assert "no runnable TensorRT here" in repr(executor)
    assert executor.plan.engine_count >= 1 and executor.runner.stand_ins
    assert set(executor.arg_dict) >= {"data"} | set(arg_params)
    assert np.array_equal(executor.arg_dict["data"].asnumpy(), x.asnumpy())

    # The variable is read at every bind: back to MXNet's own executor.
    monkeypatch.setenv("MXNET_USE_TENSORRT", "0")
    plain = trtlab.mxnet.tensorrt_bind(sym, ctx=m.cpu(), all_params=all_params, data=batch_shape,
                                       grad_req="null", force_rebind=True)
    assert isinstance(plain, m.executor.Executor)
    assert np.allclose(plain.forward(is_train=False, data=x)[0].asnumpy(), reference)


def test_tensorrt_bind_refuses_training_and_a_bad_switch(checkpoint, monkeypatch):
    mx()
    import trtlab.mxnet

    sym, _, _, batch_shape = checkpoint
    for use in ("0", "1"):
        monkeypatch.setenv("MXNET_USE_TENSORRT", use)
        with pytest.raises(TrtlabError, match="for inference only.*grad_req='null'"):
            trtlab.mxnet.tensorrt_bind(sym, all_params={}, data=batch_shape, grad_req="write")
    monkeypatch.setenv("MXNET_USE_TENSORRT", "maybe")
    with pytest.raises(TrtlabError, match="MXNET_USE_TENSORRT"):
        trtlab.mxnet.tensorrt_bind(sym, all_params={}, data=batch_shape)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
