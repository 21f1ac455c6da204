"""Run one MXNet symbol in MXNet and, converted, in ONNX Runtime."""

from __future__ import annotations

import numpy as np
import pytest

mxnet_missing = "needs mxnet (pip install 'trtlab[mxnet]')"


def mx():
    """mxnet, imported the way trtlab does (numpy aliases first), or skip the test."""
    from trtlab._optional import mxnet
    from trtlab.errors import MissingDependency

    try:
        return mxnet()
    except MissingDependency:
        pytest.skip(mxnet_missing)


def run_both(sym, shapes: dict, seed: int = 0, params: dict | None = None, opset: int = 17, run_mxnet: bool = True):
    """(mxnet outputs, onnx outputs, Model) for `sym` with random inputs and parameters."""
    import onnxruntime as ort

    from trtlab.loaders.mxnet import load_mxnet_object

    m = mx()
    rng = np.random.default_rng(seed)
    arg_shapes, _, aux_shapes = sym.infer_shape(**shapes)
    args = {}
    for name, shape in zip(sym.list_arguments(), arg_shapes):
        if name in shapes:
            continue
        args[name] = rng.uniform(0.5, 1.5, shape) if name.endswith("var") else rng.normal(0, 0.5, shape)
    aux = {n: (rng.uniform(0.5, 1.5, s) if "var" in n else rng.normal(0, 0.5, s))
           for n, s in zip(sym.list_auxiliary_states(), aux_shapes)}
    args.update(params or {})
    feeds = {k: rng.normal(0, 1, v).astype(np.float32) for k, v in shapes.items()}
    nd = lambda d: {k: m.nd.array(v, dtype="float32") for k, v in d.items()}  # noqa: E731
    expected = None
    if run_mxnet:
        ex = sym.bind(m.cpu(), {**nd(args), **nd(feeds)}, aux_states=nd(aux), grad_req="null")
        expected = [o.asnumpy() for o in ex.forward(is_train=False)]
    model = load_mxnet_object(sym, arg_params=nd(args), aux_params=nd(aux), inputs=shapes, opset=opset)
    session = ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"])
    actual = session.run(None, {k: v for k, v in feeds.items() if k in model.inputs})
    return expected, actual, model
