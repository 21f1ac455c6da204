"""Helpers of the precision tests: inputs, runs and look-ups (the models are in tests/models.py)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import shape_inference

from tests.models import INPUT_SHAPE


def inputs(seed: int = 1, count: int = 1) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [{"x": rng.standard_normal(INPUT_SHAPE).astype(np.float32)} for _ in range(count)]


def run_ort(model: onnx.ModelProto, feed: dict[str, np.ndarray]) -> np.ndarray:
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, feed)[0]


def elem_type(model: onnx.ModelProto, tensor: str) -> int:
    g = model.graph
    for t in g.initializer:
        if t.name == tensor:
            return t.data_type
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        if vi.name == tensor:
            return vi.type.tensor_type.elem_type
    raise KeyError(tensor)


def node(model: onnx.ModelProto, name: str) -> onnx.NodeProto:
    return next(n for n in model.graph.node if n.name == name)


def typed(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` with the types shape inference finds."""
    return shape_inference.infer_shapes(model)
