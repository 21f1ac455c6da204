"""A tiny Gluon block for tests that need MXNet (skipped, naming the extra, where it is missing)."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.mxnet import import_mxnet


def dense_block():
    """(mx, a hybridised Dense(8 -> 4) + ReLU block that has run once on a 2x8 input)."""
    try:
        mx = import_mxnet()
    except trtlab.MissingDependency:
        pytest.skip("needs mxnet (pip install 'trtlab[mxnet]')")
    net = mx.gluon.nn.HybridSequential()
    net.add(mx.gluon.nn.Dense(4, in_units=8), mx.gluon.nn.Activation("relu"))
    net.initialize()
    net.hybridize()
    net(mx.nd.ones((2, 8)))
    return mx, net
