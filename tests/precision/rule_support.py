"""Helpers of the precision rule tests (the models are in tests/models.py)."""

from __future__ import annotations

import numpy as np
import onnx

F = np.float32


def run(model: onnx.ModelProto, feeds: dict) -> list[np.ndarray]:
    import onnxruntime as ort

    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
