"""Check a conversion: the ONNX model in ONNX Runtime against MXNet's own forward pass.

Needs mxnet and onnxruntime; both are imported when a function here is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np


@dataclass
class Parity:
    name: str
    input_shape: tuple[int, ...]
    error: float  # max|onnx - mxnet| / max|mxnet|
    nodes: int
    mxnet_s: float
    convert_s: float
    onnxruntime_s: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def relative_error(actual: np.ndarray, reference: np.ndarray) -> float:
    """max|a - b| relative to the reference output's scale."""
    scale = float(np.max(np.abs(reference))) or 1.0
    return float(np.max(np.abs(actual.astype(np.float64) - reference.astype(np.float64)))) / scale


def randomize(block: Any, seed: int = 0) -> None:
    """Initialise a Gluon block with seeded weights and non-trivial BatchNorm statistics, so a
    converter that ignored gamma, beta, the running mean or the variance would be caught."""
    from ..._optional import mxnet

    mx = mxnet()
    mx.random.seed(seed)
    block.initialize(mx.init.Xavier(magnitude=2.0), force_reinit=True)
    rng = np.random.default_rng(seed)
    for name, p in block.collect_params().items():
        if not (p._data is None and p._deferred_init):
            _randomize_statistic(mx, name, p, rng)


def check_block(block: Any, input_shape: Sequence[int], *, name: str = "model", seed: int = 0) -> Parity:
    """Run `block` (already randomized) in MXNet and its conversion in ONNX Runtime on one input."""
    import time

    from ..._optional import mxnet, onnxruntime
    from ...loaders.mxnet import load_mxnet_object

    mx = mxnet()
    ort = onnxruntime()
    shape = tuple(int(d) for d in input_shape)
    x = np.random.default_rng(seed + 1).standard_normal(shape).astype(np.float32)
    block.hybridize()
    block(mx.nd.zeros(shape))  # deferred parameter shapes
    _fill_deferred(mx, block, seed)
    t0 = time.perf_counter()
    reference = block(mx.nd.array(x)).asnumpy()
    t1 = time.perf_counter()
    model = load_mxnet_object(block, inputs={"data": shape}, name=name)
    t2 = time.perf_counter()
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.to_bytes(), options, providers=["CPUExecutionProvider"])
    (actual,) = session.run(None, {next(iter(model.inputs)): x})
    t3 = time.perf_counter()
    return Parity(name, shape, relative_error(actual, reference), len(model.nodes), t1 - t0, t2 - t1, t3 - t2)


def _fill_deferred(mx, block: Any, seed: int) -> None:
    # Parameters whose shapes were deferred got default values on the first forward; give
    # BatchNorm's random values now that their shapes are known.
    rng = np.random.default_rng(seed + 2)
    for name, p in block.collect_params().items():
        _randomize_statistic(mx, name, p, rng, only_if_default=True)


# BatchNorm parameters by name suffix: the distribution randomize draws from, and the value
# MXNet initialises them to.
_STATISTICS = (
    (("running_mean", "moving_mean"), lambda rng, shape: rng.normal(0, 0.1, shape), 0.0),
    (("running_var", "moving_var"), lambda rng, shape: rng.uniform(0.5, 1.5, shape), 1.0),
    (("gamma",), lambda rng, shape: rng.uniform(0.5, 1.5, shape), 1.0),
    (("beta",), lambda rng, shape: rng.normal(0, 0.1, shape), 0.0),
)


def _randomize_statistic(mx, name: str, p: Any, rng: np.random.Generator, only_if_default: bool = False) -> None:
    for suffixes, draw, default in _STATISTICS:
        if name.endswith(suffixes):
            if not only_if_default or np.all(p.data().asnumpy() == default):
                p.set_data(mx.nd.array(draw(rng, p.shape)))
            return
