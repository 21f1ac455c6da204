"""The corpus's packaged ONNX files for tests, or a skip that names the package to install."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from trtlab import corpus


def real_model(name: str) -> Path:
    entry = corpus.ENTRIES[name]
    if importlib.util.find_spec(entry.package) is None:
        pytest.skip(f"needs the '{entry.pip}' package")
    return corpus.path(name)
