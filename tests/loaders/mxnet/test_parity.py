"""The parity check's random parameters, which make a converter that ignores one of them fail."""

from __future__ import annotations

import numpy as np

from .helpers import mx


def test_every_batchnorm_parameter_is_random_even_when_its_shape_was_deferred():
    m = mx()
    from trtlab.loaders.mxnet.parity import check_block, randomize

    net = m.gluon.nn.HybridSequential()
    net.add(m.gluon.nn.Conv2D(4, 3), m.gluon.nn.BatchNorm(), m.gluon.nn.Activation("relu"))
    randomize(net, seed=0)  # BatchNorm's channel count is deferred until the first forward
    result = check_block(net, (1, 3, 8, 8))
    assert result.error < 1e-5, result
    for suffix, default in (("gamma", 1), ("beta", 0), ("running_mean", 0), ("running_var", 1)):
        (values,) = [p.data().asnumpy() for k, p in net.collect_params().items() if k.endswith(suffix)]
        assert not np.all(values == default), suffix
