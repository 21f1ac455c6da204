"""Shared by the converter tests: compare one symbol's outputs in MXNet and ONNX Runtime."""

from __future__ import annotations

from trtlab.loaders.mxnet.parity import relative_error

from ..helpers import mx, run_both

D4 = {"data": (2, 4, 9, 9)}


def one_var(s, fn):
    # One variable used several times (each s.var call would make a separate argument).
    return fn(s.var("data"))


def assert_matches_mxnet(build, shapes):
    m = mx()
    expected, actual, _ = run_both(build(m.sym), shapes)
    assert len(expected) == len(actual)
    for e, a in zip(expected, actual):
        assert a.shape == e.shape
        assert relative_error(a, e) < 1e-5
