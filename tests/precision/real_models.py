"""The ONNX models that ship inside PyPI packages, loaded with fixed shapes and matching inputs."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import trtlab
from trtlab.feeds import random_feeds

# name -> (package, file inside it, input shapes, fixed input values)
REAL_MODELS = {
    "ppocr-det": ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx", {"x": (1, 3, 320, 320)}, {}),
    "ppocr-cls": ("rapidocr_onnxruntime", "models/ch_ppocr_mobile_v2.0_cls_infer.onnx", {"x": (1, 3, 48, 192)}, {}),
    "magika": ("magika", "models/standard_v3_3/model.onnx", {"bytes": (1, 2048)}, {}),
    "silero-vad": ("silero_vad", "data/silero_vad.onnx", {"input": (1, 512), "state": (2, 1, 128)},
                   {"sr": np.array(16000, np.int64)}),
    "silero-vad-half": ("silero_vad", "data/silero_vad_half.onnx", {"input": (1, 512), "state": (2, 1, 128)}, {}),
}


def load_real(name: str):
    """(trtlab Model, feeds) for `name`; skips the test naming the package when it is missing."""
    package, relative, shapes, fixed = REAL_MODELS[name]
    spec = importlib.util.find_spec(package)
    path = os.path.join(os.path.dirname(spec.origin), relative) if spec and spec.origin else None
    if path is None or not os.path.exists(path):
        pytest.skip(f"needs the '{package}' package (its packaged model {relative})")
    model = trtlab.load(path, inputs=shapes)
    feeds = random_feeds(model)
    feeds.update(fixed)
    return model, feeds


def cosine(a, b) -> float:
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
