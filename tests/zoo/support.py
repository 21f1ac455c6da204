"""Shared by the zoo tests: run a zoo model in ONNX Runtime, or parse it with TensorRT-RTX."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab


def run_ort(model: trtlab.Model, seed: int = 0) -> list[np.ndarray]:
    import onnxruntime as ort
    sess = ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    feed = {i.name: rng.standard_normal(i.shape).astype(np.float32) for i in sess.get_inputs()}
    return sess.run(None, feed)


def parser_rejects(model: trtlab.Model) -> set[str]:
    trt = pytest.importorskip("tensorrt_rtx", reason="needs tensorrt_rtx (pip install 'trtlab[rtx]')")
    logger = trt.Logger(trt.Logger.Severity.INTERNAL_ERROR)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # must outlive the parser: it writes into it
    parser = trt.OnnxParser(network, logger)
    parser.parse(model.to_bytes())
    return {parser.get_error(i).node_name() for i in range(parser.num_errors)}
