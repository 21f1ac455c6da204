"""Real ONNX models that ship inside PyPI packages, found where the package is installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

FILES = {
    "ppocr_det": ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_det_infer.onnx"),
    "ppocr_rec": ("rapidocr_onnxruntime", "models/ch_PP-OCRv4_rec_infer.onnx"),
    "ppocr_cls": ("rapidocr_onnxruntime", "models/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
    "nudenet": ("nudenet", "320n.onnx"),
    "magika": ("magika", "models/standard_v3_3/model.onnx"),
    "silero_vad": ("silero_vad", "data/silero_vad.onnx"),
}


def real_model(key: str) -> Path:
    """The model file, or a skip that names the package to install."""
    package, relative = FILES[key]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"needs the '{package}' package")
    path = Path(list(spec.submodule_search_locations)[0]) / relative
    if not path.is_file():
        pytest.skip(f"needs {relative} from the '{package}' package")
    return path
